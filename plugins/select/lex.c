/* lex.c — the tokenizer of select's expression language (Spark SQL
 * lexical rules: case-insensitive keywords, `quoted` names, 'strings' with
 * '' and backslash escapes, numbers with L/D suffixes) and the parser's
 * error reporting, shared with parse.c through lex.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lex.h"

/* Words that end an expression rather than name a column; a column called
 * so needs backquotes, as in Spark. */
static const char *const reserved[] = {"AND",  "OR",      "NOT", "IS",   "NULL",
                                       "TRUE", "FALSE",   "AS",  "CAST", "IN",
                                       "LIKE", "BETWEEN", NULL};

/* ---- small helpers ------------------------------------------------------ */

int sel_name_eq(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

const char *sel_closest(const char *word, const char *const *names) {
  size_t n = 0;
  while (names[n])
    n++;
  return weir_suggest(word, names, n);
}

static void vset_err(parser *p, int code, const char *fmt, va_list ap) {
  if (p->rc)
    return;
  p->rc = code;
  vsnprintf(p->err, p->errlen, fmt, ap);
}

void lx_err(parser *p, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vset_err(p, code, fmt, ap);
  va_end(ap);
}

void lx_nomem(parser *p) {
  lx_err(p, WEIR_ERR_NOMEM, "select: out of memory parsing %s", p->what);
}

/* "select: syntax error in where at offset 7: expected ..., found 'x'" */
void lx_syntax(parser *p, size_t pos, const char *expected) {
  char found[48];
  if (p->cur.kind == T_END)
    snprintf(found, sizeof found, "end of text");
  else if (p->cur.len > 30)
    snprintf(found, sizeof found, "'%.27s...'", p->src + p->cur.pos);
  else
    snprintf(found, sizeof found, "'%.*s'", (int)p->cur.len,
             p->src + p->cur.pos);
  lx_err(p, WEIR_ERR_INVALID,
         "select: syntax error in %s at offset %zu: expected %s, found %s",
         p->what, pos, expected, found);
}

/* ---- lexer --------------------------------------------------------------- */

static int ident_start(unsigned char c) {
  return isalpha(c) || c == '_' || c >= 0x80;
}
static int ident_char(unsigned char c) { return ident_start(c) || isdigit(c); }

/* Scans a number at p->at: digits [. digits] [e [+-] digits] [L|D]. */
static void lex_number(parser *p, tok *t) {
  const char *s = p->src;
  size_t i = p->at;
  int is_float = 0;
  while (i < p->n && isdigit((unsigned char)s[i]))
    i++;
  if (i < p->n && s[i] == '.') {
    is_float = 1;
    i++;
    while (i < p->n && isdigit((unsigned char)s[i]))
      i++;
  }
  if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < p->n && (s[j] == '+' || s[j] == '-'))
      j++;
    if (j < p->n && isdigit((unsigned char)s[j])) {
      is_float = 1;
      i = j;
      while (i < p->n && isdigit((unsigned char)s[i]))
        i++;
    }
  }
  if (i < p->n && (s[i] == 'L' || s[i] == 'l') && !is_float)
    i++;
  else if (i < p->n && (s[i] == 'D' || s[i] == 'd')) {
    is_float = 1;
    i++;
  }
  t->kind = is_float ? T_FLOAT : T_INT;
  t->len = i - p->at;
  if (i < p->n && ident_char((unsigned char)s[i])) {
    lx_err(p, WEIR_ERR_INVALID,
           "select: syntax error in %s at offset %zu: malformed number '%.*s'",
           p->what, p->at, (int)(i + 1 - p->at), s + p->at);
    t->kind = T_END;
  }
}

void lx_advance(parser *p) {
  const char *s = p->src;
  tok *t = &p->cur;
  while (p->at < p->n && isspace((unsigned char)s[p->at]))
    p->at++;
  t->pos = p->at;
  t->len = 0;
  t->kind = T_END;
  if (p->at >= p->n || p->rc)
    return;
  unsigned char c = (unsigned char)s[p->at];
  if (ident_start(c)) {
    size_t i = p->at;
    while (i < p->n && ident_char((unsigned char)s[i]))
      i++;
    t->kind = T_IDENT;
    t->len = i - p->at;
  } else if (isdigit(c) || (c == '.' && p->at + 1 < p->n &&
                            isdigit((unsigned char)s[p->at + 1]))) {
    lex_number(p, t);
  } else if (c == '\'' || c == '"' || c == '`') {
    /* Quotes double to escape themselves; in strings a backslash escapes
     * the next byte too (Spark's default). */
    size_t i = p->at + 1;
    for (;;) {
      if (i >= p->n) {
        lx_err(p, WEIR_ERR_INVALID,
               "select: syntax error in %s at offset %zu: unterminated %s",
               p->what, p->at, c == '`' ? "quoted name" : "string");
        return;
      }
      if ((unsigned char)s[i] == c) {
        if (i + 1 < p->n && (unsigned char)s[i + 1] == c) {
          i += 2;
          continue;
        }
        break;
      }
      i += (s[i] == '\\' && c != '`') ? 2 : 1;
    }
    t->kind = c == '`' ? T_QIDENT : T_STRING;
    t->len = i + 1 - p->at;
  } else {
    static const char *const ops[] = {"<=>", "<=", ">=", "<>", "!=", "==", "||",
                                      "(",   ")",  ",",  ".",  "*",  "+",  "-",
                                      "/",   "%",  "=",  "<",  ">",  NULL};
    for (size_t k = 0; ops[k]; k++) {
      size_t l = strlen(ops[k]);
      if (p->n - p->at >= l && memcmp(s + p->at, ops[k], l) == 0) {
        t->kind = T_OP;
        t->len = l;
        break;
      }
    }
    if (t->kind != T_OP) {
      lx_err(p, WEIR_ERR_INVALID,
             "select: syntax error in %s at offset %zu: unexpected "
             "character '%c'",
             p->what, p->at, isprint(c) ? c : '?');
      return;
    }
  }
  p->at += t->len;
}

int lx_op(const parser *p, const char *op) {
  return p->cur.kind == T_OP && p->cur.len == strlen(op) &&
         memcmp(p->src + p->cur.pos, op, p->cur.len) == 0;
}

int lx_kw(const parser *p, const char *kw) {
  return p->cur.kind == T_IDENT && p->cur.len == strlen(kw) &&
         strncasecmp(p->src + p->cur.pos, kw, p->cur.len) == 0;
}

int lx_reserved(const parser *p) {
  for (size_t i = 0; reserved[i]; i++)
    if (lx_kw(p, reserved[i]))
      return 1;
  return 0;
}

int lx_expect(parser *p, const char *op) {
  if (lx_op(p, op)) {
    lx_advance(p);
    return 1;
  }
  char what[8];
  snprintf(what, sizeof what, "'%s'", op);
  lx_syntax(p, p->cur.pos, what);
  return 0;
}

/* The name of an identifier token, unquoted (owned by the caller). */
char *lx_ident(parser *p, const tok *t) {
  const char *s = p->src + t->pos;
  size_t n = t->len;
  char *out;
  if (t->kind == T_QIDENT) {
    s++;
    n -= 2;
  }
  out = malloc(n + 1);
  if (!out) {
    lx_nomem(p);
    return NULL;
  }
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    out[o++] = s[i];
    if (t->kind == T_QIDENT && s[i] == '`')
      i++; /* `` is one backquote */
  }
  out[o] = 0;
  return out;
}

/* Decodes a string literal with Spark's escapes; *len gets its length. */
char *lx_string(parser *p, const tok *t, size_t *len) {
  const char *s = p->src + t->pos + 1;
  size_t n = t->len - 2, o = 0;
  char q = p->src[t->pos];
  char *out = malloc(n * 2 + 1); /* \uXXXX: 6 bytes in, at most 3 out */
  if (!out) {
    lx_nomem(p);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == q) { /* doubled quote */
      out[o++] = c;
      i++;
      continue;
    }
    if (c != '\\' || i + 1 >= n) {
      out[o++] = c;
      continue;
    }
    c = s[++i];
    switch (c) {
    case 'n': out[o++] = '\n'; break;
    case 't': out[o++] = '\t'; break;
    case 'r': out[o++] = '\r'; break;
    case 'b': out[o++] = '\b'; break;
    case '0': out[o++] = '\0'; break;
    case 'Z': out[o++] = '\x1a'; break;
    case '%':
    case '_': /* kept escaped: they mean themselves in LIKE patterns */
      out[o++] = '\\';
      out[o++] = c;
      break;
    case 'u': {
      unsigned cp = 0;
      size_t k;
      for (k = 1; k <= 4 && i + k < n && isxdigit((unsigned char)s[i + k]); k++)
        cp = cp * 16 +
             (unsigned)(isdigit((unsigned char)s[i + k])
                            ? s[i + k] - '0'
                            : (tolower((unsigned char)s[i + k]) - 'a' + 10));
      if (k != 5) {
        out[o++] = 'u';
        break;
      }
      i += 4;
      if (cp < 0x80) {
        out[o++] = (char)cp;
      } else if (cp < 0x800) {
        out[o++] = (char)(0xc0 | (cp >> 6));
        out[o++] = (char)(0x80 | (cp & 0x3f));
      } else {
        out[o++] = (char)(0xe0 | (cp >> 12));
        out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[o++] = (char)(0x80 | (cp & 0x3f));
      }
      break;
    }
    default: out[o++] = c; break;
    }
  }
  out[o] = 0;
  *len = o;
  return out;
}
