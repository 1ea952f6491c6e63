/* engine.c — the epoch protocol (DESIGN §2): plan every source, decide
 * whether an epoch runs, run it (epoch_begin, read, epoch_end in topological
 * order so operators flush before sinks commit), acknowledge, advance the
 * watermark, report progress. The trigger loop (trigger.c) calls step(). */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "query.h"
#include "state.h"

static int64_t now_us(query *q) { return q->clock->now(q->clock->u); }

static int node_fail(query *q, node *nd, int rc) {
  if (!q->failed)
    q->failed = nd;
  if (!nd->err[0])
    snprintf(nd->err, sizeof nd->err, "%s", weir_err_str(rc));
  return rc < 0 ? rc : WEIR_ERR_INTERNAL;
}

static int plan_sources(query *q, int *any) {
  *any = 0;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->kind != WEIR_KIND_SOURCE)
      continue;
    weir_offset start = {nd->start.data, nd->start.len};
    weir_buf_clear(&nd->end);
    nd->has_data = 0;
    nd->err[0] = '\0';
    int rc = nd->plugin->desc.plan(nd->self, &nd->ctx, &start, &nd->end,
                                   &nd->has_data);
    if (rc != WEIR_OK)
      return node_fail(q, nd, rc);
    if (nd->end.err)
      return node_fail(q, nd, WEIR_ERR_NOMEM);
    /* Spark: for a new query, a source's first offset is new data, so the
     * first epoch runs (possibly empty) as soon as a source has a position. */
    if (nd->start.len == 0 && nd->end.len > 0)
      nd->has_data = 1;
    if (!nd->has_data) {
      /* Nothing new: the end is where it started. */
      weir_buf_clear(&nd->end);
      weir_buf_append(&nd->end, nd->start.data, nd->start.len);
    }
    *any |= nd->has_data;
  }
  return WEIR_OK;
}

/* A no-data epoch runs when the watermark moved and a stateful operator has
 * something the new watermark closes or evicts. */
static int wants_no_data_epoch(query *q) {
  int moved = q->has_watermark && q->watermark > q->last_epoch_watermark;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    const weir_plugin *d = &nd->plugin->desc;
    if (!(d->flags & WEIR_PLUGIN_STATEFUL))
      continue;
    /* A plugin that answers is asked even when the watermark stood still:
     * processing-time timeouts need epochs without data too. */
    if (d->wants_epoch ? d->wants_epoch(nd->self, &nd->ctx, q->watermark)
                       : moved)
      return 1;
  }
  return 0;
}

static void advance_watermark(query *q) {
  if (!q->has_watermark)
    return;
  int64_t combined = INT64_MIN;
  int unseen = 0, seen = 0;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (!(nd->plugin->desc.flags & WEIR_PLUGIN_WATERMARK))
      continue;
    if (nd->wm_idle)
      continue; /* weir's idle_timeout: an idle input holds nothing back */
    if (nd->wm_candidate == INT64_MIN) {
      unseen = 1;
      continue;
    }
    if (!seen)
      combined = nd->wm_candidate;
    else if (q->cfg.watermark_policy == WM_POLICY_MIN)
      combined = nd->wm_candidate < combined ? nd->wm_candidate : combined;
    else
      combined = nd->wm_candidate > combined ? nd->wm_candidate : combined;
    seen = 1;
  }
  /* Spark: under min, an input that has never seen a row holds it at 0. */
  if (!seen || (unseen && q->cfg.watermark_policy == WM_POLICY_MIN))
    return;
  if (combined > q->watermark)
    q->watermark = combined;
}

static int call_all(query *q, int which) {
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    const weir_plugin *d = &nd->plugin->desc;
    int (*fn)(void *, weir_ctx *) = which ? d->epoch_end : d->epoch_begin;
    if (!fn)
      continue;
    nd->err[0] = '\0';
    int rc = fn(nd->self, &nd->ctx);
    if (rc != WEIR_OK)
      return node_fail(q, nd, rc);
  }
  return WEIR_OK;
}

/* Stores the runtime keeps for a plugin report themselves: rows, bytes and
 * this epoch's updates and removals. */
static void collect_state_metrics(query *q) {
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (!nd->nstores)
      continue;
    int64_t rows = 0, bytes = 0, upd = 0, rem = 0;
    for (size_t k = 0; k < nd->nstores; k++) {
      weir_state *ws = (weir_state *)nd->stores[k];
      uint64_t u, r;
      store_epoch_stats(nd->stores[k], &u, &r);
      rows += (int64_t)weir_state_count(ws);
      bytes += (int64_t)weir_state_bytes(ws);
      upd += (int64_t)u;
      rem += (int64_t)r;
    }
    nd->m.state_rows = rows;
    nd->m.state_memory = bytes;
    nd->m.state_updated += upd;
    nd->m.state_removed += rem;
  }
}

static void reset_state_tracking(query *q) {
  for (size_t i = 0; i < q->n; i++)
    for (size_t k = 0; k < q->nodes[i]->nstores; k++)
      store_epoch_reset(q->nodes[i]->stores[k]);
}

static int run_epoch(query *q, int64_t tick, int64_t t_planned, int64_t plan_us,
                     int64_t wal_us, int no_data) {
  epoch_report rep = {0};
  rep.epoch = q->epoch;
  rep.start_us = tick;
  rep.watermark = q->watermark;
  rep.d_latest_offset = plan_us;
  rep.d_wal_commit = wal_us;
  rep.no_data = no_data;
  q->info.struct_size = sizeof q->info;
  q->info.epoch = q->epoch;
  q->info.watermark = q->watermark;
  q->info.processing_time = tick;
  q->info.output_mode = q->output_mode;
  q->info.has_watermark = q->has_watermark;
  q->info.query_id = q->query_id;
  q->info.run_id = q->run_id;
  for (size_t i = 0; i < q->n; i++)
    memset(&q->nodes[i]->m, 0, sizeof q->nodes[i]->m);
  q->in_epoch = 1;
  int rc = call_all(q, 0);
  for (size_t i = 0; rc == WEIR_OK && i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->kind != WEIR_KIND_SOURCE || !nd->has_data)
      continue;
    weir_offset start = {nd->start.data, nd->start.len};
    weir_offset end = {nd->end.data, nd->end.len};
    nd->err[0] = '\0';
    rc = nd->plugin->desc.read(nd->self, &nd->ctx, &start, &end);
    if (rc != WEIR_OK)
      rc = node_fail(q, nd, rc);
  }
  if (rc == WEIR_OK)
    rc = call_all(q, 1);
  q->in_epoch = 0;
  if (rc != WEIR_OK)
    return rc;
  collect_state_metrics(q);
  int64_t t_added = now_us(q);
  rep.d_add_batch = t_added - t_planned;
  /* The sinks have committed N: state, then commits/N with the watermark
   * for N+1; only then may sources release data. */
  q->last_epoch_watermark = q->watermark;
  advance_watermark(q);
  rc = recovery_commit(q, q->errmsg, sizeof q->errmsg);
  if (rc != WEIR_OK)
    return rc;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->kind != WEIR_KIND_SOURCE)
      continue;
    rep.num_input_rows += nd->m.rows_out;
    nd->rows_total += nd->m.rows_out;
    if (nd->has_data && nd->plugin->desc.acknowledge) {
      weir_offset end = {nd->end.data, nd->end.len};
      nd->err[0] = '\0';
      rc = nd->plugin->desc.acknowledge(nd->self, &nd->ctx, &end);
      if (rc != WEIR_OK)
        return node_fail(q, nd, rc);
    }
  }
  int64_t t_end = now_us(q);
  rep.d_commit_offsets = t_end - t_added;
  rep.end_us = t_end;
  q->rows_total += rep.num_input_rows;
  progress_emit(q, &rep);
  /* The planned end becomes the next epoch's start. */
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->kind != WEIR_KIND_SOURCE)
      continue;
    weir_buf tmp = nd->start;
    nd->start = nd->end;
    nd->end = tmp;
    weir_buf_clear(&nd->end);
  }
  reset_state_tracking(q);
  q->prev_epoch_start = tick;
  q->epoch++;
  return WEIR_OK;
}

/* Re-runs the logged, uncommitted epoch with exactly its ranges, watermark
 * and timestamp (SEMANTICS.md, Epochs and recovery). */
static int replay_pending(query *q) {
  ckpt_plan *p = &q->pending;
  int any = 0;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->kind != WEIR_KIND_SOURCE)
      continue;
    weir_buf_clear(&nd->start);
    weir_buf_clear(&nd->end);
    nd->has_data = 0;
    for (size_t k = 0; k < p->n; k++) {
      if (strcmp(p->sources[k].name, nd->name) != 0)
        continue;
      ckpt_source_range *r = &p->sources[k];
      weir_buf_append(&nd->start, r->start.data, r->start.len);
      weir_buf_append(&nd->end, r->end.data, r->end.len);
      nd->has_data =
          r->end.len && (r->start.len != r->end.len ||
                         memcmp(r->start.data, r->end.data, r->end.len) != 0);
      any |= nd->has_data;
    }
  }
  q->watermark = p->watermark;
  int64_t ts = p->timestamp, t = now_us(q);
  int rc = run_epoch(q, ts, t, 0, 0, !any);
  ckpt_plan_free(p);
  q->has_pending = 0;
  return rc;
}

static int step(void *u, int64_t tick) {
  query *q = u;
  if (q->has_pending) {
    int rc = replay_pending(q);
    if (rc != WEIR_OK)
      return rc;
    return q->trig.kind == TRIGGER_ONCE ? STEP_DONE : STEP_RAN;
  }
  int any = 0;
  int rc = plan_sources(q, &any);
  if (rc != WEIR_OK)
    return rc;
  int64_t t_planned = now_us(q);
  int no_data = !any && wants_no_data_epoch(q);
  if (!any && !no_data && q->trig.kind != TRIGGER_ONCE) {
    if (q->trig.kind == TRIGGER_AVAILABLE_NOW)
      return STEP_DONE;
    progress_idle(q, t_planned);
    return STEP_IDLE;
  }
  /* The plan is logged before any record is read. */
  rc = recovery_log_plan(q, tick, q->errmsg, sizeof q->errmsg);
  if (rc != WEIR_OK)
    return rc;
  int64_t t_logged = now_us(q);
  rc = run_epoch(q, tick, t_logged, t_planned - tick, t_logged - t_planned,
                 !any);
  if (rc != WEIR_OK)
    return rc;
  return q->trig.kind == TRIGGER_ONCE ? STEP_DONE : STEP_RAN;
}

static void behind(void *u, int64_t elapsed, int64_t interval) {
  query *q = u;
  q->behind_count++;
  progress_status_clear(q);
  fprintf(stderr,
          "weir: warning: epoch %lld took %lld ms, longer than the trigger "
          "interval of %lld ms: the query is falling behind\n",
          (long long)(q->epoch - 1), (long long)(elapsed / 1000),
          (long long)(interval / 1000));
}

int query_run(query *q, const weir_clock *clock, volatile sig_atomic_t *stop,
              char *err, size_t errlen) {
  q->clock = clock;
  q->stop = stop;
  q->failed = NULL;
  q->prev_epoch_start = -1;
  q->errmsg[0] = '\0';
  int rc = recovery_open(q, q->errmsg, sizeof q->errmsg);
  if (rc == WEIR_OK)
    q->errmsg[0] = '\0'; /* notes of lookups that were allowed to fail */
  if (q->trig.kind == TRIGGER_AVAILABLE_NOW) {
    for (size_t i = 0; i < q->n && rc == WEIR_OK; i++) {
      node *nd = q->nodes[i];
      if (nd->kind == WEIR_KIND_SOURCE &&
          nd->plugin->desc.prepare_available_now) {
        nd->err[0] = '\0';
        rc = nd->plugin->desc.prepare_available_now(nd->self, &nd->ctx);
        if (rc != WEIR_OK)
          rc = node_fail(q, nd, rc);
      }
    }
  }
  if (rc == WEIR_OK)
    progress_node_status(q, NULL, ""); /* no stale status.json of a past run */
  if (rc == WEIR_OK)
    rc = trigger_loop(&q->trig, clock, stop, step, behind, q);
  progress_status_clear(q);
  q->stopped = 1;
  if (q->ckpt)
    progress_node_status(q, NULL, ""); /* status.json: no longer running */
  recovery_close(q);
  if (rc != WEIR_OK) {
    if (q->errmsg[0])
      snprintf(err, errlen, "%s", q->errmsg);
    else if (q->failed)
      node_error_message(q->failed,
                         q->failed->err_code ? q->failed->err_code : rc, "",
                         err, errlen);
    else
      snprintf(err, errlen, "%s: %s", q->file, weir_err_str(rc));
  }
  return rc;
}
