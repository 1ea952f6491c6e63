/* fuzz_parquet.c — feeds mutated Parquet files to the SDK's reader: any input
 * must end in rows or an error, never a crash, a hang, an over-read or a
 * leak (run it under ASan/UBSan: `make SAN=1`).
 *
 * Two ways to run it:
 *  - libFuzzer: clang -fsanitize=fuzzer,address -Isdk/include
 *    tests/fuzz/fuzz_parquet.c build/lib/libweir-sdk.a -lmsgpackc -lsnappy
 *    -lzstd -lz -lm  (LLVMFuzzerTestOneInput is the entry point);
 *  - standalone (built with -DFUZZ_STANDALONE, as `make test` does):
 *    fuzz_parquet [-s SECONDS] [-n ITERATIONS] [SEED.parquet ...]
 *    mutates the seeds (or files weir's writer makes in memory: every type,
 *    each codec, dictionary on and off, several row groups and pages) with a
 *    fixed-seed generator, so a failure is reproduced by the same command. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weir/parquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  weir_parquet_reader *r =
      weir_parquet_reader_open_mem(data, size, "fuzz.parquet", err, sizeof err);
  if (!r)
    return 0;
  const weir_schema *s = weir_parquet_reader_schema(r);
  weir_builder b;
  if (weir_builder_init(&b, s) == WEIR_OK) {
    int64_t k, total = 0;
    /* bounded: a footer may claim billions of rows of nothing */
    while (total < 200000 &&
           (k = weir_parquet_read_batch(r, &b, 256, err, sizeof err)) > 0) {
      const uint8_t *d;
      size_t len;
      weir_builder_finish(&b, &d, &len);
      weir_builder_reset(&b);
      total += k;
    }
    weir_builder_free(&b);
  }
  weir_parquet_reader_free(r);
  return 0;
}

#ifdef FUZZ_STANDALONE

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void) { /* xorshift64*: deterministic */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545f4914f6cdd1dULL;
}

typedef struct seed {
  uint8_t *data;
  size_t len;
} seed;

/* A seed file written by weir's own writer into memory. */
static seed make_seed(int variant) {
  static const char *ddl[] = {
      "b BOOLEAN, i BIGINT, f DOUBLE, s STRING, bin BINARY, ts TIMESTAMP",
      "st STRUCT<x: BIGINT, inner: STRUCT<y: STRING, t: TIMESTAMP>>, req "
      "BIGINT NOT NULL",
      "s STRING NOT NULL, v VOID, f DOUBLE"};
  seed sd = {NULL, 0};
  weir_schema *s = NULL;
  char err[256];
  weir_schema_parse(ddl[variant % 3], &s, err, sizeof err);
  FILE *f = open_memstream((char **)&sd.data, &sd.len);
  weir_parquet_options o = WEIR_PARQUET_OPTIONS_INIT;
  o.compression = variant % 4;
  o.dictionary = variant % 3;
  o.row_group_size = 40 + variant * 7;
  o.page_size = 200;
  weir_parquet_writer *w =
      weir_parquet_writer_new(f, "seed", s, &o, err, sizeof err);
  weir_builder b;
  weir_builder_init(&b, s);
  for (int i = 0; i < 150; i++) {
    weir_row_begin(&b);
    for (size_t c = 0; c < s->n; c++) {
      const weir_field *fl = &s->fields[c];
      if (fl->nullable && i % (3 + (int)c) == 1) {
        weir_put_null(&b);
        continue;
      }
      char txt[32];
      int n = snprintf(txt, sizeof txt, "v%d", i % (5 + variant * 10));
      switch (fl->type) {
      case WEIR_T_BOOL: weir_put_bool(&b, i & 1); break;
      case WEIR_T_INT: weir_put_int(&b, i * 77 - 3000); break;
      case WEIR_T_FLOAT: weir_put_float(&b, i * 0.25); break;
      case WEIR_T_STRING: weir_put_string(&b, txt, (size_t)n); break;
      case WEIR_T_BINARY: weir_put_binary(&b, txt, (size_t)n); break;
      case WEIR_T_TIMESTAMP: weir_put_timestamp(&b, i * 1000003LL); break;
      case WEIR_T_STRUCT:
        weir_put_struct(&b, 2);
        weir_put_int(&b, i);
        if (i % 4 == 0) {
          weir_put_null(&b);
        } else {
          weir_put_struct(&b, 2);
          weir_put_string(&b, txt, (size_t)n);
          weir_put_timestamp(&b, -i);
        }
        break;
      default: weir_put_null(&b);
      }
    }
  }
  const uint8_t *d;
  size_t len;
  weir_builder_finish(&b, &d, &len);
  weir_batch bt = {d, len, b.nrows, s};
  if (!w || weir_parquet_write_batch(w, &bt, err, sizeof err) != WEIR_OK ||
      weir_parquet_writer_close(w, NULL, err, sizeof err) != WEIR_OK) {
    fprintf(stderr, "seed %d: %s\n", variant, err);
    exit(1);
  }
  weir_parquet_writer_free(w);
  fclose(f);
  weir_builder_free(&b);
  weir_schema_free(s);
  return sd;
}

static seed read_seed(const char *path) {
  seed sd = {NULL, 0};
  FILE *f = fopen(path, "rb");
  if (!f || fseek(f, 0, SEEK_END) != 0) {
    perror(path);
    exit(1);
  }
  long n = ftell(f);
  rewind(f);
  sd.data = malloc(n > 0 ? (size_t)n : 1);
  sd.len = fread(sd.data, 1, (size_t)(n > 0 ? n : 0), f);
  fclose(f);
  return sd;
}

/* One mutant of `in` into out (capacity len + 64); returns its length. */
static size_t mutate(const seed *in, uint8_t *out) {
  size_t n = in->len;
  memcpy(out, in->data, n);
  int edits = 1 + (int)(next_rand() % 4);
  for (int e = 0; e < edits && n > 0; e++) {
    size_t at = (size_t)(next_rand() % n);
    switch (next_rand() % 7) {
    case 0: out[at] ^= (uint8_t)(1u << (next_rand() % 8)); break;
    case 1: out[at] = (uint8_t)next_rand(); break;
    case 2: { /* interesting values: varint edges, sizes */
      static const uint8_t v[] = {0, 1, 0x7f, 0x80, 0xff, 0x0f, 0xf0, 0x15};
      out[at] = v[next_rand() % sizeof v];
      break;
    }
    case 3: n = at; break; /* truncate */
    case 4: {              /* delete a few bytes */
      size_t k = 1 + (size_t)(next_rand() % 8);
      if (at + k <= n) {
        memmove(out + at, out + at + k, n - at - k);
        n -= k;
      }
      break;
    }
    case 5: { /* duplicate a few bytes (bounded growth) */
      size_t k = 1 + (size_t)(next_rand() % 8);
      if (at + k <= n && n + k <= in->len + 64) {
        memmove(out + at + k, out + at, n - at);
        n += k;
      }
      break;
    }
    default: { /* overwrite a 4-byte little-endian length nearby */
      uint32_t v = (uint32_t)next_rand() >> (next_rand() % 32);
      if (at + 4 <= n)
        memcpy(out + at, &v, 4);
    }
    }
  }
  return n;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  double seconds = 5;
  long iterations = -1;
  seed seeds[64];
  int nseeds = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
      seconds = atof(argv[++i]);
    else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
      iterations = atol(argv[++i]);
    else if (nseeds < 64)
      seeds[nseeds++] = read_seed(argv[i]);
  }
  for (int v = 0; nseeds == 0 && v < 12; v++)
    seeds[v] = make_seed(v);
  if (nseeds == 0)
    nseeds = 12;
  /* Every seed must read cleanly before it is mutated. */
  for (int i = 0; i < nseeds; i++)
    LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
  size_t cap = 0;
  for (int i = 0; i < nseeds; i++)
    cap = seeds[i].len > cap ? seeds[i].len : cap;
  uint8_t *buf = malloc(cap + 64);
  double t0 = now();
  long it = 0;
  for (;; it++) {
    if (iterations >= 0 ? it >= iterations
                        : (it & 63) == 0 && now() - t0 >= seconds)
      break;
    const seed *sd = &seeds[next_rand() % (uint64_t)nseeds];
    size_t n = mutate(sd, buf);
    LLVMFuzzerTestOneInput(buf, n);
  }
  printf("fuzz_parquet: %ld mutated inputs from %d seeds, no crash\n", it,
         nseeds);
  free(buf);
  for (int i = 0; i < nseeds; i++)
    free(seeds[i].data);
  return 0;
}
#endif
