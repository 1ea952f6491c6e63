/* tests/unit/test_window.c — event-time window assignment
 * (plugins/aggregate/window.c) against SEMANTICS.md and Spark's
 * TimeWindowing rule: the worked example, tumbling and sliding windows,
 * offsets (positive and negative), negative times, slides that do not
 * divide the size, the argument checks Spark makes, overflow at the ends of
 * int64; and the option-list parser the aggregate operator reads group_by
 * and aggregate with (plugins/aggregate/call.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

#include "../../plugins/aggregate/call.h"
#include "../../plugins/aggregate/window.h"

#define SEC INT64_C(1000000)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
/* 2026-01-01 12:00:00 UTC in µs */
#define NOON (INT64_C(1767268800) * SEC)

static win_spec spec(int64_t size, int64_t slide, int64_t offset) {
  win_spec w;
  char err[256];
  cr_assert_eq(win_spec_init(&w, size, slide, offset, err, sizeof err), WEIR_OK,
               "%s", err);
  return w;
}

static int assign(const win_spec *w, int64_t t, int64_t *starts) {
  return win_assign(w, t, starts);
}

Test(window, semantics_example) {
  /* size 10 min, slide 5 min, t = 12:07 → [12:05, 12:15), [12:00, 12:10) */
  win_spec w = spec(10 * MIN, 5 * MIN, 0);
  int64_t s[WIN_MAX_OVERLAP];
  int n = assign(&w, NOON + 7 * MIN, s);
  cr_assert_eq(n, 2);
  cr_assert_eq(s[0], NOON + 5 * MIN);
  cr_assert_eq(s[1], NOON);
  cr_assert_eq(w.count, 2);
}

Test(window, tumbling) {
  win_spec w = spec(MIN, 0, 0); /* slide 0 = size */
  int64_t s[4];
  cr_assert_eq(w.slide, MIN);
  cr_assert_eq(assign(&w, NOON + 7 * MIN + 30 * SEC, s), 1);
  cr_assert_eq(s[0], NOON + 7 * MIN);
  /* windows are [start, end): the end belongs to the next one */
  cr_assert_eq(assign(&w, NOON + 8 * MIN, s), 1);
  cr_assert_eq(s[0], NOON + 8 * MIN);
  cr_assert_eq(assign(&w, NOON + 8 * MIN - 1, s), 1);
  cr_assert_eq(s[0], NOON + 7 * MIN);
}

Test(window, sliding_on_a_boundary) {
  win_spec w = spec(10 * MIN, 5 * MIN, 0);
  int64_t s[4];
  cr_assert_eq(assign(&w, NOON + 5 * MIN, s), 2);
  cr_assert_eq(s[0], NOON + 5 * MIN);
  cr_assert_eq(s[1], NOON);
}

Test(window, offsets) {
  /* hourly windows starting at a quarter past */
  win_spec w = spec(HOUR, HOUR, 15 * MIN);
  int64_t s[4];
  cr_assert_eq(assign(&w, NOON + 10 * MIN, s), 1);
  cr_assert_eq(s[0], NOON - 45 * MIN);
  cr_assert_eq(assign(&w, NOON + 15 * MIN, s), 1);
  cr_assert_eq(s[0], NOON + 15 * MIN);
  /* a negative offset: a quarter before the hour */
  w = spec(HOUR, HOUR, -15 * MIN);
  cr_assert_eq(assign(&w, NOON + 50 * MIN, s), 1);
  cr_assert_eq(s[0], NOON + 45 * MIN);
  cr_assert_eq(assign(&w, NOON + 40 * MIN, s), 1);
  cr_assert_eq(s[0], NOON - 15 * MIN);
  /* sliding with an offset: size 10, slide 5, offset 2 (minutes) */
  w = spec(10 * MIN, 5 * MIN, 2 * MIN);
  cr_assert_eq(assign(&w, NOON + 7 * MIN, s), 2);
  cr_assert_eq(s[0], NOON + 7 * MIN);
  cr_assert_eq(s[1], NOON + 2 * MIN);
}

Test(window, negative_times) {
  /* before 1970: the remainder is taken non-negative, as Spark does */
  win_spec w = spec(10 * SEC, 0, 0);
  int64_t s[4];
  cr_assert_eq(assign(&w, -1, s), 1);
  cr_assert_eq(s[0], -10 * SEC);
  cr_assert_eq(assign(&w, -10 * SEC, s), 1);
  cr_assert_eq(s[0], -10 * SEC);
  cr_assert_eq(assign(&w, -10 * SEC - 1, s), 1);
  cr_assert_eq(s[0], -20 * SEC);
  w = spec(10 * SEC, 5 * SEC, 0);
  cr_assert_eq(assign(&w, -7 * SEC, s), 2);
  cr_assert_eq(s[0], -10 * SEC);
  cr_assert_eq(s[1], -15 * SEC);
}

Test(window, slide_not_dividing_size) {
  /* size 10, slide 3 (minutes), t = 12:07: candidates 12:06, 12:03, 12:00,
   * 11:57; the last one ends at 12:07 and does not contain t. */
  win_spec w = spec(10 * MIN, 3 * MIN, 0);
  int64_t s[8];
  cr_assert_eq(w.count, 4);
  cr_assert_eq(w.exact, 0);
  cr_assert_eq(assign(&w, NOON + 7 * MIN, s), 3);
  cr_assert_eq(s[0], NOON + 6 * MIN);
  cr_assert_eq(s[1], NOON + 3 * MIN);
  cr_assert_eq(s[2], NOON);
}

Test(window, every_row_in_size_over_slide_windows) {
  /* property: for random t, each window contains t, starts are aligned to
   * the offset and distinct, and there are exactly size/slide of them. */
  win_spec w = spec(60 * SEC, 15 * SEC, 7 * SEC);
  int64_t s[8];
  srand(42);
  for (int i = 0; i < 20000; i++) {
    int64_t t = ((int64_t)rand() - RAND_MAX / 2) * 997;
    int n = assign(&w, t, s);
    cr_assert_eq(n, 4, "t=%lld", (long long)t);
    for (int k = 0; k < n; k++) {
      cr_assert(s[k] <= t && t < s[k] + w.size);
      int64_t r = (s[k] - w.offset) % w.slide;
      cr_assert_eq(r, 0);
      if (k)
        cr_assert_eq(s[k - 1] - s[k], w.slide);
    }
  }
}

Test(window, spark_argument_checks) {
  win_spec w;
  char err[256];
  cr_assert_eq(win_spec_init(&w, 0, 0, 0, err, sizeof err), WEIR_ERR_INVALID);
  cr_assert(strstr(err, "greater than 0"));
  cr_assert_eq(win_spec_init(&w, 5 * MIN, 10 * MIN, 0, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert(strstr(err, "slide duration (10 minutes) must be less than or "
                        "equal to the window duration (5 minutes)"),
            "%s", err);
  cr_assert_eq(win_spec_init(&w, 10 * MIN, 5 * MIN, 5 * MIN, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert(strstr(err, "start offset"), "%s", err);
  cr_assert_eq(win_spec_init(&w, 10 * MIN, 5 * MIN, -5 * MIN, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert_eq(win_spec_init(&w, 10 * MIN, 5 * MIN, -4 * MIN, err, sizeof err),
               WEIR_OK);
  cr_assert_eq(win_spec_init(&w, 2000 * SEC, SEC, 0, err, sizeof err),
               WEIR_ERR_INVALID);
}

Test(window, parse_arguments) {
  win_spec w;
  char err[256];
  const char *a1[] = {"10 minutes"};
  cr_assert_eq(win_spec_parse(&w, a1, 1, err, sizeof err), WEIR_OK, "%s", err);
  cr_assert_eq(w.size, 10 * MIN);
  cr_assert_eq(w.slide, 10 * MIN);
  const char *a3[] = {"10m", "5 minutes", "-2 minutes"};
  cr_assert_eq(win_spec_parse(&w, a3, 3, err, sizeof err), WEIR_OK, "%s", err);
  cr_assert_eq(w.slide, 5 * MIN);
  cr_assert_eq(w.offset, -2 * MIN);
  const char *bad[] = {"ten minutes"};
  cr_assert_eq(win_spec_parse(&w, bad, 1, err, sizeof err), WEIR_ERR_INVALID);
  cr_assert(strstr(err, "window duration: 'ten minutes' is not a duration"),
            "%s", err);
  const char *zero[] = {"10m", "0s"};
  cr_assert_eq(win_spec_parse(&w, zero, 2, err, sizeof err), WEIR_ERR_INVALID);
}

Test(window, int64_edges) {
  win_spec w = spec(10 * SEC, 5 * SEC, 0);
  int64_t s[4];
  /* windows whose end would overflow are skipped, never wrapped */
  int n = assign(&w, INT64_MAX, s);
  for (int k = 0; k < n; k++)
    cr_assert(s[k] <= INT64_MAX - w.size);
  n = assign(&w, INT64_MIN, s);
  for (int k = 0; k < n; k++)
    cr_assert(s[k] <= INT64_MIN + w.size);
}

/* ---- call lists --------------------------------------------------------- */

Test(call, group_by_list) {
  call_list l;
  char err[256];
  cr_assert_eq(call_list_parse("window(ts, 10 minutes, 5 minutes), kind AS k",
                               &l, err, sizeof err),
               WEIR_OK, "%s", err);
  cr_assert_eq(l.n, 2);
  cr_assert_str_eq(l.items[0].name, "window");
  cr_assert_eq(l.items[0].is_call, 1);
  cr_assert_eq(l.items[0].nargs, 3);
  cr_assert_str_eq(l.items[0].args[0], "ts");
  cr_assert_str_eq(l.items[0].args[2], "5 minutes");
  cr_assert_str_eq(l.items[1].name, "kind");
  cr_assert_str_eq(l.items[1].alias, "k");
  cr_assert_eq(l.items[1].is_call, 0);
  call_list_free(&l);
}

Test(call, aggregates_quotes_and_aliases) {
  call_list l;
  char err[256];
  cr_assert_eq(call_list_parse("count, count(*) as n, sum(`my col`) AS `total, "
                               "all`, max(x)AS y",
                               &l, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert_eq(
      call_list_parse("count, count(*) as n, sum(`my col`) AS `total, all`, "
                      "window(ts, '1 minute')",
                      &l, err, sizeof err),
      WEIR_OK, "%s", err);
  cr_assert_eq(l.n, 4);
  cr_assert_eq(l.items[0].is_call, 0);
  cr_assert_str_eq(l.items[1].args[0], "*");
  cr_assert_str_eq(l.items[1].alias, "n");
  cr_assert_str_eq(l.items[2].args[0], "my col");
  cr_assert_str_eq(l.items[2].alias, "total, all");
  cr_assert_str_eq(l.items[3].args[1], "1 minute");
  call_list_free(&l);
}

Test(call, errors_name_the_item) {
  call_list l;
  char err[256];
  cr_assert_eq(call_list_parse("count,, sum(x)", &l, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert(strstr(err, "empty item"), "%s", err);
  cr_assert_eq(call_list_parse("sum(x", &l, err, sizeof err), WEIR_ERR_INVALID);
  cr_assert(strstr(err, "unbalanced"), "%s", err);
  cr_assert_eq(call_list_parse("sum(x) AS", &l, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert_eq(call_list_parse("a b", &l, err, sizeof err), WEIR_ERR_INVALID);
  cr_assert(strstr(err, "'a b'"), "%s", err);
  cr_assert_eq(call_list_parse("  ", &l, err, sizeof err), WEIR_OK);
  cr_assert_eq(l.n, 0);
  cr_assert_eq(call_list_parse(NULL, &l, err, sizeof err), WEIR_OK);
}
