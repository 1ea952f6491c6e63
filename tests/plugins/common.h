/* common.h — a minimal operator used by the loader tests: each test plugin
 * includes it and varies one thing (ABI, descriptor size, kind, entry). */
#include "weir/weir.h"

static inline int t_create(weir_ctx *ctx, const void *cfg, weir_create_args *a,
                           void **self) {
  (void)ctx;
  (void)cfg;
  a->output = weir_schema_copy(a->input);
  *self = a->output ? (void *)1 : NULL;
  return a->output ? WEIR_OK : WEIR_ERR_NOMEM;
}
static inline void t_destroy(void *self) { (void)self; }
static inline int t_process(void *self, weir_ctx *ctx, const weir_batch *b) {
  (void)self;
  return weir_emit(ctx, b->data, b->len);
}
