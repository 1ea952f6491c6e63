/* weir/batch.h — record batches: schema, a zero-allocation reader (cursor over
 * the msgpack bytes) and a builder that writes msgpack bytes directly.
 *
 * Wire format 1.1 (full text in sdk/README.md, "Batch wire format"):
 *
 *   batch   = array(3) [ 1, schema, rows ]      1 = WEIR_BATCH_VERSION
 *   schema  = array(n) of field
 *   field   = array(3) [ name:str, type:str, nullable:bool ]
 *           | array(4) [ name:str, "struct", nullable:bool, schema ]
 *           | array(4) [ name:str, "array", nullable:bool, element ]  (1.1)
 *   element = array(3) [ "element", type:str, containsNull:bool ]
 *             (type: a scalar one, not "null", "struct" or "array")
 *   rows    = array32(count) of row              (always the 5-byte header)
 *   row     = array(n) of value, one per field, in schema order
 *   value   = nil | bool | int | float64 | str | bin
 *           | ext(-1) timestamp (msgpack standard timestamp, 32/64/96 bit)
 *           | array (a struct: its fields' values in order;
 *                    an array: its elements, any number of them)
 *
 * 1.1 only adds the "array" type: the version element stays 1, a batch
 * without an array column is byte for byte a 1.0 batch, and a 1.0 reader
 * refuses a schema that names "array" instead of misreading it.
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
/* The format's minor version (README: "format 1.1 adds array"); not on the
 * wire: the version element of a batch is WEIR_BATCH_VERSION. */
#define WEIR_BATCH_FORMAT_MINOR 1

/* ---- growable byte buffer ------------------------------------------- */

typedef struct weir_buf {
  uint8_t *data;
  size_t len, cap;
  int err; /* sticky: WEIR_ERR_NOMEM once an append failed */
} weir_buf;

#define WEIR_BUF_INIT                                                          \
  { NULL, 0, 0, 0 }

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
  WEIR_T_INT,    /* 64-bit signed */
  WEIR_T_FLOAT,  /* 64-bit IEEE */
  WEIR_T_STRING, /* UTF-8 */
  WEIR_T_BINARY,
  WEIR_T_TIMESTAMP, /* µs since the Unix epoch, UTC */
  WEIR_T_STRUCT,
  WEIR_T_ARRAY /* format 1.1: elements of one scalar type */
} weir_type;

typedef struct weir_schema weir_schema;

/* weir_field.flags */
#define WEIR_FIELD_EVENT_TIME                                                  \
  0x1u /* a watermarked event-time column (set by                              \
         the watermark operator; kept by plugins                               \
         that pass the column through, and set                                 \
         on a window column over such a one) */

typedef struct weir_field {
  char *name;
  weir_type type;
  bool nullable;
  weir_schema *fields;     /* WEIR_T_STRUCT: the members; WEIR_T_ARRAY: one
                              field "element" (its type the elements' type, its
                              nullable Spark's containsNull); owned. Else NULL */
  uint32_t flags;          /* WEIR_FIELD_*; load-time metadata, not on the wire,
                              not compared by weir_schema_equal */
  int64_t watermark_delay; /* µs, with WEIR_FIELD_EVENT_TIME */
} weir_field;

struct weir_schema {
  size_t n;
  weir_field *fields;
};

/* "null", "boolean", "bigint", "double", "string", "binary", "timestamp",
 * "struct", "array" (Spark's simpleString names). Static. */
const char *weir_type_name(weir_type t);

/* 1 for the types an array may hold: boolean, bigint, double, string,
 * binary, timestamp (not null, struct or array). */
static inline int weir_type_is_element(weir_type t) {
  return t >= WEIR_T_BOOL && t <= WEIR_T_TIMESTAMP;
}

/* An ARRAY field's element field (borrowed), or NULL for any other type. */
static inline const weir_field *weir_field_element(const weir_field *f) {
  return f && f->type == WEIR_T_ARRAY && f->fields && f->fields->n == 1
             ? &f->fields->fields[0]
             : NULL;
}

/* A new empty schema, or NULL when out of memory. Free with weir_schema_free.
 */
weir_schema *weir_schema_new(void);
/* Frees a schema and everything it owns; NULL is fine. */
void weir_schema_free(weir_schema *s);
/* Appends a field; `name` is copied; `members` is taken over, also on
 * failure: a struct's members (NULL: none), or an array's element (a schema
 * of exactly one field named "element" whose type passes
 * weir_type_is_element; required). Returns WEIR_OK, WEIR_ERR_NOMEM, or
 * WEIR_ERR_INVALID for a duplicate name, members given to another type or a
 * bad element. */
int weir_schema_add(weir_schema *s, const char *name, weir_type type,
                    bool nullable, weir_schema *members);
/* Appends an ARRAY field of `element` values (weir_type_is_element), whose
 * elements may be null when contains_null. Same returns as weir_schema_add. */
int weir_schema_add_array(weir_schema *s, const char *name, bool nullable,
                          weir_type element, bool contains_null);
/* A deep copy, or NULL when out of memory. */
weir_schema *weir_schema_copy(const weir_schema *s);
/* 1 when names, types, nullability and members (array elements included)
 * are the same. */
int weir_schema_equal(const weir_schema *a, const weir_schema *b);
/* Index of the column called `name` (case-sensitive), or -1. */
int weir_schema_find(const weir_schema *s, const char *name);
/* 1 when s has an array column at any depth (inside structs too), with its
 * dotted path ("s.tags") written to path (truncated to n bytes, always
 * terminated); 0 otherwise. For plugins and formats that refuse arrays. */
int weir_schema_find_array(const weir_schema *s, char *path, size_t n);
/* The column name closest to `name` by edit distance (at most 3 edits, or a
 * case-insensitive match), or NULL. Borrowed from the schema. */
const char *weir_schema_suggest(const weir_schema *s, const char *name);

/* The candidate closest to `word` (edit distance at most 3, or equal but for
 * case), for "did you mean" messages; NULL when none is close. Borrowed. */
const char *weir_suggest(const char *word, const char *const *cands, size_t n);

/* Parses Spark DDL: "a STRING, b STRUCT<x: INT, y: TIMESTAMP> NOT NULL".
 * Types (case-insensitive): STRING VARCHAR CHAR, BINARY, BOOLEAN BOOL,
 * TINYINT SMALLINT INT INTEGER BIGINT LONG (all 64-bit), FLOAT REAL DOUBLE
 * (64-bit), TIMESTAMP, STRUCT<name: type, ...>, ARRAY<type> (elements of a
 * scalar type, nullable as in Spark; weir also reads ARRAY<type NOT NULL>
 * for containsNull = false). Backquoted names allowed.
 * On success *out is a new schema (caller frees). On error returns
 * WEIR_ERR_INVALID and writes "offset N: expected ..., found ..." to err. */
int weir_schema_parse(const char *ddl, weir_schema **out, char *err,
                      size_t errlen);
/* Appends the DDL text of the schema ("a STRING, b BIGINT, c ARRAY<STRING>";
 * an array whose elements are never null is "ARRAY<STRING NOT NULL>", so the
 * text parses back to the same schema) to out. */
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
 * can be copied through undecoded (weir_put_raw). `type` says the value's
 * encoding: the reader does not consult the schema, and a struct and an
 * array are both MessagePack arrays, so both read as WEIR_T_STRUCT with
 * `nfields` their count of members or elements (the column's schema type
 * tells them apart; weir_value_decode never returns WEIR_T_ARRAY). Decode a
 * struct's members with weir_value_members(), iterate an array's elements
 * with weir_array_begin() / weir_array_next(). A value a plugin builds
 * itself may say WEIR_T_ARRAY (with raw set): the SDK's functions take it
 * wherever they take a struct value. */
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
  uint32_t nrows, row;    /* rows in the batch; rows read so far */
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

/* A cursor over the elements of one array value: no allocation, the
 * elements borrowed from the value's bytes (which must outlive it). */
typedef struct weir_array_iter {
  const uint8_t *p, *end;
  uint32_t left; /* elements not read yet */
} weir_array_iter;

/* Starts at the first element of v, an array value (type WEIR_T_STRUCT as
 * the reader gives it, or WEIR_T_ARRAY, with raw set). WEIR_OK, or
 * WEIR_ERR_FORMAT when v is not a MessagePack array (a null included: test
 * for WEIR_T_NULL first). Elements are not checked against the element
 * type: like every value, each says its own encoding. */
int weir_array_begin(weir_array_iter *it, const weir_value *v);
/* Decodes the next element into *out: 1 when one was read, 0 after the
 * last, WEIR_ERR_FORMAT on malformed bytes. */
int weir_array_next(weir_array_iter *it, weir_value *out);

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
 * weir_put_struct(b, n) followed by n puts; an array is weir_put_array(b, n)
 * followed by n element puts, or weir_put_array_begin, the element puts and
 * weir_put_array_end when the count is not known before), then nothing: rows
 * need no end call. An allocation failure is sticky and reported by
 * weir_builder_finish. */
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
/* An array value of n elements: follow with exactly n puts, each a value of
 * the element type or null. */
static inline void weir_put_array(weir_builder *b, uint32_t n) {
  weir_mp_array(&b->buf, n);
}
/* An array value whose length is known only at its end: returns a mark to
 * give weir_put_array_end after the element puts, which writes the count
 * (and shrinks the header to its shortest form). Nothing else may be put in
 * between but elements. */
size_t weir_put_array_begin(weir_builder *b);
/* Ends the array begun at `mark` with its n elements. An n that does not fit
 * the header written or a bad mark fails the batch (WEIR_ERR_INVALID at
 * weir_builder_finish). */
void weir_put_array_end(weir_builder *b, size_t mark, uint32_t n);
/* Copies an encoded value (weir_value.raw) through undecoded. */
static inline void weir_put_raw(weir_builder *b, const void *raw, size_t n) {
  weir_buf_append(&b->buf, raw, n);
}
/* Puts a decoded value (re-encodes scalars, copies structs and arrays
 * raw). */
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
