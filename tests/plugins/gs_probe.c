/* gs_probe.c — a group-state operator (weir/groupstate.h) for tests: it
 * counts rows per key in state ([count], or [count, true] in format 2),
 * emits (keys..., count, timed_out) per call, and on a timeout emits the
 * key a last time and drops it. Options choose the variant, the output
 * mode, the timeout kind, the state version and its upgrade, and a
 * failure or a misuse of the API in a given epoch, so that the e2e and
 * unit tests can check each rule and each error message. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "gs_probe.h"

static const char *const variants[] = {"flat", "map", NULL};
static const char *const modes[] = {"append", "update", NULL};
static const char *const timeouts[] = {"none", "processing", "event", NULL};
static const char *const fails[] = {"none",    "call",   "timeout",
                                    "upgrade", "create", NULL};
static const char *const misuses[] = {
    "none",     "two_rows",   "no_row",        "past_timestamp",
    "no_state", "wrong_kind", "zero_duration", NULL};

static const weir_option options[] = {
    {"key", WEIR_OPT_LIST, "k", WEIR_OPT_STATE, 0, 0, NULL, "key columns",
     offsetof(gs_probe_config, key)},
    {"variant", WEIR_OPT_ENUM, "flat", 0, 0, 0, variants, "map or flat",
     offsetof(gs_probe_config, variant)},
    {"mode", WEIR_OPT_ENUM, "append", 0, 0, 0, modes, "flat: output mode",
     offsetof(gs_probe_config, mode)},
    {"timeout", WEIR_OPT_ENUM, "none", 0, 0, 0, timeouts, "timeout kind",
     offsetof(gs_probe_config, timeout)},
    {"duration", WEIR_OPT_DURATION, "10 seconds", 0, 0, 0, NULL,
     "timeout duration", offsetof(gs_probe_config, duration)},
    {"state_version", WEIR_OPT_INT, "1", 0, 1, 2, NULL, "1 or 2",
     offsetof(gs_probe_config, state_version)},
    {"upgrade", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL, "upgrade 1 -> 2",
     offsetof(gs_probe_config, upgrade)},
    {"fail_in", WEIR_OPT_ENUM, "none", 0, 0, 0, fails, "fail on purpose",
     offsetof(gs_probe_config, fail_in)},
    {"fail_epoch", WEIR_OPT_INT, "0", 0, 0, 0, NULL, "when",
     offsetof(gs_probe_config, fail_epoch)},
    {"misuse", WEIR_OPT_ENUM, "none", 0, 0, 0, misuses, "misuse the API",
     offsetof(gs_probe_config, misuse)},
    {"keep_silent", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL,
     "set no timeout on data calls", offsetof(gs_probe_config, keep_silent)},
    WEIR_OPTIONS_END};

typedef struct probe {
  gs_probe_config c;
  int tscol; /* `ts`, for event-time timeouts; -1 */
  weir_buf v;
} probe;

static void probe_free(void *u) {
  probe *p = u;
  if (p)
    weir_buf_free(&p->v);
  free(p);
}

static int64_t state_count(weir_group *g) {
  const void *val;
  size_t len;
  weir_value v, f[2];
  if (!weir_group_get(g, &val, &len))
    return 0;
  const uint8_t *p = val;
  if (weir_value_decode(&p, p + len, &v) != WEIR_OK ||
      v.type != WEIR_T_STRUCT || v.v.nfields < 1 || v.v.nfields > 2 ||
      weir_value_members(&v, f, v.v.nfields) != WEIR_OK)
    return -1;
  return f[0].v.i;
}

static void put(weir_group *g, weir_builder *out, int64_t count, int timed) {
  weir_row_begin(out);
  for (size_t k = 0; k < weir_group_nkeys(g); k++)
    weir_put_value(out, weir_group_key(g, k));
  weir_put_int(out, count);
  weir_put_bool(out, timed);
}

static int call(void *user, weir_ctx *ctx, weir_group *g, weir_builder *out) {
  probe *p = user;
  const gs_probe_config *c = &p->c;
  int now = weir_group_epoch(g) == c->fail_epoch;
  int misuse = now ? c->misuse : MISUSE_NONE;
  int64_t count = state_count(g);
  if (count < 0)
    return weir_error(ctx, WEIR_ERR_STATE, "probe: unreadable state");
  if (weir_group_has_timed_out(g)) {
    if (now && c->fail_in == FAIL_TIMEOUT)
      return weir_error(ctx, WEIR_ERR_INVALID,
                        "probe: failing in the timeout call as asked");
    put(g, out, count, 1);
    return weir_group_remove(g);
  }
  if (now && c->fail_in == FAIL_CALL)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "probe: failing in the call as asked");
  const weir_value *row;
  int rc;
  int64_t max_ts = INT64_MIN;
  while ((rc = weir_group_next(g, &row)) == 1) {
    count++;
    if (p->tscol >= 0 && row[p->tscol].type == WEIR_T_TIMESTAMP &&
        row[p->tscol].v.ts > max_ts)
      max_ts = row[p->tscol].v.ts;
  }
  if (rc < 0)
    return rc;
  weir_buf_clear(&p->v);
  weir_mp_array(&p->v, (uint32_t)c->state_version);
  weir_mp_int(&p->v, count);
  if (c->state_version == 2)
    weir_mp_bool(&p->v, true);
  if ((rc = weir_group_update(g, p->v.data, p->v.len)) != WEIR_OK)
    return rc;
  if (misuse != MISUSE_NO_ROW)
    put(g, out, count, 0);
  if (misuse == MISUSE_TWO_ROWS)
    put(g, out, count, 0);
  if (misuse == MISUSE_NO_STATE)
    weir_group_remove(g);
  if (misuse == MISUSE_WRONG_KIND)
    return c->timeout == PROBE_EVENT
               ? weir_group_set_timeout_duration(g, c->duration)
               : weir_group_set_timeout_timestamp(g, INT64_MAX);
  if (misuse == MISUSE_ZERO_DURATION)
    return weir_group_set_timeout_duration(g, 0);
  if (misuse == MISUSE_PAST_TIMESTAMP)
    return weir_group_set_timeout_timestamp(g, weir_group_watermark(g));
  if (c->keep_silent && misuse != MISUSE_NO_STATE)
    return WEIR_OK;
  if (c->timeout == PROBE_PROCESSING)
    return weir_group_set_timeout_duration(g, c->duration);
  if (c->timeout == PROBE_EVENT && (max_ts != INT64_MIN || misuse))
    return weir_group_set_timeout_timestamp(
        g, (max_ts != INT64_MIN ? max_ts : 0) + c->duration);
  if (misuse == MISUSE_NO_STATE)
    return weir_group_set_timeout_duration(g, c->duration);
  return WEIR_OK;
}

static int upgrade(void *user, weir_ctx *ctx, uint32_t from, const void *old,
                   size_t len, weir_buf *out) {
  probe *p = user;
  if (p->c.fail_in == FAIL_UPGRADE)
    return weir_error(ctx, WEIR_ERR_INVALID, "probe: failing to upgrade");
  weir_value v, f;
  const uint8_t *q = old;
  if (from != 1 || weir_value_decode(&q, q + len, &v) != WEIR_OK ||
      weir_value_members(&v, &f, 1) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_STATE, "probe: cannot upgrade");
  weir_mp_array(out, 2);
  weir_mp_int(out, f.v.i);
  weir_mp_bool(out, true);
  return WEIR_OK;
}

static int create(weir_ctx *ctx, const void *config, weir_create_args *args,
                  void **self) {
  const gs_probe_config *c = config;
  if (c->fail_in == FAIL_CREATE)
    return weir_error(ctx, WEIR_ERR_INVALID, "probe: failing in create");
  probe *p = calloc(1, sizeof *p);
  weir_schema *out = weir_schema_new();
  int rc = p && out ? WEIR_OK : WEIR_ERR_NOMEM;
  for (size_t i = 0; rc == WEIR_OK && i < c->key.n; i++) {
    int k = weir_schema_find(args->input, c->key.items[i]);
    if (k >= 0)
      rc = weir_schema_add(out, c->key.items[i], args->input->fields[k].type,
                           true, NULL);
  }
  if (rc == WEIR_OK)
    rc = weir_schema_add(out, "count", WEIR_T_INT, false, NULL);
  if (rc == WEIR_OK)
    rc = weir_schema_add(out, "timed_out", WEIR_T_BOOL, false, NULL);
  if (rc != WEIR_OK) {
    probe_free(p);
    weir_schema_free(out);
    return weir_error(ctx, WEIR_ERR_NOMEM, "probe: out of memory");
  }
  p->c = *c;
  p->tscol = weir_schema_find(args->input, "ts");
  weir_groups_spec spec = WEIR_GROUPS_SPEC_INIT;
  spec.variant = c->variant == PROBE_MAP ? WEIR_GROUPS_MAP : WEIR_GROUPS_FLAT;
  spec.output_mode =
      c->mode == PROBE_UPDATE ? WEIR_MODE_UPDATE : WEIR_MODE_APPEND;
  if (c->variant == PROBE_MAP)
    spec.output_mode = 0;
  spec.timeout = c->timeout == PROBE_PROCESSING ? WEIR_TIMEOUT_PROCESSING_TIME
                 : c->timeout == PROBE_EVENT    ? WEIR_TIMEOUT_EVENT_TIME
                                                : WEIR_TIMEOUT_NONE;
  spec.keys = c->key.items;
  spec.nkeys = c->key.n;
  spec.output = out;
  spec.state_version = (uint32_t)c->state_version;
  spec.fn = call;
  spec.upgrade = c->upgrade ? upgrade : NULL;
  spec.user = p;
  spec.user_free = probe_free;
  return weir_groups_create(ctx, args, &spec, self);
}

static const weir_plugin desc = {.struct_size = sizeof(weir_plugin),
                                 .abi_major = WEIR_ABI_MAJOR,
                                 .abi_minor = WEIR_ABI_MINOR,
                                 .kind = WEIR_KIND_OPERATOR,
                                 .name = "gs_probe",
                                 .version = "1",
                                 .description = "group-state test operator",
                                 .options = options,
                                 .config_size = sizeof(gs_probe_config),
                                 .flags = WEIR_PLUGIN_STATEFUL,
                                 .create = create,
                                 WEIR_GROUPS_CALLBACKS};
WEIR_PLUGIN(desc)
