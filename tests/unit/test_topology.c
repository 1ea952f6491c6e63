/* test_topology.c — every check of the topology loader, each asserting its
 * exact message and line: INI syntax, sections, keys and values against the
 * options table, plugin lookup and loading (ABI, descriptor size, kind,
 * entry symbol), graph shape, schemas and output modes. Run from the repo
 * root with the plugins built (make test does both). */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query.h"

static char path[64];
static char err[4096];

/* The build folder is $BUILD (build-san under sanitizers), never assumed. */
static const char *build_dir(void) {
  const char *b = getenv("BUILD");
  return b && *b ? b : "build";
}

/* Returns $BUILD/testplugins/NAME.so in a static buffer. */
static const char *tp(const char *name) {
  static char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s/testplugins/%s.so", build_dir(), name);
  return buf;
}

static void setup(void) {
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/plugins", build_dir());
  setenv("WEIR_PLUGIN_PATH", dir, 0);
  /* Topologies below name test plugins as ${WEIR_TEST_PLUGINS}/x.so. */
  snprintf(dir, sizeof dir, "%s/testplugins", build_dir());
  setenv("WEIR_TEST_PLUGINS", dir, 1);
}

/* Writes text to a temp file and loads it; returns the load's code. */
static int load_text(const char *text, query **out) {
  strcpy(path, "/tmp/weir-topo-XXXXXX.ini");
  int fd = mkstemps(path, 4);
  cr_assert(fd >= 0);
  cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  err[0] = '\0';
  query *q = NULL;
  int rc = query_load(path, &q, err, sizeof err);
  unlink(path);
  if (out)
    *out = q;
  else
    query_free(q);
  return rc;
}

/* Asserts that loading fails with exactly "PATH:" + expected. */
static void expect_error(const char *text, const char *expected) {
  int rc = load_text(text, NULL);
  cr_assert_neq(rc, WEIR_OK, "loaded, but expected: %s", expected);
  char full[4096];
  snprintf(full, sizeof full, "%s:%s", path, expected);
  cr_assert_str_eq(err, full);
}

#define RATE "[source.r]\nplugin = rate\n"
#define CONSOLE(in) "[sink.out]\nplugin = console\ninput = " in "\n"

TestSuite(topology, .init = setup);
TestSuite(loader, .init = setup);

Test(topology, loads_rate_to_console) {
  query *q;
  cr_assert_eq(load_text("[query]\ntrigger = once\n" RATE CONSOLE("r"), &q),
               WEIR_OK, "%s", err);
  cr_assert_eq(q->n, 2);
  cr_assert_str_eq(q->nodes[0]->name, "r");
  cr_assert_eq(q->nodes[0]->output->n, 2);
  cr_assert_eq(q->trig.kind, TRIGGER_ONCE);
  query_free(q);
}

Test(topology, malformed_line) {
  expect_error(RATE "this line has no equals sign\n" CONSOLE("r"),
               "3: malformed line (expected [section] or key = value)");
}

Test(topology, unknown_key_did_you_mean) {
  expect_error(RATE "rows_per_secnd = 5\n" CONSOLE("r"),
               "3: [source.r] unknown key 'rows_per_secnd' (did you mean "
               "'rows_per_second'?)");
}

Test(topology, unknown_query_key) {
  expect_error("[query]\ntriger = once\n" RATE CONSOLE("r"),
               "2: [query] unknown key 'triger' (did you mean 'trigger'?)");
}

Test(topology, bad_int_value) {
  expect_error(RATE "rows_per_second = fast\n" CONSOLE("r"),
               "3: [source.r] rows_per_second: expected an integer, found "
               "'fast'");
}

Test(topology, bad_enum_value) {
  expect_error("[query]\noutput_mode = sometimes\n" RATE CONSOLE("r"),
               "2: [query] output_mode: 'sometimes' is not one of: append, "
               "update, complete");
}

Test(topology, bad_trigger) {
  expect_error("[query]\ntrigger = every 5\n" RATE CONSOLE("r"),
               "2: [query] bad trigger 'every 5': expected default, "
               "processing-time DURATION (e.g. processing-time 30 seconds), "
               "once or available-now");
}

Test(topology, duplicate_key) {
  expect_error(RATE "rows_per_second = 1\nrows_per_second = 2\n" CONSOLE("r"),
               "4: duplicate key 'rows_per_second' (first at line 3)");
}

Test(topology, duplicate_section) {
  expect_error(RATE CONSOLE("r") RATE,
               "6: duplicate section [source.r] (first at line 1)");
}

Test(topology, unknown_section) {
  expect_error("[sorce.r]\nplugin = rate\n" CONSOLE("r"),
               "1: unknown section [sorce.r] (did you mean [source.NAME]?) "
               "(expected [query], [source.NAME], [operator.NAME] or "
               "[sink.NAME])");
}

Test(topology, missing_plugin_key) {
  expect_error("[source.r]\nrows_per_second = 1\n" CONSOLE("r"),
               "1: [source.r] missing required key 'plugin' (the plugin to "
               "run, e.g. plugin = rate)");
}

Test(topology, unknown_plugin_did_you_mean) {
  int rc = load_text("[source.r]\nplugin = rat\n" CONSOLE("r"), NULL);
  cr_assert_eq(rc, WEIR_ERR_NOTFOUND);
  char prefix[256];
  snprintf(prefix, sizeof prefix,
           "%s:2: [source.r] plugin: no plugin named 'rat' (did you mean "
           "'rate'?); searched: ",
           path);
  cr_assert(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
}

Test(topology, unknown_input_did_you_mean) {
  expect_error(RATE CONSOLE("rr"),
               "5: [sink.out] unknown input 'rr' (did you mean 'r'?)");
}

Test(topology, source_with_input) {
  expect_error("[source.r]\nplugin = rate\ninput = x\n" CONSOLE("r"),
               "3: [source.r] a source takes no input (remove 'input')");
}

Test(topology, sink_without_input) {
  expect_error(RATE "[sink.out]\nplugin = console\n",
               "3: [sink.out] missing required key 'input' (the upstream "
               "node's name; several, comma-separated, are a union)");
}

Test(topology, cycle) {
  expect_error(RATE "[operator.a]\nplugin = select\ninput = b\n"
                    "[operator.b]\nplugin = select\ninput = a\n" CONSOLE("b"),
               "5: the inputs form a cycle through [operator.a], "
               "[operator.b], [sink.out]");
}

Test(topology, node_reaches_no_sink) {
  expect_error(RATE
               "[operator.lost]\nplugin = select\ninput = r\n" CONSOLE("r"),
               "3: [operator.lost] reaches no sink: its output would be lost "
               "(add it to a sink's input, or remove the section)");
}

Test(topology, duplicate_name) {
  expect_error(RATE "[sink.r]\nplugin = console\ninput = r\n",
               "3: [sink.r]: the name 'r' is already used by [source.r] (line "
               "1); names must be unique across sources, operators and sinks");
}

Test(topology, no_sink) {
  expect_error(RATE, "1: no [sink.NAME] section: a query writes at least one "
                     "sink (e.g. [sink.out] plugin = console)");
}

Test(topology, env_expansion) {
  setenv("WEIR_TEST_RPS", "7", 1);
  query *q;
  cr_assert_eq(
      load_text(RATE "rows_per_second = ${WEIR_TEST_RPS}\n" CONSOLE("r"), &q),
      WEIR_OK, "%s", err);
  query_free(q);
  unsetenv("WEIR_TEST_UNSET_VAR");
  expect_error(RATE "rows_per_second = ${WEIR_TEST_UNSET_VAR}\n" CONSOLE("r"),
               "3: environment variable 'WEIR_TEST_UNSET_VAR' is not set "
               "(used as ${WEIR_TEST_UNSET_VAR})");
}

Test(topology, union_schemas_must_agree) {
  expect_error(RATE "[source.r2]\nplugin = rate\n"
                    "[operator.s]\nplugin = select\ninput = r2\n"
                    "columns = value\n" CONSOLE("r, s"),
               "11: [sink.out] the inputs of a union must have one schema: "
               "'r' has (timestamp TIMESTAMP NOT NULL, value BIGINT NOT NULL) "
               "but 's' has (value BIGINT NOT NULL)");
}

Test(topology, union_same_schema_loads) {
  query *q;
  cr_assert_eq(
      load_text(RATE "[source.r2]\nplugin = rate\n" CONSOLE("r, r2"), &q),
      WEIR_OK, "%s", err);
  cr_assert_eq(q->nodes[2]->n_inputs, 2);
  query_free(q);
}

Test(topology, complete_needs_aggregation) {
  expect_error("[query]\noutput_mode = complete\n" RATE CONSOLE("r"),
               "2: output_mode = complete needs an aggregation (complete mode "
               "emits the whole result table, which only an aggregation "
               "has); use append or update, or add an aggregate operator");
}

Test(topology, misspelt_column_fails_at_load) {
  int rc = load_text(RATE "[operator.s]\nplugin = select\ninput = r\n"
                          "columns = vaule\n" CONSOLE("s"),
                     NULL);
  cr_assert_neq(rc, WEIR_OK);
  char prefix[256];
  snprintf(prefix, sizeof prefix, "%s:3: [operator.s] ", path);
  cr_assert(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
  cr_assert(strstr(err, "'vaule'") && strstr(err, "did you mean 'value'"), "%s",
            err);
}

/* ---- plugin loading ---- */

static void expect_plugin_error(const char *so, const char *section,
                                const char *fmt_after_path) {
  char text[512], real[PATH_MAX], expected[8192];
  snprintf(text, sizeof text,
           RATE "[%s]\nplugin = ${WEIR_TEST_PLUGINS}/%s.so\n%s" CONSOLE("x"),
           section, so, strncmp(section, "source", 6) ? "input = r\n" : "");
  cr_assert_neq(load_text(text, NULL), WEIR_OK);
  const char *rel = tp(so);
  cr_assert(realpath(rel, real), "%s missing: run make test", rel);
  char after[PATH_MAX + 1024];
  snprintf(after, sizeof after, fmt_after_path, real);
  snprintf(expected, sizeof expected, "%s:4: [%s] plugin: %s", path, section,
           after);
  cr_assert_str_eq(err, expected);
}

Test(loader, missing_file) {
  expect_error(
      RATE "[operator.x]\nplugin = /nonexistent/x.so\ninput = r\n" CONSOLE("x"),
      "4: [operator.x] plugin: /nonexistent/x.so: no such plugin "
      "file");
}

Test(loader, no_entry_symbol) {
  expect_plugin_error("no_entry", "operator.x",
                      "%s: not a weir plugin (no weir_plugin_entry function "
                      "exported; use WEIR_PLUGIN(descriptor))");
}

Test(loader, other_abi_major) {
  char expected[256];
  snprintf(expected, sizeof expected,
           "%%s: plugin 'abi_major' was built for weir plugin ABI %d.0; this "
           "weir speaks ABI %d.%d (rebuild the plugin against this SDK)",
           WEIR_ABI_MAJOR + 1, WEIR_ABI_MAJOR, WEIR_ABI_MINOR);
  expect_plugin_error("abi_major", "operator.x", expected);
}

Test(loader, descriptor_too_small) {
  char expected[256];
  snprintf(expected, sizeof expected,
           "%%s: plugin descriptor is 16 bytes, smaller than any weir ABI "
           "descriptor (%zu): not a weir plugin, or corrupt",
           offsetof(weir_plugin, destroy) + sizeof(void *));
  expect_plugin_error("tiny_desc", "operator.x", expected);
}

Test(loader, wrong_kind) {
  expect_error(RATE
               "[operator.x]\nplugin = ${WEIR_TEST_PLUGINS}/wrong_kind.so\n"
               "input = r\n" CONSOLE("x"),
               "4: [operator.x] plugin 'wrong_kind' is a sink plugin; a "
               "[operator.NAME] section needs an operator plugin");
}

Test(loader, missing_callback) {
  expect_plugin_error("no_process", "operator.x",
                      "%s: plugin 'no_process' (operator) lacks the process "
                      "callback");
}

Test(loader, duplicate_plugin_name) {
  char real[PATH_MAX], expected[3 * PATH_MAX];
  cr_assert(realpath(tp("wrong_kind"), real));
  int rc =
      load_text(RATE "[sink.a]\nplugin = ${WEIR_TEST_PLUGINS}/wrong_kind.so\n"
                     "input = r\n"
                     "[sink.b]\nplugin = ${WEIR_TEST_PLUGINS}/dup_name.so\n"
                     "input = r\n",
                NULL);
  cr_assert_neq(rc, WEIR_OK);
  char dup[PATH_MAX];
  cr_assert(realpath(tp("dup_name"), dup));
  snprintf(expected, sizeof expected,
           "%s:7: [sink.b] plugin: %s: a plugin named 'wrong_kind' is already "
           "loaded from %s; plugin names must be unique",
           path, dup, real);
  cr_assert_str_eq(err, expected);
}

Test(loader, smaller_descriptor_loads_without_newer_callbacks) {
  query *q;
  cr_assert_eq(
      load_text(RATE
                "[operator.x]\nplugin = "
                "${WEIR_TEST_PLUGINS}/small_desc.so\ninput = r\n" CONSOLE("x"),
                &q),
      WEIR_OK, "%s", err);
  const weir_plugin *d = &q->nodes[1]->plugin->desc;
  cr_assert_str_eq(d->name, "small_desc");
  cr_assert_not_null(d->process);
  cr_assert_null(d->epoch_end);
  cr_assert_null(d->wants_epoch);
  query_free(q);
}

Test(loader, old_minor_never_sees_arrays) {
  expect_error(
      "[source.f]\nplugin = file\npath = /tmp\n"
      "format = json\nschema = id BIGINT, s STRUCT<tags: "
      "ARRAY<STRING>>\n"
      "[operator.x]\nplugin = ${WEIR_TEST_PLUGINS}/small_desc.so\n"
      "input = f\n" CONSOLE("x"),
      "6: [operator.x] plugin 'small_desc' was built for weir "
      "plugin ABI 1.0, which has no array type, and its input has "
      "the array column 's.tags': rebuild the plugin against this SDK");
}

Test(loader, larger_descriptor_loads) {
  query *q;
  cr_assert_eq(
      load_text(RATE
                "[operator.x]\nplugin = "
                "${WEIR_TEST_PLUGINS}/large_desc.so\ninput = r\n" CONSOLE("x"),
                &q),
      WEIR_OK, "%s", err);
  const weir_plugin *d = &q->nodes[1]->plugin->desc;
  cr_assert_str_eq(d->name, "large_desc");
  cr_assert_eq(d->abi_minor, WEIR_ABI_MINOR + 1);
  query_free(q);
}
