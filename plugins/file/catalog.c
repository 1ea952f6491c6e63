/* plugins/file/catalog.c — what the file source remembers: the files it
 * has taken (a keyed-state store the runtime checkpoints, with Spark's
 * SeenFilesMap rules for max_file_age) and the epoch offsets that list an
 * epoch's files (see catalog.h). */
#include "catalog.h"

#include <limits.h>
#include <string.h>

static int64_t seen_mtime(const void *val, size_t vlen) {
  const uint8_t *p = val, *end = p + vlen;
  weir_value v;
  if (vlen < 2 || (p[0] & 0xf0) != 0x90)
    return INT64_MIN;
  p++;
  if (weir_value_decode(&p, end, &v) != WEIR_OK || v.type != WEIR_T_INT)
    return INT64_MIN;
  return v.v.i;
}

/* After a restart the store holds what the checkpoint restored: the
 * newest time and the purge threshold follow from it. */
void seen_load(seen_files *f) {
  if (f->loaded)
    return;
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v;
  size_t kl, vl;
  while (weir_state_next(f->store, &it, &k, &kl, &v, &vl) == 1) {
    int64_t mt = seen_mtime(v, vl);
    if (mt > f->newest)
      f->newest = mt;
  }
  if (f->newest != INT64_MIN && f->max_age > 0)
    f->purge_before = f->newest - f->max_age;
  f->loaded = 1;
}

int seen_is_new(seen_files *f, const file_entry *e) {
  const void *v;
  size_t vl;
  if (f->purge_before != INT64_MIN && e->mtime_us < f->purge_before)
    return 0;
  return weir_state_get(f->store, e->path, strlen(e->path), &v, &vl) == 0;
}

int seen_add(seen_files *f, const char *path, int64_t size, int64_t mtime) {
  uint8_t val[32];
  weir_buf b = {val, 0, sizeof val, 0};
  weir_mp_array(&b, 2);
  weir_mp_int(&b, mtime);
  weir_mp_int(&b, size);
  int rc = weir_state_put(f->store, path, strlen(path), val, b.len);
  if (rc != WEIR_OK)
    return rc;
  if (mtime > f->newest)
    f->newest = mtime;
  return WEIR_OK;
}

/* Spark's SeenFilesMap.purge: forget files older than max_file_age before
 * the newest; from now on, files that old are not new. */
void seen_purge(seen_files *f) {
  if (f->max_age <= 0 || f->newest == INT64_MIN)
    return;
  int64_t threshold = f->newest - f->max_age;
  if (f->purge_before != INT64_MIN && threshold <= f->purge_before)
    return;
  f->purge_before = threshold;
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v;
  size_t kl, vl;
  while (weir_state_next(f->store, &it, &k, &kl, &v, &vl) == 1)
    if (seen_mtime(v, vl) < threshold)
      weir_state_delete(f->store, k, kl);
}

void offset_write(weir_buf *b, int64_t seq, const file_entry *v, size_t n) {
  weir_mp_map(b, 2);
  weir_mp_str(b, "logOffset", 9);
  weir_mp_int(b, seq);
  weir_mp_str(b, "files", 5);
  weir_mp_array(b, (uint32_t)n);
  for (size_t i = 0; i < n; i++) {
    weir_mp_array(b, 3);
    weir_mp_str(b, v[i].path, strlen(v[i].path));
    weir_mp_int(b, v[i].size);
    weir_mp_int(b, v[i].mtime_us);
  }
}

static int array_header(const uint8_t **p, const uint8_t *end, uint32_t *n) {
  if (*p >= end)
    return -1;
  uint8_t c = **p;
  if ((c & 0xf0) == 0x90) {
    *n = c & 0x0f;
    *p += 1;
  } else if (c == 0xdc && end - *p >= 3) {
    *n = (uint32_t)((*p)[1] << 8 | (*p)[2]);
    *p += 3;
  } else if (c == 0xdd && end - *p >= 5) {
    *n = (uint32_t)(*p)[1] << 24 | (uint32_t)(*p)[2] << 16 |
         (uint32_t)(*p)[3] << 8 | (*p)[4];
    *p += 5;
  } else {
    return -1;
  }
  return 0;
}

int offset_read(const uint8_t *data, size_t len, int64_t *seq, file_list *out) {
  weir_value files;
  if (weir_map_int(data, len, "logOffset", seq) != 1 ||
      weir_map_find(data, len, "files", &files) != 1)
    return WEIR_ERR_FORMAT;
  const uint8_t *p = files.raw, *end = files.raw + files.raw_len;
  uint32_t n;
  if (array_header(&p, end, &n) != 0)
    return WEIR_ERR_FORMAT;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t m;
    weir_value path, size, mtime;
    if (array_header(&p, end, &m) != 0 || m != 3 ||
        weir_value_decode(&p, end, &path) != WEIR_OK ||
        weir_value_decode(&p, end, &size) != WEIR_OK ||
        weir_value_decode(&p, end, &mtime) != WEIR_OK ||
        path.type != WEIR_T_STRING || size.type != WEIR_T_INT ||
        mtime.type != WEIR_T_INT || path.v.s.len >= PATH_MAX)
      return WEIR_ERR_FORMAT;
    char buf[PATH_MAX];
    memcpy(buf, path.v.s.ptr, path.v.s.len);
    buf[path.v.s.len] = '\0';
    if (file_list_add(out, buf, size.v.i, mtime.v.i) != 0)
      return WEIR_ERR_NOMEM;
  }
  return WEIR_OK;
}
