/* groupstate_call.c — the handle a group-state function gets for one key
 * (weir/groupstate.h, "inside a call"): its key values, its rows, its
 * state in the store, and the timeout it asks for. The timeout is only
 * recorded here; groupstate.c applies it to the store's timer when the
 * call returns, so that a call that sets none clears it (Spark). */
#include <inttypes.h>
#include <string.h>

#include "groupstate_int.h"
#include "weir/json.h"
#include "weir/units.h"

size_t weir_group_nkeys(const weir_group *g) { return g->gs->nkeys; }

const weir_value *weir_group_key(const weir_group *g, size_t i) {
  return i < g->gs->nkeys ? &g->gs->keyvals[i] : NULL;
}

void weir_group_key_raw(const weir_group *g, const uint8_t **data,
                        size_t *len) {
  *data = g->key;
  *len = g->klen;
}

uint32_t weir_group_nrows(const weir_group *g) { return g->nrows; }

int weir_group_next(weir_group *g, const weir_value **row) {
  if (g->read >= g->nrows)
    return 0;
  while (g->blk && g->off >= g->blk->used) {
    g->blk = g->blk->next;
    g->off = 0;
  }
  if (!g->blk)
    return WEIR_ERR_FORMAT; /* fewer bytes than rows: a bug */
  const uint8_t *p = g->blk->data + g->off, *end = g->blk->data + g->blk->used;
  weir_value v;
  /* A row is an array: decoded as a struct value, then its members. */
  if (weir_value_decode(&p, end, &v) != WEIR_OK || v.type != WEIR_T_STRUCT ||
      weir_value_members(&v, g->gs->callrow, g->gs->ncols) != WEIR_OK)
    return WEIR_ERR_FORMAT;
  g->row_raw = g->blk->data + g->off;
  g->row_len = (size_t)(p - g->row_raw);
  g->off = (uint32_t)(p - g->blk->data);
  g->read++;
  *row = g->gs->callrow;
  return 1;
}

void weir_group_row_raw(const weir_group *g, const uint8_t **data,
                        size_t *len) {
  *data = g->row_raw;
  *len = g->row_raw ? g->row_len : 0;
}

void weir_group_rewind(weir_group *g) {
  g->blk = g->head;
  g->off = 0;
  g->read = 0;
  g->row_raw = NULL;
  g->row_len = 0;
}

int weir_group_has_timed_out(const weir_group *g) { return g->timed_out; }

int weir_group_exists(const weir_group *g) {
  const void *v;
  size_t n;
  return weir_state_get(g->gs->st, g->key, g->klen, &v, &n);
}

int weir_group_get(const weir_group *g, const void **val, size_t *len) {
  return weir_state_get(g->gs->st, g->key, g->klen, val, len);
}

int weir_group_update(weir_group *g, const void *val, size_t len) {
  int rc = weir_state_put(g->gs->st, g->key, g->klen, val, len);
  if (rc != WEIR_OK)
    return weir_error(g->ctx, rc, "state of key %s: %s (%zu bytes)",
                      gs_key_text(g->gs, g->key, g->klen), weir_err_str(rc),
                      len);
  return WEIR_OK;
}

int weir_group_remove(weir_group *g) {
  int rc = weir_state_delete(g->gs->st, g->key, g->klen);
  if (rc < 0)
    return weir_error(g->ctx, rc, "state of key %s: %s",
                      gs_key_text(g->gs, g->key, g->klen), weir_err_str(rc));
  g->timeout_set = 0; /* Spark: remove() also drops the timeout */
  return WEIR_OK;
}

static const char *timeout_name(int kind) {
  return kind == WEIR_TIMEOUT_PROCESSING_TIME ? "WEIR_TIMEOUT_PROCESSING_TIME"
         : kind == WEIR_TIMEOUT_EVENT_TIME    ? "WEIR_TIMEOUT_EVENT_TIME"
                                              : "WEIR_TIMEOUT_NONE";
}

int weir_group_set_timeout_duration(weir_group *g, int64_t duration_us) {
  if (g->gs->spec.timeout != WEIR_TIMEOUT_PROCESSING_TIME)
    return weir_error(g->ctx, WEIR_ERR_UNSUPPORTED,
                      "set_timeout_duration needs a processing-time timeout "
                      "(spec.timeout = WEIR_TIMEOUT_PROCESSING_TIME); this "
                      "operator declared %s",
                      timeout_name(g->gs->spec.timeout));
  if (duration_us <= 0)
    return weir_error(g->ctx, WEIR_ERR_INVALID,
                      "timeout duration %" PRId64
                      " us for key %s: it must be positive",
                      duration_us, gs_key_text(g->gs, g->key, g->klen));
  if (g->processing_time > INT64_MAX - duration_us)
    return weir_error(g->ctx, WEIR_ERR_INVALID,
                      "timeout duration %" PRId64 " us for key %s is too long",
                      duration_us, gs_key_text(g->gs, g->key, g->klen));
  g->timeout_set = 1;
  g->timeout_at = g->processing_time + duration_us;
  return WEIR_OK;
}

int weir_group_set_timeout_timestamp(weir_group *g, int64_t at_us) {
  if (g->gs->spec.timeout != WEIR_TIMEOUT_EVENT_TIME)
    return weir_error(g->ctx, WEIR_ERR_UNSUPPORTED,
                      "set_timeout_timestamp needs an event-time timeout "
                      "(spec.timeout = WEIR_TIMEOUT_EVENT_TIME); this "
                      "operator declared %s",
                      timeout_name(g->gs->spec.timeout));
  if (at_us <= g->watermark) {
    char at[64], wm[64];
    weir_format_timestamp(at_us, WEIR_TS_ISO, at, sizeof at);
    weir_format_timestamp(g->watermark, WEIR_TS_ISO, wm, sizeof wm);
    return weir_error(g->ctx, WEIR_ERR_INVALID,
                      "timeout timestamp %s for key %s is not later than the "
                      "current watermark %s (it would never fire: close the "
                      "group now instead)",
                      at, gs_key_text(g->gs, g->key, g->klen), wm);
  }
  g->timeout_set = 1;
  g->timeout_at = at_us;
  return WEIR_OK;
}

int64_t weir_group_watermark(const weir_group *g) { return g->watermark; }
int64_t weir_group_processing_time(const weir_group *g) {
  return g->processing_time;
}
int64_t weir_group_epoch(const weir_group *g) { return g->epoch; }

const char *gs_key_text(weir_groups *gs, const uint8_t *key, size_t klen) {
  weir_buf_clear(&gs->keytext);
  if (weir_json_from_msgpack(&gs->keytext, key, klen) != WEIR_OK)
    weir_buf_clear(&gs->keytext);
  weir_buf_append(&gs->keytext, "", 1);
  if (gs->keytext.err)
    return "(key)";
  /* Long keys are cut for messages. */
  if (gs->keytext.len > 200)
    memcpy(gs->keytext.data + 196, "...", 4);
  return (const char *)gs->keytext.data;
}
