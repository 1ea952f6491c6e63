/* query.h — a loaded topology: its nodes (plugin instances wired into a
 * DAG), the query settings, and the run-time state the engine keeps. */
#ifndef WEIR_CORE_QUERY_H
#define WEIR_CORE_QUERY_H

#include <signal.h>
#include <stdio.h>

#include "checkpoint.h"
#include "ini.h"
#include "loader.h"
#include "options.h"
#include "trigger.h"
#include "weir/weir.h"

typedef struct query query;

/* Per-epoch figures of one node, reset at every epoch start. */
typedef struct node_metrics {
  int64_t rows_in, rows_out;
  int64_t dropped_by_watermark, malformed;
  int64_t state_rows, state_updated, state_removed, state_memory;
  int64_t ev_min, ev_max, ev_count;
  double ev_sum;
} node_metrics;

typedef struct node {
  weir_ctx ctx; /* first member: the handle given to the plugin */
  query *q;
  char *name;    /* NAME of [kind.NAME] */
  char *section; /* kind.NAME */
  int kind;
  int line;
  loaded_plugin *plugin;
  void *config;
  opt_owned owned;
  void *self; /* the plugin instance; NULL until created */
  weir_schema *output;
  const weir_schema *input;
  struct node **inputs, **outputs;
  size_t n_inputs, n_outputs;
  char **input_names;
  size_t n_input_names;
  int input_line;
  int visited; /* graph walks */
  /* sources */
  weir_buf start, end; /* committed offset; planned end of this epoch */
  int has_data;
  int64_t rows_total;
  /* watermark operators */
  int64_t wm_candidate;   /* INT64_MIN: never seen a row */
  int wm_idle;            /* reported idle: does not hold a min back */
  struct node *late_sink; /* operators: where late rows go (late_rows) */
  struct node *late_from; /* sinks: the operator whose late rows these are */
  char *late_name;
  int64_t last_row_wall; /* for idle_timeout */
  node_metrics m;
  struct weir_store **stores; /* keyed state opened by the plugin */
  size_t nstores;
  int err_code;
  char err[1024];
  char status[512];     /* weir_status: "" when all is well */
  int64_t status_since; /* clock µs when status was set */
  /* The last status seen since the last progress event, and how long the
   * node spent under one in that time: an outage that begins and ends
   * inside an epoch still shows in that epoch's progress. */
  char incident[512];
  int64_t incident_us, incident_from;
} node;

enum { WM_POLICY_MIN = 0, WM_POLICY_MAX = 1 };

typedef struct query_cfg {
  const char *name;
  const char *trigger;
  int output_mode; /* index: append, update, complete */
  const char *checkpoint;
  const char *plugin_path;
  int watermark_policy;
  int64_t max_batch_rows;
  int64_t min_epochs_to_retain;
  int64_t state_snapshot_interval;
  int64_t progress_idle_interval;
} query_cfg;

struct query {
  char *file;
  ini_doc *doc;
  query_cfg cfg;
  opt_owned cfg_owned;
  trigger trig;
  int output_mode; /* weir_output_mode */
  plugin_registry reg;
  node **nodes; /* topological order once loaded */
  size_t n;
  int has_watermark;
  /* run-time */
  const weir_clock *clock;
  volatile sig_atomic_t *stop;
  int64_t epoch;     /* the next epoch id */
  int64_t watermark; /* in force for the next epoch */
  weir_epoch_info info;
  int in_epoch;
  char query_id[40], run_id[40];
  FILE *progress;
  int quiet, status_tty;
  int64_t prev_epoch_start;
  int64_t last_progress_us; /* wall µs of the last progress event */
  int stopped;              /* the trigger loop has ended (status.json) */
  int64_t behind_count;
  int64_t last_epoch_watermark; /* the watermark the last epoch ran with */
  int64_t rows_total;
  node *failed; /* the node whose callback failed first */
  checkpoint *ckpt;
  ckpt_plan pending; /* an uncommitted epoch to re-run first */
  int has_pending;
  char errmsg[2048]; /* a runtime (not plugin) failure, e.g. checkpoint I/O */
};

/* Loads `file`: parses it, loads and configures every plugin, checks the
 * graph, creates the instances in topological order (schemas propagate) and
 * checks the output mode. On error returns < 0 with "FILE:LINE: ..." in err
 * and *out NULL. */
int query_load(const char *file, query **out, char *err, size_t errlen);

/* Destroys the plugin instances and frees everything. NULL is fine. */
void query_free(query *q);

/* Runs the query until the trigger says it is done or *stop is set.
 * Returns WEIR_OK, or an error with the message in err. */
int query_run(query *q, const weir_clock *clock, volatile sig_atomic_t *stop,
              char *err, size_t errlen);

/* Checkpoint glue (recovery.c). recovery_open opens or creates the
 * checkpoint (a temporary one without [query] checkpoint), checks the
 * topology fingerprint, restores state, source positions and the watermark,
 * and notes an uncommitted epoch to re-run. */
int recovery_open(query *q, char *err, size_t errlen);
/* Writes offsets/N for the epoch about to run (q->epoch, its watermark and
 * timestamp, every source's start and end). */
int recovery_log_plan(query *q, int64_t timestamp, char *err, size_t errlen);
/* After the sinks committed epoch N: state files, commits/N, retention. */
int recovery_commit(query *q, char *err, size_t errlen);
void recovery_close(query *q);

/* Prints each node's output schema (weir validate). */
void query_print_schemas(query *q, FILE *f);
/* Prints the topology as Graphviz DOT. */
void query_print_dot(query *q, FILE *f);

/* The host API table given to every plugin (host.c). */
extern const weir_host weir_host_api;
/* Passes a batch from `from` to each of its outputs (host.c). */
int node_emit(node *from, const void *data, size_t len);
/* Formats "[section] plugin: message" for a node's recorded error. */
void node_error_message(node *nd, int rc, const char *what, char *err,
                        size_t errlen);

/* Progress (progress.c). */
typedef struct epoch_report {
  int64_t epoch, start_us, end_us, watermark;
  int64_t d_latest_offset, d_wal_commit, d_get_batch, d_add_batch,
      d_commit_offsets;
  int64_t num_input_rows;
  int no_data;
} epoch_report;
void progress_emit(query *q, const epoch_report *r);
/* While no epoch runs: a progress event with no input every
 * [query] progress_idle_interval (Spark's idle progress). */
void progress_idle(query *q, int64_t now_us);
void progress_status_clear(query *q);
/* A node's status changed (host.c): log it and rewrite status.json; with
 * nd NULL (at start), only rewrite it. */
void progress_node_status(query *q, node *nd, const char *old_status);

#endif
