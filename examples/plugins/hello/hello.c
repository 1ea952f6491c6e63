/* examples/plugins/hello/hello.c — the "hello world" of sdk/GUIDE.md: a
 * stateless operator that passes every row through and appends a column
 * `message` = "<greeting>, <name>!" built from the string column `column`.
 * It shows the whole life of a plugin: an options table, create() checking
 * the input schema and declaring the output one, process() reading rows
 * with the zero-allocation reader and writing them with the builder, and
 * errors reported with weir_error(). */
#include <stddef.h>
#include <stdlib.h>

#include <weir/weir.h>

/* The options land in this struct, filled by the runtime from the INI
 * section (types converted, defaults applied, required keys checked). */
typedef struct hello_config {
  const char *column;
  const char *greeting;
} hello_config;

static const weir_option hello_options[] = {
    {"column", WEIR_OPT_STRING, NULL, WEIR_OPT_REQUIRED, 0, 0, NULL,
     "the string column holding the name to greet",
     offsetof(hello_config, column)},
    {"greeting", WEIR_OPT_STRING, "hello", 0, 0, 0, NULL,
     "the word to greet with", offsetof(hello_config, greeting)},
    WEIR_OPTIONS_END};

typedef struct hello {
  int col;      /* index of `column` in the input */
  size_t ncols; /* input columns */
  const char *greeting;
  weir_value *row;  /* one decoded row (ncols values), reused */
  weir_builder out; /* the output batch, reused */
  weir_buf msg;     /* one message, reused */
} hello;

static void hello_destroy(void *self) {
  hello *h = self;
  if (!h)
    return;
  free(h->row);
  weir_builder_free(&h->out);
  weir_buf_free(&h->msg);
  free(h);
}

static int hello_create(weir_ctx *ctx, const void *config,
                        weir_create_args *args, void **self) {
  const hello_config *cfg = config;
  int col = weir_schema_find(args->input, cfg->column);
  if (col < 0 || args->input->fields[col].type != WEIR_T_STRING)
    return weir_error(ctx, WEIR_ERR_SCHEMA, "column: no string column '%s'",
                      cfg->column);
  hello *h = calloc(1, sizeof *h);
  weir_schema *out = weir_schema_copy(args->input);
  if (!h || !out ||
      weir_schema_add(out, "message", WEIR_T_STRING, true, NULL) ||
      !(h->row = calloc(args->input->n, sizeof *h->row)) ||
      weir_builder_init(&h->out, out)) {
    hello_destroy(h);
    weir_schema_free(out);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  h->col = col;
  h->ncols = args->input->n;
  h->greeting = cfg->greeting;
  args->output = out; /* the runtime owns it now; the builder borrows it */
  *self = h;
  return WEIR_OK;
}

static int hello_process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  hello *h = self;
  weir_reader r;
  int rc;
  if (weir_reader_open(&r, batch->data, batch->len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_FORMAT, "malformed batch");
  weir_builder_reset(&h->out);
  while ((rc = weir_reader_next(&r, h->row, h->ncols)) == 1) {
    weir_row_begin(&h->out);
    for (size_t i = 0; i < h->ncols; i++)
      weir_put_raw(&h->out, h->row[i].raw, h->row[i].raw_len);
    const weir_value *name = &h->row[h->col];
    if (name->type == WEIR_T_NULL) {
      weir_put_null(&h->out); /* no name, no message */
      continue;
    }
    weir_buf_clear(&h->msg);
    weir_buf_printf(&h->msg, "%s, %.*s!", h->greeting, (int)name->v.s.len,
                    name->v.s.ptr);
    weir_put_string(&h->out, (const char *)h->msg.data, h->msg.len);
  }
  if (rc < 0)
    return weir_error(ctx, WEIR_ERR_FORMAT, "malformed row");
  const uint8_t *data;
  size_t len;
  if (weir_builder_finish(&h->out, &data, &len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  return weir_emit(ctx, data, len);
}

static const weir_plugin hello_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_OPERATOR,
    .name = "hello",
    .version = "1.0.0",
    .description = "greets the name in a column (the SDK guide's first plugin)",
    .options = hello_options,
    .config_size = sizeof(hello_config),
    .create = hello_create,
    .destroy = hello_destroy,
    .process = hello_process};

WEIR_PLUGIN(hello_plugin)
