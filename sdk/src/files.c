/* files.c — atomic file writes and the file sink's `_weir_log`: the record
 * of which part files each epoch committed. Both the file sink (writing)
 * and the file source (reading a sink's output) use it, so a half-written
 * epoch is invisible to every reader. */
#include "weir/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weir/batch.h"
#include "weir/json.h"
#include "weir/offset.h"

static int io_error(char *err, size_t errlen, const char *what,
                    const char *path) {
  snprintf(err, errlen, "%s: %s: %s", path, what, strerror(errno));
  return WEIR_ERR_IO;
}

int weir_mkdir_p(const char *path, char *err, size_t errlen) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) {
    snprintf(err, errlen, "%.64s...: path too long", path);
    return WEIR_ERR_INVALID;
  }
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
      return io_error(err, errlen, "cannot create folder", tmp);
    *p = '/';
  }
  if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
    return io_error(err, errlen, "cannot create folder", tmp);
  return WEIR_OK;
}

static void fsync_parent(const char *path) {
  char d[4096];
  snprintf(d, sizeof d, "%s", path);
  char *slash = strrchr(d, '/');
  if (slash)
    *slash = '\0';
  int fd = open(slash ? d : ".", O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

int weir_write_file_atomic(const char *path, const void *data, size_t len,
                           char *err, size_t errlen) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
  int fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return io_error(err, errlen, "cannot create", tmp);
  const char *p = data;
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, p + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      int rc = io_error(err, errlen, "cannot write", tmp);
      close(fd);
      unlink(tmp);
      return rc;
    }
    off += (size_t)w;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    int rc = io_error(err, errlen, "cannot fsync", tmp);
    unlink(tmp);
    return rc;
  }
  if (rename(tmp, path) != 0) {
    int rc = io_error(err, errlen, "cannot rename into place", path);
    unlink(tmp);
    return rc;
  }
  fsync_parent(path);
  return WEIR_OK;
}

void weir_sink_log_free(weir_sink_log *log) {
  for (size_t i = 0; i < log->n; i++)
    free(log->files[i].path);
  free(log->files);
  memset(log, 0, sizeof *log);
}

static int add_file(weir_sink_log *log, const char *path, size_t plen,
                    int64_t size, int64_t rows, int64_t epoch) {
  weir_sink_file *f = realloc(log->files, (log->n + 1) * sizeof *f);
  if (!f)
    return WEIR_ERR_NOMEM;
  log->files = f;
  f[log->n].path = strndup(path, plen);
  if (!f[log->n].path)
    return WEIR_ERR_NOMEM;
  f[log->n].size = size;
  f[log->n].rows = rows;
  f[log->n].epoch = epoch;
  log->n++;
  return WEIR_OK;
}

/* Parses one log file's lines into the log. */
static int read_entry(const char *path, weir_sink_log *log, char *err,
                      size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return io_error(err, errlen, "cannot open", path);
  char line[8192];
  int lineno = 0, rc = WEIR_OK;
  weir_buf mp = WEIR_BUF_INIT;
  while (rc == WEIR_OK && fgets(line, sizeof line, f)) {
    lineno++;
    size_t n = strcspn(line, "\n");
    if (lineno == 1) {
      if (n != 2 || line[0] != 'v' || line[1] != '1') {
        snprintf(err, errlen, "%s:1: unknown sink log format (expected v1)",
                 path);
        rc = WEIR_ERR_FORMAT;
      }
      continue;
    }
    if (!n)
      continue;
    char sub[256];
    weir_value p;
    int64_t size = 0, rows = 0, epoch = -1;
    weir_buf_clear(&mp);
    if (weir_json_to_msgpack(&mp, line, n, sub, sizeof sub) != WEIR_OK ||
        weir_map_find(mp.data, mp.len, "path", &p) != 1 ||
        p.type != WEIR_T_STRING ||
        weir_map_int(mp.data, mp.len, "epoch", &epoch) != 1) {
      snprintf(err, errlen, "%s:%d: malformed sink log entry", path, lineno);
      rc = WEIR_ERR_FORMAT;
      break;
    }
    weir_map_int(mp.data, mp.len, "size", &size);
    weir_map_int(mp.data, mp.len, "rows", &rows);
    rc = add_file(log, p.v.s.ptr, p.v.s.len, size, rows, epoch);
  }
  fclose(f);
  weir_buf_free(&mp);
  return rc;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

int weir_sink_log_read(const char *dir, weir_sink_log *out, char *err,
                       size_t errlen) {
  memset(out, 0, sizeof *out);
  out->last_epoch = -1;
  char ldir[4200];
  snprintf(ldir, sizeof ldir, "%s/_weir_log", dir);
  DIR *d = opendir(ldir);
  if (!d)
    return errno == ENOENT ? WEIR_OK
                           : io_error(err, errlen, "cannot read", ldir);
  out->present = 1;
  int64_t *plain = NULL, compact = -1;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    char *end;
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    long long v = strtoll(e->d_name, &end, 10);
    if (strcmp(end, ".compact") == 0) {
      if (v > compact)
        compact = v;
    } else if (!*end) {
      if (n == cap) {
        cap = cap ? cap * 2 : 16;
        int64_t *g = realloc(plain, cap * sizeof *g);
        if (!g) {
          free(plain);
          closedir(d);
          return WEIR_ERR_NOMEM;
        }
        plain = g;
      }
      plain[n++] = v;
    }
  }
  closedir(d);
  if (n)
    qsort(plain, n, sizeof *plain, cmp_i64);
  char path[4300];
  int rc = WEIR_OK;
  if (compact >= 0) {
    snprintf(path, sizeof path, "%s/%" PRId64 ".compact", ldir, compact);
    rc = read_entry(path, out, err, errlen);
    out->last_epoch = compact;
  }
  for (size_t i = 0; rc == WEIR_OK && i < n; i++) {
    if (plain[i] <= compact)
      continue;
    snprintf(path, sizeof path, "%s/%" PRId64, ldir, plain[i]);
    rc = read_entry(path, out, err, errlen);
    out->last_epoch = plain[i];
  }
  free(plain);
  if (rc != WEIR_OK)
    weir_sink_log_free(out);
  return rc;
}

static void entry_line(weir_buf *b, const weir_sink_file *f) {
  weir_buf_lit(b, "{\"path\":");
  weir_json_string(b, f->path, strlen(f->path));
  weir_buf_printf(
      b, ",\"size\":%" PRId64 ",\"rows\":%" PRId64 ",\"epoch\":%" PRId64 "}\n",
      f->size, f->rows, f->epoch);
}

int weir_sink_log_commit(const char *dir, const weir_sink_log *prev,
                         int64_t epoch, const weir_sink_file *files, size_t n,
                         int compact_every, char *err, size_t errlen) {
  char ldir[4200], path[4300];
  snprintf(ldir, sizeof ldir, "%s/_weir_log", dir);
  int rc = weir_mkdir_p(ldir, err, errlen);
  if (rc != WEIR_OK)
    return rc;
  int compact = compact_every > 0 && epoch % compact_every == compact_every - 1;
  weir_buf b = WEIR_BUF_INIT;
  weir_buf_lit(&b, "v1\n");
  for (size_t i = 0; compact && prev && i < prev->n; i++)
    if (prev->files[i].epoch < epoch)
      entry_line(&b, &prev->files[i]);
  for (size_t i = 0; i < n; i++)
    entry_line(&b, &files[i]);
  snprintf(path, sizeof path, "%s/%" PRId64 "%s", ldir, epoch,
           compact ? ".compact" : "");
  rc = b.err ? WEIR_ERR_NOMEM
             : weir_write_file_atomic(path, b.data, b.len, err, errlen);
  weir_buf_free(&b);
  if (rc != WEIR_OK || !compact)
    return rc;
  /* The compacted entry replaces every older one. */
  DIR *d = opendir(ldir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    char *end;
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    long long v = strtoll(e->d_name, &end, 10);
    if (v < epoch && (!*end || strcmp(end, ".compact") == 0)) {
      char old[4500];
      snprintf(old, sizeof old, "%s/%s", ldir, e->d_name);
      unlink(old);
    }
  }
  if (d)
    closedir(d);
  return WEIR_OK;
}
