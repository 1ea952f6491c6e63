/* weir/jsonparse.h — reading JSON records into batches, directed by a schema:
 * Spark's from_json(text, schema) and its JSON lines reader, one record at a
 * time, straight into a weir_builder.
 *
 * The schema is compiled once into a parser; each call then reads one JSON
 * object and appends one value per schema column, in schema order. There is
 * no DOM and no allocation per field: members the schema does not name are
 * validated and skipped without building anything, a string without escapes
 * is copied once, from the text into the batch, and everything else lives in
 * a few per-parser buffers reused from record to record.
 *
 * Rules (SEMANTICS.md, "JSON to a schema"; Spark's JacksonParser):
 *  - The text is one JSON object (RFC 8259, strict): UTF-8 validated,
 *    escapes checked (\u surrogates must pair), the number grammar enforced,
 *    nesting limited (options.max_depth), nothing but whitespace after the
 *    object. A UTF-8 byte order mark at the very start is skipped. Empty or
 *    all-whitespace text is WEIR_JSON_BLANK (Spark: no record; from_json
 *    gives null). Anything else that is not valid JSON is WEIR_ERR_FORMAT.
 *  - Members are matched to columns by exact, case-sensitive name; a column
 *    with no member is null; a member with no column is skipped; a duplicate
 *    member: the last one wins.
 *  - Values, by column type (a value that does not fit is WEIR_ERR_SCHEMA):
 *      STRING     a string; any other value is kept as its exact JSON text
 *                 (Spark 3.5+'s exact string parsing: `{"a": 1.50}` → "1.50",
 *                 `{"a": {"b": [1, 2]}}` → `{"b": [1, 2]}`).
 *      BIGINT     an integer in int64 range, without fraction or exponent.
 *      DOUBLE     any number; the strings "NaN", "Infinity", "+Infinity",
 *                 "-Infinity", "+INF", "-INF" (Spark's allowNonNumericNumbers).
 *      BOOLEAN    true or false.
 *      TIMESTAMP  a string in ISO-8601 (weir_parse_timestamp, or the
 *                 options' parse_timestamp), or a number of
 *                 seconds since the Unix epoch (Spark's CAST: fractions kept
 *                 to the microsecond, truncated toward zero; the result must
 *                 fit int64 microseconds).
 *      BINARY     a base64 string (standard alphabet, padded), as Spark reads
 *                 binary and weir's JSON writers write it.
 *      STRUCT     a nested object, read by the same rules.
 *      ARRAY      a JSON array; each element read by the rules of the
 *                 element type (null is a null element). One element that
 *                 does not fit makes the array not fit (the message names
 *                 it: field "tags[2]"); so does a null element when the
 *                 elements are NOT NULL.
 *    null is null for every type. A NOT NULL column that is missing or null
 *    makes the record WEIR_ERR_SCHEMA (Spark ignores NOT NULL in from_json;
 *    weir keeps it as a requirement).
 *  - Malformed records: a syntax error (WEIR_ERR_FORMAT) and a value that does
 *    not fit (WEIR_ERR_SCHEMA) both append nothing. What to do then belongs
 *    to the caller's mode: PERMISSIVE appends weir_json_put_permissive()
 *    (Spark: the values that did convert when the text was valid JSON, nulls
 *    for the rest, and the text in the corrupt-record column),
 *    DROPMALFORMED appends nothing, FAILFAST reports err.
 *
 * Threading: a parser holds per-record scratch state; use one parser from one
 * thread at a time (a plugin instance owns its own). */
#ifndef WEIR_JSONPARSE_H
#define WEIR_JSONPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "weir/batch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return value of the parse functions for empty or whitespace-only text:
 * nothing was appended. Positive, so that `rc < 0` still means error. */
#define WEIR_JSON_BLANK 1

#define WEIR_JSON_DEFAULT_MAX_DEPTH 128
#define WEIR_JSON_MAX_MAX_DEPTH 4096

/* Compile options. A zeroed struct (or NULL) gives Spark's defaults. */
typedef struct weir_json_options {
  /* The column that receives the whole text of a malformed record in
   * PERMISSIVE mode (Spark's columnNameOfCorruptRecord). It is used only when
   * the schema has a top-level column of that name, which must then be a
   * nullable STRING; it is never read from the JSON. NULL means
   * "_corrupt_record"; "" means none. */
  const char *corrupt_column;
  /* Deepest nesting of objects and arrays accepted (the record's own object
   * is level 1). 0 means WEIR_JSON_DEFAULT_MAX_DEPTH; at most
   * WEIR_JSON_MAX_MAX_DEPTH. */
  int max_depth;
  /* Reads the string of a TIMESTAMP column into µs since the epoch (e.g. a
   * source's timestamp_format); returns 0 when it is a timestamp, anything
   * else when it is not (the value does not fit). NULL means
   * weir_parse_timestamp. Numbers never reach it: they are epoch seconds. */
  int (*parse_timestamp)(void *arg, const char *s, size_t len, int64_t *us);
  void *parse_timestamp_arg;
} weir_json_options;

/* Why a record was refused. */
typedef struct weir_json_error {
  int code;        /* WEIR_ERR_FORMAT: not valid JSON, or not an object;
                      WEIR_ERR_SCHEMA: valid JSON with a value that does not fit
                      its column (the first such value) */
  size_t offset;   /* byte offset in the text where the problem starts */
  char field[128]; /* WEIR_ERR_SCHEMA: the column's path ("user.id");
                      else "" (truncated paths end in "...") */
  char msg[256];   /* what was expected and what was found, without the
                      offset: "expected ',' or '}' after an object member,
                      found ']'", "field \"n\": expected a bigint (an integer
                      in int64 range), found 1.5" */
} weir_json_error;

typedef struct weir_json_parser weir_json_parser;

/* Compiles `schema` (copied: it need not outlive the parser) into a new
 * parser, freed with weir_json_parser_free. `opt` may be NULL. Returns WEIR_OK,
 * WEIR_ERR_NOMEM, or WEIR_ERR_INVALID with a message in err (a corrupt-record
 * column that is not a nullable STRING, a max_depth out of range). */
int weir_json_parser_new(const weir_schema *schema,
                         const weir_json_options *opt, weir_json_parser **out,
                         char *err, size_t errlen);

/* Frees the parser; NULL is fine. */
void weir_json_parser_free(weir_json_parser *p);

/* The number of values each record gives (the schema's top-level columns). */
size_t weir_json_parser_ncolumns(const weir_json_parser *p);

/* Index of the corrupt-record column among the top-level columns, or -1. */
int weir_json_parser_corrupt_column(const weir_json_parser *p);

/* Parses text[0..len) (no NUL needed; never read past len) as one record
 * and appends one row (weir_row_begin + one value per column) to `out`, whose
 * schema must have the parser's columns. Returns:
 *   WEIR_OK          one row appended;
 *   WEIR_JSON_BLANK  empty or whitespace-only text, nothing appended;
 *   WEIR_ERR_FORMAT  not valid JSON (or not an object), nothing appended;
 *   WEIR_ERR_SCHEMA  a value does not fit its column, nothing appended;
 *   WEIR_ERR_NOMEM   the parser's scratch space could not grow.
 * On the two record errors, *err (if not NULL) says where and why. An
 * allocation failure of the builder itself is sticky in out->buf.err and
 * reported by weir_builder_finish, as for every builder write. */
int weir_json_parse_row(weir_json_parser *p, const char *text, size_t len,
                        weir_builder *out, weir_json_error *err);

/* Same, but appends only the values (no row header), for callers that
 * compose rows: weir_row_begin, their own columns, then these values; or
 * weir_put_struct(out, ncolumns) and these values for a struct column. */
int weir_json_parse_values(weir_json_parser *p, const char *text, size_t len,
                           weir_builder *out, weir_json_error *err);

/* Appends the values (no row header) that PERMISSIVE mode gives for the
 * record the LAST parse call refused with WEIR_ERR_FORMAT or WEIR_ERR_SCHEMA;
 * text/len must be that call's. After WEIR_ERR_SCHEMA: the values that fitted
 * their columns, null for those that did not (even a NOT NULL column: a
 * caller that keeps such rows makes its output schema nullable, see
 * weir_json_nullable_schema); after WEIR_ERR_FORMAT: every column null. The
 * corrupt-record column, if any, gets the text (invalid UTF-8 bytes replaced
 * by U+FFFD, so the batch holds valid UTF-8). After any other result, as
 * after WEIR_ERR_FORMAT. */
void weir_json_put_permissive(weir_json_parser *p, const char *text, size_t len,
                              weir_builder *out);

/* Appends a null for every column (no row header): the row from_json gives
 * for a null input (Spark: from_json(null) is null). */
void weir_json_put_nulls(const weir_json_parser *p, weir_builder *out);

/* A deep copy of `s` with every column, at every level, nullable (Spark's
 * asNullable: from_json's result type), or NULL when out of memory. */
weir_schema *weir_json_nullable_schema(const weir_schema *s);

/* Formats an error as "offset N: MSG" into out (as snprintf). */
int weir_json_error_format(const weir_json_error *e, char *out, size_t n);

/* ---- rolling a builder back ---------------------------------------------
 * A caller that writes part of a row and then decides against it (a record
 * dropped under DROPMALFORMED after its own columns were written) saves a
 * mark before the row and restores it: the bytes, the row count and the
 * sticky error go back to what they were. (Candidates for weir/batch.h.) */
typedef struct weir_builder_mark {
  size_t len;
  uint32_t nrows;
  int err;
} weir_builder_mark;

static inline weir_builder_mark weir_builder_save(const weir_builder *b) {
  weir_builder_mark m = {b->buf.len, b->nrows, b->buf.err};
  return m;
}
static inline void weir_builder_restore(weir_builder *b, weir_builder_mark m) {
  b->buf.len = m.len;
  b->nrows = m.nrows;
  b->buf.err = m.err;
}

#ifdef __cplusplus
}
#endif
#endif
