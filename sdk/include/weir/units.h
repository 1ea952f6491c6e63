/* weir/units.h — durations, sizes, timestamps and numbers: parsing the text
 * users write in INI files and formatting values the way Spark prints them. */
#ifndef WEIR_UNITS_H
#define WEIR_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "weir/batch.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WEIR_US_PER_SEC INT64_C(1000000)

/* Parses a duration into µs: "500 milliseconds", "10 seconds", "5 minutes",
 * "1 hour", "2 days", "1 week", singular or plural, and short forms
 * "500ms 10s 5m 1h 2d 1w", also "us"/"microseconds"; several parts add up
 * ("1 minute 30 seconds"); a bare number is seconds. Returns WEIR_OK or
 * WEIR_ERR_INVALID with "offset N: expected ..." written to err. */
int weir_parse_duration(const char *s, int64_t *us, char *err, size_t errlen);

/* Formats µs as the largest exact unit: "5 minutes", "1 second", "1500 ms".
 * Returns the length written (as snprintf). */
int weir_format_duration(int64_t us, char *out, size_t n);

/* Parses a size into bytes: "4096", "64k", "64KB", "64 KiB", "10 MB", "1 GiB",
 * "2 TB" (k/M/G/T are powers of 1024, as in most C tools). WEIR_OK or
 * WEIR_ERR_INVALID with a message in err. */
int weir_parse_size(const char *s, int64_t *bytes, char *err, size_t errlen);

/* Parses an ISO-8601 timestamp into µs since the Unix epoch: "2026-01-01",
 * "2026-01-01T12:00:00", space instead of T, optional fraction (up to 9
 * digits, truncated to µs), "Z" or "+hh:mm" / "-hhmm" or none (= UTC).
 * `len` is the text's length (no NUL needed). WEIR_OK or WEIR_ERR_INVALID. */
int weir_parse_timestamp(const char *s, size_t len, int64_t *us);

/* Timestamp styles for weir_format_timestamp. */
enum {
  WEIR_TS_ISO = 0,  /* 2026-01-01T00:00:05.123Z (ms; µs when needed) */
  WEIR_TS_SPARK = 1 /* 2026-01-01 00:00:05.123 (Spark's show(): fraction
                       only when non-zero, trailing zeros trimmed) */
};
/* Formats µs since the epoch (UTC). Returns the length (as snprintf). */
int weir_format_timestamp(int64_t us, int style, char *out, size_t n);

/* Formats a double as the shortest text that reads back to the same value.
 * java_style = 1 prints it as Java's Double.toString does (Spark's show():
 * "1.0", "1.0E10", "NaN", "Infinity"); 0 prints JSON-friendly text ("1",
 * "1e+10"; NaN and infinities as null is up to the caller). Returns length. */
int weir_format_double(double v, int java_style, char *out, size_t n);

/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t weir_days_from_civil(int64_t y, unsigned m, unsigned d);
void weir_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#ifdef __cplusplus
}
#endif
#endif
