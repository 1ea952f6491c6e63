/* test_schema.c — schemas: building, comparing, suggestions, Spark DDL parse
 * and format (round trips and exact error messages), wire encode/decode. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "weir/batch.h"

static char err[256];

static weir_schema *parse_ok(const char *text) {
  weir_schema *s = NULL;
  int rc = weir_schema_parse(text, &s, err, sizeof err);
  cr_assert_eq(rc, WEIR_OK, "parse '%s': %s", text, err);
  cr_assert_not_null(s);
  return s;
}

/* The DDL text of a schema, as a malloc'd string. */
static char *format(const weir_schema *s) {
  weir_buf b = WEIR_BUF_INIT;
  weir_schema_format(s, &b);
  weir_buf_append(&b, "", 1);
  return (char *)b.data;
}

static void expect_error(const char *text, const char *want) {
  weir_schema *s = (weir_schema *)1;
  int rc = weir_schema_parse(text, &s, err, sizeof err);
  cr_assert_eq(rc, WEIR_ERR_INVALID, "'%s' parsed", text);
  cr_assert_null(s);
  cr_assert_str_eq(err, want, "for '%s'", text);
}

Test(schema, type_names) {
  cr_assert_str_eq(weir_type_name(WEIR_T_NULL), "null");
  cr_assert_str_eq(weir_type_name(WEIR_T_BOOL), "boolean");
  cr_assert_str_eq(weir_type_name(WEIR_T_INT), "bigint");
  cr_assert_str_eq(weir_type_name(WEIR_T_FLOAT), "double");
  cr_assert_str_eq(weir_type_name(WEIR_T_STRING), "string");
  cr_assert_str_eq(weir_type_name(WEIR_T_BINARY), "binary");
  cr_assert_str_eq(weir_type_name(WEIR_T_TIMESTAMP), "timestamp");
  cr_assert_str_eq(weir_type_name(WEIR_T_STRUCT), "struct");
}

Test(schema, build_find_copy_equal) {
  weir_schema *s = weir_schema_new(), *w = weir_schema_new();
  cr_assert_eq(weir_schema_add(w, "start", WEIR_T_TIMESTAMP, true, NULL),
               WEIR_OK);
  cr_assert_eq(weir_schema_add(w, "end", WEIR_T_TIMESTAMP, true, NULL),
               WEIR_OK);
  cr_assert_eq(weir_schema_add(s, "a", WEIR_T_STRING, true, NULL), WEIR_OK);
  cr_assert_eq(weir_schema_add(s, "w", WEIR_T_STRUCT, false, w), WEIR_OK);
  cr_assert_eq(weir_schema_add(s, "a", WEIR_T_INT, true, NULL),
               WEIR_ERR_INVALID);
  /* members are taken over even on failure (ASan would see a leak) */
  cr_assert_eq(weir_schema_add(s, "a", WEIR_T_STRUCT, true, weir_schema_new()),
               WEIR_ERR_INVALID);
  cr_assert_eq(weir_schema_add(s, "x", WEIR_T_INT, true, weir_schema_new()),
               WEIR_ERR_INVALID);
  /* a struct without members gets an empty member schema */
  cr_assert_eq(weir_schema_add(s, "e", WEIR_T_STRUCT, true, NULL), WEIR_OK);
  cr_assert_not_null(s->fields[2].fields);
  cr_assert_eq(s->fields[2].fields->n, 0);
  cr_assert_eq(s->n, 3);
  cr_assert_eq(weir_schema_find(s, "w"), 1);
  cr_assert_eq(weir_schema_find(s, "W"), -1);
  cr_assert_eq(weir_schema_find(s, "zz"), -1);

  weir_schema *c = weir_schema_copy(s);
  cr_assert(weir_schema_equal(s, c));
  c->fields[1].fields->fields[1].nullable = false;
  cr_assert_not(weir_schema_equal(s, c));
  c->fields[1].fields->fields[1].nullable = true;
  cr_assert(weir_schema_equal(s, c));
  c->fields[0].type = WEIR_T_BINARY;
  cr_assert_not(weir_schema_equal(s, c));
  weir_schema_free(c);
  weir_schema *e = weir_schema_new();
  cr_assert(weir_schema_equal(e, e));
  cr_assert_not(weir_schema_equal(e, s));
  weir_schema_free(e);
  weir_schema_free(s);
  weir_schema_free(NULL);
}

Test(schema, suggest) {
  weir_schema *s = parse_ok("timestamp TIMESTAMP, value BIGINT, userId STRING");
  cr_assert_str_eq(weir_schema_suggest(s, "timestmp"), "timestamp");
  cr_assert_str_eq(weir_schema_suggest(s, "vaule"), "value");
  cr_assert_str_eq(weir_schema_suggest(s, "USERID"), "userId");
  cr_assert_null(weir_schema_suggest(s, "country"));
  cr_assert_null(weir_schema_suggest(s, "x"));
  weir_schema_free(s);
}

Test(schema, parse_every_type) {
  weir_schema *s = parse_ok(
      "a string, b VARCHAR(10), c Char(3), d binary, e BOOLEAN, f bool, "
      "g TINYINT, h SMALLINT, i INT, j INTEGER, k BIGINT, l LONG, m FLOAT, "
      "n REAL, o DOUBLE, p TIMESTAMP, q STRUCT<x: INT, y STRING>");
  static const weir_type want[] = {
      WEIR_T_STRING, WEIR_T_STRING, WEIR_T_STRING, WEIR_T_BINARY,
      WEIR_T_BOOL,   WEIR_T_BOOL,   WEIR_T_INT,    WEIR_T_INT,
      WEIR_T_INT,    WEIR_T_INT,    WEIR_T_INT,    WEIR_T_INT,
      WEIR_T_FLOAT,  WEIR_T_FLOAT,  WEIR_T_FLOAT,  WEIR_T_TIMESTAMP,
      WEIR_T_STRUCT};
  cr_assert_eq(s->n, 17);
  for (size_t i = 0; i < s->n; i++) {
    cr_assert_eq(s->fields[i].type, want[i], "field %zu", i);
    cr_assert(s->fields[i].nullable);
    char name[2] = {(char)('a' + i), 0};
    cr_assert_str_eq(s->fields[i].name, name);
  }
  cr_assert_eq(s->fields[16].fields->n, 2);
  cr_assert_eq(s->fields[16].fields->fields[1].type, WEIR_T_STRING);
  weir_schema_free(s);
}

Test(schema, parse_nested_not_null_comment_backquotes) {
  weir_schema *s = parse_ok(
      "  `my col` STRING NOT NULL COMMENT 'the key', `a``b` BIGINT,\n"
      "  w STRUCT<start: TIMESTAMP NOT NULL, `end`: TIMESTAMP,\n"
      "           meta STRUCT<k: STRING, v: STRUCT<deep: DOUBLE>>> not null ");
  cr_assert_eq(s->n, 3);
  cr_assert_str_eq(s->fields[0].name, "my col");
  cr_assert_not(s->fields[0].nullable);
  cr_assert_str_eq(s->fields[1].name, "a`b");
  cr_assert(s->fields[1].nullable);
  cr_assert_not(s->fields[2].nullable);
  weir_schema *w = s->fields[2].fields;
  cr_assert_eq(w->n, 3);
  cr_assert_not(w->fields[0].nullable);
  cr_assert_str_eq(w->fields[1].name, "end");
  cr_assert_eq(w->fields[2].fields->fields[1].fields->fields[0].type,
               WEIR_T_FLOAT);
  char *text = format(s);
  cr_assert_str_eq(
      text, "`my col` STRING NOT NULL, `a``b` BIGINT, w STRUCT<start: "
            "TIMESTAMP NOT NULL, end: TIMESTAMP, meta: STRUCT<k: STRING, "
            "v: STRUCT<deep: DOUBLE>>> NOT NULL");
  weir_schema *again = parse_ok(text);
  cr_assert(weir_schema_equal(s, again));
  free(text);
  weir_schema_free(again);
  weir_schema_free(s);
}

Test(schema, format_round_trip) {
  static const char *const cases[] = {
      "a STRING, b BIGINT, w STRUCT<start: TIMESTAMP, end: TIMESTAMP>",
      "x DOUBLE NOT NULL, y BOOLEAN, z BINARY, n VOID",
      "s STRUCT<>",
      "",
      "`1st` BIGINT, `with space` STRING, `é` STRING",
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    weir_schema *s = parse_ok(cases[i]);
    char *text = format(s);
    cr_assert_str_eq(text, cases[i]);
    free(text);
    weir_schema_free(s);
  }
  /* other spellings come back in the canonical form */
  weir_schema *s = parse_ok("a int,b: long , c  varchar(5)not null");
  char *text = format(s);
  cr_assert_str_eq(text, "a BIGINT, b BIGINT, c STRING NOT NULL");
  free(text);
  weir_schema_free(s);
}

Test(schema, parse_errors) {
  expect_error("a STRNG",
               "offset 2: expected a type (STRING, BINARY, BOOLEAN, BIGINT, "
               "DOUBLE, TIMESTAMP, ARRAY<...> or STRUCT<...>), found 'STRNG'");
  expect_error("a STRING,",
               "offset 9: expected a column name, found end of input");
  expect_error("a STRING b INT",
               "offset 9: expected ',' or end of input, found 'b'");
  expect_error(
      "a", "offset 1: expected a type (STRING, BINARY, BOOLEAN, BIGINT, "
           "DOUBLE, TIMESTAMP, ARRAY<...> or STRUCT<...>), found end of input");
  expect_error("w STRUCT<x INT",
               "offset 14: expected ',' or '>', found end of input");
  expect_error("w STRUCT x", "offset 9: expected '<', found 'x'");
  expect_error("a INT NOT",
               "offset 9: expected NULL after NOT, found end of input");
  expect_error("a INT, a STRING", "offset 7: duplicate column name 'a'");
  expect_error(
      "`a STRING",
      "offset 0: expected a closing '`' for the name, found end of input");
  expect_error("a DATE",
               "offset 2: expected a type (STRING, BINARY, BOOLEAN, BIGINT, "
               "DOUBLE, TIMESTAMP, ARRAY<...> or STRUCT<...>), found 'DATE'");
  expect_error(", a INT", "offset 0: expected a column name, found ','");
  expect_error("a INT COMMENT x",
               "offset 14: expected a quoted comment, found 'x'");
  expect_error("a VARCHAR(",
               "offset 10: expected a length, found end of input");
}

Test(schema, nesting_limit) {
  weir_buf b = WEIR_BUF_INIT;
  weir_buf_printf(&b, "a ");
  for (int i = 0; i < 100; i++)
    weir_buf_printf(&b, "STRUCT<x: ");
  weir_buf_printf(&b, "INT");
  for (int i = 0; i < 100; i++)
    weir_buf_printf(&b, ">");
  weir_schema *s = NULL;
  cr_assert_eq(weir_schema_parse((char *)b.data, &s, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert_null(s);
  cr_assert_str_eq(err, "offset 642: structs nested deeper than 64 levels");
  weir_buf_free(&b);
}

Test(schema, wire_round_trip) {
  weir_schema *s =
      parse_ok("a STRING NOT NULL, b BIGINT, c DOUBLE, d BOOLEAN, "
               "e BINARY, f TIMESTAMP, g VOID, "
               "w STRUCT<start: TIMESTAMP, end: TIMESTAMP NOT NULL>");
  weir_buf b = WEIR_BUF_INIT;
  weir_schema_encode(s, &b);
  /* the first field, exactly: [ "a", "string", false ] */
  cr_assert_eq(b.data[0], 0x98);
  cr_assert_eq(memcmp(b.data + 1,
                      "\x93\xa1"
                      "a\xa6string\xc2",
                      11),
               0);
  weir_schema *back = NULL;
  size_t used = 0;
  weir_buf_append(&b, "\xc0", 1); /* trailing bytes are not the schema's */
  cr_assert_eq(weir_schema_decode(b.data, b.len, &back, &used), WEIR_OK);
  cr_assert_eq(used, b.len - 1);
  cr_assert(weir_schema_equal(s, back));
  weir_schema_free(back);
  /* every truncation fails */
  for (size_t n = 0; n + 1 < b.len; n++) {
    back = (weir_schema *)1;
    cr_assert_neq(weir_schema_decode(b.data, n, &back, &used), WEIR_OK,
                  "at %zu", n);
    cr_assert_null(back);
  }
  weir_buf_free(&b);
  weir_schema_free(s);
}

static int decode_hand(const char *bytes, size_t n) {
  weir_schema *s = NULL;
  int rc = weir_schema_decode((const uint8_t *)bytes, n, &s, NULL);
  weir_schema_free(s);
  return rc;
}

Test(schema, wire_errors) {
  cr_assert_eq(decode_hand("\x90", 1), WEIR_OK);
  cr_assert_eq(decode_hand("\x91\x93\xa1"
                           "a\xa3int\xc3",
                           9),
               WEIR_OK);
  /* unknown type string */
  cr_assert_eq(decode_hand("\x91\x93\xa1"
                           "a\xa4long\xc3",
                           10),
               WEIR_ERR_FORMAT);
  /* nullable not a bool */
  cr_assert_eq(decode_hand("\x91\x93\xa1"
                           "a\xa3int\x01",
                           9),
               WEIR_ERR_FORMAT);
  /* struct without members, and members on a non-struct */
  cr_assert_eq(decode_hand("\x91\x93\xa1"
                           "a\xa6struct\xc3",
                           12),
               WEIR_ERR_FORMAT);
  cr_assert_eq(decode_hand("\x91\x94\xa1"
                           "a\xa3int\xc3\x90",
                           10),
               WEIR_ERR_FORMAT);
  cr_assert_eq(decode_hand("\x91\x94\xa1"
                           "a\xa6struct\xc3\x90",
                           13),
               WEIR_OK);
  /* duplicate names */
  cr_assert_eq(decode_hand("\x92\x93\xa1"
                           "a\xa3int\xc3\x93\xa1"
                           "a\xa3int\xc3",
                           17),
               WEIR_ERR_FORMAT);
  /* not an array */
  cr_assert_eq(decode_hand("\x80", 1), WEIR_ERR_FORMAT);
  cr_assert_eq(decode_hand("", 0), WEIR_ERR_FORMAT);
}

Test(schema, random_ddl_never_crashes) {
  static const char *const words[] = {
      "a",  "b",   " ",      ",",       ":",   "<",    ">",        "`",
      "``", "INT", "STRING", "STRUCT",  "NOT", "NULL", "COMMENT",  "'c'",
      "(",  "3",   ")",      "VARCHAR", "\"",  "\\",   "\xc3\xa9", "TIMESTAMP"};
  uint64_t x = 0x853c49e6748fea9bULL;
  int ok = 0;
  for (int i = 0; i < 20000; i++) {
    char t[256] = "";
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int n = (int)(x % 16);
    for (int k = 0; k < n; k++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      strcat(t, words[x % (sizeof words / sizeof words[0])]);
    }
    weir_schema *s = NULL;
    if (weir_schema_parse(t, &s, err, sizeof err) == WEIR_OK) {
      ok++;
      /* whatever parses formats to text that parses to the same schema */
      char *f = format(s);
      weir_schema *again = NULL;
      if (weir_schema_parse(f, &again, err, sizeof err) != WEIR_OK ||
          !weir_schema_equal(s, again))
        cr_assert_fail("'%s' formats as '%s', which does not read back", t, f);
      free(f);
      weir_schema_free(again);
      weir_schema_free(s);
    } else if (strncmp(err, "offset ", 7) != 0 || s) {
      cr_assert_fail("'%s': error without an offset: %s", t, err);
    }
  }
  cr_assert_gt(ok, 0);
}
