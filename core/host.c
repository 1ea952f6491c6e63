/* host.c — the host API every plugin calls back into, and the wiring of
 * emitted batches to downstream nodes (synchronous, depth first). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query.h"
#include "state.h"

static node *as_node(weir_ctx *ctx) { return (node *)ctx; }

static void host_set_error(weir_ctx *ctx, int code, const char *msg) {
  node *nd = as_node(ctx);
  nd->err_code = code;
  snprintf(nd->err, sizeof nd->err, "%s", msg ? msg : "");
}

static void host_log(weir_ctx *ctx, int level, const char *msg) {
  static const char *const names[] = {"error", "warning", "info", "debug"};
  node *nd = as_node(ctx);
  if (level >= WEIR_LOG_DEBUG && !getenv("WEIR_DEBUG"))
    return;
  if (level >= WEIR_LOG_INFO && nd->q->quiet)
    return;
  progress_status_clear(nd->q);
  fprintf(stderr, "weir: %s: [%s] %s\n",
          names[level < 0   ? 0
                : level > 3 ? 3
                            : level],
          nd->section, msg);
}

int node_emit(node *from, const void *data, size_t len) {
  weir_reader r;
  if (weir_reader_open(&r, data, len) != WEIR_OK) {
    snprintf(from->err, sizeof from->err,
             "emitted a malformed batch (%zu bytes; see weir/batch.h)", len);
    from->err_code = WEIR_ERR_FORMAT;
    if (!from->q->failed)
      from->q->failed = from;
    return WEIR_ERR_FORMAT;
  }
  from->m.rows_out += r.nrows;
  for (size_t i = 0; i < from->n_outputs; i++) {
    node *to = from->outputs[i];
    weir_batch b = {(const uint8_t *)data, len, r.nrows, from->output};
    to->m.rows_in += r.nrows;
    int rc = to->plugin->desc.process(to->self, &to->ctx, &b);
    if (rc != WEIR_OK) {
      if (!to->q->failed)
        to->q->failed = to;
      return rc;
    }
  }
  return WEIR_OK;
}

static int host_emit(weir_ctx *ctx, const void *batch, size_t len) {
  node *nd = as_node(ctx);
  if (nd->kind == WEIR_KIND_SINK)
    return weir_error(ctx, WEIR_ERR_INVALID, "a sink cannot emit batches");
  return node_emit(nd, batch, len);
}

static void host_epoch_info(weir_ctx *ctx, weir_epoch_info *out) {
  node *nd = as_node(ctx);
  uint32_t size = out->struct_size;
  weir_epoch_info info = nd->q->info;
  info.struct_size = size;
  info.query_id = nd->q->query_id;
  info.run_id = nd->q->run_id;
  if (!nd->q->in_epoch)
    info.epoch = -1;
  memcpy(out, &info, size < sizeof info ? size : sizeof info);
}

static int64_t host_now(weir_ctx *ctx) {
  const weir_clock *c = as_node(ctx)->q->clock;
  return c ? c->now(c->u) : weir_wall_clock.now(NULL);
}

static void host_metric(weir_ctx *ctx, int metric, int64_t v) {
  node_metrics *m = &as_node(ctx)->m;
  switch (metric) {
  case WEIR_METRIC_ROWS_DROPPED_BY_WATERMARK:
    m->dropped_by_watermark += v;
    break;
  case WEIR_METRIC_MALFORMED_RECORDS: m->malformed += v; break;
  case WEIR_METRIC_STATE_ROWS_TOTAL: m->state_rows = v; break;
  case WEIR_METRIC_STATE_ROWS_UPDATED: m->state_updated += v; break;
  case WEIR_METRIC_STATE_ROWS_REMOVED: m->state_removed += v; break;
  case WEIR_METRIC_STATE_MEMORY_BYTES: m->state_memory = v; break;
  default: break;
  }
}

static void host_event_time(weir_ctx *ctx, int64_t min_us, int64_t max_us,
                            double sum_us, int64_t count) {
  node_metrics *m = &as_node(ctx)->m;
  if (count <= 0)
    return;
  if (m->ev_count == 0 || min_us < m->ev_min)
    m->ev_min = min_us;
  if (m->ev_count == 0 || max_us > m->ev_max)
    m->ev_max = max_us;
  m->ev_sum += sum_us;
  m->ev_count += count;
}

static void host_watermark(weir_ctx *ctx, int64_t candidate) {
  node *nd = as_node(ctx);
  nd->wm_idle = candidate == WEIR_WATERMARK_IDLE;
  if (!nd->wm_idle && candidate > nd->wm_candidate)
    nd->wm_candidate = candidate;
}

static int host_emit_late(weir_ctx *ctx, const void *data, size_t len) {
  node *nd = as_node(ctx);
  node *to = nd->late_sink;
  if (!to)
    return WEIR_OK;
  weir_reader r;
  if (weir_reader_open(&r, data, len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_FORMAT,
                      "emitted a malformed batch of late rows (%zu bytes)",
                      len);
  weir_batch b = {(const uint8_t *)data, len, r.nrows, nd->input};
  to->m.rows_in += r.nrows;
  int rc = to->plugin->desc.process(to->self, &to->ctx, &b);
  if (rc != WEIR_OK && !to->q->failed)
    to->q->failed = to;
  return rc;
}

static void host_status(weir_ctx *ctx, const char *msg) {
  node *nd = as_node(ctx);
  if (!msg)
    msg = "";
  if (strncmp(nd->status, msg, sizeof nd->status - 1) == 0)
    return; /* the same condition: keep its start time */
  char old[sizeof nd->status];
  memcpy(old, nd->status, sizeof old);
  snprintf(nd->status, sizeof nd->status, "%s", msg);
  int64_t now = host_now(ctx);
  if (!old[0]) /* a clear keeps status_since for the log */
    nd->status_since = nd->incident_from = now;
  if (msg[0])
    snprintf(nd->incident, sizeof nd->incident, "%s", msg);
  else
    nd->incident_us += now - nd->incident_from;
  progress_node_status(nd->q, nd, old);
}

weir_state *host_state_open(weir_ctx *ctx, const char *name, uint32_t version);
weir_state *host_state_open(weir_ctx *ctx, const char *name, uint32_t version) {
  node *nd = as_node(ctx);
  if (!name)
    name = "";
  for (size_t i = 0; i < nd->nstores; i++)
    if (strcmp(store_name(nd->stores[i]), name) == 0)
      return (weir_state *)nd->stores[i];
  store **stores = realloc(nd->stores, (nd->nstores + 1) * sizeof *stores);
  if (!stores) {
    weir_error(ctx, WEIR_ERR_NOMEM, "out of memory opening state '%s'", name);
    return NULL;
  }
  nd->stores = stores;
  store *s = store_new(name, version);
  if (!s) {
    weir_error(ctx, WEIR_ERR_NOMEM, "out of memory opening state '%s'", name);
    return NULL;
  }
  nd->stores[nd->nstores++] = s;
  return (weir_state *)s;
}

const weir_host weir_host_api = {
    sizeof(weir_host), WEIR_ABI_MAJOR,  WEIR_ABI_MINOR,  host_set_error,
    host_log,          host_emit,       host_epoch_info, host_now,
    host_metric,       host_event_time, host_watermark,  &weir_state_api_impl,
    host_emit_late,    host_status};
