/* large_desc.c — a descriptor from a newer minor: bigger than ours, with
 * fields we do not know; they must be ignored. */
#include "common.h"
struct future {
  weir_plugin base;
  void *newer_callback;
};
static const struct future desc = {
    {sizeof(struct future), WEIR_ABI_MAJOR, WEIR_ABI_MINOR + 1,
     WEIR_KIND_OPERATOR, "large_desc", "1", "newer minor", NULL, 0, 0, 0,
     t_create, t_destroy, .process = t_process},
    (void *)1};
WEIR_PLUGIN(desc.base)
