/* plugins/file/csv.h — one CSV line into fields, and a field's text into a
 * typed value, with Spark's CSV reader defaults and rules (multiLine off: a
 * line is a record). No allocation per line once the arrays have grown to
 * the widest line seen. */
#ifndef WEIR_FILE_CSV_H
#define WEIR_FILE_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "weir/batch.h"

#define CSV_MAX_COLUMNS 20480 /* Spark's maxColumns default */

typedef struct csv_opts {
  int sep;    /* a byte */
  int quote;  /* a byte, or -1: quoting off (Spark: quote = "") */
  int escape; /* a byte, or -1 */
} csv_opts;

typedef struct csv_field {
  const char *p; /* into the line, or into the splitter's scratch */
  size_t len;
  int quoted;
} csv_field;

typedef struct csv_splitter {
  csv_field *f;
  size_t n, cap;
  char *scratch; /* unescaped text of quoted fields; as long as the line */
  size_t scap;
} csv_splitter;

enum {
  CSV_OK = 0,
  CSV_ERR_QUOTE = -1,   /* a quoted field is not closed on its line */
  CSV_ERR_COLUMNS = -2, /* more than CSV_MAX_COLUMNS fields */
  CSV_ERR_NOMEM = -3
};

/* Splits line[0..len) (no line terminator) into sp->f[0..sp->n).
 * Fields: sep separates; a field that starts with `quote` runs to the next
 * unescaped quote, where `escape` + quote, escape + escape and a doubled
 * quote each stand for the character; text after a closing quote up to the
 * separator is kept (Spark's default unescapedQuoteHandling,
 * STOP_AT_DELIMITER); a quote inside an unquoted field is a plain
 * character. Returns CSV_OK or a CSV_ERR_*. Field pointers stay valid until
 * the next call. */
int csv_split(csv_splitter *sp, const csv_opts *o, const char *line,
              size_t len);
void csv_splitter_free(csv_splitter *sp);

/* A converted value, before it is written to a batch. */
typedef struct csv_cell {
  int null;
  union {
    int64_t i;
    double f;
    int b;
    int64_t ts;
  } v;
  const char *s; /* STRING, BINARY: the text, borrowed */
  size_t len;
} csv_cell;

/* Converts text to a value of type t (Spark's CSV conversions): BIGINT
 * -?digits in range; DOUBLE a decimal or exponent number, NaN, Inf, -Inf,
 * Infinity, -Infinity; BOOLEAN true / false in any case; TIMESTAMP as
 * tsparse.h's ts_parse with `tsfmt` (NULL: ISO-8601 or epoch seconds);
 * STRING and BINARY as is. Returns 0, or -1 when the text is not a value
 * of the type (the caller applies the mode). */
int csv_convert(weir_type t, const char *s, size_t len, const char *tsfmt,
                csv_cell *out);

/* Parses the text of the sep / quote / escape options: one character;
 * \t, \0, \uXXXX (ASCII only), or a backslash before a punctuation
 * character (\; \\ \"); or one character in quotes (";"), since a bare ;
 * starts an INI comment. "" gives -1 (off; valid for quote and escape).
 * Returns 0 or -1 when it is not one byte. */
int csv_char_option(const char *text, int *out);

#endif
