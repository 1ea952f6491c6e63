/* dup_name.c — declares the name of another plugin file: refused. */
#include "common.h"
static const weir_plugin desc = {sizeof(weir_plugin),
                                 WEIR_ABI_MAJOR,
                                 WEIR_ABI_MINOR,
                                 WEIR_KIND_SINK,
                                 "wrong_kind",
                                 "2",
                                 "same name, other file",
                                 NULL,
                                 0,
                                 0,
                                 0,
                                 t_create,
                                 t_destroy,
                                 .process = t_process};
WEIR_PLUGIN(desc)
