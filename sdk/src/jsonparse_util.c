/* jsonparse_util.c — the cold half of the schema-directed JSON parser
 * (weir/jsonparse.h): compiling a schema into the flat field table and its
 * per-struct hash tables, the error messages, and the slow paths of lexing
 * (escapes, non-ASCII UTF-8, long numbers, base64), plus the PERMISSIVE and
 * null-row writers. The per-byte loop is in jsonparse.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonparse_int.h"

/* ---- compiling ----------------------------------------------------------- */

/* A STRUCT field without members (not from DDL, but a plugin may build
 * one) reads as a struct of no columns. */
static const weir_schema no_members = {0, NULL};
static const weir_schema *members(const weir_field *f) {
  return f->fields ? f->fields : &no_members;
}

static void count(const weir_schema *s, uint32_t *nf, uint32_t *ns,
                  uint32_t *nt, size_t *names) {
  uint32_t t = 4;
  while (t < 2 * s->n)
    t <<= 1;
  (*ns)++;
  *nt += t;
  for (size_t i = 0; i < s->n; i++) {
    (*nf)++;
    *names += strlen(s->fields[i].name) + 1;
    if (s->fields[i].type == WEIR_T_STRUCT)
      count(members(&s->fields[i]), nf, ns, nt, names);
    else if (weir_field_element(&s->fields[i])) {
      (*nf)++; /* the hidden element field */
      *names += sizeof "element";
    }
  }
}

typedef struct compiler {
  jp *p;
  uint32_t nf, ns, nt;
  size_t names;
  const char *corrupt; /* the corrupt-record column's name, or NULL */
} compiler;

/* Lays out the members of s at fields[nf ..), then their subtrees.
 * Returns the struct's index. */
static uint32_t compile(compiler *c, const weir_schema *s, uint32_t parent) {
  jp *p = c->p;
  uint32_t si = c->ns++, first = c->nf, t = 4;
  jp_struct *st = &p->structs[si];
  while (t < 2 * s->n)
    t <<= 1;
  st->first = first;
  st->n = (uint32_t)s->n;
  st->table = p->tables + c->nt;
  st->mask = t - 1;
  c->nt += t;
  c->nf += (uint32_t)s->n;
  for (uint32_t i = 0; i < s->n; i++) {
    const weir_field *wf = &s->fields[i];
    jp_field *f = &p->fields[first + i];
    size_t len = strlen(wf->name);
    memcpy(p->names + c->names, wf->name, len + 1);
    f->name = p->names + c->names;
    f->len = (uint32_t)len;
    memcpy(f->head, wf->name, len < 16 ? len : 16); /* (zeroed by calloc) */
    c->names += len + 1;
    f->type = (uint8_t)wf->type;
    f->nullable = wf->nullable;
    f->parent = parent;
    f->sub = JP_NONE;
    f->corrupt =
        parent == JP_NONE && c->corrupt && strcmp(wf->name, c->corrupt) == 0;
    if (!wf->nullable)
      p->has_required = 1;
    if (f->corrupt) {
      p->corrupt_col = (int)i;
      continue; /* never matched against JSON members */
    }
    uint32_t h = jp_hash((const uint8_t *)f->name, len);
    for (uint32_t j = h & st->mask;; j = (j + 1) & st->mask)
      if (!st->table[j]) {
        st->table[j] = first + i + 1;
        break;
      }
  }
  for (uint32_t i = 0; i < s->n; i++) {
    const weir_field *wf = &s->fields[i];
    const weir_field *el = weir_field_element(wf);
    if (wf->type == WEIR_T_STRUCT) {
      uint32_t sub = compile(c, members(wf), first + i);
      p->fields[first + i].sub = sub;
    } else if (el) {
      jp_field *e = &p->fields[c->nf];
      memcpy(p->names + c->names, "element", sizeof "element");
      e->name = p->names + c->names;
      e->len = sizeof "element" - 1;
      c->names += sizeof "element";
      e->type = (uint8_t)el->type;
      e->nullable = el->nullable;
      e->element = 1;
      e->parent = first + i;
      e->sub = JP_NONE;
      p->fields[first + i].sub = c->nf++;
    } else if (wf->type == WEIR_T_ARRAY) {
      /* An array field without its element (not from the SDK's schema
       * functions, which refuse it): its values read as null. */
      p->fields[first + i].type = WEIR_T_NULL;
    }
  }
  st = &p->structs[si]; /* (not moved; the array was sized up front) */
  st->tree_end = c->nf;
  return si;
}

int weir_json_parser_new(const weir_schema *schema,
                         const weir_json_options *opt, weir_json_parser **out,
                         char *err, size_t errlen) {
  uint32_t nf = 0, ns = 0, nt = 0;
  size_t names = 0;
  const char *corrupt =
      opt && opt->corrupt_column ? opt->corrupt_column : "_corrupt_record";
  int depth =
      opt && opt->max_depth ? opt->max_depth : WEIR_JSON_DEFAULT_MAX_DEPTH;
  *out = NULL;
  if (!schema) {
    snprintf(err, errlen, "no schema");
    return WEIR_ERR_INVALID;
  }
  if (depth < 1 || depth > WEIR_JSON_MAX_MAX_DEPTH) {
    snprintf(err, errlen, "max_depth must be between 1 and %d, got %d",
             WEIR_JSON_MAX_MAX_DEPTH, depth);
    return WEIR_ERR_INVALID;
  }
  if (!corrupt[0])
    corrupt = NULL;
  int ci = corrupt ? weir_schema_find(schema, corrupt) : -1;
  if (ci >= 0 && (schema->fields[ci].type != WEIR_T_STRING ||
                  !schema->fields[ci].nullable)) {
    snprintf(err, errlen,
             "the corrupt-record column %s must be a nullable STRING, not %s%s",
             corrupt, weir_type_name(schema->fields[ci].type),
             schema->fields[ci].nullable ? "" : " NOT NULL");
    return WEIR_ERR_INVALID;
  }
  count(schema, &nf, &ns, &nt, &names);
  jp *p = calloc(1, sizeof *p);
  if (!p || !(p->fields = calloc(nf ? nf : 1, sizeof *p->fields)) ||
      !(p->slots = calloc(nf ? nf : 1, sizeof *p->slots)) ||
      !(p->structs = calloc(ns, sizeof *p->structs)) ||
      !(p->tables = calloc(nt, sizeof *p->tables)) ||
      !(p->names = malloc(names ? names : 1)) ||
      !(p->stack = malloc((size_t)depth))) {
    weir_json_parser_free(p);
    snprintf(err, errlen, "out of memory");
    return WEIR_ERR_NOMEM;
  }
  p->nfields = nf;
  p->nstructs = ns;
  p->max_depth = depth;
  p->corrupt_col = -1;
  if (opt) {
    p->parse_ts = opt->parse_timestamp;
    p->parse_ts_arg = opt->parse_timestamp_arg;
  }
  compiler c = {p, 0, 0, 0, 0, corrupt};
  compile(&c, schema, JP_NONE);
  *out = p;
  return WEIR_OK;
}

void weir_json_parser_free(weir_json_parser *p) {
  if (!p)
    return;
  free(p->fields);
  free(p->slots);
  free(p->structs);
  free(p->tables);
  free(p->names);
  free(p->stack);
  weir_buf_free(&p->scratch);
  weir_buf_free(&p->arrays);
  weir_buf_free(&p->numbuf);
  free(p);
}

size_t weir_json_parser_ncolumns(const weir_json_parser *p) {
  return p->structs[0].n;
}

int weir_json_parser_corrupt_column(const weir_json_parser *p) {
  return p->corrupt_col;
}

/* ---- errors -------------------------------------------------------------- */

/* Describes the byte at `at` for "found ...". */
static void found(const jp *p, const uint8_t *at, char *out, size_t n) {
  if (at >= p->end)
    snprintf(out, n, "the end of the record");
  else if (*at >= 0x20 && *at < 0x7f)
    snprintf(out, n, "'%c'", *at);
  else
    snprintf(out, n, "byte 0x%02x", *at);
}

const uint8_t *jp_fail(jp *p, const uint8_t *at, const char *what) {
  char f[32];
  found(p, at, f, sizeof f);
  return jp_failf(p, at, "expected %s, found %s", what, f);
}

const uint8_t *jp_failf(jp *p, const uint8_t *at, const char *fmt, ...) {
  va_list ap;
  /* A syntax error wins over a type error found earlier in the record. */
  p->err.code = WEIR_ERR_FORMAT;
  p->err.offset = (size_t)(at - p->base);
  p->err.field[0] = '\0';
  va_start(ap, fmt);
  vsnprintf(p->err.msg, sizeof p->err.msg, fmt, ap);
  va_end(ap);
  return NULL;
}

/* "a.b.c" for field f, truncated with "..." when it does not fit; an
 * array's element is "a.tags[2]" (the element being read). */
static void field_path(const jp *p, const jp_field *f, char *out, size_t n) {
  const jp_field *chain[64];
  size_t k = 0, len = 0;
  for (; f && k < 64; f = f->parent == JP_NONE ? NULL : &p->fields[f->parent])
    chain[k++] = f;
  out[0] = '\0';
  while (k-- > 0) {
    int w;
    /* chain[0..k) was filled above (cppcheck cannot follow the loop). */
    // cppcheck-suppress uninitvar
    if (chain[k]->element)
      w = snprintf(out + len, n - len, "[%u]", (unsigned)p->arr_index);
    else
      w = snprintf(out + len, n - len, "%s%.*s", len ? "." : "",
                   (int)chain[k]->len, chain[k]->name);
    if (w < 0 || (size_t)w >= n - len) {
      if (n >= 4)
        memcpy(out + n - 4, "...", 4);
      return;
    }
    len += (size_t)w;
  }
}

/* The value's text for a message: up to 40 bytes, cut at a UTF-8 boundary;
 * objects and arrays by kind. */
static void value_text(const uint8_t *at, const uint8_t *vend, char *out,
                       size_t n) {
  size_t len = (size_t)(vend - at);
  if (*at == '{') {
    snprintf(out, n, "an object");
  } else if (*at == '[') {
    snprintf(out, n, "an array");
  } else if (len <= 40) {
    snprintf(out, n, "%.*s", (int)len, (const char *)at);
  } else {
    len = 37;
    while (len > 0 && (at[len] & 0xc0) == 0x80)
      len--;
    snprintf(out, n, "%.*s...", (int)len, (const char *)at);
  }
}

void jp_bad(jp *p, const jp_field *f, const uint8_t *at, const uint8_t *vend,
            const char *expected) {
  jp_slot *sl = &p->slots[f - p->fields];
  sl->gen = p->gen;
  sl->kind = JK_BAD;
  if (!p->bad) {
    char v[64];
    p->bad = 1;
    p->err.code = WEIR_ERR_SCHEMA;
    p->err.offset = (size_t)(at - p->base);
    field_path(p, f, p->err.field, sizeof p->err.field);
    value_text(at, vend, v, sizeof v);
    snprintf(p->err.msg, sizeof p->err.msg,
             "field \"%.80s\": expected %s, found %s", p->err.field, expected,
             v);
  }
}

void jp_bad_required(jp *p, const jp_field *f, const uint8_t *at, int missing) {
  if (!p->bad) {
    p->bad = 1;
    p->err.code = WEIR_ERR_SCHEMA;
    p->err.offset = (size_t)(at - p->base);
    field_path(p, f, p->err.field, sizeof p->err.field);
    snprintf(p->err.msg, sizeof p->err.msg,
             "field \"%.80s\" is NOT NULL but %s", p->err.field,
             missing ? "missing" : "null");
  }
}

int weir_json_error_format(const weir_json_error *e, char *out, size_t n) {
  return snprintf(out, n, "offset %zu: %s", e->offset, e->msg);
}

/* ---- strings ------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (2..4), or 0: overlong forms,
 * surrogates and code points past U+10FFFF are not valid. */
static size_t utf8_seq(const uint8_t *s, const uint8_t *end) {
  size_t avail = (size_t)(end - s);
  uint8_t c = s[0];
  if (c >= 0xc2 && c <= 0xdf)
    return avail >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    uint8_t lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    return avail >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3
                                                                           : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    uint8_t lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    return avail >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
                   (s[3] & 0xc0) == 0x80
               ? 4
               : 0;
  }
  return 0;
}

static int hexval(uint8_t c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits at s (bounds checked); -1 when they are not. */
static int hex4(const uint8_t *s, const uint8_t *end) {
  int v = 0;
  if (end - s < 4)
    return -1;
  for (int i = 0; i < 4; i++) {
    int h = hexval(s[i]);
    if (h < 0)
      return -1;
    v = v << 4 | h;
  }
  return v;
}

const uint8_t *jp_string_special(jp *p, const uint8_t *s, int *esc) {
  uint8_t c = *s;
  if (c == '\\') {
    *esc = 1;
    if (s + 1 >= p->end)
      return jp_failf(p, s, "unterminated string");
    switch (s[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't': return s + 2;
    case 'u': {
      int u = hex4(s + 2, p->end);
      if (u < 0)
        return jp_failf(p, s, "expected 4 hex digits after \\u");
      if (u >= 0xdc00 && u <= 0xdfff)
        return jp_failf(p, s, "lone low surrogate \\u%04x (not valid UTF-16)",
                        u);
      if (u >= 0xd800 && u <= 0xdbff) {
        int lo = p->end - s >= 8 && s[6] == '\\' && s[7] == 'u'
                     ? hex4(s + 8, p->end)
                     : -1;
        if (lo < 0xdc00 || lo > 0xdfff)
          return jp_failf(p, s,
                          "high surrogate \\u%04x not followed by a low "
                          "surrogate \\udc00-\\udfff",
                          u);
        return s + 12;
      }
      return s + 6;
    }
    default:
      return jp_fail(
          p, s + 1,
          "an escape (one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
    }
  }
  if (c < 0x20)
    return jp_failf(p, s,
                    "control character 0x%02x in a string (it must be "
                    "escaped)",
                    c);
  size_t n = utf8_seq(s, p->end);
  if (!n)
    return jp_failf(p, s, "invalid UTF-8 (byte 0x%02x)", c);
  return s + n;
}

static uint8_t *put_utf8(uint8_t *d, uint32_t cp) {
  if (cp < 0x80) {
    *d++ = (uint8_t)cp;
  } else if (cp < 0x800) {
    *d++ = (uint8_t)(0xc0 | cp >> 6);
    *d++ = (uint8_t)(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *d++ = (uint8_t)(0xe0 | cp >> 12);
    *d++ = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    *d++ = (uint8_t)(0x80 | (cp & 0x3f));
  } else {
    *d++ = (uint8_t)(0xf0 | cp >> 18);
    *d++ = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
    *d++ = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    *d++ = (uint8_t)(0x80 | (cp & 0x3f));
  }
  return d;
}

/* The body was validated by jp_scan_string; a decoded escape is never longer
 * than its text (\uXXXX: 6 bytes for at most 3; a pair: 12 for 4), so the
 * body's length is room enough. */
int jp_decode(jp *p, const uint8_t *s, const uint8_t *e, uint32_t *off,
              uint32_t *len) {
  if (weir_buf_reserve(&p->scratch, (size_t)(e - s)) != WEIR_OK) {
    p->nomem = 1;
    jp_failf(p, s, "out of memory");
    return -1;
  }
  uint8_t *d0 = p->scratch.data + p->scratch.len, *d = d0;
  while (s < e) {
    const uint8_t *bs = memchr(s, '\\', (size_t)(e - s));
    size_t run = (size_t)((bs ? bs : e) - s);
    memcpy(d, s, run);
    d += run;
    s += run;
    if (!bs)
      break;
    switch (s[1]) {
    case 'b': *d++ = '\b'; break;
    case 'f': *d++ = '\f'; break;
    case 'n': *d++ = '\n'; break;
    case 'r': *d++ = '\r'; break;
    case 't': *d++ = '\t'; break;
    case 'u': {
      uint32_t cp = (uint32_t)hex4(s + 2, e);
      if (cp >= 0xd800 && cp <= 0xdbff) {
        uint32_t lo = (uint32_t)hex4(s + 8, e);
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        s += 6;
      }
      d = put_utf8(d, cp);
      s += 6;
      continue;
    }
    default: *d++ = s[1]; break; /* " \ / */
    }
    s += 2;
  }
  *off = (uint32_t)p->scratch.len;
  *len = (uint32_t)(d - d0);
  p->scratch.len += *len;
  return 0;
}

/* ---- numbers and binaries ------------------------------------------------ */

double jp_num_double_slow(jp *p, const jp_num *n) {
  size_t len = (size_t)(n->end - n->start);
  char local[64], *txt = local;
  if (len >= sizeof local) {
    weir_buf_clear(&p->numbuf);
    if (weir_buf_reserve(&p->numbuf, len + 1) != WEIR_OK) {
      p->nomem = 1; /* the record is refused with WEIR_ERR_NOMEM */
      return 0;
    }
    txt = (char *)p->numbuf.data;
  }
  memcpy(txt, n->start, len);
  txt[len] = '\0';
  /* The grammar was checked, so strtod reads all of it; out of range is
   * ±HUGE_VAL or a (signed) zero, as Jackson's getDoubleValue gives. */
  return strtod(txt, NULL);
}

static int b64val(uint8_t c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

int jp_base64(jp *p, const uint8_t *s, const uint8_t *e, uint32_t *off,
              uint32_t *len) {
  size_t n = (size_t)(e - s);
  if (n % 4)
    return -1;
  if (weir_buf_reserve(&p->scratch, n / 4 * 3 + 1) != WEIR_OK) {
    p->nomem = 1;
    jp_failf(p, s, "out of memory");
    return -2;
  }
  uint8_t *d0 = p->scratch.data + p->scratch.len, *d = d0;
  for (size_t i = 0; i < n; i += 4) {
    int a = b64val(s[i]), b = b64val(s[i + 1]), c = b64val(s[i + 2]),
        x = b64val(s[i + 3]);
    int last = i + 4 == n;
    if (a < 0 || b < 0)
      return -1;
    if (last && s[i + 2] == '=' && s[i + 3] == '=') {
      *d++ = (uint8_t)(a << 2 | b >> 4);
      break;
    }
    if (c < 0)
      return -1;
    if (last && s[i + 3] == '=') {
      *d++ = (uint8_t)(a << 2 | b >> 4);
      *d++ = (uint8_t)((b & 15) << 4 | c >> 2);
      break;
    }
    if (x < 0)
      return -1;
    *d++ = (uint8_t)(a << 2 | b >> 4);
    *d++ = (uint8_t)((b & 15) << 4 | c >> 2);
    *d++ = (uint8_t)((c & 3) << 6 | x);
  }
  *off = (uint32_t)p->scratch.len;
  *len = (uint32_t)(d - d0);
  p->scratch.len += *len;
  return 0;
}

/* ---- writing rows for refused and null records ----------------------------
 */

void weir_json_put_permissive(weir_json_parser *p, const char *text, size_t len,
                              weir_builder *out) {
  const uint8_t *t = (const uint8_t *)text, *end = t + len, *s = t;
  const uint8_t *corrupt = NULL;
  size_t clen = 0;
  if (p->status != WEIR_ERR_FORMAT && p->status != WEIR_ERR_SCHEMA)
    p->status = WEIR_ERR_FORMAT; /* nothing to keep: every column null */
  if (p->corrupt_col >= 0) {
    /* The batch holds valid UTF-8 only: bad bytes become U+FFFD. */
    while (s < end && (*s < 0x80 || utf8_seq(s, end)))
      s += *s < 0x80 ? 1 : utf8_seq(s, end);
    corrupt = t;
    clen = len;
    if (s < end) {
      weir_buf_clear(&p->numbuf);
      weir_buf_append(&p->numbuf, t, (size_t)(s - t));
      while (s < end) {
        size_t k = *s < 0x80 ? 1 : utf8_seq(s, end);
        if (k)
          weir_buf_append(&p->numbuf, s, k);
        else
          weir_buf_append(&p->numbuf, "\xef\xbf\xbd", 3);
        s += k ? k : 1;
      }
      corrupt = p->numbuf.err ? (const uint8_t *)"" : p->numbuf.data;
      clen = p->numbuf.err ? 0 : p->numbuf.len;
    }
  }
  jp_emit_permissive(p, t, &out->buf, corrupt, clen);
}

void weir_json_put_nulls(const weir_json_parser *p, weir_builder *out) {
  for (uint32_t i = 0; i < p->structs[0].n; i++)
    weir_mp_nil(&out->buf);
}

/* ---- schemas ---------------------------------------------------------------
 */

weir_schema *weir_json_nullable_schema(const weir_schema *s) {
  weir_schema *c = weir_schema_copy(s);
  if (!c)
    return NULL;
  /* Iterative over the copy's tree: a small explicit stack of schemas. */
  weir_schema *todo[64], **stack = todo;
  size_t sp = 0, cap = 64;
  stack[sp++] = c;
  while (sp) {
    weir_schema *x = stack[--sp];
    for (size_t i = 0; i < x->n; i++) {
      x->fields[i].nullable = true;
      if (x->fields[i].fields) {
        if (sp == cap) {
          weir_schema **bigger = malloc(2 * cap * sizeof *bigger);
          if (!bigger) {
            if (stack != todo)
              free(stack);
            weir_schema_free(c);
            return NULL;
          }
          memcpy(bigger, stack, sp * sizeof *stack);
          if (stack != todo)
            free(stack);
          stack = bigger;
          cap *= 2;
        }
        stack[sp++] = x->fields[i].fields;
      }
    }
  }
  if (stack != todo)
    free(stack);
  return c;
}
