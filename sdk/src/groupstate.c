/* groupstate.c — the group-state helper (weir/groupstate.h): Spark's
 * [flat]MapGroupsWithState on the runtime's keyed state store.
 *
 * create() checks the spec against the input schema and the query's output
 * mode (Spark's UnsupportedOperationChecker rules) and opens the store.
 * process() drops late rows (event-time timeouts only, as Spark's
 * FlatMapGroupsWithStateExec does) and buffers the rest per key
 * (groupstate_epoch.c). epoch_end() calls the plugin's function for every
 * key with rows, then for every key whose timer is below the epoch's
 * threshold (Spark: `timeoutTimestamp < batchTimestamp` for processing
 * time, `< watermark` for event time), and applies each call's timeout to
 * the store's timer. A lower bound of all timers is kept in memory so that
 * an epoch in which nothing can fire does not scan the store, and so that
 * wants_epoch() answers without scanning.
 *
 * The runtime restores state after create(), so whatever depends on the
 * restored state (the check that the state was written with the same key
 * columns and timeout kind, the upgrade of older value formats, the timer
 * bound) happens once, on the first callback after create ("sync"). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "groupstate_int.h"
#include "weir/json.h"
#include "weir/key.h"

static const char *timeout_word(int kind) {
  return kind == WEIR_TIMEOUT_PROCESSING_TIME ? "processing-time"
         : kind == WEIR_TIMEOUT_EVENT_TIME    ? "event-time"
                                              : "none";
}

static const char *mode_word(int mode) {
  return mode == WEIR_MODE_APPEND   ? "append"
         : mode == WEIR_MODE_UPDATE ? "update"
                                    : "complete";
}

void *weir_groups_user(void *self) {
  return self ? ((weir_groups *)self)->spec.user : NULL;
}

void weir_groups_destroy(void *self) {
  weir_groups *gs = self;
  if (!gs)
    return;
  if (gs->spec.user_free)
    gs->spec.user_free(gs->spec.user);
  free(gs->state_name);
  free(gs->keycols);
  free(gs->row);
  free(gs->callrow);
  free(gs->keyvals);
  free(gs->timed);
  weir_builder_free(&gs->out);
  weir_builder_free(&gs->late);
  gs_epoch_free(&gs->ep);
  weir_buf_free(&gs->meta);
  weir_buf_free(&gs->timed_keys);
  weir_buf_free(&gs->scratch);
  weir_buf_free(&gs->keytext);
  free(gs);
}

/* ---- create: load-time checks ------------------------------------------ */

static int check_modes(weir_ctx *ctx, const weir_groups_spec *sp,
                       int query_mode) {
  if (sp->variant == WEIR_GROUPS_MAP) {
    if (sp->output_mode != WEIR_MODE_UPDATE)
      return weir_error(ctx, WEIR_ERR_INVALID,
                        "the map variant emits in update mode only "
                        "(spec.output_mode = WEIR_MODE_UPDATE or 0)");
    if (query_mode != WEIR_MODE_UPDATE)
      return weir_error(
          ctx, WEIR_ERR_UNSUPPORTED,
          "this operator (one row per key and call, like Spark's "
          "mapGroupsWithState) needs output_mode = update, not %s: each "
          "row replaces the key's previous one; set [query] output_mode = "
          "update",
          mode_word(query_mode));
    return WEIR_OK;
  }
  if (sp->variant != WEIR_GROUPS_FLAT)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "spec.variant must be WEIR_GROUPS_MAP or "
                      "WEIR_GROUPS_FLAT");
  if (sp->output_mode != WEIR_MODE_APPEND &&
      sp->output_mode != WEIR_MODE_UPDATE)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "the flat variant declares WEIR_MODE_APPEND (the "
                      "default) or WEIR_MODE_UPDATE in spec.output_mode");
  /* Spark: without an aggregation the operator's mode must be the query's;
   * with one (complete implies one, weir refuses complete without), only
   * append is allowed. weir cannot see the rest of the query here, so an
   * append operator before an aggregation in an update query is refused
   * too (a stricter rule than Spark's). */
  if (sp->output_mode == WEIR_MODE_UPDATE && query_mode != WEIR_MODE_UPDATE)
    return weir_error(ctx, WEIR_ERR_UNSUPPORTED,
                      "this operator emits in update mode (rows replace "
                      "earlier rows of their key), which needs output_mode "
                      "= update, not %s",
                      mode_word(query_mode));
  if (sp->output_mode == WEIR_MODE_APPEND && query_mode == WEIR_MODE_UPDATE)
    return weir_error(ctx, WEIR_ERR_UNSUPPORTED,
                      "this operator emits in append mode (every row is "
                      "final), which needs output_mode = append (or "
                      "complete after an aggregation), not update");
  return WEIR_OK;
}

static int find_key_columns(weir_ctx *ctx, weir_groups *gs,
                            const weir_groups_spec *sp) {
  const weir_schema *in = gs->input;
  for (size_t i = 0; i < sp->nkeys; i++) {
    const char *name = sp->keys[i] ? sp->keys[i] : "";
    int c = weir_schema_find(in, name);
    if (c >= 0) {
      gs->keycols[i] = c;
      continue;
    }
    const char *near = weir_schema_suggest(in, name);
    if (near)
      return weir_error(ctx, WEIR_ERR_SCHEMA,
                        "key: unknown column '%s' (did you mean '%s'?)", name,
                        near);
    weir_buf cols = WEIR_BUF_INIT;
    weir_schema_format(in, &cols);
    weir_buf_append(&cols, "", 1);
    int rc = weir_error(ctx, WEIR_ERR_SCHEMA,
                        "key: unknown column '%s' (the input has: %s)", name,
                        cols.err ? "?" : (const char *)cols.data);
    weir_buf_free(&cols);
    return rc;
  }
  return WEIR_OK;
}

/* The watermarked event-time column: a timestamp, or a window struct
 * (weir_key_event_time reads its end, as Spark's watermark predicate). */
static void find_event_time(weir_groups *gs) {
  gs->evcol = -1;
  for (size_t i = 0; i < gs->input->n && gs->evcol < 0; i++) {
    const weir_field *f = &gs->input->fields[i];
    if ((f->flags & WEIR_FIELD_EVENT_TIME) &&
        (f->type == WEIR_T_TIMESTAMP || f->type == WEIR_T_STRUCT))
      gs->evcol = (int)i;
  }
}

/* The "weir.groups" entry: {"keys": [[name, type], ...], "timeout": kind}. */
static void build_meta(weir_groups *gs) {
  weir_buf *b = &gs->meta;
  weir_mp_map(b, 2);
  weir_mp_str(b, "keys", 4);
  weir_mp_array(b, (uint32_t)gs->nkeys);
  for (size_t i = 0; i < gs->nkeys; i++) {
    const weir_field *f = &gs->input->fields[gs->keycols[i]];
    const char *t = weir_type_name(f->type);
    weir_mp_array(b, 2);
    weir_mp_str(b, f->name, strlen(f->name));
    weir_mp_str(b, t, strlen(t));
  }
  weir_mp_str(b, "timeout", 7);
  const char *t = timeout_word(gs->spec.timeout);
  weir_mp_str(b, t, strlen(t));
}

int weir_groups_create(weir_ctx *ctx, weir_create_args *args,
                       const weir_groups_spec *spec, void **self) {
  weir_groups_spec sp = WEIR_GROUPS_SPEC_INIT;
  weir_groups *gs = NULL;
  int rc;
  *self = NULL;
  if (!spec)
    return weir_error(ctx, WEIR_ERR_INVALID, "weir_groups_create: no spec");
  memset(&sp, 0, sizeof sp);
  memcpy(&sp, spec,
         spec->struct_size < sizeof sp ? spec->struct_size : sizeof sp);
  if (!args->input) {
    rc = weir_error(ctx, WEIR_ERR_INVALID, "needs an input");
    goto fail;
  }
  if (!sp.fn || !sp.output) {
    rc = weir_error(ctx, WEIR_ERR_INVALID,
                    "weir_groups_create: spec.fn and spec.output are "
                    "required");
    goto fail;
  }
  if (sp.timeout < WEIR_TIMEOUT_NONE || sp.timeout > WEIR_TIMEOUT_EVENT_TIME) {
    rc = weir_error(ctx, WEIR_ERR_INVALID, "spec.timeout: unknown kind %d",
                    sp.timeout);
    goto fail;
  }
  if (!sp.output_mode) /* the variant's default */
    sp.output_mode =
        sp.variant == WEIR_GROUPS_MAP ? WEIR_MODE_UPDATE : WEIR_MODE_APPEND;
  if ((rc = check_modes(ctx, &sp, args->output_mode)) != WEIR_OK)
    goto fail;
  if (!sp.state_version)
    sp.state_version = 1;
  if (!sp.state_name)
    sp.state_name = "groups";
  gs = calloc(1, sizeof *gs);
  if (!gs) {
    rc = weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    goto fail;
  }
  gs->spec = sp;
  gs->spec.keys = NULL;
  gs->spec.output = NULL;
  gs->spec.state_name = gs->state_name = strdup(sp.state_name);
  gs->input = args->input;
  gs->ncols = args->input->n;
  gs->nkeys = sp.nkeys;
  gs->keycols = calloc(sp.nkeys ? sp.nkeys : 1, sizeof *gs->keycols);
  gs->row = calloc(gs->ncols ? gs->ncols : 1, sizeof *gs->row);
  gs->callrow = calloc(gs->ncols ? gs->ncols : 1, sizeof *gs->callrow);
  gs->keyvals = calloc(sp.nkeys ? sp.nkeys : 1, sizeof *gs->keyvals);
  if (!gs->keycols || !gs->row || !gs->callrow || !gs->keyvals ||
      !gs->state_name) {
    rc = weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    goto fail_gs;
  }
  if ((rc = find_key_columns(ctx, gs, &sp)) != WEIR_OK)
    goto fail_gs;
  find_event_time(gs);
  if (sp.timeout == WEIR_TIMEOUT_EVENT_TIME && gs->evcol < 0) {
    /* Spark: "Watermark must be specified in the query using
     * withWatermark() for using event-time timeout". */
    rc = weir_error(ctx, WEIR_ERR_UNSUPPORTED,
                    "event-time timeouts need a watermark, and the input has "
                    "no event-time column: put a watermark operator before "
                    "this one (plugin = watermark, column = <timestamp "
                    "column>, delay = <how late rows may be>)");
    goto fail_gs;
  }
  build_meta(gs);
  gs->min_timer = INT64_MAX;
  gs->ep_epoch = -1;
  gs->batch_rows = args->max_batch_rows > 0 ? args->max_batch_rows : 4096;
  if (gs->meta.err || weir_builder_init(&gs->out, sp.output) != WEIR_OK ||
      weir_builder_init(&gs->late, args->input) != WEIR_OK) {
    rc = weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
    goto fail_gs;
  }
  if (!(gs->st = weir_state_open(ctx, sp.state_name, sp.state_version))) {
    rc = WEIR_ERR_NOMEM; /* the message is set */
    goto fail_gs;
  }
  args->output = sp.output; /* the runtime owns it from now on */
  *self = gs;
  return WEIR_OK;
fail_gs:
  gs->spec.user_free = NULL; /* freed below, once */
  weir_groups_destroy(gs);
fail:
  weir_schema_free(sp.output);
  if (sp.user_free)
    sp.user_free(sp.user);
  return rc;
}

/* ---- after a restart: checks, upgrade, timer bound ---------------------- */

static int fail_sync(weir_groups *gs, weir_ctx *ctx, int rc, const char *msg) {
  gs->sync_rc = rc;
  snprintf(gs->sync_msg, sizeof gs->sync_msg, "%s", msg);
  return weir_error(ctx, rc, "%s", gs->sync_msg);
}

static int check_meta(weir_groups *gs, weir_ctx *ctx) {
  const void *v;
  size_t vl;
  if (!weir_state_get(gs->st, GS_META_KEY, GS_META_LEN, &v, &vl)) {
    int rc = weir_state_put(gs->st, GS_META_KEY, GS_META_LEN, gs->meta.data,
                            gs->meta.len);
    return rc == WEIR_OK ? WEIR_OK
                         : fail_sync(gs, ctx, rc, "out of memory (state)");
  }
  if (vl == gs->meta.len && memcmp(v, gs->meta.data, vl) == 0)
    return WEIR_OK;
  weir_buf was = WEIR_BUF_INIT, now = WEIR_BUF_INIT;
  weir_json_from_msgpack(&was, v, vl);
  weir_json_from_msgpack(&now, gs->meta.data, gs->meta.len);
  weir_buf_append(&was, "", 1);
  weir_buf_append(&now, "", 1);
  char msg[768];
  snprintf(msg, sizeof msg,
           "state '%s' was written with %s, this operator now has %s: its "
           "state would be misread. Restore the old key columns and timeout, "
           "or start from a new checkpoint",
           gs->spec.state_name, was.err ? "?" : (char *)was.data,
           now.err ? "?" : (char *)now.data);
  weir_buf_free(&was);
  weir_buf_free(&now);
  return fail_sync(gs, ctx, WEIR_ERR_STATE, msg);
}

static int upgrade_values(weir_groups *gs, weir_ctx *ctx, uint32_t from) {
  char msg[512];
  if (!gs->spec.upgrade) {
    snprintf(msg, sizeof msg,
             "state '%s' has format version %u and this plugin writes %u "
             "but has no upgrade function (spec.upgrade): keep the older "
             "plugin, or start from a new checkpoint",
             gs->spec.state_name, from, gs->spec.state_version);
    return fail_sync(gs, ctx, WEIR_ERR_STATE, msg);
  }
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v;
  size_t kl, vl;
  weir_buf key = WEIR_BUF_INIT;
  int rc = WEIR_OK;
  while (rc == WEIR_OK && weir_state_next(gs->st, &it, &k, &kl, &v, &vl)) {
    if (kl == GS_META_LEN && memcmp(k, GS_META_KEY, kl) == 0)
      continue;
    weir_buf_clear(&key);
    weir_buf_append(&key, k, kl);
    weir_buf_clear(&gs->scratch);
    rc = gs->spec.upgrade(gs->spec.user, ctx, from, v, vl, &gs->scratch);
    if (rc == WEIR_OK && (key.err || gs->scratch.err))
      rc = WEIR_ERR_NOMEM;
    /* Updating the entry being visited is allowed during an iteration. */
    if (rc == WEIR_OK)
      rc = weir_state_put(gs->st, key.data, key.len, gs->scratch.data,
                          gs->scratch.len);
    if (rc != WEIR_OK) {
      snprintf(msg, sizeof msg,
               "upgrading state '%s' from version %u to %u failed at key %s "
               "(%s)",
               gs->spec.state_name, from, gs->spec.state_version,
               key.err ? "?" : gs_key_text(gs, key.data, key.len),
               weir_err_name(rc));
      weir_log(ctx, WEIR_LOG_ERROR, "%s", msg);
      gs->sync_rc = rc;
      snprintf(gs->sync_msg, sizeof gs->sync_msg, "%s", msg);
    }
  }
  weir_buf_free(&key);
  return rc;
}

static void scan_min_timer(weir_groups *gs) {
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k;
  size_t kl;
  int64_t m = INT64_MAX;
  while (weir_state_next(gs->st, &it, &k, &kl, NULL, NULL)) {
    int64_t t = weir_state_timer(gs->st, k, kl);
    if (t != WEIR_NO_TIMER && t < m)
      m = t;
  }
  gs->min_timer = m;
}

static int sync(weir_groups *gs, weir_ctx *ctx) {
  if (gs->synced)
    return gs->sync_rc ? weir_error(ctx, gs->sync_rc, "%s", gs->sync_msg)
                       : WEIR_OK;
  gs->synced = 1;
  int rc = check_meta(gs, ctx);
  uint32_t from = weir_state_restored_version(gs->st);
  if (rc == WEIR_OK && from && from < gs->spec.state_version) {
    weir_log(ctx, WEIR_LOG_INFO,
             "upgrading state '%s' from format version %u to %u",
             gs->spec.state_name, from, gs->spec.state_version);
    rc = upgrade_values(gs, ctx, from);
  }
  if (rc == WEIR_OK)
    scan_min_timer(gs);
  return rc;
}

/* ---- process: buffer rows per key --------------------------------------- */

static int flush_late(weir_groups *gs, weir_ctx *ctx) {
  if (!gs->late.nrows)
    return WEIR_OK;
  const uint8_t *data;
  size_t len;
  uint32_t n = gs->late.nrows;
  if (weir_builder_finish(&gs->late, &data, &len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory (late rows)");
  ctx->host->metric(ctx, WEIR_METRIC_ROWS_DROPPED_BY_WATERMARK, n);
  int rc = weir_emit_late(ctx, data, len);
  weir_builder_reset(&gs->late);
  return rc;
}

int weir_groups_process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  weir_groups *gs = self;
  int rc = sync(gs, ctx);
  if (rc != WEIR_OK)
    return rc;
  weir_epoch_info info = weir_epoch(ctx);
  if (info.epoch != gs->ep_epoch) {
    /* Rows of an epoch that never ended (a failure elsewhere) are gone. */
    gs_epoch_reset(&gs->ep);
    gs->ep_epoch = info.epoch;
  }
  int drop_late = gs->spec.timeout == WEIR_TIMEOUT_EVENT_TIME;
  weir_reader r;
  if (weir_reader_open(&r, batch->data, batch->len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_FORMAT, "malformed input batch");
  while ((rc = weir_reader_next(&r, gs->row, gs->ncols)) == 1) {
    if (drop_late) {
      /* Spark: `event_time <= watermark` is late; a null is not. */
      int64_t t = weir_key_event_time(&gs->row[gs->evcol]);
      if (t != WEIR_KEY_NO_TIME && t <= info.watermark) {
        weir_put_row_raw(&gs->late, r.row_raw, r.row_len);
        continue;
      }
    }
    size_t start = gs->ep.keys.len;
    weir_mp_array(&gs->ep.keys, (uint32_t)gs->nkeys);
    for (size_t i = 0; i < gs->nkeys; i++)
      if (weir_key_put(&gs->ep.keys, &gs->row[gs->keycols[i]]) != WEIR_OK)
        return weir_error(ctx, WEIR_ERR_FORMAT,
                          "key column '%s': malformed value",
                          gs->input->fields[gs->keycols[i]].name);
    if (gs_epoch_add(&gs->ep, start, r.row_raw, r.row_len) != WEIR_OK)
      return weir_error(ctx, WEIR_ERR_NOMEM,
                        "out of memory buffering the epoch's rows");
  }
  if (rc < 0)
    return weir_error(ctx, WEIR_ERR_FORMAT, "malformed input batch");
  return flush_late(gs, ctx);
}

/* ---- epoch_end: the calls ----------------------------------------------- */

static int flush_out(weir_groups *gs, weir_ctx *ctx) {
  if (!gs->out.nrows)
    return WEIR_OK;
  const uint8_t *data;
  size_t len;
  if (weir_builder_finish(&gs->out, &data, &len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory (output rows)");
  int rc = weir_emit(ctx, data, len);
  weir_builder_reset(&gs->out);
  return rc;
}

/* One call of the plugin's function, and what Spark does after it: the
 * map variant's one row, the timeout set (or cleared) in the store. */
static int call_one(weir_groups *gs, weir_ctx *ctx, weir_group *g) {
  weir_value kv;
  const uint8_t *p = g->key;
  if (weir_value_decode(&p, g->key + g->klen, &kv) != WEIR_OK ||
      weir_value_members(&kv, gs->keyvals, gs->nkeys) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_STATE, "a state key does not decode: %s",
                      gs_key_text(gs, g->key, g->klen));
  uint32_t before = gs->out.nrows;
  int rc = gs->spec.fn(gs->spec.user, ctx, g, &gs->out);
  if (rc != WEIR_OK) {
    weir_log(ctx, WEIR_LOG_ERROR,
             "the %s call for key %s failed in epoch %" PRId64,
             g->timed_out ? "timeout" : "data",
             gs_key_text(gs, g->key, g->klen), g->epoch);
    return rc;
  }
  uint32_t rows = gs->out.nrows - before;
  if (gs->spec.variant == WEIR_GROUPS_MAP && rows != 1)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "the %s call for key %s emitted %u rows: the map "
                      "variant emits exactly one row per call (use the flat "
                      "variant for 0..n)",
                      g->timed_out ? "timeout" : "data",
                      gs_key_text(gs, g->key, g->klen), rows);
  int exists = weir_group_exists(g);
  if (g->timeout_set && !exists)
    return weir_error(ctx, WEIR_ERR_INVALID,
                      "the call for key %s set a timeout but left the key "
                      "without state: a timeout belongs to a state (update "
                      "it first)",
                      gs_key_text(gs, g->key, g->klen));
  if (exists) {
    int64_t at = g->timeout_set ? g->timeout_at : WEIR_NO_TIMER;
    if ((rc = weir_state_set_timer(gs->st, g->key, g->klen, at)) != WEIR_OK)
      return weir_error(ctx, rc, "state timer: %s", weir_err_str(rc));
    if (g->timeout_set && at < gs->min_timer)
      gs->min_timer = at;
  }
  if ((int64_t)gs->out.nrows >= gs->batch_rows)
    return flush_out(gs, ctx);
  return WEIR_OK;
}

static void start_call(weir_groups *gs, weir_ctx *ctx, weir_group *g,
                       const weir_epoch_info *info) {
  memset(g, 0, sizeof *g);
  g->gs = gs;
  g->ctx = ctx;
  g->watermark = info->watermark;
  g->processing_time = info->processing_time;
  g->epoch = info->epoch;
}

static int cmp_timed(const void *a, const void *b) {
  const gs_timed *x = a, *y = b;
  if (x->at != y->at)
    return x->at < y->at ? -1 : 1;
  size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
  int c = n ? memcmp(x->key, y->key, n) : 0;
  if (c)
    return c;
  return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* Copies out the keys whose timer is below the threshold (the calls change
 * the store, so they cannot run during the iteration) and recomputes the
 * timer bound over the keys that stay. */
static int collect_timed_out(weir_groups *gs, int64_t threshold) {
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k;
  size_t kl;
  int64_t m = INT64_MAX;
  gs->ntimed = 0;
  weir_buf_clear(&gs->timed_keys);
  while (weir_state_next(gs->st, &it, &k, &kl, NULL, NULL)) {
    int64_t t = weir_state_timer(gs->st, k, kl);
    if (t == WEIR_NO_TIMER)
      continue;
    if (t >= threshold) {
      m = t < m ? t : m;
      continue;
    }
    if (gs->ntimed == gs->timed_cap) {
      size_t cap = gs->timed_cap ? gs->timed_cap * 2 : 64;
      gs_timed *n = realloc(gs->timed, cap * sizeof *n);
      if (!n)
        return WEIR_ERR_NOMEM;
      gs->timed = n;
      gs->timed_cap = cap;
    }
    gs_timed *e = &gs->timed[gs->ntimed++];
    e->at = t;
    e->key_off = gs->timed_keys.len;
    e->key_len = kl;
    weir_buf_append(&gs->timed_keys, k, kl);
  }
  if (gs->timed_keys.err)
    return WEIR_ERR_NOMEM;
  for (size_t i = 0; i < gs->ntimed; i++)
    gs->timed[i].key = gs->timed_keys.data + gs->timed[i].key_off;
  if (gs->ntimed > 1)
    qsort(gs->timed, gs->ntimed, sizeof *gs->timed, cmp_timed);
  gs->min_timer = m;
  return WEIR_OK;
}

static int run_calls(weir_groups *gs, weir_ctx *ctx) {
  weir_epoch_info info = weir_epoch(ctx);
  weir_group g;
  int rc = WEIR_OK;
  if (gs->ep_epoch == info.epoch) {
    for (size_t i = 0; rc == WEIR_OK && i < gs->ep.n; i++) {
      const gs_entry *en = &gs->ep.entries[i];
      start_call(gs, ctx, &g, &info);
      g.key = gs->ep.keys.data + en->key_off;
      g.klen = en->key_len;
      g.head = g.blk = en->head;
      g.nrows = en->nrows;
      rc = call_one(gs, ctx, &g);
    }
  }
  if (rc != WEIR_OK || gs->spec.timeout == WEIR_TIMEOUT_NONE)
    return rc;
  int64_t threshold = gs->spec.timeout == WEIR_TIMEOUT_EVENT_TIME
                          ? info.watermark
                          : info.processing_time;
  if (gs->min_timer >= threshold)
    return WEIR_OK; /* nothing can fire: no scan */
  if (collect_timed_out(gs, threshold) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory (timeouts)");
  for (size_t i = 0; rc == WEIR_OK && i < gs->ntimed; i++) {
    start_call(gs, ctx, &g, &info);
    g.key = gs->timed[i].key;
    g.klen = gs->timed[i].key_len;
    g.timed_out = 1;
    rc = call_one(gs, ctx, &g);
  }
  return rc;
}

int weir_groups_epoch_end(void *self, weir_ctx *ctx) {
  weir_groups *gs = self;
  int rc = sync(gs, ctx);
  if (rc == WEIR_OK)
    rc = run_calls(gs, ctx);
  if (rc == WEIR_OK)
    rc = flush_out(gs, ctx);
  weir_builder_reset(&gs->out);
  gs_epoch_reset(&gs->ep);
  gs->ep_epoch = -1;
  return rc;
}

int weir_groups_wants_epoch(void *self, weir_ctx *ctx, int64_t watermark) {
  weir_groups *gs = self;
  if (sync(gs, ctx) != WEIR_OK)
    return 1; /* run an epoch: it reports the error */
  switch (gs->spec.timeout) {
  case WEIR_TIMEOUT_EVENT_TIME: return gs->min_timer < watermark;
  case WEIR_TIMEOUT_PROCESSING_TIME: return gs->min_timer < ctx->host->now(ctx);
  default: return 0;
  }
}
