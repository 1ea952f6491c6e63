/* groupstate_int.h — what the group-state helper's modules share: the
 * helper instance, a call's handle, and the per-epoch row buffer. Not
 * installed. groupstate.c drives the epoch (create, process, epoch_end,
 * timeouts, restart checks); groupstate_epoch.c buffers rows per key;
 * groupstate_call.c is the handle a call sees. */
#ifndef WEIR_SDK_GROUPSTATE_INT_H
#define WEIR_SDK_GROUPSTATE_INT_H

#include "weir/groupstate.h"
#include "weir/state.h"

/* ---- per-epoch rows, per key (groupstate_epoch.c) ---------------------- */

/* A run of one key's raw rows, carved from a slab. */
typedef struct gs_block {
  struct gs_block *next;
  uint32_t used, cap;
  uint8_t data[];
} gs_block;

/* A large allocation blocks are carved from; reset every epoch. */
typedef struct gs_slab {
  struct gs_slab *next;
  size_t used, cap;
  uint8_t data[];
} gs_slab;

/* A key with rows this epoch. */
typedef struct gs_entry {
  uint64_t hash;
  size_t key_off; /* in gs_epoch.keys */
  uint32_t key_len, nrows;
  gs_block *head, *tail;
} gs_entry;

typedef struct gs_epoch {
  gs_slab *slabs; /* in use order; `cur` is being carved */
  gs_slab *cur;
  gs_entry *entries; /* in order of first appearance */
  size_t n, cap;
  uint32_t *slots; /* open addressing: entry index + 1, 0 empty */
  size_t nslots;
  weir_buf keys; /* the entries' canonical keys, back to back */
} gs_epoch;

/* Adds a row to the key whose canonical bytes were just appended to
 * e->keys from offset key_start (they are kept for a new key, dropped for
 * a known one). The row bytes are copied. WEIR_OK or WEIR_ERR_NOMEM. */
int gs_epoch_add(gs_epoch *e, size_t key_start, const uint8_t *row, size_t len);
/* Forgets the epoch's rows; keeps the memory (slabs of the usual size). */
void gs_epoch_reset(gs_epoch *e);
void gs_epoch_free(gs_epoch *e);
/* 64-bit hash of a byte string. */
uint64_t gs_hash(const void *p, size_t n);

/* ---- the helper instance (groupstate.c) -------------------------------- */

typedef struct gs_timed {
  int64_t at;
  const uint8_t *key; /* into weir_groups.timed_keys, once collected */
  size_t key_off, key_len;
} gs_timed;

typedef struct weir_groups {
  weir_groups_spec spec;    /* keys and output are not kept from it */
  char *state_name;         /* spec.state_name points here */
  const weir_schema *input; /* borrowed from the runtime (until destroy) */
  size_t ncols;
  int *keycols;
  size_t nkeys;
  int evcol; /* the watermarked event-time column, or -1 */
  weir_state *st;
  weir_value *row;     /* ncols: process() decoding */
  weir_value *callrow; /* ncols: weir_group_next() decoding */
  weir_value *keyvals; /* nkeys: the key of the call */
  weir_builder out, late;
  int64_t batch_rows; /* emit output when this many rows are pending */
  gs_epoch ep;
  int64_t ep_epoch; /* the epoch whose rows ep holds */
  weir_buf meta;    /* the "weir.groups" entry this instance expects */
  int synced, sync_rc;
  char sync_msg[768];
  int64_t min_timer; /* no timer fires before it (INT64_MAX: none) */
  gs_timed *timed;
  size_t ntimed, timed_cap;
  weir_buf timed_keys, scratch, keytext;
} weir_groups;

/* A call's handle. */
struct weir_group {
  weir_groups *gs;
  weir_ctx *ctx;
  const uint8_t *key;
  size_t klen;
  int timed_out;
  const gs_block *head, *blk;
  uint32_t off, nrows, read;
  const uint8_t *row_raw;
  size_t row_len;
  int timeout_set;
  int64_t timeout_at;
  int64_t watermark, processing_time, epoch;
};

/* The reserved entry describing the state (see weir/groupstate.h). Group
 * keys are msgpack arrays, so this msgpack string never collides. */
#define GS_META_KEY "\xabweir.groups"
#define GS_META_LEN (sizeof GS_META_KEY - 1)

/* The key as JSON text for messages (["alice", 3]); in gs->keytext. */
const char *gs_key_text(weir_groups *gs, const uint8_t *key, size_t klen);

#endif
