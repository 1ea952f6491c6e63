/* weir/groupstate.h — custom keyed state with timeouts: Spark's
 * mapGroupsWithState / flatMapGroupsWithState for weir operators, built on
 * the runtime's keyed state store (weir/state.h), so that the state is
 * checkpointed, restored after a crash and shown by `weir checkpoint DIR
 * --state OP` with no code in the plugin.
 *
 * An operator declares its key columns and a function; the helper keeps
 * each epoch's rows per key and, at the end of the epoch, calls the function
 *  - once per key that has rows in the epoch (in the order the keys first
 *    appeared), with those rows, and then
 *  - once per key whose timeout fired and that had no rows (ordered by
 *    timeout, then key), with no rows and weir_group_has_timed_out() = 1.
 * Each call gets a handle on the key's state (exists / get / update /
 * remove), its timeout, the epoch's watermark and processing time, and a
 * builder for output rows. SEMANTICS.md, "Custom state", is the contract.
 *
 * The plugin hands its descriptor's callbacks to the helper:
 *
 *   static int create(weir_ctx *ctx, const void *config,
 *                     weir_create_args *args, void **self) {
 *     weir_groups_spec spec = WEIR_GROUPS_SPEC_INIT;
 *     spec.variant = WEIR_GROUPS_FLAT;   ... keys, output, fn, timeout ...
 *     return weir_groups_create(ctx, args, &spec, self);
 *   }
 *   static const weir_plugin desc = {
 *     ..., .flags = WEIR_PLUGIN_STATEFUL, .create = create,
 *     WEIR_GROUPS_CALLBACKS};
 *
 * Storage: one store (spec.state_name, default "groups") holds, per key, the
 * bytes the function wrote with weir_group_update() and the key's timeout
 * in the store's timer. Keys are the msgpack array of the key values in
 * weir/key.h's canonical form ([v1, v2, ...]: 1 sent as int8 or as
 * fixint is one key). Write values as msgpack and `weir checkpoint --state`
 * prints them as JSON. The same store holds one more entry, key
 * "weir.groups", describing the key columns and the timeout kind: a restart
 * with other key columns or another timeout kind is refused instead of
 * misreading the state.
 *
 * Versions: spec.state_version is the format of the values; after a restart
 * from older state, spec.upgrade rewrites every value once, before the first
 * call (newer state than the plugin knows is refused by the runtime).
 *
 * Memory: an epoch's rows are copied raw into per-key blocks carved from a
 * few large slabs (no allocation per row); the slabs are kept from epoch to
 * epoch, so the memory is that of the largest epoch.
 *
 * This is SDK code linked into the plugin (libweir-sdk.a), not runtime ABI:
 * it changes with the SDK's version, at source level (see sdk/GUIDE.md). */
#ifndef WEIR_GROUPSTATE_H
#define WEIR_GROUPSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "weir/batch.h"
#include "weir/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kinds of timeout (Spark's GroupStateTimeout); one per operator. */
typedef enum weir_group_timeout {
  WEIR_TIMEOUT_NONE = 0,
  /* weir_group_set_timeout_duration: fires at the first epoch whose
   * processing time is past (>) the call's processing time + duration. */
  WEIR_TIMEOUT_PROCESSING_TIME = 1,
  /* weir_group_set_timeout_timestamp: fires at the first epoch whose
   * watermark is past (>) the timestamp. Needs a watermark: an input column
   * marked WEIR_FIELD_EVENT_TIME (a watermark operator upstream). Input
   * rows with event time <= the watermark are late: dropped, counted and
   * passed to the `late_rows` sink, as Spark does with event-time
   * timeouts. */
  WEIR_TIMEOUT_EVENT_TIME = 2
} weir_group_timeout;

typedef enum weir_groups_variant {
  /* mapGroupsWithState: exactly one output row per call (timed-out calls
   * included); output mode update only. */
  WEIR_GROUPS_MAP = 1,
  /* flatMapGroupsWithState: 0..n rows per call; spec.output_mode says
   * whether they are final (append) or replace earlier ones (update). */
  WEIR_GROUPS_FLAT = 2
} weir_groups_variant;

/* One call's handle: a key, its rows this epoch, its state. Valid during
 * the call only. */
typedef struct weir_group weir_group;

/* The plugin's function, called once per key as described above. Append
 * output rows to `out` (a builder of spec.output; weir_row_begin and one
 * put per column). Return WEIR_OK, or an error with weir_error(): the epoch
 * fails and the query stops; the checkpoint keeps the last committed epoch. */
typedef int (*weir_group_fn)(void *user, weir_ctx *ctx, weir_group *g,
                             weir_builder *out);

/* Rewrites one state value of format `from_version` (older than
 * spec.state_version) into `out` in the current format. `old` is
 * borrowed for the call. */
typedef int (*weir_group_upgrade_fn)(void *user, weir_ctx *ctx,
                                     uint32_t from_version, const void *old,
                                     size_t len, weir_buf *out);

typedef struct weir_groups_spec {
  uint32_t struct_size;    /* sizeof(weir_groups_spec) */
  int variant;             /* weir_groups_variant */
  int output_mode;         /* FLAT: WEIR_MODE_APPEND or WEIR_MODE_UPDATE;
                              MAP: WEIR_MODE_UPDATE; 0: the variant's
                              (append for FLAT, update for MAP) */
  int timeout;             /* weir_group_timeout */
  const char *const *keys; /* key column names (borrowed during create);
                              none: one group for every row */
  size_t nkeys;
  weir_schema *output;    /* the output schema; taken over, also on error */
  const char *state_name; /* NULL: "groups" (copied) */
  uint32_t state_version; /* format of the values; 0 means 1 */
  weir_group_fn fn;
  weir_group_upgrade_fn upgrade; /* NULL: older state is refused */
  void *user;                    /* handed to fn and upgrade */
  void (*user_free)(void *user); /* called by destroy (and by a failing
                                    create); may be NULL */
} weir_groups_spec;

#define WEIR_GROUPS_SPEC_INIT                                                  \
  {                                                                            \
    sizeof(weir_groups_spec), WEIR_GROUPS_FLAT, 0, WEIR_TIMEOUT_NONE, NULL, 0, \
        NULL, NULL, 1, NULL, NULL, NULL, NULL                                  \
  }

/* Checks the spec against the input schema and the query (load-time
 * errors, with weir_error: an unknown key column with a suggestion, the map
 * variant outside update mode, a flat variant whose mode is not the
 * query's, an event-time timeout without a watermark), opens the store and
 * sets args->output. On success *self is the helper, to be given to the
 * callbacks below; the plugin's data is spec.user (weir_groups_user()). */
int weir_groups_create(weir_ctx *ctx, weir_create_args *args,
                       const weir_groups_spec *spec, void **self);

/* The descriptor callbacks (they take the *self of weir_groups_create). */
void weir_groups_destroy(void *self);
int weir_groups_process(void *self, weir_ctx *ctx, const weir_batch *batch);
int weir_groups_epoch_end(void *self, weir_ctx *ctx);
/* 1 when an epoch with no new data would fire a timeout: event time, a
 * timeout below `watermark`; processing time, one below host->now(). */
int weir_groups_wants_epoch(void *self, weir_ctx *ctx, int64_t watermark);

#define WEIR_GROUPS_CALLBACKS                                                  \
  .destroy = weir_groups_destroy, .process = weir_groups_process,              \
  .epoch_end = weir_groups_epoch_end, .wants_epoch = weir_groups_wants_epoch

/* spec.user of a helper. */
void *weir_groups_user(void *self);

/* ---- inside a call ---------------------------------------------------- */

/* The key: its values in key column order (borrowed for the call; copy
 * them to an output row with weir_put_value), and its canonical bytes
 * (weir/key.h). */
size_t weir_group_nkeys(const weir_group *g);
const weir_value *weir_group_key(const weir_group *g, size_t i);
void weir_group_key_raw(const weir_group *g, const uint8_t **data, size_t *len);

/* The key's rows this epoch (none for a timed-out call), in arrival order.
 * weir_group_next() decodes the next one into *row (an array with one value
 * per input column, borrowed until the next call): 1, 0 at the end, or
 * WEIR_ERR_FORMAT. weir_group_row_raw() gives that row's encoded bytes
 * (weir_put_row_raw copies it to a builder of the input's shape).
 * weir_group_rewind() starts over. */
uint32_t weir_group_nrows(const weir_group *g);
int weir_group_next(weir_group *g, const weir_value **row);
void weir_group_row_raw(const weir_group *g, const uint8_t **data, size_t *len);
void weir_group_rewind(weir_group *g);

/* 1 when the call is for a timeout (then there are no rows). */
int weir_group_has_timed_out(const weir_group *g);

/* The state: 1 when the key has state. weir_group_get gives the bytes
 * (borrowed until update/remove or the end of the call): 1, or 0 without
 * state. update copies the bytes in (WEIR_OK, or WEIR_ERR_NOMEM /
 * WEIR_ERR_LIMIT with a message); remove drops state and timeout. */
int weir_group_exists(const weir_group *g);
int weir_group_get(const weir_group *g, const void **val, size_t *len);
int weir_group_update(weir_group *g, const void *val, size_t len);
int weir_group_remove(weir_group *g);

/* Timeouts: set one on every call that wants one, or the key has none
 * after the call (Spark). A timeout needs state: set it on a key that has
 * state when the call returns (update first). Both return WEIR_OK, or an
 * error with a message (then `return` it): the other kind of timeout was
 * declared, a duration <= 0, a timestamp not later than the watermark. */
int weir_group_set_timeout_duration(weir_group *g, int64_t duration_us);
int weir_group_set_timeout_timestamp(weir_group *g, int64_t at_us);

/* The epoch's facts, constant within it (a replay sees the same): the
 * watermark in force, the processing time and the epoch id. */
int64_t weir_group_watermark(const weir_group *g);
int64_t weir_group_processing_time(const weir_group *g);
int64_t weir_group_epoch(const weir_group *g);

#ifdef __cplusplus
}
#endif
#endif
