/* tests/unit/test_file_records.c — line → row with Spark's malformed-record
 * modes: PERMISSIVE keeps the fields that converted and puts the line in
 * the corrupt-record column (wherever it is in the schema), DROPMALFORMED
 * and FAILFAST append nothing; csv null_value, header-less token counts,
 * text lines, blank lines, over-long lines; JSON through the SDK parser. */
#include <criterion/criterion.h>
#include <string.h>

#include "weir/weir.h"

#include "../../plugins/file/records.h"

static weir_schema *schema;
static records *rec;
static weir_builder b;
static char why[256];

static void make(int format, int mode, const char *ddl, const char *nullv) {
  char err[256];
  cr_assert_eq(weir_schema_parse(ddl, &schema, err, sizeof err), WEIR_OK, "%s",
               err);
  for (size_t i = 0; i < schema->n; i++)
    schema->fields[i].nullable = true;
  records_cfg cfg = {format,           mode,  schema, "_corrupt_record",
                     {',', '"', '\\'}, nullv, NULL};
  rec = records_new(&cfg, err, sizeof err);
  cr_assert(rec, "%s", err);
  cr_assert_eq(weir_builder_init(&b, schema), WEIR_OK);
}

static void teardown(void) {
  records_free(rec);
  weir_builder_free(&b);
  weir_schema_free(schema);
  rec = NULL;
  schema = NULL;
}
TestSuite(file_records, .fini = teardown);

static int line(const char *s) {
  return records_line(rec, &b, s, strlen(s), 0, why, sizeof why);
}

/* Renders every row built so far as "v,v,v;" with N for null. */
static const char *rows(void) {
  static char out[2048];
  const uint8_t *data;
  size_t len, o = 0;
  weir_reader r;
  weir_value cols[8];
  out[0] = '\0';
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  while (weir_reader_next(&r, cols, schema->n) == 1) {
    for (size_t i = 0; i < schema->n; i++) {
      const weir_value *v = &cols[i];
      char cell[256];
      switch (v->type) {
      case WEIR_T_NULL: snprintf(cell, sizeof cell, "N"); break;
      case WEIR_T_INT:
        snprintf(cell, sizeof cell, "%lld", (long long)v->v.i);
        break;
      case WEIR_T_FLOAT: snprintf(cell, sizeof cell, "%g", v->v.f); break;
      case WEIR_T_BOOL:
        snprintf(cell, sizeof cell, "%s", v->v.b ? "T" : "F");
        break;
      case WEIR_T_TIMESTAMP:
        snprintf(cell, sizeof cell, "@%lld", (long long)v->v.ts);
        break;
      case WEIR_T_STRING:
        snprintf(cell, sizeof cell, "%.*s", (int)v->v.s.len, v->v.s.ptr);
        break;
      default: snprintf(cell, sizeof cell, "?"); break;
      }
      o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", cell,
                            i + 1 < schema->n ? "," : ";");
    }
  }
  return out;
}

Test(file_records, csv_permissive_partial_row_and_corrupt_first) {
  make(FMT_CSV, MODE_PERMISSIVE,
       "_corrupt_record STRING, id BIGINT, name STRING, ok BOOLEAN", "");
  cr_assert_eq(line("1,a,true"), REC_ROW);
  cr_assert_eq(line("x,b,false"), REC_MALFORMED);
  cr_assert(strstr(why, "field 1 (id): 'x' is not a valid bigint"), "%s", why);
  cr_assert_eq(line("3,c"), REC_MALFORMED);
  cr_assert(strstr(why, "expected 3 fields, found 2"), "%s", why);
  cr_assert_eq(line("4,d,true,extra"), REC_MALFORMED);
  cr_assert_eq(line("5,\"open"), REC_MALFORMED);
  cr_assert_eq(line(""), REC_SKIP);
  cr_assert_eq(line("6,,false"), REC_ROW);
  cr_assert_str_eq(rows(), "N,1,a,T;"
                           "x,b,false,N,b,F;"
                           "3,c,3,c,N;"
                           "4,d,true,extra,4,d,T;"
                           "5,\"open,N,N,N;"
                           "N,6,N,F;");
}

Test(file_records, csv_null_value) {
  make(FMT_CSV, MODE_PERMISSIVE, "a STRING, b BIGINT", "NA");
  cr_assert_eq(line("NA,NA"), REC_ROW);
  cr_assert_eq(line(",1"), REC_ROW);
  cr_assert_eq(line("\"NA\",2"), REC_ROW); /* Spark compares the value */
  cr_assert_eq(line("\"\",3"), REC_ROW);   /* quoted empty: a string */
  cr_assert_str_eq(rows(), "N,N;N,1;N,2;,3;");
}

Test(file_records, csv_dropmalformed_and_failfast_append_nothing) {
  make(FMT_CSV, MODE_DROPMALFORMED, "id BIGINT, _corrupt_record STRING", "");
  cr_assert_eq(line("1"), REC_ROW);
  cr_assert_eq(line("one"), REC_MALFORMED);
  cr_assert_str_eq(rows(), "1,N;");
  teardown();
  make(FMT_CSV, MODE_FAILFAST, "id BIGINT", "");
  cr_assert_eq(line("one"), REC_MALFORMED);
  cr_assert_str_eq(rows(), "");
}

Test(file_records, too_long_lines) {
  make(FMT_CSV, MODE_PERMISSIVE, "id BIGINT, _corrupt_record STRING", "");
  cr_assert_eq(records_line(rec, &b, "12345", 5, 1, why, sizeof why),
               REC_MALFORMED);
  cr_assert(strstr(why, "max_record_size"), "%s", why);
  cr_assert_str_eq(rows(), "N,12345;");
}

Test(file_records, text_lines) {
  make(FMT_TEXT, MODE_PERMISSIVE, "value STRING", "");
  cr_assert_eq(line("hello, world"), REC_ROW);
  cr_assert_eq(line(""), REC_ROW); /* Spark's text keeps empty lines */
  cr_assert_str_eq(rows(), "hello, world;;");
}

Test(file_records, schema_checks) {
  weir_schema *s;
  char err[256];
  cr_assert_eq(weir_schema_parse("a STRUCT<x: BIGINT>", &s, err, sizeof err),
               WEIR_OK);
  records_cfg cfg = {FMT_CSV,          0,  s,   "_corrupt_record",
                     {',', '"', '\\'}, "", NULL};
  cr_assert_null(records_new(&cfg, err, sizeof err));
  cr_assert(strstr(err, "struct"), "%s", err);
  weir_schema_free(s);
  cr_assert_eq(weir_schema_parse("a BIGINT, _corrupt_record BIGINT", &s, err,
                                 sizeof err),
               WEIR_OK);
  cfg.schema = s;
  cr_assert_null(records_new(&cfg, err, sizeof err));
  cr_assert(strstr(err, "must be STRING"), "%s", err);
  weir_schema_free(s);
  cr_assert_eq(weir_schema_parse("a BIGINT", &s, err, sizeof err), WEIR_OK);
  cfg.schema = s;
  cfg.format = FMT_TEXT;
  cr_assert_null(records_new(&cfg, err, sizeof err));
  weir_schema_free(s);
}

Test(file_records, json_modes) {
  make(FMT_JSON, MODE_PERMISSIVE,
       "id BIGINT, name STRING, _corrupt_record STRING", "");
  cr_assert_eq(line("{\"id\": 1, \"name\": \"a\", \"extra\": [1]}"), REC_ROW);
  cr_assert_eq(line("   "), REC_SKIP);
  cr_assert_eq(line("{\"id\": \"x\", \"name\": \"b\"}"), REC_MALFORMED);
  cr_assert(strstr(why, "id"), "%s", why);
  cr_assert_eq(line("{broken"), REC_MALFORMED);
  cr_assert_eq(line("{\"name\": 5}"), REC_ROW); /* any value as its text */
  cr_assert_str_eq(rows(), "1,a,N;"
                           "N,b,{\"id\": \"x\", \"name\": \"b\"};"
                           "N,N,{broken;"
                           "N,5,N;");
  teardown();
  make(FMT_JSON, MODE_DROPMALFORMED, "id BIGINT", "");
  cr_assert_eq(line("{\"id\": 2.5}"), REC_MALFORMED);
  cr_assert_eq(line("{\"id\": 2}"), REC_ROW);
  cr_assert_str_eq(rows(), "2;");
}
