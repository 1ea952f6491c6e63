/* test_jsonparse.c — the schema-directed JSON parser (weir/jsonparse.h):
 * every rule of SEMANTICS.md's "JSON to a schema" with exact outputs read
 * back through weir_reader, errors with their offsets and messages, strict
 * RFC 8259 (UTF-8, surrogates, numbers, depth, trailing text), every prefix
 * of valid records refused without reading past its end (ASan checks: each
 * prefix sits in a buffer of exactly its size), PERMISSIVE rows, the corrupt
 * column, NOT NULL, and the builder left untouched by refused records. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "weir/weir.h"

static weir_schema *S;
static weir_json_parser *P;
static weir_builder B;
static weir_json_error E;
static char err[256];

static weir_schema *ddl(const char *t) {
  weir_schema *s = NULL;
  cr_assert_eq(weir_schema_parse(t, &s, err, sizeof err), WEIR_OK, "%s", err);
  return s;
}

static void use_opt(const char *schema, const weir_json_options *o) {
  S = ddl(schema);
  cr_assert_eq(weir_json_parser_new(S, o, &P, err, sizeof err), WEIR_OK, "%s",
               err);
  cr_assert_eq(weir_builder_init(&B, S), WEIR_OK);
}
static void use(const char *schema) { use_opt(schema, NULL); }

static void fini(void) {
  weir_builder_free(&B);
  weir_json_parser_free(P);
  weir_schema_free(S);
}
TestSuite(jsonparse, .fini = fini);

/* Parses `json` (from a buffer of exactly its length) as a row. */
static int parse_n(const char *json, size_t n) {
  char *copy = malloc(n ? n : 1);
  memcpy(copy, json, n);
  memset(&E, 0, sizeof E);
  int rc = weir_json_parse_row(P, copy, n, &B, &E);
  free(copy);
  return rc;
}
static int parse(const char *json) { return parse_n(json, strlen(json)); }

/* The builder's last row as JSON text (weir_json_row: timestamps ISO,
 * doubles as Java prints them, binary base64). */
static const char *last_row(void) {
  static char out[4096];
  const uint8_t *data;
  size_t len;
  weir_reader r;
  weir_value v[16];
  weir_buf o = WEIR_BUF_INIT;
  cr_assert_eq(weir_builder_finish(&B, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_leq(S->n, 16);
  int rc;
  while ((rc = weir_reader_next(&r, v, S->n)) == 1) {
    weir_buf_clear(&o);
    weir_json_row(&o, S, v);
  }
  cr_assert_eq(rc, 0, "the batch must read back");
  snprintf(out, sizeof out, "%.*s", (int)o.len, o.data ? (char *)o.data : "");
  weir_buf_free(&o);
  return out;
}

/* json must parse, and its row print as want. */
static void ok(const char *json, const char *want) {
  int rc = parse(json);
  cr_assert_eq(rc, WEIR_OK, "%s: rc %d, offset %zu: %s", json, rc, E.offset,
               E.msg);
  cr_assert_str_eq(last_row(), want, "for %s", json);
}

/* json must be refused with code, at offset, with msg_part in the message;
 * nothing appended. */
static void refused(const char *json, int code, size_t offset,
                    const char *msg_part) {
  size_t len0 = B.buf.len;
  uint32_t rows0 = B.nrows;
  int rc = parse(json);
  cr_assert_eq(rc, code, "%s: rc %d (%s)", json, rc, E.msg);
  cr_assert_eq(E.code, code);
  cr_assert_eq(E.offset, offset, "%s: offset %zu, want %zu (%s)", json,
               E.offset, offset, E.msg);
  cr_assert(strstr(E.msg, msg_part), "%s: message '%s' lacks '%s'", json, E.msg,
            msg_part);
  cr_assert_eq(B.buf.len, len0, "a refused record appends nothing");
  cr_assert_eq(B.nrows, rows0);
}

/* The value of column i of the last row. */
static weir_value col(size_t i) {
  static weir_value v[16];
  const uint8_t *data;
  size_t len;
  weir_reader r;
  cr_assert_eq(weir_builder_finish(&B, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  while (weir_reader_next(&r, v, S->n) == 1)
    ;
  return v[i];
}

#define EV "event_type STRING, user_id STRING, timestamp TIMESTAMP"

Test(jsonparse, event_line) {
  use(EV);
  ok("{\"event_type\":\"click\",\"user_id\":\"u123\","
     "\"timestamp\":\"2026-01-01T00:00:05Z\",\"session\":\"s1\",\"ms\":12}",
     "{\"event_type\":\"click\",\"user_id\":\"u123\","
     "\"timestamp\":\"2026-01-01T00:00:05.000Z\"}");
  weir_value ts = col(2);
  cr_assert_eq(ts.type, WEIR_T_TIMESTAMP);
  cr_assert_eq(ts.v.ts, INT64_C(1767225605000000));
  cr_assert_eq(weir_json_parser_ncolumns(P), 3);
  cr_assert_eq(weir_json_parser_corrupt_column(P), -1);
}

Test(jsonparse, missing_null_unknown_and_order) {
  use(EV);
  ok("{}", "{\"event_type\":null,\"user_id\":null,\"timestamp\":null}");
  ok("{\"user_id\":null}",
     "{\"event_type\":null,\"user_id\":null,\"timestamp\":null}");
  /* members in any order; unknown ones of every kind skipped */
  ok(" { \"x\" : [1, -2.5e3, {\"y\": [true, false, null, \"s\\n\"]}, []] ,"
     "\"timestamp\" : \"2026-01-01 00:00:00\", \"o\": {}, \"user_id\":\"u\","
     "\"event_type\":\"e\" } \r\n",
     "{\"event_type\":\"e\",\"user_id\":\"u\","
     "\"timestamp\":\"2026-01-01T00:00:00.000Z\"}");
  /* names are case-sensitive, and escapes in names are decoded */
  ok("{\"User_id\":\"no\",\"user\\u005fid\":\"yes\"}",
     "{\"event_type\":null,\"user_id\":\"yes\",\"timestamp\":null}");
  /* duplicates: the last one wins */
  ok("{\"user_id\":\"a\",\"user_id\":\"b\",\"user_id\":null}",
     "{\"event_type\":null,\"user_id\":null,\"timestamp\":null}");
  ok("{\"user_id\":\"a\",\"user_id\":\"b\"}",
     "{\"event_type\":null,\"user_id\":\"b\",\"timestamp\":null}");
}

Test(jsonparse, string_takes_any_value_as_its_text) {
  use("s STRING");
  ok("{\"s\": 1.50}", "{\"s\":\"1.50\"}");
  ok("{\"s\": -0}", "{\"s\":\"-0\"}");
  ok("{\"s\": true}", "{\"s\":\"true\"}");
  ok("{\"s\": false }", "{\"s\":\"false\"}");
  ok("{\"s\": {\"b\" : [1, 2], \"c\":\"x\\ny\"} }",
     "{\"s\":\"{\\\"b\\\" : [1, 2], \\\"c\\\":\\\"x\\\\ny\\\"}\"}");
  ok("{\"s\": []}", "{\"s\":\"[]\"}");
  ok("{\"s\": null}", "{\"s\":null}");
  ok("{\"s\": \"\"}", "{\"s\":\"\"}");
  /* escapes decoded; UTF-8 kept */
  ok("{\"s\": \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00\"}",
     "{\"s\":\"a\\\"b\\\\c/"
     "d\\b\\f\\n\\r\\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
  ok("{\"s\": \"h\xc3\xa9llo \xf0\x9f\x98\x80\"}",
     "{\"s\":\"h\xc3\xa9llo \xf0\x9f\x98\x80\"}");
  ok("{\"s\": \"nul\\u0000x\"}", "{\"s\":\"nul\\u0000x\"}");
}

Test(jsonparse, bigint_edges) {
  use("n BIGINT");
  ok("{\"n\": 9223372036854775807}", "{\"n\":9223372036854775807}");
  ok("{\"n\": -9223372036854775808}", "{\"n\":-9223372036854775808}");
  ok("{\"n\": 0}", "{\"n\":0}");
  ok("{\"n\": -0}", "{\"n\":0}");
  ok("{\"n\": 1000000000000000000}", "{\"n\":1000000000000000000}");
  ok("{\"n\": null}", "{\"n\":null}");
  refused("{\"n\": 9223372036854775808}", WEIR_ERR_SCHEMA, 6,
          "field \"n\": expected a bigint (an integer in int64 range), "
          "found 9223372036854775808");
  refused("{\"n\": -9223372036854775809}", WEIR_ERR_SCHEMA, 6, "bigint");
  refused("{\"n\": 10000000000000000000}", WEIR_ERR_SCHEMA, 6, "bigint");
  refused("{\"n\": 123456789012345678901234567890}", WEIR_ERR_SCHEMA, 6,
          "bigint");
  refused("{\"n\": 1.0}", WEIR_ERR_SCHEMA, 6, "found 1.0");
  refused("{\"n\": 1e2}", WEIR_ERR_SCHEMA, 6, "found 1e2");
  refused("{\"n\": \"12\"}", WEIR_ERR_SCHEMA, 6, "found \"12\"");
  refused("{\"n\": true}", WEIR_ERR_SCHEMA, 6, "found true");
  refused("{\"n\": [1]}", WEIR_ERR_SCHEMA, 6, "found an array");
  refused("{\"n\": {\"a\":1}}", WEIR_ERR_SCHEMA, 6, "found an object");
}

Test(jsonparse, doubles) {
  use("d DOUBLE");
  static const char *const nums[] = {"1.5",
                                     "-0.0",
                                     "0",
                                     "1e308",
                                     "1.7976931348623157e308",
                                     "4.9e-324",
                                     "2.2250738585072014e-308",
                                     "0.1",
                                     "123456789012345678901234567890",
                                     "3.14159265358979323846264338327950288",
                                     "1E+2",
                                     "1e-2",
                                     "-12.5e-3",
                                     "9007199254740993",
                                     "0.000000000000000000000000000001",
                                     "1e400",
                                     "-1e400",
                                     "1e-400",
                                     "100000000000000000000000e-10"};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    char json[128];
    snprintf(json, sizeof json, "{\"d\":%s}", nums[i]);
    cr_assert_eq(parse(json), WEIR_OK, "%s: %s", json, E.msg);
    weir_value v = col(0);
    cr_assert_eq(v.type, WEIR_T_FLOAT);
    double want = strtod(nums[i], NULL);
    cr_assert(memcmp(&v.v.f, &want, sizeof want) == 0, "%s: %.17g, want %.17g",
              nums[i], v.v.f, want);
  }
  /* Spark's allowNonNumericNumbers spellings */
  cr_assert_eq(parse("{\"d\":\"NaN\"}"), WEIR_OK);
  cr_assert(isnan(col(0).v.f));
  cr_assert_eq(parse("{\"d\":\"Infinity\"}"), WEIR_OK);
  cr_assert(col(0).v.f == INFINITY);
  cr_assert_eq(parse("{\"d\":\"+INF\"}"), WEIR_OK);
  cr_assert(col(0).v.f == INFINITY);
  cr_assert_eq(parse("{\"d\":\"-Infinity\"}"), WEIR_OK);
  cr_assert(col(0).v.f == -INFINITY);
  refused("{\"d\":\"nan\"}", WEIR_ERR_SCHEMA, 5, "expected a number");
  refused("{\"d\":\"1.5\"}", WEIR_ERR_SCHEMA, 5, "found \"1.5\"");
  refused("{\"d\":false}", WEIR_ERR_SCHEMA, 5, "found false");
}

Test(jsonparse, timestamps) {
  use("t TIMESTAMP");
  ok("{\"t\":\"2026-01-01T00:00:05Z\"}",
     "{\"t\":\"2026-01-01T00:00:05.000Z\"}");
  ok("{\"t\":\"2026-01-01T00:00:05\"}", "{\"t\":\"2026-01-01T00:00:05.000Z\"}");
  ok("{\"t\":\"2026-01-02T23:59:59Z\"}",
     "{\"t\":\"2026-01-02T23:59:59.000Z\"}");
  ok("{\"t\":\"2026-01-01T00:00:05.123456Z\"}",
     "{\"t\":\"2026-01-01T00:00:05.123456Z\"}");
  ok("{\"t\":\"2026-01-01T02:00:00+02:00\"}",
     "{\"t\":\"2026-01-01T00:00:00.000Z\"}");
  ok("{\"t\":\"2026-01-01 00:00:05\"}", "{\"t\":\"2026-01-01T00:00:05.000Z\"}");
  ok("{\"t\":\"2026-01-01\"}", "{\"t\":\"2026-01-01T00:00:00.000Z\"}");
  ok("{\"t\":\"2026\\u002d01-01T00:00:07Z\"}",
     "{\"t\":\"2026-01-01T00:00:07.000Z\"}");
  ok("{\"t\":\"2024-02-29T12:00:00Z\"}",
     "{\"t\":\"2024-02-29T12:00:00.000Z\"}");
  /* numbers are seconds since the epoch (Spark's CAST) */
  ok("{\"t\":1767225605}", "{\"t\":\"2026-01-01T00:00:05.000Z\"}");
  ok("{\"t\":1767225605.5}", "{\"t\":\"2026-01-01T00:00:05.500Z\"}");
  ok("{\"t\":1.7672256055e9}", "{\"t\":\"2026-01-01T00:00:05.500Z\"}");
  ok("{\"t\":0}", "{\"t\":\"1970-01-01T00:00:00.000Z\"}");
  cr_assert_eq(parse("{\"t\":-1.5}"), WEIR_OK);
  cr_assert_eq(col(0).v.ts, -1500000); /* truncated toward zero */
  cr_assert_eq(parse("{\"t\":9223372036854}"), WEIR_OK);
  cr_assert_eq(col(0).v.ts, INT64_C(9223372036854000000));
  refused("{\"t\":9223372036855}", WEIR_ERR_SCHEMA, 5, "expected a timestamp");
  refused("{\"t\":1e20}", WEIR_ERR_SCHEMA, 5, "found 1e20");
  refused("{\"t\":\"bad\"}", WEIR_ERR_SCHEMA, 5,
          "field \"t\": expected a timestamp (an ISO-8601 string or seconds "
          "since the epoch), found \"bad\"");
  refused("{\"t\":\"\"}", WEIR_ERR_SCHEMA, 5, "found \"\"");
  /* the fast path (cached dates) checks exactly what the slow one does */
  refused("{\"t\":\"2026-02-29T00:00:00Z\"}", WEIR_ERR_SCHEMA, 5, "timestamp");
  refused("{\"t\":\"2026-01-01T24:00:00Z\"}", WEIR_ERR_SCHEMA, 5, "timestamp");
  refused("{\"t\":\"2026-01-01T00:60:00Z\"}", WEIR_ERR_SCHEMA, 5, "timestamp");
  refused("{\"t\":\"2026-01-01T00:00:00ZZ\"}", WEIR_ERR_SCHEMA, 5, "timestamp");
  refused("{\"t\":\"2026-13-01T00:00:00Z\"}", WEIR_ERR_SCHEMA, 5, "timestamp");
  refused("{\"t\":true}", WEIR_ERR_SCHEMA, 5, "found true");
  ok("{\"t\":\"2026-03-01T00:00:01Z\"}",
     "{\"t\":\"2026-03-01T00:00:01.000Z\"}");
  ok("{\"t\":\"2026-01-01T00:00:01Z\"}",
     "{\"t\":\"2026-01-01T00:00:01.000Z\"}");
}

/* A user's format: "DD/MM/YYYY" only. */
static int dmy(void *arg, const char *s, size_t n, int64_t *us) {
  int *calls = arg;
  (*calls)++;
  if (n != 10 || s[2] != '/' || s[5] != '/')
    return -1;
  char iso[11] = {s[6], s[7], s[8], s[9], '-', s[3], s[4], '-', s[0], s[1], 0};
  return weir_parse_timestamp(iso, 10, us) == WEIR_OK ? 0 : -1;
}

Test(jsonparse, timestamp_hook) {
  int calls = 0;
  weir_json_options o = {NULL, 0, dmy, &calls};
  use_opt("t TIMESTAMP", &o);
  ok("{\"t\":\"02/01/2026\"}", "{\"t\":\"2026-01-02T00:00:00.000Z\"}");
  refused("{\"t\":\"2026-01-02\"}", WEIR_ERR_SCHEMA, 5, "timestamp");
  ok("{\"t\":86400}", "{\"t\":\"1970-01-02T00:00:00.000Z\"}"); /* not hooked */
  cr_assert_eq(calls, 2);
}

Test(jsonparse, booleans_binaries_and_the_null_type) {
  use("b BOOLEAN, bin BINARY");
  ok("{\"b\":true,\"bin\":\"aGVsbG8=\"}", "{\"b\":true,\"bin\":\"aGVsbG8=\"}");
  cr_assert_eq(parse("{\"bin\":\"aGVsbA==\"}"), WEIR_OK);
  weir_value v = col(1);
  cr_assert_eq(v.type, WEIR_T_BINARY);
  cr_assert_eq(v.v.s.len, 4);
  cr_assert(memcmp(v.v.s.ptr, "hell", 4) == 0);
  ok("{\"b\":false,\"bin\":\"\"}", "{\"b\":false,\"bin\":\"\"}");
  ok("{\"b\":null,\"bin\":\"/+8=\"}", "{\"b\":null,\"bin\":\"/+8=\"}");
  refused("{\"b\":1}", WEIR_ERR_SCHEMA, 5, "expected a boolean, found 1");
  refused("{\"b\":\"true\"}", WEIR_ERR_SCHEMA, 5, "boolean");
  refused("{\"bin\":\"aGVsbG8\"}", WEIR_ERR_SCHEMA, 7,
          "expected a base64 string");
  refused("{\"bin\":\"a===\"}", WEIR_ERR_SCHEMA, 7, "base64");
  refused("{\"bin\":\"aGVs*G8=\"}", WEIR_ERR_SCHEMA, 7, "base64");
  refused("{\"bin\":\"aG=sbG8=\"}", WEIR_ERR_SCHEMA, 7, "base64");
  refused("{\"bin\":12}", WEIR_ERR_SCHEMA, 7, "base64");
}

Test(jsonparse, nested_structs) {
  use("id BIGINT, user STRUCT<name: STRING, geo: STRUCT<lat: DOUBLE, lon: "
      "DOUBLE>>, tail STRING");
  ok("{\"user\":{\"geo\":{\"lon\":2.5,\"lat\":48,\"alt\":1},\"name\":\"ann\"},"
     "\"id\":7,\"tail\":\"t\"}",
     "{\"id\":7,\"user\":{\"name\":\"ann\",\"geo\":{\"lat\":48.0,\"lon\":2.5}},"
     "\"tail\":\"t\"}");
  ok("{\"user\":{}}", "{\"id\":null,\"user\":{\"name\":null,\"geo\":null},"
                      "\"tail\":null}");
  ok("{\"user\":null}", "{\"id\":null,\"user\":null,\"tail\":null}");
  /* a duplicate struct replaces the first one whole, nested levels too */
  ok("{\"user\":{\"name\":\"a\",\"geo\":{\"lat\":1}},\"user\":{\"geo\":{"
     "\"lon\":2}}}",
     "{\"id\":null,\"user\":{\"name\":null,\"geo\":{\"lat\":null,\"lon\":2.0}},"
     "\"tail\":null}");
  ok("{\"user\":{\"name\":\"a\"},\"user\":null}",
     "{\"id\":null,\"user\":null,\"tail\":null}");
  ok("{\"user\":{\"geo\":{\"lat\":1},\"geo\":{}}}",
     "{\"id\":null,\"user\":{\"name\":null,\"geo\":{\"lat\":null,\"lon\":null}}"
     ","
     "\"tail\":null}");
  refused("{\"user\":\"ann\"}", WEIR_ERR_SCHEMA, 8,
          "field \"user\": expected an object, found \"ann\"");
  refused("{\"user\":{\"geo\":{\"lat\":\"n\"}}}", WEIR_ERR_SCHEMA, 22,
          "field \"user.geo.lat\": expected a number");
  cr_assert_str_eq(E.field, "user.geo.lat");
}

Test(jsonparse, syntax_errors_with_offsets) {
  use("a BIGINT, s STRING");
  refused("{\"a\":1,}", WEIR_ERR_FORMAT, 7,
          "expected a member name (a string), found '}'");
  refused("{\"a\" 1}", WEIR_ERR_FORMAT, 5,
          "expected ':' after a member name, found '1'");
  refused("{\"a\":1", WEIR_ERR_FORMAT, 6,
          "expected ',' or '}' after an object member, found the end of the "
          "record");
  refused("{\"a\":1]", WEIR_ERR_FORMAT, 6, "found ']'");
  refused("{\"a\":01}", WEIR_ERR_FORMAT, 5, "leading zeros");
  refused("{\"a\":1.}", WEIR_ERR_FORMAT, 7,
          "expected a digit after the decimal point");
  refused("{\"a\":1e}", WEIR_ERR_FORMAT, 7, "expected a digit in the exponent");
  refused("{\"a\":1e+}", WEIR_ERR_FORMAT, 8, "exponent");
  refused("{\"a\":-}", WEIR_ERR_FORMAT, 6, "expected a digit");
  refused("{\"a\":+1}", WEIR_ERR_FORMAT, 5, "expected a value, found '+'");
  refused("{\"a\":.5}", WEIR_ERR_FORMAT, 5, "expected a value");
  refused("{\"a\":tru}", WEIR_ERR_FORMAT, 5, "expected true");
  refused("{\"a\":nul}", WEIR_ERR_FORMAT, 5, "expected null");
  refused("{\"a\":falsy}", WEIR_ERR_FORMAT, 5, "expected false");
  refused("{\"a\":NaN}", WEIR_ERR_FORMAT, 5, "expected a value, found 'N'");
  refused("{\"s\":'x'}", WEIR_ERR_FORMAT, 5, "found '''");
  refused("{\"s\":\"x\\q\"}", WEIR_ERR_FORMAT, 8, "expected an escape");
  refused("{\"s\":\"\\u12g4\"}", WEIR_ERR_FORMAT, 6, "4 hex digits");
  refused("{\"s\":\"\\ud800\"}", WEIR_ERR_FORMAT, 6,
          "high surrogate \\ud800 not followed");
  refused("{\"s\":\"\\ud800\\u0041\"}", WEIR_ERR_FORMAT, 6, "high surrogate");
  refused("{\"s\":\"\\udc00\"}", WEIR_ERR_FORMAT, 6, "lone low surrogate");
  refused("{\"s\":\"a\tb\"}", WEIR_ERR_FORMAT, 7, "control character 0x09");
  refused("{\"s\":\"x\"} x", WEIR_ERR_FORMAT, 10,
          "expected the end of the record after its object, found 'x'");
  refused("{\"s\":\"x\"}{}", WEIR_ERR_FORMAT, 9, "end of the record");
  refused("[1]", WEIR_ERR_FORMAT, 0,
          "expected '{' (a record is a JSON object), found '['");
  refused("  \"x\"", WEIR_ERR_FORMAT, 2, "expected '{'");
  refused("12", WEIR_ERR_FORMAT, 0, "expected '{'");
  refused("{\"s\":[1 2]}", WEIR_ERR_FORMAT, 8,
          "expected ',' or ']' after an array element");
  refused("{\"s\":{\"x\" 2}}", WEIR_ERR_FORMAT, 10, "expected ':'");
  refused("{\"s\":{1:2}}", WEIR_ERR_FORMAT, 6, "member name");
  refused("{a:1}", WEIR_ERR_FORMAT, 1, "member name");
  refused("{\"s\":\"abc", WEIR_ERR_FORMAT, 9, "unterminated string");
  refused("{\"s\"", WEIR_ERR_FORMAT, 4, "expected ':'");
  refused("{\"a\":1,\"a\":\"x\",}", WEIR_ERR_FORMAT, 15, "member name");
  /* a syntax error wins over a type error earlier in the record */
  refused("{\"a\":\"x\",\"s\":}", WEIR_ERR_FORMAT, 13, "expected a value");
  cr_assert_str_eq(E.field, "");
}

Test(jsonparse, invalid_utf8) {
  use("s STRING");
  static const char *const bad[] = {"\xff",
                                    "\xc0\xaf",
                                    "\xed\xa0\x80",
                                    "\xe2\x82",
                                    "\xf4\x90\x80\x80",
                                    "\x80",
                                    "\xc3",
                                    "\xf0\x9f\x98",
                                    "\xe0\x80\x80",
                                    "\xf8\x88\x80\x80\x80"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char json[64];
    /* in a value asked for, in one skipped, in a member name */
    snprintf(json, sizeof json, "{\"s\":\"a%sb\"}", bad[i]);
    refused(json, WEIR_ERR_FORMAT, 7, "invalid UTF-8");
    snprintf(json, sizeof json, "{\"x\":[\"%s\"]}", bad[i]);
    refused(json, WEIR_ERR_FORMAT, 7, "invalid UTF-8");
    snprintf(json, sizeof json, "{\"%s\":1}", bad[i]);
    refused(json, WEIR_ERR_FORMAT, 2, "invalid UTF-8");
  }
  /* the longest valid sequences, at the edges */
  ok("{\"s\":"
     "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf"
     "\xbf\"}",
     "{\"s\":"
     "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf"
     "\xbf\"}");
  /* outside strings, a non-ASCII byte is just not JSON */
  refused("{\"s\":1}\xc3\xa9", WEIR_ERR_FORMAT, 7, "byte 0xc3");
  /* a raw NUL */
  int rc = parse_n("{\"s\":\"a\0b\"}", 11);
  cr_assert_eq(rc, WEIR_ERR_FORMAT);
  cr_assert_eq(E.offset, 7);
  cr_assert(strstr(E.msg, "control character 0x00"));
}

Test(jsonparse, blank_bom_and_whitespace) {
  use("s STRING");
  cr_assert_eq(parse(""), WEIR_JSON_BLANK);
  cr_assert_eq(parse(" \t\r\n "), WEIR_JSON_BLANK);
  cr_assert_eq(parse("\xef\xbb\xbf"), WEIR_JSON_BLANK);
  cr_assert_eq(B.nrows, 0);
  ok("\xef\xbb\xbf{\"s\":\"x\"}", "{\"s\":\"x\"}");
  ok("\t{ \"s\" :\n\"x\" }\n", "{\"s\":\"x\"}");
  refused("\xef\xbb{}", WEIR_ERR_FORMAT, 0, "byte 0xef");
}

Test(jsonparse, nesting_depth) {
  weir_json_options o = {NULL, 5, NULL, NULL};
  use_opt("s STRING, t STRUCT<u: STRUCT<v: STRUCT<w: STRUCT<x: BIGINT>>>>", &o);
  ok("{\"s\":[[[[1]]]]}", "{\"s\":\"[[[[1]]]]\",\"t\":null}");
  refused("{\"s\":[[[[[1]]]]]}", WEIR_ERR_FORMAT, 9,
          "nesting deeper than 5 levels");
  refused("{\"q\":{\"a\":[[[{}]]]}}", WEIR_ERR_FORMAT, 13,
          "nesting deeper than 5");
  ok("{\"t\":{\"u\":{\"v\":{\"w\":{\"x\":1}}}}}",
     "{\"s\":null,\"t\":{\"u\":{\"v\":{\"w\":{\"x\":1}}}}}");
  refused("{\"t\":{\"u\":{\"v\":{\"w\":{\"x\":[1]}}}}}", WEIR_ERR_FORMAT, 25,
          "nesting deeper than 5");
  ok("{\"t\":{\"u\":{\"v\":{\"q\":{\"x\":1}}}}}",
     "{\"s\":null,\"t\":{\"u\":{\"v\":{\"w\":null}}}}");
  refused("{\"t\":{\"u\":{\"v\":{\"q\":{\"x\":[1]}}}}}", WEIR_ERR_FORMAT, 25,
          "nesting deeper than 5");
}

Test(jsonparse, very_deep_input_does_not_recurse) {
  use("s STRING");
  size_t n = 1000000;
  char *deep = malloc(n + 8);
  memcpy(deep, "{\"s\":", 5);
  memset(deep + 5, '[', n);
  int rc = parse_n(deep, n + 5);
  cr_assert_eq(rc, WEIR_ERR_FORMAT);
  cr_assert_eq(E.offset, 5 + WEIR_JSON_DEFAULT_MAX_DEPTH - 1);
  memset(deep + 5, '{', n);
  cr_assert_eq(parse_n(deep, n + 5), WEIR_ERR_FORMAT);
  free(deep);
  /* the default limit: 128 levels, the record's object included */
  weir_buf b = WEIR_BUF_INIT;
  weir_buf_lit(&b, "{\"s\":");
  for (int i = 0; i < 127; i++)
    weir_buf_lit(&b, "[");
  for (int i = 0; i < 127; i++)
    weir_buf_lit(&b, "]");
  weir_buf_lit(&b, "}");
  cr_assert_eq(parse_n((char *)b.data, b.len), WEIR_OK, "%s", E.msg);
  weir_buf_clear(&b);
  weir_buf_lit(&b, "{\"s\":");
  for (int i = 0; i < 128; i++)
    weir_buf_lit(&b, "[");
  for (int i = 0; i < 128; i++)
    weir_buf_lit(&b, "]");
  weir_buf_lit(&b, "}");
  cr_assert_eq(parse_n((char *)b.data, b.len), WEIR_ERR_FORMAT);
  weir_buf_free(&b);
}

static const char *const valid[] = {
    "{\"event_type\":\"click\",\"user_id\":\"u123\",\"timestamp\":"
    "\"2026-01-01T00:00:05Z\",\"x\":[1,-2.5e-3,true,false,null,{\"k\":\"v\"}]}",
    "{\"s\":{\"a\":\"\\u00e9\\ud83d\\ude00\\n\",\"n\":-0.5E+10},\"user_id\":"
    "null}",
    "{\"event_type\":{\"deep\":[[[]]]},\"timestamp\":1767225605.25,"
    "\"user_id\":\"h\xc3\xa9llo \xf0\x9f\x98\x80\"}",
    "{}", " { \"a\" : 1 , \"b\" : [ 1 , 2 ] }"};

Test(jsonparse, every_prefix_of_a_valid_record_is_refused) {
  use(EV ", s STRUCT<a: STRING, n: DOUBLE>");
  for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
    size_t n = strlen(valid[i]);
    cr_assert_eq(parse_n(valid[i], n), WEIR_OK, "%s: %s", valid[i], E.msg);
    for (size_t k = 0; k < n; k++) {
      uint32_t rows = B.nrows;
      int rc = parse_n(valid[i], k);
      cr_assert(rc == WEIR_ERR_FORMAT || (rc == WEIR_JSON_BLANK && k <= 1),
                "prefix %zu of %s: rc %d", k, valid[i], rc);
      cr_assert_eq(B.nrows, rows);
      if (rc == WEIR_ERR_FORMAT)
        cr_assert_leq(E.offset, k, "the offset stays inside the text");
    }
  }
}

Test(jsonparse, permissive_rows_and_the_corrupt_column) {
  use("a BIGINT, _corrupt_record STRING, s STRUCT<x: BIGINT, y: STRING>");
  cr_assert_eq(weir_json_parser_corrupt_column(P), 1);
  /* never read from the JSON */
  ok("{\"a\":1,\"_corrupt_record\":\"no\"}",
     "{\"a\":1,\"_corrupt_record\":null,\"s\":null}");
  /* a value that does not fit: the others kept (Spark's partial result) */
  const char *bad = "{\"a\":\"x\",\"s\":{\"x\":2,\"y\":\"z\"}}";
  cr_assert_eq(parse(bad), WEIR_ERR_SCHEMA);
  weir_row_begin(&B);
  weir_json_put_permissive(P, bad, strlen(bad), &B);
  cr_assert_str_eq(last_row(),
                   "{\"a\":null,\"_corrupt_record\":\"{\\\"a\\\":\\\"x\\\","
                   "\\\"s\\\":{\\\"x\\\":2,\\\"y\\\":\\\"z\\\"}}\","
                   "\"s\":{\"x\":2,\"y\":\"z\"}}");
  /* a bad value inside a struct: only that member is null */
  const char *bad2 = "{\"a\":3,\"s\":{\"x\":2.5,\"y\":\"z\"}}";
  cr_assert_eq(parse(bad2), WEIR_ERR_SCHEMA);
  weir_row_begin(&B);
  weir_json_put_permissive(P, bad2, strlen(bad2), &B);
  cr_assert_str_eq(last_row(),
                   "{\"a\":3,\"_corrupt_record\":\"{\\\"a\\\":3,\\\"s\\\":"
                   "{\\\"x\\\":2.5,\\\"y\\\":\\\"z\\\"}}\","
                   "\"s\":{\"x\":null,\"y\":\"z\"}}");
  /* not JSON: every column null, the text kept (bad bytes as U+FFFD) */
  const char *broken = "{\"a\":1,\"s\":\xff";
  cr_assert_eq(parse(broken), WEIR_ERR_FORMAT);
  weir_row_begin(&B);
  weir_json_put_permissive(P, broken, strlen(broken), &B);
  cr_assert_str_eq(last_row(),
                   "{\"a\":null,\"_corrupt_record\":"
                   "\"{\\\"a\\\":1,\\\"s\\\":\xef\xbf\xbd\",\"s\":null}");
  /* a null input */
  weir_row_begin(&B);
  weir_json_put_nulls(P, &B);
  cr_assert_str_eq(last_row(),
                   "{\"a\":null,\"_corrupt_record\":null,\"s\":null}");
  /* parse_values: no row header, for callers that compose rows */
  weir_builder_reset(&B);
  weir_row_begin(&B);
  cr_assert_eq(weir_json_parse_values(P, "{\"a\":5}", 7, &B, &E), WEIR_OK);
  cr_assert_str_eq(last_row(), "{\"a\":5,\"_corrupt_record\":null,\"s\":null}");
}

Test(jsonparse, corrupt_column_options) {
  weir_schema *s = ddl("a BIGINT, _corrupt_record BIGINT");
  weir_json_parser *p = NULL;
  cr_assert_eq(weir_json_parser_new(s, NULL, &p, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert_str_eq(err, "the corrupt-record column _corrupt_record must be a "
                        "nullable STRING, not bigint");
  weir_schema_free(s);
  s = ddl("a BIGINT, bad STRING NOT NULL");
  weir_json_options o = {"bad", 0, NULL, NULL};
  cr_assert_eq(weir_json_parser_new(s, &o, &p, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert(strstr(err, "not string NOT NULL"), "%s", err);
  weir_schema_free(s);
  s = ddl("a BIGINT");
  o.max_depth = WEIR_JSON_MAX_MAX_DEPTH + 1;
  cr_assert_eq(weir_json_parser_new(s, &o, &p, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert(strstr(err, "max_depth"), "%s", err);
  weir_schema_free(s);
  /* "" turns the corrupt column off: then it is an ordinary column */
  weir_json_options none = {"", 0, NULL, NULL};
  use_opt("_corrupt_record STRING", &none);
  cr_assert_eq(weir_json_parser_corrupt_column(P), -1);
  ok("{\"_corrupt_record\":\"mine\"}", "{\"_corrupt_record\":\"mine\"}");
}

Test(jsonparse, not_null_columns) {
  use("id BIGINT NOT NULL, s STRUCT<k: STRING NOT NULL>");
  ok("{\"id\":1}", "{\"id\":1,\"s\":null}");
  ok("{\"id\":1,\"s\":{\"k\":\"v\"}}", "{\"id\":1,\"s\":{\"k\":\"v\"}}");
  refused("  {\"s\":null}", WEIR_ERR_SCHEMA, 2,
          "field \"id\" is NOT NULL but missing");
  refused("{\"id\":null}", WEIR_ERR_SCHEMA, 6,
          "field \"id\" is NOT NULL but null");
  refused("{\"id\":2,\"s\":{}}", WEIR_ERR_SCHEMA, 12,
          "field \"s.k\" is NOT NULL but missing");
  /* PERMISSIVE still gives a row (whose schema the caller made nullable) */
  weir_row_begin(&B);
  weir_json_put_permissive(P, "{\"id\":2,\"s\":{}}", 15, &B);
  cr_assert_eq(B.nrows, 3);
}

Test(jsonparse, nullable_schema_copy) {
  weir_schema *s = ddl("a BIGINT NOT NULL, b STRUCT<c: STRING NOT NULL, "
                       "d: STRUCT<e: DOUBLE NOT NULL> NOT NULL> NOT NULL");
  weir_schema *n = weir_json_nullable_schema(s);
  weir_buf b = WEIR_BUF_INIT;
  weir_schema_format(n, &b);
  weir_buf_append(&b, "", 1);
  cr_assert_str_eq((char *)b.data,
                   "a BIGINT, b STRUCT<c: STRING, d: STRUCT<e: DOUBLE>>");
  weir_buf_free(&b);
  weir_schema_free(n);
  weir_schema_free(s);
}

Test(jsonparse, builder_marks) {
  use("a BIGINT");
  ok("{\"a\":1}", "{\"a\":1}");
  weir_builder_mark m = weir_builder_save(&B);
  weir_row_begin(&B);
  weir_put_int(&B, 99);
  cr_assert_eq(B.nrows, 2);
  weir_builder_restore(&B, m);
  cr_assert_eq(B.nrows, 1);
  cr_assert_eq(B.buf.len, m.len);
  cr_assert_str_eq(last_row(), "{\"a\":1}");
}

Test(jsonparse, error_text_and_long_values) {
  use("a BIGINT");
  cr_assert_eq(parse("{\"a\":\"0123456789012345678901234567890123456789xyz\"}"),
               WEIR_ERR_SCHEMA);
  char t[400];
  weir_json_error_format(&E, t, sizeof t);
  cr_assert_str_eq(t, "offset 5: field \"a\": expected a bigint (an integer in "
                      "int64 range), found \"0123456789012345678901234567890123"
                      "45...");
}

Test(jsonparse, big_values_and_many_members) {
  use("s STRING, n BIGINT");
  size_t big = 1 << 20;
  weir_buf b = WEIR_BUF_INIT;
  weir_buf_lit(&b, "{");
  for (int i = 0; i < 1000; i++)
    weir_buf_printf(&b, "\"k%d\":%d,", i, i);
  weir_buf_lit(&b, "\"s\":\"");
  for (size_t i = 0; i < big; i++)
    weir_buf_append(&b, i % 64 == 63 ? "\\n" : "x", i % 64 == 63 ? 2 : 1);
  weir_buf_lit(&b, "\",\"n\":42}");
  cr_assert_eq(parse_n((char *)b.data, b.len), WEIR_OK, "%s", E.msg);
  weir_value v = col(0);
  cr_assert_eq(v.v.s.len, big);
  cr_assert_eq(v.v.s.ptr[63], '\n');
  cr_assert_eq(col(1).v.i, 42);
  weir_buf_free(&b);
}

Test(jsonparse, many_records_reuse_the_parser) {
  use(EV);
  for (int i = 0; i < 100000; i++) {
    char line[160];
    int n = snprintf(line, sizeof line,
                     "{\"event_type\":\"e%d\",\"timestamp\":%d%s}", i, i,
                     i % 3 ? "" : ",\"user_id\":\"u\"");
    weir_builder_reset(&B);
    cr_assert_eq(weir_json_parse_row(P, line, (size_t)n, &B, &E), WEIR_OK);
    if (i % 9999 == 0) {
      char want[200];
      snprintf(want, sizeof want,
               "{\"event_type\":\"e%d\",\"user_id\":%s,\"timestamp\":", i,
               i % 3 ? "null" : "\"u\"");
      cr_assert(strncmp(last_row(), want, strlen(want)) == 0, "%s", last_row());
    }
  }
}
