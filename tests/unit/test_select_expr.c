/* tests/unit/test_select_expr.c — the select operator's expression engine
 * (plugins/select/expr.h): parsing, load-time resolution and typing (with
 * the exact error messages users see), Spark's evaluation and casting rules
 * on a real decoded row, generated column names and nullability, the fast
 * paths. The plugin as a whole is tested in test_select_plugin.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

#include "../../plugins/select/expr.h"

#define T0 INT64_C(1767225600000000) /* 2026-01-01 00:00:00 UTC */

static const char *DDL =
    "name STRING, value BIGINT, score DOUBLE, flag BOOLEAN, ts TIMESTAMP, "
    "data BINARY, event_type STRING NOT NULL, note STRING, num STRING, "
    "window STRUCT<start: TIMESTAMP, end: TIMESTAMP>, utf STRING";

static weir_schema *in;
static weir_builder rowbuf; /* owns the bytes the row points into */
static weir_value row[11];

static weir_schema *parse_schema(const char *ddl) {
  weir_schema *s = NULL;
  char err[256];
  int rc = weir_schema_parse(ddl, &s, err, sizeof err);
  cr_assert_eq(rc, WEIR_OK, "schema: %s", err);
  return s;
}

/* One real batch of one row, decoded by the SDK reader, so column values
 * carry their raw bytes exactly as process() sees them. */
static void setup(void) {
  weir_reader r;
  const uint8_t *data;
  size_t len;
  in = parse_schema(DDL);
  cr_assert_eq(weir_builder_init(&rowbuf, in), WEIR_OK);
  weir_row_begin(&rowbuf);
  weir_put_string(&rowbuf, "Alice", 5);
  weir_put_int(&rowbuf, 42);
  weir_put_float(&rowbuf, 2.5);
  weir_put_bool(&rowbuf, true);
  weir_put_timestamp(&rowbuf, T0 + 5000000);
  weir_put_binary(&rowbuf, "a\0b", 3);
  weir_put_string(&rowbuf, "click", 5);
  weir_put_null(&rowbuf);
  weir_put_string(&rowbuf, " 12.7 ", 6);
  weir_put_struct(&rowbuf, 2);
  weir_put_timestamp(&rowbuf, T0);
  weir_put_timestamp(&rowbuf, T0 + 60000000);
  weir_put_string(&rowbuf, "h\xc3\xa9llo w\xc3\xb6rld", 13);
  cr_assert_eq(weir_builder_finish(&rowbuf, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, row, 11), 1);
}

static void teardown(void) {
  weir_builder_free(&rowbuf);
  weir_schema_free(in);
}

TestSuite(select_expr, .init = setup, .fini = teardown);

/* "int:42", "string:abc", "NULL", ... */
static void show(const weir_value *v, char *out, size_t n) {
  char tmp[64];
  switch (v->type) {
  case WEIR_T_NULL: snprintf(out, n, "NULL"); break;
  case WEIR_T_BOOL:
    snprintf(out, n, "bool:%s", v->v.b ? "true" : "false");
    break;
  case WEIR_T_INT: snprintf(out, n, "int:%lld", (long long)v->v.i); break;
  case WEIR_T_FLOAT:
    weir_format_double(v->v.f, 1, tmp, sizeof tmp);
    snprintf(out, n, "double:%s", tmp);
    break;
  case WEIR_T_TIMESTAMP:
    weir_format_timestamp(v->v.ts, WEIR_TS_SPARK, tmp, sizeof tmp);
    snprintf(out, n, "ts:%s", tmp);
    break;
  case WEIR_T_STRING:
  case WEIR_T_BINARY: {
    size_t o = (size_t)snprintf(
        out, n, "%s:", v->type == WEIR_T_STRING ? "string" : "binary");
    for (size_t i = 0; i < v->v.s.len && o + 3 < n; i++) {
      if (v->v.s.ptr[i] == 0) {
        out[o++] = '\\';
        out[o++] = '0';
      } else {
        out[o++] = v->v.s.ptr[i];
      }
    }
    out[o] = 0;
    break;
  }
  default: snprintf(out, n, "struct"); break;
  }
}

static sel_program *compile_ok(const char *columns, const char *where) {
  sel_program *p = NULL;
  char err[1024] = "";
  int rc = sel_compile(columns, where, in, &p, err, sizeof err);
  cr_assert_eq(rc, WEIR_OK, "compile '%s' where '%s': %s", columns,
               where ? where : "", err);
  return p;
}

/* Evaluates `expr` as the only column on the row; checks the text of the
 * result and that its type is the declared output type. */
static void expect(const char *expr, const char *want) {
  sel_program *p = compile_ok(expr, NULL);
  weir_value v;
  char got[256];
  sel_set_now(p, T0 + 123000);
  cr_assert_eq(sel_eval_column(p, 0, row, &v), WEIR_OK);
  show(&v, got, sizeof got);
  cr_expect_str_eq(got, want, "%s: got %s, want %s", expr, got, want);
  const weir_field *f = &sel_output(p)->fields[0];
  if (v.type != WEIR_T_NULL)
    cr_expect_eq(v.type, f->type, "%s: value type %s, declared %s", expr,
                 weir_type_name(v.type), weir_type_name(f->type));
  else
    cr_expect(f->nullable, "%s: null but declared NOT NULL", expr);
  sel_free(p);
}

typedef struct {
  const char *expr, *want;
} case_t;

static void run_cases(const case_t *c, size_t n) {
  for (size_t i = 0; i < n; i++)
    expect(c[i].expr, c[i].want);
}
#define RUN(cases) run_cases(cases, sizeof cases / sizeof cases[0])

Test(select_expr, literals_and_columns) {
  static const case_t c[] = {
      {"42", "int:42"},
      {"-7", "int:-7"},
      {"10L", "int:10"},
      {"2.5", "double:2.5"},
      {"2.5D", "double:2.5"},
      {"1.5e3", "double:1500.0"},
      {".5", "double:0.5"},
      {"'it''s'", "string:it's"},
      {"\"dq\"", "string:dq"},
      {"'a\\tb'", "string:a\tb"},
      {"'\\u00e9'", "string:\xc3\xa9"},
      {"TRUE", "bool:true"},
      {"false", "bool:false"},
      {"NULL", "NULL"},
      {"TIMESTAMP '2026-01-01 00:00:05'", "ts:2026-01-01 00:00:05"},
      {"9223372036854775807", "int:9223372036854775807"},
      {"-9223372036854775808", "int:-9223372036854775808"},
      {"name", "string:Alice"},
      {"VALUE", "int:42"},
      {"`value`", "int:42"},
      {"data", "binary:a\\0b"},
      {"note", "NULL"},
      {"window.start", "ts:2026-01-01 00:00:00"},
      {"`window`.`end`", "ts:2026-01-01 00:01:00"},
      {"Window.START", "ts:2026-01-01 00:00:00"},
      {"current_timestamp()", "ts:2026-01-01 00:00:00.123"},
      {"now()", "ts:2026-01-01 00:00:00.123"},
      {"current_timestamp", "ts:2026-01-01 00:00:00.123"},
  };
  RUN(c);
}

Test(select_expr, arithmetic) {
  static const case_t c[] = {
      {"1 + 2 * 3", "int:7"},
      {"(1 + 2) * 3", "int:9"},
      {"value * 2", "int:84"},
      {"value - 50", "int:-8"},
      {"value / 5", "double:8.4"},
      {"1 / 2", "double:0.5"},
      {"value % 5", "int:2"},
      {"-value % 5", "int:-2"},
      {"7 % -3", "int:1"},
      {"-7.5 % 2", "double:-1.5"},
      {"value / 0", "NULL"},
      {"value % 0", "NULL"},
      {"score / 0.0", "NULL"},
      {"-9223372036854775808 % -1", "int:0"},
      {"score * 2", "double:5.0"},
      {"value + score", "double:44.5"},
      {"-score", "double:-2.5"},
      {"- value", "int:-42"},
      {"--value", "int:42"},
      {"+value", "int:42"},
      {"9223372036854775807 + 1", "int:-9223372036854775808"},
      {"-(-9223372036854775808)", "int:-9223372036854775808"},
      {"4611686018427387904 * 2", "int:-9223372036854775808"},
      {"'5' + 1", "double:6.0"},
      {"num * 10", "double:127.0"},
      {"NULL + 1", "NULL"},
      {"note + 1", "NULL"},
      {"value - 2 - 10", "int:30"},
      {"12 / 4 / 3", "double:1.0"},
  };
  RUN(c);
}

Test(select_expr, comparisons) {
  static const case_t c[] = {
      {"value = 42", "bool:true"},
      {"value == 42", "bool:true"},
      {"value != 42", "bool:false"},
      {"value <> 41", "bool:true"},
      {"value < 42", "bool:false"},
      {"value <= 42", "bool:true"},
      {"value > score", "bool:true"},
      {"score >= 2.5", "bool:true"},
      {"value = 42.0", "bool:true"},
      {"name = 'Alice'", "bool:true"},
      {"name < 'Bob'", "bool:true"},
      {"'a' < 'B'", "bool:false"},
      {"'ab' < 'abc'", "bool:true"},
      {"note = 'x'", "NULL"},
      {"note <=> NULL", "bool:true"},
      {"name <=> NULL", "bool:false"},
      {"NULL <=> NULL", "bool:true"},
      {"'1.5' = 1", "bool:true"},
      {"num = 12", "bool:true"},
      {"num = 12.7", "bool:true"},
      {"ts > '2026-01-01'", "bool:true"},
      {"ts = TIMESTAMP '2026-01-01 00:00:05'", "bool:true"},
      {"ts < window.end", "bool:true"},
      {"window.end > window.start", "bool:true"},
      {"flag = true", "bool:true"},
      {"flag = 'yes'", "bool:true"},
      {"data = CAST('a' AS BINARY)", "bool:false"},
      {"CAST('NaN' AS DOUBLE) = CAST('nan' AS DOUBLE)", "bool:true"},
      {"CAST('NaN' AS DOUBLE) > 1e308", "bool:true"},
      {"1 < 2 = true", "bool:true"},
  };
  RUN(c);
}

Test(select_expr, logic) {
  static const case_t c[] = {
      {"NULL AND false", "bool:false"},
      {"false AND NULL", "bool:false"},
      {"NULL AND true", "NULL"},
      {"NULL OR true", "bool:true"},
      {"NULL OR false", "NULL"},
      {"NOT NULL", "NULL"},
      {"NOT flag", "bool:false"},
      {"not flag or value > 0", "bool:true"},
      {"flag AND value > 40", "bool:true"},
      {"true OR false AND false", "bool:true"},
      {"NOT true = false", "bool:true"},
      {"note IS NULL", "bool:true"},
      {"note is not null", "bool:false"},
      {"name IS NOT NULL", "bool:true"},
      {"(note = 'x') IS NULL", "bool:true"},
      {"value IN (1, 42)", "bool:true"},
      {"value IN (1, 2)", "bool:false"},
      {"value IN (1, NULL)", "NULL"},
      {"value IN (42.0)", "bool:true"},
      {"value NOT IN (1, 2)", "bool:true"},
      {"name IN ('Bob', 'Alice')", "bool:true"},
      {"note IN ('a')", "NULL"},
      {"value BETWEEN 40 AND 50", "bool:true"},
      {"value BETWEEN 43 AND 50", "bool:false"},
      {"value NOT BETWEEN 40 AND 50", "bool:false"},
      {"name LIKE 'A%'", "bool:true"},
      {"name LIKE 'a%'", "bool:false"},
      {"name LIKE '_lice'", "bool:true"},
      {"name LIKE 'Alic'", "bool:false"},
      {"name NOT LIKE '%z%'", "bool:true"},
      {"utf LIKE 'h_llo%'", "bool:true"},
      {"'abcabd' LIKE '%abd'", "bool:true"},
      {"'aXbXc' LIKE 'a%b%c'", "bool:true"},
      {"'50%' LIKE '50\\%'", "bool:true"},
      {"'500' LIKE '50\\%'", "bool:false"},
      {"'' LIKE '%'", "bool:true"},
      {"note LIKE '%'", "NULL"},
  };
  RUN(c);
}

Test(select_expr, casts) {
  static const case_t c[] = {
      {"CAST(value AS STRING)", "string:42"},
      {"CAST(score AS STRING)", "string:2.5"},
      {"CAST(1e10 AS STRING)", "string:1.0E10"},
      {"CAST(100.0 AS STRING)", "string:100.0"},
      {"CAST(ts AS STRING)", "string:2026-01-01 00:00:05"},
      {"CAST(flag AS STRING)", "string:true"},
      {"CAST(data AS STRING)", "string:a\\0b"},
      {"CAST(name AS BINARY)", "binary:Alice"},
      {"CAST(ts AS BIGINT)", "int:1767225605"},
      {"CAST(TIMESTAMP '1969-12-31 23:59:59.5' AS BIGINT)", "int:-1"},
      {"CAST(ts AS DOUBLE)", "double:1.767225605E9"},
      {"CAST(1767225605 AS TIMESTAMP)", "ts:2026-01-01 00:00:05"},
      {"CAST(1.5 AS TIMESTAMP)", "ts:1970-01-01 00:00:01.5"},
      {"CAST(CAST('NaN' AS DOUBLE) AS TIMESTAMP)", "NULL"},
      {"CAST('2026-01-01T00:00:05Z' AS TIMESTAMP)", "ts:2026-01-01 00:00:05"},
      {"CAST(' 2026-01-01 ' AS TIMESTAMP)", "ts:2026-01-01 00:00:00"},
      {"CAST('not a time' AS TIMESTAMP)", "NULL"},
      {"CAST('abc' AS INT)", "NULL"},
      {"CAST(' 12 ' AS INT)", "int:12"},
      {"CAST('12.9' AS INT)", "int:12"},
      {"CAST('-12.9' AS BIGINT)", "int:-12"},
      {"CAST('+7' AS LONG)", "int:7"},
      {"CAST('1e3' AS INT)", "NULL"},
      {"CAST('12.x' AS INT)", "NULL"},
      {"CAST('9223372036854775807' AS BIGINT)", "int:9223372036854775807"},
      {"CAST('9223372036854775808' AS BIGINT)", "NULL"},
      {"CAST('-9223372036854775808' AS BIGINT)", "int:-9223372036854775808"},
      {"CAST(-2.9 AS BIGINT)", "int:-2"},
      {"CAST(1e300 AS BIGINT)", "int:9223372036854775807"},
      {"CAST(CAST('NaN' AS DOUBLE) AS BIGINT)", "int:0"},
      {"CAST(true AS INT)", "int:1"},
      {"CAST(value AS DOUBLE)", "double:42.0"},
      {"CAST(' 2.5 ' AS DOUBLE)", "double:2.5"},
      {"CAST('1.5d' AS DOUBLE)", "double:1.5"},
      {"CAST('-Infinity' AS DOUBLE)", "double:-Infinity"},
      {"CAST('0x10' AS DOUBLE)", "NULL"},
      {"CAST('yes' AS BOOLEAN)", "bool:true"},
      {"CAST(' F ' AS BOOLEAN)", "bool:false"},
      {"CAST('maybe' AS BOOLEAN)", "NULL"},
      {"CAST(0 AS BOOLEAN)", "bool:false"},
      {"CAST(0.5 AS BOOLEAN)", "bool:true"},
      {"CAST(NULL AS STRING)", "NULL"},
      {"CAST(value AS BIGINT)", "int:42"},
      {"cast(num as double)", "double:12.7"},
  };
  RUN(c);
}

Test(select_expr, functions) {
  static const case_t c[] = {
      {"lower(name)", "string:alice"},
      {"UPPER(name)", "string:ALICE"},
      {"upper(utf)", "string:H\xc3\x89LLO W\xc3\x96RLD"},
      {"lower('\xc3\x89T\xc3\x89 \xce\xa3\xce\x9f\xd0\x96')",
       "string:\xc3\xa9t\xc3\xa9 \xcf\x83\xce\xbf\xd0\xb6"},
      {"lcase('AB')", "string:ab"},
      {"length(name)", "int:5"},
      {"length(utf)", "int:11"},
      {"char_length(data)", "int:3"},
      {"length('')", "int:0"},
      {"substring(name, 2)", "string:lice"},
      {"substring(name, 2, 3)", "string:lic"},
      {"substring(name, 0, 2)", "string:Al"},
      {"substring(name, 1, 2)", "string:Al"},
      {"substring(name, -3)", "string:ice"},
      {"substring(name, -3, 2)", "string:ic"},
      {"substring(name, 10)", "string:"},
      {"substring(name, 2, -1)", "string:"},
      {"substr(name, -10, 3)", "string:"},
      {"substr(name, -10, 7)", "string:Al"},
      {"substring(utf, 2, 4)", "string:\xc3\xa9llo"},
      {"substring(data, 2)", "binary:\\0b"},
      {"substring(name, NULL)", "NULL"},
      {"substring(note, 1, 2)", "NULL"},
      {"coalesce(note, name)", "string:Alice"},
      {"coalesce(note, NULL)", "NULL"},
      {"coalesce(NULL, value, score)", "double:42.0"},
      {"coalesce(value)", "int:42"},
      {"ifnull(note, 'x')", "string:x"},
      {"nvl(name, 'y')", "string:Alice"},
      {"abs(-5)", "int:5"},
      {"abs(score - 10)", "double:7.5"},
      {"abs(-9223372036854775808)", "int:-9223372036854775808"},
      {"abs(NULL)", "NULL"},
      {"concat(name, '-', value)", "string:Alice-42"},
      {"concat(name, note)", "NULL"},
      {"concat(score, flag, ts)", "string:2.5true2026-01-01 00:00:05"},
      {"name || '!'", "string:Alice!"},
      {"name || '-' || lower(event_type) || '-' || upper(name)",
       "string:Alice-click-ALICE"},
      {"concat('', '')", "string:"},
      {"trim('  a b  ')", "string:a b"},
      {"ltrim('  a ')", "string:a "},
      {"rtrim('  a ')", "string:  a"},
      {"trim(num)", "string:12.7"},
      {"upper(CAST(value AS STRING))", "string:42"},
  };
  RUN(c);
}

/* Scratch strings of one row must not move while the row is built. */
Test(select_expr, long_strings_in_one_row) {
  char expr[512];
  sel_program *p;
  weir_value v;
  snprintf(expr, sizeof expr,
           "concat(substring(concat(name, '%0200d'), 1, 150), upper(concat("
           "name, '%0200d')), lower(name))",
           0, 0);
  p = compile_ok(expr, NULL);
  cr_assert_eq(sel_eval_column(p, 0, row, &v), WEIR_OK);
  cr_expect_eq(v.v.s.len, 150 + 205 + 5);
  cr_expect(memcmp(v.v.s.ptr, "Alice000", 8) == 0);
  cr_expect(memcmp(v.v.s.ptr + 150, "ALICE000", 8) == 0);
  cr_expect(memcmp(v.v.s.ptr + 355, "alice", 5) == 0);
  sel_free(p);
}

typedef struct {
  const char *columns;
  const char *name;
  weir_type type;
  bool nullable;
} name_t;

Test(select_expr, names_types_nullability) {
  static const name_t c[] = {
      {"value * 2", "(value * 2)", WEIR_T_INT, true},
      {"lower(name)", "lower(name)", WEIR_T_STRING, true},
      {"lower(event_type)", "lower(event_type)", WEIR_T_STRING, false},
      {"CAST(value AS STRING)", "CAST(value AS STRING)", WEIR_T_STRING, true},
      {"CAST(event_type AS INT)", "CAST(event_type AS INT)", WEIR_T_INT, true},
      {"CAST(event_type AS BINARY)", "CAST(event_type AS BINARY)",
       WEIR_T_BINARY, false},
      {"CAST(value AS LONG)", "CAST(value AS BIGINT)", WEIR_T_INT, true},
      {"CAST(value AS real)", "CAST(value AS FLOAT)", WEIR_T_FLOAT, true},
      {"value AS v", "v", WEIR_T_INT, true},
      {"value v", "v", WEIR_T_INT, true},
      {"value AS `my col`", "my col", WEIR_T_INT, true},
      {"VALUE", "value", WEIR_T_INT, true},
      {"window.start", "start", WEIR_T_TIMESTAMP, true},
      {"window", "window", WEIR_T_STRUCT, true},
      {"-value", "(- value)", WEIR_T_INT, true},
      {"-1", "-1", WEIR_T_INT, false},
      {"value != 1", "(NOT (value = 1))", WEIR_T_BOOL, true},
      {"event_type = 'x'", "(event_type = x)", WEIR_T_BOOL, false},
      {"note IS NULL", "(note IS NULL)", WEIR_T_BOOL, false},
      {"NOT flag", "(NOT flag)", WEIR_T_BOOL, true},
      {"flag AND true", "(flag AND true)", WEIR_T_BOOL, true},
      {"substring(name, 2)", "substring(name, 2, 2147483647)", WEIR_T_STRING,
       true},
      {"substr(name, 1, 2)", "substr(name, 1, 2)", WEIR_T_STRING, true},
      {"'lit'", "lit", WEIR_T_STRING, false},
      {"1.5", "1.5", WEIR_T_FLOAT, false},
      {"1 + 2", "(1 + 2)", WEIR_T_INT, false},
      {"1 / 1", "(1 / 1)", WEIR_T_FLOAT, true},
      {"'5' + 1", "(5 + 1)", WEIR_T_FLOAT, true},
      {"concat(name, '-')", "concat(name, -)", WEIR_T_STRING, true},
      {"event_type || '!'", "concat(event_type, !)", WEIR_T_STRING, false},
      {"value IN (1, 2)", "(value IN (1, 2))", WEIR_T_BOOL, true},
      {"value BETWEEN 1 AND 2", "((value >= 1) AND (value <= 2))", WEIR_T_BOOL,
       true},
      {"name LIKE 'A%'", "name LIKE A%", WEIR_T_BOOL, true},
      {"abs(-1)", "abs(-1)", WEIR_T_INT, false},
      {"coalesce(note, event_type)", "coalesce(note, event_type)",
       WEIR_T_STRING, false},
      {"coalesce(note, name)", "coalesce(note, name)", WEIR_T_STRING, true},
      {"current_timestamp()", "current_timestamp()", WEIR_T_TIMESTAMP, false},
      {"NULL", "NULL", WEIR_T_STRING, true},
      {"TRUE", "true", WEIR_T_BOOL, false},
      {"ts = TIMESTAMP '2026-01-01 00:00:05'",
       "(ts = TIMESTAMP '2026-01-01 00:00:05')", WEIR_T_BOOL, true},
      {"window.end > window.start", "(window.end > window.start)", WEIR_T_BOOL,
       true},
      {"length(event_type) % 2", "(length(event_type) % 2)", WEIR_T_INT, true},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    sel_program *p = compile_ok(c[i].columns, NULL);
    const weir_schema *out = sel_output(p);
    cr_assert_eq(out->n, 1, "%s", c[i].columns);
    cr_expect_str_eq(out->fields[0].name, c[i].name, "%s: name %s",
                     c[i].columns, out->fields[0].name);
    cr_expect_eq(out->fields[0].type, c[i].type, "%s: type %s", c[i].columns,
                 weir_type_name(out->fields[0].type));
    cr_expect_eq(out->fields[0].nullable, c[i].nullable, "%s: nullable",
                 c[i].columns);
    sel_free(p);
  }
}

Test(select_expr, projection_lists) {
  sel_program *p = compile_ok(
      "*, value * 2 AS doubled, lower(name) n2, window.*, CAST(num AS DOUBLE)",
      NULL);
  const weir_schema *out = sel_output(p);
  static const char *const names[] = {
      "name", "value",  "score",      "flag",
      "ts",   "data",   "event_type", "note",
      "num",  "window", "utf",        "doubled",
      "n2",   "start",  "end",        "CAST(num AS DOUBLE)"};
  cr_assert_eq(out->n, sizeof names / sizeof names[0]);
  for (size_t i = 0; i < out->n; i++)
    cr_expect_str_eq(out->fields[i].name, names[i]);
  cr_expect_eq(out->fields[9].type, WEIR_T_STRUCT);
  cr_expect_eq(out->fields[9].fields->n, 2);
  cr_expect_eq(out->fields[6].nullable, false);
  cr_expect_eq(sel_passthrough(p), 0);
  cr_expect_eq(sel_rows_raw(p), 0);
  weir_value v;
  char got[128];
  cr_assert_eq(sel_eval_column(p, 14, row, &v), WEIR_OK);
  show(&v, got, sizeof got);
  cr_expect_str_eq(got, "ts:2026-01-01 00:01:00");
  cr_assert_eq(sel_eval_column(p, 15, row, &v), WEIR_OK);
  show(&v, got, sizeof got);
  cr_expect_str_eq(got, "double:12.7");
  sel_free(p);

  /* Commas inside calls and strings do not split items; newlines are
   * blanks (INI continuation lines). */
  p = compile_ok("concat(name, ',', 'a,b'),\n  substring(name, 1, 2) AS s",
                 NULL);
  cr_expect_eq(sel_output(p)->n, 2);
  cr_expect_str_eq(sel_output(p)->fields[0].name, "concat(name, ,, a,b)");
  sel_free(p);
}

Test(select_expr, fast_paths) {
  sel_program *p = compile_ok("*", NULL);
  cr_expect_eq(sel_passthrough(p), 1);
  cr_expect_eq(sel_rows_raw(p), 1);
  cr_expect(weir_schema_equal(sel_output(p), in));
  sel_free(p);
  p = compile_ok(NULL, "  ");
  cr_expect_eq(sel_passthrough(p), 1);
  sel_free(p);
  p = compile_ok("*", "value > 1");
  cr_expect_eq(sel_passthrough(p), 0);
  cr_expect_eq(sel_rows_raw(p), 1);
  cr_expect_eq(sel_filter(p, row), 1);
  sel_free(p);
  p = compile_ok("name, value, score, flag, ts, data, event_type, note, num, "
                 "window, utf AS u",
                 NULL);
  cr_expect_eq(sel_passthrough(p), 0); /* renamed: the schema differs */
  cr_expect_eq(sel_rows_raw(p), 1);
  sel_free(p);
  p = compile_ok("value, name", NULL);
  cr_expect_eq(sel_rows_raw(p), 0);
  cr_expect_eq(sel_uses_now(p), 0);
  sel_free(p);
  p = compile_ok("value", "ts < current_timestamp()");
  cr_expect_eq(sel_uses_now(p), 1);
  sel_free(p);
}

/* The watermark's event-time mark follows a column passed through. */
Test(select_expr, event_time_metadata) {
  in->fields[4].flags = WEIR_FIELD_EVENT_TIME;
  in->fields[4].watermark_delay = 5000000;
  sel_program *p = compile_ok("ts AS event, CAST(ts AS STRING), *", NULL);
  const weir_schema *out = sel_output(p);
  cr_expect_eq(out->fields[0].flags, WEIR_FIELD_EVENT_TIME);
  cr_expect_eq(out->fields[0].watermark_delay, 5000000);
  cr_expect_eq(out->fields[1].flags, 0);
  cr_expect_eq(out->fields[2 + 4].flags, WEIR_FIELD_EVENT_TIME);
  cr_expect_eq(out->fields[2 + 1].flags, 0);
  sel_free(p);
}

Test(select_expr, filter) {
  static const struct {
    const char *where;
    int keep;
  } c[] = {
      {"value = 42", 1},
      {"value = 41", 0},
      {"note = 'x'", 0},
      {"NOT (note = 'x')", 0},
      {"note IS NULL", 1},
      {"NULL", 0},
      {"flag", 1},
      {"NOT flag", 0},
      {"value > 1 OR note = 'x'", 1},
      {"ts >= TIMESTAMP '2026-01-01' AND ts < '2026-01-02'", 1},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    sel_program *p = compile_ok("value", c[i].where);
    cr_expect_eq(sel_filter(p, row), c[i].keep, "where %s", c[i].where);
    sel_free(p);
  }
}

/* The projected row, written by the builder and read back. */
Test(select_expr, project_row) {
  sel_program *p = compile_ok(
      "value, window, window.end, value + 1 AS v1, upper(name) AS u, note, "
      "CAST(data AS STRING) AS d, score / 0 AS z, flag",
      NULL);
  weir_builder b;
  weir_reader r;
  weir_value out[9];
  const uint8_t *data;
  size_t len;
  char got[128];
  static const char *const want[] = {
      "int:42",       "struct",       "ts:2026-01-01 00:01:00",
      "int:43",       "string:ALICE", "NULL",
      "string:a\\0b", "NULL",         "bool:true"};
  cr_assert_eq(weir_builder_init(&b, sel_output(p)), WEIR_OK);
  cr_assert_eq(sel_project(p, row, &b), WEIR_OK);
  cr_assert_eq(sel_project(p, row, &b), WEIR_OK);
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_expect_eq(r.nrows, 2);
  for (int k = 0; k < 2; k++) {
    cr_assert_eq(weir_reader_next(&r, out, 9), 1);
    for (size_t i = 0; i < 9; i++) {
      show(&out[i], got, sizeof got);
      cr_expect_str_eq(got, want[i], "column %zu", i);
    }
    weir_value m[2];
    cr_assert_eq(weir_value_members(&out[1], m, 2), WEIR_OK);
    cr_expect_eq(m[0].v.ts, T0);
  }
  cr_expect_eq(weir_reader_next(&r, out, 9), 0);
  weir_builder_free(&b);
  sel_free(p);
}

typedef struct {
  const char *columns, *where;
  int code;
  const char *msg;
} err_t;

Test(select_expr, errors) {
  static const err_t c[] = {
      {"evnt_type", NULL, WEIR_ERR_SCHEMA,
       "select: unknown column 'evnt_type' in columns (did you mean "
       "'event_type'?)"},
      {"value", "valu > 1", WEIR_ERR_SCHEMA,
       "select: unknown column 'valu' in where (did you mean 'value'?)"},
      {"zzzzzz", NULL, WEIR_ERR_SCHEMA,
       "select: unknown column 'zzzzzz' in columns (input columns: name, "
       "value, "
       "score, flag, ts, data, event_type, note, num, window, utf)"},
      {"lower(nmae)", NULL, WEIR_ERR_SCHEMA,
       "select: unknown column 'nmae' in columns (did you mean 'name'?)"},
      {"window.strat", NULL, WEIR_ERR_SCHEMA,
       "select: unknown field 'strat' of struct 'window' in columns (did you "
       "mean 'start'?)"},
      {"value.x", NULL, WEIR_ERR_SCHEMA,
       "select: value.x in columns: cannot read field 'x' of a bigint"},
      {"'abc' + 1", NULL, WEIR_ERR_SCHEMA,
       "select: (abc + 1) in columns: 'abc' is not a valid double"},
      {"value", "ts > 'yesterday'", WEIR_ERR_SCHEMA,
       "select: (ts > yesterday) in where: 'yesterday' is not a valid "
       "timestamp"},
      {"lower(value)", NULL, WEIR_ERR_SCHEMA,
       "select: lower(value) in columns: lower() needs a string, got bigint"},
      {"substring(name, 1.5)", NULL, WEIR_ERR_SCHEMA,
       "select: substring(name, 1.5, 2147483647) in columns: substring() needs "
       "an integer, got double"},
      {"value", "value + 1", WEIR_ERR_SCHEMA,
       "select: (value + 1) in where: the filter must be a boolean expression, "
       "got bigint"},
      {"flag + 1", NULL, WEIR_ERR_SCHEMA,
       "select: (flag + 1) in columns: '+' needs numbers, got boolean and "
       "bigint"},
      {"-flag", NULL, WEIR_ERR_SCHEMA,
       "select: (- flag) in columns: unary '-' needs a number, got boolean"},
      {"value AND flag", NULL, WEIR_ERR_SCHEMA,
       "select: (value AND flag) in columns: AND needs a boolean, got bigint"},
      {"CAST(ts AS BINARY)", NULL, WEIR_ERR_SCHEMA,
       "select: CAST(ts AS BINARY) in columns: cannot cast timestamp to "
       "binary"},
      {"CAST(window AS STRING)", NULL, WEIR_ERR_SCHEMA,
       "select: CAST(window AS STRING) in columns: cannot cast struct to "
       "string"},
      {"ts = 1", NULL, WEIR_ERR_SCHEMA,
       "select: (ts = 1) in columns: cannot compare timestamp with bigint"},
      {"window = window", NULL, WEIR_ERR_SCHEMA,
       "select: (window = window) in columns: cannot compare structs"},
      {"coalesce(name, value)", NULL, WEIR_ERR_SCHEMA,
       "select: coalesce(name, value) in columns: coalesce() arguments must "
       "have one type, got string and bigint"},
      {"name LIKE 1", NULL, WEIR_ERR_SCHEMA,
       "select: name LIKE 1 in columns: LIKE needs a string, got bigint"},
      {"lowr(name)", NULL, WEIR_ERR_INVALID,
       "select: unknown function 'lowr' in columns (did you mean 'lower'?)"},
      {"frobnicate(name)", NULL, WEIR_ERR_INVALID,
       "select: unknown function 'frobnicate' in columns"},
      {"substring(name)", NULL, WEIR_ERR_SCHEMA,
       "select: substring(name) in columns: substring() takes 2 or 3 "
       "arguments, got 1"},
      {"upper()", NULL, WEIR_ERR_SCHEMA,
       "select: upper() in columns: upper() takes 1 argument, got 0"},
      {"CAST(value AS INTEGR)", NULL, WEIR_ERR_INVALID,
       "select: unknown type 'INTEGR' in CAST in columns (did you mean "
       "'INTEGER'?)"},
      {"CAST(value AS DATE)", NULL, WEIR_ERR_INVALID,
       "select: unknown type 'DATE' in CAST in columns (known types: STRING, "
       "BIGINT, INT, DOUBLE, FLOAT, BOOLEAN, TIMESTAMP, BINARY)"},
      {"value, VALUE", NULL, WEIR_ERR_SCHEMA,
       "select: duplicate output column 'value' in columns (use AS to rename "
       "one)"},
      {"lenght(name)", NULL, WEIR_ERR_INVALID,
       "select: unknown function 'lenght' in columns (did you mean 'length'?)"},
      {"*, value", NULL, WEIR_ERR_SCHEMA,
       "select: duplicate output column 'value' in columns (use AS to rename "
       "one)"},
      {"* AS x", NULL, WEIR_ERR_INVALID,
       "select: '*' cannot be renamed (AS x) in columns; list the columns "
       "instead"},
      {"value.*", NULL, WEIR_ERR_SCHEMA,
       "select: value.* in columns: value is a bigint, not a struct"},
      {"count(*)", NULL, WEIR_ERR_INVALID,
       "select: unknown function 'count' in columns"},
      {"lower(*)", NULL, WEIR_ERR_SCHEMA,
       "select: * in columns: '*' can only be a whole item of columns"},
      {"", NULL, WEIR_ERR_INVALID, "select: columns is empty"},
      {"value +", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 7: expected an expression, "
       "found end of text"},
      {"(value", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 6: expected ')', found end "
       "of text"},
      {"value,", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 6: expected an expression, "
       "found end of text"},
      {"value v w", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 8: expected ',' or end of "
       "text, found 'w'"},
      {"value", "value > 1 value", WEIR_ERR_INVALID,
       "select: syntax error in where at offset 10: expected an operator or "
       "end of text, found 'value'"},
      {"'abc", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 0: unterminated string"},
      {"`abc", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 0: unterminated quoted name"},
      {"value # 2", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 6: unexpected character '#'"},
      {"12abc", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 0: malformed number '12a'"},
      {"value", "AND value", WEIR_ERR_INVALID,
       "select: syntax error in where at offset 0: expected an expression, "
       "found 'AND'"},
      {"value", "note IS 1", WEIR_ERR_INVALID,
       "select: syntax error in where at offset 8: expected NULL or NOT NULL, "
       "found '1'"},
      {"value", "value NOT 1", WEIR_ERR_INVALID,
       "select: syntax error in where at offset 10: expected IN, LIKE or "
       "BETWEEN after NOT, found '1'"},
      {"CAST(value STRING)", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 11: expected AS, found "
       "'STRING'"},
      {"TIMESTAMP 'nope'", NULL, WEIR_ERR_INVALID,
       "select: invalid timestamp literal 'nope' in columns at offset 10"},
      {"window.", NULL, WEIR_ERR_INVALID,
       "select: syntax error in columns at offset 7: expected a field name "
       "after '.', found end of text"},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    sel_program *p = (sel_program *)1;
    char err[1024] = "";
    int rc = sel_compile(c[i].columns, c[i].where, in, &p, err, sizeof err);
    cr_expect_eq(rc, c[i].code, "'%s' / '%s': code %d (%s)", c[i].columns,
                 c[i].where ? c[i].where : "", rc, err);
    cr_expect_str_eq(err, c[i].msg, "'%s' / '%s': got \"%s\"", c[i].columns,
                     c[i].where ? c[i].where : "", err);
    cr_expect_null(p);
  }
}

/* Pathological texts are refused, not a stack overflow. */
Test(select_expr, limits) {
  static char text[40000];
  sel_program *p = NULL;
  char err[512];
  size_t n = 0;
  for (int i = 0; i < 5000; i++)
    text[n++] = '(';
  text[n++] = '1';
  for (int i = 0; i < 5000; i++)
    text[n++] = ')';
  text[n] = 0;
  cr_expect_eq(sel_compile(text, NULL, in, &p, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_expect_str_eq(err, "select: columns is nested too deeply (more than "
                        "200 levels)");
  n = 0;
  for (int i = 0; i < 5000; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, "%s1", i ? "+" : "");
  cr_expect_eq(sel_compile("value", text, in, &p, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_expect_str_eq(err, "select: where is too long (more than 2000 terms)");
  memset(text, '+', 30000);
  strcpy(text + 30000, "value");
  cr_assert_eq(sel_compile(text, NULL, in, &p, err, sizeof err), WEIR_OK);
  sel_free(p);
  /* 150 levels and 1000 terms are fine */
  n = 0;
  for (int i = 0; i < 150; i++)
    text[n++] = '(';
  for (int i = 0; i < 500; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, "%svalue", i ? "+" : "");
  for (int i = 0; i < 150; i++)
    text[n++] = ')';
  text[n] = 0;
  cr_assert_eq(sel_compile(text, NULL, in, &p, err, sizeof err), WEIR_OK, "%s",
               err);
  weir_value v;
  cr_assert_eq(sel_eval_column(p, 0, row, &v), WEIR_OK);
  cr_expect_eq(v.v.i, 500 * 42);
  sel_free(p);
}

Test(select_expr, ambiguous_case) {
  weir_schema *s = parse_schema("a BIGINT, A BIGINT");
  sel_program *p = NULL;
  char err[512];
  cr_assert_eq(sel_compile("a, A AS b", NULL, s, &p, err, sizeof err), WEIR_OK,
               "%s", err);
  sel_free(p);
  cr_expect_eq(sel_compile("`a`, x", NULL, s, &p, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_expect_eq(sel_compile("b", "B > 1 OR True", s, &p, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_expect_eq(sel_compile("B", NULL, s, &p, err, sizeof err), WEIR_ERR_SCHEMA);
  cr_expect_str_eq(err,
                   "select: unknown column 'B' in columns (did you mean 'a'?)");
  weir_schema_free(s);
  s = parse_schema("Ab BIGINT, aB BIGINT");
  cr_expect_eq(sel_compile("ab", NULL, s, &p, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_expect_str_eq(err, "select: ab in columns: column name 'ab' is ambiguous "
                        "(differs only by case)");
  weir_schema_free(s);
}
