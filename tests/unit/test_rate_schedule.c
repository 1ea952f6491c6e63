/* tests/unit/test_rate_schedule.c — the rate source's row/second arithmetic
 * (plugins/rate/schedule.c): cumulative counts equal to Spark's
 * RateStreamProvider.valueAtSecond, the second of each value, availability
 * over time, and cursors over consecutive ranges that concatenate to exactly
 * one big range. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../plugins/rate/schedule.h"

/* Spark's valueAtSecond, transcribed as written in Scala (Long arithmetic). */
static int64_t spark_value_at_second(int64_t seconds, int64_t rps,
                                     int64_t ramp) {
  int64_t speed_delta = rps / (ramp + 1);
  if (seconds <= ramp) {
    if (seconds % 2 == 1)
      return (seconds + 1) / 2 * speed_delta * seconds;
    return seconds / 2 * speed_delta * (seconds + 1);
  }
  int64_t ramp_part = spark_value_at_second(ramp, rps, ramp);
  return ramp_part + (seconds - ramp) * rps;
}

/* The definition: the smallest s with cum(s + 1) > v, by linear search. */
static int64_t brute_second(const rate_sched *s, int64_t v) {
  int64_t sec = 0;
  while (rate_cum(s, sec + 1) <= v)
    sec++;
  return sec;
}

Test(rate_schedule, rps10_no_ramp) {
  rate_sched s;
  rate_sched_init(&s, 10, 0);
  for (int64_t sec = 0; sec <= 10; sec++)
    cr_expect_eq(rate_cum(&s, sec), 10 * sec, "cum(%lld)", (long long)sec);
  cr_expect_eq(rate_cum(&s, -3), 0);
  for (int64_t v = 0; v < 100; v++)
    cr_expect_eq(rate_second_of(&s, v), v / 10, "second of %lld", (long long)v);
}

Test(rate_schedule, rps10_ramp4_matches_spark_example) {
  /* Spark's comment: seconds 0..6 -> end value 0 2 6 12 20 30 40 */
  static const int64_t want[] = {0, 2, 6, 12, 20, 30, 40, 50, 60};
  rate_sched s;
  rate_sched_init(&s, 10, 4);
  cr_expect_eq(s.delta, 2);
  for (int64_t sec = 0; sec < 9; sec++)
    cr_expect_eq(rate_cum(&s, sec), want[sec], "cum(%lld)", (long long)sec);
  /* values 0,1 -> second 0; 2..5 -> 1; 6..11 -> 2; 12..19 -> 3;
   * 20..29 -> 4; 30..39 -> 5 */
  static const struct {
    int64_t v, sec;
  } cases[] = {{0, 0},  {1, 0},  {2, 1},  {5, 1},  {6, 2},  {11, 2}, {12, 3},
               {19, 3}, {20, 4}, {29, 4}, {30, 5}, {39, 5}, {40, 6}, {59, 7}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    cr_expect_eq(rate_second_of(&s, cases[i].v), cases[i].sec, "second of %lld",
                 (long long)cases[i].v);
}

Test(rate_schedule, equals_spark_formula_everywhere) {
  static const int64_t rps[] = {1, 2, 3, 7, 10, 100, 1000, 999983};
  static const int64_t ramp[] = {0, 1, 2, 3, 4, 5, 9, 10, 30};
  for (size_t a = 0; a < sizeof rps / sizeof rps[0]; a++)
    for (size_t b = 0; b < sizeof ramp / sizeof ramp[0]; b++) {
      rate_sched s;
      rate_sched_init(&s, rps[a], ramp[b]);
      for (int64_t sec = 0; sec < 80; sec++)
        cr_assert_eq(rate_cum(&s, sec),
                     spark_value_at_second(sec, rps[a], ramp[b]),
                     "rps %lld ramp %lld second %lld", (long long)rps[a],
                     (long long)ramp[b], (long long)sec);
    }
}

Test(rate_schedule, integer_speed_delta_as_spark) {
  /* rps 10, ramp 3: delta = 10 / 4 = 2 (not 2.5): 0 2 6 12 22 32 */
  rate_sched s;
  rate_sched_init(&s, 10, 3);
  static const int64_t want[] = {0, 2, 6, 12, 22, 32};
  for (int64_t sec = 0; sec < 6; sec++)
    cr_expect_eq(rate_cum(&s, sec), want[sec]);
  /* rps 10, ramp 20: delta 0, nothing during the ramp-up, then 10/s */
  rate_sched_init(&s, 10, 20);
  cr_expect_eq(rate_cum(&s, 20), 0);
  cr_expect_eq(rate_cum(&s, 21), 10);
  cr_expect_eq(rate_second_of(&s, 0), 20);
  cr_expect_eq(rate_second_of(&s, 9), 20);
  cr_expect_eq(rate_second_of(&s, 10), 21);
}

Test(rate_schedule, second_of_matches_definition) {
  static const int64_t cfg[][2] = {{10, 0}, {10, 4}, {10, 3},  {7, 2},
                                   {1, 0},  {3, 9},  {100, 10}};
  for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
    rate_sched s;
    rate_sched_init(&s, cfg[c][0], cfg[c][1]);
    for (int64_t v = 0; v < 2000; v++)
      cr_assert_eq(rate_second_of(&s, v), brute_second(&s, v),
                   "rps %lld ramp %lld value %lld", (long long)cfg[c][0],
                   (long long)cfg[c][1], (long long)v);
  }
}

Test(rate_schedule, zero_rate_has_no_rows) {
  rate_sched s;
  rate_sched_init(&s, 0, 0);
  cr_expect_eq(rate_cum(&s, 1000), 0);
  cr_expect_eq(rate_second_of(&s, 0), INT64_MAX);
  cr_expect_eq(rate_available(&s, 0, INT64_C(1000000000)), 0);
}

Test(rate_schedule, available_counts_whole_seconds) {
  rate_sched s;
  rate_sched_init(&s, 10, 4);
  int64_t start = INT64_C(1767225600000000); /* 2026-01-01T00:00:00Z */
  cr_expect_eq(rate_available(&s, start, start - 5), 0);
  cr_expect_eq(rate_available(&s, start, start), 0);
  cr_expect_eq(rate_available(&s, start, start + 999999), 0);
  cr_expect_eq(rate_available(&s, start, start + 1000000), 2);
  cr_expect_eq(rate_available(&s, start, start + 3999999), 12);
  cr_expect_eq(rate_available(&s, start, start + 4999999), 20);
  cr_expect_eq(rate_available(&s, start, start + 5000000), 30);
  cr_expect_eq(rate_available(&s, start, start + 6500000), 40);
}

Test(rate_schedule, saturates_instead_of_overflowing) {
  rate_sched s;
  rate_sched_init(&s, INT64_MAX / 2, 0);
  cr_expect_eq(rate_cum(&s, 1), INT64_MAX / 2);
  cr_expect_eq(rate_cum(&s, 3), INT64_MAX);
  cr_expect_eq(rate_cum(&s, INT64_MAX), INT64_MAX);
  rate_sched_init(&s, INT64_MAX, 1000000);
  cr_expect_eq(rate_cum(&s, 1000000), INT64_MAX);
  cr_expect(rate_second_of(&s, INT64_MAX - 1) < INT64_MAX);
}

/* Seconds of values [from, to) walked with one cursor. */
static void walk(const rate_sched *s, int64_t from, int64_t to, int64_t *out) {
  rate_cursor c;
  rate_cursor_init(&c, s, from);
  for (int64_t v = from; v < to; v++)
    out[v - from] = rate_cursor_second(&c, v);
}

Test(rate_schedule, consecutive_ranges_concatenate) {
  static const int64_t cfg[][2] = {{10, 0}, {10, 4}, {10, 20},
                                   {7, 2},  {1, 0},  {1000, 3}};
  enum { N = 5000 };
  int64_t *whole = malloc(N * sizeof *whole),
          *parts = malloc(N * sizeof *parts);
  cr_assert(whole && parts);
  srand(12345);
  for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
    rate_sched s;
    rate_sched_init(&s, cfg[c][0], cfg[c][1]);
    walk(&s, 0, N, whole);
    /* the same values in ranges of random sizes (1..300), as epochs cut by
     * max_rows_per_trigger or by the clock would read them */
    for (int64_t from = 0; from < N;) {
      int64_t to = from + 1 + rand() % 300;
      if (to > N)
        to = N;
      walk(&s, from, to, parts + from);
      from = to;
    }
    for (int64_t v = 0; v < N; v++) {
      cr_assert_eq(parts[v], whole[v], "rps %lld ramp %lld value %lld",
                   (long long)cfg[c][0], (long long)cfg[c][1], (long long)v);
      cr_assert_eq(whole[v], brute_second(&s, v));
    }
  }
  free(whole);
  free(parts);
}

Test(rate_schedule, ranges_match_spark_per_second_batches) {
  /* Spark reads seconds [a, b) as values [cum(a), cum(b)); a range that ends
   * at a whole second holds exactly the rows of those seconds. */
  rate_sched s;
  rate_sched_init(&s, 10, 4);
  int64_t sec[64];
  walk(&s, rate_cum(&s, 2), rate_cum(&s, 5), sec);
  for (int64_t v = rate_cum(&s, 2); v < rate_cum(&s, 5); v++) {
    int64_t want = v < 12 ? 2 : v < 20 ? 3 : 4;
    cr_expect_eq(sec[v - rate_cum(&s, 2)], want, "value %lld", (long long)v);
  }
}
