/* wrong_kind.c — a sink, for a test that uses it as an operator. */
#include "common.h"
static const weir_plugin desc = {sizeof(weir_plugin),
                                 WEIR_ABI_MAJOR,
                                 WEIR_ABI_MINOR,
                                 WEIR_KIND_SINK,
                                 "wrong_kind",
                                 "1",
                                 "a sink",
                                 NULL,
                                 0,
                                 0,
                                 0,
                                 t_create,
                                 t_destroy,
                                 .process = t_process};
WEIR_PLUGIN(desc)
