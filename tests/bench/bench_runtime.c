/* bench_runtime.c — rows through the whole runtime: rate → select
 * (pass-through projection) → null, in-process, timed from load to stop,
 * with peak RSS. Usage: bench_runtime [ROWS] [BATCH_ROWS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "query.h"

static double secs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run(const char *columns, long long rows, long long batch) {
  char path[] = "/tmp/weir-bench-XXXXXX.ini", err[4096];
  int fd = mkstemps(path, 4);
  if (fd < 0)
    return -1;
  FILE *f = fdopen(fd, "w");
  fprintf(f,
          "[query]\ntrigger = available-now\nmax_batch_rows = %lld\n"
          "[source.r]\nplugin = rate\nrows_per_second = 1000000000\n"
          "start_timestamp = 2020-01-01T00:00:00Z\nmax_rows = %lld\n"
          "[operator.s]\nplugin = select\ninput = r\ncolumns = %s\n"
          "[sink.out]\nplugin = null\ninput = s\n",
          batch, rows, columns);
  fclose(f);
  query *q;
  if (query_load(path, &q, err, sizeof err) != WEIR_OK) {
    fprintf(stderr, "bench_runtime: %s\n", err);
    unlink(path);
    return -1;
  }
  unlink(path);
  q->quiet = 1;
  volatile sig_atomic_t stop = 0;
  double t0 = secs();
  int rc = query_run(q, &weir_wall_clock, &stop, err, sizeof err);
  double t = secs() - t0;
  long long got = q->rows_total;
  query_free(q);
  if (rc != WEIR_OK || got != rows) {
    fprintf(stderr, "bench_runtime: %s (rows %lld)\n", rc ? err : "", got);
    return -1;
  }
  return t;
}

int main(int argc, char **argv) {
  long long rows = argc > 1 ? atoll(argv[1]) : 50000000;
  long long batch = argc > 2 ? atoll(argv[2]) : 4096;
  const char *cases[][2] = {
      {"*", "select * (batch passed through)"},
      {"timestamp, value, value AS v2", "select 3 columns (rows rebuilt)"}};
  for (size_t i = 0; i < 2; i++) {
    double t = run(cases[i][0], rows, batch);
    if (t < 0)
      return 1;
    printf("runtime rate -> %-34s -> null: %lld rows in %.2f s = %.1f M rows/s "
           "(batch %lld)\n",
           cases[i][1], rows, t, (double)rows / t / 1e6, batch);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("runtime peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
  return 0;
}
