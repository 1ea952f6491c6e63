/* testing.c — the plugin test harness (weir/testing.h): a host of one
 * plugin instance. It implements the host API table the runtime gives
 * plugins (errors, logs, emit, epoch facts, the clock, metrics, the
 * watermark, late rows) and keyed state with the runtime's own store
 * (store.c), and keeps a snapshot of every store at the end of each epoch
 * so that weir_test_restart() can do what a restart from a checkpoint
 * does: create a new instance, then restore its stores. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "weir/json.h"
#include "weir/jsonparse.h"
#include "weir/testing.h"

typedef struct saved_store {
  char *name;
  uint32_t version;
  weir_buf snap;
} saved_store;

struct weir_test {
  weir_ctx ctx; /* first: the handle the plugin gets */
  weir_plugin desc;
  void *dl;
  void *self;
  const void *config;
  weir_schema *input, *output;
  int output_mode, created, in_epoch;
  int64_t watermark, ptime, epoch, wm_candidate;
  weir_buf out, late, log, err, text, status;
  int64_t metrics[8];
  weir_store **stores;
  size_t nstores;
  saved_store *saved;
  size_t nsaved;
  weir_buf start, end; /* sources: the previous and the planned end */
  weir_json_parser *jp;
  weir_builder in;
};

static weir_test *T(weir_ctx *ctx) { return (weir_test *)ctx; }

static void set_err(weir_test *t, const char *fmt, const char *a,
                    const char *b) {
  weir_buf_clear(&t->err);
  weir_buf_printf(&t->err, fmt, a ? a : "", b ? b : "");
}

/* ---- the host API ------------------------------------------------------- */

static void h_set_error(weir_ctx *ctx, int code, const char *msg) {
  (void)code;
  set_err(T(ctx), "%s%s", msg, NULL);
}

static void h_log(weir_ctx *ctx, int level, const char *msg) {
  static const char *const names[] = {"error", "warning", "info", "debug"};
  weir_buf_printf(&T(ctx)->log, "%s: %s\n",
                  names[level < 0   ? 0
                        : level > 3 ? 3
                                    : level],
                  msg);
  if (getenv("WEIR_TEST_VERBOSE"))
    fprintf(stderr, "weir-test: %s: %s\n",
            names[level < 0   ? 0
                  : level > 3 ? 3
                              : level],
            msg);
}

/* Rows of an emitted batch as JSON lines, checked against `schema`. */
static int rows_to_json(weir_test *t, const weir_schema *schema,
                        const void *data, size_t len, weir_buf *out) {
  weir_reader r;
  weir_value cols[256];
  int rc;
  if (!schema || schema->n > 256)
    return WEIR_ERR_INVALID;
  if (weir_reader_open(&r, data, len) != WEIR_OK)
    return weir_error(&t->ctx, WEIR_ERR_FORMAT,
                      "emitted a malformed batch (%zu bytes)", len);
  while ((rc = weir_reader_next(&r, cols, schema->n)) == 1) {
    weir_json_row(out, schema, cols);
    weir_buf_lit(out, "\n");
  }
  if (rc < 0)
    return weir_error(&t->ctx, WEIR_ERR_FORMAT,
                      "emitted a row that does not have the %zu columns of "
                      "its schema",
                      schema->n);
  return out->err ? WEIR_ERR_NOMEM : WEIR_OK;
}

static int h_emit(weir_ctx *ctx, const void *batch, size_t len) {
  weir_test *t = T(ctx);
  if (t->desc.kind == WEIR_KIND_SINK)
    return weir_error(ctx, WEIR_ERR_INVALID, "a sink cannot emit batches");
  return rows_to_json(t, t->output, batch, len, &t->out);
}

static int h_emit_late(weir_ctx *ctx, const void *batch, size_t len) {
  weir_test *t = T(ctx);
  return rows_to_json(t, t->input, batch, len, &t->late);
}

static void h_epoch_info(weir_ctx *ctx, weir_epoch_info *out) {
  weir_test *t = T(ctx);
  weir_epoch_info i = {sizeof i,       t->in_epoch ? t->epoch : -1,
                       t->watermark,   t->ptime,
                       t->output_mode, 0,
                       "test-query",   "test-run"};
  /* As the runtime: a query has a watermark when an event-time column
   * reaches the plugin (a watermark operator upstream). */
  for (size_t k = 0; t->input && k < t->input->n; k++)
    if (t->input->fields[k].flags & WEIR_FIELD_EVENT_TIME)
      i.has_watermark = 1;
  uint32_t size = out->struct_size;
  memcpy(out, &i, size < sizeof i ? size : sizeof i);
  out->struct_size = size;
}

static int64_t h_now(weir_ctx *ctx) { return T(ctx)->ptime; }

static void h_metric(weir_ctx *ctx, int metric, int64_t v) {
  weir_test *t = T(ctx);
  if (metric <= 0 || metric >= 8)
    return;
  int set = metric == WEIR_METRIC_STATE_ROWS_TOTAL ||
            metric == WEIR_METRIC_STATE_MEMORY_BYTES;
  t->metrics[metric] = set ? v : t->metrics[metric] + v;
}

static void h_event_time(weir_ctx *ctx, int64_t mn, int64_t mx, double sum,
                         int64_t n) {
  (void)ctx, (void)mn, (void)mx, (void)sum, (void)n;
}

static void h_watermark(weir_ctx *ctx, int64_t candidate) {
  T(ctx)->wm_candidate = candidate;
}

static void h_status(weir_ctx *ctx, const char *msg) {
  weir_test *t = T(ctx);
  weir_buf_clear(&t->status);
  if (msg)
    weir_buf_append(&t->status, msg, strlen(msg));
}

static weir_state *h_state_open(weir_ctx *ctx, const char *name,
                                uint32_t version);
static const weir_state_api test_state_api = WEIR_STORE_API(h_state_open);

static const weir_host test_host = {
    sizeof(weir_host), WEIR_ABI_MAJOR, WEIR_ABI_MINOR,
    h_set_error,       h_log,          h_emit,
    h_epoch_info,      h_now,          h_metric,
    h_event_time,      h_watermark,    &test_state_api,
    h_emit_late,       h_status};

static weir_state *h_state_open(weir_ctx *ctx, const char *name,
                                uint32_t version) {
  weir_test *t = T(ctx);
  if (!name)
    name = "";
  for (size_t i = 0; i < t->nstores; i++)
    if (strcmp(weir_store_name(t->stores[i]), name) == 0)
      return (weir_state *)t->stores[i];
  weir_store **s = realloc(t->stores, (t->nstores + 1) * sizeof *s);
  if (s)
    t->stores = s;
  weir_store *n = s ? weir_store_new(&test_state_api, name, version) : NULL;
  if (!n) {
    weir_error(ctx, WEIR_ERR_NOMEM, "out of memory opening state '%s'", name);
    return NULL;
  }
  t->stores[t->nstores++] = n;
  return (weir_state *)n;
}

/* ---- life cycle --------------------------------------------------------- */

weir_test *weir_test_new(const weir_plugin *desc) {
  weir_test *t = calloc(1, sizeof *t);
  if (!t || !desc) {
    free(t);
    return NULL;
  }
  t->ctx.struct_size = sizeof t->ctx;
  t->ctx.host = &test_host;
  /* As the runtime: a descriptor of an older minor has no newer fields. */
  size_t n =
      desc->struct_size < sizeof t->desc ? desc->struct_size : sizeof t->desc;
  memcpy(&t->desc, desc, n);
  t->output_mode = WEIR_MODE_APPEND;
  t->wm_candidate = INT64_MIN;
  weir_buf_append(&t->err, "", 1);
  t->err.len = 0;
  return t;
}

int weir_test_load(const char *path, weir_test **out, char *err,
                   size_t errlen) {
  *out = NULL;
  void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!dl) {
    snprintf(err, errlen, "%s", dlerror());
    return WEIR_ERR_NOTFOUND;
  }
  weir_entry_fn entry;
  *(void **)&entry = dlsym(dl, WEIR_ENTRY_SYMBOL);
  const weir_plugin *d = entry ? entry() : NULL;
  if (!d) {
    snprintf(err, errlen, "%s: no %s() returning a descriptor", path,
             WEIR_ENTRY_SYMBOL);
    dlclose(dl);
    return WEIR_ERR_NOTFOUND;
  }
  if (d->abi_major != WEIR_ABI_MAJOR) {
    snprintf(err, errlen, "%s: built for plugin ABI %u.%u, this SDK is %d.%d",
             path, d->abi_major, d->abi_minor, WEIR_ABI_MAJOR, WEIR_ABI_MINOR);
    dlclose(dl);
    return WEIR_ERR_ABI;
  }
  if (!(*out = weir_test_new(d))) {
    dlclose(dl);
    snprintf(err, errlen, "out of memory");
    return WEIR_ERR_NOMEM;
  }
  (*out)->dl = dl;
  return WEIR_OK;
}

static void free_stores(weir_test *t) {
  for (size_t i = 0; i < t->nstores; i++)
    weir_store_free(t->stores[i]);
  free(t->stores);
  t->stores = NULL;
  t->nstores = 0;
}

static void destroy_instance(weir_test *t) {
  if (t->created && t->desc.destroy)
    t->desc.destroy(t->self);
  t->created = 0;
  t->self = NULL;
  weir_schema_free(t->output);
  t->output = NULL;
  free_stores(t);
}

void weir_test_free(weir_test *t) {
  if (!t)
    return;
  destroy_instance(t);
  for (size_t i = 0; i < t->nsaved; i++) {
    free(t->saved[i].name);
    weir_buf_free(&t->saved[i].snap);
  }
  free(t->saved);
  weir_schema_free(t->input);
  weir_json_parser_free(t->jp);
  weir_builder_free(&t->in);
  weir_buf_free(&t->out);
  weir_buf_free(&t->late);
  weir_buf_free(&t->log);
  weir_buf_free(&t->err);
  weir_buf_free(&t->text);
  weir_buf_free(&t->status);
  weir_buf_free(&t->start);
  weir_buf_free(&t->end);
  if (t->dl)
    dlclose(t->dl);
  free(t);
}

int weir_test_input(weir_test *t, const char *ddl, const char *event_time) {
  char msg[256];
  weir_schema *s = NULL;
  if (weir_schema_parse(ddl, &s, msg, sizeof msg) != WEIR_OK) {
    set_err(t, "input schema: %s%s", msg, NULL);
    return WEIR_ERR_INVALID;
  }
  if (event_time) {
    int c = weir_schema_find(s, event_time);
    if (c < 0 || s->fields[c].type != WEIR_T_TIMESTAMP) {
      weir_schema_free(s);
      set_err(t, "input schema: no timestamp column '%s'%s", event_time, NULL);
      return WEIR_ERR_SCHEMA;
    }
    s->fields[c].flags |= WEIR_FIELD_EVENT_TIME;
  }
  weir_schema_free(t->input);
  t->input = s;
  weir_json_parser_free(t->jp);
  t->jp = NULL;
  weir_builder_free(&t->in);
  int rc = weir_json_parser_new(s, NULL, &t->jp, msg, sizeof msg);
  if (rc == WEIR_OK)
    rc = weir_builder_init(&t->in, t->input);
  if (rc != WEIR_OK)
    set_err(t, "input schema: %s%s", msg, NULL);
  return rc;
}

void weir_test_output_mode(weir_test *t, int mode) { t->output_mode = mode; }

static int create_instance(weir_test *t) {
  weir_create_args a = {sizeof a, "test", t->input, NULL, t->output_mode, 1024};
  weir_buf_clear(&t->err);
  if (!t->desc.create) {
    set_err(t, "the descriptor has no create callback%s%s", NULL, NULL);
    return WEIR_ERR_INVALID;
  }
  if (t->desc.kind != WEIR_KIND_SOURCE && !t->input) {
    set_err(t, "set the input schema first (weir_test_input)%s%s", NULL, NULL);
    return WEIR_ERR_INVALID;
  }
  int rc = t->desc.create(&t->ctx, t->config, &a, &t->self);
  if (rc != WEIR_OK) {
    weir_schema_free(a.output);
    free_stores(t);
    return rc;
  }
  t->created = 1;
  t->output = a.output;
  if (t->desc.kind != WEIR_KIND_SINK && !t->output) {
    set_err(t, "create() declared no output schema%s%s", NULL, NULL);
    return WEIR_ERR_INVALID;
  }
  return WEIR_OK;
}

int weir_test_create(weir_test *t, const void *config) {
  if (t->created) {
    set_err(t, "already created%s%s", NULL, NULL);
    return WEIR_ERR_INVALID;
  }
  t->config = config;
  return create_instance(t);
}

const weir_schema *weir_test_output_schema(const weir_test *t) {
  return t->output;
}

void weir_test_set_watermark(weir_test *t, int64_t us) { t->watermark = us; }
void weir_test_set_time(weir_test *t, int64_t us) { t->ptime = us; }
int64_t weir_test_next_epoch(const weir_test *t) { return t->epoch; }

/* ---- epochs ------------------------------------------------------------- */

static int ready(weir_test *t, int in_epoch) {
  if (!t->created) {
    set_err(t, "create the instance first (weir_test_create)%s%s", NULL, NULL);
    return WEIR_ERR_INVALID;
  }
  if (t->in_epoch != in_epoch) {
    set_err(t, "%s%s",
            in_epoch ? "no epoch begun (weir_test_begin)"
                     : "an epoch is running (weir_test_end)",
            NULL);
    return WEIR_ERR_INVALID;
  }
  return WEIR_OK;
}

int weir_test_begin(weir_test *t) {
  int rc = ready(t, 0);
  if (rc != WEIR_OK)
    return rc;
  weir_buf_clear(&t->out);
  weir_buf_clear(&t->late);
  weir_buf_clear(&t->err);
  memset(t->metrics, 0, sizeof t->metrics);
  for (size_t i = 0; i < t->nstores; i++)
    weir_store_epoch_reset(t->stores[i]);
  t->in_epoch = 1;
  return t->desc.epoch_begin ? t->desc.epoch_begin(t->self, &t->ctx) : WEIR_OK;
}

int weir_test_push(weir_test *t, const void *batch, size_t len) {
  int rc = ready(t, 1);
  if (rc != WEIR_OK)
    return rc;
  weir_reader r;
  if (weir_reader_open(&r, batch, len) != WEIR_OK) {
    set_err(t, "weir_test_push: a malformed batch%s%s", NULL, NULL);
    return WEIR_ERR_FORMAT;
  }
  if (!t->desc.process) {
    set_err(t, "the plugin has no process callback%s%s", NULL, NULL);
    return WEIR_ERR_INVALID;
  }
  weir_batch b = {batch, len, r.nrows, t->input};
  return t->desc.process(t->self, &t->ctx, &b);
}

int weir_test_push_json(weir_test *t, const char *lines) {
  if (!t->jp) {
    set_err(t, "set the input schema first (weir_test_input)%s%s", NULL, NULL);
    return WEIR_ERR_INVALID;
  }
  weir_builder_reset(&t->in);
  int line = 0;
  for (const char *p = lines; p && *p;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    weir_json_error e;
    line++;
    int rc = weir_json_parse_row(t->jp, p, n, &t->in, &e);
    if (rc < 0) {
      char msg[512], where[32];
      weir_json_error_format(&e, msg, sizeof msg);
      snprintf(where, sizeof where, "%d", line);
      set_err(t, "weir_test_push_json: line %s: %s", where, msg);
      return rc;
    }
    p += n + (nl != NULL);
  }
  const uint8_t *data;
  size_t len;
  if (weir_builder_finish(&t->in, &data, &len) != WEIR_OK)
    return WEIR_ERR_NOMEM;
  return weir_test_push(t, data, len);
}

int weir_test_read(weir_test *t) {
  int rc = ready(t, 1);
  if (rc != WEIR_OK)
    return rc;
  if (!t->desc.plan || !t->desc.read) {
    set_err(t, "not a source (no plan/read callbacks)%s%s", NULL, NULL);
    return WEIR_ERR_INVALID;
  }
  weir_offset start = {t->start.data, t->start.len};
  int has_data = 0;
  weir_buf_clear(&t->end);
  rc = t->desc.plan(t->self, &t->ctx, &start, &t->end, &has_data);
  if (rc != WEIR_OK)
    return rc;
  if (start.len == 0 && t->end.len > 0)
    has_data = 1; /* Spark's first-offset rule, as the runtime */
  if (has_data) {
    weir_offset end = {t->end.data, t->end.len};
    if ((rc = t->desc.read(t->self, &t->ctx, &start, &end)) != WEIR_OK)
      return rc;
    weir_buf tmp = t->start;
    t->start = t->end;
    t->end = tmp;
  }
  return WEIR_OK;
}

/* The end of a successful epoch is what a checkpoint holds: a snapshot of
 * every store (the runtime writes deltas too; a snapshot restores the
 * same). */
static int save_stores(weir_test *t) {
  saved_store *s = calloc(t->nstores ? t->nstores : 1, sizeof *s);
  if (!s)
    return WEIR_ERR_NOMEM;
  int rc = WEIR_OK;
  for (size_t i = 0; i < t->nstores; i++) {
    s[i].name = strdup(weir_store_name(t->stores[i]));
    s[i].version = weir_store_version(t->stores[i]);
    weir_store_write_snapshot(t->stores[i], &s[i].snap);
    if (!s[i].name || s[i].snap.err)
      rc = WEIR_ERR_NOMEM;
  }
  saved_store *old = t->saved;
  size_t nold = t->nsaved;
  t->saved = s;
  t->nsaved = t->nstores;
  if (rc != WEIR_OK) {
    old = s; /* keep the previous epoch's */
    nold = t->nstores;
  }
  for (size_t i = 0; i < nold; i++) {
    free(old[i].name);
    weir_buf_free(&old[i].snap);
  }
  free(old);
  return rc;
}

int weir_test_end(weir_test *t) {
  int rc = ready(t, 1);
  if (rc != WEIR_OK)
    return rc;
  rc = t->desc.epoch_end ? t->desc.epoch_end(t->self, &t->ctx) : WEIR_OK;
  t->in_epoch = 0;
  t->epoch++;
  if (rc == WEIR_OK && (rc = save_stores(t)) != WEIR_OK)
    set_err(t, "out of memory saving the state%s%s", NULL, NULL);
  return rc;
}

int weir_test_epoch(weir_test *t, const char *lines) {
  int rc = weir_test_begin(t);
  if (rc == WEIR_OK && lines)
    rc = weir_test_push_json(t, lines);
  if (rc != WEIR_OK) {
    t->in_epoch = 0; /* the epoch failed: it never ends */
    t->epoch++;
    return rc;
  }
  return weir_test_end(t);
}

int weir_test_wants_epoch(weir_test *t) {
  if (ready(t, 0) != WEIR_OK || !t->desc.wants_epoch)
    return 0;
  return t->desc.wants_epoch(t->self, &t->ctx, t->watermark);
}

/* ---- results ------------------------------------------------------------ */

/* The text of a buffer, NUL-terminated (the JSON writers do not add one). */
static const char *text_of(const weir_buf *cb) {
  weir_buf *b = (weir_buf *)cb; /* owned by a harness the caller holds */
  if (!b->len || b->err || weir_buf_reserve(b, 1) != WEIR_OK)
    return "";
  b->data[b->len] = '\0';
  return (const char *)b->data;
}

const char *weir_test_output(const weir_test *t) { return text_of(&t->out); }
const char *weir_test_late(const weir_test *t) { return text_of(&t->late); }
const char *weir_test_log(const weir_test *t) { return text_of(&t->log); }
const char *weir_test_error(const weir_test *t) { return text_of(&t->err); }
const char *weir_test_status(const weir_test *t) { return text_of(&t->status); }

int64_t weir_test_metric(const weir_test *t, int metric) {
  return metric > 0 && metric < 8 ? t->metrics[metric] : 0;
}

int64_t weir_test_watermark_candidate(const weir_test *t) {
  return t->wm_candidate;
}

int weir_test_restart(weir_test *t, const void *config) {
  if (t->in_epoch) {
    t->in_epoch = 0; /* a crash in the middle of an epoch */
    t->epoch++;
  }
  destroy_instance(t);
  if (config)
    t->config = config;
  int rc = create_instance(t);
  for (size_t i = 0; rc == WEIR_OK && i < t->nsaved; i++) {
    saved_store *s = &t->saved[i];
    weir_store *st = NULL;
    for (size_t k = 0; k < t->nstores; k++)
      if (strcmp(weir_store_name(t->stores[k]), s->name) == 0)
        st = t->stores[k];
    if (st && s->version > weir_store_version(st)) {
      char v[64];
      snprintf(v, sizeof v, "%u, newer than the %u", s->version,
               weir_store_version(st));
      set_err(t, "state '%s' has format version %s this plugin writes", s->name,
              v);
      return WEIR_ERR_STATE;
    }
    if (!st && !h_state_open(&t->ctx, s->name, s->version))
      return WEIR_ERR_NOMEM;
    st = st ? st : t->stores[t->nstores - 1];
    weir_store_set_restored_version(st, s->version);
    weir_store_set_has_base(st);
    if ((rc = weir_store_apply(st, s->snap.data, s->snap.len)) != WEIR_OK)
      set_err(t, "state '%s': malformed snapshot%s", s->name, NULL);
    weir_store_epoch_reset(st);
  }
  return rc;
}

static int cmp_lines(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void put_msgpack(weir_buf *b, const void *p, size_t n) {
  size_t at = b->len;
  if (n && weir_json_from_msgpack(b, p, n) == WEIR_OK)
    return;
  b->len = at;
  weir_buf_lit(b, "{\"hex\":\"");
  for (size_t i = 0; i < n; i++)
    weir_buf_printf(b, "%02x", ((const uint8_t *)p)[i]);
  weir_buf_lit(b, "\"}");
}

const char *weir_test_state(weir_test *t, const char *store) {
  weir_store *st = NULL;
  for (size_t k = 0; k < t->nstores; k++)
    if (strcmp(weir_store_name(t->stores[k]), store) == 0)
      st = t->stores[k];
  weir_buf_clear(&t->text);
  if (!st)
    return "";
  weir_state *w = (weir_state *)st;
  weir_buf lines = WEIR_BUF_INIT; /* NUL-separated, then sorted */
  size_t n = 0;
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v;
  size_t kl, vl;
  while (weir_state_next(w, &it, &k, &kl, &v, &vl)) {
    weir_buf_lit(&lines, "{\"key\":");
    put_msgpack(&lines, k, kl);
    weir_buf_lit(&lines, ",\"value\":");
    put_msgpack(&lines, v, vl);
    int64_t tm = weir_state_timer(w, k, kl);
    if (tm != WEIR_NO_TIMER)
      weir_buf_printf(&lines, ",\"timer\":%lld", (long long)tm);
    weir_buf_lit(&lines, "}\n");
    weir_buf_append(&lines, "", 1);
    n++;
  }
  char **ptrs = calloc(n ? n : 1, sizeof *ptrs);
  if (!ptrs || lines.err) {
    free(ptrs);
    weir_buf_free(&lines);
    return "";
  }
  char *p = (char *)lines.data;
  for (size_t i = 0; i < n; i++, p += strlen(p) + 1)
    ptrs[i] = p;
  qsort(ptrs, n, sizeof *ptrs, cmp_lines);
  for (size_t i = 0; i < n; i++)
    weir_buf_append(&t->text, ptrs[i], strlen(ptrs[i]));
  free(ptrs);
  weir_buf_free(&lines);
  return text_of(&t->text);
}
