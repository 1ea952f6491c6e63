/* plugins/watermark/watermark.c — the `watermark` operator: Spark's
 * withWatermark(column, delay). It passes every batch through unchanged and
 * marks the column as the event time (WEIR_FIELD_EVENT_TIME with the delay)
 * in its output schema, so that the stateful operators downstream know
 * which column closes windows and evicts state.
 *
 * Per epoch it tracks the largest event time it has seen, late rows
 * included, reports the epoch's event-time statistics for progress
 * (eventTime min/max/avg) and, in epoch_end, its watermark candidate
 * max_seen − delay (INT64_MIN before the first row). The runtime combines
 * the candidates of all watermark operators (min or max policy, monotone)
 * into the watermark of the next epoch.
 *
 * Beyond Spark: with `idle_timeout`, an input that has had no row for that
 * long (in processing time: the epochs' logged timestamps, so a replay
 * decides the same) reports itself idle and stops holding a min watermark
 * back (Flink's idleness).
 *
 * The largest event time and the last row's processing time live in a
 * one-key weir_state store ("wm"), so checkpoints carry them across
 * restarts. Null event times are skipped (Spark reads a null as 0 in its
 * statistics; it never moves the watermark either way). */
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

typedef struct watermark_config {
  const char *column;
  int64_t delay;
  int64_t idle_timeout;
} watermark_config;

/* The persisted value (native layout, memcpy'd: the store does not
 * promise alignment). */
typedef struct wm_saved {
  int64_t max_seen; /* µs; valid when seen */
  int64_t seen;     /* 1 once a row with an event time arrived */
  int64_t last_row; /* processing time of the last epoch with rows, or of
                       the first epoch */
} wm_saved;

typedef struct watermark_op {
  int col;
  size_t ncols;
  int64_t delay, idle_timeout;
  weir_value *row;
  weir_state *st;
  wm_saved saved;
  int loaded;
  /* this epoch */
  int64_t ep_min, ep_max, ep_count, ep_rows, processing_time;
  double ep_sum;
} watermark_op;

static const char WM_KEY[] = "wm";

static const weir_option options[] = {
    {"column", WEIR_OPT_STRING, NULL, 1, 0, 0, NULL,
     "the event-time column (a timestamp)", offsetof(watermark_config, column)},
    {"delay", WEIR_OPT_DURATION, NULL, 1, 0, 9.2e18, NULL,
     "how late a row may arrive: watermark = max event time seen - delay",
     offsetof(watermark_config, delay)},
    {"idle_timeout", WEIR_OPT_DURATION, "0s", 0, 0, 9.2e18, NULL,
     "beyond Spark: after this long without rows the input stops holding a "
     "min watermark back (0: never idle)",
     offsetof(watermark_config, idle_timeout)},
    WEIR_OPTIONS_END};

static void destroy(void *self) {
  watermark_op *w = self;
  if (!w)
    return;
  free(w->row);
  free(w);
}

static int create(weir_ctx *ctx, const void *config, weir_create_args *args,
                  void **self) {
  const watermark_config *cfg = config;
  const weir_schema *in = args->input;
  if (!in)
    return weir_error(ctx, WEIR_ERR_INVALID, "watermark: needs an input");
  int col = weir_schema_find(in, cfg->column);
  if (col < 0) {
    const char *near = weir_schema_suggest(in, cfg->column);
    weir_buf cols = WEIR_BUF_INIT;
    for (size_t k = 0; k < in->n; k++)
      weir_buf_printf(&cols, "%s%s", k ? ", " : "", in->fields[k].name);
    int rc = near ? weir_error(ctx, WEIR_ERR_SCHEMA,
                               "column: unknown column '%s' (did you mean "
                               "'%s'?)",
                               cfg->column, near)
                  : weir_error(ctx, WEIR_ERR_SCHEMA,
                               "column: unknown column '%s' (the input has: "
                               "%s)",
                               cfg->column, cols.data ? (char *)cols.data : "");
    weir_buf_free(&cols);
    return rc;
  }
  if (in->fields[col].type != WEIR_T_TIMESTAMP)
    return weir_error(ctx, WEIR_ERR_SCHEMA,
                      "column: '%s' is %s; a watermark needs a timestamp "
                      "column (convert it in a select before, e.g. CAST(%s "
                      "AS TIMESTAMP))",
                      cfg->column, weir_type_name(in->fields[col].type),
                      cfg->column);
  if (cfg->delay < 0)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "delay: the delay must not be negative");
  watermark_op *w = calloc(1, sizeof *w);
  weir_schema *out = weir_schema_copy(in);
  if (!w || !out || !(w->row = calloc(in->n ? in->n : 1, sizeof *w->row))) {
    destroy(w);
    weir_schema_free(out);
    return weir_error(ctx, WEIR_ERR_NOMEM, "watermark: out of memory");
  }
  /* As Spark's EventTimeWatermark: this column becomes the event time and
   * an earlier watermark's mark on another column is removed (both
   * operators still feed the global watermark). */
  for (size_t i = 0; i < out->n; i++) {
    out->fields[i].flags &= ~WEIR_FIELD_EVENT_TIME;
    out->fields[i].watermark_delay = 0;
  }
  out->fields[col].flags |= WEIR_FIELD_EVENT_TIME;
  out->fields[col].watermark_delay = cfg->delay;
  w->col = col;
  w->ncols = in->n;
  w->delay = cfg->delay;
  w->idle_timeout = cfg->idle_timeout;
  if (!(w->st = weir_state_open(ctx, WM_KEY, 1))) {
    destroy(w);
    weir_schema_free(out);
    return WEIR_ERR_NOMEM; /* message set by weir_state_open */
  }
  args->output = out;
  *self = w;
  return WEIR_OK;
}

static int save(watermark_op *w, weir_ctx *ctx) {
  int rc = weir_state_put(w->st, WM_KEY, sizeof WM_KEY - 1, &w->saved,
                          sizeof w->saved);
  if (rc != WEIR_OK)
    return weir_error(ctx, rc, "watermark: state: %s", weir_err_str(rc));
  return WEIR_OK;
}

static int epoch_begin(void *self, weir_ctx *ctx) {
  watermark_op *w = self;
  weir_epoch_info info = weir_epoch(ctx);
  w->processing_time = info.processing_time;
  if (!w->loaded) {
    /* First epoch of this run: the checkpoint's values, if any. */
    const void *v;
    size_t vl;
    if (weir_state_get(w->st, WM_KEY, sizeof WM_KEY - 1, &v, &vl) &&
        vl == sizeof w->saved) {
      memcpy(&w->saved, v, sizeof w->saved);
    } else {
      memset(&w->saved, 0, sizeof w->saved);
      w->saved.last_row = info.processing_time;
    }
    w->loaded = 1;
  }
  w->ep_count = 0;
  w->ep_rows = 0;
  w->ep_sum = 0;
  w->ep_min = INT64_MAX;
  w->ep_max = INT64_MIN;
  return WEIR_OK;
}

static int process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  watermark_op *w = self;
  weir_reader r;
  int rc = weir_reader_open(&r, batch->data, batch->len);
  if (rc != WEIR_OK)
    return weir_error(ctx, rc, "watermark: malformed input batch");
  int64_t mn = w->ep_min, mx = w->ep_max, n = 0;
  double sum = 0;
  while ((rc = weir_reader_next(&r, w->row, w->ncols)) == 1) {
    const weir_value *v = &w->row[w->col];
    if (v->type != WEIR_T_TIMESTAMP)
      continue; /* null: no event time */
    int64_t t = v->v.ts;
    mn = t < mn ? t : mn;
    mx = t > mx ? t : mx;
    sum += (double)t;
    n++;
  }
  if (rc < 0)
    return weir_error(ctx, rc, "watermark: malformed input batch at row %u",
                      (unsigned)r.row);
  w->ep_min = mn;
  w->ep_max = mx;
  w->ep_sum += sum;
  w->ep_count += n;
  w->ep_rows += r.nrows;
  return weir_emit(ctx, batch->data, batch->len);
}

static int epoch_end(void *self, weir_ctx *ctx) {
  watermark_op *w = self;
  if (!w->loaded)
    epoch_begin(w, ctx);
  int changed = 0;
  if (w->ep_count) {
    ctx->host->event_time(ctx, w->ep_min, w->ep_max, w->ep_sum, w->ep_count);
    if (!w->saved.seen || w->ep_max > w->saved.max_seen) {
      w->saved.max_seen = w->ep_max;
      w->saved.seen = 1;
      changed = 1;
    }
  }
  if (w->ep_rows && w->saved.last_row != w->processing_time) {
    w->saved.last_row = w->processing_time;
    changed = 1;
  }
  if (changed) {
    int rc = save(w, ctx);
    if (rc != WEIR_OK)
      return rc;
  }
  int64_t candidate = INT64_MIN;
  if (w->idle_timeout > 0 &&
      w->processing_time - w->saved.last_row >= w->idle_timeout)
    candidate = WEIR_WATERMARK_IDLE;
  else if (w->saved.seen)
    candidate = w->saved.max_seen < INT64_MIN + 1 + w->delay
                    ? INT64_MIN + 1
                    : w->saved.max_seen - w->delay;
  ctx->host->watermark(ctx, candidate);
  return WEIR_OK;
}

static const weir_plugin descriptor = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_OPERATOR,
    .name = "watermark",
    .version = WEIR_VERSION,
    .description = "marks the event-time column and tracks the watermark "
                   "(Spark's withWatermark)",
    .options = options,
    .config_size = sizeof(watermark_config),
    .flags = WEIR_PLUGIN_WATERMARK,
    .create = create,
    .destroy = destroy,
    .epoch_begin = epoch_begin,
    .process = process,
    .epoch_end = epoch_end,
};

WEIR_PLUGIN(descriptor)
