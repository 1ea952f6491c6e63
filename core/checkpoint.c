/* checkpoint.c — files of the checkpoint directory. Every file is written to
 * a temporary name, fsynced, renamed (or linked, when it must not exist
 * yet) into place, and its folder fsynced; every file ends with a seal
 * giving the payload's length and CRC-32 (zlib), so a torn write or a
 * flipped bit is reported with the file's path instead of being misread.
 * Logs are text (a version line, then JSON lines) so a person can read
 * them; state is msgpack. */
#define _XOPEN_SOURCE 700
#include "checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "weir/files.h"
#include "weir/json.h"
#include "weir/offset.h"

#define SEAL_FMT "\n#weir-seal length=%020zu crc32=%08lx\n"
#define SEAL_LEN 55

struct checkpoint {
  char *dir;
  int lock_fd;
  int temporary;
};

const char *ckpt_dir(const checkpoint *c) { return c->dir; }

static int sys_error(char *err, size_t errlen, const char *what,
                     const char *path) {
  snprintf(err, errlen, "%s: %s: %s", path, what, strerror(errno));
  return WEIR_ERR_IO;
}

static void fsync_dir_of(const char *path) {
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

/* Temporary checkpoints are deleted at exit and never recovered from, so
 * they skip fsync (it costs milliseconds per file). */
static int no_sync;

int ckpt_write_file(const char *path, const void *data, size_t len,
                    int exclusive, char *err, size_t errlen) {
  char tmp[4200], seal[SEAL_LEN + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (exclusive && access(path, F_OK) == 0) {
    snprintf(err, errlen,
             "%s already exists: another weir process is using this "
             "checkpoint, or it was copied while running",
             path);
    return WEIR_ERR_STATE;
  }
  int fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return sys_error(err, errlen, "cannot create", tmp);
  unsigned long crc = crc32(0L, (const Bytef *)data, (uInt)len);
  snprintf(seal, sizeof seal, SEAL_FMT, len, crc);
  const char *parts[2] = {data, seal};
  size_t sizes[2] = {len, SEAL_LEN};
  for (int i = 0; i < 2; i++) {
    size_t off = 0;
    while (off < sizes[i]) {
      ssize_t w = write(fd, parts[i] + off, sizes[i] - off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0) {
        int rc = sys_error(err, errlen, "cannot write", tmp);
        close(fd);
        unlink(tmp);
        return rc;
      }
      off += (size_t)w;
    }
  }
  if (!no_sync && fsync(fd) != 0) {
    int rc = sys_error(err, errlen, "cannot fsync", tmp);
    close(fd);
    unlink(tmp);
    return rc;
  }
  close(fd);
  if (exclusive) {
    /* link() fails if the name exists: two writers cannot both win. */
    if (link(tmp, path) != 0) {
      int e = errno;
      unlink(tmp);
      errno = e;
      if (e == EEXIST) {
        snprintf(err, errlen,
                 "%s already exists: another weir process is using this "
                 "checkpoint",
                 path);
        return WEIR_ERR_STATE;
      }
      return sys_error(err, errlen, "cannot link", path);
    }
    unlink(tmp);
  } else if (rename(tmp, path) != 0) {
    int rc = sys_error(err, errlen, "cannot rename into place", path);
    unlink(tmp);
    return rc;
  }
  if (!no_sync)
    fsync_dir_of(path);
  return WEIR_OK;
}

int ckpt_read_file(const char *path, weir_buf *payload, char *err,
                   size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errno == ENOENT) {
      snprintf(err, errlen, "%s: missing", path);
      return WEIR_ERR_NOTFOUND;
    }
    return sys_error(err, errlen, "cannot open", path);
  }
  weir_buf_clear(payload);
  char chunk[65536];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    weir_buf_append(payload, chunk, got);
  int rd_err = ferror(f);
  fclose(f);
  if (rd_err)
    return sys_error(err, errlen, "cannot read", path);
  if (payload->err)
    return WEIR_ERR_NOMEM;
  size_t len;
  unsigned long crc;
  char seal[SEAL_LEN + 1];
  if (payload->len < SEAL_LEN) {
    snprintf(err, errlen,
             "%s: torn or corrupt checkpoint file (%zu bytes, no seal); weir "
             "does not start over silently: restore the file or remove the "
             "checkpoint to start a new query",
             path, payload->len);
    return WEIR_ERR_STATE;
  }
  memcpy(seal, payload->data + payload->len - SEAL_LEN, SEAL_LEN);
  seal[SEAL_LEN] = '\0';
  if (sscanf(seal, "\n#weir-seal length=%zu crc32=%lx\n", &len, &crc) != 2 ||
      len != payload->len - SEAL_LEN ||
      crc32(0L, payload->data, (uInt)len) != crc) {
    snprintf(err, errlen,
             "%s: torn or corrupt checkpoint file (length or checksum does "
             "not match its seal); weir does not start over silently: "
             "restore the file or remove the checkpoint to start a new query",
             path);
    return WEIR_ERR_STATE;
  }
  payload->len = len;
  return WEIR_OK;
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}

int ckpt_open(const char *dir, int temporary, checkpoint **out, char *err,
              size_t errlen) {
  *out = NULL;
  const char *subs[] = {"", "/offsets", "/commits", "/state", "/sources"};
  for (size_t i = 0; i < 5; i++) {
    char p[4096];
    snprintf(p, sizeof p, "%s%s", dir, subs[i]);
    int rc = weir_mkdir_p(p, err, errlen);
    if (rc != WEIR_OK)
      return rc;
  }
  char lock[4096];
  snprintf(lock, sizeof lock, "%s/.lock", dir);
  int fd = open(lock, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    return sys_error(err, errlen, "cannot open lock file", lock);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = "?";
    ssize_t n = read(fd, pid, sizeof pid - 1);
    pid[n > 0 ? n : 1] = '\0';
    pid[strcspn(pid, "\n")] = '\0';
    close(fd);
    snprintf(err, errlen,
             "%s: checkpoint is in use by another weir process (pid %s); two "
             "queries cannot share a checkpoint",
             dir, pid);
    return WEIR_ERR_STATE;
  }
  char pid[32];
  int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
  if (ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)n) != n) {
    close(fd);
    return sys_error(err, errlen, "cannot write lock file", lock);
  }
  checkpoint *c = calloc(1, sizeof *c);
  if (!c || !(c->dir = strdup(dir))) {
    free(c);
    close(fd);
    return WEIR_ERR_NOMEM;
  }
  c->lock_fd = fd;
  c->temporary = temporary;
  no_sync = temporary;
  *out = c;
  return WEIR_OK;
}

void ckpt_close(checkpoint *c) {
  if (!c)
    return;
  if (c->temporary)
    nftw(c->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  close(c->lock_fd);
  free(c->dir);
  free(c);
}

/* ---- JSON lines -------------------------------------------------------- */

/* Splits a log payload into its JSON lines after the "v1" version line and
 * converts each to msgpack (appended to out, one value per line). */
static int parse_log(const char *path, const weir_buf *payload, weir_buf *out,
                     size_t *nlines, char *err, size_t errlen) {
  const char *p = (const char *)payload->data;
  const char *end = p + payload->len;
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  if (!nl || nl - p != 2 || p[0] != 'v' || p[1] != '1') {
    snprintf(err, errlen,
             "%s: unknown checkpoint format (first line should be 'v1'): "
             "written by a newer weir?",
             path);
    return WEIR_ERR_STATE;
  }
  *nlines = 0;
  p = nl + 1;
  int line = 2;
  while (p < end) {
    nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (n) {
      char sub[256];
      if (weir_json_to_msgpack(out, p, n, sub, sizeof sub) != WEIR_OK) {
        snprintf(err, errlen, "%s:%d: malformed JSON: %s", path, line, sub);
        return WEIR_ERR_STATE;
      }
      (*nlines)++;
    }
    p += n + 1;
    line++;
  }
  return WEIR_OK;
}

static void json_offset(weir_buf *b, const weir_buf *off) {
  if (!off->len || weir_json_from_msgpack(b, off->data, off->len) != WEIR_OK)
    weir_buf_lit(b, "null");
}

static void log_path(const checkpoint *c, const char *kind, int64_t epoch,
                     char *out, size_t n) {
  snprintf(out, n, "%s/%s/%" PRId64, c->dir, kind, epoch);
}

int ckpt_write_offsets(checkpoint *c, const ckpt_plan *p, char *err,
                       size_t errlen) {
  weir_buf b = WEIR_BUF_INIT;
  weir_buf_printf(&b,
                  "v1\n{\"epoch\":%" PRId64 ",\"watermark\":%" PRId64
                  ",\"timestamp\":%" PRId64 "}\n",
                  p->epoch, p->watermark, p->timestamp);
  for (size_t i = 0; i < p->n; i++) {
    weir_buf_lit(&b, "{\"source\":");
    weir_json_string(&b, p->sources[i].name, strlen(p->sources[i].name));
    weir_buf_lit(&b, ",\"start\":");
    json_offset(&b, &p->sources[i].start);
    weir_buf_lit(&b, ",\"end\":");
    json_offset(&b, &p->sources[i].end);
    weir_buf_lit(&b, "}\n");
  }
  char path[4200];
  log_path(c, "offsets", p->epoch, path, sizeof path);
  int rc = b.err ? WEIR_ERR_NOMEM
                 : ckpt_write_file(path, b.data, b.len, 1, err, errlen);
  weir_buf_free(&b);
  return rc;
}

void ckpt_plan_free(ckpt_plan *p) {
  for (size_t i = 0; i < p->n; i++) {
    free(p->sources[i].name);
    weir_buf_free(&p->sources[i].start);
    weir_buf_free(&p->sources[i].end);
  }
  free(p->sources);
  memset(p, 0, sizeof *p);
}

static int copy_raw(const uint8_t *map, size_t len, const char *key,
                    weir_buf *out) {
  weir_value v;
  int rc = weir_map_find(map, len, key, &v);
  if (rc < 0)
    return rc;
  if (rc == 1 && v.type != WEIR_T_NULL)
    weir_buf_append(out, v.raw, v.raw_len);
  return WEIR_OK;
}

int ckpt_read_offsets(checkpoint *c, int64_t epoch, ckpt_plan *p, char *err,
                      size_t errlen) {
  char path[4200];
  log_path(c, "offsets", epoch, path, sizeof path);
  memset(p, 0, sizeof *p);
  weir_buf payload = WEIR_BUF_INIT, mp = WEIR_BUF_INIT;
  size_t nlines = 0;
  int rc = ckpt_read_file(path, &payload, err, errlen);
  if (rc == WEIR_OK)
    rc = parse_log(path, &payload, &mp, &nlines, err, errlen);
  const uint8_t *q = mp.data, *end = mp.data + mp.len;
  for (size_t i = 0; rc == WEIR_OK && i < nlines; i++) {
    const uint8_t *start = q;
    if (weir_mp_skip(&q, end) != WEIR_OK) {
      rc = WEIR_ERR_FORMAT;
      break;
    }
    size_t len = (size_t)(q - start);
    if (i == 0) {
      if (weir_map_int(start, len, "epoch", &p->epoch) != 1 ||
          weir_map_int(start, len, "watermark", &p->watermark) != 1 ||
          weir_map_int(start, len, "timestamp", &p->timestamp) != 1)
        rc = WEIR_ERR_FORMAT;
      continue;
    }
    weir_value name;
    if (weir_map_find(start, len, "source", &name) != 1 ||
        name.type != WEIR_T_STRING) {
      rc = WEIR_ERR_FORMAT;
      break;
    }
    ckpt_source_range *s = realloc(p->sources, (p->n + 1) * sizeof *s);
    if (!s) {
      rc = WEIR_ERR_NOMEM;
      break;
    }
    p->sources = s;
    memset(&s[p->n], 0, sizeof s[p->n]);
    s[p->n].name = strndup(name.v.s.ptr, name.v.s.len);
    p->n++;
    if (copy_raw(start, len, "start", &s[p->n - 1].start) != WEIR_OK ||
        copy_raw(start, len, "end", &s[p->n - 1].end) != WEIR_OK)
      rc = WEIR_ERR_FORMAT;
  }
  if (rc == WEIR_ERR_FORMAT)
    snprintf(err, errlen, "%s: missing or malformed fields", path);
  if (rc == WEIR_OK && p->epoch != epoch) {
    snprintf(err, errlen, "%s: holds epoch %" PRId64 ", not %" PRId64, path,
             p->epoch, epoch);
    rc = WEIR_ERR_STATE;
  }
  weir_buf_free(&payload);
  weir_buf_free(&mp);
  if (rc != WEIR_OK)
    ckpt_plan_free(p);
  return rc == WEIR_ERR_FORMAT ? WEIR_ERR_STATE : rc;
}

int ckpt_write_commit(checkpoint *c, int64_t epoch, int64_t next_watermark,
                      char *err, size_t errlen) {
  char path[4200], text[128];
  log_path(c, "commits", epoch, path, sizeof path);
  int n = snprintf(text, sizeof text, "v1\n{\"watermark\":%" PRId64 "}\n",
                   next_watermark);
  return ckpt_write_file(path, text, (size_t)n, 1, err, errlen);
}

int ckpt_read_commit(checkpoint *c, int64_t epoch, int64_t *next_watermark,
                     char *err, size_t errlen) {
  char path[4200];
  log_path(c, "commits", epoch, path, sizeof path);
  weir_buf payload = WEIR_BUF_INIT, mp = WEIR_BUF_INIT;
  size_t nlines = 0;
  int rc = ckpt_read_file(path, &payload, err, errlen);
  if (rc == WEIR_OK)
    rc = parse_log(path, &payload, &mp, &nlines, err, errlen);
  if (rc == WEIR_OK && (nlines < 1 || weir_map_int(mp.data, mp.len, "watermark",
                                                   next_watermark) != 1)) {
    snprintf(err, errlen, "%s: missing or malformed watermark", path);
    rc = WEIR_ERR_STATE;
  }
  weir_buf_free(&payload);
  weir_buf_free(&mp);
  return rc;
}

/* ---- scanning ---------------------------------------------------------- */

/* Calls fn for each "N" or "N.suffix" file name of a folder. */
typedef void (*each_fn)(void *u, int64_t n, const char *name);
static int each_numbered(const char *dir, each_fn fn, void *u) {
  DIR *d = opendir(dir);
  if (!d)
    return errno == ENOENT ? WEIR_OK : WEIR_ERR_IO;
  struct dirent *e;
  while ((e = readdir(d))) {
    char *endp;
    if (e->d_name[0] < '0' || e->d_name[0] > '9')
      continue;
    long long n = strtoll(e->d_name, &endp, 10);
    if (*endp && (*endp != '.' || strstr(endp, ".tmp")))
      continue;
    fn(u, n, e->d_name);
  }
  closedir(d);
  return WEIR_OK;
}

typedef struct range {
  int64_t min, max, count;
} range;

static void note_range(void *u, int64_t n, const char *name) {
  range *r = u;
  (void)name;
  if (r->count == 0 || n < r->min)
    r->min = n;
  if (r->count == 0 || n > r->max)
    r->max = n;
  r->count++;
}

int ckpt_scan(checkpoint *c, ckpt_status *st, char *err, size_t errlen) {
  char dir[4200];
  range off = {0, 0, 0}, com = {0, 0, 0};
  snprintf(dir, sizeof dir, "%s/offsets", c->dir);
  each_numbered(dir, note_range, &off);
  snprintf(dir, sizeof dir, "%s/commits", c->dir);
  each_numbered(dir, note_range, &com);
  st->last_offsets = off.count ? off.max : -1;
  st->last_commit = com.count ? com.max : -1;
  st->first_kept = off.count ? off.min : 0;
  if (off.count && off.max - off.min + 1 != off.count) {
    snprintf(err, errlen,
             "%s/offsets: epochs %" PRId64 " to %" PRId64 " have gaps (%" PRId64
             " files): the checkpoint is damaged or "
             "another process writes it",
             c->dir, off.min, off.max, off.count);
    return WEIR_ERR_STATE;
  }
  if (st->last_commit > st->last_offsets ||
      st->last_offsets - st->last_commit > 1) {
    snprintf(err, errlen,
             "%s: offsets end at epoch %" PRId64 " but commits at %" PRId64
             ": more than one epoch is uncommitted; the checkpoint is damaged",
             c->dir, st->last_offsets, st->last_commit);
    return WEIR_ERR_STATE;
  }
  return WEIR_OK;
}

/* ---- metadata ---------------------------------------------------------- */

/* Compares two flat msgpack maps of strings (the fingerprint); describes
 * the first difference. 1 same, 0 different. */
static int same_fingerprint(const uint8_t *old, size_t olen, const uint8_t *now,
                            size_t nlen, char *why, size_t whylen) {
  const uint8_t *maps[2] = {old, now};
  size_t lens[2] = {olen, nlen};
  /* Walk the old map's keys; look each up in the new one, then the reverse
   * for added keys. */
  for (int side = 0; side < 2; side++) {
    const uint8_t *a = maps[side], *b = maps[1 - side];
    size_t alen = lens[side], blen = lens[1 - side];
    const uint8_t *p = a, *end = a + alen;
    if (p >= end)
      return 0;
    uint32_t n;
    if (*p >= 0x80 && *p <= 0x8f) {
      n = *p & 0x0f;
      p++;
    } else if (*p == 0xde && end - p >= 3) {
      n = (uint32_t)p[1] << 8 | p[2];
      p += 3;
    } else {
      return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
      weir_value k, v, other;
      if (weir_value_decode(&p, end, &k) || k.type != WEIR_T_STRING)
        return 0;
      const uint8_t *vstart = p;
      if (weir_mp_skip(&p, end) != WEIR_OK)
        return 0;
      const uint8_t *vp = vstart;
      if (weir_value_decode(&vp, p, &v) != WEIR_OK)
        v.type = WEIR_T_NULL;
      char key[256];
      snprintf(key, sizeof key, "%.*s", (int)k.v.s.len, k.v.s.ptr);
      int found = weir_map_find(b, blen, key, &other);
      int equal = found == 1 && other.raw_len == (size_t)(p - vstart) &&
                  memcmp(other.raw, vstart, other.raw_len) == 0;
      if (equal)
        continue;
      const weir_value *was = side == 0 ? &v : (found == 1 ? &other : NULL);
      const weir_value *is = side == 0 ? (found == 1 ? &other : NULL) : &v;
      char a_txt[200] = "(absent)", b_txt[200] = "(absent)";
      if (was && was->type == WEIR_T_STRING)
        snprintf(a_txt, sizeof a_txt, "'%.*s'", (int)was->v.s.len,
                 was->v.s.ptr);
      if (is && is->type == WEIR_T_STRING)
        snprintf(b_txt, sizeof b_txt, "'%.*s'", (int)is->v.s.len, is->v.s.ptr);
      snprintf(why, whylen, "%s was %s, now %s", key, a_txt, b_txt);
      return 0;
    }
  }
  return 1;
}

int ckpt_metadata(checkpoint *c, char id[40], const char *fingerprint,
                  const char *version, char *err, size_t errlen) {
  char path[4200], sub[512];
  snprintf(path, sizeof path, "%s/metadata", c->dir);
  weir_buf payload = WEIR_BUF_INIT, mp = WEIR_BUF_INIT, fp = WEIR_BUF_INIT;
  int rc = ckpt_read_file(path, &payload, err, errlen);
  if (rc == WEIR_ERR_NOTFOUND) {
    weir_buf b = WEIR_BUF_INIT;
    weir_buf_printf(&b, "v1\n{\"id\":\"%s\",\"weir\":", id);
    weir_json_string(&b, version, strlen(version));
    weir_buf_printf(&b, ",\"fingerprint\":%s}\n", fingerprint);
    rc = b.err ? WEIR_ERR_NOMEM
               : ckpt_write_file(path, b.data, b.len, 1, err, errlen);
    weir_buf_free(&b);
    goto done;
  }
  size_t nlines = 0;
  if (rc == WEIR_OK)
    rc = parse_log(path, &payload, &mp, &nlines, err, errlen);
  if (rc != WEIR_OK)
    goto done;
  weir_value v, oldfp;
  if (nlines < 1 || weir_map_find(mp.data, mp.len, "id", &v) != 1 ||
      v.type != WEIR_T_STRING || v.v.s.len >= 40 ||
      weir_map_find(mp.data, mp.len, "fingerprint", &oldfp) != 1) {
    snprintf(err, errlen, "%s: missing or malformed id or fingerprint", path);
    rc = WEIR_ERR_STATE;
    goto done;
  }
  memcpy(id, v.v.s.ptr, v.v.s.len);
  id[v.v.s.len] = '\0';
  if (weir_json_to_msgpack(&fp, fingerprint, strlen(fingerprint), sub,
                           sizeof sub) != WEIR_OK) {
    snprintf(err, errlen, "internal: bad fingerprint: %s", sub);
    rc = WEIR_ERR_INTERNAL;
    goto done;
  }
  if (!same_fingerprint(oldfp.raw, oldfp.raw_len, fp.data, fp.len, sub,
                        sizeof sub)) {
    snprintf(err, errlen,
             "%s: the topology changed in a way its state cannot follow: %s. "
             "Restore the old setting, or start a new query with a new "
             "checkpoint",
             c->dir, sub);
    rc = WEIR_ERR_STATE;
  }
done:
  weir_buf_free(&payload);
  weir_buf_free(&mp);
  weir_buf_free(&fp);
  return rc;
}

/* ---- state files ------------------------------------------------------- */

static void store_dir(const checkpoint *c, const char *node, const char *store,
                      char *out, size_t n) {
  snprintf(out, n, "%s/state/%s/%s", c->dir, node, *store ? store : "default");
}

int ckpt_write_state(checkpoint *c, const char *node, const char *store,
                     const char *plugin, uint32_t version, int64_t epoch,
                     int snapshot, const uint8_t *data, size_t len, char *err,
                     size_t errlen) {
  char dir[4200], path[4300];
  store_dir(c, node, store, dir, sizeof dir);
  int rc = weir_mkdir_p(dir, err, errlen);
  if (rc != WEIR_OK)
    return rc;
  snprintf(path, sizeof path, "%s/%" PRId64 ".%s", dir, epoch,
           snapshot ? "snapshot" : "delta");
  weir_buf b = WEIR_BUF_INIT;
  weir_buf_reserve(&b, len + 128);
  weir_mp_map(&b, 5);
  weir_mp_str(&b, "plugin", 6);
  weir_mp_str(&b, plugin, strlen(plugin));
  weir_mp_str(&b, "store", 5);
  weir_mp_str(&b, store, strlen(store));
  weir_mp_str(&b, "version", 7);
  weir_mp_int(&b, version);
  weir_mp_str(&b, "epoch", 5);
  weir_mp_int(&b, epoch);
  weir_mp_str(&b, "kind", 4);
  weir_mp_str(&b, snapshot ? "snapshot" : "delta", snapshot ? 8 : 5);
  weir_buf_append(&b, data, len);
  /* A replayed epoch rewrites its state file: not exclusive. */
  rc = b.err ? WEIR_ERR_NOMEM
             : ckpt_write_file(path, b.data, b.len, 0, err, errlen);
  weir_buf_free(&b);
  return rc;
}

typedef struct state_files {
  int64_t snap; /* newest snapshot <= upto, or -1 */
  int64_t *deltas;
  size_t n, cap;
  int64_t upto;
} state_files;

static void note_state(void *u, int64_t n, const char *name) {
  state_files *f = u;
  if (n > f->upto)
    return;
  if (strstr(name, ".snapshot")) {
    if (n > f->snap)
      f->snap = n;
  } else if (strstr(name, ".delta")) {
    if (f->n == f->cap) {
      size_t cap = f->cap ? f->cap * 2 : 16;
      int64_t *d = realloc(f->deltas, cap * sizeof *d);
      if (!d)
        return;
      f->deltas = d;
      f->cap = cap;
    }
    f->deltas[f->n++] = n;
  }
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int apply_file(const char *path, ckpt_state_fn fn, void *u, char *err,
                      size_t errlen) {
  weir_buf payload = WEIR_BUF_INIT;
  int rc = ckpt_read_file(path, &payload, err, errlen);
  if (rc == WEIR_OK) {
    const uint8_t *p = payload.data, *end = p + payload.len;
    int64_t version = 0, epoch = 0;
    weir_value plugin, store;
    if (weir_mp_skip(&p, end) != WEIR_OK ||
        weir_map_int(payload.data, (size_t)(p - payload.data), "version",
                     &version) != 1 ||
        weir_map_int(payload.data, (size_t)(p - payload.data), "epoch",
                     &epoch) != 1 ||
        weir_map_find(payload.data, (size_t)(p - payload.data), "plugin",
                      &plugin) != 1 ||
        weir_map_find(payload.data, (size_t)(p - payload.data), "store",
                      &store) != 1) {
      snprintf(err, errlen, "%s: malformed state file header", path);
      rc = WEIR_ERR_STATE;
    } else {
      char pl[128], st[128];
      snprintf(pl, sizeof pl, "%.*s", (int)plugin.v.s.len, plugin.v.s.ptr);
      snprintf(st, sizeof st, "%.*s", (int)store.v.s.len, store.v.s.ptr);
      rc = fn(u, st, pl, (uint32_t)version, epoch, p, (size_t)(end - p));
      if (rc != WEIR_OK && !err[0])
        snprintf(err, errlen, "%s: cannot be applied (%s)", path,
                 weir_err_str(rc));
    }
  }
  weir_buf_free(&payload);
  return rc;
}

int ckpt_read_state(checkpoint *c, const char *node, int64_t upto,
                    ckpt_state_fn fn, void *u, char *err, size_t errlen) {
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/state/%s", c->dir, node);
  DIR *d = opendir(dir);
  if (!d)
    return WEIR_OK; /* no state for this node */
  struct dirent *e;
  int rc = WEIR_OK;
  while (rc == WEIR_OK && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char sdir[4500];
    snprintf(sdir, sizeof sdir, "%s/%s", dir, e->d_name);
    state_files f = {-1, NULL, 0, 0, upto};
    each_numbered(sdir, note_state, &f);
    if (f.n)
      qsort(f.deltas, f.n, sizeof *f.deltas, cmp_i64);
    int64_t next = f.snap + 1;
    if (f.snap < 0 && f.n && f.deltas[0] != 0) {
      snprintf(err, errlen,
               "%s: no snapshot, and the deltas start at epoch %" PRId64
               ": state files are missing",
               sdir, f.deltas[0]);
      rc = WEIR_ERR_STATE;
    }
    char path[4600];
    if (rc == WEIR_OK && f.snap >= 0) {
      snprintf(path, sizeof path, "%s/%" PRId64 ".snapshot", sdir, f.snap);
      rc = apply_file(path, fn, u, err, errlen);
    }
    for (size_t i = 0; rc == WEIR_OK && i < f.n; i++) {
      if (f.deltas[i] < next)
        continue;
      if (f.deltas[i] != next) {
        snprintf(err, errlen,
                 "%s: the delta of epoch %" PRId64
                 " is missing (next is %" PRId64 "): state cannot be rebuilt",
                 sdir, next, f.deltas[i]);
        rc = WEIR_ERR_STATE;
        break;
      }
      snprintf(path, sizeof path, "%s/%" PRId64 ".delta", sdir, f.deltas[i]);
      rc = apply_file(path, fn, u, err, errlen);
      next++;
    }
    free(f.deltas);
  }
  closedir(d);
  return rc;
}

/* ---- retention --------------------------------------------------------- */

typedef struct purge_ctx {
  const char *dir;
  int64_t before;
} purge_ctx;

static void purge_one(void *u, int64_t n, const char *name) {
  purge_ctx *p = u;
  if (n >= p->before)
    return;
  char path[5100];
  snprintf(path, sizeof path, "%s/%s", p->dir, name);
  unlink(path);
}

int ckpt_purge(checkpoint *c, int64_t keep_from, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  if (keep_from <= 0)
    return WEIR_OK;
  char dir[4200];
  const char *logs[] = {"offsets", "commits"};
  for (int i = 0; i < 2; i++) {
    snprintf(dir, sizeof dir, "%s/%s", c->dir, logs[i]);
    purge_ctx p = {dir, keep_from};
    each_numbered(dir, purge_one, &p);
  }
  snprintf(dir, sizeof dir, "%s/state", c->dir);
  DIR *nodes = opendir(dir);
  struct dirent *ne;
  while (nodes && (ne = readdir(nodes))) {
    if (ne->d_name[0] == '.')
      continue;
    char ndir[4500];
    snprintf(ndir, sizeof ndir, "%s/%s", dir, ne->d_name);
    DIR *stores = opendir(ndir);
    struct dirent *se;
    while (stores && (se = readdir(stores))) {
      if (se->d_name[0] == '.')
        continue;
      char sdir[4800];
      snprintf(sdir, sizeof sdir, "%s/%s", ndir, se->d_name);
      state_files f = {-1, NULL, 0, 0, keep_from};
      each_numbered(sdir, note_state, &f);
      free(f.deltas);
      if (f.snap > 0) { /* keep the base snapshot and what follows it */
        purge_ctx p = {sdir, f.snap};
        each_numbered(sdir, purge_one, &p);
      }
    }
    if (stores)
      closedir(stores);
  }
  if (nodes)
    closedir(nodes);
  return WEIR_OK;
}
