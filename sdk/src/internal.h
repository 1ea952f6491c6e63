/* internal.h — helpers shared between the SDK's own modules; not installed
 * and not part of the plugin ABI. */
#ifndef WEIR_SDK_INTERNAL_H
#define WEIR_SDK_INTERNAL_H

#include <stddef.h>

/* weir_format_double for a float32, using the shortest text that reads back
 * as the same float (0.1f prints "0.1", not its widened double). */
int weir__format_float32(float v, int java_style, char *out, size_t n);

#endif
