/* weir/offset.h — reading the small msgpack maps that sources use as offsets
 * (and plugins as snapshots). Writing them uses the weir_mp_* writers of
 * weir/batch.h: weir_mp_map(b, 2); weir_mp_str(b, "rows", 4); ... */
#ifndef WEIR_OFFSET_H
#define WEIR_OFFSET_H

#include <stddef.h>
#include <stdint.h>

#include "weir/batch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Looks `key` up in the msgpack map at data[0..len) (string keys). Returns 1
 * and fills *out when found, 0 when absent (or data is empty), and
 * WEIR_ERR_FORMAT when the bytes are not a well-formed map. *out borrows
 * from data. A nested map or array comes back as WEIR_T_STRUCT (nfields: its
 * pair or element count) whose raw/raw_len cover it: look into a nested map
 * with weir_map_find(out.raw, out.raw_len, ...). */
int weir_map_find(const uint8_t *data, size_t len, const char *key,
                  weir_value *out);

/* Same, for an integer value: 1 found (and is an int), 0 absent,
 * WEIR_ERR_FORMAT malformed or not an integer. */
int weir_map_int(const uint8_t *data, size_t len, const char *key,
                 int64_t *out);

/* Skips one msgpack value at *p (any type, nested), never past end.
 * WEIR_OK or WEIR_ERR_FORMAT. */
int weir_mp_skip(const uint8_t **p, const uint8_t *end);

#ifdef __cplusplus
}
#endif
#endif
