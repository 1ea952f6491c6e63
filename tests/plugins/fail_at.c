/* fail_at.c — an operator that fails on purpose in the callback and epoch
 * its options name, to test that every failure gives a clear message, exit
 * code 1 and a clean stop. */
#include <stddef.h>
#include <stdlib.h>

#include "common.h"

typedef struct cfg {
  int where;
  int64_t epoch;
} cfg;

static const char *const places[] = {"create", "epoch_begin", "process",
                                     "epoch_end", NULL};

static const weir_option options[] = {
    {"fail_in", WEIR_OPT_ENUM, "process", 0, 0, 0, places,
     "the callback that fails", offsetof(cfg, where)},
    {"fail_epoch", WEIR_OPT_INT, "0", 0, 0, 0, NULL,
     "the epoch in which it fails", offsetof(cfg, epoch)},
    WEIR_OPTIONS_END};

static int maybe_fail(weir_ctx *ctx, const cfg *c, int place) {
  if (c->where != place || (place && weir_epoch(ctx).epoch != c->epoch))
    return WEIR_OK;
  return weir_error(ctx, WEIR_ERR_INVALID,
                    "failing in %s as asked (epoch %lld)", places[place],
                    (long long)c->epoch);
}

static int f_create(weir_ctx *ctx, const void *config, weir_create_args *a,
                    void **self) {
  const cfg *c = config;
  if (maybe_fail(ctx, c, 0))
    return WEIR_ERR_INVALID;
  a->output = weir_schema_copy(a->input);
  *self = (void *)c;
  return WEIR_OK;
}
static void f_destroy(void *self) { (void)self; }
static int f_begin(void *self, weir_ctx *ctx) {
  return maybe_fail(ctx, self, 1);
}
static int f_process(void *self, weir_ctx *ctx, const weir_batch *b) {
  int rc = maybe_fail(ctx, self, 2);
  return rc ? rc : weir_emit(ctx, b->data, b->len);
}
static int f_end(void *self, weir_ctx *ctx) { return maybe_fail(ctx, self, 3); }

static const weir_plugin desc = {sizeof(weir_plugin),
                                 WEIR_ABI_MAJOR,
                                 WEIR_ABI_MINOR,
                                 WEIR_KIND_OPERATOR,
                                 "fail_at",
                                 "1",
                                 "fails on purpose",
                                 options,
                                 sizeof(cfg),
                                 0,
                                 0,
                                 f_create,
                                 f_destroy,
                                 .epoch_begin = f_begin,
                                 .process = f_process,
                                 .epoch_end = f_end};
WEIR_PLUGIN(desc)
