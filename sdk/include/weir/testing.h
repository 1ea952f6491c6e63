/* weir/testing.h — a test harness for plugins: a small host that runs one
 * plugin instance without a topology or the weir binary. It implements
 * the host API (weir/plugin.h) and keyed state (weir/state.h, with the
 * runtime's own store), so a test can push batches or JSON lines, move the
 * watermark and the processing time, run epochs, "crash and restart" the
 * plugin with its state restored, and compare the rows it emitted (as JSON
 * lines, one object per row, as `console format = json` prints them
 * without the epoch field).
 *
 *   weir_test *t = weir_test_new(&my_descriptor);     (or weir_test_load)
 *   weir_test_input(t, "user STRING, ts TIMESTAMP", "ts");
 *   weir_test_output_mode(t, WEIR_MODE_UPDATE);
 *   my_config cfg = {...};                  the plugin's config struct, as
 *   weir_test_create(t, &cfg);              the runtime fills it from INI
 *   weir_test_set_time(t, T0);  weir_test_set_watermark(t, W);
 *   weir_test_epoch(t, "{\"user\":\"a\",\"ts\":\"2026-01-01T00:00:00Z\"}");
 *   strcmp(weir_test_output(t), "{...}\n") == 0
 *   weir_test_restart(t, NULL);             state survives, as after a crash
 *   weir_test_free(t);
 *
 * Every function that can fail returns WEIR_OK or the error code, with the
 * message in weir_test_error(). Not thread-safe; one harness per thread.
 * Link: `pkg-config --cflags --libs weir-sdk` (dlopen is in libc). */
#ifndef WEIR_TESTING_H
#define WEIR_TESTING_H

#include <stddef.h>
#include <stdint.h>

#include "weir/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weir_test weir_test;

/* A harness for the plugin whose descriptor the test links (or NULL when
 * out of memory). The descriptor is copied as the runtime copies it. */
weir_test *weir_test_new(const weir_plugin *desc);
/* A harness for the plugin in a shared object, loaded as the runtime loads
 * it (the entry function, an ABI major check). WEIR_ERR_NOTFOUND or
 * WEIR_ERR_ABI with a message in err. */
int weir_test_load(const char *path, weir_test **out, char *err, size_t errlen);
/* Destroys the instance and frees everything. NULL is fine. */
void weir_test_free(weir_test *t);

/* Before create: the input schema in Spark DDL, with the column an
 * upstream watermark operator would mark as event time (NULL: none), and
 * the query's output mode (default append). */
int weir_test_input(weir_test *t, const char *ddl,
                    const char *event_time_column);
void weir_test_output_mode(weir_test *t, int mode);
/* create(config): `config` is the plugin's config struct, filled as the
 * runtime would from the options table (borrowed until weir_test_free). */
int weir_test_create(weir_test *t, const void *config);
/* The output schema the plugin declared (NULL for a sink). */
const weir_schema *weir_test_output_schema(const weir_test *t);

/* Time for the next epochs: the watermark in force (default 0) and the
 * processing time (also what host->now() returns; default 0). */
void weir_test_set_watermark(weir_test *t, int64_t us);
void weir_test_set_time(weir_test *t, int64_t us);

/* One epoch: begin, batches, end. The id starts at 0 and goes up by one per
 * epoch begun (weir_test_next_epoch). */
int weir_test_begin(weir_test *t);
int weir_test_push(weir_test *t, const void *batch, size_t len);
/* Pushes JSON lines (one object per line, read with the input schema, as
 * the file source reads json; timestamps ISO-8601) as one batch. */
int weir_test_push_json(weir_test *t, const char *json_lines);
/* Sources: plans from the previous end and reads the range, once. */
int weir_test_read(weir_test *t);
int weir_test_end(weir_test *t);
/* begin, push_json (when json_lines is not NULL), end. */
int weir_test_epoch(weir_test *t, const char *json_lines);
int64_t weir_test_next_epoch(const weir_test *t);
/* The plugin's wants_epoch for the current watermark: 1 when it wants a
 * no-data epoch (a plugin without the callback: 0). */
int weir_test_wants_epoch(weir_test *t);

/* What the last epoch produced (reset by weir_test_begin): emitted rows and
 * late rows as JSON lines ("" when none), and a metric (weir_metric: the
 * sum of the epoch's adds, or the last value set). */
const char *weir_test_output(const weir_test *t);
const char *weir_test_late(const weir_test *t);
int64_t weir_test_metric(const weir_test *t, int metric);
/* A watermark operator's last candidate (INT64_MIN: none reported). */
int64_t weir_test_watermark_candidate(const weir_test *t);
/* The last error message ("" when none) and every log line so far. */
const char *weir_test_error(const weir_test *t);
const char *weir_test_log(const weir_test *t);
/* The plugin's current status (weir_status; "" when clear). */
const char *weir_test_status(const weir_test *t);

/* A crash and a restart: destroys the instance, creates a new one (with
 * `config`, or the same when NULL) and restores the state as of the last
 * epoch that ended successfully, as the runtime does from a checkpoint
 * (version checks included). The next epoch id is kept. */
int weir_test_restart(weir_test *t, const void *config);
/* A store's entries as JSON lines, sorted: {"key":K,"value":V[,"timer":T]}
 * (msgpack shown as JSON, other bytes as {"hex":"..."}, as `weir checkpoint
 * --state` prints them). "" for an unknown store. */
const char *weir_test_state(weir_test *t, const char *store);

#ifdef __cplusplus
}
#endif
#endif
