/* plugins/kafka_sink/txn.c — exactly_once = true: one Kafka transaction per
 * epoch, and a replayed epoch that is already in Kafka is skipped.
 *
 * Why the skip needs Kafka's own record. The runtime commits epoch N in
 * this order: sinks commit (epoch_end), state N is written, commits/N is
 * written. A crash after the Kafka transaction of N committed but before
 * commits/N re-runs N on restart with state N-1, so nothing in weir's
 * checkpoint can say "N is already in Kafka". Kafka can: every
 * transaction also commits, atomically with the records, an offset for the
 * consumer group "weir-sink-<transactional id>" on partition 0 of the
 * marker topic (the `topic` option, or `marker_topic`), with metadata
 * "weir:<identity>:<N>" (sendOffsetsToTransaction, as Kafka Streams
 * does). At start, after init_transactions has fenced the previous
 * producer and aborted its open transaction, the sink reads that offset
 * with require_stable: an epoch at or below it is skipped; one above it is
 * written in a new transaction.
 *
 * The identity is the query id (checkpoint metadata: stable across
 * restarts, new for a new checkpoint), so a query started over on a new
 * checkpoint never skips its own epochs as if they were the old query's.
 * The transactional id is "weir-<sink name>-<query id>" unless
 * `transactional_id` is given.
 *
 * The mock cluster of librdkafka 2.0.2 accepts transactional offset commits
 * but does not store them, and shows aborted records to read_committed
 * consumers. So after each successful commit the sink also stores the same
 * marker with a plain offset commit (AlterConsumerGroupOffsets): on a real
 * cluster it rewrites the value the transaction already committed; on the
 * mock it is what makes the skip work. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"

#define RETRY_WARN_US (10 * INT64_C(1000000))

int ksink_identity(ksink *k, weir_ctx *ctx) {
  weir_epoch_info info = weir_epoch(ctx);
  if (!info.query_id || !info.query_id[0])
    return weir_error(ctx, WEIR_ERR_UNSUPPORTED,
                      "exactly_once needs the query id from the runtime "
                      "(weir 0.1 or newer)");
  snprintf(k->identity, sizeof k->identity, "%s", info.query_id);
  if (k->cfg->transactional_id && k->cfg->transactional_id[0])
    snprintf(k->txn_id, sizeof k->txn_id, "%s", k->cfg->transactional_id);
  else
    snprintf(k->txn_id, sizeof k->txn_id, "weir-%s-%s", k->node_name,
             k->identity);
  snprintf(k->group, sizeof k->group, "weir-sink-%s", k->txn_id);
  return WEIR_OK;
}

/* An rd_kafka_error_t from the transactional API as a weir error. */
static int txn_fail(ksink *k, weir_ctx *ctx, const char *what,
                    rd_kafka_error_t *e) {
  int fenced = rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR__FENCED ||
               rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR_PRODUCER_FENCED;
  int rc = weir_error(
      ctx, WEIR_ERR_IO, "%s (epoch %" PRId64 ", transactional.id %s): %s%s",
      what, k->epoch, k->txn_id, rd_kafka_error_string(e),
      fenced ? " — another producer with this transactional id took over "
               "(a second query with the same transactional_id?)"
             : "");
  rd_kafka_error_destroy(e);
  return rc;
}

static void abort_txn(ksink *k, weir_ctx *ctx) {
  if (!k->in_txn)
    return;
  rd_kafka_error_t *e = rd_kafka_abort_transaction(k->rk, k->timeout_ms);
  if (e) {
    weir_log(ctx, WEIR_LOG_WARN,
             "aborting the transaction of epoch %" PRId64 ": %s", k->epoch,
             rd_kafka_error_string(e));
    rd_kafka_error_destroy(e);
  }
  k->in_txn = 0;
}

/* Waits for one admin result on a temporary queue. */
static rd_kafka_event_t *admin_wait(ksink *k, rd_kafka_queue_t *q) {
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, k->timeout_ms + 1000);
  weir_kafka_serve(k->rk, 0);
  return ev;
}

static rd_kafka_AdminOptions_t *admin_options(ksink *k, int op) {
  char err[256];
  rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(k->rk, op);
  if (o)
    rd_kafka_AdminOptions_set_request_timeout(o, k->timeout_ms, err,
                                              sizeof err);
  return o;
}

/* Reads the marker: the last epoch this sink's identity committed. */
static int read_marker(ksink *k, weir_ctx *ctx) {
  k->last_committed = -1;
  rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(tl, k->marker, 0);
  rd_kafka_ListConsumerGroupOffsets_t *req =
      rd_kafka_ListConsumerGroupOffsets_new(k->group, tl);
  rd_kafka_topic_partition_list_destroy(tl);
  rd_kafka_AdminOptions_t *o =
      admin_options(k, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
  /* Only offsets of completed transactions. */
  rd_kafka_error_t *se = rd_kafka_AdminOptions_set_require_stable_offsets(o, 1);
  if (se)
    rd_kafka_error_destroy(se);
  rd_kafka_queue_t *q = rd_kafka_queue_new(k->rk);
  rd_kafka_ListConsumerGroupOffsets(k->rk, &req, 1, o, q);
  rd_kafka_event_t *ev = admin_wait(k, q);
  int rc = WEIR_OK;
  if (!ev || rd_kafka_event_error(ev)) {
    rc = weir_error(ctx, WEIR_ERR_IO,
                    "cannot read the committed-epoch marker of group '%s': "
                    "%s",
                    k->group,
                    ev ? rd_kafka_event_error_string(ev) : "timed out");
  } else {
    size_t n = 0;
    const rd_kafka_group_result_t **g =
        rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
    const rd_kafka_topic_partition_list_t *parts =
        n ? rd_kafka_group_result_partitions(g[0]) : NULL;
    const rd_kafka_error_t *ge = n ? rd_kafka_group_result_error(g[0]) : NULL;
    if (ge) {
      rc = weir_error(ctx, WEIR_ERR_IO,
                      "cannot read the committed-epoch marker of group "
                      "'%s': %s",
                      k->group, rd_kafka_error_string(ge));
    } else if (parts && parts->cnt == 1 && parts->elems[0].offset >= 0) {
      const rd_kafka_topic_partition_t *p = &parts->elems[0];
      char meta[256] = "", id[64] = "";
      int64_t epoch = -1;
      size_t ml = p->metadata_size < sizeof meta - 1 ? p->metadata_size
                                                     : sizeof meta - 1;
      if (p->metadata)
        memcpy(meta, p->metadata, ml);
      if (sscanf(meta, "weir:%63[^:]:%" SCNd64, id, &epoch) == 2 &&
          strcmp(id, k->identity) == 0) {
        k->last_committed = epoch;
      } else {
        weir_log(ctx, WEIR_LOG_WARN,
                 "group '%s' holds a committed-epoch marker of another run "
                 "('%s'): this query (identity %s) starts its own record",
                 k->group, meta, k->identity);
      }
    }
  }
  if (ev)
    rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_ListConsumerGroupOffsets_destroy(req);
  return rc;
}

/* The marker for this epoch: (marker topic, 0) at offset = epoch. */
static rd_kafka_topic_partition_list_t *marker_list(ksink *k) {
  char meta[128];
  rd_kafka_topic_partition_list_t *tl = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_t *p =
      rd_kafka_topic_partition_list_add(tl, k->marker, 0);
  p->offset = k->epoch;
  int n =
      snprintf(meta, sizeof meta, "weir:%s:%" PRId64, k->identity, k->epoch);
  p->metadata = strdup(meta); /* freed with the list */
  p->metadata_size = p->metadata ? (size_t)n : 0;
  return tl;
}

/* The plain offset commit after the transaction (see the top comment). */
static void store_marker(ksink *k, weir_ctx *ctx) {
  rd_kafka_topic_partition_list_t *tl = marker_list(k);
  rd_kafka_AlterConsumerGroupOffsets_t *req =
      rd_kafka_AlterConsumerGroupOffsets_new(k->group, tl);
  rd_kafka_topic_partition_list_destroy(tl);
  rd_kafka_AdminOptions_t *o =
      admin_options(k, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
  rd_kafka_queue_t *q = rd_kafka_queue_new(k->rk);
  rd_kafka_AlterConsumerGroupOffsets(k->rk, &req, 1, o, q);
  rd_kafka_event_t *ev = admin_wait(k, q);
  if (!ev || rd_kafka_event_error(ev))
    weir_log(ctx, WEIR_LOG_WARN,
             "storing the committed-epoch marker of epoch %" PRId64
             " (a plain commit after the transaction): %s",
             k->epoch, ev ? rd_kafka_event_error_string(ev) : "timed out");
  if (ev)
    rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_AlterConsumerGroupOffsets_destroy(req);
}

int ksink_txn_init(ksink *k, weir_ctx *ctx) {
  /* Fences any older producer of this transactional id and aborts its open
   * transaction (a crashed run's half-written epoch). */
  rd_kafka_error_t *e = rd_kafka_init_transactions(k->rk, k->timeout_ms);
  if (e)
    return txn_fail(k, ctx, "cannot initialise transactions", e);
  int rc = read_marker(k, ctx);
  if (rc != WEIR_OK)
    return rc;
  k->txn_ready = 1;
  weir_log(ctx, WEIR_LOG_INFO,
           "exactly-once: transactional.id %s, last committed epoch %s%" PRId64,
           k->txn_id, k->last_committed < 0 ? "none " : "", k->last_committed);
  return WEIR_OK;
}

int ksink_txn_begin(ksink *k, weir_ctx *ctx) {
  if (k->epoch <= k->last_committed) {
    if (k->epoch < k->last_committed)
      return weir_error(ctx, WEIR_ERR_STATE,
                        "Kafka already holds epoch %" PRId64 " of this sink "
                        "(transactional.id %s), but the query is at epoch "
                        "%" PRId64 ": was the checkpoint restored from an "
                        "older copy?",
                        k->last_committed, k->txn_id, k->epoch);
    k->skip = 1;
    weir_log(ctx, WEIR_LOG_INFO,
             "epoch %" PRId64 " is already committed to Kafka (transactional."
             "id %s): skipping its rows",
             k->epoch, k->txn_id);
    return WEIR_OK;
  }
  rd_kafka_error_t *e = rd_kafka_begin_transaction(k->rk);
  if (e)
    return txn_fail(k, ctx, "cannot begin a transaction", e);
  k->in_txn = 1;
  return WEIR_OK;
}

int ksink_txn_commit(ksink *k, weir_ctx *ctx) {
  if (k->skip || !k->in_txn)
    return WEIR_OK;
  int rc = ksink_flush(k, ctx);
  if (rc == WEIR_OK && k->failed)
    rc = weir_error(ctx, WEIR_ERR_IO,
                    "%" PRId64 " of %" PRId64 " messages of epoch %" PRId64
                    " were not delivered (first: %s); the transaction is "
                    "aborted",
                    k->failed, k->produced, k->epoch, k->first_error);
  if (rc != WEIR_OK) {
    abort_txn(k, ctx);
    return rc;
  }
  rd_kafka_consumer_group_metadata_t *cg =
      rd_kafka_consumer_group_metadata_new(k->group);
  rd_kafka_topic_partition_list_t *tl = marker_list(k);
  rd_kafka_error_t *e =
      rd_kafka_send_offsets_to_transaction(k->rk, tl, cg, k->timeout_ms);
  rd_kafka_topic_partition_list_destroy(tl);
  rd_kafka_consumer_group_metadata_destroy(cg);
  if (e) {
    int abortable = rd_kafka_error_txn_requires_abort(e);
    rc = txn_fail(k, ctx, "cannot add the epoch marker to the transaction", e);
    if (abortable)
      abort_txn(k, ctx);
    return rc;
  }
  int64_t started = weir_kafka_mono_us(), warned = started;
  for (;;) {
    e = rd_kafka_commit_transaction(k->rk, k->timeout_ms);
    if (!e)
      break;
    if (rd_kafka_error_is_retriable(e)) {
      /* The coordinator is unreachable: wait it out, committing is safe to
       * retry. */
      int64_t now = weir_kafka_mono_us();
      if (now - warned >= RETRY_WARN_US) {
        weir_log(ctx, WEIR_LOG_WARN,
                 "committing the transaction of epoch %" PRId64 " for %" PRId64
                 " s: %s; retrying",
                 k->epoch, (now - started) / 1000000, rd_kafka_error_string(e));
        weir_kafka_status(&k->log,
                          "the transaction cannot be committed (%s); retrying",
                          rd_kafka_error_string(e));
        warned = now;
      }
      rd_kafka_error_destroy(e);
      continue;
    }
    int abortable = rd_kafka_error_txn_requires_abort(e);
    rc = txn_fail(k, ctx, "cannot commit the transaction", e);
    if (abortable)
      abort_txn(k, ctx);
    return rc;
  }
  k->in_txn = 0;
  k->last_committed = k->epoch;
  weir_kafka_ok(&k->log); /* the coordinator answered */
  store_marker(k, ctx);
  return WEIR_OK;
}

void ksink_txn_close(ksink *k) {
  /* A transaction still open here belongs to an epoch that did not commit:
   * abort it so read_committed consumers are not held back until it times
   * out. */
  if (k->rk && k->in_txn) {
    rd_kafka_error_t *e = rd_kafka_abort_transaction(k->rk, k->timeout_ms);
    if (e)
      rd_kafka_error_destroy(e);
    k->in_txn = 0;
  }
}
