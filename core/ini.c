/* ini.c — topology files through inih. Debian's inih is built without
 * INI_HANDLER_LINENO, so line numbers come from our own line reader fed to
 * ini_parse_stream; the reader also sees [section] headers, which is how
 * duplicate and empty sections are caught with their lines. */
#include "ini.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weir/error.h"

typedef struct reader {
  const char *text, *p, *end;
  int line;
  int key_line; /* line of the last key, for continuations */
  int indented; /* the current line starts with white space */
  ini_doc *doc;
  char *err;
  size_t errlen;
  int failed;
} reader;

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

static int fail(reader *r, int line, const char *fmt, const char *a,
                const char *b) {
  if (!r->failed) {
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    snprintf(r->err, r->errlen, "%s:%d: %s", r->doc->file, line, msg);
    r->failed = 1;
  }
  return 0;
}

static ini_section *add_section(reader *r, const char *name, int line) {
  ini_doc *d = r->doc;
  for (size_t i = 0; i < d->n; i++)
    if (strcmp(d->sections[i].name, name) == 0) {
      char prev[32];
      snprintf(prev, sizeof prev, "%d", d->sections[i].line);
      fail(r, line, "duplicate section [%s] (first at line %s)", name, prev);
      return NULL;
    }
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 8;
    ini_section *s = realloc(d->sections, cap * sizeof *s);
    if (!s)
      return NULL;
    d->sections = s;
    d->cap = cap;
  }
  ini_section *s = &d->sections[d->n];
  memset(s, 0, sizeof *s);
  s->name = xstrdup(name);
  s->line = line;
  if (!s->name)
    return NULL;
  d->n++;
  return s;
}

/* Sees every raw line first: counts it and records section headers. */
static char *line_reader(char *str, int num, void *stream) {
  reader *r = stream;
  if (r->p >= r->end || num <= 1)
    return NULL;
  const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
  size_t len = nl ? (size_t)(nl - r->p) + 1 : (size_t)(r->end - r->p);
  size_t copy = len < (size_t)num - 1 ? len : (size_t)num - 1;
  memcpy(str, r->p, copy);
  str[copy] = '\0';
  r->p += len;
  r->line++;
  if (copy < len) {
    fail(r, r->line, "line too long (limit %s characters)%s", "4096", NULL);
    str[0] = '\0';
    return str;
  }
  const char *s = str;
  while (*s == ' ' || *s == '\t')
    s++;
  r->indented = s != str && *s && *s != '\n' && *s != '\r';
  if (*s == '[') {
    const char *close = strchr(s, ']');
    if (close) {
      char name[256];
      size_t n = (size_t)(close - s - 1);
      if (n >= sizeof name)
        n = sizeof name - 1;
      memcpy(name, s + 1, n);
      name[n] = '\0';
      /* trim */
      char *a = name, *e = name + strlen(name);
      while (*a == ' ')
        a++;
      while (e > a && e[-1] == ' ')
        *--e = '\0';
      if (!add_section(r, a, r->line) && !r->failed)
        fail(r, r->line, "out of memory%s%s", NULL, NULL);
    }
  }
  return str;
}

/* Expands ${VAR} from the environment; an unset variable is an error. */
static char *expand(reader *r, const char *v) {
  size_t cap = strlen(v) + 1, len = 0;
  char *out = malloc(cap);
  if (!out)
    return NULL;
  for (const char *p = v; *p;) {
    const char *piece = p;
    size_t plen = 1;
    char name[128];
    if (p[0] == '$' && p[1] == '{') {
      const char *close = strchr(p + 2, '}');
      size_t n = close ? (size_t)(close - p - 2) : 0;
      if (!close || n == 0 || n >= sizeof name) {
        fail(r, r->line, "malformed ${VAR} in value '%s'%s", v, NULL);
        free(out);
        return NULL;
      }
      memcpy(name, p + 2, n);
      name[n] = '\0';
      piece = getenv(name);
      if (!piece) {
        fail(r, r->line, "environment variable '%s' is not set (used as ${%s})",
             name, name);
        free(out);
        return NULL;
      }
      plen = strlen(piece);
      p = close + 1;
    } else {
      p++;
    }
    if (len + plen + 1 > cap) {
      cap = (len + plen + 1) * 2;
      char *o = realloc(out, cap);
      if (!o) {
        free(out);
        return NULL;
      }
      out = o;
    }
    memcpy(out + len, piece, plen);
    len += plen;
  }
  out[len] = '\0';
  return out;
}

static int handler(void *user, const char *section, const char *name,
                   const char *value) {
  reader *r = user;
  if (r->failed)
    return 0;
  ini_doc *d = r->doc;
  if (d->n == 0 || strcmp(d->sections[d->n - 1].name, section) != 0)
    return fail(r, r->line, "key '%s' outside of any [section]", name, NULL);
  ini_section *s = &d->sections[d->n - 1];
  char *v = expand(r, value);
  if (!v)
    return 0;
  for (size_t i = 0; i < s->n; i++) {
    if (strcmp(s->entries[i].key, name) != 0)
      continue;
    if (r->indented && s->entries[i].line == r->key_line &&
        r->line == r->key_line + 1 && *v) {
      /* An indented continuation line: join with a space. */
      size_t a = strlen(s->entries[i].value), b = strlen(v);
      char *j = realloc(s->entries[i].value, a + b + 2);
      if (!j) {
        free(v);
        return 0;
      }
      j[a] = ' ';
      memcpy(j + a + 1, v, b + 1);
      s->entries[i].value = j;
      r->key_line = r->line;
      s->entries[i].line = r->line;
      free(v);
      return 1;
    }
    char prev[32];
    snprintf(prev, sizeof prev, "%d", s->entries[i].line);
    free(v);
    return fail(r, r->line, "duplicate key '%s' (first at line %s)", name,
                prev);
  }
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 8;
    ini_entry *e = realloc(s->entries, cap * sizeof *e);
    if (!e) {
      free(v);
      return 0;
    }
    s->entries = e;
    s->cap = cap;
  }
  ini_entry *e = &s->entries[s->n];
  e->key = xstrdup(name);
  e->value = v;
  e->line = r->line;
  e->used = 0;
  if (!e->key) {
    free(v);
    return 0;
  }
  s->n++;
  r->key_line = r->line;
  return 1;
}

int ini_doc_parse(const char *name, const char *text, ini_doc **out, char *err,
                  size_t errlen) {
  ini_doc *d = calloc(1, sizeof *d);
  if (!d || !(d->file = xstrdup(name))) {
    free(d);
    snprintf(err, errlen, "%s: out of memory", name);
    return WEIR_ERR_NOMEM;
  }
  reader r = {text, text, text + strlen(text), 0, -1, 0, d, err, errlen, 0};
  /* Debian's inih makes these run-time settings; its stack buffer is the
   * compiled 200 bytes, so use the heap one at our limit. */
  ini_max_line = 4096;
  ini_initial_alloc = 4096;
  ini_allow_realloc = 0;
  ini_use_stack = 0;
  ini_stop_on_first_error = 1;
  int rc = ini_parse_stream(line_reader, &r, handler, &r);
  if (rc != 0 && !r.failed) {
    /* inih's own syntax error: it reports the line it counted. */
    snprintf(err, errlen,
             "%s:%d: malformed line (expected [section] or key = value)", name,
             rc > 0 ? rc : r.line);
    r.failed = 1;
  }
  if (r.failed) {
    ini_doc_free(d);
    return WEIR_ERR_INVALID;
  }
  *out = d;
  return WEIR_OK;
}

int ini_doc_load(const char *path, ini_doc **out, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return WEIR_ERR_IO;
  }
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (cap - len < 2) {
      char *b = realloc(buf, cap * 2);
      if (!b) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = b;
      cap *= 2;
    }
  }
  fclose(f);
  if (!buf) {
    snprintf(err, errlen, "%s: out of memory", path);
    return WEIR_ERR_NOMEM;
  }
  buf[len] = '\0';
  if (memchr(buf, '\0', len)) {
    free(buf);
    snprintf(err, errlen, "%s: not a text file (NUL byte)", path);
    return WEIR_ERR_FORMAT;
  }
  int rc = ini_doc_parse(path, buf, out, err, errlen);
  free(buf);
  return rc;
}

void ini_doc_free(ini_doc *d) {
  if (!d)
    return;
  for (size_t i = 0; i < d->n; i++) {
    ini_section *s = &d->sections[i];
    for (size_t j = 0; j < s->n; j++) {
      free(s->entries[j].key);
      free(s->entries[j].value);
    }
    free(s->entries);
    free(s->name);
  }
  free(d->sections);
  free(d->file);
  free(d);
}

ini_section *ini_doc_section(ini_doc *d, const char *name) {
  for (size_t i = 0; i < d->n; i++)
    if (strcmp(d->sections[i].name, name) == 0)
      return &d->sections[i];
  return NULL;
}

ini_entry *ini_section_get(ini_section *s, const char *key) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->entries[i].key, key) == 0) {
      s->entries[i].used = 1;
      return &s->entries[i];
    }
  return NULL;
}
