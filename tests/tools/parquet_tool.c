/* parquet_tool.c — weir's side of the DuckDB cross-checks
 * (tests/e2e/parquet_duckdb.sh):
 *
 *   parquet_tool cases DIR   writes DIR/NAME.parquet with weir's writer for
 *                            every case (types, nulls, structs, codecs,
 *                            dictionary modes, row groups, pages) and
 *                            DIR/NAME.expected: its rows, canonical text;
 *   parquet_tool dump FILE   reads FILE with weir's reader (its own schema)
 *                            and prints its rows as canonical text.
 *
 * Canonical text (the node script prints DuckDB's results the same way):
 * one row a line, values joined by " | "; null; true/false; i:N for
 * integers; d:HEX, the 64 bits of a double (exact, NaN and -0 included);
 * s:HEX and b:HEX, the bytes of a string or binary; t:N, µs since the
 * epoch; {v,v} a struct. Hex keeps escaping rules out of the comparison. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weir/parquet.h"

static void hex(FILE *o, const char *tag, const void *p, size_t n) {
  fputs(tag, o);
  for (size_t i = 0; i < n; i++)
    fprintf(o, "%02x", ((const uint8_t *)p)[i]);
}

static void canon(FILE *o, const weir_field *f, const weir_value *v) {
  switch (v->type) {
  case WEIR_T_NULL: fputs("null", o); return;
  case WEIR_T_BOOL: fputs(v->v.b ? "true" : "false", o); return;
  case WEIR_T_INT:
    if (f->type == WEIR_T_FLOAT) { /* an int in a double column */
      double d = (double)v->v.i;
      uint64_t u;
      memcpy(&u, &d, 8);
      fprintf(o, "d:%016" PRIx64, u);
    } else {
      fprintf(o, "i:%" PRId64, v->v.i);
    }
    return;
  case WEIR_T_FLOAT: {
    uint64_t u;
    memcpy(&u, &v->v.f, 8);
    fprintf(o, "d:%016" PRIx64, u);
    return;
  }
  case WEIR_T_STRING: hex(o, "s:", v->v.s.ptr, v->v.s.len); return;
  case WEIR_T_BINARY: hex(o, "b:", v->v.s.ptr, v->v.s.len); return;
  case WEIR_T_TIMESTAMP: fprintf(o, "t:%" PRId64, v->v.ts); return;
  case WEIR_T_STRUCT: {
    weir_value m[64];
    size_t n = f->fields->n;
    if (n > 64 || weir_value_members(v, m, n) != WEIR_OK) {
      fputs("?", o);
      return;
    }
    fputc('{', o);
    for (size_t i = 0; i < n; i++) {
      if (i)
        fputc(',', o);
      canon(o, &f->fields->fields[i], &m[i]);
    }
    fputc('}', o);
    return;
  }
  case WEIR_T_ARRAY: fputs("?", o); return; /* parquet files hold none */
  }
}

static int dump_rows(FILE *o, const weir_schema *s, const uint8_t *d,
                     size_t len) {
  weir_reader r;
  weir_value c[64];
  int rc;
  if (s->n > 64 || weir_reader_open(&r, d, len) != WEIR_OK)
    return -1;
  while ((rc = weir_reader_next(&r, c, s->n)) == 1) {
    for (size_t i = 0; i < s->n; i++) {
      if (i)
        fputs(" | ", o);
      canon(o, &s->fields[i], &c[i]);
    }
    fputc('\n', o);
  }
  return rc;
}

static int dump(const char *path) {
  char err[512];
  weir_parquet_reader *r = weir_parquet_reader_open(path, err, sizeof err);
  if (!r) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  const weir_schema *s = weir_parquet_reader_schema(r);
  weir_builder b;
  weir_builder_init(&b, s);
  int64_t k;
  while ((k = weir_parquet_read_batch(r, &b, 1000, err, sizeof err)) > 0) {
    const uint8_t *d;
    size_t len;
    weir_builder_finish(&b, &d, &len);
    dump_rows(stdout, s, d, len);
    weir_builder_reset(&b);
  }
  weir_builder_free(&b);
  weir_parquet_reader_free(r);
  if (k < 0) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  return 0;
}

/* ---- cases ------------------------------------------------------------------
 */

#define ALL                                                                    \
  "b BOOLEAN, i BIGINT, f DOUBLE, s STRING, bin BINARY, ts TIMESTAMP, "        \
  "st STRUCT<x: BIGINT, inner: STRUCT<y: STRING, t: TIMESTAMP>>, "             \
  "req BIGINT NOT NULL, v VOID"

static const double specials[] = {0.0,      -0.0,      1e308, -1e-308, 5e-324,
                                  INFINITY, -INFINITY, 0.1,   -2.5};

/* Row i: nulls at different rates per column; `card` distinct strings. */
static void put_row(weir_builder *b, int64_t i, int64_t card) {
  char s[64];
  weir_row_begin(b);
  if (i % 7 == 3)
    weir_put_null(b);
  else
    weir_put_bool(b, i % 3 == 0);
  if (i % 11 == 5)
    weir_put_null(b);
  else if (i == 1)
    weir_put_int(b, INT64_MIN);
  else if (i == 2)
    weir_put_int(b, INT64_MAX);
  else
    weir_put_int(b, i * 1000003 - 500000000);
  if (i % 13 == 6)
    weir_put_null(b);
  else if (i % 17 < 9)
    weir_put_float(b, specials[i % 17]);
  else
    weir_put_float(b, (double)i / 7 - 3.5);
  int n = snprintf(s, sizeof s, "%s-%lld", i % 2 ? "héllo" : "w\t\"q\"",
                   (long long)(i % card));
  if (i % 5 == 1)
    weir_put_null(b);
  else
    weir_put_string(b, i % 97 == 0 ? "" : s, i % 97 == 0 ? 0 : (size_t)n);
  uint8_t bin[4] = {(uint8_t)i, 0, 0xff, (uint8_t)(i >> 8)};
  if (i % 9 == 2)
    weir_put_null(b);
  else
    weir_put_binary(b, bin, (size_t)(i % 5));
  if (i % 4 == 3)
    weir_put_null(b);
  else
    weir_put_timestamp(b, i % 10 == 0 ? -62135596800000000LL + i
                                      : 1767225600123456LL - i * 999);
  if (i % 6 == 5) {
    weir_put_null(b);
  } else {
    weir_put_struct(b, 2);
    if (i % 2)
      weir_put_null(b);
    else
      weir_put_int(b, -i);
    if (i % 10 == 4) {
      weir_put_null(b);
    } else {
      weir_put_struct(b, 2);
      if (i % 3 == 1)
        weir_put_null(b);
      else
        weir_put_string(b, "ü", 2);
      weir_put_timestamp(b, -i);
    }
  }
  weir_put_int(b, i);
  weir_put_null(b);
}

typedef struct wcase {
  const char *name;
  int codec, dict;
  int64_t rows, row_group, page, card;
} wcase;

static const wcase cases[] = {
    {"snappy_auto", WEIR_PARQUET_SNAPPY, WEIR_PARQUET_DICT_AUTO, 3000, 1000, 0,
     40},
    {"none_dict_off", WEIR_PARQUET_NONE, WEIR_PARQUET_DICT_OFF, 2500, 0, 0, 40},
    {"zstd_dict_on", WEIR_PARQUET_ZSTD, WEIR_PARQUET_DICT_ON, 2500, 700, 0, 40},
    {"gzip_pages", WEIR_PARQUET_GZIP, WEIR_PARQUET_DICT_AUTO, 4000, 0, 1024,
     40},
    {"unique_strings", WEIR_PARQUET_SNAPPY, WEIR_PARQUET_DICT_AUTO, 5000, 0, 0,
     1000000},
    {"one_row", WEIR_PARQUET_NONE, WEIR_PARQUET_DICT_ON, 1, 0, 0, 1},
};

static int write_case(const char *dir, const wcase *c) {
  char path[4096], err[512];
  weir_schema *s = NULL;
  if (weir_schema_parse(ALL, &s, err, sizeof err) != WEIR_OK)
    return 1;
  weir_parquet_options o = WEIR_PARQUET_OPTIONS_INIT;
  o.compression = c->codec;
  o.dictionary = c->dict;
  o.row_group_size = c->row_group;
  o.page_size = c->page;
  snprintf(path, sizeof path, "%s/%s.parquet", dir, c->name);
  weir_parquet_writer *w =
      weir_parquet_writer_open(path, s, &o, err, sizeof err);
  snprintf(path, sizeof path, "%s/%s.expected", dir, c->name);
  FILE *exp = fopen(path, "w");
  if (!w || !exp) {
    fprintf(stderr, "%s\n", w ? path : err);
    return 1;
  }
  weir_builder b;
  weir_builder_init(&b, s);
  for (int64_t i = 0; i < c->rows;) {
    weir_builder_reset(&b);
    for (int k = 0; k < 512 && i < c->rows; k++, i++)
      put_row(&b, i, c->card);
    const uint8_t *d;
    size_t len;
    weir_builder_finish(&b, &d, &len);
    weir_batch bt = {d, len, b.nrows, s};
    if (weir_parquet_write_batch(w, &bt, err, sizeof err) != WEIR_OK) {
      fprintf(stderr, "%s\n", err);
      return 1;
    }
    dump_rows(exp, s, d, len);
  }
  weir_parquet_written wr;
  if (weir_parquet_writer_close(w, &wr, err, sizeof err) != WEIR_OK) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  printf("%s rows=%" PRId64 " row_groups=%" PRId64 " bytes=%" PRId64 "\n",
         c->name, wr.rows, wr.row_groups, wr.bytes);
  weir_parquet_writer_free(w);
  weir_builder_free(&b);
  weir_schema_free(s);
  return fclose(exp) != 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "dump") == 0)
    return dump(argv[2]);
  if (argc == 3 && strcmp(argv[1], "cases") == 0) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
      if (write_case(argv[2], &cases[i]))
        return 1;
    return 0;
  }
  fprintf(stderr, "usage: parquet_tool cases DIR | dump FILE\n");
  return 2;
}
