/* plugins/rate/schedule.h — the rate source's arithmetic: how many rows exist
 * after s elapsed seconds (Spark's RateStreamProvider.valueAtSecond), which
 * second a value belongs to, and a cursor that walks values in order while
 * keeping track of their second without any division per row.
 *
 * Rows are numbered 0, 1, 2, ... . cum(s) is the number of rows produced by
 * the end of elapsed second s (cum(0) = 0). Value v belongs to second s when
 * cum(s) <= v < cum(s + 1): it became available when second s + 1 elapsed,
 * and its timestamp is start + s seconds.
 *
 * Internal to the plugin (hidden visibility); also linked into the unit test
 * tests/unit/test_rate_schedule.c. */
#ifndef WEIR_PLUGIN_RATE_SCHEDULE_H
#define WEIR_PLUGIN_RATE_SCHEDULE_H

#include <stdint.h>

#pragma GCC visibility push(hidden)

typedef struct rate_sched {
  int64_t rps;       /* rows per second after the ramp-up (>= 0) */
  int64_t ramp;      /* ramp-up seconds (>= 0) */
  int64_t delta;     /* speed increase per ramp-up second: rps / (ramp + 1),
                        an integer division exactly as Spark computes it */
  int64_t ramp_rows; /* cum(ramp) */
} rate_sched;

/* rps >= 0, ramp_seconds >= 0. */
void rate_sched_init(rate_sched *s, int64_t rps, int64_t ramp_seconds);

/* cum(sec): rows produced by the end of elapsed second `sec` (0 for sec <= 0),
 * saturating at INT64_MAX instead of overflowing. */
int64_t rate_cum(const rate_sched *s, int64_t sec);

/* The second of value v: the smallest s >= 0 with cum(s + 1) > v. INT64_MAX
 * when no such second exists (rps = 0 or v beyond the saturated range). */
int64_t rate_second_of(const rate_sched *s, int64_t v);

/* Rows available at `now_us` for a query whose second 0 starts at
 * `start_us`: cum(floor((now - start) / 1 s)), 0 before the start. */
int64_t rate_available(const rate_sched *s, int64_t start_us, int64_t now_us);

/* Walks values upwards from a given one, tracking their second. */
typedef struct rate_cursor {
  const rate_sched *s;
  int64_t second; /* the second of the current value */
  int64_t next;   /* cum(second + 1): the first value of a later second */
} rate_cursor;

/* Positions the cursor on value v (a search, done once per range). */
void rate_cursor_init(rate_cursor *c, const rate_sched *s, int64_t v);

/* Slow path of rate_cursor_second: v has reached c->next. */
void rate_cursor_advance(rate_cursor *c, int64_t v);

/* The second of value v; v must never decrease between calls. */
static inline int64_t rate_cursor_second(rate_cursor *c, int64_t v) {
  if (v >= c->next)
    rate_cursor_advance(c, v);
  return c->second;
}

#pragma GCC visibility pop

#endif
