/* jsonparse.c — the hot half of the schema-directed JSON parser
 * (weir/jsonparse.h): one pass over a record's bytes that validates
 * everything, matches members to columns through a small hash table per
 * struct, converts the values the schema asks for into slots, and skips the
 * rest without building anything; then the row is written in schema order.
 * Compiling the schema, error messages and the rare slow paths live in
 * jsonparse_util.c.
 *
 * Nothing is written to the builder before the whole record has been read
 * and found good, so a refused record needs no undo. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "jsonparse_int.h"
#include "weir/units.h"

/* The byte at s, or 0 at the end of the text: 0 is never valid outside a
 * string, so every "expected X" branch also catches a truncated record. */
#define PEEK(p, s) ((s) < (p)->end ? *(s) : 0)

static inline const uint8_t *ws(const jp *p, const uint8_t *s) {
  /* Compact JSON has no whitespace at all: one test to leave. */
  if (__builtin_expect(s<p->end && * s> ' ', 1))
    return s;
  while (s < p->end && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
    s++;
  return s;
}

static inline uint64_t low_bytes(uint64_t w, size_t n) {
  return n >= 8 ? w : w & ((UINT64_C(1) << (8 * n)) - 1);
}

/* The member called k[0..n), or NULL. `avail`: bytes that may be read at k
 * (0 for a name decoded into scratch). A name of up to 16 bytes in the text
 * (which always has more of the record after it) is compared as two masked
 * words instead of through a memcmp call. */
static inline const jp_field *lookup(const jp *p, const jp_struct *st,
                                     const uint8_t *k, size_t n, size_t avail) {
  uint32_t i = jp_hash(k, n) & st->mask;
  for (;;) {
    uint32_t e = st->table[i];
    if (!e)
      return NULL;
    const jp_field *f = &p->fields[e - 1];
    if (f->len == n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      if (n <= 16 && avail >= (n <= 8 ? 8u : 16u)) {
        uint64_t w0, w1 = 0;
        memcpy(&w0, k, 8);
        if (n > 8)
          memcpy(&w1, k + 8, 8);
        if (low_bytes(w0, n) == f->head[0] &&
            (n <= 8 || low_bytes(w1, n - 8) == f->head[1]))
          return f;
      } else
#endif
          if (memcmp(f->name, k, n) == 0)
        return f;
    }
    i = (i + 1) & st->mask;
  }
}

static inline const uint8_t *literal(jp *p, const uint8_t *s, const char *w,
                                     size_t n) {
  if ((size_t)(p->end - s) >= n && memcmp(s, w, n) == 0)
    return s + n;
  return jp_fail(p, s,
                 n == 4 && w[0] == 't'   ? "true"
                 : n == 4 && w[0] == 'n' ? "null"
                                         : "false");
}

/* A member name at s (the opening quote expected), then ':'. *k / *kn is
 * the name, in the text or, when it has escapes, decoded at the end of the
 * scratch buffer (the caller drops it after the lookup); *esc says which.
 * Returns the position of the value. Always inlined: it is half the work
 * of a record. */
static inline __attribute__((always_inline)) const uint8_t *
member_name(jp *p, const uint8_t *s, const uint8_t **k, size_t *kn, int *esc) {
  *esc = 0;
  if (PEEK(p, s) != '"')
    return jp_fail(p, s, "a member name (a string)");
  const uint8_t *e = jp_scan_string(p, s + 1, esc);
  if (!e)
    return NULL;
  *k = s + 1;
  *kn = (size_t)(e - s - 1);
  if (*esc) {
    uint32_t off, len;
    if (jp_decode(p, s + 1, e, &off, &len))
      return NULL;
    *k = p->scratch.data + off;
    *kn = len;
  }
  e = ws(p, e + 1);
  if (PEEK(p, e) != ':')
    return jp_fail(p, e, "':' after a member name");
  return ws(p, e + 1);
}

/* A member name that nobody will look up (inside a skipped value). */
static const uint8_t *skip_name(jp *p, const uint8_t *s) {
  int esc = 0;
  if (PEEK(p, s) != '"')
    return jp_fail(p, s, "a member name (a string)");
  if (!(s = jp_scan_string(p, s + 1, &esc)))
    return NULL;
  s = ws(p, s + 1);
  if (PEEK(p, s) != ':')
    return jp_fail(p, s, "':' after a member name");
  return ws(p, s + 1);
}

/* Validates and skips the value at s, found inside a container of nesting
 * `depth`. No recursion: the open containers are a byte stack. */
static const uint8_t *skip_value(jp *p, const uint8_t *s, int depth) {
  uint8_t *stk = p->stack;
  int sp = 0;
  for (;;) {
    uint8_t c = PEEK(p, s);
    switch (c) {
    case '"': {
      int esc;
      if (!(s = jp_scan_string(p, s + 1, &esc)))
        return NULL;
      s++;
      break;
    }
    case '{':
    case '[':
      if (depth + sp + 1 > p->max_depth)
        return jp_failf(p, s, "nesting deeper than %d levels", p->max_depth);
      stk[sp++] = c;
      s = ws(p, s + 1);
      if (PEEK(p, s) == (c == '{' ? '}' : ']')) {
        s++;
        sp--;
        break;
      }
      if (c == '{') {
        if (!(s = skip_name(p, s)))
          return NULL;
      }
      continue;
    case 't':
      if (!(s = literal(p, s, "true", 4)))
        return NULL;
      break;
    case 'f':
      if (!(s = literal(p, s, "false", 5)))
        return NULL;
      break;
    case 'n':
      if (!(s = literal(p, s, "null", 4)))
        return NULL;
      break;
    default:
      if (c == '-' || jp_isdigit(c)) {
        jp_num n;
        if (!(s = jp_scan_number(p, s, &n)))
          return NULL;
        break;
      }
      return jp_fail(p, s, "a value");
    }
    /* After a value: close containers, or go on to the next element. */
    for (;;) {
      if (sp == 0)
        return s;
      uint8_t open = stk[sp - 1];
      s = ws(p, s);
      c = PEEK(p, s);
      if (c == ',') {
        s = ws(p, s + 1);
        if (open == '{' && !(s = skip_name(p, s)))
          return NULL;
        break;
      }
      if (c == (open == '{' ? '}' : ']')) {
        s++;
        sp--;
        continue;
      }
      return jp_fail(p, s,
                     open == '{' ? "',' or '}' after an object member"
                                 : "',' or ']' after an array element");
    }
  }
}

static const char *expected_for(int type) {
  switch (type) {
  case WEIR_T_BOOL: return "a boolean";
  case WEIR_T_INT: return "a bigint (an integer in int64 range)";
  case WEIR_T_FLOAT: return "a number";
  case WEIR_T_BINARY: return "a base64 string";
  case WEIR_T_TIMESTAMP:
    return "a timestamp (an ISO-8601 string or seconds since the epoch)";
  case WEIR_T_STRUCT: return "an object";
  case WEIR_T_ARRAY: return "an array";
  default: return "a value";
  }
}

/* Spark's allowNonNumericNumbers spellings. */
static int special_double(const uint8_t *s, size_t n, double *out) {
#define IS(w) (n == sizeof(w) - 1 && memcmp(s, w, n) == 0)
  if (IS("NaN"))
    *out = NAN;
  else if (IS("Infinity") || IS("+Infinity") || IS("+INF"))
    *out = INFINITY;
  else if (IS("-Infinity") || IS("-INF"))
    *out = -INFINITY;
  else
    return 0;
  return 1;
#undef IS
}

static const uint8_t *parse_object(jp *p, const jp_struct *st, const uint8_t *s,
                                   int depth);
static const uint8_t *parse_array(jp *p, const jp_field *f, const uint8_t *s,
                                  int depth);
static void put_scalar(const jp *p, const jp_slot *sl, const uint8_t *text,
                       weir_buf *b);

static inline int two_digits(const uint8_t *s, int *v) {
  if (!jp_isdigit(s[0]) || !jp_isdigit(s[1]))
    return 0;
  *v = (s[0] - '0') * 10 + (s[1] - '0');
  return 1;
}

/* A TIMESTAMP column's string. The form nearly every event carries,
 * "YYYY-MM-DDTHH:MM:SS" with an optional "Z", takes a fast path: the date's
 * midnight is cached, the time is six digits. Everything else, and the
 * first record of each date, goes to weir_parse_timestamp, which gives the
 * same result for the fast form (and a hook replaces both). */
static int read_timestamp(jp *p, const uint8_t *s, size_t n, int64_t *us) {
  int h, m, sec;
  if (p->parse_ts)
    return p->parse_ts(p->parse_ts_arg, (const char *)s, n, us) == 0 ? 0 : -1;
  if ((n == 19 || (n == 20 && s[19] == 'Z')) && s[10] == 'T' && s[13] == ':' &&
      s[16] == ':' && two_digits(s + 11, &h) && two_digits(s + 14, &m) &&
      two_digits(s + 17, &sec) && h < 24 && m < 60 && sec < 60) {
    uint64_t d8;
    uint16_t d2;
    memcpy(&d8, s, 8); /* the date as two words: no memcmp call */
    memcpy(&d2, s + 8, 2);
    if (!p->ts_cached || d8 != p->ts_date8 || d2 != p->ts_date2) {
      if (weir_parse_timestamp((const char *)s, 10, &p->ts_day_us) != WEIR_OK) {
        p->ts_cached = 0;
        return -1;
      }
      p->ts_date8 = d8;
      p->ts_date2 = d2;
      p->ts_cached = 1;
    }
    *us = p->ts_day_us + (int64_t)(h * 3600 + m * 60 + sec) * WEIR_US_PER_SEC;
    return 0;
  }
  return weir_parse_timestamp((const char *)s, n, us) == WEIR_OK ? 0 : -1;
}

/* The value at s for field f, into its slot. A value of the wrong kind is
 * still validated and skipped: the record may yet be a syntax error, which
 * wins over a type error (Spark: no partial result for broken JSON). */
static const uint8_t *parse_field(jp *p, const jp_field *f, const uint8_t *s,
                                  int depth) {
  jp_slot *sl = &p->slots[f - p->fields];
  const uint8_t *e;
  uint8_t c = PEEK(p, s);
  sl->pos = (uint32_t)(s - p->base);
  if (c == 'n') {
    if (!(e = literal(p, s, "null", 4)))
      return NULL;
    sl->gen = p->gen;
    sl->kind = JK_NULL;
    return e;
  }
  switch (f->type) {
  case WEIR_T_STRING:
    if (c == '"') {
      int esc = 0;
      if (!(e = jp_scan_string(p, s + 1, &esc)))
        return NULL;
      sl->gen = p->gen;
      if (!esc) {
        sl->kind = JK_STR_TEXT;
        sl->off = (uint32_t)(s + 1 - p->base);
        sl->len = (uint32_t)(e - s - 1);
      } else {
        sl->kind = JK_STR_SCRATCH;
        if (jp_decode(p, s + 1, e, &sl->off, &sl->len))
          return NULL;
      }
      return e + 1;
    }
    /* Any other value: its exact text (Spark's exact string parsing). */
    if (!(e = skip_value(p, s, depth)))
      return NULL;
    sl->gen = p->gen;
    sl->kind = JK_STR_TEXT;
    sl->off = (uint32_t)(s - p->base);
    sl->len = (uint32_t)(e - s);
    return e;
  case WEIR_T_INT:
    if (c == '-' || jp_isdigit(c)) {
      jp_num n;
      if (!(e = jp_scan_number(p, s, &n)))
        return NULL;
      if (!jp_num_int(&n, &sl->v.i)) {
        jp_bad(p, f, s, e, expected_for(f->type));
        return e;
      }
      sl->gen = p->gen;
      sl->kind = JK_INT;
      return e;
    }
    break;
  case WEIR_T_FLOAT:
    if (c == '-' || jp_isdigit(c)) {
      jp_num n;
      if (!(e = jp_scan_number(p, s, &n)))
        return NULL;
      sl->v.f = jp_num_double(p, &n);
      sl->gen = p->gen;
      sl->kind = JK_FLOAT;
      return e;
    }
    if (c == '"') {
      int esc = 0;
      if (!(e = jp_scan_string(p, s + 1, &esc)))
        return NULL;
      if (!esc && special_double(s + 1, (size_t)(e - s - 1), &sl->v.f)) {
        sl->gen = p->gen;
        sl->kind = JK_FLOAT;
      } else {
        jp_bad(p, f, s, e + 1, expected_for(f->type));
      }
      return e + 1;
    }
    break;
  case WEIR_T_BOOL:
    if (c == 't' || c == 'f') {
      if (!(e = c == 't' ? literal(p, s, "true", 4)
                         : literal(p, s, "false", 5)))
        return NULL;
      sl->gen = p->gen;
      sl->kind = JK_BOOL;
      sl->v.b = c == 't';
      return e;
    }
    break;
  case WEIR_T_TIMESTAMP:
    if (c == '"') {
      int esc = 0;
      const uint8_t *str = s + 1;
      size_t n;
      if (!(e = jp_scan_string(p, s + 1, &esc)))
        return NULL;
      n = (size_t)(e - str);
      if (esc) {
        uint32_t off, len;
        size_t mark = p->scratch.len;
        if (jp_decode(p, s + 1, e, &off, &len))
          return NULL;
        str = p->scratch.data + off;
        n = len;
        p->scratch.len = mark;
      }
      if (read_timestamp(p, str, n, &sl->v.i) != 0) {
        jp_bad(p, f, s, e + 1, expected_for(f->type));
        return e + 1;
      }
      sl->gen = p->gen;
      sl->kind = JK_TS;
      return e + 1;
    }
    if (c == '-' || jp_isdigit(c)) {
      /* Seconds since the epoch, as Spark's CAST(number AS TIMESTAMP). */
      jp_num n;
      int64_t secs;
      if (!(e = jp_scan_number(p, s, &n)))
        return NULL;
      if (jp_num_int(&n, &secs)) {
        if (__builtin_mul_overflow(secs, WEIR_US_PER_SEC, &sl->v.i)) {
          jp_bad(p, f, s, e, expected_for(f->type));
          return e;
        }
      } else {
        double us = jp_num_double(p, &n) * 1e6;
        if (!(fabs(us) < 9223372036854775807.0)) {
          jp_bad(p, f, s, e, expected_for(f->type));
          return e;
        }
        sl->v.i = (int64_t)us; /* truncated toward zero, as Spark's toLong */
      }
      sl->gen = p->gen;
      sl->kind = JK_TS;
      return e;
    }
    break;
  case WEIR_T_BINARY:
    if (c == '"') {
      int esc = 0, rc;
      if (!(e = jp_scan_string(p, s + 1, &esc)))
        return NULL;
      /* base64 never needs escapes; an escaped one is not worth decoding */
      if (esc || (rc = jp_base64(p, s + 1, e, &sl->off, &sl->len)) == -1) {
        jp_bad(p, f, s, e + 1, expected_for(f->type));
        return e + 1;
      }
      if (rc)
        return NULL;
      sl->gen = p->gen;
      sl->kind = JK_BIN_SCRATCH;
      return e + 1;
    }
    break;
  case WEIR_T_ARRAY:
    if (c == '[')
      return parse_array(p, f, s, depth);
    break;
  case WEIR_T_STRUCT:
    if (c == '{') {
      const jp_struct *sub = &p->structs[f->sub];
      if (sl->gen == p->gen) /* a duplicate member: forget the first */
        for (uint32_t i = sub->first; i < sub->tree_end; i++)
          p->slots[i].gen = 0;
      if (!(e = parse_object(p, sub, s, depth + 1)))
        return NULL;
      sl->gen = p->gen;
      sl->kind = JK_STRUCT;
      return e;
    }
    break;
  default: /* NULL type: any value reads as null */
    if (!(e = skip_value(p, s, depth)))
      return NULL;
    sl->gen = p->gen;
    sl->kind = JK_NULL;
    return e;
  }
  if (!(e = skip_value(p, s, depth)))
    return NULL;
  jp_bad(p, f, s, e, expected_for(f->type));
  return e;
}

/* The object at s ('{'), of nesting `depth`, into the slots of st. */
static const uint8_t *parse_object(jp *p, const jp_struct *st, const uint8_t *s,
                                   int depth) {
  if (depth > p->max_depth)
    return jp_failf(p, s, "nesting deeper than %d levels", p->max_depth);
  s = ws(p, s + 1);
  if (PEEK(p, s) == '}')
    return s + 1;
  for (;;) {
    const uint8_t *k = NULL;
    size_t kn = 0, mark = p->scratch.len;
    int esc;
    if (!(s = member_name(p, s, &k, &kn, &esc)))
      return NULL;
    const jp_field *f = lookup(p, st, k, kn, esc ? 0 : (size_t)(p->end - k));
    p->scratch.len = mark; /* an escaped name is not needed any more */
    if (f) {
      s = parse_field(p, f, s, depth);
    } else if (PEEK(p, s) == '"') { /* the usual unasked-for scalar: inline */
      if ((s = jp_scan_string(p, s + 1, &esc)))
        s++;
    } else {
      s = skip_value(p, s, depth);
    }
    if (!s)
      return NULL;
    s = ws(p, s);
    uint8_t c = PEEK(p, s);
    if (c == ',') {
      s = ws(p, s + 1);
      continue;
    }
    if (c == '}')
      return s + 1;
    return jp_fail(p, s, "',' or '}' after an object member");
  }
}

/* The array at s ('[') for field f, found in a container of nesting
 * `depth`. Each element is read into the element field's slot by the same
 * rules as a column of its type, then appended, encoded, to p->arrays. An
 * element that does not fit makes the whole array a bad value (the record
 * is malformed; PERMISSIVE gives the array null), but the rest is still
 * read: a syntax error later in the record wins, as everywhere. */
static const uint8_t *parse_array(jp *p, const jp_field *f, const uint8_t *s,
                                  int depth) {
  static const uint8_t placeholder[5] = {0xdd, 0, 0, 0, 0};
  jp_slot *sl = &p->slots[f - p->fields];
  const jp_field *el = &p->fields[f->sub];
  const jp_slot *es = &p->slots[f->sub];
  size_t at = p->arrays.len;
  uint32_t n = 0;
  int bad = 0;
  if (depth + 1 > p->max_depth)
    return jp_failf(p, s, "nesting deeper than %d levels", p->max_depth);
  weir_buf_append(&p->arrays, placeholder, 5);
  s = ws(p, s + 1);
  if (PEEK(p, s) != ']')
    for (;;) {
      size_t mark = p->scratch.len;
      const uint8_t *vs = s;
      p->arr_index = n;
      if (!(s = parse_field(p, el, s, depth + 1)))
        return NULL;
      if (es->kind == JK_BAD) {
        bad = 1;
      } else if (es->kind == JK_NULL && !el->nullable) {
        jp_bad(p, el, vs, s, "a value (the array's elements are NOT NULL)");
        bad = 1;
      } else if (!bad) {
        put_scalar(p, es, p->base, &p->arrays);
      }
      p->scratch.len = mark; /* a decoded element is in arrays by now */
      if (n == UINT32_MAX)
        return jp_failf(p, s, "more than %u array elements", UINT32_MAX);
      n++;
      s = ws(p, s);
      uint8_t c = PEEK(p, s);
      if (c == ',') {
        s = ws(p, s + 1);
        continue;
      }
      if (c == ']')
        break;
      return jp_fail(p, s, "',' or ']' after an array element");
    }
  s++; /* the ']' */
  sl->gen = p->gen;
  if (bad) {
    p->arrays.len = at;
    sl->kind = JK_BAD;
    return s;
  }
  if (p->arrays.err || weir__mp_array_close(&p->arrays, at, n) != WEIR_OK) {
    p->nomem = 1;
    return jp_failf(p, s, "out of memory");
  }
  sl->kind = JK_ARRAY;
  sl->off = (uint32_t)at;
  sl->len = (uint32_t)(p->arrays.len - at);
  return s;
}

/* NOT NULL columns must have a value; only structs that are present are
 * looked into. */
static void check_required(jp *p, const jp_struct *st, uint32_t objpos) {
  for (uint32_t i = st->first; i < st->first + st->n; i++) {
    const jp_field *f = &p->fields[i];
    const jp_slot *sl = &p->slots[i];
    int set = sl->gen == p->gen;
    if (f->corrupt)
      continue;
    if (!f->nullable && (!set || sl->kind == JK_NULL))
      jp_bad_required(p, f, p->base + (set ? sl->pos : objpos), !set);
    if (set && sl->kind == JK_STRUCT)
      check_required(p, &p->structs[f->sub], sl->pos);
  }
}

/* Writes one slot's value that is not a struct (nor a column left unset). */
static void put_scalar(const jp *p, const jp_slot *sl, const uint8_t *text,
                       weir_buf *b) {
  switch (sl->kind) {
  case JK_BOOL: weir_mp_bool(b, sl->v.b); break;
  case JK_INT: weir_mp_int(b, sl->v.i); break;
  case JK_FLOAT: weir_mp_float(b, sl->v.f); break;
  case JK_TS: weir_mp_timestamp(b, sl->v.i); break;
  case JK_STR_TEXT:
    weir_mp_str(b, (const char *)text + sl->off, sl->len);
    break;
  case JK_STR_SCRATCH:
    weir_mp_str(b, (const char *)p->scratch.data + sl->off, sl->len);
    break;
  case JK_BIN_SCRATCH:
    weir_mp_bin(b, p->scratch.data + sl->off, sl->len);
    break;
  case JK_ARRAY: weir_buf_append(b, p->arrays.data + sl->off, sl->len); break;
  default: weir_mp_nil(b); break; /* JK_NULL, JK_BAD */
  }
}

/* Writes the values of st's members. all_null: every column null (a record
 * that is not JSON); corrupt: the text for the corrupt-record column, or
 * NULL for a null there. */
static void emit(const jp *p, const jp_struct *st, const uint8_t *text,
                 weir_buf *b, int all_null, const uint8_t *corrupt,
                 size_t corrupt_len) {
  for (uint32_t i = st->first; i < st->first + st->n; i++) {
    const jp_field *f = &p->fields[i];
    const jp_slot *sl = &p->slots[i];
    if (f->corrupt) {
      if (corrupt)
        weir_mp_str(b, (const char *)corrupt, corrupt_len);
      else
        weir_mp_nil(b);
      continue;
    }
    if (all_null || sl->gen != p->gen) {
      weir_mp_nil(b);
      continue;
    }
    if (sl->kind == JK_STRUCT) {
      const jp_struct *sub = &p->structs[f->sub];
      weir_mp_array(b, sub->n);
      emit(p, sub, text, b, 0, NULL, 0);
    } else {
      put_scalar(p, sl, text, b);
    }
  }
}

/* Reads one record into the slots. Returns the parse result (see the
 * header); on WEIR_OK the values are ready to emit. */
static int parse_record(jp *p, const char *text, size_t len,
                        weir_json_error *err) {
  const uint8_t *s;
  if (++p->gen == 0) { /* wrapped: clear for real, once in 4 billion */
    for (uint32_t i = 0; i < p->nfields; i++)
      p->slots[i].gen = 0;
    p->gen = 1;
  }
  p->scratch.len = 0;
  weir_buf_clear(&p->arrays);
  p->bad = p->nomem = 0;
  p->err.code = 0;
  p->base = (const uint8_t *)text;
  p->end = p->base + len;
  s = p->base;
  if (len >= UINT32_MAX) { /* slots hold 32-bit offsets */
    s = jp_failf(p, s, "record longer than 4 GiB");
  } else {
    if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) /* a BOM */
      s += 3;
    s = ws(p, s);
    if (s == p->end)
      return p->status = WEIR_JSON_BLANK;
    if (*s != '{') {
      s = jp_fail(p, s, "'{' (a record is a JSON object)");
    } else {
      uint32_t objpos = (uint32_t)(s - p->base);
      if ((s = parse_object(p, &p->structs[0], s, 1))) {
        s = ws(p, s);
        if (s != p->end)
          s = jp_fail(p, s, "the end of the record after its object");
        else if (p->has_required)
          check_required(p, &p->structs[0], objpos);
      }
    }
  }
  if (p->nomem)
    p->status = WEIR_ERR_NOMEM;
  else if (!s)
    p->status = WEIR_ERR_FORMAT;
  else
    p->status = p->bad ? WEIR_ERR_SCHEMA : WEIR_OK;
  if (p->status < 0 && err) {
    *err = p->err;
    if (p->nomem) {
      err->code = WEIR_ERR_NOMEM;
      snprintf(err->msg, sizeof err->msg, "out of memory");
    }
  }
  return p->status;
}

int weir_json_parse_values(weir_json_parser *p, const char *text, size_t len,
                           weir_builder *out, weir_json_error *err) {
  int rc = parse_record(p, text, len, err);
  if (rc == WEIR_OK)
    emit(p, &p->structs[0], (const uint8_t *)text, &out->buf, 0, NULL, 0);
  return rc;
}

int weir_json_parse_row(weir_json_parser *p, const char *text, size_t len,
                        weir_builder *out, weir_json_error *err) {
  int rc = parse_record(p, text, len, err);
  if (rc == WEIR_OK) {
    weir_row_begin(out);
    emit(p, &p->structs[0], (const uint8_t *)text, &out->buf, 0, NULL, 0);
  }
  return rc;
}

void jp_emit_permissive(jp *p, const uint8_t *text, weir_buf *b,
                        const uint8_t *corrupt, size_t corrupt_len) {
  emit(p, &p->structs[0], text, b, p->status != WEIR_ERR_SCHEMA, corrupt,
       corrupt_len);
}
