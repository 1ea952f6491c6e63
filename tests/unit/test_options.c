/* test_options.c — options tables: conversion of every type, defaults,
 * ranges, choices, required keys, prefixes, and the messages. */
#include <criterion/criterion.h>
#include <string.h>

#include "ini.h"
#include "options.h"

typedef struct cfg {
  int64_t n;
  double f;
  int b;
  int64_t dur, size, ts;
  const char *s;
  weir_list list;
  int e;
  const weir_schema *schema;
  weir_kv_list kafka;
} cfg;

static const char *const colors[] = {"red", "green", NULL};
static const weir_option table[] = {
    {"n", WEIR_OPT_INT, "5", 0, 1, 10, NULL, "a number", offsetof(cfg, n)},
    {"f", WEIR_OPT_FLOAT, "0.5", 0, 0, 0, NULL, "a float", offsetof(cfg, f)},
    {"b", WEIR_OPT_BOOL, "true", 0, 0, 0, NULL, "a bool", offsetof(cfg, b)},
    {"dur", WEIR_OPT_DURATION, "1 minute", 0, 0, 0, NULL, "",
     offsetof(cfg, dur)},
    {"size", WEIR_OPT_SIZE, "1 KiB", 0, 0, 0, NULL, "", offsetof(cfg, size)},
    {"ts", WEIR_OPT_TIMESTAMP, NULL, 0, 0, 0, NULL, "", offsetof(cfg, ts)},
    {"s", WEIR_OPT_STRING, NULL, 1, 0, 0, NULL, "required text",
     offsetof(cfg, s)},
    {"list", WEIR_OPT_LIST, "a, b", 0, 0, 0, NULL, "", offsetof(cfg, list)},
    {"e", WEIR_OPT_ENUM, "green", 0, 0, 0, colors, "", offsetof(cfg, e)},
    {"schema", WEIR_OPT_SCHEMA, NULL, 0, 0, 0, NULL, "", offsetof(cfg, schema)},
    {"kafka.", WEIR_OPT_PREFIX, NULL, 0, 0, 0, NULL, "", offsetof(cfg, kafka)},
    WEIR_OPTIONS_END};

static char err[1024];

static int fill(const char *text, cfg *c, opt_owned *o) {
  ini_doc *d;
  cr_assert_eq(ini_doc_parse("o.ini", text, &d, err, sizeof err), WEIR_OK, "%s",
               err);
  memset(c, 0, sizeof *c);
  memset(o, 0, sizeof *o);
  static const char *const reserved[] = {"plugin", NULL};
  int rc = options_fill(table, c, &d->sections[0], "o.ini", reserved, o, err,
                        sizeof err);
  ini_doc_free(d);
  return rc;
}

Test(options, defaults_and_conversions) {
  cfg c;
  opt_owned o;
  cr_assert_eq(fill("[x.y]\nplugin = p\ns = hi\nts = 2026-01-01T00:00:01Z\n"
                    "schema = a STRING, b BIGINT\n"
                    "kafka.bootstrap.servers = h:1\nkafka.acks = all\n",
                    &c, &o),
               WEIR_OK, "%s", err);
  cr_assert_eq(c.n, 5);
  cr_assert_float_eq(c.f, 0.5, 1e-12);
  cr_assert_eq(c.b, 1);
  cr_assert_eq(c.dur, 60000000);
  cr_assert_eq(c.size, 1024);
  cr_assert_eq(c.ts, INT64_C(1767225601000000));
  cr_assert_str_eq(c.s, "hi");
  cr_assert_eq(c.list.n, 2);
  cr_assert_str_eq(c.list.items[1], "b");
  cr_assert_eq(c.e, 1);
  cr_assert_eq(c.schema->n, 2);
  cr_assert_eq(c.kafka.n, 2);
  cr_assert_str_eq(c.kafka.items[0].key, "bootstrap.servers");
  cr_assert_str_eq(c.kafka.items[1].value, "all");
  opt_owned_free(&o);
}

Test(options, messages) {
  cfg c;
  opt_owned o;
  cr_assert_neq(fill("[x.y]\ns = a\nn = 11\n", &c, &o), WEIR_OK);
  cr_assert_str_eq(err, "o.ini:3: [x.y] '11' is out of range for n (1 to 10)");
  opt_owned_free(&o);
  cr_assert_neq(fill("[x.y]\ns = a\nb = maybe\n", &c, &o), WEIR_OK);
  cr_assert_str_eq(err,
                   "o.ini:3: [x.y] b: expected true or false, found 'maybe'");
  opt_owned_free(&o);
  cr_assert_neq(fill("[x.y]\ns = a\ne = blue\n", &c, &o), WEIR_OK);
  cr_assert_str_eq(err, "o.ini:3: [x.y] e: 'blue' is not one of: red, green");
  opt_owned_free(&o);
  cr_assert_neq(fill("[x.y]\nplugin = p\n", &c, &o), WEIR_OK);
  cr_assert_str_eq(err,
                   "o.ini:1: [x.y] missing required key 's' (required text)");
  opt_owned_free(&o);
  cr_assert_neq(fill("[x.y]\ns = a\nlsit = 1\n", &c, &o), WEIR_OK);
  cr_assert_str_eq(err,
                   "o.ini:3: [x.y] unknown key 'lsit' (did you mean 'list'?)");
  opt_owned_free(&o);
  cr_assert_neq(fill("[x.y]\ns = a\ncompletely_else = 1\n", &c, &o), WEIR_OK);
  cr_assert_str_eq(err, "o.ini:3: [x.y] unknown key 'completely_else'");
  opt_owned_free(&o);
  cr_assert_neq(fill("[x.y]\ns = a\ndur = 5 parsecs\n", &c, &o), WEIR_OK);
  cr_assert(
      strncmp(err, "o.ini:3: [x.y] dur: bad duration '5 parsecs': ", 46) == 0,
      "%s", err);
  opt_owned_free(&o);
  cr_assert_neq(fill("[x.y]\ns = a\nschema = a STRNG\n", &c, &o), WEIR_OK);
  cr_assert(strncmp(err, "o.ini:3: [x.y] schema: bad schema: ", 35) == 0, "%s",
            err);
  opt_owned_free(&o);
}
