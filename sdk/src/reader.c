/* reader.c — the batch hot path: a cursor that decodes rows straight from
 * the msgpack bytes (no allocation, every length bounds-checked, so that a
 * corrupt or hostile batch yields an error and never a crash), the builder's
 * header handling, and generic msgpack skipping and map lookup for offsets
 * and snapshots. */
#include <stdlib.h>

#include "internal.h"
#include "weir/batch.h"
#include "weir/offset.h"

#define MAX_DEPTH 64
#define US INT64_C(1000000)

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define ALWAYS_INLINE inline
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#endif

static ALWAYS_INLINE uint16_t rd16(const uint8_t *p) {
  return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}
static ALWAYS_INLINE uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}
static ALWAYS_INLINE uint64_t rd64(const uint8_t *p) {
  return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

/* seconds + nanoseconds → µs, floor-rounded; FORMAT when it does not fit in
 * an int64 (only a 96-bit timestamp can get there). */
static int ts_from_parts(int64_t sec, uint32_t nsec, int64_t *us) {
  if (nsec > 999999999u)
    return WEIR_ERR_FORMAT;
  int64_t frac = (int64_t)(nsec / 1000);
  if (sec >= 0) {
    if (sec > (INT64_MAX - frac) / US)
      return WEIR_ERR_FORMAT;
    *us = sec * US + frac;
  } else {
    /* (sec + 1)·10⁶ − (10⁶ − frac) keeps the product in range down to the
     * smallest representable value. */
    if (sec + 1 < INT64_MIN / US)
      return WEIR_ERR_FORMAT;
    int64_t base = (sec + 1) * US, back = US - frac;
    if (base < INT64_MIN + back)
      return WEIR_ERR_FORMAT;
    *us = base - back;
  }
  return WEIR_OK;
}

/* Decodes the value at *pp: a scalar completely, an array (struct) up to
 * its header only (type STRUCT, nfields set; the members follow at *pp).
 * raw is set; raw_len is left to the caller. This is the one switch every
 * reader path goes through, so it is kept tight. */
static ALWAYS_INLINE int dec_head(const uint8_t **pp, const uint8_t *end,
                                  weir_value *v) {
  const uint8_t *p = *pp;
  size_t avail = (size_t)(end - p);
  size_t n;
  if (UNLIKELY(p >= end))
    return WEIR_ERR_FORMAT;
  uint8_t b = p[0];
  v->raw = p;
  if (b <= 0x7f) {
    v->type = WEIR_T_INT;
    v->v.i = b;
    *pp = p + 1;
    return WEIR_OK;
  }
  if (b >= 0xe0) {
    v->type = WEIR_T_INT;
    v->v.i = (int8_t)b;
    *pp = p + 1;
    return WEIR_OK;
  }
  if ((b & 0xe0) == 0xa0) {
    n = b & 0x1f;
    p += 1;
    avail -= 1;
    v->type = WEIR_T_STRING;
    goto bytes;
  }
  if ((b & 0xf0) == 0x90) {
    v->type = WEIR_T_STRUCT;
    v->v.nfields = b & 0x0f;
    *pp = p + 1;
    return WEIR_OK;
  }
  switch (b) {
  case 0xc0:
    v->type = WEIR_T_NULL;
    *pp = p + 1;
    return WEIR_OK;
  case 0xc2:
  case 0xc3:
    v->type = WEIR_T_BOOL;
    v->v.b = b == 0xc3;
    *pp = p + 1;
    return WEIR_OK;
  case 0xcc:
    if (avail < 2)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_INT;
    v->v.i = p[1];
    *pp = p + 2;
    return WEIR_OK;
  case 0xcd:
    if (avail < 3)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_INT;
    v->v.i = rd16(p + 1);
    *pp = p + 3;
    return WEIR_OK;
  case 0xce:
    if (avail < 5)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_INT;
    v->v.i = rd32(p + 1);
    *pp = p + 5;
    return WEIR_OK;
  case 0xcf: {
    if (avail < 9)
      return WEIR_ERR_FORMAT;
    uint64_t u = rd64(p + 1);
    if (u > (uint64_t)INT64_MAX)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_INT;
    v->v.i = (int64_t)u;
    *pp = p + 9;
    return WEIR_OK;
  }
  case 0xd0:
    if (avail < 2)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_INT;
    v->v.i = (int8_t)p[1];
    *pp = p + 2;
    return WEIR_OK;
  case 0xd1:
    if (avail < 3)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_INT;
    v->v.i = (int16_t)rd16(p + 1);
    *pp = p + 3;
    return WEIR_OK;
  case 0xd2:
    if (avail < 5)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_INT;
    v->v.i = (int32_t)rd32(p + 1);
    *pp = p + 5;
    return WEIR_OK;
  case 0xd3:
    if (avail < 9)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_INT;
    v->v.i = (int64_t)rd64(p + 1);
    *pp = p + 9;
    return WEIR_OK;
  case 0xca: {
    if (avail < 5)
      return WEIR_ERR_FORMAT;
    uint32_t u = rd32(p + 1);
    float f;
    memcpy(&f, &u, 4);
    v->type = WEIR_T_FLOAT;
    v->v.f = f;
    *pp = p + 5;
    return WEIR_OK;
  }
  case 0xcb: {
    if (avail < 9)
      return WEIR_ERR_FORMAT;
    uint64_t u = rd64(p + 1);
    memcpy(&v->v.f, &u, 8);
    v->type = WEIR_T_FLOAT;
    *pp = p + 9;
    return WEIR_OK;
  }
  case 0xd9:
    if (avail < 2)
      return WEIR_ERR_FORMAT;
    n = p[1];
    p += 2;
    avail -= 2;
    v->type = WEIR_T_STRING;
    goto bytes;
  case 0xda:
    if (avail < 3)
      return WEIR_ERR_FORMAT;
    n = rd16(p + 1);
    p += 3;
    avail -= 3;
    v->type = WEIR_T_STRING;
    goto bytes;
  case 0xdb:
    if (avail < 5)
      return WEIR_ERR_FORMAT;
    n = rd32(p + 1);
    p += 5;
    avail -= 5;
    v->type = WEIR_T_STRING;
    goto bytes;
  case 0xc4:
    if (avail < 2)
      return WEIR_ERR_FORMAT;
    n = p[1];
    p += 2;
    avail -= 2;
    v->type = WEIR_T_BINARY;
    goto bytes;
  case 0xc5:
    if (avail < 3)
      return WEIR_ERR_FORMAT;
    n = rd16(p + 1);
    p += 3;
    avail -= 3;
    v->type = WEIR_T_BINARY;
    goto bytes;
  case 0xc6:
    if (avail < 5)
      return WEIR_ERR_FORMAT;
    n = rd32(p + 1);
    p += 5;
    avail -= 5;
    v->type = WEIR_T_BINARY;
    goto bytes;
  case 0xd6: /* timestamp 32: uint32 seconds */
    if (avail < 6 || p[1] != 0xff)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_TIMESTAMP;
    v->v.ts = (int64_t)rd32(p + 2) * US;
    *pp = p + 6;
    return WEIR_OK;
  case 0xd7: { /* timestamp 64: 30-bit ns | 34-bit seconds */
    if (avail < 10 || p[1] != 0xff)
      return WEIR_ERR_FORMAT;
    uint64_t u = rd64(p + 2);
    uint32_t ns = (uint32_t)(u >> 34);
    if (ns > 999999999u)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_TIMESTAMP;
    v->v.ts = (int64_t)(u & ((UINT64_C(1) << 34) - 1)) * US + ns / 1000;
    *pp = p + 10;
    return WEIR_OK;
  }
  case 0xc7: /* timestamp 96: uint32 ns, int64 seconds */
    if (avail < 15 || p[1] != 12 || p[2] != 0xff ||
        ts_from_parts((int64_t)rd64(p + 7), rd32(p + 3), &v->v.ts) != WEIR_OK)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_TIMESTAMP;
    *pp = p + 15;
    return WEIR_OK;
  case 0xdc:
    if (avail < 3)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_STRUCT;
    v->v.nfields = rd16(p + 1);
    *pp = p + 3;
    return WEIR_OK;
  case 0xdd:
    if (avail < 5)
      return WEIR_ERR_FORMAT;
    v->type = WEIR_T_STRUCT;
    v->v.nfields = rd32(p + 1);
    *pp = p + 5;
    return WEIR_OK;
  default: /* maps, other ext types, 0xc1 */ return WEIR_ERR_FORMAT;
  }
bytes:
  if (UNLIKELY(n > avail))
    return WEIR_ERR_FORMAT;
  v->v.s.ptr = (const char *)p;
  v->v.s.len = n;
  *pp = p + n;
  return WEIR_OK;
}

/* Walks n struct members, checking that each is a valid weir value. */
static int skip_members(const uint8_t **pp, const uint8_t *end, uint32_t n,
                        int depth) {
  weir_value t;
  if (depth > MAX_DEPTH)
    return WEIR_ERR_FORMAT;
  for (uint32_t i = 0; i < n; i++) {
    int rc = dec_head(pp, end, &t);
    if (rc != WEIR_OK)
      return rc;
    if (t.type == WEIR_T_STRUCT && t.v.nfields &&
        (rc = skip_members(pp, end, t.v.nfields, depth + 1)) != WEIR_OK)
      return rc;
  }
  return WEIR_OK;
}

static ALWAYS_INLINE int dec_value(const uint8_t **pp, const uint8_t *end,
                                   weir_value *v) {
  const uint8_t *p = *pp;
  int rc = dec_head(&p, end, v);
  if (UNLIKELY(rc != WEIR_OK))
    return rc;
  if (UNLIKELY(v->type == WEIR_T_STRUCT) && v->v.nfields &&
      (rc = skip_members(&p, end, v->v.nfields, 1)) != WEIR_OK)
    return rc;
  v->raw_len = (size_t)(p - *pp);
  *pp = p;
  return WEIR_OK;
}

int weir_value_decode(const uint8_t **p, const uint8_t *end, weir_value *out) {
  return dec_value(p, end, out);
}

int weir_value_members(const weir_value *v, weir_value *out, size_t n) {
  if (!v || v->type != WEIR_T_STRUCT || v->v.nfields != n || !v->raw)
    return WEIR_ERR_FORMAT;
  const uint8_t *p = v->raw, *end = v->raw + v->raw_len;
  weir_value head;
  if (dec_head(&p, end, &head) != WEIR_OK || head.type != WEIR_T_STRUCT ||
      head.v.nfields != n)
    return WEIR_ERR_FORMAT;
  for (size_t i = 0; i < n; i++)
    if (dec_value(&p, end, &out[i]) != WEIR_OK)
      return WEIR_ERR_FORMAT;
  return p == end ? WEIR_OK : WEIR_ERR_FORMAT;
}

/* ---- array values -------------------------------------------------------- */

int weir_array_begin(weir_array_iter *it, const weir_value *v) {
  weir_value head;
  memset(it, 0, sizeof *it);
  if (!v || (v->type != WEIR_T_STRUCT && v->type != WEIR_T_ARRAY) || !v->raw)
    return WEIR_ERR_FORMAT;
  const uint8_t *p = v->raw, *end = v->raw + v->raw_len;
  if (dec_head(&p, end, &head) != WEIR_OK || head.type != WEIR_T_STRUCT)
    return WEIR_ERR_FORMAT;
  it->p = p;
  it->end = end;
  it->left = head.v.nfields;
  return WEIR_OK;
}

int weir_array_next(weir_array_iter *it, weir_value *out) {
  if (!it->left)
    return 0;
  if (dec_value(&it->p, it->end, out) != WEIR_OK) {
    it->left = 0; /* keep failing cheaply rather than read on */
    return WEIR_ERR_FORMAT;
  }
  it->left--;
  return 1;
}

/* ---- reader ------------------------------------------------------------ */

int weir_reader_open(weir_reader *r, const void *data, size_t len) {
  weir_value v;
  memset(r, 0, sizeof *r);
  if (!data)
    return WEIR_ERR_FORMAT;
  const uint8_t *p = data, *end = p + len;
  r->begin = p;
  r->end = end;
  if (dec_head(&p, end, &v) != WEIR_OK || v.type != WEIR_T_STRUCT ||
      v.v.nfields != 3)
    return WEIR_ERR_FORMAT;
  if (dec_head(&p, end, &v) != WEIR_OK || v.type != WEIR_T_INT ||
      v.v.i != WEIR_BATCH_VERSION)
    return WEIR_ERR_FORMAT;
  const uint8_t *schema = p;
  if (p >= end || !((*p & 0xf0) == 0x90 || *p == 0xdc || *p == 0xdd))
    return WEIR_ERR_FORMAT;
  if (weir_mp_skip(&p, end) != WEIR_OK)
    return WEIR_ERR_FORMAT;
  /* Writers use array32 so the count can be patched; any array header is
   * accepted so that other encoders need not special-case it. */
  if (dec_head(&p, end, &v) != WEIR_OK || v.type != WEIR_T_STRUCT)
    return WEIR_ERR_FORMAT;
  /* Every row takes at least one byte: a larger count is a lie. */
  if (v.v.nfields > (size_t)(end - p))
    return WEIR_ERR_FORMAT;
  r->schema_raw = schema;
  r->schema_len = (size_t)(v.raw - schema);
  r->nrows = v.v.nfields;
  r->p = p;
  return WEIR_OK;
}

int weir_reader_next(weir_reader *r, weir_value *cols, size_t ncols) {
  const uint8_t *p = r->p, *end = r->end;
  if (UNLIKELY(r->row >= r->nrows))
    return p == end && p ? 0 : WEIR_ERR_FORMAT;
  size_t avail = (size_t)(end - p);
  uint32_t n;
  /* The cursor only moves past a row once all of it decoded, so a bad row
   * keeps failing the same way on every later call. */
  if (LIKELY(avail > 0 && (p[0] & 0xf0) == 0x90)) {
    n = p[0] & 0x0f;
    p += 1;
  } else if (avail >= 3 && p[0] == 0xdc) {
    n = rd16(p + 1);
    p += 3;
  } else if (avail >= 5 && p[0] == 0xdd) {
    n = rd32(p + 1);
    p += 5;
  } else {
    return WEIR_ERR_FORMAT;
  }
  if (UNLIKELY(n != ncols))
    return WEIR_ERR_FORMAT;
  for (size_t i = 0; i < ncols; i++)
    if (UNLIKELY(dec_value(&p, end, &cols[i]) != WEIR_OK))
      return WEIR_ERR_FORMAT;
  r->row_raw = r->p;
  r->row_len = (size_t)(p - r->p);
  r->p = p;
  r->row++;
  return 1;
}

/* ---- builder ----------------------------------------------------------- */

/* Writes the batch header; rows_at stays 0 unless all of it was written, so
 * reset knows whether it can keep it. */
static void builder_header(weir_builder *b) {
  static const uint8_t head[2] = {0x93, WEIR_BATCH_VERSION};
  static const uint8_t rows[5] = {0xdd, 0, 0, 0, 0};
  weir_buf_clear(&b->buf);
  b->rows_at = 0;
  b->nrows = 0;
  weir_buf_append(&b->buf, head, 2);
  weir_schema_encode(b->schema, &b->buf);
  size_t at = b->buf.len;
  weir_buf_append(&b->buf, rows, 5);
  if (!b->buf.err)
    b->rows_at = at;
}

int weir_builder_init(weir_builder *b, const weir_schema *schema) {
  memset(b, 0, sizeof *b);
  b->schema = schema;
  builder_header(b);
  return b->buf.err ? WEIR_ERR_NOMEM : WEIR_OK;
}

void weir_builder_reset(weir_builder *b) {
  if (b->rows_at) {
    b->buf.len = b->rows_at + 5;
    b->buf.err = 0;
    b->nrows = 0;
  } else {
    builder_header(b);
  }
}

void weir_builder_free(weir_builder *b) {
  weir_buf_free(&b->buf);
  b->rows_at = 0;
  b->nrows = 0;
}

int weir_builder_finish(weir_builder *b, const uint8_t **data, size_t *len) {
  if (b->buf.err || !b->rows_at) {
    *data = NULL;
    *len = 0;
    return b->buf.err ? b->buf.err : WEIR_ERR_NOMEM;
  }
  weir__be32(b->buf.data + b->rows_at + 1, b->nrows);
  *data = b->buf.data;
  *len = b->buf.len;
  return WEIR_OK;
}

size_t weir_put_array_begin(weir_builder *b) {
  static const uint8_t hdr[5] = {0xdd, 0, 0, 0, 0};
  size_t mark = b->buf.len;
  weir_buf_append(&b->buf, hdr, 5);
  return mark;
}

void weir_put_array_end(weir_builder *b, size_t mark, uint32_t n) {
  weir__mp_array_close(&b->buf, mark, n);
}

int weir__mp_array_close(weir_buf *o, size_t mark, uint32_t n) {
  uint8_t h[5];
  size_t hl;
  if (o->err)
    return o->err;
  if (mark + 5 > o->len || o->data[mark] != 0xdd)
    return o->err = WEIR_ERR_INVALID;
  /* The shortest header, as weir_mp_array writes it: the elements move
   * back by what the 5-byte placeholder had too much. */
  if (n < 16)
    h[0] = (uint8_t)(0x90 | n), hl = 1;
  else if (n < 65536)
    h[0] = 0xdc, weir__be16(h + 1, (uint16_t)n), hl = 3;
  else
    h[0] = 0xdd, weir__be32(h + 1, n), hl = 5;
  if (hl < 5)
    memmove(o->data + mark + hl, o->data + mark + 5, o->len - mark - 5);
  memcpy(o->data + mark, h, hl);
  o->len -= 5 - hl;
  return WEIR_OK;
}

void weir_put_value(weir_builder *b, const weir_value *v) {
  switch (v->type) {
  case WEIR_T_NULL: weir_mp_nil(&b->buf); return;
  case WEIR_T_BOOL: weir_mp_bool(&b->buf, v->v.b); return;
  case WEIR_T_INT: weir_mp_int(&b->buf, v->v.i); return;
  case WEIR_T_FLOAT: weir_mp_float(&b->buf, v->v.f); return;
  case WEIR_T_STRING: weir_mp_str(&b->buf, v->v.s.ptr, v->v.s.len); return;
  case WEIR_T_BINARY: weir_mp_bin(&b->buf, v->v.s.ptr, v->v.s.len); return;
  case WEIR_T_TIMESTAMP: weir_mp_timestamp(&b->buf, v->v.ts); return;
  case WEIR_T_STRUCT:
  case WEIR_T_ARRAY:
    if (v->raw && v->raw_len) {
      weir_buf_append(&b->buf, v->raw, v->raw_len);
      return;
    }
    break;
  }
  /* A struct or an array without its bytes (or a bad type) cannot be
   * written; fail the batch at finish rather than emit a row of the wrong
   * shape. */
  if (!b->buf.err)
    b->buf.err = WEIR_ERR_INVALID;
}

/* ---- generic msgpack: skip and map lookup ------------------------------ */

static int skip_any(const uint8_t **pp, const uint8_t *end, int depth) {
  const uint8_t *p = *pp;
  size_t avail = (size_t)(end - p);
  uint64_t items = 0; /* nested values that follow */
  size_t n = 0;       /* payload bytes that follow the header */
  size_t h;           /* header size */
  if (p >= end || depth > MAX_DEPTH)
    return WEIR_ERR_FORMAT;
  uint8_t b = p[0];
  if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
    h = 1;
  else if ((b & 0xf0) == 0x80)
    h = 1, items = 2u * (b & 0x0f);
  else if ((b & 0xf0) == 0x90)
    h = 1, items = b & 0x0f;
  else if ((b & 0xe0) == 0xa0)
    h = 1, n = b & 0x1f;
  else {
    switch (b) {
    case 0xcc:
    case 0xd0: h = 2; break;
    case 0xcd:
    case 0xd1: h = 3; break;
    case 0xce:
    case 0xd2:
    case 0xca: h = 5; break;
    case 0xcf:
    case 0xd3:
    case 0xcb: h = 9; break;
    case 0xd4: h = 3; break;
    case 0xd5: h = 4; break;
    case 0xd6: h = 6; break;
    case 0xd7: h = 10; break;
    case 0xd8: h = 18; break;
    case 0xc4:
    case 0xd9: h = 2; break;
    case 0xc5:
    case 0xda: h = 3; break;
    case 0xc6:
    case 0xdb: h = 5; break;
    case 0xc7: h = 3; break;
    case 0xc8: h = 4; break;
    case 0xc9: h = 6; break;
    case 0xdc:
    case 0xde: h = 3; break;
    case 0xdd:
    case 0xdf: h = 5; break;
    default: return WEIR_ERR_FORMAT; /* 0xc1 */
    }
    if (avail < h)
      return WEIR_ERR_FORMAT;
    switch (b) {
    case 0xc4:
    case 0xd9:
    case 0xc7: n = p[1]; break;
    case 0xc5:
    case 0xda:
    case 0xc8: n = rd16(p + 1); break;
    case 0xc6:
    case 0xdb:
    case 0xc9: n = rd32(p + 1); break;
    case 0xdc: items = rd16(p + 1); break;
    case 0xdd: items = rd32(p + 1); break;
    case 0xde: items = 2u * rd16(p + 1); break;
    case 0xdf: items = 2u * (uint64_t)rd32(p + 1); break;
    default: break;
    }
  }
  if (avail < h || avail - h < n)
    return WEIR_ERR_FORMAT;
  p += h + n;
  for (uint64_t i = 0; i < items; i++) {
    int rc = skip_any(&p, end, depth + 1);
    if (rc != WEIR_OK)
      return rc;
  }
  *pp = p;
  return WEIR_OK;
}

int weir_mp_skip(const uint8_t **p, const uint8_t *end) {
  return skip_any(p, end, 0);
}

/* Reads a map header; FORMAT when the value is not a map. */
static int map_header(const uint8_t **pp, const uint8_t *end, uint32_t *n) {
  const uint8_t *p = *pp;
  size_t avail = (size_t)(end - p);
  if (avail >= 1 && (p[0] & 0xf0) == 0x80) {
    *n = p[0] & 0x0f;
    *pp = p + 1;
  } else if (avail >= 3 && p[0] == 0xde) {
    *n = rd16(p + 1);
    *pp = p + 3;
  } else if (avail >= 5 && p[0] == 0xdf) {
    *n = rd32(p + 1);
    *pp = p + 5;
  } else {
    return WEIR_ERR_FORMAT;
  }
  return WEIR_OK;
}

int weir_map_find(const uint8_t *data, size_t len, const char *key,
                  weir_value *out) {
  if (!data || len == 0)
    return 0;
  const uint8_t *p = data, *end = data + len;
  size_t klen = strlen(key);
  uint32_t n;
  int found = 0;
  if (map_header(&p, end, &n) != WEIR_OK)
    return WEIR_ERR_FORMAT;
  /* The whole map is walked even after a hit, so that malformed bytes are
   * reported the same whatever key is asked for. */
  for (uint32_t i = 0; i < n; i++) {
    weir_value k;
    const uint8_t *kp = p;
    if (weir_mp_skip(&p, end) != WEIR_OK)
      return WEIR_ERR_FORMAT;
    int match = !found && dec_head(&kp, p, &k) == WEIR_OK &&
                k.type == WEIR_T_STRING && k.v.s.len == klen &&
                memcmp(k.v.s.ptr, key, klen) == 0;
    const uint8_t *vp = p;
    if (weir_mp_skip(&p, end) != WEIR_OK)
      return WEIR_ERR_FORMAT;
    if (!match)
      continue;
    /* Offsets nest maps and arrays freely: such a value comes back as a
     * STRUCT whose raw bytes can be searched again. */
    uint8_t b = vp[0];
    if ((b & 0xe0) == 0x80 || b == 0xdc || b == 0xdd || b == 0xde ||
        b == 0xdf) {
      uint32_t cnt = 0;
      const uint8_t *q = vp;
      if (map_header(&q, p, &cnt) != WEIR_OK) {
        weir_value h = {0};
        if (dec_head(&q, p, &h) != WEIR_OK)
          return WEIR_ERR_FORMAT;
        cnt = h.v.nfields;
      }
      out->type = WEIR_T_STRUCT;
      out->v.nfields = cnt;
    } else {
      const uint8_t *q = vp;
      if (dec_value(&q, p, out) != WEIR_OK || q != p)
        return WEIR_ERR_FORMAT;
    }
    out->raw = vp;
    out->raw_len = (size_t)(p - vp);
    found = 1;
  }
  return p == end ? found : WEIR_ERR_FORMAT;
}

int weir_map_int(const uint8_t *data, size_t len, const char *key,
                 int64_t *out) {
  weir_value v;
  int rc = weir_map_find(data, len, key, &v);
  if (rc != 1)
    return rc;
  if (v.type != WEIR_T_INT)
    return WEIR_ERR_FORMAT;
  *out = v.v.i;
  return 1;
}
