/* tiny_desc.c — a descriptor too small to be any weir ABI: refused. */
#include "common.h"
static const weir_plugin desc = {16,          WEIR_ABI_MAJOR,
                                 0,           WEIR_KIND_OPERATOR,
                                 "tiny_desc", "1",
                                 "",          NULL,
                                 0,           0,
                                 0,           NULL,
                                 NULL,        .process = NULL};
WEIR_PLUGIN(desc)
