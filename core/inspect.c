/* inspect.c — `weir checkpoint DIR [--state]`: what a checkpoint holds, for
 * an operator deciding whether to restart, and for debugging state: query
 * id, epochs logged and committed, watermark, each source's offsets, the
 * state files per operator and their sizes, and (--state) the entries. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "state.h"
#include "weir/json.h"
#include "weir/offset.h"
#include "weir/units.h"

int inspect_checkpoint(const char *dir, const char *state_op);

/* msgpack as JSON; other bytes (e.g. a fixed C struct) as {"hex":"..."}. */
static void print_msgpack(const uint8_t *p, size_t n) {
  weir_buf b = WEIR_BUF_INIT;
  if (n && weir_json_from_msgpack(&b, p, n) == WEIR_OK) {
    fwrite(b.data, 1, b.len, stdout);
  } else {
    fputs("{\"hex\":\"", stdout);
    for (size_t i = 0; i < n; i++)
      printf("%02x", p[i]);
    fputs("\"}", stdout);
  }
  weir_buf_free(&b);
}

typedef struct show_ctx {
  store *stores[32]; /* one per store name, rebuilt like a restart does */
  char plugin[32][128];
  size_t n;
} show_ctx;

static int collect_store(void *u, const char *name, const char *plugin,
                         uint32_t version, int64_t epoch, const uint8_t *data,
                         size_t len) {
  show_ctx *c = u;
  (void)epoch;
  size_t i = 0;
  while (i < c->n && strcmp(store_name(c->stores[i]), name) != 0)
    i++;
  if (i == c->n) {
    if (c->n == 32 || !(c->stores[i] = store_new(name, version)))
      return WEIR_ERR_LIMIT;
    snprintf(c->plugin[i], sizeof c->plugin[i], "%s", plugin);
    c->n++;
  }
  return store_apply(c->stores[i], data, len);
}

static void print_stores(show_ctx *c, int entries) {
  for (size_t i = 0; i < c->n; i++) {
    weir_state *w = (weir_state *)c->stores[i];
    if (!entries)
      printf("    store '%s' (plugin %s, version %u): %" PRIu64
             " keys, %.1f KiB "
             "in memory\n",
             *store_name(c->stores[i]) ? store_name(c->stores[i]) : "default",
             c->plugin[i], store_version(c->stores[i]), weir_state_count(w),
             (double)weir_state_bytes(w) / 1024.0);
    weir_state_iter it = WEIR_STATE_ITER_INIT;
    const void *k, *v;
    size_t kl, vl;
    while (entries && weir_state_next(w, &it, &k, &kl, &v, &vl)) {
      fputs("{\"store\":", stdout);
      weir_buf name = WEIR_BUF_INIT;
      weir_json_string(&name, store_name(c->stores[i]),
                       strlen(store_name(c->stores[i])));
      fwrite(name.data, 1, name.len, stdout);
      weir_buf_free(&name);
      fputs(",\"key\":", stdout);
      print_msgpack(k, kl);
      fputs(",\"value\":", stdout);
      print_msgpack(v, vl);
      int64_t t = weir_state_timer(w, k, kl);
      if (t != WEIR_NO_TIMER)
        printf(",\"timer\":%" PRId64, t);
      puts("}");
    }
    store_free(c->stores[i]);
  }
  c->n = 0;
}

static uint64_t dir_bytes(const char *path) {
  DIR *d = opendir(path);
  if (!d)
    return 0;
  uint64_t total = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char p[4500];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", path, e->d_name);
    if (stat(p, &st) != 0)
      continue;
    total += S_ISDIR(st.st_mode) ? dir_bytes(p) : (uint64_t)st.st_size;
  }
  closedir(d);
  return total;
}

/* The last progress event and, if something is wrong, the status a running
 * (or killed) query last wrote: files it replaces as it goes. */
static void print_live(const char *dir) {
  char path[4200], line[65536];
  snprintf(path, sizeof path, "%s/progress.json", dir);
  FILE *pf = fopen(path, "r");
  if (pf && fgets(line, sizeof line, pf))
    printf("  last progress: %s", line);
  if (pf)
    fclose(pf);
  snprintf(path, sizeof path, "%s/status.json", dir);
  pf = fopen(path, "r");
  if (pf && fgets(line, sizeof line, pf) && !strstr(line, "\"nodes\":[]"))
    printf("  status: %s", line);
  if (pf)
    fclose(pf);
}

int inspect_checkpoint(const char *dir, const char *state_op) {
  int show_state = state_op != NULL;
  char err[2048], path[4200];
  weir_buf meta = WEIR_BUF_INIT;
  snprintf(path, sizeof path, "%s/metadata", dir);
  int rc = ckpt_read_file(path, &meta, err, sizeof err);
  if (rc != WEIR_OK) {
    fprintf(stderr, "weir: %s\n", err);
    weir_buf_free(&meta);
    return 1;
  }
  if (!show_state)
    printf("checkpoint %s\n", dir);
  const char *nl = memchr(meta.data, '\n', meta.len);
  if (nl && !show_state)
    printf("  metadata: %.*s\n",
           (int)(meta.len - (size_t)(nl + 1 - (char *)meta.data)) - 1, nl + 1);
  weir_buf_free(&meta);
  /* A read-only look: ckpt_open would take the lock and create folders. */
  checkpoint *c = NULL;
  struct stat st;
  snprintf(path, sizeof path, "%s/offsets", dir);
  if (stat(path, &st) != 0) {
    fprintf(stderr, "weir: %s: not a checkpoint (no offsets folder)\n", dir);
    return 1;
  }
  if (ckpt_open(dir, 0, &c, err, sizeof err) != WEIR_OK) {
    /* Locked by a running query: what it says about itself is what a
     * person watching it wants. */
    printf("  (%s)\n", err);
    if (!show_state)
      print_live(dir);
    return 0;
  }
  ckpt_status s;
  if (ckpt_scan(c, &s, err, sizeof err) != WEIR_OK) {
    fprintf(stderr, "weir: %s\n", err);
    ckpt_close(c);
    return 1;
  }
  if (show_state) {
    /* JSON lines of one operator's state, as a restart would rebuild it. */
    show_ctx sc;
    sc.n = 0;
    snprintf(path, sizeof path, "%s/state/%s", dir, state_op);
    if (stat(path, &st) != 0) {
      fprintf(stderr, "weir: %s: no state for operator '%s'\n", dir, state_op);
      ckpt_close(c);
      return 1;
    }
    int rc2 = ckpt_read_state(c, state_op, s.last_commit, collect_store, &sc,
                              err, sizeof err);
    if (rc2 != WEIR_OK)
      fprintf(stderr, "weir: %s\n", err);
    print_stores(&sc, 1);
    ckpt_close(c);
    return rc2 == WEIR_OK ? 0 : 1;
  }
  printf("  epochs logged: %" PRId64 "..%" PRId64 ", last committed: %" PRId64
         "%s\n",
         s.first_kept, s.last_offsets, s.last_commit,
         s.last_offsets > s.last_commit ? " (one uncommitted: it re-runs)"
                                        : "");
  if (s.last_commit >= 0) {
    int64_t wm;
    if (ckpt_read_commit(c, s.last_commit, &wm, err, sizeof err) == WEIR_OK) {
      char t[64];
      weir_format_timestamp(wm, WEIR_TS_ISO, t, sizeof t);
      printf("  watermark for epoch %" PRId64 ": %s\n", s.last_commit + 1, t);
    }
  }
  if (s.last_offsets >= 0) {
    ckpt_plan p;
    if (ckpt_read_offsets(c, s.last_offsets, &p, err, sizeof err) == WEIR_OK) {
      for (size_t i = 0; i < p.n; i++) {
        printf("  source %s: ", p.sources[i].name);
        if (p.sources[i].start.len)
          print_msgpack(p.sources[i].start.data, p.sources[i].start.len);
        else
          fputs("(start)", stdout);
        fputs(" -> ", stdout);
        print_msgpack(p.sources[i].end.data, p.sources[i].end.len);
        printf("  [epoch %" PRId64 "]\n", s.last_offsets);
      }
      ckpt_plan_free(&p);
    } else {
      printf("  (%s)\n", err);
    }
  }
  snprintf(path, sizeof path, "%s/state", dir);
  DIR *d = opendir(path);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char np[4500];
    snprintf(np, sizeof np, "%s/%s", path, e->d_name);
    show_ctx sc;
    sc.n = 0;
    printf("  state of %s: %.1f KiB on disk\n", e->d_name,
           (double)dir_bytes(np) / 1024.0);
    if (ckpt_read_state(c, e->d_name, s.last_commit, collect_store, &sc, err,
                        sizeof err) != WEIR_OK)
      printf("    (%s)\n", err);
    print_stores(&sc, 0);
  }
  if (d)
    closedir(d);
  ckpt_close(c);
  print_live(dir);
  return 0;
}
