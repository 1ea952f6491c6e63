/* parquet_read.c — the Parquet reader's public side (weir/parquet.h): checks
 * the magic bytes and reads the footer, turns the flat Parquet schema into a
 * tree and a weir schema, resolves a wanted schema against it (by name;
 * missing columns read as null; types checked once, here), and assembles
 * rows: per row, every projected leaf column gives its definition level and
 * value (parquet_page.c), then the wanted fields are emitted into the
 * builder, structs null where their level says so.
 *
 * Without repetition (weir has no lists) each column chunk holds exactly
 * one value slot per row, which is what makes row-at-a-time assembly over
 * independent column cursors correct. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weir/parquet.h"

#include "parquet_int.h"

#define MAX_DEPTH 64
#define US_PER_DAY INT64_C(86400000000)

enum {
  C_NULL = 0,
  C_BOOL,
  C_INT,
  C_UINT32,
  C_FLOAT,
  C_BYTES,
  C_TS_MUL,
  C_TS_DIV,
  C_INT96,
  C_DEC_INT,
  C_DEC_BYTES
};

typedef struct fnode {
  const pq_selem *e;
  int parent, def, leaf, repeated;
  int *kids;
  int nkids;
  /* leaves */
  weir_type wtype; /* WEIR_T_NULL with `unsup` set: not readable */
  int conv, scale;
  int64_t k;
  const char *unsup;
} fnode;

typedef struct rproj {
  const weir_field *want;
  int node, col, def, conv, scale;
  int64_t k;
  struct rproj *kids;
} rproj;

struct weir_parquet_reader {
  char *name;
  int fd;
  pq_src src;
  int64_t footer_start;
  uint8_t *footer;
  pq_meta m;
  fnode *nodes;
  int *kidpool;
  int nnodes, nleaves, kidnext;
  int *leaf_node;
  weir_schema *schema;
  const weir_schema *want;
  rproj *proj, *pool;
  size_t npool;
  pq_rcol *cols;
  int *col_leaf, *cur_def;
  pq_val *cur_val;
  int ncols, projected;
  int64_t rg, rg_left;
  int failed;
  char msg[600];
};

static int fail(weir_parquet_reader *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(weir_parquet_reader *r, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = pq_fail(&r->failed, r->msg, sizeof r->msg, r->name, code, fmt, ap);
  va_end(ap);
  return rc;
}

static int report(const weir_parquet_reader *r, char *err, size_t errlen) {
  if (err && errlen)
    snprintf(err, errlen, "%s", r->msg);
  return r->failed;
}

/* ---- schema -------------------------------------------------------------- */

/* How a leaf reads as a weir value; sets n->unsup when it cannot. */
static void map_leaf(fnode *n) {
  const pq_selem *e = n->e;
  int lt = e->logical, ct = e->converted;
  n->conv = C_INT;
  n->wtype = WEIR_T_INT;
  n->k = 1;
  if (lt == PQ_LT_DECIMAL || ct == PQ_CT_DECIMAL) {
    n->scale = lt == PQ_LT_DECIMAL ? e->lt_scale : e->scale;
    n->wtype = WEIR_T_FLOAT;
    n->conv =
        e->type == PQ_INT32 || e->type == PQ_INT64 ? C_DEC_INT : C_DEC_BYTES;
    if (e->type == PQ_BYTE_ARRAY || e->type == PQ_FIXED_LEN_BYTE_ARRAY ||
        n->conv == C_DEC_INT)
      return;
  }
  switch (e->type) {
  case PQ_BOOLEAN:
    n->wtype = WEIR_T_BOOL;
    n->conv = C_BOOL;
    return;
  case PQ_INT32:
    if (lt == PQ_LT_UNKNOWN) {
      n->wtype = WEIR_T_NULL;
      n->conv = C_NULL;
    } else if (lt == PQ_LT_DATE || ct == PQ_CT_DATE) {
      n->wtype = WEIR_T_TIMESTAMP;
      n->conv = C_TS_MUL;
      n->k = US_PER_DAY;
    } else if (lt == PQ_LT_TIME || ct == PQ_CT_TIME_MILLIS) {
      n->conv = C_TS_MUL; /* µs of the day, as bigint */
      n->k = 1000;
    } else if ((lt == PQ_LT_INTEGER && !e->lt_signed) || ct == 13 /* UINT_32 */)
      n->conv = C_UINT32;
    return;
  case PQ_INT64: {
    int unit = 0;
    if (lt == PQ_LT_TIMESTAMP || lt == PQ_LT_TIME)
      unit = e->lt_unit;
    else if (ct == PQ_CT_TIMESTAMP_MILLIS)
      unit = PQ_UNIT_MILLIS;
    else if (ct == PQ_CT_TIMESTAMP_MICROS || ct == PQ_CT_TIME_MICROS)
      unit = PQ_UNIT_MICROS;
    if (unit) {
      if (lt != PQ_LT_TIME && ct != PQ_CT_TIME_MICROS)
        n->wtype = WEIR_T_TIMESTAMP;
      n->conv = unit == PQ_UNIT_MILLIS ? C_TS_MUL : C_TS_DIV;
      n->k = unit == PQ_UNIT_MILLIS ? 1000 : unit == PQ_UNIT_NANOS ? 1000 : 1;
    }
    return;
  }
  case PQ_INT96:
    n->wtype = WEIR_T_TIMESTAMP;
    n->conv = C_INT96;
    return;
  case PQ_FLOAT:
  case PQ_DOUBLE:
    n->wtype = WEIR_T_FLOAT;
    n->conv = C_FLOAT;
    return;
  case PQ_BYTE_ARRAY:
  case PQ_FIXED_LEN_BYTE_ARRAY:
    n->conv = C_BYTES;
    n->wtype = lt == PQ_LT_STRING || lt == PQ_LT_ENUM || lt == PQ_LT_JSON ||
                       ct == PQ_CT_UTF8 || ct == PQ_CT_ENUM || ct == PQ_CT_JSON
                   ? WEIR_T_STRING
                   : WEIR_T_BINARY;
    if (e->type == PQ_FIXED_LEN_BYTE_ARRAY && e->type_length <= 0)
      n->unsup = "a FIXED_LEN_BYTE_ARRAY without a length";
    return;
  default: n->unsup = "of an unknown physical type";
  }
}

static int build(weir_parquet_reader *r, int *idx, int parent, int def, int rep,
                 int depth) {
  if (*idx >= (int)r->m.nschema || depth > MAX_DEPTH)
    return fail(r, WEIR_ERR_FORMAT, "corrupt schema in the footer");
  int i = (*idx)++;
  fnode *n = &r->nodes[i];
  const pq_selem *e = &r->m.schema[i];
  n->e = e;
  n->parent = parent;
  n->leaf = -1;
  if (parent >= 0) {
    def += e->repetition != PQ_REQUIRED;
    rep |= e->repetition == PQ_REPEATED;
  }
  n->def = def;
  if (e->num_children > 0 || !e->has_type) {
    if (e->num_children < 0 || e->num_children > (int)r->m.nschema - *idx)
      return fail(r, WEIR_ERR_FORMAT, "corrupt schema in the footer");
    rep |= e->converted == PQ_CT_LIST || e->converted == PQ_CT_MAP ||
           e->converted == PQ_CT_MAP_KV || e->logical == PQ_LT_LIST ||
           e->logical == PQ_LT_MAP;
    n->repeated = rep && parent >= 0;
    if (e->num_children > (int)r->m.nschema - r->kidnext)
      return fail(r, WEIR_ERR_FORMAT, "corrupt schema in the footer");
    n->kids = r->kidpool + r->kidnext;
    r->kidnext += e->num_children;
    n->nkids = e->num_children;
    for (int k = 0; k < n->nkids; k++) {
      n->kids[k] = *idx;
      if (build(r, idx, i, def, rep, depth + 1))
        return r->failed;
    }
    return WEIR_OK;
  }
  if (e->repetition < 0 || e->repetition > PQ_REPEATED || e->type < 0 ||
      e->type > PQ_FIXED_LEN_BYTE_ARRAY)
    return fail(r, WEIR_ERR_FORMAT, "corrupt schema in the footer");
  n->repeated = rep;
  n->leaf = r->nleaves;
  r->leaf_node[r->nleaves++] = i;
  map_leaf(n);
  return WEIR_OK;
}

static char *node_name(const fnode *n) {
  char *s = malloc((size_t)n->e->name_len + 1);
  if (s) {
    if (n->e->name_len)
      memcpy(s, n->e->name, n->e->name_len);
    s[n->e->name_len] = 0;
  }
  return s;
}

/* The weir schema of a group's readable children. */
static weir_schema *to_schema(weir_parquet_reader *r, const fnode *g) {
  weir_schema *s = weir_schema_new();
  for (int k = 0; s && k < g->nkids; k++) {
    const fnode *n = &r->nodes[g->kids[k]];
    weir_schema *members = NULL;
    if (n->repeated || (n->leaf >= 0 && n->unsup))
      continue;
    if (n->leaf < 0) {
      if (!(members = to_schema(r, n))) {
        weir_schema_free(s);
        return NULL;
      }
      if (members->n == 0) {
        weir_schema_free(members);
        continue;
      }
    }
    char *name = node_name(n);
    if (!name) {
      weir_schema_free(members);
      weir_schema_free(s);
      return NULL;
    }
    int rc = weir_schema_add(s, name, n->leaf < 0 ? WEIR_T_STRUCT : n->wtype,
                             n->e->repetition != PQ_REQUIRED, members);
    free(name);
    if (rc == WEIR_ERR_NOMEM) {
      weir_schema_free(s);
      return NULL;
    } /* a duplicate name is left out: only the first can be asked for */
  }
  return s;
}

/* ---- opening
 * ----------------------------------------------------------------- */

static int open_common(weir_parquet_reader *r) {
  uint8_t head[4], tail[8];
  int64_t size = r->src.size;
  if (size < 12)
    return fail(r, WEIR_ERR_FORMAT,
                "not a Parquet file (%lld bytes: too short)", (long long)size);
  if (pq_src_read(&r->src, 0, head, 4) ||
      pq_src_read(&r->src, size - 8, tail, 8))
    return fail(r, WEIR_ERR_IO, "cannot read: %s", strerror(errno));
  if (memcmp(head, "PAR1", 4) != 0)
    return fail(r, WEIR_ERR_FORMAT,
                "not a Parquet file (no PAR1 magic at the start)");
  if (memcmp(tail + 4, "PARE", 4) == 0)
    return fail(r, WEIR_ERR_UNSUPPORTED,
                "encrypted Parquet files are not supported");
  if (memcmp(tail + 4, "PAR1", 4) != 0)
    return fail(r, WEIR_ERR_FORMAT,
                "truncated or not a Parquet file (no PAR1 magic at the end)");
  uint32_t flen = pq_le32(tail);
  if ((int64_t)flen > size - 12)
    return fail(r, WEIR_ERR_FORMAT,
                "footer length %u exceeds the file (%lld bytes)", flen,
                (long long)size);
  r->footer_start = size - 8 - flen;
  if (!(r->footer = malloc(flen ? flen : 1)))
    return fail(r, WEIR_ERR_NOMEM, "out of memory for a footer of %u bytes",
                flen);
  if (pq_src_read(&r->src, r->footer_start, r->footer, flen))
    return fail(r, WEIR_ERR_IO, "cannot read: %s", strerror(errno));
  char why[200];
  int rc = pq_meta_decode(r->footer, flen, &r->m, why, sizeof why);
  if (rc)
    return fail(r, rc, "%s", why);
  int n = (int)r->m.nschema;
  r->nodes = calloc((size_t)n, sizeof *r->nodes);
  r->kidpool = calloc((size_t)n, sizeof *r->kidpool);
  r->leaf_node = calloc((size_t)n, sizeof *r->leaf_node);
  if (!r->nodes || !r->kidpool || !r->leaf_node)
    return fail(r, WEIR_ERR_NOMEM, "out of memory");
  int idx = 0;
  if (build(r, &idx, -1, 0, 0, 0))
    return r->failed;
  r->nnodes = idx;
  if (r->nodes[0].leaf >= 0)
    return fail(r, WEIR_ERR_FORMAT,
                "corrupt schema in the footer (no root group)");
  if (!(r->schema = to_schema(r, &r->nodes[0])))
    return fail(r, WEIR_ERR_NOMEM, "out of memory");
  return WEIR_OK;
}

static weir_parquet_reader *reader_new(const char *name) {
  weir_parquet_reader *r = calloc(1, sizeof *r);
  if (r && !(r->name = strdup(name))) {
    free(r);
    return NULL;
  }
  if (r)
    r->fd = -1;
  return r;
}

static weir_parquet_reader *finish_open(weir_parquet_reader *r, char *err,
                                        size_t errlen) {
  if (open_common(r) == WEIR_OK)
    return r;
  report(r, err, errlen);
  weir_parquet_reader_free(r);
  return NULL;
}

weir_parquet_reader *weir_parquet_reader_open(const char *path, char *err,
                                              size_t errlen) {
  weir_parquet_reader *r = reader_new(path);
  struct stat st;
  if (!r) {
    if (err && errlen)
      snprintf(err, errlen, "%s: out of memory", path);
    return NULL;
  }
  r->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (r->fd < 0 || fstat(r->fd, &st) != 0) {
    fail(r, WEIR_ERR_IO, "cannot open: %s", strerror(errno));
    report(r, err, errlen);
    weir_parquet_reader_free(r);
    return NULL;
  }
  r->src.fd = r->fd;
  r->src.size = st.st_size;
  return finish_open(r, err, errlen);
}

weir_parquet_reader *weir_parquet_reader_open_mem(const void *data, size_t len,
                                                  const char *name, char *err,
                                                  size_t errlen) {
  weir_parquet_reader *r = reader_new(name ? name : "parquet");
  if (!r) {
    if (err && errlen)
      snprintf(err, errlen, "%s: out of memory", name ? name : "parquet");
    return NULL;
  }
  r->src.fd = -1;
  r->src.mem = data ? data : (const void *)"";
  r->src.size = (int64_t)len;
  return finish_open(r, err, errlen);
}

const weir_schema *weir_parquet_reader_schema(const weir_parquet_reader *r) {
  return r->schema;
}
int64_t weir_parquet_reader_num_rows(const weir_parquet_reader *r) {
  return r->m.num_rows;
}
int64_t weir_parquet_reader_row_groups(const weir_parquet_reader *r) {
  return r->m.nrgs;
}

void weir_parquet_reader_free(weir_parquet_reader *r) {
  if (!r)
    return;
  if (r->fd >= 0)
    close(r->fd);
  for (int i = 0; i < r->ncols; i++)
    pq_rcol_free(&r->cols[i]);
  free(r->cols);
  free(r->col_leaf);
  free(r->cur_def);
  free(r->cur_val);
  free(r->pool);
  weir_schema_free(r->schema);
  free(r->nodes);
  free(r->kidpool);
  free(r->leaf_node);
  pq_meta_free(&r->m);
  free(r->footer);
  free(r->name);
  free(r);
}

/* ---- projection
 * --------------------------------------------------------------- */

static int find_kid(const weir_parquet_reader *r, const fnode *g,
                    const char *name) {
  size_t len = strlen(name);
  int ci = -1, nci = 0;
  for (int k = 0; k < g->nkids; k++) {
    const pq_selem *e = r->nodes[g->kids[k]].e;
    if (e->name_len != len)
      continue;
    if (memcmp(e->name, name, len) == 0)
      return g->kids[k];
    if (strncasecmp((const char *)e->name, name, len) == 0) {
      ci = g->kids[k];
      nci++;
    }
  }
  return nci == 1 ? ci : -1;
}

static int add_col(weir_parquet_reader *r, int leaf) {
  for (int i = 0; i < r->ncols; i++)
    if (r->col_leaf[i] == leaf)
      return i;
  const fnode *n = &r->nodes[r->leaf_node[leaf]];
  pq_rcol *c = &r->cols[r->ncols];
  memset(c, 0, sizeof *c);
  c->ptype = n->e->type;
  c->type_length = n->e->type_length;
  c->max_def = n->def;
  r->col_leaf[r->ncols] = leaf;
  return r->ncols++;
}

static int can_read(weir_type want, weir_type file) {
  return want == file || want == WEIR_T_NULL ||
         (want == WEIR_T_FLOAT && file == WEIR_T_INT) ||
         ((want == WEIR_T_STRING || want == WEIR_T_BINARY) &&
          (file == WEIR_T_STRING || file == WEIR_T_BINARY));
}

static int project(weir_parquet_reader *r, const weir_schema *want, int g,
                   rproj *out, char *path, size_t at) {
  for (size_t i = 0; i < want->n; i++) {
    const weir_field *f = &want->fields[i];
    rproj *p = &out[i];
    size_t len =
        (size_t)snprintf(path + at, 1024 - at, "%s%s", at ? "." : "", f->name);
    size_t end = at + len < 1023 ? at + len : 1023;
    memset(p, 0, sizeof *p);
    p->want = f;
    p->col = -1;
    if (f->type == WEIR_T_ARRAY)
      return fail(r, WEIR_ERR_UNSUPPORTED,
                  "column '%s' is an array: arrays are not supported in "
                  "parquet yet",
                  path);
    p->node = find_kid(r, &r->nodes[g], f->name);
    if (p->node < 0)
      continue; /* reads as null */
    const fnode *n = &r->nodes[p->node];
    p->def = n->def;
    if (n->repeated)
      return fail(r, WEIR_ERR_UNSUPPORTED,
                  "column '%s' is a list or map (repeated) in the file: weir "
                  "has no list type",
                  path);
    if (n->leaf < 0) {
      if (f->type != WEIR_T_STRUCT && f->type != WEIR_T_NULL)
        return fail(
            r, WEIR_ERR_SCHEMA,
            "column '%s' is a struct in the file, the schema asks for %s", path,
            weir_type_name(f->type));
      if (f->type == WEIR_T_NULL) {
        p->node = -1;
        continue;
      }
      p->kids = r->pool + r->npool;
      r->npool += f->fields->n;
      if (project(r, f->fields, p->node, p->kids, path, end))
        return r->failed;
      for (size_t k = 0; k < f->fields->n && p->col < 0; k++)
        p->col = p->kids[k].col;
      if (p->col < 0) { /* nothing asked for is there: a column for presence */
        const fnode *q = n;
        while (q->leaf < 0 && q->nkids > 0 && !q->repeated)
          q = &r->nodes[q->kids[0]];
        if (q->leaf < 0 || q->repeated)
          return fail(r, WEIR_ERR_UNSUPPORTED,
                      "struct column '%s' has no plain leaf column in the file",
                      path);
        p->col = add_col(r, q->leaf);
      }
      continue;
    }
    if (f->type == WEIR_T_STRUCT)
      return fail(r, WEIR_ERR_SCHEMA,
                  "column '%s' is %s in the file, the schema asks for a struct",
                  path, n->unsup ? "not a struct" : weir_type_name(n->wtype));
    if (n->unsup)
      return fail(r, WEIR_ERR_UNSUPPORTED,
                  "column '%s' is %s: weir cannot read it", path, n->unsup);
    if (!can_read(f->type, n->wtype))
      return fail(r, WEIR_ERR_SCHEMA,
                  "column '%s' is %s in the file, the schema asks for %s", path,
                  weir_type_name(n->wtype), weir_type_name(f->type));
    p->conv = f->type == WEIR_T_NULL ? C_NULL : n->conv;
    p->k = n->k;
    p->scale = n->scale;
    p->col = add_col(r, n->leaf);
  }
  return WEIR_OK;
}

static size_t count_fields(const weir_schema *s) {
  size_t n = s->n;
  for (size_t i = 0; i < s->n; i++)
    if (s->fields[i].type == WEIR_T_STRUCT && s->fields[i].fields)
      n += count_fields(s->fields[i].fields);
  return n;
}

int weir_parquet_reader_project(weir_parquet_reader *r, const weir_schema *want,
                                char *err, size_t errlen) {
  char path[1024];
  if (r->failed)
    return report(r, err, errlen);
  if (r->projected) {
    fail(r, WEIR_ERR_STATE, "projection chosen twice");
    return report(r, err, errlen);
  }
  size_t nf = count_fields(want), nl = (size_t)(r->nleaves ? r->nleaves : 1);
  r->pool = calloc(nf ? nf : 1, sizeof *r->pool);
  r->cols = calloc(nl, sizeof *r->cols);
  r->col_leaf = calloc(nl, sizeof *r->col_leaf);
  r->cur_def = calloc(nl, sizeof *r->cur_def);
  r->cur_val = calloc(nl, sizeof *r->cur_val);
  if (!r->pool || !r->cols || !r->col_leaf || !r->cur_def || !r->cur_val) {
    fail(r, WEIR_ERR_NOMEM, "out of memory");
    return report(r, err, errlen);
  }
  r->want = want;
  r->proj = r->pool;
  r->npool = want->n;
  path[0] = 0;
  r->projected = 1;
  r->rg = -1;
  if (project(r, want, 0, r->proj, path, 0))
    return report(r, err, errlen);
  return WEIR_OK;
}

/* ---- rows -------------------------------------------------------------------
 */

static void leaf_path(const weir_parquet_reader *r, int leaf, char *out,
                      size_t n) {
  const char *names[MAX_DEPTH + 2];
  uint32_t lens[MAX_DEPTH + 2];
  int k = 0;
  for (int i = r->leaf_node[leaf]; i > 0 && k < MAX_DEPTH + 2;
       i = r->nodes[i].parent) {
    names[k] = (const char *)r->nodes[i].e->name;
    lens[k++] = r->nodes[i].e->name_len;
  }
  size_t at = 0;
  out[0] = 0;
  while (k-- > 0 && at < n)
    at += (size_t)snprintf(out + at, n - at, "%s%.*s", at ? "." : "",
                           (int)lens[k], names[k]);
}

static int start_group(weir_parquet_reader *r) {
  const pq_rowgroup *g = &r->m.rgs[r->rg];
  if ((int)g->ncols != r->nleaves)
    return fail(r, WEIR_ERR_FORMAT,
                "row group %lld has %u columns, the schema %d",
                (long long)r->rg, g->ncols, r->nleaves);
  if (g->num_rows < 0)
    return fail(r, WEIR_ERR_FORMAT, "row group %lld has no row count",
                (long long)r->rg);
  for (int i = 0; i < r->ncols; i++) {
    const pq_chunk *ch = &g->cols[r->col_leaf[i]];
    char name[512];
    leaf_path(r, r->col_leaf[i], name, sizeof name);
    if (!ch->has_meta)
      return fail(r, WEIR_ERR_UNSUPPORTED,
                  "row group %lld, column '%s': no "
                  "metadata (a chunk in another file?)",
                  (long long)r->rg, name);
    int64_t start = ch->data_page_offset;
    if (ch->dict_page_offset > 0 && ch->dict_page_offset < start)
      start = ch->dict_page_offset;
    if (ch->type != r->cols[i].ptype || start < 4 || ch->total_compressed < 0 ||
        ch->total_compressed > r->footer_start - start)
      return fail(r, WEIR_ERR_FORMAT,
                  "row group %lld, column '%s': corrupt "
                  "column chunk metadata",
                  (long long)r->rg, name);
    if (ch->num_values != g->num_rows)
      return fail(r, WEIR_ERR_FORMAT,
                  "row group %lld, column '%s': %lld values "
                  "for %lld rows",
                  (long long)r->rg, name, (long long)ch->num_values,
                  (long long)g->num_rows);
    pq_rcol_start(&r->cols[i], ch->codec, start, start + ch->total_compressed,
                  ch->num_values);
  }
  r->rg_left = g->num_rows;
  return WEIR_OK;
}

static double pow10i(int e) {
  double p = 1;
  for (int i = 0; i < e && i < 400; i++)
    p *= 10;
  return p;
}

static void put_conv(weir_builder *b, const rproj *p, const pq_val *v) {
  weir_type out = p->want->type;
  switch (p->conv) {
  case C_BOOL: weir_put_bool(b, v->i != 0); return;
  case C_INT:
  case C_UINT32: {
    int64_t i = p->conv == C_UINT32 ? (int64_t)(uint32_t)v->i : v->i;
    if (out == WEIR_T_FLOAT)
      weir_put_float(b, (double)i);
    else
      weir_put_int(b, i);
    return;
  }
  case C_FLOAT: weir_put_float(b, v->f); return;
  case C_BYTES:
    if (out == WEIR_T_STRING)
      weir_put_string(b, (const char *)v->s, v->n);
    else
      weir_put_binary(b, v->s, v->n);
    return;
  case C_TS_MUL: {
    int64_t t = (int64_t)((uint64_t)v->i * (uint64_t)p->k);
    if (out == WEIR_T_TIMESTAMP)
      weir_put_timestamp(b, t);
    else
      weir_put_int(b, t);
    return;
  }
  case C_TS_DIV: {
    int64_t t = v->i / p->k;
    if (v->i % p->k < 0)
      t--; /* floor: -1 ns is -1 µs, not 0 */
    if (out == WEIR_T_TIMESTAMP)
      weir_put_timestamp(b, t);
    else
      weir_put_int(b, t);
    return;
  }
  case C_INT96: {
    /* nanoseconds of the day (8 bytes), then the Julian day (4 bytes) */
    int64_t ns = (int64_t)pq_le64(v->s);
    int64_t day = (int64_t)pq_le32(v->s + 8) - 2440588; /* 1970-01-01 */
    int64_t us = ns / 1000 - (ns % 1000 < 0);
    weir_put_timestamp(
        b, (int64_t)((uint64_t)day * (uint64_t)US_PER_DAY + (uint64_t)us));
    return;
  }
  case C_DEC_INT: weir_put_float(b, (double)v->i / pow10i(p->scale)); return;
  case C_DEC_BYTES: {
    double d = v->n ? (double)(int8_t)v->s[0] : 0;
    for (uint32_t i = 1; i < v->n; i++)
      d = d * 256 + v->s[i];
    weir_put_float(b, d / pow10i(p->scale));
    return;
  }
  default: weir_put_null(b);
  }
}

static void emit(const weir_parquet_reader *r, weir_builder *b, const rproj *p,
                 size_t n) {
  for (size_t i = 0; i < n; i++, p++) {
    if (p->node < 0 || p->col < 0 || r->cur_def[p->col] < p->def) {
      weir_put_null(b);
    } else if (p->kids) {
      weir_put_struct(b, (uint32_t)p->want->fields->n);
      emit(r, b, p->kids, p->want->fields->n);
    } else if (r->cur_def[p->col] < r->cols[p->col].max_def) {
      weir_put_null(b);
    } else {
      put_conv(b, p, &r->cur_val[p->col]);
    }
  }
}

int64_t weir_parquet_read_batch(weir_parquet_reader *r, weir_builder *b,
                                size_t max_rows, char *err, size_t errlen) {
  char why[300], name[512];
  if (!r->projected && !r->failed &&
      weir_parquet_reader_project(r, r->schema, err, errlen) != WEIR_OK)
    return r->failed;
  if (r->failed)
    return report(r, err, errlen);
  int64_t got = 0;
  while ((size_t)got < max_rows) {
    if (r->rg_left == 0) {
      if (r->rg + 1 >= (int64_t)r->m.nrgs)
        break;
      r->rg++;
      if (start_group(r))
        return report(r, err, errlen);
      continue;
    }
    for (int i = 0; i < r->ncols; i++) {
      int rc = pq_rcol_next(&r->cols[i], &r->src, &r->cur_def[i],
                            &r->cur_val[i], why, sizeof why);
      if (rc != WEIR_OK) {
        leaf_path(r, r->col_leaf[i], name, sizeof name);
        fail(r, rc, "row group %lld, column '%s': %s", (long long)r->rg, name,
             why);
        return report(r, err, errlen);
      }
    }
    weir_row_begin(b);
    emit(r, b, r->proj, r->want->n);
    r->rg_left--;
    got++;
  }
  return got;
}
