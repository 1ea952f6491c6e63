/* progress.c — one StreamingQueryProgress-shaped JSON object per epoch
 * (--progress FILE), a compact line per epoch on stderr, and a live status
 * line instead when stderr is a terminal. Field names follow Spark's so that
 * dashboards written for Spark read weir's figures. */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "query.h"

/* Spark prints progress times in milliseconds. */
static void ts_field(weir_buf *b, const char *key, int64_t us, int comma) {
  char t[64];
  int64_t ms = us / 1000 - (us % 1000 < 0);
  weir_format_timestamp(ms * 1000, WEIR_TS_ISO, t, sizeof t);
  weir_buf_printf(b, "%s\"%s\":\"%s\"", comma ? "," : "", key, t);
}

static void rate_field(weir_buf *b, const char *key, double rows, double secs) {
  if (secs <= 0 || !isfinite(rows / secs))
    return; /* Spark omits infinite and NaN rates */
  char num[64];
  weir_format_double(rows / secs, 0, num, sizeof num);
  weir_buf_printf(b, ",\"%s\":%s", key, num);
}

static void offset_field(weir_buf *b, const char *key, const weir_buf *off) {
  weir_buf_printf(b, ",\"%s\":", key);
  if (!off->len || weir_json_from_msgpack(b, off->data, off->len) != WEIR_OK)
    weir_buf_lit(b, "null");
}

static void plugin_desc(weir_buf *b, const node *nd) {
  char d[256];
  snprintf(d, sizeof d, "%s[%s]", nd->plugin->desc.name, nd->name);
  weir_json_string(b, d, strlen(d));
}

/* weir's own: what keeps a source or sink from working (weir_status). */
static void status_fields(weir_buf *b, const node *nd) {
  if (!nd->status[0])
    return;
  weir_buf_lit(b, ",\"status\":");
  weir_json_string(b, nd->status, strlen(nd->status));
  ts_field(b, "statusSince", nd->status_since, 1);
}

/* In progress events: the current status, and the last one seen since the
 * previous event with the time spent under any ("waited"). */
static void progress_status_fields(weir_buf *b, const node *nd, int64_t now) {
  status_fields(b, nd);
  if (!nd->incident[0])
    return;
  int64_t us = nd->incident_us + (nd->status[0] ? now - nd->incident_from : 0);
  weir_buf_lit(b, ",\"waited\":{\"status\":");
  weir_json_string(b, nd->incident, strlen(nd->incident));
  weir_buf_printf(b, ",\"ms\":%lld}", (long long)(us / 1000));
}

/* After an event: the next one reports what happens from now on. */
static void reset_incidents(query *q, int64_t now) {
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    nd->incident_us = 0;
    nd->incident_from = now;
    if (!nd->status[0])
      nd->incident[0] = '\0';
  }
}

static void build_json(query *q, const epoch_report *r, weir_buf *b) {
  double dur_s = (double)(r->end_us - r->start_us) / 1e6;
  double since_prev = q->prev_epoch_start >= 0
                          ? (double)(r->start_us - q->prev_epoch_start) / 1e6
                          : 0;
  weir_buf_printf(b, "{\"id\":\"%s\",\"runId\":\"%s\",\"name\":", q->query_id,
                  q->run_id);
  weir_json_string(b, q->cfg.name, strlen(q->cfg.name));
  ts_field(b, "timestamp", r->start_us, 1);
  weir_buf_printf(b, ",\"batchId\":%lld,\"batchDuration\":%lld",
                  (long long)r->epoch,
                  (long long)((r->end_us - r->start_us) / 1000));
  weir_buf_printf(b, ",\"numInputRows\":%lld", (long long)r->num_input_rows);
  int64_t malformed = 0;
  for (size_t i = 0; i < q->n; i++)
    malformed += q->nodes[i]->m.malformed;
  /* weir's own: malformed records anywhere (sources and parsers) */
  if (malformed)
    weir_buf_printf(b, ",\"numMalformedRecords\":%lld", (long long)malformed);
  rate_field(b, "inputRowsPerSecond", (double)r->num_input_rows, since_prev);
  rate_field(b, "processedRowsPerSecond", (double)r->num_input_rows, dur_s);
  weir_buf_printf(
      b,
      ",\"durationMs\":{\"addBatch\":%lld,\"commitOffsets\":%lld,"
      "\"getBatch\":%lld,\"latestOffset\":%lld,\"triggerExecution\":%lld,"
      "\"walCommit\":%lld}",
      (long long)(r->d_add_batch / 1000),
      (long long)(r->d_commit_offsets / 1000),
      (long long)(r->d_get_batch / 1000),
      (long long)(r->d_latest_offset / 1000),
      (long long)((r->end_us - r->start_us) / 1000),
      (long long)(r->d_wal_commit / 1000));
  /* eventTime: stats from the watermark operators, and the watermark. */
  int64_t mn = 0, mx = 0, cnt = 0;
  double sum = 0;
  for (size_t i = 0; i < q->n; i++) {
    node_metrics *m = &q->nodes[i]->m;
    if (!m->ev_count)
      continue;
    if (!cnt || m->ev_min < mn)
      mn = m->ev_min;
    if (!cnt || m->ev_max > mx)
      mx = m->ev_max;
    cnt += m->ev_count;
    sum += m->ev_sum;
  }
  weir_buf_lit(b, ",\"eventTime\":{");
  int comma = 0;
  if (cnt) {
    ts_field(b, "avg", (int64_t)(sum / (double)cnt), 0);
    ts_field(b, "max", mx, 1);
    ts_field(b, "min", mn, 1);
    comma = 1;
  }
  if (q->has_watermark)
    ts_field(b, "watermark", r->watermark, comma);
  weir_buf_lit(b, "}");
  comma = 0;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (!nd->wm_idle)
      continue;
    if (!comma)
      weir_buf_lit(b, ",\"idleWatermarks\":[");
    else
      weir_buf_lit(b, ",");
    weir_json_string(b, nd->name, strlen(nd->name));
    comma = 1;
  }
  if (comma)
    weir_buf_lit(b, "]");
  weir_buf_lit(b, ",\"stateOperators\":[");
  comma = 0;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (!(nd->plugin->desc.flags & WEIR_PLUGIN_STATEFUL))
      continue;
    node_metrics *m = &nd->m;
    weir_buf_printf(b, "%s{\"operatorName\":", comma ? "," : "");
    weir_json_string(b, nd->name, strlen(nd->name));
    weir_buf_printf(
        b,
        ",\"numRowsTotal\":%lld,\"numRowsUpdated\":%lld,\"numRowsRemoved\":%"
        "lld,"
        "\"numRowsDroppedByWatermark\":%lld,\"memoryUsedBytes\":%lld,"
        "\"allUpdatesTimeMs\":0,\"allRemovalsTimeMs\":0,\"commitTimeMs\":0}",
        (long long)m->state_rows, (long long)m->state_updated,
        (long long)m->state_removed, (long long)m->dropped_by_watermark,
        (long long)m->state_memory);
    comma = 1;
  }
  weir_buf_lit(b, "],\"sources\":[");
  comma = 0;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->kind != WEIR_KIND_SOURCE)
      continue;
    if (comma)
      weir_buf_lit(b, ",");
    weir_buf_lit(b, "{\"description\":");
    plugin_desc(b, nd);
    offset_field(b, "startOffset", &nd->start);
    offset_field(b, "endOffset", nd->has_data ? &nd->end : &nd->start);
    offset_field(b, "latestOffset", nd->has_data ? &nd->end : &nd->start);
    weir_buf_printf(b, ",\"numInputRows\":%lld", (long long)nd->m.rows_out);
    rate_field(b, "inputRowsPerSecond", (double)nd->m.rows_out, since_prev);
    rate_field(b, "processedRowsPerSecond", (double)nd->m.rows_out, dur_s);
    if (nd->m.malformed)
      weir_buf_printf(b, ",\"numMalformedRecords\":%lld",
                      (long long)nd->m.malformed);
    progress_status_fields(b, nd, r->end_us);
    weir_buf_lit(b, "}");
    comma = 1;
  }
  weir_buf_lit(b, "]");
  comma = 0;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->kind != WEIR_KIND_SINK)
      continue;
    /* Spark has one sink; the first that is not a late_rows sink is
     * "sink", all are in "sinks". */
    if (!comma) {
      node *main_sink = nd;
      for (size_t k = i; k < q->n && main_sink->late_from; k++)
        if (q->nodes[k]->kind == WEIR_KIND_SINK && !q->nodes[k]->late_from)
          main_sink = q->nodes[k];
      weir_buf_lit(b, ",\"sink\":{\"description\":");
      plugin_desc(b, main_sink);
      weir_buf_printf(b, ",\"numOutputRows\":%lld}",
                      (long long)main_sink->m.rows_in);
      weir_buf_lit(b, ",\"sinks\":[");
    }
    if (comma)
      weir_buf_lit(b, ",");
    weir_buf_lit(b, "{\"description\":");
    plugin_desc(b, nd);
    weir_buf_printf(b, ",\"numOutputRows\":%lld", (long long)nd->m.rows_in);
    progress_status_fields(b, nd, r->end_us);
    weir_buf_lit(b, "}");
    comma = 1;
  }
  if (comma)
    weir_buf_lit(b, "]");
  weir_buf_lit(b, "}\n");
}

void progress_status_clear(query *q) {
  if (q->status_tty)
    fputs("\r\033[K", stderr);
}

/* For `weir checkpoint DIR` and monitoring, not recovery data: replaced by
 * rename, without fsync. Best effort: a full disk shows up elsewhere. */
static void write_ckpt_file(query *q, const char *name, const weir_buf *b) {
  if (b->err || !q->ckpt || !q->cfg.checkpoint)
    return;
  char path[4200], tmp[4300];
  snprintf(path, sizeof path, "%s/%s", ckpt_dir(q->ckpt), name);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f)
    return;
  int ok = fwrite(b->data, 1, b->len, f) == b->len;
  ok &= fclose(f) == 0;
  if (ok)
    rename(tmp, path);
  else
    unlink(tmp);
}

static void emit_json(query *q, const epoch_report *r) {
  q->last_progress_us = r->end_us;
  if (q->progress || (q->ckpt && q->cfg.checkpoint)) {
    weir_buf b = WEIR_BUF_INIT;
    build_json(q, r, &b);
    if (!b.err && q->progress) {
      fwrite(b.data, 1, b.len, q->progress);
      fflush(q->progress);
    }
    write_ckpt_file(q, "progress.json", &b);
    weir_buf_free(&b);
  }
  reset_incidents(q, r->end_us);
}

void progress_idle(query *q, int64_t now) {
  if (q->cfg.progress_idle_interval <= 0)
    return;
  if (!q->last_progress_us) {
    q->last_progress_us = now; /* the interval counts from the start */
    return;
  }
  if (now - q->last_progress_us < q->cfg.progress_idle_interval)
    return;
  /* As Spark: the next epoch's id, no input; state figures stay. */
  epoch_report r = {0};
  r.epoch = q->epoch;
  r.start_us = r.end_us = now;
  r.watermark = q->watermark;
  r.no_data = 1;
  for (size_t i = 0; i < q->n; i++) {
    node_metrics *m = &q->nodes[i]->m, keep = *m;
    memset(m, 0, sizeof *m);
    m->state_rows = keep.state_rows;
    m->state_memory = keep.state_memory;
  }
  emit_json(q, &r);
  if (q->quiet)
    return;
  for (size_t i = 0; i < q->n; i++) {
    const node *nd = q->nodes[i];
    if (!nd->status[0])
      continue;
    progress_status_clear(q);
    fprintf(stderr, "weir: warning: [%s] still: %s (for %lld s)\n", nd->section,
            nd->status, (long long)((now - nd->status_since) / 1000000));
  }
}

void progress_node_status(query *q, node *nd, const char *old) {
  const weir_clock *clk = q->clock ? q->clock : &weir_wall_clock;
  int64_t now = clk->now(clk->u);
  if (nd && !q->quiet) {
    progress_status_clear(q);
    if (!old[0])
      fprintf(stderr, "weir: warning: [%s] %s\n", nd->section, nd->status);
    else if (!nd->status[0])
      fprintf(stderr, "weir: info: [%s] recovered after %lld s (was: %s)\n",
              nd->section, (long long)((now - nd->status_since) / 1000000),
              old);
  }
  /* status.json: every node with a status, Spark's StreamingQueryStatus
   * message on top. */
  weir_buf b = WEIR_BUF_INIT;
  weir_buf_printf(&b, "{\"id\":\"%s\",\"runId\":\"%s\"", q->query_id,
                  q->run_id);
  ts_field(&b, "timestamp", now, 1);
  int n = 0;
  for (size_t i = 0; i < q->n; i++)
    n += q->nodes[i]->status[0] != 0;
  weir_buf_printf(&b, ",\"message\":\"%s\",\"nodes\":[",
                  q->stopped ? "Stopped"
                  : n        ? "Waiting: see nodes"
                             : "Running");
  int comma = 0;
  for (size_t i = 0; i < q->n; i++) {
    const node *x = q->nodes[i];
    if (!x->status[0])
      continue;
    weir_buf_printf(&b, "%s{\"node\":", comma ? "," : "");
    weir_json_string(&b, x->section, strlen(x->section));
    status_fields(&b, x);
    weir_buf_lit(&b, "}");
    comma = 1;
  }
  weir_buf_lit(&b, "]}\n");
  write_ckpt_file(q, "status.json", &b);
  weir_buf_free(&b);
}

void progress_emit(query *q, const epoch_report *r) {
  emit_json(q, r);
  if (q->quiet)
    return;
  double secs = (double)(r->end_us - r->start_us) / 1e6;
  double rps = secs > 0 ? (double)r->num_input_rows / secs : 0;
  char wm[64] = "none";
  if (q->has_watermark)
    weir_format_timestamp(r->watermark, WEIR_TS_ISO, wm, sizeof wm);
  int64_t state = 0;
  for (size_t i = 0; i < q->n; i++)
    state += q->nodes[i]->m.state_rows;
  if (q->status_tty)
    fprintf(stderr,
            "\r\033[Kepoch %lld | %lld rows | %.0f rows/s | watermark %s | "
            "state rows %lld",
            (long long)r->epoch, (long long)r->num_input_rows, rps, wm,
            (long long)state);
  else
    fprintf(stderr,
            "weir: epoch %lld: %lld rows in %.3f s (%.0f rows/s), watermark "
            "%s, state rows %lld%s\n",
            (long long)r->epoch, (long long)r->num_input_rows, secs, rps, wm,
            (long long)state, r->no_data ? " (no-data epoch)" : "");
  fflush(stderr);
}
