/* trigger.h — when epochs start: default, processing-time, once and
 * available-now, driven through an injectable clock so the timing rules
 * (alignment to multiples of the interval, overrun, idle polling) are tested
 * without waiting. */
#ifndef WEIR_CORE_TRIGGER_H
#define WEIR_CORE_TRIGGER_H

#include <signal.h>
#include <stdint.h>

typedef enum trigger_kind {
  TRIGGER_DEFAULT = 0,
  TRIGGER_PROCESSING_TIME,
  TRIGGER_ONCE,
  TRIGGER_AVAILABLE_NOW
} trigger_kind;

typedef struct trigger {
  trigger_kind kind;
  int64_t interval_us; /* processing-time */
  int64_t poll_us;     /* default trigger: idle re-check interval */
} trigger;

/* A clock: now() in µs since the Unix epoch; sleep_until() returns early
 * when *stop becomes non-zero. */
typedef struct weir_clock {
  int64_t (*now)(void *u);
  void (*sleep_until)(void *u, int64_t t_us, volatile sig_atomic_t *stop);
  void *u;
} weir_clock;

/* The wall clock (CLOCK_REALTIME, nanosleep in slices). */
extern const weir_clock weir_wall_clock;

/* Parses "default", "processing-time 30 seconds" (also "processingtime",
 * "processing_time", "30 seconds"), "once", "available-now"
 * ("availablenow", "available_now"). WEIR_OK or WEIR_ERR_INVALID + err. */
int trigger_parse(const char *text, trigger *t, char *err, size_t errlen);

/* Text form for progress and messages. */
void trigger_format(const trigger *t, char *out, size_t n);

/* What one step of the query did. */
enum {
  STEP_IDLE = 0, /* nothing to do: no epoch ran */
  STEP_RAN = 1,  /* an epoch ran */
  STEP_DONE = 2  /* the query is finished (once, available-now) */
};
/* Plans and, if there is work, runs one epoch. `tick_us` is the trigger
 * time. Returns a STEP_* value or a negative weir_err. */
typedef int (*trigger_step_fn)(void *u, int64_t tick_us);

/* Called when an epoch overran the processing-time interval. */
typedef void (*trigger_behind_fn)(void *u, int64_t elapsed_us,
                                  int64_t interval_us);

/* Runs steps as the trigger dictates until a step returns STEP_DONE or an
 * error, or *stop is set. Returns WEIR_OK or the step's error. */
int trigger_loop(const trigger *t, const weir_clock *clock,
                 volatile sig_atomic_t *stop, trigger_step_fn step,
                 trigger_behind_fn behind, void *u);

/* floor(now / interval) * interval + interval: the next aligned tick. */
int64_t trigger_next_tick(int64_t now_us, int64_t interval_us);

#endif
