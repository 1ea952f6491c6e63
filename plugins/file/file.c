/* plugins/file/file.c — the `file` source: rows from the files of a folder
 * (or a glob) as they arrive, in json lines, csv or text, as Spark's file
 * stream source (FileStreamSource).
 *
 * Epochs. Each plan lists the folder once (Spark: one listing per trigger),
 * keeps the files it has not taken yet, orders them oldest modification
 * time first (ties by path; latest_first reverses) and takes as many as
 * max_files_per_trigger / max_bytes_per_trigger allow, at least one. When
 * a limit leaves files over, they are kept for the next plans without a new
 * listing (Spark's unreadFiles cache, dropped when what is left is under a
 * fifth of the limit, so new arrivals are not starved).
 *
 * Offsets. An epoch's end offset is {"logOffset": N, "files": [[path, size,
 * mtime_us], ...]}: the epoch's own file list, so a replay reads exactly
 * the same files, and of a plain file exactly the same bytes (`size`), even
 * if it grew since. Files taken are remembered in the keyed-state store
 * "seen" (path → [mtime_us, size]), which the runtime checkpoints, so a file
 * is never read twice across restarts. As Spark's SeenFilesMap, entries
 * older than max_file_age before the newest file seen are purged, and files
 * that old are no longer new; the first epoch of a query takes them all.
 *
 * A folder written by a file sink (with its _weir_log) yields only the
 * files that log lists: the others are attempts that crashed (Spark's
 * _spark_metadata rule).
 *
 * Reading streams every file through a bounded line reader (lines.h) and
 * turns each line into a row (records.h); batches hold at most
 * max_batch_rows rows. clean_source archives or deletes an epoch's files in
 * acknowledge(), which the runtime calls only after the epoch is committed.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weir/files.h"
#include "weir/parquet.h"
#include "weir/weir.h"

#include "catalog.h"
#include "lines.h"
#include "listing.h"
#include "records.h"
#include "tsparse.h"

#define DEFAULT_BATCH_ROWS 4096
#define BATCH_BYTES (8u << 20)    /* emit before a batch grows past this */
#define READ_BUFFER (1u << 20)    /* the line reader's buffer */
#define LOG_MALFORMED_PER_FILE 10 /* then one summary line per file */
#define DISCARD_RATIO 0.2         /* Spark's DISCARD_UNSEEN_FILES_RATIO */
#define I64_MAX_D 9223372036854775807.0

enum { CLEAN_OFF = 0, CLEAN_ARCHIVE = 1, CLEAN_DELETE = 2 };

typedef struct file_config {
  const char *path;
  int format;
  const weir_schema *schema;
  int header;
  const char *sep, *quote, *escape, *null_value, *timestamp_format;
  int mode;
  const char *corrupt_column;
  int latest_first;
  int64_t max_files_per_trigger, max_bytes_per_trigger, max_file_age;
  int clean_source;
  const char *source_archive_dir;
  int64_t max_record_size;
} file_config;

typedef struct file_src {
  char *path; /* absolute */
  char *archive_dir;
  int format, mode, header, latest_first, clean;
  int64_t max_files, max_bytes, max_age, max_record;
  weir_schema *schema; /* own copy: the builder borrows it */
  records *rec;
  weir_builder builder;
  int64_t batch_rows;
  seen_files seen; /* files taken, in keyed state */
  file_list cache; /* listed, not taken yet (Spark's unreadFiles) */
  int has_cap;     /* available-now: only files of this listing */
  file_list avail;
  int64_t malformed; /* this read's count, reported as a metric */
} file_src;

static const char *const formats[] = {"json", "csv", "text", "parquet", NULL};
static const char *const modes[] = {"PERMISSIVE", "DROPMALFORMED", "FAILFAST",
                                    NULL};
static const char *const cleans[] = {"off", "archive", "delete", NULL};

static const weir_option file_options[] = {
    {"path", WEIR_OPT_STRING, NULL, WEIR_OPT_REQUIRED, 0, 0, NULL,
     "folder to watch, or a glob (data/*.json, logs/{a,b}/*.csv)",
     offsetof(file_config, path)},
    {"format", WEIR_OPT_ENUM, NULL, WEIR_OPT_REQUIRED, 0, 0, formats,
     "json (one object per line), csv, text (one row per line) or parquet",
     offsetof(file_config, format)},
    {"schema", WEIR_OPT_SCHEMA, NULL, 0, 0, 0, NULL,
     "columns in Spark DDL (required for json and csv; text is value STRING)",
     offsetof(file_config, schema)},
    {"header", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL,
     "csv: the first line of each file names the columns and is skipped",
     offsetof(file_config, header)},
    {"sep", WEIR_OPT_STRING, ",", 0, 0, 0, NULL,
     "csv: field separator, one character; \\t for a tab, \\; or \";\" for ; "
     "(a "
     "bare ; starts an INI comment)",
     offsetof(file_config, sep)},
    {"quote", WEIR_OPT_STRING, "\"", 0, 0, 0, NULL,
     "csv: quote character; empty turns quoting off",
     offsetof(file_config, quote)},
    {"escape", WEIR_OPT_STRING, "\\", 0, 0, 0, NULL,
     "csv: escapes a quote inside a quoted field",
     offsetof(file_config, escape)},
    {"null_value", WEIR_OPT_STRING, "", 0, 0, 0, NULL,
     "csv: a field with exactly this text is null (default: empty fields)",
     offsetof(file_config, null_value)},
    {"timestamp_format", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "format of TIMESTAMP fields, strftime-like (%Y-%m-%d %H:%M:%S%z, %f: "
     "fraction); default ISO-8601 or epoch seconds",
     offsetof(file_config, timestamp_format)},
    {"mode", WEIR_OPT_ENUM, "PERMISSIVE", 0, 0, 0, modes,
     "malformed lines: PERMISSIVE (bad fields null, line in "
     "_corrupt_record), DROPMALFORMED, FAILFAST",
     offsetof(file_config, mode)},
    {"column_name_of_corrupt_record", WEIR_OPT_STRING, "_corrupt_record", 0, 0,
     0, NULL, "the STRING column that receives malformed lines (PERMISSIVE)",
     offsetof(file_config, corrupt_column)},
    {"latest_first", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL,
     "take the newest files first (when catching up on a backlog)",
     offsetof(file_config, latest_first)},
    {"max_files_per_trigger", WEIR_OPT_INT, "0", 0, 0, I64_MAX_D, NULL,
     "at most this many files per epoch (0: no limit)",
     offsetof(file_config, max_files_per_trigger)},
    {"max_bytes_per_trigger", WEIR_OPT_SIZE, "0", 0, 0, I64_MAX_D, NULL,
     "at most this many bytes of files per epoch, but at least one file (0: "
     "no limit)",
     offsetof(file_config, max_bytes_per_trigger)},
    {"max_file_age", WEIR_OPT_DURATION, "7 days", 0, 0, 0, NULL,
     "files older than this before the newest file seen are ignored (not in "
     "the first epoch)",
     offsetof(file_config, max_file_age)},
    {"clean_source", WEIR_OPT_ENUM, "off", 0, 0, 0, cleans,
     "after an epoch is committed: off, archive (to source_archive_dir) or "
     "delete its files",
     offsetof(file_config, clean_source)},
    {"source_archive_dir", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "clean_source = archive: files move here, under their full path",
     offsetof(file_config, source_archive_dir)},
    {"max_record_size", WEIR_OPT_SIZE, "16 MiB", 0, 1024, I64_MAX_D, NULL,
     "a longer line is a malformed record (bounds the memory per line; "
     "beyond Spark)",
     offsetof(file_config, max_record_size)},
    WEIR_OPTIONS_END};

/* ---- offsets and seen files (catalog.h) ---------------------------------- */

static int bad_offset(weir_ctx *ctx, int rc) {
  if (rc == WEIR_ERR_NOMEM)
    return weir_error(ctx, rc, "out of memory");
  return weir_error(ctx, WEIR_ERR_FORMAT,
                    "malformed file source offset: expected {\"logOffset\": "
                    "N, \"files\": [[path, size, mtime_us], ...]}");
}

static int read_offset(weir_ctx *ctx, const weir_offset *o, int64_t *seq,
                       file_list *out) {
  int rc = offset_read(o->data, o->len, seq, out);
  return rc == WEIR_OK ? rc : bad_offset(ctx, rc);
}

/* ---- create / destroy ---------------------------------------------------- */

static void make_nullable(weir_schema *s) {
  for (size_t i = 0; s && i < s->n; i++) {
    s->fields[i].nullable = true;
    make_nullable(s->fields[i].fields);
  }
}

static void file_destroy(void *self) {
  file_src *f = self;
  if (!f)
    return;
  records_free(f->rec);
  weir_builder_free(&f->builder);
  weir_schema_free(f->schema);
  file_list_free(&f->cache);
  file_list_free(&f->avail);
  free(f->path);
  free(f->archive_dir);
  free(f);
}

/* An absolute version of a path given relative to the working folder, so
 * offsets and archived paths do not depend on where weir was started. */
static char *absolute(const char *p) {
  if (p[0] == '/')
    return strdup(p);
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd))
    return NULL;
  size_t n = strlen(cwd) + strlen(p) + 2;
  char *s = malloc(n);
  if (s)
    snprintf(s, n, "%s/%s", cwd, p[0] == '.' && p[1] == '/' ? p + 2 : p);
  return s;
}

static int check_options(weir_ctx *ctx, const file_config *c, csv_opts *csv) {
  char err[512];
  if (c->format == FMT_JSON && !records_json_available())
    return weir_error(ctx, WEIR_ERR_UNSUPPORTED,
                      "format = json needs the SDK's JSON parser "
                      "(weir/jsonparse.h), which this build does not have "
                      "yet; use csv or text");
  if (!c->schema && c->format != FMT_TEXT)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "schema is required for format = %s (e.g. schema = "
                      "id BIGINT, name STRING, ts TIMESTAMP)",
                      formats[c->format]);
  if (csv_char_option(c->sep, &csv->sep) != 0 || csv->sep < 0)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "sep must be one character (or \\t), got '%s'", c->sep);
  if (csv_char_option(c->quote, &csv->quote) != 0)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "quote must be one character or empty, got '%s'",
                      c->quote);
  if (csv_char_option(c->escape, &csv->escape) != 0)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "escape must be one character or empty, got '%s'",
                      c->escape);
  if (csv->quote >= 0 && csv->quote == csv->sep)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "sep and quote are the same character");
  if (c->timestamp_format &&
      ts_format_check(c->timestamp_format, err, sizeof err) != 0)
    return weir_error(ctx, WEIR_ERR_INVALID, "%s", err);
  if (c->max_file_age <= 0)
    return weir_error(ctx, WEIR_ERR_INVALID, "max_file_age must be positive");
  if (c->clean_source == CLEAN_ARCHIVE &&
      (!c->source_archive_dir || !*c->source_archive_dir))
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "clean_source = archive needs source_archive_dir");
  if (c->clean_source != CLEAN_ARCHIVE && c->source_archive_dir)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "source_archive_dir is only used with clean_source = "
                      "archive");
  return WEIR_OK;
}

static int file_create(weir_ctx *ctx, const void *config,
                       weir_create_args *args, void **self) {
  const file_config *c = config;
  csv_opts csv;
  char err[512];
  int rc = check_options(ctx, c, &csv);
  if (rc != WEIR_OK)
    return rc;

  file_src *f = calloc(1, sizeof *f);
  if (!f)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  f->seen.newest = f->seen.purge_before = INT64_MIN;
  f->format = c->format;
  f->mode = c->mode;
  f->header = c->format == FMT_CSV && c->header;
  f->latest_first = c->latest_first;
  f->clean = c->clean_source;
  f->max_files = c->max_files_per_trigger;
  f->max_bytes = c->max_bytes_per_trigger;
  f->max_record = c->max_record_size;
  /* Spark ignores maxFileAge when latestFirst takes files in batches:
   * valid old files could otherwise be aged out before their turn. */
  f->max_age = c->latest_first && (f->max_files > 0 || f->max_bytes > 0)
                   ? 0
                   : c->max_file_age;
  f->path = absolute(c->path);
  if (!f->path || (c->source_archive_dir &&
                   !(f->archive_dir = absolute(c->source_archive_dir)))) {
    file_destroy(f);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }

  if (!path_is_glob(f->path)) {
    struct stat st;
    if (stat(f->path, &st) != 0 || !S_ISDIR(st.st_mode)) {
      rc = weir_error(ctx, WEIR_ERR_NOTFOUND,
                      "path %s %s (a folder to watch, or a glob)", f->path,
                      errno == ENOENT ? "does not exist" : "is not a folder");
      file_destroy(f);
      return rc;
    }
  }
  if (f->archive_dir && strcmp(f->archive_dir, "/") == 0) {
    file_destroy(f);
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "source_archive_dir cannot be /: archived files would "
                      "stay where they are");
  }
  if (f->archive_dir && strcmp(f->archive_dir, f->path) == 0) {
    file_destroy(f);
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "source_archive_dir must not be the source folder");
  }

  if (c->schema)
    f->schema = weir_schema_copy(c->schema);
  else if ((f->schema = weir_schema_new()) &&
           weir_schema_add(f->schema, "value", WEIR_T_STRING, true, NULL)) {
    weir_schema_free(f->schema);
    f->schema = NULL;
  }
  /* Spark reads files with every column nullable: a missing field or a
   * PERMISSIVE null must fit. */
  make_nullable(f->schema);
  weir_schema *out = f->schema ? weir_schema_copy(f->schema) : NULL;
  if (!out || weir_builder_init(&f->builder, f->schema) != WEIR_OK) {
    weir_schema_free(out);
    file_destroy(f);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  records_cfg rc_cfg = {c->format,          c->mode, f->schema,
                        c->corrupt_column,  csv,     c->null_value,
                        c->timestamp_format};
  if (c->format == FMT_PARQUET &&
      weir_parquet_check_schema(f->schema, err, sizeof err) != WEIR_OK) {
    weir_schema_free(out);
    file_destroy(f);
    return weir_error(ctx, WEIR_ERR_UNSUPPORTED,
                      "%s (read the files with format = json)", err);
  }
  /* Parquet files carry their own structure: no line records. */
  if (c->format != FMT_PARQUET &&
      !(f->rec = records_new(&rc_cfg, err, sizeof err))) {
    weir_schema_free(out);
    file_destroy(f);
    return weir_error(ctx, WEIR_ERR_INVALID, "%s", err);
  }
  f->seen.max_age = f->max_age;
  if (!(f->seen.store = weir_state_open(ctx, "seen", 1))) {
    weir_schema_free(out);
    file_destroy(f);
    return WEIR_ERR_UNSUPPORTED; /* the message is set */
  }
  int64_t rows = 0;
  if (args->struct_size >=
      offsetof(weir_create_args, max_batch_rows) + sizeof args->max_batch_rows)
    rows = args->max_batch_rows;
  f->batch_rows = rows > 0 && rows <= UINT32_MAX ? rows : DEFAULT_BATCH_ROWS;
  args->output = out;
  *self = f;
  return WEIR_OK;
}

/* ---- plan ---------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A folder a file sink writes holds its log (_weir_log, Spark's
 * _spark_metadata): then only the files it committed are data; the others
 * are attempts that crashed. As Spark, only for a folder path, not a glob. */
static int keep_committed(file_src *f, weir_ctx *ctx, file_list *all) {
  weir_sink_log log;
  char err[512];
  if (path_is_glob(f->path))
    return WEIR_OK;
  int rc = weir_sink_log_read(f->path, &log, err, sizeof err);
  if (rc != WEIR_OK)
    return weir_error(ctx, rc, "%s", err);
  const char **names = log.present ? calloc(log.n + 1, sizeof *names) : NULL;
  if (log.present && !names) {
    weir_sink_log_free(&log);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  if (log.present) {
    size_t dl = strlen(f->path), k = 0;
    for (size_t i = 0; i < log.n; i++)
      names[i] = log.files[i].path;
    qsort(names, log.n, sizeof *names, cmp_str);
    for (size_t i = 0; i < all->n; i++) {
      const char *rel = all->v[i].path + dl + 1;
      if (log.n && bsearch(&rel, names, log.n, sizeof *names, cmp_str))
        all->v[k++] = all->v[i];
      else
        free(all->v[i].path);
    }
    all->n = k;
  }
  free(names);
  weir_sink_log_free(&log);
  return WEIR_OK;
}

/* One listing of the source's files. */
static int list_source(file_src *f, weir_ctx *ctx, file_list *all) {
  char err[512];
  if (list_files(f->path, all, err, sizeof err) != 0)
    return weir_error(ctx, WEIR_ERR_IO, "%s", err);
  return keep_committed(f, ctx, all);
}

/* Moves the entries of all that are new to out, keeping their order. */
static void keep_new(file_src *f, file_list *all, file_list *out) {
  size_t k = 0;
  for (size_t i = 0; i < all->n; i++) {
    if (seen_is_new(&f->seen, &all->v[i]))
      all->v[k++] = all->v[i];
    else
      free(all->v[i].path);
  }
  all->n = k;
  file_list_free(out);
  *out = *all;
  *all = (file_list){0};
}

/* Files kept in a list since it was made may have changed: refresh the
 * size and time logged for the first k, and drop those that are gone. */
static void restat(weir_ctx *ctx, file_list *l, size_t k) {
  for (size_t i = 0; i < k && i < l->n;) {
    struct stat st;
    if (stat(l->v[i].path, &st) != 0) {
      weir_log(ctx, WEIR_LOG_WARN, "%s disappeared before it was read; skipped",
               l->v[i].path);
      free(l->v[i].path);
      memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof *l->v);
      l->n--;
      continue;
    }
    l->v[i].size = (int64_t)st.st_size;
    l->v[i].mtime_us =
        (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
    i++;
  }
}

/* Takes the next epoch's files from the front of a sorted list of new
 * files and removes them from it; 0 when there are none. Only the front
 * can have aged out since the list was made (it is oldest first; with
 * latest_first and a limit, age is ignored), so the list is consumed in
 * O(taken), never filtered whole again: a backlog of N files under
 * max_files_per_trigger costs O(N), not O(N^2). */
static size_t take_front(file_src *f, weir_ctx *ctx, file_list *l, int fresh,
                         weir_buf *end, int64_t seq) {
  size_t skip = 0;
  while (skip < l->n && !seen_is_new(&f->seen, &l->v[skip]))
    skip++;
  file_list_drop_front(l, skip);
  size_t k = take_files(l, f->max_files, f->max_bytes);
  if (!fresh && k > 0) {
    restat(ctx, l, k);
    k = take_files(l, f->max_files, f->max_bytes);
  }
  if (k > 0) {
    offset_write(end, seq + 1, l->v, k);
    file_list_drop_front(l, k);
  }
  return k;
}

/* Spark's DISCARD_UNSEEN_FILES_RATIO: a remainder under a fifth of the
 * limit is not worth keeping instead of looking for new files. */
static int worth_keeping(const file_src *f, const file_list *l) {
  if (l->n == 0 || f->latest_first)
    return 0;
  if (f->max_files > 0)
    return (double)l->n >= (double)f->max_files * DISCARD_RATIO;
  int64_t left = 0;
  for (size_t i = 0; i < l->n; i++)
    left += l->v[i].size;
  return f->max_bytes > 0 &&
         (double)left >= (double)f->max_bytes * DISCARD_RATIO;
}

static int file_plan(void *self, weir_ctx *ctx, const weir_offset *start,
                     weir_buf *end, int *has_data) {
  file_src *f = self;
  int64_t seq = -1;
  size_t k = 0;
  *has_data = 0;
  if (start->len > 0 &&
      weir_map_int(start->data, start->len, "logOffset", &seq) != 1)
    return bad_offset(ctx, WEIR_ERR_FORMAT);
  seen_load(&f->seen);
  if (f->has_cap) { /* available-now: only what was there at start */
    k = take_front(f, ctx, &f->avail, 0, end, seq);
  } else {
    if (f->cache.n > 0) /* a backlog from an earlier listing */
      k = take_front(f, ctx, &f->cache, 0, end, seq);
    if (k == 0) { /* one listing per trigger */
      file_list all = {0};
      int rc = list_source(f, ctx, &all);
      if (rc != WEIR_OK) {
        file_list_free(&all);
        return rc;
      }
      keep_new(f, &all, &f->cache);
      file_list_sort(&f->cache, f->latest_first);
      k = take_front(f, ctx, &f->cache, 1, end, seq);
    }
    if (!worth_keeping(f, &f->cache))
      file_list_free(&f->cache);
  }
  if (end->err)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  *has_data = k > 0; /* else end stays empty: nothing new */
  return WEIR_OK;
}

static int file_prepare_available_now(void *self, weir_ctx *ctx) {
  file_src *f = self;
  file_list all = {0};
  int rc = list_source(f, ctx, &all);
  if (rc != WEIR_OK) {
    file_list_free(&all);
    return rc;
  }
  seen_load(&f->seen);
  keep_new(f, &all, &f->avail);
  file_list_sort(&f->avail, f->latest_first);
  f->has_cap = 1;
  return WEIR_OK;
}

/* ---- read ---------------------------------------------------------------- */

static int flush_batch(file_src *f, weir_ctx *ctx) {
  const uint8_t *data;
  size_t len;
  if (f->builder.nrows == 0)
    return WEIR_OK;
  if (weir_builder_finish(&f->builder, &data, &len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  int rc = weir_emit(ctx, data, len);
  weir_builder_reset(&f->builder);
  return rc;
}

static void report_malformed(file_src *f, weir_ctx *ctx) {
  if (f->malformed)
    ctx->host->metric(ctx, WEIR_METRIC_MALFORMED_RECORDS, f->malformed);
  f->malformed = 0;
}

/* A Parquet file, projected onto the schema, row group by row group. A
 * corrupt file is an error naming it (PERMISSIVE applies to lines). */
static int read_parquet(file_src *f, weir_ctx *ctx, const file_entry *e) {
  char err[600];
  int64_t k = 0;
  weir_parquet_reader *r = weir_parquet_reader_open(e->path, err, sizeof err);
  if (!r)
    return weir_error(ctx, WEIR_ERR_FORMAT, "%s", err);
  int rc = weir_parquet_reader_project(r, f->schema, err, sizeof err);
  if (rc != WEIR_OK)
    rc = weir_error(ctx, rc, "%s", err);
  while (rc == WEIR_OK &&
         (k = weir_parquet_read_batch(
              r, &f->builder, (size_t)(f->batch_rows - f->builder.nrows), err,
              sizeof err)) > 0)
    if (f->builder.nrows >= f->batch_rows || f->builder.buf.len >= BATCH_BYTES)
      rc = flush_batch(f, ctx);
  if (rc == WEIR_OK && k < 0)
    rc = weir_error(ctx, (int)k, "%s", err);
  weir_parquet_reader_free(r);
  return rc;
}

/* Reads one file of the epoch into batches. */
static int read_file(file_src *f, weir_ctx *ctx, const file_entry *e) {
  if (f->format == FMT_PARQUET)
    return read_parquet(f, ctx, e);
  line_reader lr;
  struct stat st;
  if (lr_open(&lr, e->path, e->size, READ_BUFFER, (size_t)f->max_record) != 0)
    return weir_error(ctx, errno == ENOENT ? WEIR_ERR_NOTFOUND : WEIR_ERR_IO,
                      "cannot open %s: %s (a file must stay in place until "
                      "the epoch that reads it is committed)",
                      e->path, strerror(errno));
  if (stat(e->path, &st) == 0 && (int64_t)st.st_size != e->size)
    weir_log(ctx, WEIR_LOG_WARN,
             "%s changed size since it was listed (%" PRId64
             " bytes, now %" PRId64
             "): files must appear atomically (write elsewhere, then "
             "rename)",
             e->path, e->size, (int64_t)st.st_size);
  int header = f->header, rc = WEIR_OK, got;
  int64_t bad = 0;
  const char *line;
  size_t len;
  int too_long;
  char why[256];
  weir_builder *b = &f->builder;
  while ((got = lr_next(&lr, &line, &len, &too_long)) == 1) {
    if (header && !too_long) {
      size_t i = 0;
      while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
      if (i == len)
        continue; /* the header is the first non-blank line */
      header = 0;
      continue;
    }
    int v = records_line(f->rec, b, line, len, too_long, why, sizeof why);
    if (v < 0) {
      rc = weir_error(ctx, v, "%s:%" PRId64 ": %s", e->path, lr.line_no,
                      weir_err_str(v));
      break;
    }
    if (v == REC_MALFORMED) {
      f->malformed++;
      bad++;
      if (f->mode == MODE_FAILFAST) {
        rc = weir_error(ctx, WEIR_ERR_FORMAT,
                        "%s:%" PRId64 ": malformed record: %s (mode = "
                        "FAILFAST; PERMISSIVE keeps it with null fields, "
                        "DROPMALFORMED drops it)",
                        e->path, lr.line_no, why);
        break;
      }
      if (bad <= LOG_MALFORMED_PER_FILE)
        weir_log(ctx, WEIR_LOG_WARN, "%s:%" PRId64 ": malformed record: %s%s",
                 e->path, lr.line_no, why,
                 f->mode == MODE_DROPMALFORMED ? " (dropped)" : "");
    }
    if (b->nrows >= f->batch_rows || b->buf.len >= BATCH_BYTES)
      if ((rc = flush_batch(f, ctx)) != WEIR_OK)
        break;
  }
  if (got < 0 && rc == WEIR_OK)
    rc = weir_error(ctx, WEIR_ERR_IO, "reading %s (line %" PRId64 "): %s",
                    e->path, lr.line_no + 1,
                    errno == EIO ? "corrupt or truncated data"
                                 : strerror(errno));
  if (rc == WEIR_OK && lr.short_read)
    weir_log(ctx, WEIR_LOG_WARN,
             "%s is shorter than when it was listed (%" PRId64 " bytes): it "
             "was truncated or replaced",
             e->path, e->size);
  if (bad > LOG_MALFORMED_PER_FILE)
    weir_log(ctx, WEIR_LOG_WARN,
             "%s: %" PRId64 " malformed records in all "
             "(the first %d logged)",
             e->path, bad, LOG_MALFORMED_PER_FILE);
  lr_close(&lr);
  return rc;
}

static int file_read(void *self, weir_ctx *ctx, const weir_offset *start,
                     const weir_offset *end) {
  file_src *f = self;
  (void)start;
  int64_t seq;
  file_list files = {0};
  int rc = read_offset(ctx, end, &seq, &files);
  seen_load(&f->seen);
  for (size_t i = 0; rc == WEIR_OK && i < files.n; i++)
    if ((rc = seen_add(&f->seen, files.v[i].path, files.v[i].size,
                       files.v[i].mtime_us)) != WEIR_OK)
      rc = weir_error(ctx, rc, "remembering %s in state: %s", files.v[i].path,
                      weir_err_str(rc));
  weir_builder_reset(&f->builder);
  for (size_t i = 0; rc == WEIR_OK && i < files.n; i++) {
    weir_log(ctx, WEIR_LOG_DEBUG, "reading %s (%" PRId64 " bytes)",
             files.v[i].path, files.v[i].size);
    rc = read_file(f, ctx, &files.v[i]);
  }
  if (rc == WEIR_OK)
    rc = flush_batch(f, ctx);
  weir_builder_reset(&f->builder);
  report_malformed(f, ctx);
  if (rc == WEIR_OK)
    seen_purge(&f->seen);
  file_list_free(&files);
  return rc;
}

/* ---- acknowledge: clean_source ------------------------------------------- */

static int file_acknowledge(void *self, weir_ctx *ctx, const weir_offset *end) {
  file_src *f = self;
  if (f->clean == CLEAN_OFF || end->len == 0)
    return WEIR_OK;
  int64_t seq;
  file_list files = {0};
  int rc = read_offset(ctx, end, &seq, &files);
  for (size_t i = 0; rc == WEIR_OK && i < files.n; i++) {
    const char *p = files.v[i].path;
    char err[600], dest[PATH_MAX + 256];
    /* As Spark, a file that cannot be cleaned is reported and left: the
     * epoch is committed, the data is safe either way. */
    if (f->clean == CLEAN_DELETE) {
      if (unlink(p) != 0 && errno != ENOENT)
        weir_log(ctx, WEIR_LOG_WARN, "clean_source: cannot delete %s: %s", p,
                 strerror(errno));
    } else if (archive_path(f->archive_dir, p, dest, sizeof dest) != 0) {
      weir_log(ctx, WEIR_LOG_WARN, "clean_source: archive path too long for %s",
               p);
    } else if (move_file(p, dest, err, sizeof err) != 0) {
      weir_log(ctx, WEIR_LOG_WARN, "clean_source: %s", err);
    }
  }
  file_list_free(&files);
  return rc;
}

static const weir_plugin file_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_SOURCE,
    .name = "file",
    .version = "0.1.0",
    .description = "rows from the json, csv or text files of a folder, as they "
                   "arrive (Spark's file source)",
    .options = file_options,
    .config_size = sizeof(file_config),
    .flags = WEIR_PLUGIN_REPLAYABLE,
    .create = file_create,
    .destroy = file_destroy,
    .plan = file_plan,
    .read = file_read,
    .acknowledge = file_acknowledge,
    .prepare_available_now = file_prepare_available_now,
};

WEIR_PLUGIN(file_plugin)
