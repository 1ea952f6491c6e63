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

#include "weir/weir.h"

#include "lines.h"
#include "listing.h"
#include "records.h"
#include "tsparse.h"

#define DEFAULT_BATCH_ROWS 4096
#define BATCH_BYTES (8u << 20)     /* emit before a batch grows past this */
#define READ_BUFFER (1u << 20)     /* the line reader's buffer */
#define LOG_MALFORMED_PER_FILE 10  /* then one summary line per file */
#define DISCARD_RATIO 0.2          /* Spark's DISCARD_UNSEEN_FILES_RATIO */
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
  weir_state *seen;
  int seen_loaded;
  int64_t newest;       /* newest mtime among seen files; INT64_MIN: none */
  int64_t purge_before; /* older files are not new; INT64_MIN: none yet */
  file_list cache;      /* listed, not taken yet (Spark's unreadFiles) */
  int has_cap;          /* available-now: only files of this listing */
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
     "json (one object per line), csv or text (one row per line); parquet "
     "is planned",
     offsetof(file_config, format)},
    {"schema", WEIR_OPT_SCHEMA, NULL, 0, 0, 0, NULL,
     "columns in Spark DDL (required for json and csv; text is value STRING)",
     offsetof(file_config, schema)},
    {"header", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL,
     "csv: the first line of each file names the columns and is skipped",
     offsetof(file_config, header)},
    {"sep", WEIR_OPT_STRING, ",", 0, 0, 0, NULL,
     "csv: field separator, one character (\\t for a tab)",
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

/* ---- seen files (keyed state) -------------------------------------------- */

static int64_t seen_mtime(const void *val, size_t vlen) {
  const uint8_t *p = val, *end = p + vlen;
  weir_value v;
  if (vlen < 2 || (p[0] & 0xf0) != 0x90)
    return INT64_MIN;
  p++;
  if (weir_value_decode(&p, end, &v) != WEIR_OK || v.type != WEIR_T_INT)
    return INT64_MIN;
  return v.v.i;
}

/* After a restart the store holds what the checkpoint restored: the
 * newest time and the purge threshold follow from it. */
static void seen_load(file_src *f) {
  if (f->seen_loaded)
    return;
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v;
  size_t kl, vl;
  while (weir_state_next(f->seen, &it, &k, &kl, &v, &vl) == 1) {
    int64_t mt = seen_mtime(v, vl);
    if (mt > f->newest)
      f->newest = mt;
  }
  if (f->newest != INT64_MIN && f->max_age > 0)
    f->purge_before = f->newest - f->max_age;
  f->seen_loaded = 1;
}

static int is_new(file_src *f, const file_entry *e) {
  const void *v;
  size_t vl;
  if (f->purge_before != INT64_MIN && e->mtime_us < f->purge_before)
    return 0;
  return weir_state_get(f->seen, e->path, strlen(e->path), &v, &vl) == 0;
}

static int seen_add(file_src *f, weir_ctx *ctx, const char *path, int64_t size,
                    int64_t mtime) {
  uint8_t val[32];
  weir_buf b = {val, 0, sizeof val, 0};
  weir_mp_array(&b, 2);
  weir_mp_int(&b, mtime);
  weir_mp_int(&b, size);
  int rc = weir_state_put(f->seen, path, strlen(path), val, b.len);
  if (rc != WEIR_OK)
    return weir_error(ctx, rc, "remembering %s in state: %s", path,
                      weir_err_str(rc));
  if (mtime > f->newest)
    f->newest = mtime;
  return WEIR_OK;
}

/* Spark's SeenFilesMap.purge: forget files older than max_file_age before
 * the newest; from now on, files that old are not new. */
static void seen_purge(file_src *f) {
  if (f->max_age <= 0 || f->newest == INT64_MIN)
    return;
  int64_t threshold = f->newest - f->max_age;
  if (f->purge_before != INT64_MIN && threshold <= f->purge_before)
    return;
  f->purge_before = threshold;
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v;
  size_t kl, vl;
  while (weir_state_next(f->seen, &it, &k, &kl, &v, &vl) == 1)
    if (seen_mtime(v, vl) < threshold)
      weir_state_delete(f->seen, k, kl);
}

/* ---- offsets ------------------------------------------------------------- */

static void write_offset(weir_buf *b, int64_t seq, const file_entry *v,
                         size_t n) {
  weir_mp_map(b, 2);
  weir_mp_str(b, "logOffset", 9);
  weir_mp_int(b, seq);
  weir_mp_str(b, "files", 5);
  weir_mp_array(b, (uint32_t)n);
  for (size_t i = 0; i < n; i++) {
    weir_mp_array(b, 3);
    weir_mp_str(b, v[i].path, strlen(v[i].path));
    weir_mp_int(b, v[i].size);
    weir_mp_int(b, v[i].mtime_us);
  }
}

static int array_header(const uint8_t **p, const uint8_t *end, uint32_t *n) {
  if (*p >= end)
    return -1;
  uint8_t c = **p;
  if ((c & 0xf0) == 0x90) {
    *n = c & 0x0f;
    *p += 1;
  } else if (c == 0xdc && end - *p >= 3) {
    *n = (uint32_t)((*p)[1] << 8 | (*p)[2]);
    *p += 3;
  } else if (c == 0xdd && end - *p >= 5) {
    *n = (uint32_t)(*p)[1] << 24 | (uint32_t)(*p)[2] << 16 |
         (uint32_t)(*p)[3] << 8 | (*p)[4];
    *p += 5;
  } else {
    return -1;
  }
  return 0;
}

static int bad_offset(weir_ctx *ctx) {
  return weir_error(ctx, WEIR_ERR_FORMAT,
                    "malformed file source offset: expected {\"logOffset\": "
                    "N, \"files\": [[path, size, mtime_us], ...]}");
}

/* Reads an offset's file list into out (appended). */
static int read_offset(weir_ctx *ctx, const weir_offset *o, int64_t *seq,
                       file_list *out) {
  weir_value files;
  if (weir_map_int(o->data, o->len, "logOffset", seq) != 1 ||
      weir_map_find(o->data, o->len, "files", &files) != 1)
    return bad_offset(ctx);
  const uint8_t *p = files.raw, *end = files.raw + files.raw_len;
  uint32_t n;
  if (array_header(&p, end, &n) != 0)
    return bad_offset(ctx);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t m;
    weir_value path, size, mtime;
    if (array_header(&p, end, &m) != 0 || m != 3 ||
        weir_value_decode(&p, end, &path) != WEIR_OK ||
        weir_value_decode(&p, end, &size) != WEIR_OK ||
        weir_value_decode(&p, end, &mtime) != WEIR_OK ||
        path.type != WEIR_T_STRING || size.type != WEIR_T_INT ||
        mtime.type != WEIR_T_INT || path.v.s.len >= PATH_MAX)
      return bad_offset(ctx);
    char buf[PATH_MAX];
    memcpy(buf, path.v.s.ptr, path.v.s.len);
    buf[path.v.s.len] = '\0';
    if (file_list_add(out, buf, size.v.i, mtime.v.i) != 0)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  return WEIR_OK;
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
  if (c->format == FMT_PARQUET)
    return weir_error(ctx, WEIR_ERR_UNSUPPORTED,
                      "format = parquet is not supported yet (it is planned); "
                      "use json, csv or text");
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
  if (c->timestamp_format && ts_format_check(c->timestamp_format, err,
                                             sizeof err) != 0)
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
  f->newest = f->purge_before = INT64_MIN;
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
  if (!(f->rec = records_new(&rc_cfg, err, sizeof err))) {
    weir_schema_free(out);
    file_destroy(f);
    return weir_error(ctx, WEIR_ERR_INVALID, "%s", err);
  }
  if (!(f->seen = weir_state_open(ctx, "seen", 1))) {
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

/* Appends to cand the entries of src that are new, keeping src's order. */
static int filter_new(file_src *f, weir_ctx *ctx, const file_list *src,
                      file_list *cand) {
  for (size_t i = 0; i < src->n; i++)
    if (is_new(f, &src->v[i]) &&
        file_list_add(cand, src->v[i].path, src->v[i].size,
                      src->v[i].mtime_us) != 0)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  return WEIR_OK;
}

/* The files the next epoch may take from, in order. */
static int candidates(file_src *f, weir_ctx *ctx, file_list *cand) {
  char err[512];
  if (f->has_cap) /* available-now: what was there at start, no listing */
    return filter_new(f, ctx, &f->avail, cand);
  if (f->cache.n > 0) { /* not listed again while a backlog is cached */
    int rc = filter_new(f, ctx, &f->cache, cand);
    file_list_free(&f->cache);
    if (rc != WEIR_OK || cand->n > 0)
      return rc;
  }
  file_list all = {0};
  if (list_files(f->path, &all, err, sizeof err) != 0) {
    file_list_free(&all);
    return weir_error(ctx, WEIR_ERR_IO, "%s", err);
  }
  int rc = filter_new(f, ctx, &all, cand);
  file_list_free(&all);
  file_list_sort(cand, f->latest_first);
  return rc;
}

/* Files kept in a list since it was made may have changed: refresh the
 * size and time logged for them, and drop those that are gone. */
static void restat(file_src *f, weir_ctx *ctx, file_list *l, size_t k) {
  (void)f;
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

static int file_plan(void *self, weir_ctx *ctx, const weir_offset *start,
                     weir_buf *end, int *has_data) {
  file_src *f = self;
  int64_t seq = -1;
  *has_data = 0;
  if (start->len > 0 &&
      weir_map_int(start->data, start->len, "logOffset", &seq) != 1)
    return bad_offset(ctx);
  seen_load(f);
  int from_list = !f->has_cap && f->cache.n == 0;
  file_list cand = {0};
  int rc = candidates(f, ctx, &cand);
  if (rc != WEIR_OK) {
    file_list_free(&cand);
    return rc;
  }
  size_t k = take_files(&cand, f->max_files, f->max_bytes);
  if (!from_list && k > 0) {
    restat(f, ctx, &cand, k);
    k = take_files(&cand, f->max_files, f->max_bytes);
  }
  if (k == 0) { /* nothing new: leave end empty */
    file_list_free(&cand);
    return WEIR_OK;
  }
  write_offset(end, seq + 1, cand.v, k);
  /* Keep the rest for the next plans, unless it is too little to be worth
   * not looking for new files (Spark's rule). */
  if (!f->has_cap && !f->latest_first && k < cand.n) {
    int64_t left = 0;
    for (size_t i = k; i < cand.n; i++)
      left += cand.v[i].size;
    int keep = (f->max_files > 0 &&
                (double)(cand.n - k) >= (double)f->max_files * DISCARD_RATIO) ||
               (f->max_files == 0 && f->max_bytes > 0 &&
                (double)left >= (double)f->max_bytes * DISCARD_RATIO);
    if (keep) {
      file_list_drop_front(&cand, k);
      f->cache = cand;
      cand = (file_list){0};
    }
  }
  file_list_free(&cand);
  if (end->err)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  *has_data = 1;
  return WEIR_OK;
}

static int file_prepare_available_now(void *self, weir_ctx *ctx) {
  file_src *f = self;
  char err[512];
  file_list all = {0};
  if (list_files(f->path, &all, err, sizeof err) != 0) {
    file_list_free(&all);
    return weir_error(ctx, WEIR_ERR_IO, "%s", err);
  }
  file_list_sort(&all, f->latest_first);
  file_list_free(&f->avail);
  f->avail = all;
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

/* Reads one file of the epoch into batches. */
static int read_file(file_src *f, weir_ctx *ctx, const file_entry *e) {
  line_reader lr;
  struct stat st;
  if (lr_open(&lr, e->path, e->size, READ_BUFFER, (size_t)f->max_record) != 0)
    return weir_error(ctx, errno == ENOENT ? WEIR_ERR_NOTFOUND : WEIR_ERR_IO,
                      "cannot open %s: %s (a file must stay in place until "
                      "the epoch that reads it is committed)",
                      e->path, strerror(errno));
  if (stat(e->path, &st) == 0 && (int64_t)st.st_size != e->size)
    weir_log(ctx, WEIR_LOG_WARN,
             "%s changed size since it was listed (%" PRId64 " bytes, now %"
             PRId64 "): files must appear atomically (write elsewhere, then "
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
                    errno == EIO ? "corrupt or truncated data" : strerror(errno));
  if (rc == WEIR_OK && lr.short_read)
    weir_log(ctx, WEIR_LOG_WARN,
             "%s is shorter than when it was listed (%" PRId64 " bytes): it "
             "was truncated or replaced",
             e->path, e->size);
  if (bad > LOG_MALFORMED_PER_FILE)
    weir_log(ctx, WEIR_LOG_WARN, "%s: %" PRId64 " malformed records in all "
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
  seen_load(f);
  for (size_t i = 0; rc == WEIR_OK && i < files.n; i++)
    rc = seen_add(f, ctx, files.v[i].path, files.v[i].size,
                  files.v[i].mtime_us);
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
    seen_purge(f);
  file_list_free(&files);
  return rc;
}

/* ---- acknowledge: clean_source ------------------------------------------- */

static int file_acknowledge(void *self, weir_ctx *ctx,
                            const weir_offset *end) {
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
