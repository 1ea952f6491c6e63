/* json_lines.c — a test source for the json operator's end-to-end tests:
 * the lines of the file named by `path` as rows (line BIGINT, value STRING),
 * `binary = true` makes value BINARY, and a line equal to `null_line` gives
 * a null value. Replayable: the offset is {"line": lines read}; a plan
 * takes at most `max_lines_per_trigger` new lines (0: all). The file is
 * read whole at every call: for small test files only. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weir/weir.h"

typedef struct cfg {
  const char *path;
  int binary;
  const char *null_line;
  int64_t max_per_trigger;
} cfg;

static const weir_option options[] = {
    {"path", WEIR_OPT_STRING, NULL, WEIR_OPT_REQUIRED, 0, 0, NULL,
     "the file whose lines become rows", offsetof(cfg, path)},
    {"binary", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL,
     "value is BINARY instead of STRING", offsetof(cfg, binary)},
    {"null_line", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "a line with exactly this text gives a null value",
     offsetof(cfg, null_line)},
    {"max_lines_per_trigger", WEIR_OPT_INT, "0", 0, 0, 1e9, NULL,
     "lines per epoch at most (0: no limit)", offsetof(cfg, max_per_trigger)},
    WEIR_OPTIONS_END};

typedef struct src {
  const cfg *c;
  weir_schema *schema;
  weir_builder b;
  int64_t batch_rows;
} src;

/* The file's bytes (NUL-terminated) or NULL. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  weir_buf b = WEIR_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    weir_buf_append(&b, chunk, n);
  fclose(f);
  weir_buf_append(&b, "", 1);
  *len = b.len - 1;
  return (char *)b.data;
}

static int64_t count_lines(const char *d, size_t len) {
  int64_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += d[i] == '\n';
  return n + (len > 0 && d[len - 1] != '\n');
}

static void s_destroy(void *self) {
  src *s = self;
  weir_builder_free(&s->b);
  weir_schema_free(s->schema);
  free(s);
}

static int s_create(weir_ctx *ctx, const void *config, weir_create_args *a,
                    void **self) {
  const cfg *c = config;
  src *s = calloc(1, sizeof *s);
  if (!s)
    return WEIR_ERR_NOMEM;
  s->c = c;
  s->batch_rows = a->max_batch_rows > 0 ? a->max_batch_rows : 4096;
  s->schema = weir_schema_new();
  if (!s->schema ||
      weir_schema_add(s->schema, "line", WEIR_T_INT, false, NULL) ||
      weir_schema_add(s->schema, "value",
                      c->binary ? WEIR_T_BINARY : WEIR_T_STRING, true, NULL) ||
      weir_builder_init(&s->b, s->schema) ||
      !(a->output = weir_schema_copy(s->schema))) {
    s_destroy(s);
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  }
  *self = s;
  return WEIR_OK;
}

static int64_t offset_line(const weir_offset *o) {
  int64_t n = 0;
  if (o->len && weir_map_int(o->data, o->len, "line", &n) != 1)
    return -1;
  return n;
}

static int s_plan(void *self, weir_ctx *ctx, const weir_offset *start,
                  weir_buf *end, int *has_data) {
  src *s = self;
  size_t len;
  char *d = slurp(s->c->path, &len);
  if (!d)
    return weir_error(ctx, WEIR_ERR_IO, "cannot read %s", s->c->path);
  int64_t total = count_lines(d, len), from = offset_line(start), to = total;
  free(d);
  if (from < 0)
    return weir_error(ctx, WEIR_ERR_FORMAT, "bad offset");
  if (s->c->max_per_trigger > 0 && to - from > s->c->max_per_trigger)
    to = from + s->c->max_per_trigger;
  weir_mp_map(end, 1);
  weir_mp_str(end, "line", 4);
  weir_mp_int(end, to);
  *has_data = to > from;
  return WEIR_OK;
}

static int emit(src *s, weir_ctx *ctx) {
  const uint8_t *data;
  size_t len;
  if (!s->b.nrows)
    return WEIR_OK;
  if (weir_builder_finish(&s->b, &data, &len))
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  int rc = weir_emit(ctx, data, len);
  weir_builder_reset(&s->b);
  return rc;
}

static int s_read(void *self, weir_ctx *ctx, const weir_offset *start,
                  const weir_offset *end) {
  src *s = self;
  size_t len;
  int64_t from = offset_line(start), to = offset_line(end), line = 0;
  char *d = slurp(s->c->path, &len);
  int rc = WEIR_OK;
  if (!d)
    return weir_error(ctx, WEIR_ERR_IO, "cannot read %s", s->c->path);
  weir_builder_reset(&s->b);
  for (size_t i = 0; i < len && line < to && rc == WEIR_OK; line++) {
    const char *nl = memchr(d + i, '\n', len - i);
    size_t n = nl ? (size_t)(nl - (d + i)) : len - i;
    if (line >= from) {
      weir_row_begin(&s->b);
      weir_put_int(&s->b, line + 1);
      if (s->c->null_line && strlen(s->c->null_line) == n &&
          memcmp(s->c->null_line, d + i, n) == 0)
        weir_put_null(&s->b);
      else if (s->c->binary)
        weir_put_binary(&s->b, d + i, n);
      else
        weir_put_string(&s->b, d + i, n);
      if (s->b.nrows >= s->batch_rows)
        rc = emit(s, ctx);
    }
    i += n + 1;
  }
  free(d);
  return rc == WEIR_OK ? emit(s, ctx) : rc;
}

static const weir_plugin desc = {.struct_size = sizeof(weir_plugin),
                                 .abi_major = WEIR_ABI_MAJOR,
                                 .abi_minor = WEIR_ABI_MINOR,
                                 .kind = WEIR_KIND_SOURCE,
                                 .name = "json_lines",
                                 .version = "1",
                                 .description =
                                     "lines of a file as rows (tests)",
                                 .options = options,
                                 .config_size = sizeof(cfg),
                                 .flags = WEIR_PLUGIN_REPLAYABLE,
                                 .create = s_create,
                                 .destroy = s_destroy,
                                 .plan = s_plan,
                                 .read = s_read};
WEIR_PLUGIN(desc)
