/* aggs.c — aggregate functions: resolution against the input schema,
 * accumulator slots, per-row update and output (see aggs.h). */
#include "aggs.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hll.h"
#include "weir/key.h"

/* ---- unaligned access to state values ----------------------------------- */

static inline int64_t ld_i64(const uint8_t *p) {
  int64_t v;
  memcpy(&v, p, 8);
  return v;
}
static inline void st_i64(uint8_t *p, int64_t v) { memcpy(p, &v, 8); }
static inline double ld_f64(const uint8_t *p) {
  double v;
  memcpy(&v, p, 8);
  return v;
}
static inline void st_f64(uint8_t *p, double v) { memcpy(p, &v, 8); }
static inline uint32_t ld_u32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}
static inline void st_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Slot layouts (offsets within a slot):
 *   count, count(col):  0 i64 count
 *   sum:                0 i64|f64 sum,   8 i64 has-a-value
 *   avg:                0 f64 sum,       8 i64 count
 *   min/max fixed:      0 i64|f64 value, 8 i64 has-a-value
 *   first/last fixed:   0 i64|f64 value, 8 i64 state (0 unset, 1 value, 2 null)
 *   VC_VAR (min/max/first/last): 0 u32 tail offset, 4 u32 length, 8 i64
 *                       has-a-value / state as above
 *   approx_count_distinct: 2^p one-byte registers */
enum { FIRST_UNSET = 0, FIRST_VALUE = 1, FIRST_NULL = 2 };

/* ---- resolution ---------------------------------------------------------- */

static const char *const fn_names[] = {
    "count", "sum",  "avg",
    "mean",  "min",  "max",
    "first", "last", "approx_count_distinct"};

static int set_name(agg_def *d, const call_item *it, const char *fn,
                    const char *col) {
  char buf[512];
  if (it->alias)
    snprintf(buf, sizeof buf, "%s", it->alias);
  else if (!it->is_call)
    snprintf(buf, sizeof buf, "%s", fn); /* groupBy().count() → "count" */
  else
    snprintf(buf, sizeof buf, "%s(%s)", fn, col);
  d->name = strdup(buf);
  return d->name ? WEIR_OK : WEIR_ERR_NOMEM;
}

static int find_column(const weir_schema *in, const char *name,
                       const char *item, char *err, size_t errlen) {
  int i = weir_schema_find(in, name);
  if (i >= 0)
    return i;
  const char *near = weir_schema_suggest(in, name);
  weir_buf cols = WEIR_BUF_INIT;
  for (size_t k = 0; k < in->n; k++)
    weir_buf_printf(&cols, "%s%s", k ? ", " : "", in->fields[k].name);
  if (near)
    snprintf(err, errlen, "%s: unknown column '%s' (did you mean '%s'?)", item,
             name, near);
  else
    snprintf(err, errlen, "%s: unknown column '%s' (the input has: %s)", item,
             name, cols.data ? (char *)cols.data : "");
  weir_buf_free(&cols);
  return -1;
}

static int vclass_of(weir_type t) {
  switch (t) {
  case WEIR_T_FLOAT: return VC_FLOAT;
  case WEIR_T_STRING:
  case WEIR_T_BINARY:
  case WEIR_T_STRUCT:
  case WEIR_T_ARRAY: return VC_VAR;
  default: return VC_INT; /* null, bool, bigint, timestamp */
  }
}

static int resolve_one(agg_def *d, const call_item *it, const weir_schema *in,
                       char *err, size_t errlen) {
  char fn[64];
  size_t k = 0;
  for (; it->name[k] && k + 1 < sizeof fn; k++)
    fn[k] = (char)tolower((unsigned char)it->name[k]);
  fn[k] = '\0';
  d->col = -1;
  d->var_idx = -1;
  if (!it->is_call) {
    if (strcmp(fn, "count") == 0) {
      d->fn = AF_COUNT_ALL;
      d->out_type = WEIR_T_INT;
      return set_name(d, it, "count", NULL);
    }
    snprintf(err, errlen,
             "'%s' is not an aggregate function: write a call such as "
             "count, sum(%s) or max(%s) (to group by a column, put it in "
             "group_by)",
             it->text, it->name, it->name);
    return WEIR_ERR_INVALID;
  }
  size_t nfn = sizeof fn_names / sizeof *fn_names, f = 0;
  for (; f < nfn && strcmp(fn, fn_names[f]) != 0; f++)
    ;
  if (f == nfn) {
    const char *near = weir_suggest(fn, fn_names, nfn);
    snprintf(err, errlen,
             "%s: unknown aggregate function '%s'%s%s%s (known: count, sum, "
             "avg, mean, min, max, first, last, approx_count_distinct)",
             it->text, it->name, near ? " (did you mean '" : "",
             near ? near : "", near ? "'?)" : "");
    return WEIR_ERR_INVALID;
  }
  int is_approx = strcmp(fn, "approx_count_distinct") == 0;
  if (it->nargs < 1 || it->nargs > (size_t)(is_approx ? 2 : 1)) {
    snprintf(err, errlen, "%s: %s takes %s, got %zu", it->text, fn,
             is_approx ? "a column and an optional relative standard "
                         "deviation"
                       : "one column",
             it->nargs);
    return WEIR_ERR_INVALID;
  }
  const char *arg = it->args[0];
  if (strcmp(fn, "count") == 0 &&
      (strcmp(arg, "*") == 0 || strcmp(arg, "1") == 0)) {
    d->fn = AF_COUNT_ALL;
    d->out_type = WEIR_T_INT;
    return set_name(d, it, "count", "1"); /* Spark names count(*) count(1) */
  }
  int col = find_column(in, arg, it->text, err, errlen);
  if (col < 0)
    return WEIR_ERR_SCHEMA;
  const weir_field *fld = &in->fields[col];
  d->col = col;
  d->in_field = fld;
  d->vclass = vclass_of(fld->type);
  d->out_type = fld->type;
  d->out_nullable = 1;
  const char *tn = weir_type_name(fld->type);
  if (strcmp(fn, "count") == 0) {
    d->fn = AF_COUNT;
    d->out_type = WEIR_T_INT;
    d->out_nullable = 0;
  } else if (strcmp(fn, "sum") == 0 || strcmp(fn, "avg") == 0 ||
             strcmp(fn, "mean") == 0) {
    d->fn = fn[0] == 's' ? AF_SUM : AF_AVG;
    if (fld->type != WEIR_T_INT && fld->type != WEIR_T_FLOAT) {
      snprintf(err, errlen,
               "%s: column '%s' is %s; %s needs a numeric column (bigint or "
               "double; CAST it in a select before)",
               it->text, fld->name, tn, fn);
      return WEIR_ERR_SCHEMA;
    }
    if (d->fn == AF_AVG) {
      d->out_type = WEIR_T_FLOAT;
      d->vclass = VC_FLOAT;
    }
  } else if (strcmp(fn, "min") == 0 || strcmp(fn, "max") == 0) {
    d->fn = fn[1] == 'i' ? AF_MIN : AF_MAX;
    if (fld->type == WEIR_T_STRUCT || fld->type == WEIR_T_ARRAY) {
      snprintf(err, errlen,
               "%s: column '%s' is %s; %s needs a column of a simple "
               "type (%s first)",
               it->text, fld->name,
               fld->type == WEIR_T_STRUCT ? "a struct" : "an array", fn,
               fld->type == WEIR_T_STRUCT ? "select a field of it"
                                          : "explode it in a select");
      return WEIR_ERR_SCHEMA;
    }
  } else if (strcmp(fn, "first") == 0 || strcmp(fn, "last") == 0) {
    d->fn = fn[0] == 'f' ? AF_FIRST : AF_LAST;
  } else {
    d->fn = AF_APPROX;
    d->out_type = WEIR_T_INT;
    d->out_nullable = 0;
    double rsd = HLL_DEFAULT_RSD;
    if (it->nargs == 2) {
      char *end = NULL;
      rsd = strtod(it->args[1], &end);
      if (!end || *end || end == it->args[1])
        rsd = -1;
    }
    d->hll_p = hll_precision(rsd);
    if (!d->hll_p) {
      snprintf(err, errlen,
               "%s: the relative standard deviation must be a number that "
               "gives a precision of %d to %d bits (0.0003 to 0.39)",
               it->text, HLL_MIN_P, HLL_MAX_P);
      return WEIR_ERR_INVALID;
    }
  }
  return set_name(d, it, fn, fld->name);
}

static uint32_t slot_size(const agg_def *d) {
  switch (d->fn) {
  case AF_COUNT_ALL:
  case AF_COUNT: return 8;
  case AF_APPROX: return (uint32_t)1 << d->hll_p;
  default: return 16;
  }
}

int aggs_resolve(agg_set *a, const call_list *items, const weir_schema *in,
                 char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  if (!items->n) {
    snprintf(err, errlen,
             "aggregate: no aggregate function (e.g. aggregate = count)");
    return WEIR_ERR_INVALID;
  }
  a->defs = calloc(items->n, sizeof *a->defs);
  a->var_defs = calloc(items->n, sizeof *a->var_defs);
  if (!a->defs || !a->var_defs)
    return WEIR_ERR_NOMEM;
  a->n = items->n;
  uint32_t off = AGG_HEADER;
  for (size_t i = 0; i < items->n; i++) {
    agg_def *d = &a->defs[i];
    char sub[900] = "";
    int rc = resolve_one(d, &items->items[i], in, sub, sizeof sub);
    if (rc != WEIR_OK) {
      snprintf(err, errlen, "aggregate: %s", sub);
      return rc;
    }
    d->off = off;
    off += slot_size(d);
    if (d->vclass == VC_VAR && d->fn != AF_COUNT && d->fn != AF_APPROX) {
      d->var_idx = (int)a->nvar;
      a->var_defs[a->nvar++] = (int)i;
    }
  }
  a->fixed = off;
  return WEIR_OK;
}

void aggs_free(agg_set *a) {
  for (size_t i = 0; a->defs && i < a->n; i++)
    free(a->defs[i].name);
  free(a->defs);
  free(a->var_defs);
  weir_buf_free(&a->scratch);
  memset(a, 0, sizeof *a);
}

int aggs_output_fields(const agg_set *a, weir_schema *out, char *err,
                       size_t errlen) {
  for (size_t i = 0; i < a->n; i++) {
    const agg_def *d = &a->defs[i];
    weir_schema *members = NULL;
    if ((d->out_type == WEIR_T_STRUCT || d->out_type == WEIR_T_ARRAY) &&
        !(members = weir_schema_copy(d->in_field->fields)))
      return WEIR_ERR_NOMEM;
    int rc = weir_schema_add(out, d->name, d->out_type, d->out_nullable != 0,
                             members);
    if (rc == WEIR_ERR_INVALID) {
      snprintf(err, errlen,
               "aggregate: two output columns are called '%s' (rename one "
               "with AS)",
               d->name);
      return rc;
    }
    if (rc != WEIR_OK)
      return rc;
  }
  return WEIR_OK;
}

/* ---- update -------------------------------------------------------------- */

/* A value's int64 form for VC_INT slots. */
static inline int64_t as_i64(const weir_value *v) {
  return v->type == WEIR_T_TIMESTAMP ? v->v.ts
         : v->type == WEIR_T_BOOL    ? (int64_t)v->v.b
                                     : v->v.i;
}

/* Spark's double order: NaN above everything. */
static inline int cmp_f64(double x, double y) {
  int nx = isnan(x), ny = isnan(y);
  if (nx || ny)
    return nx - ny;
  return x < y ? -1 : x > y;
}

/* Replaces the tail bytes of one VC_VAR slot, re-upserting the value when
 * its size changes (the whole value is rebuilt in scratch first: the store
 * only promises the bytes of an unchanged size). */
static int set_var(agg_set *a, weir_state *st, const void *key, size_t klen,
                   uint8_t **acc, size_t *acclen, const agg_def *def,
                   const uint8_t *raw, uint32_t rawlen) {
  uint8_t *slot = *acc + def->off;
  if (ld_u32(slot + 4) == rawlen) {
    if (rawlen)
      memcpy(*acc + a->fixed + ld_u32(slot), raw, rawlen);
    return WEIR_OK;
  }
  weir_buf *s = &a->scratch;
  weir_buf_clear(s);
  weir_buf_append(s, *acc, a->fixed);
  uint32_t at = 0;
  for (size_t j = 0; j < a->nvar; j++) {
    const agg_def *d = &a->defs[a->var_defs[j]];
    uint8_t *sl = s->data ? s->data + d->off : NULL;
    const uint8_t *src =
        d == def ? raw : *acc + a->fixed + ld_u32(*acc + d->off);
    uint32_t len = d == def ? rawlen : ld_u32(*acc + d->off + 4);
    if (sl) {
      st_u32(sl, at);
      st_u32(sl + 4, len);
    }
    weir_buf_append(s, src, len);
    at += len;
  }
  if (s->err)
    return WEIR_ERR_NOMEM;
  void *p;
  int rc = weir_state_upsert(st, key, klen, s->len, &p, NULL);
  if (rc != WEIR_OK)
    return rc;
  memcpy(p, s->data, s->len);
  *acc = p;
  *acclen = s->len;
  return WEIR_OK;
}

static inline const uint8_t *var_bytes(const agg_set *a, const uint8_t *acc,
                                       const agg_def *d, uint32_t *len) {
  *len = ld_u32(acc + d->off + 4);
  return acc + a->fixed + ld_u32(acc + d->off);
}

/* Keeps the smaller (min) or larger (max) of the stored and the new value. */
static int minmax(agg_set *a, weir_state *st, const void *key, size_t klen,
                  uint8_t **acc, size_t *acclen, const agg_def *d,
                  const weir_value *v) {
  uint8_t *s = *acc + d->off;
  int has = ld_i64(s + 8) != 0, sign = d->fn == AF_MIN ? -1 : 1;
  switch (d->vclass) {
  case VC_INT: {
    int64_t x = as_i64(v), cur = ld_i64(s);
    if (!has || (sign < 0 ? x < cur : x > cur)) {
      st_i64(s, x);
      st_i64(s + 8, 1);
    }
    return WEIR_OK;
  }
  case VC_FLOAT: {
    double x = v->v.f;
    if (!has || cmp_f64(x, ld_f64(s)) * sign > 0) {
      st_f64(s, x);
      st_i64(s + 8, 1);
    }
    return WEIR_OK;
  }
  default: {
    if (has) {
      uint32_t len;
      const uint8_t *cur = var_bytes(a, *acc, d, &len), *p = cur;
      weir_value old;
      if (weir_value_decode(&p, cur + len, &old) == WEIR_OK &&
          weir_key_compare_values(v, &old) * sign <= 0)
        return WEIR_OK;
    }
    int rc =
        set_var(a, st, key, klen, acc, acclen, d, v->raw, (uint32_t)v->raw_len);
    if (rc == WEIR_OK)
      st_i64(*acc + d->off + 8, 1);
    return rc;
  }
  }
}

/* first (only while unset) and last (always): nulls are values here. */
static int keep(agg_set *a, weir_state *st, const void *key, size_t klen,
                uint8_t **acc, size_t *acclen, const agg_def *d,
                const weir_value *v) {
  int64_t state = v->type == WEIR_T_NULL ? FIRST_NULL : FIRST_VALUE;
  if (d->vclass == VC_VAR) {
    int rc = set_var(a, st, key, klen, acc, acclen, d, v->raw,
                     state == FIRST_NULL ? 0 : (uint32_t)v->raw_len);
    if (rc != WEIR_OK)
      return rc;
  } else if (state == FIRST_VALUE) {
    if (d->vclass == VC_FLOAT)
      st_f64(*acc + d->off, v->v.f);
    else
      st_i64(*acc + d->off, as_i64(v));
  }
  st_i64(*acc + d->off + 8, state);
  return WEIR_OK;
}

int aggs_update(agg_set *a, weir_state *st, const void *key, size_t klen,
                uint8_t **acc, size_t *acclen, const weir_value *row) {
  for (size_t i = 0; i < a->n; i++) {
    const agg_def *d = &a->defs[i];
    uint8_t *s = *acc + d->off;
    if (d->fn == AF_COUNT_ALL) {
      st_i64(s, ld_i64(s) + 1);
      continue;
    }
    const weir_value *v = &row[d->col];
    if (v->type == WEIR_T_NULL) {
      if ((d->fn == AF_FIRST && ld_i64(s + 8) == FIRST_UNSET) ||
          d->fn == AF_LAST) {
        int rc = keep(a, st, key, klen, acc, acclen, d, v);
        if (rc != WEIR_OK)
          return rc;
      }
      continue;
    }
    /* An array reads as a MessagePack array, as a struct does. */
    if (v->type !=
        (d->in_field->type == WEIR_T_ARRAY ? WEIR_T_STRUCT : d->in_field->type))
      return WEIR_ERR_FORMAT; /* the batch does not match its schema */
    int rc = WEIR_OK;
    switch (d->fn) {
    case AF_COUNT: st_i64(s, ld_i64(s) + 1); break;
    case AF_SUM:
      if (d->vclass == VC_INT) /* wraps around, as Spark's non-ANSI sum */
        st_i64(s, (int64_t)((uint64_t)ld_i64(s) + (uint64_t)v->v.i));
      else
        st_f64(s, ld_f64(s) + v->v.f);
      st_i64(s + 8, 1);
      break;
    case AF_AVG: /* Spark sums avg's input as double */
      st_f64(s, ld_f64(s) + (v->type == WEIR_T_INT ? (double)v->v.i : v->v.f));
      st_i64(s + 8, ld_i64(s + 8) + 1);
      break;
    case AF_MIN:
    case AF_MAX: rc = minmax(a, st, key, klen, acc, acclen, d, v); break;
    case AF_FIRST:
      if (ld_i64(s + 8) == FIRST_UNSET)
        rc = keep(a, st, key, klen, acc, acclen, d, v);
      break;
    case AF_LAST: rc = keep(a, st, key, klen, acc, acclen, d, v); break;
    case AF_APPROX: hll_add(s, d->hll_p, hll_hash_value(v)); break;
    default: break;
    }
    if (rc != WEIR_OK)
      return rc;
  }
  return WEIR_OK;
}

/* ---- output -------------------------------------------------------------- */

static void put_fixed(weir_builder *b, const agg_def *d, const uint8_t *s) {
  if (d->vclass == VC_FLOAT) {
    weir_put_float(b, ld_f64(s));
    return;
  }
  int64_t x = ld_i64(s);
  switch (d->out_type) {
  case WEIR_T_BOOL: weir_put_bool(b, x != 0); break;
  case WEIR_T_TIMESTAMP: weir_put_timestamp(b, x); break;
  case WEIR_T_NULL: weir_put_null(b); break;
  default: weir_put_int(b, x);
  }
}

void aggs_emit(const agg_set *a, const uint8_t *acc, size_t acclen,
               weir_builder *b) {
  (void)acclen;
  for (size_t i = 0; i < a->n; i++) {
    const agg_def *d = &a->defs[i];
    const uint8_t *s = acc + d->off;
    switch (d->fn) {
    case AF_COUNT_ALL:
    case AF_COUNT: weir_put_int(b, ld_i64(s)); break;
    case AF_SUM:
      if (!ld_i64(s + 8))
        weir_put_null(b);
      else if (d->vclass == VC_INT)
        weir_put_int(b, ld_i64(s));
      else
        weir_put_float(b, ld_f64(s));
      break;
    case AF_AVG: {
      int64_t n = ld_i64(s + 8);
      if (n)
        weir_put_float(b, ld_f64(s) / (double)n);
      else
        weir_put_null(b);
      break;
    }
    case AF_APPROX: weir_put_int(b, hll_estimate(s, d->hll_p)); break;
    default: /* min, max, first, last: a value when one was kept */
      if (ld_i64(s + 8) != FIRST_VALUE) {
        weir_put_null(b);
      } else if (d->vclass == VC_VAR) {
        uint32_t len;
        const uint8_t *p = var_bytes(a, acc, d, &len);
        weir_put_raw(b, p, len);
      } else {
        put_fixed(b, d, s);
      }
    }
  }
}
