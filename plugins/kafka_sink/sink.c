/* plugins/kafka_sink/sink.c — the `kafka` sink (SEMANTICS.md, Sinks: kafka).
 *
 * Rows become messages as Spark's Kafka sink makes them: columns named
 * `value` (STRING or BINARY; or the whole row as JSON with value_format =
 * json), `key`, `topic` (the `topic` option wins), `partition` and `headers`
 * (the JSON text the kafka source writes; see headers.c).
 *
 * An epoch commits only when every message has been acknowledged: epoch_end
 * waits for the delivery report of each one, and any failure fails the
 * epoch with the broker's message (the query stops; a restart re-runs the
 * epoch). Without exactly_once that is at-least-once: a re-run epoch is
 * written again. With exactly_once = true each epoch is one Kafka
 * transaction and a re-run epoch already in Kafka is skipped (txn.c). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"

#define FLUSH_WARN_US (10 * INT64_C(1000000))

static const char *const value_formats[] = {"raw", "json", NULL};

static const weir_option ksink_options[] = {
    {"topic", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "topic to write to; wins over a `topic` column (one of the two is "
     "required)",
     offsetof(ksink_config, topic)},
    {"value_format", WEIR_OPT_ENUM, "raw", 0, 0, 0, value_formats,
     "raw: the `value` column (STRING or BINARY) is the message; json: the "
     "whole row as a JSON object (null fields left out, as Spark's to_json)",
     offsetof(ksink_config, value_format)},
    {"exactly_once", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL,
     "one Kafka transaction per epoch, a re-run epoch already in Kafka is "
     "skipped: read_committed consumers see each row once. false: "
     "at-least-once (a re-run epoch after a crash is written again), as "
     "Spark's Kafka sink",
     offsetof(ksink_config, exactly_once)},
    {"transactional_id", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "exactly_once: the producer's transactional.id (default: derived from "
     "this sink's name and the query id, stable across restarts)",
     offsetof(ksink_config, transactional_id)},
    {"marker_topic", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "exactly_once: an existing topic whose partition 0 carries, as a "
     "consumer-group offset, the last committed epoch (default: the topic "
     "option; required with a topic column); nothing is written to it",
     offsetof(ksink_config, marker_topic)},
    {"connect_timeout", WEIR_OPT_DURATION, "10 seconds", 0, 0.001, 3600, NULL,
     "beyond Spark: the first contact with the cluster fails after this "
     "long (a clear error instead of a hang)",
     offsetof(ksink_config, connect_timeout)},
    {"kafka.", WEIR_OPT_PREFIX, NULL, 0, 0, 0, NULL,
     "passed to librdkafka as is (kafka.bootstrap.servers is required; "
     "kafka.message.timeout.ms bounds the wait for a broker that is down)",
     offsetof(ksink_config, kafka)},
    WEIR_OPTIONS_END};

static const weir_kafka_owned sink_owned[] = {
    {"transactional.id", "use exactly_once = true (and transactional_id)"},
    {NULL, NULL}};

/* ---- create / destroy ---------------------------------------------------- */

static void ksink_destroy(void *self) {
  ksink *k = self;
  if (!k)
    return;
  k->log.ctx = NULL;
  ksink_txn_close(k);
  if (k->rkt)
    rd_kafka_topic_destroy(k->rkt);
  for (int i = 0; i < TOPIC_CACHE; i++)
    if (k->col_rkt[i])
      rd_kafka_topic_destroy(k->col_rkt[i]);
  if (k->rk) {
    rd_kafka_flush(k->rk, k->timeout_ms);
    rd_kafka_destroy(k->rk);
  }
  weir_buf_free(&k->json);
  weir_buf_free(&k->hdr_mp);
  weir_buf_free(&k->hdr_val);
  free(k->cols);
  free(k);
}

/* A column by Spark's fixed name, of one of the given types, or -1. */
static int column(weir_ctx *ctx, const weir_schema *sc, const char *name,
                  weir_type t1, weir_type t2, int *idx) {
  *idx = weir_schema_find(sc, name);
  if (*idx < 0)
    return WEIR_OK;
  weir_type t = sc->fields[*idx].type;
  int nested = t == WEIR_T_STRUCT || t == WEIR_T_ARRAY;
  if (t != t1 && t != t2)
    return weir_error(ctx, WEIR_ERR_SCHEMA,
                      "column '%s' is %s; the kafka sink needs %s%s%s (%s)",
                      name, weir_type_name(t), weir_type_name(t1),
                      t2 != t1 ? " or " : "",
                      t2 != t1 ? weir_type_name(t2) : "",
                      nested ? "value_format = json writes the whole row as "
                               "JSON instead of a value column"
                             : "CAST it in a select");
  return WEIR_OK;
}

static int ksink_create(weir_ctx *ctx, const void *config, weir_create_args *a,
                        void **self) {
  const ksink_config *c = config;
  const weir_schema *sc = a->input;
  int rc;
  weir_kafka_pin_library();
  ksink *k = calloc(1, sizeof *k);
  if (!k || !(k->cols = calloc(sc->n ? sc->n : 1, sizeof *k->cols))) {
    free(k);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  k->cfg = c;
  k->schema = sc;
  k->node_name = a->node_name;
  k->log.ctx = ctx;
  k->last_committed = -1;
  k->c_value = -1;
  k->timeout_ms = (int)(c->connect_timeout / 1000);
  if (k->timeout_ms < 1)
    k->timeout_ms = 1;
  if ((rc = column(ctx, sc, "key", WEIR_T_STRING, WEIR_T_BINARY, &k->c_key)) ||
      (c->value_format == VALUE_RAW &&
       (rc = column(ctx, sc, "value", WEIR_T_STRING, WEIR_T_BINARY,
                    &k->c_value))) ||
      (rc = column(ctx, sc, "topic", WEIR_T_STRING, WEIR_T_STRING,
                   &k->c_topic)) ||
      (rc = column(ctx, sc, "partition", WEIR_T_INT, WEIR_T_INT, &k->c_part)) ||
      (rc = column(ctx, sc, "headers", WEIR_T_STRING, WEIR_T_STRING,
                   &k->c_headers)))
    goto fail;
  if (c->value_format == VALUE_RAW && k->c_value < 0) {
    const char *near = weir_schema_suggest(sc, "value");
    rc = weir_error(ctx, WEIR_ERR_SCHEMA,
                    "the kafka sink writes the column 'value' (STRING or "
                    "BINARY)%s%s%s; or set value_format = json to write "
                    "whole rows",
                    near ? " — did you mean '" : "", near ? near : "",
                    near ? "'?" : "");
    goto fail;
  }
  if (!c->topic && k->c_topic < 0) {
    rc = weir_error(ctx, WEIR_ERR_INVALID,
                    "no topic: set the topic option or give the rows a "
                    "'topic' column");
    goto fail;
  }
  if (c->exactly_once) {
    k->marker = c->marker_topic ? c->marker_topic : c->topic;
    if (!k->marker) {
      rc = weir_error(ctx, WEIR_ERR_INVALID,
                      "exactly_once with a topic column needs marker_topic: "
                      "an existing topic whose partition 0 records the last "
                      "committed epoch");
      goto fail;
    }
  }
  rd_kafka_conf_t *conf;
  if ((rc = weir_kafka_conf_new(ctx, &c->kafka, sink_owned, &conf)) != WEIR_OK)
    goto fail;
  rd_kafka_conf_destroy(conf); /* checked; the producer comes later */
  *self = k;
  return WEIR_OK;
fail:
  ksink_destroy(k);
  return rc;
}

/* ---- the producer -------------------------------------------------------- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque) {
  ksink *k = opaque;
  (void)rk;
  if (!m->err)
    return;
  if (k->failed++ == 0)
    snprintf(k->first_error, sizeof k->first_error,
             "topic %s [%" PRId32 "]: %s", rd_kafka_topic_name(m->rkt),
             m->partition, rd_kafka_message_errstr(m));
}

static int start_producer(ksink *k, weir_ctx *ctx) {
  char err[512];
  rd_kafka_conf_t *conf;
  int rc;
  if (k->cfg->exactly_once && (rc = ksink_identity(k, ctx)) != WEIR_OK)
    return rc;
  if ((rc = weir_kafka_conf_new(ctx, &k->cfg->kafka, sink_owned, &conf)) !=
      WEIR_OK)
    return rc;
  if ((rc = weir_kafka_default(ctx, conf, &k->cfg->kafka, "client.id",
                               "weir")) ||
      /* No duplicates or reordering from librdkafka's own retries. */
      (rc = weir_kafka_default(ctx, conf, &k->cfg->kafka, "enable.idempotence",
                               "true")) ||
      (k->cfg->exactly_once &&
       (rc = weir_kafka_set(ctx, conf, "transactional.id", k->txn_id)))) {
    rd_kafka_conf_destroy(conf);
    return rc;
  }
  weir_kafka_logging(conf, k);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!k->rk) {
    rd_kafka_conf_destroy(conf);
    return weir_error(ctx, WEIR_ERR_INVALID, "cannot create the producer: %s",
                      err);
  }
  weir_kafka_attach(k->rk);
  if ((rc = weir_kafka_connect(ctx, k->rk, &k->cfg->kafka, 0, k->timeout_ms,
                               NULL)) != WEIR_OK)
    return rc;
  if (k->cfg->topic &&
      !(k->rkt = rd_kafka_topic_new(k->rk, k->cfg->topic, NULL)))
    return weir_error(ctx, WEIR_ERR_INVALID, "topic '%s': %s", k->cfg->topic,
                      rd_kafka_err2str(rd_kafka_last_error()));
  if (k->cfg->exactly_once)
    return ksink_txn_init(k, ctx);
  return WEIR_OK;
}

int ksink_flush(ksink *k, weir_ctx *ctx) {
  int64_t started = weir_kafka_mono_us(), warned = started;
  while (rd_kafka_outq_len(k->rk) > 0) {
    rd_kafka_flush(k->rk, 1000);
    weir_kafka_serve(k->rk, 0);
    int64_t now = weir_kafka_mono_us();
    int n = rd_kafka_outq_len(k->rk);
    if (n > 0 && now - warned >= FLUSH_WARN_US) {
      /* The broker is away: librdkafka retries until
       * kafka.message.timeout.ms, then reports each message as failed. */
      weir_log(ctx, WEIR_LOG_WARN,
               "epoch %" PRId64 ": waiting %" PRId64 " s for %d messages to "
               "be acknowledged%s%s",
               k->epoch, (now - started) / 1000000, n,
               k->log.last_error[0] ? "; last error: " : "", k->log.last_error);
      weir_kafka_status(
          &k->log, "messages are not acknowledged (%s%s); waiting",
          k->log.last_error[0] ? "last error: " : "no error reported",
          k->log.last_error);
      warned = now;
    }
  }
  /* Only a delivery proves the cluster is back: an epoch with nothing to
   * send, or whose messages failed, says nothing about it. */
  if (k->produced > 0 && k->failed == 0 && !k->cfg->exactly_once)
    weir_kafka_ok(&k->log);
  return WEIR_OK;
}

/* ---- epochs ------------------------------------------------------------- */

static int ksink_epoch_begin(void *self, weir_ctx *ctx) {
  ksink *k = self;
  weir_epoch_info info = weir_epoch(ctx);
  int rc;
  k->epoch = info.epoch;
  k->skip = 0;
  k->produced = k->failed = 0;
  k->first_error[0] = '\0';
  if (!k->rk && (rc = start_producer(k, ctx)) != WEIR_OK)
    return rc;
  weir_kafka_serve(k->rk, 0);
  return k->cfg->exactly_once ? ksink_txn_begin(k, ctx) : WEIR_OK;
}

/* The topic handle of a row whose topic comes from its column: a small
 * cache, since rows usually go to a few topics (creating a handle per row
 * would cost a lock and a lookup each). */
static rd_kafka_topic_t *row_topic(ksink *k, weir_ctx *ctx, const weir_value *v,
                                   int *rc) {
  char name[256];
  if (v->type != WEIR_T_STRING) {
    *rc = weir_error(ctx, WEIR_ERR_INVALID,
                     "a row has a null topic (and no topic option is set)");
    return NULL;
  }
  rd_kafka_topic_t *h = k->col_rkt[k->col_hint];
  if (h && strlen(rd_kafka_topic_name(h)) == v->v.s.len &&
      memcmp(rd_kafka_topic_name(h), v->v.s.ptr, v->v.s.len) == 0)
    return h;
  for (unsigned i = 0; i < TOPIC_CACHE; i++) {
    h = k->col_rkt[i];
    if (h && strlen(rd_kafka_topic_name(h)) == v->v.s.len &&
        memcmp(rd_kafka_topic_name(h), v->v.s.ptr, v->v.s.len) == 0) {
      k->col_hint = i;
      return h;
    }
  }
  if (v->v.s.len == 0 || v->v.s.len >= sizeof name ||
      memchr(v->v.s.ptr, '\0', v->v.s.len)) {
    *rc =
        weir_error(ctx, WEIR_ERR_INVALID,
                   "a row's topic is not a topic name (%zu bytes)", v->v.s.len);
    return NULL;
  }
  memcpy(name, v->v.s.ptr, v->v.s.len);
  name[v->v.s.len] = '\0';
  if (!(h = rd_kafka_topic_new(k->rk, name, NULL))) {
    *rc = weir_error(ctx, WEIR_ERR_INVALID, "topic '%s': %s", name,
                     rd_kafka_err2str(rd_kafka_last_error()));
    return NULL;
  }
  unsigned slot = k->col_next++ % TOPIC_CACHE;
  if (k->col_rkt[slot])
    rd_kafka_topic_destroy(k->col_rkt[slot]); /* queued messages keep it */
  k->col_rkt[slot] = h;
  k->col_hint = slot;
  return h;
}

/* The row as JSON, null fields left out (Spark's to_json). */
static void json_row(ksink *k, const weir_value *c) {
  weir_buf *b = &k->json;
  int first = 1;
  weir_buf_clear(b);
  weir_buf_lit(b, "{");
  for (size_t i = 0; i < k->schema->n; i++) {
    if (c[i].type == WEIR_T_NULL)
      continue;
    if (!first)
      weir_buf_lit(b, ",");
    first = 0;
    const weir_field *f = &k->schema->fields[i];
    weir_json_string(b, f->name, strlen(f->name));
    weir_buf_lit(b, ":");
    weir_json_value(b, f, &c[i]);
  }
  weir_buf_lit(b, "}");
}

static int produce_row(ksink *k, weir_ctx *ctx) {
  const weir_value *c = k->cols;
  int rc = WEIR_OK;
  rd_kafka_topic_t *rkt =
      k->rkt ? k->rkt : row_topic(k, ctx, &c[k->c_topic], &rc);
  if (!rkt)
    return rc;
  const void *key = NULL, *val = NULL;
  size_t klen = 0, vlen = 0;
  if (k->c_key >= 0 && c[k->c_key].type != WEIR_T_NULL) {
    key = c[k->c_key].v.s.ptr;
    klen = c[k->c_key].v.s.len;
  }
  if (k->cfg->value_format == VALUE_JSON) {
    json_row(k, c);
    if (k->json.err)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    val = k->json.data;
    vlen = k->json.len;
  } else if (c[k->c_value].type != WEIR_T_NULL) {
    val = c[k->c_value].v.s.ptr ? c[k->c_value].v.s.ptr : "";
    vlen = c[k->c_value].v.s.len;
  } /* a null value is a tombstone */
  int32_t part = RD_KAFKA_PARTITION_UA;
  if (k->c_part >= 0 && c[k->c_part].type == WEIR_T_INT) {
    if (c[k->c_part].v.i < 0 || c[k->c_part].v.i > INT32_MAX)
      return weir_error(ctx, WEIR_ERR_INVALID,
                        "partition %" PRId64 " is not a partition number",
                        c[k->c_part].v.i);
    part = (int32_t)c[k->c_part].v.i;
  }
  for (;;) {
    rd_kafka_headers_t *h = NULL;
    if (k->c_headers >= 0 && c[k->c_headers].type == WEIR_T_STRING) {
      char err[300];
      if (ksink_headers(k, c[k->c_headers].v.s.ptr, c[k->c_headers].v.s.len, &h,
                        err, sizeof err) != WEIR_OK)
        return weir_error(ctx, WEIR_ERR_FORMAT, "%s", err);
    }
    rd_kafka_resp_err_t err =
        h ? rd_kafka_producev(
                k->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(part),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)val, vlen),
                RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END)
          : rd_kafka_producev(
                k->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(part),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)val, vlen),
                RD_KAFKA_V_END);
    if (!err) {
      k->produced++;
      return WEIR_OK;
    }
    if (h)
      rd_kafka_headers_destroy(h); /* not taken over on failure */
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      return weir_error(ctx, WEIR_ERR_IO, "cannot produce to %s: %s",
                        rd_kafka_topic_name(rkt), rd_kafka_err2str(err));
    /* librdkafka's queue is full: let deliveries drain it. */
    rd_kafka_poll(k->rk, 10);
  }
}

static int ksink_process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  ksink *k = self;
  if (k->skip || batch->nrows == 0)
    return WEIR_OK;
  weir_reader r;
  if (weir_reader_open(&r, batch->data, batch->len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_FORMAT, "malformed input batch");
  int rc;
  while ((rc = weir_reader_next(&r, k->cols, k->schema->n)) == 1)
    if ((rc = produce_row(k, ctx)) != WEIR_OK)
      return rc;
  weir_kafka_serve(k->rk, 0); /* delivery reports so far */
  return rc < 0 ? weir_error(ctx, WEIR_ERR_FORMAT, "malformed input batch")
                : WEIR_OK;
}

static int ksink_epoch_end(void *self, weir_ctx *ctx) {
  ksink *k = self;
  if (k->cfg->exactly_once)
    return ksink_txn_commit(k, ctx);
  int rc = ksink_flush(k, ctx);
  if (rc == WEIR_OK && k->failed)
    rc = weir_error(ctx, WEIR_ERR_IO,
                    "%" PRId64 " of %" PRId64 " messages of epoch %" PRId64
                    " were not delivered (first: %s); the epoch is not "
                    "committed and runs again on restart",
                    k->failed, k->produced, k->epoch, k->first_error);
  return rc;
}

static const weir_plugin kafka_sink = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_SINK,
    .name = "kafka",
    .version = "0.1.0",
    .description = "rows to Kafka messages (value, key, topic, partition, "
                   "headers); at-least-once, or exactly-once with "
                   "exactly_once = true (a transaction per epoch)",
    .options = ksink_options,
    .config_size = sizeof(ksink_config),
    .create = ksink_create,
    .destroy = ksink_destroy,
    .epoch_begin = ksink_epoch_begin,
    .process = ksink_process,
    .epoch_end = ksink_epoch_end,
};

WEIR_PLUGIN(kafka_sink)
