/* test_groupstate.c — the SDK's group-state helper (weir/groupstate.h),
 * run in the SDK's test harness (weir/testing.h) through the probe
 * operator tests/plugins/gs_probe.c: timeouts of both kinds firing at the
 * exact epoch and never earlier, timeouts cleared unless set again, data
 * winning over a due timeout, late rows, the load-time checks, the map
 * variant's one row, API misuse messages, state surviving a restart (with
 * its timers), refused restarts (timeout kind, newer state), upgrades,
 * canonical keys, key order, and a large epoch through the row arena. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plugins/gs_probe.c"
#include "weir/testing.h"

#define SEC INT64_C(1000000)
#define MIN (60 * SEC)
/* 2026-03-02T09:00:00Z */
#define T9 INT64_C(1772442000000000)

static const char *const K[] = {"k"};

static gs_probe_config base(int timeout) {
  gs_probe_config c;
  memset(&c, 0, sizeof c);
  c.key = (weir_list){1, K};
  c.timeout = timeout;
  c.duration = 10 * SEC;
  c.state_version = 1;
  c.fail_epoch = -1;
  return c;
}

static weir_test *make(const gs_probe_config *c, const char *ddl,
                       const char *evcol, int mode) {
  weir_test *t = weir_test_new(&desc);
  cr_assert_not_null(t);
  cr_assert_eq(weir_test_input(t, ddl, evcol), WEIR_OK, "%s",
               weir_test_error(t));
  weir_test_output_mode(t, mode);
  cr_assert_eq(weir_test_create(t, c), WEIR_OK, "%s", weir_test_error(t));
  return t;
}

static void epoch_ok(weir_test *t, const char *in, const char *want) {
  int rc = weir_test_epoch(t, in);
  cr_assert_eq(rc, WEIR_OK, "epoch %lld: %s",
               (long long)weir_test_next_epoch(t) - 1, weir_test_error(t));
  cr_assert_str_eq(weir_test_output(t), want, "epoch %lld",
                   (long long)weir_test_next_epoch(t) - 1);
}

static void create_fails(const gs_probe_config *c, const char *ddl,
                         const char *evcol, int mode, const char *msg) {
  weir_test *t = weir_test_new(&desc);
  cr_assert_eq(weir_test_input(t, ddl, evcol), WEIR_OK);
  weir_test_output_mode(t, mode);
  cr_assert_neq(weir_test_create(t, c), WEIR_OK);
  cr_assert(strstr(weir_test_error(t), msg), "error '%s' lacks '%s'",
            weir_test_error(t), msg);
  weir_test_free(t);
}

#define A1 "{\"k\":\"a\",\"count\":1,\"timed_out\":false}\n"
#define A1T "{\"k\":\"a\",\"count\":1,\"timed_out\":true}\n"
#define B1 "{\"k\":\"b\",\"count\":1,\"timed_out\":false}\n"
#define B1T "{\"k\":\"b\",\"count\":1,\"timed_out\":true}\n"

Test(groupstate, processing_time_timeout_fires_at_the_first_epoch_past_it) {
  gs_probe_config c = base(PROBE_PROCESSING);
  weir_test *t = make(&c, "k STRING", NULL, WEIR_MODE_APPEND);
  weir_test_set_time(t, 0);
  epoch_ok(t, "{\"k\":\"a\"}", A1); /* epoch 0: a's timeout is 10 s */
  weir_test_set_time(t, 5 * SEC);
  epoch_ok(t, "{\"k\":\"b\"}", B1); /* epoch 1: b's is 15 s */
  weir_test_set_time(t, 10 * SEC);
  cr_assert_eq(weir_test_wants_epoch(t), 0);
  epoch_ok(t, NULL, ""); /* epoch 2 at 10 s: not past 10 s, never earlier */
  weir_test_set_time(t, 10 * SEC + 1);
  cr_assert_eq(weir_test_wants_epoch(t), 1);
  epoch_ok(t, NULL, A1T); /* epoch 3: the first past it */
  cr_assert_eq(weir_test_next_epoch(t), 4);
  weir_test_set_time(t, 60 * SEC);
  epoch_ok(t, NULL, B1T); /* epoch 4 */
  epoch_ok(t, NULL, "");
  cr_assert_eq(weir_test_wants_epoch(t), 0);
  weir_test_free(t);
}

Test(groupstate, event_time_timeout_fires_when_the_watermark_passes_it) {
  gs_probe_config c = base(PROBE_EVENT);
  c.duration = 10 * MIN;
  weir_test *t = make(&c, "k STRING, ts TIMESTAMP", "ts", WEIR_MODE_APPEND);
  epoch_ok(t, "{\"k\":\"a\",\"ts\":\"2026-03-02T09:00:00Z\"}", A1);
  weir_test_set_watermark(t, T9 + 5 * MIN);
  cr_assert_eq(weir_test_wants_epoch(t), 0);
  epoch_ok(t, NULL, ""); /* epoch 1 */
  weir_test_set_watermark(t, T9 + 10 * MIN);
  cr_assert_eq(weir_test_wants_epoch(t), 0);
  epoch_ok(t, NULL, ""); /* epoch 2: at the timeout, not past it */
  weir_test_set_watermark(t, T9 + 10 * MIN + 1);
  cr_assert_eq(weir_test_wants_epoch(t), 1);
  epoch_ok(t, NULL, A1T); /* epoch 3 */
  cr_assert_eq(weir_test_wants_epoch(t), 0);
  /* Processing time plays no part. */
  weir_test_set_time(t, INT64_C(1) << 60);
  cr_assert_eq(weir_test_wants_epoch(t), 0);
  weir_test_free(t);
}

Test(groupstate, late_rows_dropped_counted_and_passed_on_with_event_time) {
  gs_probe_config c = base(PROBE_EVENT);
  weir_test *t = make(&c, "k STRING, ts TIMESTAMP", "ts", WEIR_MODE_APPEND);
  weir_test_set_watermark(t, T9);
  epoch_ok(t,
           "{\"k\":\"a\",\"ts\":\"2026-03-02T09:00:00Z\"}\n"
           "{\"k\":\"a\",\"ts\":\"2026-03-02T08:59:00Z\"}\n"
           "{\"k\":\"a\",\"ts\":\"2026-03-02T09:00:00.000001Z\"}\n"
           "{\"k\":\"b\",\"ts\":null}",
           A1 B1);
  cr_assert_eq(weir_test_metric(t, WEIR_METRIC_ROWS_DROPPED_BY_WATERMARK), 2);
  cr_assert_str_eq(weir_test_late(t),
                   "{\"k\":\"a\",\"ts\":\"2026-03-02T09:00:00.000Z\"}\n"
                   "{\"k\":\"a\",\"ts\":\"2026-03-02T08:59:00.000Z\"}\n");
  weir_test_free(t);
  /* Processing-time timeouts keep every row (Spark drops late rows only
   * with event-time timeouts). */
  c = base(PROBE_PROCESSING);
  t = make(&c, "k STRING, ts TIMESTAMP", "ts", WEIR_MODE_APPEND);
  weir_test_set_watermark(t, T9);
  epoch_ok(t, "{\"k\":\"a\",\"ts\":\"2026-03-02T08:00:00Z\"}", A1);
  cr_assert_str_eq(weir_test_late(t), "");
  weir_test_free(t);
}

Test(groupstate, a_timeout_not_set_again_is_cleared) {
  gs_probe_config c = base(PROBE_PROCESSING), silent = c;
  silent.keep_silent = 1;
  weir_test *t = make(&c, "k STRING", NULL, WEIR_MODE_APPEND);
  epoch_ok(t, "{\"k\":\"a\"}", A1);
  cr_assert(strstr(weir_test_state(t, "groups"), "\"timer\":10000000"));
  cr_assert_eq(weir_test_restart(t, &silent), WEIR_OK, "%s",
               weir_test_error(t));
  weir_test_set_time(t, 1 * SEC);
  epoch_ok(t, "{\"k\":\"a\"}",
           "{\"k\":\"a\",\"count\":2,\"timed_out\":false}\n");
  cr_assert_null(strstr(weir_test_state(t, "groups"), "timer"));
  weir_test_set_time(t, 100 * SEC);
  /* The helper's bound on timers may ask for one epoch too many (never
   * one too few); that epoch fires nothing and makes the bound exact. */
  epoch_ok(t, NULL, "");
  cr_assert_eq(weir_test_wants_epoch(t), 0);
  weir_test_free(t);
}

Test(groupstate, rows_win_over_a_due_timeout) {
  gs_probe_config c = base(PROBE_PROCESSING);
  weir_test *t = make(&c, "k STRING", NULL, WEIR_MODE_APPEND);
  epoch_ok(t, "{\"k\":\"a\"}\n{\"k\":\"b\"}", A1 B1);
  weir_test_set_time(t, 20 * SEC); /* both are due */
  epoch_ok(t, "{\"k\":\"b\"}",
           "{\"k\":\"b\",\"count\":2,\"timed_out\":false}\n" A1T);
  weir_test_free(t);
}

Test(groupstate, load_time_checks) {
  gs_probe_config c = base(PROBE_EVENT);
  create_fails(&c, "k STRING, ts TIMESTAMP", NULL, WEIR_MODE_APPEND,
               "event-time timeouts need a watermark, and the input has no "
               "event-time column");
  c = base(PROBE_NONE);
  c.variant = PROBE_MAP;
  create_fails(&c, "k STRING", NULL, WEIR_MODE_APPEND,
               "needs output_mode = update, not append");
  create_fails(&c, "k STRING", NULL, WEIR_MODE_COMPLETE,
               "needs output_mode = update, not complete");
  weir_test_free(make(&c, "k STRING", NULL, WEIR_MODE_UPDATE));
  c = base(PROBE_NONE);
  c.mode = PROBE_UPDATE;
  create_fails(&c, "k STRING", NULL, WEIR_MODE_APPEND,
               "this operator emits in update mode");
  c.mode = PROBE_APPEND;
  create_fails(&c, "k STRING", NULL, WEIR_MODE_UPDATE,
               "this operator emits in append mode");
  static const char *const typo[] = {"kk"};
  c.key = (weir_list){1, typo};
  create_fails(&c, "k STRING, v BIGINT", NULL, WEIR_MODE_APPEND,
               "key: unknown column 'kk' (did you mean 'k'?)");
  static const char *const none[] = {"zzzzzz"};
  c.key = (weir_list){1, none};
  create_fails(&c, "k STRING, v BIGINT", NULL, WEIR_MODE_APPEND,
               "key: unknown column 'zzzzzz' (the input has: k STRING, v "
               "BIGINT)");
}

static void epoch_fails(const gs_probe_config *c, int mode, const char *msg) {
  weir_test *t = make(c, "k STRING, ts TIMESTAMP", "ts", mode);
  weir_test_set_watermark(t, T9);
  int rc = weir_test_epoch(t, "{\"k\":\"a\",\"ts\":\"2026-03-02T10:00:00Z\"}");
  cr_assert_neq(rc, WEIR_OK, "no error for '%s'", msg);
  cr_assert(strstr(weir_test_error(t), msg), "error '%s' lacks '%s'",
            weir_test_error(t), msg);
  weir_test_free(t);
}

Test(groupstate, misuses_give_clear_errors) {
  gs_probe_config c = base(PROBE_NONE);
  c.variant = PROBE_MAP;
  c.fail_epoch = 0;
  c.misuse = MISUSE_TWO_ROWS;
  epoch_fails(&c, WEIR_MODE_UPDATE,
              "the data call for key [\"a\"] emitted 2 rows: the map variant "
              "emits exactly one row per call");
  c.misuse = MISUSE_NO_ROW;
  epoch_fails(&c, WEIR_MODE_UPDATE, "emitted 0 rows");
  c = base(PROBE_EVENT);
  c.fail_epoch = 0;
  c.misuse = MISUSE_PAST_TIMESTAMP;
  epoch_fails(&c, WEIR_MODE_APPEND,
              "timeout timestamp 2026-03-02T09:00:00.000Z for key [\"a\"] is "
              "not later than the current watermark 2026-03-02T09:00:00.000Z");
  c.misuse = MISUSE_WRONG_KIND;
  epoch_fails(&c, WEIR_MODE_APPEND,
              "set_timeout_duration needs a processing-time timeout");
  c.misuse = MISUSE_NO_STATE;
  epoch_fails(&c, WEIR_MODE_APPEND,
              "the call for key [\"a\"] set a timeout but left the key without "
              "state");
  c = base(PROBE_PROCESSING);
  c.fail_epoch = 0;
  c.misuse = MISUSE_ZERO_DURATION;
  epoch_fails(&c, WEIR_MODE_APPEND, "it must be positive");
  c.misuse = MISUSE_WRONG_KIND;
  epoch_fails(&c, WEIR_MODE_APPEND,
              "set_timeout_timestamp needs an event-time timeout");
}

Test(groupstate, a_failing_call_names_key_and_epoch) {
  gs_probe_config c = base(PROBE_PROCESSING);
  c.fail_in = FAIL_CALL;
  c.fail_epoch = 1;
  weir_test *t = make(&c, "k STRING", NULL, WEIR_MODE_APPEND);
  epoch_ok(t, "{\"k\":\"a\"}", A1);
  cr_assert_eq(weir_test_epoch(t, "{\"k\":\"a\"}"), WEIR_ERR_INVALID);
  cr_assert_str_eq(weir_test_error(t), "probe: failing in the call as asked");
  cr_assert(strstr(weir_test_log(t),
                   "error: the data call for key [\"a\"] failed in epoch 1"),
            "%s", weir_test_log(t));
  weir_test_free(t);
  c.fail_in = FAIL_TIMEOUT;
  t = make(&c, "k STRING", NULL, WEIR_MODE_APPEND);
  epoch_ok(t, "{\"k\":\"a\"}", A1);
  weir_test_set_time(t, 11 * SEC);
  cr_assert_eq(weir_test_epoch(t, NULL), WEIR_ERR_INVALID);
  cr_assert(strstr(weir_test_log(t), "the timeout call for key [\"a\"]"));
  weir_test_free(t);
}

/* The same epochs, with and without a restart after each: same output. */
Test(groupstate, state_and_timers_survive_a_restart) {
  gs_probe_config c = base(PROBE_PROCESSING);
  const char *in[] = {"{\"k\":\"a\"}\n{\"k\":\"b\"}", "{\"k\":\"a\"}", NULL,
                      "{\"k\":\"c\"}", NULL};
  int64_t at[] = {0, 5 * SEC, 10 * SEC + 1, 15 * SEC + 1, 40 * SEC};
  weir_buf ref = WEIR_BUF_INIT, got = WEIR_BUF_INIT;
  for (int restart = 0; restart < 2; restart++) {
    weir_test *t = make(&c, "k STRING", NULL, WEIR_MODE_APPEND);
    weir_buf *b = restart ? &got : &ref;
    for (int i = 0; i < 5; i++) {
      weir_test_set_time(t, at[i]);
      cr_assert_eq(weir_test_epoch(t, in[i]), WEIR_OK, "%s",
                   weir_test_error(t));
      weir_buf_printf(b, "epoch %d:\n%s", i, weir_test_output(t));
      if (restart)
        cr_assert_eq(weir_test_restart(t, NULL), WEIR_OK, "%s",
                     weir_test_error(t));
    }
    weir_test_free(t);
  }
  weir_buf_append(&ref, "", 1);
  weir_buf_append(&got, "", 1);
  cr_assert_str_eq((char *)got.data, (char *)ref.data);
  cr_assert_str_eq((char *)ref.data, "epoch 0:\n" A1 B1 "epoch 1:\n"
                                     "{\"k\":\"a\",\"count\":2,\"timed_out\":"
                                     "false}\n"
                                     "epoch 2:\n" B1T "epoch 3:\n"
                                     "{\"k\":\"c\",\"count\":1,\"timed_out\":"
                                     "false}\n"
                                     "{\"k\":\"a\",\"count\":2,\"timed_out\":"
                                     "true}\n"
                                     "epoch 4:\n"
                                     "{\"k\":\"c\",\"count\":1,\"timed_out\":"
                                     "true}\n");
  weir_buf_free(&ref);
  weir_buf_free(&got);
}

Test(groupstate, the_state_is_inspectable) {
  gs_probe_config c = base(PROBE_PROCESSING);
  weir_test *t = make(&c, "k STRING", NULL, WEIR_MODE_APPEND);
  weir_test_set_time(t, 7);
  epoch_ok(t, "{\"k\":\"a\"}\n{\"k\":\"a\"}",
           "{\"k\":\"a\",\"count\":2,"
           "\"timed_out\":false}\n");
  cr_assert_str_eq(weir_test_state(t, "groups"),
                   "{\"key\":\"weir.groups\",\"value\":{\"keys\":[[\"k\","
                   "\"string\"]],\"timeout\":\"processing-time\"}}\n"
                   "{\"key\":[\"a\"],\"value\":[2],\"timer\":10000007}\n");
  weir_test_free(t);
}

Test(groupstate, a_restart_with_another_timeout_kind_is_refused) {
  gs_probe_config c = base(PROBE_PROCESSING), e = base(PROBE_EVENT);
  weir_test *t = make(&c, "k STRING, ts TIMESTAMP", "ts", WEIR_MODE_APPEND);
  epoch_ok(t, "{\"k\":\"a\",\"ts\":\"2026-03-02T09:00:00Z\"}", A1);
  cr_assert_eq(weir_test_restart(t, &e), WEIR_OK);
  cr_assert_eq(weir_test_epoch(t, NULL), WEIR_ERR_STATE);
  cr_assert_str_eq(
      weir_test_error(t),
      "state 'groups' was written with {\"keys\":[[\"k\",\"string\"]],"
      "\"timeout\":\"processing-time\"}, this operator now has {\"keys\":"
      "[[\"k\",\"string\"]],\"timeout\":\"event-time\"}: its state would be "
      "misread. Restore the old key columns and timeout, or start from a new "
      "checkpoint");
  /* ... and the state is untouched: the old operator resumes. */
  cr_assert_eq(weir_test_restart(t, &c), WEIR_OK);
  weir_test_set_time(t, 11 * SEC);
  epoch_ok(t, NULL, A1T);
  weir_test_free(t);
}

Test(groupstate, older_state_is_upgraded_newer_refused) {
  gs_probe_config v1 = base(PROBE_PROCESSING), v2 = v1;
  v2.state_version = 2;
  weir_test *t = make(&v1, "k STRING", NULL, WEIR_MODE_APPEND);
  epoch_ok(t, "{\"k\":\"a\"}\n{\"k\":\"b\"}", A1 B1);
  /* Version 2 without an upgrade function: refused at the first epoch. */
  cr_assert_eq(weir_test_restart(t, &v2), WEIR_OK);
  cr_assert_eq(weir_test_epoch(t, NULL), WEIR_ERR_STATE);
  cr_assert(strstr(weir_test_error(t),
                   "state 'groups' has format version 1 and this plugin "
                   "writes 2 but has no upgrade function"));
  /* With one: every value is rewritten before the first call. */
  v2.upgrade = 1;
  cr_assert_eq(weir_test_restart(t, &v2), WEIR_OK);
  epoch_ok(t, "{\"k\":\"a\"}",
           "{\"k\":\"a\",\"count\":2,\"timed_out\":"
           "false}\n");
  const char *st = weir_test_state(t, "groups");
  cr_assert(strstr(st, "{\"key\":[\"b\"],\"value\":[1,true],\"timer\":"), "%s",
            st);
  cr_assert(strstr(weir_test_log(t), "upgrading state 'groups' from format "
                                     "version 1 to 2"));
  /* Newer state than the plugin writes: refused as the runtime does. */
  cr_assert_eq(weir_test_restart(t, &v1), WEIR_ERR_STATE);
  cr_assert(strstr(weir_test_error(t), "has format version 2, newer than the "
                                       "1 this plugin writes"));
  weir_test_free(t);
  /* A failing upgrade stops with the key named. */
  v2.fail_in = FAIL_UPGRADE;
  t = make(&v1, "k STRING", NULL, WEIR_MODE_APPEND);
  epoch_ok(t, "{\"k\":\"a\"}", A1);
  cr_assert_eq(weir_test_restart(t, &v2), WEIR_OK);
  cr_assert_eq(weir_test_epoch(t, NULL), WEIR_ERR_INVALID);
  cr_assert(strstr(weir_test_log(t), "upgrading state 'groups' from version "
                                     "1 to 2 failed at key [\"a\"]"));
  weir_test_free(t);
}

/* One value, two msgpack encodings: one key. */
Test(groupstate, keys_are_canonical) {
  gs_probe_config c = base(PROBE_NONE);
  weir_test *t = make(&c, "k BIGINT", NULL, WEIR_MODE_APPEND);
  weir_schema *s = NULL;
  char err[64];
  cr_assert_eq(weir_schema_parse("k BIGINT", &s, err, sizeof err), WEIR_OK);
  weir_builder b;
  weir_builder_init(&b, s);
  static const uint8_t fix[] = {0x91, 0x05};
  static const uint8_t i64[] = {0x91, 0xd3, 0, 0, 0, 0, 0, 0, 0, 5};
  static const uint8_t u8[] = {0x91, 0xcc, 5};
  weir_put_row_raw(&b, fix, sizeof fix);
  weir_put_row_raw(&b, i64, sizeof i64);
  weir_put_row_raw(&b, u8, sizeof u8);
  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  cr_assert_eq(weir_test_begin(t), WEIR_OK);
  cr_assert_eq(weir_test_push(t, data, len), WEIR_OK);
  cr_assert_eq(weir_test_end(t), WEIR_OK, "%s", weir_test_error(t));
  cr_assert_str_eq(weir_test_output(t),
                   "{\"k\":5,\"count\":3,\"timed_out\":false}\n");
  weir_builder_free(&b);
  weir_schema_free(s);
  weir_test_free(t);
}

Test(groupstate, keys_are_called_in_order_of_first_appearance) {
  static const char *const kj[] = {"k", "j"};
  gs_probe_config c = base(PROBE_NONE);
  c.key = (weir_list){2, kj};
  weir_test *t = make(&c, "k STRING, j BIGINT", NULL, WEIR_MODE_APPEND);
  epoch_ok(t,
           "{\"k\":\"b\",\"j\":1}\n{\"k\":\"a\"}\n{\"k\":\"b\",\"j\":1}\n"
           "{\"k\":\"a\",\"j\":2}",
           "{\"k\":\"b\",\"j\":1,\"count\":2,\"timed_out\":false}\n"
           "{\"k\":\"a\",\"j\":null,\"count\":1,\"timed_out\":false}\n"
           "{\"k\":\"a\",\"j\":2,\"count\":1,\"timed_out\":false}\n");
  weir_test_free(t);
}

/* 200 000 rows over 997 keys, with a few rows larger than a block: every
 * key gets its rows, in arrival order, epoch after epoch (the arena is
 * reused). */
static int order_ok;
static int count_call(void *user, weir_ctx *ctx, weir_group *g,
                      weir_builder *out) {
  (void)user, (void)ctx;
  const weir_value *row;
  int64_t prev = -1, n = 0;
  while (weir_group_next(g, &row) == 1) {
    if (row[1].v.i <= prev)
      order_ok = 0;
    prev = row[1].v.i;
    n++;
  }
  weir_row_begin(out);
  weir_put_value(out, weir_group_key(g, 0));
  weir_put_int(out, n);
  return WEIR_OK;
}
static int count_create(weir_ctx *ctx, const void *cfg, weir_create_args *a,
                        void **self) {
  (void)cfg;
  static const char *const k[] = {"k"};
  weir_groups_spec spec = WEIR_GROUPS_SPEC_INIT;
  weir_schema *out = NULL;
  char err[64];
  weir_schema_parse("k BIGINT, n BIGINT", &out, err, sizeof err);
  spec.keys = k;
  spec.nkeys = 1;
  spec.output = out;
  spec.fn = count_call;
  return weir_groups_create(ctx, a, &spec, self);
}
static const weir_plugin count_desc = {.struct_size = sizeof(weir_plugin),
                                       .abi_major = WEIR_ABI_MAJOR,
                                       .kind = WEIR_KIND_OPERATOR,
                                       .name = "count",
                                       .create = count_create,
                                       .flags = WEIR_PLUGIN_STATEFUL,
                                       WEIR_GROUPS_CALLBACKS};

Test(groupstate, a_large_epoch_through_the_arena) {
  weir_test *t = weir_test_new(&count_desc);
  weir_test_input(t, "k BIGINT, i BIGINT, pad STRING", NULL);
  cr_assert_eq(weir_test_create(t, NULL), WEIR_OK, "%s", weir_test_error(t));
  weir_schema *s = NULL;
  char err[64];
  weir_schema_parse("k BIGINT, i BIGINT, pad STRING", &s, err, sizeof err);
  static char big[300000];
  memset(big, 'x', sizeof big);
  for (int epoch = 0; epoch < 3; epoch++) {
    order_ok = 1;
    cr_assert_eq(weir_test_begin(t), WEIR_OK);
    weir_builder b;
    weir_builder_init(&b, s);
    for (int64_t i = 0; i < 200000; i++) {
      weir_row_begin(&b);
      weir_put_int(&b, i % 997);
      weir_put_int(&b, i);
      weir_put_string(&b, big, i % 50000 == 7 ? sizeof big : (size_t)(i % 40));
      if (b.nrows == 4096 || i == 199999) {
        const uint8_t *d;
        size_t n;
        cr_assert_eq(weir_builder_finish(&b, &d, &n), WEIR_OK);
        cr_assert_eq(weir_test_push(t, d, n), WEIR_OK);
        weir_builder_reset(&b);
      }
    }
    weir_builder_free(&b);
    cr_assert_eq(weir_test_end(t), WEIR_OK, "%s", weir_test_error(t));
    cr_assert(order_ok);
    const char *o = weir_test_output(t);
    int lines = 0;
    int64_t total = 0;
    for (const char *p = o; (p = strstr(p, "\"n\":")); p++, lines++)
      total += strtoll(p + 4, NULL, 10);
    cr_assert_eq(lines, 997);
    cr_assert_eq(total, 200000);
    cr_assert(strncmp(o, "{\"k\":0,\"n\":201}\n{\"k\":1,\"n\":201}\n", 32) == 0,
              "%.64s", o);
  }
  weir_schema_free(s);
  weir_test_free(t);
}

/* The harness loads a shared object as the runtime does. */
Test(groupstate, the_harness_loads_a_plugin_file) {
  const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
  char path[512], err[256];
  snprintf(path, sizeof path, "%s/examples/hello.so", build);
  weir_test *t = NULL;
  int rc = weir_test_load(path, &t, err, sizeof err);
  cr_assert_eq(rc, WEIR_OK, "%s", err);
  struct {
    const char *column, *greeting;
  } cfg = {"name", "hi"};
  cr_assert_eq(weir_test_input(t, "name STRING, n BIGINT", NULL), WEIR_OK);
  cr_assert_eq(weir_test_create(t, &cfg), WEIR_OK, "%s", weir_test_error(t));
  cr_assert_eq(weir_test_epoch(t, "{\"name\":\"weir\",\"n\":1}\n{\"n\":2}"),
               WEIR_OK);
  cr_assert_str_eq(weir_test_output(t),
                   "{\"name\":\"weir\",\"n\":1,\"message\":\"hi, weir!\"}\n"
                   "{\"name\":null,\"n\":2,\"message\":null}\n");
  weir_test_free(t);
  cr_assert_eq(weir_test_load("/nonexistent.so", &t, err, sizeof err),
               WEIR_ERR_NOTFOUND);
}
