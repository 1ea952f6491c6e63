/* plugins/file/jsonline.c — the file source's JSON lines through the SDK's
 * schema-directed parser (weir/jsonparse.h), the same one the `json`
 * operator uses, so both read JSON to a schema by one set of rules. This
 * wrapper adds what is the file source's own: its timestamp_format and its
 * corrupt-record column name. */
#include "jsonline.h"

#include <stdio.h>
#include <stdlib.h>

#include "weir/jsonparse.h"
#include "weir/plugin.h"

#include "tsparse.h"

struct json_line_parser {
  weir_json_parser *p;
  const char *timestamp_format;
};

int json_line_available(void) { return 1; }

static int parse_ts(void *arg, const char *s, size_t len, int64_t *us) {
  const json_line_parser *jp = arg;
  return ts_parse(jp->timestamp_format, s, len, us);
}

json_line_parser *json_line_new(const weir_schema *schema,
                                const char *corrupt_column,
                                const char *timestamp_format, char *err,
                                size_t errlen) {
  json_line_parser *jp = calloc(1, sizeof *jp);
  if (!jp) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  jp->timestamp_format = timestamp_format;
  weir_json_options opt = {0};
  opt.corrupt_column = corrupt_column ? corrupt_column : "";
  if (timestamp_format) { /* else the SDK's rule: ISO-8601 strings */
    opt.parse_timestamp = parse_ts;
    opt.parse_timestamp_arg = jp;
  }
  if (weir_json_parser_new(schema, &opt, &jp->p, err, errlen) != WEIR_OK) {
    free(jp);
    return NULL;
  }
  return jp;
}

void json_line_free(json_line_parser *jp) {
  if (!jp)
    return;
  weir_json_parser_free(jp->p);
  free(jp);
}

int json_line_parse(json_line_parser *jp, weir_builder *b, const char *line,
                    size_t len, int permissive, char *why, size_t whylen) {
  weir_json_error e;
  int rc = weir_json_parse_row(jp->p, line, len, b, &e);
  if (rc == WEIR_OK)
    return JSON_LINE_OK;
  if (rc == WEIR_JSON_BLANK)
    return JSON_LINE_BLANK;
  if (rc != WEIR_ERR_FORMAT && rc != WEIR_ERR_SCHEMA)
    return rc < 0 ? rc : WEIR_ERR_INTERNAL;
  weir_json_error_format(&e, why, whylen);
  if (permissive) { /* Spark 3: the fields that converted, the line */
    weir_row_begin(b);
    weir_json_put_permissive(jp->p, line, len, b);
  }
  return JSON_LINE_MALFORMED;
}
