/* small_desc.c — a descriptor from an older minor: it ends right after
 * `process`, so every later callback must read as absent (zero). */
#include "common.h"
#include <stddef.h>
static const weir_plugin desc = {offsetof(weir_plugin, epoch_end),
                                 WEIR_ABI_MAJOR,
                                 0,
                                 WEIR_KIND_OPERATOR,
                                 "small_desc",
                                 "1",
                                 "old minor",
                                 NULL,
                                 0,
                                 0,
                                 0,
                                 t_create,
                                 t_destroy,
                                 .process = t_process};
WEIR_PLUGIN(desc)
