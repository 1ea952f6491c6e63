/* bench_file.c — the file source end to end: a generated file of events
 * read through file → null under available-now, in-process, for json lines,
 * csv, text and gzip-compressed json lines; prints lines/s, MB/s of input
 * and the peak RSS (the reader is streamed: RSS must not follow the file
 * size). Usage: bench_file [LINES] (default 5,000,000, about 500 MB of
 * json). The data goes to a temporary folder under /tmp, removed after. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "query.h"

static double secs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const types[] = {"click", "view", "purchase", "signup"};

/* The events of the benchmark: event_type, user_id, timestamp. */
static int line_json(char *out, size_t n, long long i) {
  return snprintf(out, n,
                  "{\"event_type\":\"%s\",\"user_id\":\"user-%lld\","
                  "\"timestamp\":\"2026-01-01T%02lld:%02lld:%02lld.%03lldZ\","
                  "\"amount\":%lld.%02lld}\n",
                  types[i % 4], i % 100000, i / 3600000 % 24, i / 60000 % 60,
                  i / 1000 % 60, i % 1000, i % 997, i % 100);
}

static int line_csv(char *out, size_t n, long long i) {
  return snprintf(out, n,
                  "%s,user-%lld,2026-01-01T%02lld:%02lld:%02lld.%03lldZ,"
                  "%lld.%02lld\n",
                  types[i % 4], i % 100000, i / 3600000 % 24, i / 60000 % 60,
                  i / 1000 % 60, i % 1000, i % 997, i % 100);
}

static long long make_file(const char *path, int csv, int gz, long long lines) {
  FILE *f = gz ? NULL : fopen(path, "w");
  gzFile g = gz ? gzopen(path, "wb1") : NULL;
  char buf[256];
  if (!f && !g)
    return -1;
  for (long long i = 0; i < lines; i++) {
    int k = csv ? line_csv(buf, sizeof buf, i) : line_json(buf, sizeof buf, i);
    if (g)
      gzwrite(g, buf, (unsigned)k);
    else
      fwrite(buf, 1, (size_t)k, f);
  }
  if (g)
    gzclose(g);
  else
    fclose(f);
  struct stat st;
  return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static double run(const char *dir, const char *format, const char *schema,
                  long long *rows) {
  char path[512], err[4096];
  snprintf(path, sizeof path, "%s/bench.ini", dir);
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f,
          "[query]\ntrigger = available-now\n"
          "[source.f]\nplugin = file\npath = %s/data\nformat = %s\n%s%s\n"
          "[sink.out]\nplugin = null\ninput = f\n",
          dir, format, schema ? "schema = " : "", schema ? schema : "");
  fclose(f);
  query *q;
  if (query_load(path, &q, err, sizeof err) != WEIR_OK) {
    fprintf(stderr, "bench_file: %s\n", err);
    return -1;
  }
  q->quiet = 1;
  volatile sig_atomic_t stop = 0;
  double t0 = secs();
  int rc = query_run(q, &weir_wall_clock, &stop, err, sizeof err);
  double t = secs() - t0;
  *rows = q->rows_total;
  query_free(q);
  if (rc != WEIR_OK) {
    fprintf(stderr, "bench_file: %s\n", err);
    return -1;
  }
  return t;
}

int main(int argc, char **argv) {
  long long lines = argc > 1 ? atoll(argv[1]) : 5000000;
  char dir[] = "/tmp/weir-bench-file-XXXXXX", data[600], file[700];
  if (!mkdtemp(dir))
    return 1;
  snprintf(data, sizeof data, "%s/data", dir);
  mkdir(data, 0777);
  static const struct {
    const char *name, *format, *file, *schema;
    int csv, gz;
  } cases[] = {
      {"json lines", "json", "events.json",
       "event_type STRING, user_id STRING, timestamp TIMESTAMP, amount DOUBLE",
       0, 0},
      {"csv", "csv", "events.csv",
       "event_type STRING, user_id STRING, timestamp TIMESTAMP, amount DOUBLE",
       1, 0},
      {"text (json lines as lines)", "text", "events.json", NULL, 0, 0},
      {"json lines, gzip", "json", "events.json.gz",
       "event_type STRING, user_id STRING, timestamp TIMESTAMP, amount DOUBLE",
       0, 1},
  };
  int status = 0;
  printf("bench_file: file -> null, available-now, %lld lines per file\n",
         lines);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(file, sizeof file, "%s/%s", data, cases[i].file);
    long long bytes = make_file(file, cases[i].csv, cases[i].gz, lines);
    long long rows = 0;
    double t =
        bytes < 0 ? -1 : run(dir, cases[i].format, cases[i].schema, &rows);
    unlink(file);
    if (t < 0 || rows != lines) {
      fprintf(stderr, "bench_file: %s failed (rows %lld)\n", cases[i].name,
              rows);
      status = 1;
      continue;
    }
    printf("file %-28s: %lld lines, %.1f MB in %.2f s = %.2f M lines/s, "
           "%.0f MB/s\n",
           cases[i].name, rows, (double)bytes / 1e6, t, (double)rows / t / 1e6,
           (double)bytes / t / 1e6);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("file source peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0)
    status = 1;
  return status;
}
