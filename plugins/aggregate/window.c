/* window.c — window assignment and window(...) argument parsing (see
 * window.h for the rule). */
#include "window.h"

#include <stdio.h>
#include <string.h>

#include <weir/weir.h>

int win_spec_init(win_spec *w, int64_t size, int64_t slide, int64_t offset,
                  char *err, size_t errlen) {
  char a[64], b[64];
  if (slide == 0)
    slide = size;
  if (size <= 0) {
    snprintf(err, errlen, "the window duration must be greater than 0");
    return WEIR_ERR_INVALID;
  }
  if (slide <= 0) {
    snprintf(err, errlen, "the slide duration must be greater than 0");
    return WEIR_ERR_INVALID;
  }
  if (slide > size) {
    weir_format_duration(slide, a, sizeof a);
    weir_format_duration(size, b, sizeof b);
    snprintf(err, errlen,
             "the slide duration (%s) must be less than or equal to the "
             "window duration (%s)",
             a, b);
    return WEIR_ERR_INVALID;
  }
  if (offset <= -slide || offset >= slide) {
    weir_format_duration(offset < 0 ? -offset : offset, a, sizeof a);
    weir_format_duration(slide, b, sizeof b);
    snprintf(err, errlen,
             "the absolute value of the start offset (%s) must be less than "
             "the slide duration (%s)",
             a, b);
    return WEIR_ERR_INVALID;
  }
  int64_t count = size / slide + (size % slide != 0);
  if (count > WIN_MAX_OVERLAP) {
    snprintf(err, errlen,
             "window duration / slide duration = %lld: each row would fall "
             "in that many windows (at most %d)",
             (long long)count, WIN_MAX_OVERLAP);
    return WEIR_ERR_INVALID;
  }
  w->size = size;
  w->slide = slide;
  w->offset = offset;
  w->count = (int)count;
  w->exact = size % slide == 0;
  return WEIR_OK;
}

int win_assign(const win_spec *w, int64_t t, int64_t *starts) {
  int64_t shifted, rem, last;
  /* t − offset, then the non-negative remainder modulo slide */
  if (__builtin_sub_overflow(t, w->offset, &shifted))
    return 0;
  rem = shifted % w->slide;
  if (rem < 0)
    rem += w->slide;
  if (__builtin_sub_overflow(t, rem, &last))
    return 0;
  int n = 0;
  for (int i = 0; i < w->count; i++) {
    int64_t back, start, end;
    if (__builtin_mul_overflow((int64_t)i, w->slide, &back) ||
        __builtin_sub_overflow(last, back, &start) ||
        __builtin_add_overflow(start, w->size, &end))
      continue;
    if (w->exact || (start <= t && t < end))
      starts[n++] = start;
  }
  return n;
}

/* "-5 minutes" → −(5 minutes); anything else as weir_parse_duration. */
static int parse_signed(const char *s, int allow_negative, int64_t *us,
                        char *err, size_t errlen) {
  char sub[256];
  int neg = 0;
  while (*s == ' ' || *s == '\t')
    s++;
  if (allow_negative && *s == '-') {
    neg = 1;
    s++;
  }
  if (weir_parse_duration(s, us, sub, sizeof sub) != WEIR_OK) {
    snprintf(err, errlen, "'%s' is not a duration (%s)", s, sub);
    return WEIR_ERR_INVALID;
  }
  if (neg)
    *us = -*us;
  return WEIR_OK;
}

int win_spec_parse(win_spec *w, const char *const *args, size_t nargs,
                   char *err, size_t errlen) {
  static const char *const what[] = {"window duration", "slide duration",
                                     "start offset"};
  int64_t v[3] = {0, 0, 0};
  if (nargs < 1 || nargs > 3) {
    snprintf(err, errlen,
             "window(column, size[, slide[, offset]]) takes 2 to 4 "
             "arguments, got %zu",
             nargs + 1);
    return WEIR_ERR_INVALID;
  }
  for (size_t i = 0; i < nargs; i++) {
    char sub[512];
    if (parse_signed(args[i], i == 2, &v[i], sub, sizeof sub) != WEIR_OK) {
      snprintf(err, errlen, "window %s: %s", what[i], sub);
      return WEIR_ERR_INVALID;
    }
  }
  if (nargs >= 2 && v[1] == 0) {
    snprintf(err, errlen, "the slide duration must be greater than 0");
    return WEIR_ERR_INVALID;
  }
  return win_spec_init(w, v[0], v[1], v[2], err, errlen);
}
