/* tests/unit/test_file_timestamp.c — timestamp rules of the file source:
 * ISO-8601 (T or space, fraction, Z or offsets, none = UTC), numbers as
 * epoch seconds (Spark's cast), and timestamp_format's strftime subset,
 * including the errors a format is refused with at create time. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../plugins/file/tsparse.h"

#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */
#define S INT64_C(1000000)

static int64_t ok(const char *fmt, const char *s) {
  int64_t us = 0;
  cr_assert_eq(ts_parse(fmt, s, strlen(s), &us), 0, "'%s' with %s", s,
               fmt ? fmt : "the default rule");
  return us;
}

static void bad(const char *fmt, const char *s) {
  int64_t us;
  cr_assert_eq(ts_parse(fmt, s, strlen(s), &us), -1,
               "'%s' should not parse with %s", s,
               fmt ? fmt : "the default rule");
}

Test(file_timestamp, iso8601_forms) {
  cr_assert_eq(ok(NULL, "2026-01-01T00:00:00Z"), T0);
  cr_assert_eq(ok(NULL, "2026-01-01 00:00:00"), T0);
  cr_assert_eq(ok(NULL, "2026-01-01T01:00:00+01:00"), T0);
  cr_assert_eq(ok(NULL, "2025-12-31T19:00:00-0500"), T0);
  cr_assert_eq(ok(NULL, "2026-01-01T00:00:00.123456Z"), T0 + 123456);
  cr_assert_eq(ok(NULL, "2026-01-01T00:00:00.5"), T0 + 500000);
  cr_assert_eq(ok(NULL, "2026-01-01"), T0);
  bad(NULL, "2026-13-01T00:00:00");
  bad(NULL, "2026-02-30");
  bad(NULL, "2026-01-01T00:00:00Zjunk");
}

Test(file_timestamp, epoch_seconds) {
  cr_assert_eq(ok(NULL, "1767225600"), T0);
  cr_assert_eq(ok(NULL, "1767225600.25"), T0 + 250000);
  cr_assert_eq(ok(NULL, "1767225600.1234567"), T0 + 123456); /* truncated */
  cr_assert_eq(ok(NULL, "-1.5"), -1500000);
  cr_assert_eq(ok(NULL, "0"), 0);
  bad(NULL, "1e9");
  bad(NULL, "12abc");
  bad(NULL, "99999999999999999999");
  bad(NULL, "");
}

Test(file_timestamp, format_subset) {
  cr_assert_eq(ok("%Y/%m/%d %H:%M:%S", "2026/01/01 00:00:00"), T0);
  cr_assert_eq(ok("%d.%m.%Y", "1.1.2026"), T0);
  cr_assert_eq(ok("%F %T.%f", "2026-01-01 00:00:01.250"), T0 + S + 250000);
  cr_assert_eq(ok("%F %T%z", "2026-01-01 02:00:00+02:00"), T0);
  cr_assert_eq(ok("%F %T %Z", "2026-01-01 00:00:00 UTC"), T0);
  cr_assert_eq(ok("%d %b %Y", "01 jan 2026"), T0);
  cr_assert_eq(ok("%d %B %Y", "1 January 2026"), T0);
  cr_assert_eq(ok("%D %I:%M %p", "01/01/26 12:00 AM"), T0);
  cr_assert_eq(ok("%D %I:%M %p", "01/01/26 01:30 PM"),
               T0 + 13 * 3600 * S + 30 * 60 * S);
  cr_assert_eq(ok("%Y %j", "2026 032"), T0 + 31 * 86400 * S);
  cr_assert_eq(ok("%s", "1767225600"), T0);
  cr_assert_eq(ok("%y%m%d", "260101"), T0);
  cr_assert_eq(ok("%Y-%m-%dT%H:%M:%S", "2016-12-31T23:59:60"),
               ok(NULL, "2016-12-31T23:59:59"));
  cr_assert_eq(ok("%Y%%%m", "2026%01"), T0);
}

Test(file_timestamp, format_mismatches) {
  bad("%Y-%m-%d", "2026-01-01 00:00");
  bad("%Y-%m-%d", "26-01-01");
  bad("%Y-%m-%d", "2026-02-29"); /* not a leap year */
  bad("%H:%M", "24:00");
  bad("%b", "Foo");
  bad("%F %T%z", "2026-01-01 00:00:00+2");
  bad("%Y %j", "2026 366");
}

Test(file_timestamp, format_check) {
  char err[256];
  cr_assert_eq(ts_format_check("%Y-%m-%d %H:%M:%S.%f%z", err, sizeof err), 0);
  cr_assert_eq(ts_format_check("%Q", err, sizeof err), -1);
  cr_assert(strstr(err, "%Q is not supported"), "%s", err);
  cr_assert_eq(ts_format_check("%Y%", err, sizeof err), -1);
  cr_assert_eq(ts_format_check("%I:%M", err, sizeof err), -1);
  cr_assert(strstr(err, "%p"), "%s", err);
  cr_assert_eq(ts_format_check("", err, sizeof err), -1);
}
