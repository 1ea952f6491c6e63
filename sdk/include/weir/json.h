/* weir/json.h — writing JSON: rows of a batch as objects (console json
 * format, file and kafka sinks) and generic msgpack values (offsets in logs
 * and progress). */
#ifndef WEIR_JSON_H
#define WEIR_JSON_H

#include <stddef.h>

#include "weir/batch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Appends s[0..n) as a JSON string literal with quotes, escaping as RFC 8259
 * requires; invalid UTF-8 bytes become U+FFFD. */
void weir_json_string(weir_buf *out, const char *s, size_t n);

/* Appends one value of the given schema field as JSON: timestamps as
 * ISO-8601 UTC strings, binary as base64 strings, structs as nested objects,
 * arrays (a field of type WEIR_T_ARRAY, or a value that says WEIR_T_ARRAY) as
 * JSON arrays of their elements, NaN/Infinity as null. */
void weir_json_value(weir_buf *out, const weir_field *field,
                     const weir_value *v);

/* Appends a row as a JSON object {"col": value, ...} in schema order. */
void weir_json_row(weir_buf *out, const weir_schema *schema,
                   const weir_value *cols);

/* Appends any msgpack value (maps, arrays, scalars; ext -1 as an ISO string)
 * as JSON. WEIR_ERR_FORMAT on malformed bytes (nothing useful appended). */
int weir_json_from_msgpack(weir_buf *out, const uint8_t *data, size_t len);

/* Parses JSON text into msgpack (objects to maps, arrays, numbers to int
 * when integral and in range else float64, strings, true/false/null).
 * Used to read offsets back from logs. WEIR_OK or WEIR_ERR_FORMAT with
 * "offset N: expected ..." in err. */
int weir_json_to_msgpack(weir_buf *out, const char *text, size_t len, char *err,
                         size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
