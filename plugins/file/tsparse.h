/* plugins/file/tsparse.h — timestamps in text records (csv, and json
 * strings when the JSON parser defers to us): ISO-8601, numbers as epoch
 * seconds (Spark's CAST(number AS TIMESTAMP)), or a user's
 * `timestamp_format` written in a strftime-like subset. */
#ifndef WEIR_FILE_TSPARSE_H
#define WEIR_FILE_TSPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Checks a timestamp_format at create time. Supported conversions:
 *   %Y year (4 digits)    %y year 69..99 → 19xx, 00..68 → 20xx (POSIX)
 *   %m month 1..12        %b %h %B month name (Jan / January, any case)
 *   %d %e day 1..31       %j day of the year 1..366
 *   %H hour 0..23         %I hour 1..12 with %p AM / PM
 *   %M minute             %S second (0..60; 60 is a leap second: 59)
 *   %f fraction, 1..9 digits (truncated to µs)
 *   %z Z, ±hh, ±hhmm, ±hh:mm       %Z the literal UTC, GMT or Z
 *   %s epoch seconds (optional sign)
 *   %T = %H:%M:%S   %F = %Y-%m-%d   %D = %m/%d/%y   %% a literal %
 * Numeric fields take up to their width in digits (leading zeros optional,
 * as strptime); a space in the format matches any run of blanks, even none;
 * any other character matches itself. Without a zone the time is UTC.
 * Returns 0, or -1 with a message in err. */
int ts_format_check(const char *fmt, char *err, size_t errlen);

/* Parses s[0..len) with `fmt` (a checked format), the whole text. 0 or -1. */
int ts_parse_format(const char *fmt, const char *s, size_t len, int64_t *us);

/* A number as epoch seconds: -?digits[.digits] (fraction truncated to µs),
 * as Spark's cast of a number to a timestamp. 0 or -1 (also on overflow). */
int ts_parse_epoch_seconds(const char *s, size_t len, int64_t *us);

/* The default rule for a text value: ISO-8601 (weir_parse_timestamp: `T` or
 * space, optional fraction, Z or ±hh:mm, none = UTC) or a number as epoch
 * seconds; with fmt non-NULL, that format only (as Spark's timestampFormat).
 * 0 or -1. */
int ts_parse(const char *fmt, const char *s, size_t len, int64_t *us);

#endif
