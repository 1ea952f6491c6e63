/* select.c — the built-in `select` operator: Spark's select/selectExpr and
 * where/filter on a stream. Options `columns` (projection list, default
 * "*") and `where` (filter predicate, on the input rows) are compiled and
 * type-checked against the input schema in create(), so a misspelt column
 * fails `weir validate`; process() then only evaluates (expr.h). Array
 * columns come from split(str, pattern[, limit]); size(array) counts them;
 * explode(array) / explode_outer(array) in columns make one row per element
 * (array.c says exactly what split's pattern may be). Stateless. */
#include <stddef.h>
#include <stdlib.h>

#include <weir/weir.h>

#include "expr.h"

#define DEFAULT_BATCH_ROWS 4096

typedef struct select_config {
  const char *columns;
  const char *where;
} select_config;

typedef struct select_op {
  sel_program *prog;
  weir_builder out;
  weir_value *row; /* one decoded input row, reused */
  size_t ncols;
  uint32_t max_rows;
} select_op;

static const weir_option options[] = {
    {"columns", WEIR_OPT_STRING, "*", 0, 0, 0, NULL,
     "output expressions, comma-separated, each with an optional AS alias; "
     "* = every input column; one explode(array) makes a row per element",
     offsetof(select_config, columns)},
    {"where", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "keep only the rows where this boolean expression is true",
     offsetof(select_config, where)},
    WEIR_OPTIONS_END};

static void destroy(void *self) {
  select_op *s = self;
  if (!s)
    return;
  sel_free(s->prog);
  weir_builder_free(&s->out);
  free(s->row);
  free(s);
}

static int create(weir_ctx *ctx, const void *config, weir_create_args *args,
                  void **self) {
  const select_config *cfg = config;
  char err[1024];
  int64_t max_rows = 0;
  if (!args->input)
    return weir_error(ctx, WEIR_ERR_INVALID, "select: needs an input");
  /* max_batch_rows is in 1.0's args; the check keeps an older runtime safe */
  if (args->struct_size >=
      offsetof(weir_create_args, max_batch_rows) + sizeof args->max_batch_rows)
    max_rows = args->max_batch_rows;
  if (max_rows <= 0 || max_rows > UINT32_MAX)
    max_rows = DEFAULT_BATCH_ROWS;

  select_op *s = calloc(1, sizeof *s);
  if (!s)
    return weir_error(ctx, WEIR_ERR_NOMEM, "select: out of memory");
  s->max_rows = (uint32_t)max_rows;
  s->ncols = args->input->n;
  int rc = sel_compile(cfg ? cfg->columns : NULL, cfg ? cfg->where : NULL,
                       args->input, &s->prog, err, sizeof err);
  if (rc) {
    destroy(s);
    return weir_error(ctx, rc, "%s", err);
  }
  /* The builder borrows the program's schema; the runtime gets a copy. */
  if (!(s->row = calloc(s->ncols ? s->ncols : 1, sizeof *s->row)) ||
      weir_builder_init(&s->out, sel_output(s->prog)) != WEIR_OK ||
      !(args->output = weir_schema_copy(sel_output(s->prog)))) {
    destroy(s);
    return weir_error(ctx, WEIR_ERR_NOMEM, "select: out of memory");
  }
  *self = s;
  return WEIR_OK;
}

static int flush(select_op *s, weir_ctx *ctx) {
  const uint8_t *data;
  size_t len;
  if (s->out.nrows == 0)
    return WEIR_OK;
  int rc = weir_builder_finish(&s->out, &data, &len);
  if (rc)
    return weir_error(ctx, rc, "select: out of memory building a batch");
  rc = weir_emit(ctx, data, len);
  weir_builder_reset(&s->out);
  return rc; /* a downstream error is already recorded */
}

static int process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  select_op *s = self;
  weir_reader r;
  int rc;
  if (sel_passthrough(s->prog))
    return weir_emit(ctx, batch->data, batch->len);
  if (sel_uses_now(s->prog))
    sel_set_now(s->prog, weir_epoch(ctx).processing_time);
  if ((rc = weir_reader_open(&r, batch->data, batch->len)) != WEIR_OK)
    return weir_error(ctx, rc, "select: malformed input batch");
  const int rows_raw = sel_rows_raw(s->prog);
  weir_builder_reset(&s->out);
  while ((rc = weir_reader_next(&r, s->row, s->ncols)) == 1) {
    int keep = sel_filter(s->prog, s->row);
    if (keep < 0)
      return weir_error(ctx, keep, "select: out of memory evaluating where");
    if (!keep)
      continue;
    if (rows_raw) {
      weir_put_row_raw(&s->out, r.row_raw, r.row_len);
    } else if ((rc = sel_project(s->prog, s->row, &s->out)) != WEIR_OK) {
      if (rc == WEIR_ERR_NOMEM)
        return weir_error(ctx, rc, "select: out of memory evaluating columns");
      return weir_error(ctx, rc, "select: malformed array in input row %u",
                        (unsigned)r.row);
    }
    if (s->out.nrows >= s->max_rows && (rc = flush(s, ctx)) != WEIR_OK)
      return rc;
  }
  if (rc < 0)
    return weir_error(ctx, rc, "select: malformed input batch at row %u",
                      (unsigned)r.row);
  return flush(s, ctx);
}

static const weir_plugin descriptor = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_OPERATOR,
    .name = "select",
    .version = WEIR_VERSION,
    .description = "projection and filter with SQL expressions (Spark's "
                   "selectExpr and where)",
    .options = options,
    .config_size = sizeof(select_config),
    .create = create,
    .destroy = destroy,
    .process = process,
};

WEIR_PLUGIN(descriptor)
