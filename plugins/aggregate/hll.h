/* hll.h — approx_count_distinct as Spark computes it: HyperLogLog++ with
 * registers filled exactly as Spark's HyperLogLogPlusPlusHelper fills them
 * (XXH64 with seed 42 of the value's bytes, p index bits, register = leading
 * zeros + 1), so that weir and Spark agree register for register.
 *
 * The estimate follows Spark: linear counting while it stays under the
 * HLL++ threshold for p, the raw HLL estimate from 5·m up. Between the two
 * Spark subtracts an empirical bias from its tables; weir uses Ertl's
 * improved estimator there instead (no tables, nearly unbiased), so in that
 * range the two may differ by the estimator's noise. Pure functions; every
 * symbol is hidden. */
#ifndef WEIR_AGGREGATE_HLL_H
#define WEIR_AGGREGATE_HLL_H

#include <stddef.h>
#include <stdint.h>

#include <weir/weir.h>

#pragma GCC visibility push(hidden)

/* Spark's default relative standard deviation (rsd 0.05 → p = 9). */
#define HLL_DEFAULT_RSD 0.05
#define HLL_MIN_P 4
#define HLL_MAX_P 16

/* XXH64 of n bytes (the standard algorithm; Spark's XXH64 is the same). */
uint64_t hll_xxh64(const void *data, size_t n, uint64_t seed);

/* Spark's HyperLogLogPlusPlus precision for a relative standard deviation:
 * ceil(2·log2(1.106 / rsd)); 0 when outside HLL_MIN_P..HLL_MAX_P. */
int hll_precision(double rsd);

/* The hash Spark feeds HLL++ for a value (XxHash64Function, seed 42):
 * bigint and timestamp as 8 bytes, boolean as a 4-byte int, double by its
 * bits (0.0 for -0.0, one NaN), string and binary by their bytes, a struct
 * member by member chaining the seed. Nulls are never added. */
uint64_t hll_hash_value(const weir_value *v);

/* Adds a hash to m = 2^p one-byte registers. */
static inline void hll_add(uint8_t *regs, int p, uint64_t x) {
  uint32_t idx = (uint32_t)(x >> (64 - p));
  uint64_t w = (x << p) | (UINT64_C(1) << (p - 1));
  uint8_t rank = (uint8_t)(__builtin_clzll(w) + 1);
  if (rank > regs[idx])
    regs[idx] = rank;
}

/* The rounded cardinality estimate of 2^p registers. */
int64_t hll_estimate(const uint8_t *regs, int p);

#pragma GCC visibility pop

#endif
