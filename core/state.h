/* state.h — the runtime's keyed state store behind weir/state.h: an open
 * addressing hash table per (operator, name), with per-epoch change tracking
 * so a checkpoint writes only the keys an epoch changed. */
#ifndef WEIR_CORE_STATE_H
#define WEIR_CORE_STATE_H

#include "weir/state.h"

typedef struct store store;

/* The table given to plugins through weir_host.state. */
extern const weir_state_api weir_state_api_impl;

/* Creates an empty store (the owner opens it through the API). */
store *store_new(const char *name, uint32_t version);
void store_free(store *s);
const char *store_name(const store *s);
uint32_t store_version(const store *s);
void store_set_restored_version(store *s, uint32_t v);

/* Whether a snapshot of the store is in the checkpoint (deltas need one). */
int store_has_base(const store *s);
void store_set_has_base(store *s);
uint32_t store_restored_version(const store *s);

/* Changes since the last store_epoch_reset(): rows updated and removed. */
void store_epoch_stats(const store *s, uint64_t *updated, uint64_t *removed);
/* Forgets the change tracking (after a checkpoint wrote it). */
void store_epoch_reset(store *s);

/* Appends the changes of this epoch as msgpack: [deleted keys], [[key,
 * value, timer], ...]. */
void store_write_delta(const store *s, weir_buf *out);
/* Appends every entry as msgpack, in the same shape (no deletes). */
void store_write_snapshot(const store *s, weir_buf *out);
/* Applies a delta or snapshot written above. WEIR_ERR_FORMAT if malformed. */
int store_apply(store *s, const uint8_t *data, size_t len);

#endif
