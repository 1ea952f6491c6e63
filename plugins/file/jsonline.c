/* plugins/file/jsonline.c — the file source's JSON lines, through the
 * SDK's JSON-to-schema parser (see jsonline.h). Until weir/jsonparse.h is
 * in the SDK, format = json is refused at create with a clear message. */
#include "jsonline.h"

#include <stdio.h>

int json_line_available(void) { return 0; }

json_line_parser *json_line_new(const weir_schema *schema, int corrupt,
                                const char *timestamp_format, char *err,
                                size_t errlen) {
  (void)schema;
  (void)corrupt;
  (void)timestamp_format;
  snprintf(err, errlen,
           "format = json needs the SDK's JSON parser (weir/jsonparse.h), "
           "which this build does not have yet");
  return NULL;
}

void json_line_free(json_line_parser *p) { (void)p; }

int json_line_parse(json_line_parser *p, weir_builder *b, const char *line,
                    size_t len, int permissive, char *why, size_t whylen) {
  (void)p;
  (void)b;
  (void)line;
  (void)len;
  (void)permissive;
  snprintf(why, whylen, "no JSON parser");
  return JSON_LINE_MALFORMED;
}
