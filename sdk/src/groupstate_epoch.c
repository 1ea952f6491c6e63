/* groupstate_epoch.c — the group-state helper's per-epoch buffer: every
 * input row of the epoch, copied raw into blocks that belong to its key, so
 * that epoch_end can hand each key its rows. Nothing is allocated per row:
 * blocks are carved from large slabs with a bump pointer (a key's blocks
 * double in size up to 64 KiB, so a key with many rows reads mostly
 * contiguous memory), keys are found through an open-addressing table of
 * entry indices, and all of it is reset, not freed, between epochs. */
#include <stdlib.h>
#include <string.h>

#include "groupstate_int.h"

#define SLAB_SIZE (256u * 1024u)
#define BLOCK_MIN 256u
#define BLOCK_MAX (64u * 1024u)

uint64_t gs_hash(const void *p, size_t n) {
  /* A multiply-mix over 8-byte words: keys are short. */
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
  if (n)
    memcpy(&w, b, n);
  h = (h ^ (w * 0xbf58476d1ce4e5b9ull) ^ n) * 0x94d049bb133111ebull;
  h ^= h >> 29;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 32;
  return h;
}

/* ---- slabs and blocks --------------------------------------------------- */

static void *slab_alloc(gs_epoch *e, size_t n) {
  n = (n + 7u) & ~(size_t)7u; /* blocks hold pointers */
  gs_slab *s = e->cur;
  while (s && s->cap - s->used < n) {
    /* The next kept slab, if it has room; a slab is skipped at most once
     * per epoch, so little is wasted. */
    s = s->next;
    e->cur = s;
  }
  if (!s) {
    size_t cap = n > SLAB_SIZE ? n : SLAB_SIZE;
    s = malloc(sizeof *s + cap);
    if (!s)
      return NULL;
    s->used = 0;
    s->cap = cap;
    s->next = NULL;
    /* Append: the slabs stay in the order they are used. */
    gs_slab **at = &e->slabs;
    while (*at)
      at = &(*at)->next;
    *at = s;
    e->cur = s;
  }
  void *p = s->data + s->used;
  s->used += n;
  return p;
}

static int append_row(gs_epoch *e, gs_entry *en, const uint8_t *row,
                      size_t len) {
  gs_block *b = en->tail;
  if (!b || b->cap - b->used < len) {
    /* A key's first block holds just its first row (many keys have one
     * row in an epoch); then blocks double, from BLOCK_MIN to BLOCK_MAX. */
    size_t cap = !b ? len : (size_t)b->cap * 2;
    if (b && cap < BLOCK_MIN)
      cap = BLOCK_MIN;
    if (cap > BLOCK_MAX)
      cap = BLOCK_MAX;
    if (cap < len)
      cap = len;
    gs_block *nb = slab_alloc(e, sizeof *nb + cap);
    if (!nb)
      return WEIR_ERR_NOMEM;
    nb->next = NULL;
    nb->used = 0;
    nb->cap = (uint32_t)cap;
    if (b)
      b->next = nb;
    else
      en->head = nb;
    en->tail = b = nb;
  }
  memcpy(b->data + b->used, row, len);
  b->used += (uint32_t)len;
  en->nrows++;
  return WEIR_OK;
}

/* ---- the key table ------------------------------------------------------ */

static int grow_slots(gs_epoch *e) {
  size_t n = e->nslots ? e->nslots * 2 : 256;
  uint32_t *s = calloc(n, sizeof *s);
  if (!s)
    return WEIR_ERR_NOMEM;
  for (size_t i = 0; i < e->n; i++) {
    size_t j = (size_t)e->entries[i].hash & (n - 1);
    while (s[j])
      j = (j + 1) & (n - 1);
    s[j] = (uint32_t)(i + 1);
  }
  free(e->slots);
  e->slots = s;
  e->nslots = n;
  return WEIR_OK;
}

int gs_epoch_add(gs_epoch *e, size_t key_start, const uint8_t *row,
                 size_t len) {
  if (e->keys.err || len > UINT32_MAX)
    return WEIR_ERR_NOMEM;
  const uint8_t *key = e->keys.data + key_start;
  size_t klen = e->keys.len - key_start;
  uint64_t h = gs_hash(key, klen);
  if ((e->n + 1) * 2 > e->nslots && grow_slots(e) != WEIR_OK)
    return WEIR_ERR_NOMEM;
  size_t j = (size_t)h & (e->nslots - 1);
  for (; e->slots[j]; j = (j + 1) & (e->nslots - 1)) {
    gs_entry *en = &e->entries[e->slots[j] - 1];
    if (en->hash == h && en->key_len == klen &&
        memcmp(e->keys.data + en->key_off, key, klen) == 0) {
      e->keys.len = key_start; /* a known key: drop the copy */
      return append_row(e, en, row, len);
    }
  }
  if (e->n == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 64;
    gs_entry *n = realloc(e->entries, cap * sizeof *n);
    if (!n)
      return WEIR_ERR_NOMEM;
    e->entries = n;
    e->cap = cap;
  }
  gs_entry *en = &e->entries[e->n];
  memset(en, 0, sizeof *en);
  en->hash = h;
  en->key_off = key_start;
  en->key_len = (uint32_t)klen;
  e->slots[j] = (uint32_t)(++e->n);
  return append_row(e, en, row, len);
}

void gs_epoch_reset(gs_epoch *e) {
  /* Keep slabs of the usual size for the next epoch; free oversized ones
   * (a single huge row should not pin its memory). */
  gs_slab **at = &e->slabs;
  while (*at) {
    gs_slab *s = *at;
    if (s->cap > SLAB_SIZE) {
      *at = s->next;
      free(s);
      continue;
    }
    s->used = 0;
    at = &s->next;
  }
  e->cur = e->slabs;
  if (e->n && e->slots) {
    /* A table much larger than this epoch needed shrinks back. */
    if (e->nslots > 4096 && e->n * 8 < e->nslots) {
      free(e->slots);
      e->slots = NULL;
      e->nslots = 0;
    } else {
      memset(e->slots, 0, e->nslots * sizeof *e->slots);
    }
  }
  e->n = 0;
  weir_buf_clear(&e->keys);
}

void gs_epoch_free(gs_epoch *e) {
  while (e->slabs) {
    gs_slab *s = e->slabs;
    e->slabs = s->next;
    free(s);
  }
  free(e->entries);
  free(e->slots);
  weir_buf_free(&e->keys);
  memset(e, 0, sizeof *e);
}
