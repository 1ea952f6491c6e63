/* test_parquet.c — the SDK's Parquet module: the Thrift compact codec, the
 * RLE / bit-packed hybrid and DELTA_BINARY_PACKED against the spec's
 * examples, and writer → reader round trips (every type, nulls, structs,
 * each codec, dictionary on and off, several row groups and pages),
 * projection rules, and corrupt or truncated files (errors, never crashes).
 * DuckDB checks the files against an independent engine in
 * tests/e2e/parquet_duckdb.sh. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weir/parquet.h"

#include "../../sdk/src/parquet_int.h"

static weir_schema *ddl(const char *text) {
  weir_schema *s = NULL;
  char err[256];
  cr_assert_eq(weir_schema_parse(text, &s, err, sizeof err), WEIR_OK, "%s",
               err);
  return s;
}

/* ---- Thrift compact -------------------------------------------------------
 */

Test(parquet_thrift, round_trip) {
  weir_buf b = WEIR_BUF_INIT;
  tc_writer w;
  tc_init(&w, &b);
  tc_i32(&w, 1, -5);
  tc_i64(&w, 2, INT64_MIN);
  tc_bool(&w, 3, 1);
  tc_binary(&w, 40, "hello", 5); /* a jump of more than 15: long form */
  tc_struct_begin(&w, 41);
  tc_i32(&w, 1, 7);
  tc_struct_end(&w);
  tc_list_begin(&w, 42, TC_I32, 20);
  for (int i = 0; i < 20; i++)
    tc_elem_i32(&w, i * 1000);
  tc_i32(&w, 43, INT32_MAX);
  tc_struct_end(&w);

  tc_reader r = {b.data, b.data + b.len, 0, 0};
  int16_t last = 0, id;
  int t, et;
  cr_assert(tc_next_field(&r, &last, &id, &t));
  cr_assert_eq(id, 1);
  cr_assert_eq(tc_read_int(&r), -5);
  cr_assert(tc_next_field(&r, &last, &id, &t));
  cr_assert_eq(tc_read_int(&r), INT64_MIN);
  cr_assert(tc_next_field(&r, &last, &id, &t));
  cr_assert_eq(t, TC_TRUE);
  cr_assert(tc_next_field(&r, &last, &id, &t));
  cr_assert_eq(id, 40);
  uint32_t n;
  const uint8_t *s = tc_read_binary(&r, &n);
  cr_assert_eq(n, 5);
  cr_assert_eq(memcmp(s, "hello", 5), 0);
  cr_assert(tc_next_field(&r, &last, &id, &t));
  cr_assert_eq(t, TC_STRUCT);
  tc_skip(&r, t); /* unknown fields are skipped whole */
  cr_assert(tc_next_field(&r, &last, &id, &t));
  cr_assert_eq(id, 42);
  cr_assert_eq(tc_read_list(&r, &et), 20);
  for (int i = 0; i < 20; i++)
    cr_assert_eq(tc_read_int(&r), i * 1000);
  cr_assert(tc_next_field(&r, &last, &id, &t));
  cr_assert_eq(id, 43);
  cr_assert_eq(tc_read_int(&r), INT32_MAX);
  cr_assert_not(tc_next_field(&r, &last, &id, &t));
  cr_assert_not(r.bad);
  cr_assert_eq(r.p, r.end);

  /* Every truncation is detected, never read past. */
  for (size_t cut = 0; cut < b.len; cut++) {
    tc_reader q = {b.data, b.data + cut, 0, 0};
    tc_skip(&q, TC_STRUCT);
    cr_assert(q.bad, "cut at %zu not detected", cut);
    cr_assert(q.p <= q.end);
  }
  weir_buf_free(&b);
}

Test(parquet_thrift, hostile_inputs) {
  /* a list claiming 2^32-1 elements in 3 bytes */
  const uint8_t big_list[] = {0xf5, 0xff, 0xff, 0xff, 0xff, 0x0f};
  tc_reader r = {big_list, big_list + sizeof big_list, 0, 0};
  int et;
  cr_assert_eq(tc_read_list(&r, &et), 0);
  cr_assert(r.bad);
  /* an 11-byte varint */
  const uint8_t v[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                       0xff, 0xff, 0xff, 0xff, 0x01};
  tc_reader r2 = {v, v + sizeof v, 0, 0};
  tc_read_varint(&r2);
  cr_assert(r2.bad);
  /* structs nested beyond the limit */
  uint8_t deep[200];
  for (size_t i = 0; i < sizeof deep; i++)
    deep[i] = 0x1c; /* field +1, struct */
  tc_reader r3 = {deep, deep + sizeof deep, 0, 0};
  tc_skip(&r3, TC_STRUCT);
  cr_assert(r3.bad);
}

/* ---- RLE / bit-packing ------------------------------------------------------
 */

static void rle_round_trip(const uint32_t *v, size_t n, int width) {
  weir_buf b = WEIR_BUF_INIT;
  pq_rle_encode(&b, width, v, n);
  pq_rle_dec d;
  pq_rle_dec_init(&d, b.data, b.data + b.len, width);
  uint32_t *out = calloc(n + 16, sizeof *out);
  size_t got = 0;
  while (got < n) {
    long k = pq_rle_get(&d, out + got, 7); /* odd chunk sizes on purpose */
    cr_assert_gt(k, 0, "ended at %zu of %zu", got, n);
    got += (size_t)k;
  }
  for (size_t i = 0; i < n; i++)
    cr_assert_eq(out[i], v[i], "value %zu width %d", i, width);
  free(out);
  weir_buf_free(&b);
}

Test(parquet_rle, round_trips) {
  uint32_t v[3000];
  for (int width = 0; width <= 32; width++) {
    uint64_t mask = width == 32 ? 0xffffffffu : (1u << width) - 1;
    for (size_t i = 0; i < 3000; i++) {
      /* runs, alternations and noise */
      uint64_t x = i < 1000 ? 5 : i < 2000 ? (i * 2654435761u) >> 7 : i / 3;
      v[i] = (uint32_t)(x & mask);
    }
    rle_round_trip(v, 3000, width);
    rle_round_trip(v, 1, width);
    rle_round_trip(v + 1000, 13, width);
  }
}

Test(parquet_rle, spec_example) {
  /* A bit-packed run of 0..7 at width 3: header (1 << 1) | 1 = 3, then the
   * bytes of the spec's example (10001000 11000110 11111010). */
  const uint8_t bytes[] = {0x03, 0x88, 0xc6, 0xfa};
  pq_rle_dec d;
  uint32_t out[8];
  pq_rle_dec_init(&d, bytes, bytes + 4, 3);
  cr_assert_eq(pq_rle_get(&d, out, 8), 8);
  for (uint32_t i = 0; i < 8; i++)
    cr_assert_eq(out[i], i);
  /* An RLE run: 300 times the value 0x1234 at width 13. */
  const uint8_t rle[] = {0xd8, 0x04, 0x34, 0x12};
  uint32_t many[400];
  pq_rle_dec_init(&d, rle, rle + 4, 13);
  cr_assert_eq(pq_rle_get(&d, many, 400), 300);
  cr_assert_eq(many[299], 0x1234);
  /* Truncated RLE value: an error, not a read past the end. */
  pq_rle_dec_init(&d, rle, rle + 3, 13);
  cr_assert_eq(pq_rle_get(&d, many, 400), -1);
}

Test(parquet_delta, spec_examples) {
  /* 1 2 3 4 5: block 128, 4 miniblocks, 5 values, first 1, min delta 1,
   * all widths 0. */
  const uint8_t a[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
  pq_delta_dec d;
  int64_t out[16];
  cr_assert_eq(pq_delta_init(&d, a, a + sizeof a), WEIR_OK);
  cr_assert_eq(pq_delta_get(&d, out, 16), 5);
  for (int i = 0; i < 5; i++)
    cr_assert_eq(out[i], i + 1);
  /* 7 5 3 1 2 3 4 5: min delta -2, width 2 for the first miniblock. */
  uint8_t b[64] = {0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 2, 0, 0, 0, 0xc0, 0x3f};
  cr_assert_eq(pq_delta_init(&d, b, b + 6 + 4 + 8), WEIR_OK);
  cr_assert_eq(pq_delta_get(&d, out, 16), 8);
  const int64_t want[] = {7, 5, 3, 1, 2, 3, 4, 5};
  for (int i = 0; i < 8; i++)
    cr_assert_eq(out[i], want[i]);
  /* Its end is right after the (padded) first miniblock. */
  cr_assert_eq(pq_delta_init(&d, b, b + sizeof b), WEIR_OK);
  cr_assert_eq(pq_delta_end(&d), b + 18);
  /* Cut inside the miniblock: malformed. */
  cr_assert_eq(pq_delta_init(&d, b, b + 11), WEIR_OK);
  cr_assert_eq(pq_delta_get(&d, out, 16), -1);
}

/* ---- writer → reader round trips --------------------------------------------
 */

#define ALL                                                                    \
  "b BOOLEAN, i BIGINT, f DOUBLE, s STRING, bin BINARY, ts TIMESTAMP, "        \
  "st STRUCT<x: BIGINT, inner: STRUCT<y: STRING, t: TIMESTAMP>>, "             \
  "req BIGINT NOT NULL, v VOID"

/* Row i of the test data: every column null now and then, structs too. */
static void put_row(weir_builder *b, int64_t i) {
  char s[32];
  weir_row_begin(b);
  if (i % 7 == 3)
    weir_put_null(b);
  else
    weir_put_bool(b, i % 3 == 0);
  if (i % 11 == 5)
    weir_put_null(b);
  else
    weir_put_int(b, i * 1000003 - 500000000);
  if (i % 13 == 6)
    weir_put_null(b);
  else
    weir_put_float(b, (double)i / 8 - 3.5);
  int n = snprintf(s, sizeof s, "str-%lld", (long long)(i % 50));
  if (i % 5 == 1)
    weir_put_null(b);
  else
    weir_put_string(b, s, (size_t)n);
  if (i % 9 == 2)
    weir_put_null(b);
  else
    weir_put_binary(b, s, (size_t)(n % 4 + 1));
  if (i % 4 == 3)
    weir_put_null(b);
  else
    weir_put_timestamp(b, 1767225600000000LL - i * 999);
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
        weir_put_string(b, "é", 2);
      weir_put_timestamp(b, -i);
    }
  }
  weir_put_int(b, i);
  weir_put_null(b);
}

static char tmpfile_path[64];

static const char *tmp_path(void) {
  snprintf(tmpfile_path, sizeof tmpfile_path, "/tmp/weir-pq-%d.parquet",
           (int)getpid());
  return tmpfile_path;
}

/* Writes n rows (in batches of 1000) with the options, reads them back and
 * compares the batch bytes exactly. */
static void round_trip(const weir_parquet_options *o, int64_t n,
                       int64_t want_groups) {
  weir_schema *s = ddl(ALL);
  char err[512];
  const char *path = tmp_path();
  weir_parquet_writer *w =
      weir_parquet_writer_open(path, s, o, err, sizeof err);
  cr_assert_not_null(w, "%s", err);
  weir_builder in;
  weir_builder_init(&in, s);
  weir_buf all = WEIR_BUF_INIT; /* every row's bytes, in order */
  for (int64_t i = 0; i < n;) {
    weir_builder_reset(&in);
    for (int k = 0; k < 1000 && i < n; k++, i++)
      put_row(&in, i);
    const uint8_t *d;
    size_t len;
    cr_assert_eq(weir_builder_finish(&in, &d, &len), WEIR_OK);
    weir_batch bt = {d, len, in.nrows, s};
    cr_assert_eq(weir_parquet_write_batch(w, &bt, err, sizeof err), WEIR_OK,
                 "%s", err);
    weir_buf_append(&all, in.buf.data + in.rows_at + 5, len - in.rows_at - 5);
  }
  weir_parquet_written wr;
  cr_assert_eq(weir_parquet_writer_close(w, &wr, err, sizeof err), WEIR_OK,
               "%s", err);
  weir_parquet_writer_free(w);
  cr_assert_eq(wr.rows, n);
  if (want_groups >= 0)
    cr_assert_eq(wr.row_groups, want_groups);

  weir_parquet_reader *r = weir_parquet_reader_open(path, err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  cr_assert_eq(weir_parquet_reader_num_rows(r), n);
  cr_assert(weir_schema_equal(weir_parquet_reader_schema(r), s));
  cr_assert_eq(weir_parquet_reader_project(r, s, err, sizeof err), WEIR_OK,
               "%s", err);
  weir_buf got = WEIR_BUF_INIT;
  int64_t k, total = 0;
  weir_builder_reset(&in);
  while ((k = weir_parquet_read_batch(r, &in, 777, err, sizeof err)) > 0) {
    const uint8_t *d;
    size_t len;
    cr_assert_eq(weir_builder_finish(&in, &d, &len), WEIR_OK);
    weir_buf_append(&got, in.buf.data + in.rows_at + 5, len - in.rows_at - 5);
    weir_builder_reset(&in);
    total += k;
  }
  cr_assert_eq(k, 0, "%s", err);
  cr_assert_eq(total, n);
  cr_assert_eq(got.len, all.len);
  cr_assert(all.len == 0 || memcmp(got.data, all.data, all.len) == 0,
            "rows differ");
  weir_parquet_reader_free(r);
  weir_buf_free(&got);
  weir_buf_free(&all);
  weir_builder_free(&in);
  weir_schema_free(s);
  unlink(path);
}

Test(parquet_io, every_type_each_codec) {
  for (int c = 0; c < 4; c++) {
    weir_parquet_options o = WEIR_PARQUET_OPTIONS_INIT;
    o.compression = c;
    round_trip(&o, 5000, 1);
  }
}

Test(parquet_io, dictionary_modes_row_groups_pages) {
  for (int d = 0; d < 3; d++) {
    weir_parquet_options o = WEIR_PARQUET_OPTIONS_INIT;
    o.dictionary = d;
    o.row_group_size = 1500;
    o.page_size = 2000; /* many pages per chunk */
    round_trip(&o, 10001, 7);
  }
  round_trip(NULL, 0, 0); /* an empty file is valid */
}

/* A writer that is asked for a null in a NOT NULL column says which. */
Test(parquet_io, null_in_required_column) {
  weir_schema *s = ddl("a BIGINT NOT NULL");
  char err[512];
  weir_parquet_writer *w =
      weir_parquet_writer_open(tmp_path(), s, NULL, err, sizeof err);
  cr_assert_not_null(w);
  weir_builder b;
  weir_builder_init(&b, s);
  weir_row_begin(&b);
  weir_put_null(&b);
  const uint8_t *d;
  size_t len;
  weir_builder_finish(&b, &d, &len);
  weir_batch bt = {d, len, 1, s};
  cr_assert_eq(weir_parquet_write_batch(w, &bt, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_assert(strstr(err, "column 'a'") && strstr(err, "NOT NULL"), "%s", err);
  cr_assert_neq(weir_parquet_writer_close(w, NULL, err, sizeof err), WEIR_OK);
  weir_parquet_writer_free(w);
  weir_builder_free(&b);
  weir_schema_free(s);
  unlink(tmp_path());
}

/* ---- projection ------------------------------------------------------------
 */

static void write_small(const char *ddl_text, int64_t n) {
  weir_schema *s = ddl(ddl_text);
  char err[512];
  weir_parquet_writer *w =
      weir_parquet_writer_open(tmp_path(), s, NULL, err, sizeof err);
  cr_assert_not_null(w, "%s", err);
  weir_builder b;
  weir_builder_init(&b, s);
  for (int64_t i = 0; i < n; i++)
    put_row(&b, i);
  const uint8_t *d;
  size_t len;
  weir_builder_finish(&b, &d, &len);
  weir_batch bt = {d, len, b.nrows, s};
  cr_assert_eq(weir_parquet_write_batch(w, &bt, err, sizeof err), WEIR_OK, "%s",
               err);
  cr_assert_eq(weir_parquet_writer_close(w, NULL, err, sizeof err), WEIR_OK,
               "%s", err);
  weir_parquet_writer_free(w);
  weir_builder_free(&b);
  weir_schema_free(s);
}

Test(parquet_projection, subset_missing_case_and_structs) {
  write_small(ALL, 20);
  weir_schema *want = ddl("TS TIMESTAMP, nope STRING, st STRUCT<inner: "
                          "STRUCT<zz: BIGINT>>, i DOUBLE");
  char err[512];
  weir_parquet_reader *r =
      weir_parquet_reader_open(tmp_path(), err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  cr_assert_eq(weir_parquet_reader_project(r, want, err, sizeof err), WEIR_OK,
               "%s", err);
  weir_builder b;
  weir_builder_init(&b, want);
  cr_assert_eq(weir_parquet_read_batch(r, &b, 100, err, sizeof err), 20, "%s",
               err);
  const uint8_t *d;
  size_t len;
  cr_assert_eq(weir_builder_finish(&b, &d, &len), WEIR_OK);
  weir_reader rd;
  weir_value c[4], m[1], mm[1];
  cr_assert_eq(weir_reader_open(&rd, d, len), WEIR_OK);
  for (int64_t i = 0; i < 20; i++) {
    cr_assert_eq(weir_reader_next(&rd, c, 4), 1);
    if (i % 4 == 3)
      cr_assert_eq(c[0].type, WEIR_T_NULL);
    else
      cr_assert_eq(c[0].v.ts, 1767225600000000LL - i * 999);
    cr_assert_eq(c[1].type, WEIR_T_NULL);
    if (i % 6 == 5) {
      cr_assert_eq(c[2].type, WEIR_T_NULL, "row %lld", (long long)i);
    } else {
      cr_assert_eq(weir_value_members(&c[2], m, 1), WEIR_OK, "row %lld",
                   (long long)i);
      if (i % 10 == 4) {
        cr_assert_eq(m[0].type, WEIR_T_NULL);
      } else {
        cr_assert_eq(weir_value_members(&m[0], mm, 1), WEIR_OK);
        cr_assert_eq(mm[0].type, WEIR_T_NULL);
      }
    }
    if (i % 11 == 5)
      cr_assert_eq(c[3].type, WEIR_T_NULL);
    else
      cr_assert_eq(c[3].v.f, (double)(i * 1000003 - 500000000));
  }
  weir_builder_free(&b);
  weir_parquet_reader_free(r);
  weir_schema_free(want);
  unlink(tmp_path());
}

Test(parquet_projection, type_mismatch_is_a_clear_error) {
  write_small(ALL, 3);
  weir_schema *want = ddl("s BIGINT");
  char err[512];
  weir_parquet_reader *r =
      weir_parquet_reader_open(tmp_path(), err, sizeof err);
  cr_assert_not_null(r);
  cr_assert_eq(weir_parquet_reader_project(r, want, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_assert(
      strstr(err,
             "column 's' is string in the file, the schema asks for bigint"),
      "%s", err);
  cr_assert(strstr(err, tmp_path()), "%s", err);
  weir_parquet_reader_free(r);
  weir_schema_free(want);
  want = ddl("st BIGINT");
  r = weir_parquet_reader_open(tmp_path(), err, sizeof err);
  cr_assert_eq(weir_parquet_reader_project(r, want, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_assert(strstr(err, "column 'st' is a struct in the file"), "%s", err);
  weir_parquet_reader_free(r);
  weir_schema_free(want);
  unlink(tmp_path());
}

/* ---- corrupt files
 * ------------------------------------------------------------ */

static uint8_t *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f);
  fseek(f, 0, SEEK_END);
  *n = (size_t)ftell(f);
  rewind(f);
  uint8_t *d = malloc(*n);
  cr_assert_eq(fread(d, 1, *n, f), *n);
  fclose(f);
  return d;
}

/* Reads everything; returns 0 or the error. */
static int read_all(const uint8_t *d, size_t n, char *err, size_t errlen) {
  weir_parquet_reader *r =
      weir_parquet_reader_open_mem(d, n, "bad.parquet", err, errlen);
  if (!r)
    return -1;
  weir_builder b;
  weir_builder_init(&b, weir_parquet_reader_schema(r));
  int64_t k;
  while ((k = weir_parquet_read_batch(r, &b, 500, err, errlen)) > 0)
    weir_builder_reset(&b);
  weir_builder_free(&b);
  weir_parquet_reader_free(r);
  return (int)k;
}

Test(parquet_corrupt, truncations_and_flips) {
  weir_parquet_options o = WEIR_PARQUET_OPTIONS_INIT;
  o.row_group_size = 40;
  o.page_size = 300;
  weir_schema *s = ddl(ALL);
  char err[512];
  weir_parquet_writer *w =
      weir_parquet_writer_open(tmp_path(), s, &o, err, sizeof err);
  weir_builder b;
  weir_builder_init(&b, s);
  for (int64_t i = 0; i < 100; i++)
    put_row(&b, i);
  const uint8_t *d;
  size_t len;
  weir_builder_finish(&b, &d, &len);
  weir_batch bt = {d, len, b.nrows, s};
  cr_assert_eq(weir_parquet_write_batch(w, &bt, err, sizeof err), WEIR_OK);
  cr_assert_eq(weir_parquet_writer_close(w, NULL, err, sizeof err), WEIR_OK);
  weir_parquet_writer_free(w);
  size_t n;
  uint8_t *file = slurp(tmp_path(), &n);
  cr_assert_eq(read_all(file, n, err, sizeof err), 0, "%s", err);
  /* Every truncation is an error naming the file. */
  for (size_t cut = 0; cut < n; cut += 1 + cut / 64) {
    uint8_t *t = malloc(cut ? cut : 1);
    memcpy(t, file, cut);
    cr_assert_lt(read_all(t, cut, err, sizeof err), 0, "cut %zu", cut);
    cr_assert(strncmp(err, "bad.parquet: ", 13) == 0, "%s", err);
    free(t);
  }
  /* Flipped bytes: an error or (harmless flips) rows; never a crash. */
  uint8_t *t = malloc(n);
  unsigned seed = 1;
  for (int k = 0; k < 3000; k++) {
    memcpy(t, file, n);
    for (int j = 0; j < 1 + k % 4; j++) {
      seed = seed * 1103515245u + 12345u;
      t[(seed >> 8) % n] ^= (uint8_t)(1u << ((seed >> 4) & 7));
    }
    read_all(t, n, err, sizeof err);
  }
  free(t);
  free(file);
  weir_builder_free(&b);
  weir_schema_free(s);
  unlink(tmp_path());
}

Test(parquet_corrupt, not_parquet) {
  char err[512];
  cr_assert_null(weir_parquet_reader_open_mem("hello world, not parquet", 24,
                                              "x.parquet", err, sizeof err));
  cr_assert(strstr(err, "x.parquet: not a Parquet file"), "%s", err);
  cr_assert_null(
      weir_parquet_reader_open("/nonexistent/y.parquet", err, sizeof err));
  cr_assert(strstr(err, "/nonexistent/y.parquet: cannot open"), "%s", err);
}
