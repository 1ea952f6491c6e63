/* schema.c — schemas: building, comparing, "did you mean" suggestions, the
 * Spark DDL text users write in INI files (parse and format), and the wire
 * encoding carried at the head of every batch. An ARRAY field keeps its
 * element as a one-field member schema ("element"), so that copying, freeing
 * and comparing need no case of their own. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "weir/batch.h"

/* Deeper nesting than this is refused, so that hostile input cannot exhaust
 * the stack through recursion. */
#define MAX_DEPTH 64

const char *weir_type_name(weir_type t) {
  switch (t) {
  case WEIR_T_NULL: return "null";
  case WEIR_T_BOOL: return "boolean";
  case WEIR_T_INT: return "bigint";
  case WEIR_T_FLOAT: return "double";
  case WEIR_T_STRING: return "string";
  case WEIR_T_BINARY: return "binary";
  case WEIR_T_TIMESTAMP: return "timestamp";
  case WEIR_T_STRUCT: return "struct";
  case WEIR_T_ARRAY: return "array";
  }
  return "unknown";
}

weir_schema *weir_schema_new(void) { return calloc(1, sizeof(weir_schema)); }

void weir_schema_free(weir_schema *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->n; i++) {
    free(s->fields[i].name);
    weir_schema_free(s->fields[i].fields);
  }
  free(s->fields);
  free(s);
}

/* An array's member schema: exactly one scalar field called "element". */
static int valid_element(const weir_schema *m) {
  return m && m->n == 1 && strcmp(m->fields[0].name, "element") == 0 &&
         weir_type_is_element(m->fields[0].type);
}

int weir_schema_add(weir_schema *s, const char *name, weir_type type,
                    bool nullable, weir_schema *members) {
  if (!s || !name || (unsigned)type > WEIR_T_ARRAY ||
      (type != WEIR_T_STRUCT && type != WEIR_T_ARRAY && members) ||
      (type == WEIR_T_ARRAY && !valid_element(members)) ||
      weir_schema_find(s, name) >= 0) {
    weir_schema_free(members);
    return WEIR_ERR_INVALID;
  }
  /* A struct always has a member schema, so readers need no NULL check. */
  if (type == WEIR_T_STRUCT && !members && !(members = weir_schema_new()))
    return WEIR_ERR_NOMEM;
  char *copy = strdup(name);
  weir_field *f = realloc(s->fields, (s->n + 1) * sizeof *f);
  if (!copy || !f) {
    free(copy);
    if (f)
      s->fields = f;
    weir_schema_free(members);
    return WEIR_ERR_NOMEM;
  }
  s->fields = f;
  memset(&f[s->n], 0, sizeof f[s->n]);
  f[s->n].name = copy;
  f[s->n].type = type;
  f[s->n].nullable = nullable;
  f[s->n].fields = members;
  s->n++;
  return WEIR_OK;
}

int weir_schema_add_array(weir_schema *s, const char *name, bool nullable,
                          weir_type element, bool contains_null) {
  weir_schema *m = weir_schema_new();
  if (!m)
    return WEIR_ERR_NOMEM;
  int rc = weir_schema_add(m, "element", element, contains_null, NULL);
  if (rc != WEIR_OK) {
    weir_schema_free(m);
    return rc;
  }
  return weir_schema_add(s, name, WEIR_T_ARRAY, nullable, m);
}

weir_schema *weir_schema_copy(const weir_schema *s) {
  weir_schema *c = weir_schema_new();
  if (!c || !s)
    return c;
  for (size_t i = 0; i < s->n; i++) {
    const weir_field *f = &s->fields[i];
    weir_schema *m = NULL;
    if (f->fields && !(m = weir_schema_copy(f->fields))) {
      weir_schema_free(c);
      return NULL;
    }
    if (weir_schema_add(c, f->name, f->type, f->nullable, m) != WEIR_OK) {
      weir_schema_free(c);
      return NULL;
    }
    c->fields[c->n - 1].flags = f->flags;
    c->fields[c->n - 1].watermark_delay = f->watermark_delay;
  }
  return c;
}

int weir_schema_equal(const weir_schema *a, const weir_schema *b) {
  if (a == b)
    return 1;
  size_t na = a ? a->n : 0, nb = b ? b->n : 0;
  if (na != nb)
    return 0;
  for (size_t i = 0; i < na; i++) {
    const weir_field *x = &a->fields[i], *y = &b->fields[i];
    if (strcmp(x->name, y->name) != 0 || x->type != y->type ||
        x->nullable != y->nullable)
      return 0;
    if ((x->type == WEIR_T_STRUCT || x->type == WEIR_T_ARRAY) &&
        !weir_schema_equal(x->fields, y->fields))
      return 0;
  }
  return 1;
}

int weir_schema_find(const weir_schema *s, const char *name) {
  if (!s || !name)
    return -1;
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->fields[i].name, name) == 0)
      return (int)i;
  return -1;
}

/* Same rules as every other "did you mean" of weir (weir_suggest), so that
 * columns, keys and plugin names are suggested alike. */
const char *weir_schema_suggest(const weir_schema *s, const char *name) {
  if (!s || !name || s->n == 0)
    return NULL;
  const char *small[64] = {0}, **names = small;
  if (s->n > 64 && !(names = malloc(s->n * sizeof *names)))
    return NULL;
  for (size_t i = 0; i < s->n; i++)
    names[i] = s->fields[i].name;
  const char *best = weir_suggest(name, names, s->n);
  if (names != small)
    free(names);
  return best;
}

/* ---- DDL parsing ------------------------------------------------------- */

typedef struct ddl {
  const char *s;
  size_t pos;
  char *err;
  size_t errlen;
  int failed;
} ddl;

static void ddl_ws(ddl *p) {
  while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
         p->s[p->pos] == '\r')
    p->pos++;
}

static int is_ident_char(unsigned char c) {
  return isalnum(c) || c == '_' || c >= 0x80;
}

/* Describes what stands at `at` for an error message: a word, a quoted
 * name or one character. */
static void ddl_found(const ddl *p, size_t at, char *out, size_t n) {
  const char *t = p->s + at;
  if (!*t) {
    snprintf(out, n, "end of input");
    return;
  }
  size_t len = 0;
  while (is_ident_char((unsigned char)t[len]))
    len++;
  if (len == 0)
    len = 1;
  if (len > 32)
    snprintf(out, n, "'%.29s...'", t);
  else
    snprintf(out, n, "'%.*s'", (int)len, t);
}

static int ddl_fail(ddl *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int ddl_fail(ddl *p, size_t at, const char *fmt, ...) {
  if (p->failed)
    return WEIR_ERR_INVALID;
  p->failed = 1;
  if (p->err && p->errlen) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errlen, "offset %zu: %s", at, msg);
  }
  return WEIR_ERR_INVALID;
}

static int ddl_expected(ddl *p, const char *what) {
  char found[48];
  ddl_found(p, p->pos, found, sizeof found);
  return ddl_fail(p, p->pos, "expected %s, found %s", what, found);
}

/* Reads a word at the cursor into out (NUL-terminated); 0 when none. */
static size_t ddl_word(ddl *p, char *out, size_t n) {
  size_t len = 0;
  while (is_ident_char((unsigned char)p->s[p->pos + len]))
    len++;
  if (out && n) {
    size_t c = len < n - 1 ? len : n - 1;
    memcpy(out, p->s + p->pos, c);
    out[c] = 0;
  }
  return len;
}

static int ddl_keyword(ddl *p, const char *kw) {
  size_t len = ddl_word(p, NULL, 0), kl = strlen(kw);
  if (len == kl && strncasecmp(p->s + p->pos, kw, kl) == 0) {
    p->pos += len;
    return 1;
  }
  return 0;
}

/* A column name: a word or a `backquoted` name (`` is a backquote).
 * Returns a malloc'd copy or NULL (error set). */
static char *ddl_name(ddl *p) {
  ddl_ws(p);
  if (p->s[p->pos] == '`') {
    size_t start = p->pos++;
    weir_buf b = WEIR_BUF_INIT;
    for (;;) {
      char c = p->s[p->pos];
      if (!c) {
        weir_buf_free(&b);
        ddl_fail(p, start,
                 "expected a closing '`' for the name, found end of input");
        return NULL;
      }
      p->pos++;
      if (c == '`') {
        if (p->s[p->pos] != '`')
          break;
        p->pos++;
      }
      weir_buf_append(&b, &c, 1);
    }
    weir_buf_append(&b, "", 1);
    if (b.err) {
      weir_buf_free(&b);
      ddl_fail(p, start, "out of memory");
      return NULL;
    }
    if (b.len == 1) {
      weir_buf_free(&b);
      ddl_fail(p, start, "expected a column name, found '``'");
      return NULL;
    }
    return (char *)b.data;
  }
  size_t len = ddl_word(p, NULL, 0);
  if (len == 0) {
    ddl_expected(p, "a column name");
    return NULL;
  }
  char *name = strndup(p->s + p->pos, len);
  if (!name)
    ddl_fail(p, p->pos, "out of memory");
  p->pos += len;
  return name;
}

static const struct {
  const char *word;
  weir_type type;
  int sized; /* takes an optional "(n)" */
} type_words[] = {
    {"STRING", WEIR_T_STRING, 0},
    {"VARCHAR", WEIR_T_STRING, 1},
    {"CHAR", WEIR_T_STRING, 1},
    {"BINARY", WEIR_T_BINARY, 0},
    {"BOOLEAN", WEIR_T_BOOL, 0},
    {"BOOL", WEIR_T_BOOL, 0},
    {"TINYINT", WEIR_T_INT, 0},
    {"BYTE", WEIR_T_INT, 0},
    {"SMALLINT", WEIR_T_INT, 0},
    {"SHORT", WEIR_T_INT, 0},
    {"INT", WEIR_T_INT, 0},
    {"INTEGER", WEIR_T_INT, 0},
    {"BIGINT", WEIR_T_INT, 0},
    {"LONG", WEIR_T_INT, 0},
    {"FLOAT", WEIR_T_FLOAT, 0},
    {"REAL", WEIR_T_FLOAT, 0},
    {"DOUBLE", WEIR_T_FLOAT, 0},
    {"TIMESTAMP", WEIR_T_TIMESTAMP, 0},
    {"TIMESTAMP_LTZ", WEIR_T_TIMESTAMP, 0},
    {"TIMESTAMP_NTZ", WEIR_T_TIMESTAMP, 0},
    {"VOID", WEIR_T_NULL, 0},
    {"STRUCT", WEIR_T_STRUCT, 0},
    {"ARRAY", WEIR_T_ARRAY, 0},
};

#define TYPE_LIST                                                              \
  "a type (STRING, BINARY, BOOLEAN, BIGINT, DOUBLE, TIMESTAMP, ARRAY<...> or " \
  "STRUCT<...>)"
#define ELEMENT_LIST "STRING, BINARY, BOOLEAN, BIGINT, DOUBLE or TIMESTAMP"

static int ddl_fields(ddl *p, weir_schema *s, int depth, char close);
static int ddl_type(ddl *p, weir_type *type, weir_schema **members, int depth);
static const char *ddl_type_word(weir_type t);

/* The "<type [NOT NULL]>" of ARRAY, into a one-field element schema. Spark's
 * DDL has no NOT NULL here (its arrays from DDL may hold nulls); weir reads
 * it so that an array that never holds nulls survives a format-parse round
 * trip. */
static int ddl_array(ddl *p, weir_schema **members, int depth) {
  weir_type et = WEIR_T_NULL;
  weir_schema *sub = NULL;
  if (depth >= MAX_DEPTH)
    return ddl_fail(p, p->pos, "types nested deeper than %d levels", MAX_DEPTH);
  ddl_ws(p);
  if (p->s[p->pos] != '<')
    return ddl_expected(p, "'<'");
  p->pos++;
  ddl_ws(p);
  size_t at = p->pos;
  int rc = ddl_type(p, &et, &sub, depth + 1);
  weir_schema_free(sub);
  if (rc != WEIR_OK)
    return rc;
  if (!weir_type_is_element(et))
    return ddl_fail(p, at,
                    "array elements must be of a scalar type (" ELEMENT_LIST
                    "), not %s (arrays of structs or of arrays are not "
                    "supported yet)",
                    ddl_type_word(et));
  bool contains_null = true;
  ddl_ws(p);
  if (ddl_keyword(p, "NOT")) {
    ddl_ws(p);
    if (!ddl_keyword(p, "NULL"))
      return ddl_expected(p, "NULL after NOT");
    contains_null = false;
    ddl_ws(p);
  }
  if (p->s[p->pos] != '>')
    return ddl_expected(p, "'>'");
  p->pos++;
  if (!(*members = weir_schema_new()) ||
      weir_schema_add(*members, "element", et, contains_null, NULL) !=
          WEIR_OK) {
    weir_schema_free(*members);
    *members = NULL;
    return ddl_fail(p, p->pos, "out of memory");
  }
  return WEIR_OK;
}

static int ddl_type(ddl *p, weir_type *type, weir_schema **members, int depth) {
  char word[32];
  ddl_ws(p);
  size_t at = p->pos, len = ddl_word(p, word, sizeof word);
  size_t i, nt = sizeof type_words / sizeof type_words[0];
  *members = NULL;
  for (i = 0; i < nt && len < sizeof word; i++)
    if (strcasecmp(word, type_words[i].word) == 0)
      break;
  if (len == 0 || len >= sizeof word || i == nt)
    return ddl_expected(p, TYPE_LIST);
  p->pos += len;
  *type = type_words[i].type;
  if (type_words[i].sized) {
    ddl_ws(p);
    if (p->s[p->pos] == '(') {
      p->pos++;
      ddl_ws(p);
      if (!isdigit((unsigned char)p->s[p->pos]))
        return ddl_expected(p, "a length");
      while (isdigit((unsigned char)p->s[p->pos]))
        p->pos++;
      ddl_ws(p);
      if (p->s[p->pos] != ')')
        return ddl_expected(p, "')'");
      p->pos++;
    }
  }
  if (*type == WEIR_T_ARRAY)
    return ddl_array(p, members, depth);
  if (*type != WEIR_T_STRUCT)
    return WEIR_OK;
  if (depth >= MAX_DEPTH)
    return ddl_fail(p, at, "structs nested deeper than %d levels", MAX_DEPTH);
  ddl_ws(p);
  if (p->s[p->pos] != '<')
    return ddl_expected(p, "'<'");
  p->pos++;
  if (!(*members = weir_schema_new()))
    return ddl_fail(p, p->pos, "out of memory");
  int rc = ddl_fields(p, *members, depth + 1, '>');
  if (rc != WEIR_OK) {
    weir_schema_free(*members);
    *members = NULL;
    return rc;
  }
  p->pos++; /* the '>' */
  return WEIR_OK;
}

/* A quoted COMMENT text: accepted and dropped, since weir keeps no column
 * comments. */
static int ddl_comment(ddl *p) {
  ddl_ws(p);
  char q = p->s[p->pos];
  if (q != '\'' && q != '"')
    return ddl_expected(p, "a quoted comment");
  size_t start = p->pos++;
  for (;;) {
    char c = p->s[p->pos];
    if (!c)
      return ddl_fail(
          p, start, "expected a closing %c for the comment, found end of input",
          q);
    p->pos++;
    if (c == '\\' && p->s[p->pos])
      p->pos++;
    else if (c == q)
      return WEIR_OK;
  }
}

/* Fields up to `close` (0 = end of input; '>' inside STRUCT<...>), left at
 * the cursor. */
static int ddl_fields(ddl *p, weir_schema *s, int depth, char close) {
  ddl_ws(p);
  if (p->s[p->pos] == close)
    return WEIR_OK;
  for (;;) {
    ddl_ws(p);
    size_t name_at = p->pos;
    char *name = ddl_name(p);
    if (!name)
      return WEIR_ERR_INVALID;
    ddl_ws(p);
    if (p->s[p->pos] == ':')
      p->pos++;
    weir_type type = WEIR_T_NULL;
    weir_schema *members;
    int rc = ddl_type(p, &type, &members, depth);
    if (rc != WEIR_OK) {
      free(name);
      return rc;
    }
    bool nullable = true;
    ddl_ws(p);
    if (ddl_keyword(p, "NOT")) {
      ddl_ws(p);
      if (!ddl_keyword(p, "NULL")) {
        free(name);
        weir_schema_free(members);
        return ddl_expected(p, "NULL after NOT");
      }
      nullable = false;
      ddl_ws(p);
    }
    if (ddl_keyword(p, "COMMENT") && ddl_comment(p) != WEIR_OK) {
      free(name);
      weir_schema_free(members);
      return WEIR_ERR_INVALID;
    }
    if (weir_schema_find(s, name) >= 0) {
      rc = ddl_fail(p, name_at, "duplicate column name '%s'", name);
      free(name);
      weir_schema_free(members);
      return rc;
    }
    rc = weir_schema_add(s, name, type, nullable, members);
    free(name);
    if (rc != WEIR_OK)
      return ddl_fail(p, name_at, "out of memory");
    ddl_ws(p);
    char c = p->s[p->pos];
    if (c == ',') {
      p->pos++;
      continue;
    }
    if (c == close)
      return WEIR_OK;
    return ddl_expected(p, close ? "',' or '>'" : "',' or end of input");
  }
}

int weir_schema_parse(const char *text, weir_schema **out, char *err,
                      size_t errlen) {
  ddl p = {text ? text : "", 0, err, errlen, 0};
  *out = NULL;
  if (err && errlen)
    err[0] = 0;
  weir_schema *s = weir_schema_new();
  if (!s)
    return ddl_fail(&p, 0, "out of memory");
  int rc = ddl_fields(&p, s, 0, 0);
  if (rc != WEIR_OK) {
    weir_schema_free(s);
    return rc;
  }
  *out = s;
  return WEIR_OK;
}

/* ---- DDL formatting ---------------------------------------------------- */

/* Spark's rule for quoting: anything but [A-Za-z_][A-Za-z0-9_]*. */
static int plain_name(const char *n) {
  if (!*n || isdigit((unsigned char)*n))
    return 0;
  for (; *n; n++)
    if (!isalnum((unsigned char)*n) && *n != '_')
      return 0;
  return 1;
}

static void format_name(const char *n, weir_buf *out) {
  if (plain_name(n)) {
    weir_buf_append(out, n, strlen(n));
    return;
  }
  weir_buf_append(out, "`", 1);
  for (; *n; n++) {
    if (*n == '`')
      weir_buf_append(out, "`", 1);
    weir_buf_append(out, n, 1);
  }
  weir_buf_append(out, "`", 1);
}

static const char *ddl_type_word(weir_type t) {
  switch (t) {
  case WEIR_T_NULL: return "VOID";
  case WEIR_T_BOOL: return "BOOLEAN";
  case WEIR_T_INT: return "BIGINT";
  case WEIR_T_FLOAT: return "DOUBLE";
  case WEIR_T_STRING: return "STRING";
  case WEIR_T_BINARY: return "BINARY";
  case WEIR_T_TIMESTAMP: return "TIMESTAMP";
  case WEIR_T_STRUCT: return "STRUCT";
  case WEIR_T_ARRAY: return "ARRAY";
  }
  return "VOID";
}

static void format_fields(const weir_schema *s, weir_buf *out, int nested) {
  for (size_t i = 0; s && i < s->n; i++) {
    const weir_field *f = &s->fields[i];
    if (i)
      weir_buf_append(out, ", ", 2);
    format_name(f->name, out);
    weir_buf_append(out, nested ? ": " : " ", nested ? 2 : 1);
    const char *w = ddl_type_word(f->type);
    weir_buf_append(out, w, strlen(w));
    if (f->type == WEIR_T_STRUCT) {
      weir_buf_append(out, "<", 1);
      format_fields(f->fields, out, 1);
      weir_buf_append(out, ">", 1);
    }
    const weir_field *el = weir_field_element(f);
    if (el) {
      const char *ew = ddl_type_word(el->type);
      weir_buf_append(out, "<", 1);
      weir_buf_append(out, ew, strlen(ew));
      if (!el->nullable)
        weir_buf_append(out, " NOT NULL", 9);
      weir_buf_append(out, ">", 1);
    }
    if (!f->nullable)
      weir_buf_append(out, " NOT NULL", 9);
  }
}

void weir_schema_format(const weir_schema *s, weir_buf *out) {
  format_fields(s, out, 0);
  /* Callers print the text; keep it a C string without counting the NUL. */
  if (weir_buf_reserve(out, 1) == WEIR_OK)
    out->data[out->len] = 0;
}

/* ---- wire encoding ----------------------------------------------------- */

static const char *const wire_types[] = {"null",      "bool",   "int",
                                         "float",     "string", "binary",
                                         "timestamp", "struct", "array"};

/* [name, type, nullable] and, for a struct or an array, its fourth part. */
static void encode_field(const weir_field *f, weir_buf *out) {
  const char *t = wire_types[f->type];
  int four = f->type == WEIR_T_STRUCT || f->type == WEIR_T_ARRAY;
  weir_mp_array(out, four ? 4 : 3);
  weir_mp_str(out, f->name, strlen(f->name));
  weir_mp_str(out, t, strlen(t));
  weir_mp_bool(out, f->nullable);
  if (f->type == WEIR_T_STRUCT)
    weir_schema_encode(f->fields, out);
  else if (f->type == WEIR_T_ARRAY)
    encode_field(&f->fields->fields[0], out); /* ["element", type, null?] */
}

void weir_schema_encode(const weir_schema *s, weir_buf *out) {
  size_t n = s ? s->n : 0;
  weir_mp_array(out, (uint32_t)n);
  for (size_t i = 0; i < n; i++)
    encode_field(&s->fields[i], out);
}

/* An array header at *p: its element count. */
static int mp_array_header(const uint8_t **p, const uint8_t *end, uint32_t *n) {
  const uint8_t *q = *p;
  if (q >= end)
    return WEIR_ERR_FORMAT;
  if ((q[0] & 0xf0) == 0x90) {
    *n = q[0] & 0x0f;
    *p = q + 1;
  } else if (q[0] == 0xdc && end - q >= 3) {
    *n = (uint32_t)q[1] << 8 | q[2];
    *p = q + 3;
  } else if (q[0] == 0xdd && end - q >= 5) {
    *n = (uint32_t)q[1] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 8 |
         q[4];
    *p = q + 5;
  } else {
    return WEIR_ERR_FORMAT;
  }
  return WEIR_OK;
}

static int decode_fields(const uint8_t **p, const uint8_t *end, weir_schema *s,
                         int depth);

/* One field descriptor, appended to s. An array's element descriptor is
 * decoded by the same code into a one-field schema, which weir_schema_add
 * then checks (named "element", a scalar type). */
static int decode_field(const uint8_t **p, const uint8_t *end, weir_schema *s,
                        int depth) {
  uint32_t parts;
  weir_value name, type, nullable;
  if (mp_array_header(p, end, &parts) != WEIR_OK || parts < 3 || parts > 4 ||
      weir_value_decode(p, end, &name) != WEIR_OK ||
      weir_value_decode(p, end, &type) != WEIR_OK ||
      weir_value_decode(p, end, &nullable) != WEIR_OK ||
      name.type != WEIR_T_STRING || type.type != WEIR_T_STRING ||
      nullable.type != WEIR_T_BOOL || memchr(name.v.s.ptr, 0, name.v.s.len))
    return WEIR_ERR_FORMAT;
  int t;
  for (t = 0; t <= WEIR_T_ARRAY; t++)
    if (strlen(wire_types[t]) == type.v.s.len &&
        memcmp(wire_types[t], type.v.s.ptr, type.v.s.len) == 0)
      break;
  if (t > WEIR_T_ARRAY ||
      (t == WEIR_T_STRUCT || t == WEIR_T_ARRAY) != (parts == 4))
    return WEIR_ERR_FORMAT;
  weir_schema *members = NULL;
  if (t == WEIR_T_STRUCT || t == WEIR_T_ARRAY) {
    if (depth >= MAX_DEPTH)
      return WEIR_ERR_FORMAT;
    if (!(members = weir_schema_new()))
      return WEIR_ERR_NOMEM;
    int rc = t == WEIR_T_STRUCT ? decode_fields(p, end, members, depth + 1)
                                : decode_field(p, end, members, depth + 1);
    if (rc != WEIR_OK) {
      weir_schema_free(members);
      return rc;
    }
  }
  char *nm = strndup(name.v.s.ptr, name.v.s.len);
  if (!nm) {
    weir_schema_free(members);
    return WEIR_ERR_NOMEM;
  }
  int rc = weir_schema_add(s, nm, (weir_type)t, nullable.v.b, members);
  free(nm);
  return rc == WEIR_ERR_INVALID ? WEIR_ERR_FORMAT : rc;
}

static int decode_fields(const uint8_t **p, const uint8_t *end, weir_schema *s,
                         int depth) {
  uint32_t n;
  if (depth > MAX_DEPTH || mp_array_header(p, end, &n) != WEIR_OK)
    return WEIR_ERR_FORMAT;
  for (uint32_t i = 0; i < n; i++) {
    int rc = decode_field(p, end, s, depth);
    if (rc != WEIR_OK)
      return rc;
  }
  return WEIR_OK;
}

int weir_schema_decode(const uint8_t *data, size_t len, weir_schema **out,
                       size_t *used) {
  const uint8_t *p = data;
  *out = NULL;
  weir_schema *s = weir_schema_new();
  if (!s)
    return WEIR_ERR_NOMEM;
  int rc = decode_fields(&p, data + len, s, 0);
  if (rc != WEIR_OK) {
    weir_schema_free(s);
    return rc;
  }
  *out = s;
  if (used)
    *used = (size_t)(p - data);
  return WEIR_OK;
}

/* The first array column at any depth: its dotted path into out[at..]. */
static int find_array(const weir_schema *s, char *out, size_t n, size_t at) {
  for (size_t i = 0; s && i < s->n; i++) {
    const weir_field *f = &s->fields[i];
    int w = snprintf(out + at, n - at, "%s%s", at ? "." : "", f->name);
    size_t end = w < 0 ? at : at + (size_t)w < n ? at + (size_t)w : n - 1;
    if (f->type == WEIR_T_ARRAY ||
        (f->type == WEIR_T_STRUCT && find_array(f->fields, out, n, end)))
      return 1;
    out[at] = 0;
  }
  return 0;
}

int weir_schema_find_array(const weir_schema *s, char *path, size_t n) {
  if (!path || n == 0)
    return 0;
  path[0] = '\0';
  return find_array(s, path, n, 0);
}
