/* buf.c — the growable byte buffer every encoder in the SDK writes into.
 * Errors are sticky (b->err) so that hot-path writers need not check each
 * append; the owner checks once at the end. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "weir/batch.h"

int weir_buf_reserve(weir_buf *b, size_t extra) {
  if (b->cap - b->len >= extra)
    return WEIR_OK;
  if (extra > SIZE_MAX - b->len) {
    b->err = WEIR_ERR_NOMEM;
    return WEIR_ERR_NOMEM;
  }
  size_t need = b->len + extra;
  /* Doubling keeps appends amortised O(1); 64 avoids a string of tiny
   * reallocations for the first few bytes. */
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  uint8_t *d = realloc(b->data, cap);
  if (!d) {
    b->err = WEIR_ERR_NOMEM;
    return WEIR_ERR_NOMEM;
  }
  b->data = d;
  b->cap = cap;
  return WEIR_OK;
}

void weir_buf_append(weir_buf *b, const void *p, size_t n) {
  if (n == 0)
    return;
  if (b->cap - b->len < n && weir_buf_reserve(b, n) != WEIR_OK)
    return;
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

/* Out of line so that the inline writers stay small; same contract as
 * weir_buf_append. */
void weir__put_slow(weir_buf *buf, const void *p, size_t n) {
  weir_buf_append(buf, p, n);
}

void weir_buf_printf(weir_buf *b, const char *fmt, ...) {
  va_list ap;
  size_t room = b->cap - b->len;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(room ? (char *)b->data + b->len : NULL, room, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->err = b->err ? b->err : WEIR_ERR_INVALID;
    return;
  }
  if ((size_t)n >= room) {
    if (weir_buf_reserve(b, (size_t)n + 1) != WEIR_OK)
      return;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  b->len += (size_t)n;
}

void weir_buf_free(weir_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  b->err = 0;
}
