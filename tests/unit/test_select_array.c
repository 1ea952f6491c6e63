/* tests/unit/test_select_array.c — arrays in the select operator's
 * expression engine (plugins/select): split() with Java's String.split
 * rules (literal separators, POSIX regular expressions, limits, empty
 * matches, Spark's empty-pattern rule), size(), the generators explode and
 * explode_outer (rows made per element, other columns repeated, names and
 * types), and the exact load-time errors for what Spark refuses. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

#include "../../plugins/select/expr.h"

static const char *DDL = "line STRING, tags ARRAY<STRING>, "
                         "nums ARRAY<BIGINT NOT NULL>, n BIGINT, "
                         "w STRUCT<t: ARRAY<STRING>>";

static weir_schema *in;
static weir_builder rows; /* owns the bytes the decoded rows point into */
static weir_value row[3][5];

/* Three real rows decoded by the SDK reader, as process() sees them:
 *   0: "a b", ["x", null, "y"], [1, 2], 7, {["s"]}
 *   1: null,  null,             [],     null, null
 *   2: "",    [],               [5],    1,  {null} */
static void setup(void) {
  weir_reader r;
  const uint8_t *data;
  size_t len;
  char err[256];
  cr_assert_eq(weir_schema_parse(DDL, &in, err, sizeof err), WEIR_OK, "%s",
               err);
  cr_assert_eq(weir_builder_init(&rows, in), WEIR_OK);
  weir_row_begin(&rows);
  weir_put_string(&rows, "a b", 3);
  weir_put_array(&rows, 3);
  weir_put_string(&rows, "x", 1);
  weir_put_null(&rows);
  weir_put_string(&rows, "y", 1);
  weir_put_array(&rows, 2);
  weir_put_int(&rows, 1);
  weir_put_int(&rows, 2);
  weir_put_int(&rows, 7);
  weir_put_struct(&rows, 1);
  weir_put_array(&rows, 1);
  weir_put_string(&rows, "s", 1);
  weir_row_begin(&rows);
  weir_put_null(&rows);
  weir_put_null(&rows);
  weir_put_array(&rows, 0);
  weir_put_null(&rows);
  weir_put_null(&rows);
  weir_row_begin(&rows);
  weir_put_string(&rows, "", 0);
  weir_put_array(&rows, 0);
  weir_put_array(&rows, 1);
  weir_put_int(&rows, 5);
  weir_put_int(&rows, 1);
  weir_put_struct(&rows, 1);
  weir_put_null(&rows);
  cr_assert_eq(weir_builder_finish(&rows, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  for (int i = 0; i < 3; i++)
    cr_assert_eq(weir_reader_next(&r, row[i], 5), 1);
}

static void teardown(void) {
  weir_builder_free(&rows);
  weir_schema_free(in);
}

TestSuite(select_array, .init = setup, .fini = teardown);

static sel_program *compile_ok(const char *columns, const char *where) {
  sel_program *p = NULL;
  char err[1024] = "";
  int rc = sel_compile(columns, where, in, &p, err, sizeof err);
  cr_assert_eq(rc, WEIR_OK, "compile '%s': %s", columns, err);
  return p;
}

/* Output column 0 of `expr` on row r, as JSON ("null", "[\"a\"]", "3"). */
static const char *eval_json(const char *expr, int r) {
  static char out[512];
  sel_program *p = compile_ok(expr, NULL);
  weir_value v;
  weir_buf b = WEIR_BUF_INIT;
  cr_assert_eq(sel_eval_column(p, 0, row[r], &v), WEIR_OK, "%s", expr);
  const weir_field *f = &sel_output(p)->fields[0];
  if (v.type == WEIR_T_NULL)
    cr_assert(f->nullable, "%s: null but declared NOT NULL", expr);
  weir_json_value(&b, f, &v);
  snprintf(out, sizeof out, "%.*s", (int)b.len, b.data ? (char *)b.data : "");
  weir_buf_free(&b);
  sel_free(p);
  return out;
}

typedef struct {
  const char *expr, *want;
} case_t;

static void run_cases(const case_t *c, size_t n, int r) {
  for (size_t i = 0; i < n; i++)
    cr_expect_str_eq(eval_json(c[i].expr, r), c[i].want, "%s", c[i].expr);
}
#define RUN(cases, r) run_cases(cases, sizeof cases / sizeof cases[0], r)

Test(select_array, split_literal_separators) {
  static const case_t c[] = {
      {"split(line, ' ')", "[\"a\",\"b\"]"},
      {"split('a b c', ' ')", "[\"a\",\"b\",\"c\"]"},
      /* Java keeps the empty pieces, trailing ones included (limit -1) */
      {"split(' a  b ', ' ')", "[\"\",\"a\",\"\",\"b\",\"\"]"},
      {"split(',a,', ',')", "[\"\",\"a\",\"\"]"},
      {"split('', ' ')", "[\"\"]"},
      {"split('abc', 'z')", "[\"abc\"]"},
      {"split('a::b::c', '::')", "[\"a\",\"b\",\"c\"]"},
      {"split('h\xc3\xa9 llo', ' ')", "[\"h\xc3\xa9\",\"llo\"]"},
      /* limits: at most limit pieces, the last one holding the rest */
      {"split('a,b,c', ',', 2)", "[\"a\",\"b,c\"]"},
      {"split('a,b,c', ',', 1)", "[\"a,b,c\"]"},
      {"split('a,b,c', ',', 3)", "[\"a\",\"b\",\"c\"]"},
      {"split('a,b,c', ',', 9)", "[\"a\",\"b\",\"c\"]"},
      {"split('a,b,c', ',', 0)", "[\"a\",\"b\",\"c\"]"},
      {"split('a,b,c', ',', -5)", "[\"a\",\"b\",\"c\"]"},
      {"split('a,b,,', ',', 3)", "[\"a\",\"b\",\",\"]"},
      /* nulls */
      {"split(line, ' ', n)", "[\"a\",\"b\"]"},
      {"split(line, NULL)", "null"},
      {"split('a b', ' ', CAST(NULL AS BIGINT))", "null"},
  };
  RUN(c, 0);
  cr_expect_str_eq(eval_json("split(line, ' ')", 1), "null");
  cr_expect_str_eq(eval_json("split(line, ' ')", 2), "[\"\"]");
}

Test(select_array, split_regular_expressions) {
  static const case_t c[] = {
      {"split('a,b;c', '[,;]')", "[\"a\",\"b\",\"c\"]"},
      {"split('a1b22c333', '[0-9]+')", "[\"a\",\"b\",\"c\",\"\"]"},
      {"split('a  b\\tc', '\\\\s+')", "[\"a\",\"b\",\"c\"]"},
      {"split('a|b', '\\\\|')", "[\"a\",\"b\"]"},
      {"split('a.b', '.')", "[\"\",\"\",\"\",\"\"]"},
      {"split('x-y_z', '-|_')", "[\"x\",\"y\",\"z\"]"},
      /* ^ only matches at the very start, as in Java */
      {"split('^a^', '^')", "[\"^a^\"]"},
      {"split('aXbX', 'X$')", "[\"aXb\",\"\"]"},
      /* empty matches: none at the start, the next search a character on */
      {"split('abc', 'x*')", "[\"a\",\"b\",\"c\",\"\"]"},
      {"split('abc', 'x*', 2)", "[\"a\",\"bc\"]"},
      /* Spark's empty pattern: one piece per character (UTF-8 aware) */
      {"split('h\xc3\xa9y', '')", "[\"h\",\"\xc3\xa9\",\"y\"]"},
      {"split('abc', '', 2)", "[\"a\",\"bc\"]"},
      {"split('', '')", "[\"\"]"},
      /* a column's bytes (not NUL-terminated in the batch) */
      {"split(line, '[ ]+')", "[\"a\",\"b\"]"},
      {"split(line, '^a')", "[\"\",\" b\"]"},
  };
  RUN(c, 0);
}

/* Patterns as people copy them from Spark (Java syntax, escapes through
 * the SQL literal): they mean what Java means, or are refused. */
Test(select_array, split_java_escapes) {
  static const case_t c[] = {
      {"split('a1b22c', '\\\\d+')", "[\"a\",\"b\",\"c\"]"},
      {"split('1a2', '\\\\D')", "[\"1\",\"2\"]"},
      {"split('a\\tb\\tc', '\\\\t')", "[\"a\",\"b\",\"c\"]"},
      {"split('a\\nb', '\\\\n')", "[\"a\",\"b\"]"},
      {"split('a1 b,c', '[\\\\d\\\\s,]')", "[\"a\",\"\",\"b\",\"c\"]"},
      {"split('a.b.c', '\\\\.')", "[\"a\",\"b\",\"c\"]"},
      {"split('a[b]c', '[][]')", "[\"a\",\"b\",\"c\"]"},
      {"split('aXbYc', '[[:upper:]]')", "[\"a\",\"b\",\"c\"]"},
      {"split('a_b c', '\\\\W')", "[\"a_b\",\"c\"]"},
  };
  RUN(c, 0);
}

Test(select_array, size_and_arrays_read_from_columns) {
  static const case_t c0[] = {
      {"size(tags)", "3"},
      {"cardinality(nums)", "2"},
      {"size(split(line, ' '))", "2"},
      {"size(w.t)", "1"},
      {"tags", "[\"x\",null,\"y\"]"},
      {"w.t", "[\"s\"]"},
      {"size(NULL)", "-1"},
  };
  RUN(c0, 0);
  static const case_t c1[] = {
      {"size(tags)", "-1"}, /* Spark 3 without ANSI mode: -1 for null */
      {"size(nums)", "0"},
      {"size(w.t)", "-1"},
      {"tags", "null"},
  };
  RUN(c1, 1);
  cr_expect_str_eq(eval_json("size(tags)", 2), "0");
}

/* The program's output schema as DDL. */
static const char *out_ddl(const sel_program *p) {
  static char out[1024];
  weir_buf b = WEIR_BUF_INIT;
  weir_schema_format(sel_output(p), &b);
  snprintf(out, sizeof out, "%s", b.data ? (char *)b.data : "");
  weir_buf_free(&b);
  return out;
}

Test(select_array, names_and_types) {
  sel_program *p = compile_ok(
      "split(line, ' '), split(line, ',', 2), size(tags), tags, w.t, "
      "split(line, ' ') AS words",
      NULL);
  cr_expect_str_eq(out_ddl(p),
                   "`split(line,  , -1)` ARRAY<STRING NOT NULL>, "
                   "`split(line, ,, 2)` ARRAY<STRING NOT NULL>, "
                   "`size(tags)` BIGINT NOT NULL, tags ARRAY<STRING>, "
                   "t ARRAY<STRING>, words ARRAY<STRING NOT NULL>");
  sel_free(p);
  p = compile_ok("explode(tags)", NULL);
  cr_expect_str_eq(out_ddl(p), "col STRING");
  sel_free(p);
  p = compile_ok("n, explode(nums) AS k", NULL);
  cr_expect_str_eq(out_ddl(p), "n BIGINT, k BIGINT NOT NULL");
  cr_expect_not(sel_rows_raw(p));
  cr_expect_not(sel_passthrough(p));
  sel_free(p);
  p = compile_ok("explode_outer(nums)", NULL);
  cr_expect_str_eq(out_ddl(p), "col BIGINT");
  sel_free(p);
  p = compile_ok("explode(split(line, ' ')) AS word", NULL);
  cr_expect_str_eq(out_ddl(p), "word STRING NOT NULL");
  sel_free(p);
}

/* Projects rows 0..2 through `columns` and returns the output rows as JSON
 * lines. */
static const char *project(const char *columns, const char *where) {
  static char out[2048];
  sel_program *p = compile_ok(columns, where);
  weir_builder b;
  weir_reader r;
  weir_value v[8];
  const uint8_t *data;
  size_t len;
  weir_buf o = WEIR_BUF_INIT;
  int rc;
  cr_assert_eq(weir_builder_init(&b, sel_output(p)), WEIR_OK);
  for (int i = 0; i < 3; i++) {
    rc = sel_filter(p, row[i]);
    cr_assert_geq(rc, 0);
    if (rc)
      cr_assert_eq(sel_project(p, row[i], &b), WEIR_OK);
  }
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_leq(sel_output(p)->n, 8);
  while ((rc = weir_reader_next(&r, v, sel_output(p)->n)) == 1) {
    weir_json_row(&o, sel_output(p), v);
    weir_buf_append(&o, "\n", 1);
  }
  cr_assert_eq(rc, 0);
  snprintf(out, sizeof out, "%.*s", (int)o.len, o.data ? (char *)o.data : "");
  weir_buf_free(&o);
  weir_builder_free(&b);
  sel_free(p);
  return out;
}

Test(select_array, explode_makes_rows) {
  /* null and empty arrays make no rows; null elements are rows */
  cr_expect_str_eq(project("n, explode(tags) AS tag, line", NULL),
                   "{\"n\":7,\"tag\":\"x\",\"line\":\"a b\"}\n"
                   "{\"n\":7,\"tag\":null,\"line\":\"a b\"}\n"
                   "{\"n\":7,\"tag\":\"y\",\"line\":\"a b\"}\n");
  cr_expect_str_eq(project("explode(nums), upper(line) AS u", NULL),
                   "{\"col\":1,\"u\":\"A B\"}\n"
                   "{\"col\":2,\"u\":\"A B\"}\n"
                   "{\"col\":5,\"u\":\"\"}\n");
  /* the Spark guide's word split; "" splits into one empty word */
  cr_expect_str_eq(project("explode(split(line, ' ')) AS word", NULL),
                   "{\"word\":\"a\"}\n{\"word\":\"b\"}\n{\"word\":\"\"}\n");
  /* where filters the input rows, before they are exploded */
  cr_expect_str_eq(project("explode(split(line, ' ')) AS word", "n = 7"),
                   "{\"word\":\"a\"}\n{\"word\":\"b\"}\n");
  /* explode_outer: a null row for a null or empty array */
  cr_expect_str_eq(project("n, explode_outer(tags)", NULL),
                   "{\"n\":7,\"col\":\"x\"}\n{\"n\":7,\"col\":null}\n"
                   "{\"n\":7,\"col\":\"y\"}\n{\"n\":null,\"col\":null}\n"
                   "{\"n\":1,\"col\":null}\n");
  cr_expect_str_eq(project("explode(w.t) AS t, w", NULL),
                   "{\"t\":\"s\",\"w\":{\"t\":[\"s\"]}}\n");
  /* arrays pass through a select as they are */
  cr_expect_str_eq(project("tags, size(nums) AS k", NULL),
                   "{\"tags\":[\"x\",null,\"y\"],\"k\":2}\n"
                   "{\"tags\":null,\"k\":0}\n{\"tags\":[],\"k\":1}\n");
}

Test(select_array, many_elements_in_one_row) {
  /* a long string split into 5000 words: the arena and the row buffer grow */
  char cols[64];
  weir_buf text = WEIR_BUF_INIT;
  weir_buf_append(&text, "size(split('", 12);
  for (int i = 0; i < 5000; i++)
    weir_buf_printf(&text, "%sw%d", i ? " " : "", i);
  weir_buf_append(&text, "', ' ')) AS k", 13);
  weir_buf_append(&text, "", 1);
  cr_expect_str_eq(eval_json((char *)text.data, 0), "5000");
  weir_buf_free(&text);
  snprintf(cols, sizeof cols, "explode(split(line, ''))");
  cr_expect_str_eq(project(cols, "n = 7"),
                   "{\"col\":\"a\"}\n{\"col\":\" \"}\n{\"col\":\"b\"}\n");
}

typedef struct {
  const char *columns, *where, *msg;
} err_t;

Test(select_array, errors) {
  static const err_t c[] = {
      {"split(line, '\\\\Qa.b\\\\E')", NULL,
       "select: split(line, \\Qa.b\\E, -1) in columns: pattern "
       "'\\Qa.b\\E': the escape '\\Q' is Java regular-expression syntax "
       "with no POSIX equivalent here (supported: \\t \\n \\r \\f \\d "
       "\\D \\s \\S \\w \\W \\b \\B and escaped punctuation)"},
      {"split(line, 'a+?')", NULL,
       "select: split(line, a+?, -1) in columns: pattern 'a+?': '+?' is a "
       "lazy or possessive quantifier, which POSIX regular expressions do "
       "not have"},
      {"split(line, '(?i)x')", NULL,
       "select: split(line, (?i)x, -1) in columns: pattern '(?i)x': '(?' "
       "groups (flags, non-capturing, look-around) are Java "
       "regular-expression syntax with no POSIX equivalent here"},
      {"split(line, '[\\\\]]')", NULL,
       "select: split(line, [\\]], -1) in columns: pattern '[\\]]': '\\]' "
       "inside [...] is not supported (in POSIX brackets put ] first, - "
       "last, ^ not first)"},
      {"upper(explode(tags))", NULL,
       "select: explode(tags) in columns: explode() is a generator: it can "
       "only be a whole item of columns (e.g. columns = explode(tags) AS "
       "tag), not part of an expression"},
      {"n", "size(explode(tags)) > 1",
       "select: explode(tags) in where: explode() is a generator: it can only "
       "be a whole item of columns (e.g. columns = explode(tags) AS tag), not "
       "part of an expression or a filter"},
      {"explode(tags), explode_outer(nums)", NULL,
       "select: only one generator is allowed per select (as in Spark): "
       "explode_outer(nums) in columns comes after explode(tags); explode in "
       "a second select"},
      {"explode(line)", NULL,
       "select: explode(line) in columns: explode() needs an array, got "
       "string"},
      {"explode(NULL)", NULL,
       "select: explode(NULL) in columns: explode() needs an array, got null"},
      {"size(line)", NULL,
       "select: size(line) in columns: size() needs an array, got string"},
      {"split(n, ' ')", NULL,
       "select: split(n,  , -1) in columns: split() needs a string, got "
       "bigint"},
      {"split(line, line)", NULL,
       "select: split(line, line, -1) in columns: split() needs its pattern "
       "as a string literal (e.g. ' ' or '[,;]'), got an expression"},
      {"split(line, 1)", NULL,
       "select: split(line, 1, -1) in columns: split() needs its pattern as "
       "a string literal (e.g. ' ' or '[,;]'), got bigint"},
      {"split(line, ' ', 'x')", NULL,
       "select: split(line,  , x) in columns: split() needs an integer, got "
       "string"},
      {"split(line)", NULL,
       "select: split(line) in columns: split() takes 2 or 3 arguments, got "
       "1"},
      {"tags", "tags = tags",
       "select: (tags = tags) in where: cannot compare arrays"},
      {"tags", "tags IN (tags)",
       "select: (tags IN (tags)) in where: cannot compare array with array"},
      {"tags", "line = tags",
       "select: (line = tags) in where: cannot compare string with array"},
      {"CAST(tags AS STRING)", NULL,
       "select: CAST(tags AS STRING) in columns: cannot cast array to string"},
      {"concat(line, tags)", NULL,
       "select: concat(line, tags) in columns: concat() cannot take an array"},
      {"coalesce(tags, tags)", NULL,
       "select: coalesce(tags, tags) in columns: coalesce() cannot take an "
       "array"},
      {"tags.x", NULL,
       "select: tags.x in columns: cannot read field 'x' of an array"},
      {"tags.*", NULL,
       "select: tags.* in columns: tags is an array, not a struct"},
      {"n", "tags",
       "select: tags in where: the filter must be a boolean expression, got "
       "array"},
      {"size(tags, 1)", NULL,
       "select: size(tags, 1) in columns: size() takes 1 argument, got 2"},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    sel_program *p = NULL;
    char err[1024] = "";
    int rc = sel_compile(c[i].columns, c[i].where, in, &p, err, sizeof err);
    cr_expect_eq(rc, WEIR_ERR_SCHEMA, "%s / %s: rc %d (%s)", c[i].columns,
                 c[i].where ? c[i].where : "", rc, err);
    cr_expect_null(p);
    cr_expect_str_eq(err, c[i].msg, "%s: %s", c[i].columns, err);
    sel_free(p);
  }
  /* an invalid regular expression, with libc's reason */
  sel_program *p = NULL;
  char err[1024] = "";
  cr_expect_eq(sel_compile("split(line, '[a-')", NULL, in, &p, err, sizeof err),
               WEIR_ERR_SCHEMA);
  const char *want = "select: split(line, [a-, -1) in columns: invalid "
                     "regular expression '[a-': ";
  cr_expect_eq(strncmp(err, want, strlen(want)), 0, "%s", err);
  cr_expect_gt(strlen(err), strlen(want), "the reason follows: %s", err);
}
