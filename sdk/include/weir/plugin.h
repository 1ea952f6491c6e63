/* weir/plugin.h — the plugin ABI: the descriptor a plugin exports, its options
 * table, and the host API table the runtime hands back to it.
 *
 * ABI rules (see sdk/README.md, "ABI versioning"):
 *  - A plugin exports exactly one symbol, the entry function WEIR_ENTRY_SYMBOL,
 *    which returns a pointer to a static, immutable weir_plugin descriptor.
 *  - The descriptor and the host table start with their own size; new fields
 *    are only ever appended. The runtime copies min(struct_size, sizeof) of a
 *    descriptor into a zeroed one, so a plugin built for an older minor simply
 *    has no newer callbacks; a plugin checks host->struct_size (the inline
 *    wrappers below do) before calling a host function newer than 1.0.
 *  - A different ABI major is refused at load time, naming both versions.
 *
 * Threading: every callback of one plugin instance is called from one thread,
 * never concurrently. Errors: callbacks return WEIR_OK or a negative weir_err
 * and set a message with weir_error(); a plugin never exits the process. */
#ifndef WEIR_PLUGIN_H
#define WEIR_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "weir/batch.h"
#include "weir/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WEIR_ABI_MAJOR 1
#define WEIR_ABI_MINOR 1 /* 1.1: weir_host.status */

/* The one symbol a plugin exports (DESIGN §4): a function, checked before any
 * other part of the object is touched. */
#define WEIR_ENTRY_SYMBOL "weir_plugin_entry"

#if defined(__GNUC__)
#define WEIR_EXPORT __attribute__((visibility("default")))
#else
#define WEIR_EXPORT
#endif

/* Declares the entry function: WEIR_PLUGIN(my_descriptor); */
#define WEIR_PLUGIN(desc)                                                      \
  WEIR_EXPORT const weir_plugin *weir_plugin_entry(void);                      \
  WEIR_EXPORT const weir_plugin *weir_plugin_entry(void) { return &(desc); }

typedef enum weir_kind {
  WEIR_KIND_SOURCE = 1,
  WEIR_KIND_OPERATOR = 2,
  WEIR_KIND_SINK = 3
} weir_kind;

/* Output modes; also used as a bit mask in weir_plugin.output_modes. */
typedef enum weir_output_mode {
  WEIR_MODE_APPEND = 1,
  WEIR_MODE_UPDATE = 2,
  WEIR_MODE_COMPLETE = 4
} weir_output_mode;

/* Descriptor flags. */
#define WEIR_PLUGIN_STATEFUL 0x1u   /* keeps state across epochs */
#define WEIR_PLUGIN_AGGREGATE 0x2u  /* an aggregation (complete mode allowed)  \
                                     */
#define WEIR_PLUGIN_REPLAYABLE 0x4u /* source: a range can be read twice */
#define WEIR_PLUGIN_WATERMARK 0x8u  /* reports a watermark (host->watermark) */

/* ---- options table ---------------------------------------------------- */

typedef enum weir_opt_type {
  WEIR_OPT_INT = 1,  /* int64_t */
  WEIR_OPT_FLOAT,    /* double */
  WEIR_OPT_BOOL,     /* int: 0 or 1 (true/false, yes/no, on/off, 1/0) */
  WEIR_OPT_DURATION, /* int64_t microseconds ("10 seconds", "500ms") */
  WEIR_OPT_SIZE,     /* int64_t bytes ("64 MiB", "4096") */
  WEIR_OPT_STRING,   /* const char * (owned by the runtime) */
  WEIR_OPT_LIST,     /* weir_list: comma-separated, items trimmed */
  WEIR_OPT_ENUM,     /* int: index into choices */
  WEIR_OPT_SCHEMA,   /* const weir_schema * (Spark DDL; owned by the runtime) */
  WEIR_OPT_PREFIX,   /* weir_kv_list: every "KEY.x = v" whose key starts with
                        the option's key (which ends in '.'), e.g. "kafka." */
  WEIR_OPT_TIMESTAMP /* int64_t microseconds since the Unix epoch (ISO-8601) */
} weir_opt_type;

typedef struct weir_list {
  size_t n;
  const char *const *items;
} weir_list;

typedef struct weir_kv {
  const char *key; /* without the prefix */
  const char *value;
} weir_kv;

typedef struct weir_kv_list {
  size_t n;
  const weir_kv *items;
} weir_kv_list;

/* One row of a plugin's options table; the table ends with a row whose key is
 * NULL. The runtime validates every INI key of the plugin's section against
 * it, converts the value, checks range and choices, fills defaults and stores
 * the result at `offset` in a zeroed config struct of `config_size` bytes.
 * Values the runtime stores (strings, lists, schemas) stay valid until the
 * plugin instance is destroyed. */
typedef struct weir_option {
  const char *key;
  weir_opt_type type;
  const char *default_value; /* INI text, or NULL: no default (zero value) */
  int required;              /* flags: WEIR_OPT_REQUIRED, WEIR_OPT_STATE */
  double min, max; /* checked when min < max (numbers, durations, sizes) */
  const char *const *choices; /* ENUM: NULL-terminated list */
  const char *help;           /* one line */
  size_t offset;              /* where the value goes in the config struct */
} weir_option;

#define WEIR_OPTIONS_END                                                       \
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, 0 }

/* weir_option.required flags. */
#define WEIR_OPT_REQUIRED 1 /* the key must be given */
#define WEIR_OPT_STATE                                                         \
  2 /* part of the state's identity (grouping keys,                            \
       window, aggregates, ...): changing it on a                              \
       restart from a checkpoint is refused */

/* ---- runtime context and host API -------------------------------------- */

typedef struct weir_host weir_host;
struct weir_state_api;

/* The handle the runtime passes to every callback. Only the host pointer is
 * public; the runtime keeps its own data behind it. Valid until destroy. */
typedef struct weir_ctx {
  uint32_t struct_size;
  const weir_host *host;
} weir_ctx;

/* Per-epoch facts, constant within an epoch (a replay sees the same). */
typedef struct weir_epoch_info {
  uint32_t struct_size;
  int64_t epoch;           /* batch id; -1 outside an epoch */
  int64_t watermark;       /* µs; the watermark in force for this epoch */
  int64_t processing_time; /* µs; the epoch's logged timestamp */
  int output_mode;         /* weir_output_mode of the query */
  int has_watermark;       /* 1 if the query has a watermark operator */
  const char *query_id;    /* stable across restarts (the checkpoint's);
                              "" in create(), set from the first plan on;
                              borrowed, valid until destroy */
  const char *run_id;      /* new at every start */
} weir_epoch_info;

typedef enum weir_log_level {
  WEIR_LOG_ERROR = 0,
  WEIR_LOG_WARN = 1,
  WEIR_LOG_INFO = 2,
  WEIR_LOG_DEBUG = 3
} weir_log_level;

/* Counters a plugin reports; the runtime puts them in progress. */
typedef enum weir_metric {
  WEIR_METRIC_ROWS_DROPPED_BY_WATERMARK = 1, /* add */
  WEIR_METRIC_MALFORMED_RECORDS,             /* add */
  WEIR_METRIC_STATE_ROWS_TOTAL,              /* set */
  WEIR_METRIC_STATE_ROWS_UPDATED,            /* add */
  WEIR_METRIC_STATE_ROWS_REMOVED,            /* add */
  WEIR_METRIC_STATE_MEMORY_BYTES             /* set */
} weir_metric;

/* The runtime's function table, size-prefixed and append-only. Every
 * function is safe to call from any callback of the plugin. Strings passed in
 * are copied; nothing returned needs freeing. */
struct weir_host {
  uint32_t struct_size;
  uint16_t abi_major, abi_minor;

  /* Records the error of the current callback (copied; the last one wins).
   * Use weir_error() below. */
  void (*set_error)(weir_ctx *ctx, int code, const char *msg);

  /* Writes a log line prefixed with the node's name (copied). */
  void (*log)(weir_ctx *ctx, int level, const char *msg);

  /* Passes one encoded batch (weir/batch.h) downstream, synchronously: when it
   * returns, every downstream node has processed it. The bytes are borrowed
   * for the duration of the call only; the caller may reuse them after.
   * Returns WEIR_OK, or the first error of a downstream node (its message is
   * already recorded: return the code as is). */
  int (*emit)(weir_ctx *ctx, const void *batch, size_t len);

  /* Fills *out with the current epoch's facts. */
  void (*epoch_info)(weir_ctx *ctx, weir_epoch_info *out);

  /* The runtime's clock in µs since the Unix epoch (wall clock, or the test
   * clock). Prefer epoch_info().processing_time inside an epoch: it replays. */
  int64_t (*now)(weir_ctx *ctx);

  /* Reports a counter (see weir_metric for add or set). */
  void (*metric)(weir_ctx *ctx, int metric, int64_t value);

  /* Watermark operators: reports the largest event time seen in this epoch
   * (late rows included) and, for progress, the epoch's event-time stats. */
  void (*event_time)(weir_ctx *ctx, int64_t min_us, int64_t max_us,
                     double sum_us, int64_t count);

  /* Watermark operators (flag WEIR_PLUGIN_WATERMARK), in epoch_end: this
   * operator's watermark candidate (max event time seen − delay), or
   * INT64_MIN when it has never seen a row. The runtime combines all
   * candidates by the query's policy; the result governs the next epoch. */
  void (*watermark)(weir_ctx *ctx, int64_t candidate_us);

  /* Keyed state (weir/state.h); use the weir_state_* wrappers. */
  const struct weir_state_api *state;

  /* Stateful operators: passes rows dropped as late (a batch of the
   * operator's INPUT schema, borrowed for the call) to the sink named by the
   * section's `late_rows` key, if any; otherwise does nothing. Count them
   * with WEIR_METRIC_ROWS_DROPPED_BY_WATERMARK either way. */
  int (*emit_late)(weir_ctx *ctx, const void *batch, size_t len);

  /* ABI 1.1. Says what keeps this node from working normally, for the
   * people watching the query: a broker that is down, a stalled fetch.
   * Shown once in the log when it starts and when it ends, in progress
   * ("status" of the source or sink) and in <checkpoint>/status.json while
   * it lasts. msg is copied; NULL or "" clears the status. Setting the same
   * text again is cheap and keeps its start time. Use weir_status() below:
   * it does nothing on an ABI 1.0 host. */
  void (*status)(weir_ctx *ctx, const char *msg);
};

/* host->watermark candidate meaning "this input is idle": it stops holding
 * back a min watermark (weir's idle_timeout). */
#define WEIR_WATERMARK_IDLE INT64_MAX

/* Passes late rows to the `late_rows` sink (see weir_host.emit_late). */
static inline int weir_emit_late(weir_ctx *ctx, const void *batch, size_t len) {
  return ctx->host->emit_late(ctx, batch, len);
}

/* Sets (printf-style) or, with fmt NULL, clears the node's status; see
 * weir_host.status. A no-op on a host older than ABI 1.1. */
static inline void weir_status(weir_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void weir_status(weir_ctx *ctx, const char *fmt, ...) {
  const weir_host *h = ctx->host;
  if (h->struct_size < offsetof(weir_host, status) + sizeof h->status ||
      !h->status)
    return;
  char msg[512] = "";
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
  }
  h->status(ctx, msg);
}

/* Sets the callback's error message (printf-style) and returns `code`, so a
 * callback can `return weir_error(ctx, WEIR_ERR_INVALID, "...", ...)`. */
static inline int weir_error(weir_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int weir_error(weir_ctx *ctx, int code, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ctx->host->set_error(ctx, code, msg);
  return code;
}

static inline void weir_log(weir_ctx *ctx, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void weir_log(weir_ctx *ctx, int level, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ctx->host->log(ctx, level, msg);
}

/* Emits a finished builder's batch (borrowed for the call). */
static inline int weir_emit(weir_ctx *ctx, const void *batch, size_t len) {
  return ctx->host->emit(ctx, batch, len);
}

static inline weir_epoch_info weir_epoch(weir_ctx *ctx) {
  weir_epoch_info info = {sizeof(weir_epoch_info), -1, 0, 0, 0, 0, "", ""};
  ctx->host->epoch_info(ctx, &info);
  return info;
}

/* ---- the descriptor --------------------------------------------------- */

/* What create() gets and gives. */
typedef struct weir_create_args {
  uint32_t struct_size;
  const char *node_name;    /* the section's NAME */
  const weir_schema *input; /* operators, sinks: the input schema (borrowed) */
  weir_schema *output;      /* sources, operators: set by create; the runtime
                               takes ownership */
  int output_mode;          /* weir_output_mode of the query */
  int64_t max_batch_rows;   /* rows per emitted batch the runtime suggests */
} weir_create_args;

/* A source offset: opaque msgpack bytes owned by the runtime. A start with
 * len 0 means "the beginning" (a new query). */
typedef struct weir_offset {
  const uint8_t *data;
  size_t len;
} weir_offset;

typedef struct weir_plugin {
  uint32_t struct_size; /* sizeof(weir_plugin) when built */
  uint16_t abi_major, abi_minor;
  uint32_t kind; /* weir_kind */
  const char *name;
  const char *version;
  const char *description;    /* one line */
  const weir_option *options; /* may be NULL */
  size_t config_size;
  uint32_t flags;        /* WEIR_PLUGIN_* */
  uint32_t output_modes; /* sinks: accepted modes (mask); 0 means all */

  /* Validates `config` (filled from the options table; borrowed until
   * destroy), checks args->input, sets args->output (sources and operators),
   * and allocates the instance into *self. On error, returns < 0 with a
   * message; destroy is not called. */
  int (*create)(weir_ctx *ctx, const void *config, weir_create_args *args,
                void **self);

  /* Frees the instance. Never fails. */
  void (*destroy)(void *self);

  /* Sources: writes the end offset of the next epoch into *end given the
   * previous end `start` (len 0 for a new query), honouring per-epoch limits,
   * and sets *has_data to 1 when [start, end) holds new data. As in Spark,
   * the first non-empty end of a new query counts as new data (the first
   * epoch may be empty); a source with no position yet leaves *end empty. */
  int (*plan)(void *self, weir_ctx *ctx, const weir_offset *start,
              weir_buf *end, int *has_data);

  /* Sources: emits every record of [start, end) as batches. A replayable
   * source reads exactly the same records for the same range. */
  int (*read)(void *self, weir_ctx *ctx, const weir_offset *start,
              const weir_offset *end);

  /* Sources: the epoch ending at `end` is committed; data before it may be
   * released. Optional. */
  int (*acknowledge)(void *self, weir_ctx *ctx, const weir_offset *end);

  /* Sources, available-now trigger: remember what is available now; later
   * plans never go past it. Optional (then the runtime caps at the first
   * plan's end). */
  int (*prepare_available_now)(void *self, weir_ctx *ctx);

  /* All kinds, optional: the epoch starts (weir_epoch() is valid). */
  int (*epoch_begin)(void *self, weir_ctx *ctx);

  /* Operators and sinks: one input batch (borrowed for the call). */
  int (*process)(void *self, weir_ctx *ctx, const weir_batch *batch);

  /* All kinds, optional: the epoch's input is done; stateful operators emit
   * what the output mode asks for, sinks flush and commit the epoch (a sink
   * must be idempotent per epoch id). */
  int (*epoch_end)(void *self, weir_ctx *ctx);

  /* Stateful operators, optional: 1 when an epoch with no new data but the
   * given watermark would emit or evict something (a "no-data epoch"), else
   * 0. Without it, the runtime runs a no-data epoch whenever the watermark
   * of a query with this operator moves. */
  int (*wants_epoch)(void *self, weir_ctx *ctx, int64_t watermark);
} weir_plugin;

/* Entry function type. */
typedef const weir_plugin *(*weir_entry_fn)(void);

#ifdef __cplusplus
}
#endif
#endif
