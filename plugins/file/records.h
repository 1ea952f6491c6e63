/* plugins/file/records.h — one line of a file into one row of the source's
 * schema, for each format (json, csv, text), applying `mode` to malformed
 * lines as Spark's FailureSafeParser does:
 *   PERMISSIVE     the row is kept: fields that could not be read are null
 *                  (Spark 3's partial results), and the whole line goes to
 *                  the corrupt-record column when the schema has one;
 *   DROPMALFORMED  the row is dropped;
 *   FAILFAST       the query stops (the caller turns the verdict into an
 *                  error naming the file and line).
 * The corrupt-record column (`_corrupt_record` by default) is not read from
 * the data: CSV fields and JSON keys map to the other columns. */
#ifndef WEIR_FILE_RECORDS_H
#define WEIR_FILE_RECORDS_H

#include <stddef.h>

#include "weir/batch.h"

#include "csv.h"

enum { FMT_JSON = 0, FMT_CSV = 1, FMT_TEXT = 2, FMT_PARQUET = 3 };
enum { MODE_PERMISSIVE = 0, MODE_DROPMALFORMED = 1, MODE_FAILFAST = 2 };

/* What records_line did with a line. */
enum {
  REC_ROW = 0,      /* a row was appended */
  REC_SKIP = 1,     /* nothing to read (a blank json or csv line) */
  REC_MALFORMED = 2 /* malformed: a row was appended (PERMISSIVE) or not
                       (DROPMALFORMED, FAILFAST); `why` says what is wrong */
};

typedef struct records_cfg {
  int format, mode;
  const weir_schema *schema;  /* the output schema (borrowed) */
  const char *corrupt_column; /* its name; used only if in the schema */
  csv_opts csv;
  const char *null_value;       /* csv: this text reads as null */
  const char *timestamp_format; /* NULL: ISO-8601 or epoch seconds */
} records_cfg;

typedef struct records records;

/* Checks the schema against the format and prepares the converters. On
 * error returns NULL with a message in err. cfg's strings and schema are
 * borrowed and must outlive the object. */
records *records_new(const records_cfg *cfg, char *err, size_t errlen);
void records_free(records *r);

/* Reads one line into a row appended to b (whose schema is cfg->schema).
 * too_long: the line was cut at max_record_size (always malformed; for
 * PERMISSIVE the row is all null, with the cut line as corrupt record).
 * Returns REC_ROW, REC_SKIP, REC_MALFORMED (with a reason in why), or a
 * negative WEIR_ERR_* (out of memory). */
int records_line(records *r, weir_builder *b, const char *line, size_t len,
                 int too_long, char *why, size_t whylen);

/* 1 when the json format's parser is available in this build. */
int records_json_available(void);

#endif
