/* bench_state.c — the keyed state store at scale: 10 million keys inserted
 * (upsert of a 16-byte aggregate), looked up, updated in place, then a
 * delta and a snapshot written; prints ops/s and peak RSS.
 * Usage: bench_state [KEYS] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "state.h"

static double secs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long long n = argc > 1 ? atoll(argv[1]) : 10000000;
  store *s = store_new("bench", 1);
  weir_state *w = (weir_state *)s;
  struct agg {
    int64_t count, sum;
  } * a;
  int created;
  double t = secs();
  for (long long i = 0; i < n; i++) {
    uint64_t k = (uint64_t)i * 0x9E3779B97F4A7C15ull;
    if (weir_state_upsert(w, &k, sizeof k, sizeof *a, (void **)&a, &created))
      return 1;
    a->count++;
    a->sum += i;
  }
  double ins = secs() - t;
  store_epoch_reset(s);
  t = secs();
  long long hits = 0;
  for (long long i = 0; i < n; i++) {
    uint64_t k = (uint64_t)i * 0x9E3779B97F4A7C15ull;
    const void *v;
    size_t vl;
    hits += weir_state_get(w, &k, sizeof k, &v, &vl);
  }
  double get = secs() - t;
  t = secs();
  for (long long i = 0; i < n; i += 10) { /* 10% of keys change */
    uint64_t k = (uint64_t)i * 0x9E3779B97F4A7C15ull;
    weir_state_upsert(w, &k, sizeof k, sizeof *a, (void **)&a, &created);
    a->count++;
  }
  double upd = secs() - t;
  weir_buf d = WEIR_BUF_INIT;
  t = secs();
  store_write_delta(s, &d);
  double delta = secs() - t;
  size_t delta_len = d.len;
  weir_buf_clear(&d);
  t = secs();
  store_write_snapshot(s, &d);
  double snap = secs() - t;
  store *r = store_new("restore", 1);
  t = secs();
  int arc = store_apply(r, d.data, d.len);
  double restore = secs() - t;
  printf("state: restore of a %lld-key snapshot: %.2f s (%s)\n", n, restore,
         arc == WEIR_OK && weir_state_count((weir_state *)r) == (uint64_t)n
             ? "all keys back"
             : "FAILED");
  store_free(r);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("state: %lld keys: insert %.1f M/s, lookup %.1f M/s (hits %lld), "
         "update 10%% %.1f M/s\n",
         n, (double)n / ins / 1e6, (double)n / get / 1e6, hits,
         (double)(n / 10) / upd / 1e6);
  printf("state: delta of %lld keys %.1f MiB in %.3f s; snapshot %.1f MiB in "
         "%.3f s\n",
         n / 10, (double)delta_len / 1048576, delta, (double)d.len / 1048576,
         snap);
  printf(
      "state: accounted %.1f MiB; peak RSS %.1f MiB (incl. snapshot buffer)\n",
      (double)weir_state_bytes(w) / 1048576, (double)ru.ru_maxrss / 1024);
  weir_buf_free(&d);
  store_free(s);
  return hits == n ? 0 : 1;
}
