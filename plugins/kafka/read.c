/* plugins/kafka/read.c — reading one epoch: exactly the records of
 * [from, until) of every partition, straight into one weir_builder.
 *
 * Every partition has its own fetcher and queue (librdkafka's simple
 * consumer: consume_start_queue), started at the first epoch that reads it
 * and kept running: while an epoch's rows flow downstream the fetchers
 * already hold the next epoch's records, and no epoch pays for a restart
 * (which, in librdkafka 2.0.2, can leave a fetcher asleep for a second).
 * An epoch takes from each queue at most `until - pos` messages per call,
 * so it never consumes the next epoch's records — except past a gap
 * (compaction, transaction markers), where the records taken past `until`
 * are dropped and the next epoch seeks back. A queue that does not continue
 * at the epoch's `from` (a replay, a skip) is sought there first.
 *
 * A partition is done at `until`, or at an end-of-partition event at or
 * past it (the last offsets of a range may be markers, so `until - 1` need
 * not arrive). Nothing is allocated per record on weir's side: each
 * record's columns are written into the builder's buffer and the message
 * goes back to librdkafka.
 *
 * While the cluster does not answer, the read waits (and says so every
 * STALL_WARN_US): an outage delays an epoch, never shortens it. Offsets
 * gone from the broker are data loss: fail_on_data_loss decides. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kafka.h"

#define BATCH_MSGS 4096
#define STALL_WARN_US (10 * INT64_C(1000000))

/* The fetcher of (topic, part), created (not started) when missing. */
static int fetcher(ksrc *s, weir_ctx *ctx, const kp *e, size_t *qi) {
  for (size_t i = 0; i < s->nkq; i++)
    if (s->kqs[i].part == e->part && strcmp(s->kqs[i].topic, e->topic) == 0) {
      *qi = i;
      return WEIR_OK;
    }
  if (s->nkq == s->capkq) {
    size_t cap = s->capkq ? s->capkq * 2 : 16;
    kq *v = realloc(s->kqs, cap * sizeof *v);
    if (!v)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    s->kqs = v;
    s->capkq = cap;
  }
  kq *k = &s->kqs[s->nkq];
  memset(k, 0, sizeof *k);
  k->next = -1;
  k->part = e->part;
  if (!(k->topic = strdup(e->topic)) ||
      !(k->rkt = rd_kafka_topic_new(s->fk, e->topic, NULL)) ||
      !(k->q = rd_kafka_queue_new(s->fk))) {
    if (k->rkt)
      rd_kafka_topic_destroy(k->rkt);
    free(k->topic);
    return weir_error(ctx, WEIR_ERR_NOMEM, "cannot create a fetcher for %s",
                      e->topic);
  }
  /* A byte on the pipe when the queue goes from empty to non-empty: one
   * poll() waits for every partition. */
  rd_kafka_queue_io_event_enable(k->q, s->wake[1], "k", 1);
  *qi = s->nkq++;
  return WEIR_OK;
}

void ks_read_close(ksrc *s) {
  for (size_t i = 0; i < s->nkq; i++) {
    kq *k = &s->kqs[i];
    if (k->next >= 0)
      rd_kafka_consume_stop(k->rkt, k->part);
    rd_kafka_queue_destroy(k->q);
    rd_kafka_topic_destroy(k->rkt);
    free(k->topic);
  }
  free(s->kqs);
  s->kqs = NULL;
  s->nkq = s->capkq = 0;
  for (int i = 0; i < 2; i++)
    if (s->wake[i] >= 0)
      close(s->wake[i]);
  s->wake[0] = s->wake[1] = -1;
}

/* Positions a fetcher at `from`: starts it, seeks when its queue does not
 * continue there, or restarts it after an error stopped it (a fetcher
 * stopped by an offset error refuses to seek). */
static int position(ksrc *s, weir_ctx *ctx, kq *k, int64_t from) {
  char name[300];
  snprintf(name, sizeof name, "%s-%" PRId32, k->topic, k->part);
  if (k->next >= 0 && k->need_seek == 2) {
    rd_kafka_consume_stop(k->rkt, k->part); /* purges its queue */
    k->next = -1;
  }
  if (k->next < 0) {
    if (rd_kafka_consume_start_queue(k->rkt, k->part, from, k->q) == -1)
      return weir_error(ctx, WEIR_ERR_IO, "cannot start fetching %s: %s", name,
                        rd_kafka_err2str(rd_kafka_last_error()));
  } else if (k->need_seek || k->next != from) {
    rd_kafka_resp_err_t err =
        rd_kafka_seek(k->rkt, k->part, from, s->timeout_ms);
    if (err)
      return weir_error(ctx, WEIR_ERR_IO, "cannot seek %s to %" PRId64 ": %s",
                        name, from, rd_kafka_err2str(err));
  }
  k->next = from;
  k->need_seek = 0;
  return WEIR_OK;
}

static void finish_part(kp *e, size_t *remaining) {
  if (e->done)
    return;
  e->done = 1;
  (*remaining)--;
}

/* Headers as JSON: [{"key":"k","value":"<base64>"}, ...]; null when none.
 * (weir has no array or map type yet; the sink reads the same text.) */
static void put_headers(ksrc *s, rd_kafka_message_t *m) {
  rd_kafka_headers_t *h = NULL;
  if (rd_kafka_message_headers(m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR || !h ||
      rd_kafka_header_cnt(h) == 0) {
    weir_put_null(&s->b);
    return;
  }
  static const weir_field bin = {
      (char *)"value", WEIR_T_BINARY, true, NULL, 0, 0};
  weir_buf *o = &s->hdr;
  const char *name;
  const void *val;
  size_t size;
  weir_buf_clear(o);
  weir_buf_lit(o, "[");
  for (size_t i = 0; !rd_kafka_header_get_all(h, i, &name, &val, &size); i++) {
    if (i)
      weir_buf_lit(o, ",");
    weir_buf_lit(o, "{\"key\":");
    weir_json_string(o, name, strlen(name));
    weir_buf_lit(o, ",\"value\":");
    if (val) {
      weir_value v = {.type = WEIR_T_BINARY};
      v.v.s.ptr = val;
      v.v.s.len = size;
      weir_json_value(o, &bin, &v);
    } else {
      weir_buf_lit(o, "null");
    }
    weir_buf_lit(o, "}");
  }
  weir_buf_lit(o, "]");
  weir_put_string(&s->b, (const char *)o->data, o->len);
}

static void put_row(ksrc *s, const kp *e, rd_kafka_message_t *m) {
  weir_builder *b = &s->b;
  rd_kafka_timestamp_type_t tt;
  int64_t ts = rd_kafka_message_timestamp(m, &tt);
  weir_row_begin(b);
  if (m->key)
    weir_put_binary(b, m->key, m->key_len);
  else
    weir_put_null(b);
  if (m->payload)
    weir_put_binary(b, m->payload, m->len);
  else
    weir_put_null(b);
  weir_put_string(b, e->topic, strlen(e->topic));
  weir_put_int(b, e->part);
  weir_put_int(b, m->offset);
  if (ts >= 0 && tt != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE)
    weir_put_timestamp(b, ts * 1000);
  else
    weir_put_null(b);
  /* Kafka's TimestampType ids, as Spark shows them: 0 CreateTime,
   * 1 LogAppendTime, -1 none. */
  weir_put_int(b, tt == RD_KAFKA_TIMESTAMP_CREATE_TIME       ? 0
                  : tt == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? 1
                                                             : -1);
  if (s->cfg->include_headers)
    put_headers(s, m);
}

static int flush_batch(ksrc *s, weir_ctx *ctx) {
  const uint8_t *data;
  size_t len;
  if (s->b.nrows == 0)
    return WEIR_OK;
  if (weir_builder_finish(&s->b, &data, &len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  int rc = weir_emit(ctx, data, len);
  weir_builder_reset(&s->b);
  return rc;
}

/* Offsets of e from e->pos are gone (the broker said out of range). */
static int data_loss(ksrc *s, weir_ctx *ctx, kp *e, size_t *remaining) {
  char name[300];
  kq *k = &s->kqs[e->qi];
  int64_t lo = -1, hi = -1;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      s->rk, e->topic, e->part, &lo, &hi, s->timeout_ms);
  if (err || (lo <= e->pos && e->pos <= hi)) {
    /* Cannot tell, or the offset is valid again: try the same position. */
    k->need_seek = 2;
    return position(s, ctx, k, e->pos);
  }
  int64_t upto = lo > e->pos ? lo : e->until;
  if (upto > e->until)
    upto = e->until;
  kp_name(e, name, sizeof name);
  if (s->cfg->fail_on_data_loss)
    return weir_error(ctx, WEIR_ERR_STATE,
                      "data loss: offsets %" PRId64 "..%" PRId64 " of %s are "
                      "gone from the broker (it now holds %" PRId64 "..%" PRId64
                      "; retention, or a recreated topic). "
                      "Set fail_on_data_loss = false to skip them",
                      e->pos, upto - 1, name, lo, hi - 1);
  s->skipped_total += upto - e->pos;
  weir_log(ctx, WEIR_LOG_WARN,
           "data loss: skipping offsets %" PRId64 "..%" PRId64 " of %s, gone "
           "from the broker (%" PRId64 " records; %" PRId64 " skipped since "
           "start; fail_on_data_loss = false)",
           e->pos, upto - 1, name, upto - e->pos, s->skipped_total);
  e->pos = upto;
  k->need_seek = 2; /* the fetcher stopped at the error */
  if (e->pos >= e->until) {
    finish_part(e, remaining);
    return WEIR_OK;
  }
  return position(s, ctx, k, e->pos);
}

static void warn_stalled(ksrc *s, weir_ctx *ctx, const kp_list *l,
                         int64_t waited_us) {
  char parts[512] = "";
  size_t used = 0, shown = 0;
  for (size_t i = 0; i < l->n && shown < 4; i++) {
    const kp *e = &l->v[i];
    if (e->done)
      continue;
    int n = snprintf(parts + used, sizeof parts - used,
                     "%s%s-%" PRId32 " at %" PRId64 " of %" PRId64,
                     shown ? ", " : "", e->topic, e->part, e->pos, e->until);
    if (n < 0 || (size_t)n >= sizeof parts - used)
      break;
    used += (size_t)n;
    shown++;
  }
  weir_log(ctx, WEIR_LOG_WARN,
           "waiting %" PRId64 " s for planned records (%s%s); %s%s — the "
           "epoch goes on when the broker answers",
           waited_us / 1000000, parts, shown == 4 ? ", ..." : "",
           s->log.last_error[0] ? "last error: " : "no error reported",
           s->log.last_error);
  weir_kafka_status(&s->log, "planned records are not arriving (%s%s); waiting",
                    s->log.last_error[0] ? "last error: " : "no error reported",
                    s->log.last_error);
}

/* An error event of e's queue. */
static int on_event(ksrc *s, weir_ctx *ctx, kp *e, rd_kafka_message_t *m,
                    size_t *remaining) {
  char name[300];
  switch (m->err) {
  case RD_KAFKA_RESP_ERR__PARTITION_EOF:
    /* m->offset is where the log ends now; the fetcher goes on from it. */
    if (m->offset >= e->until) {
      e->pos = e->until;
      s->kqs[e->qi].next = m->offset;
      finish_part(e, remaining);
    }
    return WEIR_OK;
  case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
  case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
    return data_loss(s, ctx, e, remaining);
  case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
  case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
  case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    if (s->cfg->fail_on_data_loss)
      return weir_error(ctx, WEIR_ERR_STATE,
                        "data loss: %s disappeared while offsets %" PRId64
                        "..%" PRId64 " were being read (topic deleted?); "
                        "set fail_on_data_loss = false to skip them",
                        kp_name(e, name, sizeof name), e->pos, e->until - 1);
    s->skipped_total += e->until - e->pos;
    weir_log(ctx, WEIR_LOG_WARN,
             "data loss: %s disappeared; skipping offsets %" PRId64 "..%" PRId64
             " (fail_on_data_loss = false)",
             kp_name(e, name, sizeof name), e->pos, e->until - 1);
    e->pos = e->until;
    s->kqs[e->qi].need_seek = 2;
    finish_part(e, remaining);
    return WEIR_OK;
  default:
    /* Transport errors, brokers down...: librdkafka retries; the stall
     * warning says how long the epoch has been waiting and why. */
    snprintf(s->log.last_error, sizeof s->log.last_error, "%s",
             rd_kafka_message_errstr(m));
    return WEIR_OK;
  }
}

/* Takes what e's queue holds, up to e's end. Returns rows added (>= 0) or
 * an error. */
static int take(ksrc *s, weir_ctx *ctx, kp *e, size_t *remaining, int *got) {
  kq *k = &s->kqs[e->qi];
  int64_t want = e->until - e->pos;
  if (want > BATCH_MSGS)
    want = BATCH_MSGS;
  ssize_t n = rd_kafka_consume_batch_queue(k->q, 0, s->msgs, (size_t)want);
  int rc = WEIR_OK;
  *got = n > 0;
  for (ssize_t i = 0; i < n; i++) {
    rd_kafka_message_t *m = s->msgs[i];
    if (rc != WEIR_OK || e->done) {
      if (!m->err)
        k->need_seek = 1; /* taken past the end: the next epoch seeks */
    } else if (m->err) {
      rc = on_event(s, ctx, e, m, remaining);
    } else if (m->offset < e->pos) {
      /* already read (a seek's leftovers) */
    } else if (m->offset >= e->until) {
      e->pos = e->until; /* the range ended in a gap */
      k->need_seek = 1;
      finish_part(e, remaining);
    } else {
      put_row(s, e, m);
      e->pos = m->offset + 1;
      k->next = e->pos;
      if (e->pos >= e->until)
        finish_part(e, remaining);
    }
    rd_kafka_message_destroy(m);
  }
  return rc;
}

static void drain_wake(ksrc *s) {
  char buf[256];
  while (read(s->wake[0], buf, sizeof buf) > 0)
    ;
}

int ks_read_ranges(ksrc *s, weir_ctx *ctx, kp_list *l) {
  size_t remaining = 0;
  int rc = WEIR_OK;
  if (s->wake[0] < 0 && pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) != 0)
    return weir_error(ctx, WEIR_ERR_IO, "pipe: %s", strerror(errno));
  drain_wake(s);
  /* Every planned partition gets a running fetcher, even one with nothing
   * to read now: it fetches ahead for the next epochs. */
  for (size_t i = 0; i < l->n && rc == WEIR_OK; i++) {
    kp *e = &l->v[i];
    e->pos = e->from;
    e->done = e->from >= e->until;
    remaining += !e->done;
    rc = fetcher(s, ctx, e, &e->qi);
    if (rc == WEIR_OK)
      rc = position(s, ctx, &s->kqs[e->qi], e->from);
  }
  weir_builder_reset(&s->b);
  int64_t last_progress = weir_kafka_mono_us(), warned_at = last_progress;
  while (remaining > 0 && rc == WEIR_OK) {
    uint32_t rows_before = s->b.nrows;
    size_t remaining_before = remaining;
    int any = 0;
    for (size_t i = 0; i < l->n && rc == WEIR_OK; i++) {
      kp *e = &l->v[i];
      int got = 0;
      /* Drain one partition's queue before moving on: long runs of one
       * partition are cheapest to build. */
      while (!e->done && rc == WEIR_OK &&
             (rc = take(s, ctx, e, &remaining, &got)) == WEIR_OK && got) {
        any = 1;
        if (s->b.nrows >= (uint32_t)s->batch_rows ||
            s->b.buf.len >= (size_t)s->cfg->max_batch_bytes)
          rc = flush_batch(s, ctx);
      }
    }
    if (rc != WEIR_OK)
      break;
    /* Error events (a broker down) are not progress. */
    if (s->b.nrows != rows_before || remaining != remaining_before) {
      last_progress = weir_kafka_mono_us();
      weir_kafka_ok(&s->log);
    }
    if (any || remaining == 0)
      continue;
    /* Every queue is empty: pass on what we have (downstream works while
     * the fetchers run), then sleep until a queue fills. */
    if ((rc = flush_batch(s, ctx)) != WEIR_OK)
      break;
    struct pollfd pfd = {s->wake[0], POLLIN, 0};
    poll(&pfd, 1, 100);
    drain_wake(s);
    weir_kafka_serve(s->fk, 0);
    weir_kafka_serve(s->rk, 0);
    int64_t now = weir_kafka_mono_us();
    if (now - warned_at >= STALL_WARN_US &&
        now - last_progress >= STALL_WARN_US) {
      warn_stalled(s, ctx, l, now - last_progress);
      warned_at = now;
    }
  }
  if (rc == WEIR_OK)
    rc = flush_batch(s, ctx);
  weir_builder_reset(&s->b);
  weir_kafka_serve(s->fk, 0);
  weir_kafka_serve(s->rk, 0);
  return rc;
}
