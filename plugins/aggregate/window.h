/* window.h — event-time windows as Spark assigns them (TimeWindowing):
 * tumbling, sliding and offset windows aligned to the Unix epoch.
 *
 * For a timestamp t (µs):
 *   last_start = t − ((t − offset) mod slide)      (mod taken non-negative)
 *   start_i    = last_start − i·slide,  i = 0 .. ceil(size/slide) − 1
 * and a window [start_i, start_i + size) is kept when it contains t (when
 * size is a multiple of slide every candidate does). Example (SEMANTICS.md):
 * size 10 min, slide 5 min, t = 12:07 → [12:05, 12:15) and [12:00, 12:10).
 *
 * Pure functions with no runtime context, so tests call them directly and
 * a third-party plugin could use them (a candidate for the SDK). Every
 * symbol is hidden. */
#ifndef WEIR_AGGREGATE_WINDOW_H
#define WEIR_AGGREGATE_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

/* At most this many windows per row (size/slide); Spark has no limit, but
 * a row copied into thousands of windows is a configuration mistake. */
#define WIN_MAX_OVERLAP 1024

typedef struct win_spec {
  int64_t size, slide, offset; /* µs */
  int count;                   /* ceil(size / slide): candidates per row */
  int exact;                   /* size % slide == 0: every candidate fits */
} win_spec;

/* Checks Spark's rules (size > 0, 0 < slide <= size, |offset| < slide,
 * size/slide <= WIN_MAX_OVERLAP) and fills *w. slide 0 means "= size"
 * (tumbling). On error returns WEIR_ERR_INVALID with a message in err. */
int win_spec_init(win_spec *w, int64_t size, int64_t slide, int64_t offset,
                  char *err, size_t errlen);

/* Writes the starts of every window that contains t into starts[] (room for
 * w->count), latest first, and returns how many. Windows whose bounds would
 * overflow int64 are skipped. */
int win_assign(const win_spec *w, int64_t t, int64_t *starts);

/* The windows of the last timestamp, reused while timestamps stay within
 * one slide (in-order data): assignment is then a compare, not a modulo.
 * Start with lo > hi (e.g. zeroed and lo = 1). */
typedef struct win_cache {
  int64_t lo, hi; /* the cached windows are those of every t in [lo, hi) */
  int n;
  int64_t starts[WIN_MAX_OVERLAP];
} win_cache;

static inline int win_assign_cached(const win_spec *w, win_cache *c, int64_t t,
                                    const int64_t **starts) {
  *starts = c->starts;
  if (t >= c->lo && t < c->hi)
    return c->n;
  c->n = win_assign(w, t, c->starts);
  /* Only when every candidate was kept does the set depend on last_start
   * (= starts[0]) alone. */
  if (!w->exact || c->n != w->count ||
      __builtin_add_overflow(c->starts[0], w->slide, &c->hi)) {
    c->lo = 1;
    c->hi = 0;
  } else {
    c->lo = c->starts[0];
  }
  return c->n;
}

/* Parses the arguments of window(col, size[, slide[, offset]]) after the
 * column: durations as weir_parse_duration reads them ("10 minutes",
 * "5m"), the offset optionally negative ("-5 minutes"). nargs is 1 to 3.
 * On error returns WEIR_ERR_INVALID with a message in err. */
int win_spec_parse(win_spec *w, const char *const *args, size_t nargs,
                   char *err, size_t errlen);

#pragma GCC visibility pop

#endif
