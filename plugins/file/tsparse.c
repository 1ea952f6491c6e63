/* plugins/file/tsparse.c — timestamp parsing for text records: ISO-8601,
 * epoch seconds, and the strftime-like subset of `timestamp_format`
 * (tsparse.h lists it). A hand-written matcher rather than strptime(3):
 * strptime depends on the locale and the process time zone, knows no
 * fractions and reports no errors precisely; this one is pure and UTC. */
#include "tsparse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "weir/units.h"

#define US INT64_C(1000000)

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

int ts_format_check(const char *fmt, char *err, size_t errlen) {
  if (!fmt || !*fmt) {
    snprintf(err, errlen, "timestamp_format is empty");
    return -1;
  }
  int has_p = 0, has_i = 0;
  for (const char *p = fmt; *p; p++) {
    if (*p != '%')
      continue;
    p++;
    if (!*p) {
      snprintf(err, errlen, "timestamp_format '%s' ends with a lone %%", fmt);
      return -1;
    }
    if (!strchr("YymbhBdejHIMSfzZsTFDp%", *p)) {
      snprintf(err, errlen,
               "timestamp_format '%s': %%%c is not supported (use %%Y %%y %%m "
               "%%b %%B %%d %%e %%j %%H %%I %%p %%M %%S %%f %%z %%Z %%s %%T "
               "%%F %%D %%%%)",
               fmt, *p);
      return -1;
    }
    has_p |= *p == 'p';
    has_i |= *p == 'I';
  }
  if (has_i != has_p) {
    snprintf(err, errlen,
             "timestamp_format '%s': %%I (12-hour clock) and %%p (AM/PM) go "
             "together",
             fmt);
    return -1;
  }
  return 0;
}

/* Up to `maxd` digits (at least one) at s[*i]. */
static int num(const char *s, size_t len, size_t *i, int maxd, int64_t *v) {
  int nd = 0;
  int64_t x = 0;
  while (*i < len && nd < maxd && isdigit((unsigned char)s[*i])) {
    x = x * 10 + (s[(*i)++] - '0');
    nd++;
  }
  *v = x;
  return nd ? 0 : -1;
}

static int is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

typedef struct tm_fields {
  int64_t year, mon, day, yday, hour, min, sec, frac, off, epoch;
  int has_yday, pm, has_p, has_epoch, leap_sec;
} tm_fields;

static int match_zone(const char *s, size_t len, size_t *i, int64_t *off) {
  if (*i < len && (s[*i] == 'Z' || s[*i] == 'z')) {
    (*i)++;
    *off = 0;
    return 0;
  }
  if (*i >= len || (s[*i] != '+' && s[*i] != '-'))
    return -1;
  int sign = s[(*i)++] == '-' ? -1 : 1;
  int64_t hh, mm = 0;
  size_t at = *i;
  if (num(s, len, i, 2, &hh) || *i - at != 2)
    return -1;
  if (*i < len && s[*i] == ':')
    (*i)++;
  if (*i < len && isdigit((unsigned char)s[*i])) {
    at = *i;
    if (num(s, len, i, 2, &mm) || *i - at != 2)
      return -1;
  }
  if (hh > 18 || mm > 59)
    return -1;
  *off = sign * (hh * 3600 + mm * 60);
  return 0;
}

static int match(const char *fmt, const char *s, size_t len, size_t *i,
                 tm_fields *t);

static int match_conv(char c, const char *s, size_t len, size_t *i,
                      tm_fields *t) {
  int64_t v;
  switch (c) {
  case 'Y': {
    size_t at = *i;
    if (num(s, len, i, 4, &t->year) || *i - at != 4)
      return -1;
    return 0;
  }
  case 'y':
    if (num(s, len, i, 2, &v))
      return -1;
    t->year = v < 69 ? 2000 + v : 1900 + v;
    return 0;
  case 'm':
    return num(s, len, i, 2, &t->mon) || t->mon < 1 || t->mon > 12 ? -1 : 0;
  case 'b':
  case 'h':
  case 'B':
    for (int k = 0; k < 12; k++) {
      size_t full = strlen(month_names[k]);
      if (len - *i >= full && strncasecmp(s + *i, month_names[k], full) == 0) {
        *i += full;
        t->mon = k + 1;
        return 0;
      }
      if (len - *i >= 3 && strncasecmp(s + *i, month_names[k], 3) == 0) {
        *i += 3;
        t->mon = k + 1;
        return 0;
      }
    }
    return -1;
  case 'd':
  case 'e':
    if (c == 'e' && *i < len && s[*i] == ' ')
      (*i)++;
    return num(s, len, i, 2, &t->day) || t->day < 1 || t->day > 31 ? -1 : 0;
  case 'j':
    t->has_yday = 1;
    return num(s, len, i, 3, &t->yday) || t->yday < 1 || t->yday > 366 ? -1 : 0;
  case 'H': return num(s, len, i, 2, &t->hour) || t->hour > 23 ? -1 : 0;
  case 'I':
    return num(s, len, i, 2, &t->hour) || t->hour < 1 || t->hour > 12 ? -1 : 0;
  case 'p':
    if (len - *i < 2)
      return -1;
    if (strncasecmp(s + *i, "AM", 2) == 0)
      t->pm = 0;
    else if (strncasecmp(s + *i, "PM", 2) == 0)
      t->pm = 1;
    else
      return -1;
    t->has_p = 1;
    *i += 2;
    return 0;
  case 'M': return num(s, len, i, 2, &t->min) || t->min > 59 ? -1 : 0;
  case 'S':
    if (num(s, len, i, 2, &t->sec) || t->sec > 60)
      return -1;
    if (t->sec == 60) { /* a leap second reads as :59, as most parsers do */
      t->sec = 59;
      t->leap_sec = 1;
    }
    return 0;
  case 'f': {
    int nd = 0;
    t->frac = 0;
    while (*i < len && isdigit((unsigned char)s[*i])) {
      if (nd < 6)
        t->frac = t->frac * 10 + (s[*i] - '0');
      nd++;
      (*i)++;
    }
    if (nd == 0 || nd > 9)
      return -1;
    for (int k = nd; k < 6; k++)
      t->frac *= 10;
    return 0;
  }
  case 'z': return match_zone(s, len, i, &t->off);
  case 'Z':
    if (len - *i >= 3 && (strncasecmp(s + *i, "UTC", 3) == 0 ||
                          strncasecmp(s + *i, "GMT", 3) == 0)) {
      *i += 3;
      return 0;
    }
    if (*i < len && (s[*i] == 'Z' || s[*i] == 'z')) {
      (*i)++;
      return 0;
    }
    return -1;
  case 's': {
    int neg = *i < len && s[*i] == '-';
    if (neg || (*i < len && s[*i] == '+'))
      (*i)++;
    if (num(s, len, i, 12, &v))
      return -1;
    t->epoch = neg ? -v : v;
    t->has_epoch = 1;
    return 0;
  }
  case 'T': return match("%H:%M:%S", s, len, i, t);
  case 'F': return match("%Y-%m-%d", s, len, i, t);
  case 'D': return match("%m/%d/%y", s, len, i, t);
  case '%':
    if (*i < len && s[*i] == '%') {
      (*i)++;
      return 0;
    }
    return -1;
  default: return -1;
  }
}

static int match(const char *fmt, const char *s, size_t len, size_t *i,
                 tm_fields *t) {
  for (const char *p = fmt; *p; p++) {
    if (*p == '%') {
      if (match_conv(*++p, s, len, i, t))
        return -1;
    } else if (isspace((unsigned char)*p)) {
      while (*i < len && isspace((unsigned char)s[*i]))
        (*i)++;
    } else {
      if (*i >= len || s[*i] != *p)
        return -1;
      (*i)++;
    }
  }
  return 0;
}

int ts_parse_format(const char *fmt, const char *s, size_t len, int64_t *us) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  tm_fields t;
  size_t i = 0;
  memset(&t, 0, sizeof t);
  t.year = 1970;
  t.mon = 1;
  t.day = 1;
  if (match(fmt, s, len, &i, &t) || i != len)
    return -1;
  if (t.has_epoch) {
    if (t.epoch > INT64_MAX / US - 1 || t.epoch < INT64_MIN / US + 1)
      return -1;
    *us = t.epoch * US + t.frac;
    return 0;
  }
  if (t.has_p)
    t.hour = t.hour % 12 + (t.pm ? 12 : 0);
  int64_t days;
  if (t.has_yday) {
    if (t.yday > 365 + is_leap(t.year))
      return -1;
    days = weir_days_from_civil(t.year, 1, 1) + t.yday - 1;
  } else {
    int dm = mdays[t.mon - 1] + (t.mon == 2 && is_leap(t.year));
    if (t.day > dm)
      return -1;
    days = weir_days_from_civil(t.year, (unsigned)t.mon, (unsigned)t.day);
  }
  int64_t secs = days * 86400 + t.hour * 3600 + t.min * 60 + t.sec - t.off;
  *us = secs * US + t.frac;
  return 0;
}

int ts_parse_epoch_seconds(const char *s, size_t len, int64_t *us) {
  size_t i = 0;
  int neg = 0;
  int64_t sec = 0, frac = 0;
  if (i < len && (s[i] == '-' || s[i] == '+'))
    neg = s[i++] == '-';
  size_t at = i;
  while (i < len && isdigit((unsigned char)s[i])) {
    if (sec > (INT64_MAX / US - 10) / 10)
      return -1; /* beyond the range of µs timestamps */
    sec = sec * 10 + (s[i++] - '0');
  }
  if (i == at)
    return -1;
  if (i < len && s[i] == '.') {
    int nd = 0;
    i++;
    while (i < len && isdigit((unsigned char)s[i])) {
      if (nd < 6)
        frac = frac * 10 + (s[i] - '0');
      nd++;
      i++;
    }
    for (int k = nd < 6 ? nd : 6; k < 6; k++)
      frac *= 10;
  }
  if (i != len)
    return -1;
  int64_t v = sec * US + frac;
  *us = neg ? -v : v;
  return 0;
}

int ts_parse(const char *fmt, const char *s, size_t len, int64_t *us) {
  if (fmt)
    return ts_parse_format(fmt, s, len, us);
  if (weir_parse_timestamp(s, len, us) == WEIR_OK)
    return 0;
  return ts_parse_epoch_seconds(s, len, us);
}
