/* bench_groupstate.c — the group-state helper (weir/groupstate.h) in the
 * SDK's harness: epochs of ROWS rows over KEYS keys through a function that
 * counts rows into a 16-byte state and sets a processing-time timeout,
 * then epochs in which every key times out. Prints rows/s through
 * process + epoch_end (buffering per key, one call per key, the state
 * updates), calls/s for timeouts, and peak RSS.
 * Usage: bench_groupstate [ROWS_PER_EPOCH [KEYS [EPOCHS]]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "weir/testing.h"
#include "weir/weir.h"

static double secs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fn(void *user, weir_ctx *ctx, weir_group *g, weir_builder *out) {
  (void)user, (void)ctx, (void)out;
  int64_t s[2] = {0, 0};
  const void *v;
  size_t len;
  if (weir_group_get(g, &v, &len) && len == sizeof s)
    memcpy(s, v, sizeof s);
  if (weir_group_has_timed_out(g))
    return weir_group_remove(g);
  const weir_value *row;
  while (weir_group_next(g, &row) == 1) {
    s[0]++;
    s[1] += row[1].v.i;
  }
  int rc = weir_group_update(g, s, sizeof s);
  return rc ? rc : weir_group_set_timeout_duration(g, 1000000);
}

static int create(weir_ctx *ctx, const void *cfg, weir_create_args *a,
                  void **self) {
  (void)cfg;
  static const char *const keys[] = {"k"};
  weir_groups_spec spec = WEIR_GROUPS_SPEC_INIT;
  char err[64];
  if (weir_schema_parse("n BIGINT", &spec.output, err, sizeof err))
    return WEIR_ERR_NOMEM;
  spec.keys = keys;
  spec.nkeys = 1;
  spec.timeout = WEIR_TIMEOUT_PROCESSING_TIME;
  spec.fn = fn;
  return weir_groups_create(ctx, a, &spec, self);
}

static const weir_plugin desc = {.struct_size = sizeof(weir_plugin),
                                 .abi_major = WEIR_ABI_MAJOR,
                                 .kind = WEIR_KIND_OPERATOR,
                                 .name = "bench",
                                 .flags = WEIR_PLUGIN_STATEFUL,
                                 .create = create,
                                 WEIR_GROUPS_CALLBACKS};

int main(int argc, char **argv) {
  long long rows = argc > 1 ? atoll(argv[1]) : 1000000;
  long long keys = argc > 2 ? atoll(argv[2]) : 100000;
  int epochs = argc > 3 ? atoi(argv[3]) : 5;
  weir_test *t = weir_test_new(&desc);
  weir_schema *s = NULL;
  char err[64];
  if (!t || weir_test_input(t, "k BIGINT, v BIGINT", NULL) ||
      weir_test_create(t, NULL) ||
      weir_schema_parse("k BIGINT, v BIGINT", &s, err, sizeof err))
    return 1;
  /* Batches of 4096 rows, built once and pushed every epoch. */
  long long nb = (rows + 4095) / 4096;
  weir_builder *b = calloc((size_t)nb, sizeof *b);
  for (long long i = 0; i < rows; i++) {
    weir_builder *x = &b[i / 4096];
    if (i % 4096 == 0)
      weir_builder_init(x, s);
    uint64_t h = (uint64_t)i * 0x9E3779B97F4A7C15ull;
    weir_row_begin(x);
    weir_put_int(x, (int64_t)(h % (uint64_t)keys));
    weir_put_int(x, i);
  }
  double t0 = secs();
  for (int e = 0; e < epochs; e++) {
    weir_test_set_time(t, e);
    if (weir_test_begin(t))
      return 1;
    for (long long i = 0; i < nb; i++) {
      const uint8_t *d;
      size_t n;
      if (weir_builder_finish(&b[i], &d, &n) || weir_test_push(t, d, n))
        return fprintf(stderr, "%s\n", weir_test_error(t)), 1;
    }
    if (weir_test_end(t))
      return fprintf(stderr, "%s\n", weir_test_error(t)), 1;
  }
  double dt = secs() - t0;
  weir_test_set_time(t, 10000000);
  double t1 = secs();
  if (weir_test_epoch(t, NULL))
    return 1;
  double dto = secs() - t1;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("group state: %lld rows x %d epochs over %lld keys: %.2f M rows/s "
         "(%.0f ns/row incl. the per-key calls)\n",
         rows, epochs, keys, rows * epochs / dt / 1e6,
         dt * 1e9 / (rows * epochs));
  printf("group state: %lld timeouts in one epoch: %.2f M calls/s\n", keys,
         keys / dto / 1e6);
  printf("group state: peak RSS %.1f MiB\n", ru.ru_maxrss / 1024.0);
  for (long long i = 0; i < nb; i++)
    weir_builder_free(&b[i]);
  free(b);
  weir_schema_free(s);
  weir_test_free(t);
  return 0;
}
