/* state.h — the runtime's keyed state store behind weir/state.h. The store
 * itself lives in the SDK (sdk/src/store.c), shared with the SDK's test
 * harness; these are the runtime's names for it and its host table. */
#ifndef WEIR_CORE_STATE_H
#define WEIR_CORE_STATE_H

#include "../sdk/src/store.h"

typedef weir_store store;

/* The table given to plugins through weir_host.state (state.c). */
extern const weir_state_api weir_state_api_impl;

/* Creates an empty store of the runtime (the owner opens it through the
 * API). */
static inline store *store_new(const char *name, uint32_t version) {
  return weir_store_new(&weir_state_api_impl, name, version);
}
static inline void store_free(store *s) { weir_store_free(s); }
static inline const char *store_name(const store *s) {
  return weir_store_name(s);
}
static inline uint32_t store_version(const store *s) {
  return weir_store_version(s);
}
static inline void store_set_restored_version(store *s, uint32_t v) {
  weir_store_set_restored_version(s, v);
}
static inline uint32_t store_restored_version(const store *s) {
  return weir_store_restored_version(s);
}
/* Whether a snapshot of the store is in the checkpoint (deltas need one). */
static inline int store_has_base(const store *s) {
  return weir_store_has_base(s);
}
static inline void store_set_has_base(store *s) { weir_store_set_has_base(s); }
/* Changes since the last store_epoch_reset(): rows updated and removed. */
static inline void store_epoch_stats(const store *s, uint64_t *updated,
                                     uint64_t *removed) {
  weir_store_epoch_stats(s, updated, removed);
}
/* Forgets the change tracking (after a checkpoint wrote it). */
static inline void store_epoch_reset(store *s) { weir_store_epoch_reset(s); }
/* Appends the changes of this epoch as msgpack: [deleted keys], [[key,
 * value, timer], ...]. */
static inline void store_write_delta(const store *s, weir_buf *out) {
  weir_store_write_delta(s, out);
}
/* Appends every entry as msgpack, in the same shape (no deletes). */
static inline void store_write_snapshot(const store *s, weir_buf *out) {
  weir_store_write_snapshot(s, out);
}
/* Applies a delta or snapshot written above. WEIR_ERR_FORMAT if malformed. */
static inline int store_apply(store *s, const uint8_t *data, size_t len) {
  return weir_store_apply(s, data, len);
}

#endif
