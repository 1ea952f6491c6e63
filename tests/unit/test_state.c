/* test_state.c — the keyed state store: get/put/upsert/delete/iterate,
 * timers, change tracking, deltas and snapshots that restore exactly, and
 * a randomized run against a reference model. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "state.h"

static weir_state *W(store *s) { return (weir_state *)s; }

Test(state, put_get_delete) {
  store *s = store_new("t", 1);
  weir_state *w = W(s);
  const void *v;
  size_t vl;
  cr_assert_eq(weir_state_get(w, "a", 1, &v, &vl), 0);
  cr_assert_eq(weir_state_put(w, "a", 1, "hello", 5), WEIR_OK);
  cr_assert_eq(weir_state_get(w, "a", 1, &v, &vl), 1);
  cr_assert_eq(vl, 5);
  cr_assert(memcmp(v, "hello", 5) == 0);
  cr_assert_eq(weir_state_put(w, "a", 1, "hi", 2), WEIR_OK);
  cr_assert_eq(weir_state_get(w, "a", 1, &v, &vl), 1);
  cr_assert_eq(vl, 2);
  cr_assert_eq(weir_state_count(w), 1);
  cr_assert_eq(weir_state_delete(w, "a", 1), 1);
  cr_assert_eq(weir_state_delete(w, "a", 1), 0);
  cr_assert_eq(weir_state_count(w), 0);
  store_free(s);
}

Test(state, upsert_in_place) {
  store *s = store_new("t", 1);
  int64_t *cnt;
  int created;
  for (int i = 0; i < 10; i++) {
    cr_assert_eq(
        weir_state_upsert(W(s), "k", 1, sizeof *cnt, (void **)&cnt, &created),
        WEIR_OK);
    cr_assert_eq(created, i == 0);
    (*cnt)++;
  }
  const void *v;
  size_t vl;
  weir_state_get(W(s), "k", 1, &v, &vl);
  cr_assert_eq(*(const int64_t *)v, 10);
  uint64_t upd, rem;
  store_epoch_stats(s, &upd, &rem);
  cr_assert_eq(upd, 1); /* one key updated ten times */
  store_free(s);
}

Test(state, timers) {
  store *s = store_new("t", 1);
  cr_assert_eq(weir_state_set_timer(W(s), "x", 1, 5), WEIR_ERR_NOTFOUND);
  weir_state_put(W(s), "x", 1, "", 0);
  cr_assert_eq(weir_state_timer(W(s), "x", 1), WEIR_NO_TIMER);
  cr_assert_eq(weir_state_set_timer(W(s), "x", 1, 1234), WEIR_OK);
  cr_assert_eq(weir_state_timer(W(s), "x", 1), 1234);
  store_free(s);
}

static void check_same(store *a, store *b) {
  cr_assert_eq(weir_state_count(W(a)), weir_state_count(W(b)));
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v, *v2;
  size_t kl, vl, vl2;
  while (weir_state_next(W(a), &it, &k, &kl, &v, &vl)) {
    cr_assert_eq(weir_state_get(W(b), k, kl, &v2, &vl2), 1);
    cr_assert_eq(vl, vl2);
    cr_assert(memcmp(v, v2, vl) == 0);
    cr_assert_eq(weir_state_timer(W(a), k, kl), weir_state_timer(W(b), k, kl));
  }
}

Test(state, deltas_and_snapshots_restore_exactly) {
  store *s = store_new("t", 1), *r = store_new("t", 1);
  weir_buf d = WEIR_BUF_INIT;
  char key[32], val[32];
  /* epoch 0: 100 keys */
  for (int i = 0; i < 100; i++) {
    int kl = snprintf(key, sizeof key, "key%d", i);
    int vl = snprintf(val, sizeof val, "v%d", i);
    weir_state_put(W(s), key, (size_t)kl, val, (size_t)vl);
  }
  weir_state_set_timer(W(s), "key7", 4, 77);
  store_write_delta(s, &d);
  cr_assert_eq(store_apply(r, d.data, d.len), WEIR_OK);
  store_epoch_reset(s);
  check_same(s, r);
  /* epoch 1: delete some, re-put a deleted one, put-then-delete another */
  weir_buf_clear(&d);
  weir_state_delete(W(s), "key1", 4);
  weir_state_delete(W(s), "key2", 4);
  weir_state_put(W(s), "key2", 4, "back", 4);
  weir_state_put(W(s), "new", 3, "x", 1);
  weir_state_delete(W(s), "new", 3);
  weir_state_put(W(s), "key3", 4, "a much longer value than before", 31);
  store_write_delta(s, &d);
  cr_assert_eq(store_apply(r, d.data, d.len), WEIR_OK);
  store_epoch_reset(s);
  check_same(s, r);
  /* a snapshot restores into an empty store */
  store *r2 = store_new("t", 1);
  weir_buf_clear(&d);
  store_write_snapshot(s, &d);
  cr_assert_eq(store_apply(r2, d.data, d.len), WEIR_OK);
  check_same(s, r2);
  /* truncated input is an error, never a crash */
  for (size_t n = 0; n < d.len; n++) {
    store *r3 = store_new("t", 1);
    cr_assert_neq(store_apply(r3, d.data, n), WEIR_OK);
    store_free(r3);
  }
  weir_buf_free(&d);
  store_free(s);
  store_free(r);
  store_free(r2);
}

/* Random operations against a plain array model. */
Test(state, randomized_against_model) {
  enum { N = 20000 };
  static int model[N]; /* -1 absent, else value */
  for (int i = 0; i < N; i++)
    model[i] = -1;
  store *s = store_new("t", 1), *replica = store_new("t", 1);
  weir_buf d = WEIR_BUF_INIT;
  uint64_t x = 42;
  for (int step = 0; step < 400000; step++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int k = (int)(x % N), op = (int)((x >> 32) % 4);
    if (op < 2) {
      int v = (int)(x >> 40);
      cr_assert_eq(weir_state_put(W(s), &k, sizeof k, &v, sizeof v), WEIR_OK);
      model[k] = v;
    } else if (op == 2) {
      cr_assert_eq(weir_state_delete(W(s), &k, sizeof k), model[k] >= 0);
      model[k] = -1;
    } else {
      const void *v;
      size_t vl;
      int found = weir_state_get(W(s), &k, sizeof k, &v, &vl);
      cr_assert_eq(found, model[k] >= 0);
      if (found)
        cr_assert_eq(*(const int *)v, model[k]);
    }
    if (step % 50000 == 49999) { /* an epoch boundary: ship a delta */
      weir_buf_clear(&d);
      store_write_delta(s, &d);
      cr_assert_eq(store_apply(replica, d.data, d.len), WEIR_OK);
      store_epoch_reset(s);
      check_same(s, replica);
    }
  }
  uint64_t n = 0;
  for (int i = 0; i < N; i++)
    n += model[i] >= 0;
  cr_assert_eq(weir_state_count(W(s)), n);
  weir_buf_free(&d);
  store_free(s);
  store_free(replica);
}

Test(state, clear_and_iterate_with_deletes) {
  store *s = store_new("t", 1);
  for (int i = 0; i < 1000; i++)
    weir_state_put(W(s), &i, sizeof i, &i, sizeof i);
  weir_state_iter it = WEIR_STATE_ITER_INIT;
  const void *k, *v;
  size_t kl, vl;
  int seen = 0;
  while (weir_state_next(W(s), &it, &k, &kl, &v, &vl)) {
    seen++;
    if (*(const int *)v % 2)
      weir_state_delete(W(s), k, kl);
  }
  cr_assert_eq(seen, 1000);
  cr_assert_eq(weir_state_count(W(s)), 500);
  cr_assert_eq(weir_state_clear(W(s)), WEIR_OK);
  cr_assert_eq(weir_state_count(W(s)), 0);
  store_free(s);
}
