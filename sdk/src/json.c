/* json.c — JSON in and out: rows and values of batches as JSON objects
 * (sinks, console json format), any msgpack value as JSON (offsets in logs,
 * progress), and a strict RFC 8259 parser that turns JSON text back into
 * msgpack (reading offsets back). Doubles are written as Java writes them
 * ("1.0", "1.0E7"), as Spark's to_json does, and a number with a fraction or
 * an exponent reads back as a float: an offset survives the round trip with
 * its types intact. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "weir/json.h"
#include "weir/units.h"

#define MAX_DEPTH 64

static void put(weir_buf *out, const char *s) {
  weir_buf_append(out, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at p (2..4), or 0 when it is not one
 * (overlong forms, surrogates and values past U+10FFFF are not). */
static size_t utf8_seq(const uint8_t *p, const uint8_t *end) {
  size_t avail = (size_t)(end - p);
  uint8_t c = p[0];
  if (c >= 0xc2 && c <= 0xdf)
    return avail >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    uint8_t lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3
                                                                           : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    uint8_t lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    return avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 &&
                   (p[3] & 0xc0) == 0x80
               ? 4
               : 0;
  }
  return 0;
}

void weir_json_string(weir_buf *out, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  const uint8_t *p = (const uint8_t *)s, *end = p + n, *run;
  weir_buf_reserve(out, n + 2);
  weir_buf_append(out, "\"", 1);
  run = p;
  while (p < end) {
    uint8_t c = *p;
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      p++;
      continue;
    }
    if (c >= 0x80) {
      size_t l = utf8_seq(p, end);
      if (l) {
        p += l;
        continue;
      }
    }
    weir_buf_append(out, run, (size_t)(p - run));
    switch (c) {
    case '"': put(out, "\\\""); break;
    case '\\': put(out, "\\\\"); break;
    case '\b': put(out, "\\b"); break;
    case '\f': put(out, "\\f"); break;
    case '\n': put(out, "\\n"); break;
    case '\r': put(out, "\\r"); break;
    case '\t': put(out, "\\t"); break;
    default:
      if (c < 0x20) {
        char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        weir_buf_append(out, e, 6);
      } else {
        put(out, "\xef\xbf\xbd"); /* U+FFFD for a byte that is not UTF-8 */
      }
    }
    p++;
    run = p;
  }
  weir_buf_append(out, run, (size_t)(p - run));
  weir_buf_append(out, "\"", 1);
}

static void base64(weir_buf *out, const uint8_t *p, size_t n) {
  static const char tab[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (weir_buf_reserve(out, (n + 2) / 3 * 4 + 2) != WEIR_OK)
    return;
  char *d = (char *)out->data + out->len;
  size_t k = 0, i = 0;
  d[k++] = '"';
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    d[k++] = tab[v >> 18];
    d[k++] = tab[v >> 12 & 63];
    d[k++] = tab[v >> 6 & 63];
    d[k++] = tab[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)p[i] << 16;
    d[k++] = tab[v >> 18];
    d[k++] = tab[v >> 12 & 63];
    d[k++] = '=';
    d[k++] = '=';
  } else if (n - i == 2) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
    d[k++] = tab[v >> 18];
    d[k++] = tab[v >> 12 & 63];
    d[k++] = tab[v >> 6 & 63];
    d[k++] = '=';
  }
  d[k++] = '"';
  out->len += k;
}

static void json_double(weir_buf *out, double f, int single) {
  char num[40];
  if (!isfinite(f)) {
    put(out, "null"); /* JSON has no NaN or infinities */
    return;
  }
  if (single)
    weir__format_float32((float)f, 1, num, sizeof num);
  else
    weir_format_double(f, 1, num, sizeof num);
  put(out, num);
}

static void json_timestamp(weir_buf *out, int64_t ts) {
  char t[48];
  int n = weir_format_timestamp(ts, WEIR_TS_ISO, t + 1, sizeof t - 2);
  t[0] = '"';
  t[n + 1] = '"';
  weir_buf_append(out, t, (size_t)n + 2);
}

static int json_struct(weir_buf *out, const weir_schema *members,
                       const weir_value *v);
static int json_array(weir_buf *out, const weir_field *element,
                      const weir_value *v);

static int json_value(weir_buf *out, const weir_field *field,
                      const weir_value *v) {
  char num[32];
  switch (v->type) {
  case WEIR_T_NULL: put(out, "null"); break;
  case WEIR_T_BOOL: put(out, v->v.b ? "true" : "false"); break;
  case WEIR_T_INT:
    snprintf(num, sizeof num, "%" PRId64, v->v.i);
    put(out, num);
    break;
  case WEIR_T_FLOAT: json_double(out, v->v.f, 0); break;
  case WEIR_T_STRING: weir_json_string(out, v->v.s.ptr, v->v.s.len); break;
  case WEIR_T_BINARY:
    base64(out, (const uint8_t *)v->v.s.ptr, v->v.s.len);
    break;
  case WEIR_T_TIMESTAMP: json_timestamp(out, v->v.ts); break;
  case WEIR_T_STRUCT:
  case WEIR_T_ARRAY:
    /* The reader gives both as MessagePack arrays: the field says which. */
    if (v->type == WEIR_T_ARRAY || (field && field->type == WEIR_T_ARRAY))
      return json_array(out, weir_field_element(field), v);
    return json_struct(
        out, field && field->type == WEIR_T_STRUCT ? field->fields : NULL, v);
  default: return WEIR_ERR_FORMAT;
  }
  return WEIR_OK;
}

/* A struct as an object named by `members`, or as an array when the names
 * are unknown or do not match the value's shape. */
static int json_struct(weir_buf *out, const weir_schema *members,
                       const weir_value *v) {
  if (!v->raw)
    return WEIR_ERR_FORMAT;
  const uint8_t *p = v->raw, *end = v->raw + v->raw_len;
  weir_value head, m;
  if (weir_value_decode(&p, end, &head) != WEIR_OK ||
      head.type != WEIR_T_STRUCT)
    return WEIR_ERR_FORMAT;
  /* Decode again up to the header only: members follow it. */
  p = v->raw + ((v->raw[0] & 0xf0) == 0x90 ? 1 : v->raw[0] == 0xdc ? 3 : 5);
  int named = members && members->n == head.v.nfields;
  weir_buf_append(out, named ? "{" : "[", 1);
  for (uint32_t i = 0; i < head.v.nfields; i++) {
    if (i)
      weir_buf_append(out, ",", 1);
    if (weir_value_decode(&p, end, &m) != WEIR_OK)
      return WEIR_ERR_FORMAT;
    if (named) {
      const char *nm = members->fields[i].name;
      weir_json_string(out, nm, strlen(nm));
      weir_buf_append(out, ":", 1);
    }
    int rc = json_value(out, named ? &members->fields[i] : NULL, &m);
    if (rc != WEIR_OK)
      return rc;
  }
  weir_buf_append(out, named ? "}" : "]", 1);
  return WEIR_OK;
}

/* An array value as a JSON array of its elements (Spark's to_json: nulls
 * stay null). */
static int json_array(weir_buf *out, const weir_field *element,
                      const weir_value *v) {
  weir_array_iter it;
  weir_value e;
  int rc, first = 1;
  if (weir_array_begin(&it, v) != WEIR_OK)
    return WEIR_ERR_FORMAT;
  weir_buf_append(out, "[", 1);
  while ((rc = weir_array_next(&it, &e)) == 1) {
    if (!first)
      weir_buf_append(out, ",", 1);
    first = 0;
    if ((rc = json_value(out, element, &e)) != WEIR_OK)
      return rc;
  }
  if (rc != 0)
    return WEIR_ERR_FORMAT;
  weir_buf_append(out, "]", 1);
  return WEIR_OK;
}

void weir_json_value(weir_buf *out, const weir_field *field,
                     const weir_value *v) {
  size_t mark = out->len;
  if (json_value(out, field, v) != WEIR_OK) {
    /* A malformed struct: null rather than half an object. */
    out->len = mark;
    put(out, "null");
  }
}

void weir_json_row(weir_buf *out, const weir_schema *schema,
                   const weir_value *cols) {
  weir_buf_append(out, "{", 1);
  for (size_t i = 0; i < schema->n; i++) {
    const weir_field *f = &schema->fields[i];
    if (i)
      weir_buf_append(out, ",", 1);
    weir_json_string(out, f->name, strlen(f->name));
    weir_buf_append(out, ":", 1);
    weir_json_value(out, f, &cols[i]);
  }
  weir_buf_append(out, "}", 1);
}

/* ---- msgpack → JSON ----------------------------------------------------- */

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static int mp_to_json(weir_buf *out, const uint8_t **pp, const uint8_t *end,
                      int depth);

/* A map key: strings as they are, anything else as its JSON text quoted. */
static int mp_key(weir_buf *out, const uint8_t **pp, const uint8_t *end,
                  int depth) {
  const uint8_t *p = *pp;
  weir_value v;
  if (weir_value_decode(&p, end, &v) == WEIR_OK && v.type == WEIR_T_STRING) {
    weir_json_string(out, v.v.s.ptr, v.v.s.len);
    *pp = p;
    return WEIR_OK;
  }
  weir_buf tmp = WEIR_BUF_INIT;
  int rc = mp_to_json(&tmp, pp, end, depth);
  if (rc == WEIR_OK && tmp.err)
    rc = WEIR_ERR_NOMEM;
  if (rc == WEIR_OK)
    weir_json_string(out, (const char *)tmp.data, tmp.len);
  weir_buf_free(&tmp);
  return rc;
}

static int mp_to_json(weir_buf *out, const uint8_t **pp, const uint8_t *end,
                      int depth) {
  const uint8_t *p = *pp;
  size_t avail = (size_t)(end - p);
  uint32_t n;
  int map;
  char num[32];
  if (depth > MAX_DEPTH || avail == 0)
    return WEIR_ERR_FORMAT;
  uint8_t b = p[0];
  if ((b & 0xf0) == 0x80 || (b & 0xf0) == 0x90) {
    map = (b & 0xf0) == 0x80;
    n = b & 0x0f;
    p += 1;
  } else if (b == 0xdc || b == 0xde) {
    if (avail < 3)
      return WEIR_ERR_FORMAT;
    map = b == 0xde;
    n = (uint32_t)p[1] << 8 | p[2];
    p += 3;
  } else if (b == 0xdd || b == 0xdf) {
    if (avail < 5)
      return WEIR_ERR_FORMAT;
    map = b == 0xdf;
    n = be32(p + 1);
    p += 5;
  } else if (b == 0xcf) {
    /* uint64 past INT64_MAX: valid msgpack, printed as it is. */
    if (avail < 9)
      return WEIR_ERR_FORMAT;
    uint64_t u = (uint64_t)be32(p + 1) << 32 | be32(p + 5);
    snprintf(num, sizeof num, "%" PRIu64, u);
    put(out, num);
    *pp = p + 9;
    return WEIR_OK;
  } else if (b == 0xca) {
    if (avail < 5)
      return WEIR_ERR_FORMAT;
    uint32_t u = be32(p + 1);
    float f;
    memcpy(&f, &u, 4);
    json_double(out, f, 1);
    *pp = p + 5;
    return WEIR_OK;
  } else if (b == 0xc4 || b == 0xc5 || b == 0xc6) {
    /* weir_value_decode reads binaries; here only to share the bounds checks.
     */
    weir_value v;
    if (weir_value_decode(&p, end, &v) != WEIR_OK)
      return WEIR_ERR_FORMAT;
    base64(out, (const uint8_t *)v.v.s.ptr, v.v.s.len);
    *pp = p;
    return WEIR_OK;
  } else {
    weir_value v;
    if (weir_value_decode(&p, end, &v) != WEIR_OK)
      return WEIR_ERR_FORMAT;
    int rc = json_value(out, NULL, &v);
    if (rc == WEIR_OK)
      *pp = p;
    return rc;
  }
  weir_buf_append(out, map ? "{" : "[", 1);
  for (uint32_t i = 0; i < n; i++) {
    int rc;
    if (i)
      weir_buf_append(out, ",", 1);
    if (map) {
      if ((rc = mp_key(out, &p, end, depth + 1)) != WEIR_OK)
        return rc;
      weir_buf_append(out, ":", 1);
    }
    if ((rc = mp_to_json(out, &p, end, depth + 1)) != WEIR_OK)
      return rc;
  }
  weir_buf_append(out, map ? "}" : "]", 1);
  *pp = p;
  return WEIR_OK;
}

int weir_json_from_msgpack(weir_buf *out, const uint8_t *data, size_t len) {
  size_t mark = out->len;
  const uint8_t *p = data;
  int rc = data ? mp_to_json(out, &p, data + len, 0) : WEIR_ERR_FORMAT;
  if (rc == WEIR_OK && p != data + len)
    rc = WEIR_ERR_FORMAT;
  if (rc == WEIR_OK && out->err)
    rc = out->err;
  if (rc != WEIR_OK)
    out->len = mark;
  return rc;
}

/* ---- JSON → msgpack ----------------------------------------------------- */

typedef struct jp {
  const char *s;
  size_t len, pos;
  weir_buf *out;
  char *err;
  size_t errlen;
  int failed;
} jp;

static int jp_fail(jp *j, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int jp_fail(jp *j, size_t at, const char *fmt, ...) {
  if (!j->failed && j->err && j->errlen) {
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(j->err, j->errlen, "offset %zu: %s", at, msg);
  }
  j->failed = 1;
  return WEIR_ERR_FORMAT;
}

static int jp_expected(jp *j, const char *what) {
  char f[48];
  size_t at = j->pos;
  if (at >= j->len) {
    snprintf(f, sizeof f, "end of input");
  } else {
    unsigned char c = (unsigned char)j->s[at];
    if (isalpha(c)) {
      size_t n = 0;
      while (at + n < j->len && n < 20 && isalnum((unsigned char)j->s[at + n]))
        n++;
      snprintf(f, sizeof f, "'%.*s'", (int)n, j->s + at);
    } else if (c >= 0x20 && c < 0x7f) {
      snprintf(f, sizeof f, "'%c'", c);
    } else {
      snprintf(f, sizeof f, "byte 0x%02x", c);
    }
  }
  return jp_fail(j, at, "expected %s, found %s", what, f);
}

static void jp_ws(jp *j) {
  while (j->pos < j->len && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
                             j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
    j->pos++;
}

/* Containers and strings are written with a 5-byte header first (their size
 * is not known yet) and the header shrunk to its shortest form at the end,
 * so the output is the canonical encoding weir_mp_* writers produce. */
static size_t jp_open(jp *j, uint8_t tag) {
  uint8_t h[5] = {tag, 0, 0, 0, 0};
  size_t at = j->out->len;
  weir_buf_append(j->out, h, 5);
  return at;
}

static int jp_close(jp *j, size_t at, uint32_t n, int kind) {
  weir_buf *o = j->out;
  uint8_t h[5];
  size_t hl;
  if (o->err)
    return jp_fail(j, j->pos, "out of memory");
  if (kind == 's') { /* str */
    if (n < 32)
      h[0] = (uint8_t)(0xa0 | n), hl = 1;
    else if (n < 256)
      h[0] = 0xd9, h[1] = (uint8_t)n, hl = 2;
    else if (n < 65536)
      h[0] = 0xda, weir__be16(h + 1, (uint16_t)n), hl = 3;
    else
      h[0] = 0xdb, weir__be32(h + 1, n), hl = 5;
  } else {
    uint8_t fix = kind == 'm' ? 0x80 : 0x90;
    if (n < 16)
      h[0] = (uint8_t)(fix | n), hl = 1;
    else if (n < 65536)
      h[0] = kind == 'm' ? 0xde : 0xdc, weir__be16(h + 1, (uint16_t)n), hl = 3;
    else
      h[0] = kind == 'm' ? 0xdf : 0xdd, weir__be32(h + 1, n), hl = 5;
  }
  if (hl < 5)
    memmove(o->data + at + hl, o->data + at + 5, o->len - at - 5);
  memcpy(o->data + at, h, hl);
  o->len -= 5 - hl;
  return WEIR_OK;
}

static int hex4(const char *s, uint32_t *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return -1;
    *v = *v << 4 | (uint32_t)d;
  }
  return 0;
}

static void put_utf8(weir_buf *o, uint32_t cp) {
  uint8_t u[4];
  size_t n;
  if (cp < 0x80)
    u[0] = (uint8_t)cp, n = 1;
  else if (cp < 0x800)
    u[0] = (uint8_t)(0xc0 | cp >> 6), u[1] = (uint8_t)(0x80 | (cp & 63)), n = 2;
  else if (cp < 0x10000)
    u[0] = (uint8_t)(0xe0 | cp >> 12), u[1] = (uint8_t)(0x80 | (cp >> 6 & 63)),
    u[2] = (uint8_t)(0x80 | (cp & 63)), n = 3;
  else
    u[0] = (uint8_t)(0xf0 | cp >> 18), u[1] = (uint8_t)(0x80 | (cp >> 12 & 63)),
    u[2] = (uint8_t)(0x80 | (cp >> 6 & 63)), u[3] = (uint8_t)(0x80 | (cp & 63)),
    n = 4;
  weir_buf_append(o, u, n);
}

static int jp_string(jp *j) {
  const uint8_t *s = (const uint8_t *)j->s, *end = s + j->len;
  size_t at = jp_open(j, 0xdb), start;
  j->pos++; /* the opening quote */
  start = j->out->len;
  for (;;) {
    size_t run = j->pos;
    while (j->pos < j->len && s[j->pos] >= 0x20 && s[j->pos] < 0x80 &&
           s[j->pos] != '"' && s[j->pos] != '\\')
      j->pos++;
    weir_buf_append(j->out, s + run, j->pos - run);
    if (j->pos >= j->len)
      return jp_expected(j, "'\"' to end the string");
    uint8_t c = s[j->pos];
    if (c == '"') {
      j->pos++;
      size_t n = j->out->len - start;
      if (n > UINT32_MAX)
        return jp_fail(j, j->pos, "string too long");
      return jp_close(j, at, (uint32_t)n, 's');
    }
    if (c < 0x20)
      return jp_fail(
          j, j->pos,
          "expected an escape sequence, found control character 0x%02x", c);
    if (c >= 0x80) {
      size_t l = utf8_seq(s + j->pos, end);
      if (!l)
        return jp_fail(j, j->pos, "invalid UTF-8 byte 0x%02x", c);
      weir_buf_append(j->out, s + j->pos, l);
      j->pos += l;
      continue;
    }
    /* a backslash */
    size_t esc = j->pos;
    if (++j->pos >= j->len)
      return jp_expected(j, "an escape character");
    char e = j->s[j->pos++];
    const char *simple = NULL;
    switch (e) {
    case '"': simple = "\""; break;
    case '\\': simple = "\\"; break;
    case '/': simple = "/"; break;
    case 'b': simple = "\b"; break;
    case 'f': simple = "\f"; break;
    case 'n': simple = "\n"; break;
    case 'r': simple = "\r"; break;
    case 't': simple = "\t"; break;
    case 'u': break;
    default:
      j->pos--;
      return jp_expected(j, "an escape character (\" \\ / b f n r t u)");
    }
    if (simple) {
      weir_buf_append(j->out, simple, 1);
      continue;
    }
    uint32_t cp, lo;
    if (j->len - j->pos < 4 || hex4(j->s + j->pos, &cp))
      return jp_fail(j, esc, "expected 4 hex digits after \\u");
    j->pos += 4;
    if (cp >= 0xdc00 && cp <= 0xdfff)
      return jp_fail(
          j, esc, "expected a high surrogate before \\u%04X, found none", cp);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (j->len - j->pos < 6 || j->s[j->pos] != '\\' ||
          j->s[j->pos + 1] != 'u' || hex4(j->s + j->pos + 2, &lo) ||
          lo < 0xdc00 || lo > 0xdfff)
        return jp_fail(j, j->pos,
                       "expected a low surrogate \\uDC00-\\uDFFF after \\u%04X",
                       cp);
      j->pos += 6;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    put_utf8(j->out, cp);
  }
}

static int jp_number(jp *j) {
  size_t start = j->pos, i = j->pos;
  const char *s = j->s;
  int integral = 1;
  if (s[i] == '-')
    i++;
  if (i >= j->len || !isdigit((unsigned char)s[i])) {
    j->pos = i;
    return jp_expected(j, "a digit");
  }
  if (s[i] == '0')
    i++;
  else
    while (i < j->len && isdigit((unsigned char)s[i]))
      i++;
  if (i < j->len && s[i] == '.') {
    integral = 0;
    if (++i >= j->len || !isdigit((unsigned char)s[i])) {
      j->pos = i;
      return jp_expected(j, "a digit after '.'");
    }
    while (i < j->len && isdigit((unsigned char)s[i]))
      i++;
  }
  if (i < j->len && (s[i] == 'e' || s[i] == 'E')) {
    integral = 0;
    i++;
    if (i < j->len && (s[i] == '+' || s[i] == '-'))
      i++;
    if (i >= j->len || !isdigit((unsigned char)s[i])) {
      j->pos = i;
      return jp_expected(j, "a digit in the exponent");
    }
    while (i < j->len && isdigit((unsigned char)s[i]))
      i++;
  }
  j->pos = i;
  if (integral) {
    /* Accumulate negatively so that INT64_MIN fits. */
    int neg = s[start] == '-';
    int64_t v = 0;
    size_t k = start + (size_t)neg;
    for (; k < i; k++) {
      int d = s[k] - '0';
      if (v < (INT64_MIN + d) / 10)
        break;
      v = v * 10 - d;
    }
    if (k == i && (neg || v != INT64_MIN)) {
      weir_mp_int(j->out, neg ? v : -v);
      return WEIR_OK;
    }
  }
  char small[64], *tmp = small;
  size_t n = i - start;
  if (n >= sizeof small && !(tmp = malloc(n + 1)))
    return jp_fail(j, start, "out of memory");
  memcpy(tmp, s + start, n);
  tmp[n] = 0;
  double f = strtod(tmp, NULL);
  if (tmp != small)
    free(tmp);
  if (isinf(f))
    return jp_fail(j, start, "number out of range");
  weir_mp_float(j->out, f);
  return WEIR_OK;
}

static int jp_value(jp *j, int depth);

static int jp_container(jp *j, int depth, int map) {
  char close = map ? '}' : ']';
  size_t at = jp_open(j, map ? 0xdf : 0xdd);
  uint32_t n = 0;
  if (depth >= MAX_DEPTH)
    return jp_fail(j, j->pos, "nesting deeper than %d levels", MAX_DEPTH);
  j->pos++;
  jp_ws(j);
  if (j->pos < j->len && j->s[j->pos] == close) {
    j->pos++;
    return jp_close(j, at, 0, map ? 'm' : 'a');
  }
  for (;;) {
    jp_ws(j);
    if (map) {
      if (j->pos >= j->len || j->s[j->pos] != '"')
        return jp_expected(j, n ? "a string key" : "a string key or '}'");
      if (jp_string(j) != WEIR_OK)
        return WEIR_ERR_FORMAT;
      jp_ws(j);
      if (j->pos >= j->len || j->s[j->pos] != ':')
        return jp_expected(j, "':'");
      j->pos++;
    }
    if (jp_value(j, depth + 1) != WEIR_OK)
      return WEIR_ERR_FORMAT;
    if (n == UINT32_MAX)
      return jp_fail(j, j->pos, "too many elements");
    n++;
    jp_ws(j);
    if (j->pos < j->len && j->s[j->pos] == ',') {
      j->pos++;
      continue;
    }
    if (j->pos < j->len && j->s[j->pos] == close) {
      j->pos++;
      return jp_close(j, at, n, map ? 'm' : 'a');
    }
    return jp_expected(j, map ? "',' or '}'" : "',' or ']'");
  }
}

static int jp_literal(jp *j, const char *word) {
  size_t n = strlen(word);
  if (j->len - j->pos < n || memcmp(j->s + j->pos, word, n) != 0)
    return jp_expected(j, "a JSON value");
  j->pos += n;
  return WEIR_OK;
}

static int jp_value(jp *j, int depth) {
  jp_ws(j);
  if (j->pos >= j->len)
    return jp_expected(j, "a JSON value");
  switch (j->s[j->pos]) {
  case '{': return jp_container(j, depth, 1);
  case '[': return jp_container(j, depth, 0);
  case '"': return jp_string(j);
  case 't':
    if (jp_literal(j, "true") != WEIR_OK)
      return WEIR_ERR_FORMAT;
    weir_mp_bool(j->out, true);
    return WEIR_OK;
  case 'f':
    if (jp_literal(j, "false") != WEIR_OK)
      return WEIR_ERR_FORMAT;
    weir_mp_bool(j->out, false);
    return WEIR_OK;
  case 'n':
    if (jp_literal(j, "null") != WEIR_OK)
      return WEIR_ERR_FORMAT;
    weir_mp_nil(j->out);
    return WEIR_OK;
  default:
    if (j->s[j->pos] == '-' || isdigit((unsigned char)j->s[j->pos]))
      return jp_number(j);
    return jp_expected(j, "a JSON value");
  }
}

int weir_json_to_msgpack(weir_buf *out, const char *text, size_t len, char *err,
                         size_t errlen) {
  jp j = {text ? text : "", text ? len : 0, 0, out, err, errlen, 0};
  size_t mark = out->len;
  if (err && errlen)
    err[0] = 0;
  int rc = jp_value(&j, 0);
  if (rc == WEIR_OK) {
    jp_ws(&j);
    if (j.pos < j.len)
      rc = jp_expected(&j, "end of input");
  }
  if (out->err) {
    jp_fail(&j, j.pos, "out of memory");
    rc = WEIR_ERR_NOMEM;
  }
  if (rc != WEIR_OK)
    out->len = mark;
  return rc;
}
