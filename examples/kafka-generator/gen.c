/* examples/kafka-generator/gen.c — weir-gen: the seed application's events,
 * produced into Kafka (the demo's and tests' input).
 *
 *   weir-gen -b SERVERS | --bootstrap-file F   [-t TOPIC] [-r PER_SECOND]
 *            [-n COUNT] [-d SECONDS] [--late FRACTION] [--disorder SECONDS]
 *            [--seed N] [--start ISO-8601 --step MS] [--partitions-by-user]
 *
 * Each event is one JSON object, keyed by its user:
 *   {"event_type":"click","user_id":"u42","timestamp":"2026-01-01T12:00:05.120Z"}
 *
 * Event time follows the wall clock (live), or, with --start, advances by
 * --step milliseconds per event from that instant (deterministic: with
 * --seed, two runs produce the same events, which tests compare exactly).
 * Events arrive out of order: each is up to --disorder seconds older than
 * the clock (default 5). A fraction --late (default 0.03) is 6 to 9 minutes
 * old: later than the seed application's 5-minute watermark, so the window
 * aggregate drops and counts them. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "weir/units.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

/* xorshift64*: small, seedable, the same sequence on every machine. */
static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}
static double rng_unit(void) {
  return (double)(rng() >> 11) / 9007199254740992.0;
}

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int failed;
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err && failed++ == 0)
    fprintf(stderr, "weir-gen: delivery failed: %s\n",
            rd_kafka_err2str(m->err));
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: weir-gen (-b SERVERS | --bootstrap-file F) [-t TOPIC] "
          "[-r PER_SECOND] [-n COUNT]\n"
          "                [-d SECONDS] [--late FRACTION] [--disorder SECONDS] "
          "[--seed N]\n"
          "                [--start ISO-8601 --step MS] [-X key=value]...\n"
          "Produces JSON events {event_type, user_id, timestamp} keyed by "
          "user.\n"
          "Default: topic events, 1000 events/s, until SIGINT/SIGTERM.\n");
}

static char *read_first_line(const char *path) {
  static char line[4096];
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  char *r = fgets(line, sizeof line, f);
  fclose(f);
  if (r)
    line[strcspn(line, "\r\n")] = '\0';
  return r;
}

int main(int argc, char **argv) {
  const char *servers = NULL, *topic = "events", *start = NULL;
  double rate = 1000, late = 0.03, disorder = 5, duration = 0;
  int64_t count = 0, step_ms = 0;
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (!v) {
      fprintf(stderr, "weir-gen: %s needs a value\n", a);
      usage(stderr);
      return 2;
    }
    i++;
    if (!strcmp(a, "-b"))
      servers = v;
    else if (!strcmp(a, "--bootstrap-file")) {
      if (!(servers = read_first_line(v))) {
        fprintf(stderr, "weir-gen: %s: %s\n", v, strerror(errno));
        return 2;
      }
    } else if (!strcmp(a, "-t"))
      topic = v;
    else if (!strcmp(a, "-r"))
      rate = atof(v);
    else if (!strcmp(a, "-n"))
      count = atoll(v);
    else if (!strcmp(a, "-d"))
      duration = atof(v);
    else if (!strcmp(a, "--late"))
      late = atof(v);
    else if (!strcmp(a, "--disorder"))
      disorder = atof(v);
    else if (!strcmp(a, "--seed"))
      rng_state = (uint64_t)atoll(v) * 0x9E3779B97F4A7C15ULL + 1;
    else if (!strcmp(a, "--start"))
      start = v;
    else if (!strcmp(a, "--step"))
      step_ms = atoll(v);
    else if (!strcmp(a, "-X")) {
      char kv[1024];
      snprintf(kv, sizeof kv, "%s", v);
      char *eq = strchr(kv, '=');
      if (!eq) {
        fprintf(stderr, "weir-gen: -X %s: expected key=value\n", v);
        return 2;
      }
      *eq = '\0';
      if (rd_kafka_conf_set(conf, kv, eq + 1, err, sizeof err)) {
        fprintf(stderr, "weir-gen: -X %s: %s\n", v, err);
        return 2;
      }
    } else {
      fprintf(stderr, "weir-gen: unknown argument '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (!servers || rate <= 0 || late < 0 || late > 1 || disorder < 0) {
    usage(stderr);
    return 2;
  }
  int64_t clock_us = 0;
  if (start &&
      weir_parse_timestamp(start, strlen(start), &clock_us) != WEIR_OK) {
    fprintf(stderr, "weir-gen: --start '%s' is not an ISO-8601 timestamp\n",
            start);
    return 2;
  }
  if (start && step_ms <= 0)
    step_ms = (int64_t)(1000 / rate) > 0 ? (int64_t)(1000 / rate) : 1;

  if (rd_kafka_conf_set(conf, "bootstrap.servers", servers, err, sizeof err) ||
      rd_kafka_conf_set(conf, "linger.ms", "20", err, sizeof err)) {
    fprintf(stderr, "weir-gen: %s\n", err);
    return 2;
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "weir-gen: %s\n", err);
    return 1;
  }
  const struct rd_kafka_metadata *md;
  if (rd_kafka_metadata(rk, 0, NULL, &md, 10000)) {
    fprintf(stderr, "weir-gen: cannot reach %s\n", servers);
    rd_kafka_destroy(rk);
    return 1;
  }
  rd_kafka_metadata_destroy(md);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  static const char *const types[] = {"view",  "view",     "view",  "click",
                                      "click", "purchase", "signup"};
  int64_t t0 = mono_us(), sent = 0, nlate = 0;
  char json[256], key[32], ts[48];
  while (!stop && (count == 0 || sent < count)) {
    int64_t elapsed = mono_us() - t0;
    if (duration > 0 && elapsed >= (int64_t)(duration * 1e6))
      break;
    /* Pace: everything due by now, then a short sleep. */
    int64_t due = (int64_t)((double)elapsed * rate / 1e6) + 1;
    if (sent >= due) {
      rd_kafka_poll(rk, 0);
      usleep(2000);
      continue;
    }
    for (; sent < due && (count == 0 || sent < count); sent++) {
      int64_t base = start ? clock_us + sent * step_ms * 1000 : now_us();
      int64_t ev = base - (int64_t)(rng_unit() * disorder * 1e6);
      if (rng_unit() < late) {
        ev = base - (int64_t)((6 + 3 * rng_unit()) * 60e6);
        nlate++;
      }
      ev -= ev % 1000; /* milliseconds, as most producers send */
      weir_format_timestamp(ev, WEIR_TS_ISO, ts, sizeof ts);
      int kl = snprintf(key, sizeof key, "u%d", (int)(rng() % 1000));
      int n = snprintf(json, sizeof json,
                       "{\"event_type\":\"%s\",\"user_id\":\"%s\","
                       "\"timestamp\":\"%s\"}",
                       types[rng() % (sizeof types / sizeof *types)], key, ts);
      for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, (size_t)kl),
            RD_KAFKA_V_VALUE(json, (size_t)n),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          rd_kafka_poll(rk, 10);
          continue;
        }
        if (e) {
          fprintf(stderr, "weir-gen: %s: %s\n", topic, rd_kafka_err2str(e));
          rd_kafka_destroy(rk);
          return 1;
        }
        break;
      }
    }
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 30000);
  double secs = (double)(mono_us() - t0) / 1e6;
  fprintf(stderr,
          "weir-gen: %" PRId64 " events (%" PRId64 " late) to %s in %.1f s%s\n",
          sent, nlate, topic, secs, failed ? ", some NOT delivered" : "");
  rd_kafka_destroy(rk);
  return failed ? 1 : 0;
}
