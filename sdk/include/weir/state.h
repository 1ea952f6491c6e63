/* weir/state.h — keyed state, a runtime service (DESIGN §4): a hash table
 * of key → value bytes per operator, with a timer per key, that the runtime
 * owns, accounts (rows, bytes, updates, removals in progress), snapshots
 * with every checkpoint and restores on restart — with no plugin code.
 *
 * Keys and values are bytes. Keys are compared bytewise: encode grouping
 * values canonically (the SDK's weir_key_* helpers, or the raw msgpack of
 * the grouping columns). Values: msgpack is recommended (`weir checkpoint
 * --state` can print it); a fixed C struct updated in place through
 * weir_state_upsert() is the fast path for aggregates.
 *
 * Threading: a store belongs to one plugin instance and is used from its
 * callbacks only. Borrowed pointers returned here stay valid until the next
 * call that modifies the same store (put, upsert, delete, clear) or the end
 * of the callback, whichever comes first. */
#ifndef WEIR_STATE_H
#define WEIR_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "weir/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weir_state weir_state;
typedef struct weir_state_api weir_state_api;

/* A store, owned by the runtime. Only the function table is public. */
struct weir_state {
  uint32_t struct_size;
  const weir_state_api *api;
};

/* An iteration position; start with WEIR_STATE_ITER_INIT. */
typedef struct weir_state_iter {
  uint64_t pos;
} weir_state_iter;
#define WEIR_STATE_ITER_INIT                                                   \
  { 0 }

/* "No timer" for weir_state_set_timer / weir_state_timer. */
#define WEIR_NO_TIMER INT64_MIN

/* The functions behind the wrappers below: a table the host gives through
 * weir_host.state (NULL in a host without state support). */
struct weir_state_api {
  uint32_t struct_size;
  weir_state *(*open)(weir_ctx *ctx, const char *name, uint32_t version);
  int (*get)(weir_state *s, const void *key, size_t klen, const void **val,
             size_t *vlen);
  int (*put)(weir_state *s, const void *key, size_t klen, const void *val,
             size_t vlen);
  int (*upsert)(weir_state *s, const void *key, size_t klen, size_t vlen,
                void **val, int *created);
  int (*del)(weir_state *s, const void *key, size_t klen);
  int (*next)(weir_state *s, weir_state_iter *it, const void **key,
              size_t *klen, const void **val, size_t *vlen);
  int (*set_timer)(weir_state *s, const void *key, size_t klen, int64_t at);
  int64_t (*timer)(weir_state *s, const void *key, size_t klen);
  uint64_t (*count)(weir_state *s);
  uint64_t (*bytes)(weir_state *s);
  uint32_t (*restored_version)(weir_state *s);
  int (*clear)(weir_state *s);
};

/* The host's state API, or NULL when the host predates it. */
static inline const weir_state_api *weir__state_api(weir_ctx *ctx) {
  const weir_host *h = ctx->host;
  if (h->struct_size < offsetof(weir_host, state) + sizeof(void *))
    return NULL;
  return h->state;
}

/* Opens this plugin instance's store called `name` (create() or later; the
 * same name returns the same store). `version` is the format of the values
 * the plugin writes; after a restart, weir_state_restored_version() tells
 * which version the restored values have (a newer one than the plugin knows
 * is refused by the runtime before create). Returns NULL with an error set
 * when the host has no state support or memory runs out. */
static inline weir_state *weir_state_open(weir_ctx *ctx, const char *name,
                                          uint32_t version) {
  const weir_state_api *a = weir__state_api(ctx);
  if (!a) {
    weir_error(ctx, WEIR_ERR_UNSUPPORTED, "this runtime has no keyed state");
    return NULL;
  }
  return a->open(ctx, name, version);
}

/* Looks a key up: 1 with the value in val and vlen (borrowed) when present,
 * 0 when absent. */
static inline int weir_state_get(weir_state *s, const void *key, size_t klen,
                                 const void **val, size_t *vlen) {
  return s->api->get(s, key, klen, val, vlen);
}
/* Sets a key's value (both copied). WEIR_OK or WEIR_ERR_NOMEM /
 * WEIR_ERR_LIMIT (the query's state memory limit). */
static inline int weir_state_put(weir_state *s, const void *key, size_t klen,
                                 const void *val, size_t vlen) {
  return s->api->put(s, key, klen, val, vlen);
}
/* The fast path: a writable value of exactly vlen bytes for the key, zeroed
 * when created (*created = 1) or grown, else the current bytes; 8-byte
 * aligned, so it can hold a C struct. The key is
 * marked updated for this epoch. *val is borrowed (see above). */
static inline int weir_state_upsert(weir_state *s, const void *key, size_t klen,
                                    size_t vlen, void **val, int *created) {
  return s->api->upsert(s, key, klen, vlen, val, created);
}
/* Removes a key (and its timer): 1 removed, 0 absent. */
static inline int weir_state_delete(weir_state *s, const void *key,
                                    size_t klen) {
  return s->api->del(s, key, klen);
}
/* Iterates in unspecified order: 1 with the next entry (borrowed), 0 at
 * the end. Deleting or updating the current entry during the iteration is
 * allowed; inserting other keys is not (the iteration may miss or repeat). */
static inline int weir_state_next(weir_state *s, weir_state_iter *it,
                                  const void **key, size_t *klen,
                                  const void **val, size_t *vlen) {
  return s->api->next(s, it, key, klen, val, vlen);
}
/* Sets (or, with WEIR_NO_TIMER, clears) the key's timer, a time in µs whose
 * meaning the plugin chooses (event or processing time). The key must
 * exist: WEIR_ERR_NOTFOUND otherwise. */
static inline int weir_state_set_timer(weir_state *s, const void *key,
                                       size_t klen, int64_t at) {
  return s->api->set_timer(s, key, klen, at);
}
/* The key's timer, or WEIR_NO_TIMER. */
static inline int64_t weir_state_timer(weir_state *s, const void *key,
                                       size_t klen) {
  return s->api->timer(s, key, klen);
}
/* Keys in the store, and bytes used (keys, values, table overhead). */
static inline uint64_t weir_state_count(weir_state *s) {
  return s->api->count(s);
}
static inline uint64_t weir_state_bytes(weir_state *s) {
  return s->api->bytes(s);
}
/* The value format version of the restored state (0 for a new query). */
static inline uint32_t weir_state_restored_version(weir_state *s) {
  return s->api->restored_version(s);
}
/* Removes every key. */
static inline int weir_state_clear(weir_state *s) { return s->api->clear(s); }

#ifdef __cplusplus
}
#endif
#endif
