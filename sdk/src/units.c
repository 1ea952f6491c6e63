/* units.c — the text forms of durations, sizes, timestamps and doubles:
 * parsing what users write in INI files (with errors that point at the
 * offending offset) and printing values the way Spark prints them. All
 * arithmetic is exact integer arithmetic: "1.5 hours" is exactly 5400 s. */
#include <ctype.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "internal.h"
#include "weir/units.h"

/* ---- shared helpers ----------------------------------------------------- */

static int fail(char *err, size_t errlen, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, size_t at, const char *fmt, ...) {
  if (err && errlen) {
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "offset %zu: %s", at, msg);
  }
  return WEIR_ERR_INVALID;
}

/* What stands at s for an error message: a word, one character, or the end. */
static void found(const char *s, char *out, size_t n) {
  size_t len = 0;
  if (!*s) {
    snprintf(out, n, "end of input");
    return;
  }
  while (s[len] && !isspace((unsigned char)s[len]) && len < 24)
    len++;
  snprintf(out, n, "'%.*s'", (int)len, s);
}

static int64_t gcd64(int64_t a, int64_t b) {
  while (b) {
    int64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* A non-negative decimal number: integer part and up to 18 significant
 * fractional digits as frac / 10^fdigits. Returns 0 when no digits. */
typedef struct decimal {
  int64_t whole, frac, scale; /* value = whole + frac / scale */
  int overflow, lost;         /* too large; fraction digits past 18 */
} decimal;

static size_t read_decimal(const char *s, decimal *d) {
  size_t i = 0, digits = 0;
  memset(d, 0, sizeof *d);
  d->scale = 1;
  while (isdigit((unsigned char)s[i])) {
    int c = s[i++] - '0';
    digits++;
    if (d->whole > (INT64_MAX - c) / 10)
      d->overflow = 1;
    else
      d->whole = d->whole * 10 + c;
  }
  if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
    i++;
    while (isdigit((unsigned char)s[i])) {
      int c = s[i++] - '0';
      digits++;
      if (d->scale <= INT64_MAX / 10 / 10) {
        d->frac = d->frac * 10 + c;
        d->scale *= 10;
      } else if (c) {
        d->lost = 1;
      }
    }
  }
  return digits ? i : 0;
}

/* d × unit, exactly; 0 ok, -1 overflow, -2 not a whole number. */
static int scale_decimal(const decimal *d, int64_t unit, int64_t *out) {
  if (d->overflow || (d->whole && unit > INT64_MAX / d->whole))
    return -1;
  int64_t r = d->whole * unit;
  if (d->frac) {
    /* frac·unit/scale is whole iff scale/g divides frac, g = gcd(unit, scale).
     */
    int64_t g = gcd64(unit, d->scale), den = d->scale / g, u = unit / g;
    if (d->frac % den)
      return -2;
    int64_t q = d->frac / den;
    if (q > INT64_MAX / u || r > INT64_MAX - q * u)
      return -1;
    r += q * u;
  }
  if (d->lost)
    return -2;
  *out = r;
  return 0;
}

/* ---- durations ---------------------------------------------------------- */

static const struct {
  const char *word;
  int64_t us;
} dur_units[] = {
    {"us", 1},
    {"usec", 1},
    {"usecs", 1},
    {"\xc2\xb5s", 1},
    {"micro", 1},
    {"micros", 1},
    {"microsecond", 1},
    {"microseconds", 1},
    {"ms", 1000},
    {"msec", 1000},
    {"msecs", 1000},
    {"milli", 1000},
    {"millis", 1000},
    {"millisecond", 1000},
    {"milliseconds", 1000},
    {"s", WEIR_US_PER_SEC},
    {"sec", WEIR_US_PER_SEC},
    {"secs", WEIR_US_PER_SEC},
    {"second", WEIR_US_PER_SEC},
    {"seconds", WEIR_US_PER_SEC},
    {"m", 60 * WEIR_US_PER_SEC},
    {"min", 60 * WEIR_US_PER_SEC},
    {"mins", 60 * WEIR_US_PER_SEC},
    {"minute", 60 * WEIR_US_PER_SEC},
    {"minutes", 60 * WEIR_US_PER_SEC},
    {"h", 3600 * WEIR_US_PER_SEC},
    {"hr", 3600 * WEIR_US_PER_SEC},
    {"hrs", 3600 * WEIR_US_PER_SEC},
    {"hour", 3600 * WEIR_US_PER_SEC},
    {"hours", 3600 * WEIR_US_PER_SEC},
    {"d", 86400 * WEIR_US_PER_SEC},
    {"day", 86400 * WEIR_US_PER_SEC},
    {"days", 86400 * WEIR_US_PER_SEC},
    {"w", 604800 * WEIR_US_PER_SEC},
    {"week", 604800 * WEIR_US_PER_SEC},
    {"weeks", 604800 * WEIR_US_PER_SEC},
};

#define DUR_UNITS "a unit (us, ms, s, m, h, d, w or their names)"

static size_t unit_word_len(const char *s) {
  size_t i = 0;
  for (;;) {
    if (isalpha((unsigned char)s[i]))
      i++;
    else if ((unsigned char)s[i] == 0xc2 && (unsigned char)s[i + 1] == 0xb5)
      i += 2; /* µ */
    else
      return i;
  }
}

int weir_parse_duration(const char *s, int64_t *us, char *err, size_t errlen) {
  char what[40];
  size_t i = 0, parts = 0;
  int64_t total = 0;
  if (err && errlen)
    err[0] = 0;
  if (!s)
    s = "";
  while (isspace((unsigned char)s[i]))
    i++;
  /* Spark writes "interval 10 seconds"; accept it as written. */
  if (strncasecmp(s + i, "interval", 8) == 0 &&
      isspace((unsigned char)s[i + 8]))
    for (i += 8; isspace((unsigned char)s[i]);)
      i++;
  for (;;) {
    while (isspace((unsigned char)s[i]) || (parts && s[i] == ','))
      i++;
    if (!s[i])
      break;
    size_t num_at = i;
    decimal d;
    size_t nl = read_decimal(s + i, &d);
    if (!nl) {
      found(s + i, what, sizeof what);
      return fail(err, errlen, i, "expected %s, found %s",
                  s[i] == '-' ? "a non-negative number" : "a number", what);
    }
    i += nl;
    while (isspace((unsigned char)s[i]))
      i++;
    size_t ul = unit_word_len(s + i);
    int64_t unit = -1;
    if (ul == 0) {
      size_t j = i;
      while (isspace((unsigned char)s[j]))
        j++;
      if (parts == 0 && !s[j])
        unit = WEIR_US_PER_SEC; /* a bare number is seconds */
      else {
        found(s + i, what, sizeof what);
        return fail(err, errlen, i, "expected %s, found %s", DUR_UNITS, what);
      }
    } else {
      for (size_t k = 0; k < sizeof dur_units / sizeof dur_units[0]; k++)
        if (strlen(dur_units[k].word) == ul &&
            strncasecmp(s + i, dur_units[k].word, ul) == 0)
          unit = dur_units[k].us;
      if (unit < 0) {
        snprintf(what, sizeof what, "'%.*s'", (int)(ul < 24 ? ul : 24), s + i);
        if (strncasecmp(s + i, "month", 5) == 0 ||
            strncasecmp(s + i, "year", 4) == 0)
          return fail(err, errlen, i,
                      "expected %s, found %s (durations have a fixed length: "
                      "use days)",
                      DUR_UNITS, what);
        return fail(err, errlen, i, "expected %s, found %s", DUR_UNITS, what);
      }
      i += ul;
    }
    int64_t v;
    int rc = scale_decimal(&d, unit, &v);
    if (rc == -2)
      return fail(err, errlen, num_at,
                  "expected a whole number of microseconds, found '%.*s'",
                  (int)(i - num_at < 24 ? i - num_at : 24), s + num_at);
    if (rc < 0 || v > INT64_MAX - total)
      return fail(err, errlen, num_at, "duration too large");
    total += v;
    parts++;
  }
  if (parts == 0)
    return fail(err, errlen, i, "expected a duration, found end of input");
  *us = total;
  return WEIR_OK;
}

int weir_format_duration(int64_t us, char *out, size_t n) {
  static const struct {
    int64_t us;
    const char *one, *many;
  } units[] = {
      {86400 * WEIR_US_PER_SEC, "day", "days"},
      {3600 * WEIR_US_PER_SEC, "hour", "hours"},
      {60 * WEIR_US_PER_SEC, "minute", "minutes"},
      {WEIR_US_PER_SEC, "second", "seconds"},
      {1000, "ms", "ms"},
      {1, "us", "us"},
  };
  if (us == 0)
    return snprintf(out, n, "0 seconds");
  for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
    if (us % units[k].us == 0) {
      int64_t q = us / units[k].us;
      return snprintf(out, n, "%" PRId64 " %s", q,
                      q == 1 || q == -1 ? units[k].one : units[k].many);
    }
  return 0; /* unreachable: every value is a whole number of µs */
}

/* ---- sizes -------------------------------------------------------------- */

int weir_parse_size(const char *s, int64_t *bytes, char *err, size_t errlen) {
  static const struct {
    const char *word;
    int shift;
  } units[] = {
      {"", 0},     {"b", 0},    {"byte", 0}, {"bytes", 0}, {"k", 10},
      {"kb", 10},  {"kib", 10}, {"m", 20},   {"mb", 20},   {"mib", 20},
      {"g", 30},   {"gb", 30},  {"gib", 30}, {"t", 40},    {"tb", 40},
      {"tib", 40}, {"p", 50},   {"pb", 50},  {"pib", 50},
  };
  char what[40];
  size_t i = 0;
  if (err && errlen)
    err[0] = 0;
  if (!s)
    s = "";
  while (isspace((unsigned char)s[i]))
    i++;
  decimal d;
  size_t nl = read_decimal(s + i, &d);
  if (!nl) {
    found(s + i, what, sizeof what);
    return fail(err, errlen, i, "expected %s, found %s",
                s[i] == '-' ? "a non-negative size" : "a size", what);
  }
  size_t num_at = i;
  i += nl;
  while (s[i] == ' ' || s[i] == '\t')
    i++;
  size_t unit_at = i, ul = 0;
  while (isalpha((unsigned char)s[i + ul]))
    ul++;
  size_t j = i + ul;
  while (isspace((unsigned char)s[j]))
    j++;
  int shift = -1;
  for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
    if (strlen(units[k].word) == ul &&
        strncasecmp(s + i, units[k].word, ul) == 0)
      shift = units[k].shift;
  if (shift < 0 || s[j]) {
    size_t at = shift < 0 ? unit_at : j;
    found(s + at, what, sizeof what);
    return fail(err, errlen, at, "expected %s, found %s",
                shift < 0 ? "a unit (B, KB, MB, GB, TB, KiB, ...)"
                          : "end of input",
                what);
  }
  int64_t v;
  int rc = scale_decimal(&d, INT64_C(1) << shift, &v);
  if (rc == -2)
    return fail(err, errlen, num_at,
                "expected a whole number of bytes, found '%.*s'",
                (int)(j - num_at < 24 ? j - num_at : 24), s + num_at);
  if (rc < 0)
    return fail(err, errlen, num_at, "size too large");
  *bytes = v;
  return WEIR_OK;
}

/* ---- calendar ----------------------------------------------------------- */

/* Howard Hinnant's days_from_civil / civil_from_days: exact for the whole
 * proleptic Gregorian calendar, negative years included. */
int64_t weir_days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

void weir_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, unsigned m) {
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return dm[m - 1];
}

/* ---- timestamps --------------------------------------------------------- */

/* Exactly `n` digits at s[*i]; -1 when not. */
static int digits(const char *s, size_t len, size_t *i, int n) {
  int v = 0;
  for (int k = 0; k < n; k++) {
    if (*i >= len || !isdigit((unsigned char)s[*i]))
      return -1;
    v = v * 10 + (s[(*i)++] - '0');
  }
  return v;
}

int weir_parse_timestamp(const char *s, size_t len, int64_t *us) {
  size_t i = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  int64_t frac = 0, off = 0;
  if (!s || (y = digits(s, len, &i, 4)) < 0 || i >= len || s[i++] != '-' ||
      (mo = digits(s, len, &i, 2)) < 0 || i >= len || s[i++] != '-' ||
      (d = digits(s, len, &i, 2)) < 0)
    return WEIR_ERR_INVALID;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (unsigned)mo))
    return WEIR_ERR_INVALID;
  if (i < len) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
      return WEIR_ERR_INVALID;
    i++;
    if ((h = digits(s, len, &i, 2)) < 0 || i >= len || s[i++] != ':' ||
        (mi = digits(s, len, &i, 2)) < 0)
      return WEIR_ERR_INVALID;
    if (i < len && s[i] == ':') {
      i++;
      if ((sec = digits(s, len, &i, 2)) < 0)
        return WEIR_ERR_INVALID;
      if (i < len && s[i] == '.') {
        int nd = 0;
        i++;
        while (i < len && isdigit((unsigned char)s[i])) {
          if (nd < 6)
            frac = frac * 10 + (s[i] - '0');
          nd++;
          i++;
        }
        if (nd == 0 || nd > 9)
          return WEIR_ERR_INVALID;
        for (int k = nd; k < 6; k++)
          frac *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 59)
      return WEIR_ERR_INVALID;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
      i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
      int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
      if ((oh = digits(s, len, &i, 2)) < 0)
        return WEIR_ERR_INVALID;
      if (i < len && s[i] == ':')
        i++, om = digits(s, len, &i, 2);
      else if (i < len)
        om = digits(s, len, &i, 2);
      if (om < 0 || oh > 18 || om > 59)
        return WEIR_ERR_INVALID;
      off = sign * ((int64_t)oh * 3600 + om * 60);
    }
  }
  if (i != len)
    return WEIR_ERR_INVALID;
  int64_t days = weir_days_from_civil(y, (unsigned)mo, (unsigned)d);
  *us = ((days * 86400 + h * 3600 + mi * 60 + sec) - off) * WEIR_US_PER_SEC +
        frac;
  return WEIR_OK;
}

int weir_format_timestamp(int64_t us, int style, char *out, size_t n) {
  /* Floor division, so that times before 1970 land in the right second. */
  int64_t sec = us / WEIR_US_PER_SEC, frac = us % WEIR_US_PER_SEC;
  if (frac < 0) {
    frac += WEIR_US_PER_SEC;
    sec--;
  }
  int64_t days = sec / 86400, tod = sec % 86400;
  if (tod < 0) {
    tod += 86400;
    days--;
  }
  int64_t y;
  unsigned m, d;
  weir_civil_from_days(days, &y, &m, &d);
  int hh = (int)(tod / 3600), mm = (int)(tod / 60 % 60), ss = (int)(tod % 60);
  if (y < 0 || y > 9999) {
    /* Far outside everyday dates: printf does the odd widths and signs. */
    char fr[10] = "";
    if (style == WEIR_TS_SPARK ? frac != 0 : 1)
      snprintf(fr, sizeof fr, ".%06d", (int)frac);
    return snprintf(out, n, "%05" PRId64 "-%02u-%02u%c%02d:%02d:%02d%s%s", y, m,
                    d, style == WEIR_TS_SPARK ? ' ' : 'T', hh, mm, ss, fr,
                    style == WEIR_TS_SPARK ? "" : "Z");
  }
  /* Sinks format a timestamp per row, so digits are written by hand. */
  char t[40];
  size_t k = 0;
#define TWO(v)                                                                 \
  (t[k++] = (char)('0' + (v) / 10), t[k++] = (char)('0' + (v) % 10))
  TWO((int)(y / 100));
  TWO((int)(y % 100));
  t[k++] = '-';
  TWO((int)m);
  t[k++] = '-';
  TWO((int)d);
  t[k++] = style == WEIR_TS_SPARK ? ' ' : 'T';
  TWO(hh);
  t[k++] = ':';
  TWO(mm);
  t[k++] = ':';
  TWO(ss);
#undef TWO
  int digits = style == WEIR_TS_SPARK ? (frac ? 6 : 0) : frac % 1000 ? 6 : 3;
  if (digits) {
    int f = (int)frac;
    t[k++] = '.';
    for (int i = 5; i >= 0; i--) {
      t[k + (size_t)i] = (char)('0' + f % 10);
      f /= 10;
    }
    k += 6;
    if (style == WEIR_TS_SPARK)
      while (t[k - 1] == '0')
        k--;
    else
      k -= (size_t)(6 - digits);
  }
  if (style != WEIR_TS_SPARK)
    t[k++] = 'Z';
  t[k] = 0;
  if (n) {
    size_t c = k < n - 1 ? k : n - 1;
    memcpy(out, t, c);
    out[c] = 0;
  }
  return (int)k;
}

/* ---- doubles ------------------------------------------------------------ */

/* The shortest decimal digits that read back to v (v finite, > 0), as
 * "d1d2...dn" with v = d1.d2...dn × 10^exp10. Returns n. When two texts of
 * that length read back, printf's correct rounding picks the closer one, as
 * Java and JavaScript do. */
static int round_trips(double v, int single, int p, char *buf, size_t n) {
  snprintf(buf, n, "%.*e", p - 1, v);
  return single ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v;
}

static int shortest_digits(double v, int single, char *dig, int *exp10) {
  char buf[40];
  /* Integers below 2^53 are their own shortest form; no printf needed. */
  if (!single && v < 9007199254740992.0 && v == (double)(int64_t)v) {
    int64_t i = (int64_t)v;
    int n = 0;
    char rev[24];
    while (i) {
      rev[n++] = (char)('0' + i % 10);
      i /= 10;
    }
    *exp10 = n - 1;
    for (int k = 0; k < n; k++)
      dig[k] = rev[n - 1 - k];
    while (n > 1 && dig[n - 1] == '0')
      n--;
    dig[n] = 0;
    return n;
  }
  /* At most one decimal of DBL_DIG (15) significant digits lies within a
   * normal double's rounding interval, so when the 15-digit rounding reads
   * back, it is the shortest form once its trailing zeros go; otherwise 16,
   * then 17 digits (always enough). Floats: 6 up to 9. */
  int p = single ? 6 : 15, maxp = single ? 9 : 17;
  /* Subnormals carry fewer bits, so fewer digits may do: search from 1. */
  if (v < (single ? (double)FLT_MIN : DBL_MIN))
    p = 1;
  while (p < maxp && !round_trips(v, single, p, buf, sizeof buf))
    p++;
  if (p == maxp)
    snprintf(buf, sizeof buf, "%.*e", p - 1, v);
  int n = 0;
  const char *q = buf;
  for (; *q && *q != 'e'; q++)
    if (isdigit((unsigned char)*q))
      dig[n++] = *q;
  while (n > 1 && dig[n - 1] == '0')
    n--;
  dig[n] = 0;
  *exp10 = atoi(q + 1);
  return n;
}

/* Lays out the digits as Java's Double.toString or as JavaScript's
 * Number.toString (the "JSON" style) would. */
static int layout_double(double v, int single, int java, char *out, size_t n) {
  char buf[64], dig[24];
  size_t k = 0;
  if (isnan(v))
    return snprintf(out, n, "NaN");
  if (isinf(v))
    return snprintf(out, n, v < 0 ? "-Infinity" : "Infinity");
  if (signbit(v))
    buf[k++] = '-';
  if (v == 0)
    return snprintf(out, n, "%s%s", k ? "-" : "", java ? "0.0" : "0");
  int e, nd = shortest_digits(fabs(v), single, dig, &e);
  if (java && nd == 1) {
    /* Java picks among 1- and 2-digit texts the one closest to v, so
     * Double.MIN_VALUE prints 4.9E-324 where JavaScript prints 5e-324. */
    char two[40];
    if (round_trips(fabs(v), single, 2, two, sizeof two) && two[2] != '0') {
      dig[0] = two[0];
      dig[1] = two[2];
      dig[2] = 0;
      nd = 2;
      e = atoi(two + 4);
    }
  }
  int fixed = java ? (e >= -3 && e < 7) : (e >= -6 && e < 21);
  if (fixed && e >= 0) {
    for (int i = 0; i <= e; i++)
      buf[k++] = i < nd ? dig[i] : '0';
    if (nd > e + 1) {
      buf[k++] = '.';
      for (int i = e + 1; i < nd; i++)
        buf[k++] = dig[i];
    } else if (java) {
      buf[k++] = '.';
      buf[k++] = '0';
    }
  } else if (fixed) {
    buf[k++] = '0';
    buf[k++] = '.';
    for (int i = -1; i > e; i--)
      buf[k++] = '0';
    for (int i = 0; i < nd; i++)
      buf[k++] = dig[i];
  } else {
    buf[k++] = dig[0];
    if (nd > 1 || java) {
      buf[k++] = '.';
      if (nd == 1)
        buf[k++] = '0';
      for (int i = 1; i < nd; i++)
        buf[k++] = dig[i];
    }
    k += (size_t)snprintf(buf + k, sizeof buf - k, java ? "E%d" : "e%+d", e);
  }
  buf[k] = 0;
  return snprintf(out, n, "%s", buf);
}

int weir_format_double(double v, int java_style, char *out, size_t n) {
  return layout_double(v, 0, java_style, out, n);
}

/* The same for a msgpack float32, so that 0.1f prints as 0.1 rather than
 * as the double it widens to. */
int weir__format_float32(float v, int java_style, char *out, size_t n) {
  return layout_double((double)v, 1, java_style, out, n);
}
