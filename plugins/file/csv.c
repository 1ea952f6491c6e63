/* plugins/file/csv.c — CSV fields and conversions for the file source (see
 * csv.h). Unquoted fields point into the line; only quoted fields are
 * copied, into a scratch area as long as the line, reserved before the
 * split so pointers into it never move during one line. */
#include "csv.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tsparse.h"

static int push(csv_splitter *sp, const char *p, size_t len, int quoted) {
  if (sp->n == sp->cap) {
    if (sp->cap >= CSV_MAX_COLUMNS)
      return CSV_ERR_COLUMNS;
    size_t cap = sp->cap ? sp->cap * 2 : 16;
    csv_field *f = realloc(sp->f, cap * sizeof *f);
    if (!f)
      return CSV_ERR_NOMEM;
    sp->f = f;
    sp->cap = cap;
  }
  sp->f[sp->n].p = p;
  sp->f[sp->n].len = len;
  sp->f[sp->n].quoted = quoted;
  sp->n++;
  return CSV_OK;
}

int csv_split(csv_splitter *sp, const csv_opts *o, const char *line,
              size_t len) {
  sp->n = 0;
  if (len + 1 > sp->scap) {
    size_t cap = sp->scap ? sp->scap : 256;
    while (cap < len + 1)
      cap *= 2;
    char *s = realloc(sp->scratch, cap);
    if (!s)
      return CSV_ERR_NOMEM;
    sp->scratch = s;
    sp->scap = cap;
  }
  char *out = sp->scratch;
  const char sep = (char)o->sep;
  size_t i = 0;
  for (;;) {
    int rc;
    if (o->quote >= 0 && i < len && line[i] == (char)o->quote) {
      const char q = (char)o->quote;
      char *start = out;
      int closed = 0;
      i++;
      while (i < len) {
        char c = line[i];
        if (o->escape >= 0 && c == (char)o->escape && o->escape != o->quote &&
            i + 1 < len && (line[i + 1] == q || line[i + 1] == c)) {
          *out++ = line[i + 1];
          i += 2;
        } else if (c == q) {
          if (i + 1 < len && line[i + 1] == q) { /* "" inside quotes */
            *out++ = q;
            i += 2;
          } else {
            i++;
            closed = 1;
            break;
          }
        } else {
          *out++ = c;
          i++;
        }
      }
      if (!closed)
        return CSV_ERR_QUOTE;
      /* STOP_AT_DELIMITER: keep what follows the closing quote. */
      while (i < len && line[i] != sep)
        *out++ = line[i++];
      rc = push(sp, start, (size_t)(out - start), 1);
    } else {
      const char *p = line + i;
      const char *e = memchr(p, sep, len - i);
      size_t n = e ? (size_t)(e - p) : len - i;
      i += n;
      rc = push(sp, p, n, 0);
    }
    if (rc != CSV_OK)
      return rc;
    if (i >= len)
      return CSV_OK;
    i++; /* the separator; a trailing one opens an empty last field */
    if (i == len)
      return push(sp, line + i, 0, 0);
  }
}

void csv_splitter_free(csv_splitter *sp) {
  free(sp->f);
  free(sp->scratch);
  memset(sp, 0, sizeof *sp);
}

static int parse_i64(const char *s, size_t len, int64_t *out) {
  size_t i = 0;
  int neg = 0;
  uint64_t v = 0;
  if (i < len && (s[i] == '-' || s[i] == '+'))
    neg = s[i++] == '-';
  if (i == len)
    return -1;
  for (; i < len; i++) {
    if (!isdigit((unsigned char)s[i]))
      return -1;
    unsigned d = (unsigned)(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10)
      return -1;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > (uint64_t)INT64_MAX + 1)
      return -1;
    *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
  } else {
    if (v > (uint64_t)INT64_MAX)
      return -1;
    *out = (int64_t)v;
  }
  return 0;
}

static int parse_f64(const char *s, size_t len, double *out) {
  char tmp[128];
  if (len == 0 || len >= sizeof tmp)
    return -1;
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  /* Spark's nanValue / positiveInf / negativeInf defaults, and Java's
   * Double.parseDouble spellings. strtod alone would also take hex, "inf"
   * in any case and leading blanks, which Spark refuses. */
  if (strcmp(tmp, "NaN") == 0) {
    *out = NAN;
    return 0;
  }
  if (strcmp(tmp, "Inf") == 0 || strcmp(tmp, "Infinity") == 0 ||
      strcmp(tmp, "+Infinity") == 0) {
    *out = INFINITY;
    return 0;
  }
  if (strcmp(tmp, "-Inf") == 0 || strcmp(tmp, "-Infinity") == 0) {
    *out = -INFINITY;
    return 0;
  }
  for (size_t i = 0; i < len; i++)
    if (!isdigit((unsigned char)tmp[i]) && !strchr("+-.eE", tmp[i]))
      return -1;
  char *end;
  errno = 0;
  double d = strtod(tmp, &end);
  if (end != tmp + len || (errno == ERANGE && isinf(d)))
    return -1;
  *out = d;
  return 0;
}

int csv_convert(weir_type t, const char *s, size_t len, const char *tsfmt,
                csv_cell *out) {
  out->null = 0;
  out->s = s;
  out->len = len;
  switch (t) {
  case WEIR_T_INT: return parse_i64(s, len, &out->v.i);
  case WEIR_T_FLOAT: return parse_f64(s, len, &out->v.f);
  case WEIR_T_BOOL:
    if (len == 4 && strncasecmp(s, "true", 4) == 0)
      out->v.b = 1;
    else if (len == 5 && strncasecmp(s, "false", 5) == 0)
      out->v.b = 0;
    else
      return -1;
    return 0;
  case WEIR_T_TIMESTAMP: return ts_parse(tsfmt, s, len, &out->v.ts);
  case WEIR_T_STRING:
  case WEIR_T_BINARY: return 0;
  default: return -1;
  }
}

int csv_char_option(const char *text, int *out) {
  if (!text || !*text) {
    *out = -1;
    return 0;
  }
  size_t n = strlen(text);
  if (n == 1) {
    *out = (unsigned char)text[0];
    return 0;
  }
  if (n == 3 && (text[0] == '"' || text[0] == '\'') && text[2] == text[0]) {
    *out = (unsigned char)text[1]; /* ";" — a bare ; starts an INI comment */
    return 0;
  }
  if (text[0] != '\\')
    return -1;
  if (n == 2 && ispunct((unsigned char)text[1])) { /* \; \, \| ... */
    *out = (unsigned char)text[1];
    return 0;
  }
  if (n == 2) {
    switch (text[1]) {
    case 't': *out = '\t'; return 0;
    case '\\': *out = '\\'; return 0;
    case '0': *out = 0; return 0;
    case '\'': *out = '\''; return 0;
    case '"': *out = '"'; return 0;
    default: return -1;
    }
  }
  if (n == 6 && text[1] == 'u') {
    char *end;
    long v = strtol(text + 2, &end, 16);
    if (*end || v < 0 || v > 127)
      return -1;
    *out = (int)v;
    return 0;
  }
  return -1;
}
