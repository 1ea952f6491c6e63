/* tests/unit/test_select_plugin.c — the select operator as the runtime sees
 * it: build/plugins/select.so (or $BUILD/plugins/select.so) opened with
 * dlopen and driven through a fake host: descriptor and options table,
 * passthrough without a copy, filter + projection split at max_batch_rows,
 * filter-only row copies, current_timestamp() from the epoch, and errors
 * reported through the host. The expression language itself is tested in
 * test_select_expr.c. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

#define T0 INT64_C(1767225600000000) /* 2026-01-01 00:00:00 UTC */

static weir_schema *parse_schema(const char *ddl) {
  weir_schema *s = NULL;
  char err[256];
  int rc = weir_schema_parse(ddl, &s, err, sizeof err);
  cr_assert_eq(rc, WEIR_OK, "schema: %s", err);
  return s;
}

static char host_err[1024];
static int host_code;
static weir_buf emitted[8];
static const void *emitted_ptr[8];
static int nemitted;

static void h_set_error(weir_ctx *c, int code, const char *msg) {
  (void)c;
  host_code = code;
  snprintf(host_err, sizeof host_err, "%s", msg);
}
static void h_log(weir_ctx *c, int level, const char *msg) {
  (void)c, (void)level, (void)msg;
}
static int h_emit(weir_ctx *c, const void *b, size_t len) {
  (void)c;
  cr_assert_lt(nemitted, 8);
  emitted_ptr[nemitted] = b;
  weir_buf_append(&emitted[nemitted++], b, len);
  return WEIR_OK;
}
static void h_epoch_info(weir_ctx *c, weir_epoch_info *out) {
  (void)c;
  out->epoch = 3;
  out->processing_time = T0 + 7000000;
}
static int64_t h_now(weir_ctx *c) {
  (void)c;
  return 0;
}
static void h_metric(weir_ctx *c, int m, int64_t v) {
  (void)c, (void)m, (void)v;
}
static void h_event_time(weir_ctx *c, int64_t a, int64_t b, double s,
                         int64_t n) {
  (void)c, (void)a, (void)b, (void)s, (void)n;
}

/* Designated: the host table only ever grows at the end. */
static const weir_host host = {.struct_size = sizeof(weir_host),
                               .abi_major = WEIR_ABI_MAJOR,
                               .abi_minor = WEIR_ABI_MINOR,
                               .set_error = h_set_error,
                               .log = h_log,
                               .emit = h_emit,
                               .epoch_info = h_epoch_info,
                               .now = h_now,
                               .metric = h_metric,
                               .event_time = h_event_time};
static weir_ctx ctx = {sizeof(weir_ctx), &host};
static void *lib;
static const weir_plugin *plug;
static weir_schema *rate;

static void plugin_setup(void) {
  char path[512];
  const char *build = getenv("BUILD");
  snprintf(path, sizeof path, "%s/plugins/select.so", build ? build : "build");
  lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  cr_assert_not_null(lib, "dlopen %s: %s", path, dlerror());
  weir_entry_fn entry = (weir_entry_fn)dlsym(lib, WEIR_ENTRY_SYMBOL);
  cr_assert_not_null(entry);
  plug = entry();
  rate = parse_schema("timestamp TIMESTAMP NOT NULL, value BIGINT NOT NULL");
  nemitted = 0;
  host_code = 0;
  host_err[0] = 0;
}

static void plugin_teardown(void) {
  for (int i = 0; i < 8; i++)
    weir_buf_free(&emitted[i]);
  weir_schema_free(rate);
  if (lib)
    dlclose(lib);
}

TestSuite(select_plugin, .init = plugin_setup, .fini = plugin_teardown);

/* Fills a config struct from the options table, as the runtime does. */
static void *make_config(const char *columns, const char *where) {
  char *cfg = calloc(1, plug->config_size);
  for (const weir_option *o = plug->options; o->key; o++) {
    const char *v = strcmp(o->key, "columns") == 0
                        ? (columns ? columns : o->default_value)
                        : where;
    memcpy(cfg + o->offset, &v, sizeof v);
  }
  return cfg;
}

static void make_batch(weir_builder *b, int nrows, const uint8_t **data,
                       size_t *len) {
  cr_assert_eq(weir_builder_init(b, rate), WEIR_OK);
  for (int i = 0; i < nrows; i++) {
    weir_row_begin(b);
    weir_put_timestamp(b, T0 + i * 1000000);
    weir_put_int(b, i);
  }
  cr_assert_eq(weir_builder_finish(b, data, len), WEIR_OK);
}

static void *create(const char *columns, const char *where, int64_t max_rows,
                    weir_schema **out, int want_rc) {
  void *cfg = make_config(columns, where), *self = NULL;
  weir_create_args args = {sizeof args,      "sel",   rate, NULL,
                           WEIR_MODE_APPEND, max_rows};
  int rc = plug->create(&ctx, cfg, &args, &self);
  cr_assert_eq(rc, want_rc, "create: %d %s", rc, host_err);
  *out = args.output;
  free(cfg); /* the plugin keeps no pointer into the struct itself */
  return self;
}

Test(select_plugin, descriptor) {
  cr_expect_eq(plug->struct_size, sizeof(weir_plugin));
  cr_expect_eq(plug->abi_major, WEIR_ABI_MAJOR);
  cr_expect_eq(plug->kind, WEIR_KIND_OPERATOR);
  cr_expect_str_eq(plug->name, "select");
  cr_expect_eq(plug->flags & WEIR_PLUGIN_STATEFUL, 0);
  cr_assert_str_eq(plug->options[0].key, "columns");
  cr_expect_str_eq(plug->options[0].default_value, "*");
  cr_expect_eq(plug->options[0].type, WEIR_OPT_STRING);
  cr_assert_str_eq(plug->options[1].key, "where");
  cr_expect_null(plug->options[1].default_value);
  cr_expect_null(plug->options[2].key);
}

Test(select_plugin, passthrough) {
  weir_schema *out;
  weir_builder b;
  const uint8_t *data;
  size_t len;
  void *self = create(NULL, NULL, 0, &out, WEIR_OK);
  cr_expect(weir_schema_equal(out, rate));
  make_batch(&b, 5, &data, &len);
  weir_batch batch = {data, len, 5, rate};
  cr_assert_eq(plug->process(self, &ctx, &batch), WEIR_OK);
  cr_assert_eq(nemitted, 1);
  cr_expect_eq(emitted_ptr[0], data, "passed through without a copy");
  cr_expect_eq(emitted[0].len, len);
  plug->destroy(self);
  weir_schema_free(out);
  weir_builder_free(&b);
}

Test(select_plugin, filter_project_and_split) {
  weir_schema *out;
  weir_builder b;
  weir_reader r;
  weir_value v[4];
  const uint8_t *data;
  size_t len;
  void *self = create("value * 10 AS v, CAST(value AS STRING) AS s, timestamp, "
                      "current_timestamp() AS now",
                      "value % 2 = 0", 2, &out, WEIR_OK);
  cr_expect_str_eq(out->fields[0].name, "v");
  cr_expect_eq(out->fields[0].nullable, false);
  make_batch(&b, 7, &data, &len);
  weir_batch batch = {data, len, 7, rate};
  cr_assert_eq(plug->process(self, &ctx, &batch), WEIR_OK);
  cr_assert_eq(nemitted, 2, "rows 0 2 | 4 6");
  int64_t expect_value = 0;
  for (int k = 0; k < 2; k++) {
    weir_schema *got;
    size_t used;
    cr_assert_eq(weir_reader_open(&r, emitted[k].data, emitted[k].len),
                 WEIR_OK);
    cr_assert_eq(weir_schema_decode(r.schema_raw, r.schema_len, &got, &used),
                 WEIR_OK);
    cr_expect(weir_schema_equal(got, out));
    weir_schema_free(got);
    cr_expect_eq(r.nrows, 2);
    while (weir_reader_next(&r, v, 4) == 1) {
      char s[32];
      snprintf(s, sizeof s, "%lld", (long long)expect_value);
      cr_expect_eq(v[0].v.i, expect_value * 10);
      cr_expect_eq(v[1].v.s.len, strlen(s));
      cr_expect(memcmp(v[1].v.s.ptr, s, strlen(s)) == 0);
      cr_expect_eq(v[2].v.ts, T0 + expect_value * 1000000);
      cr_expect_eq(v[3].v.ts, T0 + 7000000, "the epoch's processing time");
      expect_value += 2;
    }
  }
  cr_expect_eq(expect_value, 8);
  plug->destroy(self);
  weir_schema_free(out);
  weir_builder_free(&b);
}

Test(select_plugin, filter_only_copies_rows) {
  weir_schema *out;
  weir_builder b;
  weir_reader r;
  weir_value v[2];
  const uint8_t *data;
  size_t len;
  void *self = create("*", "value >= 3 AND value < 5", 0, &out, WEIR_OK);
  make_batch(&b, 10, &data, &len);
  weir_batch batch = {data, len, 10, rate};
  cr_assert_eq(plug->process(self, &ctx, &batch), WEIR_OK);
  cr_assert_eq(nemitted, 1);
  cr_assert_eq(weir_reader_open(&r, emitted[0].data, emitted[0].len), WEIR_OK);
  cr_expect_eq(r.nrows, 2);
  cr_assert_eq(weir_reader_next(&r, v, 2), 1);
  cr_expect_eq(v[1].v.i, 3);
  cr_assert_eq(weir_reader_next(&r, v, 2), 1);
  cr_expect_eq(v[1].v.i, 4);
  /* A batch where nothing passes emits nothing. */
  weir_builder_free(&b);
  make_batch(&b, 2, &data, &len);
  weir_batch none = {data, len, 2, rate};
  cr_assert_eq(plug->process(self, &ctx, &none), WEIR_OK);
  cr_expect_eq(nemitted, 1);
  plug->destroy(self);
  weir_schema_free(out);
  weir_builder_free(&b);
}

Test(select_plugin, errors) {
  weir_schema *out = NULL;
  create("valeu", NULL, 0, &out, WEIR_ERR_SCHEMA);
  cr_expect_eq(host_code, WEIR_ERR_SCHEMA);
  cr_expect_str_eq(
      host_err,
      "select: unknown column 'valeu' in columns (did you mean 'value'?)");
  cr_expect_null(out);
  void *self = create("value", NULL, 0, &out, WEIR_OK);
  weir_batch bad = {(const uint8_t *)"\x93\x01", 2, 0, rate};
  cr_expect_eq(plug->process(self, &ctx, &bad), WEIR_ERR_FORMAT);
  cr_expect_str_eq(host_err, "select: malformed input batch");
  plug->destroy(self);
  weir_schema_free(out);
}
