/* store.h — the keyed state store behind weir/state.h, for hosts: the weir
 * runtime (core/state.h wraps it) and the SDK's test harness (testing.c).
 * One open-addressing hash table per (plugin instance, store name), with
 * per-epoch change tracking so that a checkpoint writes only the keys an
 * epoch changed. Not installed and not part of the plugin ABI: plugins
 * reach a store only through the host's weir_state_api table. */
#ifndef WEIR_SDK_STORE_H
#define WEIR_SDK_STORE_H

#include "weir/state.h"

typedef struct weir_store weir_store;

/* Creates an empty store whose weir_state.api is `api` (the host's table,
 * built with WEIR_STORE_API below; the store never calls api->open). */
weir_store *weir_store_new(const weir_state_api *api, const char *name,
                           uint32_t version);
void weir_store_free(weir_store *s);
const char *weir_store_name(const weir_store *s);
uint32_t weir_store_version(const weir_store *s);
void weir_store_set_restored_version(weir_store *s, uint32_t v);
uint32_t weir_store_restored_version(const weir_store *s);

/* Whether a snapshot of the store is in the checkpoint (deltas need one). */
int weir_store_has_base(const weir_store *s);
void weir_store_set_has_base(weir_store *s);

/* Changes since the last weir_store_epoch_reset(): rows updated, removed. */
void weir_store_epoch_stats(const weir_store *s, uint64_t *updated,
                            uint64_t *removed);
/* Forgets the change tracking (after a checkpoint wrote it). */
void weir_store_epoch_reset(weir_store *s);

/* Appends the changes of this epoch as msgpack: [[deleted keys], [[key,
 * value, timer], ...]]. */
void weir_store_write_delta(const weir_store *s, weir_buf *out);
/* Appends every entry as msgpack, in the same shape (no deletes). */
void weir_store_write_snapshot(const weir_store *s, weir_buf *out);
/* Applies a delta or snapshot written above. WEIR_ERR_FORMAT if malformed. */
int weir_store_apply(weir_store *s, const uint8_t *data, size_t len);

/* The functions of the weir_state_api table (see weir/state.h). */
int weir_store_op_get(weir_state *s, const void *key, size_t klen,
                      const void **val, size_t *vlen);
int weir_store_op_put(weir_state *s, const void *key, size_t klen,
                      const void *val, size_t vlen);
int weir_store_op_upsert(weir_state *s, const void *key, size_t klen,
                         size_t vlen, void **val, int *created);
int weir_store_op_del(weir_state *s, const void *key, size_t klen);
int weir_store_op_next(weir_state *s, weir_state_iter *it, const void **key,
                       size_t *klen, const void **val, size_t *vlen);
int weir_store_op_set_timer(weir_state *s, const void *key, size_t klen,
                            int64_t at);
int64_t weir_store_op_timer(weir_state *s, const void *key, size_t klen);
uint64_t weir_store_op_count(weir_state *s);
uint64_t weir_store_op_bytes(weir_state *s);
uint32_t weir_store_op_restored_version(weir_state *s);
int weir_store_op_clear(weir_state *s);

/* A host's state table: its own `open` (which creates stores with
 * weir_store_new and remembers them), the store's functions for the rest:
 *   static const weir_state_api api = WEIR_STORE_API(my_open); */
#define WEIR_STORE_API(open_fn)                                                \
  {                                                                            \
    sizeof(weir_state_api), (open_fn), weir_store_op_get, weir_store_op_put,   \
        weir_store_op_upsert, weir_store_op_del, weir_store_op_next,           \
        weir_store_op_set_timer, weir_store_op_timer, weir_store_op_count,     \
        weir_store_op_bytes, weir_store_op_restored_version,                   \
        weir_store_op_clear                                                    \
  }

#endif
