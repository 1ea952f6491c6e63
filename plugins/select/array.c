/* array.c — the select operator's array functions: split(str, pattern[,
 * limit]) and size(array). (explode, a generator, is driven by expr.c: it
 * makes rows, not a value.)
 *
 * split follows Spark, which splits with Java's String.split(regex, limit):
 * pieces between the matches found left to right, the text before a match at
 * the very start kept as "" unless that match is empty, an empty match
 * followed by a search one character further, trailing empty pieces kept
 * (Spark passes limit -1), limit > 0 giving at most limit pieces (the last
 * holds the rest), no match giving the whole string, and Spark's own rule
 * for an empty pattern (one piece per character). The pattern must be a
 * string literal, compiled once at load time:
 *  - without any of . [ ] { } ( ) \ * + ? ^ $ | it is literal text, found by
 *    a byte search (the usual ' ' or ',');
 *  - otherwise it is a regular expression in the part of Java's syntax that
 *    POSIX extended expressions (libc regcomp) can mean the same way: the
 *    Java escapes \t \n \r \f become those bytes, \d \D become [0-9]
 *    [^0-9], \s \w (and \S \W \b \B outside brackets) are glibc's,
 *    an escaped punctuation character is itself; everything else Java
 *    gives a meaning POSIX does not (\Q..\E, \x, \u, \p, back-references,
 *    lazy or possessive quantifiers, (?...) groups) is refused at load, so
 *    a pattern never silently means something else. Matching is on bytes
 *    in the C locale; alternation is POSIX leftmost-longest. */
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"

enum { SPLIT_NULL, SPLIT_CHARS, SPLIT_LITERAL, SPLIT_REGEX };

struct sel_split {
  int kind;
  const char *lit; /* SPLIT_LITERAL: the pattern literal's bytes (the node
                      owns them) */
  size_t litlen;
  regex_t re; /* SPLIT_REGEX */
};

static weir_field split_element_field = {
    (char *)"element", WEIR_T_STRING, false, NULL, 0, 0};
const weir_schema sel_split_element = {1, &split_element_field};

/* Appends to out (room for 16 bytes per pattern byte is always there). */
static void put(char *out, size_t *o, const char *text) {
  size_t k = strlen(text);
  memcpy(out + *o, text, k);
  *o += k;
}

/* Java's regex syntax (as Spark's split takes it) to a POSIX ERE meaning
 * the same, or an error naming what has no POSIX equivalent. out holds at
 * least 16 * len + 1 bytes. */
static int java_to_posix(const char *s, size_t len, char *out, char *msg,
                         size_t msglen) {
  size_t o = 0;
  int bracket = 0; /* inside [...] */
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 == len) {
        snprintf(msg, msglen, "the pattern ends with a lone backslash");
        return WEIR_ERR_SCHEMA;
      }
      char e = s[++i];
      char lit[2] = {0, 0};
      switch (e) {
      case 't': lit[0] = '\t'; break;
      case 'n': lit[0] = '\n'; break;
      case 'r': lit[0] = '\r'; break;
      case 'f': lit[0] = '\f'; break;
      case 'd': put(out, &o, bracket ? "0-9" : "[0-9]"); continue;
      case 'D':
        if (bracket)
          goto unsupported;
        put(out, &o, "[^0-9]");
        continue;
      case 's': put(out, &o, bracket ? " \t\n\r\f\v" : "\\s"); continue;
      case 'w': put(out, &o, bracket ? "A-Za-z0-9_" : "\\w"); continue;
      case 'S':
      case 'W':
      case 'b':
      case 'B':
        if (bracket)
          goto unsupported;
        lit[0] = '\\';
        put(out, &o, lit);
        lit[0] = e;
        put(out, &o, lit);
        continue;
      default:
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
            (e >= '0' && e <= '9') || (unsigned char)e >= 0x80)
          goto unsupported;
        /* Escaped punctuation is itself. In a bracket POSIX has no
         * escapes: ] ^ - \ there need their place, not a backslash. */
        if (bracket && strchr("]^-\\[", e)) {
          snprintf(msg, msglen,
                   "'\\%c' inside [...] is not supported (in POSIX brackets "
                   "put ] first, - last, ^ not first)",
                   e);
          return WEIR_ERR_SCHEMA;
        }
        if (bracket) {
          lit[0] = e;
          put(out, &o, lit);
        } else {
          lit[0] = '\\';
          put(out, &o, lit);
          lit[0] = e;
          put(out, &o, lit);
        }
        continue;
      }
      put(out, &o, lit); /* a byte that is special in neither syntax */
      continue;
    unsupported:
      snprintf(msg, msglen,
               "the escape '\\%c' is Java regular-expression syntax with no "
               "POSIX equivalent here (supported: \\t \\n \\r \\f "
               "\\d \\D \\s \\S \\w \\W \\b \\B and escaped "
               "punctuation%s)",
               e,
               bracket ? "; inside [...] only \\t \\n \\r \\f \\d "
                         "\\s \\w"
                       : "");
      return WEIR_ERR_SCHEMA;
    }
    if (bracket) {
      char lit[2] = {c, 0};
      put(out, &o, lit);
      if (c == '[' && i + 1 < len && s[i + 1] == ':') {
        /* a POSIX class [:alpha:] inside a bracket: copy to its end */
        const char *end = memmem(s + i + 2, len - i - 2, ":]", 2);
        if (end) {
          size_t k = (size_t)(end - (s + i + 1)) + 2;
          memcpy(out + o, s + i + 1, k);
          o += k;
          i += k;
        }
      } else if (c == ']') {
        bracket = 0;
      }
      continue;
    }
    if (c == '[') {
      put(out, &o, "[");
      bracket = 1;
      /* ^ and a first ] belong to the bracket's opening */
      if (i + 1 < len && s[i + 1] == '^')
        put(out, &o, "^"), i++;
      if (i + 1 < len && s[i + 1] == ']')
        put(out, &o, "]"), i++;
      continue;
    }
    if (c == '(' && i + 1 < len && s[i + 1] == '?') {
      snprintf(msg, msglen,
               "'(?' groups (flags, non-capturing, look-around) are Java "
               "regular-expression syntax with no POSIX equivalent here");
      return WEIR_ERR_SCHEMA;
    }
    if (strchr("*+?}", c) && i + 1 < len &&
        (s[i + 1] == '?' || s[i + 1] == '+')) {
      snprintf(msg, msglen,
               "'%c%c' is a lazy or possessive quantifier, which POSIX "
               "regular expressions do not have",
               c, s[i + 1]);
      return WEIR_ERR_SCHEMA;
    }
    char lit[2] = {c, 0};
    put(out, &o, lit);
  }
  out[o] = '\0';
  return WEIR_OK;
}

int sel_split_compile(sel_node *n, char *msg, size_t msglen) {
  const sel_node *pat = n->args[1];
  sel_split *sp = calloc(1, sizeof *sp);
  if (!sp) {
    snprintf(msg, msglen, "out of memory");
    return WEIR_ERR_NOMEM;
  }
  n->split = sp;
  if (pat->lit.type == WEIR_T_NULL) {
    sp->kind = SPLIT_NULL; /* split(x, NULL) is null, as in Spark */
    return WEIR_OK;
  }
  const char *s = pat->lit.v.s.ptr;
  size_t len = pat->lit.v.s.len;
  if (len == 0) {
    sp->kind = SPLIT_CHARS;
    return WEIR_OK;
  }
  if (memchr(s, 0, len)) {
    snprintf(msg, msglen, "the pattern has a NUL byte");
    return WEIR_ERR_SCHEMA;
  }
  int meta = 0;
  for (size_t i = 0; i < len && !meta; i++)
    meta = strchr(".[]{}()\\*+?^$|", s[i]) != NULL;
  if (!meta) {
    sp->kind = SPLIT_LITERAL;
    sp->lit = s;
    sp->litlen = len;
    return WEIR_OK;
  }
  char *ere = malloc(16 * len + 1);
  if (!ere) {
    snprintf(msg, msglen, "out of memory");
    return WEIR_ERR_NOMEM;
  }
  char why[400];
  int rc = java_to_posix(s, len, ere, why, sizeof why);
  if (rc != WEIR_OK) {
    snprintf(msg, msglen, "pattern '%s': %s", s, why);
    free(ere);
    free(sp);
    n->split = NULL;
    return rc;
  }
  rc = regcomp(&sp->re, ere, REG_EXTENDED);
  free(ere);
  if (rc != 0) {
    regerror(rc, &sp->re, why, sizeof why);
    snprintf(msg, msglen, "invalid regular expression '%s': %s", s, why);
    free(sp);
    n->split = NULL;
    return WEIR_ERR_SCHEMA;
  }
  sp->kind = SPLIT_REGEX;
  return WEIR_OK;
}

void sel_split_free(sel_split *s) {
  if (!s)
    return;
  if (s->kind == SPLIT_REGEX)
    regfree(&s->re);
  free(s);
}

/* Bytes of the UTF-8 character at s[i] (1 at a stray byte). */
static size_t char_len(const char *s, size_t n, size_t i) {
  size_t k = 1;
  while (i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
    k++;
  return k;
}

/* The first match at or after `from`: [*ms, *me). 0 when there is none. */
static int find(const sel_split *sp, const char *s, size_t n, size_t from,
                size_t *ms, size_t *me) {
  if (sp->kind == SPLIT_LITERAL) {
    const char *hit = memmem(s + from, n - from, sp->lit, sp->litlen);
    if (!hit)
      return 0;
    *ms = (size_t)(hit - s);
    *me = *ms + sp->litlen;
    return 1;
  }
  /* REG_STARTEND: the subject is s[from, n) (a NUL inside it is a
   * character), and ^ still means the start of s. glibc's offsets are ints:
   * a string past 2 GiB is left whole. */
  if (n > INT32_MAX)
    return 0;
  regmatch_t m = {(regoff_t)from, (regoff_t)n};
  if (regexec(&sp->re, s, 1, &m, REG_STARTEND) != 0)
    return 0;
  *ms = (size_t)m.rm_so;
  *me = (size_t)m.rm_eo;
  return 1;
}

/* Appends the pieces of s[0, n) to tmp as MessagePack strings; returns
 * their count. */
static uint32_t pieces(const sel_split *sp, const char *s, size_t n,
                       int64_t limit, weir_buf *tmp) {
  uint32_t count = 0;
  if (limit <= 0 || limit > UINT32_MAX)
    limit = UINT32_MAX; /* Spark: a limit <= 0 is no limit */
  if (sp->kind == SPLIT_CHARS) {
    /* Spark's own rule: one piece per character, the last one holding the
     * rest when the limit is smaller; "" stays [""]. */
    size_t i = 0;
    while (i < n && count + 1 < limit) {
      size_t k = char_len(s, n, i);
      weir_mp_str(tmp, s + i, k);
      i += k;
      count++;
    }
    if (i < n || count == 0) {
      weir_mp_str(tmp, s + i, n - i);
      count++;
    }
    return count;
  }
  size_t index = 0, from = 0, ms, me;
  int matched = 0;
  while (count + 1 < limit && from <= n && find(sp, s, n, from, &ms, &me)) {
    /* Java: an empty match at the start gives no empty first piece. */
    if (!(ms == 0 && me == 0)) {
      weir_mp_str(tmp, s + index, ms - index);
      count++;
      index = me;
      matched = 1;
    }
    /* after an empty match the next search starts a character further */
    from = me > ms ? me : me + (me < n ? char_len(s, n, me) : 1);
  }
  if (!matched) { /* Java: no match (used) gives the whole string */
    weir_mp_str(tmp, s, n);
    return 1;
  }
  weir_mp_str(tmp, s + index, n - index);
  return count + 1;
}

void sel_eval_split(const sel_node *n, sel_env *e, weir_value *out) {
  weir_value str, lim;
  int64_t limit = -1;
  memset(out, 0, sizeof *out);
  out->type = WEIR_T_NULL;
  sel_eval(n->args[0], e, &str);
  if (str.type == WEIR_T_NULL || !n->split || n->split->kind == SPLIT_NULL ||
      !e->tmp)
    return;
  if (n->nargs > 2) {
    sel_eval(n->args[2], e, &lim);
    if (lim.type == WEIR_T_NULL)
      return;
    limit = lim.v.i;
  }
  const char *subject = str.v.s.ptr;
  if (n->split->kind == SPLIT_REGEX) {
    /* regexec's callers (sanitizers' interceptors among them) may read the
     * string up to a NUL, whatever REG_STARTEND says: give it one. */
    char *z = sel_arena_alloc(e->arena, str.v.s.len + 1);
    if (!z)
      return;
    memcpy(z, str.v.s.ptr, str.v.s.len);
    z[str.v.s.len] = 0;
    subject = z;
  }
  /* The elements go to tmp first (their count is known only at the end),
   * then header and elements to the arena, where the value stays valid for
   * the rest of the row. */
  weir_buf *tmp = e->tmp;
  size_t mark = tmp->len;
  uint32_t count = pieces(n->split, subject, str.v.s.len, limit, tmp);
  size_t body_end = tmp->len;
  weir_mp_array(tmp, count);
  size_t hdr = tmp->len - body_end, body = body_end - mark;
  char *dst = tmp->err ? NULL : sel_arena_alloc(e->arena, hdr + body);
  if (!dst) {
    if (tmp->err)
      e->arena->err = WEIR_ERR_NOMEM;
    weir_buf_clear(tmp);
    return;
  }
  memcpy(dst, tmp->data + body_end, hdr);
  memcpy(dst + hdr, tmp->data + mark, body);
  tmp->len = mark;
  out->type = WEIR_T_ARRAY;
  out->v.nfields = count;
  out->raw = (const uint8_t *)dst;
  out->raw_len = hdr + body;
}

void sel_eval_size(const sel_node *n, sel_env *e, weir_value *out) {
  weir_value a;
  sel_eval(n->args[0], e, &a);
  memset(out, 0, sizeof *out);
  out->type = WEIR_T_INT;
  /* Spark 3 (spark.sql.legacy.sizeOfNull, the default without ANSI mode):
   * the size of null is -1. */
  out->v.i = a.type == WEIR_T_STRUCT || a.type == WEIR_T_ARRAY
                 ? (int64_t)a.v.nfields
                 : -1;
}
