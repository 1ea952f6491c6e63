/* jsonparse_int.h — the compiled form of a schema-directed JSON parser
 * (weir/jsonparse.h) and the small lexing helpers both of its files use.
 * Not installed, not part of the plugin ABI.
 *
 * A compiled schema is a flat array of fields: each struct's members are
 * contiguous (so a struct is a range), and a struct's whole subtree is
 * contiguous too (members first, then the members' own subtrees), so "forget
 * this struct's values" (a duplicate member: the last one wins) is a loop over
 * one range. Every field has one slot, written while parsing, read when the
 * row is emitted in schema order: JSON members come in any order, msgpack rows
 * are in column order. A slot counts as set only when its `gen` equals the
 * parser's record counter, so starting a record clears nothing.
 *
 * An ARRAY field has one hidden field after its struct's members (in the
 * struct's subtree, in no member table): its element, through whose slot
 * each element is read in turn before being appended, encoded, to the
 * parser's `arrays` buffer; the array's slot then locates its bytes there
 * (a variable number of values does not fit in slots). */
#ifndef WEIR_SDK_JSONPARSE_INT_H
#define WEIR_SDK_JSONPARSE_INT_H

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "weir/jsonparse.h"

#define JP_NONE UINT32_MAX

typedef struct jp_field {
  const char *name; /* in the parser's name arena */
  uint32_t len;
  uint8_t type; /* weir_type */
  uint8_t nullable;
  uint8_t corrupt;  /* the corrupt-record column: never read from JSON */
  uint8_t element;  /* an ARRAY field's hidden element field */
  uint32_t sub;     /* STRUCT: index into structs; ARRAY: the element
                       field's index into fields; else JP_NONE */
  uint32_t parent;  /* the enclosing struct field, or JP_NONE at the top */
  uint64_t head[2]; /* the name's first 16 bytes, zero-padded: names of up
                       to 16 bytes compare as two words */
} jp_field;

typedef struct jp_struct {
  uint32_t first, n; /* members: fields[first .. first+n) */
  uint32_t tree_end; /* members and everything below them:
                        fields[first .. tree_end) */
  uint32_t *table;   /* open addressing: field index + 1, 0 = empty */
  uint32_t mask;
} jp_struct;

/* Slot kinds. */
enum {
  JK_NULL = 1,
  JK_BAD, /* did not fit its column (the record is malformed) */
  JK_BOOL,
  JK_INT,
  JK_FLOAT,
  JK_TS,
  JK_STR_TEXT,    /* bytes [off, off+len) of the record's text */
  JK_STR_SCRATCH, /* bytes [off, off+len) of the scratch buffer */
  JK_BIN_SCRATCH,
  JK_STRUCT, /* a nested object was read into the members' slots */
  JK_ARRAY   /* bytes [off, off+len) of the arrays buffer: the encoded array */
};

typedef struct jp_slot {
  uint32_t gen;
  uint8_t kind;
  uint32_t pos;      /* offset of the value in the text (for messages) */
  uint32_t off, len; /* strings and binaries */
  union {
    int64_t i;
    double f;
    int b;
  } v;
} jp_slot;

struct weir_json_parser {
  jp_field *fields;
  uint32_t nfields;
  jp_struct *structs; /* structs[0] is the record itself */
  uint32_t nstructs;
  uint32_t *tables;
  char *names;
  jp_slot *slots; /* one per field */
  uint32_t gen;
  int max_depth;
  int has_required; /* some column is NOT NULL */
  int corrupt_col;  /* top-level index, or -1 */
  int (*parse_ts)(void *, const char *, size_t, int64_t *); /* or NULL */
  void *parse_ts_arg;
  /* The last "YYYY-MM-DD" seen in a timestamp and its midnight: consecutive
   * events nearly always share their date. */
  int ts_cached;
  uint64_t ts_date8; /* its bytes 0-7 and 8-9 */
  uint16_t ts_date2;
  int64_t ts_day_us;
  uint8_t *stack;     /* max_depth bytes: containers open while skipping */
  weir_buf scratch;   /* decoded strings and binaries of the current record */
  weir_buf arrays;    /* the current record's arrays, each encoded whole */
  uint32_t arr_index; /* the element being read, for "tags[2]" in messages */
  weir_buf numbuf;    /* a number's text, NUL-terminated, for strtod */

  /* The record being parsed. */
  const uint8_t *base, *end;
  int bad;    /* a value did not fit (WEIR_ERR_SCHEMA) */
  int nomem;  /* the scratch space could not grow */
  int status; /* the last parse's result */
  weir_json_error err;
};

typedef struct weir_json_parser jp;

/* A number as scanned: value = ±mant · 10^exp10 when !trunc. */
typedef struct jp_num {
  const uint8_t *start, *end;
  uint64_t mant; /* the first 19 significant digits */
  int32_t exp10;
  uint8_t neg;
  uint8_t integral; /* no fraction, no exponent (Spark's VALUE_NUMBER_INT) */
  uint8_t trunc;    /* non-zero digits beyond the 19th were dropped */
} jp_num;

/* ---- lexing helpers (jsonparse_util.c) ----------------------------------- */

/* Records a syntax error at `at` ("expected WHAT, found ...") and returns
 * NULL, so that a scanner can `return jp_fail(...)`. */
const uint8_t *jp_fail(jp *p, const uint8_t *at, const char *what);
/* Same with a message of its own (no "found" part). */
const uint8_t *jp_failf(jp *p, const uint8_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records that the value [at, vend) does not fit field f (the first such
 * error of the record is kept) and marks its slot bad. */
void jp_bad(jp *p, const jp_field *f, const uint8_t *at, const uint8_t *vend,
            const char *expected);
/* A NOT NULL field is missing (at = its object) or null. */
void jp_bad_required(jp *p, const jp_field *f, const uint8_t *at, int missing);

/* The slow part of string scanning: an escape, a control byte or a non-ASCII
 * sequence at s. Returns the position after it, or NULL (error recorded). */
const uint8_t *jp_string_special(jp *p, const uint8_t *s, int *esc);
/* Decodes the validated string body [s, e) (escapes) into the scratch buffer:
 * *off / *len locate it. 0, or -1 when out of memory (p->nomem set). */
int jp_decode(jp *p, const uint8_t *s, const uint8_t *e, uint32_t *off,
              uint32_t *len);
/* A number's value as a double, correctly rounded (strtod for what the fast
 * path cannot do exactly). */
double jp_num_double_slow(jp *p, const jp_num *n);
/* Base64 [s, e) into the scratch buffer. 0, -1 malformed, -2 no memory. */
int jp_base64(jp *p, const uint8_t *s, const uint8_t *e, uint32_t *off,
              uint32_t *len);

/* Writes the values PERMISSIVE mode gives after the last parse refused the
 * record (jsonparse.c): corrupt is the corrupt-record column's text. */
void jp_emit_permissive(jp *p, const uint8_t *text, weir_buf *b,
                        const uint8_t *corrupt, size_t corrupt_len);

/* A member name's hash for the per-struct tables: its length and three of
 * its bytes, cheap for the short names records have; the table compares
 * names in full anyway. */
static inline uint32_t jp_hash(const uint8_t *k, size_t n) {
  uint32_t h = (uint32_t)n * 0x9e3779b1u;
  if (n)
    h ^= k[0] * 0x85ebca6bu ^ k[n - 1] * 0xc2b2ae35u ^ k[n >> 1] * 0x27d4eb2fu;
  return h ^ (h >> 15);
}

#define JP_ONES UINT64_C(0x0101010101010101)
#define JP_HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t jp_haszero(uint64_t v) {
  return (v - JP_ONES) & ~v & JP_HIGHS;
}

/* Finds the closing quote of the string whose body starts at s, validating
 * it (UTF-8, escapes, no raw control bytes). *esc becomes 1 when the body
 * has escapes. Returns the position of the quote, or NULL. Plain ASCII is
 * skipped eight bytes at a time (SWAR), sixteen (SSE2) once a string proves
 * long; only a special byte takes the slow path. Wide loads happen only
 * while that many bytes remain: never a read past p->end. */
static inline const uint8_t *jp_scan_string(jp *p, const uint8_t *s, int *esc) {
  const uint8_t *end = p->end;
  for (;;) {
    while (end - s >= 8) {
      uint64_t w;
      memcpy(&w, s, 8);
      uint64_t hit = jp_haszero(w ^ (JP_ONES * '"')) |
                     jp_haszero(w ^ (JP_ONES * '\\')) |
                     ((w - JP_ONES * 0x20) & ~w & JP_HIGHS) | (w & JP_HIGHS);
      if (hit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* The lowest flagged byte is a true hit (a borrow only ever flags
         * bytes above a real one): jump straight to it. */
        s += __builtin_ctzll(hit) >> 3;
#endif
        break;
      }
      s += 8;
#ifdef __SSE2__
      /* Past the first 8 bytes the string is a long one: 16 per step, a
       * signed compare with 0x20 flagging control bytes and every byte
       * >= 0x80 at once. (Short strings, most names and values, are faster
       * with the 8-byte step alone.) */
      while (end - s >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i flags =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
        unsigned m = (unsigned)_mm_movemask_epi8(flags);
        if (m) {
          s += __builtin_ctz(m);
          goto special;
        }
        s += 16;
      }
#endif
    }
#ifdef __SSE2__
  special:
#endif
    if (s >= end)
      return jp_failf(p, s, "unterminated string");
    uint8_t c = *s;
    if (c == '"')
      return s;
    if (c >= 0x20 && c < 0x80 && c != '\\') {
      s++;
      continue;
    }
    if (!(s = jp_string_special(p, s, esc)))
      return NULL;
  }
}

static inline int jp_isdigit(uint8_t c) { return c >= '0' && c <= '9'; }

/* Scans a number at s (a '-' or a digit) by RFC 8259's grammar. */
static inline const uint8_t *jp_scan_number(jp *p, const uint8_t *s,
                                            jp_num *n) {
  const uint8_t *end = p->end, *t = s;
  uint64_t m = 0;
  int nd = 0;
  int32_t e = 0;
  n->start = s;
  n->neg = 0;
  n->integral = 1;
  n->trunc = 0;
  if (*t == '-') {
    n->neg = 1;
    t++;
  }
  if (t >= end || !jp_isdigit(*t))
    return jp_fail(p, t, "a digit");
  if (*t == '0') {
    t++;
    if (t < end && jp_isdigit(*t))
      return jp_failf(p, t - 1,
                      "a number may not start with 0 (leading zeros "
                      "are not JSON)");
  } else {
    for (; t < end && jp_isdigit(*t); t++) {
      if (nd < 19) {
        m = m * 10 + (uint64_t)(*t - '0');
        nd++;
      } else {
        n->trunc |= *t != '0';
        if (e < 100000000) /* bounded: the exponent is added below */
          e++;
      }
    }
  }
  if (t < end && *t == '.') {
    t++;
    n->integral = 0;
    if (t >= end || !jp_isdigit(*t))
      return jp_fail(p, t, "a digit after the decimal point");
    for (; t < end && jp_isdigit(*t); t++) {
      if (m == 0 && *t == '0') {
        if (e > -100000000)
          e--;
      } else if (nd < 19) {
        m = m * 10 + (uint64_t)(*t - '0');
        nd++;
        e--;
      } else {
        n->trunc |= *t != '0';
      }
    }
  }
  if (t < end && (*t == 'e' || *t == 'E')) {
    int32_t x = 0, sign = 1;
    t++;
    n->integral = 0;
    if (t < end && (*t == '+' || *t == '-'))
      sign = *t++ == '-' ? -1 : 1;
    if (t >= end || !jp_isdigit(*t))
      return jp_fail(p, t, "a digit in the exponent");
    for (; t < end && jp_isdigit(*t); t++)
      if (x < 1000000)
        x = x * 10 + (*t - '0');
    e += sign * x;
  }
  n->mant = m;
  n->exp10 = e;
  n->end = t;
  return t;
}

/* The number as an int64: 1 when integral and in range. */
static inline int jp_num_int(const jp_num *n, int64_t *out) {
  if (!n->integral || n->trunc || n->exp10 != 0)
    return 0;
  if (n->neg) {
    if (n->mant > (uint64_t)INT64_MAX + 1)
      return 0;
    *out = n->mant == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)n->mant;
  } else {
    if (n->mant > (uint64_t)INT64_MAX)
      return 0;
    *out = (int64_t)n->mant;
  }
  return 1;
}

/* The number as a double. Clinger's fast path: a mantissa of at most 53 bits
 * times or over an exact power of ten is one correctly rounded operation. */
static inline double jp_num_double(jp *p, const jp_num *n) {
  static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (!n->trunc && n->mant <= (UINT64_C(1) << 53) && n->exp10 >= -22 &&
      n->exp10 <= 22) {
    double d = (double)n->mant;
    d = n->exp10 >= 0 ? d * pow10[n->exp10] : d / pow10[-n->exp10];
    return n->neg ? -d : d;
  }
  if (n->mant == 0)
    return n->neg ? -0.0 : 0.0;
  return jp_num_double_slow(p, n);
}

#endif
