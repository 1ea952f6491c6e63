/* plugins/kafka_sink/sink.h — the kafka sink's instance, shared by sink.c
 * (options, producing rows, committing epochs), txn.c (exactly-once:
 * transactions and the committed-epoch marker) and headers.c. */
#ifndef WEIR_KAFKA_SINK_H
#define WEIR_KAFKA_SINK_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "weir/weir.h"

#include "weir/kafka.h"

enum { VALUE_RAW = 0, VALUE_JSON = 1 };
#define TOPIC_CACHE 16

typedef struct ksink_config {
  const char *topic;
  int value_format;
  int exactly_once;
  const char *transactional_id;
  const char *marker_topic;
  int64_t connect_timeout; /* µs */
  weir_kv_list kafka;
} ksink_config;

typedef struct ksink {
  weir_kafka_log log; /* first: the rd_kafka_t's opaque */
  const ksink_config *cfg;
  const weir_schema *schema;
  const char *node_name;
  int c_key, c_value, c_topic, c_part, c_headers; /* columns, or -1 */
  weir_value *cols;
  rd_kafka_t *rk;        /* the producer, created at the first epoch */
  rd_kafka_topic_t *rkt; /* the `topic` option's handle */
  /* handles of the topic column's recent values (round robin) */
  rd_kafka_topic_t *col_rkt[TOPIC_CACHE];
  unsigned col_next, col_hint;
  weir_buf json, hdr_mp, hdr_val;
  int timeout_ms;

  /* the epoch */
  int64_t epoch;
  int skip; /* exactly_once: this epoch is already in Kafka */
  int in_txn;
  int64_t produced; /* messages handed to librdkafka this epoch */
  int64_t failed;   /* delivery reports with an error this epoch */
  char first_error[512];

  /* exactly_once */
  char identity[64]; /* this sink's run identity (see txn.c) */
  char txn_id[512];
  char group[600];    /* the marker's consumer group */
  const char *marker; /* the marker's topic */
  int txn_ready;
  int64_t last_committed; /* epoch id in Kafka's marker, -1: none */
} ksink;

/* headers.c */
int ksink_headers(ksink *k, const char *text, size_t len,
                  rd_kafka_headers_t **out, char *err, size_t errlen);

/* txn.c */
int ksink_txn_init(ksink *k, weir_ctx *ctx);   /* first epoch_begin */
int ksink_txn_begin(ksink *k, weir_ctx *ctx);  /* epoch_begin */
int ksink_txn_commit(ksink *k, weir_ctx *ctx); /* epoch_end */
void ksink_txn_close(ksink *k);                /* destroy */
/* Decides k->identity (the query id) and k->txn_id. */
int ksink_identity(ksink *k, weir_ctx *ctx);

/* sink.c: waits until every produced message has a delivery report. */
int ksink_flush(ksink *k, weir_ctx *ctx);

#endif
