/* test_units.c — durations, sizes, timestamps and doubles: parsing with
 * exact error messages, and formatting with exact expected text. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "weir/units.h"

#define S INT64_C(1000000)

static char err[256];

static void dur_ok(const char *text, int64_t want) {
  int64_t us = -42;
  int rc = weir_parse_duration(text, &us, err, sizeof err);
  cr_assert_eq(rc, WEIR_OK, "'%s': %s", text, err);
  cr_assert_eq(us, want, "'%s': %lld != %lld", text, (long long)us,
               (long long)want);
}

static void dur_err(const char *text, const char *want) {
  int64_t us = -42;
  cr_assert_eq(weir_parse_duration(text, &us, err, sizeof err),
               WEIR_ERR_INVALID, "'%s' parsed", text);
  cr_assert_eq(us, -42);
  cr_assert_str_eq(err, want, "for '%s'", text);
}

Test(duration, parse) {
  dur_ok("500 milliseconds", 500000);
  dur_ok("10 seconds", 10 * S);
  dur_ok("5 minutes", 300 * S);
  dur_ok("1 hour", 3600 * S);
  dur_ok("2 days", 172800 * S);
  dur_ok("1 week", 604800 * S);
  dur_ok("1 second", S);
  dur_ok("2 weeks", 1209600 * S);
  dur_ok("500ms", 500000);
  dur_ok("10s", 10 * S);
  dur_ok("5m", 300 * S);
  dur_ok("1h", 3600 * S);
  dur_ok("2d", 172800 * S);
  dur_ok("1w", 604800 * S);
  dur_ok("250us", 250);
  dur_ok("3 microseconds", 3);
  dur_ok("1 microsecond", 1);
  dur_ok("7 \xc2\xb5s", 7);
  dur_ok("1 minute 30 seconds", 90 * S);
  dur_ok("1 minute, 30 seconds", 90 * S);
  dur_ok("1h30m", 5400 * S);
  dur_ok("1 day 2 hours 3 minutes 4 seconds 5 ms 6 us",
         (86400 + 7200 + 180 + 4) * S + 5006);
  dur_ok("15", 15 * S);
  dur_ok("0", 0);
  dur_ok("1.5 hours", 5400 * S);
  dur_ok("0.5s", 500000);
  dur_ok("0.001 seconds", 1000);
  dur_ok("1.25 MINUTES", 75 * S);
  dur_ok("interval 10 seconds", 10 * S);
  dur_ok("  2 Seconds  ", 2 * S);
  dur_ok("1 sec", S);
  dur_ok("3 mins", 180 * S);
  dur_ok("2 hrs", 7200 * S);
  dur_ok("0.000001 s", 1);
  dur_ok("15250 weeks", INT64_C(15250) * 604800 * S);
}

Test(duration, parse_errors) {
  dur_err("", "offset 0: expected a duration, found end of input");
  dur_err("   ", "offset 3: expected a duration, found end of input");
  dur_err("10 parsecs", "offset 3: expected a unit (us, ms, s, m, h, d, w or "
                        "their names), found 'parsecs'");
  dur_err("1 month",
          "offset 2: expected a unit (us, ms, s, m, h, d, w or their names), "
          "found 'month' (durations have a fixed length: use days)");
  dur_err("-5 s", "offset 0: expected a non-negative number, found '-5'");
  dur_err("5 s 3", "offset 5: expected a unit (us, ms, s, m, h, d, w or their "
                   "names), found end of input");
  dur_err("abc", "offset 0: expected a number, found 'abc'");
  dur_err("1.5us",
          "offset 0: expected a whole number of microseconds, found '1.5us'");
  dur_err("99999999999 weeks", "offset 0: duration too large");
  dur_err("10 s ?", "offset 5: expected a number, found '?'");
  dur_err("1.s", "offset 1: expected a unit (us, ms, s, m, h, d, w or their "
                 "names), found '.s'");
  /* a NULL error buffer is fine */
  int64_t us;
  cr_assert_eq(weir_parse_duration("x", &us, NULL, 0), WEIR_ERR_INVALID);
}

static void dur_fmt(int64_t us, const char *want) {
  char out[64];
  int n = weir_format_duration(us, out, sizeof out);
  cr_assert_str_eq(out, want);
  cr_assert_eq(n, (int)strlen(want));
  if (us >= 0) {
    int64_t back;
    cr_assert_eq(weir_parse_duration(out, &back, err, sizeof err), WEIR_OK,
                 "%s", err);
    cr_assert_eq(back, us, "'%s' reads back", out);
  }
}

Test(duration, format) {
  dur_fmt(300 * S, "5 minutes");
  dur_fmt(S, "1 second");
  dur_fmt(1500000, "1500 ms");
  dur_fmt(0, "0 seconds");
  dur_fmt(86400 * S, "1 day");
  dur_fmt(604800 * S, "7 days");
  dur_fmt(7200 * S, "2 hours");
  dur_fmt(90 * S, "90 seconds");
  dur_fmt(60 * S, "1 minute");
  dur_fmt(1, "1 us");
  dur_fmt(1001, "1001 us");
  dur_fmt(1000, "1 ms");
  dur_fmt(-60 * S, "-1 minute");
  char small[4];
  cr_assert_eq(weir_format_duration(300 * S, small, sizeof small), 9);
  cr_assert_str_eq(small, "5 m");
}

static void size_ok(const char *text, int64_t want) {
  int64_t b = -42;
  cr_assert_eq(weir_parse_size(text, &b, err, sizeof err), WEIR_OK, "'%s': %s",
               text, err);
  cr_assert_eq(b, want, "'%s': %lld", text, (long long)b);
}

static void size_err(const char *text, const char *want) {
  int64_t b = -42;
  cr_assert_eq(weir_parse_size(text, &b, err, sizeof err), WEIR_ERR_INVALID,
               "'%s'", text);
  cr_assert_eq(b, -42);
  cr_assert_str_eq(err, want, "for '%s'", text);
}

Test(size, parse) {
  size_ok("4096", 4096);
  size_ok("0", 0);
  size_ok("64k", 65536);
  size_ok("64KB", 65536);
  size_ok("64 KiB", 65536);
  size_ok("10 MB", 10485760);
  size_ok("1 GiB", 1073741824);
  size_ok("2 TB", INT64_C(2199023255552));
  size_ok("1.5k", 1536);
  size_ok("100 bytes", 100);
  size_ok("1 byte", 1);
  size_ok("7b", 7);
  size_ok(" 3 mb ", 3145728);
  size_ok("0.5 GB", 536870912);
}

Test(size, parse_errors) {
  size_err("", "offset 0: expected a size, found end of input");
  size_err(
      "10 XB",
      "offset 3: expected a unit (B, KB, MB, GB, TB, KiB, ...), found 'XB'");
  size_err("10 MB extra", "offset 6: expected end of input, found 'extra'");
  size_err("0.3k", "offset 0: expected a whole number of bytes, found '0.3k'");
  size_err("-1", "offset 0: expected a non-negative size, found '-1'");
  size_err("9999999 TB", "offset 0: size too large");
  size_err("99999999999999999999", "offset 0: size too large");
}

static void ts_ok(const char *text, int64_t want) {
  int64_t us = -42;
  cr_assert_eq(weir_parse_timestamp(text, strlen(text), &us), WEIR_OK, "'%s'",
               text);
  cr_assert_eq(us, want, "'%s': %lld != %lld", text, (long long)us,
               (long long)want);
}

static void ts_bad(const char *text) {
  int64_t us = -42;
  cr_assert_eq(weir_parse_timestamp(text, strlen(text), &us), WEIR_ERR_INVALID,
               "'%s'", text);
  cr_assert_eq(us, -42);
}

Test(timestamp, parse) {
  ts_ok("2026-01-01", INT64_C(1767225600000000));
  ts_ok("2026-01-01T12:00:00", INT64_C(1767268800000000));
  ts_ok("2026-01-01 12:00:00", INT64_C(1767268800000000));
  ts_ok("2026-01-01t12:00:00z", INT64_C(1767268800000000));
  ts_ok("2026-01-01T12:00", INT64_C(1767268800000000));
  ts_ok("2026-01-01T12:00:00Z", INT64_C(1767268800000000));
  ts_ok("2026-01-01T12:00:00.5Z", INT64_C(1767268800500000));
  ts_ok("2026-01-01T12:00:00.123456Z", INT64_C(1767268800123456));
  ts_ok("2026-01-01T12:00:00.123456789Z", INT64_C(1767268800123456));
  ts_ok("2026-01-01T12:00:00+02:00", INT64_C(1767261600000000));
  ts_ok("2026-01-01T12:00:00-0130", INT64_C(1767274200000000));
  ts_ok("2026-01-01T12:00:00+02", INT64_C(1767261600000000));
  ts_ok("1970-01-01T00:00:00Z", 0);
  ts_ok("1969-12-31T23:59:59.999999Z", -1);
  ts_ok("1969-07-20T20:17:40Z", INT64_C(-14182940000000));
  ts_ok("1900-03-01", INT64_C(-2203891200000000));
  ts_ok("2024-02-29", INT64_C(1709164800000000));
  ts_ok("0001-01-01", INT64_C(-62135596800000000));
  ts_ok("9999-12-31T23:59:59.999999", INT64_C(253402300799999999));
  /* the length bounds the text: no NUL needed */
  int64_t us;
  cr_assert_eq(weir_parse_timestamp("2026-01-01T12:00:00garbage", 19, &us),
               WEIR_OK);
  cr_assert_eq(us, INT64_C(1767268800000000));
}

Test(timestamp, parse_errors) {
  ts_bad("");
  ts_bad("2026");
  ts_bad("2026-1-1");
  ts_bad("2023-02-29");
  ts_bad("2026-13-01");
  ts_bad("2026-00-10");
  ts_bad("2026-04-31");
  ts_bad("2026-01-01T24:00:00");
  ts_bad("2026-01-01T12:60:00");
  ts_bad("2026-01-01T12:00:60");
  ts_bad("2026-01-01T");
  ts_bad("2026-01-01T12");
  ts_bad("2026-01-01T12:00:00.");
  ts_bad("2026-01-01T12:00:00.Z");
  ts_bad("2026-01-01T12:00:00.1234567890");
  ts_bad("2026-01-01T12:00:00+2");
  ts_bad("2026-01-01T12:00:00+02:0");
  ts_bad("2026-01-01T12:00:00 ");
  ts_bad(" 2026-01-01");
  ts_bad("2026-01-01Z");
  ts_bad("2026/01/01");
  ts_bad("yesterday");
}

static void ts_fmt(int64_t us, int style, const char *want) {
  char out[64];
  int n = weir_format_timestamp(us, style, out, sizeof out);
  cr_assert_str_eq(out, want);
  cr_assert_eq(n, (int)strlen(want));
  int64_t back;
  cr_assert_eq(weir_parse_timestamp(out, (size_t)n, &back), WEIR_OK, "'%s'",
               out);
  cr_assert_eq(back, us, "'%s' reads back", out);
}

Test(timestamp, format) {
  ts_fmt(0, WEIR_TS_ISO, "1970-01-01T00:00:00.000Z");
  ts_fmt(INT64_C(1767225605123000), WEIR_TS_ISO, "2026-01-01T00:00:05.123Z");
  ts_fmt(INT64_C(1767225605123456), WEIR_TS_ISO, "2026-01-01T00:00:05.123456Z");
  ts_fmt(INT64_C(1767225605000000), WEIR_TS_ISO, "2026-01-01T00:00:05.000Z");
  ts_fmt(-1, WEIR_TS_ISO, "1969-12-31T23:59:59.999999Z");
  ts_fmt(-1000, WEIR_TS_ISO, "1969-12-31T23:59:59.999Z");
  ts_fmt(INT64_C(-14182940000000), WEIR_TS_ISO, "1969-07-20T20:17:40.000Z");
  ts_fmt(INT64_C(-62135596800000000), WEIR_TS_ISO, "0001-01-01T00:00:00.000Z");
  ts_fmt(INT64_C(1709164800000000), WEIR_TS_ISO, "2024-02-29T00:00:00.000Z");
  ts_fmt(INT64_C(1767225605000000), WEIR_TS_SPARK, "2026-01-01 00:00:05");
  ts_fmt(INT64_C(1767225605120000), WEIR_TS_SPARK, "2026-01-01 00:00:05.12");
  ts_fmt(INT64_C(1767225605000001), WEIR_TS_SPARK,
         "2026-01-01 00:00:05.000001");
  ts_fmt(INT64_C(1767225605123456), WEIR_TS_SPARK,
         "2026-01-01 00:00:05.123456");
  ts_fmt(-1500000, WEIR_TS_SPARK, "1969-12-31 23:59:58.5");
  ts_fmt(0, WEIR_TS_SPARK, "1970-01-01 00:00:00");
  /* the extremes format without crashing */
  char out[64];
  cr_assert_gt(weir_format_timestamp(INT64_MIN, WEIR_TS_ISO, out, sizeof out),
               0);
  cr_assert_gt(weir_format_timestamp(INT64_MAX, WEIR_TS_SPARK, out, sizeof out),
               0);
  cr_assert_str_eq(out, "294247-01-10 04:00:54.775807");
  cr_assert_gt(weir_format_timestamp(INT64_MIN, WEIR_TS_SPARK, out, sizeof out),
               0);
  cr_assert_str_eq(out, "-290308-12-21 19:59:05.224192");
  /* a short buffer gets a truncated, terminated text and the full length */
  char small[5];
  cr_assert_eq(weir_format_timestamp(0, WEIR_TS_ISO, small, sizeof small), 24);
  cr_assert_str_eq(small, "1970");
  cr_assert_eq(weir_format_timestamp(0, WEIR_TS_SPARK, NULL, 0), 19);
}

Test(timestamp, civil_days) {
  cr_assert_eq(weir_days_from_civil(1970, 1, 1), 0);
  cr_assert_eq(weir_days_from_civil(1969, 12, 31), -1);
  cr_assert_eq(weir_days_from_civil(2000, 3, 1), 11017);
  cr_assert_eq(weir_days_from_civil(2026, 1, 1), 20454);
  for (int64_t z = -800000; z <= 800000; z += 37) {
    int64_t y;
    unsigned m, d;
    weir_civil_from_days(z, &y, &m, &d);
    if (weir_days_from_civil(y, m, d) != z)
      cr_assert_fail("day %lld does not round trip", (long long)z);
  }
}

static void dbl(double v, const char *java, const char *json) {
  char out[64];
  int n = weir_format_double(v, 1, out, sizeof out);
  cr_assert_str_eq(out, java, "java style of %.17g", v);
  cr_assert_eq(n, (int)strlen(java));
  n = weir_format_double(v, 0, out, sizeof out);
  cr_assert_str_eq(out, json, "json style of %.17g", v);
  cr_assert_eq(n, (int)strlen(json));
  if (isfinite(v)) {
    cr_assert_eq(strtod(java, NULL), v);
    cr_assert_eq(strtod(json, NULL), v);
  }
}

Test(double, format) {
  dbl(1.0, "1.0", "1");
  dbl(0.1, "0.1", "0.1");
  dbl(100.0, "100.0", "100");
  dbl(-2.5, "-2.5", "-2.5");
  dbl(123.456, "123.456", "123.456");
  dbl(1e7, "1.0E7", "10000000");
  dbl(9999999.0, "9999999.0", "9999999");
  dbl(12345678.9, "1.23456789E7", "12345678.9");
  dbl(0.001, "0.001", "0.001");
  dbl(1e-4, "1.0E-4", "0.0001");
  dbl(1.5e-5, "1.5E-5", "0.000015");
  dbl(1e-6, "1.0E-6", "0.000001");
  dbl(1e-7, "1.0E-7", "1e-7");
  dbl(1e20, "1.0E20", "100000000000000000000");
  dbl(1e21, "1.0E21", "1e+21");
  dbl(1.5e300, "1.5E300", "1.5e+300");
  dbl(0.30000000000000004, "0.30000000000000004", "0.30000000000000004");
  dbl(1.0 / 3, "0.3333333333333333", "0.3333333333333333");
  dbl(2.0 / 3, "0.6666666666666666", "0.6666666666666666");
  dbl(9007199254740992.0, "9.007199254740992E15", "9007199254740992");
  dbl(DBL_MAX, "1.7976931348623157E308", "1.7976931348623157e+308");
  dbl(4.9e-324, "4.9E-324", "5e-324");
  dbl(2.2250738585072014e-308, "2.2250738585072014E-308",
      "2.2250738585072014e-308");
  dbl(0.0, "0.0", "0");
  dbl(-0.0, "-0.0", "-0");
  dbl(NAN, "NaN", "NaN");
  dbl(INFINITY, "Infinity", "Infinity");
  dbl(-INFINITY, "-Infinity", "-Infinity");
  dbl(5e-5, "5.0E-5", "0.00005");
  dbl(1e23, "1.0E23", "1e+23");
}

Test(double, shortest_round_trip_everywhere) {
  uint64_t x = 88172645463325252ULL;
  char out[64];
  for (int i = 0; i < 60000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double v;
    memcpy(&v, &x, 8);
    if (!isfinite(v))
      continue;
    weir_format_double(v, 0, out, sizeof out);
    if (strtod(out, NULL) != v)
      cr_assert_fail("%s does not read back as %.17g", out, v);
    /* as many significant digits as the brute-force shortest */
    int ref = 1;
    char tmp[40];
    for (; ref < 17; ref++) {
      snprintf(tmp, sizeof tmp, "%.*e", ref - 1, v);
      if (strtod(tmp, NULL) == v)
        break;
    }
    char sig[40];
    int n = 0;
    for (const char *p = out; *p && *p != 'e'; p++)
      if (*p >= '0' && *p <= '9' && (n || *p != '0'))
        sig[n++] = *p;
    while (n > 0 && sig[n - 1] == '0')
      n--;
    if (n != ref)
      cr_assert_fail("%s has %d significant digits, shortest is %d", out, n,
                     ref);
    weir_format_double(v, 1, out, sizeof out);
    if (strtod(out, NULL) != v)
      cr_assert_fail("%s does not read back as %.17g", out, v);
  }
}
