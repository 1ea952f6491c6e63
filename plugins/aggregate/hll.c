/* hll.c — XXH64, Spark's value hashing for HyperLogLog++, and the
 * estimator (see hll.h for what matches Spark exactly and what does not). */
#include "hll.h"

#include <math.h>
#include <string.h>

#define P1 UINT64_C(0x9E3779B185EBCA87)
#define P2 UINT64_C(0xC2B2AE3D27D4EB4F)
#define P3 UINT64_C(0x165667B19E3779F9)
#define P4 UINT64_C(0x85EBCA77C2B2AE63)
#define P5 UINT64_C(0x27D4EB2F165667C5)

/* Spark hashes with this seed in HyperLogLogPlusPlusHelper. */
#define SPARK_HLL_SEED 42

static inline uint64_t rotl(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}
static inline uint64_t rd64le(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}
static inline uint32_t rd32le(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static inline uint64_t xround(uint64_t acc, uint64_t in) {
  acc += in * P2;
  acc = rotl(acc, 31);
  return acc * P1;
}
static inline uint64_t xmerge(uint64_t acc, uint64_t v) {
  acc ^= xround(0, v);
  return acc * P1 + P4;
}

uint64_t hll_xxh64(const void *data, size_t n, uint64_t seed) {
  const uint8_t *p = data, *end = p + n;
  uint64_t h;
  if (n >= 32) {
    uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
    const uint8_t *limit = end - 32;
    do {
      v1 = xround(v1, rd64le(p));
      v2 = xround(v2, rd64le(p + 8));
      v3 = xround(v3, rd64le(p + 16));
      v4 = xround(v4, rd64le(p + 24));
      p += 32;
    } while (p <= limit);
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = xmerge(h, v1);
    h = xmerge(h, v2);
    h = xmerge(h, v3);
    h = xmerge(h, v4);
  } else {
    h = seed + P5;
  }
  h += (uint64_t)n;
  while (end - p >= 8) {
    h ^= xround(0, rd64le(p));
    h = rotl(h, 27) * P1 + P4;
    p += 8;
  }
  if (end - p >= 4) {
    h ^= (uint64_t)rd32le(p) * P1;
    h = rotl(h, 23) * P2 + P3;
    p += 4;
  }
  while (p < end) {
    h ^= (uint64_t)*p * P5;
    h = rotl(h, 11) * P1;
    p++;
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

int hll_precision(double rsd) {
  if (!(rsd > 0))
    return 0;
  double p = ceil(2.0 * log(1.106 / rsd) / log(2.0));
  if (p < HLL_MIN_P || p > HLL_MAX_P)
    return 0;
  return (int)p;
}

static uint64_t hash_long(uint64_t v, uint64_t seed) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  return hll_xxh64(b, 8, seed);
}

static uint64_t hash_with(const weir_value *v, uint64_t seed, int depth) {
  switch (v->type) {
  case WEIR_T_NULL:
    return seed; /* Spark: a null member leaves the seed unchanged */
  case WEIR_T_BOOL: {
    uint8_t b[4] = {v->v.b ? 1 : 0, 0, 0, 0};
    return hll_xxh64(b, 4, seed);
  }
  case WEIR_T_INT: return hash_long((uint64_t)v->v.i, seed);
  case WEIR_T_TIMESTAMP: return hash_long((uint64_t)v->v.ts, seed);
  case WEIR_T_FLOAT: {
    uint64_t bits = 0; /* 0.0 and -0.0 hash as 0 */
    if (isnan(v->v.f))
      bits = UINT64_C(0x7ff8000000000000); /* Java's canonical NaN */
    else if (v->v.f != 0.0)
      memcpy(&bits, &v->v.f, 8);
    return hash_long(bits, seed);
  }
  case WEIR_T_STRING:
  case WEIR_T_BINARY: return hll_xxh64(v->v.s.ptr, v->v.s.len, seed);
  case WEIR_T_STRUCT:
  case WEIR_T_ARRAY: { /* members or elements in order, as Spark's XxHash64 */
    weir_array_iter it;
    weir_value m;
    if (depth > 64 || weir_array_begin(&it, v) != WEIR_OK)
      return seed;
    while (weir_array_next(&it, &m) == 1)
      seed = hash_with(&m, seed, depth + 1);
    return seed;
  }
  }
  return seed;
}

uint64_t hll_hash_value(const weir_value *v) {
  return hash_with(v, SPARK_HLL_SEED, 0);
}

/* HLL++'s linear-counting thresholds for p = 4 .. 18 (Heule et al. 2013,
 * the values Spark uses). */
static const double thresholds[] = {10,    20,    40,    80,     220,
                                    400,   900,   1800,  3100,   6500,
                                    11500, 20000, 50000, 120000, 350000};

/* Ertl, "New cardinality estimation algorithms for HyperLogLog sketches"
 * (2017), section 4: sigma and tau of the improved raw estimator. */
static double sigma(double x) {
  if (x == 1.0)
    return INFINITY;
  double y = 1.0, z = x, zp;
  do {
    x *= x;
    zp = z;
    z += x * y;
    y += y;
  } while (z != zp);
  return z;
}
static double tau(double x) {
  if (x == 0.0 || x == 1.0)
    return 0.0;
  double y = 1.0, z = 1.0 - x, zp;
  do {
    x = sqrt(x);
    zp = z;
    y *= 0.5;
    z -= (1.0 - x) * (1.0 - x) * y;
  } while (z != zp);
  return z / 3.0;
}

static double ertl(const uint32_t *c, int p, double m) {
  int q = 64 - p;
  double z = m * tau(1.0 - c[q + 1] / m);
  for (int k = q; k >= 1; k--)
    z = 0.5 * (z + c[k]);
  z += m * sigma(c[0] / m);
  return m * m / (2.0 * log(2.0) * z);
}

int64_t hll_estimate(const uint8_t *regs, int p) {
  uint32_t m_int = 1u << p;
  double m = (double)m_int, zinv = 0.0;
  uint32_t c[66] = {0};
  for (uint32_t i = 0; i < m_int; i++) {
    zinv += ldexp(1.0, -(int)regs[i]);
    c[regs[i] <= 65 ? regs[i] : 65]++;
  }
  double alpha = p == 4   ? 0.673
                 : p == 5 ? 0.697
                 : p == 6 ? 0.709
                          : 0.7213 / (1.0 + 1.079 / m);
  double e = alpha * m * m / zinv;
  double est = e < 5.0 * m ? ertl(c, p, m) : e;
  if (c[0] > 0) {
    double h = m * log(m / c[0]);
    if (h <= thresholds[p - 4])
      est = h;
  }
  return (int64_t)floor(est + 0.5); /* Java's Math.round */
}
