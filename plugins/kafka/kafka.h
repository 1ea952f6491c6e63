/* plugins/kafka/kafka.h — the kafka source's instance, shared by its files:
 * kafka.c (options, plan, acknowledge), cluster.c (metadata and offset
 * queries) and read.c (reading an epoch's exact ranges into batches). */
#ifndef WEIR_KAFKA_SOURCE_H
#define WEIR_KAFKA_SOURCE_H

#include <regex.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "weir/weir.h"

#include "offsets.h"
#include "weir/kafka.h"

enum { MODE_SUBSCRIBE = 1, MODE_PATTERN, MODE_ASSIGN };
enum {
  START_EARLIEST = 1,
  START_LATEST,
  START_JSON,
  START_TIMESTAMP,
  START_BY_TIMESTAMP
};
enum { TS_STRATEGY_ERROR = 0, TS_STRATEGY_LATEST = 1 };

/* Special ListOffsets timestamps (Kafka protocol). */
#define KS_LATEST INT64_C(-1)
#define KS_EARLIEST INT64_C(-2)
/* "Unknown" in kp.earliest / kp.latest. */
#define KS_UNKNOWN INT64_C(-1001)

typedef struct ksrc_config {
  weir_list subscribe;
  const char *subscribe_pattern;
  const char *assign;
  const char *starting_offsets;
  const char *starting_timestamp;
  const char *starting_offsets_by_timestamp;
  int starting_offsets_by_timestamp_strategy;
  int64_t max_offsets_per_trigger;
  int64_t min_offsets_per_trigger;
  int64_t max_trigger_delay; /* µs */
  int fail_on_data_loss;
  int include_headers;
  const char *group_id;
  int64_t connect_timeout; /* µs */
  int64_t max_batch_bytes;
  weir_kv_list kafka;
} ksrc_config;

/* One partition's fetcher: started once, then kept running across epochs
 * so that the next epoch's records are already fetched when it starts. */
typedef struct kq {
  char *topic;
  int32_t part;
  rd_kafka_topic_t *rkt;
  rd_kafka_queue_t *q; /* this partition's messages only */
  int64_t next;        /* offset the queue continues from; -1: not started */
  int need_seek;       /* 1: records were taken past an epoch's end (seek);
                          2: an error stopped the fetcher (restart) */
} kq;

typedef struct ksrc {
  weir_kafka_log log; /* first: the rd_kafka_t's opaque */
  const ksrc_config *cfg;
  rd_kafka_t *rk; /* queries: metadata, offsets, commits (first plan) */
  rd_kafka_t *fk; /* fetching (first read): its own connections, so a
                     ListOffsets never waits behind a fetch's long poll */
  int connected;  /* the first contact succeeded */
  int timeout_ms;

  int mode;
  regex_t re;
  int has_re;
  kp_list assign;

  int start_mode;
  int64_t start_ts_ms;
  kp_list start_json;

  kp_list plan;  /* scratch of plan */
  kp_list known; /* partitions of the last metadata lookup */
  int64_t discovered_us;
  int has_known;
  int warned_missing;
  kp_list cap; /* available-now: latest offsets at start */
  int has_cap;
  int64_t last_trigger_us;
  int has_last_trigger;

  kq *kqs; /* fetchers, by partition */
  size_t nkq, capkq;
  int wake[2];    /* pipe librdkafka writes to when a fetcher queue fills */
  kp_list ranges; /* scratch of read */
  kp_list prev;
  weir_schema *schema;
  weir_builder b;
  weir_buf hdr;
  int64_t batch_rows;
  rd_kafka_message_t **msgs;
  int64_t skipped_total; /* offsets skipped (fail_on_data_loss = false) */
  char why[512];         /* the last failed request to the cluster */
} ksrc;

/* cluster.c */
/* Validates the kafka.* keys without touching the network (create). */
int ks_check_conf(ksrc *s, weir_ctx *ctx);
/* Creates the query handle, or the fetch handle (its memory budget shared
 * by nparts partitions), on first use. */
int ks_client(ksrc *s, weir_ctx *ctx);
int ks_fetch_client(ksrc *s, weir_ctx *ctx, size_t nparts);
/* Partitions the options select, from fresh metadata, into s->known.
 * WEIR_OK, or WEIR_ERR_IO (message set, and in s->why) when the cluster
 * did not answer. */
int ks_discover(ksrc *s, weir_ctx *ctx);
/* What ks_offsets asks for. */
enum { Q_LATEST, Q_EARLIEST, Q_TIMES };
/* One ListOffsets round per leader for l's entries (only those with is_new
 * set, when only_new): Q_LATEST into latest, Q_EARLIEST into earliest,
 * Q_TIMES turns each entry's `from` (a timestamp in ms) into the first
 * offset at or after it (-1: none). A partition that failed gets
 * KS_UNKNOWN. WEIR_OK, or WEIR_ERR_IO with a message when the request as a
 * whole failed (nothing is changed then). */
int ks_offsets(ksrc *s, weir_ctx *ctx, kp_list *l, int which, int only_new);

/* read.c */
int ks_read_ranges(ksrc *s, weir_ctx *ctx, kp_list *ranges);
/* Stops the fetchers (destroy). */
void ks_read_close(ksrc *s);

#endif
