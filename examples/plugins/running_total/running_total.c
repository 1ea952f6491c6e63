/* examples/plugins/running_total/running_total.c — per-key running sums,
 * an example of the SDK's group-state API (weir/groupstate.h) in its map
 * variant (Spark's mapGroupsWithState) with a processing-time timeout.
 *
 * Every epoch, each key with rows gets one output row: its running `total`
 * of the `value` column (nulls skipped) and `count` of rows since the key
 * was first seen, with expired = false. A key that gets no row for
 * `idle_timeout` (processing time) expires: it gets one last row with
 * expired = true, and its state is dropped, so state does not grow with
 * every key ever seen. Output mode update: each row replaces the key's
 * previous one.
 *
 * The state of a key is msgpack [total, count], so `weir checkpoint DIR
 * --state OP` prints it as JSON. */
#include <stddef.h>
#include <stdlib.h>

#include <weir/weir.h>

typedef struct running_total_config {
  weir_list key;
  const char *value;
  int64_t idle_timeout;
} running_total_config;

static const weir_option options[] = {
    {"key", WEIR_OPT_LIST, NULL, WEIR_OPT_REQUIRED | WEIR_OPT_STATE, 0, 0, NULL,
     "the columns to sum by", offsetof(running_total_config, key)},
    {"value", WEIR_OPT_STRING, NULL, WEIR_OPT_REQUIRED | WEIR_OPT_STATE, 0, 0,
     NULL, "the numeric column to sum", offsetof(running_total_config, value)},
    {"idle_timeout", WEIR_OPT_DURATION, "1 hour", 0, 1, 9.2e18, NULL,
     "a key without rows for this long (processing time) expires",
     offsetof(running_total_config, idle_timeout)},
    WEIR_OPTIONS_END};

typedef struct running_total {
  int col, is_float;
  int64_t idle_timeout;
  weir_buf value; /* the state being written; reused */
} running_total;

static void rt_free(void *user) {
  running_total *u = user;
  if (u)
    weir_buf_free(&u->value);
  free(u);
}

/* The running sum: an integer column sums as an integer (BIGINT, as
 * Spark's sum), a floating one as a double. */
typedef struct sum {
  int64_t i;
  double f;
  int64_t count;
} sum;

static int load(const running_total *u, weir_group *g, sum *s) {
  const void *val;
  size_t len;
  *s = (sum){0, 0, 0};
  if (!weir_group_get(g, &val, &len))
    return WEIR_OK;
  weir_value v, f[2];
  const uint8_t *p = val;
  if (weir_value_decode(&p, p + len, &v) != WEIR_OK ||
      weir_value_members(&v, f, 2) != WEIR_OK || f[1].type != WEIR_T_INT ||
      f[0].type != (u->is_float ? WEIR_T_FLOAT : WEIR_T_INT))
    return WEIR_ERR_FORMAT;
  s->i = f[0].v.i;
  s->f = f[0].v.f;
  s->count = f[1].v.i;
  return WEIR_OK;
}

static void put_row(const running_total *u, weir_group *g, weir_builder *out,
                    const sum *s, bool expired) {
  weir_row_begin(out);
  for (size_t k = 0; k < weir_group_nkeys(g); k++)
    weir_put_value(out, weir_group_key(g, k));
  if (u->is_float)
    weir_put_float(out, s->f);
  else
    weir_put_int(out, s->i);
  weir_put_int(out, s->count);
  weir_put_bool(out, expired);
}

static int call(void *user, weir_ctx *ctx, weir_group *g, weir_builder *out) {
  running_total *u = user;
  sum s;
  if (load(u, g, &s) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_STATE, "running_total: unreadable state");
  if (weir_group_has_timed_out(g)) {
    /* Idle for idle_timeout: the last word on this key, then forget it. */
    put_row(u, g, out, &s, true);
    return weir_group_remove(g);
  }
  const weir_value *row;
  int rc;
  while ((rc = weir_group_next(g, &row)) == 1) {
    const weir_value *v = &row[u->col];
    if (v->type == WEIR_T_INT)
      s.i += v->v.i;
    else if (v->type == WEIR_T_FLOAT)
      s.f += v->v.f;
    else
      continue; /* null */
    s.count++;
  }
  if (rc < 0)
    return rc;
  weir_buf_clear(&u->value);
  weir_mp_array(&u->value, 2);
  if (u->is_float)
    weir_mp_float(&u->value, s.f);
  else
    weir_mp_int(&u->value, s.i);
  weir_mp_int(&u->value, s.count);
  if (u->value.err)
    return weir_error(ctx, WEIR_ERR_NOMEM, "running_total: out of memory");
  if ((rc = weir_group_update(g, u->value.data, u->value.len)) != WEIR_OK)
    return rc;
  put_row(u, g, out, &s, false);
  /* Set again on every call, or the key would have no timeout. */
  return weir_group_set_timeout_duration(g, u->idle_timeout);
}

static int create(weir_ctx *ctx, const void *config, weir_create_args *args,
                  void **self) {
  const running_total_config *c = config;
  const weir_schema *in = args->input;
  int col = in ? weir_schema_find(in, c->value) : -1;
  if (col < 0 || (in->fields[col].type != WEIR_T_INT &&
                  in->fields[col].type != WEIR_T_FLOAT))
    return weir_error(ctx, WEIR_ERR_SCHEMA,
                      "value: no numeric (bigint or double) column '%s'",
                      c->value);
  running_total *u = calloc(1, sizeof *u);
  weir_schema *out = weir_schema_new();
  int rc = u && out ? WEIR_OK : WEIR_ERR_NOMEM;
  for (size_t i = 0; rc == WEIR_OK && i < c->key.n; i++) {
    int k = weir_schema_find(in, c->key.items[i]);
    if (k >= 0) /* weir_groups_create reports unknown key columns */
      rc = weir_schema_add(
          out, in->fields[k].name, in->fields[k].type, in->fields[k].nullable,
          in->fields[k].fields ? weir_schema_copy(in->fields[k].fields) : NULL);
  }
  if (rc == WEIR_OK)
    rc = weir_schema_add(out, "total", in->fields[col].type, false, NULL);
  if (rc == WEIR_OK)
    rc = weir_schema_add(out, "count", WEIR_T_INT, false, NULL);
  if (rc == WEIR_OK)
    rc = weir_schema_add(out, "expired", WEIR_T_BOOL, false, NULL);
  if (rc != WEIR_OK) {
    rt_free(u);
    weir_schema_free(out);
    return weir_error(ctx, rc, "running_total: %s", weir_err_str(rc));
  }
  u->col = col;
  u->is_float = in->fields[col].type == WEIR_T_FLOAT;
  u->idle_timeout = c->idle_timeout;
  weir_groups_spec spec = WEIR_GROUPS_SPEC_INIT;
  spec.variant = WEIR_GROUPS_MAP;
  spec.output_mode = WEIR_MODE_UPDATE;
  spec.timeout = WEIR_TIMEOUT_PROCESSING_TIME;
  spec.keys = c->key.items;
  spec.nkeys = c->key.n;
  spec.output = out;
  spec.state_name = "totals";
  spec.fn = call;
  spec.user = u;
  spec.user_free = rt_free;
  return weir_groups_create(ctx, args, &spec, self);
}

static const weir_plugin running_total_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_OPERATOR,
    .name = "running_total",
    .version = "1.0.0",
    .description = "per-key running sums; idle keys expire (example of "
                   "weir/groupstate.h)",
    .options = options,
    .config_size = sizeof(running_total_config),
    .flags = WEIR_PLUGIN_STATEFUL,
    .create = create,
    WEIR_GROUPS_CALLBACKS};

WEIR_PLUGIN(running_total_plugin)
