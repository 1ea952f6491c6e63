/* counter.c — a minimal stateful operator for checkpoint tests: counts rows
 * per value of an integer column in weir's keyed state, and at the end of
 * each epoch emits (key, count) for the keys that changed, sorted by key.
 * `column` is part of the state's identity (WEIR_OPT_STATE); `state_version`
 * lets tests write a newer state format than a later run reads. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "weir/weir.h"

typedef struct cfg {
  const char *column;
  int64_t state_version;
} cfg;

static const weir_option options[] = {
    {"column", WEIR_OPT_STRING, NULL, WEIR_OPT_REQUIRED | WEIR_OPT_STATE, 0, 0,
     NULL, "the integer column to count by", offsetof(cfg, column)},
    {"state_version", WEIR_OPT_INT, "1", 0, 1, 100, NULL,
     "format version of the state values", offsetof(cfg, state_version)},
    WEIR_OPTIONS_END};

typedef struct counter {
  int col;
  size_t ncols;
  weir_state *st;
  weir_schema *out;
  weir_builder b;
  int64_t *changed;
  size_t nchanged, cap;
  weir_value *vals;
} counter;

static void c_destroy(void *self) {
  counter *c = self;
  weir_builder_free(&c->b);
  free(c->changed);
  free(c->vals);
  free(c);
}

static int c_create(weir_ctx *ctx, const void *config, weir_create_args *a,
                    void **self) {
  const cfg *k = config;
  int col = weir_schema_find(a->input, k->column);
  if (col < 0 || a->input->fields[col].type != WEIR_T_INT)
    return weir_error(ctx, WEIR_ERR_SCHEMA, "no integer column '%s'",
                      k->column);
  counter *c = calloc(1, sizeof *c);
  if (!c)
    return WEIR_ERR_NOMEM;
  c->col = col;
  c->ncols = a->input->n;
  c->vals = calloc(c->ncols, sizeof *c->vals);
  c->st = weir_state_open(ctx, "counts", (uint32_t)k->state_version);
  a->output = weir_schema_new();
  if (!c->vals || !c->st || !a->output ||
      weir_schema_add(a->output, "key", WEIR_T_INT, 0, NULL) ||
      weir_schema_add(a->output, "count", WEIR_T_INT, 0, NULL) ||
      weir_builder_init(&c->b, a->output)) {
    c_destroy(c);
    return WEIR_ERR_NOMEM;
  }
  *self = c;
  return WEIR_OK;
}

static int c_process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  counter *c = self;
  weir_reader r;
  int rc;
  if (weir_reader_open(&r, batch->data, batch->len))
    return weir_error(ctx, WEIR_ERR_FORMAT, "bad batch");
  while ((rc = weir_reader_next(&r, c->vals, c->ncols)) == 1) {
    int64_t key = c->vals[c->col].v.i, *count;
    int created;
    if (weir_state_upsert(c->st, &key, sizeof key, sizeof *count,
                          (void **)&count, &created))
      return WEIR_ERR_NOMEM;
    ++*count;
    {
      size_t i = 0;
      while (i < c->nchanged && c->changed[i] != key)
        i++;
      if (i == c->nchanged) {
        if (c->nchanged == c->cap) {
          c->cap = c->cap ? c->cap * 2 : 64;
          int64_t *n = realloc(c->changed, c->cap * sizeof *n);
          if (!n)
            return WEIR_ERR_NOMEM;
          c->changed = n;
        }
        c->changed[c->nchanged++] = key;
      }
    }
  }
  return rc < 0 ? weir_error(ctx, WEIR_ERR_FORMAT, "bad batch") : WEIR_OK;
}

static int cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int c_end(void *self, weir_ctx *ctx) {
  counter *c = self;
  qsort(c->changed, c->nchanged, sizeof *c->changed, cmp);
  weir_builder_reset(&c->b);
  for (size_t i = 0; i < c->nchanged; i++) {
    const void *v;
    size_t vl;
    weir_state_get(c->st, &c->changed[i], sizeof c->changed[i], &v, &vl);
    weir_row_begin(&c->b);
    weir_put_int(&c->b, c->changed[i]);
    weir_put_int(&c->b, *(const int64_t *)v);
  }
  c->nchanged = 0;
  const uint8_t *data;
  size_t len;
  if (weir_builder_finish(&c->b, &data, &len))
    return WEIR_ERR_NOMEM;
  return weir_emit(ctx, data, len);
}

static const weir_plugin desc = {.struct_size = sizeof(weir_plugin),
                                 .abi_major = WEIR_ABI_MAJOR,
                                 .abi_minor = WEIR_ABI_MINOR,
                                 .kind = WEIR_KIND_OPERATOR,
                                 .name = "counter",
                                 .version = "1",
                                 .description = "counts rows per key",
                                 .options = options,
                                 .config_size = sizeof(cfg),
                                 .flags = WEIR_PLUGIN_STATEFUL,
                                 .create = c_create,
                                 .destroy = c_destroy,
                                 .process = c_process,
                                 .epoch_end = c_end};
WEIR_PLUGIN(desc)
