/* fuzz_json.c — fuzz target for the schema-directed JSON parser
 * (weir/jsonparse.h). One input is one record, parsed against a fixed nested
 * schema; then the invariants that must hold for ANY input are checked, and
 * a violation aborts:
 *  - the result is one of OK, BLANK, FORMAT, SCHEMA; a refused record
 *    appends nothing; an error's offset lies inside the text;
 *  - the batch built (the row, or PERMISSIVE's row for a refused record)
 *    reads back through weir_reader with the schema's shape, and every
 *    string in it is valid UTF-8;
 *  - differential: the SDK's other strict parser (weir_json_to_msgpack, the
 *    offsets reader) agrees on whether the text is JSON, where their rules
 *    coincide (an object at the top, no BOM, no number out of double range),
 *    and on the decoded value of a string member.
 * AddressSanitizer (make fuzz, or SAN=1 for the unit test that runs the
 * driver) turns any read past the input into a crash: libFuzzer hands each
 * input in a buffer of exactly its size, and so does the driver.
 *
 * Builds:
 *  - libFuzzer: clang -fsanitize=fuzzer -DWEIR_LIBFUZZER (`make fuzz`).
 *  - standalone: a main() that runs every file of the folders given, then N
 *    deterministic mutations of them:
 *      fuzz_json [-n N] [-s SEED] DIR...   (default N 100000, SEED 1)
 *  - as a library for tests/unit/test_fuzz_json.c (WEIR_FUZZ_NO_MAIN):
 *    fuzz_json_run_dir() and fuzz_json_run_mutations(). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

#define FUZZ_SCHEMA                                                            \
  "event_type STRING, user STRUCT<id: STRING, geo: STRUCT<lat: DOUBLE, "       \
  "lon: DOUBLE>, tags: STRING>, timestamp TIMESTAMP, n BIGINT, ok BOOLEAN, "   \
  "bin BINARY, req BIGINT NOT NULL, words ARRAY<STRING>, "                     \
  "nums ARRAY<BIGINT NOT NULL>, _corrupt_record STRING"
#define FUZZ_MAX_DEPTH                                                         \
  64 /* as weir_json_to_msgpack's, for the differential                        \
      */
#define FUZZ_MAX_LEN 4096

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_json: invariant failed: %s: ", #cond);             \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
      abort();                                                                 \
    }                                                                          \
  } while (0)

static weir_schema *fz_schema;
static weir_json_parser *fz_parser;
static weir_builder fz_builder;
static weir_buf fz_other;

static void fz_init(void) {
  char err[256];
  weir_json_options o = {NULL, FUZZ_MAX_DEPTH, NULL, NULL};
  if (fz_parser)
    return;
  CHECK(weir_schema_parse(FUZZ_SCHEMA, &fz_schema, err, sizeof err) == WEIR_OK,
        "%s", err);
  CHECK(weir_json_parser_new(fz_schema, &o, &fz_parser, err, sizeof err) ==
            WEIR_OK,
        "%s", err);
  CHECK(weir_builder_init(&fz_builder, fz_schema) == WEIR_OK, "no memory");
}

/* RFC 3629 UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF
 * (written apart from the parser's own check, on purpose). */
static int utf8_ok(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n;) {
    uint8_t c = s[i];
    size_t k = c < 0x80                 ? 1
               : c >= 0xc2 && c <= 0xdf ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
    if (!k || i + k > n)
      return 0;
    for (size_t j = 1; j < k; j++)
      if ((s[i + j] & 0xc0) != 0x80)
        return 0;
    if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) ||
        (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] > 0x8f))
      return 0;
    i += k;
  }
  return 1;
}

/* Every element of an array value has the element's type (or is null
 * where the elements may be), strings valid UTF-8. */
static void check_elements(const weir_field *f, const weir_value *v) {
  const weir_field *el = weir_field_element(f);
  weir_array_iter it;
  weir_value e;
  int rc;
  CHECK(el != NULL, "column %s: an array without its element", f->name);
  CHECK(weir_array_begin(&it, v) == WEIR_OK, "column %s: bad array", f->name);
  while ((rc = weir_array_next(&it, &e)) == 1) {
    if (e.type == WEIR_T_NULL) {
      CHECK(el->nullable, "column %s: a null element in NOT NULL", f->name);
      continue;
    }
    CHECK(e.type == el->type, "column %s: element type %d, want %d", f->name,
          (int)e.type, (int)el->type);
    if (el->type == WEIR_T_STRING)
      CHECK(utf8_ok((const uint8_t *)e.v.s.ptr, e.v.s.len),
            "column %s: an element is not UTF-8", f->name);
  }
  CHECK(rc == 0, "column %s: elements do not read back", f->name);
}

/* Every value of a row (and of its structs) is well-formed for its field. */
static void check_values(const weir_schema *s, const weir_value *v) {
  for (size_t i = 0; i < s->n; i++) {
    const weir_field *f = &s->fields[i];
    if (v[i].type == WEIR_T_NULL)
      continue;
    if (f->type == WEIR_T_ARRAY) { /* read as a MessagePack array */
      check_elements(f, &v[i]);
      continue;
    }
    CHECK(v[i].type == f->type, "column %s: type %d, want %d", f->name,
          (int)v[i].type, (int)f->type);
    if (f->type == WEIR_T_STRING)
      CHECK(utf8_ok((const uint8_t *)v[i].v.s.ptr, v[i].v.s.len),
            "column %s: not UTF-8", f->name);
    if (f->type == WEIR_T_STRUCT) {
      weir_value m[8];
      CHECK(f->fields->n <= 8, "schema too wide");
      CHECK(weir_value_members(&v[i], m, f->fields->n) == WEIR_OK,
            "column %s: bad struct", f->name);
      check_values(f->fields, m);
    }
  }
}

/* The last string value of top-level member `key` in the other parser's
 * msgpack map, or NULL (absent, or not a string). */
static const char *other_string(const uint8_t *d, size_t len, const char *key,
                                size_t *n) {
  const uint8_t *p = d, *end = d + len;
  const char *found = NULL;
  uint32_t count;
  uint8_t h = *p++;
  if ((h & 0xf0) == 0x80) {
    count = h & 0x0f;
  } else if (h == 0xde && end - p >= 2) {
    count = (uint32_t)p[0] << 8 | p[1];
    p += 2;
  } else if (h == 0xdf && end - p >= 4) {
    count = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
            p[3];
    p += 4;
  } else {
    return NULL;
  }
  for (uint32_t i = 0; i < count; i++) {
    weir_value k, v;
    const uint8_t *vp;
    CHECK(weir_value_decode(&p, end, &k) == WEIR_OK, "other: bad key");
    vp = p;
    CHECK(weir_mp_skip(&p, end) == WEIR_OK, "other: bad value");
    if (k.type == WEIR_T_STRING && k.v.s.len == strlen(key) &&
        memcmp(k.v.s.ptr, key, k.v.s.len) == 0) {
      found = NULL;
      if (weir_value_decode(&vp, p, &v) == WEIR_OK && v.type == WEIR_T_STRING) {
        found = v.v.s.ptr;
        *n = v.v.s.len;
      }
    }
  }
  return found;
}

/* One input: the whole contract. */
static void fz_one(const uint8_t *data, size_t size) {
  weir_json_error e;
  const uint8_t *batch;
  size_t blen, len0;
  uint32_t rows0;
  fz_init();
  weir_builder_reset(&fz_builder);
  len0 = fz_builder.buf.len;
  rows0 = fz_builder.nrows;
  memset(&e, 0, sizeof e);
  int rc =
      weir_json_parse_row(fz_parser, (const char *)data, size, &fz_builder, &e);
  CHECK(rc == WEIR_OK || rc == WEIR_JSON_BLANK || rc == WEIR_ERR_FORMAT ||
            rc == WEIR_ERR_SCHEMA,
        "rc %d", rc);
  if (rc != WEIR_OK) {
    CHECK(fz_builder.buf.len == len0 && fz_builder.nrows == rows0,
          "a refused record appended bytes");
  }
  if (rc < 0) {
    CHECK(e.code == rc, "error code %d for rc %d", e.code, rc);
    CHECK(e.offset <= size, "offset %zu past %zu", e.offset, size);
    CHECK(e.msg[0] != '\0', "empty message");
    weir_row_begin(&fz_builder);
    weir_json_put_permissive(fz_parser, (const char *)data, size, &fz_builder);
  }
  CHECK(weir_builder_finish(&fz_builder, &batch, &blen) == WEIR_OK, "finish");
  weir_reader r;
  weir_value v[16];
  CHECK(weir_reader_open(&r, batch, blen) == WEIR_OK, "batch header");
  int got, rows = 0;
  while ((got = weir_reader_next(&r, v, fz_schema->n)) == 1) {
    rows++;
    check_values(fz_schema, v);
    if (rc == WEIR_OK) /* the corrupt column is null for a good record */
      CHECK(v[fz_schema->n - 1].type == WEIR_T_NULL, "corrupt set on OK");
  }
  CHECK(got == 0, "batch does not read back");
  CHECK(rows == (rc == WEIR_JSON_BLANK ? 0 : 1), "%d rows for rc %d", rows, rc);

  /* Differential: the offsets reader (same RFC, different code). */
  char oerr[256];
  weir_buf_clear(&fz_other);
  int orc = weir_json_to_msgpack(&fz_other, (const char *)data, size, oerr,
                                 sizeof oerr);
  int bom = size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0;
  if (bom || strstr(oerr, "number out of range") || orc == WEIR_ERR_NOMEM)
    return;
  if (orc == WEIR_OK) {
    uint8_t top = fz_other.data[0];
    int is_map = (top & 0xf0) == 0x80 || top == 0xde || top == 0xdf;
    if (!is_map) {
      CHECK(rc == WEIR_ERR_FORMAT, "top-level non-object accepted (rc %d)", rc);
      return;
    }
    CHECK(rc == WEIR_OK || rc == WEIR_ERR_SCHEMA,
          "valid JSON refused as malformed: offset %zu: %s", e.offset, e.msg);
    size_t on = 0;
    const char *os =
        other_string(fz_other.data, fz_other.len, "event_type", &on);
    if (os) {
      CHECK(v[0].type == WEIR_T_STRING && v[0].v.s.len == on &&
                memcmp(v[0].v.s.ptr, os, on) == 0,
            "event_type decoded differently");
    }
  } else {
    CHECK(rc == WEIR_ERR_FORMAT || rc == WEIR_JSON_BLANK,
          "invalid JSON accepted (rc %d); the other parser says: %s", rc, oerr);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_one(data, size);
  return 0;
}

/* ---- the standalone driver --------------------------------------------- */

#ifndef WEIR_LIBFUZZER

typedef struct fz_seeds {
  uint8_t **data;
  size_t *len;
  size_t n, cap;
} fz_seeds;

static fz_seeds seeds;

/* Runs one input from a buffer of exactly its size (ASan sees over-reads). */
static void fz_run_exact(const uint8_t *d, size_t n) {
  uint8_t *copy = malloc(n ? n : 1);
  CHECK(copy != NULL, "no memory");
  memcpy(copy, d, n);
  fz_one(copy, n);
  free(copy);
}

static void add_seed(const uint8_t *d, size_t n) {
  if (seeds.n == seeds.cap) {
    seeds.cap = seeds.cap ? seeds.cap * 2 : 64;
    seeds.data = realloc(seeds.data, seeds.cap * sizeof *seeds.data);
    seeds.len = realloc(seeds.len, seeds.cap * sizeof *seeds.len);
    CHECK(seeds.data && seeds.len, "no memory");
  }
  seeds.data[seeds.n] = malloc(n ? n : 1);
  CHECK(seeds.data[seeds.n] != NULL, "no memory");
  memcpy(seeds.data[seeds.n], d, n);
  seeds.len[seeds.n++] = n;
}

/* Runs every file of `dir` (and keeps them as seeds). Returns the number of
 * inputs run, or -1 when the folder cannot be read. */
long fuzz_json_run_dir(const char *dir);
long fuzz_json_run_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *de;
  long n = 0;
  if (!d)
    return -1;
  while ((de = readdir(d))) {
    char path[4096];
    if (de->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    FILE *f = fopen(path, "rb");
    if (!f)
      continue;
    uint8_t buf[FUZZ_MAX_LEN];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    fz_run_exact(buf, len);
    add_seed(buf, len);
    /* each line of a seed file is a seed of its own too */
    for (size_t i = 0, s = 0; i <= len; i++)
      if (i == len || buf[i] == '\n') {
        if (i > s && i - s < len) {
          fz_run_exact(buf + s, i - s);
          add_seed(buf + s, i - s);
        }
        s = i + 1;
      }
    n++;
  }
  closedir(d);
  return n;
}

static uint64_t rng;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}
static size_t below(size_t n) { return n ? (size_t)(next() % n) : 0; }

static const char *const tokens[] = {"{",
                                     "}",
                                     "[",
                                     "]",
                                     ",",
                                     ":",
                                     "\"",
                                     "\\",
                                     "\\u",
                                     "\\ud83d\\ude00",
                                     "\\ud800",
                                     "\\udc00",
                                     "\\u0000",
                                     "null",
                                     "true",
                                     "false",
                                     "-",
                                     "0",
                                     "-0",
                                     "1e999",
                                     "9223372036854775807",
                                     "9223372036854775808",
                                     "-9223372036854775809",
                                     "1.5",
                                     "0.1e-400",
                                     "\xff",
                                     "\xc3",
                                     "\xc3\xa9",
                                     "\xed\xa0\x80",
                                     "\xf0\x9f\x98\x80",
                                     "\xef\xbb\xbf",
                                     " ",
                                     "\t",
                                     "\n",
                                     "\"event_type\":",
                                     "\"user\":{",
                                     "\"geo\":{\"lat\":",
                                     "\"n\":",
                                     "\"timestamp\":\"2026-01-01T00:00:05Z\"",
                                     "\"bin\":\"aGk=\"",
                                     "\"req\":1",
                                     "\"ok\":true",
                                     "[[[[[[[[",
                                     "]]]]]]]]",
                                     "{\"a\":{\"b\":{\"c\":"};

/* One mutation of buf[0..*n) in place (cap bytes of room). */
static void mutate(uint8_t *buf, size_t *n, size_t cap) {
  size_t len = *n;
  switch (below(8)) {
  case 0: /* flip a bit */
    if (len)
      buf[below(len)] ^= (uint8_t)(1u << below(8));
    break;
  case 1: /* a random byte */
    if (len)
      buf[below(len)] = (uint8_t)next();
    break;
  case 2: { /* insert a token */
    const char *t = tokens[below(sizeof tokens / sizeof tokens[0])];
    size_t tl = strlen(t), at = below(len + 1);
    if (len + tl <= cap) {
      memmove(buf + at + tl, buf + at, len - at);
      memcpy(buf + at, t, tl);
      len += tl;
    }
    break;
  }
  case 3: { /* delete a range */
    size_t at = below(len + 1), k = 1 + below(8);
    if (at + k > len)
      k = len - at;
    memmove(buf + at, buf + at + k, len - at - k);
    len -= k;
    break;
  }
  case 4: { /* duplicate a range */
    size_t at = below(len + 1), k = 1 + below(16);
    if (at + k > len)
      k = len - at;
    if (len + k <= cap) {
      memmove(buf + at + k, buf + at, len - at);
      len += k;
    }
    break;
  }
  case 5: /* truncate */ len = below(len + 1); break;
  case 6: { /* splice with another seed */
    size_t s = below(seeds.n), at = below(len + 1);
    size_t from = below(seeds.len[s] + 1), k = seeds.len[s] - from;
    if (at + k > cap)
      k = cap - at;
    memcpy(buf + at, seeds.data[s] + from, k);
    len = at + k;
    break;
  }
  default: { /* overwrite with a token */
    const char *t = tokens[below(sizeof tokens / sizeof tokens[0])];
    size_t tl = strlen(t), at = below(len + 1);
    if (at + tl <= cap) {
      memcpy(buf + at, t, tl);
      if (at + tl > len)
        len = at + tl;
    }
    break;
  }
  }
  *n = len;
}

/* Runs n mutants of the seeds (from fuzz_json_run_dir, or a few built in),
 * the same sequence for the same seed. Returns n. */
long fuzz_json_run_mutations(uint64_t seed, long n);
long fuzz_json_run_mutations(uint64_t seed, long n) {
  static uint8_t buf[FUZZ_MAX_LEN];
  rng = seed * 0x9e3779b97f4a7c15ull + 88172645463325252ull;
  if (seeds.n == 0) {
    static const char *const builtin[] = {
        "{\"event_type\":\"click\",\"user\":{\"id\":\"u1\",\"geo\":{\"lat\":1."
        "5,"
        "\"lon\":-2}},\"timestamp\":\"2026-01-01T00:00:05Z\",\"n\":1,\"req\":"
        "2}",
        "{\"x\":[1,{\"y\":null}],\"bin\":\"aGVsbG8=\",\"ok\":false,\"req\":0}"};
    for (size_t i = 0; i < 2; i++)
      add_seed((const uint8_t *)builtin[i], strlen(builtin[i]));
  }
  for (long i = 0; i < n; i++) {
    size_t s = below(seeds.n), len = seeds.len[s];
    memcpy(buf, seeds.data[s], len);
    for (size_t k = 1 + below(4); k > 0; k--)
      mutate(buf, &len, sizeof buf);
    fz_run_exact(buf, len);
  }
  return n;
}

#ifndef WEIR_FUZZ_NO_MAIN
int main(int argc, char **argv) {
  long n = 100000, dirs = 0;
  uint64_t seed = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-n") && i + 1 < argc) {
      n = atol(argv[++i]);
    } else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
      seed = strtoull(argv[++i], NULL, 10);
    } else if (fuzz_json_run_dir(argv[i]) < 0) {
      fprintf(stderr, "fuzz_json: cannot read folder %s\n", argv[i]);
      return 2;
    } else {
      dirs++;
    }
  }
  fuzz_json_run_mutations(seed, n);
  printf("fuzz_json: %zu seeds from %ld folders, %ld mutants: ok\n", seeds.n,
         dirs, n);
  return 0;
}
#endif
#endif
