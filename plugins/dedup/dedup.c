/* plugins/dedup/dedup.c — the `dedup` operator: Spark's dropDuplicates and
 * dropDuplicatesWithinWatermark on a stream (SEMANTICS.md, Deduplication).
 *
 * The first row of each key (the `columns`, all columns by default) passes
 * through, later ones are dropped; a key is remembered in weir_state, with
 * its expiry as the entry's timer. Following Spark's
 * StreamingDeduplicateExec / StreamingDeduplicateWithinWatermarkExec:
 *
 *  - Late rows: when the input has a watermarked column (the first one), a
 *    row whose event time is <= the epoch's watermark is dropped, counted
 *    in numRowsDroppedByWatermark (input rows, as Spark counts them here)
 *    and sent to the `late_rows` sink if any — whether or not the column
 *    is a key column (Spark filters on the operator's input).
 *  - dropDuplicates with the watermarked column among the keys: a key
 *    expires once the watermark reaches its event time (timer = event
 *    time, removed when timer <= watermark). Without it among the keys,
 *    state grows forever (a warning at load time says so).
 *  - within_watermark = true (Spark 3.5's dropDuplicatesWithinWatermark):
 *    needs a watermarked column; a key expires at the event time of its
 *    first row + the watermark delay (removed when the watermark reaches
 *    it), so a duplicate is a row whose key was seen and has not expired.
 *
 * Expired keys are removed in epoch_end; wants_epoch asks for a no-data
 * epoch when the watermark reaches the earliest expiry. */
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

#include "weir/key.h"

#define DEFAULT_BATCH_ROWS 4096

typedef struct dedup_config {
  weir_list columns;
  int within_watermark;
} dedup_config;

typedef struct dedup_op {
  int *cols; /* key columns */
  size_t nkeys;
  int ev_col; /* the first watermarked input column, or -1 */
  int within; /* dropDuplicatesWithinWatermark */
  int evicts; /* keys expire: within, or ev_col among the keys */
  int64_t delay;
  weir_state *st;
  weir_schema *in;
  weir_builder out, late;
  weir_value *row;
  size_t ncols;
  uint32_t max_rows;
  weir_buf key;
  int64_t min_timer; /* earliest expiry in the store (lower bound) */
  int min_known;
  int64_t watermark, late_count;
} dedup_op;

static const weir_option options[] = {
    {"columns", WEIR_OPT_LIST, NULL, WEIR_OPT_STATE, 0, 0, NULL,
     "the columns that make a row a duplicate (default: all columns)",
     offsetof(dedup_config, columns)},
    {"within_watermark", WEIR_OPT_BOOL, "false", WEIR_OPT_STATE, 0, 0, NULL,
     "Spark's dropDuplicatesWithinWatermark: a key is forgotten once the "
     "watermark passes its first row's event time + the delay",
     offsetof(dedup_config, within_watermark)},
    WEIR_OPTIONS_END};

static void destroy(void *self) {
  dedup_op *d = self;
  if (!d)
    return;
  free(d->cols);
  weir_schema_free(d->in);
  weir_builder_free(&d->out);
  weir_builder_free(&d->late);
  free(d->row);
  weir_buf_free(&d->key);
  free(d);
}

static int resolve_columns(dedup_op *d, weir_ctx *ctx, const dedup_config *cfg,
                           const weir_schema *in) {
  size_t n = cfg->columns.n ? cfg->columns.n : in->n;
  if (!(d->cols = calloc(n ? n : 1, sizeof *d->cols)))
    return weir_error(ctx, WEIR_ERR_NOMEM, "dedup: out of memory");
  d->nkeys = n;
  for (size_t i = 0; i < n; i++) {
    if (!cfg->columns.n) {
      d->cols[i] = (int)i;
      continue;
    }
    const char *name = cfg->columns.items[i];
    int c = weir_schema_find(in, name);
    if (c < 0) {
      const char *near = weir_schema_suggest(in, name);
      weir_buf all = WEIR_BUF_INIT;
      for (size_t k = 0; k < in->n; k++)
        weir_buf_printf(&all, "%s%s", k ? ", " : "", in->fields[k].name);
      int rc = near ? weir_error(ctx, WEIR_ERR_SCHEMA,
                                 "columns: unknown column '%s' (did you mean "
                                 "'%s'?)",
                                 name, near)
                    : weir_error(ctx, WEIR_ERR_SCHEMA,
                                 "columns: unknown column '%s' (the input "
                                 "has: %s)",
                                 name, all.data ? (char *)all.data : "");
      weir_buf_free(&all);
      return rc;
    }
    for (size_t k = 0; k < i; k++)
      if (d->cols[k] == c)
        return weir_error(ctx, WEIR_ERR_INVALID,
                          "columns: '%s' is listed twice", name);
    d->cols[i] = c;
  }
  return WEIR_OK;
}

static int create(weir_ctx *ctx, const void *config, weir_create_args *args,
                  void **self) {
  const dedup_config *cfg = config;
  const weir_schema *in = args->input;
  if (!in)
    return weir_error(ctx, WEIR_ERR_INVALID, "dedup: needs an input");
  dedup_op *d = calloc(1, sizeof *d);
  if (!d)
    return weir_error(ctx, WEIR_ERR_NOMEM, "dedup: out of memory");
  int rc = resolve_columns(d, ctx, cfg, in);
  if (rc != WEIR_OK) {
    destroy(d);
    return rc;
  }
  d->ev_col = -1;
  for (size_t i = 0; i < in->n && d->ev_col < 0; i++)
    if (in->fields[i].flags & WEIR_FIELD_EVENT_TIME)
      d->ev_col = (int)i;
  int ev_in_key = 0;
  for (size_t i = 0; i < d->nkeys; i++)
    ev_in_key |= d->ev_col >= 0 && d->cols[i] == d->ev_col;
  d->within = cfg->within_watermark != 0;
  if (d->within && d->ev_col < 0) {
    destroy(d);
    return weir_error(ctx, WEIR_ERR_UNSUPPORTED,
                      "within_watermark needs a watermark: add a watermark "
                      "operator upstream (plugin = watermark, column = <event "
                      "time>, delay = ...), or set within_watermark = false");
  }
  d->evicts = d->within || ev_in_key;
  d->delay = d->ev_col >= 0 ? in->fields[d->ev_col].watermark_delay : 0;
  if (!d->evicts)
    weir_log(ctx, WEIR_LOG_WARN,
             "state grows without bound: no watermarked column is among the "
             "dedup columns, so every key is kept forever (add the event-time "
             "column to `columns`, or set within_watermark = true)");
  int64_t max_rows = args->max_batch_rows;
  d->max_rows =
      (uint32_t)(max_rows > 0 && max_rows <= UINT32_MAX ? max_rows
                                                        : DEFAULT_BATCH_ROWS);
  d->ncols = in->n;
  d->min_timer = WEIR_KEY_NO_TIME;
  /* The key buffer always has memory: an empty key is "" and never NULL. */
  if (weir_buf_reserve(&d->key, 64) != WEIR_OK ||
      !(d->in = weir_schema_copy(in)) ||
      !(d->row = calloc(in->n ? in->n : 1, sizeof *d->row)) ||
      weir_builder_init(&d->out, d->in) != WEIR_OK ||
      weir_builder_init(&d->late, d->in) != WEIR_OK ||
      !(args->output = weir_schema_copy(in))) {
    destroy(d);
    return weir_error(ctx, WEIR_ERR_NOMEM, "dedup: out of memory");
  }
  if (!(d->st = weir_state_open(ctx, "keys", 1))) {
    weir_schema_free(args->output);
    args->output = NULL;
    destroy(d);
    return WEIR_ERR_NOMEM; /* message set by weir_state_open */
  }
  *self = d;
  return WEIR_OK;
}

/* The earliest expiry among the stored keys (after a restore or an
 * eviction pass). */
static void rescan_min(dedup_op *d) {
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k;
  size_t kl;
  d->min_timer = WEIR_KEY_NO_TIME;
  while (weir_state_next(d->st, &it, &k, &kl, NULL, NULL)) {
    int64_t t = weir_state_timer(d->st, k, kl);
    if (t != WEIR_NO_TIMER && t < d->min_timer)
      d->min_timer = t;
  }
  d->min_known = 1;
}

static int epoch_begin(void *self, weir_ctx *ctx) {
  dedup_op *d = self;
  d->watermark = weir_epoch(ctx).watermark;
  d->late_count = 0;
  if (!d->min_known && d->evicts)
    rescan_min(d);
  return WEIR_OK;
}

static int flush(weir_builder *b, weir_ctx *ctx, int late) {
  const uint8_t *data;
  size_t len;
  if (!b->nrows)
    return WEIR_OK;
  int rc = weir_builder_finish(b, &data, &len);
  if (rc != WEIR_OK)
    return weir_error(ctx, rc, "dedup: out of memory building a batch");
  rc = late ? weir_emit_late(ctx, data, len) : weir_emit(ctx, data, len);
  weir_builder_reset(b);
  return rc;
}

static int process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  dedup_op *d = self;
  weir_reader r;
  int rc = weir_reader_open(&r, batch->data, batch->len);
  if (rc != WEIR_OK)
    return weir_error(ctx, rc, "dedup: malformed input batch");
  weir_builder_reset(&d->out);
  weir_builder_reset(&d->late);
  while ((rc = weir_reader_next(&r, d->row, d->ncols)) == 1) {
    int64_t t = d->ev_col >= 0 ? weir_key_event_time(&d->row[d->ev_col])
                               : WEIR_KEY_NO_TIME;
    if (t != WEIR_KEY_NO_TIME && t <= d->watermark) {
      d->late_count++; /* late: older than the watermark */
      weir_put_row_raw(&d->late, r.row_raw, r.row_len);
      if (d->late.nrows >= d->max_rows && (rc = flush(&d->late, ctx, 1)))
        return rc;
      continue;
    }
    weir_buf_clear(&d->key);
    for (size_t i = 0; i < d->nkeys; i++)
      if (weir_key_put(&d->key, &d->row[d->cols[i]]) != WEIR_OK)
        return weir_error(ctx, WEIR_ERR_FORMAT,
                          "dedup: malformed value in column '%s'",
                          d->in->fields[d->cols[i]].name);
    if (d->key.err)
      return weir_error(ctx, WEIR_ERR_NOMEM, "dedup: out of memory");
    const void *v;
    size_t vl;
    if (weir_state_get(d->st, d->key.data, d->key.len, &v, &vl))
      continue; /* a duplicate */
    if ((rc = weir_state_put(d->st, d->key.data, d->key.len, "", 0)) != WEIR_OK)
      return weir_error(ctx, rc, "dedup: state: %s", weir_err_str(rc));
    if (d->evicts) {
      /* Spark reads a null event time as 0 when it computes the expiry. */
      int64_t expiry = t;
      if (d->within && __builtin_add_overflow(t == WEIR_KEY_NO_TIME ? 0 : t,
                                              d->delay, &expiry))
        expiry = WEIR_KEY_NO_TIME - 1;
      if (expiry != WEIR_KEY_NO_TIME) {
        if ((rc = weir_state_set_timer(d->st, d->key.data, d->key.len,
                                       expiry)) != WEIR_OK)
          return weir_error(ctx, rc, "dedup: state: %s", weir_err_str(rc));
        if (expiry < d->min_timer)
          d->min_timer = expiry;
      }
    }
    weir_put_row_raw(&d->out, r.row_raw, r.row_len);
    if (d->out.nrows >= d->max_rows && (rc = flush(&d->out, ctx, 0)))
      return rc;
  }
  if (rc < 0)
    return weir_error(ctx, rc, "dedup: malformed input batch at row %u",
                      (unsigned)r.row);
  if ((rc = flush(&d->late, ctx, 1)) != WEIR_OK)
    return rc;
  return flush(&d->out, ctx, 0);
}

static int epoch_end(void *self, weir_ctx *ctx) {
  dedup_op *d = self;
  if (d->late_count)
    ctx->host->metric(ctx, WEIR_METRIC_ROWS_DROPPED_BY_WATERMARK,
                      d->late_count);
  d->late_count = 0;
  if (!d->evicts || d->min_timer > d->watermark)
    return WEIR_OK;
  /* Remove the keys the watermark has expired. */
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k;
  size_t kl;
  int64_t next = WEIR_KEY_NO_TIME;
  while (weir_state_next(d->st, &it, &k, &kl, NULL, NULL)) {
    int64_t t = weir_state_timer(d->st, k, kl);
    if (t == WEIR_NO_TIMER)
      continue;
    if (t > d->watermark) {
      next = t < next ? t : next;
      continue;
    }
    if (weir_state_delete(d->st, k, kl) < 0)
      return weir_error(ctx, WEIR_ERR_NOMEM, "dedup: out of memory");
  }
  d->min_timer = next;
  return WEIR_OK;
}

static int wants_epoch(void *self, weir_ctx *ctx, int64_t watermark) {
  dedup_op *d = self;
  (void)ctx;
  if (!d->evicts)
    return 0;
  if (!d->min_known)
    rescan_min(d);
  return d->min_timer <= watermark;
}

static const weir_plugin descriptor = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_OPERATOR,
    .name = "dedup",
    .version = WEIR_VERSION,
    .description = "drops duplicate rows (Spark's dropDuplicates and "
                   "dropDuplicatesWithinWatermark), bounded by the watermark",
    .options = options,
    .config_size = sizeof(dedup_config),
    .flags = WEIR_PLUGIN_STATEFUL,
    .create = create,
    .destroy = destroy,
    .epoch_begin = epoch_begin,
    .process = process,
    .epoch_end = epoch_end,
    .wants_epoch = wants_epoch,
};

WEIR_PLUGIN(descriptor)
