/* test_array.c — the ARRAY type of batch format 1.1 in the SDK: Spark DDL
 * (ARRAY<T>) parsed and written back, the rules of weir_schema_add, the
 * exact wire bytes of an array column's descriptor and values, the builder
 * (weir_put_array, begin/end with every header size) read back through the
 * reader and the element cursor, canonical keys and their order, the JSON
 * writer, the schema-directed JSON parser (values, nulls, type errors with
 * their messages, PERMISSIVE rows, syntax errors, depth), and the parquet
 * refusal. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weir/parquet.h"
#include "weir/weir.h"

static char err[512];

static weir_schema *ddl(const char *t) {
  weir_schema *s = NULL;
  cr_assert_eq(weir_schema_parse(t, &s, err, sizeof err), WEIR_OK, "%s: %s", t,
               err);
  return s;
}

/* The DDL text of a schema, in a static buffer. */
static const char *format(const weir_schema *s) {
  static char out[1024];
  weir_buf b = WEIR_BUF_INIT;
  weir_schema_format(s, &b);
  snprintf(out, sizeof out, "%s", b.data ? (char *)b.data : "");
  weir_buf_free(&b);
  return out;
}

static void ddl_error(const char *t, const char *want) {
  weir_schema *s = NULL;
  cr_assert_eq(weir_schema_parse(t, &s, err, sizeof err), WEIR_ERR_INVALID,
               "%s parsed", t);
  cr_assert_null(s);
  cr_assert_str_eq(err, want, "%s", t);
}

/* ---- schemas ----------------------------------------------------------- */

Test(array, ddl_round_trip) {
  const char *text =
      "tags ARRAY<STRING>, n ARRAY<BIGINT NOT NULL> NOT NULL, "
      "w STRUCT<at: ARRAY<TIMESTAMP>, b: ARRAY<BINARY>>, f ARRAY<DOUBLE>, "
      "ok ARRAY<BOOLEAN>";
  weir_schema *s = ddl(text);
  cr_assert_str_eq(format(s), text);
  cr_assert_eq(s->fields[0].type, WEIR_T_ARRAY);
  const weir_field *e = weir_field_element(&s->fields[0]);
  cr_assert_not_null(e);
  cr_assert_str_eq(e->name, "element");
  cr_assert_eq(e->type, WEIR_T_STRING);
  cr_assert(e->nullable, "ARRAY<STRING> may hold nulls, as in Spark");
  e = weir_field_element(&s->fields[1]);
  cr_assert_eq(e->type, WEIR_T_INT);
  cr_assert_not(e->nullable);
  cr_assert_not(s->fields[1].nullable);
  e = weir_field_element(&s->fields[2].fields->fields[0]);
  cr_assert_eq(e->type, WEIR_T_TIMESTAMP);
  cr_assert_null(weir_field_element(&s->fields[2]), "a struct has no element");
  /* Spark's spellings and case, written back as weir writes them */
  weir_schema *t = ddl("a array < varchar(10) >, b Array<INT>, c ARRAY<LONG>");
  cr_assert_str_eq(format(t),
                   "a ARRAY<STRING>, b ARRAY<BIGINT>, c ARRAY<BIGINT>");
  cr_assert_str_eq(weir_type_name(WEIR_T_ARRAY), "array");
  weir_schema *u = ddl(format(s));
  cr_assert(weir_schema_equal(s, u));
  weir_schema_free(u);
  weir_schema_free(t);
  weir_schema_free(s);
}

Test(array, ddl_errors) {
  ddl_error("a ARRAY<STRUCT<x: INT>>",
            "offset 8: array elements must be of a scalar type (STRING, "
            "BINARY, BOOLEAN, BIGINT, DOUBLE or TIMESTAMP), not STRUCT "
            "(arrays of structs or of arrays are not supported yet)");
  ddl_error("a ARRAY<ARRAY<STRING>>",
            "offset 8: array elements must be of a scalar type (STRING, "
            "BINARY, BOOLEAN, BIGINT, DOUBLE or TIMESTAMP), not ARRAY "
            "(arrays of structs or of arrays are not supported yet)");
  ddl_error("a ARRAY<VOID>",
            "offset 8: array elements must be of a scalar type (STRING, "
            "BINARY, BOOLEAN, BIGINT, DOUBLE or TIMESTAMP), not VOID "
            "(arrays of structs or of arrays are not supported yet)");
  ddl_error("a ARRAY STRING", "offset 8: expected '<', found 'STRING'");
  ddl_error("a ARRAY<STRING", "offset 14: expected '>', found end of input");
  ddl_error("a ARRAY<STRING NOT>",
            "offset 18: expected NULL after NOT, found '>'");
  ddl_error("a ARRAY<MAP<STRING, INT>>",
            "offset 8: expected a type (STRING, BINARY, BOOLEAN, BIGINT, "
            "DOUBLE, TIMESTAMP, ARRAY<...> or STRUCT<...>), found 'MAP'");
  /* hostile nesting is refused, not recursed into without bound */
  char deep[2000] = "a ";
  for (int i = 0; i < 300; i++)
    strcat(deep, "ARRAY<");
  weir_schema *s = NULL;
  cr_assert_eq(weir_schema_parse(deep, &s, err, sizeof err), WEIR_ERR_INVALID);
}

Test(array, schema_add_rules) {
  weir_schema *s = weir_schema_new(), *m;
  cr_assert_eq(weir_schema_add_array(s, "tags", true, WEIR_T_STRING, true),
               WEIR_OK);
  cr_assert_eq(weir_schema_add_array(s, "x", true, WEIR_T_STRUCT, true),
               WEIR_ERR_INVALID);
  cr_assert_eq(weir_schema_add_array(s, "x", true, WEIR_T_NULL, true),
               WEIR_ERR_INVALID);
  cr_assert_eq(weir_schema_add_array(s, "tags", true, WEIR_T_INT, true),
               WEIR_ERR_INVALID, "duplicate name");
  cr_assert_eq(weir_schema_add(s, "x", WEIR_T_ARRAY, true, NULL),
               WEIR_ERR_INVALID, "an array needs its element");
  m = weir_schema_new();
  weir_schema_add(m, "item", WEIR_T_INT, true, NULL);
  cr_assert_eq(weir_schema_add(s, "x", WEIR_T_ARRAY, true, m), WEIR_ERR_INVALID,
               "the element is called element");
  m = weir_schema_new();
  weir_schema_add(m, "element", WEIR_T_INT, true, NULL);
  weir_schema_add(m, "b", WEIR_T_INT, true, NULL);
  cr_assert_eq(weir_schema_add(s, "x", WEIR_T_ARRAY, true, m), WEIR_ERR_INVALID,
               "one element field only");
  m = weir_schema_new();
  weir_schema_add(m, "element", WEIR_T_INT, false, NULL);
  cr_assert_eq(weir_schema_add(s, "n", WEIR_T_ARRAY, false, m), WEIR_OK);
  cr_assert_str_eq(format(s),
                   "tags ARRAY<STRING>, n ARRAY<BIGINT NOT NULL> NOT NULL");
  /* copies and comparisons look at the element */
  weir_schema *c = weir_schema_copy(s);
  cr_assert(weir_schema_equal(s, c));
  c->fields[1].fields->fields[0].nullable = true;
  cr_assert_not(weir_schema_equal(s, c), "containsNull differs");
  c->fields[1].fields->fields[0].nullable = false;
  c->fields[1].fields->fields[0].type = WEIR_T_FLOAT;
  cr_assert_not(weir_schema_equal(s, c), "element type differs");
  weir_schema_free(c);
  weir_schema_free(s);
}

/* ---- wire format --------------------------------------------------------- */

static const uint8_t TAGS_SCHEMA[] = {
    0x91,                                           /* 1 field */
    0x94, 0xa4, 't', 'a', 'g', 's',                 /* ["tags", */
    0xa5, 'a',  'r', 'r', 'a', 'y', 0xc3,           /*  "array", true, */
    0x93, 0xa7, 'e', 'l', 'e', 'm', 'e',  'n', 't', /*  ["element", */
    0xa6, 's',  't', 'r', 'i', 'n', 'g',  0xc2};    /*   "string", false]] */

Test(array, schema_wire_bytes) {
  weir_schema *s = ddl("tags ARRAY<STRING NOT NULL>"), *back = NULL;
  weir_buf b = WEIR_BUF_INIT;
  weir_schema_encode(s, &b);
  cr_assert_eq(b.len, sizeof TAGS_SCHEMA);
  cr_assert_arr_eq(b.data, TAGS_SCHEMA, sizeof TAGS_SCHEMA);
  size_t used = 0;
  cr_assert_eq(weir_schema_decode(b.data, b.len, &back, &used), WEIR_OK);
  cr_assert_eq(used, b.len);
  cr_assert(weir_schema_equal(s, back));
  weir_schema_free(back);
  weir_buf_free(&b);
  weir_schema_free(s);
}

/* Malformed descriptors: each a variation of TAGS_SCHEMA. */
static int decode_patched(size_t at, uint8_t byte) {
  uint8_t bytes[sizeof TAGS_SCHEMA];
  weir_schema *s = NULL;
  memcpy(bytes, TAGS_SCHEMA, sizeof bytes);
  bytes[at] = byte;
  int rc = weir_schema_decode(bytes, sizeof bytes, &s, NULL);
  weir_schema_free(s);
  return rc;
}

Test(array, schema_wire_errors) {
  cr_assert_eq(decode_patched(1, 0x93), WEIR_ERR_FORMAT,
               "an array descriptor has 4 parts");
  cr_assert_eq(decode_patched(15, 'E'), WEIR_ERR_FORMAT,
               "the element is called element");
  cr_assert_eq(decode_patched(14, 0x94), WEIR_ERR_FORMAT,
               "the element descriptor has 3 parts");
  /* an element of type "struct" or "null" */
  static const uint8_t nested[] = {0x91, 0x94, 0xa1, 'a',  0xa5, 'a', 'r', 'r',
                                   'a',  'y',  0xc3, 0x94, 0xa7, 'e', 'l', 'e',
                                   'm',  'e',  'n',  't',  0xa6, 's', 't', 'r',
                                   'u',  'c',  't',  0xc3, 0x90};
  weir_schema *s = NULL;
  cr_assert_eq(weir_schema_decode(nested, sizeof nested, &s, NULL),
               WEIR_ERR_FORMAT);
  static const uint8_t null_el[] = {
      0x91, 0x94, 0xa1, 'a', 0xa5, 'a', 'r', 'r',  'a', 'y', 0xc3, 0x93, 0xa7,
      'e',  'l',  'e',  'm', 'e',  'n', 't', 0xa4, 'n', 'u', 'l',  'l',  0xc3};
  cr_assert_eq(weir_schema_decode(null_el, sizeof null_el, &s, NULL),
               WEIR_ERR_FORMAT);
  /* every truncation is refused */
  for (size_t n = 0; n < sizeof TAGS_SCHEMA; n++) {
    uint8_t *cut = malloc(n ? n : 1);
    memcpy(cut, TAGS_SCHEMA, n);
    cr_assert_neq(weir_schema_decode(cut, n, &s, NULL), WEIR_OK, "%zu", n);
    free(cut);
  }
}

Test(array, batches_without_arrays_are_format_1_0) {
  /* the version element stays 1; a batch of format 1.0 is unchanged */
  weir_schema *s = ddl("a BIGINT");
  weir_builder b;
  const uint8_t *data;
  size_t len;
  static const uint8_t want[] = {0x93, 0x01, 0x91, 0x93, 0xa1, 'a',
                                 0xa3, 'i',  'n',  't',  0xc3, 0xdd,
                                 0,    0,    0,    1,    0x91, 0x05};
  cr_assert_eq(weir_builder_init(&b, s), WEIR_OK);
  weir_row_begin(&b);
  weir_put_int(&b, 5);
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  cr_assert_eq(len, sizeof want);
  cr_assert_arr_eq(data, want, len);
  weir_builder_free(&b);
  weir_schema_free(s);
}

Test(array, readme_example_bytes) {
  /* sdk/README.md's format 1.1 example, byte for byte */
  static const uint8_t want[59] = {
      0x93, 0x01, 0x92, 0x93, 0xa2, 'i',  'd',  0xa3, 'i',  'n',  't',  0xc2,
      0x94, 0xa4, 't',  'a',  'g',  's',  0xa5, 'a',  'r',  'r',  'a',  'y',
      0xc3, 0x93, 0xa7, 'e',  'l',  'e',  'm',  'e',  'n',  't',  0xa6, 's',
      't',  'r',  'i',  'n',  'g',  0xc3, 0xdd, 0,    0,    0,    3,    0x92,
      0x01, 0x92, 0xa1, 'a',  0xc0, 0x92, 0x02, 0xc0, 0x92, 0x03, 0x90};
  weir_schema *s = ddl("id BIGINT NOT NULL, tags ARRAY<STRING>");
  weir_builder b;
  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_init(&b, s), WEIR_OK);
  weir_row_begin(&b);
  weir_put_int(&b, 1);
  weir_put_array(&b, 2);
  weir_put_string(&b, "a", 1);
  weir_put_null(&b);
  weir_row_begin(&b);
  weir_put_int(&b, 2);
  weir_put_null(&b);
  weir_row_begin(&b);
  weir_put_int(&b, 3);
  weir_put_array(&b, 0);
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  cr_assert_eq(len, sizeof want);
  cr_assert_arr_eq(data, want, len);
  weir_builder_free(&b);
  weir_schema_free(s);
}

/* Reads the only column of every row of the builder's batch back, each
 * array as "[a,b,null]" text (JSON), into out. */
static void read_back(weir_builder *b, char *out, size_t n) {
  const uint8_t *data;
  size_t len;
  weir_reader r;
  weir_value v;
  weir_buf o = WEIR_BUF_INIT;
  int rc;
  cr_assert_eq(weir_builder_finish(b, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  while ((rc = weir_reader_next(&r, &v, 1)) == 1) {
    if (o.len)
      weir_buf_append(&o, " ", 1);
    weir_json_value(&o, &b->schema->fields[0], &v);
  }
  cr_assert_eq(rc, 0);
  snprintf(out, n, "%.*s", (int)o.len, o.data ? (char *)o.data : "");
  weir_buf_free(&o);
}

Test(array, builder_and_reader) {
  weir_schema *s = ddl("tags ARRAY<STRING>");
  weir_builder b;
  char got[256];
  cr_assert_eq(weir_builder_init(&b, s), WEIR_OK);
  weir_row_begin(&b); /* known length */
  weir_put_array(&b, 3);
  weir_put_string(&b, "a", 1);
  weir_put_null(&b);
  weir_put_string(&b, "bc", 2);
  weir_row_begin(&b); /* null array */
  weir_put_null(&b);
  weir_row_begin(&b); /* empty, length known at the end */
  size_t m = weir_put_array_begin(&b);
  weir_put_array_end(&b, m, 0);
  weir_row_begin(&b);
  m = weir_put_array_begin(&b);
  weir_put_string(&b, "x", 1);
  weir_put_array_end(&b, m, 1);
  read_back(&b, got, sizeof got);
  cr_assert_str_eq(got, "[\"a\",null,\"bc\"] null [] [\"x\"]");

  /* the bytes: the shortest header, whatever way the array was begun */
  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  static const uint8_t rows[] = {0x91, 0x93, 0xa1, 'a',  0xc0, 0xa2, 'b',  'c',
                                 0x91, 0xc0, 0x91, 0x90, 0x91, 0x91, 0xa1, 'x'};
  cr_assert_geq(len, sizeof rows);
  cr_assert_arr_eq(data + len - sizeof rows, rows, sizeof rows);

  /* the element cursor, and what the reader says an array is */
  weir_reader r;
  weir_value v, e;
  weir_array_iter it;
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, &v, 1), 1);
  cr_assert_eq(v.type, WEIR_T_STRUCT, "decoded by encoding, as a struct is");
  cr_assert_eq(v.v.nfields, 3);
  cr_assert_eq(weir_array_begin(&it, &v), WEIR_OK);
  cr_assert_eq(it.left, 3);
  cr_assert_eq(weir_array_next(&it, &e), 1);
  cr_assert_eq(e.type, WEIR_T_STRING);
  cr_assert_eq(e.v.s.len, 1);
  cr_assert_eq(e.raw_len, 2, "an element carries its bytes");
  cr_assert_eq(weir_array_next(&it, &e), 1);
  cr_assert_eq(e.type, WEIR_T_NULL);
  cr_assert_eq(weir_array_next(&it, &e), 1);
  cr_assert_eq(weir_array_next(&it, &e), 0);
  cr_assert_eq(weir_array_next(&it, &e), 0);
  cr_assert_eq(weir_reader_next(&r, &v, 1), 1);
  cr_assert_eq(weir_array_begin(&it, &v), WEIR_ERR_FORMAT, "a null");
  weir_value i = {.type = WEIR_T_INT};
  cr_assert_eq(weir_array_begin(&it, &i), WEIR_ERR_FORMAT);
  weir_value noraw = {.type = WEIR_T_ARRAY};
  cr_assert_eq(weir_array_begin(&it, &noraw), WEIR_ERR_FORMAT);
  weir_builder_free(&b);
  weir_schema_free(s);
}

Test(array, every_header_size) {
  weir_schema *s = ddl("n ARRAY<BIGINT>");
  static const uint32_t sizes[] = {0, 1, 15, 16, 65535, 65536, 70000};
  static const uint8_t first[] = {0x90, 0x91, 0x9f, 0xdc, 0xdc, 0xdd, 0xdd};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    for (int begun = 0; begun < 2; begun++) {
      weir_builder b;
      const uint8_t *data;
      size_t len, m = 0;
      weir_reader r;
      weir_value v, e;
      weir_array_iter it;
      cr_assert_eq(weir_builder_init(&b, s), WEIR_OK);
      weir_row_begin(&b);
      if (begun)
        m = weir_put_array_begin(&b);
      else
        weir_put_array(&b, sizes[k]);
      size_t at = b.buf.len - (begun ? 5 : 0);
      for (uint32_t j = 0; j < sizes[k]; j++)
        weir_put_int(&b, j);
      if (begun)
        weir_put_array_end(&b, m, sizes[k]);
      cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
      if (!begun)
        at -= sizes[k] < 16 ? 1 : sizes[k] < 65536 ? 3 : 5;
      cr_assert_eq(data[at], first[k], "%u elements, begun %d", sizes[k],
                   begun);
      cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
      cr_assert_eq(weir_reader_next(&r, &v, 1), 1);
      cr_assert_eq(weir_array_begin(&it, &v), WEIR_OK);
      uint32_t j = 0;
      while (weir_array_next(&it, &e) == 1) {
        cr_assert_eq(e.v.i, (int64_t)j);
        j++;
      }
      cr_assert_eq(j, sizes[k]);
      weir_builder_free(&b);
    }
  }
  weir_schema_free(s);
}

Test(array, bad_end_fails_the_batch) {
  weir_schema *s = ddl("n ARRAY<BIGINT>");
  weir_builder b;
  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_init(&b, s), WEIR_OK);
  weir_row_begin(&b);
  weir_put_array(&b, 0);
  weir_put_array_end(&b, 3, 0); /* no placeholder there */
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_ERR_INVALID);
  weir_builder_free(&b);
  weir_schema_free(s);
}

Test(array, put_value_copies_arrays) {
  weir_schema *s = ddl("tags ARRAY<STRING>, w STRUCT<t: ARRAY<BIGINT>>");
  weir_builder a, b;
  const uint8_t *data, *data2;
  size_t len, len2;
  weir_reader r;
  weir_value v[2];
  cr_assert_eq(weir_builder_init(&a, s), WEIR_OK);
  weir_row_begin(&a);
  weir_put_array(&a, 2);
  weir_put_string(&a, "p", 1);
  weir_put_string(&a, "q", 1);
  weir_put_struct(&a, 1);
  weir_put_array(&a, 1);
  weir_put_int(&a, 7);
  cr_assert_eq(weir_builder_finish(&a, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, v, 2), 1);
  cr_assert_eq(weir_builder_init(&b, s), WEIR_OK);
  weir_row_begin(&b);
  weir_put_value(&b, &v[0]);
  v[1].type = WEIR_T_ARRAY; /* also what a plugin may say */
  weir_put_value(&b, &v[1]);
  cr_assert_eq(weir_builder_finish(&b, &data2, &len2), WEIR_OK);
  cr_assert_eq(len2, len);
  cr_assert_arr_eq(data2, data, len);
  weir_buf o = WEIR_BUF_INIT;
  v[1].type = WEIR_T_STRUCT;
  weir_json_row(&o, s, v);
  cr_assert_eq(o.len, strlen("{\"tags\":[\"p\",\"q\"],\"w\":{\"t\":[7]}}"));
  cr_assert_arr_eq(o.data, "{\"tags\":[\"p\",\"q\"],\"w\":{\"t\":[7]}}", o.len);
  weir_buf_free(&o);
  weir_builder_free(&a);
  weir_builder_free(&b);
  weir_schema_free(s);
}

Test(array, json_writer_element_types) {
  weir_schema *s = ddl("t ARRAY<TIMESTAMP>, b ARRAY<BINARY>, f ARRAY<DOUBLE>, "
                       "ok ARRAY<BOOLEAN>");
  weir_builder w;
  const uint8_t *data;
  size_t len;
  weir_reader r;
  weir_value v[4];
  cr_assert_eq(weir_builder_init(&w, s), WEIR_OK);
  weir_row_begin(&w);
  weir_put_array(&w, 2);
  weir_put_timestamp(&w, INT64_C(1767225605123000));
  weir_put_null(&w);
  weir_put_array(&w, 1);
  weir_put_binary(&w, "hi", 2);
  weir_put_array(&w, 3);
  weir_put_float(&w, 1.0);
  weir_put_float(&w, 1e7);
  weir_put_float(&w, 0.0 / 0.0);
  weir_put_array(&w, 0);
  cr_assert_eq(weir_builder_finish(&w, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, v, 4), 1);
  weir_buf o = WEIR_BUF_INIT;
  weir_json_row(&o, s, v);
  weir_buf_append(&o, "", 1);
  cr_assert_str_eq((char *)o.data,
                   "{\"t\":[\"2026-01-01T00:00:05.123Z\",null],\"b\":"
                   "[\"aGk=\"],\"f\":[1.0,1.0E7,null],\"ok\":[]}");
  weir_buf_free(&o);
  weir_builder_free(&w);
  weir_schema_free(s);
}

/* ---- keys ---------------------------------------------------------------- */

/* The canonical key of one array value written by `fill`. */
static void key_of(void (*fill)(weir_builder *), weir_buf *key) {
  weir_schema *s = ddl("a ARRAY<BIGINT>");
  weir_builder b;
  const uint8_t *data;
  size_t len;
  weir_reader r;
  weir_value v;
  cr_assert_eq(weir_builder_init(&b, s), WEIR_OK);
  weir_row_begin(&b);
  fill(&b);
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, &v, 1), 1);
  weir_buf_clear(key);
  cr_assert_eq(weir_key_put(key, &v), WEIR_OK);
  weir_builder_free(&b);
  weir_schema_free(s);
}

static void fill_12_short(weir_builder *b) {
  weir_put_array(b, 2);
  weir_put_int(b, 1);
  weir_put_int(b, 2);
}
static void fill_12_long(weir_builder *b) { /* array32 header, int64s */
  static const uint8_t raw[] = {0xdd, 0, 0,    0, 2, 0xd3, 0, 0, 0, 0, 0, 0,
                                0,    1, 0xd3, 0, 0, 0,    0, 0, 0, 0, 2};
  weir_put_raw(b, raw, sizeof raw);
}
static void fill_1(weir_builder *b) {
  weir_put_array(b, 1);
  weir_put_int(b, 1);
}
static void fill_2(weir_builder *b) {
  weir_put_array(b, 1);
  weir_put_int(b, 2);
}
static void fill_null(weir_builder *b) { weir_put_null(b); }
static void fill_empty(weir_builder *b) { weir_put_array(b, 0); }

Test(array, keys_are_canonical_and_ordered) {
  weir_buf k1 = WEIR_BUF_INIT, k2 = WEIR_BUF_INIT;
  key_of(fill_12_short, &k1);
  key_of(fill_12_long, &k2);
  cr_assert_eq(k1.len, k2.len, "one array, one key, whatever its encoding");
  cr_assert_arr_eq(k1.data, k2.data, k1.len);
  /* null < [] < [1] < [1, 2] < [2] */
  void (*order[])(weir_builder *) = {fill_null, fill_empty, fill_1,
                                     fill_12_short, fill_2};
  for (size_t i = 0; i + 1 < sizeof order / sizeof order[0]; i++) {
    key_of(order[i], &k1);
    key_of(order[i + 1], &k2);
    cr_assert_lt(weir_key_compare(k1.data, k1.len, k2.data, k2.len), 0, "%zu",
                 i);
    cr_assert_gt(weir_key_compare(k2.data, k2.len, k1.data, k1.len), 0, "%zu",
                 i);
  }
  weir_buf_free(&k1);
  weir_buf_free(&k2);
}

/* ---- parquet ------------------------------------------------------------- */

Test(array, parquet_refuses_arrays) {
  weir_schema *s = ddl("id BIGINT, w STRUCT<x: BIGINT, tags: ARRAY<STRING>>");
  cr_assert_eq(weir_parquet_check_schema(s, err, sizeof err),
               WEIR_ERR_UNSUPPORTED);
  cr_assert_str_eq(err, "column 'w.tags' is an array: arrays are not "
                        "supported in parquet yet");
  weir_parquet_writer *w =
      weir_parquet_writer_open("/dev/null", s, NULL, err, sizeof err);
  cr_assert_null(w);
  cr_assert_str_eq(err, "/dev/null: column 'w.tags' is an array: arrays are "
                        "not supported in parquet yet");
  weir_schema *ok = ddl("id BIGINT, w STRUCT<x: BIGINT>");
  cr_assert_eq(weir_parquet_check_schema(ok, err, sizeof err), WEIR_OK);
  weir_schema_free(ok);
  weir_schema_free(s);
}

/* ---- the schema-directed JSON parser ---------------------------------------
 */

static weir_schema *JS;
static weir_json_parser *JP;
static weir_builder JB;
static weir_json_error JE;

static void json_use(const char *schema) {
  JS = ddl(schema);
  cr_assert_eq(weir_json_parser_new(JS, NULL, &JP, err, sizeof err), WEIR_OK,
               "%s", err);
  cr_assert_eq(weir_builder_init(&JB, JS), WEIR_OK);
}

static void json_fini(void) {
  weir_builder_free(&JB);
  weir_json_parser_free(JP);
  weir_schema_free(JS);
  JS = NULL;
  JP = NULL;
}

/* Parses json from a buffer of exactly its length. */
static int jparse(const char *json) {
  size_t n = strlen(json);
  char *copy = malloc(n ? n : 1);
  memcpy(copy, json, n);
  memset(&JE, 0, sizeof JE);
  int rc = weir_json_parse_row(JP, copy, n, &JB, &JE);
  free(copy);
  return rc;
}

/* The builder's last row as JSON. */
static const char *jlast(void) {
  static char out[2048];
  const uint8_t *data;
  size_t len;
  weir_reader r;
  weir_value v[8];
  weir_buf o = WEIR_BUF_INIT;
  int rc;
  cr_assert_eq(weir_builder_finish(&JB, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  while ((rc = weir_reader_next(&r, v, JS->n)) == 1) {
    weir_buf_clear(&o);
    weir_json_row(&o, JS, v);
  }
  cr_assert_eq(rc, 0);
  snprintf(out, sizeof out, "%.*s", (int)o.len, o.data ? (char *)o.data : "");
  weir_buf_free(&o);
  return out;
}

static void jok(const char *json, const char *want) {
  int rc = jparse(json);
  cr_assert_eq(rc, WEIR_OK, "%s: rc %d: %s", json, rc, JE.msg);
  cr_assert_str_eq(jlast(), want, "%s", json);
}

/* json is refused with code, at offset, with this message (and, for a
 * value that does not fit, the PERMISSIVE row `permissive`). */
static void jbad(const char *json, int code, size_t offset, const char *msg,
                 const char *permissive) {
  weir_builder_mark m = weir_builder_save(&JB);
  int rc = jparse(json);
  cr_assert_eq(rc, code, "%s: rc %d: %s", json, rc, JE.msg);
  cr_assert_eq(JE.offset, offset, "%s: offset %zu: %s", json, JE.offset,
               JE.msg);
  cr_assert_str_eq(JE.msg, msg, "%s", json);
  cr_assert_eq(JB.buf.len, m.len, "a refused record appends nothing");
  if (permissive) {
    size_t n = strlen(json);
    weir_row_begin(&JB);
    weir_json_put_permissive(JP, json, n, &JB);
    cr_assert_str_eq(jlast(), permissive, "%s", json);
  }
}

TestSuite(array_json, .fini = json_fini);

Test(array_json, values_nulls_and_element_types) {
  json_use("s ARRAY<STRING>, n ARRAY<BIGINT>, f ARRAY<DOUBLE>, "
           "t ARRAY<TIMESTAMP>, b ARRAY<BOOLEAN>, x ARRAY<BINARY>");
  jok("{\"s\":[\"a\",\"b\\u00e9\",null,\"\"],\"n\":[1,-2,9223372036854775807],"
      "\"f\":[1,2.5,\"NaN\"],\"t\":[\"2026-01-01T00:00:05Z\",1767225605.5],"
      "\"b\":[true,false],\"x\":[\"aGk=\"]}",
      "{\"s\":[\"a\",\"b\xc3\xa9\",null,\"\"],\"n\":[1,-2,9223372036854775807],"
      "\"f\":[1.0,2.5,null],\"t\":[\"2026-01-01T00:00:05.000Z\","
      "\"2026-01-01T00:00:05.500Z\"],\"b\":[true,false],\"x\":[\"aGk=\"]}");
  /* null array, empty arrays, missing member, whitespace everywhere */
  jok("{ \"s\" : null , \"n\" : [ ] , \"f\":[ 1 , 2 ] }",
      "{\"s\":null,\"n\":[],\"f\":[1.0,2.0],\"t\":null,\"b\":null,\"x\":null}");
  /* an ARRAY<STRING> keeps any other value as its JSON text, as a STRING
   * column does */
  jok("{\"s\":[1.50,{\"k\":[1, 2]},[3],true]}",
      "{\"s\":[\"1.50\",\"{\\\"k\\\":[1, 2]}\",\"[3]\",\"true\"],\"n\":null,"
      "\"f\":null,\"t\":null,\"b\":null,\"x\":null}");
  /* a duplicate member: the last one wins */
  jok("{\"n\":[1,2],\"n\":[3]}",
      "{\"s\":null,\"n\":[3],\"f\":null,\"t\":null,\"b\":null,\"x\":null}");
  /* an array of 20 elements (array16 header) */
  jok("{\"n\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]}",
      "{\"s\":null,\"n\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19],"
      "\"f\":null,\"t\":null,\"b\":null,\"x\":null}");
}

Test(array_json, type_errors_name_the_element) {
  json_use("id BIGINT, tags ARRAY<BIGINT>, w STRUCT<at: ARRAY<TIMESTAMP>>, "
           "_corrupt_record STRING");
  jbad("{\"id\":1,\"tags\":\"x\"}", WEIR_ERR_SCHEMA, 15,
       "field \"tags\": expected an array, found \"x\"",
       "{\"id\":1,\"tags\":null,\"w\":null,\"_corrupt_record\":"
       "\"{\\\"id\\\":1,\\\"tags\\\":\\\"x\\\"}\"}");
  jbad("{\"id\":2,\"tags\":{\"a\":1}}", WEIR_ERR_SCHEMA, 15,
       "field \"tags\": expected an array, found an object",
       "{\"id\":2,\"tags\":null,\"w\":null,\"_corrupt_record\":"
       "\"{\\\"id\\\":2,\\\"tags\\\":{\\\"a\\\":1}}\"}");
  jbad("{\"id\":3,\"tags\":[1,\"two\",3.5]}", WEIR_ERR_SCHEMA, 18,
       "field \"tags[1]\": expected a bigint (an integer in int64 range), "
       "found \"two\"",
       "{\"id\":3,\"tags\":null,\"w\":null,\"_corrupt_record\":"
       "\"{\\\"id\\\":3,\\\"tags\\\":[1,\\\"two\\\",3.5]}\"}");
  jbad("{\"id\":4,\"w\":{\"at\":[\"2026-01-01\",\"later\"]},\"tags\":[[1]]}",
       WEIR_ERR_SCHEMA, 32,
       "field \"w.at[1]\": expected a timestamp (an ISO-8601 string or "
       "seconds since the epoch), found \"later\"",
       "{\"id\":4,\"tags\":null,\"w\":{\"at\":null},\"_corrupt_record\":"
       "\"{\\\"id\\\":4,\\\"w\\\":{\\\"at\\\":[\\\"2026-01-01\\\","
       "\\\"later\\\"]},"
       "\\\"tags\\\":[[1]]}\"}");
  /* a syntax error in an array wins over a type error before it */
  jbad("{\"id\":\"x\",\"tags\":[1 2]}", WEIR_ERR_FORMAT, 20,
       "expected ',' or ']' after an array element, found '2'",
       "{\"id\":null,\"tags\":null,\"w\":null,\"_corrupt_record\":"
       "\"{\\\"id\\\":\\\"x\\\",\\\"tags\\\":[1 2]}\"}");
  jbad("{\"tags\":[1,]}", WEIR_ERR_FORMAT, 11, "expected a value, found ']'",
       NULL);
  jbad("{\"tags\":[1", WEIR_ERR_FORMAT, 10,
       "expected ',' or ']' after an array element, found the end of the "
       "record",
       NULL);
  /* the fields that fitted are kept beside a bad array */
  jok("{\"id\":5,\"tags\":[7]}",
      "{\"id\":5,\"tags\":[7],\"w\":null,\"_corrupt_record\":null}");
}

Test(array_json, not_null_elements_and_depth) {
  json_use("n ARRAY<BIGINT NOT NULL>, s ARRAY<STRING>");
  jbad("{\"n\":[1,null]}", WEIR_ERR_SCHEMA, 8,
       "field \"n[1]\": expected a value (the array's elements are NOT NULL), "
       "found null",
       "{\"n\":null,\"s\":null}");
  jok("{\"n\":[1,2]}", "{\"n\":[1,2],\"s\":null}");
  json_fini();
  weir_json_options o = {.max_depth = 3};
  JS = ddl("s ARRAY<STRING>");
  cr_assert_eq(weir_json_parser_new(JS, &o, &JP, err, sizeof err), WEIR_OK);
  cr_assert_eq(weir_builder_init(&JB, JS), WEIR_OK);
  jok("{\"s\":[[1]]}", "{\"s\":[\"[1]\"]}"); /* levels 1, 2, 3 */
  jbad("{\"s\":[[[1]]]}", WEIR_ERR_FORMAT, 7, "nesting deeper than 3 levels",
       NULL);
  o.max_depth = 1;
  weir_json_parser_free(JP);
  cr_assert_eq(weir_json_parser_new(JS, &o, &JP, err, sizeof err), WEIR_OK);
  jbad("{\"s\":[]}", WEIR_ERR_FORMAT, 5, "nesting deeper than 1 levels", NULL);
}

Test(array_json, every_prefix_is_refused) {
  const char *rec = "{\"s\":[\"a\",null,\"b\\\"\"],\"n\":[1,2]}";
  json_use("s ARRAY<STRING>, n ARRAY<BIGINT>");
  for (size_t n = 1; n < strlen(rec); n++) {
    char *cut = malloc(n);
    memcpy(cut, rec, n);
    int rc = weir_json_parse_row(JP, cut, n, &JB, &JE);
    cr_assert_eq(rc, WEIR_ERR_FORMAT, "prefix of %zu bytes: rc %d", n, rc);
    free(cut);
  }
  jok(rec, "{\"s\":[\"a\",null,\"b\\\"\"],\"n\":[1,2]}");
}
