/* weir/key.h — canonical byte keys for keyed state (grouping keys of
 * `aggregate`, duplicate keys of `dedup`), and the total order weir sorts
 * emitted groups by.
 *
 * weir/state.h compares keys bytewise, so equal values must give equal
 * bytes. Batches may encode one value several ways (an int as fixint or
 * int64, a timestamp as ext 32/64/96 bit, a string with any header size,
 * -0.0 and 0.0, many NaNs), so a key re-encodes every value in the one
 * shortest msgpack form: the result is still a sequence of valid batch
 * values, which an operator copies straight into its output rows with
 * weir_put_raw (no decode-encode round trip per emitted group).
 *
 * Floats are normalised as Spark's NormalizeFloatingNumbers does for
 * grouping keys (-0.0 → 0.0, every NaN → one NaN).
 */
#ifndef WEIR_KEY_H
#define WEIR_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "weir/batch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Appends the canonical encoding of one decoded value (a struct's members
 * and an array's elements are re-encoded recursively). A value that is not a
 * valid weir value (a struct whose bytes do not decode) returns
 * WEIR_ERR_FORMAT; out of memory is sticky in key->err, as for every
 * weir_buf. */
int weir_key_put(weir_buf *key, const weir_value *v);

/* Compares two sequences of canonical values (as weir_key_put writes them)
 * column by column: null first, then by value (ints and timestamps
 * numerically, floats with NaN largest, strings and binaries by unsigned
 * bytes then length, false before true, structs member by member, arrays
 * element by element and then the shorter first).
 * Returns <0, 0 or >0. Bytes that do not decode compare by memcmp. */
int weir_key_compare(const uint8_t *a, size_t alen, const uint8_t *b,
                     size_t blen);

/* Compares two decoded values with the order above. */
int weir_key_compare_values(const weir_value *a, const weir_value *b);

/* The event time of a value of a watermarked column (weir_field flag
 * WEIR_FIELD_EVENT_TIME): a timestamp's value, or for a struct (a window
 * from an upstream aggregation) its second member, the end, as Spark's
 * watermark predicate reads it. WEIR_KEY_NO_TIME for null or anything else. */
#define WEIR_KEY_NO_TIME INT64_MAX
int64_t weir_key_event_time(const weir_value *v);

#ifdef __cplusplus
}
#endif

#endif
