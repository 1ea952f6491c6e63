/* bench_batch.c — speed of the batch hot path: building and reading batches
 * of 4096 rows (3 columns: timestamp, int, ~10-byte string; and the same
 * plus a double), with msgpack-c's msgpack_unpack_next on the same bytes
 * for comparison. Prints figures only; never fails on a timing. */
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weir/batch.h"

#define ROWS 4096
#define SECONDS 1.5

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char names[ROWS][16];

static void fill(weir_builder *b, int ncols, int64_t base) {
  weir_builder_reset(b);
  for (int i = 0; i < ROWS; i++) {
    weir_row_begin(b);
    weir_put_timestamp(b, base + (int64_t)i * 1000);
    weir_put_int(b, (int64_t)i * 7919 - 100000);
    weir_put_string(b, names[i], 10);
    if (ncols == 4)
      weir_put_float(b, i * 0.5);
  }
}

static void report(const char *what, double rows, double bytes, double secs) {
  printf("  %-34s %8.1f M rows/s  %8.1f MB/s\n", what, rows / secs / 1e6,
         bytes / secs / 1e6);
}

static volatile int64_t sink; /* keeps the reads from being optimised away */

static int bench(int ncols) {
  weir_schema *s = NULL;
  char err[128];
  const char *ddl = ncols == 3 ? "ts TIMESTAMP, n BIGINT, s STRING"
                               : "ts TIMESTAMP, n BIGINT, s STRING, f DOUBLE";
  if (weir_schema_parse(ddl, &s, err, sizeof err) != WEIR_OK) {
    fprintf(stderr, "bench: %s\n", err);
    return 1;
  }
  weir_builder b;
  const uint8_t *data;
  size_t len;
  weir_builder_init(&b, s);
  printf("%d columns (%s), %d rows per batch\n", ncols, ddl, ROWS);

  /* build */
  long batches = 0;
  double t0 = now(), t;
  do {
    for (int k = 0; k < 16; k++, batches++)
      fill(&b, ncols, INT64_C(1767225600000000) + batches);
    t = now() - t0;
  } while (t < SECONDS);
  if (weir_builder_finish(&b, &data, &len) != WEIR_OK) {
    fprintf(stderr, "bench: build failed\n");
    return 1;
  }
  printf("  batch size %zu bytes (%.1f bytes/row)\n", len, (double)len / ROWS);
  report("build (weir_put_*)", (double)batches * ROWS, (double)batches * len,
         t);

  /* read: every column decoded, every value touched */
  weir_value cols[4];
  batches = 0;
  t0 = now();
  do {
    for (int k = 0; k < 16; k++, batches++) {
      weir_reader r;
      int64_t acc = 0;
      if (weir_reader_open(&r, data, len) != WEIR_OK)
        return 1;
      while (weir_reader_next(&r, cols, (size_t)ncols) == 1)
        acc += cols[0].v.ts + cols[1].v.i + (int64_t)cols[2].v.s.len;
      sink = acc;
    }
    t = now() - t0;
  } while (t < SECONDS);
  report("read (weir_reader_next)", (double)batches * ROWS,
         (double)batches * len, t);

  /* msgpack-c, the whole batch as one object (one zone per call) */
  msgpack_unpacked up;
  msgpack_unpacked_init(&up);
  batches = 0;
  t0 = now();
  do {
    for (int k = 0; k < 16; k++, batches++) {
      size_t off = 0;
      if (msgpack_unpack_next(&up, (const char *)data, len, &off) !=
          MSGPACK_UNPACK_SUCCESS)
        return 1;
      msgpack_object rows = up.data.via.array.ptr[2];
      int64_t acc = 0;
      for (uint32_t i = 0; i < rows.via.array.size; i++) {
        msgpack_object *c = rows.via.array.ptr[i].via.array.ptr;
        acc += c[1].via.i64 + (int64_t)c[2].via.str.size;
      }
      sink = acc;
    }
    t = now() - t0;
  } while (t < SECONDS);
  report("msgpack-c unpack_next, whole batch", (double)batches * ROWS,
         (double)batches * len, t);

  /* msgpack-c, row by row as a naive reader would (a zone per row) */
  weir_reader r;
  weir_reader_open(&r, data, len);
  size_t first = (size_t)(r.p - r.begin);
  batches = 0;
  t0 = now();
  do {
    for (int k = 0; k < 4; k++, batches++) {
      size_t off = first;
      int64_t acc = 0;
      for (int i = 0; i < ROWS; i++) {
        if (msgpack_unpack_next(&up, (const char *)data, len, &off) !=
            MSGPACK_UNPACK_SUCCESS)
          return 1;
        acc += up.data.via.array.ptr[1].via.i64;
      }
      sink = acc;
    }
    t = now() - t0;
  } while (t < SECONDS);
  report("msgpack-c unpack_next, per row", (double)batches * ROWS,
         (double)batches * len, t);
  msgpack_unpacked_destroy(&up);

  weir_builder_free(&b);
  weir_schema_free(s);
  return 0;
}

int main(void) {
  for (int i = 0; i < ROWS; i++)
    snprintf(names[i], sizeof names[i], "user-%05d", i % 100000);
  printf("bench_batch: weir batch builder and reader\n");
  if (bench(3) || bench(4))
    return 1;
  return 0;
}
