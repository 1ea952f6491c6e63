/* bench_json_aggregate.c — issue 3's end-to-end figure: a JSON lines file
 * counted per event type in 1-minute event-time windows,
 *
 *   weir      file (text) → json → aggregate(window(timestamp, 1 minute),
 *             event_type: count) → null, available-now, update mode
 *   weir/src  the same with the file source parsing (format = json), one
 *             operator fewer
 *   baseline  a hand-written single-threaded C program (below, run as
 *             `bench_json_aggregate --baseline FILE`): the same lines, read
 *             the same way (1 MiB read() buffer, lines found with memchr),
 *             parsed by the same SDK parser (weir/jsonparse.h) with the same
 *             schema, the window start computed and (window, event_type)
 *             counted in an open-addressing hash table.
 *
 * Each contender runs in its own process (weir is the real binary, exec'd;
 * the baseline is this program exec'd again), so wall time, CPU time and
 * peak RSS (wait4) are each its own (Linux folds the forking parent's own
 * peak, ~2 MiB here, into a child's at exec: small figures are bounds). Rounds
 * are interleaved so a busy neighbour on the machine hurts all alike; the
 * median round is printed, with records/s, MB/s of input, peak RSS and weir's
 * speed as a fraction of the baseline's (the target: at least 0.5).
 *
 * Before timing, each weir pipeline runs once with a console (format = json)
 * sink instead of null, and its every group (window, type, count) must equal
 * the baseline's: the figures are of runs that compute the same result.
 *
 * Usage: bench_json_aggregate [LINES]   (default 5,000,000, ~410 MB)
 * Environment: BENCH_ROUNDS (default 3), WEIR (the binary; default
 * ../bin/weir beside this program's folder), WEIR_PLUGIN_PATH. The data goes
 * to a temporary folder under /tmp, removed after. Prints figures; asserts
 * nothing about speed (exit 1 only when a run fails or results differ).
 *
 * Figures on the development VM (2 cores shared with other builds, load
 * ~2; medians of 3 runs; the table is in tests/bench/README-json.md):
 *   baseline                          5.3 M rec/s  433 MB/s  3 MiB
 *   weir file(text) → json → agg      4.2 M rec/s  344 MB/s  6 MiB  0.80x
 *   weir file(json) → agg             4.5 M rec/s  373 MB/s  5 MiB  0.86x */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <weir/weir.h>

#define READ_BUFFER (1u << 20) /* as the file source's line reader */
#define WINDOW_US INT64_C(60000000)
#define SCHEMA "event_type STRING, user_id STRING, timestamp TIMESTAMP"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the events ---------------------------------------------------------- */

static const char *const types[] = {
    "click", "view",   "purchase", "scroll",      "signup",
    "login", "logout", "search",   "add_to_cart", "share"};

/* 200 events per event-time second from 2026-01-01T00:00:00Z, each up to 2 s
 * early or late (out of order, as a tracker delivers them): 5 M lines span
 * about 7 hours, some 420 windows, 4,200 groups. */
static long long generate(const char *path, long long n) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  static char iobuf[1 << 16];
  setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
  const int64_t base = INT64_C(1767225600); /* 2026-01-01T00:00:00Z */
  uint64_t x = 88172645463325252ull;
  int64_t cached_sec = -1;
  char date[32] = "";
  for (long long i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    int64_t ms = i * 5 + (int64_t)(x % 4000) - 2000;
    if (ms < 0)
      ms = 0;
    int64_t sec = base + ms / 1000;
    if (sec != cached_sec) { /* gmtime_r once per second, not per line */
      time_t t = (time_t)sec;
      struct tm tm;
      gmtime_r(&t, &tm);
      strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
      cached_sec = sec;
    }
    fprintf(f,
            "{\"event_type\":\"%s\",\"user_id\":\"u%u\",\"timestamp\":\"%s."
            "%03dZ\"}\n",
            types[(x >> 20) % 10], (unsigned)((x >> 32) % 100000), date,
            (int)(ms % 1000));
  }
  if (fclose(f) != 0)
    return -1;
  struct stat st;
  return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* ---- the groups: (window start, event type) → count ---------------------- */

typedef struct slot {
  int64_t win, count;
  uint64_t hash;     /* 0: empty */
  uint32_t off, len; /* the type's bytes in the table's arena */
} slot;

typedef struct table {
  slot *s;
  size_t cap, n;
  weir_buf arena;
} table;

static uint64_t hash_key(int64_t win, const char *t, size_t n) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)win * 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)t[i]) * 1099511628211ull;
  h ^= h >> 29;
  return h ? h : 1;
}

static int table_grow(table *t) {
  size_t cap = t->cap ? t->cap * 2 : 1024;
  slot *s = calloc(cap, sizeof *s);
  if (!s)
    return -1;
  for (size_t i = 0; i < t->cap; i++)
    if (t->s[i].hash) {
      size_t j = t->s[i].hash & (cap - 1);
      while (s[j].hash)
        j = (j + 1) & (cap - 1);
      s[j] = t->s[i];
    }
  free(t->s);
  t->s = s;
  t->cap = cap;
  return 0;
}

/* The group's slot, created with count 0 when new; NULL when out of memory. */
static slot *table_find(table *t, int64_t win, const char *type, size_t n) {
  if (2 * (t->n + 1) > t->cap && table_grow(t) != 0)
    return NULL;
  uint64_t h = hash_key(win, type, n);
  size_t j = h & (t->cap - 1);
  for (;; j = (j + 1) & (t->cap - 1)) {
    slot *s = &t->s[j];
    if (!s->hash)
      break;
    if (s->hash == h && s->win == win && s->len == n &&
        memcmp(t->arena.data + s->off, type, n) == 0)
      return s;
  }
  slot *s = &t->s[j];
  *s = (slot){win, 0, h, (uint32_t)t->arena.len, (uint32_t)n};
  weir_buf_append(&t->arena, type, n);
  t->n++;
  return t->arena.err ? NULL : s;
}

/* What is compared between contenders: the number of groups, the sum of
 * the counts, and an order-free checksum of every (window, type, count). */
typedef struct summary {
  long long groups, total;
  uint64_t checksum;
} summary;

static summary table_summary(const table *t) {
  summary r = {0, 0, 0};
  for (size_t i = 0; i < t->cap; i++) {
    const slot *s = &t->s[i];
    if (!s->hash)
      continue;
    uint64_t h =
        hash_key(s->win, (const char *)t->arena.data + s->off, s->len) ^
        ((uint64_t)s->count * 0xff51afd7ed558ccdull);
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    r.groups++;
    r.total += s->count;
    r.checksum += h;
  }
  return r;
}

static void table_free(table *t) {
  free(t->s);
  weir_buf_free(&t->arena);
  memset(t, 0, sizeof *t);
}

/* ---- reading lines (the baseline's and the check's) ---------------------- */

typedef int (*line_fn)(void *arg, const char *line, size_t len);

/* Calls fn on every line of the file ("\n" removed), read with one buffer
 * of READ_BUFFER bytes. Returns 0, or -1 (I/O error, or fn's). */
static int each_line(const char *path, line_fn fn, void *arg) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  char *buf = malloc(READ_BUFFER);
  size_t start = 0, end = 0;
  int rc = fd < 0 || !buf ? -1 : 0;
  while (rc == 0) {
    ssize_t k = read(fd, buf + end, READ_BUFFER - end);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0) {
      rc = -1;
      break;
    }
    end += (size_t)k;
    for (;;) {
      char *nl = memchr(buf + start, '\n', end - start);
      if (!nl)
        break;
      if ((rc = fn(arg, buf + start, (size_t)(nl - buf) - start)) != 0)
        break;
      start = (size_t)(nl - buf) + 1;
    }
    if (rc != 0)
      break;
    if (k == 0) { /* a last line without "\n" */
      if (end > start)
        rc = fn(arg, buf + start, end - start);
      break;
    }
    memmove(buf, buf + start, end - start);
    end -= start;
    start = 0;
    if (end == READ_BUFFER) { /* a line longer than the buffer */
      rc = -1;
      break;
    }
  }
  free(buf);
  if (fd >= 0)
    close(fd);
  return rc;
}

typedef struct parse_ctx {
  weir_json_parser *p;
  weir_builder b;
  table t;
  int check; /* console output: set the count, do not add one */
} parse_ctx;

/* The start of the tumbling window holding t (floor, also before 1970). */
static int64_t window_start(int64_t t) {
  int64_t q = t / WINDOW_US;
  return (q - (t % WINDOW_US < 0)) * WINDOW_US;
}

/* One line: the parser appends the values to the builder, they are decoded
 * from there, and the builder is rolled back once the group is counted, so
 * it never grows (the decoded string points into it until then). */
static int one_line(void *arg, const char *line, size_t len) {
  parse_ctx *c = arg;
  weir_json_error e;
  size_t mark = c->b.buf.len;
  int rc = weir_json_parse_values(c->p, line, len, &c->b, &e);
  if (rc == WEIR_JSON_BLANK)
    return 0;
  if (rc != WEIR_OK) {
    char why[400];
    weir_json_error_format(&e, why, sizeof why);
    fprintf(stderr, "bench_json_aggregate: malformed line: %s: %.*s\n", why,
            (int)(len > 200 ? 200 : len), line);
    return -1;
  }
  const uint8_t *p = c->b.buf.data + mark, *end = c->b.buf.data + c->b.buf.len;
  weir_value v[4];
  size_t nv = c->check ? 4 : 3; /* check: epoch, window, type, count */
  for (size_t i = 0; i < nv; i++)
    if (weir_value_decode(&p, end, &v[i]) != WEIR_OK)
      return -1;
  const weir_value *type, *ts;
  int64_t win, add = 1;
  if (c->check) {
    weir_value w[2];
    if (weir_value_members(&v[1], w, 2) != WEIR_OK)
      return -1;
    ts = &w[0];
    type = &v[2];
    add = v[3].type == WEIR_T_INT ? v[3].v.i : -1;
    if (ts->type != WEIR_T_TIMESTAMP)
      return -1;
    win = ts->v.ts;
  } else {
    type = &v[0];
    ts = &v[2];
    if (ts->type != WEIR_T_TIMESTAMP) {
      c->b.buf.len = mark;
      return 0; /* no time: in no window (Spark) */
    }
    win = window_start(ts->v.ts);
  }
  if (type->type != WEIR_T_STRING) {
    fprintf(stderr, "bench_json_aggregate: null event_type\n");
    return -1;
  }
  slot *s = table_find(&c->t, win, type->v.s.ptr, type->v.s.len);
  c->b.buf.len = mark;
  if (!s)
    return -1;
  if (c->check)
    s->count = add; /* the last update of a group is its result */
  else
    s->count += add;
  return 0;
}

/* Reads `path` (events, or with check the console's JSON rows) into a
 * summary. Returns 0 or -1. */
static int summarize(const char *path, int check, summary *out) {
  parse_ctx c;
  char err[512];
  weir_schema *s = NULL;
  int rc = -1;
  memset(&c, 0, sizeof c);
  c.check = check;
  const char *ddl = check ? "epoch BIGINT, window STRUCT<start: TIMESTAMP, "
                            "end: TIMESTAMP>, event_type STRING, count BIGINT"
                          : SCHEMA;
  if (weir_schema_parse(ddl, &s, err, sizeof err) != WEIR_OK ||
      weir_json_parser_new(s, NULL, &c.p, err, sizeof err) != WEIR_OK ||
      weir_builder_init(&c.b, s) != WEIR_OK) {
    fprintf(stderr, "bench_json_aggregate: %s\n", err);
  } else if (each_line(path, one_line, &c) == 0 && !c.b.buf.err &&
             !c.t.arena.err) {
    *out = table_summary(&c.t);
    rc = 0;
  }
  table_free(&c.t);
  weir_builder_free(&c.b);
  weir_json_parser_free(c.p);
  weir_schema_free(s);
  return rc;
}

/* The baseline's process: prints "groups total checksum" on stdout. */
static int baseline_main(const char *path) {
  summary s;
  if (summarize(path, 0, &s) != 0) {
    fprintf(stderr, "bench_json_aggregate: baseline failed on %s\n", path);
    return 1;
  }
  printf("%lld %lld %" PRIu64 "\n", s.groups, s.total, s.checksum);
  return 0;
}

/* ---- running the contenders ---------------------------------------------- */

typedef struct run_result {
  double wall, cpu, rss_mib;
} run_result;

/* Runs argv with stdout to out_path (or /dev/null) and stderr to err_path;
 * returns 0 when it exited 0. */
static int run_child(char *const argv[], const char *out_path,
                     const char *err_path, run_result *r) {
  fflush(NULL);
  double t0 = now_s();
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int o = open(out_path ? out_path : "/dev/null",
                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
      _exit(126);
    execv(argv[0], argv);
    _exit(127);
  }
  int st;
  struct rusage ru;
  while (wait4(pid, &st, 0, &ru) < 0)
    if (errno != EINTR)
      return -1;
  r->wall = now_s() - t0;
  r->cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  r->rss_mib = (double)ru.ru_maxrss / 1024.0;
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "bench_json_aggregate: %s exited %d; its stderr:\n",
            argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    FILE *f = fopen(err_path, "r");
    char line[512];
    for (int i = 0; f && i < 20 && fgets(line, sizeof line, f); i++)
      fputs(line, stderr);
    if (f)
      fclose(f);
    return -1;
  }
  return 0;
}

static int write_ini(const char *path, const char *dir, int source_parses,
                     const char *sink) {
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "[query]\ntrigger = available-now\noutput_mode = update\n");
  if (source_parses)
    fprintf(f,
            "[source.raw]\nplugin = file\npath = %s/data\nformat = json\n"
            "schema = " SCHEMA "\n",
            dir);
  else
    fprintf(f,
            "[source.raw]\nplugin = file\npath = %s/data\nformat = text\n"
            "[operator.events]\nplugin = json\ninput = raw\nschema = " SCHEMA
            "\n",
            dir);
  fprintf(f,
          "[operator.counts]\nplugin = aggregate\ninput = %s\n"
          "group_by = window(timestamp, 1 minute), event_type\n"
          "aggregate = count\n[sink.out]\nplugin = %s\ninput = counts\n%s",
          source_parses ? "raw" : "events", sink,
          strcmp(sink, "console") == 0 ? "format = json\n" : "");
  return fclose(f) == 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

enum { C_BASE, C_WEIR, C_WEIR_SRC, NCONT };
#define MAX_ROUNDS 15

static void weir_path(char *out, size_t n) {
  const char *env = getenv("WEIR");
  char self[PATH_MAX];
  ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
  if (env && *env) {
    snprintf(out, n, "%s", env);
    return;
  }
  self[k > 0 ? k : 0] = '\0';
  char *slash = strrchr(self, '/');
  if (slash)
    *slash = '\0';
  snprintf(out, n, "%s/../bin/weir", self);
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--baseline") == 0)
    return baseline_main(argv[2]);
  long long lines = argc > 1 ? atoll(argv[1]) : 5000000;
  int rounds = getenv("BENCH_ROUNDS") ? atoi(getenv("BENCH_ROUNDS")) : 3;
  if (lines <= 0 || rounds < 1 || rounds > MAX_ROUNDS) {
    fprintf(stderr,
            "usage: bench_json_aggregate [LINES] (BENCH_ROUNDS "
            "1..%d)\n",
            MAX_ROUNDS);
    return 2;
  }
  char dir[] = "/tmp/weir-bench-jsonagg-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char data[64], file[96], ini[NCONT][96] = {""}, check_ini[NCONT][96] = {""},
                           out[96], err[96], weir[PATH_MAX + 16],
                           self[PATH_MAX];
  snprintf(data, sizeof data, "%s/data", dir);
  snprintf(file, sizeof file, "%s/events.jsonl", data);
  snprintf(out, sizeof out, "%s/out.jsonl", dir);
  snprintf(err, sizeof err, "%s/stderr", dir);
  weir_path(weir, sizeof weir);
  ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
  self[k > 0 ? k : 0] = '\0';
  int status = 1;
  long long bytes = -1;
  summary expect = {0, 0, 0};
  run_result res[NCONT][MAX_ROUNDS];
  const char *names[NCONT] = {"baseline (C, jsonparse + hash table)",
                              "weir file(text) -> json -> aggregate -> null",
                              "weir file(json) -> aggregate -> null"};

  mkdir(data, 0777);
  double g0 = now_s();
  bytes = generate(file, lines);
  if (bytes < 0) {
    fprintf(stderr, "bench_json_aggregate: cannot write %s\n", file);
    goto done;
  }
  printf("bench_json_aggregate: %lld lines, %.1f MB (generated in %.1f s), "
         "%d rounds, median shown\n",
         lines, (double)bytes / 1e6, now_s() - g0, rounds);

  /* The baseline's result, then each weir pipeline's, group by group (this
   * also brings the file into the page cache for every timed run). */
  char *base_argv[] = {self, "--baseline", file, NULL};
  run_result r0;
  if (run_child(base_argv, out, err, &r0) != 0)
    goto done;
  FILE *f = fopen(out, "r");
  int got = f ? fscanf(f, "%lld %lld %" SCNu64, &expect.groups, &expect.total,
                       &expect.checksum)
              : 0;
  if (f)
    fclose(f);
  if (got != 3 || expect.total != lines) {
    fprintf(stderr, "bench_json_aggregate: baseline counted %lld of %lld\n",
            expect.total, lines);
    goto done;
  }
  for (int c = C_WEIR; c < NCONT; c++) {
    snprintf(ini[c], sizeof ini[c], "%s/q%d.ini", dir, c);
    snprintf(check_ini[c], sizeof check_ini[c], "%s/check%d.ini", dir, c);
    summary s;
    char *argv_check[] = {weir, "run", "-q", check_ini[c], NULL};
    if (write_ini(ini[c], dir, c == C_WEIR_SRC, "null") != 0 ||
        write_ini(check_ini[c], dir, c == C_WEIR_SRC, "console") != 0 ||
        run_child(argv_check, out, err, &r0) != 0 ||
        summarize(out, 1, &s) != 0) {
      fprintf(stderr, "bench_json_aggregate: %s: check run failed\n", names[c]);
      goto done;
    }
    if (s.groups != expect.groups || s.total != expect.total ||
        s.checksum != expect.checksum) {
      fprintf(stderr,
              "bench_json_aggregate: %s: %lld groups, %lld events, checksum "
              "%016" PRIx64 "; the baseline: %lld, %lld, %016" PRIx64 "\n",
              names[c], s.groups, s.total, s.checksum, expect.groups,
              expect.total, expect.checksum);
      goto done;
    }
  }
  printf("same result: %lld groups (window, event_type), %lld events, "
         "checksum %016" PRIx64 ", baseline and both weir pipelines\n",
         expect.groups, expect.total, expect.checksum);

  for (int i = 0; i < rounds; i++)
    for (int c = 0; c < NCONT; c++) {
      char *argv_weir[] = {weir, "run", "-q", ini[c], NULL};
      if (run_child(c == C_BASE ? base_argv : argv_weir, NULL, err,
                    &res[c][i]) != 0)
        goto done;
    }

  double base_rate = 0;
  for (int c = 0; c < NCONT; c++) {
    double wall[MAX_ROUNDS], cpu[MAX_ROUNDS], rss = 0;
    for (int i = 0; i < rounds; i++) {
      wall[i] = res[c][i].wall;
      cpu[i] = res[c][i].cpu;
      if (res[c][i].rss_mib > rss)
        rss = res[c][i].rss_mib;
    }
    qsort(wall, (size_t)rounds, sizeof *wall, cmp_double);
    qsort(cpu, (size_t)rounds, sizeof *cpu, cmp_double);
    double w = wall[rounds / 2], rate = (double)lines / w;
    if (c == C_BASE)
      base_rate = rate;
    printf("%-46s %5.2f M rec/s %5.0f MB/s  %.2f s (cpu %.2f s)  peak RSS "
           "%5.1f MiB",
           names[c], rate / 1e6, (double)bytes / w / 1e6, w, cpu[rounds / 2],
           rss);
    if (c != C_BASE)
      printf("  %.2fx baseline", rate / base_rate);
    printf("\n");
  }
  status = 0;
done:
  unlink(file);
  unlink(out);
  unlink(err);
  for (int c = C_WEIR; c < NCONT; c++)
    if (ini[c][0]) {
      unlink(ini[c]);
      unlink(check_ini[c]);
    }
  rmdir(data);
  if (rmdir(dir) != 0) { /* e.g. weir's temporary checkpoint left behind */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
      fprintf(stderr, "bench_json_aggregate: could not remove %s\n", dir);
  }
  return status;
}
