/* tests/unit/test_console_format.c — the console sink's table renderer
 * (plugins/console/table.c) against exact strings, as Spark's show() prints
 * them: truncation on and off, nulls, UTF-8 and full-width cells, the
 * num_rows cut and its footer, empty tables, struct, array and binary
 * cells, meta-character escaping. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weir/weir.h"

#include "../../plugins/console/table.h"

#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

static weir_value vnull(void) {
  weir_value v;
  memset(&v, 0, sizeof v);
  v.type = WEIR_T_NULL;
  return v;
}
static weir_value vint(int64_t i) {
  weir_value v = vnull();
  v.type = WEIR_T_INT;
  v.v.i = i;
  return v;
}
static weir_value vdbl(double f) {
  weir_value v = vnull();
  v.type = WEIR_T_FLOAT;
  v.v.f = f;
  return v;
}
static weir_value vbool(bool b) {
  weir_value v = vnull();
  v.type = WEIR_T_BOOL;
  v.v.b = b;
  return v;
}
static weir_value vts(int64_t us) {
  weir_value v = vnull();
  v.type = WEIR_T_TIMESTAMP;
  v.v.ts = us;
  return v;
}
static weir_value vstrn(const char *s, size_t n) {
  weir_value v = vnull();
  v.type = WEIR_T_STRING;
  v.v.s.ptr = s;
  v.v.s.len = n;
  return v;
}
static weir_value vstr(const char *s) { return vstrn(s, strlen(s)); }
static weir_value vbin(const char *s, size_t n) {
  weir_value v = vstrn(s, n);
  v.type = WEIR_T_BINARY;
  return v;
}
/* Decodes a msgpack value (a struct is an array) built in b. */
static weir_value vdecode(const weir_buf *b) {
  weir_value v;
  const uint8_t *p = b->data;
  cr_assert_eq(weir_value_decode(&p, b->data + b->len, &v), WEIR_OK);
  return v;
}

static weir_schema *schema(const char *ddl) {
  weir_schema *s;
  char err[200];
  cr_assert_eq(weir_schema_parse(ddl, &s, err, sizeof err), WEIR_OK, "%s", err);
  return s;
}

/* The table as a NUL-terminated string (caller frees). */
static char *render(const console_table *t) {
  weir_buf out = WEIR_BUF_INIT;
  cr_assert_eq(console_table_render(t, &out), WEIR_OK);
  char *s = malloc(out.len + 1);
  cr_assert(s);
  if (out.len)
    memcpy(s, out.data, out.len);
  s[out.len] = 0;
  weir_buf_free(&out);
  return s;
}

static char *format(const weir_value *v) {
  weir_buf out = WEIR_BUF_INIT;
  console_format_value(&out, v);
  char *s = malloc(out.len + 1);
  cr_assert(s);
  if (out.len)
    memcpy(s, out.data, out.len);
  s[out.len] = 0;
  weir_buf_free(&out);
  return s;
}

static void expect_table(console_table *t, const char *want) {
  char *got = render(t);
  cr_expect_str_eq(got, want);
  free(got);
}

/* timestamp, value rows: (T0, 0), (T0 + 1.5 s, 1). */
static void add_rate_rows(console_table *t) {
  weir_value row[2] = {vts(T0), vint(0)};
  cr_assert_eq(console_table_add(t, row), WEIR_OK);
  row[0] = vts(T0 + 1500000);
  row[1] = vint(1);
  cr_assert_eq(console_table_add(t, row), WEIR_OK);
}

Test(console_format, truncated_right_aligned) {
  weir_schema *s = schema("timestamp TIMESTAMP, value BIGINT");
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  add_rate_rows(&t);
  /* "2026-01-01 00:00:01.5" has 21 characters: cut to 17 + "..." */
  expect_table(&t, "+--------------------+-----+\n"
                   "|           timestamp|value|\n"
                   "+--------------------+-----+\n"
                   "| 2026-01-01 00:00:00|    0|\n"
                   "|2026-01-01 00:00:...|    1|\n"
                   "+--------------------+-----+\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, untruncated_left_aligned) {
  weir_schema *s = schema("timestamp TIMESTAMP, value BIGINT");
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 0), WEIR_OK);
  add_rate_rows(&t);
  expect_table(&t, "+---------------------+-----+\n"
                   "|timestamp            |value|\n"
                   "+---------------------+-----+\n"
                   "|2026-01-01 00:00:00  |0    |\n"
                   "|2026-01-01 00:00:01.5|1    |\n"
                   "+---------------------+-----+\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, long_string_truncated_or_kept) {
  weir_schema *s = schema("s STRING");
  console_table t;
  weir_value row[1] = {vstr("abcdefghijklmnopqrstuvwxyz")};
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  row[0] = vstr("exactly twenty chars"); /* 20: kept whole */
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+--------------------+\n"
                   "|                   s|\n"
                   "+--------------------+\n"
                   "|abcdefghijklmnopq...|\n"
                   "|exactly twenty chars|\n"
                   "+--------------------+\n");
  console_table_free(&t);

  cr_assert_eq(console_table_init(&t, s, 20, 0), WEIR_OK);
  row[0] = vstr("abcdefghijklmnopqrstuvwxyz");
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+--------------------------+\n"
                   "|s                         |\n"
                   "+--------------------------+\n"
                   "|abcdefghijklmnopqrstuvwxyz|\n"
                   "+--------------------------+\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, empty_table_has_header_only) {
  weir_schema *s = schema("timestamp TIMESTAMP, value BIGINT");
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  expect_table(&t, "+---------+-----+\n"
                   "|timestamp|value|\n"
                   "+---------+-----+\n"
                   "+---------+-----+\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, nulls_and_minimum_width) {
  weir_schema *s = schema("a STRING, b BIGINT");
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  weir_value row[2] = {vnull(), vnull()};
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  row[0] = vstr("x");
  row[1] = vint(7);
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+----+----+\n"
                   "|   a|   b|\n"
                   "+----+----+\n"
                   "|null|null|\n"
                   "|   x|   7|\n"
                   "+----+----+\n");
  console_table_free(&t);

  /* one-character cells: columns are still 3 wide */
  cr_assert_eq(console_table_init(&t, s, 20, 0), WEIR_OK);
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+---+---+\n"
                   "|a  |b  |\n"
                   "+---+---+\n"
                   "|x  |7  |\n"
                   "+---+---+\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, num_rows_cut_and_footer) {
  weir_schema *s = schema("value BIGINT");
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 2, 1), WEIR_OK);
  for (int64_t i = 0; i < 5; i++) {
    weir_value row[1] = {vint(i * 100000)};
    cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  }
  cr_expect(console_table_full(&t));
  console_table_count(&t, 1000);
  cr_expect_eq(t.total, 1005);
  /* widths come from the rows shown only */
  expect_table(&t, "+------+\n"
                   "| value|\n"
                   "+------+\n"
                   "|     0|\n"
                   "|100000|\n"
                   "+------+\n"
                   "only showing top 2 rows\n");
  console_table_free(&t);

  cr_assert_eq(console_table_init(&t, s, 1, 1), WEIR_OK);
  for (int64_t i = 0; i < 2; i++) {
    weir_value row[1] = {vint(i)};
    cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  }
  expect_table(&t, "+-----+\n"
                   "|value|\n"
                   "+-----+\n"
                   "|    0|\n"
                   "+-----+\n"
                   "only showing top 1 row\n");
  console_table_free(&t);

  /* exactly num_rows rows: no footer */
  cr_assert_eq(console_table_init(&t, s, 2, 1), WEIR_OK);
  for (int64_t i = 0; i < 2; i++) {
    weir_value row[1] = {vint(i)};
    cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  }
  expect_table(&t, "+-----+\n"
                   "|value|\n"
                   "+-----+\n"
                   "|    0|\n"
                   "|    1|\n"
                   "+-----+\n");
  console_table_free(&t);

  /* num_rows = 0: the header, then the footer */
  cr_assert_eq(console_table_init(&t, s, 0, 1), WEIR_OK);
  weir_value row[1] = {vint(1)};
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+-----+\n"
                   "|value|\n"
                   "+-----+\n"
                   "+-----+\n"
                   "only showing top 0 rows\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, utf8_and_full_width_cells) {
  weir_schema *s = weir_schema_new();
  cr_assert(s);
  cr_assert_eq(weir_schema_add(s, "name", WEIR_T_STRING, true, NULL), 0);
  cr_assert_eq(weir_schema_add(s, "名前", WEIR_T_STRING, true, NULL), 0);
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  weir_value row[2] = {vstr("héllo"), vstr("日本語")};
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  row[0] = vstr("ab");
  row[1] = vstr("x");
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  /* héllo: 5 characters (6 bytes); 日本語: 3 full-width = 6 columns */
  expect_table(&t, "+-----+------+\n"
                   "| name|  名前|\n"
                   "+-----+------+\n"
                   "|héllo|日本語|\n"
                   "|   ab|     x|\n"
                   "+-----+------+\n");
  console_table_free(&t);

  cr_assert_eq(console_table_init(&t, s, 20, 0), WEIR_OK);
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  row[0] = vstr("héllo");
  row[1] = vstr("日本語");
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+-----+------+\n"
                   "|name |名前  |\n"
                   "+-----+------+\n"
                   "|ab   |x     |\n"
                   "|héllo|日本語|\n"
                   "+-----+------+\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, wide_cells_truncated_by_characters) {
  weir_schema *s = schema("s STRING");
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  /* 25 full-width characters: 17 kept, 17 * 2 + 3 = 37 columns */
  char cjk[25 * 3 + 1] = "", want17[17 * 3 + 4] = "";
  for (int i = 0; i < 25; i++)
    strcat(cjk, "字");
  for (int i = 0; i < 17; i++)
    strcat(want17, "字");
  strcat(want17, "...");
  weir_value row[1] = {vstr(cjk)};
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  /* 16 ASCII + an emoji (2 UTF-16 units) + 3: the cut at 17 units splits the
   * emoji; Java prints the lone surrogate as '?' */
  row[0] = vstr("aaaaaaaaaaaaaaaa\xF0\x9F\x98\x80"
                "bcd");
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  /* an emoji alone counts 2 */
  row[0] = vstr("\xF0\x9F\x98\x80");
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);

  weir_buf want = WEIR_BUF_INIT;
  weir_buf_printf(&want,
                  "+-------------------------------------+\n"
                  "|                                    s|\n"
                  "+-------------------------------------+\n"
                  "|%s|\n"
                  "|                 aaaaaaaaaaaaaaaa?...|\n"
                  "|                                   \xF0\x9F\x98\x80|\n"
                  "+-------------------------------------+\n",
                  want17);
  expect_table(&t, (const char *)want.data);
  weir_buf_free(&want);
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, struct_and_binary_cells) {
  weir_schema *s = schema("s STRUCT<a: BIGINT, b: STRING, "
                          "c: STRUCT<x: DOUBLE, y: BOOLEAN>>, bin BINARY");
  weir_buf st1 = WEIR_BUF_INIT, st2 = WEIR_BUF_INIT;
  weir_mp_array(&st1, 3);
  weir_mp_int(&st1, 1);
  weir_mp_str(&st1, "a", 1);
  weir_mp_array(&st1, 2);
  weir_mp_float(&st1, 1.5);
  weir_mp_bool(&st1, true);
  weir_mp_array(&st2, 3);
  weir_mp_nil(&st2);
  weir_mp_str(&st2, "", 0);
  weir_mp_nil(&st2);

  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  weir_value row[2] = {vdecode(&st1), vbin("hel", 3)};
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  row[0] = vdecode(&st2);
  row[1] = vbin("", 0);
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  row[0] = vnull();
  row[1] = vbin("\x00\xff\x10", 3);
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+-------------------+----------+\n"
                   "|                  s|       bin|\n"
                   "+-------------------+----------+\n"
                   "|{1, a, {1.5, true}}|[68 65 6C]|\n"
                   "|     {null, , null}|        []|\n"
                   "|               null|[00 FF 10]|\n"
                   "+-------------------+----------+\n");
  console_table_free(&t);
  weir_buf_free(&st1);
  weir_buf_free(&st2);
  weir_schema_free(s);
}

Test(console_format, array_cells) {
  /* show() prints an array as "[a, b]" (Cast(array AS STRING)): the
   * schema tells it from a struct, which reads the same */
  weir_schema *s = schema("tags ARRAY<STRING>, w STRUCT<n: BIGINT, "
                          "at: ARRAY<TIMESTAMP>>, one ARRAY<BIGINT>");
  weir_buf a1 = WEIR_BUF_INIT, a2 = WEIR_BUF_INIT, w1 = WEIR_BUF_INIT,
           o1 = WEIR_BUF_INIT, e = WEIR_BUF_INIT;
  weir_mp_array(&a1, 3);
  weir_mp_str(&a1, "a", 1);
  weir_mp_nil(&a1);
  weir_mp_str(&a1, "long element", 12);
  weir_mp_array(&a2, 1);
  weir_mp_str(&a2, "x	y", 3);
  weir_mp_array(&w1, 2);
  weir_mp_int(&w1, 1);
  weir_mp_array(&w1, 1);
  weir_mp_timestamp(&w1, T0 + 5000);
  weir_mp_array(&o1, 1); /* one element: not mistaken for a struct */
  weir_mp_int(&o1, 9);
  weir_mp_array(&e, 0);

  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 0), WEIR_OK);
  weir_value row[3] = {vdecode(&a1), vdecode(&w1), vdecode(&o1)};
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  row[0] = vdecode(&a2);
  row[1] = vnull();
  row[2] = vdecode(&e);
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  row[0] = vnull();
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(
      &t, "+-----------------------+------------------------------+---+\n"
          "|tags                   |w                             |one|\n"
          "+-----------------------+------------------------------+---+\n"
          "|[a, null, long element]|{1, [2026-01-01 00:00:00.005]}|[9]|\n"
          "|[x\\ty]                 |null                          |[] |\n"
          "|null                   |null                          |[] |\n"
          "+-----------------------+------------------------------+---+\n");
  console_table_free(&t);
  /* a value that says WEIR_T_ARRAY prints as one without a schema */
  weir_value v = vdecode(&a2);
  v.type = WEIR_T_ARRAY;
  char *txt = format(&v);
  cr_expect_str_eq(txt, "[x\ty]");
  free(txt);
  weir_buf_free(&a1);
  weir_buf_free(&a2);
  weir_buf_free(&w1);
  weir_buf_free(&o1);
  weir_buf_free(&e);
  weir_schema_free(s);
}

Test(console_format, meta_characters_escaped) {
  weir_schema *s = weir_schema_new();
  cr_assert(s);
  cr_assert_eq(weir_schema_add(s, "a\nb", WEIR_T_STRING, true, NULL), 0);
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  weir_value row[1] = {vstr("x\ty\r\n")};
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  /* escaped before the cut: 19 characters + "\n" -> 21 -> cut */
  row[0] = vstr("0123456789012345678\n");
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+--------------------+\n"
                   "|                a\\nb|\n"
                   "+--------------------+\n"
                   "|            x\\ty\\r\\n|\n"
                   "|01234567890123456...|\n"
                   "+--------------------+\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, invalid_utf8_replaced) {
  weir_schema *s = schema("s STRING");
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  weir_value row[1] = {vstrn("a\xff"
                             "b\xe2\x82",
                             5)};
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+----+\n"
                   "|   s|\n"
                   "+----+\n"
                   "|a\xEF\xBF\xBD"
                   "b\xEF\xBF\xBD|\n"
                   "+----+\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, reset_starts_a_new_epoch) {
  weir_schema *s = schema("timestamp TIMESTAMP, value BIGINT");
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 1, 1), WEIR_OK);
  add_rate_rows(&t);
  console_table_reset(&t);
  cr_expect_eq(t.total, 0);
  cr_expect(!console_table_full(&t));
  expect_table(&t, "+---------+-----+\n"
                   "|timestamp|value|\n"
                   "+---------+-----+\n"
                   "+---------+-----+\n");
  weir_value row[2] = {vts(T0 + 5000000), vint(42)};
  cr_assert_eq(console_table_add(&t, row), WEIR_OK);
  expect_table(&t, "+-------------------+-----+\n"
                   "|          timestamp|value|\n"
                   "+-------------------+-----+\n"
                   "|2026-01-01 00:00:05|   42|\n"
                   "+-------------------+-----+\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, no_columns) {
  weir_schema *s = weir_schema_new();
  cr_assert(s);
  console_table t;
  cr_assert_eq(console_table_init(&t, s, 20, 1), WEIR_OK);
  cr_assert_eq(console_table_add(&t, NULL), WEIR_OK);
  expect_table(&t, "++\n||\n++\n||\n++\n");
  console_table_free(&t);
  weir_schema_free(s);
}

Test(console_format, scalar_values_as_spark_prints_them) {
  typedef struct {
    weir_value v;
    const char *want;
  } value_case;
  static const value_case cases[] = {
      {{WEIR_T_BOOL, {.b = true}, NULL, 0}, "true"},
      {{WEIR_T_BOOL, {.b = false}, NULL, 0}, "false"},
      {{WEIR_T_INT, {.i = INT64_MIN}, NULL, 0}, "-9223372036854775808"},
      {{WEIR_T_INT, {.i = 42}, NULL, 0}, "42"},
      {{WEIR_T_FLOAT, {.f = 1.0}, NULL, 0}, "1.0"},
      {{WEIR_T_FLOAT, {.f = 0.1}, NULL, 0}, "0.1"},
      {{WEIR_T_FLOAT, {.f = 1e10}, NULL, 0}, "1.0E10"},
      {{WEIR_T_TIMESTAMP, {.ts = T0 + 1}, NULL, 0},
       "2026-01-01 00:00:00.000001"},
      {{WEIR_T_TIMESTAMP, {.ts = T0 + 120000}, NULL, 0},
       "2026-01-01 00:00:00.12"},
      {{WEIR_T_NULL, {.i = 0}, NULL, 0}, "null"},
  };
  for (const value_case *c = cases; c < cases + sizeof cases / sizeof cases[0];
       c++) {
    char *got = format(&c->v);
    cr_expect_str_eq(got, c->want);
    free(got);
  }
  weir_value d = vdbl(-0.0), b = vbool(false);
  char *got = format(&d);
  cr_expect_str_eq(got, "-0.0");
  free(got);
  got = format(&b);
  cr_expect_str_eq(got, "false");
  free(got);
}
