/* plugins/kafka/offsets.h — the kafka source's partition lists: the offset
 * format logged in the checkpoint, the JSON options that name partitions
 * (assign, starting_offsets, starting_offsets_by_timestamp), and Spark's
 * split of max_offsets_per_trigger across partitions. Pure functions, no
 * librdkafka: unit-tested in tests/unit/test_kafka_offsets.c.
 *
 * Offset format (msgpack; JSON in offsets/N):
 *
 *   {"TOPIC": {"PARTITION": END, ...}, ...}
 *
 * END is the offset after the last record of the epoch. A partition read for
 * the first time in an epoch — every partition of a new query, and any
 * partition discovered later — is written [START, END] instead, so the
 * checkpoint fixes where it started and a replay of that epoch reads the
 * same records even if "earliest" or "latest" has moved since. Topic and
 * partition order is sorted, so equal plans give equal bytes. */
#ifndef WEIR_KAFKA_OFFSETS_H
#define WEIR_KAFKA_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#include "weir/weir.h"

typedef struct kp {
  char *topic; /* owned */
  int32_t part;
  int64_t from;  /* first offset of the epoch's range */
  int64_t until; /* end of the range (exclusive); the logged offset */
  int has_from;  /* written as [from, until]: a partition new in this epoch */
  /* planning scratch */
  int64_t earliest, latest;
  int seen;   /* found in the cluster's metadata */
  int is_new; /* not in the epoch's start offset */
  /* reading scratch */
  size_t qi;   /* its fetcher (kafka.h, kq) */
  int64_t pos; /* next offset expected */
  int done;
} kp;

typedef struct kp_list {
  kp *v;
  size_t n, cap;
} kp_list;

/* Appends a partition (topic copied). Returns the entry or NULL (no memory). */
kp *kp_add(kp_list *l, const char *topic, int32_t part);
/* The entry for (topic, part), or NULL. */
kp *kp_find(const kp_list *l, const char *topic, int32_t part);
/* Sorts by topic, then partition. */
void kp_sort(kp_list *l);
void kp_clear(kp_list *l);
void kp_free(kp_list *l);
/* "topic-part" into buf, for messages. */
const char *kp_name(const kp *p, char *buf, size_t n);

/* Decodes a logged offset into l (cleared first): until = END, and for
 * [START, END] entries has_from = 1 and from = START. WEIR_OK or
 * WEIR_ERR_FORMAT with a message. */
int kp_decode(const uint8_t *data, size_t len, kp_list *l, char *err,
              size_t errlen);
/* Encodes l (which should be sorted) in the format above. */
void kp_encode(const kp_list *l, weir_buf *out);

/* Parses {"t": {"0": N, ...}, ...} (starting_offsets, and
 * starting_offsets_by_timestamp whose values may also be ISO-8601 strings,
 * given allow_iso): the value goes to `until`. WEIR_OK or WEIR_ERR_INVALID
 * with a message. */
int kp_parse_json_map(const char *json, int allow_iso, kp_list *l, char *err,
                      size_t errlen);
/* Parses assign's {"t": [0, 1], ...}. */
int kp_parse_json_assign(const char *json, kp_list *l, char *err,
                         size_t errlen);

/* Spark's rateLimit (KafkaMicroBatchStream): caps the total of
 * (until - from) at about `limit`, each partition getting its share of the
 * backlog, limit * size / total, floored (or rounded up when below 1, so a
 * small partition is never starved). Entries with until <= from are left
 * alone. */
void kp_rate_limit(kp_list *l, int64_t limit);

/* Sum of max(0, until - from). */
int64_t kp_backlog(const kp_list *l);

#endif
