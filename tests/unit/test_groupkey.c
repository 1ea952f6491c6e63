/* tests/unit/test_groupkey.c — group keys and aggregates of the
 * `aggregate` operator: canonical key encoding (sdk/src/key.c:
 * one byte string per value whatever msgpack form the batch used), the
 * order emitted groups are sorted by, group_by resolution and keys
 * (groups.c), and the aggregate functions (aggs.c) folded through the
 * runtime's real state store: names and result types as Spark's, null
 * handling, variable-size values, and the load-time errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../../plugins/aggregate/aggs.h"
#include "../../plugins/aggregate/groups.h"
#include "state.h"
#include "weir/key.h"

static weir_value decode(const uint8_t *bytes, size_t n) {
  const uint8_t *p = bytes;
  weir_value v;
  cr_assert_eq(weir_value_decode(&p, bytes + n, &v), WEIR_OK);
  cr_assert_eq(p, bytes + n);
  return v;
}

static void key_of(const uint8_t *bytes, size_t n, weir_buf *out) {
  weir_value v = decode(bytes, n);
  weir_buf_clear(out);
  cr_assert_eq(weir_key_put(out, &v), WEIR_OK);
}

static void assert_same_key(const uint8_t *a, size_t an, const uint8_t *b,
                            size_t bn) {
  weir_buf ka = WEIR_BUF_INIT, kb = WEIR_BUF_INIT;
  key_of(a, an, &ka);
  key_of(b, bn, &kb);
  cr_assert_eq(ka.len, kb.len);
  cr_assert_eq(memcmp(ka.data, kb.data, ka.len), 0);
  weir_buf_free(&ka);
  weir_buf_free(&kb);
}

Test(key, one_encoding_per_value) {
  /* 5 as fixint, int8, int64 */
  const uint8_t i1[] = {0x05}, i2[] = {0xd0, 0x05},
                i3[] = {0xd3, 0, 0, 0, 0, 0, 0, 0, 5};
  assert_same_key(i1, 1, i2, 2);
  assert_same_key(i1, 1, i3, 9);
  /* "ab" as fixstr and str8 */
  const uint8_t s1[] = {0xa2, 'a', 'b'}, s2[] = {0xd9, 2, 'a', 'b'};
  assert_same_key(s1, 3, s2, 4);
  /* 1970-01-01T00:00:07Z as timestamp 32, 64 and 96 */
  const uint8_t t1[] = {0xd6, 0xff, 0, 0, 0, 7},
                t2[] = {0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 7},
                t3[] = {0xc7, 12, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
  assert_same_key(t1, 6, t2, 10);
  assert_same_key(t1, 6, t3, 15);
  /* 1.5 as float32 and float64 */
  const uint8_t f1[] = {0xca, 0x3f, 0xc0, 0, 0},
                f2[] = {0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0};
  assert_same_key(f1, 5, f2, 9);
  /* -0.0 and 0.0; two NaNs (Spark's NormalizeFloatingNumbers) */
  const uint8_t z1[] = {0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0},
                z2[] = {0xcb, 0, 0, 0, 0, 0, 0, 0, 0};
  assert_same_key(z1, 9, z2, 9);
  const uint8_t n1[] = {0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1},
                n2[] = {0xcb, 0xff, 0xf0, 0, 0, 0, 0, 0, 7};
  assert_same_key(n1, 9, n2, 9);
  /* a struct {5, "ab"} as fixarray with int64 / array16 with str8 */
  const uint8_t st1[] = {0x92, 0xd3, 0, 0, 0, 0, 0, 0, 0, 5, 0xa2, 'a', 'b'},
                st2[] = {0xdc, 0, 2, 0x05, 0xd9, 2, 'a', 'b'};
  assert_same_key(st1, sizeof st1, st2, sizeof st2);
}

Test(key, keys_are_valid_values) {
  /* a key is a sequence of batch values: it decodes back to the input */
  weir_buf k = WEIR_BUF_INIT;
  const uint8_t t3[] = {0xc7, 12, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
  key_of(t3, sizeof t3, &k);
  weir_value v = decode(k.data, k.len);
  cr_assert_eq(v.type, WEIR_T_TIMESTAMP);
  cr_assert_eq(v.v.ts, 7000000);
  weir_buf_free(&k);
}

static int cmp_encoded(const uint8_t *a, size_t an, const uint8_t *b,
                       size_t bn) {
  weir_buf ka = WEIR_BUF_INIT, kb = WEIR_BUF_INIT;
  key_of(a, an, &ka);
  key_of(b, bn, &kb);
  int c = weir_key_compare(ka.data, ka.len, kb.data, kb.len);
  weir_buf_free(&ka);
  weir_buf_free(&kb);
  return c;
}

Test(key, order) {
  const uint8_t nil[] = {0xc0}, one[] = {0x01}, two[] = {0x02}, neg[] = {0xff};
  cr_assert_lt(cmp_encoded(nil, 1, one, 1), 0); /* nulls first */
  cr_assert_lt(cmp_encoded(neg, 1, one, 1), 0);
  cr_assert_lt(cmp_encoded(one, 1, two, 1), 0);
  cr_assert_eq(cmp_encoded(two, 1, two, 1), 0);
  const uint8_t a[] = {0xa1, 'a'}, b[] = {0xa1, 'b'}, ba[] = {0xa2, 'b', 'a'},
                hi[] = {0xa1, 0xc3};
  cr_assert_lt(cmp_encoded(a, 2, b, 2), 0);
  cr_assert_lt(cmp_encoded(b, 2, ba, 3), 0);
  cr_assert_lt(cmp_encoded(b, 2, hi, 2), 0); /* unsigned bytes */
  const uint8_t big[] = {0xcb, 0x7f, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                nan[] = {0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0};
  cr_assert_lt(cmp_encoded(big, 9, nan, 9), 0); /* NaN is the largest */
  const uint8_t f[] = {0xc2}, t[] = {0xc3};
  cr_assert_lt(cmp_encoded(f, 1, t, 1), 0);
  /* sequences: the first difference decides */
  const uint8_t s1[] = {0x01, 0xa1, 'b'}, s2[] = {0x02, 0xa1, 'a'},
                s3[] = {0x01, 0xa1, 'c'};
  cr_assert_lt(weir_key_compare(s1, 3, s2, 3), 0);
  cr_assert_lt(weir_key_compare(s1, 3, s3, 3), 0);
  /* event time of a window struct is its end */
  const uint8_t w[] = {0x92, 0xd6, 0xff, 0, 0, 0, 1, 0xd6, 0xff, 0, 0, 0, 9};
  weir_value wv = decode(w, sizeof w);
  cr_assert_eq(weir_key_event_time(&wv), 9000000);
  weir_value nv = decode(nil, 1);
  cr_assert_eq(weir_key_event_time(&nv), WEIR_KEY_NO_TIME);
}

/* ---- groups and aggregates ---------------------------------------------- */

static weir_schema *input_schema(void) {
  weir_schema *s = NULL;
  char err[128];
  cr_assert_eq(weir_schema_parse("ts TIMESTAMP, kind STRING, n BIGINT, "
                                 "x DOUBLE, ok BOOLEAN",
                                 &s, err, sizeof err),
               WEIR_OK, "%s", err);
  s->fields[0].flags = WEIR_FIELD_EVENT_TIME;
  s->fields[0].watermark_delay = 5 * INT64_C(1000000);
  return s;
}

static int resolve_groups(group_spec *g, const char *text,
                          const weir_schema *in, char *err, size_t n) {
  call_list l;
  int rc = call_list_parse(text, &l, err, n);
  if (rc == WEIR_OK)
    rc = groups_resolve(g, &l, in, err, n);
  call_list_free(&l);
  return rc;
}

Test(groups, window_key_and_output) {
  weir_schema *in = input_schema();
  group_spec g;
  char err[512];
  cr_assert_eq(
      resolve_groups(&g, "kind, window(ts, 10 seconds)", in, err, sizeof err),
      WEIR_OK, "%s", err);
  cr_assert_eq(g.ev_kind, EV_WINDOW);
  cr_assert_eq(g.has_window, 1);
  weir_schema *out = weir_schema_new();
  cr_assert_eq(groups_output_fields(&g, out, err, sizeof err), WEIR_OK);
  weir_buf ddl = WEIR_BUF_INIT;
  weir_schema_format(out, &ddl);
  cr_assert_str_eq((char *)ddl.data,
                   "kind STRING, window STRUCT<start: TIMESTAMP, end: "
                   "TIMESTAMP> NOT NULL");
  /* the window keeps the watermark mark of its time column */
  cr_assert_eq(out->fields[1].flags & WEIR_FIELD_EVENT_TIME,
               WEIR_FIELD_EVENT_TIME);
  cr_assert_eq(out->fields[1].watermark_delay, 5 * INT64_C(1000000));
  /* key: window start, then "dog" */
  weir_buf key = WEIR_BUF_INIT;
  int64_t start = 20 * INT64_C(1000000);
  weir_buf_append(&key, &start, 8);
  weir_mp_str(&key, "dog", 3);
  cr_assert_eq(groups_key_time(&g, key.data, key.len), 30 * INT64_C(1000000));
  weir_builder b;
  weir_builder_init(&b, out);
  weir_row_begin(&b);
  groups_put(&g, key.data, key.len, &b);
  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  weir_buf js = WEIR_BUF_INIT;
  weir_reader r;
  weir_value cols[2];
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, cols, 2), 1);
  weir_json_row(&js, out, cols);
  weir_buf_append(&js, "", 1);
  cr_assert_str_eq((char *)js.data,
                   "{\"kind\":\"dog\",\"window\":{\"start\":\"1970-01-01T00:00:"
                   "20.000Z\",\"end\":\"1970-01-01T00:00:30.000Z\"}}");
  weir_buf_free(&js);
  weir_builder_free(&b);
  weir_buf_free(&key);
  weir_buf_free(&ddl);
  weir_schema_free(out);
  groups_free(&g);
  weir_schema_free(in);
}

Test(groups, errors) {
  weir_schema *in = input_schema();
  group_spec g;
  char err[512];
  cr_assert_eq(resolve_groups(&g, "knid", in, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_assert(strstr(err, "unknown column 'knid' (did you mean 'kind'?)"), "%s",
            err);
  groups_free(&g);
  cr_assert_eq(resolve_groups(&g, "window(n, 1 minute)", in, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_assert(strstr(err, "column 'n' is bigint; a window needs a timestamp"),
            "%s", err);
  groups_free(&g);
  cr_assert_eq(resolve_groups(&g, "window(ts, 1 minute), window(ts, 2 minutes)",
                              in, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert(strstr(err, "at most one window"), "%s", err);
  groups_free(&g);
  cr_assert_eq(resolve_groups(&g, "upper(kind)", in, err, sizeof err),
               WEIR_ERR_INVALID);
  groups_free(&g);
  /* a plain watermarked column is an event-time key too */
  cr_assert_eq(resolve_groups(&g, "kind, ts", in, err, sizeof err), WEIR_OK);
  cr_assert_eq(g.ev_kind, EV_COLUMN);
  cr_assert_eq(g.ev_value, 1);
  groups_free(&g);
  weir_schema_free(in);
}

static int resolve_aggs(agg_set *a, const char *text, const weir_schema *in,
                        char *err, size_t n) {
  call_list l;
  int rc = call_list_parse(text, &l, err, n);
  if (rc == WEIR_OK)
    rc = aggs_resolve(a, &l, in, err, n);
  call_list_free(&l);
  return rc;
}

Test(aggs, spark_names_and_types) {
  weir_schema *in = input_schema();
  agg_set a;
  char err[512];
  cr_assert_eq(resolve_aggs(&a,
                            "count, count(*), count(kind), sum(n), sum(x), "
                            "avg(n), mean(x), min(kind), max(ts), first(ok), "
                            "last(x), approx_count_distinct(kind), SUM(n) AS "
                            "total",
                            in, err, sizeof err),
               WEIR_OK, "%s", err);
  weir_schema *out = weir_schema_new();
  cr_assert_eq(aggs_output_fields(&a, out, err, sizeof err), WEIR_OK);
  weir_buf ddl = WEIR_BUF_INIT;
  weir_schema_format(out, &ddl);
  cr_assert_str_eq(
      (char *)ddl.data,
      "count BIGINT NOT NULL, `count(1)` BIGINT NOT NULL, `count(kind)` "
      "BIGINT NOT NULL, `sum(n)` BIGINT, `sum(x)` DOUBLE, `avg(n)` DOUBLE, "
      "`mean(x)` DOUBLE, `min(kind)` STRING, `max(ts)` TIMESTAMP, "
      "`first(ok)` BOOLEAN, `last(x)` DOUBLE, `approx_count_distinct(kind)` "
      "BIGINT NOT NULL, total BIGINT");
  weir_buf_free(&ddl);
  weir_schema_free(out);
  aggs_free(&a);
  weir_schema_free(in);
}

Test(aggs, load_time_errors) {
  weir_schema *in = input_schema();
  agg_set a;
  char err[512];
  cr_assert_eq(resolve_aggs(&a, "sum(kind)", in, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_assert(strstr(err, "column 'kind' is string; sum needs a numeric column"),
            "%s", err);
  aggs_free(&a);
  cr_assert_eq(resolve_aggs(&a, "avg(ts)", in, err, sizeof err),
               WEIR_ERR_SCHEMA);
  aggs_free(&a);
  cr_assert_eq(resolve_aggs(&a, "summ(n)", in, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert(strstr(err, "unknown aggregate function 'summ' (did you mean "
                        "'sum'?)"),
            "%s", err);
  aggs_free(&a);
  cr_assert_eq(resolve_aggs(&a, "max(kidn)", in, err, sizeof err),
               WEIR_ERR_SCHEMA);
  cr_assert(strstr(err, "unknown column 'kidn' (did you mean 'kind'?)"), "%s",
            err);
  aggs_free(&a);
  cr_assert_eq(resolve_aggs(&a, "n", in, err, sizeof err), WEIR_ERR_INVALID);
  cr_assert(strstr(err, "not an aggregate function"), "%s", err);
  aggs_free(&a);
  cr_assert_eq(resolve_aggs(&a, "sum(n, x)", in, err, sizeof err),
               WEIR_ERR_INVALID);
  aggs_free(&a);
  cr_assert_eq(
      resolve_aggs(&a, "approx_count_distinct(n, 0.9)", in, err, sizeof err),
      WEIR_ERR_INVALID);
  aggs_free(&a);
  weir_schema_free(in);
}

/* Folds rows (ts, kind, n, x, ok) into one group and returns its JSON. */
static void fold_rows(const char *aggs_text, const char *const *kinds,
                      const int64_t *ns, const double *xs, int nrows,
                      char *json, size_t jn) {
  weir_schema *in = input_schema();
  agg_set a;
  char err[512];
  cr_assert_eq(resolve_aggs(&a, aggs_text, in, err, sizeof err), WEIR_OK, "%s",
               err);
  store *st = store_new("t", 1);
  weir_state *ws = (weir_state *)st;
  for (int i = 0; i < nrows; i++) {
    weir_value row[5];
    memset(row, 0, sizeof row);
    weir_buf enc = WEIR_BUF_INIT;
    /* values need their raw bytes (variable-size slots copy them) */
    weir_mp_timestamp(&enc, i * INT64_C(1000000));
    size_t o1 = enc.len;
    if (kinds[i])
      weir_mp_str(&enc, kinds[i], strlen(kinds[i]));
    else
      weir_mp_nil(&enc);
    size_t o2 = enc.len;
    if (ns[i] == INT64_MIN)
      weir_mp_nil(&enc);
    else
      weir_mp_int(&enc, ns[i]);
    size_t o3 = enc.len;
    if (isnan(xs[i]))
      weir_mp_nil(&enc);
    else
      weir_mp_float(&enc, xs[i]);
    size_t o4 = enc.len;
    weir_mp_bool(&enc, i % 2);
    size_t offs[6] = {0, o1, o2, o3, o4, enc.len};
    for (int c = 0; c < 5; c++)
      row[c] = decode(enc.data + offs[c], offs[c + 1] - offs[c]);
    void *p;
    int created;
    const void *cur;
    size_t curlen = a.fixed;
    if (weir_state_get(ws, "g", 1, &cur, &curlen) == 0)
      curlen = a.fixed;
    cr_assert_eq(weir_state_upsert(ws, "g", 1, curlen, &p, &created), WEIR_OK);
    uint8_t *acc = p;
    size_t acclen = curlen;
    cr_assert_eq(aggs_update(&a, ws, "g", 1, &acc, &acclen, row), WEIR_OK);
    weir_buf_free(&enc);
  }
  weir_schema *out = weir_schema_new();
  aggs_output_fields(&a, out, err, sizeof err);
  weir_builder b;
  weir_builder_init(&b, out);
  const void *v;
  size_t vl;
  cr_assert_eq(weir_state_get(ws, "g", 1, &v, &vl), 1);
  weir_row_begin(&b);
  aggs_emit(&a, v, vl, &b);
  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  weir_reader r;
  weir_value cols[16];
  cr_assert_eq(weir_reader_open(&r, data, len), WEIR_OK);
  cr_assert_eq(weir_reader_next(&r, cols, out->n), 1);
  weir_buf js = WEIR_BUF_INIT;
  weir_json_row(&js, out, cols);
  snprintf(json, jn, "%.*s", (int)js.len, (char *)js.data);
  weir_buf_free(&js);
  weir_builder_free(&b);
  weir_schema_free(out);
  store_free(st);
  aggs_free(&a);
  weir_schema_free(in);
}

Test(aggs, fold_with_nulls_and_strings) {
  const char *kinds[] = {"bb", NULL, "a", "cccc", NULL};
  const int64_t ns[] = {5, INT64_MIN, -2, 10, INT64_MIN};
  const double xs[] = {1.5, NAN, 2.5, NAN, NAN};
  char json[1024];
  fold_rows("count, count(kind), sum(n), avg(n), sum(x), min(kind), "
            "max(kind), first(kind), last(kind), first(n), last(n), "
            "approx_count_distinct(kind), min(ts), max(ok)",
            kinds, ns, xs, 5, json, sizeof json);
  cr_assert_str_eq(json,
                   "{\"count\":5,\"count(kind)\":3,\"sum(n)\":13,\"avg(n)\":"
                   "4.333333333333333,\"sum(x)\":4.0,\"min(kind)\":\"a\","
                   "\"max(kind)\":\"cccc\",\"first(kind)\":\"bb\","
                   "\"last(kind)\":null,\"first(n)\":5,\"last(n)\":null,"
                   "\"approx_count_distinct(kind)\":3,\"min(ts)\":\"1970-01-"
                   "01T00:00:00.000Z\",\"max(ok)\":true}");
}

Test(aggs, all_null_inputs) {
  const char *kinds[] = {NULL, NULL};
  const int64_t ns[] = {INT64_MIN, INT64_MIN};
  const double xs[] = {NAN, NAN};
  char json[1024];
  fold_rows("count, count(n), sum(n), avg(x), min(kind), first(kind), "
            "approx_count_distinct(n)",
            kinds, ns, xs, 2, json, sizeof json);
  cr_assert_str_eq(json, "{\"count\":2,\"count(n)\":0,\"sum(n)\":null,"
                         "\"avg(x)\":null,\"min(kind)\":null,\"first(kind)\":"
                         "null,\"approx_count_distinct(n)\":0}");
}

Test(aggs, bigint_sum_wraps_as_spark) {
  const char *kinds[] = {"a", "a"};
  const int64_t ns[] = {INT64_MAX, 1};
  const double xs[] = {0, 0};
  char json[256];
  fold_rows("sum(n)", kinds, ns, xs, 2, json, sizeof json);
  cr_assert_str_eq(json, "{\"sum(n)\":-9223372036854775808}");
}
