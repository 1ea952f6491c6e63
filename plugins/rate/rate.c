/* plugins/rate/rate.c — the `rate` source: rows (timestamp, value) at a
 * steady rate, for load tests and demos, as Spark's rate source.
 *
 * Values are 0, 1, 2, ...; after s whole seconds since the query's start time,
 * cum(s) rows exist (schedule.h: Spark's valueAtSecond, with the optional
 * ramp-up). A row's timestamp is the start time plus the second its value
 * belongs to. The offset is a msgpack map {"start": start_us, "rows": N}: the
 * start time is fixed by the query's first plan and logged with every offset,
 * and N counts the rows produced up to that offset, so a range always reads
 * back identical rows (replayable).
 *
 * Beyond Spark: start_timestamp fixes second 0 (reproducible timestamps),
 * max_rows makes the source bounded, max_rows_per_trigger caps an epoch. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "weir/weir.h"

#include "schedule.h"

#define US_PER_SEC INT64_C(1000000)
#define DEFAULT_BATCH_ROWS 4096
#define MAX_BATCH_ROWS (INT64_C(1) << 22)
/* Bytes of one encoded row at most: array header, timestamp96, int64. */
#define ROW_MAX_BYTES (1 + 15 + 9)
#define I64_MAX_D 9223372036854775807.0

typedef struct rate_config {
  int64_t rows_per_second;
  int64_t ramp_up_time; /* µs */
  int64_t num_partitions;
  const char *start_timestamp; /* ISO-8601, or NULL */
  int64_t max_rows;
  int64_t max_rows_per_trigger;
} rate_config;

typedef struct rate {
  rate_sched sched;
  int64_t max_rows;        /* 0: unbounded */
  int64_t max_per_trigger; /* 0: no limit */
  int has_cfg_start;
  int64_t cfg_start_us;
  int has_start; /* start_us known: from an offset, or chosen by a plan */
  int64_t start_us;
  int has_cap; /* available-now: never plan past cap_us */
  int64_t cap_us;
  int warned_start;
  weir_schema *schema; /* own copy: the builder borrows it */
  weir_builder builder;
  int64_t batch_rows;
} rate;

static const weir_option rate_options[] = {
    {"rows_per_second", WEIR_OPT_INT, "1", 0, 0, I64_MAX_D, NULL,
     "rows generated per second (after the ramp-up)",
     offsetof(rate_config, rows_per_second)},
    {"ramp_up_time", WEIR_OPT_DURATION, "0s", 0, 0, I64_MAX_D, NULL,
     "time (whole seconds) over which the speed grows to rows_per_second",
     offsetof(rate_config, ramp_up_time)},
    {"num_partitions", WEIR_OPT_INT, "1", 0, 1, 2147483647.0, NULL,
     "accepted for Spark compatibility; partitions do not change the rows",
     offsetof(rate_config, num_partitions)},
    {"start_timestamp", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "ISO-8601 time of second 0 (default: the time of the query's first "
     "plan, kept in the checkpoint)",
     offsetof(rate_config, start_timestamp)},
    {"max_rows", WEIR_OPT_INT, "0", 0, 0, I64_MAX_D, NULL,
     "stop producing after this many rows in total (0: unbounded)",
     offsetof(rate_config, max_rows)},
    {"max_rows_per_trigger", WEIR_OPT_INT, "0", 0, 0, I64_MAX_D, NULL,
     "at most this many rows per epoch (0: no limit)",
     offsetof(rate_config, max_rows_per_trigger)},
    WEIR_OPTIONS_END};

/* ---- offsets ------------------------------------------------------------ */

static int read_offset(weir_ctx *ctx, const weir_offset *o, int64_t *start_us,
                       int64_t *rows) {
  if (weir_map_int(o->data, o->len, "start", start_us) != 1 ||
      weir_map_int(o->data, o->len, "rows", rows) != 1 || *rows < 0)
    return weir_error(ctx, WEIR_ERR_FORMAT,
                      "malformed rate offset: expected a map "
                      "{\"start\": microseconds, \"rows\": count >= 0}");
  return WEIR_OK;
}

static void write_offset(weir_buf *b, int64_t start_us, int64_t rows) {
  weir_mp_map(b, 2);
  weir_mp_str(b, "start", 5);
  weir_mp_int(b, start_us);
  weir_mp_str(b, "rows", 4);
  weir_mp_int(b, rows);
}

/* The start time of a new query: start_timestamp, or now (milliseconds, as
 * Spark's creation time). */
static void choose_start(rate *r, weir_ctx *ctx) {
  if (r->has_cfg_start) {
    r->start_us = r->cfg_start_us;
  } else {
    int64_t now = ctx->host->now(ctx);
    int64_t rem = now % 1000;
    r->start_us = now - (rem < 0 ? rem + 1000 : rem);
  }
  r->has_start = 1;
}

/* An offset's start time wins over the option: replays must be identical. */
static void adopt_start(rate *r, weir_ctx *ctx, int64_t start_us) {
  if (r->has_cfg_start && start_us != r->cfg_start_us && !r->warned_start) {
    char a[40], b[40];
    weir_format_timestamp(start_us, WEIR_TS_ISO, a, sizeof a);
    weir_format_timestamp(r->cfg_start_us, WEIR_TS_ISO, b, sizeof b);
    weir_log(ctx, WEIR_LOG_WARN,
             "start_timestamp %s differs from the checkpoint's start %s; "
             "keeping the checkpoint's",
             b, a);
    r->warned_start = 1;
  }
  r->start_us = start_us;
  r->has_start = 1;
}

/* ---- callbacks ----------------------------------------------------------- */

static void rate_destroy(void *self) {
  rate *r = self;
  if (!r)
    return;
  weir_builder_free(&r->builder);
  weir_schema_free(r->schema);
  free(r);
}

static int rate_create(weir_ctx *ctx, const void *config,
                       weir_create_args *args, void **self) {
  const rate_config *cfg = config;
  if (cfg->rows_per_second < 0)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "rows_per_second must be >= 0, got %" PRId64,
                      cfg->rows_per_second);
  if (cfg->ramp_up_time < 0 || cfg->ramp_up_time % US_PER_SEC != 0) {
    char d[64];
    weir_format_duration(cfg->ramp_up_time, d, sizeof d);
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "ramp_up_time must be a whole number of seconds >= 0, "
                      "got %s",
                      d);
  }
  if (cfg->num_partitions < 1)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "num_partitions must be >= 1, got %" PRId64,
                      cfg->num_partitions);
  if (cfg->max_rows < 0 || cfg->max_rows_per_trigger < 0)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "max_rows and max_rows_per_trigger must be >= 0");

  int64_t start_us = 0;
  int has_start = cfg->start_timestamp && cfg->start_timestamp[0];
  if (has_start &&
      weir_parse_timestamp(cfg->start_timestamp, strlen(cfg->start_timestamp),
                           &start_us) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "start_timestamp: '%s' is not an ISO-8601 timestamp "
                      "(e.g. 2026-01-01T00:00:00Z)",
                      cfg->start_timestamp);

  weir_schema *out = weir_schema_new();
  if (!out)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  if (weir_schema_add(out, "timestamp", WEIR_T_TIMESTAMP, false, NULL) ||
      weir_schema_add(out, "value", WEIR_T_INT, false, NULL)) {
    weir_schema_free(out);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }

  rate *r = calloc(1, sizeof *r);
  if (!r || !(r->schema = weir_schema_copy(out)) ||
      weir_builder_init(&r->builder, r->schema) != WEIR_OK) {
    if (r) {
      weir_schema_free(r->schema);
      free(r);
    }
    weir_schema_free(out);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  rate_sched_init(&r->sched, cfg->rows_per_second,
                  cfg->ramp_up_time / US_PER_SEC);
  r->max_rows = cfg->max_rows;
  r->max_per_trigger = cfg->max_rows_per_trigger;
  r->has_cfg_start = has_start;
  r->cfg_start_us = start_us;
  r->batch_rows =
      args->max_batch_rows > 0 ? args->max_batch_rows : DEFAULT_BATCH_ROWS;
  if (r->batch_rows > MAX_BATCH_ROWS)
    r->batch_rows = MAX_BATCH_ROWS;
  args->output = out;
  *self = r;
  return WEIR_OK;
}

static int rate_plan(void *self, weir_ctx *ctx, const weir_offset *start,
                     weir_buf *end, int *has_data) {
  rate *r = self;
  int64_t start_rows = 0;
  if (start->len > 0) {
    int64_t st;
    int rc = read_offset(ctx, start, &st, &start_rows);
    if (rc != WEIR_OK)
      return rc;
    adopt_start(r, ctx, st);
  } else if (!r->has_start) {
    /* A new query; kept across plans that find nothing to do yet. */
    choose_start(r, ctx);
  }

  int64_t now = ctx->host->now(ctx);
  if (r->has_cap && now > r->cap_us)
    now = r->cap_us;
  int64_t end_rows = rate_available(&r->sched, r->start_us, now);
  if (r->max_rows > 0 && end_rows > r->max_rows)
    end_rows = r->max_rows;
  if (r->max_per_trigger > 0 && end_rows - start_rows > r->max_per_trigger)
    end_rows = start_rows + r->max_per_trigger;
  if (end_rows < start_rows) /* never backwards (e.g. a smaller max_rows) */
    end_rows = start_rows;

  write_offset(end, r->start_us, end_rows);
  if (end->err)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  *has_data = end_rows > start_rows;
  return WEIR_OK;
}

static int rate_prepare_available_now(void *self, weir_ctx *ctx) {
  rate *r = self;
  r->cap_us = ctx->host->now(ctx);
  r->has_cap = 1;
  if (!r->has_start)
    choose_start(r, ctx);
  return WEIR_OK;
}

/* Sets pre[0..*len) to the bytes that open a row of second `sec`: the array
 * header and the timestamp. */
static int row_prefix(weir_ctx *ctx, int64_t start_us, int64_t sec,
                      uint8_t pre[16], size_t *len) {
  int64_t off, ts;
  if (sec == INT64_MAX || __builtin_mul_overflow(sec, US_PER_SEC, &off) ||
      __builtin_add_overflow(start_us, off, &ts))
    return weir_error(ctx, WEIR_ERR_FORMAT,
                      "rate offset out of range: its rows have no timestamp "
                      "at this rows_per_second");
  weir_buf b = {pre, 0, 16, 0};
  weir_mp_array(&b, 2);
  weir_mp_timestamp(&b, ts);
  *len = b.len;
  return WEIR_OK;
}

/* Emits rows with values [from, to) in batches of batch_rows. */
static int emit_range(rate *r, weir_ctx *ctx, int64_t from, int64_t to) {
  weir_builder *b = &r->builder;
  rate_cursor cur;
  uint8_t pre[16];
  size_t pre_len = 0;
  int64_t sec = -1;
  int rc = WEIR_OK;

  rate_cursor_init(&cur, &r->sched, from);
  for (int64_t v = from; v < to && rc == WEIR_OK;) {
    int64_t n = to - v < r->batch_rows ? to - v : r->batch_rows;
    weir_builder_reset(b);
    /* Room for every row up front (+16: the prefix is copied whole). */
    if (weir_buf_reserve(&b->buf, (size_t)n * ROW_MAX_BYTES + 16) != WEIR_OK)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++, v++) {
      int64_t s = rate_cursor_second(&cur, v);
      if (s != sec) {
        if ((rc = row_prefix(ctx, r->start_us, s, pre, &pre_len)) != WEIR_OK)
          return rc;
        sec = s;
      }
      memcpy(b->buf.data + b->buf.len, pre, 16);
      b->buf.len += pre_len;
      weir_mp_int(&b->buf, v);
    }
    b->nrows += (uint32_t)n;

    const uint8_t *data;
    size_t len;
    if (weir_builder_finish(b, &data, &len) != WEIR_OK)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    rc = weir_emit(ctx, data, len);
  }
  weir_builder_reset(b);
  return rc;
}

static int rate_read(void *self, weir_ctx *ctx, const weir_offset *start,
                     const weir_offset *end) {
  rate *r = self;
  int64_t start_us, to, from = 0;
  int rc = read_offset(ctx, end, &start_us, &to);
  if (rc != WEIR_OK)
    return rc;
  if (start->len > 0) {
    int64_t st;
    if ((rc = read_offset(ctx, start, &st, &from)) != WEIR_OK)
      return rc;
    if (st != start_us)
      return weir_error(ctx, WEIR_ERR_FORMAT,
                        "rate offsets of one range disagree on the start "
                        "time (%" PRId64 " and %" PRId64 ")",
                        st, start_us);
  }
  if (from > to)
    return weir_error(ctx, WEIR_ERR_FORMAT,
                      "rate range ends before it starts (rows %" PRId64
                      " to %" PRId64 ")",
                      from, to);
  adopt_start(r, ctx, start_us);
  return emit_range(r, ctx, from, to);
}

static const weir_plugin rate_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_SOURCE,
    .name = "rate",
    .version = "0.1.0",
    .description =
        "rows (timestamp, value) at rows_per_second, for load tests (Spark's "
        "rate source)",
    .options = rate_options,
    .config_size = sizeof(rate_config),
    .flags = WEIR_PLUGIN_REPLAYABLE,
    .create = rate_create,
    .destroy = rate_destroy,
    .plan = rate_plan,
    .read = rate_read,
    .prepare_available_now = rate_prepare_available_now,
};

WEIR_PLUGIN(rate_plugin)
