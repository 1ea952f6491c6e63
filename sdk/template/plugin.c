/* plugin.c — myplugin, a weir operator made from the SDK's template: it
 * passes every row through, except those whose `column` is null (a filter,
 * the smallest useful operator). Replace the body of process() with yours;
 * sdk/GUIDE.md (installed as share/weir/GUIDE.md) explains each part. */
#include <stddef.h>
#include <stdlib.h>

#include "plugin.h"

/* The options table: the runtime validates the INI keys against it,
 * converts the values, applies defaults and fills myplugin_config. */
static const weir_option options[] = {
    {"column", WEIR_OPT_STRING, NULL, WEIR_OPT_REQUIRED, 0, 0, NULL,
     "rows whose value in this column is null are dropped",
     offsetof(myplugin_config, column)},
    WEIR_OPTIONS_END};

typedef struct myplugin {
  int col;          /* index of `column` in the input */
  size_t ncols;     /* columns of the input */
  weir_value *row;  /* one decoded row, reused */
  weir_builder out; /* the output batch, reused */
} myplugin;

static void destroy(void *self) {
  myplugin *p = self;
  if (!p)
    return;
  free(p->row);
  weir_builder_free(&p->out);
  free(p);
}

/* Checks the options against the input schema, declares the output schema
 * (here: the input's) and allocates the instance. */
static int create(weir_ctx *ctx, const void *config, weir_create_args *args,
                  void **self) {
  const myplugin_config *cfg = config;
  int col = weir_schema_find(args->input, cfg->column);
  if (col < 0) {
    const char *near = weir_schema_suggest(args->input, cfg->column);
    return weir_error(ctx, WEIR_ERR_SCHEMA, "column: unknown column '%s'%s%s%s",
                      cfg->column, near ? " (did you mean '" : "",
                      near ? near : "", near ? "'?)" : "");
  }
  myplugin *p = calloc(1, sizeof *p);
  weir_schema *out = weir_schema_copy(args->input);
  if (!p || !out || !(p->row = calloc(args->input->n, sizeof *p->row)) ||
      weir_builder_init(&p->out, out) != WEIR_OK) {
    destroy(p);
    weir_schema_free(out);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  p->col = col;
  p->ncols = args->input->n;
  args->output = out; /* the runtime owns it; the builder borrows it */
  *self = p;
  return WEIR_OK;
}

/* One input batch (borrowed for the call): read it row by row without
 * allocating, copy the rows to keep, emit the result. */
static int process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  myplugin *p = self;
  weir_reader r;
  int rc;
  if (weir_reader_open(&r, batch->data, batch->len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_FORMAT, "malformed batch");
  weir_builder_reset(&p->out);
  while ((rc = weir_reader_next(&r, p->row, p->ncols)) == 1)
    if (p->row[p->col].type != WEIR_T_NULL)
      weir_put_row_raw(&p->out, r.row_raw, r.row_len);
  if (rc < 0)
    return weir_error(ctx, WEIR_ERR_FORMAT, "malformed row");
  if (p->out.nrows == 0)
    return WEIR_OK;
  const uint8_t *data;
  size_t len;
  if (weir_builder_finish(&p->out, &data, &len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  return weir_emit(ctx, data, len);
}

static const weir_plugin myplugin_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_OPERATOR,
    .name = "myplugin",
    .version = "0.1.0",
    .description = "drops rows whose column is null",
    .options = options,
    .config_size = sizeof(myplugin_config),
    .create = create,
    .destroy = destroy,
    .process = process};

/* The one exported symbol: the entry function returning the descriptor. */
WEIR_PLUGIN(myplugin_plugin)
