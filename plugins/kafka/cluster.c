/* plugins/kafka/cluster.c — the kafka source's questions to the cluster:
 * creating its consumer handle (the settings the source owns), finding the
 * partitions that subscribe / subscribe_pattern / assign select, and
 * ListOffsets queries (latest, earliest, by timestamp) batched into one
 * request per leader broker instead of one round trip per partition. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka.h"

/* Keys the source sets itself (SEMANTICS.md: group, offset reset, auto
 * commit) and what to use instead. */
static const weir_kafka_owned source_owned[] = {
    {"group.id", "use the source's group_id option; offsets live in the "
                 "checkpoint and are committed to the group for monitoring "
                 "only"},
    {"auto.offset.reset", "use starting_offsets; later runs resume from the "
                          "checkpoint and fail_on_data_loss decides what "
                          "happens to offsets gone from the broker"},
    {"enable.auto.commit", "offsets are committed after each epoch when "
                           "group_id is set"},
    {"enable.auto.offset.store", "offsets are committed after each epoch "
                                 "when group_id is set"},
    {"enable.partition.eof", "the source needs end-of-partition events"},
    {NULL, NULL}};

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque) {
  ksrc *s = opaque;
  (void)rk;
  (void)offsets;
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET && s->log.ctx)
    weir_log(s->log.ctx, WEIR_LOG_WARN,
             "committing offsets to group '%s' (monitoring only) failed: %s",
             s->cfg->group_id, rd_kafka_err2str(err));
}

/* Prefetched records the fetch handle may hold, over all partitions. */
#define FETCH_BUDGET_KB (256 * 1024)

/* Checks the kafka.* keys (create: no network) or builds a real handle's:
 * the query handle (fetch = 0) or the fetch handle for `fetch` partitions. */
static int build_conf(ksrc *s, weir_ctx *ctx, size_t fetch,
                      rd_kafka_conf_t **out) {
  const ksrc_config *c = s->cfg;
  rd_kafka_conf_t *conf;
  int rc = weir_kafka_conf_new(ctx, &c->kafka, source_owned, &conf);
  if (rc != WEIR_OK)
    return rc;
  /* Each partition's fetcher runs ahead of the epochs (read.c) into its own
   * queue, up to queued.max.messages.kbytes: share a fixed budget, so that
   * many partitions do not mean unbounded memory. */
  char kb[32];
  size_t per = fetch ? FETCH_BUDGET_KB / fetch : 16384;
  snprintf(kb, sizeof kb, "%zu", per < 1024 ? 1024 : per > 16384 ? 16384 : per);
  /* Offsets are weir's: nothing is committed or reset behind its back, and
   * an offset gone from the broker is an error the source handles. The
   * group exists only for monitoring commits (acknowledge). */
  if ((!fetch && c->group_id && c->group_id[0] &&
       (rc = weir_kafka_set(ctx, conf, "group.id", c->group_id))) ||
      (rc = weir_kafka_set(ctx, conf, "enable.auto.commit", "false")) ||
      (rc = weir_kafka_set(ctx, conf, "enable.auto.offset.store", "false")) ||
      (rc = weir_kafka_set(ctx, conf, "auto.offset.reset", "error")) ||
      (rc = weir_kafka_set(ctx, conf, "enable.partition.eof", "true")) ||
      (rc = weir_kafka_default(ctx, conf, &c->kafka, "client.id", "weir")) ||
      /* librdkafka pauses a fetcher, then sleeps up to a second, once its
       * queue holds queued.min.messages: let the byte limit bound it. */
      (rc = weir_kafka_default(ctx, conf, &c->kafka, "queued.min.messages",
                               "1000000")) ||
      (rc = weir_kafka_default(ctx, conf, &c->kafka,
                               "queued.max.messages.kbytes", kb)) ||
      (rc = weir_kafka_default(ctx, conf, &c->kafka, "fetch.wait.max.ms",
                               "100"))) {
    rd_kafka_conf_destroy(conf);
    return rc;
  }
  *out = conf;
  return WEIR_OK;
}

static int new_handle(ksrc *s, weir_ctx *ctx, size_t fetch, rd_kafka_t **out) {
  char err[512];
  rd_kafka_conf_t *conf;
  int rc = build_conf(s, ctx, fetch, &conf);
  if (rc != WEIR_OK)
    return rc;
  weir_kafka_logging(conf, s);
  if (!fetch)
    rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
  *out = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!*out) {
    rd_kafka_conf_destroy(conf);
    return weir_error(ctx, WEIR_ERR_INVALID, "cannot create the consumer: %s",
                      err);
  }
  weir_kafka_attach(*out);
  return WEIR_OK;
}

int ks_client(ksrc *s, weir_ctx *ctx) {
  return s->rk ? WEIR_OK : new_handle(s, ctx, 0, &s->rk);
}

int ks_fetch_client(ksrc *s, weir_ctx *ctx, size_t nparts) {
  int rc = ks_client(s, ctx);
  if (rc == WEIR_OK && !s->fk)
    rc = new_handle(s, ctx, nparts ? nparts : 1, &s->fk);
  return rc;
}

int ks_check_conf(ksrc *s, weir_ctx *ctx) {
  rd_kafka_conf_t *conf;
  int rc = build_conf(s, ctx, 0, &conf);
  if (rc == WEIR_OK)
    rd_kafka_conf_destroy(conf);
  return rc;
}

static int topic_selected(ksrc *s, const char *name) {
  switch (s->mode) {
  case MODE_SUBSCRIBE:
    for (size_t i = 0; i < s->cfg->subscribe.n; i++)
      if (strcmp(s->cfg->subscribe.items[i], name) == 0)
        return 1;
    return 0;
  case MODE_PATTERN:
    /* Kafka's pattern subscriptions leave internal topics out. */
    return strncmp(name, "__", 2) != 0 &&
           regexec(&s->re, name, 0, NULL, 0) == 0;
  default:
    for (size_t i = 0; i < s->assign.n; i++)
      if (strcmp(s->assign.v[i].topic, name) == 0)
        return 1;
    return 0;
  }
}

int ks_discover(ksrc *s, weir_ctx *ctx) {
  const struct rd_kafka_metadata *md = NULL;
  int rc;
  if (!s->connected) {
    /* The first contact: an unreachable cluster is an error, not a hang. */
    rc = weir_kafka_connect(ctx, s->rk, &s->cfg->kafka, 1, s->timeout_ms, &md);
    if (rc != WEIR_OK)
      return rc;
    s->connected = 1;
  } else {
    rd_kafka_resp_err_t err =
        rd_kafka_metadata(s->rk, 1, NULL, &md, s->timeout_ms);
    if (err) {
      snprintf(s->why, sizeof s->why, "metadata request to %s failed: %s",
               weir_kafka_bootstrap(&s->cfg->kafka), rd_kafka_err2str(err));
      return weir_error(ctx, WEIR_ERR_IO, "%s", s->why);
    }
  }
  kp_clear(&s->known);
  rc = WEIR_OK;
  for (int t = 0; t < md->topic_cnt && rc == WEIR_OK; t++) {
    const rd_kafka_metadata_topic_t *mt = &md->topics[t];
    if (mt->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        !topic_selected(s, mt->topic))
      continue;
    for (int p = 0; p < mt->partition_cnt; p++) {
      int32_t id = mt->partitions[p].id;
      if (s->mode == MODE_ASSIGN && !kp_find(&s->assign, mt->topic, id))
        continue;
      if (!kp_add(&s->known, mt->topic, id))
        rc = weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    }
  }
  rd_kafka_metadata_destroy(md);
  kp_sort(&s->known);
  s->has_known = 1;
  return rc;
}

int ks_offsets(ksrc *s, weir_ctx *ctx, kp_list *l, int which, int only_new) {
  size_t n = 0;
  for (size_t i = 0; i < l->n; i++)
    n += !only_new || l->v[i].is_new;
  if (n == 0)
    return WEIR_OK;
  rd_kafka_topic_partition_list_t *tl =
      rd_kafka_topic_partition_list_new((int)n);
  if (!tl)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < l->n; i++) {
    kp *e = &l->v[i];
    if (only_new && !e->is_new)
      continue;
    rd_kafka_topic_partition_t *tp =
        rd_kafka_topic_partition_list_add(tl, e->topic, e->part);
    /* ListOffsets takes a timestamp; -1 and -2 mean latest and earliest. */
    tp->offset = which == Q_LATEST     ? KS_LATEST
                 : which == Q_EARLIEST ? KS_EARLIEST
                                       : e->from;
  }
  rd_kafka_resp_err_t err =
      rd_kafka_offsets_for_times(s->rk, tl, s->timeout_ms);
  weir_kafka_serve(s->rk, 0);
  if (err) {
    rd_kafka_topic_partition_list_destroy(tl);
    snprintf(s->why, sizeof s->why, "cannot query %s offsets from %s: %s",
             which == Q_LATEST     ? "latest"
             : which == Q_EARLIEST ? "earliest"
                                   : "timestamp",
             weir_kafka_bootstrap(&s->cfg->kafka), rd_kafka_err2str(err));
    return weir_error(ctx, WEIR_ERR_IO, "%s", s->why);
  }
  for (size_t i = 0; i < l->n; i++) {
    kp *e = &l->v[i];
    if (only_new && !e->is_new)
      continue;
    rd_kafka_topic_partition_t *tp =
        rd_kafka_topic_partition_list_find(tl, e->topic, e->part);
    int64_t v = tp && !tp->err ? tp->offset : KS_UNKNOWN;
    if (tp && tp->err)
      weir_log(ctx, WEIR_LOG_DEBUG, "offsets of %s-%" PRId32 ": %s", e->topic,
               e->part, rd_kafka_err2str(tp->err));
    if (which == Q_LATEST)
      e->latest = v;
    else if (which == Q_EARLIEST)
      e->earliest = v;
    else
      e->from = tp && !tp->err ? v : KS_UNKNOWN;
  }
  rd_kafka_topic_partition_list_destroy(tl);
  return WEIR_OK;
}
