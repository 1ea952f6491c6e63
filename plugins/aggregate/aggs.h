/* aggs.h — the aggregate functions of the `aggregate` operator: resolving
 * the `aggregate` option against the input schema (names, types, Spark's
 * default output names and result types), the accumulator layout of one
 * group, and updating / emitting accumulators.
 *
 * An accumulator is one state value: a fixed part (an 8-byte header the
 * operator owns, then one slot per function, fixed size) followed by a
 * variable tail that holds the msgpack bytes of string, binary and struct
 * values kept by min, max, first and last. Fixed-only accumulators never
 * change size, so the per-row path is weir_state_upsert plus arithmetic.
 * State values are read with memcpy: the store does not promise alignment.
 *
 * Functions and Spark's rules they follow (null inputs are skipped unless
 * said otherwise):
 *   count                    rows                       bigint, not null
 *   count(col)               non-null values            bigint, not null
 *   sum(col)                 bigint → bigint (wraps), double → double
 *   avg(col), mean(col)      bigint or double → double
 *   min(col), max(col)       any but struct → input type
 *   first(col), last(col)    any → input type; nulls count (ignoreNulls
 *                            false, Spark's default)
 *   approx_count_distinct(col[, rsd])  HyperLogLog++ → bigint, not null
 * Hidden symbols. */
#ifndef WEIR_AGGREGATE_AGGS_H
#define WEIR_AGGREGATE_AGGS_H

#include <stddef.h>
#include <stdint.h>

#include <weir/weir.h>

#include "call.h"

#pragma GCC visibility push(hidden)

enum agg_fn {
  AF_COUNT_ALL,
  AF_COUNT,
  AF_SUM,
  AF_AVG,
  AF_MIN,
  AF_MAX,
  AF_FIRST,
  AF_LAST,
  AF_APPROX
};

/* How a slot stores its value. */
enum agg_class { VC_INT, VC_FLOAT, VC_VAR };

typedef struct agg_def {
  int fn;     /* enum agg_fn */
  int col;    /* input column, -1 for count */
  int vclass; /* enum agg_class of the input value */
  weir_type out_type;
  int out_nullable;
  const weir_field *in_field; /* borrowed from the input schema */
  uint32_t off;               /* slot offset in the accumulator */
  int hll_p;                  /* AF_APPROX: precision */
  int var_idx; /* VC_VAR slots of min/max/first/last: 0, 1, ... */
  char *name;  /* output column name */
} agg_def;

/* Bytes of the accumulator header (the operator's: see aggregate.c). */
#define AGG_HEADER 8

typedef struct agg_set {
  agg_def *defs;
  size_t n;
  uint32_t fixed;   /* header + slots */
  size_t nvar;      /* slots with a variable tail part */
  int *var_defs;    /* index in defs of each var slot, in tail order */
  weir_buf scratch; /* rebuilding the tail; reused */
} agg_set;

/* Resolves the parsed `aggregate` list against the input schema. On error
 * returns WEIR_ERR_SCHEMA (unknown column, with a suggestion; a type Spark
 * refuses) or WEIR_ERR_INVALID (unknown function, wrong arguments), with the
 * message in err. */
int aggs_resolve(agg_set *a, const call_list *items, const weir_schema *in,
                 char *err, size_t errlen);
void aggs_free(agg_set *a);

/* Appends the output fields (names and types) to out. WEIR_OK, or
 * WEIR_ERR_INVALID for a name already used by a group column. */
int aggs_output_fields(const agg_set *a, weir_schema *out, char *err,
                       size_t errlen);

/* Folds one input row into the accumulator *acc (of *acclen bytes) of the
 * group `key`. When a variable value changes size the value is re-upserted
 * into `st` under `key`, and *acc / *acclen follow it. WEIR_OK or an error
 * from the store. */
int aggs_update(agg_set *a, weir_state *st, const void *key, size_t klen,
                uint8_t **acc, size_t *acclen, const weir_value *row);

/* Appends the aggregate columns of one output row. */
void aggs_emit(const agg_set *a, const uint8_t *acc, size_t acclen,
               weir_builder *b);

#pragma GCC visibility pop

#endif
