/* tests/unit/test_kafka_offsets.c — the kafka source's partition lists
 * (plugins/kafka/offsets.c): the logged offset format round-trips and
 * refuses malformed input, the JSON options parse (and say why not), and
 * max_offsets_per_trigger splits a backlog exactly as Spark's rateLimit. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../plugins/kafka/offsets.h"

static kp *add(kp_list *l, const char *t, int32_t p, int64_t from,
               int64_t until) {
  kp *e = kp_add(l, t, p);
  cr_assert(e);
  e->from = from;
  e->until = until;
  return e;
}

/* JSON text of an encoded list, through the SDK's msgpack → JSON. */
static void as_json(const kp_list *l, char *out, size_t n) {
  weir_buf mp = WEIR_BUF_INIT, js = WEIR_BUF_INIT;
  kp_encode(l, &mp);
  cr_assert_eq(weir_json_from_msgpack(&js, mp.data, mp.len), WEIR_OK);
  snprintf(out, n, "%.*s", (int)js.len, (const char *)js.data);
  weir_buf_free(&mp);
  weir_buf_free(&js);
}

Test(kafka_offsets, encode_sorted_with_new_partitions) {
  kp_list l = {0};
  char js[512];
  add(&l, "b", 1, 5, 9);
  add(&l, "a", 10, 0, 3)->has_from = 1;
  add(&l, "a", 2, 7, 7);
  kp_sort(&l);
  as_json(&l, js, sizeof js);
  cr_expect_str_eq(js, "{\"a\":{\"2\":7,\"10\":[0,3]},\"b\":{\"1\":9}}");
  kp_free(&l);
}

Test(kafka_offsets, roundtrip) {
  kp_list l = {0}, back = {0};
  weir_buf mp = WEIR_BUF_INIT;
  char err[256];
  add(&l, "events", 0, 100, 250);
  add(&l, "events", 1, 0, 40)->has_from = 1;
  add(&l, "other.topic-x_y", 7, 1, 1);
  kp_sort(&l);
  kp_encode(&l, &mp);
  cr_assert_eq(kp_decode(mp.data, mp.len, &back, err, sizeof err), WEIR_OK,
               "%s", err);
  cr_assert_eq(back.n, 3);
  kp *e = kp_find(&back, "events", 0);
  cr_assert(e);
  cr_expect_eq(e->until, 250);
  cr_expect_eq(e->has_from, 0);
  e = kp_find(&back, "events", 1);
  cr_expect_eq(e->has_from, 1);
  cr_expect_eq(e->from, 0);
  cr_expect_eq(e->until, 40);
  cr_expect_eq(kp_find(&back, "other.topic-x_y", 7)->until, 1);
  cr_expect_null(kp_find(&back, "events", 2));
  weir_buf_free(&mp);
  kp_free(&l);
  kp_free(&back);
}

Test(kafka_offsets, empty_map) {
  kp_list l = {0};
  weir_buf mp = WEIR_BUF_INIT;
  char err[256];
  kp_encode(&l, &mp);
  cr_assert_eq(mp.len, 1);
  cr_expect_eq(kp_decode(mp.data, mp.len, &l, err, sizeof err), WEIR_OK);
  cr_expect_eq(l.n, 0);
  weir_buf_free(&mp);
  kp_free(&l);
}

/* Offsets that are not ours are refused, never misread. */
Test(kafka_offsets, decode_refuses_malformed) {
  const char *bad[] = {"[1,2]",
                       "{\"t\":5}",
                       "{\"t\":{\"x\":1}}",
                       "{\"t\":{\"0\":-1}}",
                       "{\"t\":{\"0\":[5,3]}}",
                       "{\"t\":{\"0\":[1,2,3]}}",
                       "{\"t\":{\"0\":\"7\"}}",
                       "{\"\":{\"0\":1}}",
                       "{\"t\":{\"99999999999\":1}}",
                       "{\"t\":{\"0\":1.5}}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    weir_buf mp = WEIR_BUF_INIT;
    char err[256];
    kp_list l = {0};
    cr_assert_eq(
        weir_json_to_msgpack(&mp, bad[i], strlen(bad[i]), err, sizeof err),
        WEIR_OK, "%s", bad[i]);
    cr_expect_eq(kp_decode(mp.data, mp.len, &l, err, sizeof err),
                 WEIR_ERR_FORMAT, "accepted %s", bad[i]);
    cr_expect(strstr(err, "malformed kafka offset") != NULL);
    weir_buf_free(&mp);
    kp_free(&l);
  }
  /* trailing bytes */
  uint8_t two[] = {0x80, 0x80};
  kp_list l = {0};
  char err[256];
  cr_expect_eq(kp_decode(two, 2, &l, err, sizeof err), WEIR_ERR_FORMAT);
  kp_free(&l);
}

Test(kafka_offsets, json_starting_offsets) {
  kp_list l = {0};
  char err[256];
  cr_assert_eq(kp_parse_json_map("{\"t\":{\"0\":23,\"1\":-2},\"u\":{\"3\":-1}}",
                                 0, &l, err, sizeof err),
               WEIR_OK, "%s", err);
  cr_expect_eq(l.n, 3);
  cr_expect_eq(kp_find(&l, "t", 0)->until, 23);
  cr_expect_eq(kp_find(&l, "t", 1)->until, -2);
  cr_expect_eq(kp_find(&l, "u", 3)->until, -1);
  cr_expect_eq(
      kp_parse_json_map("{\"t\":{\"0\":\"x\"}}", 0, &l, err, sizeof err),
      WEIR_ERR_INVALID);
  cr_expect(strstr(err, "partition t-0: expected an offset") != NULL, "%s",
            err);
  cr_expect_eq(
      kp_parse_json_map("{\"t\":{\"0\":1,\"0\":2}}", 0, &l, err, sizeof err),
      WEIR_ERR_INVALID);
  cr_expect(strstr(err, "given twice") != NULL, "%s", err);
  cr_expect_eq(kp_parse_json_map("{\"t\":[0]}", 0, &l, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_expect_eq(kp_parse_json_map("{\"t\":", 0, &l, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_expect(strstr(err, "not valid JSON") != NULL, "%s", err);
  kp_free(&l);
}

Test(kafka_offsets, json_timestamps) {
  kp_list l = {0};
  char err[256];
  cr_assert_eq(
      kp_parse_json_map(
          "{\"t\":{\"0\":1700000000000,\"1\":\"2026-01-01T00:00:00Z\"}}", 1, &l,
          err, sizeof err),
      WEIR_OK, "%s", err);
  cr_expect_eq(kp_find(&l, "t", 0)->until, 1700000000000);
  cr_expect_eq(kp_find(&l, "t", 1)->until, 1767225600000);
  kp_free(&l);
}

Test(kafka_offsets, json_assign) {
  kp_list l = {0};
  char err[256];
  cr_assert_eq(
      kp_parse_json_assign("{\"a\":[0,2],\"b\":[1]}", &l, err, sizeof err),
      WEIR_OK, "%s", err);
  cr_expect_eq(l.n, 3);
  cr_expect_not_null(kp_find(&l, "a", 2));
  cr_expect_not_null(kp_find(&l, "b", 1));
  cr_expect_eq(kp_parse_json_assign("{\"a\":[0,0]}", &l, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_expect_eq(kp_parse_json_assign("{\"a\":[-1]}", &l, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_expect_eq(kp_parse_json_assign("{}", &l, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_expect(strstr(err, "partition lists") != NULL, "%s", err);
  kp_free(&l);
}

/* Spark's rateLimit, transcribed (doubles, floor, ceil below 1). */
static int64_t spark_share(int64_t limit, int64_t size, double total) {
  double prorate = (double)limit * ((double)size / total);
  return (int64_t)(prorate < 1 ? ceil(prorate) : floor(prorate));
}

Test(kafka_offsets, rate_limit_as_spark) {
  kp_list l = {0};
  /* backlogs 9, 7, 8, 6 (total 30), limit 7 */
  add(&l, "t", 0, 0, 9);
  add(&l, "t", 1, 0, 7);
  add(&l, "t", 2, 0, 8);
  add(&l, "t", 3, 0, 6);
  kp_rate_limit(&l, 7);
  cr_expect_eq(l.v[0].until, 2); /* 2.1 */
  cr_expect_eq(l.v[1].until, 1); /* 1.63 */
  cr_expect_eq(l.v[2].until, 1); /* 1.87 */
  cr_expect_eq(l.v[3].until, 1); /* 1.4 */
  kp_free(&l);
}

Test(kafka_offsets, rate_limit_small_partitions_not_starved) {
  kp_list l = {0};
  add(&l, "t", 0, 100, 1100); /* 1000 */
  add(&l, "t", 1, 50, 51);    /* 1: share 0.0099 -> ceil 1 */
  add(&l, "t", 2, 5, 5);      /* nothing: left alone */
  kp_rate_limit(&l, 10);
  cr_expect_eq(l.v[0].until, 100 + spark_share(10, 1000, 1001));
  cr_expect_eq(l.v[1].until, 51);
  cr_expect_eq(l.v[2].until, 5);
  cr_expect_eq(kp_backlog(&l), 9 + 1);
  kp_free(&l);
}

Test(kafka_offsets, rate_limit_never_past_end) {
  kp_list l = {0};
  add(&l, "t", 0, 0, 3);
  add(&l, "t", 1, 0, 4);
  kp_rate_limit(&l, 1000);
  cr_expect_eq(l.v[0].until, 3);
  cr_expect_eq(l.v[1].until, 4);
  kp_free(&l);
}
