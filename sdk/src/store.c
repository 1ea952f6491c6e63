/* store.c — the keyed state store behind weir/state.h (moved here from
 * core/state.c so that the runtime and the SDK's test harness share one
 * implementation): an open-addressing hash table (linear probing,
 * tombstones) of entries that each hold key, value and timer in one block.
 * Every change marks its entry in a per-epoch change list (kept exact when
 * an entry moves), and deletions are logged, so a checkpoint writes a delta
 * of the keys one epoch changed instead of the whole table. */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "weir/offset.h"

typedef struct entry {
  int64_t timer;
  uint32_t klen, vlen, vcap;
  int64_t dirty_at; /* index in the change list, or -1 */
  uint8_t data[];   /* key, then value (vcap bytes) */
} entry;

#define TOMB ((entry *)1)

typedef struct slot {
  uint64_t hash;
  entry *e;
} slot;

struct weir_store {
  weir_state pub; /* first: what plugins hold */
  char *name;
  uint32_t version, restored_version;
  slot *slots; /* the hash beside the pointer: probes touch no entry */
  uint64_t cap, count, tombs, bytes;
  entry **dirty; /* entries changed this epoch (NULL: since deleted) */
  uint64_t ndirty, dirty_cap;
  weir_buf deleted; /* msgpack bin of each deleted key, back to back */
  uint64_t ndeleted, updated;
  int has_base;  /* a snapshot of it is in the checkpoint */
  int restoring; /* weir_store_apply: changes are not this epoch's */
};

static uint64_t hash_bytes(const void *p, size_t n) {
  /* 64-bit multiply-mix over 8-byte words (keys are short). */
  const uint8_t *b = p;
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, b, 8);
    h = (h ^ (w * 0xbf58476d1ce4e5b9ull)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    b += 8;
    n -= 8;
  }
  uint64_t w = 0;
  if (n) /* b may be NULL for an empty key */
    memcpy(&w, b, n);
  h = (h ^ (w * 0xbf58476d1ce4e5b9ull) ^ n) * 0x94d049bb133111ebull;
  h ^= h >> 29;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 32;
  return h;
}

/* Values start 8-byte aligned, so a plugin can keep a C struct there. */
#define VOFF(klen) (((size_t)(klen) + 7u) & ~(size_t)7u)
#define VAL(e) ((e)->data + VOFF((e)->klen))

static size_t entry_size(uint32_t klen, uint32_t vcap) {
  return sizeof(entry) + VOFF(klen) + vcap;
}

weir_store *weir_store_new(const weir_state_api *api, const char *name,
                           uint32_t version) {
  weir_store *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->pub.struct_size = sizeof s->pub;
  s->pub.api = api;
  s->name = strdup(name ? name : "");
  s->version = version;
  s->cap = 64;
  s->slots = calloc(s->cap, sizeof *s->slots);
  if (!s->name || !s->slots) {
    weir_store_free(s);
    return NULL;
  }
  s->bytes = s->cap * sizeof *s->slots;
  return s;
}

void weir_store_free(weir_store *s) {
  if (!s)
    return;
  for (uint64_t i = 0; s->slots && i < s->cap; i++)
    if (s->slots[i].e > TOMB)
      free(s->slots[i].e);
  free(s->slots);
  free(s->dirty);
  weir_buf_free(&s->deleted);
  free(s->name);
  free(s);
}

const char *weir_store_name(const weir_store *s) { return s->name; }
uint32_t weir_store_version(const weir_store *s) { return s->version; }
void weir_store_set_restored_version(weir_store *s, uint32_t v) {
  s->restored_version = v;
}

/* Finds the slot of a key, or the slot where it would go (*found = 0). */
static uint64_t probe(const weir_store *s, uint64_t h, const void *key,
                      size_t klen, int *found) {
  uint64_t mask = s->cap - 1, i = h & mask, first_tomb = UINT64_MAX;
  for (;;) {
    entry *e = s->slots[i].e;
    if (!e) {
      *found = 0;
      return first_tomb != UINT64_MAX ? first_tomb : i;
    }
    if (e == TOMB) {
      if (first_tomb == UINT64_MAX)
        first_tomb = i;
    } else if (s->slots[i].hash == h && e->klen == klen &&
               memcmp(e->data, key, klen) == 0) {
      *found = 1;
      return i;
    }
    i = (i + 1) & mask;
  }
}

/* Rehashes into a table for at least `want` keys (power of two, <= 75%
 * full), or at the same size to clear tombstones. */
static int rehash(weir_store *s, uint64_t cap) {
  slot *slots = calloc(cap, sizeof *slots);
  if (!slots)
    return WEIR_ERR_NOMEM;
  for (uint64_t i = 0; i < s->cap; i++) {
    if (s->slots[i].e <= TOMB)
      continue;
    uint64_t j = s->slots[i].hash & (cap - 1);
    while (slots[j].e)
      j = (j + 1) & (cap - 1);
    slots[j] = s->slots[i];
  }
  free(s->slots);
  s->bytes += (cap - s->cap) * sizeof *slots;
  s->slots = slots;
  s->cap = cap;
  s->tombs = 0;
  return WEIR_OK;
}

static int grow(weir_store *s) {
  if ((s->count + s->tombs + 1) * 4 < s->cap * 3)
    return WEIR_OK;
  /* Double when full of keys; same size when full of tombstones. */
  return rehash(s, (s->count + 1) * 2 >= s->cap ? s->cap * 2 : s->cap);
}

/* Makes room for `n` more keys at once (a restore knows its count). */
static int reserve(weir_store *s, uint64_t n) {
  uint64_t cap = s->cap;
  while ((s->count + n) * 4 >= cap * 3)
    cap *= 2;
  return cap == s->cap ? WEIR_OK : rehash(s, cap);
}

static int track(weir_store *s, entry *e) {
  if (s->restoring)
    return WEIR_OK;
  if (e->dirty_at >= 0) {
    s->dirty[e->dirty_at] = e; /* the entry may have moved */
    return WEIR_OK;
  }
  if (s->ndirty == s->dirty_cap) {
    uint64_t cap = s->dirty_cap ? s->dirty_cap * 2 : 64;
    entry **d = realloc(s->dirty, cap * sizeof *d);
    if (!d)
      return WEIR_ERR_NOMEM;
    s->dirty = d;
    s->dirty_cap = cap;
  }
  e->dirty_at = (int64_t)s->ndirty;
  s->dirty[s->ndirty++] = e;
  return WEIR_OK;
}

int weir_store_op_get(weir_state *ws, const void *key, size_t klen,
                      const void **val, size_t *vlen) {
  weir_store *s = (weir_store *)ws;
  int found;
  uint64_t i = probe(s, hash_bytes(key, klen), key, klen, &found);
  if (!found)
    return 0;
  *val = VAL(s->slots[i].e);
  *vlen = s->slots[i].e->vlen;
  return 1;
}

int weir_store_op_upsert(weir_state *ws, const void *key, size_t klen,
                         size_t vlen, void **val, int *created) {
  weir_store *s = (weir_store *)ws;
  if (klen > UINT32_MAX || vlen > UINT32_MAX)
    return WEIR_ERR_LIMIT;
  if (grow(s) != WEIR_OK)
    return WEIR_ERR_NOMEM;
  int found;
  uint64_t h = hash_bytes(key, klen);
  uint64_t i = probe(s, h, key, klen, &found);
  entry *e = found ? s->slots[i].e : NULL;
  if (created)
    *created = !found;
  if (!e || e->vcap < vlen) {
    uint32_t vcap = (uint32_t)vlen;
    entry *n = e ? realloc(e, entry_size(e->klen, vcap))
                 : malloc(entry_size((uint32_t)klen, vcap));
    if (!n)
      return WEIR_ERR_NOMEM;
    if (!e) {
      n->timer = WEIR_NO_TIMER;
      n->klen = (uint32_t)klen;
      n->dirty_at = -1;
      memcpy(n->data, key, klen);
      if (s->slots[i].e == TOMB)
        s->tombs--;
      s->count++;
      s->bytes += entry_size((uint32_t)klen, vcap);
      memset(VAL(n), 0, vlen);
    } else {
      s->bytes += vcap - n->vcap;
      memset(VAL(n) + n->vlen, 0, vlen - n->vlen);
    }
    n->vcap = vcap;
    s->slots[i].hash = h;
    s->slots[i].e = n;
    e = n;
  } else if (vlen > e->vlen) {
    memset(VAL(e) + e->vlen, 0, vlen - e->vlen);
  }
  e->vlen = (uint32_t)vlen;
  /* Spark's numRowsUpdated: keys updated this epoch, not calls. */
  if (e->dirty_at < 0 && !s->restoring)
    s->updated++;
  if (track(s, e) != WEIR_OK)
    return WEIR_ERR_NOMEM;
  *val = VAL(e);
  return WEIR_OK;
}

int weir_store_op_put(weir_state *ws, const void *key, size_t klen,
                      const void *val, size_t vlen) {
  void *dst;
  int rc = weir_store_op_upsert(ws, key, klen, vlen, &dst, NULL);
  if (rc == WEIR_OK && vlen)
    memcpy(dst, val, vlen);
  return rc;
}

int weir_store_op_del(weir_state *ws, const void *key, size_t klen) {
  weir_store *s = (weir_store *)ws;
  int found;
  uint64_t i = probe(s, hash_bytes(key, klen), key, klen, &found);
  if (!found)
    return 0;
  entry *e = s->slots[i].e;
  if (e->dirty_at >= 0)
    s->dirty[e->dirty_at] = NULL;
  weir_mp_bin(&s->deleted, e->data, e->klen);
  s->ndeleted++;
  s->bytes -= entry_size(e->klen, e->vcap);
  free(e);
  /* A tombstone only where a probe chain may continue past this slot. */
  if (s->slots[(i + 1) & (s->cap - 1)].e == NULL) {
    s->slots[i].e = NULL;
  } else {
    s->slots[i].e = TOMB;
    s->tombs++;
  }
  s->count--;
  return s->deleted.err ? WEIR_ERR_NOMEM : 1;
}

int weir_store_op_next(weir_state *ws, weir_state_iter *it, const void **key,
                       size_t *klen, const void **val, size_t *vlen) {
  weir_store *s = (weir_store *)ws;
  while (it->pos < s->cap) {
    entry *e = s->slots[it->pos++].e;
    if (e <= TOMB)
      continue;
    *key = e->data;
    *klen = e->klen;
    if (val)
      *val = VAL(e);
    if (vlen)
      *vlen = e->vlen;
    return 1;
  }
  return 0;
}

int weir_store_op_set_timer(weir_state *ws, const void *key, size_t klen,
                            int64_t at) {
  weir_store *s = (weir_store *)ws;
  int found;
  uint64_t i = probe(s, hash_bytes(key, klen), key, klen, &found);
  if (!found)
    return WEIR_ERR_NOTFOUND;
  entry *e = s->slots[i].e;
  if (e->timer == at)
    return WEIR_OK;
  e->timer = at;
  return track(s, e); /* in the delta, but not a row update */
}

int64_t weir_store_op_timer(weir_state *ws, const void *key, size_t klen) {
  weir_store *s = (weir_store *)ws;
  int found;
  uint64_t i = probe(s, hash_bytes(key, klen), key, klen, &found);
  return found ? s->slots[i].e->timer : WEIR_NO_TIMER;
}

uint64_t weir_store_op_count(weir_state *ws) {
  return ((weir_store *)ws)->count;
}
uint64_t weir_store_op_bytes(weir_state *ws) {
  weir_store *s = (weir_store *)ws;
  return s->bytes + sizeof *s + s->dirty_cap * sizeof(entry *) + s->deleted.cap;
}
uint32_t weir_store_op_restored_version(weir_state *ws) {
  return ((weir_store *)ws)->restored_version;
}

int weir_store_op_clear(weir_state *ws) {
  weir_store *s = (weir_store *)ws;
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k;
  size_t kl;
  while (weir_store_op_next(ws, &it, &k, &kl, NULL, NULL)) {
    it.pos--; /* weir_store_op_del may turn the slot to NULL; look at it again
               */
    int rc = weir_store_op_del(ws, k, kl);
    if (rc < 0)
      return rc;
    it.pos++;
  }
  (void)s;
  return WEIR_OK;
}

int weir_store_has_base(const weir_store *s) { return s->has_base; }
void weir_store_set_has_base(weir_store *s) { s->has_base = 1; }
uint32_t weir_store_restored_version(const weir_store *s) {
  return s->restored_version;
}

void weir_store_epoch_stats(const weir_store *s, uint64_t *updated,
                            uint64_t *removed) {
  *updated = s->updated;
  *removed = s->ndeleted;
}

void weir_store_epoch_reset(weir_store *s) {
  for (uint64_t i = 0; i < s->ndirty; i++)
    if (s->dirty[i])
      s->dirty[i]->dirty_at = -1;
  s->ndirty = 0;
  s->updated = 0;
  s->ndeleted = 0;
  weir_buf_clear(&s->deleted);
}

static void write_entry(weir_buf *out, const entry *e) {
  weir_mp_array(out, 3);
  weir_mp_bin(out, e->data, e->klen);
  weir_mp_bin(out, VAL(e), e->vlen);
  if (e->timer == WEIR_NO_TIMER)
    weir_mp_nil(out);
  else
    weir_mp_int(out, e->timer);
}

void weir_store_write_delta(const weir_store *s, weir_buf *out) {
  uint64_t live = 0;
  for (uint64_t i = 0; i < s->ndirty; i++)
    live += s->dirty[i] != NULL;
  weir_mp_array(out, 2);
  weir_mp_array(out, (uint32_t)s->ndeleted);
  weir_buf_append(out, s->deleted.data, s->deleted.len);
  weir_mp_array(out, (uint32_t)live);
  for (uint64_t i = 0; i < s->ndirty; i++)
    if (s->dirty[i])
      write_entry(out, s->dirty[i]);
}

void weir_store_write_snapshot(const weir_store *s, weir_buf *out) {
  weir_mp_array(out, 2);
  weir_mp_array(out, 0);
  weir_mp_array(out, (uint32_t)s->count);
  weir_buf_reserve(out, (size_t)(s->bytes / 2));
  for (uint64_t i = 0; i < s->cap; i++)
    if (s->slots[i].e > TOMB)
      write_entry(out, s->slots[i].e);
}

/* Reads a msgpack array header at *p (fixarray, array16, array32). */
static int read_array(const uint8_t **p, const uint8_t *end, uint32_t *n) {
  const uint8_t *q = *p;
  if (q >= end)
    return WEIR_ERR_FORMAT;
  if (*q >= 0x90 && *q <= 0x9f) {
    *n = *q & 0x0f;
    *p = q + 1;
  } else if (*q == 0xdc && end - q >= 3) {
    *n = (uint32_t)q[1] << 8 | q[2];
    *p = q + 3;
  } else if (*q == 0xdd && end - q >= 5) {
    *n = (uint32_t)q[1] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 8 |
         q[4];
    *p = q + 5;
  } else {
    return WEIR_ERR_FORMAT;
  }
  return WEIR_OK;
}

static int apply_puts(weir_store *s, const uint8_t **pp, const uint8_t *end,
                      uint32_t nput);

int weir_store_apply(weir_store *s, const uint8_t *data, size_t len) {
  const uint8_t *p = data, *end = data + len;
  uint32_t n, ndel, nput;
  if (read_array(&p, end, &n) || n != 2 || read_array(&p, end, &ndel))
    return WEIR_ERR_FORMAT;
  for (uint32_t i = 0; i < ndel; i++) {
    weir_value k;
    if (weir_value_decode(&p, end, &k) || k.type != WEIR_T_BINARY)
      return WEIR_ERR_FORMAT;
    if (weir_store_op_del(&s->pub, k.v.s.ptr, k.v.s.len) < 0)
      return WEIR_ERR_NOMEM;
  }
  if (read_array(&p, end, &nput))
    return WEIR_ERR_FORMAT;
  /* A count cannot exceed the bytes left (each entry takes > 4 bytes). */
  if (nput > (size_t)(end - p) || reserve(s, nput) != WEIR_OK)
    return nput > (size_t)(end - p) ? WEIR_ERR_FORMAT : WEIR_ERR_NOMEM;
  s->restoring = 1;
  int rc = apply_puts(s, &p, end, nput);
  s->restoring = 0;
  if (rc != WEIR_OK)
    return rc;
  return p == end ? WEIR_OK : WEIR_ERR_FORMAT;
}

static int apply_puts(weir_store *s, const uint8_t **pp, const uint8_t *end,
                      uint32_t nput) {
  const uint8_t *p = *pp;
  for (uint32_t i = 0; i < nput; i++) {
    weir_value k, v, t;
    uint32_t three;
    if (read_array(&p, end, &three) || three != 3 ||
        weir_value_decode(&p, end, &k) || k.type != WEIR_T_BINARY ||
        weir_value_decode(&p, end, &v) || v.type != WEIR_T_BINARY ||
        weir_value_decode(&p, end, &t) ||
        (t.type != WEIR_T_NULL && t.type != WEIR_T_INT))
      return WEIR_ERR_FORMAT;
    int rc =
        weir_store_op_put(&s->pub, k.v.s.ptr, k.v.s.len, v.v.s.ptr, v.v.s.len);
    if (rc != WEIR_OK)
      return rc;
    if (t.type == WEIR_T_INT)
      weir_store_op_set_timer(&s->pub, k.v.s.ptr, k.v.s.len, t.v.i);
  }
  *pp = p;
  return WEIR_OK;
}
