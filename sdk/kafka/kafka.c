/* sdk/kafka/kafka.c — the SDK's Kafka module (weir/kafka.h): `kafka.*`
 * keys to librdkafka, librdkafka's logs to weir's log, outages to the
 * node's status, and the first contact with a cluster. */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "weir/kafka.h"

void weir_kafka_pin_library(void) {
  /* librdkafka has a process-wide init (rd_kafka_global_init) and no
   * matching teardown, and is not meant to be unloaded: when the runtime
   * dlcloses this plugin at exit, librdkafka would go with it, its global
   * allocations turning into leaks (LeakSanitizer reports them from an
   * unknown module). Keep it loaded for the life of the process. */
  Dl_info info;
  if (dladdr((void *)rd_kafka_version, &info) && info.dli_fname) {
    void *h = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
    if (h)
      dlclose(h); /* drops our reference; NODELETE stays */
  }
}

#define LOG_WINDOW_US (10 * INT64_C(1000000))
#define LOG_LINES_PER_WINDOW 5

int64_t weir_kafka_mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *weir_kafka_bootstrap(const weir_kv_list *kv) {
  for (size_t i = 0; i < kv->n; i++)
    if (strcmp(kv->items[i].key, "bootstrap.servers") == 0 ||
        strcmp(kv->items[i].key, "metadata.broker.list") == 0)
      return kv->items[i].value;
  return NULL;
}

int weir_kafka_set(weir_ctx *ctx, rd_kafka_conf_t *conf, const char *key,
                   const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK)
    return weir_error(ctx, WEIR_ERR_INTERNAL, "librdkafka refused %s=%s: %s",
                      key, value, err);
  return WEIR_OK;
}

int weir_kafka_default(weir_ctx *ctx, rd_kafka_conf_t *conf,
                       const weir_kv_list *kv, const char *key,
                       const char *value) {
  for (size_t i = 0; i < kv->n; i++)
    if (strcmp(kv->items[i].key, key) == 0)
      return WEIR_OK;
  return weir_kafka_set(ctx, conf, key, value);
}

int weir_kafka_conf_new(weir_ctx *ctx, const weir_kv_list *kv,
                        const weir_kafka_owned *owned, rd_kafka_conf_t **out) {
  char err[512];
  if (!weir_kafka_bootstrap(kv))
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "kafka.bootstrap.servers is required (host:port[,...] "
                      "of the Kafka cluster; for tests, what "
                      "weir-kafka-broker prints)");
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (!conf)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < kv->n; i++) {
    const char *k = kv->items[i].key;
    for (const weir_kafka_owned *o = owned; o && o->key; o++)
      if (strcmp(k, o->key) == 0) {
        rd_kafka_conf_destroy(conf);
        return weir_error(ctx, WEIR_ERR_INVALID,
                          "kafka.%s cannot be set: the plugin owns it (%s)", k,
                          o->instead);
      }
    if (rd_kafka_conf_set(conf, k, kv->items[i].value, err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return weir_error(ctx, WEIR_ERR_INVALID, "kafka.%s = %s: %s", k,
                        kv->items[i].value, err);
    }
  }
  *out = conf;
  return WEIR_OK;
}

/* ---- logging ------------------------------------------------------------- */

/* One line through the rate limit: a broker that stays down would
 * otherwise print a reconnect failure every second. */
static void log_line(weir_kafka_log *l, int level, const char *msg) {
  if (!l->ctx)
    return;
  int64_t now = weir_kafka_mono_us();
  if (now - l->window_us >= LOG_WINDOW_US) {
    if (l->dropped)
      weir_log(l->ctx, WEIR_LOG_WARN,
               "librdkafka: %d more lines in the last %d s were not shown",
               l->dropped, (int)(LOG_WINDOW_US / 1000000));
    l->window_us = now;
    l->lines = 0;
    l->dropped = 0;
  }
  if (l->lines >= LOG_LINES_PER_WINDOW) {
    l->dropped++;
    return;
  }
  l->lines++;
  weir_log(l->ctx, level, "%s", msg);
}

void weir_kafka_warn(weir_kafka_log *l, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  log_line(l, WEIR_LOG_WARN, msg);
}

void weir_kafka_trouble(weir_kafka_log *l, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* The runtime logs a status when it begins (ABI 1.1); repeats go through
   * the rate limit. */
  const weir_host *h = l->ctx ? l->ctx->host : NULL;
  int host_logs =
      h && h->struct_size >= offsetof(weir_host, status) + sizeof h->status;
  if (l->troubled || !host_logs)
    log_line(l, WEIR_LOG_WARN, msg);
  weir_kafka_status(l, "%s", msg);
}

void weir_kafka_status(weir_kafka_log *l, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (l->ctx) {
    weir_status(l->ctx, "%s", msg);
    l->troubled = 1;
  }
}

void weir_kafka_ok(weir_kafka_log *l) {
  if (!l->troubled || !l->ctx)
    return;
  weir_status(l->ctx, NULL);
  l->troubled = 0;
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
  weir_kafka_log *l = rd_kafka_opaque(rk);
  char line[768];
  if (!l || !l->ctx)
    return;
  /* syslog levels: 0-3 errors, 4 warnings, 5-6 notices, 7 debug. A broker
   * that cannot be reached is an error to librdkafka but not to weir: it
   * retries, and the plugin decides what is fatal. */
  int wl = level <= 4   ? WEIR_LOG_WARN
           : level <= 6 ? WEIR_LOG_INFO
                        : WEIR_LOG_DEBUG;
  if (level <= 3) {
    snprintf(l->last_error, sizeof l->last_error, "%s", buf);
    l->last_error_us = weir_kafka_mono_us();
  }
  snprintf(line, sizeof line, "librdkafka %s: %s", fac, buf);
  if (wl == WEIR_LOG_DEBUG)
    weir_log(l->ctx, wl, "%s", line); /* shown only with WEIR_DEBUG */
  else
    log_line(l, wl, line);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason,
                     void *opaque) {
  weir_kafka_log *l = opaque;
  char line[768];
  (void)rk;
  if (!l)
    return;
  snprintf(l->last_error, sizeof l->last_error, "%s", reason);
  l->last_error_us = weir_kafka_mono_us();
  snprintf(line, sizeof line, "librdkafka error: %s: %s",
           rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
  log_line(l, WEIR_LOG_WARN, line);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN && l->ctx) {
    /* Cleared by the plugin (weir_kafka_ok) once the cluster answers again. */
    weir_status(l->ctx, "all Kafka brokers are down (%s); waiting for them",
                reason);
    l->troubled = 1;
  }
}

void weir_kafka_logging(rd_kafka_conf_t *conf, void *opaque) {
  char err[256];
  rd_kafka_conf_set_opaque(conf, opaque);
  rd_kafka_conf_set_log_cb(conf, on_log);
  rd_kafka_conf_set_error_cb(conf, on_error);
  /* Log lines wait on a queue and are served from the plugin's own thread
   * (weir_kafka_serve), never from librdkafka's threads: the host API is not
   * thread-safe. */
  rd_kafka_conf_set(conf, "log.queue", "true", err, sizeof err);
}

void weir_kafka_attach(rd_kafka_t *rk) { rd_kafka_set_log_queue(rk, NULL); }

void weir_kafka_serve(rd_kafka_t *rk, int timeout_ms) {
  rd_kafka_poll(rk, timeout_ms);
}

int weir_kafka_connect(weir_ctx *ctx, rd_kafka_t *rk, const weir_kv_list *kv,
                       int all_topics, int timeout_ms,
                       const struct rd_kafka_metadata **md) {
  const struct rd_kafka_metadata *m = NULL;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, all_topics, NULL, &m, timeout_ms);
  weir_kafka_serve(rk, 0);
  if (err) {
    weir_kafka_log *l = rd_kafka_opaque(rk);
    return weir_error(
        ctx, WEIR_ERR_IO,
        "cannot reach the Kafka cluster at %s within %d s "
        "(kafka.bootstrap.servers): %s%s%s",
        weir_kafka_bootstrap(kv), timeout_ms / 1000, rd_kafka_err2str(err),
        l && l->last_error[0] ? "; last error: " : "", l ? l->last_error : "");
  }
  if (md)
    *md = m;
  else
    rd_kafka_metadata_destroy(m);
  return WEIR_OK;
}
