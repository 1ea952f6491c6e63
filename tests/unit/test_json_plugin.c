/* test_json_plugin.c — the json operator as the runtime sees it:
 * $BUILD/plugins/json.so opened with dlopen and driven through a fake host:
 * the options table, the output schema (keep first, nullable, `as`), batches
 * split at max_batch_rows, the malformed-records metric, the log lines, the
 * FAILFAST error, and input batches with null and binary texts. The parser
 * itself is tested in test_jsonparse.c, the binary in tests/e2e/json.sh. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

static char host_err[1024];
static int host_code;
static weir_buf emitted[16];
static uint32_t emitted_rows[16];
static int nemitted;
static int64_t malformed_metric;
static int nlogs;
static char last_log[1024];

static void h_set_error(weir_ctx *c, int code, const char *msg) {
  (void)c;
  host_code = code;
  snprintf(host_err, sizeof host_err, "%s", msg);
}
static void h_log(weir_ctx *c, int level, const char *msg) {
  (void)c;
  cr_assert_eq(level, WEIR_LOG_WARN);
  nlogs++;
  snprintf(last_log, sizeof last_log, "%s", msg);
}
static int h_emit(weir_ctx *c, const void *b, size_t len) {
  weir_reader r;
  (void)c;
  cr_assert_lt(nemitted, 16);
  cr_assert_eq(weir_reader_open(&r, b, len), WEIR_OK);
  emitted_rows[nemitted] = r.nrows;
  weir_buf_append(&emitted[nemitted++], b, len);
  return WEIR_OK;
}
static void h_epoch_info(weir_ctx *c, weir_epoch_info *out) {
  (void)c;
  out->epoch = 3;
}
static int64_t h_now(weir_ctx *c) {
  (void)c;
  return 0;
}
static void h_metric(weir_ctx *c, int m, int64_t v) {
  (void)c;
  cr_assert_eq(m, WEIR_METRIC_MALFORMED_RECORDS);
  malformed_metric += v;
}

static const weir_host host = {.struct_size = sizeof(weir_host),
                               .abi_major = WEIR_ABI_MAJOR,
                               .abi_minor = WEIR_ABI_MINOR,
                               .set_error = h_set_error,
                               .log = h_log,
                               .emit = h_emit,
                               .epoch_info = h_epoch_info,
                               .now = h_now,
                               .metric = h_metric};
static weir_ctx ctx = {sizeof(weir_ctx), &host};
static void *lib;
static const weir_plugin *plug;
static weir_schema *input, *schema;
static void *self;
static weir_schema *output;

static void setup(void) {
  char path[512], err[256];
  const char *build = getenv("BUILD");
  snprintf(path, sizeof path, "%s/plugins/json.so", build ? build : "build");
  lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  cr_assert_not_null(lib, "dlopen %s: %s", path, dlerror());
  weir_entry_fn entry = (weir_entry_fn)dlsym(lib, WEIR_ENTRY_SYMBOL);
  cr_assert_not_null(entry);
  plug = entry();
  cr_assert_str_eq(plug->name, "json");
  cr_assert_eq(weir_schema_parse("k BIGINT NOT NULL, value STRING, raw BINARY",
                                 &input, err, sizeof err),
               WEIR_OK);
}

static void teardown(void) {
  if (self)
    plug->destroy(self);
  for (int i = 0; i < 16; i++)
    weir_buf_free(&emitted[i]);
  weir_schema_free(output);
  weir_schema_free(schema);
  weir_schema_free(input);
  if (lib)
    dlclose(lib);
}

TestSuite(json_plugin, .init = setup, .fini = teardown);

/* The config struct, filled as the runtime would: the option's text for
 * keys given, defaults otherwise (only the types this plugin uses). */
static void *make_config(const char *field, const char *ddl, int mode,
                         const char *keep, const char *as) {
  char *cfg = calloc(1, plug->config_size), err[256];
  static const char *items[4];
  static weir_list list;
  cr_assert_eq(weir_schema_parse(ddl, &schema, err, sizeof err), WEIR_OK);
  for (const weir_option *o = plug->options; o->key; o++) {
    char *slot = cfg + o->offset;
    if (!strcmp(o->key, "field")) {
      const char *v = field ? field : o->default_value;
      memcpy(slot, &v, sizeof v);
    } else if (!strcmp(o->key, "schema")) {
      memcpy(slot, &schema, sizeof schema);
    } else if (!strcmp(o->key, "mode")) {
      memcpy(slot, &mode, sizeof mode);
    } else if (!strcmp(o->key, "keep")) {
      list.n = 0;
      if (keep)
        items[list.n++] = keep;
      list.items = items;
      memcpy(slot, &list, sizeof list);
    } else if (!strcmp(o->key, "as")) {
      memcpy(slot, &as, sizeof as);
    } else if (!strcmp(o->key, "column_name_of_corrupt_record")) {
      const char *v = o->default_value;
      memcpy(slot, &v, sizeof v);
    } else if (!strcmp(o->key, "max_depth")) {
      int64_t d = 128;
      memcpy(slot, &d, sizeof d);
    } else {
      cr_assert_fail("unexpected option %s", o->key);
    }
  }
  return cfg;
}

static int create(void *cfg, int64_t max_rows) {
  weir_create_args a = {sizeof a, "events",         input,
                        NULL,     WEIR_MODE_APPEND, max_rows};
  int rc = plug->create(&ctx, cfg, &a, &self);
  output = a.output;
  return rc;
}

/* A batch of the input schema: texts[i] (NULL: a null value) in `value`. */
static int process_texts(const char *const *texts, int n) {
  weir_builder b;
  const uint8_t *data;
  size_t len;
  cr_assert_eq(weir_builder_init(&b, input), WEIR_OK);
  for (int i = 0; i < n; i++) {
    weir_row_begin(&b);
    weir_put_int(&b, 100 + i);
    if (texts[i])
      weir_put_string(&b, texts[i], strlen(texts[i]));
    else
      weir_put_null(&b);
    if (texts[i])
      weir_put_binary(&b, texts[i], strlen(texts[i]));
    else
      weir_put_null(&b);
  }
  cr_assert_eq(weir_builder_finish(&b, &data, &len), WEIR_OK);
  weir_batch batch = {data, len, (uint32_t)n, input};
  if (plug->epoch_begin)
    cr_assert_eq(plug->epoch_begin(self, &ctx), WEIR_OK);
  int rc = plug->process(self, &ctx, &batch);
  weir_builder_free(&b);
  return rc;
}

/* Every emitted row as JSON lines. */
static const char *rows_text(void) {
  static char out[8192];
  weir_buf t = WEIR_BUF_INIT;
  weir_value v[8];
  for (int i = 0; i < nemitted; i++) {
    weir_reader r;
    cr_assert_eq(weir_reader_open(&r, emitted[i].data, emitted[i].len),
                 WEIR_OK);
    while (weir_reader_next(&r, v, output->n) == 1) {
      weir_json_row(&t, output, v);
      weir_buf_lit(&t, "\n");
    }
  }
  snprintf(out, sizeof out, "%.*s", (int)t.len, t.data ? (char *)t.data : "");
  weir_buf_free(&t);
  return out;
}

Test(json_plugin, options_and_output_schema) {
  static const char *const keys[] = {
      "field",    "schema", "mode",
      "keep",     "as",     "column_name_of_corrupt_record",
      "max_depth"};
  int i = 0;
  for (const weir_option *o = plug->options; o->key; o++, i++)
    cr_assert_str_eq(o->key, keys[i]);
  cr_assert_eq(i, 7);
  void *cfg = make_config(
      NULL, "a BIGINT NOT NULL, s STRUCT<b: STRING NOT NULL>", 0, "k", NULL);
  cr_assert_eq(create(cfg, 0), WEIR_OK, "%s", host_err);
  weir_buf f = WEIR_BUF_INIT;
  weir_schema_format(output, &f);
  weir_buf_append(&f, "", 1);
  cr_assert_str_eq((char *)f.data,
                   "k BIGINT NOT NULL, a BIGINT, s STRUCT<b: STRING>");
  weir_buf_free(&f);
  free(cfg);
}

Test(json_plugin, batches_split_at_max_batch_rows) {
  void *cfg = make_config(NULL, "a BIGINT", 0, "k", NULL);
  cr_assert_eq(create(cfg, 2), WEIR_OK, "%s", host_err);
  const char *texts[] = {"{\"a\":1}", "{\"a\":2}", "{\"a\":3}", "{\"a\":4}",
                         "{\"a\":5}"};
  cr_assert_eq(process_texts(texts, 5), WEIR_OK);
  cr_assert_eq(nemitted, 3);
  cr_assert_eq(emitted_rows[0], 2);
  cr_assert_eq(emitted_rows[1], 2);
  cr_assert_eq(emitted_rows[2], 1);
  cr_assert_str_eq(rows_text(), "{\"k\":100,\"a\":1}\n{\"k\":101,\"a\":2}\n"
                                "{\"k\":102,\"a\":3}\n{\"k\":103,\"a\":4}\n"
                                "{\"k\":104,\"a\":5}\n");
  free(cfg);
}

Test(json_plugin, permissive_counts_and_logs) {
  void *cfg =
      make_config(NULL, "a BIGINT, _corrupt_record STRING", 0, NULL, NULL);
  cr_assert_eq(create(cfg, 0), WEIR_OK, "%s", host_err);
  const char *texts[] = {"{\"a\":1}",     NULL, "{\"a\":", "",
                         "{\"a\":\"x\"}", "  "};
  cr_assert_eq(process_texts(texts, 6), WEIR_OK);
  cr_assert_str_eq(
      rows_text(),
      "{\"a\":1,\"_corrupt_record\":null}\n"
      "{\"a\":null,\"_corrupt_record\":null}\n"
      "{\"a\":null,\"_corrupt_record\":\"{\\\"a\\\":\"}\n"
      "{\"a\":null,\"_corrupt_record\":null}\n"
      "{\"a\":null,\"_corrupt_record\":\"{\\\"a\\\":\\\"x\\\"}\"}\n"
      "{\"a\":null,\"_corrupt_record\":null}\n");
  cr_assert_eq(malformed_metric, 2);
  cr_assert_eq(nlogs, 2);
  cr_assert_str_eq(last_log,
                   "malformed record in row 5 of epoch 3 (kept as nulls): "
                   "offset 5: field \"a\": expected a bigint (an integer in "
                   "int64 range), found \"x\": {\"a\":\"x\"}");
  free(cfg);
}

Test(json_plugin, as_struct_from_binary_and_dropmalformed) {
  void *cfg = make_config("raw", "a BIGINT, b STRING", 1, "k", "data");
  cr_assert_eq(create(cfg, 0), WEIR_OK, "%s", host_err);
  const char *texts[] = {"{\"b\":\"x\",\"a\":1}", NULL, "nope", "{}"};
  cr_assert_eq(process_texts(texts, 4), WEIR_OK);
  cr_assert_str_eq(rows_text(),
                   "{\"k\":100,\"data\":{\"a\":1,\"b\":\"x\"}}\n"
                   "{\"k\":101,\"data\":null}\n"
                   "{\"k\":103,\"data\":{\"a\":null,\"b\":null}}\n");
  cr_assert_eq(malformed_metric, 1);
  cr_assert(strstr(last_log,
                   "row 3 of epoch 3 (dropped): offset 0: expected "
                   "'{' (a record is a JSON object), found 'n': nope"),
            "%s", last_log);
  free(cfg);
}

Test(json_plugin, failfast_stops_with_the_row_and_reason) {
  void *cfg = make_config(NULL, "a BIGINT", 2, NULL, NULL);
  cr_assert_eq(create(cfg, 0), WEIR_OK, "%s", host_err);
  const char *texts[] = {"{\"a\":1}", "{\"a\":2} x"};
  cr_assert_eq(process_texts(texts, 2), WEIR_ERR_FORMAT);
  cr_assert_eq(host_code, WEIR_ERR_FORMAT);
  cr_assert_str_eq(host_err,
                   "json: malformed record in row 2 of epoch 3 (column value): "
                   "offset 8: expected the end of the record after its object, "
                   "found 'x'. Parse mode: FAILFAST; mode = PERMISSIVE keeps "
                   "such records as nulls, DROPMALFORMED drops them");
  cr_assert_eq(nemitted, 0, "nothing of the failed batch is emitted");
  cr_assert_eq(malformed_metric, 1);
  free(cfg);
}

Test(json_plugin, create_errors) {
  void *cfg = make_config("nope", "a BIGINT", 0, NULL, NULL);
  cr_assert_eq(create(cfg, 0), WEIR_ERR_SCHEMA);
  cr_assert_str_eq(host_err, "json: field: no input column 'nope'");
  free(cfg);
  weir_schema_free(schema);
  cfg = make_config("k", "a BIGINT", 0, NULL, NULL);
  cr_assert_eq(create(cfg, 0), WEIR_ERR_SCHEMA);
  cr_assert_str_eq(host_err, "json: field: column 'k' is bigint; the JSON "
                             "text must be a string or binary column");
  free(cfg);
  weir_schema_free(schema);
  cfg = make_config(NULL, "a BIGINT", 0, "k", "k");
  cr_assert_eq(create(cfg, 0), WEIR_ERR_INVALID);
  cr_assert_str_eq(host_err, "json: as: 'k' is also a kept column; pick "
                             "another name");
  free(cfg);
}
