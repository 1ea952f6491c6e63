/* test_json.c — JSON output of strings, values, rows and msgpack values, and
 * the strict JSON → msgpack parser: exact texts, exact bytes, exact errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "weir/batch.h"
#include "weir/json.h"
#include "weir/offset.h"

static char err[256];

/* The buffer's text as a C string (the buffer stays usable). */
static const char *text(weir_buf *b) {
  weir_buf_append(b, "", 1);
  b->len--;
  return (const char *)b->data;
}

static void jstr(const char *in, size_t n, const char *want) {
  weir_buf b = WEIR_BUF_INIT;
  weir_json_string(&b, in, n);
  cr_assert_str_eq(text(&b), want);
  weir_buf_free(&b);
}

Test(json, strings) {
  jstr("", 0, "\"\"");
  jstr("plain", 5, "\"plain\"");
  jstr("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
  jstr("\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\"");
  jstr("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"");
  jstr("nul\0x", 5, "\"nul\\u0000x\"");
  jstr("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15,
       "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"");
  /* invalid UTF-8: one U+FFFD per bad byte */
  jstr("\xff", 1, "\"\xef\xbf\xbd\"");
  jstr("a\xc0\xafz", 4, "\"a\xef\xbf\xbd\xef\xbf\xbdz\""); /* overlong */
  jstr("\xed\xa0\x80", 3,
       "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");    /* surrogate */
  jstr("\xe2\x82", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""); /* truncated */
  jstr("\xf4\x90\x80\x80", 4,
       "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""); /* > U+10FFFF */
}

static weir_schema *ddl(const char *t) {
  weir_schema *s = NULL;
  cr_assert_eq(weir_schema_parse(t, &s, err, sizeof err), WEIR_OK, "%s", err);
  return s;
}

Test(json, rows_of_every_type) {
  weir_schema *s =
      ddl("s STRING, i BIGINT, f DOUBLE, b BOOLEAN, bin BINARY, "
          "ts TIMESTAMP, w STRUCT<start: TIMESTAMP, end: TIMESTAMP>, "
          "n STRING, deep STRUCT<a: STRUCT<b: BIGINT>, c: DOUBLE>");
  weir_builder bl;
  const uint8_t *data;
  size_t len;
  weir_builder_init(&bl, s);
  weir_row_begin(&bl);
  weir_put_string(&bl, "x\"y", 3);
  weir_put_int(&bl, -42);
  weir_put_float(&bl, 1e7);
  weir_put_bool(&bl, true);
  weir_put_binary(&bl, "foobar", 6);
  weir_put_timestamp(&bl, INT64_C(1767225605123000));
  weir_put_struct(&bl, 2);
  weir_put_timestamp(&bl, INT64_C(1767225600000000));
  weir_put_timestamp(&bl, INT64_C(1767226200000000));
  weir_put_null(&bl);
  weir_put_struct(&bl, 2);
  weir_put_struct(&bl, 1);
  weir_put_int(&bl, 9);
  weir_put_float(&bl, NAN);
  weir_row_begin(&bl);
  weir_put_string(&bl, "", 0);
  weir_put_int(&bl, INT64_MIN);
  weir_put_float(&bl, 0.5);
  weir_put_bool(&bl, false);
  weir_put_binary(&bl, "f", 1);
  weir_put_timestamp(&bl, -1);
  weir_put_null(&bl);
  weir_put_null(&bl);
  weir_put_struct(&bl, 2);
  weir_put_null(&bl);
  weir_put_float(&bl, -INFINITY);
  cr_assert_eq(weir_builder_finish(&bl, &data, &len), WEIR_OK);

  weir_reader r;
  weir_value c[9];
  weir_buf out = WEIR_BUF_INIT;
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, c, 9), 1);
  weir_json_row(&out, s, c);
  cr_assert_str_eq(
      text(&out),
      "{\"s\":\"x\\\"y\",\"i\":-42,\"f\":1.0E7,\"b\":true,\"bin\":\"Zm9vYmFy\","
      "\"ts\":\"2026-01-01T00:00:05.123Z\",\"w\":{\"start\":\"2026-01-01T00:00:"
      "00.000Z\",\"end\":\"2026-01-01T00:10:00.000Z\"},\"n\":null,\"deep\":"
      "{\"a\":{\"b\":9},\"c\":null}}");
  weir_buf_clear(&out);
  cr_assert_eq(weir_reader_next(&r, c, 9), 1);
  weir_json_row(&out, s, c);
  cr_assert_str_eq(
      text(&out),
      "{\"s\":\"\",\"i\":-9223372036854775808,\"f\":0.5,\"b\":false,"
      "\"bin\":\"Zg==\",\"ts\":\"1969-12-31T23:59:59.999999Z\",\"w\":null,"
      "\"n\":null,\"deep\":{\"a\":null,\"c\":null}}");
  /* a struct without names comes out as an array */
  weir_buf_clear(&out);
  weir_json_value(&out, NULL, &c[8]);
  cr_assert_str_eq(text(&out), "[null,null]");
  weir_buf_free(&out);
  weir_builder_free(&bl);
  weir_schema_free(s);
}

Test(json, base64_lengths) {
  static const char *const want[] = {
      "\"\"",         "\"Zg==\"",     "\"Zm8=\"",    "\"Zm9v\"",
      "\"Zm9vYg==\"", "\"Zm9vYmE=\"", "\"Zm9vYmFy\""};
  for (size_t n = 0; n <= 6; n++) {
    weir_value v = {.type = WEIR_T_BINARY};
    v.v.s.ptr = "foobar";
    v.v.s.len = n;
    weir_buf b = WEIR_BUF_INIT;
    weir_json_value(&b, NULL, &v);
    cr_assert_str_eq(text(&b), want[n]);
    weir_buf_free(&b);
  }
  weir_value v = {.type = WEIR_T_BINARY};
  v.v.s.ptr = "\xfb\xff\xbf";
  v.v.s.len = 3;
  weir_buf b = WEIR_BUF_INIT;
  weir_json_value(&b, NULL, &v);
  cr_assert_str_eq(text(&b), "\"+/+/\"");
  weir_buf_free(&b);
}

static void from_mp(weir_buf *mp, const char *want) {
  weir_buf out = WEIR_BUF_INIT;
  cr_assert_eq(weir_json_from_msgpack(&out, mp->data, mp->len), WEIR_OK);
  cr_assert_str_eq(text(&out), want);
  weir_buf_free(&out);
}

Test(json, from_msgpack) {
  weir_buf m = WEIR_BUF_INIT;
  weir_mp_map(&m, 9);
  weir_mp_str(&m, "rows", 4);
  weir_mp_int(&m, 5);
  weir_mp_str(&m, "neg", 3);
  weir_mp_int(&m, -300000);
  weir_mp_str(&m, "f", 1);
  weir_mp_float(&m, 1.5);
  weir_mp_str(&m, "t", 1);
  weir_mp_bool(&m, true);
  weir_mp_str(&m, "n", 1);
  weir_mp_nil(&m);
  weir_mp_str(&m, "arr", 3);
  weir_mp_array(&m, 3);
  weir_mp_int(&m, 1);
  weir_mp_str(&m, "x", 1);
  weir_mp_bin(&m, "\x00", 1);
  weir_mp_str(&m, "ts", 2);
  weir_mp_timestamp(&m, INT64_C(1767225600000000));
  weir_mp_int(&m, 7); /* a non-string key */
  weir_mp_str(&m, "intkey", 6);
  weir_mp_str(&m, "empty", 5);
  weir_mp_map(&m, 0);
  from_mp(&m, "{\"rows\":5,\"neg\":-300000,\"f\":1.5,\"t\":true,\"n\":null,"
              "\"arr\":[1,\"x\",\"AA==\"],\"ts\":\"2026-01-01T00:00:00.000Z\","
              "\"7\":\"intkey\",\"empty\":{}}");
  weir_buf_clear(&m);
  weir_buf_append(&m, "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9);
  from_mp(&m, "18446744073709551615");
  weir_buf_clear(&m);
  weir_buf_append(&m, "\xca\x3d\xcc\xcc\xcd", 5); /* 0.1f */
  from_mp(&m, "0.1");
  weir_buf_clear(&m);
  weir_buf_append(&m, "\x92\xcb\x7f\xf8\0\0\0\0\0\0\xd6\xff\0\0\0\x05", 16);
  from_mp(&m, "[null,\"1970-01-01T00:00:05.000Z\"]");
  weir_buf_free(&m);
}

static void from_mp_bad(const char *bytes, size_t n) {
  weir_buf out = WEIR_BUF_INIT;
  weir_buf_append(&out, "keep", 4);
  cr_assert_eq(weir_json_from_msgpack(&out, (const uint8_t *)bytes, n),
               WEIR_ERR_FORMAT);
  cr_assert_eq(out.len, 4);
  weir_buf_free(&out);
}

Test(json, from_msgpack_errors) {
  from_mp_bad("", 0);
  from_mp_bad("\x92\x01", 2);         /* truncated array */
  from_mp_bad("\x81\xa1k", 3);        /* map without its value */
  from_mp_bad("\x01\x02", 2);         /* trailing bytes */
  from_mp_bad("\xd6\x05\0\0\0\0", 6); /* ext type 5 */
  from_mp_bad("\xc1", 1);             /* never used */
  from_mp_bad("\xa5"
              "abc",
              4);                         /* string shorter than its header */
  from_mp_bad("\xdb\xff\xff\xff\xff", 5); /* huge string length */
  char deep[100];
  memset(deep, 0x91, sizeof deep);
  deep[99] = 0x01;
  from_mp_bad(deep, sizeof deep);
  weir_buf out = WEIR_BUF_INIT;
  cr_assert_eq(weir_json_from_msgpack(&out, (const uint8_t *)deep + 40, 60),
               WEIR_OK);
  weir_buf_free(&out);
}

/* JSON text → msgpack → JSON text. */
static void round_trip(const char *in, const char *want) {
  weir_buf mp = WEIR_BUF_INIT, out = WEIR_BUF_INIT;
  int rc = weir_json_to_msgpack(&mp, in, strlen(in), err, sizeof err);
  cr_assert_eq(rc, WEIR_OK, "'%s': %s", in, err);
  cr_assert_eq(weir_json_from_msgpack(&out, mp.data, mp.len), WEIR_OK);
  cr_assert_str_eq(text(&out), want);
  weir_buf_free(&mp);
  weir_buf_free(&out);
}

Test(json, to_msgpack_round_trips) {
  round_trip("{\"a\":1,\"b\":[true,false,null],\"g\":{}}",
             "{\"a\":1,\"b\":[true,false,null],\"g\":{}}");
  round_trip(" \t\r\n[ 1 , -2 ,\n 3 ] ", "[1,-2,3]");
  round_trip("\"x\\u00e9\\ud83d\\ude00\\n\\/\\\"\"",
             "\"x\xc3\xa9\xf0\x9f\x98\x80\\n/\\\"\"");
  round_trip("[-9223372036854775808,9223372036854775807]",
             "[-9223372036854775808,9223372036854775807]");
  round_trip("[9223372036854775808,-9223372036854775809]",
             "[9.223372036854776E18,-9.223372036854776E18]");
  round_trip("[1.5e3,1.0,0.1,-0,-0.0,1E-2,2e+2]",
             "[1500.0,1.0,0.1,0,-0.0,0.01,200.0]");
  round_trip("\"\"", "\"\"");
  round_trip("null", "null");
  round_trip("{\"nested\":{\"deeper\":[[],[{}]]},\"k\":\"v\",\"k\":\"dup\"}",
             "{\"nested\":{\"deeper\":[[],[{}]]},\"k\":\"v\",\"k\":\"dup\"}");
  /* a float survives JSON → msgpack → JSON → msgpack with its type */
  weir_buf mp = WEIR_BUF_INIT;
  cr_assert_eq(weir_json_to_msgpack(&mp, "1.0", 3, err, sizeof err), WEIR_OK);
  cr_assert_eq(mp.len, 9);
  cr_assert_eq(mp.data[0], 0xcb);
  weir_buf_free(&mp);
}

static void bytes(const char *in, const char *want, size_t n) {
  weir_buf mp = WEIR_BUF_INIT;
  cr_assert_eq(weir_json_to_msgpack(&mp, in, strlen(in), err, sizeof err),
               WEIR_OK, "%s", err);
  cr_assert_eq(mp.len, n, "'%s': %zu bytes", in, mp.len);
  cr_assert_eq(memcmp(mp.data, want, n), 0, "'%s'", in);
  weir_buf_free(&mp);
}

Test(json, to_msgpack_exact_bytes) {
  bytes("[1,2]", "\x92\x01\x02", 3);
  bytes("{\"k\":\"v\"}", "\x81\xa1k\xa1v", 5);
  bytes("[[],{}]", "\x92\x90\x80", 3);
  bytes("-1", "\xff", 1);
  bytes("200", "\xd2\x00\x00\x00\xc8", 5);
  bytes("5000000000", "\xd3\x00\x00\x00\x01\x2a\x05\xf2\x00", 9);
  bytes("true", "\xc3", 1);
  /* headers grow with the contents */
  char arr[64] = "[", want[32] = "\xdc\x00\x14";
  for (int i = 0; i < 20; i++) {
    strcat(arr, i ? ",0" : "0");
    want[3 + i] = 0;
  }
  strcat(arr, "]");
  bytes(arr, want, 23);
  bytes("\"0123456789012345678901234567890123456789\"",
        "\xd9\x28"
        "0123456789012345678901234567890123456789",
        42);
  /* a long string and a large object read back exactly */
  weir_buf in = WEIR_BUF_INIT, mp = WEIR_BUF_INIT, out = WEIR_BUF_INIT;
  weir_buf_printf(&in, "{");
  for (int i = 0; i < 70000; i++)
    weir_buf_printf(&in, "%s\"k%d\":%d", i ? "," : "", i, i);
  weir_buf_printf(&in, "}");
  cr_assert_eq(
      weir_json_to_msgpack(&mp, (char *)in.data, in.len, err, sizeof err),
      WEIR_OK);
  cr_assert_eq(mp.data[0], 0xdf);
  int64_t v;
  cr_assert_eq(weir_map_int(mp.data, mp.len, "k69999", &v), 1);
  cr_assert_eq(v, 69999);
  cr_assert_eq(weir_json_from_msgpack(&out, mp.data, mp.len), WEIR_OK);
  cr_assert_eq(out.len, in.len);
  cr_assert_eq(memcmp(out.data, in.data, in.len), 0);
  weir_buf_free(&in);
  weir_buf_free(&mp);
  weir_buf_free(&out);
}

static void bad(const char *in, const char *want) {
  weir_buf mp = WEIR_BUF_INIT;
  weir_buf_append(&mp, "keep", 4);
  cr_assert_eq(weir_json_to_msgpack(&mp, in, strlen(in), err, sizeof err),
               WEIR_ERR_FORMAT, "'%s' parsed", in);
  cr_assert_eq(mp.len, 4, "output restored for '%s'", in);
  cr_assert_str_eq(err, want, "for '%s'", in);
  weir_buf_free(&mp);
}

Test(json, to_msgpack_errors) {
  bad("", "offset 0: expected a JSON value, found end of input");
  bad("  ", "offset 2: expected a JSON value, found end of input");
  bad("[1,2", "offset 4: expected ',' or ']', found end of input");
  bad("{\"a\" 1}", "offset 5: expected ':', found '1'");
  bad("{a:1}", "offset 1: expected a string key or '}', found 'a'");
  bad("{\"a\":1,}", "offset 7: expected a string key, found '}'");
  bad("[1,]", "offset 3: expected a JSON value, found ']'");
  bad("[01]", "offset 2: expected ',' or ']', found '1'");
  bad("tru", "offset 0: expected a JSON value, found 'tru'");
  bad("nulls", "offset 4: expected end of input, found 's'");
  bad("\"abc", "offset 4: expected '\"' to end the string, found end of input");
  bad("\"a\x01\"",
      "offset 2: expected an escape sequence, found control character 0x01");
  bad("\"\\x\"", "offset 2: expected an escape character (\" \\ / b f n r t "
                 "u), found 'x'");
  bad("\"\\u12\"", "offset 1: expected 4 hex digits after \\u");
  bad("\"\\ud800\"",
      "offset 7: expected a low surrogate \\uDC00-\\uDFFF after \\uD800");
  bad("\"\\ud800\\u0041\"",
      "offset 7: expected a low surrogate \\uDC00-\\uDFFF after \\uD800");
  bad("\"\\udc00\"",
      "offset 1: expected a high surrogate before \\uDC00, found none");
  bad("\"\xff\"", "offset 1: invalid UTF-8 byte 0xff");
  bad("\"\xc3\"", "offset 1: invalid UTF-8 byte 0xc3");
  bad("1 2", "offset 2: expected end of input, found '2'");
  bad("-", "offset 1: expected a digit, found end of input");
  bad("-a", "offset 1: expected a digit, found 'a'");
  bad("+1", "offset 0: expected a JSON value, found '+'");
  bad("1.", "offset 2: expected a digit after '.', found end of input");
  bad(".5", "offset 0: expected a JSON value, found '.'");
  bad("1e", "offset 2: expected a digit in the exponent, found end of input");
  bad("1e999", "offset 0: number out of range");
  bad("NaN", "offset 0: expected a JSON value, found 'NaN'");
  bad("[\x01]", "offset 1: expected a JSON value, found byte 0x01");
  char deep[200];
  memset(deep, '[', 65);
  memset(deep + 65, ']', 65);
  deep[130] = 0;
  bad(deep, "offset 64: nesting deeper than 64 levels");
  deep[64] = ']';
  deep[129] = 0;
  weir_buf mp = WEIR_BUF_INIT;
  cr_assert_eq(weir_json_to_msgpack(&mp, deep, 128, err, sizeof err), WEIR_OK,
               "%s", err);
  weir_buf_free(&mp);
  /* the length bounds the text: a NUL inside is just a bad byte */
  mp = (weir_buf)WEIR_BUF_INIT;
  cr_assert_eq(weir_json_to_msgpack(&mp, "[1]\0", 4, err, sizeof err),
               WEIR_ERR_FORMAT);
  cr_assert_str_eq(err, "offset 3: expected end of input, found byte 0x00");
  cr_assert_eq(weir_json_to_msgpack(&mp, "[1]xyz", 3, err, sizeof err),
               WEIR_OK);
  weir_buf_free(&mp);
}

Test(json, random_text_never_crashes) {
  static const char alphabet[] =
      "{}[]\",:0123456789-+.eEtrufalsn \\u\xc3\xa9\xff\x01";
  uint64_t x = 0x2545F4914F6CDD1DULL;
  weir_buf mp = WEIR_BUF_INIT, out = WEIR_BUF_INIT;
  int ok = 0;
  for (int i = 0; i < 50000; i++) {
    char t[32];
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    size_t n = x % sizeof t;
    for (size_t k = 0; k < n; k++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      t[k] = alphabet[x % (sizeof alphabet - 1)];
    }
    char *exact = malloc(n ? n : 1);
    memcpy(exact, t, n);
    weir_buf_clear(&mp);
    if (weir_json_to_msgpack(&mp, exact, n, err, sizeof err) == WEIR_OK) {
      ok++;
      weir_buf_clear(&out);
      if (weir_json_from_msgpack(&out, mp.data, mp.len) != WEIR_OK)
        cr_assert_fail("parsed JSON gives bad msgpack");
    } else if (strncmp(err, "offset ", 7) != 0) {
      cr_assert_fail("error without an offset: %s", err);
    }
    free(exact);
  }
  cr_assert_gt(ok, 0);
  weir_buf_free(&mp);
  weir_buf_free(&out);
}
