/* abi_major.c — a plugin built for a future ABI major: must be refused. */
#include "common.h"
static const weir_plugin desc = {sizeof(weir_plugin),
                                 WEIR_ABI_MAJOR + 1,
                                 0,
                                 WEIR_KIND_OPERATOR,
                                 "abi_major",
                                 "1",
                                 "future ABI",
                                 NULL,
                                 0,
                                 0,
                                 0,
                                 t_create,
                                 t_destroy,
                                 .process = t_process};
WEIR_PLUGIN(desc)
