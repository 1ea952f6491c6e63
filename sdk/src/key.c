/* key.c — canonical key encoding and the value order (see weir/key.h),
 * shared by every keyed operator: `aggregate` (group keys, sorting emitted
 * groups), `dedup`, and the group-state helper. Structs and arrays are both
 * MessagePack arrays and are walked the same way, item by item (the count
 * read from the bytes): equal arrays give equal keys, and arrays order
 * element by element, then shorter first, as Spark orders them. */
#include "weir/key.h"

#include <math.h>
#include <string.h>

#define MAX_DEPTH 64

static int put(weir_buf *key, const weir_value *v, int depth);

static int put_struct(weir_buf *key, const weir_value *v, int depth) {
  weir_array_iter it;
  weir_value m;
  int rc;
  if (depth > MAX_DEPTH || weir_array_begin(&it, v) != WEIR_OK)
    return WEIR_ERR_FORMAT;
  weir_mp_array(key, it.left);
  while ((rc = weir_array_next(&it, &m)) == 1)
    if ((rc = put(key, &m, depth + 1)) != WEIR_OK)
      return rc;
  return rc == 0 ? WEIR_OK : WEIR_ERR_FORMAT;
}

static int put(weir_buf *key, const weir_value *v, int depth) {
  switch (v->type) {
  case WEIR_T_NULL: weir_mp_nil(key); return WEIR_OK;
  case WEIR_T_BOOL: weir_mp_bool(key, v->v.b); return WEIR_OK;
  case WEIR_T_INT: weir_mp_int(key, v->v.i); return WEIR_OK;
  case WEIR_T_FLOAT: {
    double f = v->v.f;
    if (f == 0.0)
      f = 0.0; /* -0.0 groups with 0.0 */
    else if (isnan(f))
      f = NAN; /* one NaN bit pattern */
    weir_mp_float(key, f);
    return WEIR_OK;
  }
  case WEIR_T_STRING: weir_mp_str(key, v->v.s.ptr, v->v.s.len); return WEIR_OK;
  case WEIR_T_BINARY: weir_mp_bin(key, v->v.s.ptr, v->v.s.len); return WEIR_OK;
  case WEIR_T_TIMESTAMP: weir_mp_timestamp(key, v->v.ts); return WEIR_OK;
  case WEIR_T_STRUCT:
  case WEIR_T_ARRAY: return put_struct(key, v, depth);
  }
  return WEIR_ERR_FORMAT;
}

int weir_key_put(weir_buf *key, const weir_value *v) { return put(key, v, 0); }

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl) {
  size_t n = al < bl ? al : bl;
  int c = n ? memcmp(a, b, n) : 0; /* memcmp compares unsigned bytes */
  if (c)
    return c < 0 ? -1 : 1;
  return al < bl ? -1 : al > bl;
}

static int cmp_values(const weir_value *a, const weir_value *b, int depth);

static int cmp_structs(const weir_value *a, const weir_value *b, int depth) {
  weir_array_iter ia, ib;
  if (depth > MAX_DEPTH || weir_array_begin(&ia, a) != WEIR_OK ||
      weir_array_begin(&ib, b) != WEIR_OK)
    return 0;
  uint32_t na = ia.left, nb = ib.left;
  for (;;) {
    weir_value ma, mb;
    int ra = weir_array_next(&ia, &ma), rb = weir_array_next(&ib, &mb);
    if (ra != 1 || rb != 1)
      break;
    int c = cmp_values(&ma, &mb, depth + 1);
    if (c)
      return c;
  }
  return na < nb ? -1 : na > nb;
}

/* Structs and arrays compare alike (both are MessagePack arrays). */
static weir_type order_type(weir_type t) {
  return t == WEIR_T_ARRAY ? WEIR_T_STRUCT : t;
}

static int cmp_values(const weir_value *a, const weir_value *b, int depth) {
  weir_type ta = order_type(a->type), tb = order_type(b->type);
  if (ta != tb) /* nulls first; mixed types by type code */
    return ta < tb ? -1 : 1;
  switch (ta) {
  case WEIR_T_NULL: return 0;
  case WEIR_T_BOOL: return (int)a->v.b - (int)b->v.b;
  case WEIR_T_INT: return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
  case WEIR_T_TIMESTAMP: return a->v.ts < b->v.ts ? -1 : a->v.ts > b->v.ts;
  case WEIR_T_FLOAT: {
    /* Spark's order for doubles: NaN is larger than any other value. */
    int na = isnan(a->v.f), nb = isnan(b->v.f);
    if (na || nb)
      return na - nb;
    return a->v.f < b->v.f ? -1 : a->v.f > b->v.f;
  }
  case WEIR_T_STRING:
  case WEIR_T_BINARY:
    return cmp_bytes(a->v.s.ptr, a->v.s.len, b->v.s.ptr, b->v.s.len);
  case WEIR_T_STRUCT:
  case WEIR_T_ARRAY: return cmp_structs(a, b, depth);
  }
  return 0;
}

int weir_key_compare_values(const weir_value *a, const weir_value *b) {
  return cmp_values(a, b, 0);
}

int weir_key_compare(const uint8_t *a, size_t alen, const uint8_t *b,
                     size_t blen) {
  const uint8_t *pa = a, *pb = b, *ea = a + alen, *eb = b + blen;
  while (pa < ea && pb < eb) {
    weir_value va, vb;
    if (weir_value_decode(&pa, ea, &va) != WEIR_OK ||
        weir_value_decode(&pb, eb, &vb) != WEIR_OK)
      return cmp_bytes((const char *)a, alen, (const char *)b, blen);
    int c = cmp_values(&va, &vb, 0);
    if (c)
      return c;
  }
  return (pa < ea) - (pb < eb);
}

int64_t weir_key_event_time(const weir_value *v) {
  if (v->type == WEIR_T_TIMESTAMP)
    return v->v.ts;
  if (v->type == WEIR_T_STRUCT && v->v.nfields == 2) {
    weir_value m[2];
    if (weir_value_members(v, m, 2) == WEIR_OK && m[1].type == WEIR_T_TIMESTAMP)
      return m[1].v.ts;
  }
  return WEIR_KEY_NO_TIME;
}
