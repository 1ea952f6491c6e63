/* plugins/file/lines.c — the bounded line reader of the file source (see
 * lines.h). Lines that fit in the buffer are returned in place (no copy);
 * a partial line at the end of the buffer is moved to its front before the
 * next read, and the buffer doubles only while a single line needs it. */
#include "lines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

int lr_open(line_reader *r, const char *path, int64_t expect_size,
            size_t buf_size, size_t max_record) {
  memset(r, 0, sizeof *r);
  r->fd = -1;
  if (buf_size < 64)
    buf_size = 64;
  r->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (r->fd < 0)
    return -1;
  if (ends_with(path, ".gz")) {
    gzFile gz = gzdopen(r->fd, "rb");
    if (!gz) {
      close(r->fd);
      r->fd = -1;
      errno = ENOMEM;
      return -1;
    }
    r->fd = -1; /* owned by gz now */
    gzbuffer(gz, 128 * 1024);
    r->gz = gz;
    r->remaining = -1;
  } else {
    r->remaining = expect_size;
  }
  r->buf = malloc(buf_size);
  if (!r->buf) {
    lr_close(r);
    errno = ENOMEM;
    return -1;
  }
  r->cap = r->base_cap = buf_size;
  r->max_record = max_record ? max_record : SIZE_MAX / 4;
  return 0;
}

/* Reads more bytes into buf[end, cap). Sets eof at the end of the data. */
static int fill(line_reader *r) {
  size_t room = r->cap - r->end;
  if (r->remaining >= 0 && (int64_t)room > r->remaining)
    room = (size_t)r->remaining;
  if (room == 0) {
    r->eof = 1;
    return 0;
  }
  if (r->gz) {
    if (room > (size_t)INT32_MAX)
      room = (size_t)INT32_MAX;
    int n = gzread((gzFile)r->gz, r->buf + r->end, (unsigned)room);
    if (n < 0) {
      errno = EIO;
      return -1;
    }
    if (n == 0) {
      int e;
      gzerror((gzFile)r->gz, &e);
      if (e != Z_OK && e != Z_STREAM_END) {
        errno = EIO; /* a truncated or corrupt gzip stream */
        return -1;
      }
      r->eof = 1;
      return 0;
    }
    r->end += (size_t)n;
    r->bytes += n;
    return 0;
  }
  ssize_t n;
  do
    n = read(r->fd, r->buf + r->end, room);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  if (n == 0) {
    r->eof = 1;
    if (r->remaining > 0)
      r->short_read = 1;
    return 0;
  }
  r->end += (size_t)n;
  r->bytes += n;
  if (r->remaining >= 0)
    r->remaining -= n;
  return 0;
}

int lr_next(line_reader *r, const char **line, size_t *len, int *too_long) {
  size_t scanned = 0; /* bytes after start already known to hold no '\n' */
  *too_long = 0;
  for (;;) {
    if (r->skipping) { /* the tail of an over-long line */
      char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
      if (nl) {
        r->start = (size_t)(nl - r->buf) + 1;
        r->skipping = 0;
        continue;
      }
      r->start = r->end = 0;
      if (r->eof)
        return 0;
      if (fill(r) != 0)
        return -1;
      continue;
    }
    size_t have = r->end - r->start;
    char *p = r->buf + r->start;
    char *nl =
        scanned < have ? memchr(p + scanned, '\n', have - scanned) : NULL;
    if (nl || (r->eof && have > 0) || have > r->max_record) {
      size_t n = nl ? (size_t)(nl - p) : have;
      r->line_no++;
      if (n > r->max_record) {
        *too_long = 1;
        *line = p;
        *len = r->max_record;
        if (nl) {
          r->start += n + 1;
        } else { /* skip the rest of it on the next calls */
          r->start = r->end;
          r->skipping = 1;
        }
        return 1;
      }
      r->start += nl ? n + 1 : n;
      if (n > 0 && p[n - 1] == '\r')
        n--;
      *line = p;
      *len = n;
      return 1;
    }
    if (r->eof)
      return 0;
    scanned = have;
    if (r->start > 0) { /* keep the partial line, make room after it */
      memmove(r->buf, p, have);
      r->start = 0;
      r->end = have;
    }
    if (r->end == r->cap) { /* one line fills the buffer: grow it */
      size_t cap = r->cap * 2;
      if (cap > r->max_record + 1)
        cap = r->max_record + 1;
      if (cap <= r->cap)
        cap = r->cap + 1;
      char *b = realloc(r->buf, cap);
      if (!b) {
        errno = ENOMEM;
        return -1;
      }
      r->buf = b;
      r->cap = cap;
    }
    if (fill(r) != 0)
      return -1;
  }
}

void lr_close(line_reader *r) {
  if (r->gz)
    gzclose((gzFile)r->gz);
  else if (r->fd >= 0)
    close(r->fd);
  free(r->buf);
  r->gz = NULL;
  r->fd = -1;
  r->buf = NULL;
  r->cap = r->start = r->end = 0;
}
