/* no_process.c — an operator without process(): refused at load. */
#include "common.h"
static const weir_plugin desc = {sizeof(weir_plugin),
                                 WEIR_ABI_MAJOR,
                                 WEIR_ABI_MINOR,
                                 WEIR_KIND_OPERATOR,
                                 "no_process",
                                 "1",
                                 "",
                                 NULL,
                                 0,
                                 0,
                                 0,
                                 t_create,
                                 t_destroy,
                                 .process = NULL};
WEIR_PLUGIN(desc)
