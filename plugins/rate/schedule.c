/* plugins/rate/schedule.c — the rate source's row/second arithmetic (see
 * schedule.h). The cumulative count follows Spark's
 * RateStreamProvider.valueAtSecond to the row:
 *
 *   delta = rps / (ramp + 1)                       (integer division)
 *   s <= ramp:  cum(s) = delta * s * (s + 1) / 2
 *   s >  ramp:  cum(s) = cum(ramp) + (s - ramp) * rps
 *
 * e.g. rps = 10, ramp = 4: delta = 2, cum = 0 2 6 12 20 30 40 ... */
#include "schedule.h"

static int64_t sat_mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return INT64_MAX;
  return r;
}

static int64_t sat_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return INT64_MAX;
  return r;
}

/* delta * s * (s + 1) / 2 for 0 <= s <= ramp, halving the even factor first
 * as Spark does so that no intermediate product is needlessly large. */
static int64_t ramp_cum(const rate_sched *s, int64_t sec) {
  int64_t tri =
      (sec % 2 == 1) ? sat_mul((sec + 1) / 2, sec) : sat_mul(sec / 2, sec + 1);
  return sat_mul(tri, s->delta);
}

void rate_sched_init(rate_sched *s, int64_t rps, int64_t ramp_seconds) {
  s->rps = rps < 0 ? 0 : rps;
  s->ramp = ramp_seconds < 0 ? 0 : ramp_seconds;
  s->delta = s->ramp == INT64_MAX ? 0 : s->rps / (s->ramp + 1);
  s->ramp_rows = ramp_cum(s, s->ramp);
}

int64_t rate_cum(const rate_sched *s, int64_t sec) {
  if (sec <= 0)
    return 0;
  if (sec <= s->ramp)
    return ramp_cum(s, sec);
  return sat_add(s->ramp_rows, sat_mul(sec - s->ramp, s->rps));
}

int64_t rate_second_of(const rate_sched *s, int64_t v) {
  if (v < 0)
    v = 0;
  if (v >= s->ramp_rows) {
    /* After the ramp-up: cum(ramp + k + 1) = ramp_rows + (k + 1) * rps > v
     * for the first time at k = (v - ramp_rows) / rps. */
    if (s->rps == 0 || v == INT64_MAX)
      return INT64_MAX;
    int64_t k = (v - s->ramp_rows) / s->rps;
    if (k >= INT64_MAX - s->ramp)
      return INT64_MAX;
    /* With a saturated cum the value may not exist at all. */
    int64_t sec = s->ramp + k;
    return rate_cum(s, sec + 1) > v ? sec : INT64_MAX;
  }
  /* During the ramp-up (v < cum(ramp)): the answer is in [0, ramp - 1]. */
  int64_t lo = 0, hi = s->ramp - 1;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (rate_cum(s, mid + 1) > v)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

int64_t rate_available(const rate_sched *s, int64_t start_us, int64_t now_us) {
  if (now_us <= start_us)
    return 0;
  return rate_cum(s, (now_us - start_us) / 1000000);
}

void rate_cursor_init(rate_cursor *c, const rate_sched *s, int64_t v) {
  c->s = s;
  c->second = rate_second_of(s, v);
  c->next = c->second == INT64_MAX ? INT64_MAX : rate_cum(s, c->second + 1);
}

void rate_cursor_advance(rate_cursor *c, int64_t v) {
  /* Usually one step; several when seconds without rows lie in between
   * (a ramp-up whose delta is 0), and a search when v jumped far ahead. */
  for (int i = 0; i < 4 && v >= c->next; i++) {
    if (c->second == INT64_MAX)
      return;
    c->second++;
    c->next = rate_cum(c->s, c->second + 1);
  }
  if (v >= c->next)
    rate_cursor_init(c, c->s, v);
}
