/* plugins/console/console.c — the `console` sink: prints every epoch to
 * stdout as Spark's console sink does, byte for byte:
 *
 *   -------------------------------------------
 *   Batch: 0
 *   -------------------------------------------
 *   +-------------------+-----+
 *   |          timestamp|value|
 *   +-------------------+-----+
 *   |2026-01-01 00:00:00|    0|
 *   +-------------------+-----+
 *   (blank line)
 *
 * for every epoch, no-data epochs included (the table then has only its
 * header). The first num_rows rows are formatted and kept (copied: nothing
 * points into a batch after process() returns); the rest are only counted.
 * The table is printed and stdout flushed at epoch_end.
 *
 * format = json prints one JSON object per row instead, {"epoch":N, then the
 * columns in schema order}, with no banner: written as each batch arrives
 * (memory stays bounded however large the epoch), flushed at epoch_end. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weir/weir.h"

#include "table.h"

#define I64_MAX_D 9223372036854775807.0

enum { FORMAT_TABLE = 0, FORMAT_JSON = 1 };

typedef struct console_config {
  int64_t num_rows;
  int truncate;
  int format;
} console_config;

typedef struct console {
  weir_schema *schema; /* own copy of the input schema */
  int format;
  int64_t epoch; /* the epoch being written, from epoch_begin */
  int in_epoch;
  console_table table;
  weir_value *cols; /* one row's values, reused */
  weir_buf out;     /* text to print, reused */
} console;

static const char *const console_formats[] = {"table", "json", NULL};

static const weir_option console_options[] = {
    {"num_rows", WEIR_OPT_INT, "20", 0, 0, 2147483632.0, NULL,
     "rows shown per epoch (the others are counted: \"only showing top N "
     "rows\")",
     offsetof(console_config, num_rows)},
    {"truncate", WEIR_OPT_BOOL, "true", 0, 0, 0, NULL,
     "cut cells longer than 20 characters and right-align them, as Spark",
     offsetof(console_config, truncate)},
    {"format", WEIR_OPT_ENUM, "table", 0, 0, 0, console_formats,
     "table (Spark's output) or json (one object per row with an epoch "
     "field, for scripts)",
     offsetof(console_config, format)},
    WEIR_OPTIONS_END};

static void console_destroy(void *self) {
  console *c = self;
  if (!c)
    return;
  console_table_free(&c->table);
  weir_buf_free(&c->out);
  free(c->cols);
  weir_schema_free(c->schema);
  free(c);
}

static int console_create(weir_ctx *ctx, const void *config,
                          weir_create_args *args, void **self) {
  const console_config *cfg = config;
  if (!args->input)
    return weir_error(ctx, WEIR_ERR_INVALID, "the console sink needs an input");
  if (cfg->num_rows < 0)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "num_rows must be >= 0, got %" PRId64, cfg->num_rows);
  if (cfg->format != FORMAT_TABLE && cfg->format != FORMAT_JSON)
    return weir_error(ctx, WEIR_ERR_INVALID, "format must be table or json");

  console *c = calloc(1, sizeof *c);
  if (!c)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  c->format = cfg->format;
  c->epoch = -1;
  c->schema = weir_schema_copy(args->input);
  c->cols = calloc(args->input->n ? args->input->n : 1, sizeof *c->cols);
  if (!c->schema || !c->cols ||
      console_table_init(&c->table, c->schema, cfg->num_rows,
                         cfg->truncate ? 1 : 0) != WEIR_OK) {
    weir_schema_free(c->schema);
    free(c->cols);
    free(c);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  *self = c;
  return WEIR_OK;
}

static int console_epoch_begin(void *self, weir_ctx *ctx) {
  console *c = self;
  c->epoch = weir_epoch(ctx).epoch;
  c->in_epoch = 1;
  console_table_reset(&c->table);
  return WEIR_OK;
}

static int write_out(weir_ctx *ctx, weir_buf *b) {
  if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
    return weir_error(ctx, WEIR_ERR_IO, "writing to stdout: %s",
                      strerror(errno));
  return WEIR_OK;
}

/* One JSON line per row: {"epoch":N,"col":value,...}. */
static int process_json(console *c, weir_ctx *ctx, weir_reader *r) {
  const weir_schema *s = c->schema;
  int rc;
  weir_buf_clear(&c->out);
  while ((rc = weir_reader_next(r, c->cols, s->n)) == 1) {
    weir_buf_printf(&c->out, "{\"epoch\":%" PRId64, c->epoch);
    for (size_t i = 0; i < s->n; i++) {
      weir_buf_append(&c->out, ",", 1);
      weir_json_string(&c->out, s->fields[i].name, strlen(s->fields[i].name));
      weir_buf_append(&c->out, ":", 1);
      weir_json_value(&c->out, &s->fields[i], &c->cols[i]);
    }
    weir_buf_append(&c->out, "}\n", 2);
  }
  if (rc < 0)
    return weir_error(ctx, rc, "malformed input batch");
  if (c->out.err)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  return write_out(ctx, &c->out);
}

static int console_process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  console *c = self;
  weir_reader r;
  int rc;
  if (!c->in_epoch) /* a runtime that skips epoch_begin: read the id here */
    console_epoch_begin(c, ctx);
  if ((rc = weir_reader_open(&r, batch->data, batch->len)) != WEIR_OK)
    return weir_error(ctx, rc, "malformed input batch");
  if (c->format == FORMAT_JSON)
    return process_json(c, ctx, &r);

  /* Table: format rows until num_rows are kept, then only count. */
  while (!console_table_full(&c->table)) {
    rc = weir_reader_next(&r, c->cols, c->schema->n);
    if (rc == 0)
      return WEIR_OK;
    if (rc < 0)
      return weir_error(ctx, rc, "malformed input batch");
    if (console_table_add(&c->table, c->cols) != WEIR_OK)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  console_table_count(&c->table, (int64_t)(r.nrows - r.row));
  return WEIR_OK;
}

static int console_epoch_end(void *self, weir_ctx *ctx) {
  console *c = self;
  int rc = WEIR_OK;
  if (!c->in_epoch)
    console_epoch_begin(c, ctx);
  c->in_epoch = 0;
  if (c->format == FORMAT_TABLE) {
    weir_buf_clear(&c->out);
    weir_buf_printf(&c->out,
                    "-------------------------------------------\n"
                    "Batch: %" PRId64 "\n"
                    "-------------------------------------------\n",
                    c->epoch);
    if (console_table_render(&c->table, &c->out) != WEIR_OK || c->out.err)
      return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    weir_buf_append(&c->out, "\n", 1); /* show() is printed with println */
    rc = write_out(ctx, &c->out);
    console_table_reset(&c->table);
  }
  if (fflush(stdout) != 0 && rc == WEIR_OK)
    rc = weir_error(ctx, WEIR_ERR_IO, "writing to stdout: %s", strerror(errno));
  return rc;
}

static const weir_plugin console_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_SINK,
    .name = "console",
    .version = "0.1.0",
    .description = "prints every epoch to stdout as Spark's console sink "
                   "(or as JSON lines)",
    .options = console_options,
    .config_size = sizeof(console_config),
    .flags = 0,
    .output_modes = 0, /* append, update and complete */
    .create = console_create,
    .destroy = console_destroy,
    .epoch_begin = console_epoch_begin,
    .process = console_process,
    .epoch_end = console_epoch_end,
};

WEIR_PLUGIN(console_plugin)
