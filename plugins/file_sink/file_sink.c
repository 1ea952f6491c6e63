/* plugins/file_sink/file_sink.c — the `file` sink: rows of each epoch go to
 * part files in a folder (json lines or csv), and the epoch is committed by
 * an entry in the folder's `_weir_log` listing them (weir/files.h). Parquet
 * part files are written by the SDK's module (weir/parquet.h): one writer
 * per part file, closed (footer written) before the epoch's log commit.
 * A part file no entry lists is invisible to readers, and an epoch already in
 * the log is skipped when it is re-run after a crash: exactly-once output.
 * Append mode only (SEMANTICS.md, Sinks). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weir/parquet.h"
#include "weir/weir.h"

enum { FMT_JSON = 0, FMT_CSV = 1, FMT_PARQUET = 2 };

typedef struct fs_config {
  const char *path;
  int format;
  int header;
  const char *sep;
  int64_t max_records_per_file;
  int64_t compact_every;
  int compression;
  int64_t row_group_size;
} fs_config;

static const char *const formats[] = {"json", "csv", "parquet", NULL};

static const weir_option fs_options[] = {
    {"path", WEIR_OPT_STRING, NULL, WEIR_OPT_REQUIRED, 0, 0, NULL,
     "output folder (created if missing)", offsetof(fs_config, path)},
    {"format", WEIR_OPT_ENUM, "json", 0, 0, 0, formats,
     "json (one object per line, nulls omitted as Spark), csv or parquet",
     offsetof(fs_config, format)},
    {"header", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL,
     "csv: write a header line in each file", offsetof(fs_config, header)},
    {"sep", WEIR_OPT_STRING, ",", 0, 0, 0, NULL, "csv: field separator",
     offsetof(fs_config, sep)},
    {"max_records_per_file", WEIR_OPT_INT, "0", 0, 0, 9.2e18, NULL,
     "start a new part file after this many rows (0: one file per epoch)",
     offsetof(fs_config, max_records_per_file)},
    {"compact_every", WEIR_OPT_INT, "10", 0, 1, 1e6, NULL,
     "compact the _weir_log every N epochs",
     offsetof(fs_config, compact_every)},
    {"compression", WEIR_OPT_ENUM, "snappy", 0, 0, 0, weir_parquet_codecs,
     "parquet: none, snappy (Spark's default), zstd or gzip",
     offsetof(fs_config, compression)},
    {"row_group_size", WEIR_OPT_INT, "131072", 0, 1, 9.2e18, NULL,
     "parquet: rows per row group (in rows, not bytes as Spark's "
     "parquet.block.size: weir knows rows before it knows their size)",
     offsetof(fs_config, row_group_size)},
    WEIR_OPTIONS_END};

typedef struct file_sink {
  const fs_config *cfg;
  const weir_schema *schema;
  weir_sink_log log; /* as committed so far */
  int64_t epoch;
  int skip;                /* this epoch is already in the log */
  FILE *out;               /* the open part file, or NULL */
  weir_parquet_writer *pq; /* format = parquet: the part file's writer */
  weir_builder pq_rows;    /* a batch's rows cut at max_records_per_file */
  weir_sink_file *files;   /* this epoch's part files */
  size_t nfiles;
  int64_t rows_in_file;
  weir_buf line;
  weir_value *cols;
} file_sink;

static void fs_destroy(void *self) {
  file_sink *s = self;
  if (!s)
    return;
  if (s->out)
    fclose(s->out);
  weir_parquet_writer_free(s->pq);
  weir_builder_free(&s->pq_rows);
  for (size_t i = 0; i < s->nfiles; i++)
    free(s->files[i].path);
  free(s->files);
  weir_sink_log_free(&s->log);
  weir_buf_free(&s->line);
  free(s->cols);
  free(s);
}

static int fs_create(weir_ctx *ctx, const void *config, weir_create_args *a,
                     void **self) {
  const fs_config *cfg = config;
  char err[512];
  if (cfg->format == FMT_CSV) {
    for (size_t i = 0; i < a->input->n; i++) {
      if (a->input->fields[i].type == WEIR_T_STRUCT)
        return weir_error(ctx, WEIR_ERR_SCHEMA,
                          "csv cannot hold struct column '%s': select its "
                          "fields (e.g. %s.start) or use format = json",
                          a->input->fields[i].name, a->input->fields[i].name);
      /* Spark: "CSV data source does not support array<string> data
       * type". */
      if (a->input->fields[i].type == WEIR_T_ARRAY)
        return weir_error(ctx, WEIR_ERR_SCHEMA,
                          "csv cannot hold array column '%s' (Spark's CSV "
                          "has no array type): explode it in a select or "
                          "use format = json",
                          a->input->fields[i].name);
    }
    if (strlen(cfg->sep) != 1)
      return weir_error(ctx, WEIR_ERR_INVALID,
                        "sep must be one character, not '%s'", cfg->sep);
  }
  if (cfg->format == FMT_PARQUET &&
      weir_parquet_check_schema(a->input, err, sizeof err) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_UNSUPPORTED,
                      "%s (use format = json, or explode it in a select)", err);
  if (weir_mkdir_p(cfg->path, err, sizeof err) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_IO, "%s", err);
  file_sink *s = calloc(1, sizeof *s);
  if (!s ||
      !(s->cols = calloc(a->input->n ? a->input->n : 1, sizeof *s->cols))) {
    free(s);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  s->cfg = cfg;
  s->schema = a->input;
  if (cfg->format == FMT_PARQUET &&
      weir_builder_init(&s->pq_rows, a->input) != WEIR_OK) {
    fs_destroy(s);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  if (weir_sink_log_read(cfg->path, &s->log, err, sizeof err) != WEIR_OK) {
    fs_destroy(s);
    return weir_error(ctx, WEIR_ERR_FORMAT, "%s", err);
  }
  *self = s;
  return WEIR_OK;
}

static int fs_epoch_begin(void *self, weir_ctx *ctx) {
  file_sink *s = self;
  s->epoch = weir_epoch(ctx).epoch;
  s->skip = s->log.present && s->epoch <= s->log.last_epoch;
  if (s->skip)
    weir_log(ctx, WEIR_LOG_INFO,
             "epoch %" PRId64 " is already committed in %s/_weir_log: "
             "skipping its rows",
             s->epoch, s->cfg->path);
  return WEIR_OK;
}

static int open_part(file_sink *s, weir_ctx *ctx) {
  char name[64], path[4200];
  /* Deterministic names: a re-run of a crashed epoch overwrites its own
   * uncommitted files instead of leaving more behind. */
  snprintf(name, sizeof name, "part-%08" PRId64 "-%04zu.%s", s->epoch,
           s->nfiles, formats[s->cfg->format]);
  snprintf(path, sizeof path, "%s/%s", s->cfg->path, name);
  weir_sink_file *f = realloc(s->files, (s->nfiles + 1) * sizeof *f);
  if (!f)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  s->files = f;
  s->out = fopen(path, "wb");
  if (!s->out)
    return weir_error(ctx, WEIR_ERR_IO, "%s: cannot create: %s", path,
                      strerror(errno));
  f[s->nfiles].path = strdup(name);
  f[s->nfiles].size = 0;
  f[s->nfiles].rows = 0;
  f[s->nfiles].epoch = s->epoch;
  s->nfiles++;
  s->rows_in_file = 0;
  if (s->cfg->format == FMT_PARQUET) {
    char err[512];
    weir_parquet_options o = WEIR_PARQUET_OPTIONS_INIT;
    o.compression = s->cfg->compression;
    o.row_group_size = s->cfg->row_group_size;
    s->pq =
        weir_parquet_writer_new(s->out, path, s->schema, &o, err, sizeof err);
    if (!s->pq)
      return weir_error(ctx, WEIR_ERR_IO, "%s", err);
  }
  if (s->cfg->format == FMT_CSV && s->cfg->header) {
    for (size_t i = 0; i < s->schema->n; i++) {
      if (i)
        fputc(s->cfg->sep[0], s->out);
      fputs(s->schema->fields[i].name, s->out);
    }
    fputc('\n', s->out);
  }
  return WEIR_OK;
}

static int close_part(file_sink *s, weir_ctx *ctx) {
  if (!s->out)
    return WEIR_OK;
  weir_sink_file *f = &s->files[s->nfiles - 1];
  if (s->pq) { /* the footer first: the file is complete once it is there */
    char err[512];
    int rc = weir_parquet_writer_close(s->pq, NULL, err, sizeof err);
    weir_parquet_writer_free(s->pq);
    s->pq = NULL;
    if (rc != WEIR_OK) {
      fclose(s->out);
      s->out = NULL;
      return weir_error(ctx, rc, "%s", err);
    }
  }
  int bad = fflush(s->out) != 0 || fsync(fileno(s->out)) != 0;
  long size = ftell(s->out);
  bad |= fclose(s->out) != 0;
  s->out = NULL;
  if (bad)
    return weir_error(ctx, WEIR_ERR_IO, "%s/%s: cannot write: %s", s->cfg->path,
                      f->path, strerror(errno));
  f->size = size;
  f->rows = s->rows_in_file;
  return WEIR_OK;
}

/* CSV text of one value, quoted when it holds the separator, a quote or a
 * line break (RFC 4180; Spark's defaults). Null is an empty field. */
static void csv_value(weir_buf *b, const weir_field *fl, const weir_value *v,
                      char sep) {
  char tmp[64];
  const char *s = tmp;
  size_t n = 0;
  switch (v->type) {
  case WEIR_T_NULL: return;
  case WEIR_T_BOOL:
    s = v->v.b ? "true" : "false";
    n = strlen(s);
    break;
  case WEIR_T_INT:
    n = (size_t)snprintf(tmp, sizeof tmp, "%" PRId64, v->v.i);
    break;
  case WEIR_T_FLOAT:
    n = (size_t)weir_format_double(v->v.f, 1, tmp, sizeof tmp);
    break;
  case WEIR_T_TIMESTAMP:
    n = (size_t)weir_format_timestamp(v->v.ts, WEIR_TS_ISO, tmp, sizeof tmp);
    break;
  case WEIR_T_STRING:
  case WEIR_T_BINARY:
    s = v->v.s.ptr;
    n = v->v.s.len;
    break;
  default: return;
  }
  (void)fl;
  int quote = n == 0 && v->type == WEIR_T_STRING;
  for (size_t i = 0; i < n && !quote; i++)
    quote = s[i] == sep || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
  if (!quote) {
    weir_buf_append(b, s, n);
    return;
  }
  weir_buf_lit(b, "\"");
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"')
      weir_buf_lit(b, "\"");
    weir_buf_append(b, s + i, 1);
  }
  weir_buf_lit(b, "\"");
}

static void json_line(weir_buf *b, const weir_schema *sc, const weir_value *c) {
  int first = 1;
  weir_buf_lit(b, "{");
  for (size_t i = 0; i < sc->n; i++) {
    if (c[i].type == WEIR_T_NULL)
      continue; /* Spark's ignoreNullFields default */
    if (!first)
      weir_buf_lit(b, ",");
    first = 0;
    weir_json_string(b, sc->fields[i].name, strlen(sc->fields[i].name));
    weir_buf_lit(b, ":");
    weir_json_value(b, &sc->fields[i], &c[i]);
  }
  weir_buf_lit(b, "}\n");
}

/* Rotates to a new part file when there is none or the current one is full. */
static int ensure_part(file_sink *s, weir_ctx *ctx) {
  if (s->out && !(s->cfg->max_records_per_file > 0 &&
                  s->rows_in_file >= s->cfg->max_records_per_file))
    return WEIR_OK;
  int e = close_part(s, ctx);
  return e == WEIR_OK ? open_part(s, ctx) : e;
}

static int pq_write(file_sink *s, weir_ctx *ctx, const weir_batch *b) {
  char err[512];
  int rc = weir_parquet_write_batch(s->pq, b, err, sizeof err);
  if (rc != WEIR_OK)
    return weir_error(ctx, rc, "%s", err);
  s->rows_in_file += b->nrows;
  return WEIR_OK;
}

/* Parquet: whole batches go to the writer; only a batch that crosses
 * max_records_per_file is cut, its rows copied through undecoded. */
static int pq_process(file_sink *s, weir_ctx *ctx, const weir_batch *batch) {
  int64_t max = s->cfg->max_records_per_file;
  int rc = ensure_part(s, ctx);
  if (rc != WEIR_OK)
    return rc;
  if (max <= 0 || s->rows_in_file + batch->nrows <= max)
    return pq_write(s, ctx, batch);
  weir_reader r;
  if (weir_reader_open(&r, batch->data, batch->len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_FORMAT, "malformed input batch");
  weir_builder_reset(&s->pq_rows);
  while ((rc = weir_reader_next(&r, s->cols, s->schema->n)) == 1) {
    weir_put_row_raw(&s->pq_rows, r.row_raw, r.row_len);
    if (s->rows_in_file + s->pq_rows.nrows >= max || r.row == r.nrows) {
      weir_batch sub = {NULL, 0, s->pq_rows.nrows, s->schema};
      if (weir_builder_finish(&s->pq_rows, &sub.data, &sub.len) != WEIR_OK)
        return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
      if ((rc = pq_write(s, ctx, &sub)) != WEIR_OK)
        return rc;
      weir_builder_reset(&s->pq_rows);
      if (r.row < r.nrows && (rc = ensure_part(s, ctx)) != WEIR_OK)
        return rc;
    }
  }
  return rc < 0 ? weir_error(ctx, WEIR_ERR_FORMAT, "malformed input batch")
                : WEIR_OK;
}

static int fs_process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  file_sink *s = self;
  if (s->skip || batch->nrows == 0)
    return WEIR_OK;
  if (s->cfg->format == FMT_PARQUET)
    return pq_process(s, ctx, batch);
  weir_reader r;
  if (weir_reader_open(&r, batch->data, batch->len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_FORMAT, "malformed input batch");
  int rc;
  while ((rc = weir_reader_next(&r, s->cols, s->schema->n)) == 1) {
    if (!s->out || (s->cfg->max_records_per_file > 0 &&
                    s->rows_in_file >= s->cfg->max_records_per_file)) {
      int e = close_part(s, ctx);
      if (e == WEIR_OK)
        e = open_part(s, ctx);
      if (e != WEIR_OK)
        return e;
    }
    weir_buf_clear(&s->line);
    if (s->cfg->format == FMT_JSON) {
      json_line(&s->line, s->schema, s->cols);
    } else {
      for (size_t i = 0; i < s->schema->n; i++) {
        if (i)
          weir_buf_append(&s->line, s->cfg->sep, 1);
        csv_value(&s->line, &s->schema->fields[i], &s->cols[i], s->cfg->sep[0]);
      }
      weir_buf_lit(&s->line, "\n");
    }
    if (s->line.err)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    if (fwrite(s->line.data, 1, s->line.len, s->out) != s->line.len)
      return weir_error(ctx, WEIR_ERR_IO, "%s: cannot write: %s", s->cfg->path,
                        strerror(errno));
    s->rows_in_file++;
  }
  return rc < 0 ? weir_error(ctx, WEIR_ERR_FORMAT, "malformed input batch")
                : WEIR_OK;
}

static int fs_epoch_end(void *self, weir_ctx *ctx) {
  file_sink *s = self;
  char err[512];
  int rc = close_part(s, ctx);
  if (rc == WEIR_OK && !s->skip) {
    if (weir_sink_log_commit(s->cfg->path, &s->log, s->epoch, s->files,
                             s->nfiles, (int)s->cfg->compact_every, err,
                             sizeof err) != WEIR_OK)
      rc = weir_error(ctx, WEIR_ERR_IO, "%s", err);
    else {
      /* Keep our view of the log current without re-reading it. */
      s->log.present = 1;
      s->log.last_epoch = s->epoch;
      if (s->nfiles) { /* an empty epoch adds nothing (realloc(p, 0) frees) */
        weir_sink_file *all =
            realloc(s->log.files, (s->log.n + s->nfiles) * sizeof *all);
        if (!all)
          return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
        s->log.files = all;
        memcpy(all + s->log.n, s->files, s->nfiles * sizeof *all);
        s->log.n += s->nfiles;
      }
      s->nfiles = 0; /* paths now owned by the log */
    }
  }
  for (size_t i = 0; i < s->nfiles; i++)
    free(s->files[i].path);
  s->nfiles = 0;
  return rc;
}

static const weir_plugin file_sink_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_SINK,
    .name = "file",
    .version = "0.1.0",
    .description =
        "part files per epoch (json lines, csv, parquet) committed through "
        "a _weir_log: exactly-once",
    .options = fs_options,
    .config_size = sizeof(fs_config),
    .output_modes = WEIR_MODE_APPEND,
    .create = fs_create,
    .destroy = fs_destroy,
    .epoch_begin = fs_epoch_begin,
    .process = fs_process,
    .epoch_end = fs_epoch_end,
};

WEIR_PLUGIN(file_sink_plugin)
