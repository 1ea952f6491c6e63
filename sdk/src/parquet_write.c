/* parquet_write.c — the Parquet writer's public side (weir/parquet.h): a
 * weir schema becomes a Parquet schema (leaf columns in depth-first order,
 * structs as groups), rows of batches are shredded into their leaf columns
 * with definition levels (no repetition: weir has no lists), full row
 * groups go to parquet_wcol.c, and close writes the footer (FileMetaData
 * in Thrift compact form, then its length and "PAR1").
 *
 * Layout of a file:  "PAR1" | row group | ... | footer | len32 | "PAR1";
 * each row group holds one column chunk per leaf, in schema order. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weir/parquet.h"

#include "parquet_int.h"

#define DEFAULT_ROW_GROUP 131072
#define DEFAULT_PAGE (1 << 20)
#define MAX_BUFFERED                                                           \
  ((size_t)128 << 20) /* a row group is written early when                     \
                         its buffers reach this */
#define CREATED_BY "weir version 0.1.0"

const char *const weir_parquet_codecs[] = {"none", "snappy", "zstd", "gzip",
                                           NULL};
const char *const weir_parquet_dictionary_modes[] = {"auto", "on", "off", NULL};

struct weir_parquet_writer {
  char *name;
  FILE *f;
  int own; /* opened by path: we close it */
  weir_schema *schema;
  weir_parquet_options o;
  int codec; /* PQ_CODEC_* */
  int64_t pos;
  pq_wcol *cols;
  size_t ncols;
  weir_value *row, *scratch; /* one row's values; struct members */
  size_t rg_rows;
  int64_t total_rows;
  pq_wchunk *chunks; /* every written row group's chunks */
  size_t ngroups, cap_groups;
  int64_t *group_rows;
  weir_buf page, comp, hdr, stats, lev;
  pq_wctx ctx;
  int failed;
  char msg[512];
};

static int fail(weir_parquet_writer *w, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(weir_parquet_writer *w, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = pq_fail(&w->failed, w->msg, sizeof w->msg, w->name, code, fmt, ap);
  va_end(ap);
  return rc;
}

static int report(const weir_parquet_writer *w, char *err, size_t errlen) {
  if (w->failed && err && errlen)
    snprintf(err, errlen, "%s", w->msg);
  return w->failed;
}

/* ---- schema ----------------------------------------------------------------
 */

int weir_parquet_check_schema(const weir_schema *schema, char *err,
                              size_t errlen) {
  char path[512];
  if (!weir_schema_find_array(schema, path, sizeof path))
    return WEIR_OK;
  if (err && errlen)
    snprintf(err, errlen,
             "column '%s' is an array: arrays are not supported in parquet "
             "yet",
             path);
  return WEIR_ERR_UNSUPPORTED;
}

static size_t count_fields(const weir_schema *s) {
  size_t n = s->n;
  for (size_t i = 0; i < s->n; i++)
    if (s->fields[i].type == WEIR_T_STRUCT && s->fields[i].fields)
      n += count_fields(s->fields[i].fields);
  return n;
}

static size_t count_leaves(const weir_field *f) {
  if (f->type != WEIR_T_STRUCT || !f->fields)
    return 1;
  size_t n = 0;
  for (size_t i = 0; i < f->fields->n; i++)
    n += count_leaves(&f->fields->fields[i]);
  return n;
}

static int leaf_ptype(weir_type t) {
  switch (t) {
  case WEIR_T_BOOL: return PQ_BOOLEAN;
  case WEIR_T_FLOAT: return PQ_DOUBLE;
  case WEIR_T_STRING:
  case WEIR_T_BINARY: return PQ_BYTE_ARRAY;
  case WEIR_T_NULL: return PQ_INT32;
  default: return PQ_INT64; /* bigint, timestamp */
  }
}

/* Lays out the leaf columns; `path` holds the names down to this level. */
static int add_leaves(weir_parquet_writer *w, const weir_schema *s,
                      const char **path, int depth, int def) {
  for (size_t i = 0; i < s->n; i++) {
    const weir_field *f = &s->fields[i];
    int d = def + (f->nullable || f->type == WEIR_T_NULL);
    path[depth] = f->name;
    if (depth + 1 >= 64)
      return fail(w, WEIR_ERR_UNSUPPORTED, "structs nest too deep");
    if (f->type == WEIR_T_STRUCT) {
      if (!f->fields || f->fields->n == 0)
        return fail(w, WEIR_ERR_UNSUPPORTED,
                    "struct column '%s' has no fields: Parquet cannot hold "
                    "an empty group",
                    f->name);
      int rc = add_leaves(w, f->fields, path, depth + 1, d);
      if (rc)
        return rc;
      continue;
    }
    pq_wcol *c = &w->cols[w->ncols++];
    c->field = f;
    c->depth = depth + 1;
    c->max_def = d;
    c->wtype = f->type;
    c->ptype = leaf_ptype(f->type);
    c->dict_on =
        c->ptype == PQ_BYTE_ARRAY && w->o.dictionary != WEIR_PARQUET_DICT_OFF;
    c->path = malloc((size_t)c->depth * sizeof *c->path);
    if (!c->path)
      return fail(w, WEIR_ERR_NOMEM, "out of memory");
    memcpy(c->path, path, (size_t)c->depth * sizeof *c->path);
  }
  return WEIR_OK;
}

static void schema_elems(tc_writer *t, const weir_schema *s) {
  for (size_t i = 0; i < s->n; i++) {
    const weir_field *f = &s->fields[i];
    int rep = f->nullable || f->type == WEIR_T_NULL ? PQ_OPTIONAL : PQ_REQUIRED;
    tc_list_struct_begin(t);
    if (f->type == WEIR_T_STRUCT) {
      tc_i32(t, 3, rep);
      tc_binary(t, 4, f->name, strlen(f->name));
      tc_i32(t, 5, (int32_t)f->fields->n);
      tc_struct_end(t);
      schema_elems(t, f->fields);
      continue;
    }
    tc_i32(t, 1, leaf_ptype(f->type));
    tc_i32(t, 3, rep);
    tc_binary(t, 4, f->name, strlen(f->name));
    if (f->type == WEIR_T_STRING) {
      tc_i32(t, 6, PQ_CT_UTF8);
      tc_struct_begin(t, 10);
      tc_struct_begin(t, PQ_LT_STRING);
      tc_struct_end(t);
      tc_struct_end(t);
    } else if (f->type == WEIR_T_TIMESTAMP) {
      tc_i32(t, 6, PQ_CT_TIMESTAMP_MICROS);
      tc_struct_begin(t, 10);
      tc_struct_begin(t, PQ_LT_TIMESTAMP);
      tc_bool(t, 1, 1); /* isAdjustedToUTC: weir's timestamps are UTC */
      tc_struct_begin(t, 2);
      tc_struct_begin(t, PQ_UNIT_MICROS);
      tc_struct_end(t);
      tc_struct_end(t);
      tc_struct_end(t);
      tc_struct_end(t);
    } else if (f->type == WEIR_T_NULL) {
      tc_struct_begin(t, 10);
      tc_struct_begin(t, PQ_LT_UNKNOWN);
      tc_struct_end(t);
      tc_struct_end(t);
    }
    tc_struct_end(t);
  }
}

/* ---- opening ------------------------------------------------------------- */

static weir_parquet_writer *writer_make(FILE *f, int own, const char *name,
                                        const weir_schema *schema,
                                        const weir_parquet_options *opts,
                                        char *err, size_t errlen) {
  weir_parquet_writer *w = calloc(1, sizeof *w);
  size_t nf = count_fields(schema);
  if (!w || !(w->name = strdup(name)) ||
      !(w->schema = weir_schema_copy(schema)) ||
      !(w->cols = calloc(nf ? nf : 1, sizeof *w->cols)) ||
      !(w->row = calloc(schema->n ? schema->n : 1, sizeof *w->row)) ||
      !(w->scratch = calloc(nf ? nf : 1, sizeof *w->scratch))) {
    if (err && errlen)
      snprintf(err, errlen, "%s: out of memory", name);
    if (own)
      fclose(f);
    weir_parquet_writer_free(w);
    return NULL;
  }
  w->f = f;
  w->own = own;
  weir_parquet_options d = WEIR_PARQUET_OPTIONS_INIT;
  w->o = opts ? *opts : d;
  if (w->o.row_group_size <= 0)
    w->o.row_group_size = DEFAULT_ROW_GROUP;
  if (w->o.page_size <= 0)
    w->o.page_size = DEFAULT_PAGE;
  if (w->o.dictionary_page_size <= 0)
    w->o.dictionary_page_size = DEFAULT_PAGE;
  static const int codecs[] = {PQ_CODEC_UNCOMPRESSED, PQ_CODEC_SNAPPY,
                               PQ_CODEC_ZSTD, PQ_CODEC_GZIP};
  if (w->o.compression < 0 || w->o.compression > 3)
    fail(w, WEIR_ERR_INVALID, "unknown compression %d", w->o.compression);
  else
    w->codec = codecs[w->o.compression];
  if (!w->failed && schema->n == 0)
    fail(w, WEIR_ERR_UNSUPPORTED, "a Parquet file needs at least one column");
  char why[600];
  if (!w->failed && weir_parquet_check_schema(schema, why, sizeof why))
    fail(w, WEIR_ERR_UNSUPPORTED, "%s", why);
  const char *path[64];
  if (!w->failed)
    add_leaves(w, w->schema, path, 0, 0);
  long at = own ? 0 : ftell(f);
  w->pos = at > 0 ? at : 0;
  if (!w->failed && fwrite("PAR1", 1, 4, f) != 4)
    fail(w, WEIR_ERR_IO, "cannot write: %s", strerror(errno));
  w->pos += 4;
  if (w->failed) {
    report(w, err, errlen);
    weir_parquet_writer_free(w);
    return NULL;
  }
  w->ctx = (pq_wctx){f,
                     &w->pos,
                     w->codec,
                     w->o.compression_level,
                     w->o.dictionary,
                     w->o.page_size,
                     w->o.dictionary_page_size,
                     &w->page,
                     &w->comp,
                     &w->hdr,
                     &w->stats,
                     &w->lev};
  return w;
}

weir_parquet_writer *weir_parquet_writer_open(const char *path,
                                              const weir_schema *schema,
                                              const weir_parquet_options *opts,
                                              char *err, size_t errlen) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    if (err && errlen)
      snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
    return NULL;
  }
  setvbuf(f, NULL, _IOFBF, 1 << 20);
  return writer_make(f, 1, path, schema, opts, err, errlen);
}

weir_parquet_writer *weir_parquet_writer_new(FILE *f, const char *name,
                                             const weir_schema *schema,
                                             const weir_parquet_options *opts,
                                             char *err, size_t errlen) {
  return writer_make(f, 0, name ? name : "parquet", schema, opts, err, errlen);
}

/* ---- rows ------------------------------------------------------------------
 */

static void col_name(const pq_wcol *c, int depth, char *out, size_t n) {
  size_t at = 0;
  out[0] = 0;
  for (int i = 0; i < depth && i < c->depth && at < n; i++)
    at += (size_t)snprintf(out + at, n - at, "%s%s", i ? "." : "", c->path[i]);
}

static int type_ok(weir_type want, weir_type got) {
  return want == got || (want == WEIR_T_FLOAT && got == WEIR_T_INT) ||
         (want == WEIR_T_TIMESTAMP && got == WEIR_T_INT) ||
         ((want == WEIR_T_STRING || want == WEIR_T_BINARY) &&
          (got == WEIR_T_STRING || got == WEIR_T_BINARY));
}

/* Shreds the values of one level of the schema into leaf columns. */
static int shred(weir_parquet_writer *w, const weir_schema *s,
                 const weir_value *vals, int def, int depth, size_t *leaf,
                 weir_value *scratch) {
  char name[256];
  for (size_t i = 0; i < s->n; i++) {
    const weir_field *f = &s->fields[i];
    const weir_value *v = &vals[i];
    if (v->type == WEIR_T_NULL || f->type == WEIR_T_NULL) {
      if (v->type != WEIR_T_NULL || (!f->nullable && f->type != WEIR_T_NULL)) {
        col_name(&w->cols[*leaf], depth + 1, name, sizeof name);
        return fail(w, WEIR_ERR_SCHEMA, "row %lld: column '%s' (%s%s) holds %s",
                    (long long)(w->total_rows + 1), name,
                    weir_type_name(f->type), f->nullable ? "" : " NOT NULL",
                    v->type == WEIR_T_NULL ? "a null"
                                           : weir_type_name(v->type));
      }
      size_t nl = count_leaves(f);
      for (size_t k = 0; k < nl; k++)
        if (pq_wcol_put(&w->cols[*leaf + k], &w->ctx, def, NULL) != WEIR_OK)
          return fail(w, WEIR_ERR_NOMEM, "out of memory");
      *leaf += nl;
      continue;
    }
    int d = def + f->nullable;
    if (f->type == WEIR_T_STRUCT) {
      size_t n = f->fields->n;
      if (v->type != WEIR_T_STRUCT ||
          weir_value_members(v, scratch, n) != WEIR_OK) {
        col_name(&w->cols[*leaf], depth + 1, name, sizeof name);
        return fail(w, WEIR_ERR_SCHEMA,
                    "row %lld: column '%s' is a struct of %zu fields, the "
                    "row holds %s",
                    (long long)(w->total_rows + 1), name, n,
                    weir_type_name(v->type));
      }
      int rc = shred(w, f->fields, scratch, d, depth + 1, leaf, scratch + n);
      if (rc)
        return rc;
      continue;
    }
    pq_wcol *c = &w->cols[*leaf];
    if (!type_ok(f->type, v->type)) {
      col_name(c, depth + 1, name, sizeof name);
      return fail(w, WEIR_ERR_SCHEMA,
                  "row %lld: column '%s' is %s, the row "
                  "holds %s",
                  (long long)(w->total_rows + 1), name, weir_type_name(f->type),
                  weir_type_name(v->type));
    }
    if (c->ptype == PQ_BYTE_ARRAY && v->v.s.len > INT32_MAX)
      return fail(w, WEIR_ERR_LIMIT, "a value of over 2 GiB");
    if (pq_wcol_put(c, &w->ctx, d, v) != WEIR_OK)
      return fail(w, WEIR_ERR_NOMEM, "out of memory");
    (*leaf)++;
  }
  return WEIR_OK;
}

static int flush_group(weir_parquet_writer *w) {
  if (w->rg_rows == 0)
    return WEIR_OK;
  if (w->ngroups == w->cap_groups) {
    size_t cap = w->cap_groups ? w->cap_groups * 2 : 8;
    pq_wchunk *c = realloc(w->chunks, cap * w->ncols * sizeof *c);
    if (!c)
      return fail(w, WEIR_ERR_NOMEM, "out of memory");
    w->chunks = c;
    int64_t *r = realloc(w->group_rows, cap * sizeof *r);
    if (!r)
      return fail(w, WEIR_ERR_NOMEM, "out of memory");
    w->group_rows = r;
    w->cap_groups = cap;
  }
  pq_wchunk *out = w->chunks + w->ngroups * w->ncols;
  for (size_t i = 0; i < w->ncols; i++) {
    int rc = pq_wcol_flush(&w->cols[i], &w->ctx, w->rg_rows, &out[i]);
    if (rc == WEIR_ERR_IO)
      return fail(w, rc, "cannot write: %s", strerror(errno));
    if (rc == WEIR_ERR_LIMIT)
      return fail(w, rc, "a page of over 2 GiB: lower page_size");
    if (rc)
      return fail(w, rc, "out of memory writing a row group");
  }
  if (w->stats.err)
    return fail(w, WEIR_ERR_NOMEM, "out of memory");
  w->group_rows[w->ngroups++] = (int64_t)w->rg_rows;
  w->rg_rows = 0;
  return WEIR_OK;
}

int weir_parquet_write_batch(weir_parquet_writer *w, const weir_batch *batch,
                             char *err, size_t errlen) {
  weir_reader r;
  int rc;
  if (w->failed)
    return report(w, err, errlen);
  if (weir_reader_open(&r, batch->data, batch->len) != WEIR_OK) {
    fail(w, WEIR_ERR_FORMAT, "malformed input batch");
    return report(w, err, errlen);
  }
  while ((rc = weir_reader_next(&r, w->row, w->schema->n)) == 1) {
    size_t leaf = 0;
    if (shred(w, w->schema, w->row, 0, 0, &leaf, w->scratch) != WEIR_OK)
      return report(w, err, errlen);
    w->rg_rows++;
    w->total_rows++;
    if ((int64_t)w->rg_rows >= w->o.row_group_size) {
      if (flush_group(w))
        return report(w, err, errlen);
    } else if ((w->rg_rows & 1023) == 0) {
      size_t bytes = 0;
      for (size_t i = 0; i < w->ncols; i++)
        bytes += pq_wcol_bytes(&w->cols[i]);
      if (bytes >= MAX_BUFFERED && flush_group(w))
        return report(w, err, errlen);
    }
  }
  if (rc < 0) {
    fail(w, WEIR_ERR_FORMAT, "malformed input batch (row %lld)",
         (long long)(w->total_rows + 1));
    return report(w, err, errlen);
  }
  return WEIR_OK;
}

/* ---- footer
 * ------------------------------------------------------------------ */

static void chunk_meta(weir_parquet_writer *w, tc_writer *t, const pq_wcol *c,
                       const pq_wchunk *k) {
  tc_list_struct_begin(t); /* ColumnChunk */
  tc_i64(t, 2, k->start);
  tc_struct_begin(t, 3); /* ColumnMetaData */
  tc_i32(t, 1, c->ptype);
  tc_list_begin(t, 2, TC_I32, k->dict ? 3 : 2);
  tc_elem_i32(t, PQ_ENC_PLAIN);
  tc_elem_i32(t, PQ_ENC_RLE);
  if (k->dict)
    tc_elem_i32(t, PQ_ENC_RLE_DICTIONARY);
  tc_list_begin(t, 3, TC_BINARY, (uint32_t)c->depth);
  for (int i = 0; i < c->depth; i++)
    tc_elem_binary(t, c->path[i], strlen(c->path[i]));
  tc_i32(t, 4, w->codec);
  tc_i64(t, 5, k->num_values);
  tc_i64(t, 6, k->uncomp_size);
  tc_i64(t, 7, k->comp_size);
  tc_i64(t, 9, k->data_off);
  if (k->dict)
    tc_i64(t, 11, k->dict_off);
  tc_struct_begin(t, 12); /* Statistics */
  tc_i64(t, 3, k->nulls);
  if (k->has_minmax) {
    tc_binary(t, 5, w->stats.data + k->max_at, k->max_len);
    tc_binary(t, 6, w->stats.data + k->min_at, k->min_len);
  }
  tc_struct_end(t);
  tc_struct_end(t); /* ColumnMetaData */
  tc_struct_end(t); /* ColumnChunk */
}

static int write_footer(weir_parquet_writer *w) {
  weir_buf b = WEIR_BUF_INIT;
  tc_writer t;
  tc_init(&t, &b);
  tc_i32(&t, 1, 1);
  tc_list_begin(&t, 2, TC_STRUCT, (uint32_t)(1 + count_fields(w->schema)));
  tc_list_struct_begin(&t);
  tc_binary(&t, 4, "schema", 6);
  tc_i32(&t, 5, (int32_t)w->schema->n);
  tc_struct_end(&t);
  schema_elems(&t, w->schema);
  tc_i64(&t, 3, w->total_rows);
  tc_list_begin(&t, 4, TC_STRUCT, (uint32_t)w->ngroups);
  for (size_t g = 0; g < w->ngroups; g++) {
    const pq_wchunk *k = w->chunks + g * w->ncols;
    int64_t comp = 0, uncomp = 0;
    tc_list_struct_begin(&t); /* RowGroup */
    tc_list_begin(&t, 1, TC_STRUCT, (uint32_t)w->ncols);
    for (size_t i = 0; i < w->ncols; i++) {
      chunk_meta(w, &t, &w->cols[i], &k[i]);
      comp += k[i].comp_size;
      uncomp += k[i].uncomp_size;
    }
    tc_i64(&t, 2, uncomp);
    tc_i64(&t, 3, w->group_rows[g]);
    tc_i64(&t, 5, k[0].start);
    tc_i64(&t, 6, comp);
    tc_field(&t, 7, TC_I16);
    tc_varint(&b, (uint64_t)g << 1); /* ordinal, zigzag */
    tc_struct_end(&t);
  }
  tc_binary(&t, 6, CREATED_BY, strlen(CREATED_BY));
  tc_list_begin(&t, 7, TC_STRUCT, (uint32_t)w->ncols);
  for (size_t i = 0; i < w->ncols; i++) {
    tc_list_struct_begin(&t); /* ColumnOrder: TypeDefinedOrder */
    tc_struct_begin(&t, 1);
    tc_struct_end(&t);
    tc_struct_end(&t);
  }
  tc_struct_end(&t);
  uint8_t tail[8];
  pq_put_le32(tail, (uint32_t)b.len);
  memcpy(tail + 4, "PAR1", 4);
  int rc = WEIR_OK;
  if (b.err)
    rc = fail(w, WEIR_ERR_NOMEM, "out of memory");
  else if (fwrite(b.data, 1, b.len, w->f) != b.len ||
           fwrite(tail, 1, 8, w->f) != 8)
    rc = fail(w, WEIR_ERR_IO, "cannot write: %s", strerror(errno));
  w->pos += (int64_t)b.len + 8;
  weir_buf_free(&b);
  return rc;
}

int weir_parquet_writer_close(weir_parquet_writer *w, weir_parquet_written *out,
                              char *err, size_t errlen) {
  if (!w->failed && flush_group(w) == WEIR_OK && write_footer(w) == WEIR_OK &&
      w->own) {
    FILE *f = w->f;
    w->f = NULL;
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad)
      fail(w, WEIR_ERR_IO, "cannot write: %s", strerror(errno));
  }
  if (out) {
    out->rows = w->total_rows;
    out->bytes = w->pos;
    out->row_groups = (int64_t)w->ngroups;
  }
  if (w->failed)
    return report(w, err, errlen);
  /* Later calls are mistakes: make them errors, not a second footer. */
  fail(w, WEIR_ERR_STATE, "the writer is closed");
  return WEIR_OK;
}

void weir_parquet_writer_free(weir_parquet_writer *w) {
  if (!w)
    return;
  if (w->own && w->f)
    fclose(w->f);
  for (size_t i = 0; i < w->ncols; i++)
    pq_wcol_free(&w->cols[i]);
  free(w->cols);
  free(w->row);
  free(w->scratch);
  free(w->chunks);
  free(w->group_rows);
  weir_schema_free(w->schema);
  free(w->name);
  weir_buf_free(&w->page);
  weir_buf_free(&w->comp);
  weir_buf_free(&w->hdr);
  weir_buf_free(&w->stats);
  weir_buf_free(&w->lev);
  free(w);
}

int pq_fail(int *failed, char *msg, size_t cap, const char *name, int code,
            const char *fmt, va_list ap) {
  if (!*failed) {
    int n = snprintf(msg, cap, "%s: ", name);
    if (n < 0 || (size_t)n >= cap)
      n = 0;
    vsnprintf(msg + n, cap - (size_t)n, fmt, ap);
    *failed = code;
  }
  return *failed;
}
