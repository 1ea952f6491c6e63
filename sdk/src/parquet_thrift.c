/* parquet_thrift.c — the Thrift compact protocol, as much of it as Parquet's
 * footer and page headers use: an encoder that appends to a weir_buf and a
 * bounds-checked decoder that can skip any field it does not know (so files
 * from newer writers, with fields weir has never heard of, still read).
 *
 * Compact protocol in brief: a struct is a sequence of fields, each with a
 * header byte (field-id delta << 4 | type, or type then a zigzag varint id
 * when the delta is not 1..15) and ends with a 0 byte; integers are zigzag
 * varints; binaries are a varint length and bytes; lists a header byte
 * (size << 4 | element type, or 0xF0 | type and a varint size); booleans in
 * a field header carry their value in the type (1 true, 2 false). */
#include <string.h>

#include "parquet_int.h"

/* ---- encoder ------------------------------------------------------------ */

void tc_varint(weir_buf *b, uint64_t v) {
  uint8_t tmp[10];
  size_t n = 0;
  while (v >= 0x80) {
    tmp[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  tmp[n++] = (uint8_t)v;
  weir_buf_append(b, tmp, n);
}

static uint64_t zigzag(int64_t v) {
  /* all ones for a negative v, without shifting a signed value */
  return ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
}

void tc_init(tc_writer *w, weir_buf *b) {
  w->b = b;
  w->depth = 0;
  w->last[0] = 0;
}

void tc_field(tc_writer *w, int16_t id, int type) {
  int16_t delta = (int16_t)(id - w->last[w->depth]);
  if (delta > 0 && delta <= 15) {
    uint8_t h = (uint8_t)(delta << 4 | type);
    weir_buf_append(w->b, &h, 1);
  } else {
    uint8_t h = (uint8_t)type;
    weir_buf_append(w->b, &h, 1);
    tc_varint(w->b, zigzag(id));
  }
  w->last[w->depth] = id;
}

void tc_i32(tc_writer *w, int16_t id, int32_t v) {
  tc_field(w, id, TC_I32);
  tc_varint(w->b, zigzag(v));
}

void tc_i64(tc_writer *w, int16_t id, int64_t v) {
  tc_field(w, id, TC_I64);
  tc_varint(w->b, zigzag(v));
}

void tc_bool(tc_writer *w, int16_t id, int v) {
  tc_field(w, id, v ? TC_TRUE : TC_FALSE);
}

void tc_binary(tc_writer *w, int16_t id, const void *p, size_t n) {
  tc_field(w, id, TC_BINARY);
  tc_varint(w->b, n);
  weir_buf_append(w->b, p, n);
}

void tc_struct_begin(tc_writer *w, int16_t id) {
  tc_field(w, id, TC_STRUCT);
  tc_list_struct_begin(w);
}

/* Our structures nest at most a handful of levels; the bound only keeps a
 * bug from writing outside `last`. */
void tc_list_struct_begin(tc_writer *w) {
  if (w->depth + 1 < TC_MAX_DEPTH)
    w->depth++;
  w->last[w->depth] = 0;
}

void tc_struct_end(tc_writer *w) {
  uint8_t stop = TC_STOP;
  weir_buf_append(w->b, &stop, 1);
  if (w->depth > 0)
    w->depth--;
}

void tc_list_begin(tc_writer *w, int16_t id, int elem_type, uint32_t n) {
  tc_field(w, id, TC_LIST);
  if (n < 15) {
    uint8_t h = (uint8_t)(n << 4 | (uint32_t)elem_type);
    weir_buf_append(w->b, &h, 1);
  } else {
    uint8_t h = (uint8_t)(0xf0 | elem_type);
    weir_buf_append(w->b, &h, 1);
    tc_varint(w->b, n);
  }
}

void tc_elem_i32(tc_writer *w, int32_t v) { tc_varint(w->b, zigzag(v)); }

void tc_elem_binary(tc_writer *w, const void *p, size_t n) {
  tc_varint(w->b, n);
  weir_buf_append(w->b, p, n);
}

/* ---- decoder ------------------------------------------------------------ */

uint64_t tc_read_varint(tc_reader *r) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->bad || r->p >= r->end) {
      r->bad = 1;
      return 0;
    }
    uint8_t c = *r->p++;
    v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80))
      return v;
  }
  r->bad = 1; /* more than 10 bytes: not a varint */
  return 0;
}

int64_t tc_read_int(tc_reader *r) {
  uint64_t u = tc_read_varint(r);
  return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

int tc_read_byte(tc_reader *r) {
  if (r->bad || r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  return (int8_t)*r->p++;
}

const uint8_t *tc_read_binary(tc_reader *r, uint32_t *n) {
  uint64_t len = tc_read_varint(r);
  *n = 0;
  if (r->bad || len > (uint64_t)(r->end - r->p)) {
    r->bad = 1;
    return NULL;
  }
  const uint8_t *s = r->p;
  r->p += len;
  *n = (uint32_t)len;
  return s;
}

int tc_next_field(tc_reader *r, int16_t *last, int16_t *id, int *type) {
  if (r->bad || r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  uint8_t h = *r->p++;
  if (h == TC_STOP)
    return 0;
  *type = h & 0x0f;
  int delta = h >> 4;
  if (delta)
    *id = (int16_t)(*last + delta);
  else
    *id = (int16_t)tc_read_int(r);
  *last = *id;
  if (*type == TC_STOP || *type > TC_STRUCT)
    r->bad = 1;
  return !r->bad;
}

uint32_t tc_read_list(tc_reader *r, int *elem_type) {
  if (r->bad || r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  uint8_t h = *r->p++;
  uint64_t n = h >> 4;
  *elem_type = h & 0x0f;
  if (n == 15)
    n = tc_read_varint(r);
  /* Every element takes at least one byte (bools included): a count larger
   * than what is left is corrupt. */
  if (r->bad || n > (uint64_t)(r->end - r->p) ||
      (n && (*elem_type == TC_STOP || *elem_type > TC_STRUCT))) {
    r->bad = 1;
    return 0;
  }
  return (uint32_t)n;
}

void tc_skip(tc_reader *r, int type) {
  if (r->bad)
    return;
  switch (type) {
  case TC_TRUE:
  case TC_FALSE: return; /* the value was in the field header */
  case TC_BYTE: tc_read_byte(r); return;
  case TC_I16:
  case TC_I32:
  case TC_I64: tc_read_varint(r); return;
  case TC_DOUBLE:
    if (r->end - r->p < 8)
      r->bad = 1;
    else
      r->p += 8;
    return;
  case TC_BINARY: {
    uint32_t n;
    tc_read_binary(r, &n);
    return;
  }
  case TC_LIST:
  case TC_SET: {
    int et;
    uint32_t n = tc_read_list(r, &et);
    if (++r->depth > TC_MAX_DEPTH) {
      r->bad = 1;
      return;
    }
    for (uint32_t i = 0; i < n && !r->bad; i++) {
      if (et == TC_TRUE || et == TC_FALSE)
        tc_read_byte(r); /* list bools take one byte each */
      else
        tc_skip(r, et);
    }
    r->depth--;
    return;
  }
  case TC_MAP: {
    uint64_t n = tc_read_varint(r);
    if (n == 0 || r->bad)
      return;
    int kv = tc_read_byte(r) & 0xff;
    if (n > (uint64_t)(r->end - r->p) || ++r->depth > TC_MAX_DEPTH) {
      r->bad = 1;
      return;
    }
    for (uint64_t i = 0; i < n && !r->bad; i++) {
      tc_skip(r, kv >> 4);
      tc_skip(r, kv & 0x0f);
    }
    r->depth--;
    return;
  }
  case TC_STRUCT: {
    int16_t last = 0, id;
    int t;
    if (++r->depth > TC_MAX_DEPTH) {
      r->bad = 1;
      return;
    }
    while (tc_next_field(r, &last, &id, &t))
      tc_skip(r, t);
    r->depth--;
    return;
  }
  default: r->bad = 1;
  }
}
