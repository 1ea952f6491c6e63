/* parquet_meta.c — decoding a Parquet footer (FileMetaData) and page headers
 * from Thrift compact bytes into the small structures of parquet_int.h.
 * Only the fields the reader uses are kept; every other field, known or
 * not, is skipped, so newer writers' additions do not matter. All counts
 * are checked against the bytes left before anything is allocated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet_int.h"

/* Skips a field of a container element type (bools are one byte there). */
static void skip_elem(tc_reader *r, int type) {
  if (type == TC_TRUE || type == TC_FALSE)
    tc_read_byte(r);
  else
    tc_skip(r, type);
}

/* A union of empty structs (TimeUnit): which member is set. */
static int read_union_tag(tc_reader *r) {
  int16_t last = 0, id;
  int t, tag = 0;
  if (++r->depth > TC_MAX_DEPTH) {
    r->bad = 1;
    return 0;
  }
  while (tc_next_field(r, &last, &id, &t)) {
    if (!tag)
      tag = id;
    tc_skip(r, t);
  }
  r->depth--;
  return tag;
}

/* TimestampType / TimeType: {1: bool isAdjustedToUTC, 2: TimeUnit unit}. */
static void read_time_type(tc_reader *r, pq_selem *e) {
  int16_t last = 0, id;
  int t;
  while (tc_next_field(r, &last, &id, &t)) {
    if (id == 1 && (t == TC_TRUE || t == TC_FALSE))
      e->lt_utc = tc_bool_of(t);
    else if (id == 2 && t == TC_STRUCT)
      e->lt_unit = read_union_tag(r);
    else
      tc_skip(r, t);
  }
}

static void read_logical(tc_reader *r, pq_selem *e) {
  int16_t last = 0, id;
  int t;
  while (tc_next_field(r, &last, &id, &t)) {
    if (t != TC_STRUCT) {
      tc_skip(r, t);
      continue;
    }
    e->logical = id;
    int16_t l2 = 0, id2;
    int t2;
    switch (id) {
    case PQ_LT_TIME:
    case PQ_LT_TIMESTAMP: read_time_type(r, e); break;
    case PQ_LT_INTEGER:
      while (tc_next_field(r, &l2, &id2, &t2)) {
        if (id2 == 1 && t2 == TC_BYTE)
          e->lt_bits = tc_read_byte(r);
        else if (id2 == 2 && (t2 == TC_TRUE || t2 == TC_FALSE))
          e->lt_signed = tc_bool_of(t2);
        else
          tc_skip(r, t2);
      }
      break;
    case PQ_LT_DECIMAL:
      while (tc_next_field(r, &l2, &id2, &t2)) {
        if (id2 == 1 && t2 == TC_I32)
          e->lt_scale = (int)tc_read_int(r);
        else if (id2 == 2 && t2 == TC_I32)
          e->lt_precision = (int)tc_read_int(r);
        else
          tc_skip(r, t2);
      }
      break;
    default: tc_skip(r, TC_STRUCT);
    }
  }
}

static void read_selem(tc_reader *r, pq_selem *e) {
  int16_t last = 0, id;
  int t;
  memset(e, 0, sizeof *e);
  e->converted = -1;
  e->lt_signed = 1;
  while (tc_next_field(r, &last, &id, &t)) {
    switch (id) {
    case 1:
      e->has_type = 1;
      e->type = (int)tc_read_int(r);
      break;
    case 2: e->type_length = (int)tc_read_int(r); break;
    case 3: e->repetition = (int)tc_read_int(r); break;
    case 4: e->name = tc_read_binary(r, &e->name_len); break;
    case 5: e->num_children = (int)tc_read_int(r); break;
    case 6: e->converted = (int)tc_read_int(r); break;
    case 7: e->scale = (int)tc_read_int(r); break;
    case 8: e->precision = (int)tc_read_int(r); break;
    case 10:
      if (t == TC_STRUCT) {
        read_logical(r, e);
        break;
      }
      /* fall through */
    default: tc_skip(r, t);
    }
    if (id >= 1 && id <= 8 && id != 4 && t != TC_I32 && t != TC_I64 &&
        t != TC_I16)
      r->bad = 1; /* an integer field of another type */
  }
  if (!e->name) { /* required by the spec; tolerate its absence */
    e->name = (const uint8_t *)"";
    e->name_len = 0;
  }
}

static void read_colmeta(tc_reader *r, pq_chunk *c) {
  int16_t last = 0, id;
  int t, et;
  while (tc_next_field(r, &last, &id, &t)) {
    switch (id) {
    case 1: c->type = (int)tc_read_int(r); break;
    case 3:
      if (t == TC_LIST) {
        uint32_t n = tc_read_list(r, &et);
        c->path_len = n;
        for (uint32_t i = 0; i < n && !r->bad; i++)
          skip_elem(r, et);
      } else
        tc_skip(r, t);
      break;
    case 4: c->codec = (int)tc_read_int(r); break;
    case 5: c->num_values = tc_read_int(r); break;
    case 6: c->total_uncompressed = tc_read_int(r); break;
    case 7: c->total_compressed = tc_read_int(r); break;
    case 9: c->data_page_offset = tc_read_int(r); break;
    case 11: c->dict_page_offset = tc_read_int(r); break;
    default: tc_skip(r, t);
    }
  }
  c->has_meta = 1;
}

static int read_chunk(tc_reader *r, pq_chunk *c) {
  int16_t last = 0, id;
  int t, encrypted = 0;
  memset(c, 0, sizeof *c);
  c->dict_page_offset = -1;
  c->data_page_offset = -1;
  while (tc_next_field(r, &last, &id, &t)) {
    if (id == 3 && t == TC_STRUCT)
      read_colmeta(r, c);
    else {
      if (id == 8 || id == 9)
        encrypted = 1;
      tc_skip(r, t);
    }
  }
  return encrypted;
}

static void read_rowgroup(tc_reader *r, pq_rowgroup *g, pq_chunk **pool,
                          pq_chunk *pool_end, int *encrypted) {
  int16_t last = 0, id;
  int t, et;
  g->num_rows = -1;
  while (tc_next_field(r, &last, &id, &t)) {
    if (id == 1 && t == TC_LIST) {
      uint32_t n = tc_read_list(r, &et);
      if (g->cols || et != TC_STRUCT || n > (size_t)(pool_end - *pool)) {
        r->bad = 1;
        return;
      }
      g->cols = *pool;
      g->ncols = n;
      *pool += n;
      for (uint32_t i = 0; i < n && !r->bad; i++)
        *encrypted |= read_chunk(r, &g->cols[i]);
    } else if (id == 3 && t == TC_I64)
      g->num_rows = tc_read_int(r);
    else
      tc_skip(r, t);
  }
}

void pq_meta_free(pq_meta *m) {
  free(m->schema);
  free(m->rgs);
  free(m->chunks);
  memset(m, 0, sizeof *m);
}

int pq_meta_decode(const uint8_t *p, size_t n, pq_meta *m, char *why,
                   size_t whylen) {
  tc_reader r = {p, p + n, 0, 0};
  int16_t last = 0, id;
  int t, et, encrypted = 0;
  memset(m, 0, sizeof *m);
  m->num_rows = -1;
  /* The chunks of every row group come from one pool sized by the footer
   * length: each chunk takes at least two bytes, so this bounds them. */
  size_t pool_n = n / 2 + 1;
  pq_chunk *pool_end = NULL, *cur = NULL;
  while (tc_next_field(&r, &last, &id, &t)) {
    if (id == 2 && t == TC_LIST && !m->schema) {
      uint32_t k = tc_read_list(&r, &et);
      if (et != TC_STRUCT || k == 0) {
        r.bad = 1;
        break;
      }
      m->schema = calloc(k, sizeof *m->schema);
      if (!m->schema)
        goto nomem;
      m->nschema = k;
      for (uint32_t i = 0; i < k && !r.bad; i++)
        read_selem(&r, &m->schema[i]);
    } else if (id == 3 && t == TC_I64) {
      m->num_rows = tc_read_int(&r);
    } else if (id == 4 && t == TC_LIST && !m->rgs) {
      uint32_t k = tc_read_list(&r, &et);
      if (k && et != TC_STRUCT) {
        r.bad = 1;
        break;
      }
      m->rgs = calloc(k ? k : 1, sizeof *m->rgs);
      m->chunks = calloc(pool_n, sizeof *m->chunks);
      if (!m->rgs || !m->chunks)
        goto nomem;
      m->nrgs = k;
      cur = m->chunks;
      pool_end = m->chunks + pool_n;
      for (uint32_t i = 0; i < k && !r.bad; i++)
        read_rowgroup(&r, &m->rgs[i], &cur, pool_end, &encrypted);
    } else {
      tc_skip(&r, t);
    }
  }
  if (r.bad) {
    snprintf(why, whylen, "corrupt footer (Thrift metadata)");
    goto fail;
  }
  if (encrypted) {
    snprintf(why, whylen, "encrypted columns are not supported");
    pq_meta_free(m);
    return WEIR_ERR_UNSUPPORTED;
  }
  if (!m->schema || m->num_rows < 0 || !m->rgs) {
    snprintf(why, whylen, "footer lacks its %s",
             !m->schema        ? "schema"
             : m->num_rows < 0 ? "row count"
                               : "row groups");
    goto fail;
  }
  return WEIR_OK;
nomem:
  pq_meta_free(m);
  snprintf(why, whylen, "out of memory reading the footer");
  return WEIR_ERR_NOMEM;
fail:
  pq_meta_free(m);
  return WEIR_ERR_FORMAT;
}

/* ---- page headers ------------------------------------------------------- */

static void read_data_header(tc_reader *r, pq_page_header *h, int v2) {
  int16_t last = 0, id;
  int t;
  while (tc_next_field(r, &last, &id, &t)) {
    if (t == TC_STRUCT || t == TC_LIST || t == TC_BINARY) {
      tc_skip(r, t); /* statistics */
      continue;
    }
    if (t == TC_TRUE || t == TC_FALSE) {
      if (v2 && id == 7)
        h->is_compressed = tc_bool_of(t);
      continue;
    }
    int64_t v = tc_read_int(r);
    if (v < INT32_MIN || v > INT32_MAX)
      r->bad = 1;
    if (!v2) {
      if (id == 1)
        h->num_values = (int32_t)v;
      else if (id == 2)
        h->encoding = (int)v;
      else if (id == 3)
        h->def_encoding = (int)v;
    } else {
      if (id == 1)
        h->num_values = (int32_t)v;
      else if (id == 2)
        h->num_nulls = (int32_t)v;
      else if (id == 3)
        h->num_rows = (int32_t)v;
      else if (id == 4)
        h->encoding = (int)v;
      else if (id == 5)
        h->def_len = (int32_t)v;
      else if (id == 6)
        h->rep_len = (int32_t)v;
    }
  }
}

long pq_page_header_decode(const uint8_t *p, size_t n, pq_page_header *h) {
  tc_reader r = {p, p + n, 0, 0};
  int16_t last = 0, id;
  int t, seen_type = 0;
  memset(h, 0, sizeof *h);
  h->is_compressed = 1;
  h->def_encoding = PQ_ENC_RLE;
  h->uncompressed_size = h->compressed_size = -1;
  while (tc_next_field(&r, &last, &id, &t)) {
    if (id == 1 && t == TC_I32) {
      h->type = (int)tc_read_int(&r);
      seen_type = 1;
    } else if (id == 2 && t == TC_I32) {
      h->uncompressed_size = (int32_t)tc_read_int(&r);
    } else if (id == 3 && t == TC_I32) {
      h->compressed_size = (int32_t)tc_read_int(&r);
    } else if (id == 5 && t == TC_STRUCT) {
      read_data_header(&r, h, 0);
    } else if (id == 7 && t == TC_STRUCT) {
      read_data_header(&r, h, 0); /* num_values, encoding: same ids */
    } else if (id == 8 && t == TC_STRUCT) {
      read_data_header(&r, h, 1);
    } else {
      tc_skip(&r, t);
    }
  }
  if (r.bad)
    /* Ran off the end: perhaps only because the caller gave too few bytes. */
    return r.p >= r.end ? 0 : -1;
  if (!seen_type || h->uncompressed_size < 0 || h->compressed_size < 0 ||
      h->num_values < 0 || h->def_len < 0 || h->rep_len < 0 || h->num_nulls < 0)
    return -1;
  return (long)(r.p - p);
}
