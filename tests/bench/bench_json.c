/* bench_json.c — the parser choice of issue 3, by measurement: the same
 * generated event lines, read into batches of (event_type STRING, user_id
 * STRING, timestamp TIMESTAMP) by weir's schema-directed parser
 * (weir/jsonparse.h) and by the Debian C JSON libraries, each parsing to its
 * DOM and then copying the three fields into a weir_builder. Prints lines/s
 * and MB/s per parser (best of three runs) and checks that every parser built
 * byte-identical batches.
 *
 * The libraries are opened at run time (dlopen, RTLD_LOCAL), each one that is
 * installed: json-c and jansson both export a `json_object_get` (different
 * functions), so one executable cannot link both; opened locally, each keeps
 * its own. json-c and jansson are used through their opaque handles only;
 * cJSON and json-parser expose their DOM as structs, whose layout comes from
 * their headers (libcjson-dev, libjsonparser-dev) when those are installed.
 * Nothing here needs a library to build: a missing one is reported and
 * skipped.
 *
 * Environment: BENCH_JSON_LINES (default 1000000).
 *
 * Figures on the development VM (2 cores, Debian 12, gcc 12 -O2; 1,000,000
 * lines of 148 bytes, 148 MB; best of 3; shared machine, ±30%) — the full
 * table and how to read it are in tests/bench/README-json.md:
 *   weir jsonparse (schema-directed)   5.5 M lines/s   812 MB/s
 *   cJSON 1.7.15 (DOM)                 1.0 M lines/s   143 MB/s
 *   json-parser 1.1.0 (DOM)           0.64 M lines/s    95 MB/s
 *   json-c 0.16 (DOM)                 0.58 M lines/s    86 MB/s
 *   jansson 2.14 (DOM)                0.32 M lines/s    47 MB/s
 *   weir, the 3 fields only (77 B)    9-10 M lines/s   ~750 MB/s
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <weir/weir.h>

#if defined(__has_include)
#if __has_include(<cjson/cJSON.h>)
#include <cjson/cJSON.h>
#define HAVE_CJSON_H 1
#endif
#if __has_include(<json-parser/json.h>)
#include <json-parser/json.h>
#define HAVE_JSONPARSER_H 1
#endif
#endif

#define BATCH_ROWS 4096
#define RUNS 3 /* timed passes per parser, after an untimed checking one */

static const char *lines_buf;
static size_t *line_off; /* line i is [line_off[i], line_off[i+1] - 1) */
static size_t nlines, nbytes;
static weir_schema *schema;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Deterministic events: three fields the schema asks for, then four it does
 * not (a string, a path, a number, a boolean), as a tracker would send. */
static void generate(size_t n, int extras) {
  static const char *const types[] = {"click", "view", "purchase", "scroll"};
  weir_buf b = WEIR_BUF_INIT;
  uint64_t x = 88172645463325252ull;
  line_off = malloc((n + 1) * sizeof *line_off);
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    unsigned sec = (unsigned)(i / 20);
    line_off[i] = b.len;
    if (!extras) {
      weir_buf_printf(&b,
                      "{\"event_type\":\"%s\",\"user_id\":\"u%u\","
                      "\"timestamp\":\"2026-01-01T%02u:%02u:%02uZ\"}\n",
                      types[x % 4], (unsigned)(x >> 8) % 10000, sec / 3600 % 24,
                      sec / 60 % 60, sec % 60);
      continue;
    }
    weir_buf_printf(&b,
                    "{\"event_type\":\"%s\",\"user_id\":\"u%u\",\"timestamp\":"
                    "\"2026-01-01T%02u:%02u:%02uZ\",\"session\":\"%08x\","
                    "\"page\":\"/products/%u\",\"latency_ms\":%u,\"ok\":%s}\n",
                    types[x % 4], (unsigned)(x >> 8) % 10000, sec / 3600 % 24,
                    sec / 60 % 60, sec % 60, (unsigned)(x >> 20),
                    (unsigned)(x >> 40) % 500, (unsigned)(x >> 30) % 900 + 5,
                    (x >> 50) & 1 ? "true" : "false");
  }
  line_off[n] = b.len;
  lines_buf = (const char *)b.data;
  nlines = n;
  nbytes = b.len;
}

/* ---- the contenders --------------------------------------------------------
 */

typedef struct contender {
  const char *name;
  int (*setup)(void);                                   /* 0 when available */
  int (*row)(const char *s, size_t n, weir_builder *b); /* 0 ok */
} contender;

/* weir: the parser writes the row itself. */
static weir_json_parser *wp;
static int weir_setup(void) {
  char err[256];
  return weir_json_parser_new(schema, NULL, &wp, err, sizeof err);
}
static int weir_row(const char *s, size_t n, weir_builder *b) {
  return weir_json_parse_row(wp, s, n, b, NULL) == WEIR_OK ? 0 : -1;
}

/* The DOM libraries hand back three strings (or NULL): the same row. */
static void put_fields(weir_builder *b, const char *const v[3],
                       const size_t len[3]) {
  int64_t ts;
  weir_row_begin(b);
  for (int i = 0; i < 2; i++)
    if (v[i])
      weir_put_string(b, v[i], len[i]);
    else
      weir_put_null(b);
  if (v[2] && weir_parse_timestamp(v[2], len[2], &ts) == WEIR_OK)
    weir_put_timestamp(b, ts);
  else
    weir_put_null(b);
}
static const char *const field_names[3] = {"event_type", "user_id",
                                           "timestamp"};

static void *open_lib(const char *const *names) {
  for (; *names; names++) {
    void *h = dlopen(*names, RTLD_NOW | RTLD_LOCAL);
    if (h)
      return h;
  }
  return NULL;
}

/* json-c (opaque: json_object *, json_tokener *). */
static struct {
  void *(*tok_new)(void);
  void (*tok_reset)(void *);
  void *(*parse_ex)(void *, const char *, int);
  int (*get_ex)(void *, const char *, void **);
  int (*is_type)(void *, int);
  const char *(*get_string)(void *);
  int (*get_string_len)(void *);
  int (*put)(void *);
  void *tok;
} jc;
static int jsonc_setup(void) {
  static const char *const names[] = {"libjson-c.so.5", "libjson-c.so", NULL};
  void *h = open_lib(names);
  if (!h)
    return -1;
  *(void **)&jc.tok_new = dlsym(h, "json_tokener_new");
  *(void **)&jc.tok_reset = dlsym(h, "json_tokener_reset");
  *(void **)&jc.parse_ex = dlsym(h, "json_tokener_parse_ex");
  *(void **)&jc.get_ex = dlsym(h, "json_object_object_get_ex");
  *(void **)&jc.is_type = dlsym(h, "json_object_is_type");
  *(void **)&jc.get_string = dlsym(h, "json_object_get_string");
  *(void **)&jc.get_string_len = dlsym(h, "json_object_get_string_len");
  *(void **)&jc.put = dlsym(h, "json_object_put");
  if (!jc.tok_new || !jc.tok_reset || !jc.parse_ex || !jc.get_ex ||
      !jc.is_type || !jc.get_string || !jc.get_string_len || !jc.put)
    return -1;
  jc.tok = jc.tok_new();
  return jc.tok ? 0 : -1;
}
static int jsonc_row(const char *s, size_t n, weir_builder *b) {
  enum { json_type_string = 6 }; /* json-c's enum json_type */
  const char *v[3] = {NULL, NULL, NULL};
  size_t len[3] = {0, 0, 0};
  jc.tok_reset(jc.tok);
  void *root = jc.parse_ex(jc.tok, s, (int)n);
  if (!root)
    return -1;
  for (int i = 0; i < 3; i++) {
    void *o;
    if (jc.get_ex(root, field_names[i], &o) &&
        jc.is_type(o, json_type_string)) {
      v[i] = jc.get_string(o);
      len[i] = (size_t)jc.get_string_len(o);
    }
  }
  put_fields(b, v, len);
  jc.put(root);
  return 0;
}

/* jansson (opaque: json_t *; json_decref is an inline that ends in
 * json_delete when the count drops to zero: a fresh document has 1). */
static struct {
  void *(*loadb)(const char *, size_t, size_t, void *);
  void *(*object_get)(const void *, const char *);
  const char *(*string_value)(const void *);
  size_t (*string_length)(const void *);
  void (*del)(void *);
} ja;
static int jansson_setup(void) {
  static const char *const names[] = {"libjansson.so.4", "libjansson.so", NULL};
  void *h = open_lib(names);
  if (!h)
    return -1;
  *(void **)&ja.loadb = dlsym(h, "json_loadb");
  *(void **)&ja.object_get = dlsym(h, "json_object_get");
  *(void **)&ja.string_value = dlsym(h, "json_string_value");
  *(void **)&ja.string_length = dlsym(h, "json_string_length");
  *(void **)&ja.del = dlsym(h, "json_delete");
  return ja.loadb && ja.object_get && ja.string_value && ja.string_length &&
                 ja.del
             ? 0
             : -1;
}
static int jansson_row(const char *s, size_t n, weir_builder *b) {
  _Alignas(16) char error[1024]; /* json_error_t is 256+ bytes */
  const char *v[3] = {NULL, NULL, NULL};
  size_t len[3] = {0, 0, 0};
  void *root = ja.loadb(s, n, 0, error);
  if (!root)
    return -1;
  for (int i = 0; i < 3; i++) {
    void *o = ja.object_get(root, field_names[i]);
    if (o && (v[i] = ja.string_value(o)))
      len[i] = ja.string_length(o);
  }
  put_fields(b, v, len);
  ja.del(root);
  return 0;
}

#ifdef HAVE_CJSON_H
static struct {
  cJSON *(*parse)(const char *, size_t);
  cJSON *(*get)(const cJSON *, const char *);
  void (*del)(cJSON *);
} cj;
static int cjson_setup(void) {
  static const char *const names[] = {"libcjson.so.1", "libcjson.so", NULL};
  void *h = open_lib(names);
  if (!h)
    return -1;
  *(void **)&cj.parse = dlsym(h, "cJSON_ParseWithLength");
  *(void **)&cj.get = dlsym(h, "cJSON_GetObjectItemCaseSensitive");
  *(void **)&cj.del = dlsym(h, "cJSON_Delete");
  return cj.parse && cj.get && cj.del ? 0 : -1;
}
static int cjson_row(const char *s, size_t n, weir_builder *b) {
  const char *v[3] = {NULL, NULL, NULL};
  size_t len[3] = {0, 0, 0};
  cJSON *root = cj.parse(s, n);
  if (!root)
    return -1;
  for (int i = 0; i < 3; i++) {
    cJSON *o = cj.get(root, field_names[i]);
    if (o && (o->type & 0xff) == cJSON_String && o->valuestring) {
      v[i] = o->valuestring;
      len[i] = strlen(o->valuestring); /* cJSON keeps no length */
    }
  }
  put_fields(b, v, len);
  cj.del(root);
  return 0;
}
#endif

#ifdef HAVE_JSONPARSER_H
static struct {
  json_value *(*parse)(const json_char *, size_t);
  void (*del)(json_value *);
} jp;
static int jsonparser_setup(void) {
  static const char *const names[] = {"libjsonparser.so.1.1",
                                      "libjsonparser.so", NULL};
  void *h = open_lib(names);
  if (!h)
    return -1;
  *(void **)&jp.parse = dlsym(h, "json_parse");
  *(void **)&jp.del = dlsym(h, "json_value_free");
  return jp.parse && jp.del ? 0 : -1;
}
static int jsonparser_row(const char *s, size_t n, weir_builder *b) {
  const char *v[3] = {NULL, NULL, NULL};
  size_t len[3] = {0, 0, 0};
  json_value *root = jp.parse(s, n);
  if (!root)
    return -1;
  if (root->type == json_object)
    for (unsigned k = 0; k < root->u.object.length; k++) {
      const json_object_entry *e = &root->u.object.values[k];
      for (int i = 0; i < 3; i++)
        if (e->value->type == json_string &&
            strlen(field_names[i]) == e->name_length &&
            memcmp(e->name, field_names[i], e->name_length) == 0) {
          v[i] = e->value->u.string.ptr; /* later duplicates win */
          len[i] = e->value->u.string.length;
        }
    }
  put_fields(b, v, len);
  jp.del(root);
  return 0;
}
#endif

/* ---- the run ---------------------------------------------------------------
 */

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

/* One pass over every line; returns seconds, or -1 on a parse failure.
 * With digest, hashes every finished batch (an untimed check pass). */
static double run(const contender *c, weir_builder *b, uint64_t *digest) {
  uint64_t h = 14695981039346656037ull;
  const uint8_t *data;
  size_t len;
  double t0 = now_s();
  weir_builder_reset(b);
  for (size_t i = 0; i < nlines; i++) {
    const char *s = lines_buf + line_off[i];
    size_t n = line_off[i + 1] - line_off[i] - 1; /* without the '\n' */
    if (c->row(s, n, b))
      return -1;
    if (b->nrows == BATCH_ROWS) {
      weir_builder_finish(b, &data, &len);
      if (digest)
        h = fnv(h, data, len);
      weir_builder_reset(b);
    }
  }
  weir_builder_finish(b, &data, &len);
  double t = now_s() - t0;
  if (digest)
    *digest = fnv(h, data, len);
  return t;
}

int main(void) {
  static const contender all[] = {
      {"weir jsonparse (schema-directed)", weir_setup, weir_row},
      {"json-c 0.16 (DOM)", jsonc_setup, jsonc_row},
      {"jansson 2.14 (DOM)", jansson_setup, jansson_row},
#ifdef HAVE_CJSON_H
      {"cJSON 1.7 (DOM)", cjson_setup, cjson_row},
#else
      {"cJSON 1.7 (DOM)", NULL, NULL},
#endif
#ifdef HAVE_JSONPARSER_H
      {"json-parser 1.1 (DOM)", jsonparser_setup, jsonparser_row},
#else
      {"json-parser 1.1 (DOM)", NULL, NULL},
#endif
  };
  const char *env = getenv("BENCH_JSON_LINES");
  size_t n = env ? (size_t)strtoull(env, NULL, 10) : 1000000;
  char err[256];
  if (n == 0)
    n = 1;
  if (weir_schema_parse(
          "event_type STRING, user_id STRING, timestamp TIMESTAMP", &schema,
          err, sizeof err) != WEIR_OK) {
    fprintf(stderr, "bench_json: %s\n", err);
    return 1;
  }
  generate(n, 1);
  printf("%zu JSON lines, %.1f MB (%.0f bytes/line), 3 of 7 fields asked, "
         "batches of %d rows; best of %d runs\n",
         nlines, (double)nbytes / 1e6, (double)nbytes / (double)nlines,
         BATCH_ROWS, RUNS);
  weir_builder b;
  weir_builder_init(&b, schema);
  uint64_t ref = 0, d = 0;
  int failed = 0;
  for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
    const contender *c = &all[k];
    if (!c->setup || c->setup() != 0) {
      printf("  %-34s not installed, skipped\n", c->name);
      continue;
    }
    double best = run(c, &b, &d) < 0 ? -1 : 1e30;
    for (int r = 0; r < RUNS && best > 0; r++) {
      double t = run(c, &b, NULL);
      if (t < 0) {
        best = -1;
        break;
      }
      if (t < best)
        best = t;
    }
    if (best < 0) {
      printf("  %-34s failed to parse a line\n", c->name);
      failed = 1;
      continue;
    }
    if (k == 0)
      ref = d;
    printf("  %-34s %6.2f M lines/s  %7.1f MB/s  %s\n", c->name,
           (double)nlines / best / 1e6, (double)nbytes / best / 1e6,
           k == 0     ? "(reference batches)"
           : d == ref ? "(same batches)"
                      : "(DIFFERENT batches)");
    failed |= k > 0 && d != ref;
  }
  /* The same events with only the three asked-for fields: the parser's
   * speed on short records (no DOM library: the table above compares). */
  size_t first_bytes = nbytes;
  free((void *)lines_buf);
  free(line_off);
  generate(n, 0);
  double best = 1e30;
  for (int r = 0; r < RUNS; r++) {
    double t = run(&all[0], &b, NULL);
    if (t >= 0 && t < best)
      best = t;
  }
  printf("  %-34s %6.2f M lines/s  %7.1f MB/s  (%.0f bytes/line: the 3 "
         "fields only)\n",
         all[0].name, (double)nlines / best / 1e6, (double)nbytes / best / 1e6,
         (double)nbytes / (double)nlines);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("  max RSS %ld MB (the first lines alone: %.0f MB)\n",
         ru.ru_maxrss / 1024, (double)first_bytes / 1e6);
  weir_builder_free(&b);
  weir_json_parser_free(wp);
  weir_schema_free(schema);
  free((void *)lines_buf);
  free(line_off);
  return failed;
}
