/* test_trigger.c — trigger timing against a fake clock: the first epoch at
 * once, later ones aligned to multiples of the interval, an overrun followed
 * at once by one epoch with a warning, idle ticks running nothing, the
 * default trigger polling (not spinning) when idle. */
#include <criterion/criterion.h>

#include "trigger.h"
#include "weir/error.h"

#define SEC INT64_C(1000000)

typedef struct fake {
  int64_t now;
  int sleeps;
  int64_t starts[64];
  int nstarts, steps, max_steps;
  int64_t cost[64]; /* per step: how long the epoch takes */
  int idle[64];     /* per step: 1 = nothing to do */
  int behind;
  volatile sig_atomic_t stop;
} fake;

static int64_t f_now(void *u) { return ((fake *)u)->now; }
static void f_sleep(void *u, int64_t t, volatile sig_atomic_t *stop) {
  fake *f = u;
  (void)stop;
  f->sleeps++;
  if (t > f->now)
    f->now = t;
}

static int f_step(void *u, int64_t tick) {
  fake *f = u;
  int i = f->steps++;
  if (f->steps >= f->max_steps)
    f->stop = 1;
  if (f->idle[i])
    return STEP_IDLE;
  f->starts[f->nstarts++] = tick;
  f->now += f->cost[i];
  return STEP_RAN;
}

static void f_behind(void *u, int64_t e, int64_t i) {
  (void)e;
  (void)i;
  ((fake *)u)->behind++;
}

static void run(fake *f, const char *text) {
  trigger t;
  char err[256];
  cr_assert_eq(trigger_parse(text, &t, err, sizeof err), WEIR_OK, "%s", err);
  weir_clock c = {f_now, f_sleep, f};
  cr_assert_eq(trigger_loop(&t, &c, &f->stop, f_step, f_behind, f), WEIR_OK);
}

Test(trigger, parse) {
  trigger t;
  char err[256];
  cr_assert_eq(trigger_parse("processing-time 30 seconds", &t, err, 256), 0);
  cr_assert_eq(t.kind, TRIGGER_PROCESSING_TIME);
  cr_assert_eq(t.interval_us, 30 * SEC);
  cr_assert_eq(trigger_parse("once", &t, err, 256), 0);
  cr_assert_eq(t.kind, TRIGGER_ONCE);
  cr_assert_eq(trigger_parse("available-now", &t, err, 256), 0);
  cr_assert_eq(t.kind, TRIGGER_AVAILABLE_NOW);
  cr_assert_eq(trigger_parse("default", &t, err, 256), 0);
  cr_assert_eq(t.kind, TRIGGER_DEFAULT);
  cr_assert_eq(trigger_parse("processing-time 0s", &t, err, 256), 0);
  cr_assert_eq(t.kind, TRIGGER_DEFAULT);
  cr_assert_eq(trigger_parse("sometimes", &t, err, 256), WEIR_ERR_INVALID);
  cr_assert_str_eq(err, "bad trigger 'sometimes': expected default, "
                        "processing-time DURATION (e.g. processing-time 30 "
                        "seconds), once or available-now");
}

Test(trigger, next_tick_alignment) {
  cr_assert_eq(trigger_next_tick(0, 10 * SEC), 10 * SEC);
  cr_assert_eq(trigger_next_tick(3 * SEC, 10 * SEC), 10 * SEC);
  cr_assert_eq(trigger_next_tick(10 * SEC, 10 * SEC), 20 * SEC);
  cr_assert_eq(trigger_next_tick(-3 * SEC, 10 * SEC), 0);
}

Test(trigger, processing_time_aligned) {
  fake f = {.now = 1003 * SEC + 250000, .max_steps = 4};
  for (int i = 0; i < 4; i++)
    f.cost[i] = SEC; /* fast epochs */
  run(&f, "processing-time 10 seconds");
  cr_assert_eq(f.nstarts, 4);
  cr_assert_eq(f.starts[0], 1003 * SEC + 250000); /* first: at once */
  cr_assert_eq(f.starts[1], 1010 * SEC);
  cr_assert_eq(f.starts[2], 1020 * SEC);
  cr_assert_eq(f.starts[3], 1030 * SEC);
  cr_assert_eq(f.behind, 0);
}

Test(trigger, processing_time_overrun) {
  fake f = {.now = 1000 * SEC, .max_steps = 3};
  f.cost[0] = 25 * SEC; /* overruns 2.5 intervals */
  f.cost[1] = SEC;
  f.cost[2] = SEC;
  run(&f, "processing-time 10 seconds");
  cr_assert_eq(f.nstarts, 3);
  cr_assert_eq(f.starts[0], 1000 * SEC);
  /* Followed at once by one epoch; ticks 1010 and 1020 are not replayed. */
  cr_assert_eq(f.starts[1], 1025 * SEC);
  cr_assert_eq(f.starts[2], 1030 * SEC);
  cr_assert_eq(f.behind, 1);
}

Test(trigger, processing_time_idle_tick_runs_nothing) {
  fake f = {.now = 1000 * SEC, .max_steps = 4};
  f.idle[1] = 1;
  f.idle[2] = 1;
  run(&f, "processing-time 10 seconds");
  cr_assert_eq(f.nstarts, 2);
  cr_assert_eq(f.starts[0], 1000 * SEC);
  cr_assert_eq(f.starts[1], 1030 * SEC);
  cr_assert_eq(f.steps, 4);
}

Test(trigger, default_polls_when_idle) {
  fake f = {.now = 5 * SEC, .max_steps = 5};
  f.idle[1] = f.idle[2] = f.idle[3] = 1;
  run(&f, "default");
  cr_assert_eq(f.nstarts, 2);
  cr_assert_eq(f.sleeps, 3); /* one sleep per idle step, none after work */
  cr_assert_eq(f.starts[1], 5 * SEC + 3 * 10000);
}

Test(trigger, once_runs_one_step) {
  fake f = {.now = 5 * SEC, .max_steps = 10};
  f.idle[0] = 1;
  run(&f, "once");
  cr_assert_eq(f.steps, 1);
}

static int done_after_two(void *u, int64_t tick) {
  fake *f = u;
  (void)tick;
  return ++f->steps >= 2 ? STEP_DONE : STEP_RAN;
}

Test(trigger, available_now_until_done) {
  fake f = {.now = 5 * SEC};
  trigger t;
  char err[64];
  trigger_parse("available-now", &t, err, sizeof err);
  weir_clock c = {f_now, f_sleep, &f};
  cr_assert_eq(trigger_loop(&t, &c, &f.stop, done_after_two, NULL, &f), 0);
  cr_assert_eq(f.steps, 2);
  cr_assert_eq(f.sleeps, 0);
}
