/* internal.h — helpers shared between the SDK's own modules; not installed
 * and not part of the plugin ABI. */
#ifndef WEIR_SDK_INTERNAL_H
#define WEIR_SDK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "weir/batch.h"

/* weir_format_double for a float32, using the shortest text that reads back
 * as the same float (0.1f prints "0.1", not its widened double). */
int weir__format_float32(float v, int java_style, char *out, size_t n);

/* Ends an array whose 5-byte placeholder header (0xdd and 4 bytes) sits at
 * o->data[mark]: writes the count n in the shortest header and moves the
 * elements after it back. WEIR_OK, or WEIR_ERR_INVALID (o->err set) when
 * there is no placeholder at mark. Nothing is done after an earlier
 * allocation failure (o->err already set). */
int weir__mp_array_close(weir_buf *o, size_t mark, uint32_t n);

#endif
