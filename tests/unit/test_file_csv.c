/* tests/unit/test_file_csv.c — the file source's CSV reader: splitting a
 * line into fields (separators, quotes, escapes, doubled quotes, text after
 * a closing quote, unclosed quotes), the option characters, and the
 * conversion of field text to typed values as Spark's CSV reader does. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../plugins/file/csv.h"

static csv_splitter sp;
static csv_opts dflt = {',', '"', '\\'};

static void teardown(void) { csv_splitter_free(&sp); }
TestSuite(file_csv, .fini = teardown);

static int split(const csv_opts *o, const char *line) {
  return csv_split(&sp, o, line, strlen(line));
}

static void field_is(size_t i, const char *want) {
  cr_assert_lt(i, sp.n, "field %zu missing (only %zu)", i, sp.n);
  cr_assert_eq(sp.f[i].len, strlen(want), "field %zu: length %zu, want '%s'", i,
               sp.f[i].len, want);
  cr_assert(memcmp(sp.f[i].p, want, sp.f[i].len) == 0,
            "field %zu: '%.*s', want '%s'", i, (int)sp.f[i].len, sp.f[i].p,
            want);
}

Test(file_csv, plain_fields) {
  cr_assert_eq(split(&dflt, "a,bc,,d"), CSV_OK);
  cr_assert_eq(sp.n, 4);
  field_is(0, "a");
  field_is(1, "bc");
  field_is(2, "");
  field_is(3, "d");
}

Test(file_csv, trailing_separator_opens_an_empty_field) {
  cr_assert_eq(split(&dflt, "a,"), CSV_OK);
  cr_assert_eq(sp.n, 2);
  field_is(1, "");
  cr_assert_eq(split(&dflt, ""), CSV_OK);
  cr_assert_eq(sp.n, 1);
}

Test(file_csv, quoted_fields_keep_separators) {
  cr_assert_eq(split(&dflt, "\"a,b\",c"), CSV_OK);
  cr_assert_eq(sp.n, 2);
  field_is(0, "a,b");
  cr_assert(sp.f[0].quoted);
  field_is(1, "c");
  cr_assert(!sp.f[1].quoted);
}

Test(file_csv, escaped_and_doubled_quotes) {
  cr_assert_eq(split(&dflt, "\"say \\\"hi\\\"\",\"x\"\"y\",\"back\\\\slash\""),
               CSV_OK);
  field_is(0, "say \"hi\"");
  field_is(1, "x\"y");
  field_is(2, "back\\slash");
}

Test(file_csv, escape_before_other_chars_is_kept) {
  cr_assert_eq(split(&dflt, "\"a\\nb\""), CSV_OK);
  field_is(0, "a\\nb");
}

Test(file_csv, escape_equal_to_quote_means_doubling) {
  csv_opts o = {',', '"', '"'};
  cr_assert_eq(split(&o, "\"x\"\"y\",z"), CSV_OK);
  field_is(0, "x\"y");
  field_is(1, "z");
}

Test(file_csv, quote_inside_unquoted_field_is_plain) {
  cr_assert_eq(split(&dflt, "ab\"c,d"), CSV_OK);
  field_is(0, "ab\"c");
  field_is(1, "d");
}

Test(file_csv, text_after_closing_quote_is_kept) {
  cr_assert_eq(split(&dflt, "\"ab\"cd,e"), CSV_OK);
  field_is(0, "abcd");
  field_is(1, "e");
}

Test(file_csv, unclosed_quote_is_an_error) {
  cr_assert_eq(split(&dflt, "a,\"bc"), CSV_ERR_QUOTE);
}

Test(file_csv, other_separator_and_quote_off) {
  csv_opts o = {';', -1, -1};
  cr_assert_eq(split(&o, "\"a;b\";c"), CSV_OK);
  cr_assert_eq(sp.n, 3);
  field_is(0, "\"a");
  field_is(1, "b\"");
  csv_opts tab = {'\t', '\'', -1};
  cr_assert_eq(split(&tab, "'x\ty'\tz"), CSV_OK);
  field_is(0, "x\ty");
  field_is(1, "z");
}

Test(file_csv, many_fields_grow_without_limit_until_max) {
  char line[4001];
  for (int i = 0; i < 2000; i++) {
    line[2 * i] = 'x';
    line[2 * i + 1] = ',';
  }
  line[3998] = 'y';
  line[3999] = 0;
  cr_assert_eq(split(&dflt, line), CSV_OK);
  cr_assert_eq(sp.n, 2000);
  field_is(1999, "y");
}

Test(file_csv, char_options) {
  int c;
  cr_assert_eq(csv_char_option(",", &c), 0);
  cr_assert_eq(c, ',');
  cr_assert_eq(csv_char_option("\\t", &c), 0);
  cr_assert_eq(c, '\t');
  cr_assert_eq(csv_char_option("\\u0001", &c), 0);
  cr_assert_eq(c, 1);
  cr_assert_eq(csv_char_option("", &c), 0);
  cr_assert_eq(c, -1);
  cr_assert_eq(csv_char_option("\\;", &c), 0);
  cr_assert_eq(c, ';');
  cr_assert_eq(csv_char_option("\";\"", &c), 0);
  cr_assert_eq(c, ';');
  cr_assert_eq(csv_char_option("'|'", &c), 0);
  cr_assert_eq(c, '|');
  cr_assert_eq(csv_char_option("ab", &c), -1);
  cr_assert_eq(csv_char_option("\\q", &c), -1);
}

static csv_cell conv_ok(weir_type t, const char *s) {
  csv_cell c;
  cr_assert_eq(csv_convert(t, s, strlen(s), NULL, &c), 0, "'%s' should read",
               s);
  return c;
}

static void conv_bad(weir_type t, const char *s) {
  csv_cell c;
  cr_assert_eq(csv_convert(t, s, strlen(s), NULL, &c), -1,
               "'%s' should not read as %s", s, weir_type_name(t));
}

Test(file_csv, integers) {
  cr_assert_eq(conv_ok(WEIR_T_INT, "42").v.i, 42);
  cr_assert_eq(conv_ok(WEIR_T_INT, "-7").v.i, -7);
  cr_assert_eq(conv_ok(WEIR_T_INT, "+7").v.i, 7);
  cr_assert_eq(conv_ok(WEIR_T_INT, "9223372036854775807").v.i, INT64_MAX);
  cr_assert_eq(conv_ok(WEIR_T_INT, "-9223372036854775808").v.i, INT64_MIN);
  conv_bad(WEIR_T_INT, "9223372036854775808");
  conv_bad(WEIR_T_INT, "1.5");
  conv_bad(WEIR_T_INT, " 1");
  conv_bad(WEIR_T_INT, "");
  conv_bad(WEIR_T_INT, "-");
  conv_bad(WEIR_T_INT, "12a");
}

Test(file_csv, doubles) {
  cr_assert_float_eq(conv_ok(WEIR_T_FLOAT, "1.5").v.f, 1.5, 1e-12);
  cr_assert_float_eq(conv_ok(WEIR_T_FLOAT, "-2e3").v.f, -2000.0, 1e-9);
  cr_assert(isnan(conv_ok(WEIR_T_FLOAT, "NaN").v.f));
  cr_assert(isinf(conv_ok(WEIR_T_FLOAT, "Inf").v.f));
  cr_assert(conv_ok(WEIR_T_FLOAT, "-Infinity").v.f < 0);
  conv_bad(WEIR_T_FLOAT, "0x10");
  conv_bad(WEIR_T_FLOAT, "nan");
  conv_bad(WEIR_T_FLOAT, "1.5x");
  conv_bad(WEIR_T_FLOAT, "1e999");
}

Test(file_csv, booleans_strings_timestamps) {
  cr_assert_eq(conv_ok(WEIR_T_BOOL, "TRUE").v.b, 1);
  cr_assert_eq(conv_ok(WEIR_T_BOOL, "false").v.b, 0);
  conv_bad(WEIR_T_BOOL, "yes");
  csv_cell s = conv_ok(WEIR_T_STRING, "any text");
  cr_assert_eq(s.len, 8);
  cr_assert_eq(conv_ok(WEIR_T_TIMESTAMP, "2026-01-01T00:00:01Z").v.ts,
               INT64_C(1767225601000000));
  cr_assert_eq(conv_ok(WEIR_T_TIMESTAMP, "1767225601").v.ts,
               INT64_C(1767225601000000));
  conv_bad(WEIR_T_TIMESTAMP, "yesterday");
  csv_cell c;
  cr_assert_eq(csv_convert(WEIR_T_TIMESTAMP, "01/02/2026 10:00", 16,
                           "%d/%m/%Y %H:%M", &c),
               0);
  cr_assert_eq(c.v.ts, INT64_C(1769940000000000)); /* 2026-02-01T10:00Z */
}
