/* parse.c — lexer and recursive-descent parser for the select operator's
 * expression language (a Spark SQL subset), and Spark's generated names for
 * expressions ("(value * 2)", "lower(name)"), which become output column
 * names when no alias is given.
 *
 * Precedence, loosest first, as in Spark's grammar: OR; AND; NOT; one
 * predicate (comparisons chain left to right, then IS [NOT] NULL, [NOT] IN,
 * [NOT] LIKE, [NOT] BETWEEN); + - ||; * / %; unary minus; field access. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "expr_int.h"

typedef enum { T_END, T_IDENT, T_QIDENT, T_INT, T_FLOAT, T_STRING, T_OP } tok_kind;

typedef struct tok {
  tok_kind kind;
  size_t pos, len; /* the token's bytes in the source (quotes included) */
} tok;

typedef struct parser {
  const char *src;
  size_t n, at; /* at: where the lexer resumes */
  const char *what;
  tok cur;
  char *err;
  size_t errlen;
  int rc; /* first error; later ones are dropped */
} parser;

/* Words that end an expression rather than name a column; a column called
 * so needs backquotes, as in Spark. */
static const char *const reserved[] = {"AND", "OR",  "NOT",  "IS",      "NULL",
                                       "TRUE", "FALSE", "AS", "CAST", "IN",
                                       "LIKE", "BETWEEN", NULL};

typedef struct func_def {
  const char *name;
  int id, min, max; /* max -1: any number */
} func_def;

static const func_def funcs[] = {
    {"lower", SEL_F_LOWER, 1, 1},         {"lcase", SEL_F_LOWER, 1, 1},
    {"upper", SEL_F_UPPER, 1, 1},         {"ucase", SEL_F_UPPER, 1, 1},
    {"length", SEL_F_LENGTH, 1, 1},       {"char_length", SEL_F_LENGTH, 1, 1},
    {"character_length", SEL_F_LENGTH, 1, 1},
    {"substring", SEL_F_SUBSTRING, 2, 3}, {"substr", SEL_F_SUBSTRING, 2, 3},
    {"coalesce", SEL_F_COALESCE, 1, -1},  {"ifnull", SEL_F_COALESCE, 2, 2},
    {"nvl", SEL_F_COALESCE, 2, 2},        {"abs", SEL_F_ABS, 1, 1},
    {"concat", SEL_F_CONCAT, 1, -1},      {"trim", SEL_F_TRIM, 1, 1},
    {"ltrim", SEL_F_LTRIM, 1, 1},         {"rtrim", SEL_F_RTRIM, 1, 1},
    {"current_timestamp", SEL_F_NOW, 0, 0}, {"now", SEL_F_NOW, 0, 0},
    {NULL, 0, 0, 0}};

/* CAST target names: what the user may write, what we build, and how
 * Spark names the type in generated column names. */
typedef struct type_def {
  const char *name;
  weir_type type;
  const char *sql;
} type_def;

static const type_def types[] = {
    {"STRING", WEIR_T_STRING, "STRING"},      {"INT", WEIR_T_INT, "INT"},
    {"INTEGER", WEIR_T_INT, "INT"},           {"BIGINT", WEIR_T_INT, "BIGINT"},
    {"LONG", WEIR_T_INT, "BIGINT"},           {"SMALLINT", WEIR_T_INT, "SMALLINT"},
    {"SHORT", WEIR_T_INT, "SMALLINT"},        {"TINYINT", WEIR_T_INT, "TINYINT"},
    {"BYTE", WEIR_T_INT, "TINYINT"},          {"DOUBLE", WEIR_T_FLOAT, "DOUBLE"},
    {"FLOAT", WEIR_T_FLOAT, "FLOAT"},         {"REAL", WEIR_T_FLOAT, "FLOAT"},
    {"BOOLEAN", WEIR_T_BOOL, "BOOLEAN"},      {"BOOL", WEIR_T_BOOL, "BOOLEAN"},
    {"TIMESTAMP", WEIR_T_TIMESTAMP, "TIMESTAMP"},
    {"BINARY", WEIR_T_BINARY, "BINARY"},      {NULL, 0, NULL}};

/* ---- small helpers ------------------------------------------------------ */

int sel_name_eq(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), row[65];
  if (la > 64 || lb > 64)
    return 99;
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = tolower((unsigned char)a[i - 1]) !=
                    tolower((unsigned char)b[j - 1]);
      size_t best = diag + cost;
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

const char *sel_closest(const char *word, const char *const *names) {
  const char *best = NULL;
  size_t best_d = strlen(word) >= 8 ? 3 : 2;
  best_d++;
  for (size_t i = 0; names[i]; i++) {
    size_t d = edit_distance(word, names[i]);
    if (d < best_d) {
      best_d = d;
      best = names[i];
    }
  }
  return best;
}

static void vset_err(parser *p, int code, const char *fmt, va_list ap) {
  if (p->rc)
    return;
  p->rc = code;
  vsnprintf(p->err, p->errlen, fmt, ap);
}

static void set_err(parser *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(parser *p, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vset_err(p, code, fmt, ap);
  va_end(ap);
}

static void nomem(parser *p) {
  set_err(p, WEIR_ERR_NOMEM, "select: out of memory parsing %s", p->what);
}

/* "select: syntax error in where at offset 7: expected ..., found 'x'" */
static void syntax(parser *p, size_t pos, const char *expected) {
  char found[48];
  if (p->cur.kind == T_END)
    snprintf(found, sizeof found, "end of text");
  else if (p->cur.len > 30)
    snprintf(found, sizeof found, "'%.27s...'", p->src + p->cur.pos);
  else
    snprintf(found, sizeof found, "'%.*s'", (int)p->cur.len,
             p->src + p->cur.pos);
  set_err(p, WEIR_ERR_INVALID,
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
    set_err(p, WEIR_ERR_INVALID,
            "select: syntax error in %s at offset %zu: malformed number '%.*s'",
            p->what, p->at, (int)(i + 1 - p->at), s + p->at);
    t->kind = T_END;
  }
}

static void advance(parser *p) {
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
  } else if (isdigit(c) ||
             (c == '.' && p->at + 1 < p->n &&
              isdigit((unsigned char)s[p->at + 1]))) {
    lex_number(p, t);
  } else if (c == '\'' || c == '"' || c == '`') {
    /* Quotes double to escape themselves; in strings a backslash escapes
     * the next byte too (Spark's default). */
    size_t i = p->at + 1;
    for (;;) {
      if (i >= p->n) {
        set_err(p, WEIR_ERR_INVALID,
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
    static const char *const ops[] = {"<=>", "<=", ">=", "<>", "!=", "==",
                                      "||",  "(",  ")",  ",",  ".",  "*",
                                      "+",   "-",  "/",  "%",  "=",  "<",
                                      ">",   NULL};
    for (size_t k = 0; ops[k]; k++) {
      size_t l = strlen(ops[k]);
      if (p->n - p->at >= l && memcmp(s + p->at, ops[k], l) == 0) {
        t->kind = T_OP;
        t->len = l;
        break;
      }
    }
    if (t->kind != T_OP) {
      set_err(p, WEIR_ERR_INVALID,
              "select: syntax error in %s at offset %zu: unexpected "
              "character '%c'",
              p->what, p->at, isprint(c) ? c : '?');
      return;
    }
  }
  p->at += t->len;
}

static int op_is(const parser *p, const char *op) {
  return p->cur.kind == T_OP && p->cur.len == strlen(op) &&
         memcmp(p->src + p->cur.pos, op, p->cur.len) == 0;
}

static int kw_is(const parser *p, const char *kw) {
  return p->cur.kind == T_IDENT && p->cur.len == strlen(kw) &&
         strncasecmp(p->src + p->cur.pos, kw, p->cur.len) == 0;
}

static int is_reserved(const parser *p) {
  for (size_t i = 0; reserved[i]; i++)
    if (kw_is(p, reserved[i]))
      return 1;
  return 0;
}

static int expect_op(parser *p, const char *op) {
  if (op_is(p, op)) {
    advance(p);
    return 1;
  }
  char what[8];
  snprintf(what, sizeof what, "'%s'", op);
  syntax(p, p->cur.pos, what);
  return 0;
}

/* The name of an identifier token, unquoted (owned by the caller). */
static char *ident_text(parser *p, const tok *t) {
  const char *s = p->src + t->pos;
  size_t n = t->len;
  char *out;
  if (t->kind == T_QIDENT) {
    s++;
    n -= 2;
  }
  out = malloc(n + 1);
  if (!out) {
    nomem(p);
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
static char *string_text(parser *p, const tok *t, size_t *len) {
  const char *s = p->src + t->pos + 1;
  size_t n = t->len - 2, o = 0;
  char q = p->src[t->pos];
  char *out = malloc(n * 2 + 1); /* \uXXXX: 6 bytes in, at most 3 out */
  if (!out) {
    nomem(p);
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
        cp = cp * 16 + (unsigned)(isdigit((unsigned char)s[i + k])
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

/* ---- nodes ----------------------------------------------------------------- */

sel_node *sel_node_new(sel_kind kind, size_t pos) {
  sel_node *n = calloc(1, sizeof *n);
  if (n) {
    n->kind = kind;
    n->pos = pos;
    n->index = -1;
  }
  return n;
}

void sel_node_free(sel_node *n) {
  if (!n)
    return;
  for (size_t i = 0; i < n->nargs; i++)
    sel_node_free(n->args[i]);
  free(n->args);
  free(n->name);
  free(n->text);
  free(n->scratch);
  free(n);
}

static sel_node *mk(parser *p, sel_kind kind, size_t pos) {
  sel_node *n = sel_node_new(kind, pos);
  if (!n)
    nomem(p);
  return n;
}

/* Appends child to parent's arguments; frees both on failure. */
static sel_node *add_arg(parser *p, sel_node *parent, sel_node *child) {
  if (!parent || !child) {
    sel_node_free(parent);
    sel_node_free(child);
    return NULL;
  }
  sel_node **a = realloc(parent->args, (parent->nargs + 1) * sizeof *a);
  if (!a) {
    nomem(p);
    sel_node_free(parent);
    sel_node_free(child);
    return NULL;
  }
  parent->args = a;
  a[parent->nargs++] = child;
  return parent;
}

static sel_node *mk1(parser *p, sel_kind kind, int op, size_t pos,
                     sel_node *a) {
  if (!a)
    return NULL;
  sel_node *n = mk(p, kind, pos);
  if (n)
    n->op = op;
  else
    sel_node_free(a);
  return add_arg(p, n, a);
}

static sel_node *mk2(parser *p, sel_kind kind, int op, size_t pos,
                     sel_node *a, sel_node *b) {
  if (!b) {
    sel_node_free(a);
    return NULL;
  }
  sel_node *n = mk1(p, kind, op, pos, a);
  if (!n)
    sel_node_free(b);
  return add_arg(p, n, b);
}

/* A deep copy of an unchecked tree (BETWEEN uses its operand twice). */
static sel_node *clone(parser *p, const sel_node *n) {
  sel_node *c = mk(p, n->kind, n->pos);
  if (!c)
    return NULL;
  c->op = n->op;
  c->lit = n->lit;
  c->cast_to = n->cast_to;
  c->cast_name = n->cast_name;
  if ((n->name && !(c->name = strdup(n->name))) ||
      (n->text && !(c->text = malloc(n->lit.v.s.len + 1)))) {
    nomem(p);
    sel_node_free(c);
    return NULL;
  }
  if (n->text) {
    memcpy(c->text, n->text, n->lit.v.s.len + 1);
    c->lit.v.s.ptr = c->text;
  }
  for (size_t i = 0; i < n->nargs; i++)
    if (!(c = add_arg(p, c, clone(p, n->args[i]))))
      return NULL;
  return c;
}

sel_node *sel_node_clone(const sel_node *n) {
  parser p;
  char err[16];
  memset(&p, 0, sizeof p);
  p.what = "";
  p.err = err;
  p.errlen = sizeof err;
  return clone(&p, n);
}

/* ---- grammar ---------------------------------------------------------------- */

static sel_node *expr(parser *p);
static sel_node *additive(parser *p);

static sel_node *number(parser *p, const tok *t, int neg) {
  char buf[128];
  size_t n = t->len;
  sel_node *lit = mk(p, SK_LIT, t->pos);
  if (!lit)
    return NULL;
  if (n >= sizeof buf - 1) {
    set_err(p, WEIR_ERR_INVALID, "select: number too long in %s at offset %zu",
            p->what, t->pos);
    sel_node_free(lit);
    return NULL;
  }
  buf[0] = '-';
  memcpy(buf + 1, p->src + t->pos, n);
  if (buf[n] == 'L' || buf[n] == 'l' || buf[n] == 'D' || buf[n] == 'd')
    n--; /* drop the suffix */
  buf[n + 1] = 0;
  char *s = neg ? buf : buf + 1, *end;
  if (t->kind == T_INT) {
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno == 0) {
      lit->lit.type = WEIR_T_INT;
      lit->lit.v.i = v;
      return lit;
    }
    /* Out of the 64-bit range: Spark makes it a decimal; a double is the
     * closest we have. */
  }
  lit->lit.type = WEIR_T_FLOAT;
  lit->lit.v.f = strtod(s, &end);
  return lit;
}

static sel_node *string_lit(parser *p, const tok *t) {
  sel_node *n = mk(p, SK_LIT, t->pos);
  if (!n)
    return NULL;
  size_t len;
  if (!(n->text = string_text(p, t, &len))) {
    sel_node_free(n);
    return NULL;
  }
  n->lit.type = WEIR_T_STRING;
  n->lit.v.s.ptr = n->text;
  n->lit.v.s.len = len;
  return n;
}

/* CAST '(' expr AS type ')' — the CAST keyword is consumed. */
static sel_node *cast(parser *p, size_t pos) {
  if (!expect_op(p, "("))
    return NULL;
  sel_node *e = expr(p);
  if (!e)
    return NULL;
  if (!kw_is(p, "AS")) {
    syntax(p, p->cur.pos, "AS");
    sel_node_free(e);
    return NULL;
  }
  advance(p);
  if (p->cur.kind != T_IDENT) {
    syntax(p, p->cur.pos, "a type name");
    sel_node_free(e);
    return NULL;
  }
  const type_def *td = NULL;
  for (size_t i = 0; types[i].name; i++)
    if (kw_is(p, types[i].name))
      td = &types[i];
  if (!td) {
    const char *names[sizeof types / sizeof types[0]];
    char word[64];
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
      names[i] = types[i].name;
    snprintf(word, sizeof word, "%.*s", (int)p->cur.len, p->src + p->cur.pos);
    const char *s = sel_closest(word, names);
    set_err(p, WEIR_ERR_INVALID,
            "select: unknown type '%s' in CAST in %s%s%s%s (types: STRING, "
            "BIGINT, INT, DOUBLE, FLOAT, BOOLEAN, TIMESTAMP, BINARY)",
            word, p->what, s ? " (did you mean '" : "", s ? s : "",
            s ? "'?)" : "");
    sel_node_free(e);
    return NULL;
  }
  advance(p);
  if (!expect_op(p, ")")) {
    sel_node_free(e);
    return NULL;
  }
  sel_node *c = mk1(p, SK_CAST, 0, pos, e);
  if (c) {
    c->cast_to = td->type;
    c->cast_name = td->sql;
  }
  return c;
}

static sel_node *call(parser *p, char *name, size_t pos) {
  for (char *c = name; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  const func_def *f = NULL;
  for (size_t i = 0; funcs[i].name; i++)
    if (strcmp(funcs[i].name, name) == 0)
      f = &funcs[i];
  if (!f) {
    const char *names[sizeof funcs / sizeof funcs[0]];
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
      names[i] = funcs[i].name;
    const char *s = sel_closest(name, names);
    set_err(p, WEIR_ERR_INVALID, "select: unknown function '%s' in %s%s%s%s",
            name, p->what, s ? " (did you mean '" : "", s ? s : "",
            s ? "'?)" : "");
    free(name);
    return NULL;
  }
  sel_node *n = mk(p, SK_FUNC, pos);
  if (!n) {
    free(name);
    return NULL;
  }
  n->name = name;
  n->op = f->id;
  if (op_is(p, "(")) {
    advance(p);
    if (!op_is(p, ")"))
      for (;;) {
        if (!(n = add_arg(p, n, expr(p))))
          return NULL;
        if (!op_is(p, ","))
          break;
        advance(p);
      }
    if (!expect_op(p, ")")) {
      sel_node_free(n);
      return NULL;
    }
  }
  if ((int)n->nargs < f->min || (f->max >= 0 && (int)n->nargs > f->max)) {
    weir_buf sql = WEIR_BUF_INIT;
    char want[32];
    sel_node_sql(n, &sql);
    if (f->min == f->max)
      snprintf(want, sizeof want, "%d argument%s", f->min, f->min == 1 ? "" : "s");
    else if (f->max < 0)
      snprintf(want, sizeof want, "at least %d argument%s", f->min,
               f->min == 1 ? "" : "s");
    else
      snprintf(want, sizeof want, "%d or %d arguments", f->min, f->max);
    set_err(p, WEIR_ERR_SCHEMA, "select: %s in %s: %s() takes %s, got %zu",
            sql.data ? (char *)sql.data : name, p->what, name, want, n->nargs);
    weir_buf_free(&sql);
    sel_node_free(n);
    return NULL;
  }
  return n;
}

static sel_node *primary(parser *p) {
  tok t = p->cur;
  if (t.kind == T_INT || t.kind == T_FLOAT) {
    advance(p);
    return number(p, &t, 0);
  }
  if (t.kind == T_STRING) {
    advance(p);
    return string_lit(p, &t);
  }
  if (op_is(p, "(")) {
    advance(p);
    sel_node *e = expr(p);
    if (e && !expect_op(p, ")")) {
      sel_node_free(e);
      return NULL;
    }
    return e;
  }
  if (op_is(p, "*")) {
    advance(p);
    return mk(p, SK_STAR, t.pos);
  }
  if (t.kind == T_IDENT && (kw_is(p, "NULL") || kw_is(p, "TRUE") ||
                            kw_is(p, "FALSE"))) {
    sel_node *n = mk(p, SK_LIT, t.pos);
    if (n && !kw_is(p, "NULL")) {
      n->lit.type = WEIR_T_BOOL;
      n->lit.v.b = kw_is(p, "TRUE");
    }
    advance(p);
    return n;
  }
  if (kw_is(p, "CAST")) {
    advance(p);
    if (op_is(p, "("))
      return cast(p, t.pos);
    syntax(p, p->cur.pos, "'('");
    return NULL;
  }
  if ((t.kind != T_IDENT && t.kind != T_QIDENT) || is_reserved(p)) {
    syntax(p, t.pos, "an expression");
    return NULL;
  }
  advance(p);
  char *name = ident_text(p, &t);
  if (!name)
    return NULL;
  if (t.kind == T_IDENT) {
    if (op_is(p, "(") || sel_name_eq(name, "current_timestamp"))
      return call(p, name, t.pos);
    if (sel_name_eq(name, "timestamp") && p->cur.kind == T_STRING) {
      /* TIMESTAMP '2026-01-01 00:00:00': a typed literal */
      tok s = p->cur;
      advance(p);
      free(name);
      sel_node *n = string_lit(p, &s);
      if (!n)
        return NULL;
      int64_t us;
      if (weir_parse_timestamp(n->lit.v.s.ptr, n->lit.v.s.len, &us) != WEIR_OK) {
        set_err(p, WEIR_ERR_INVALID,
                "select: invalid timestamp literal '%s' in %s at offset %zu",
                n->text, p->what, s.pos);
        sel_node_free(n);
        return NULL;
      }
      n->lit.type = WEIR_T_TIMESTAMP;
      n->lit.v.ts = us;
      return n;
    }
  }
  sel_node *n = mk(p, SK_COL, t.pos);
  if (n)
    n->name = name;
  else
    free(name);
  return n;
}

/* primary ('.' name)* ['.' '*'] */
static sel_node *postfix(parser *p) {
  sel_node *n = primary(p);
  while (n && op_is(p, ".")) {
    size_t pos = p->cur.pos;
    advance(p);
    if (op_is(p, "*") && (n->kind == SK_COL || n->kind == SK_FIELD)) {
      advance(p);
      return mk1(p, SK_STAR, 0, pos, n);
    }
    if (p->cur.kind != T_IDENT && p->cur.kind != T_QIDENT) {
      syntax(p, p->cur.pos, "a field name after '.'");
      sel_node_free(n);
      return NULL;
    }
    tok t = p->cur;
    advance(p);
    char *name = ident_text(p, &t);
    n = mk1(p, SK_FIELD, 0, t.pos, n);
    if (n)
      n->name = name;
    else
      free(name);
    if (n && !name) {
      sel_node_free(n);
      return NULL;
    }
  }
  return n;
}

static sel_node *unary(parser *p) {
  size_t pos = p->cur.pos;
  if (op_is(p, "-")) {
    advance(p);
    if (p->cur.kind == T_INT || p->cur.kind == T_FLOAT) {
      /* -1 is a literal, as in Spark's grammar (and INT64_MIN fits) */
      tok t = p->cur;
      advance(p);
      return number(p, &t, 1);
    }
    return mk1(p, SK_NEG, 0, pos, unary(p));
  }
  if (op_is(p, "+")) {
    advance(p);
    return unary(p);
  }
  return postfix(p);
}

static sel_node *multiplicative(parser *p) {
  sel_node *l = unary(p);
  while (l) {
    int op = op_is(p, "*") ? SEL_MUL : op_is(p, "/") ? SEL_DIV
           : op_is(p, "%") ? SEL_MOD : -1;
    if (op < 0)
      break;
    size_t pos = p->cur.pos;
    advance(p);
    l = mk2(p, SK_ARITH, op, pos, l, unary(p));
  }
  return l;
}

static sel_node *additive(parser *p) {
  sel_node *l = multiplicative(p);
  while (l) {
    size_t pos = p->cur.pos;
    if (op_is(p, "||")) { /* Spark: concat(a, b) */
      advance(p);
      sel_node *n = mk2(p, SK_FUNC, SEL_F_CONCAT, pos, l, multiplicative(p));
      if (n && !(n->name = strdup("concat"))) {
        nomem(p);
        sel_node_free(n);
        n = NULL;
      }
      l = n;
      continue;
    }
    int op = op_is(p, "+") ? SEL_ADD : op_is(p, "-") ? SEL_SUB : -1;
    if (op < 0)
      break;
    advance(p);
    l = mk2(p, SK_ARITH, op, pos, l, multiplicative(p));
  }
  return l;
}

static sel_node *comparison(parser *p) {
  static const struct {
    const char *tok;
    int op, negate;
  } cmps[] = {{"=", SEL_EQ, 0},  {"==", SEL_EQ, 0}, {"!=", SEL_EQ, 1},
              {"<>", SEL_EQ, 1}, {"<", SEL_LT, 0},  {"<=", SEL_LE, 0},
              {">", SEL_GT, 0},  {">=", SEL_GE, 0}, {"<=>", SEL_NSEQ, 0}};
  sel_node *l = additive(p);
  while (l) {
    size_t k, pos = p->cur.pos;
    for (k = 0; k < sizeof cmps / sizeof cmps[0]; k++)
      if (op_is(p, cmps[k].tok))
        break;
    if (k == sizeof cmps / sizeof cmps[0])
      break;
    advance(p);
    l = mk2(p, SK_CMP, cmps[k].op, pos, l, additive(p));
    if (cmps[k].negate) /* a != b is NOT (a = b), as Spark names it */
      l = mk1(p, SK_NOT, 0, pos, l);
  }
  return l;
}

/* comparison [IS [NOT] NULL | [NOT] IN (..) | [NOT] LIKE x | [NOT] BETWEEN] */
static sel_node *predicate(parser *p) {
  sel_node *l = comparison(p);
  if (!l)
    return NULL;
  size_t pos = p->cur.pos;
  if (kw_is(p, "IS")) {
    advance(p);
    int neg = kw_is(p, "NOT");
    if (neg)
      advance(p);
    if (!kw_is(p, "NULL")) {
      syntax(p, p->cur.pos, neg ? "NULL" : "NULL or NOT NULL");
      sel_node_free(l);
      return NULL;
    }
    advance(p);
    return mk1(p, SK_ISNULL, neg, pos, l);
  }
  int neg = kw_is(p, "NOT");
  if (neg)
    advance(p);
  if (kw_is(p, "IN")) {
    advance(p);
    if (!expect_op(p, "(")) {
      sel_node_free(l);
      return NULL;
    }
    l = mk1(p, SK_IN, 0, pos, l);
    for (;;) {
      if (!(l = add_arg(p, l, expr(p))))
        return NULL;
      if (!op_is(p, ","))
        break;
      advance(p);
    }
    if (!expect_op(p, ")")) {
      sel_node_free(l);
      return NULL;
    }
  } else if (kw_is(p, "LIKE")) {
    advance(p);
    l = mk2(p, SK_LIKE, 0, pos, l, additive(p));
  } else if (kw_is(p, "BETWEEN")) {
    /* x BETWEEN a AND b is (x >= a) AND (x <= b), as Spark 3 parses it */
    advance(p);
    sel_node *lo = additive(p);
    if (lo && !kw_is(p, "AND")) {
      syntax(p, p->cur.pos, "AND");
      sel_node_free(lo);
      lo = NULL;
    }
    if (!lo) {
      sel_node_free(l);
      return NULL;
    }
    advance(p);
    sel_node *x2 = clone(p, l);
    sel_node *ge = mk2(p, SK_CMP, SEL_GE, pos, l, lo);
    sel_node *le = mk2(p, SK_CMP, SEL_LE, pos, x2, x2 ? additive(p) : NULL);
    l = mk2(p, SK_AND, 0, pos, ge, le);
  } else if (neg) {
    syntax(p, p->cur.pos, "IN, LIKE or BETWEEN after NOT");
    sel_node_free(l);
    return NULL;
  } else {
    return l;
  }
  return neg ? mk1(p, SK_NOT, 0, pos, l) : l;
}

static sel_node *negation(parser *p) {
  if (kw_is(p, "NOT")) {
    size_t pos = p->cur.pos;
    advance(p);
    return mk1(p, SK_NOT, 0, pos, negation(p));
  }
  return predicate(p);
}

static sel_node *conjunction(parser *p) {
  sel_node *l = negation(p);
  while (l && kw_is(p, "AND")) {
    size_t pos = p->cur.pos;
    advance(p);
    l = mk2(p, SK_AND, 0, pos, l, negation(p));
  }
  return l;
}

static sel_node *expr(parser *p) {
  sel_node *l = conjunction(p);
  while (l && kw_is(p, "OR")) {
    size_t pos = p->cur.pos;
    advance(p);
    l = mk2(p, SK_OR, 0, pos, l, conjunction(p));
  }
  return l;
}

static void start(parser *p, const char *text, const char *what, char *err,
                  size_t errlen) {
  memset(p, 0, sizeof *p);
  p->src = text;
  p->n = strlen(text);
  p->what = what;
  p->err = err;
  p->errlen = errlen;
  advance(p);
}

static int finish_check(parser *p, size_t nparsed) {
  if (p->rc)
    return p->rc;
  if (p->cur.kind != T_END)
    syntax(p, p->cur.pos, nparsed ? "',' or end of text" : "end of text");
  return p->rc;
}

int sel_parse_expr(const char *text, const char *what, sel_node **out,
                   char *err, size_t errlen) {
  parser p;
  start(&p, text, what, err, errlen);
  *out = NULL;
  if (p.cur.kind == T_END && !p.rc) {
    snprintf(err, errlen, "select: %s is empty", what);
    return WEIR_ERR_INVALID;
  }
  sel_node *n = expr(&p);
  if (n && p.cur.kind != T_END && !p.rc)
    syntax(&p, p.cur.pos, "an operator or end of text");
  if (p.rc) {
    sel_node_free(n);
    return p.rc;
  }
  *out = n;
  return WEIR_OK;
}

void sel_items_free(sel_item *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    sel_node_free(items[i].expr);
    free(items[i].alias);
  }
  free(items);
}

int sel_parse_list(const char *text, const char *what, sel_item **items,
                   size_t *nitems, char *err, size_t errlen) {
  parser p;
  sel_item *v = NULL;
  size_t n = 0;
  start(&p, text, what, err, errlen);
  if (p.cur.kind == T_END && !p.rc) {
    snprintf(err, errlen, "select: %s is empty", what);
    return WEIR_ERR_INVALID;
  }
  while (!p.rc) {
    sel_item *nv = realloc(v, (n + 1) * sizeof *v);
    if (!nv) {
      nomem(&p);
      break;
    }
    v = nv;
    memset(&v[n], 0, sizeof v[n]);
    v[n].pos = p.cur.pos;
    v[n].expr = expr(&p);
    n++;
    if (!v[n - 1].expr)
      break;
    tok t = p.cur;
    if (kw_is(&p, "AS")) {
      advance(&p);
      t = p.cur;
      if (t.kind != T_IDENT && t.kind != T_QIDENT) {
        syntax(&p, t.pos, "a name after AS");
        break;
      }
    } else if (!(t.kind == T_QIDENT || (t.kind == T_IDENT && !is_reserved(&p)))) {
      t.kind = T_END; /* no alias */
    }
    if (t.kind != T_END) {
      advance(&p);
      if (!(v[n - 1].alias = ident_text(&p, &t)))
        break;
    }
    if (!op_is(&p, ","))
      break;
    advance(&p);
  }
  if (finish_check(&p, n)) {
    sel_items_free(v, n);
    return p.rc;
  }
  *items = v;
  *nitems = n;
  return WEIR_OK;
}

/* ---- names ---------------------------------------------------------------- */

static void sql_args(const sel_node *n, size_t from, weir_buf *o) {
  for (size_t i = from; i < n->nargs; i++) {
    if (i > from)
      weir_buf_append(o, ", ", 2);
    sel_node_sql(n->args[i], o);
  }
}

void sel_node_sql(const sel_node *n, weir_buf *o) {
  static const char *const arith[] = {"+", "-", "*", "/", "%"};
  static const char *const cmp[] = {"=", "!=", "<", "<=", ">", ">=", "<=>"};
  char buf[64];
  switch (n->kind) {
  case SK_LIT:
    switch (n->lit.type) {
    case WEIR_T_BOOL: weir_buf_printf(o, "%s", n->lit.v.b ? "true" : "false"); break;
    case WEIR_T_INT: weir_buf_printf(o, "%lld", (long long)n->lit.v.i); break;
    case WEIR_T_FLOAT:
      weir_format_double(n->lit.v.f, 1, buf, sizeof buf);
      weir_buf_printf(o, "%s", buf);
      break;
    case WEIR_T_STRING: /* Spark names a string literal by its bare text */
      weir_buf_append(o, n->lit.v.s.ptr, n->lit.v.s.len);
      break;
    case WEIR_T_TIMESTAMP:
      weir_format_timestamp(n->lit.v.ts, WEIR_TS_SPARK, buf, sizeof buf);
      weir_buf_printf(o, "TIMESTAMP '%s'", buf);
      break;
    default: weir_buf_printf(o, "NULL"); break;
    }
    break;
  case SK_COL: weir_buf_printf(o, "%s", n->name); break;
  case SK_FIELD:
    sel_node_sql(n->args[0], o);
    weir_buf_printf(o, ".%s", n->name);
    break;
  case SK_STAR:
    if (n->nargs) {
      sel_node_sql(n->args[0], o);
      weir_buf_append(o, ".", 1);
    }
    weir_buf_append(o, "*", 1);
    break;
  case SK_NEG:
    weir_buf_append(o, "(- ", 3);
    sel_node_sql(n->args[0], o);
    weir_buf_append(o, ")", 1);
    break;
  case SK_ARITH:
  case SK_CMP:
  case SK_AND:
  case SK_OR:
    weir_buf_append(o, "(", 1);
    sel_node_sql(n->args[0], o);
    weir_buf_printf(o, " %s ",
                    n->kind == SK_ARITH ? arith[n->op]
                    : n->kind == SK_CMP ? cmp[n->op]
                    : n->kind == SK_AND ? "AND" : "OR");
    sel_node_sql(n->args[1], o);
    weir_buf_append(o, ")", 1);
    break;
  case SK_NOT:
    weir_buf_append(o, "(NOT ", 5);
    sel_node_sql(n->args[0], o);
    weir_buf_append(o, ")", 1);
    break;
  case SK_ISNULL:
    weir_buf_append(o, "(", 1);
    sel_node_sql(n->args[0], o);
    weir_buf_printf(o, " IS %sNULL)", n->op ? "NOT " : "");
    break;
  case SK_CAST:
    if (n->implicit) {
      sel_node_sql(n->args[0], o);
      break;
    }
    weir_buf_append(o, "CAST(", 5);
    sel_node_sql(n->args[0], o);
    weir_buf_printf(o, " AS %s)", n->cast_name);
    break;
  case SK_FUNC:
    weir_buf_printf(o, "%s(", n->name);
    sql_args(n, 0, o);
    if (n->op == SEL_F_SUBSTRING && n->nargs == 2)
      weir_buf_printf(o, ", 2147483647"); /* Spark shows the default length */
    weir_buf_append(o, ")", 1);
    break;
  case SK_IN:
    weir_buf_append(o, "(", 1);
    sel_node_sql(n->args[0], o);
    weir_buf_append(o, " IN (", 5);
    sql_args(n, 1, o);
    weir_buf_append(o, "))", 2);
    break;
  case SK_LIKE:
    sel_node_sql(n->args[0], o);
    weir_buf_append(o, " LIKE ", 6);
    sel_node_sql(n->args[1], o);
    break;
  }
}
