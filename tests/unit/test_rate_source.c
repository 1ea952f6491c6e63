/* tests/unit/test_rate_source.c — the rate source plugin through its
 * descriptor, with a fake host: offsets, limits, start time, available-now,
 * the rows it emits, and replays that emit identical bytes. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weir/weir.h"

#include "../../plugins/rate/schedule.h"

const weir_plugin *weir_plugin_entry(void);

#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */
#define SEC INT64_C(1000000)

/* ---- fake host ---------------------------------------------------------- */

typedef struct row {
  int64_t ts, value;
} row;

static struct {
  int64_t now;
  char error[1024];
  int error_code;
  row *rows;
  size_t nrows, cap;
  size_t batches, max_batch;
  weir_buf bytes; /* every emitted batch, back to back */
} H;

static void h_set_error(weir_ctx *ctx, int code, const char *msg) {
  (void)ctx;
  H.error_code = code;
  snprintf(H.error, sizeof H.error, "%s", msg);
}
static void h_log(weir_ctx *ctx, int level, const char *msg) {
  (void)ctx;
  (void)level;
  (void)msg;
}
static int h_emit(weir_ctx *ctx, const void *batch, size_t len) {
  (void)ctx;
  weir_reader r;
  weir_value cols[2];
  int rc;
  cr_assert_eq(weir_reader_open(&r, batch, len), WEIR_OK);
  weir_buf_append(&H.bytes, batch, len);
  H.batches++;
  if (r.nrows > H.max_batch)
    H.max_batch = r.nrows;
  while ((rc = weir_reader_next(&r, cols, 2)) == 1) {
    cr_assert_eq(cols[0].type, WEIR_T_TIMESTAMP);
    cr_assert_eq(cols[1].type, WEIR_T_INT);
    if (H.nrows == H.cap) {
      H.cap = H.cap ? H.cap * 2 : 1024;
      H.rows = realloc(H.rows, H.cap * sizeof *H.rows);
      cr_assert(H.rows);
    }
    H.rows[H.nrows].ts = cols[0].v.ts;
    H.rows[H.nrows].value = cols[1].v.i;
    H.nrows++;
  }
  cr_assert_eq(rc, 0);
  return WEIR_OK;
}
static void h_epoch_info(weir_ctx *ctx, weir_epoch_info *out) {
  (void)ctx;
  out->epoch = 0;
  out->processing_time = H.now;
}
static int64_t h_now(weir_ctx *ctx) {
  (void)ctx;
  return H.now;
}
static void h_metric(weir_ctx *ctx, int metric, int64_t value) {
  (void)ctx;
  (void)metric;
  (void)value;
}
static void h_event_time(weir_ctx *ctx, int64_t a, int64_t b, double c,
                         int64_t d) {
  (void)ctx;
  (void)a;
  (void)b;
  (void)c;
  (void)d;
}

/* Designated: the host table only ever grows (unused newer entries are 0). */
static const weir_host host = {.struct_size = sizeof(weir_host),
                               .abi_major = WEIR_ABI_MAJOR,
                               .abi_minor = WEIR_ABI_MINOR,
                               .set_error = h_set_error,
                               .log = h_log,
                               .emit = h_emit,
                               .epoch_info = h_epoch_info,
                               .now = h_now,
                               .metric = h_metric,
                               .event_time = h_event_time};
static weir_ctx ctx = {sizeof(weir_ctx), &host};

static void reset_host(void) {
  free(H.rows);
  weir_buf_free(&H.bytes);
  memset(&H, 0, sizeof H);
}

/* The plugin's config struct, as the runtime fills it (same layout). */
typedef struct rate_config {
  int64_t rows_per_second;
  int64_t ramp_up_time;
  int64_t num_partitions;
  const char *start_timestamp;
  int64_t max_rows;
  int64_t max_rows_per_trigger;
} rate_config;

static const weir_plugin *P;
static rate_config cfg;
static weir_schema *out_schema;

static void *make(int64_t max_batch_rows) {
  void *self = NULL;
  weir_create_args args;
  memset(&args, 0, sizeof args);
  args.struct_size = sizeof args;
  args.node_name = "r";
  args.max_batch_rows = max_batch_rows;
  cr_assert_eq(P->create(&ctx, &cfg, &args, &self), WEIR_OK, "%s", H.error);
  cr_assert(args.output);
  weir_schema_free(out_schema);
  out_schema = args.output;
  return self;
}

static void setup(void) {
  reset_host();
  P = weir_plugin_entry();
  memset(&cfg, 0, sizeof cfg);
  cfg.rows_per_second = 10;
  cfg.num_partitions = 1;
  cfg.start_timestamp = "2026-01-01T00:00:00Z";
}
static void teardown(void) {
  reset_host();
  weir_schema_free(out_schema);
  out_schema = NULL;
}

/* plan() from `start`, into *end (a fresh buffer); returns has_data. */
static int plan(void *self, const weir_buf *start, weir_buf *end) {
  weir_offset s = {start ? start->data : NULL, start ? start->len : 0};
  int has_data = -1;
  weir_buf_free(end);
  cr_assert_eq(P->plan(self, &ctx, &s, end, &has_data), WEIR_OK, "%s", H.error);
  cr_assert(has_data == 0 || has_data == 1);
  return has_data;
}

static void read_range(void *self, const weir_buf *start, const weir_buf *end) {
  weir_offset s = {start ? start->data : NULL, start ? start->len : 0};
  weir_offset e = {end->data, end->len};
  cr_assert_eq(P->read(self, &ctx, &s, &e), WEIR_OK, "%s", H.error);
}

static void expect_offset(const weir_buf *o, int64_t start, int64_t rows) {
  int64_t v;
  cr_assert_eq(weir_map_int(o->data, o->len, "start", &v), 1);
  cr_expect_eq(v, start);
  cr_assert_eq(weir_map_int(o->data, o->len, "rows", &v), 1);
  cr_expect_eq(v, rows);
}

TestSuite(rate_source, .init = setup, .fini = teardown);

Test(rate_source, descriptor_and_schema) {
  cr_assert_eq(P->struct_size, sizeof(weir_plugin));
  cr_expect_eq(P->abi_major, WEIR_ABI_MAJOR);
  cr_expect_eq(P->kind, WEIR_KIND_SOURCE);
  cr_expect_str_eq(P->name, "rate");
  cr_expect(P->flags & WEIR_PLUGIN_REPLAYABLE);
  cr_expect_eq(P->config_size, sizeof(rate_config));
  for (const weir_option *o = P->options; o->key; o++)
    cr_expect(o->help && o->help[0], "%s has help", o->key);
  void *self = make(0);
  cr_assert_eq(out_schema->n, 2);
  cr_expect_str_eq(out_schema->fields[0].name, "timestamp");
  cr_expect_eq(out_schema->fields[0].type, WEIR_T_TIMESTAMP);
  cr_expect(!out_schema->fields[0].nullable);
  cr_expect_str_eq(out_schema->fields[1].name, "value");
  cr_expect_eq(out_schema->fields[1].type, WEIR_T_INT);
  cr_expect(!out_schema->fields[1].nullable);
  P->destroy(self);
}

Test(rate_source, rows_and_timestamps_with_ramp_up) {
  cfg.ramp_up_time = 4 * SEC;
  void *self = make(0);
  weir_buf end = WEIR_BUF_INIT;
  H.now = T0 + 5 * SEC + 500000; /* 5.5 s: cum(5) = 30 rows */
  cr_assert_eq(plan(self, NULL, &end), 1);
  expect_offset(&end, T0, 30);
  read_range(self, NULL, &end);
  cr_assert_eq(H.nrows, 30);
  rate_sched s;
  rate_sched_init(&s, 10, 4);
  for (int64_t v = 0; v < 30; v++) {
    cr_expect_eq(H.rows[v].value, v);
    cr_expect_eq(H.rows[v].ts, T0 + rate_second_of(&s, v) * SEC,
                 "timestamp of %lld", (long long)v);
  }
  /* values 0,1 in second 0; 2..5 in second 1; 20..29 in second 4 */
  cr_expect_eq(H.rows[1].ts, T0);
  cr_expect_eq(H.rows[2].ts, T0 + SEC);
  cr_expect_eq(H.rows[29].ts, T0 + 4 * SEC);
  weir_buf_free(&end);
  P->destroy(self);
}

Test(rate_source, ranges_concatenate_and_replay_identically) {
  cfg.max_rows_per_trigger = 7;
  cfg.max_rows = 100;
  void *self = make(3);
  weir_buf start = WEIR_BUF_INIT, end = WEIR_BUF_INIT;
  H.now = T0 + 60 * SEC; /* 600 rows available, capped at 100 */
  int epochs = 0;
  while (plan(self, epochs ? &start : NULL, &end)) {
    read_range(self, epochs ? &start : NULL, &end);
    weir_buf_free(&start);
    weir_buf_append(&start, end.data, end.len);
    epochs++;
  }
  cr_expect_eq(epochs, 15); /* 14 x 7 + 2 */
  expect_offset(&end, T0, 100);
  cr_expect_eq(H.max_batch, 3);
  cr_assert_eq(H.nrows, 100);
  for (int64_t v = 0; v < 100; v++) {
    cr_expect_eq(H.rows[v].value, v);
    cr_expect_eq(H.rows[v].ts, T0 + (v / 10) * SEC);
  }

  /* The same rows in one range: identical rows. */
  reset_host();
  void *other = make(1000);
  weir_buf zero = WEIR_BUF_INIT;
  weir_mp_map(&zero, 2);
  weir_mp_str(&zero, "start", 5);
  weir_mp_int(&zero, T0);
  weir_mp_str(&zero, "rows", 4);
  weir_mp_int(&zero, 0);
  read_range(other, &zero, &end);
  cr_assert_eq(H.nrows, 100);
  for (int64_t v = 0; v < 100; v++)
    cr_expect_eq(H.rows[v].ts, T0 + (v / 10) * SEC);

  /* A replay of one range emits the same bytes. */
  reset_host();
  read_range(other, &zero, &end);
  weir_buf first = H.bytes;
  memset(&H.bytes, 0, sizeof H.bytes);
  read_range(other, &zero, &end);
  cr_assert_eq(H.bytes.len, first.len);
  cr_expect_eq(memcmp(H.bytes.data, first.data, first.len), 0);
  weir_buf_free(&first);
  weir_buf_free(&zero);
  weir_buf_free(&start);
  weir_buf_free(&end);
  P->destroy(other);
  P->destroy(self);
}

Test(rate_source, start_time_kept_until_the_first_epoch) {
  cfg.start_timestamp = NULL;
  void *self = make(0);
  weir_buf end = WEIR_BUF_INIT;
  H.now = T0 + 123456; /* start = now, in whole milliseconds */
  cr_expect_eq(plan(self, NULL, &end), 0);
  expect_offset(&end, T0 + 123000, 0);
  H.now = T0 + 2 * SEC + 200000; /* still a new query: same start */
  cr_expect_eq(plan(self, NULL, &end), 1);
  expect_offset(&end, T0 + 123000, 20);
  read_range(self, NULL, &end);
  cr_assert_eq(H.nrows, 20);
  cr_expect_eq(H.rows[0].ts, T0 + 123000);
  cr_expect_eq(H.rows[19].ts, T0 + 123000 + SEC);
  weir_buf_free(&end);
  P->destroy(self);
}

Test(rate_source, offset_start_wins_over_option) {
  void *self = make(0);
  weir_buf start = WEIR_BUF_INIT, end = WEIR_BUF_INIT;
  weir_mp_map(&start, 2);
  weir_mp_str(&start, "start", 5);
  weir_mp_int(&start, T0 - 10 * SEC);
  weir_mp_str(&start, "rows", 4);
  weir_mp_int(&start, 50);
  H.now = T0;
  cr_expect_eq(plan(self, &start, &end), 1);
  expect_offset(&end, T0 - 10 * SEC, 100);
  read_range(self, &start, &end);
  cr_assert_eq(H.nrows, 50);
  cr_expect_eq(H.rows[0].value, 50);
  cr_expect_eq(H.rows[0].ts, T0 - 5 * SEC);
  weir_buf_free(&start);
  weir_buf_free(&end);
  P->destroy(self);
}

Test(rate_source, available_now_caps_the_plans) {
  void *self = make(0);
  weir_buf start = WEIR_BUF_INIT, end = WEIR_BUF_INIT;
  H.now = T0 + 3 * SEC;
  cr_assert_eq(P->prepare_available_now(self, &ctx), WEIR_OK);
  H.now = T0 + 10 * SEC; /* later plans never go past 3 s */
  cr_expect_eq(plan(self, NULL, &end), 1);
  expect_offset(&end, T0, 30);
  weir_buf_append(&start, end.data, end.len);
  cr_expect_eq(plan(self, &start, &end), 0);
  expect_offset(&end, T0, 30);
  weir_buf_free(&start);
  weir_buf_free(&end);
  P->destroy(self);
}

Test(rate_source, no_rows_before_the_start) {
  void *self = make(0);
  weir_buf end = WEIR_BUF_INIT;
  H.now = T0 - 5 * SEC;
  cr_expect_eq(plan(self, NULL, &end), 0);
  expect_offset(&end, T0, 0);
  weir_buf_free(&end);
  P->destroy(self);
}

Test(rate_source, bad_options_and_offsets) {
  void *self = NULL;
  weir_create_args args;
  memset(&args, 0, sizeof args);
  args.struct_size = sizeof args;
  cfg.ramp_up_time = 1500000;
  cr_expect_eq(P->create(&ctx, &cfg, &args, &self), WEIR_ERR_INVALID);
  cr_expect(strstr(H.error, "whole number of seconds"), "%s", H.error);
  cfg.ramp_up_time = 0;
  cfg.start_timestamp = "yesterday";
  cr_expect_eq(P->create(&ctx, &cfg, &args, &self), WEIR_ERR_INVALID);
  cr_expect(strstr(H.error, "start_timestamp"), "%s", H.error);
  cfg.start_timestamp = NULL;
  cfg.rows_per_second = -1;
  cr_expect_eq(P->create(&ctx, &cfg, &args, &self), WEIR_ERR_INVALID);
  cfg.rows_per_second = 10;

  self = make(0);
  weir_buf bad = WEIR_BUF_INIT, end = WEIR_BUF_INIT;
  weir_mp_map(&bad, 1);
  weir_mp_str(&bad, "rows", 4);
  weir_mp_int(&bad, 5);
  weir_offset s = {bad.data, bad.len};
  int has_data;
  cr_expect_eq(P->plan(self, &ctx, &s, &end, &has_data), WEIR_ERR_FORMAT);
  cr_expect_eq(P->read(self, &ctx, &s, &s), WEIR_ERR_FORMAT);
  weir_buf_free(&bad);
  weir_buf_free(&end);
  P->destroy(self);
}
