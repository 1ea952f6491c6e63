/* plugins/file/listing.c — listing, ordering, per-epoch limits and
 * clean_source moves for the file source (see listing.h). */
#include "listing.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_list_add(file_list *l, const char *path, int64_t size,
                  int64_t mtime_us) {
  if (l->n == l->cap) {
    if (l->mem && l->v != l->mem) { /* reuse the room dropped at the front */
      size_t room = l->cap + (size_t)(l->v - l->mem);
      memmove(l->mem, l->v, l->n * sizeof *l->v);
      l->v = l->mem;
      l->cap = room;
    }
  }
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    file_entry *v = realloc(l->mem, cap * sizeof *v);
    if (!v)
      return -1;
    l->v = l->mem = v;
    l->cap = cap;
  }
  char *p = strdup(path);
  if (!p)
    return -1;
  l->v[l->n].path = p;
  l->v[l->n].size = size;
  l->v[l->n].mtime_us = mtime_us;
  l->n++;
  return 0;
}

void file_list_free(file_list *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i].path);
  free(l->mem);
  l->v = l->mem = NULL;
  l->n = l->cap = 0;
}

void file_list_drop_front(file_list *l, size_t k) {
  if (k > l->n)
    k = l->n;
  if (k == 0)
    return;
  for (size_t i = 0; i < k; i++)
    free(l->v[i].path);
  l->v += k;
  l->n -= k;
  l->cap -= k;
}

int path_is_glob(const char *path) { return strpbrk(path, "*?[{") != NULL; }

int name_is_hidden(const char *name) {
  size_t n = strlen(name);
  if (name[0] == '.')
    return 1;
  if (name[0] == '_' && !strchr(name, '='))
    return 1;
  return n >= 10 && strcmp(name + n - 10, "._COPYING_") == 0;
}

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static int add_if_file(file_list *out, const char *path, char *err,
                       size_t errlen) {
  struct stat st;
  if (name_is_hidden(base_name(path)))
    return 0;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
    return 0; /* gone since the listing, or not a file: not data */
  int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
  if (file_list_add(out, path, (int64_t)st.st_size, mt) != 0) {
    snprintf(err, errlen, "out of memory listing %s", path);
    return -1;
  }
  return 0;
}

static int list_dir(const char *dir, file_list *out, int must_exist, char *err,
                    size_t errlen) {
  DIR *d = opendir(dir);
  if (!d) {
    if (errno == ENOENT && !must_exist)
      return 0;
    snprintf(err, errlen, "cannot list %s: %s", dir, strerror(errno));
    return -1;
  }
  size_t dl = strlen(dir);
  int slash = dl > 0 && dir[dl - 1] == '/';
  char *buf = NULL;
  size_t cap = 0;
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d)) != NULL) {
    if (name_is_hidden(e->d_name))
      continue;
    if (e->d_type != DT_REG && e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
      continue;
    size_t need = dl + strlen(e->d_name) + 2;
    if (need > cap) {
      char *b = realloc(buf, need * 2);
      if (!b) {
        snprintf(err, errlen, "out of memory listing %s", dir);
        rc = -1;
        break;
      }
      buf = b;
      cap = need * 2;
    }
    snprintf(buf, cap, "%s%s%s", dir, slash ? "" : "/", e->d_name);
    if ((rc = add_if_file(out, buf, err, errlen)) != 0)
      break;
  }
  free(buf);
  closedir(d);
  return rc;
}

int list_files(const char *path, file_list *out, char *err, size_t errlen) {
  if (!path_is_glob(path))
    return list_dir(path, out, 0, err, errlen);
  glob_t g;
  int grc = glob(path, GLOB_NOSORT | GLOB_BRACE, NULL, &g);
  if (grc == GLOB_NOMATCH)
    return 0;
  if (grc != 0) {
    snprintf(err, errlen, "cannot expand %s: %s", path,
             grc == GLOB_NOSPACE ? "out of memory" : "read error");
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
    struct stat st;
    const char *p = g.gl_pathv[i];
    if (stat(p, &st) != 0)
      continue;
    if (S_ISDIR(st.st_mode))
      rc = list_dir(p, out, 0, err, errlen);
    else
      rc = add_if_file(out, p, err, errlen);
  }
  globfree(&g);
  return rc;
}

static int cmp_oldest(const void *a, const void *b) {
  const file_entry *x = a, *y = b;
  if (x->mtime_us != y->mtime_us)
    return x->mtime_us < y->mtime_us ? -1 : 1;
  return strcmp(x->path, y->path);
}

static int cmp_latest(const void *a, const void *b) { return cmp_oldest(b, a); }

void file_list_sort(file_list *l, int latest_first) {
  if (l->n > 1)
    qsort(l->v, l->n, sizeof *l->v, latest_first ? cmp_latest : cmp_oldest);
}

size_t take_files(const file_list *l, int64_t max_files, int64_t max_bytes) {
  size_t k = 0;
  int64_t bytes = 0;
  while (k < l->n) {
    if (max_files > 0 && (int64_t)k >= max_files)
      break;
    if (max_bytes > 0 && k > 0 && bytes + l->v[k].size > max_bytes)
      break;
    bytes += l->v[k].size;
    k++;
  }
  return k;
}

int archive_path(const char *archive_dir, const char *path, char *out,
                 size_t n) {
  size_t al = strlen(archive_dir);
  while (al > 1 && archive_dir[al - 1] == '/')
    al--;
  while (*path == '/')
    path++;
  int w = snprintf(out, n, "%.*s/%s", (int)al, archive_dir, path);
  return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* mkdir -p of dest's parent folder. */
static int make_parents(const char *dest, char *err, size_t errlen) {
  char *p = strdup(dest);
  if (!p) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (char *s = p + 1; *s; s++) {
    if (*s != '/')
      continue;
    *s = '\0';
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      snprintf(err, errlen, "cannot create %s: %s", p, strerror(errno));
      free(p);
      return -1;
    }
    *s = '/';
  }
  free(p);
  return 0;
}

/* Copies then removes: rename(2) cannot cross file systems. The copy goes
 * to a temporary name first so a reader of the archive never sees half. */
static int copy_then_remove(const char *path, const char *dest, char *err,
                            size_t errlen) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s._COPYING_", dest);
  int in = open(path, O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (out < 0) {
    snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    close(in);
    return -1;
  }
  char buf[65536];
  ssize_t r;
  int rc = 0;
  while ((r = read(in, buf, sizeof buf)) != 0) {
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 || write(out, buf, (size_t)r) != r) {
      snprintf(err, errlen, "copying %s to %s: %s", path, tmp, strerror(errno));
      rc = -1;
      break;
    }
  }
  close(in);
  if (close(out) != 0 && rc == 0) {
    snprintf(err, errlen, "writing %s: %s", tmp, strerror(errno));
    rc = -1;
  }
  if (rc == 0 && rename(tmp, dest) != 0) {
    snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
    rc = -1;
  }
  if (rc != 0) {
    unlink(tmp);
    return -1;
  }
  if (unlink(path) != 0) {
    snprintf(err, errlen, "archived %s but cannot remove it: %s", path,
             strerror(errno));
    return -1;
  }
  return 0;
}

int move_file(const char *path, const char *dest, char *err, size_t errlen) {
  if (make_parents(dest, err, errlen) != 0)
    return -1;
  if (rename(path, dest) == 0)
    return 0;
  if (errno == EXDEV)
    return copy_then_remove(path, dest, err, errlen);
  snprintf(err, errlen, "cannot move %s to %s: %s", path, dest,
           strerror(errno));
  return -1;
}
