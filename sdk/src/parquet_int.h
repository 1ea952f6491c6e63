/* parquet_int.h — what the Parquet modules of the SDK share and nothing else
 * sees: the format's enumerations (parquet.thrift), the Thrift compact
 * protocol codec, the footer and page-header structures, RLE/bit-packing
 * and the other encodings, and compression. Not installed. */
#ifndef WEIR_PARQUET_INT_H
#define WEIR_PARQUET_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "weir/batch.h"

/* ---- parquet.thrift enumerations ----------------------------------------- */
enum {
  PQ_BOOLEAN = 0,
  PQ_INT32,
  PQ_INT64,
  PQ_INT96,
  PQ_FLOAT,
  PQ_DOUBLE,
  PQ_BYTE_ARRAY,
  PQ_FIXED_LEN_BYTE_ARRAY
};
enum { PQ_REQUIRED = 0, PQ_OPTIONAL = 1, PQ_REPEATED = 2 };
enum {
  PQ_CT_UTF8 = 0,
  PQ_CT_MAP = 1,
  PQ_CT_MAP_KV = 2,
  PQ_CT_LIST = 3,
  PQ_CT_ENUM = 4,
  PQ_CT_DECIMAL = 5,
  PQ_CT_DATE = 6,
  PQ_CT_TIME_MILLIS = 7,
  PQ_CT_TIME_MICROS = 8,
  PQ_CT_TIMESTAMP_MILLIS = 9,
  PQ_CT_TIMESTAMP_MICROS = 10,
  PQ_CT_UINT_8 = 11,
  PQ_CT_UINT_64 = 14,
  PQ_CT_INT_8 = 15,
  PQ_CT_INT_64 = 18,
  PQ_CT_JSON = 19,
  PQ_CT_BSON = 20,
  PQ_CT_INTERVAL = 21
};
/* LogicalType union members (field ids). */
enum {
  PQ_LT_NONE = 0,
  PQ_LT_STRING = 1,
  PQ_LT_MAP = 2,
  PQ_LT_LIST = 3,
  PQ_LT_ENUM = 4,
  PQ_LT_DECIMAL = 5,
  PQ_LT_DATE = 6,
  PQ_LT_TIME = 7,
  PQ_LT_TIMESTAMP = 8,
  PQ_LT_INTEGER = 10,
  PQ_LT_UNKNOWN = 11,
  PQ_LT_JSON = 12,
  PQ_LT_BSON = 13,
  PQ_LT_UUID = 14,
  PQ_LT_FLOAT16 = 15
};
enum { PQ_UNIT_MILLIS = 1, PQ_UNIT_MICROS = 2, PQ_UNIT_NANOS = 3 };
enum {
  PQ_ENC_PLAIN = 0,
  PQ_ENC_PLAIN_DICTIONARY = 2,
  PQ_ENC_RLE = 3,
  PQ_ENC_BIT_PACKED = 4,
  PQ_ENC_DELTA_BINARY_PACKED = 5,
  PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
  PQ_ENC_DELTA_BYTE_ARRAY = 7,
  PQ_ENC_RLE_DICTIONARY = 8,
  PQ_ENC_BYTE_STREAM_SPLIT = 9
};
enum {
  PQ_CODEC_UNCOMPRESSED = 0,
  PQ_CODEC_SNAPPY = 1,
  PQ_CODEC_GZIP = 2,
  PQ_CODEC_LZO = 3,
  PQ_CODEC_BROTLI = 4,
  PQ_CODEC_LZ4 = 5,
  PQ_CODEC_ZSTD = 6,
  PQ_CODEC_LZ4_RAW = 7
};
enum {
  PQ_PAGE_DATA = 0,
  PQ_PAGE_INDEX = 1,
  PQ_PAGE_DICTIONARY = 2,
  PQ_PAGE_DATA_V2 = 3
};

/* ---- Thrift compact protocol ----------------------------------------------
 */
enum {
  TC_STOP = 0,
  TC_TRUE = 1,
  TC_FALSE = 2,
  TC_BYTE = 3,
  TC_I16 = 4,
  TC_I32 = 5,
  TC_I64 = 6,
  TC_DOUBLE = 7,
  TC_BINARY = 8,
  TC_LIST = 9,
  TC_SET = 10,
  TC_MAP = 11,
  TC_STRUCT = 12
};
#define TC_MAX_DEPTH 32

/* Writer: appends to a buffer; nested structs keep their last field id. */
typedef struct tc_writer {
  weir_buf *b;
  int16_t last[TC_MAX_DEPTH];
  int depth;
} tc_writer;

void tc_init(tc_writer *w, weir_buf *b);
void tc_field(tc_writer *w, int16_t id, int type);
void tc_i32(tc_writer *w, int16_t id, int32_t v);
void tc_i64(tc_writer *w, int16_t id, int64_t v);
void tc_bool(tc_writer *w, int16_t id, int v);
void tc_binary(tc_writer *w, int16_t id, const void *p, size_t n);
void tc_struct_begin(tc_writer *w, int16_t id); /* a struct-valued field */
void tc_struct_end(tc_writer *w);               /* also ends the top level */
void tc_list_begin(tc_writer *w, int16_t id, int elem_type, uint32_t n);
void tc_list_struct_begin(tc_writer *w); /* one struct element of a list */
void tc_elem_i32(tc_writer *w, int32_t v);
void tc_elem_binary(tc_writer *w, const void *p, size_t n);
void tc_varint(weir_buf *b, uint64_t v);

/* Reader: a bounds-checked cursor; any malformation sets `bad` (sticky)
 * and every later call returns zeros. */
typedef struct tc_reader {
  const uint8_t *p, *end;
  int bad;
  int depth;
} tc_reader;

/* Next field of the current struct: 1 with *id and *type, 0 at its end
 * (STOP) or on error. *last is the previous field id (start at 0). */
int tc_next_field(tc_reader *r, int16_t *last, int16_t *id, int *type);
int64_t tc_read_int(tc_reader *r); /* i16/i32/i64: zigzag varint */
uint64_t tc_read_varint(tc_reader *r);
int tc_read_byte(tc_reader *r);
/* A binary/string: borrowed pointer into the input. */
const uint8_t *tc_read_binary(tc_reader *r, uint32_t *n);
/* A list header: element type and count (count checked against the bytes
 * left, so a corrupt count cannot ask for a huge allocation). */
uint32_t tc_read_list(tc_reader *r, int *elem_type);
/* Skips a value of the given type (nesting bounded by TC_MAX_DEPTH). */
void tc_skip(tc_reader *r, int type);
/* Bools in a field header carry their value in the type. */
static inline int tc_bool_of(int type) { return type == TC_TRUE; }

/* ---- footer structures (reader) ---------------------------------------- */
typedef struct pq_selem {
  const uint8_t *name; /* into the footer bytes */
  uint32_t name_len;
  int has_type, type, type_length, repetition, num_children;
  int converted; /* -1: none */
  int scale, precision;
  int logical;                /* PQ_LT_* */
  int lt_unit, lt_utc;        /* TIME / TIMESTAMP */
  int lt_bits, lt_signed;     /* INTEGER */
  int lt_scale, lt_precision; /* DECIMAL */
} pq_selem;

typedef struct pq_chunk {
  int type, codec, has_meta;
  int64_t num_values, total_compressed, total_uncompressed;
  int64_t data_page_offset, dict_page_offset; /* -1: none */
  uint32_t path_len;                          /* elements of path_in_schema */
} pq_chunk;

typedef struct pq_rowgroup {
  int64_t num_rows;
  pq_chunk *cols;
  uint32_t ncols;
} pq_rowgroup;

typedef struct pq_meta {
  pq_selem *schema;
  uint32_t nschema;
  int64_t num_rows;
  pq_rowgroup *rgs;
  uint32_t nrgs;
  pq_chunk *chunks; /* every row group's columns, one allocation */
} pq_meta;

/* Decodes FileMetaData. WEIR_OK, WEIR_ERR_FORMAT or WEIR_ERR_NOMEM with a
 * reason in why. */
int pq_meta_decode(const uint8_t *p, size_t n, pq_meta *m, char *why,
                   size_t whylen);
void pq_meta_free(pq_meta *m);

typedef struct pq_page_header {
  int type;
  int32_t uncompressed_size, compressed_size;
  int32_t num_values; /* data and dictionary pages */
  int encoding;
  int def_encoding;                              /* v1 */
  int32_t num_nulls, num_rows, def_len, rep_len; /* v2 */
  int is_compressed;                             /* v2; true by default */
} pq_page_header;

/* Decodes a page header. Returns the bytes it took, 0 when the bytes end
 * before it does (read more and retry), or -1 when it is malformed. */
long pq_page_header_decode(const uint8_t *p, size_t n, pq_page_header *h);

/* ---- encodings ----------------------------------------------------------- */
static inline int pq_bit_width(uint64_t max) {
  int w = 0;
  while (max) {
    w++;
    max >>= 1;
  }
  return w;
}

/* RLE / bit-packed hybrid encoding of n values of `width` bits, appended to
 * out (no length prefix): runs of 8 or more equal values become RLE runs,
 * the rest bit-packed groups of 8 (the last one padded with zeros). */
void pq_rle_encode(weir_buf *out, int width, const uint32_t *v, size_t n);

/* RLE / bit-packed hybrid decoder over [p, end). */
typedef struct pq_rle_dec {
  const uint8_t *p, *end;
  int width;
  uint32_t rle_left, rle_val; /* an RLE run in progress */
  uint32_t bp_left;           /* values left in a bit-packed run */
  const uint8_t *bp;          /* its next group */
  uint32_t grp[8];
  int grp_pos, grp_n;
} pq_rle_dec;

void pq_rle_dec_init(pq_rle_dec *d, const uint8_t *p, const uint8_t *end,
                     int width);
/* Decodes up to n values; returns how many (fewer at the end of the data),
 * or -1 when the data is malformed. */
long pq_rle_get(pq_rle_dec *d, uint32_t *out, size_t n);

/* DELTA_BINARY_PACKED decoder (INT32 and INT64 alike, as int64). */
typedef struct pq_delta_dec {
  const uint8_t *p, *end;
  uint64_t block_size, nmini, per_mini, total, done;
  int64_t last, min_delta;
  const uint8_t *widths;  /* this block's miniblock bit widths */
  uint64_t mini, in_mini; /* current miniblock, values used in it */
  const uint8_t *mini_p;
  int first_pending;
} pq_delta_dec;

/* Reads the header; WEIR_OK or WEIR_ERR_FORMAT. */
int pq_delta_init(pq_delta_dec *d, const uint8_t *p, const uint8_t *end);
/* Up to n values; count, or -1 when malformed. */
long pq_delta_get(pq_delta_dec *d, int64_t *out, size_t n);
/* The bytes after the encoded values (all values read or skipped). */
const uint8_t *pq_delta_end(pq_delta_dec *d);

/* Bit-packs 8 values of `width` bits (LSB first) into width bytes. */
void pq_pack8(const uint32_t *in, int width, uint8_t *out);
/* Bit-unpacks 8 values of `width` bits (LSB first) from 8*width/8 bytes. */
void pq_unpack8(const uint8_t *in, int width, uint32_t *out);

/* ---- compression ----------------------------------------------------------
 */
/* Codec names for messages. */
const char *pq_codec_name(int codec);
/* Compresses src into out (cleared first) with a parquet codec. */
int pq_compress(int codec, int level, const uint8_t *src, size_t n,
                weir_buf *out);
/* Decompresses exactly `want` bytes; WEIR_ERR_FORMAT when the data is
 * corrupt or of another size, WEIR_ERR_UNSUPPORTED for a codec weir lacks. */
int pq_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst,
                  size_t want);

/* ---- writer: one leaf column's row-group buffers (parquet_wcol.c) ------- */
typedef struct pq_wchunk { /* what the footer says of a written chunk */
  int64_t start, data_off, dict_off; /* dict_off -1: no dictionary */
  int64_t comp_size, uncomp_size, num_values, nulls;
  int dict; /* RLE_DICTIONARY data pages */
  int has_minmax;
  size_t min_at, max_at; /* into the writer's stats buffer */
  uint32_t min_len, max_len;
} pq_wchunk;

typedef struct pq_wcol {
  const weir_field *field;
  const char **path; /* names from the root, into the writer's schema copy */
  int depth;
  int max_def;
  int ptype; /* PQ_INT64, ... */
  int wtype; /* WEIR_T_* of the leaf */
  /* this row group: one level per row, the non-null values */
  weir_buf defs; /* uint8_t levels */
  weir_buf vals; /* PLAIN bytes of the non-null values (bools: 1 byte) */
  size_t nvals;
  int64_t nulls;
  /* dictionary of this chunk (byte arrays) */
  int dict_on;      /* still building one */
  weir_buf idx;     /* uint32_t index of each non-null value */
  weir_buf dict;    /* PLAIN bytes of the distinct values */
  weir_buf dict_at; /* uint32_t offset of each distinct value in dict */
  uint32_t ndict;
  uint32_t *ht; /* open addressing: dictionary id + 1, 0 empty */
  size_t ht_cap;
  /* statistics of this chunk */
  int has_minmax;
  union {
    int64_t i;
    double f;
  } min, max;
  size_t bmin, bmax; /* byte arrays: offsets of the values in vals */
  uint32_t bmin_len, bmax_len;
} pq_wcol;

typedef struct pq_wctx { /* what encoding a chunk needs from the writer */
  FILE *f;
  int64_t *pos; /* bytes written to f so far */
  int codec, level, dict_mode;
  int64_t page_size, dict_page_size;
  weir_buf *page, *comp, *hdr, *stats; /* scratch buffers; stats persists */
  weir_buf *lev; /* scratch: uint32_t levels or indices of a page */
} pq_wctx;

/* Appends one row's level and, when it is max_def, its value (already
 * checked to be of the column's type). */
int pq_wcol_put(pq_wcol *c, const pq_wctx *x, int def, const weir_value *v);
/* Writes the column's buffered rows (nrows) as one column chunk: the
 * dictionary page, data pages; fills `out`, then clears the buffers. */
int pq_wcol_flush(pq_wcol *c, const pq_wctx *x, size_t nrows, pq_wchunk *out);
void pq_wcol_free(pq_wcol *c);
/* Bytes buffered by the column (for the row group's memory bound). */
size_t pq_wcol_bytes(const pq_wcol *c);

/* ---- reader: a leaf column's cursor over its column chunk (parquet_page.c) */
typedef struct pq_src { /* the file's bytes: a descriptor or memory */
  int fd;
  const uint8_t *mem;
  int64_t size;
} pq_src;

/* Reads n bytes at off; WEIR_ERR_IO (with errno) or WEIR_ERR_FORMAT when
 * the file is shorter. */
int pq_src_read(const pq_src *s, int64_t off, void *dst, size_t n);

typedef struct pq_val { /* one physical value */
  int64_t i;            /* BOOLEAN, INT32 (sign-extended), INT64 */
  double f;             /* FLOAT, DOUBLE */
  const uint8_t *s;     /* BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY, INT96 */
  uint32_t n;
} pq_val;

#define PQ_LEVBUF 256
typedef struct pq_rcol {
  /* the leaf (set once) */
  int ptype, type_length, max_def;
  /* the chunk of the current row group */
  int codec;
  int64_t off, end, values_left;
  /* the dictionary */
  int has_dict;
  weir_buf dict_page;
  pq_val *dict;
  uint32_t ndict, dict_cap;
  /* the current data page */
  weir_buf raw, page, cur, prev; /* compressed, decompressed, built values */
  int64_t page_left;             /* levels left in it */
  pq_rle_dec defs;
  uint32_t lev[PQ_LEVBUF];
  int lev_n, lev_pos;
  int enc;
  const uint8_t *vp, *vend, *data; /* values cursor; byte data (DELTA_*) */
  uint64_t bit;                    /* PLAIN booleans */
  pq_rle_dec idx;                  /* dictionary indices, RLE booleans */
  uint32_t ibuf[PQ_LEVBUF];
  int ib_n, ib_pos;
  pq_delta_dec d1, d2; /* DELTA_*: ints / lengths, and suffix lengths */
  int64_t dbuf[PQ_LEVBUF], dbuf2[PQ_LEVBUF];
  int db_n, db_pos, db2_n, db2_pos;
  uint64_t bss_n, bss_i; /* BYTE_STREAM_SPLIT */
} pq_rcol;

/* Positions the cursor at a column chunk (its dictionary is dropped). */
void pq_rcol_start(pq_rcol *c, int codec, int64_t off, int64_t end,
                   int64_t num_values);
/* The next row's definition level, and its value when def == max_def.
 * On error returns WEIR_ERR_* with a reason in why. */
int pq_rcol_next(pq_rcol *c, const pq_src *src, int *def, pq_val *v, char *why,
                 size_t whylen);
void pq_rcol_free(pq_rcol *c);
const char *pq_encoding_name(int enc);

/* Little-endian loads and stores. */
static inline uint32_t pq_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static inline uint64_t pq_le64(const uint8_t *p) {
  return (uint64_t)pq_le32(p) | (uint64_t)pq_le32(p + 4) << 32;
}
static inline void pq_put_le32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
static inline void pq_put_le64(uint8_t *p, uint64_t v) {
  pq_put_le32(p, (uint32_t)v);
  pq_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* The reader's and writer's sticky error: the first failure wins, its
 * message prefixed with the file's name. Returns the (first) code. */
int pq_fail(int *failed, char *msg, size_t cap, const char *name, int code,
            const char *fmt, va_list ap);

#endif
