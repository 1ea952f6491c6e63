/* plugins/aggregate/aggregate.c — the `aggregate` operator: Spark's
 * groupBy(...).agg(...) on a stream, running or over event-time windows,
 * with Spark's output modes, late-row handling and state eviction
 * (SEMANTICS.md, "Stateful aggregation per output mode"):
 *
 *   complete  every row is merged (nothing is late); every epoch emits all
 *             groups; nothing is evicted.
 *   append    rows whose group is already final (window end, or the
 *             watermarked group column, <= the epoch's watermark) are
 *             dropped as late; the rest are merged; then every final group
 *             is emitted once and removed. Refused at load time without a
 *             watermarked window or group column.
 *   update    late rows dropped; every group changed in the epoch is
 *             emitted; then final groups are removed without output.
 *
 * A group is one weir_state entry (key: groups.h; value: the accumulators
 * of aggs.h behind an 8-byte header holding the epoch + 1 that last touched
 * it, for update mode). The per-row path is: decode, assign windows, encode
 * the key, weir_state_upsert, fold — no allocation.
 *
 * Late rows: numRowsDroppedByWatermark counts what Spark counts, the rows
 * its state operator drops — one per distinct late group per epoch, since
 * Spark merges a micro-batch's rows per group before the late filter. The
 * input rows themselves go to the `late_rows` sink when one is configured
 * (a row that still counted in one of its sliding windows is not late, as
 * in Flink's side output).
 *
 * Output order: see groups.h (window start, then group values). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

#include "aggs.h"
#include "call.h"
#include "groups.h"
#include "weir/key.h"
#include "window.h"

#define DEFAULT_BATCH_ROWS 4096

typedef struct aggregate_config {
  const char *group_by;
  const char *aggregate;
} aggregate_config;

typedef struct aggregate_op {
  group_spec g;
  agg_set aggs;
  int mode;   /* weir_output_mode */
  int evicts; /* append/update with an event-time key */
  weir_state *st;
  weir_schema *in, *out_schema; /* own copies: the builders borrow them */
  weir_builder out, late;
  weir_value *row;
  size_t ncols;
  uint32_t max_rows;
  weir_buf key;       /* the key being built */
  weir_buf touched;   /* update: keys first touched this epoch */
  weir_buf late_keys; /* late groups this epoch, for the distinct count */
  weir_buf arena;     /* append: copies of the groups being closed */
  group_list list;
  win_cache wcache; /* the last row's windows */
  int64_t min_time; /* lower bound of the event time of stored groups */
  int min_known;    /* 0 until computed (after a restore, say) */
  int64_t epoch, watermark;
} aggregate_op;

static const weir_option options[] = {
    {"group_by", WEIR_OPT_STRING, NULL, WEIR_OPT_STATE, 0, 0, NULL,
     "grouping columns and at most one window(column, size[, slide[, "
     "offset]]), comma-separated, each with an optional AS name; empty: one "
     "global group",
     offsetof(aggregate_config, group_by)},
    {"aggregate", WEIR_OPT_STRING, NULL, WEIR_OPT_REQUIRED | WEIR_OPT_STATE, 0,
     0, NULL,
     "count, count(c), sum(c), avg(c), min(c), max(c), first(c), last(c), "
     "approx_count_distinct(c), each with an optional AS name",
     offsetof(aggregate_config, aggregate)},
    WEIR_OPTIONS_END};

static inline int64_t ld_i64(const void *p) {
  int64_t v;
  memcpy(&v, p, 8);
  return v;
}
static inline void st_i64(void *p, int64_t v) { memcpy(p, &v, 8); }

static void destroy(void *self) {
  aggregate_op *a = self;
  if (!a)
    return;
  groups_free(&a->g);
  aggs_free(&a->aggs);
  weir_builder_free(&a->out);
  weir_builder_free(&a->late);
  weir_schema_free(a->in);
  weir_schema_free(a->out_schema);
  free(a->row);
  weir_buf_free(&a->key);
  weir_buf_free(&a->touched);
  weir_buf_free(&a->late_keys);
  weir_buf_free(&a->arena);
  group_list_free(&a->list);
  free(a);
}

/* Load-time checks of the output mode against the grouping (Spark's
 * UnsupportedOperationChecker), and the unbounded-state warnings. */
static int check_mode(aggregate_op *a, weir_ctx *ctx) {
  const group_spec *g = &a->g;
  const char *wcol = NULL;
  for (size_t i = 0; i < g->n; i++)
    if (g->items[i].kind == G_WINDOW)
      wcol = g->items[i].field->name;
  if (a->mode == WEIR_MODE_APPEND && g->ev_kind == EV_NONE) {
    if (wcol)
      return weir_error(
          ctx, WEIR_ERR_UNSUPPORTED,
          "append output mode needs a watermark: add a watermark operator "
          "on the window's time column '%s' upstream (plugin = watermark, "
          "column = %s, delay = ...), or use output_mode = update or "
          "complete",
          wcol, wcol);
    return weir_error(
        ctx, WEIR_ERR_UNSUPPORTED,
        "append output mode needs a watermark: append emits a group once it "
        "is final, and without a window over a watermarked column (or a "
        "watermarked group column) no group ever is; group by "
        "window(<time column>, <size>) over a column that a watermark "
        "operator marks, or use output_mode = update or complete");
  }
  if (!g->n)
    return WEIR_OK; /* one global group: bounded */
  if (a->mode == WEIR_MODE_COMPLETE)
    weir_log(ctx, WEIR_LOG_WARN,
             "state grows without bound: complete output mode keeps every "
             "group to emit the whole result each epoch (use update or "
             "append with a watermark to evict closed windows)");
  else if (g->ev_kind == EV_NONE && wcol)
    weir_log(ctx, WEIR_LOG_WARN,
             "state grows without bound: window(%s, ...) is over a column "
             "without a watermark, so no window is ever closed; add a "
             "watermark operator on '%s' upstream",
             wcol, wcol);
  else if (g->ev_kind == EV_NONE)
    weir_log(ctx, WEIR_LOG_WARN,
             "state grows without bound: no group column is watermarked, so "
             "every group is kept forever (group by a window over a "
             "watermarked column to bound it)");
  return WEIR_OK;
}

static int create(weir_ctx *ctx, const void *config, weir_create_args *args,
                  void **self) {
  const aggregate_config *cfg = config;
  char err[1024] = "";
  call_list gl = {0}, al = {0};
  if (!args->input)
    return weir_error(ctx, WEIR_ERR_INVALID, "aggregate: needs an input");
  aggregate_op *a = calloc(1, sizeof *a);
  if (!a)
    return weir_error(ctx, WEIR_ERR_NOMEM, "aggregate: out of memory");
  a->mode = args->output_mode;
  int64_t max_rows = args->max_batch_rows;
  a->max_rows =
      (uint32_t)(max_rows > 0 && max_rows <= UINT32_MAX ? max_rows
                                                        : DEFAULT_BATCH_ROWS);
  char sub[1024] = "";
  int rc = call_list_parse(cfg->group_by, &gl, sub, sizeof sub);
  if (rc != WEIR_OK)
    snprintf(err, sizeof err, "group_by: %s", sub);
  else
    rc = groups_resolve(&a->g, &gl, args->input, err, sizeof err);
  if (rc == WEIR_OK &&
      (rc = call_list_parse(cfg->aggregate, &al, sub, sizeof sub)) != WEIR_OK)
    snprintf(err, sizeof err, "aggregate: %s", sub);
  if (rc == WEIR_OK)
    rc = aggs_resolve(&a->aggs, &al, args->input, err, sizeof err);
  call_list_free(&gl);
  call_list_free(&al);
  if (rc == WEIR_OK) {
    if (!(a->out_schema = weir_schema_new()))
      rc = WEIR_ERR_NOMEM;
    else if ((rc = groups_output_fields(&a->g, a->out_schema, err,
                                        sizeof err)) == WEIR_OK)
      rc = aggs_output_fields(&a->aggs, a->out_schema, err, sizeof err);
  }
  if (rc != WEIR_OK) {
    destroy(a);
    if (rc == WEIR_ERR_NOMEM)
      return weir_error(ctx, rc, "aggregate: out of memory");
    return weir_error(ctx, rc, "%s", err);
  }
  if ((rc = check_mode(a, ctx)) != WEIR_OK) {
    destroy(a);
    return rc;
  }
  a->evicts = a->mode != WEIR_MODE_COMPLETE && a->g.ev_kind != EV_NONE;
  a->ncols = args->input->n;
  a->min_time = EV_NULL;
  a->wcache.lo = 1; /* empty */
  /* The key buffer always has memory: a global aggregation's key is
   * empty, and the store must never be handed NULL. */
  if (weir_buf_reserve(&a->key, 64) != WEIR_OK ||
      !(a->in = weir_schema_copy(args->input)) ||
      !(a->row = calloc(a->ncols ? a->ncols : 1, sizeof *a->row)) ||
      weir_builder_init(&a->out, a->out_schema) != WEIR_OK ||
      weir_builder_init(&a->late, a->in) != WEIR_OK ||
      !(args->output = weir_schema_copy(a->out_schema))) {
    destroy(a);
    return weir_error(ctx, WEIR_ERR_NOMEM, "aggregate: out of memory");
  }
  if (!(a->st = weir_state_open(ctx, "groups", 1))) {
    destroy(a);
    return WEIR_ERR_NOMEM; /* the message is set by weir_state_open */
  }
  *self = a;
  return WEIR_OK;
}

/* Recomputes the smallest event time of the stored groups (after a restore,
 * and after each eviction pass). */
static void rescan_min(aggregate_op *a) {
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v;
  size_t kl, vl;
  a->min_time = EV_NULL;
  while (weir_state_next(a->st, &it, &k, &kl, &v, &vl)) {
    int64_t t = groups_key_time(&a->g, k, kl);
    if (t < a->min_time)
      a->min_time = t;
  }
  a->min_known = 1;
}

static void ensure_min(aggregate_op *a) {
  if (!a->min_known && a->evicts)
    rescan_min(a);
}

static int epoch_begin(void *self, weir_ctx *ctx) {
  aggregate_op *a = self;
  weir_epoch_info info = weir_epoch(ctx);
  a->epoch = info.epoch;
  a->watermark = info.watermark;
  weir_buf_clear(&a->touched);
  weir_buf_clear(&a->late_keys);
  ensure_min(a);
  return WEIR_OK;
}

static void note_key(weir_buf *list, const uint8_t *key, size_t klen) {
  uint32_t n = (uint32_t)klen;
  weir_buf_append(list, &n, sizeof n);
  weir_buf_append(list, key, klen);
}

/* Folds one row into one group. */
static int fold(aggregate_op *a, int64_t t, const weir_value *row) {
  void *p;
  int created;
  const uint8_t *key = a->key.data;
  size_t klen = a->key.len, acclen = a->aggs.fixed;
  if (a->aggs.nvar) {
    /* A value with a variable tail: upsert must be asked for its current
     * size, which only a lookup tells (fixed-size values skip it). */
    const void *cur;
    size_t curlen;
    if (weir_state_get(a->st, key, klen, &cur, &curlen))
      acclen = curlen;
  }
  int rc = weir_state_upsert(a->st, key, klen, acclen, &p, &created);
  if (rc != WEIR_OK)
    return rc;
  uint8_t *acc = p;
  if (created && t < a->min_time)
    a->min_time = t;
  if (a->mode == WEIR_MODE_UPDATE && ld_i64(acc) != a->epoch + 1) {
    st_i64(acc, a->epoch + 1); /* first change this epoch: emit it */
    note_key(&a->touched, key, klen);
  }
  return aggs_update(&a->aggs, a->st, key, klen, &acc, &acclen, row);
}

static int flush_late(aggregate_op *a, weir_ctx *ctx) {
  const uint8_t *data;
  size_t len;
  if (!a->late.nrows)
    return WEIR_OK;
  int rc = weir_builder_finish(&a->late, &data, &len);
  if (rc == WEIR_OK)
    rc = weir_emit_late(ctx, data, len);
  weir_builder_reset(&a->late);
  return rc;
}

static int process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  aggregate_op *a = self;
  const group_spec *g = &a->g;
  weir_reader r;
  int rc;
  const int64_t *starts = NULL;
  if ((rc = weir_reader_open(&r, batch->data, batch->len)) != WEIR_OK)
    return weir_error(ctx, rc, "aggregate: malformed input batch");
  const size_t prefix = g->has_window ? 8 : 0;
  const int64_t wm = a->watermark;
  while ((rc = weir_reader_next(&r, a->row, a->ncols)) == 1) {
    int nwin = 1;
    if (g->has_window) {
      const weir_value *tv = &a->row[g->win_col];
      if (tv->type == WEIR_T_NULL)
        continue; /* Spark: a null time is in no window */
      if (tv->type != WEIR_T_TIMESTAMP)
        return weir_error(ctx, WEIR_ERR_FORMAT,
                          "aggregate: column '%s' holds a %s value in a "
                          "timestamp column",
                          a->in->fields[g->win_col].name,
                          weir_type_name(tv->type));
      nwin = win_assign_cached(&g->win, &a->wcache, tv->v.ts, &starts);
    }
    weir_buf_clear(&a->key);
    if (prefix)
      weir_buf_append(&a->key, &g->win.size, 8); /* the start, set below */
    for (size_t i = 0; i < g->n; i++)
      if (g->items[i].kind == G_COLUMN &&
          weir_key_put(&a->key, &a->row[g->items[i].col]) != WEIR_OK)
        return weir_error(ctx, WEIR_ERR_FORMAT,
                          "aggregate: malformed value in column '%s'",
                          g->items[i].field->name);
    if (a->key.err)
      return weir_error(ctx, WEIR_ERR_NOMEM, "aggregate: out of memory");
    int64_t col_time =
        g->ev_kind == EV_COLUMN
            ? groups_value_time(&a->row[g->items[g->ev_item].col])
            : EV_NULL;
    int merged = 0, dropped = 0;
    for (int w = 0; w < nwin; w++) {
      int64_t t = col_time;
      if (prefix) {
        memcpy(a->key.data, &starts[w], 8);
        if (g->ev_kind == EV_WINDOW)
          t = starts[w] + g->win.size;
      }
      if (a->evicts && t != EV_NULL && t <= wm) {
        dropped = 1; /* late: its group is already final */
        note_key(&a->late_keys, a->key.data, a->key.len);
        continue;
      }
      if ((rc = fold(a, t, a->row)) != WEIR_OK) {
        if (rc == WEIR_ERR_FORMAT)
          return weir_error(ctx, rc,
                            "aggregate: a value does not match the input "
                            "schema (row %u)",
                            (unsigned)r.row);
        return weir_error(ctx, rc, "aggregate: state: %s", weir_err_str(rc));
      }
      merged = 1;
    }
    if (dropped && !merged) {
      weir_put_row_raw(&a->late, r.row_raw, r.row_len);
      if (a->late.nrows >= a->max_rows && (rc = flush_late(a, ctx)) != WEIR_OK)
        return rc;
    }
  }
  if (rc < 0)
    return weir_error(ctx, rc, "aggregate: malformed input batch at row %u",
                      (unsigned)r.row);
  if (a->touched.err || a->late_keys.err)
    return weir_error(ctx, WEIR_ERR_NOMEM, "aggregate: out of memory");
  return flush_late(a, ctx);
}

/* ---- emitting ------------------------------------------------------------ */

static int flush_out(aggregate_op *a, weir_ctx *ctx) {
  const uint8_t *data;
  size_t len;
  if (!a->out.nrows)
    return WEIR_OK;
  int rc = weir_builder_finish(&a->out, &data, &len);
  if (rc != WEIR_OK)
    return weir_error(ctx, rc, "aggregate: out of memory building a batch");
  rc = weir_emit(ctx, data, len);
  weir_builder_reset(&a->out);
  return rc;
}

/* Sorts the collected groups and emits them. */
static int emit_list(aggregate_op *a, weir_ctx *ctx) {
  int rc = WEIR_OK;
  group_list_sort(&a->g, &a->list);
  weir_builder_reset(&a->out);
  for (size_t i = 0; i < a->list.n && rc == WEIR_OK; i++) {
    const group_ent *e = &a->list.e[i];
    weir_row_begin(&a->out);
    groups_put(&a->g, e->key, e->klen, &a->out);
    aggs_emit(&a->aggs, e->val, e->vlen, &a->out);
    if (a->out.nrows >= a->max_rows)
      rc = flush_out(a, ctx);
  }
  a->list.n = 0;
  return rc == WEIR_OK ? flush_out(a, ctx) : rc;
}

/* Removes every group whose event time is <= the watermark; with `keep`
 * (append), copies each into the arena and the list first. */
static int evict(aggregate_op *a, int keep) {
  if (!a->evicts || a->min_time > a->watermark)
    return WEIR_OK;
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v;
  size_t kl, vl;
  weir_buf_clear(&a->arena);
  int64_t next_min = EV_NULL;
  size_t first = a->list.n;
  while (weir_state_next(a->st, &it, &k, &kl, &v, &vl)) {
    int64_t t = groups_key_time(&a->g, k, kl);
    if (t > a->watermark) {
      if (t < next_min)
        next_min = t;
      continue;
    }
    if (keep) { /* offsets for now: the arena may move while it grows */
      size_t at = a->arena.len;
      weir_buf_append(&a->arena, k, kl);
      weir_buf_append(&a->arena, v, vl);
      if (group_list_add(&a->list, (const uint8_t *)(uintptr_t)at, (uint32_t)kl,
                         NULL, (uint32_t)vl) != WEIR_OK)
        return WEIR_ERR_NOMEM;
    }
    if (weir_state_delete(a->st, k, kl) < 0)
      return WEIR_ERR_NOMEM;
  }
  if (a->arena.err)
    return WEIR_ERR_NOMEM;
  for (size_t i = first; i < a->list.n; i++) {
    group_ent *e = &a->list.e[i];
    e->key = a->arena.data + (uintptr_t)e->key;
    e->val = e->key + e->klen;
  }
  a->min_time = next_min;
  return WEIR_OK;
}

static int epoch_end(void *self, weir_ctx *ctx) {
  aggregate_op *a = self;
  const void *k, *v;
  size_t kl, vl;
  int rc = WEIR_OK;
  a->list.n = 0;
  if (a->g.n == 0 && a->mode != WEIR_MODE_APPEND) {
    /* A global aggregation has its one row every epoch, even before any
     * input (Spark: count 0, sum null). */
    void *p;
    int created;
    if ((rc = weir_state_upsert(a->st, "", 0, a->aggs.fixed, &p, &created)) !=
        WEIR_OK)
      return weir_error(ctx, rc, "aggregate: state: %s", weir_err_str(rc));
    if (a->mode == WEIR_MODE_UPDATE && ld_i64(p) != a->epoch + 1) {
      st_i64(p, a->epoch + 1);
      note_key(&a->touched, (const uint8_t *)"", 0);
    }
  }
  if (a->mode == WEIR_MODE_COMPLETE) {
    weir_state_iter it = WEIR_STATE_ITER_INIT;
    while (rc == WEIR_OK && weir_state_next(a->st, &it, &k, &kl, &v, &vl))
      rc = group_list_add(&a->list, k, (uint32_t)kl, v, (uint32_t)vl);
  } else if (a->mode == WEIR_MODE_UPDATE) {
    const uint8_t *p = a->touched.data, *end = p + a->touched.len;
    while (rc == WEIR_OK && p && p < end) {
      uint32_t n;
      memcpy(&n, p, sizeof n);
      p += sizeof n;
      if (weir_state_get(a->st, p, n, &v, &vl))
        rc = group_list_add(&a->list, p, n, v, (uint32_t)vl);
      p += n;
    }
  } else {
    rc = evict(a, 1);
  }
  if (rc == WEIR_OK)
    rc = emit_list(a, ctx);
  else
    return weir_error(ctx, rc, "aggregate: out of memory");
  if (rc != WEIR_OK)
    return rc; /* a downstream error, already recorded */
  if (a->mode == WEIR_MODE_UPDATE && (rc = evict(a, 0)) != WEIR_OK)
    return weir_error(ctx, rc, "aggregate: out of memory");
  /* Spark counts the late rows its state operator drops: one per group. */
  if (a->late_keys.len) {
    const uint8_t *p = a->late_keys.data, *end = p + a->late_keys.len;
    a->list.n = 0;
    while (p < end) {
      uint32_t n;
      memcpy(&n, p, sizeof n);
      p += sizeof n;
      if (group_list_add(&a->list, p, n, NULL, 0) != WEIR_OK)
        return weir_error(ctx, WEIR_ERR_NOMEM, "aggregate: out of memory");
      p += n;
    }
    ctx->host->metric(ctx, WEIR_METRIC_ROWS_DROPPED_BY_WATERMARK,
                      (int64_t)group_list_distinct(&a->list));
    a->list.n = 0;
  }
  return WEIR_OK;
}

/* A no-data epoch is worth running when the watermark closes a group. */
static int wants_epoch(void *self, weir_ctx *ctx, int64_t watermark) {
  aggregate_op *a = self;
  (void)ctx;
  ensure_min(a);
  return a->evicts && a->min_time <= watermark;
}

static const weir_plugin descriptor = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_OPERATOR,
    .name = "aggregate",
    .version = WEIR_VERSION,
    .description = "groupBy with optional event-time window and aggregates "
                   "(count, sum, avg, min, max, first, last, "
                   "approx_count_distinct), per output mode",
    .options = options,
    .config_size = sizeof(aggregate_config),
    .flags = WEIR_PLUGIN_STATEFUL | WEIR_PLUGIN_AGGREGATE,
    .create = create,
    .destroy = destroy,
    .epoch_begin = epoch_begin,
    .process = process,
    .epoch_end = epoch_end,
    .wants_epoch = wants_epoch,
};

WEIR_PLUGIN(descriptor)
