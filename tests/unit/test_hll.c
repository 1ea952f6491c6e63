/* tests/unit/test_hll.c — approx_count_distinct (plugins/aggregate/hll.c):
 * XXH64 against reference values (computed with the system's libxxhash,
 * the reference implementation), Spark's precision for a relative standard
 * deviation, Spark's hashing of each type, and the estimate's accuracy:
 * within 3 standard errors (1.04/sqrt(m)) from tens to millions of distinct
 * values, exact in the linear-counting range for a handful. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/aggregate/hll.h"

Test(hll, xxh64_reference_values) {
  /* libxxhash 0.8.1 XXH64(data, len, seed) */
  cr_assert_eq(hll_xxh64("", 0, 0), UINT64_C(0xef46db3751d8e999));
  cr_assert_eq(hll_xxh64("a", 1, 0), UINT64_C(0xd24ec4f1a98c6e5b));
  cr_assert_eq(hll_xxh64("abc", 3, 0), UINT64_C(0x44bc2cf5ad770999));
  cr_assert_eq(hll_xxh64("", 0, 42), UINT64_C(0x98b1582b0977e704));
  cr_assert_eq(hll_xxh64("Spark", 5, 42), UINT64_C(0xc466fc0dfa0ff5b7));
  /* 35 bytes: the 32-byte stripe loop, then 3 single bytes */
  cr_assert_eq(hll_xxh64("0123456789abcdef0123456789abcdefXYZ", 35, 42),
               UINT64_C(0x05f4001354091db1));
  /* 12 bytes: one 8-byte word, one 4-byte word */
  cr_assert_eq(hll_xxh64("hello world!", 12, 7), UINT64_C(0x515596857622624d));
}

static weir_value int_value(int64_t i) {
  weir_value v;
  memset(&v, 0, sizeof v);
  v.type = WEIR_T_INT;
  v.v.i = i;
  return v;
}

Test(hll, spark_value_hashing) {
  /* bigint and timestamp: hashLong = XXH64 of the 8 little-endian bytes */
  weir_value v = int_value(42);
  cr_assert_eq(hll_hash_value(&v), UINT64_C(0xa092f330c19ff2de));
  v = int_value(-1);
  cr_assert_eq(hll_hash_value(&v), UINT64_C(0x358ae035bfb46fd2));
  v.type = WEIR_T_TIMESTAMP;
  v.v.ts = INT64_C(1767225600000000);
  cr_assert_eq(hll_hash_value(&v), UINT64_C(0x1f69e4621fe3cb04));
  /* boolean: hashInt(1) = XXH64 of 4 bytes */
  v.type = WEIR_T_BOOL;
  v.v.b = true;
  cr_assert_eq(hll_hash_value(&v), UINT64_C(0xa309b38455455929));
  /* string: its UTF-8 bytes */
  v.type = WEIR_T_STRING;
  v.v.s.ptr = "Spark";
  v.v.s.len = 5;
  cr_assert_eq(hll_hash_value(&v), UINT64_C(0xc466fc0dfa0ff5b7));
  /* doubles: 0.0 and -0.0 are one value (both hash as the long 0) */
  weir_value z = {0}, nz = {0};
  z.type = nz.type = WEIR_T_FLOAT;
  z.v.f = 0.0;
  nz.v.f = -0.0;
  weir_value zero_long = int_value(0);
  cr_assert_eq(hll_hash_value(&z), hll_hash_value(&nz));
  cr_assert_eq(hll_hash_value(&z), hll_hash_value(&zero_long));
  weir_value n1 = {0}, n2 = {0};
  n1.type = n2.type = WEIR_T_FLOAT;
  n1.v.f = NAN;
  n2.v.f = -NAN;
  cr_assert_eq(hll_hash_value(&n1), hll_hash_value(&n2));
}

Test(hll, precision_from_rsd) {
  cr_assert_eq(hll_precision(0.05), 9); /* Spark's default: 512 registers */
  cr_assert_eq(hll_precision(0.01), 14);
  cr_assert_eq(hll_precision(0.39), 4);
  cr_assert_eq(hll_precision(0.4), 0);   /* fewer than 4 bits */
  cr_assert_eq(hll_precision(0.001), 0); /* beyond weir's 16 bits */
  cr_assert_eq(hll_precision(0), 0);
}

/* splitmix64: distinct, well-spread test values */
static uint64_t mix(uint64_t x) {
  x += UINT64_C(0x9E3779B97F4A7C15);
  x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
  return x ^ (x >> 31);
}

static int64_t estimate_of(int p, int64_t n, uint64_t salt) {
  uint8_t *regs = calloc((size_t)1 << p, 1);
  for (int64_t i = 0; i < n; i++) {
    weir_value v = int_value((int64_t)mix((uint64_t)i ^ salt));
    hll_add(regs, p, hll_hash_value(&v));
    /* duplicates change nothing */
    if (i % 7 == 0)
      hll_add(regs, p, hll_hash_value(&v));
  }
  int64_t e = hll_estimate(regs, p);
  free(regs);
  return e;
}

Test(hll, empty_and_tiny) {
  uint8_t regs[512] = {0};
  cr_assert_eq(hll_estimate(regs, 9), 0);
  weir_value v = int_value(7);
  for (int i = 0; i < 1000; i++)
    hll_add(regs, 9, hll_hash_value(&v));
  cr_assert_eq(hll_estimate(regs, 9), 1);
  /* three strings Spark-hashed into three different registers: exact */
  const char *s[] = {"0", "1", "2"};
  memset(regs, 0, sizeof regs);
  for (int i = 0; i < 3; i++) {
    weir_value sv = {0};
    sv.type = WEIR_T_STRING;
    sv.v.s.ptr = s[i];
    sv.v.s.len = 1;
    hll_add(regs, 9, hll_hash_value(&sv));
  }
  cr_assert_eq(hll_estimate(regs, 9), 3);
}

Test(hll, accuracy_bounds, .timeout = 60) {
  const int64_t sizes[] = {10,   50,   100,   300,    600,    1000,
                           2000, 3000, 10000, 100000, 1000000};
  const int ps[] = {9, 12};
  for (size_t k = 0; k < sizeof ps / sizeof *ps; k++) {
    int p = ps[k];
    double se = 1.04 / sqrt((double)(1 << p));
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
      int64_t n = sizes[i];
      int64_t e = estimate_of(p, n, (uint64_t)p * 1000003u);
      double rel = fabs((double)e - (double)n) / (double)n;
      /* 3 standard errors, and at least 1 for the smallest counts */
      double bound = fmax(3 * se, 1.5 / (double)n);
      cr_assert(rel <= bound,
                "p=%d n=%lld estimate=%lld (%.2f%% off, bound "
                "%.2f%%)",
                p, (long long)n, (long long)e, rel * 100, bound * 100);
    }
  }
}

Test(hll, mean_error_is_small_across_the_range, .timeout = 60) {
  /* the estimator is nearly unbiased where Spark uses its bias tables and
   * weir uses Ertl's estimator (between the linear-counting threshold, 400
   * for p = 9, and 5·m = 2560): averaged over 40 sketches, within 1.5%. */
  for (int64_t n = 500; n <= 2500; n += 500) {
    double sum = 0;
    for (uint64_t salt = 1; salt <= 40; salt++)
      sum += (double)estimate_of(9, n, salt * 7919u);
    double rel = fabs(sum / 40 - (double)n) / (double)n;
    cr_assert(rel < 0.015, "n=%lld mean estimate %.1f", (long long)n, sum / 40);
  }
}
