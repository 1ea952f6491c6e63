/* weir/kafka.h — the SDK's optional Kafka module (libweir-kafka.a, links
 * librdkafka): what any plugin talking to Kafka needs beyond librdkafka
 * itself. Turning `kafka.*` keys into a configuration (refusing the keys a
 * plugin must own), routing librdkafka's log lines and errors into weir's
 * log (rate-limited, so a broker that is down for a minute gives a few
 * lines, not thousands) and its outages into the node's status
 * (weir_status), and the first-contact check that turns an unreachable
 * bootstrap server into a clear error instead of a hang. The built-in kafka
 * source and sink both use it, so one place decides how `kafka.*` reaches
 * librdkafka.
 *
 * Link: -lweir-kafka -lweir-sdk $(pkg-config --libs rdkafka). Functions
 * that take a weir_ctx report errors on it (weir_error) and return the
 * code; nothing here allocates what the caller must free unless it says
 * so. */
#ifndef WEIR_KAFKA_H
#define WEIR_KAFKA_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "weir/weir.h"

/* A key a plugin sets itself, and what the user should write instead. */
typedef struct weir_kafka_owned {
  const char *key;
  const char *instead;
} weir_kafka_owned;

/* Per-handle logging state; the first member of the rd_kafka_t's opaque
 * struct, so the callbacks find it. */
typedef struct weir_kafka_log {
  weir_ctx *ctx;     /* where lines go; NULL: dropped (during destroy) */
  int64_t window_us; /* start of the current rate-limit window */
  int lines;         /* lines logged in the window */
  int dropped;       /* lines suppressed in the window */
  int64_t last_error_us;
  char last_error[256]; /* the last error librdkafka reported (for messages) */
  int troubled;         /* a status is set (weir_kafka_trouble) */
} weir_kafka_log;

/* Builds a configuration from the kafka.* keys. Refuses any key in `owned`
 * (with its `instead`) and unknown or invalid keys (librdkafka's message).
 * kafka.bootstrap.servers is required. On success *out is new (caller owns
 * it until rd_kafka_new takes it). Returns WEIR_OK or an error set on ctx. */
int weir_kafka_conf_new(weir_ctx *ctx, const weir_kv_list *kv,
                        const weir_kafka_owned *owned, rd_kafka_conf_t **out);

/* Sets a key the plugin owns; an error here is a bug. */
int weir_kafka_set(weir_ctx *ctx, rd_kafka_conf_t *conf, const char *key,
                   const char *value);

/* Sets key only when the user did not give kafka.KEY (a default of weir's
 * that differs from librdkafka's). */
int weir_kafka_default(weir_ctx *ctx, rd_kafka_conf_t *conf,
                       const weir_kv_list *kv, const char *key,
                       const char *value);

/* Routes librdkafka's logs and errors to weir's log through `log` (which
 * must be the first member of the opaque given to the handle). Call before
 * rd_kafka_new; then weir_kafka_attach after it. */
void weir_kafka_logging(rd_kafka_conf_t *conf, void *opaque);
/* Moves the handle's log lines onto its main queue, served by weir_kafka_serve.
 */
void weir_kafka_attach(rd_kafka_t *rk);
/* Serves queued logs, errors and (producer) delivery reports without
 * blocking longer than timeout_ms. */
void weir_kafka_serve(rd_kafka_t *rk, int timeout_ms);

/* The bootstrap servers the user gave (for messages). */
const char *weir_kafka_bootstrap(const weir_kv_list *kv);

/* A metadata request bounded by timeout_ms: the first contact with the
 * cluster. WEIR_OK, or WEIR_ERR_IO with "cannot reach the Kafka cluster at
 * SERVERS within N s: <librdkafka's last error>" set on ctx. all_topics
 * asks for every topic's metadata. *md (may be NULL) receives the metadata
 * (the caller frees it with rd_kafka_metadata_destroy). */
int weir_kafka_connect(weir_ctx *ctx, rd_kafka_t *rk, const weir_kv_list *kv,
                       int all_topics, int timeout_ms,
                       const struct rd_kafka_metadata **md);

/* A warning through the same rate limit as librdkafka's lines (a broker
 * that stays down must not print a line per trigger). */
void weir_kafka_warn(weir_kafka_log *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A condition the query waits out (the cluster unreachable, records not
 * arriving, messages not acknowledged): weir_kafka_warn, and the node's status
 * (weir_status) set to the same text until weir_kafka_ok. */
void weir_kafka_trouble(weir_kafka_log *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The status alone, without a log line (the caller logs its own way). */
void weir_kafka_status(weir_kafka_log *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The condition is over: clears the status weir_kafka_trouble (or librdkafka's
 * "all brokers down") set. Cheap when none is set. */
void weir_kafka_ok(weir_kafka_log *l);

/* Keeps librdkafka loaded until the process exits, whatever happens to the
 * plugin (call from create). */
void weir_kafka_pin_library(void);

/* Microseconds on the monotonic clock (for timeouts and rate limits). */
int64_t weir_kafka_mono_us(void);

#endif
