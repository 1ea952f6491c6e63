/* eval.c — per-row evaluation of checked select expressions, and Spark's
 * (non-ANSI) casting rules. Nothing here allocates per row: values borrow
 * from the batch, and strings built by functions come from a chunked arena
 * whose chunks never move (a realloc'd buffer would leave earlier results of
 * the same row dangling) and are kept across resets. Runtime problems that
 * Spark turns into null (division by zero, a string that is not a number)
 * are null here too; only running out of memory is an error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr_int.h"

/* ---- arena ------------------------------------------------------------------
 */

struct sel_block {
  sel_block *next;
  size_t cap, used;
  char data[];
};

void sel_arena_reset(sel_arena *a) {
  a->cur = a->head;
  if (a->cur)
    a->cur->used = 0;
  a->err = 0;
}

void sel_arena_free(sel_arena *a) {
  for (sel_block *b = a->head, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  memset(a, 0, sizeof *a);
}

char *sel_arena_alloc(sel_arena *a, size_t n) {
  sel_block *b = a->cur;
  while (b && b->cap - b->used < n) {
    b = b->next; /* blocks after cur are free since the last reset */
    if (b)
      b->used = 0;
  }
  if (!b) {
    size_t cap = n > 16384 ? n : 16384;
    b = malloc(sizeof *b + cap);
    if (!b) {
      a->err = WEIR_ERR_NOMEM;
      return NULL;
    }
    b->cap = cap;
    b->used = 0;
    /* Insert after cur so that blocks skipped above stay in the list. */
    if (a->cur) {
      b->next = a->cur->next;
      a->cur->next = b;
    } else {
      b->next = a->head;
      a->head = b;
    }
  }
  a->cur = b;
  char *p = b->data + b->used;
  b->used += n;
  return p;
}

/* ---- value helpers
 * ------------------------------------------------------------ */

static inline void set_null(weir_value *v) {
  v->type = WEIR_T_NULL;
  v->raw = NULL;
  v->raw_len = 0;
}
static inline void set_bool(weir_value *v, bool b) {
  set_null(v);
  v->type = WEIR_T_BOOL;
  v->v.b = b;
}
static inline void set_int(weir_value *v, int64_t i) {
  set_null(v);
  v->type = WEIR_T_INT;
  v->v.i = i;
}
static inline void set_float(weir_value *v, double f) {
  set_null(v);
  v->type = WEIR_T_FLOAT;
  v->v.f = f;
}
static inline void set_ts(weir_value *v, int64_t us) {
  set_null(v);
  v->type = WEIR_T_TIMESTAMP;
  v->v.ts = us;
}
static inline void set_str(weir_value *v, weir_type t, const char *p,
                           size_t n) {
  set_null(v);
  if (!p && n) /* arena failure */
    return;
  v->type = t;
  v->v.s.ptr = p ? p : "";
  v->v.s.len = n;
}
static inline double as_double(const weir_value *v) {
  return v->type == WEIR_T_INT ? (double)v->v.i : v->v.f;
}

/* Java's (long) of a double: NaN is 0, out of range saturates. */
static int64_t java_d2l(double d) {
  if (isnan(d))
    return 0;
  if (d >= 9223372036854775807.0)
    return INT64_MAX;
  if (d <= -9223372036854775808.0)
    return INT64_MIN;
  return (int64_t)d;
}

/* Spark trims ASCII whitespace and control bytes before parsing. */
static void trim_ws(const char **s, size_t *n) {
  while (*n && (unsigned char)(*s)[0] <= ' ') {
    (*s)++;
    (*n)--;
  }
  while (*n && (unsigned char)(*s)[*n - 1] <= ' ')
    (*n)--;
}

/* UTF8String.toLong: [+-]digits[.digits], the fraction truncated. */
static bool str_to_long(const char *s, size_t n, int64_t *out) {
  trim_ws(&s, &n);
  if (!n)
    return false;
  size_t i = 0;
  bool neg = s[0] == '-';
  if (neg || s[0] == '+') {
    if (n == 1)
      return false;
    i++;
  }
  /* Accumulate negatively so that INT64_MIN parses, as Java's code does. */
  int64_t r = 0;
  for (; i < n && s[i] != '.'; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    int d = s[i] - '0';
    if (r < (INT64_MIN + d) / 10)
      return false;
    r = r * 10 - d;
  }
  for (i += i < n; i < n; i++) /* the fraction: digits only */
    if (s[i] < '0' || s[i] > '9')
      return false;
  if (!neg) {
    if (r == INT64_MIN)
      return false;
    r = -r;
  }
  *out = r;
  return true;
}

/* Java's Double.parseDouble as Spark uses it: decimal forms, an optional
 * d/f suffix, and NaN / Infinity / inf in any case. */
static bool str_to_double(const char *s, size_t n, double *out) {
  char buf[128];
  trim_ws(&s, &n);
  if (!n || n >= sizeof buf)
    return false;
  const char *w = s;
  size_t wn = n;
  double sign = 1;
  if (w[0] == '+' || w[0] == '-') {
    sign = w[0] == '-' ? -1 : 1;
    w++;
    wn--;
  }
  if ((wn == 3 && !strncasecmp(w, "inf", 3)) ||
      (wn == 8 && !strncasecmp(w, "infinity", 8))) {
    *out = sign * INFINITY;
    return true;
  }
  if (wn == 3 && !strncasecmp(w, "nan", 3)) {
    *out = NAN;
    return true;
  }
  if (n > 1 && strchr("dDfF", s[n - 1]))
    n--;
  for (size_t i = 0; i < n; i++)
    if (!strchr("0123456789+-.eE", s[i]))
      return false; /* keeps strtod's hex and "nan(...)" forms out */
  memcpy(buf, s, n);
  buf[n] = 0;
  char *end;
  *out = strtod(buf, &end);
  return end == buf + n && end != buf;
}

/* Spark's string to boolean: t/true/y/yes/1 and f/false/n/no/0. */
static int str_to_bool(const char *s, size_t n) {
  static const char *const yes[] = {"t", "true", "y", "yes", "1", NULL};
  static const char *const no[] = {"f", "false", "n", "no", "0", NULL};
  trim_ws(&s, &n);
  for (size_t i = 0; yes[i]; i++) {
    if (strlen(yes[i]) == n && !strncasecmp(s, yes[i], n))
      return 1;
    if (strlen(no[i]) == n && !strncasecmp(s, no[i], n))
      return 0;
  }
  return -1;
}

/* Decimal text of i (snprintf is the slow part of CAST(x AS STRING)). */
static int format_int(int64_t i, char *out) {
  char tmp[24];
  int n = 0, len = 0;
  uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (i < 0)
    out[len++] = '-';
  while (n)
    out[len++] = tmp[--n];
  out[len] = 0;
  return len;
}

static void to_string(sel_env *e, const weir_value *v, weir_value *out) {
  char *buf;
  int len = 0;
  switch (v->type) {
  case WEIR_T_STRING:
  case WEIR_T_BINARY:
    set_str(out, WEIR_T_STRING, v->v.s.ptr, v->v.s.len);
    return;
  case WEIR_T_BOOL:
    set_str(out, WEIR_T_STRING, v->v.b ? "true" : "false", v->v.b ? 4 : 5);
    return;
  default: break;
  }
  if (!(buf = sel_arena_alloc(e->arena, 64))) {
    set_null(out);
    return;
  }
  if (v->type == WEIR_T_INT)
    len = format_int(v->v.i, buf);
  else if (v->type == WEIR_T_FLOAT)
    len = weir_format_double(v->v.f, 1, buf, 64);
  else if (v->type == WEIR_T_TIMESTAMP)
    len = weir_format_timestamp(v->v.ts, WEIR_TS_SPARK, buf, 64);
  else {
    set_null(out);
    return;
  }
  set_str(out, WEIR_T_STRING, buf, len < 0 ? 0 : len > 63 ? 63 : (size_t)len);
}

void sel_cast(sel_env *e, const weir_value *v, weir_type to, weir_value *out) {
  const char *s = v->v.s.ptr;
  size_t n = v->v.s.len;
  int64_t i;
  double d;
  if (v->type == to || v->type == WEIR_T_NULL) {
    *out = *v;
    return;
  }
  set_null(out);
  switch (to) {
  case WEIR_T_STRING: to_string(e, v, out); break;
  case WEIR_T_BINARY:
    if (v->type == WEIR_T_STRING)
      set_str(out, WEIR_T_BINARY, s, n);
    break;
  case WEIR_T_INT:
    if (v->type == WEIR_T_BOOL)
      set_int(out, v->v.b);
    else if (v->type == WEIR_T_FLOAT)
      set_int(out, java_d2l(v->v.f));
    else if (v->type == WEIR_T_TIMESTAMP) /* epoch seconds, floored */
      set_int(out, v->v.ts / 1000000 - (v->v.ts % 1000000 < 0));
    else if (v->type == WEIR_T_STRING && str_to_long(s, n, &i))
      set_int(out, i);
    break;
  case WEIR_T_FLOAT:
    if (v->type == WEIR_T_BOOL)
      set_float(out, v->v.b);
    else if (v->type == WEIR_T_INT)
      set_float(out, (double)v->v.i);
    else if (v->type == WEIR_T_TIMESTAMP)
      set_float(out, (double)v->v.ts / 1e6);
    else if (v->type == WEIR_T_STRING && str_to_double(s, n, &d))
      set_float(out, d);
    break;
  case WEIR_T_BOOL:
    if (v->type == WEIR_T_INT)
      set_bool(out, v->v.i != 0);
    else if (v->type == WEIR_T_FLOAT)
      set_bool(out, v->v.f != 0);
    else if (v->type == WEIR_T_TIMESTAMP)
      set_bool(out, v->v.ts != 0);
    else if (v->type == WEIR_T_STRING && (i = str_to_bool(s, n)) >= 0)
      set_bool(out, i);
    break;
  case WEIR_T_TIMESTAMP:
    if (v->type == WEIR_T_INT) /* seconds; saturates like TimeUnit */
      set_ts(out, v->v.i > INT64_MAX / 1000000   ? INT64_MAX
                  : v->v.i < INT64_MIN / 1000000 ? INT64_MIN
                                                 : v->v.i * 1000000);
    else if (v->type == WEIR_T_FLOAT && isfinite(v->v.f))
      set_ts(out, java_d2l(v->v.f * 1e6));
    else if (v->type == WEIR_T_STRING) {
      trim_ws(&s, &n);
      if (weir_parse_timestamp(s, n, &i) == WEIR_OK)
        set_ts(out, i);
    }
    break;
  default: break;
  }
}

/* ---- comparisons
 * --------------------------------------------------------------- */

static int cmp_bytes(const weir_value *a, const weir_value *b) {
  size_t n = a->v.s.len < b->v.s.len ? a->v.s.len : b->v.s.len;
  int c = n ? memcmp(a->v.s.ptr, b->v.s.ptr, n) : 0;
  if (c)
    return c < 0 ? -1 : 1;
  return a->v.s.len < b->v.s.len ? -1 : a->v.s.len > b->v.s.len;
}

/* Three-way comparison of non-null values of type t. Doubles follow Spark:
 * NaN equals NaN and is larger than any other value. */
static int compare(const weir_value *a, const weir_value *b, weir_type t) {
  switch (t) {
  case WEIR_T_INT: return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
  case WEIR_T_FLOAT: {
    double x = as_double(a), y = as_double(b);
    if (isnan(x) || isnan(y))
      return isnan(x) - isnan(y);
    return x < y ? -1 : x > y;
  }
  case WEIR_T_BOOL: return (int)a->v.b - (int)b->v.b;
  case WEIR_T_TIMESTAMP: return a->v.ts < b->v.ts ? -1 : a->v.ts > b->v.ts;
  case WEIR_T_STRING:
  case WEIR_T_BINARY: return cmp_bytes(a, b);
  default: return 0;
  }
}

/* ---- strings
 * ------------------------------------------------------------------- */

static size_t utf8_len(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++)
    c += ((unsigned char)s[i] & 0xc0) != 0x80;
  return c;
}

/* Byte offset of character k (k <= characters in s). */
static size_t utf8_offset(const char *s, size_t n, size_t k) {
  size_t i = 0;
  while (i < n && k) {
    i++;
    while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
      i++;
    k--;
  }
  return i;
}

/* Spark's substringSQL: 1-based; 0 is 1; negative counts from the end. */
static void substring(const weir_value *s, int64_t pos, int64_t len,
                      weir_value *out) {
  int bin = s->type == WEIR_T_BINARY;
  int64_t nchars =
      (int64_t)(bin ? s->v.s.len : utf8_len(s->v.s.ptr, s->v.s.len));
  int64_t start = pos > 0 ? pos - 1 : pos < 0 ? nchars + pos : 0;
  int64_t end = len <= 0                  ? start /* empty */
                : start > INT64_MAX - len ? INT64_MAX
                                          : start + len;
  if (start < 0)
    start = 0;
  if (end > nchars)
    end = nchars;
  if (start >= end) {
    set_str(out, s->type, "", 0);
    return;
  }
  size_t b0 =
      bin ? (size_t)start : utf8_offset(s->v.s.ptr, s->v.s.len, (size_t)start);
  size_t b1 = bin ? (size_t)end
                  : b0 + utf8_offset(s->v.s.ptr + b0, s->v.s.len - b0,
                                     (size_t)(end - start));
  set_str(out, s->type, s->v.s.ptr + b0, b1 - b0);
}

/* SQL LIKE: '_' one character, '%' any run, '\' escapes the next one.
 * Greedy with one backtrack point, so linear for common patterns. */
static bool like(const char *s, size_t n, const char *p, size_t m) {
  size_t i = 0, j = 0, star_j = (size_t)-1, star_i = 0;
  while (i < n) {
    if (j < m && p[j] == '%') {
      star_j = ++j;
      star_i = i;
      continue;
    }
    if (j < m) {
      size_t pj = j, clen = 1;
      if (p[j] == '_') {
        while (i + clen < n && ((unsigned char)s[i + clen] & 0xc0) == 0x80)
          clen++;
        i += clen;
        j++;
        continue;
      }
      if (p[j] == '\\' && j + 1 < m)
        pj = ++j;
      if (p[pj] == s[i]) {
        i++;
        j++;
        continue;
      }
    }
    if (star_j == (size_t)-1)
      return false;
    j = star_j; /* let the last % absorb one more character */
    star_i++;
    while (star_i < n && ((unsigned char)s[star_i] & 0xc0) == 0x80)
      star_i++;
    i = star_i;
  }
  while (j < m && p[j] == '%')
    j++;
  return j == m;
}

/* Case mapping of a two-byte code point (U+0080..U+07FF) within that range:
 * Latin-1, Greek and Cyrillic, whose cases pair at fixed offsets. */
static unsigned map_case2(unsigned cp, int up) {
  if (up) {
    if ((cp >= 0xe0 && cp <= 0xfe && cp != 0xf7) ||
        (cp >= 0x3b1 && cp <= 0x3cb && cp != 0x3c2) ||
        (cp >= 0x430 && cp <= 0x44f))
      return cp - 0x20;
    if (cp >= 0x450 && cp <= 0x45f)
      return cp - 0x50;
    return cp == 0xff ? 0x178 : cp == 0x3c2 ? 0x3a3 : cp == 0xb5 ? 0x39c : cp;
  }
  if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
      (cp >= 0x391 && cp <= 0x3ab && cp != 0x3a2) ||
      (cp >= 0x410 && cp <= 0x42f))
    return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40f)
    return cp + 0x50;
  return cp == 0x178 ? 0xff : cp;
}

/* lower()/upper() into out (same length as s): ASCII and the two-byte
 * alphabets above; other characters (and ß, whose upper case is two
 * letters) pass through unchanged. Locale-independent. */
static void change_case(const char *s, size_t n, char *out, int up) {
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      if (up ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z'))
        c ^= 0x20;
      out[i++] = (char)c;
    } else if ((c & 0xe0) == 0xc0 && i + 1 < n &&
               ((unsigned char)s[i + 1] & 0xc0) == 0x80) {
      unsigned cp =
          map_case2(((c & 0x1fu) << 6) | ((unsigned char)s[i + 1] & 0x3fu), up);
      out[i++] = (char)(0xc0 | (cp >> 6));
      out[i++] = (char)(0x80 | (cp & 0x3f));
    } else {
      out[i] = s[i];
      i++;
    }
  }
}

static void eval_func(const sel_node *n, sel_env *e, weir_value *out) {
  weir_value a, b;
  switch (n->op) {
  case SEL_F_NOW: set_ts(out, e->now); return;
  case SEL_F_SPLIT: sel_eval_split(n, e, out); return;
  case SEL_F_SIZE: sel_eval_size(n, e, out); return;
  case SEL_F_EXPLODE:
  case SEL_F_EXPLODE_OUTER:
    /* As a value (sel_eval_column), a generator is its array: the rows it
     * makes are expr.c's. */
    sel_eval(n->args[0], e, out);
    return;
  default: break;
  }
  if (n->op == SEL_F_COALESCE) {
    for (size_t i = 0; i < n->nargs; i++) {
      sel_eval(n->args[i], e, out);
      if (out->type != WEIR_T_NULL)
        return;
    }
    return;
  }
  if (n->op == SEL_F_CONCAT) {
    size_t total = 0;
    for (size_t i = 0; i < n->nargs; i++) {
      sel_eval(n->args[i], e, &n->scratch[i]);
      if (n->scratch[i].type == WEIR_T_NULL) {
        set_null(out);
        return;
      }
      total += n->scratch[i].v.s.len;
    }
    char *p = sel_arena_alloc(e->arena, total ? total : 1);
    if (p)
      for (size_t i = 0, o = 0; i < n->nargs; o += n->scratch[i++].v.s.len)
        if (n->scratch[i].v.s.len)
          memcpy(p + o, n->scratch[i].v.s.ptr, n->scratch[i].v.s.len);
    set_str(out, WEIR_T_STRING, p, total);
    return;
  }
  sel_eval(n->args[0], e, &a);
  if (a.type == WEIR_T_NULL) {
    set_null(out);
    return;
  }
  const char *s = a.v.s.ptr;
  size_t len = a.v.s.len;
  switch (n->op) {
  case SEL_F_LOWER:
  case SEL_F_UPPER: {
    char *p = sel_arena_alloc(e->arena, len ? len : 1);
    if (p)
      change_case(s, len, p, n->op == SEL_F_UPPER);
    set_str(out, WEIR_T_STRING, p, len);
    return;
  }
  case SEL_F_TRIM:
  case SEL_F_LTRIM:
  case SEL_F_RTRIM: /* Spark trims spaces only */
    if (n->op != SEL_F_RTRIM)
      while (len && *s == ' ') {
        s++;
        len--;
      }
    if (n->op != SEL_F_LTRIM)
      while (len && s[len - 1] == ' ')
        len--;
    set_str(out, WEIR_T_STRING, s, len);
    return;
  case SEL_F_LENGTH:
    set_int(out, (int64_t)(a.type == WEIR_T_BINARY ? len : utf8_len(s, len)));
    return;
  case SEL_F_ABS:
    if (a.type == WEIR_T_FLOAT)
      set_float(out, fabs(a.v.f));
    else /* abs(INT64_MIN) wraps to itself, as Java's Math.abs */
      set_int(out, a.v.i < 0 ? (int64_t)(0 - (uint64_t)a.v.i) : a.v.i);
    return;
  case SEL_F_SUBSTRING: {
    int64_t l = INT64_MAX;
    sel_eval(n->args[1], e, &b);
    if (b.type == WEIR_T_NULL) {
      set_null(out);
      return;
    }
    if (n->nargs > 2) {
      weir_value c;
      sel_eval(n->args[2], e, &c);
      if (c.type == WEIR_T_NULL) {
        set_null(out);
        return;
      }
      l = c.v.i;
    }
    substring(&a, b.v.i, l, out);
    return;
  }
  }
  set_null(out);
}

static void eval_arith(const sel_node *n, sel_env *e, weir_value *out) {
  weir_value a, b;
  sel_eval(n->args[0], e, &a);
  if (a.type == WEIR_T_NULL) {
    set_null(out);
    return;
  }
  sel_eval(n->args[1], e, &b);
  if (b.type == WEIR_T_NULL) {
    set_null(out);
    return;
  }
  if (n->type == WEIR_T_INT) {
    /* Wrap on overflow like Java; unsigned arithmetic keeps C defined. */
    uint64_t x = (uint64_t)a.v.i, y = (uint64_t)b.v.i;
    switch (n->op) {
    case SEL_ADD: set_int(out, (int64_t)(x + y)); return;
    case SEL_SUB: set_int(out, (int64_t)(x - y)); return;
    case SEL_MUL: set_int(out, (int64_t)(x * y)); return;
    case SEL_MOD:
      if (b.v.i == 0)
        set_null(out);
      else
        set_int(out, b.v.i == -1 ? 0 : a.v.i % b.v.i);
      return;
    }
  }
  double x = as_double(&a), y = as_double(&b);
  switch (n->op) {
  case SEL_ADD: set_float(out, x + y); return;
  case SEL_SUB: set_float(out, x - y); return;
  case SEL_MUL: set_float(out, x * y); return;
  case SEL_DIV:
  case SEL_MOD:
    if (y == 0) /* Spark: null, not infinity */
      set_null(out);
    else
      set_float(out, n->op == SEL_DIV ? x / y : fmod(x, y));
    return;
  }
  set_null(out);
}

/* A column value whose encoding disagrees with the declared type (an int
 * in a double column) is converted when lossless, else read as null. */
static void conform(weir_value *v, weir_type t) {
  if (v->type == t || v->type == WEIR_T_NULL)
    return;
  if (t == WEIR_T_ARRAY && v->type == WEIR_T_STRUCT)
    return; /* the reader gives an array as it gives a struct */
  if (t == WEIR_T_FLOAT && v->type == WEIR_T_INT)
    set_float(v, (double)v->v.i);
  else if ((t == WEIR_T_STRING && v->type == WEIR_T_BINARY) ||
           (t == WEIR_T_BINARY && v->type == WEIR_T_STRING))
    v->type = t;
  else
    set_null(v);
}

void sel_eval(const sel_node *n, sel_env *e, weir_value *out) {
  weir_value a, b;
  switch (n->kind) {
  case SK_LIT: *out = n->lit; return;
  case SK_COL:
    *out = e->row[n->index];
    conform(out, n->type);
    return;
  case SK_FIELD:
    sel_eval(n->args[0], e, &a);
    if (a.type != WEIR_T_STRUCT ||
        weir_value_members(&a, n->scratch, n->nscratch) != WEIR_OK) {
      set_null(out);
      return;
    }
    *out = n->scratch[n->index];
    conform(out, n->type);
    return;
  case SK_NEG:
    sel_eval(n->args[0], e, &a);
    if (a.type == WEIR_T_INT)
      set_int(out, (int64_t)(0 - (uint64_t)a.v.i));
    else if (a.type == WEIR_T_FLOAT)
      set_float(out, -a.v.f);
    else
      set_null(out);
    return;
  case SK_ARITH: eval_arith(n, e, out); return;
  case SK_CMP: {
    sel_eval(n->args[0], e, &a);
    sel_eval(n->args[1], e, &b);
    int an = a.type == WEIR_T_NULL, bn = b.type == WEIR_T_NULL;
    if (an || bn) {
      if (n->op == SEL_NSEQ)
        set_bool(out, an && bn);
      else
        set_null(out);
      return;
    }
    int c = compare(&a, &b, n->cmp);
    switch (n->op) {
    case SEL_LT: set_bool(out, c < 0); return;
    case SEL_LE: set_bool(out, c <= 0); return;
    case SEL_GT: set_bool(out, c > 0); return;
    case SEL_GE: set_bool(out, c >= 0); return;
    default: set_bool(out, c == 0); return;
    }
  }
  case SK_AND:
  case SK_OR: {
    /* Three-valued: FALSE decides AND, TRUE decides OR, even with a null. */
    bool decider = n->kind == SK_OR;
    sel_eval(n->args[0], e, &a);
    if (a.type == WEIR_T_BOOL && a.v.b == decider) {
      set_bool(out, decider);
      return;
    }
    sel_eval(n->args[1], e, &b);
    if (b.type == WEIR_T_BOOL && b.v.b == decider)
      set_bool(out, decider);
    else if (a.type == WEIR_T_NULL || b.type == WEIR_T_NULL)
      set_null(out);
    else
      set_bool(out, !decider);
    return;
  }
  case SK_NOT:
    sel_eval(n->args[0], e, &a);
    if (a.type == WEIR_T_BOOL)
      set_bool(out, !a.v.b);
    else
      set_null(out);
    return;
  case SK_ISNULL:
    sel_eval(n->args[0], e, &a);
    set_bool(out, (a.type == WEIR_T_NULL) != (n->op != 0));
    return;
  case SK_CAST:
    sel_eval(n->args[0], e, &a);
    sel_cast(e, &a, n->cast_to, out);
    return;
  case SK_FUNC: eval_func(n, e, out); return;
  case SK_IN: {
    bool saw_null = false;
    sel_eval(n->args[0], e, &a);
    if (a.type == WEIR_T_NULL) {
      set_null(out);
      return;
    }
    for (size_t i = 1; i < n->nargs; i++) {
      sel_eval(n->args[i], e, &b);
      if (b.type == WEIR_T_NULL)
        saw_null = true;
      else if (compare(&a, &b, n->cmp) == 0) {
        set_bool(out, true);
        return;
      }
    }
    if (saw_null)
      set_null(out);
    else
      set_bool(out, false);
    return;
  }
  case SK_LIKE:
    sel_eval(n->args[0], e, &a);
    sel_eval(n->args[1], e, &b);
    if (a.type == WEIR_T_NULL || b.type == WEIR_T_NULL)
      set_null(out);
    else
      set_bool(out, like(a.v.s.ptr, a.v.s.len, b.v.s.ptr, b.v.s.len));
    return;
  case SK_STAR: break;
  }
  set_null(out);
}
