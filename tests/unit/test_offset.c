/* test_offset.c — reading the msgpack maps sources use as offsets:
 * weir_map_find, weir_map_int and weir_mp_skip, on good and bad bytes. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "weir/batch.h"
#include "weir/offset.h"

static weir_buf sample(void) {
  weir_buf b = WEIR_BUF_INIT;
  weir_mp_map(&b, 6);
  weir_mp_str(&b, "rows", 4);
  weir_mp_int(&b, 123456789012LL);
  weir_mp_str(&b, "name", 4);
  weir_mp_str(&b, "topic-a", 7);
  weir_mp_str(&b, "parts", 5);
  weir_mp_map(&b, 2);
  weir_mp_str(&b, "0", 1);
  weir_mp_int(&b, 17);
  weir_mp_str(&b, "1", 1);
  weir_mp_int(&b, -2);
  weir_mp_str(&b, "list", 4);
  weir_mp_array(&b, 2);
  weir_mp_map(&b, 0); /* a map inside an array: fine in an offset */
  weir_mp_int(&b, 3);
  weir_mp_int(&b, 99); /* a non-string key is skipped */
  weir_mp_str(&b, "rows", 4);
  weir_mp_str(&b, "ts", 2);
  weir_mp_timestamp(&b, -5);
  return b;
}

Test(offset, find_and_int) {
  weir_buf b = sample();
  weir_value v;
  int64_t i;
  cr_assert_eq(weir_map_int(b.data, b.len, "rows", &i), 1);
  cr_assert_eq(i, 123456789012LL);
  cr_assert_eq(weir_map_find(b.data, b.len, "name", &v), 1);
  cr_assert_eq(v.type, WEIR_T_STRING);
  cr_assert_eq(v.v.s.len, 7);
  cr_assert_eq(memcmp(v.v.s.ptr, "topic-a", 7), 0);
  cr_assert_eq(weir_map_int(b.data, b.len, "name", &i), WEIR_ERR_FORMAT);
  cr_assert_eq(weir_map_find(b.data, b.len, "ts", &v), 1);
  cr_assert_eq(v.type, WEIR_T_TIMESTAMP);
  cr_assert_eq(v.v.ts, -5);
  cr_assert_eq(weir_map_find(b.data, b.len, "nope", &v), 0);
  cr_assert_eq(weir_map_find(b.data, b.len, "row", &v), 0);
  cr_assert_eq(weir_map_int(b.data, b.len, "nope", &i), 0);
  /* a nested map comes back whole, to be searched in turn */
  cr_assert_eq(weir_map_find(b.data, b.len, "parts", &v), 1);
  cr_assert_eq(v.type, WEIR_T_STRUCT);
  cr_assert_eq(v.v.nfields, 2);
  cr_assert_eq(weir_map_int(v.raw, v.raw_len, "1", &i), 1);
  cr_assert_eq(i, -2);
  cr_assert_eq(weir_map_int(v.raw, v.raw_len, "0", &i), 1);
  cr_assert_eq(i, 17);
  cr_assert_eq(weir_map_find(b.data, b.len, "list", &v), 1);
  cr_assert_eq(v.type, WEIR_T_STRUCT);
  cr_assert_eq(v.v.nfields, 2);
  cr_assert_eq(v.raw_len, 3);
  /* empty input: absent */
  cr_assert_eq(weir_map_find(NULL, 0, "rows", &v), 0);
  cr_assert_eq(weir_map_int(b.data, 0, "rows", &i), 0);
  /* not a map */
  cr_assert_eq(weir_map_find((const uint8_t *)"\x91\x01", 2, "rows", &v),
               WEIR_ERR_FORMAT);
  /* every truncation is malformed, whatever the key */
  for (size_t n = 1; n < b.len; n++) {
    uint8_t *cut = malloc(n);
    memcpy(cut, b.data, n);
    cr_assert_eq(weir_map_find(cut, n, "rows", &v), WEIR_ERR_FORMAT, "at %zu",
                 n);
    cr_assert_eq(weir_map_find(cut, n, "zzz", &v), WEIR_ERR_FORMAT, "at %zu",
                 n);
    free(cut);
  }
  weir_buf_free(&b);
}

Test(offset, skip_every_type) {
  static const struct {
    const char *bytes;
    size_t n;
  } ok[] = {
      {"\x05", 1},
      {"\xe0", 1},
      {"\xc0", 1},
      {"\xc3", 1},
      {"\xcc\x01", 2},
      {"\xcd\x01\x02", 3},
      {"\xce\x01\x02\x03\x04", 5},
      {"\xcf\x01\x02\x03\x04\x05\x06\x07\x08", 9},
      {"\xd0\x01", 2},
      {"\xd3\x01\x02\x03\x04\x05\x06\x07\x08", 9},
      {"\xca\x01\x02\x03\x04", 5},
      {"\xcb\x01\x02\x03\x04\x05\x06\x07\x08", 9},
      {"\xa3"
       "abc",
       4},
      {"\xd9\x02"
       "ab",
       4},
      {"\xda\x00\x01"
       "a",
       4},
      {"\xdb\x00\x00\x00\x01"
       "a",
       6},
      {"\xc4\x01"
       "a",
       3},
      {"\xc5\x00\x01"
       "a",
       4},
      {"\xc6\x00\x00\x00\x01"
       "a",
       6},
      {"\xd4\x07\x01", 3},
      {"\xd5\x07\x01\x02", 4},
      {"\xd6\xff\x01\x02\x03\x04", 6},
      {"\xd7\xff\x01\x02\x03\x04\x05\x06\x07\x08", 10},
      {"\xd8\x01"
       "0123456789abcdef",
       18},
      {"\xc7\x02\x05"
       "ab",
       5},
      {"\xc8\x00\x02\x05"
       "ab",
       6},
      {"\xc9\x00\x00\x00\x02\x05"
       "ab",
       8},
      {"\x92\x01\x02", 3},
      {"\xdc\x00\x01\x01", 4},
      {"\xdd\x00\x00\x00\x01\x01", 6},
      {"\x81\x01\x02", 3},
      {"\xde\x00\x01\x01\x02", 5},
      {"\xdf\x00\x00\x00\x01\x01\x02", 7},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    const uint8_t *d = (const uint8_t *)ok[i].bytes, *p = d;
    /* followed by a byte that must not be consumed */
    uint8_t *buf = malloc(ok[i].n + 1);
    memcpy(buf, d, ok[i].n);
    buf[ok[i].n] = 0xc0;
    p = buf;
    cr_assert_eq(weir_mp_skip(&p, buf + ok[i].n + 1), WEIR_OK, "case %zu", i);
    cr_assert_eq(p, buf + ok[i].n, "case %zu", i);
    /* and every truncation fails without moving */
    for (size_t n = 0; n < ok[i].n; n++) {
      p = buf;
      cr_assert_eq(weir_mp_skip(&p, buf + n), WEIR_ERR_FORMAT,
                   "case %zu at %zu", i, n);
      cr_assert_eq(p, buf);
    }
    free(buf);
  }
  const uint8_t never[] = {0xc1};
  const uint8_t *p = never;
  cr_assert_eq(weir_mp_skip(&p, never + 1), WEIR_ERR_FORMAT);
}
