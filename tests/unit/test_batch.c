/* test_batch.c — the batch wire format: builder and reader round trips for
 * every type, every msgpack encoding the reader must accept, copy-through,
 * and robustness against truncated and random bytes. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "weir/batch.h"
#include "weir/json.h"
#include "weir/offset.h"

static weir_schema *ddl(const char *text) {
  weir_schema *s = NULL;
  char err[256];
  int rc = weir_schema_parse(text, &s, err, sizeof err);
  cr_assert_eq(rc, WEIR_OK, "parse %s: %s", text, err);
  return s;
}

#define ALL_TYPES                                                              \
  "b BOOLEAN, i BIGINT, f DOUBLE, s STRING, bin BINARY, ts TIMESTAMP, "        \
  "st STRUCT<x: BIGINT, inner: STRUCT<y: STRING, t: TIMESTAMP>>, v VOID"

/* A batch header by hand: fixarray 3, version 1, the schema, array32 n. */
static void hand_header(weir_buf *b, const weir_schema *s, uint32_t nrows) {
  uint8_t h[5] = {0xdd};
  weir_buf_append(b, "\x93\x01", 2);
  weir_schema_encode(s, b);
  weir__be32(h + 1, nrows);
  weir_buf_append(b, h, 5);
}

/* ---- round trips -------------------------------------------------------- */

Test(batch, every_type_with_nulls) {
  weir_schema *s = ddl(ALL_TYPES);
  weir_builder b;
  cr_assert_eq(weir_builder_init(&b, s), WEIR_OK);
  /* row 0: values */
  weir_row_begin(&b);
  weir_put_bool(&b, true);
  weir_put_int(&b, -1234567890123LL);
  weir_put_float(&b, 3.25);
  weir_put_string(&b, "héllo", 6);
  weir_put_binary(&b, "\x00\xff\x01", 3);
  weir_put_timestamp(&b, 1767225605123456LL);
  weir_put_struct(&b, 2);
  weir_put_int(&b, 7);
  weir_put_struct(&b, 2);
  weir_put_string(&b, "in", 2);
  weir_put_timestamp(&b, -1500000);
  weir_put_null(&b);
  /* row 1: all nulls */
  weir_row_begin(&b);
  for (int i = 0; i < 8; i++)
    weir_put_null(&b);
  /* row 2: a struct with null members */
  weir_row_begin(&b);
  weir_put_bool(&b, false);
  weir_put_int(&b, 0);
  weir_put_float(&b, -0.0);
  weir_put_string(&b, "", 0);
  weir_put_binary(&b, "", 0);
  weir_put_timestamp(&b, 0);
  weir_put_struct(&b, 2);
  weir_put_null(&b);
  weir_put_null(&b);
  weir_put_null(&b);

  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  cr_assert_eq(b.nrows, 3);

  weir_reader r;
  weir_value c[8], m[2], mm[2];
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(r.nrows, 3);
  weir_schema *back;
  size_t used;
  cr_assert_eq(weir_schema_decode(r.schema_raw, r.schema_len, &back, &used),
               WEIR_OK);
  cr_assert_eq(used, r.schema_len);
  cr_assert(weir_schema_equal(s, back));
  weir_schema_free(back);

  cr_assert_eq(weir_reader_next(&r, c, 8), 1);
  cr_assert_eq(c[0].type, WEIR_T_BOOL);
  cr_assert_eq(c[0].v.b, true);
  cr_assert_eq(c[1].type, WEIR_T_INT);
  cr_assert_eq(c[1].v.i, -1234567890123LL);
  cr_assert_eq(c[2].type, WEIR_T_FLOAT);
  cr_assert_eq(c[2].v.f, 3.25);
  cr_assert_eq(c[3].type, WEIR_T_STRING);
  cr_assert_eq(c[3].v.s.len, 6);
  cr_assert_eq(memcmp(c[3].v.s.ptr, "héllo", 6), 0);
  cr_assert_eq(c[4].type, WEIR_T_BINARY);
  cr_assert_eq(c[4].v.s.len, 3);
  cr_assert_eq(memcmp(c[4].v.s.ptr, "\x00\xff\x01", 3), 0);
  cr_assert_eq(c[5].type, WEIR_T_TIMESTAMP);
  cr_assert_eq(c[5].v.ts, 1767225605123456LL);
  cr_assert_eq(c[6].type, WEIR_T_STRUCT);
  cr_assert_eq(c[6].v.nfields, 2);
  cr_assert_eq(c[7].type, WEIR_T_NULL);
  cr_assert_eq(weir_value_members(&c[6], m, 2), WEIR_OK);
  cr_assert_eq(m[0].type, WEIR_T_INT);
  cr_assert_eq(m[0].v.i, 7);
  cr_assert_eq(m[1].type, WEIR_T_STRUCT);
  cr_assert_eq(weir_value_members(&m[1], mm, 2), WEIR_OK);
  cr_assert_eq(mm[0].type, WEIR_T_STRING);
  cr_assert_eq(mm[0].v.s.len, 2);
  cr_assert_eq(memcmp(mm[0].v.s.ptr, "in", 2), 0);
  cr_assert_eq(mm[1].type, WEIR_T_TIMESTAMP);
  cr_assert_eq(mm[1].v.ts, -1500000);
  cr_assert_eq(weir_value_members(&c[6], m, 3), WEIR_ERR_FORMAT);
  cr_assert_eq(weir_value_members(&c[1], m, 0), WEIR_ERR_FORMAT);

  cr_assert_eq(weir_reader_next(&r, c, 8), 1);
  for (int i = 0; i < 8; i++) {
    cr_assert_eq(c[i].type, WEIR_T_NULL, "column %d", i);
    cr_assert_eq(c[i].raw_len, 1);
  }

  cr_assert_eq(weir_reader_next(&r, c, 8), 1);
  cr_assert_eq(c[0].v.b, false);
  cr_assert_eq(c[1].v.i, 0);
  cr_assert(signbit(c[2].v.f));
  cr_assert_eq(c[3].type, WEIR_T_STRING);
  cr_assert_eq(c[3].v.s.len, 0);
  cr_assert_eq(c[4].type, WEIR_T_BINARY);
  cr_assert_eq(c[4].v.s.len, 0);
  cr_assert_eq(c[5].v.ts, 0);
  cr_assert_eq(weir_value_members(&c[6], m, 2), WEIR_OK);
  cr_assert_eq(m[0].type, WEIR_T_NULL);
  cr_assert_eq(m[1].type, WEIR_T_NULL);

  cr_assert_eq(weir_reader_next(&r, c, 8), 0);
  cr_assert_eq(weir_reader_next(&r, c, 8), 0);
  weir_builder_free(&b);
  weir_schema_free(s);
}

Test(batch, exact_bytes) {
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
  cr_assert_eq(memcmp(data, want, len), 0);
  /* reset keeps the header and forgets the rows */
  weir_builder_reset(&b);
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  cr_assert_eq(len, sizeof want - 2);
  cr_assert_eq(memcmp(data, want, 11), 0);
  cr_assert_eq(data[15], 0);
  weir_reader r;
  weir_value v;
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(r.nrows, 0);
  cr_assert_eq(weir_reader_next(&r, &v, 1), 0);
  weir_builder_free(&b);
  weir_schema_free(s);
}

Test(batch, empty_schema_and_many_rows) {
  weir_schema *s = weir_schema_new();
  weir_builder b;
  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_init(&b, s), WEIR_OK);
  for (int i = 0; i < 70000; i++)
    weir_row_begin(&b);
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  weir_reader r;
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(r.nrows, 70000);
  int n = 0, rc;
  while ((rc = weir_reader_next(&r, NULL, 0)) == 1)
    n++;
  cr_assert_eq(rc, 0);
  cr_assert_eq(n, 70000);
  weir_builder_free(&b);
  weir_schema_free(s);
}

static const int64_t int_cases[] = {0,          1,
                                    127,        128,
                                    255,        256,
                                    65535,      65536,
                                    INT32_MAX,  (int64_t)INT32_MAX + 1,
                                    UINT32_MAX, (int64_t)UINT32_MAX + 1,
                                    INT64_MAX,  -1,
                                    -32,        -33,
                                    -128,       -129,
                                    -32768,     -32769,
                                    INT32_MIN,  (int64_t)INT32_MIN - 1,
                                    INT64_MIN};

Test(batch, ints_round_trip) {
  weir_schema *s = ddl("i BIGINT NOT NULL");
  weir_builder b;
  const uint8_t *data;
  size_t len, n = sizeof int_cases / sizeof int_cases[0];
  weir_builder_init(&b, s);
  for (size_t i = 0; i < n; i++) {
    weir_row_begin(&b);
    weir_put_int(&b, int_cases[i]);
  }
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  weir_reader r;
  weir_value v;
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  for (size_t i = 0; i < n; i++) {
    cr_assert_eq(weir_reader_next(&r, &v, 1), 1);
    cr_assert_eq(v.type, WEIR_T_INT);
    cr_assert_eq(v.v.i, int_cases[i], "case %zu", i);
  }
  cr_assert_eq(weir_reader_next(&r, &v, 1), 0);
  weir_builder_free(&b);
  weir_schema_free(s);
}

/* Decodes one hand-encoded value. */
static int dec(const char *bytes, size_t n, weir_value *v) {
  const uint8_t *p = (const uint8_t *)bytes;
  int rc = weir_value_decode(&p, p + n, v);
  if (rc == WEIR_OK)
    cr_assert_eq(p, (const uint8_t *)bytes + n, "consumed all of it");
  return rc;
}

Test(batch, every_msgpack_int_width) {
  weir_value v;
  cr_assert_eq(dec("\xcc\xff", 2, &v), WEIR_OK);
  cr_assert_eq(v.v.i, 255);
  cr_assert_eq(dec("\xcd\xff\xfe", 3, &v), WEIR_OK);
  cr_assert_eq(v.v.i, 65534);
  cr_assert_eq(dec("\xce\xff\xff\xff\xff", 5, &v), WEIR_OK);
  cr_assert_eq(v.v.i, 4294967295LL);
  cr_assert_eq(dec("\xcf\x7f\xff\xff\xff\xff\xff\xff\xff", 9, &v), WEIR_OK);
  cr_assert_eq(v.v.i, INT64_MAX);
  cr_assert_eq(dec("\xcf\x80\x00\x00\x00\x00\x00\x00\x00", 9, &v),
               WEIR_ERR_FORMAT);
  cr_assert_eq(dec("\xd0\x80", 2, &v), WEIR_OK);
  cr_assert_eq(v.v.i, -128);
  cr_assert_eq(dec("\xd1\x80\x00", 3, &v), WEIR_OK);
  cr_assert_eq(v.v.i, -32768);
  cr_assert_eq(dec("\xd2\x80\x00\x00\x00", 5, &v), WEIR_OK);
  cr_assert_eq(v.v.i, INT32_MIN);
  cr_assert_eq(dec("\xd3\x80\x00\x00\x00\x00\x00\x00\x00", 9, &v), WEIR_OK);
  cr_assert_eq(v.v.i, INT64_MIN);
  cr_assert_eq(dec("\xe0", 1, &v), WEIR_OK);
  cr_assert_eq(v.v.i, -32);
  cr_assert_eq(dec("\x7f", 1, &v), WEIR_OK);
  cr_assert_eq(v.v.i, 127);
  cr_assert_eq(v.raw_len, 1);
}

Test(batch, floats_and_bools) {
  weir_value v;
  cr_assert_eq(dec("\xca\x3f\xc0\x00\x00", 5, &v), WEIR_OK); /* 1.5f */
  cr_assert_eq(v.type, WEIR_T_FLOAT);
  cr_assert_eq(v.v.f, 1.5);
  cr_assert_eq(dec("\xcb\x40\x09\x21\xfb\x54\x44\x2d\x18", 9, &v), WEIR_OK);
  cr_assert_eq(v.v.f, 3.141592653589793);
  cr_assert_eq(dec("\xc3", 1, &v), WEIR_OK);
  cr_assert_eq(v.type, WEIR_T_BOOL);
  cr_assert_eq(v.v.b, true);
  cr_assert_eq(dec("\xc2", 1, &v), WEIR_OK);
  cr_assert_eq(v.v.b, false);
  cr_assert_eq(dec("\xc0", 1, &v), WEIR_OK);
  cr_assert_eq(v.type, WEIR_T_NULL);
}

Test(batch, rejects_non_weir_values) {
  weir_value v;
  cr_assert_eq(dec("\x80", 1, &v), WEIR_ERR_FORMAT);         /* map */
  cr_assert_eq(dec("\xde\x00\x00", 3, &v), WEIR_ERR_FORMAT); /* map16 */
  cr_assert_eq(dec("\xc1", 1, &v), WEIR_ERR_FORMAT);         /* never used */
  cr_assert_eq(dec("\xd4\x01\x00", 3, &v), WEIR_ERR_FORMAT); /* fixext1 */
  cr_assert_eq(dec("\xd6\x01\0\0\0\0", 6, &v), WEIR_ERR_FORMAT); /* ext 1 */
  cr_assert_eq(dec("\xc7\x0c\x01"
                   "123456789012",
                   15, &v),
               WEIR_ERR_FORMAT);
  cr_assert_eq(dec("\xc7\x0b\xff"
                   "12345678901",
                   14, &v),
               WEIR_ERR_FORMAT);
  cr_assert_eq(dec("\x91\x80", 2, &v), WEIR_ERR_FORMAT); /* map in a struct */
  cr_assert_eq(dec("", 0, &v), WEIR_ERR_FORMAT);
}

static void check_len(size_t n, int bin, uint8_t head) {
  char *s = malloc(n + 1);
  for (size_t i = 0; i < n; i++)
    s[i] = (char)('a' + i % 26);
  weir_buf b = WEIR_BUF_INIT;
  if (bin)
    weir_mp_bin(&b, s, n);
  else
    weir_mp_str(&b, s, n);
  cr_assert_eq(b.data[0], head, "len %zu bin %d: head 0x%02x", n, bin,
               b.data[0]);
  weir_value v;
  const uint8_t *p = b.data;
  cr_assert_eq(weir_value_decode(&p, b.data + b.len, &v), WEIR_OK);
  cr_assert_eq(v.type, bin ? WEIR_T_BINARY : WEIR_T_STRING);
  cr_assert_eq(v.v.s.len, n);
  cr_assert_eq(memcmp(v.v.s.ptr, s, n), 0);
  cr_assert_eq(v.raw_len, b.len);
  /* one byte short is an error, never a read past the end */
  p = b.data;
  cr_assert_eq(weir_value_decode(&p, b.data + b.len - 1, &v), WEIR_ERR_FORMAT);
  weir_buf_free(&b);
  free(s);
}

Test(batch, string_and_binary_lengths) {
  check_len(0, 0, 0xa0);
  check_len(31, 0, 0xbf);
  check_len(32, 0, 0xd9);
  check_len(255, 0, 0xd9);
  check_len(256, 0, 0xda);
  check_len(65535, 0, 0xda);
  check_len(65536, 0, 0xdb);
  check_len(0, 1, 0xc4);
  check_len(31, 1, 0xc4);
  check_len(255, 1, 0xc4);
  check_len(256, 1, 0xc5);
  check_len(65536, 1, 0xc6);
}

Test(batch, strings_in_a_batch) {
  static const size_t lens[] = {0, 31, 32, 255, 256, 65536};
  weir_schema *s = ddl("s STRING, b BINARY");
  weir_builder b;
  char *big = malloc(65537);
  for (size_t i = 0; i < 65537; i++)
    big[i] = (char)(i * 7);
  weir_builder_init(&b, s);
  for (size_t i = 0; i < 6; i++) {
    weir_row_begin(&b);
    weir_put_string(&b, big, lens[i]);
    weir_put_binary(&b, big + 1, lens[i]);
  }
  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  weir_reader r;
  weir_value c[2];
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  for (size_t i = 0; i < 6; i++) {
    cr_assert_eq(weir_reader_next(&r, c, 2), 1);
    cr_assert_eq(c[0].type, WEIR_T_STRING);
    cr_assert_eq(c[0].v.s.len, lens[i]);
    cr_assert_eq(memcmp(c[0].v.s.ptr, big, lens[i]), 0);
    cr_assert_eq(c[1].type, WEIR_T_BINARY);
    cr_assert_eq(c[1].v.s.len, lens[i]);
    cr_assert_eq(memcmp(c[1].v.s.ptr, big + 1, lens[i]), 0);
  }
  cr_assert_eq(weir_reader_next(&r, c, 2), 0);
  free(big);
  weir_builder_free(&b);
  weir_schema_free(s);
}

/* ---- timestamps --------------------------------------------------------- */

static const int64_t ts_cases[] = {
    0,
    1,
    999999,
    1000000,
    1767225605123456LL,
    -1,
    -999999,
    -1000000,
    -1000001,
    -1500000,
    -86400000000LL * 365 * 100 - 7,
    (INT64_C(1) << 34) * 1000000 - 1, /* last timestamp64 second */
    (INT64_C(1) << 34) * 1000000,     /* first that needs timestamp96 */
    INT64_MAX,
    INT64_MIN,
    INT64_MIN + 1,
};

Test(batch, timestamps_round_trip) {
  size_t n = sizeof ts_cases / sizeof ts_cases[0];
  for (size_t i = 0; i < n; i++) {
    weir_buf b = WEIR_BUF_INIT;
    weir_mp_timestamp(&b, ts_cases[i]);
    int64_t t = ts_cases[i];
    int wide = t < 0 || t >= (INT64_C(1) << 34) * 1000000;
    cr_assert_eq(b.len, wide ? 15u : 10u, "case %zu", i);
    weir_value v;
    const uint8_t *p = b.data;
    cr_assert_eq(weir_value_decode(&p, b.data + b.len, &v), WEIR_OK, "case %zu",
                 i);
    cr_assert_eq(v.type, WEIR_T_TIMESTAMP);
    cr_assert_eq(v.v.ts, t, "case %zu: %lld != %lld", i, (long long)v.v.ts,
                 (long long)t);
    weir_buf_free(&b);
  }
}

Test(batch, timestamp_encodings) {
  weir_value v;
  /* timestamp32: 5 s */
  cr_assert_eq(dec("\xd6\xff\x00\x00\x00\x05", 6, &v), WEIR_OK);
  cr_assert_eq(v.type, WEIR_T_TIMESTAMP);
  cr_assert_eq(v.v.ts, 5000000);
  /* timestamp32: the largest uint32 second */
  cr_assert_eq(dec("\xd6\xff\xff\xff\xff\xff", 6, &v), WEIR_OK);
  cr_assert_eq(v.v.ts, 4294967295LL * 1000000);
  /* timestamp64: 1 s + 123456789 ns: ns << 34 | s */
  {
    uint8_t b[10] = {0xd7, 0xff};
    weir__be64(b + 2, (UINT64_C(123456789) << 34) | 1);
    cr_assert_eq(dec((const char *)b, 10, &v), WEIR_OK);
    cr_assert_eq(v.v.ts, 1123456);
    weir__be64(b + 2, (UINT64_C(1000000000) << 34) | 1);
    cr_assert_eq(dec((const char *)b, 10, &v), WEIR_ERR_FORMAT);
  }
  /* timestamp96: -1 s + 500000000 ns = -0.5 s; floor for sub-µs parts */
  {
    uint8_t b[15] = {0xc7, 12, 0xff};
    weir__be32(b + 3, 500000000);
    weir__be64(b + 7, (uint64_t)INT64_C(-1));
    cr_assert_eq(dec((const char *)b, 15, &v), WEIR_OK);
    cr_assert_eq(v.v.ts, -500000);
    weir__be32(b + 3, 999);
    weir__be64(b + 7, (uint64_t)INT64_C(-2));
    cr_assert_eq(dec((const char *)b, 15, &v), WEIR_OK);
    cr_assert_eq(v.v.ts, -2000000);
    weir__be32(b + 3, 0);
    weir__be64(b + 7, (uint64_t)(INT64_MAX / 1000000 + 1)); /* overflows µs */
    cr_assert_eq(dec((const char *)b, 15, &v), WEIR_ERR_FORMAT);
    weir__be64(b + 7, (uint64_t)INT64_MIN);
    cr_assert_eq(dec((const char *)b, 15, &v), WEIR_ERR_FORMAT);
    weir__be32(b + 3, 1000000000);
    weir__be64(b + 7, 0);
    cr_assert_eq(dec((const char *)b, 15, &v), WEIR_ERR_FORMAT);
  }
}

/* ---- copy-through ------------------------------------------------------- */

static void build_sample(weir_builder *b, int rows) {
  for (int i = 0; i < rows; i++) {
    weir_row_begin(b);
    if (i % 3 == 0)
      weir_put_null(b);
    else
      weir_put_timestamp(b, (int64_t)i * 1000003 - 5000000);
    weir_put_int(b, i * 977 - 3000);
    char s[32];
    int n = snprintf(s, sizeof s, "row-%d", i);
    weir_put_string(b, s, (size_t)n);
    weir_put_struct(b, 2);
    weir_put_float(b, i * 0.25 - 3);
    if (i % 2)
      weir_put_binary(b, s, (size_t)n);
    else
      weir_put_null(b);
  }
}

#define SAMPLE                                                                 \
  "ts TIMESTAMP, n BIGINT, s STRING, st STRUCT<f: DOUBLE, b: BINARY>"

Test(batch, copy_rows_and_values_through) {
  weir_schema *s = ddl(SAMPLE);
  weir_builder src, raw_rows, raw_vals, decoded;
  const uint8_t *d0, *d1, *d2, *d3;
  size_t l0, l1, l2, l3;
  weir_builder_init(&src, s);
  weir_builder_init(&raw_rows, s);
  weir_builder_init(&raw_vals, s);
  weir_builder_init(&decoded, s);
  build_sample(&src, 500);
  cr_assert_eq(weir_builder_finish(&src, &d0, &l0), WEIR_OK);

  weir_reader r;
  weir_value c[4];
  cr_assert_eq(weir_reader_open(&r, d0, l0), WEIR_OK);
  int rc;
  while ((rc = weir_reader_next(&r, c, 4)) == 1) {
    weir_put_row_raw(&raw_rows, r.row_raw, r.row_len);
    weir_row_begin(&raw_vals);
    weir_row_begin(&decoded);
    for (int i = 0; i < 4; i++) {
      weir_put_raw(&raw_vals, c[i].raw, c[i].raw_len);
      weir_put_value(&decoded, &c[i]);
    }
  }
  cr_assert_eq(rc, 0);
  cr_assert_eq(weir_builder_finish(&raw_rows, &d1, &l1), WEIR_OK);
  cr_assert_eq(weir_builder_finish(&raw_vals, &d2, &l2), WEIR_OK);
  cr_assert_eq(weir_builder_finish(&decoded, &d3, &l3), WEIR_OK);
  cr_assert_eq(l1, l0);
  cr_assert_eq(memcmp(d0, d1, l0), 0);
  cr_assert_eq(l2, l0);
  cr_assert_eq(memcmp(d0, d2, l0), 0);
  cr_assert_eq(l3, l0);
  cr_assert_eq(memcmp(d0, d3, l0), 0);

  /* a struct without its bytes cannot be put: the batch fails */
  weir_value bad = {.type = WEIR_T_STRUCT};
  weir_builder_reset(&decoded);
  weir_row_begin(&decoded);
  weir_put_value(&decoded, &bad);
  cr_assert_eq(weir_builder_finish(&decoded, &d3, &l3), WEIR_ERR_INVALID);
  weir_builder_reset(&decoded);
  cr_assert_eq(weir_builder_finish(&decoded, &d3, &l3), WEIR_OK);

  weir_builder_free(&src);
  weir_builder_free(&raw_rows);
  weir_builder_free(&raw_vals);
  weir_builder_free(&decoded);
  weir_schema_free(s);
}

/* ---- malformed batches -------------------------------------------------- */

Test(batch, header_errors) {
  weir_schema *s = ddl("a BIGINT");
  weir_reader r;
  weir_value v;
  weir_buf b = WEIR_BUF_INIT;
  cr_assert_eq(weir_reader_open(&r, "", 0), WEIR_ERR_FORMAT);
  cr_assert_eq(weir_reader_open(&r, NULL, 0), WEIR_ERR_FORMAT);
  /* version 2 */
  weir_buf_append(&b, "\x93\x02\x90\x90", 4);
  cr_assert_eq(weir_reader_open(&r, b.data, b.len), WEIR_ERR_FORMAT);
  weir_buf_clear(&b);
  /* a map instead of the array */
  weir_buf_append(&b, "\x83\x01\x90\x90", 4);
  cr_assert_eq(weir_reader_open(&r, b.data, b.len), WEIR_ERR_FORMAT);
  weir_buf_clear(&b);
  /* any array header is accepted for the rows, fixarray included */
  weir_buf_append(&b, "\x93\x01\x90\x92\x90\x90", 6);
  cr_assert_eq(weir_reader_open(&r, b.data, b.len), WEIR_OK);
  cr_assert_eq(r.nrows, 2);
  cr_assert_eq(weir_reader_next(&r, NULL, 0), 1);
  cr_assert_eq(weir_reader_next(&r, NULL, 0), 1);
  cr_assert_eq(weir_reader_next(&r, NULL, 0), 0);
  weir_buf_clear(&b);
  /* a row count that cannot fit in the bytes */
  hand_header(&b, s, 1000);
  weir_buf_append(&b, "\x91\x01", 2);
  cr_assert_eq(weir_reader_open(&r, b.data, b.len), WEIR_ERR_FORMAT);
  weir_buf_clear(&b);
  /* wrong column count, reported again on every call */
  hand_header(&b, s, 1);
  weir_buf_append(&b, "\x92\x01\x02", 3);
  cr_assert_eq(weir_reader_open(&r, b.data, b.len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, &v, 1), WEIR_ERR_FORMAT);
  cr_assert_eq(weir_reader_next(&r, &v, 1), WEIR_ERR_FORMAT);
  weir_buf_clear(&b);
  /* trailing bytes after the last row */
  hand_header(&b, s, 1);
  weir_buf_append(&b, "\x91\x01\x00", 3);
  cr_assert_eq(weir_reader_open(&r, b.data, b.len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, &v, 1), 1);
  cr_assert_eq(weir_reader_next(&r, &v, 1), WEIR_ERR_FORMAT);
  weir_buf_free(&b);
  weir_schema_free(s);
}

Test(batch, deep_nesting_is_bounded) {
  weir_buf b = WEIR_BUF_INIT;
  weir_value v;
  const uint8_t *p;
  for (int i = 0; i < 10; i++)
    weir_mp_array(&b, 1);
  weir_mp_nil(&b);
  p = b.data;
  cr_assert_eq(weir_value_decode(&p, b.data + b.len, &v), WEIR_OK);
  cr_assert_eq(v.raw_len, 11);
  weir_buf_clear(&b);
  for (int i = 0; i < 100000; i++)
    weir_mp_array(&b, 1);
  weir_mp_nil(&b);
  p = b.data;
  cr_assert_eq(weir_value_decode(&p, b.data + b.len, &v), WEIR_ERR_FORMAT);
  p = b.data;
  cr_assert_eq(weir_mp_skip(&p, b.data + b.len), WEIR_ERR_FORMAT);
  weir_buf_free(&b);
}

static const uint8_t *sample_batch(weir_builder *b, weir_schema **s,
                                   size_t *len, int rows) {
  const uint8_t *data;
  *s = ddl(SAMPLE);
  weir_builder_init(b, *s);
  build_sample(b, rows);
  cr_assert_eq(weir_builder_finish(b, &data, len), WEIR_OK);
  return data;
}

/* Reads everything it can; returns 1 when the batch read to its end. */
static int read_all(const uint8_t *data, size_t len, size_t ncols,
                    const weir_schema *s) {
  weir_reader r;
  weir_value c[4], m[2];
  weir_buf json = WEIR_BUF_INIT;
  int rc;
  if (weir_reader_open(&r, data, len) != WEIR_OK)
    return 0;
  while ((rc = weir_reader_next(&r, c, ncols)) == 1) {
    /* plain checks: Criterion asserts are too slow for 100k iterations */
    for (size_t i = 0; i < ncols; i++) {
      if (c[i].raw < (const uint8_t *)data ||
          c[i].raw + c[i].raw_len > (const uint8_t *)data + len)
        cr_assert_fail("value %zu outside the batch", i);
      if (c[i].type == WEIR_T_STRUCT && c[i].v.nfields == 2 &&
          weir_value_members(&c[i], m, 2) != WEIR_OK)
        cr_assert_fail("members of a decoded struct do not decode");
    }
    weir_buf_clear(&json);
    weir_json_row(&json, s, c);
  }
  weir_buf_free(&json);
  return rc == 0;
}

Test(batch, every_truncation_fails_cleanly) {
  weir_builder b;
  weir_schema *s;
  size_t len;
  const uint8_t *data = sample_batch(&b, &s, &len, 40);
  cr_assert_eq(read_all(data, len, 4, s), 1);
  for (size_t n = 0; n < len; n++) {
    /* a copy of exactly n bytes, so ASan sees any read past the end */
    uint8_t *cut = malloc(n ? n : 1);
    memcpy(cut, data, n);
    cr_assert_eq(read_all(cut, n, 4, s), 0, "truncated at %zu of %zu", n, len);
    free(cut);
  }
  weir_builder_free(&b);
  weir_schema_free(s);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void poke_everything(const uint8_t *data, size_t len,
                            const weir_schema *s) {
  read_all(data, len, 4, s);
  const uint8_t *p = data;
  weir_mp_skip(&p, data + len);
  weir_schema *back = NULL;
  if (weir_schema_decode(data, len, &back, NULL) == WEIR_OK)
    weir_schema_free(back);
  weir_buf j = WEIR_BUF_INIT;
  weir_json_from_msgpack(&j, data, len);
  weir_buf_free(&j);
  weir_value v;
  int64_t i;
  weir_map_find(data, len, "rows", &v);
  weir_map_int(data, len, "n", &i);
}

Test(batch, random_and_mutated_bytes_never_crash) {
  weir_builder b;
  weir_schema *s;
  size_t len;
  const uint8_t *data = sample_batch(&b, &s, &len, 12);
  uint8_t *buf = malloc(len + 64);
  int fully_read = 0;
  for (int iter = 0; iter < 100000; iter++) {
    size_t n;
    uint64_t kind = next_rand() % 4;
    if (kind == 0) {
      /* pure noise, mostly short, starting like a batch half of the time */
      n = next_rand() % 64;
      for (size_t k = 0; k < n; k++)
        buf[k] = (uint8_t)next_rand();
      if (n > 2 && next_rand() % 2)
        buf[0] = 0x93, buf[1] = 0x01;
    } else {
      /* the sample with a few bytes changed, dropped or inserted */
      memcpy(buf, data, len);
      n = len;
      int edits = 1 + (int)(next_rand() % 4);
      for (int e = 0; e < edits; e++) {
        size_t at = next_rand() % n;
        if (kind == 1 || n < 2)
          buf[at] = (uint8_t)next_rand();
        else if (kind == 2)
          buf[at] ^= (uint8_t)(1u << (next_rand() % 8));
        else if (next_rand() % 2) {
          memmove(buf + at, buf + at + 1, n - at - 1);
          n--;
        } else if (n < len + 63) {
          memmove(buf + at + 1, buf + at, n - at);
          buf[at] = (uint8_t)next_rand();
          n++;
        }
      }
    }
    uint8_t *exact = malloc(n ? n : 1);
    memcpy(exact, buf, n);
    poke_everything(exact, n, s);
    fully_read += read_all(exact, n, 4, s);
    free(exact);
  }
  /* Some mutations only change a value's bytes: such batches stay valid. */
  cr_assert_gt(fully_read, 0);
  free(buf);
  weir_builder_free(&b);
  weir_schema_free(s);
}

/* ---- the byte buffer ---------------------------------------------------- */

Test(buf, append_printf_and_growth) {
  weir_buf b = WEIR_BUF_INIT;
  weir_buf_printf(&b, "%s-%d", "abc", 42);
  cr_assert_eq(b.len, 6);
  cr_assert_str_eq((const char *)b.data, "abc-42");
  for (int i = 0; i < 1000; i++)
    weir_buf_printf(&b, "%04d", i);
  cr_assert_eq(b.len, 6 + 4000);
  cr_assert_eq(b.data[b.len], 0);
  cr_assert_eq(memcmp(b.data + b.len - 8, "09980999", 8), 0);
  size_t cap = b.cap;
  weir_buf_clear(&b);
  cr_assert_eq(b.len, 0);
  cr_assert_eq(b.cap, cap);
  weir_buf_append(&b, "xy", 2);
  weir__put_slow(&b, "z", 1);
  cr_assert_eq(b.len, 3);
  cr_assert_eq(memcmp(b.data, "xyz", 3), 0);
  cr_assert_eq(weir_buf_reserve(&b, SIZE_MAX), WEIR_ERR_NOMEM);
  cr_assert_eq(b.err, WEIR_ERR_NOMEM);
  cr_assert_eq(b.len, 3);
  weir_buf_free(&b);
  cr_assert_null(b.data);
  cr_assert_eq(b.len, 0);
  cr_assert_eq(b.err, 0);
}

Test(error, names) {
  cr_assert_str_eq(weir_err_name(WEIR_ERR_FORMAT), "WEIR_ERR_FORMAT");
  cr_assert_str_eq(weir_err_name(WEIR_OK), "WEIR_OK");
  cr_assert_str_eq(weir_err_name(-99), "WEIR_ERR_UNKNOWN");
  cr_assert_str_eq(weir_err_str(WEIR_ERR_FORMAT), "malformed data");
  cr_assert_str_eq(weir_err_str(WEIR_ERR_NOMEM), "out of memory");
  cr_assert_str_eq(weir_err_str(42), "unknown error");
  for (int c = 0; c >= WEIR_ERR_INTERNAL; c--)
    cr_assert_neq(strcmp(weir_err_name(c), "WEIR_ERR_UNKNOWN"), 0);
}
