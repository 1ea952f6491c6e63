/* weir/batch.h — record batches: schema, a zero-allocation reader (cursor over
 * the msgpack bytes) and a builder that writes msgpack bytes directly.
 *
 * Wire format version 1 (full text in sdk/README.md, "Batch wire format"):
 *
 *   batch  = array(3) [ 1, schema, rows ]       1 = WEIR_BATCH_VERSION
 *   schema = array(n) of field
 *   field  = array(3) [ name:str, type:str, nullable:bool ]
 *          | array(4) [ name:str, "struct", nullable:bool, schema ]
 *   rows   = array32(count) of row               (always the 5-byte header)
 *   row    = array(n) of value, one per field, in schema order
 *   value  = nil | bool | int | float64 | str | bin
 *          | ext(-1) timestamp (msgpack standard timestamp, 32/64/96 bit)
 *          | array (a struct: its fields' values in order)
 *
 * Timestamps are microseconds since the Unix epoch, UTC. */
#ifndef WEIR_BATCH_H
#define WEIR_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "weir/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WEIR_BATCH_VERSION 1

/* ---- growable byte buffer ------------------------------------------- */

typedef struct weir_buf {
  uint8_t *data;
  size_t len, cap;
  int err; /* sticky: WEIR_ERR_NOMEM once an append failed */
} weir_buf;

#define WEIR_BUF_INIT {NULL, 0, 0, 0}

/* Makes room for `extra` more bytes. Returns WEIR_OK or WEIR_ERR_NOMEM (and
 * sets b->err); the buffer is unchanged on failure. */
int weir_buf_reserve(weir_buf *b, size_t extra);
/* Appends bytes; on failure sets b->err and drops them. */
void weir_buf_append(weir_buf *b, const void *p, size_t n);
/* Appends a string literal (its length known at compile time). */
#define weir_buf_lit(b, lit) weir_buf_append((b), "" lit, sizeof(lit) - 1)
/* printf-style append (no NUL counted in len; data is NUL-terminated). */
void weir_buf_printf(weir_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Frees the memory; the buffer can be used again after. */
void weir_buf_free(weir_buf *b);
/* Keeps the memory, forgets the contents and the error. */
static inline void weir_buf_clear(weir_buf *b) {
  b->len = 0;
  b->err = 0;
}

/* ---- types and schema ------------------------------------------------ */

typedef enum weir_type {
  WEIR_T_NULL = 0,
  WEIR_T_BOOL,
  WEIR_T_INT,       /* 64-bit signed */
  WEIR_T_FLOAT,     /* 64-bit IEEE */
  WEIR_T_STRING,    /* UTF-8 */
  WEIR_T_BINARY,
  WEIR_T_TIMESTAMP, /* µs since the Unix epoch, UTC */
  WEIR_T_STRUCT
} weir_type;

typedef struct weir_schema weir_schema;

/* weir_field.flags */
#define WEIR_FIELD_EVENT_TIME 0x1u /* a watermarked event-time column (set by
                                     the watermark operator; kept by plugins
                                     that pass the column through, and set
                                     on a window column over such a one) */

typedef struct weir_field {
  char *name;
  weir_type type;
  bool nullable;
  weir_schema *fields; /* WEIR_T_STRUCT: the members (owned); else NULL */
  uint32_t flags;      /* WEIR_FIELD_*; load-time metadata, not on the wire,
                          not compared by weir_schema_equal */
  int64_t watermark_delay; /* µs, with WEIR_FIELD_EVENT_TIME */
} weir_field;

struct weir_schema {
  size_t n;
  weir_field *fields;
};

/* "null", "boolean", "bigint", "double", "string", "binary", "timestamp",
 * "struct" (Spark's simpleString names). Static. */
const char *weir_type_name(weir_type t);

/* A new empty schema, or NULL when out of memory. Free with weir_schema_free. */
weir_schema *weir_schema_new(void);
/* Frees a schema and everything it owns; NULL is fine. */
void weir_schema_free(weir_schema *s);
/* Appends a field; `name` is copied; `members` (struct only) is taken over,
 * also on failure. Returns WEIR_OK, WEIR_ERR_NOMEM, or WEIR_ERR_INVALID for a
 * duplicate name. */
int weir_schema_add(weir_schema *s, const char *name, weir_type type,
                    bool nullable, weir_schema *members);
/* A deep copy, or NULL when out of memory. */
weir_schema *weir_schema_copy(const weir_schema *s);
/* 1 when names, types, nullability and members are the same. */
int weir_schema_equal(const weir_schema *a, const weir_schema *b);
/* Index of the column called `name` (case-sensitive), or -1. */
int weir_schema_find(const weir_schema *s, const char *name);
/* The column name closest to `name` by edit distance (at most 3 edits, or a
 * case-insensitive match), or NULL. Borrowed from the schema. */
const char *weir_schema_suggest(const weir_schema *s, const char *name);

/* The candidate closest to `word` (edit distance at most 3, or equal but for
 * case), for "did you mean" messages; NULL when none is close. Borrowed. */
const char *weir_suggest(const char *word, const char *const *cands, size_t n);

/* Parses Spark DDL: "a STRING, b STRUCT<x: INT, y: TIMESTAMP> NOT NULL".
 * Types (case-insensitive): STRING VARCHAR CHAR, BINARY, BOOLEAN BOOL,
 * TINYINT SMALLINT INT INTEGER BIGINT LONG (all 64-bit), FLOAT REAL DOUBLE
 * (64-bit), TIMESTAMP, STRUCT<name: type, ...>. Backquoted names allowed.
 * On success *out is a new schema (caller frees). On error returns
 * WEIR_ERR_INVALID and writes "offset N: expected ..., found ..." to err. */
int weir_schema_parse(const char *ddl, weir_schema **out, char *err,
                      size_t errlen);
/* Appends the DDL text of the schema ("a STRING, b BIGINT") to out. */
void weir_schema_format(const weir_schema *s, weir_buf *out);
/* Appends the schema's wire encoding (the `schema` element above). */
void weir_schema_encode(const weir_schema *s, weir_buf *out);
/* Decodes a wire schema at data; on success *out is new (caller frees) and
 * *used the bytes read. WEIR_ERR_FORMAT on malformed bytes. */
int weir_schema_decode(const uint8_t *data, size_t len, weir_schema **out,
                       size_t *used);

/* ---- reading --------------------------------------------------------- */

/* One decoded value. Strings and binaries point into the batch (borrowed;
 * not NUL-terminated). raw/raw_len are the value's encoded bytes, so a value
 * can be copied through undecoded (weir_put_raw). For a struct, `nfields` is
 * set; decode the members with weir_value_members(). */
typedef struct weir_value {
  weir_type type; /* WEIR_T_NULL for a null */
  union {
    bool b;
    int64_t i;
    double f;
    int64_t ts;
    struct {
      const char *ptr;
      size_t len;
    } s; /* STRING and BINARY */
    uint32_t nfields;
  } v;
  const uint8_t *raw;
  size_t raw_len;
} weir_value;

/* A cursor over one batch. No allocation, ever. */
typedef struct weir_reader {
  const uint8_t *begin, *p, *end;
  const uint8_t *schema_raw; /* the schema element's bytes */
  size_t schema_len;
  uint32_t nrows, row; /* rows in the batch; rows read so far */
  const uint8_t *row_raw; /* the last row's bytes (for weir_put_row_raw) */
  size_t row_len;
} weir_reader;

/* Checks the header and positions the cursor before the first row.
 * The bytes are borrowed and must outlive the reader. Returns WEIR_OK or
 * WEIR_ERR_FORMAT (truncated, wrong version, not a batch). */
int weir_reader_open(weir_reader *r, const void *data, size_t len);

/* Decodes the next row into cols[0..ncols). Returns 1 when a row was read, 0
 * at the end, WEIR_ERR_FORMAT when the bytes are malformed or the row has not
 * exactly ncols values. Never reads past the end of the batch. */
int weir_reader_next(weir_reader *r, weir_value *cols, size_t ncols);

/* Decodes one value at *p (advancing it), without reading past end. */
int weir_value_decode(const uint8_t **p, const uint8_t *end, weir_value *out);

/* Decodes the members of a struct value into out[0..n). WEIR_ERR_FORMAT if
 * the value is not a struct of exactly n members. */
int weir_value_members(const weir_value *v, weir_value *out, size_t n);

/* A batch as handed to process(): bytes borrowed for the call. */
typedef struct weir_batch {
  const uint8_t *data;
  size_t len;
  uint32_t nrows;
  const weir_schema *schema; /* the node's input schema (borrowed) */
} weir_batch;

/* ---- building --------------------------------------------------------- */

typedef struct weir_builder {
  weir_buf buf;
  const weir_schema *schema; /* borrowed; must outlive the builder */
  size_t rows_at;            /* offset of the rows array32 header */
  uint32_t nrows;
} weir_builder;

/* Starts an empty batch for `schema` (borrowed). WEIR_OK or WEIR_ERR_NOMEM. */
int weir_builder_init(weir_builder *b, const weir_schema *schema);
/* Forgets the rows, keeps the memory and the schema: a new batch. */
void weir_builder_reset(weir_builder *b);
/* Frees the memory. */
void weir_builder_free(weir_builder *b);
/* Patches the row count and returns the batch bytes in *data / *len. They
 * stay valid until the next reset/free/append. WEIR_ERR_NOMEM if any append
 * failed since the last reset. */
int weir_builder_finish(weir_builder *b, const uint8_t **data, size_t *len);

/* Inline writers: direct msgpack bytes, no allocation but buffer growth. A
 * row is weir_row_begin(b), exactly one put per column (a struct is
 * weir_put_struct(b, n) followed by n puts), then nothing: rows need no end
 * call. An allocation failure is sticky and reported by weir_builder_finish. */
void weir__put_slow(weir_buf *buf, const void *p, size_t n);

static inline uint8_t *weir__room(weir_buf *buf, size_t n) {
  if (buf->cap - buf->len < n && weir_buf_reserve(buf, n) != WEIR_OK)
    return NULL;
  return buf->data + buf->len;
}
static inline void weir__be16(uint8_t *d, uint16_t v) {
  d[0] = (uint8_t)(v >> 8);
  d[1] = (uint8_t)v;
}
static inline void weir__be32(uint8_t *d, uint32_t v) {
  d[0] = (uint8_t)(v >> 24);
  d[1] = (uint8_t)(v >> 16);
  d[2] = (uint8_t)(v >> 8);
  d[3] = (uint8_t)v;
}
static inline void weir__be64(uint8_t *d, uint64_t v) {
  weir__be32(d, (uint32_t)(v >> 32));
  weir__be32(d + 4, (uint32_t)v);
}

/* msgpack writers on a plain buffer (also used for offsets and state). */
static inline void weir_mp_nil(weir_buf *b) {
  uint8_t *d = weir__room(b, 1);
  if (d) {
    d[0] = 0xc0;
    b->len += 1;
  }
}
static inline void weir_mp_bool(weir_buf *b, bool v) {
  uint8_t *d = weir__room(b, 1);
  if (d) {
    d[0] = v ? 0xc3 : 0xc2;
    b->len += 1;
  }
}
static inline void weir_mp_int(weir_buf *b, int64_t v) {
  uint8_t *d = weir__room(b, 9);
  if (!d)
    return;
  if (v >= 0 && v < 128) {
    d[0] = (uint8_t)v;
    b->len += 1;
  } else if (v >= -32 && v < 0) {
    d[0] = (uint8_t)(int8_t)v;
    b->len += 1;
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    d[0] = 0xd2;
    weir__be32(d + 1, (uint32_t)(int32_t)v);
    b->len += 5;
  } else {
    d[0] = 0xd3;
    weir__be64(d + 1, (uint64_t)v);
    b->len += 9;
  }
}
static inline void weir_mp_float(weir_buf *b, double v) {
  uint8_t *d = weir__room(b, 9);
  uint64_t u;
  if (!d)
    return;
  memcpy(&u, &v, 8);
  d[0] = 0xcb;
  weir__be64(d + 1, u);
  b->len += 9;
}
static inline void weir__mp_strhdr(weir_buf *b, size_t n, int bin) {
  uint8_t *d = weir__room(b, 5);
  if (!d)
    return;
  if (!bin && n < 32) {
    d[0] = (uint8_t)(0xa0 | n);
    b->len += 1;
  } else if (n < 256) {
    d[0] = bin ? 0xc4 : 0xd9;
    d[1] = (uint8_t)n;
    b->len += 2;
  } else if (n < 65536) {
    d[0] = bin ? 0xc5 : 0xda;
    weir__be16(d + 1, (uint16_t)n);
    b->len += 3;
  } else {
    d[0] = bin ? 0xc6 : 0xdb;
    weir__be32(d + 1, (uint32_t)n);
    b->len += 5;
  }
}
static inline void weir_mp_str(weir_buf *b, const char *s, size_t n) {
  weir__mp_strhdr(b, n, 0);
  weir_buf_append(b, s, n);
}
static inline void weir_mp_bin(weir_buf *b, const void *s, size_t n) {
  weir__mp_strhdr(b, n, 1);
  weir_buf_append(b, s, n);
}
static inline void weir_mp_array(weir_buf *b, uint32_t n) {
  uint8_t *d = weir__room(b, 5);
  if (!d)
    return;
  if (n < 16) {
    d[0] = (uint8_t)(0x90 | n);
    b->len += 1;
  } else if (n < 65536) {
    d[0] = 0xdc;
    weir__be16(d + 1, (uint16_t)n);
    b->len += 3;
  } else {
    d[0] = 0xdd;
    weir__be32(d + 1, n);
    b->len += 5;
  }
}
static inline void weir_mp_map(weir_buf *b, uint32_t n) {
  uint8_t *d = weir__room(b, 5);
  if (!d)
    return;
  if (n < 16) {
    d[0] = (uint8_t)(0x80 | n);
    b->len += 1;
  } else if (n < 65536) {
    d[0] = 0xde;
    weir__be16(d + 1, (uint16_t)n);
    b->len += 3;
  } else {
    d[0] = 0xdf;
    weir__be32(d + 1, n);
    b->len += 5;
  }
}
/* Timestamp in µs as msgpack ext -1 (timestamp64 when it fits, else 96). */
static inline void weir_mp_timestamp(weir_buf *b, int64_t us) {
  int64_t sec = us / 1000000, rem = us % 1000000;
  uint8_t *d = weir__room(b, 15);
  if (!d)
    return;
  if (rem < 0) {
    rem += 1000000;
    sec -= 1;
  }
  if (sec >= 0 && sec < (INT64_C(1) << 34)) {
    uint64_t v = ((uint64_t)(rem * 1000) << 34) | (uint64_t)sec;
    d[0] = 0xd7;
    d[1] = 0xff;
    weir__be64(d + 2, v);
    b->len += 10;
  } else {
    d[0] = 0xc7;
    d[1] = 12;
    d[2] = 0xff;
    weir__be32(d + 3, (uint32_t)(rem * 1000));
    weir__be64(d + 7, (uint64_t)sec);
    b->len += 15;
  }
}

static inline void weir_row_begin(weir_builder *b) {
  weir_mp_array(&b->buf, (uint32_t)b->schema->n);
  b->nrows++;
}
static inline void weir_put_null(weir_builder *b) { weir_mp_nil(&b->buf); }
static inline void weir_put_bool(weir_builder *b, bool v) {
  weir_mp_bool(&b->buf, v);
}
static inline void weir_put_int(weir_builder *b, int64_t v) {
  weir_mp_int(&b->buf, v);
}
static inline void weir_put_float(weir_builder *b, double v) {
  weir_mp_float(&b->buf, v);
}
static inline void weir_put_string(weir_builder *b, const char *s, size_t n) {
  weir_mp_str(&b->buf, s, n);
}
static inline void weir_put_binary(weir_builder *b, const void *s, size_t n) {
  weir_mp_bin(&b->buf, s, n);
}
static inline void weir_put_timestamp(weir_builder *b, int64_t us) {
  weir_mp_timestamp(&b->buf, us);
}
/* A struct value: follow with exactly n puts. */
static inline void weir_put_struct(weir_builder *b, uint32_t n) {
  weir_mp_array(&b->buf, n);
}
/* Copies an encoded value (weir_value.raw) through undecoded. */
static inline void weir_put_raw(weir_builder *b, const void *raw, size_t n) {
  weir_buf_append(&b->buf, raw, n);
}
/* Puts a decoded value (re-encodes scalars, copies structs raw). */
void weir_put_value(weir_builder *b, const weir_value *v);
/* Copies a whole encoded row (weir_reader.row_raw) through: replaces
 * weir_row_begin and the puts. The row must match the builder's schema. */
static inline void weir_put_row_raw(weir_builder *b, const void *raw,
                                    size_t n) {
  weir_buf_append(&b->buf, raw, n);
  b->nrows++;
}

#ifdef __cplusplus
}
#endif
#endif
