/* trigger.c — the epoch scheduler. Follows Spark's ProcessingTimeExecutor:
 * the first epoch starts at once, later ones at the next multiple of the
 * interval since the Unix epoch; an overrun epoch is followed at once by one
 * epoch (missed ticks are not replayed) and a warning. */
#include "trigger.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "weir/error.h"
#include "weir/units.h"

static int64_t wall_now(void *u) {
  (void)u;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Sleeps in slices of at most 50 ms so a signal-set stop flag is seen
 * promptly even if the signal arrived between the check and the sleep. */
static void wall_sleep_until(void *u, int64_t t, volatile sig_atomic_t *stop) {
  for (;;) {
    if (stop && *stop)
      return;
    int64_t left = t - wall_now(u);
    if (left <= 0)
      return;
    if (left > 50000)
      left = 50000;
    struct timespec ts = {(time_t)(left / 1000000),
                          (long)(left % 1000000) * 1000};
    nanosleep(&ts, NULL);
  }
}

const weir_clock weir_wall_clock = {wall_now, wall_sleep_until, NULL};

int64_t trigger_next_tick(int64_t now, int64_t interval) {
  int64_t q = now / interval;
  if (now % interval < 0)
    q--;
  return q * interval + interval;
}

static int word_is(const char *s, size_t n, const char *const *alts) {
  for (; *alts; alts++)
    if (strlen(*alts) == n && strncasecmp(s, *alts, n) == 0)
      return 1;
  return 0;
}

int trigger_parse(const char *text, trigger *t, char *err, size_t errlen) {
  static const char *const dflt[] = {"default", NULL};
  static const char *const once[] = {"once", NULL};
  static const char *const avail[] = {"available-now", "availablenow",
                                      "available_now", NULL};
  static const char *const pt[] = {"processing-time", "processingtime",
                                   "processing_time", NULL};
  memset(t, 0, sizeof *t);
  t->poll_us = 10000;
  while (isspace((unsigned char)*text))
    text++;
  size_t n = strcspn(text, " \t");
  const char *rest = text + n;
  while (isspace((unsigned char)*rest))
    rest++;
  if (word_is(text, n, dflt) && !*rest) {
    t->kind = TRIGGER_DEFAULT;
    return WEIR_OK;
  }
  if (word_is(text, n, once) && !*rest) {
    t->kind = TRIGGER_ONCE;
    return WEIR_OK;
  }
  if (word_is(text, n, avail) && !*rest) {
    t->kind = TRIGGER_AVAILABLE_NOW;
    return WEIR_OK;
  }
  const char *dur = word_is(text, n, pt) ? rest : text;
  char sub[200];
  if (*dur &&
      weir_parse_duration(dur, &t->interval_us, sub, sizeof sub) == WEIR_OK) {
    if (t->interval_us <= 0) {
      t->kind = TRIGGER_DEFAULT; /* Spark: an interval of 0 is the default */
      return WEIR_OK;
    }
    t->kind = TRIGGER_PROCESSING_TIME;
    return WEIR_OK;
  }
  snprintf(err, errlen,
           "bad trigger '%s': expected default, processing-time DURATION "
           "(e.g. processing-time 30 seconds), once or available-now",
           text);
  return WEIR_ERR_INVALID;
}

void trigger_format(const trigger *t, char *out, size_t n) {
  char d[64];
  switch (t->kind) {
  case TRIGGER_DEFAULT: snprintf(out, n, "default"); break;
  case TRIGGER_ONCE: snprintf(out, n, "once"); break;
  case TRIGGER_AVAILABLE_NOW: snprintf(out, n, "available-now"); break;
  case TRIGGER_PROCESSING_TIME:
    weir_format_duration(t->interval_us, d, sizeof d);
    snprintf(out, n, "processing-time %s", d);
    break;
  }
}

int trigger_loop(const trigger *t, const weir_clock *clock,
                 volatile sig_atomic_t *stop, trigger_step_fn step,
                 trigger_behind_fn behind, void *u) {
  while (!*stop) {
    int64_t tick = clock->now(clock->u);
    int r = step(u, tick);
    if (r < 0)
      return r;
    if (r == STEP_DONE || t->kind == TRIGGER_ONCE)
      return WEIR_OK;
    switch (t->kind) {
    case TRIGGER_PROCESSING_TIME: {
      int64_t next = trigger_next_tick(tick, t->interval_us);
      int64_t elapsed = clock->now(clock->u) - tick;
      if (r == STEP_RAN && elapsed > t->interval_us && behind)
        behind(u, elapsed, t->interval_us);
      clock->sleep_until(clock->u, next, stop);
      break;
    }
    case TRIGGER_AVAILABLE_NOW:
      if (r == STEP_IDLE) /* the step says DONE when it is; be safe */
        return WEIR_OK;
      break;
    default:
      if (r == STEP_IDLE)
        clock->sleep_until(clock->u, clock->now(clock->u) + t->poll_us, stop);
      break;
    }
  }
  return WEIR_OK;
}
