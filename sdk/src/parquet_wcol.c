/* parquet_wcol.c — the writer's column chunks: buffering one row group of a
 * leaf column (definition levels, PLAIN value bytes, a dictionary for byte
 * arrays, min/max/null-count statistics), then encoding it into the file as
 * an optional dictionary page and data pages v1 of about page_size bytes,
 * each compressed with the file's codec.
 *
 * Buffers are weir_bufs that keep their memory from one row group to the
 * next, so a steady stream allocates nothing per row. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "weir/parquet.h"

#include "parquet_int.h"

#define STAT_MAX_BYTES                                                         \
  512 /* longer string min/max are left out (a                                 \
         truncated max would need care; not worth it) */
#define DICT_HT_MIN 1024

static inline int append(weir_buf *b, const void *p, size_t n) {
  uint8_t *d = weir__room(b, n);
  if (!d)
    return WEIR_ERR_NOMEM;
  memcpy(d, p, n);
  b->len += n;
  return WEIR_OK;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n) {
  /* FNV-1a over 8-byte words, then a final mix: fast enough for keys that
   * are mostly short, and well spread for open addressing. */
  uint64_t h = 0xcbf29ce484222325ULL ^ n;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = (h ^ w) * 0x100000001b3ULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  while (n--)
    h = (h ^ *p++) * 0x100000001b3ULL;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

static const uint8_t *dict_entry(const pq_wcol *c, uint32_t id, uint32_t *len) {
  uint32_t off;
  memcpy(&off, c->dict_at.data + (size_t)id * 4, 4);
  *len = pq_le32(c->dict.data + off);
  return c->dict.data + off + 4;
}

static int ht_grow(pq_wcol *c) {
  size_t cap = c->ht_cap ? c->ht_cap * 2 : DICT_HT_MIN;
  uint32_t *ht = calloc(cap, sizeof *ht);
  if (!ht)
    return WEIR_ERR_NOMEM;
  for (uint32_t id = 0; id < c->ndict; id++) {
    uint32_t len;
    const uint8_t *s = dict_entry(c, id, &len);
    size_t i = hash_bytes(s, len) & (cap - 1);
    while (ht[i])
      i = (i + 1) & (cap - 1);
    ht[i] = id + 1;
  }
  free(c->ht);
  c->ht = ht;
  c->ht_cap = cap;
  return WEIR_OK;
}

/* Looks the value up in the chunk's dictionary, adding it when new, and
 * records its index; gives the dictionary up when it grows too large or,
 * in auto mode, when nearly every value is distinct (it will not pay). */
static int dict_put(pq_wcol *c, const pq_wctx *x, const uint8_t *s,
                    uint32_t len) {
  if (!c->ht && ht_grow(c) != WEIR_OK)
    return WEIR_ERR_NOMEM;
  size_t mask = c->ht_cap - 1, i = hash_bytes(s, len) & mask;
  uint32_t id;
  for (;; i = (i + 1) & mask) {
    uint32_t e = c->ht[i];
    if (!e) {
      id = c->ndict;
      uint32_t off = (uint32_t)c->dict.len;
      uint8_t lb[4];
      pq_put_le32(lb, len);
      if (c->dict.len + 4 + len > (uint64_t)x->dict_page_size ||
          (x->dict_mode == WEIR_PARQUET_DICT_AUTO && c->ndict >= 1024 &&
           (uint64_t)c->ndict * 4 > (uint64_t)(c->nvals + 1) * 3)) {
        c->dict_on = 0;
        return WEIR_OK;
      }
      if (append(&c->dict_at, &off, 4) || append(&c->dict, lb, 4) ||
          append(&c->dict, s, len))
        return WEIR_ERR_NOMEM;
      c->ht[i] = ++c->ndict;
      if ((size_t)c->ndict * 2 > c->ht_cap && ht_grow(c) != WEIR_OK)
        return WEIR_ERR_NOMEM;
      break;
    }
    uint32_t elen;
    const uint8_t *es = dict_entry(c, e - 1, &elen);
    if (elen == len && memcmp(es, s, len) == 0) {
      id = e - 1;
      break;
    }
  }
  return append(&c->idx, &id, 4);
}

static int bytes_cmp(const uint8_t *a, uint32_t al, const uint8_t *b,
                     uint32_t bl) {
  int r = memcmp(a, b, al < bl ? al : bl);
  return r ? r : (al > bl) - (al < bl);
}

int pq_wcol_put(pq_wcol *c, const pq_wctx *x, int def, const weir_value *v) {
  uint8_t d = (uint8_t)def;
  if (append(&c->defs, &d, 1))
    return WEIR_ERR_NOMEM;
  if (def < c->max_def) {
    c->nulls++;
    return WEIR_OK;
  }
  uint8_t *p;
  switch (c->ptype) {
  case PQ_INT64: {
    int64_t i = v->type == WEIR_T_TIMESTAMP ? v->v.ts : v->v.i;
    if (!(p = weir__room(&c->vals, 8)))
      return WEIR_ERR_NOMEM;
    pq_put_le64(p, (uint64_t)i);
    c->vals.len += 8;
    if (!c->has_minmax || i < c->min.i)
      c->min.i = i;
    if (!c->has_minmax || i > c->max.i)
      c->max.i = i;
    c->has_minmax = 1;
    break;
  }
  case PQ_DOUBLE: {
    double f = v->type == WEIR_T_FLOAT ? v->v.f : (double)v->v.i;
    uint64_t u;
    memcpy(&u, &f, 8);
    if (!(p = weir__room(&c->vals, 8)))
      return WEIR_ERR_NOMEM;
    pq_put_le64(p, u);
    c->vals.len += 8;
    if (!isnan(f)) { /* NaN has no place in min/max (the spec's rule) */
      /* -0.0 is the smaller zero in min, +0.0 the larger in max. */
      if (!c->has_minmax || f < c->min.f ||
          (f == 0 && c->min.f == 0 && signbit(f)))
        c->min.f = f;
      if (!c->has_minmax || f > c->max.f ||
          (f == 0 && c->max.f == 0 && !signbit(f)))
        c->max.f = f;
      c->has_minmax = 1;
    }
    break;
  }
  case PQ_BOOLEAN: {
    uint8_t b = v->v.b ? 1 : 0;
    if (append(&c->vals, &b, 1))
      return WEIR_ERR_NOMEM;
    if (!c->has_minmax || b < c->min.i)
      c->min.i = b;
    if (!c->has_minmax || b > c->max.i)
      c->max.i = b;
    c->has_minmax = 1;
    break;
  }
  case PQ_BYTE_ARRAY: {
    const uint8_t *s = (const uint8_t *)v->v.s.ptr;
    uint32_t len = (uint32_t)v->v.s.len;
    size_t at = c->vals.len + 4;
    if (!(p = weir__room(&c->vals, 4 + (size_t)len)))
      return WEIR_ERR_NOMEM;
    pq_put_le32(p, len);
    if (len)
      memcpy(p + 4, s, len);
    c->vals.len += 4 + (size_t)len;
    const uint8_t *base = c->vals.data;
    if (!c->has_minmax || bytes_cmp(s, len, base + c->bmin, c->bmin_len) < 0) {
      c->bmin = at;
      c->bmin_len = len;
    }
    if (!c->has_minmax || bytes_cmp(s, len, base + c->bmax, c->bmax_len) > 0) {
      c->bmax = at;
      c->bmax_len = len;
    }
    c->has_minmax = 1;
    if (c->dict_on && dict_put(c, x, s, len) != WEIR_OK)
      return WEIR_ERR_NOMEM;
    break;
  }
  default: return WEIR_ERR_INTERNAL; /* a null-type column has no values */
  }
  c->nvals++;
  return WEIR_OK;
}

/* Compresses a page and writes its header and bytes. */
static int write_page(const pq_wctx *x, int type, const uint8_t *data, size_t n,
                      int32_t num_values, int encoding, pq_wchunk *out) {
  const uint8_t *body = data;
  size_t blen = n;
  if (x->codec != PQ_CODEC_UNCOMPRESSED) {
    int rc = pq_compress(x->codec, x->level, data, n, x->comp);
    if (rc != WEIR_OK)
      return rc;
    body = x->comp->data;
    blen = x->comp->len;
  }
  if (n > INT32_MAX || blen > INT32_MAX)
    return WEIR_ERR_LIMIT;
  tc_writer tw;
  weir_buf_clear(x->hdr);
  tc_init(&tw, x->hdr);
  tc_i32(&tw, 1, type);
  tc_i32(&tw, 2, (int32_t)n);
  tc_i32(&tw, 3, (int32_t)blen);
  if (type == PQ_PAGE_DICTIONARY) {
    tc_struct_begin(&tw, 7);
    tc_i32(&tw, 1, num_values);
    tc_i32(&tw, 2, PQ_ENC_PLAIN);
    tc_struct_end(&tw);
  } else {
    tc_struct_begin(&tw, 5);
    tc_i32(&tw, 1, num_values);
    tc_i32(&tw, 2, encoding);
    tc_i32(&tw, 3, PQ_ENC_RLE);
    tc_i32(&tw, 4, PQ_ENC_RLE);
    tc_struct_end(&tw);
  }
  tc_struct_end(&tw);
  if (x->hdr->err)
    return WEIR_ERR_NOMEM;
  if (fwrite(x->hdr->data, 1, x->hdr->len, x->f) != x->hdr->len ||
      (blen && fwrite(body, 1, blen, x->f) != blen))
    return WEIR_ERR_IO;
  *x->pos += (int64_t)(x->hdr->len + blen);
  out->uncomp_size += (int64_t)(x->hdr->len + n);
  out->comp_size += (int64_t)(x->hdr->len + blen);
  return WEIR_OK;
}

/* Keeps a statistic's bytes in the writer's stats buffer (for the footer). */
static void keep_stat(weir_buf *stats, const void *p, uint32_t n, size_t *at,
                      uint32_t *len) {
  *at = stats->len;
  *len = n;
  weir_buf_append(stats, p, n);
}

static void chunk_stats(const pq_wcol *c, const pq_wctx *x, pq_wchunk *o) {
  uint8_t a[8], b[8];
  uint32_t n = 8;
  const uint8_t *pa = a, *pb = b;
  o->has_minmax = c->has_minmax;
  if (!c->has_minmax)
    return;
  switch (c->ptype) {
  case PQ_INT64:
    pq_put_le64(a, (uint64_t)c->min.i);
    pq_put_le64(b, (uint64_t)c->max.i);
    break;
  case PQ_DOUBLE: {
    uint64_t u;
    memcpy(&u, &c->min.f, 8);
    pq_put_le64(a, u);
    memcpy(&u, &c->max.f, 8);
    pq_put_le64(b, u);
    break;
  }
  case PQ_BOOLEAN:
    a[0] = (uint8_t)c->min.i;
    b[0] = (uint8_t)c->max.i;
    n = 1;
    break;
  default:
    if (c->bmin_len > STAT_MAX_BYTES || c->bmax_len > STAT_MAX_BYTES) {
      o->has_minmax = 0;
      return;
    }
    pa = c->vals.data + c->bmin;
    pb = c->vals.data + c->bmax;
    keep_stat(x->stats, pa, c->bmin_len, &o->min_at, &o->min_len);
    keep_stat(x->stats, pb, c->bmax_len, &o->max_at, &o->max_len);
    return;
  }
  keep_stat(x->stats, pa, n, &o->min_at, &o->min_len);
  keep_stat(x->stats, pb, n, &o->max_at, &o->max_len);
}

static void wcol_reset(pq_wcol *c, const pq_wctx *x) {
  weir_buf_clear(&c->defs);
  weir_buf_clear(&c->vals);
  weir_buf_clear(&c->idx);
  weir_buf_clear(&c->dict);
  weir_buf_clear(&c->dict_at);
  c->nvals = 0;
  c->nulls = 0;
  c->ndict = 0;
  if (c->ht)
    memset(c->ht, 0, c->ht_cap * sizeof *c->ht);
  c->dict_on =
      c->ptype == PQ_BYTE_ARRAY && x->dict_mode != WEIR_PARQUET_DICT_OFF;
  c->has_minmax = 0;
}

int pq_wcol_flush(pq_wcol *c, const pq_wctx *x, size_t nrows, pq_wchunk *out) {
  const uint8_t *defs = c->defs.data;
  const uint8_t *vals = c->vals.data;
  int width = pq_bit_width(c->ndict ? c->ndict - 1 : 0);
  int use_dict = c->dict_on && c->ndict > 0;
  if (use_dict && x->dict_mode == WEIR_PARQUET_DICT_AUTO)
    use_dict =
        c->dict.len + (c->nvals * (size_t)width + 7) / 8 + 16 < c->vals.len;
  int rc = WEIR_OK;
  memset(out, 0, sizeof *out);
  out->start = *x->pos;
  out->dict_off = -1;
  out->num_values = (int64_t)nrows;
  out->nulls = c->nulls;
  out->dict = use_dict;
  chunk_stats(c, x, out);
  if (use_dict) {
    out->dict_off = *x->pos;
    rc = write_page(x, PQ_PAGE_DICTIONARY, c->dict.data, c->dict.len,
                    (int32_t)c->ndict, PQ_ENC_PLAIN, out);
  }
  out->data_off = *x->pos;
  const uint32_t *idx = (const uint32_t *)(const void *)c->idx.data;
  size_t r = 0, vi = 0, bo = 0;
  uint64_t limit = (uint64_t)x->page_size * 8;
  while (rc == WEIR_OK && (r < nrows || (nrows == 0 && r == 0))) {
    size_t p0 = r, v0 = vi, b0 = bo;
    uint64_t bits = 0;
    /* Rows until the page's estimated size reaches page_size. */
    while (r < nrows && (bits < limit || r == p0)) {
      if (defs[r] == c->max_def) {
        if (use_dict)
          bits += (uint64_t)width;
        else if (c->ptype == PQ_BYTE_ARRAY) {
          uint32_t len = pq_le32(vals + bo);
          bo += 4 + (size_t)len;
          bits += 8 * (4 + (uint64_t)len);
        } else
          bits += c->ptype == PQ_BOOLEAN ? 1 : 64;
        vi++;
      }
      bits += c->max_def ? 2 : 0;
      r++;
    }
    weir_buf *pg = x->page;
    weir_buf_clear(pg);
    if (c->max_def > 0) {
      weir_buf_clear(x->lev);
      if (weir_buf_reserve(x->lev, (r - p0) * 4) != WEIR_OK)
        return WEIR_ERR_NOMEM;
      uint32_t *lv = (uint32_t *)(void *)x->lev->data;
      for (size_t k = p0; k < r; k++)
        lv[k - p0] = defs[k];
      weir_buf_append(pg, "\0\0\0\0", 4);
      pq_rle_encode(pg, pq_bit_width((uint64_t)c->max_def), lv, r - p0);
      if (pg->err)
        return WEIR_ERR_NOMEM;
      pq_put_le32(pg->data, (uint32_t)(pg->len - 4));
    }
    int enc = PQ_ENC_PLAIN;
    if (use_dict) {
      uint8_t w = (uint8_t)width;
      enc = PQ_ENC_RLE_DICTIONARY;
      weir_buf_append(pg, &w, 1);
      pq_rle_encode(pg, width, idx + v0, vi - v0);
    } else if (c->ptype == PQ_BYTE_ARRAY) {
      weir_buf_append(pg, vals + b0, bo - b0);
    } else if (c->ptype == PQ_BOOLEAN) {
      uint8_t byte = 0;
      for (size_t k = v0; k < vi; k++) {
        byte |= (uint8_t)(vals[k] << ((k - v0) & 7));
        if (((k - v0) & 7) == 7 || k + 1 == vi) {
          weir_buf_append(pg, &byte, 1);
          byte = 0;
        }
      }
    } else if (c->ptype != PQ_INT32) {
      weir_buf_append(pg, vals + v0 * 8, (vi - v0) * 8);
    }
    if (pg->err)
      return WEIR_ERR_NOMEM;
    rc = write_page(x, PQ_PAGE_DATA, pg->data, pg->len, (int32_t)(r - p0), enc,
                    out);
    if (nrows == 0)
      break;
  }
  wcol_reset(c, x);
  return rc;
}

size_t pq_wcol_bytes(const pq_wcol *c) {
  return c->defs.len + c->vals.len + c->idx.len + c->dict.len;
}

void pq_wcol_free(pq_wcol *c) {
  weir_buf_free(&c->defs);
  weir_buf_free(&c->vals);
  weir_buf_free(&c->idx);
  weir_buf_free(&c->dict);
  weir_buf_free(&c->dict_at);
  free(c->ht);
  free(c->path);
  memset(c, 0, sizeof *c);
}
