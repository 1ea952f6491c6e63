/* plugins/file/jsonline.h — the one seam between the file source and the
 * JSON-to-schema parser: a JSON line in, a row of the source's schema out.
 * The parser itself is the SDK's (weir/jsonparse.h, shared with the `json`
 * operator, so both read JSON to a schema by the same rules); this wrapper
 * adds the file source's corrupt-record column and timestamp_format, and
 * is the one place to change if the parser's interface moves. */
#ifndef WEIR_FILE_JSONLINE_H
#define WEIR_FILE_JSONLINE_H

#include <stddef.h>

#include "weir/batch.h"

typedef struct json_line_parser json_line_parser;

enum { JSON_LINE_OK = 0, JSON_LINE_MALFORMED = 1, JSON_LINE_BLANK = 2 };

/* 1 when this build has a JSON parser (the SDK module). */
int json_line_available(void);

/* A parser for rows of `schema` (nullable); `corrupt_column` names the
 * corrupt-record column (not read from the JSON; used if the schema has
 * it), or NULL. NULL with a message in err on failure. Borrowed arguments
 * outlive the parser. */
json_line_parser *json_line_new(const weir_schema *schema,
                                const char *corrupt_column,
                                const char *timestamp_format, char *err,
                                size_t errlen);
void json_line_free(json_line_parser *p);

/* Parses line[0..len) and appends one row to b. On a malformed line returns
 * JSON_LINE_MALFORMED with the reason in why; with `permissive` the row
 * appended holds the fields that could be read (others null) and the line
 * in the corrupt column; without it, whatever was appended is the caller's
 * to roll back. JSON_LINE_BLANK: nothing to read, nothing appended.
 * Negative: WEIR_ERR_NOMEM. */
int json_line_parse(json_line_parser *p, weir_builder *b, const char *line,
                    size_t len, int permissive, char *why, size_t whylen);

#endif
