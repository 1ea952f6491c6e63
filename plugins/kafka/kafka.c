/* plugins/kafka/kafka.c — the `kafka` source (SEMANTICS.md, Sources:
 * kafka): options, planning and acknowledging epochs.
 *
 * Each plan asks the cluster for the latest offset of every selected
 * partition (one ListOffsets request per leader), applies the per-epoch
 * limits and writes the end offsets (offsets.h). The runtime logs them in
 * offsets/N before read() runs, and read() consumes exactly [start, end) of
 * every partition (read.c), so a replayed epoch reads the same records.
 * Kafka's consumer-group machinery is not used for positions: offsets live
 * in the checkpoint, and acknowledge() commits them to `group_id` only so
 * that monitoring tools see the lag. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kafka.h"

#define DEFAULT_BATCH_ROWS 8192
/* How often plan looks at the cluster's metadata for new partitions and
 * topics (a metadata request for all topics is heavier than ListOffsets,
 * which runs every plan). */
#define DISCOVERY_INTERVAL_US INT64_C(1000000)

static const char *const ts_strategies[] = {"error", "latest", NULL};

static const weir_option ks_options[] = {
    {"subscribe", WEIR_OPT_LIST, NULL, 0, 0, 0, NULL,
     "topics to read (comma-separated); exactly one of subscribe, "
     "subscribe_pattern, assign",
     offsetof(ksrc_config, subscribe)},
    {"subscribe_pattern", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "topics whose whole name matches this POSIX extended regex (internal "
     "__ topics excluded); new matching topics are picked up while running",
     offsetof(ksrc_config, subscribe_pattern)},
    {"assign", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "exact partitions as JSON, e.g. {\"topicA\":[0,1],\"topicB\":[2]}",
     offsetof(ksrc_config, assign)},
    {"starting_offsets", WEIR_OPT_STRING, "latest", 0, 0, 0, NULL,
     "where a new query starts: earliest, latest, or JSON per partition "
     "{\"t\":{\"0\":23,\"1\":-2}} (-2 earliest, -1 latest; every partition "
     "listed); later runs resume from the checkpoint, partitions that appear "
     "later start at earliest",
     offsetof(ksrc_config, starting_offsets)},
    {"starting_timestamp", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "a new query starts, in every partition, at the first record with a "
     "timestamp at or after this (milliseconds since the Unix epoch, or "
     "ISO-8601); wins over starting_offsets",
     offsetof(ksrc_config, starting_timestamp)},
    {"starting_offsets_by_timestamp", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "per-partition timestamps as JSON {\"t\":{\"0\":1700000000000}} (ms or "
     "ISO-8601 strings); wins over starting_offsets",
     offsetof(ksrc_config, starting_offsets_by_timestamp)},
    {"starting_offsets_by_timestamp_strategy", WEIR_OPT_ENUM, "error", 0, 0, 0,
     ts_strategies,
     "when no record is that recent: error (fail the query) or latest",
     offsetof(ksrc_config, starting_offsets_by_timestamp_strategy)},
    {"max_offsets_per_trigger", WEIR_OPT_INT, "0", 0, 0, 9.2e18, NULL,
     "at most about this many offsets per epoch, split across partitions "
     "by their backlog (0: no limit)",
     offsetof(ksrc_config, max_offsets_per_trigger)},
    {"min_offsets_per_trigger", WEIR_OPT_INT, "0", 0, 0, 9.2e18, NULL,
     "wait until this many offsets are available, or max_trigger_delay has "
     "passed since the last epoch (0: no minimum; ignored by available-now)",
     offsetof(ksrc_config, min_offsets_per_trigger)},
    {"max_trigger_delay", WEIR_OPT_DURATION, "15 minutes", 0, 0, 0, NULL,
     "longest wait for min_offsets_per_trigger",
     offsetof(ksrc_config, max_trigger_delay)},
    {"fail_on_data_loss", WEIR_OPT_BOOL, "true", 0, 0, 0, NULL,
     "offsets gone from the broker (retention, deleted topic) fail the query, "
     "naming partition and offsets; false skips them with a warning and "
     "counts them",
     offsetof(ksrc_config, fail_on_data_loss)},
    {"include_headers", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL,
     "add a headers column: a JSON array "
     "[{\"key\":\"k\",\"value\":\"<base64>\"}], null without headers",
     offsetof(ksrc_config, include_headers)},
    {"group_id", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "commit each epoch's end offsets to this consumer group, for "
     "monitoring only (positions live in the checkpoint)",
     offsetof(ksrc_config, group_id)},
    {"connect_timeout", WEIR_OPT_DURATION, "10 seconds", 0, 0.001, 3600, NULL,
     "beyond Spark: the first contact with the cluster fails after this "
     "long (a clear error instead of a hang); later outages are waited out",
     offsetof(ksrc_config, connect_timeout)},
    {"max_batch_bytes", WEIR_OPT_SIZE, "8 MiB", 0, 4096, 1073741824.0, NULL,
     "beyond Spark: emit a batch downstream once it holds this many bytes",
     offsetof(ksrc_config, max_batch_bytes)},
    {"kafka.", WEIR_OPT_PREFIX, NULL, 0, 0, 0, NULL,
     "passed to librdkafka as is (kafka.bootstrap.servers is required); "
     "group.id, auto.offset.reset and auto commit are the source's",
     offsetof(ksrc_config, kafka)},
    WEIR_OPTIONS_END};

/* ---- create / destroy ---------------------------------------------------- */

static void ks_destroy(void *self) {
  ksrc *s = self;
  if (!s)
    return;
  s->log.ctx = NULL; /* the host is not called from here on */
  ks_read_close(s);
  if (s->fk)
    rd_kafka_destroy(s->fk);
  if (s->rk)
    rd_kafka_destroy(s->rk);
  if (s->has_re)
    regfree(&s->re);
  kp_free(&s->assign);
  kp_free(&s->start_json);
  kp_free(&s->plan);
  kp_free(&s->known);
  kp_free(&s->cap);
  kp_free(&s->ranges);
  kp_free(&s->prev);
  weir_builder_free(&s->b);
  weir_buf_free(&s->hdr);
  weir_schema_free(s->schema);
  free(s->msgs);
  free(s);
}

static int build_schema(const ksrc_config *c, weir_schema **out) {
  weir_schema *sc = weir_schema_new();
  if (!sc || weir_schema_add(sc, "key", WEIR_T_BINARY, true, NULL) ||
      weir_schema_add(sc, "value", WEIR_T_BINARY, true, NULL) ||
      weir_schema_add(sc, "topic", WEIR_T_STRING, false, NULL) ||
      weir_schema_add(sc, "partition", WEIR_T_INT, false, NULL) ||
      weir_schema_add(sc, "offset", WEIR_T_INT, false, NULL) ||
      weir_schema_add(sc, "timestamp", WEIR_T_TIMESTAMP, true, NULL) ||
      weir_schema_add(sc, "timestampType", WEIR_T_INT, false, NULL) ||
      (c->include_headers &&
       weir_schema_add(sc, "headers", WEIR_T_STRING, true, NULL))) {
    weir_schema_free(sc);
    return WEIR_ERR_NOMEM;
  }
  *out = sc;
  return WEIR_OK;
}

/* The topics-and-partitions options: exactly one of three. */
static int parse_selection(ksrc *s, weir_ctx *ctx) {
  const ksrc_config *c = s->cfg;
  char err[512];
  int given = (c->subscribe.n > 0) + (c->subscribe_pattern != NULL) +
              (c->assign != NULL);
  if (given != 1)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "give exactly one of subscribe (topics), "
                      "subscribe_pattern (a regex) or assign (JSON "
                      "partitions); %s",
                      given ? "several were given" : "none was given");
  if (c->subscribe.n) {
    s->mode = MODE_SUBSCRIBE;
  } else if (c->subscribe_pattern) {
    char *anchored = malloc(strlen(c->subscribe_pattern) + 5);
    if (!anchored)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    /* Java's Pattern.matches(): the whole topic name. */
    sprintf(anchored, "^(%s)$", c->subscribe_pattern);
    int e = regcomp(&s->re, anchored, REG_EXTENDED | REG_NOSUB);
    free(anchored);
    if (e) {
      regerror(e, &s->re, err, sizeof err);
      return weir_error(ctx, WEIR_ERR_INVALID,
                        "subscribe_pattern '%s' is not a POSIX extended "
                        "regex: %s",
                        c->subscribe_pattern, err);
    }
    s->has_re = 1;
    s->mode = MODE_PATTERN;
  } else {
    int rc = kp_parse_json_assign(c->assign, &s->assign, err, sizeof err);
    if (rc != WEIR_OK)
      return weir_error(ctx, rc, "assign: %s", err);
    s->mode = MODE_ASSIGN;
  }
  return WEIR_OK;
}

static int parse_ms(const char *text, int64_t *ms) {
  char *end;
  if (text[0] >= '0' && text[0] <= '9') {
    long long v = strtoll(text, &end, 10);
    if (*end == '\0') {
      *ms = v;
      return 0;
    }
  }
  int64_t us;
  if (weir_parse_timestamp(text, strlen(text), &us) != WEIR_OK)
    return -1;
  *ms = us / 1000;
  return 0;
}

/* Starting positions: starting_timestamp, then by-timestamp JSON, then
 * starting_offsets (Spark's precedence). */
static int parse_start(ksrc *s, weir_ctx *ctx) {
  const ksrc_config *c = s->cfg;
  char err[512];
  int rc;
  if (c->starting_timestamp) {
    if (parse_ms(c->starting_timestamp, &s->start_ts_ms) != 0)
      return weir_error(ctx, WEIR_ERR_INVALID,
                        "starting_timestamp '%s': expected milliseconds "
                        "since the Unix epoch or an ISO-8601 timestamp",
                        c->starting_timestamp);
    s->start_mode = START_TIMESTAMP;
  } else if (c->starting_offsets_by_timestamp) {
    rc = kp_parse_json_map(c->starting_offsets_by_timestamp, 1, &s->start_json,
                           err, sizeof err);
    if (rc != WEIR_OK)
      return weir_error(ctx, rc, "starting_offsets_by_timestamp: %s", err);
    s->start_mode = START_BY_TIMESTAMP;
  } else if (strcmp(c->starting_offsets, "earliest") == 0) {
    s->start_mode = START_EARLIEST;
  } else if (strcmp(c->starting_offsets, "latest") == 0) {
    s->start_mode = START_LATEST;
  } else if (c->starting_offsets[0] == '{') {
    rc = kp_parse_json_map(c->starting_offsets, 0, &s->start_json, err,
                           sizeof err);
    if (rc != WEIR_OK)
      return weir_error(ctx, rc, "starting_offsets: %s", err);
    for (size_t i = 0; i < s->start_json.n; i++)
      if (s->start_json.v[i].until < -2)
        return weir_error(ctx, WEIR_ERR_INVALID,
                          "starting_offsets: partition %s-%" PRId32 ": %" PRId64
                          " is not an offset (-2 earliest, "
                          "-1 latest)",
                          s->start_json.v[i].topic, s->start_json.v[i].part,
                          s->start_json.v[i].until);
    s->start_mode = START_JSON;
  } else {
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "starting_offsets must be earliest, latest or JSON "
                      "such as {\"topic\":{\"0\":23}}, not '%s'",
                      c->starting_offsets);
  }
  if (s->mode == MODE_ASSIGN && s->start_json.n) {
    for (size_t i = 0; i < s->start_json.n; i++)
      if (!kp_find(&s->assign, s->start_json.v[i].topic,
                   s->start_json.v[i].part))
        return weir_error(ctx, WEIR_ERR_INVALID,
                          "starting offsets name %s-%" PRId32
                          ", which assign does not",
                          s->start_json.v[i].topic, s->start_json.v[i].part);
  }
  return WEIR_OK;
}

static int ks_create(weir_ctx *ctx, const void *config, weir_create_args *a,
                     void **self) {
  const ksrc_config *c = config;
  weir_kafka_pin_library();
  ksrc *s = calloc(1, sizeof *s);
  if (!s)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  s->cfg = c;
  s->wake[0] = s->wake[1] = -1;
  s->log.ctx = ctx;
  s->timeout_ms = (int)(c->connect_timeout / 1000);
  if (s->timeout_ms < 1)
    s->timeout_ms = 1;
  s->batch_rows =
      a->max_batch_rows > 0 ? a->max_batch_rows : DEFAULT_BATCH_ROWS;
  int rc = parse_selection(s, ctx);
  if (rc == WEIR_OK)
    rc = parse_start(s, ctx);
  if (rc == WEIR_OK && c->min_offsets_per_trigger > 0 &&
      c->max_offsets_per_trigger > 0 &&
      c->min_offsets_per_trigger > c->max_offsets_per_trigger)
    rc = weir_error(ctx, WEIR_ERR_INVALID,
                    "min_offsets_per_trigger (%" PRId64
                    ") is larger than max_offsets_per_trigger (%" PRId64 ")",
                    c->min_offsets_per_trigger, c->max_offsets_per_trigger);
  if (rc == WEIR_OK)
    rc = ks_check_conf(s, ctx); /* kafka.* keys, without the network */
  if (rc == WEIR_OK) {
    weir_schema *out = NULL;
    if (build_schema(c, &out) != WEIR_OK ||
        !(s->schema = weir_schema_copy(out)) ||
        weir_builder_init(&s->b, s->schema) != WEIR_OK ||
        !(s->msgs = malloc(sizeof *s->msgs * 4096))) {
      weir_schema_free(out);
      rc = weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    } else {
      a->output = out;
    }
  }
  if (rc != WEIR_OK) {
    ks_destroy(s);
    return rc;
  }
  *self = s;
  return WEIR_OK;
}

/* ---- plan ------------------------------------------------------------------
 */

/* Where a partition of a new query starts, by the starting options. */
static int initial_positions(ksrc *s, weir_ctx *ctx, kp_list *l) {
  char name[300];
  int rc;
  switch (s->start_mode) {
  case START_LATEST:
    for (size_t i = 0; i < l->n; i++)
      l->v[i].from = l->v[i].latest;
    return WEIR_OK;
  case START_EARLIEST:
    if ((rc = ks_offsets(s, ctx, l, Q_EARLIEST, 1)) != WEIR_OK)
      return rc;
    for (size_t i = 0; i < l->n; i++)
      l->v[i].from = l->v[i].earliest;
    return WEIR_OK;
  case START_JSON:
  case START_BY_TIMESTAMP:
    /* Spark: JSON starting positions must name every partition. */
    for (size_t i = 0; i < l->n; i++)
      if (!kp_find(&s->start_json, l->v[i].topic, l->v[i].part))
        return weir_error(ctx, WEIR_ERR_INVALID,
                          "%s does not give partition %s: list every "
                          "partition of the selected topics",
                          s->start_mode == START_JSON
                              ? "starting_offsets"
                              : "starting_offsets_by_timestamp",
                          kp_name(&l->v[i], name, sizeof name));
    for (size_t i = 0; i < s->start_json.n; i++)
      if (!kp_find(l, s->start_json.v[i].topic, s->start_json.v[i].part))
        return weir_error(ctx, WEIR_ERR_INVALID,
                          "starting position for %s, which is not among the "
                          "selected partitions of the cluster",
                          kp_name(&s->start_json.v[i], name, sizeof name));
    break;
  default: break;
  }
  if ((rc = ks_offsets(s, ctx, l, Q_EARLIEST, 1)) != WEIR_OK)
    return rc;
  if (s->start_mode == START_JSON) {
    for (size_t i = 0; i < l->n; i++) {
      kp *e = &l->v[i];
      int64_t v = kp_find(&s->start_json, e->topic, e->part)->until;
      e->from = v == -2 ? e->earliest : v == -1 ? e->latest : v;
      if (v >= 0 && e->latest >= 0 && v > e->latest)
        return weir_error(ctx, WEIR_ERR_INVALID,
                          "starting_offsets: %" PRId64 " is past the end of "
                          "%s (%" PRId64 ")",
                          v, kp_name(e, name, sizeof name), e->latest);
    }
    return WEIR_OK;
  }
  /* By timestamp. */
  for (size_t i = 0; i < l->n; i++) {
    kp *e = &l->v[i];
    e->from = s->start_mode == START_TIMESTAMP
                  ? s->start_ts_ms
                  : kp_find(&s->start_json, e->topic, e->part)->until;
  }
  int64_t *ts = malloc(sizeof *ts * (l->n ? l->n : 1));
  if (!ts)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < l->n; i++)
    ts[i] = l->v[i].from;
  rc = ks_offsets(s, ctx, l, Q_TIMES, 1);
  for (size_t i = 0; rc == WEIR_OK && i < l->n; i++) {
    kp *e = &l->v[i];
    if (e->from >= 0 || e->from == KS_UNKNOWN)
      continue;
    if (s->cfg->starting_offsets_by_timestamp_strategy == TS_STRATEGY_LATEST)
      e->from = e->latest;
    else
      rc = weir_error(ctx, WEIR_ERR_INVALID,
                      "no record of %s has a timestamp at or after %" PRId64
                      " ms; starting_offsets_by_timestamp_strategy = latest "
                      "starts such partitions at their end",
                      kp_name(e, name, sizeof name), ts[i]);
  }
  free(ts);
  return rc;
}

/* The partition vanished or went backwards: fail, or note it (false). */
static int lost(ksrc *s, weir_ctx *ctx, const kp *e, const char *what) {
  char name[300];
  if (s->cfg->fail_on_data_loss)
    return weir_error(ctx, WEIR_ERR_STATE,
                      "data loss: %s %s (the query had read it up to offset "
                      "%" PRId64 "); set fail_on_data_loss = false to go on "
                      "without it",
                      kp_name(e, name, sizeof name), what, e->from);
  weir_log(ctx, WEIR_LOG_WARN,
           "data loss: %s %s (read up to offset %" PRId64 "); going on "
           "(fail_on_data_loss = false)",
           kp_name(e, name, sizeof name), what, e->from);
  return WEIR_OK;
}

static int ks_plan(void *self, weir_ctx *ctx, const weir_offset *start,
                   weir_buf *end, int *has_data) {
  ksrc *s = self;
  kp_list *l = &s->plan;
  char err[512];
  int fresh = start->len == 0;
  int64_t now = weir_kafka_mono_us();
  *has_data = 0;
  int rc = ks_client(s, ctx);
  if (rc != WEIR_OK)
    return rc;
  weir_kafka_serve(s->rk, 0);
  if (fresh) {
    kp_clear(l);
  } else if ((rc = kp_decode(start->data, start->len, l, err, sizeof err)) !=
             WEIR_OK) {
    return weir_error(ctx, rc, "%s", err);
  }
  for (size_t i = 0; i < l->n; i++) {
    l->v[i].from = l->v[i].until;
    l->v[i].has_from = 0;
  }

  if (!s->has_known || !s->connected ||
      now - s->discovered_us >= DISCOVERY_INTERVAL_US) {
    rc = ks_discover(s, ctx);
    if (rc != WEIR_OK) {
      if (!s->connected)
        return rc; /* never reached the cluster: a clear error */
      /* An outage once running: wait it out, say so, plan nothing. */
      weir_kafka_trouble(&s->log, "%s; retrying (last error: %s)", s->why,
                         s->log.last_error[0] ? s->log.last_error : "none");
      return WEIR_OK;
    }
    s->discovered_us = now;
  }

  /* Partitions of the start that are gone, and new ones. */
  size_t nstart = l->n;
  for (size_t i = 0; i < nstart; i++) {
    kp *e = &l->v[i];
    e->seen = kp_find(&s->known, e->topic, e->part) != NULL;
    e->is_new = 0;
    e->latest = e->earliest = KS_UNKNOWN;
  }
  for (size_t i = 0; i < s->known.n; i++) {
    const kp *k = &s->known.v[i];
    if (kp_find(l, k->topic, k->part))
      continue;
    if (s->has_cap && !kp_find(&s->cap, k->topic, k->part))
      continue; /* available-now: only what existed at start */
    kp *e = kp_add(l, k->topic, k->part);
    if (!e)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    e->seen = 1;
    e->is_new = 1;
    e->latest = e->earliest = KS_UNKNOWN;
  }
  if (fresh && s->mode == MODE_ASSIGN)
    for (size_t i = 0; i < s->assign.n; i++)
      if (!kp_find(&s->known, s->assign.v[i].topic, s->assign.v[i].part))
        return weir_error(ctx, WEIR_ERR_INVALID,
                          "assign: partition %s does not exist in the "
                          "cluster",
                          kp_name(&s->assign.v[i], err, sizeof err));
  if (fresh && s->mode == MODE_SUBSCRIBE && !s->warned_missing)
    for (size_t i = 0; i < s->cfg->subscribe.n; i++) {
      const char *t = s->cfg->subscribe.items[i];
      int found = 0;
      for (size_t k = 0; k < s->known.n && !found; k++)
        found = strcmp(s->known.v[k].topic, t) == 0;
      if (!found) {
        weir_log(ctx, WEIR_LOG_WARN,
                 "topic '%s' does not exist (yet): reading it once it "
                 "appears",
                 t);
        s->warned_missing = 1;
      }
    }

  rc = ks_offsets(s, ctx, l, Q_LATEST, 0);
  if (rc != WEIR_OK) {
    weir_kafka_trouble(&s->log, "%s; retrying", s->why);
    return WEIR_OK;
  }
  /* A partition that now ends before where the query is has been
   * recreated (or truncated): like a new one, it restarts at earliest if
   * fail_on_data_loss allows. */
  for (size_t i = 0; i < nstart; i++) {
    kp *e = &l->v[i];
    if (e->seen && e->latest >= 0 && e->latest < e->from) {
      char what[128];
      snprintf(what, sizeof what,
               "now ends at offset %" PRId64 " (topic recreated?)", e->latest);
      if ((rc = lost(s, ctx, e, what)) != WEIR_OK)
        return rc;
      e->is_new = 1;
    }
  }
  if (fresh)
    rc = initial_positions(s, ctx, l);
  else
    rc = ks_offsets(s, ctx, l, Q_EARLIEST, 1);
  if (rc != WEIR_OK)
    return rc;

  /* A new query fixes every starting position at once: if one is not
   * known yet, try again at the next trigger rather than start it later. */
  for (size_t i = 0; fresh && i < l->n; i++)
    if (l->v[i].from < 0 || l->v[i].latest < 0) {
      weir_kafka_trouble(
          &s->log, "no offsets yet for %s (leader unavailable?); retrying",
          kp_name(&l->v[i], err, sizeof err));
      return WEIR_OK;
    }

  size_t w = 0;
  for (size_t i = 0; i < l->n; i++) {
    kp *e = &l->v[i];
    if (e->is_new) {
      /* New partitions start at earliest (SEMANTICS.md) — or where the
       * starting options say, in a new query. */
      if (!fresh)
        e->from = e->earliest;
      if (e->from < 0 || e->latest < 0) {
        free(e->topic); /* not usable yet: found again by the next plan */
        continue;
      }
      e->has_from = 1;
    } else if (!e->seen) {
      if ((rc = lost(s, ctx, e, "is gone from the cluster (topic deleted?)")) !=
          WEIR_OK)
        return rc;
      free(e->topic);
      continue;
    }
    int64_t until = e->latest < 0 ? e->from : e->latest;
    if (s->has_cap) {
      const kp *c = kp_find(&s->cap, e->topic, e->part);
      int64_t cap = c && c->latest >= 0 ? c->latest : e->from;
      if (until > cap)
        until = cap;
    }
    e->until = until < e->from ? e->from : until;
    l->v[w++] = *e;
  }
  l->n = w;
  weir_kafka_ok(&s->log); /* the cluster answered every question of this plan */

  int64_t backlog = kp_backlog(l);
  const ksrc_config *c = s->cfg;
  if (!fresh && !s->has_cap && c->min_offsets_per_trigger > 0 &&
      backlog < c->min_offsets_per_trigger && s->has_last_trigger &&
      now - s->last_trigger_us < c->max_trigger_delay)
    return WEIR_OK; /* Spark's delayBatch: wait for more */
  if (c->max_offsets_per_trigger > 0)
    kp_rate_limit(l, c->max_offsets_per_trigger);
  *has_data = kp_backlog(l) > 0;
  if (*has_data || fresh) {
    s->last_trigger_us = now;
    s->has_last_trigger = 1;
  }
  kp_sort(l);
  kp_encode(l, end);
  if (end->err)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  return WEIR_OK;
}

static int ks_prepare_available_now(void *self, weir_ctx *ctx) {
  ksrc *s = self;
  int rc = ks_client(s, ctx);
  if (rc == WEIR_OK)
    rc = ks_discover(s, ctx);
  if (rc != WEIR_OK)
    return rc;
  s->discovered_us = weir_kafka_mono_us();
  kp_clear(&s->cap);
  for (size_t i = 0; i < s->known.n; i++)
    if (!kp_add(&s->cap, s->known.v[i].topic, s->known.v[i].part))
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  if ((rc = ks_offsets(s, ctx, &s->cap, Q_LATEST, 0)) != WEIR_OK)
    return rc;
  s->has_cap = 1;
  return WEIR_OK;
}

/* ---- read / acknowledge -------------------------------------------------- */

static int ks_read(void *self, weir_ctx *ctx, const weir_offset *start,
                   const weir_offset *end) {
  ksrc *s = self;
  char err[512];
  int rc = kp_decode(end->data, end->len, &s->ranges, err, sizeof err);
  if (rc != WEIR_OK)
    return weir_error(ctx, rc, "end offset: %s", err);
  if ((rc = ks_fetch_client(s, ctx, s->ranges.n)) != WEIR_OK)
    return rc;
  if (start->len && (rc = kp_decode(start->data, start->len, &s->prev, err,
                                    sizeof err)) != WEIR_OK)
    return weir_error(ctx, rc, "start offset: %s", err);
  if (!start->len)
    kp_clear(&s->prev);
  for (size_t i = 0; i < s->ranges.n; i++) {
    kp *e = &s->ranges.v[i];
    if (e->has_from)
      continue;
    const kp *p = kp_find(&s->prev, e->topic, e->part);
    if (!p)
      return weir_error(ctx, WEIR_ERR_FORMAT,
                        "offsets: partition %s has an end but no start",
                        kp_name(e, err, sizeof err));
    e->from = p->until;
  }
  return ks_read_ranges(s, ctx, &s->ranges);
}

static int ks_acknowledge(void *self, weir_ctx *ctx, const weir_offset *end) {
  ksrc *s = self;
  char err[512];
  if (!s->rk)
    return WEIR_OK;
  weir_kafka_serve(s->rk, 0);
  if (!s->cfg->group_id || !s->cfg->group_id[0])
    return WEIR_OK;
  if (kp_decode(end->data, end->len, &s->ranges, err, sizeof err) != WEIR_OK ||
      s->ranges.n == 0)
    return WEIR_OK;
  rd_kafka_topic_partition_list_t *tl =
      rd_kafka_topic_partition_list_new((int)s->ranges.n);
  if (!tl)
    return WEIR_OK;
  for (size_t i = 0; i < s->ranges.n; i++)
    rd_kafka_topic_partition_list_add(tl, s->ranges.v[i].topic,
                                      s->ranges.v[i].part)
        ->offset = s->ranges.v[i].until;
  /* Asynchronous: monitoring must never hold up the query. */
  rd_kafka_resp_err_t e = rd_kafka_commit(s->rk, tl, 1);
  if (e)
    weir_log(ctx, WEIR_LOG_WARN, "committing offsets to group '%s': %s",
             s->cfg->group_id, rd_kafka_err2str(e));
  rd_kafka_topic_partition_list_destroy(tl);
  return WEIR_OK;
}

static const weir_plugin kafka_source = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_SOURCE,
    .name = "kafka",
    .version = "0.1.0",
    .description = "records of Kafka topics (key, value, topic, partition, "
                   "offset, timestamp, timestampType), replayable by offset",
    .options = ks_options,
    .config_size = sizeof(ksrc_config),
    .flags = WEIR_PLUGIN_REPLAYABLE,
    .create = ks_create,
    .destroy = ks_destroy,
    .plan = ks_plan,
    .read = ks_read,
    .acknowledge = ks_acknowledge,
    .prepare_available_now = ks_prepare_available_now,
};

WEIR_PLUGIN(kafka_source)
