/* bench_parquet.c — the SDK's Parquet writer and reader on 10 million rows of
 * 4 columns (id BIGINT, ts TIMESTAMP, x DOUBLE, name STRING with 1000
 * distinct values), snappy, default row groups: rows/s and MB/s of file
 * written and read, and peak memory; then, when DuckDB is installed for the
 * tests ($BUILD/npm, see tests/e2e/parquet_duckdb.sh), DuckDB doing the same
 * on this machine, on one thread like weir. Prints figures, asserts nothing.
 * Usage: bench_parquet [ROWS] [DIR]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "weir/parquet.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long peak_rss_mb(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

int main(int argc, char **argv) {
  int64_t rows = argc > 1 ? atoll(argv[1]) : 10000000;
  const char *dir = argc > 2 ? argv[2] : "/tmp";
  char path[4096], err[512];
  snprintf(path, sizeof path, "%s/weir-bench-%d.parquet", dir, (int)getpid());
  weir_schema *s = NULL;
  weir_schema_parse("id BIGINT, ts TIMESTAMP, x DOUBLE, name STRING", &s, err,
                    sizeof err);
  weir_parquet_options o = WEIR_PARQUET_OPTIONS_INIT; /* snappy */
  weir_parquet_writer *w =
      weir_parquet_writer_open(path, s, &o, err, sizeof err);
  if (!w) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  weir_builder b;
  weir_builder_init(&b, s);
  double tw = 0;
  for (int64_t i = 0; i < rows;) {
    char name[32];
    weir_builder_reset(&b);
    for (int k = 0; k < 4096 && i < rows; k++, i++) {
      int n = snprintf(name, sizeof name, "user-%" PRId64, i % 1000);
      weir_row_begin(&b);
      weir_put_int(&b, i);
      weir_put_timestamp(&b, 1767225600000000LL + i * 1000);
      weir_put_float(&b, (double)i * 0.5);
      weir_put_string(&b, name, (size_t)n);
    }
    const uint8_t *d;
    size_t len;
    weir_builder_finish(&b, &d, &len);
    weir_batch bt = {d, len, b.nrows, s};
    double t0 = now(); /* only the writer's time, not building the input */
    if (weir_parquet_write_batch(w, &bt, err, sizeof err) != WEIR_OK) {
      fprintf(stderr, "%s\n", err);
      return 1;
    }
    tw += now() - t0;
  }
  double t0 = now();
  weir_parquet_written wr;
  if (weir_parquet_writer_close(w, &wr, err, sizeof err) != WEIR_OK) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  tw += now() - t0;
  weir_parquet_writer_free(w);
  double mb = (double)wr.bytes / 1048576;
  printf("weir write: %.2f M rows/s, %.1f MB/s (%" PRId64 " rows, %.2f s, file "
         "%.1f MB, %" PRId64 " row groups, snappy)\n",
         (double)rows / tw / 1e6, mb / tw, rows, tw, mb, wr.row_groups);

  t0 = now();
  weir_parquet_reader *r = weir_parquet_reader_open(path, err, sizeof err);
  if (!r) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  int64_t k, got = 0;
  size_t bytes = 0;
  weir_builder_reset(&b);
  while ((k = weir_parquet_read_batch(r, &b, 4096, err, sizeof err)) > 0) {
    const uint8_t *d;
    size_t len;
    weir_builder_finish(&b, &d, &len);
    bytes += len;
    weir_builder_reset(&b);
    got += k;
  }
  double tr = now() - t0;
  if (k < 0 || got != rows) {
    fprintf(stderr, "read %" PRId64 " rows: %s\n", got, k < 0 ? err : "short");
    return 1;
  }
  weir_parquet_reader_free(r);
  printf("weir read:  %.2f M rows/s, %.1f MB/s of file (%.2f s; %.0f MB of "
         "batches built)\n",
         (double)rows / tr / 1e6, mb / tr, tr, (double)bytes / 1048576);
  printf("weir peak memory: %ld MB (RSS)\n", peak_rss_mb());
  unlink(path);
  weir_builder_free(&b);
  weir_schema_free(s);

  /* DuckDB beside it, when the tests installed it. */
  const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
  char script[4096], cmd[8400];
  struct stat st;
  snprintf(script, sizeof script, "%s/npm/parquet_duckdb.mjs", build);
  if (stat(script, &st) != 0) {
    printf("duckdb: not installed (run the parquet e2e test first: make test "
           "ONLY=parquet)\n");
    return 0;
  }
  fflush(stdout);
  snprintf(cmd, sizeof cmd, "node %s bench %s %" PRId64, script, dir, rows);
  if (system(cmd) != 0)
    printf("duckdb: the node script failed\n");
  snprintf(path, sizeof path, "%s/duckdb_bench.parquet", dir);
  unlink(path);
  return 0;
}
