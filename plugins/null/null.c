/* plugins/null/null.c — the `null` sink: accepts every batch and discards
 * it, counting rows and batches. It prints nothing: the runtime counts output
 * rows for progress. Used by benchmarks to measure a topology without the
 * cost of any output (Spark's "noop" format). No options. */
#include <stdlib.h>

#include "weir/weir.h"

typedef struct null_sink {
  int64_t rows, batches;
} null_sink;

static const weir_option null_options[] = {WEIR_OPTIONS_END};

static int null_create(weir_ctx *ctx, const void *config,
                       weir_create_args *args, void **self) {
  (void)config;
  if (!args->input)
    return weir_error(ctx, WEIR_ERR_INVALID, "the null sink needs an input");
  null_sink *n = calloc(1, sizeof *n);
  if (!n)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  *self = n;
  return WEIR_OK;
}

static void null_destroy(void *self) { free(self); }

static int null_process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  (void)ctx;
  null_sink *n = self;
  n->rows += batch->nrows;
  n->batches++;
  return WEIR_OK;
}

static const weir_plugin null_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_SINK,
    .name = "null",
    .version = "0.1.0",
    .description = "discards every row (counts them); for benchmarks",
    .options = null_options,
    .config_size = 0,
    .flags = 0,
    .output_modes = 0,
    .create = null_create,
    .destroy = null_destroy,
    .process = null_process,
};

WEIR_PLUGIN(null_plugin)
