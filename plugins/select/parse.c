/* parse.c — recursive-descent parser for the select operator's expression
 * language (a Spark SQL subset), over the tokens of lex.c.
 *
 * Precedence, loosest first, as in Spark's grammar: OR; AND; NOT; one
 * predicate (comparisons chain left to right, then IS [NOT] NULL, [NOT] IN,
 * [NOT] LIKE, [NOT] BETWEEN); + - ||; * / %; unary minus; field access. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"

typedef struct func_def {
  const char *name;
  int id, min, max; /* max -1: any number */
} func_def;

static const func_def funcs[] = {{"lower", SEL_F_LOWER, 1, 1},
                                 {"lcase", SEL_F_LOWER, 1, 1},
                                 {"upper", SEL_F_UPPER, 1, 1},
                                 {"ucase", SEL_F_UPPER, 1, 1},
                                 {"length", SEL_F_LENGTH, 1, 1},
                                 {"char_length", SEL_F_LENGTH, 1, 1},
                                 {"character_length", SEL_F_LENGTH, 1, 1},
                                 {"substring", SEL_F_SUBSTRING, 2, 3},
                                 {"substr", SEL_F_SUBSTRING, 2, 3},
                                 {"coalesce", SEL_F_COALESCE, 1, -1},
                                 {"ifnull", SEL_F_COALESCE, 2, 2},
                                 {"nvl", SEL_F_COALESCE, 2, 2},
                                 {"abs", SEL_F_ABS, 1, 1},
                                 {"concat", SEL_F_CONCAT, 1, -1},
                                 {"trim", SEL_F_TRIM, 1, 1},
                                 {"ltrim", SEL_F_LTRIM, 1, 1},
                                 {"rtrim", SEL_F_RTRIM, 1, 1},
                                 {"current_timestamp", SEL_F_NOW, 0, 0},
                                 {"now", SEL_F_NOW, 0, 0},
                                 {"split", SEL_F_SPLIT, 2, 3},
                                 {"size", SEL_F_SIZE, 1, 1},
                                 {"cardinality", SEL_F_SIZE, 1, 1},
                                 {"explode", SEL_F_EXPLODE, 1, 1},
                                 {"explode_outer", SEL_F_EXPLODE_OUTER, 1, 1},
                                 {NULL, 0, 0, 0}};

/* CAST target names: what the user may write, what we build, and how
 * Spark names the type in generated column names. */
typedef struct type_def {
  const char *name;
  weir_type type;
  const char *sql;
} type_def;

static const type_def types[] = {{"STRING", WEIR_T_STRING, "STRING"},
                                 {"INT", WEIR_T_INT, "INT"},
                                 {"INTEGER", WEIR_T_INT, "INT"},
                                 {"BIGINT", WEIR_T_INT, "BIGINT"},
                                 {"LONG", WEIR_T_INT, "BIGINT"},
                                 {"SMALLINT", WEIR_T_INT, "SMALLINT"},
                                 {"SHORT", WEIR_T_INT, "SMALLINT"},
                                 {"TINYINT", WEIR_T_INT, "TINYINT"},
                                 {"BYTE", WEIR_T_INT, "TINYINT"},
                                 {"DOUBLE", WEIR_T_FLOAT, "DOUBLE"},
                                 {"FLOAT", WEIR_T_FLOAT, "FLOAT"},
                                 {"REAL", WEIR_T_FLOAT, "FLOAT"},
                                 {"BOOLEAN", WEIR_T_BOOL, "BOOLEAN"},
                                 {"BOOL", WEIR_T_BOOL, "BOOLEAN"},
                                 {"TIMESTAMP", WEIR_T_TIMESTAMP, "TIMESTAMP"},
                                 {"BINARY", WEIR_T_BINARY, "BINARY"},
                                 {NULL, 0, NULL}};

/* ---- nodes -----------------------------------------------------------------
 */

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
  sel_split_free(n->split);
  free(n);
}

static sel_node *mk(parser *p, sel_kind kind, size_t pos) {
  if (++p->nodes > SEL_MAX_NODES) {
    lx_err(p, WEIR_ERR_INVALID, "select: %s is too long (more than %d terms)",
           p->what, SEL_MAX_NODES);
    return NULL;
  }
  sel_node *n = sel_node_new(kind, pos);
  if (!n)
    lx_nomem(p);
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
    lx_nomem(p);
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
  return add_arg(p, n, a); /* frees a when n is NULL */
}

static sel_node *mk2(parser *p, sel_kind kind, int op, size_t pos, sel_node *a,
                     sel_node *b) {
  if (!b) {
    sel_node_free(a);
    return NULL;
  }
  return add_arg(p, mk1(p, kind, op, pos, a), b); /* frees b on failure */
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
    lx_nomem(p);
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

/* ---- grammar ----------------------------------------------------------------
 */

static sel_node *expr(parser *p);
static sel_node *additive(parser *p);

static sel_node *number(parser *p, const tok *t, int neg) {
  char buf[128];
  size_t n = t->len;
  sel_node *lit = mk(p, SK_LIT, t->pos);
  if (!lit)
    return NULL;
  if (n >= sizeof buf - 1) {
    lx_err(p, WEIR_ERR_INVALID, "select: number too long in %s at offset %zu",
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
  if (!(n->text = lx_string(p, t, &len))) {
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
  if (!lx_expect(p, "("))
    return NULL;
  sel_node *e = expr(p);
  if (!e)
    return NULL;
  if (!lx_kw(p, "AS")) {
    lx_syntax(p, p->cur.pos, "AS");
    sel_node_free(e);
    return NULL;
  }
  lx_advance(p);
  if (p->cur.kind != T_IDENT) {
    lx_syntax(p, p->cur.pos, "a type name");
    sel_node_free(e);
    return NULL;
  }
  const type_def *td = NULL;
  for (size_t i = 0; types[i].name; i++)
    if (lx_kw(p, types[i].name))
      td = &types[i];
  if (!td) {
    const char *names[sizeof types / sizeof types[0]];
    char word[64];
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
      names[i] = types[i].name;
    snprintf(word, sizeof word, "%.*s", (int)p->cur.len, p->src + p->cur.pos);
    const char *s = sel_closest(word, names);
    if (s)
      lx_err(p, WEIR_ERR_INVALID,
             "select: unknown type '%s' in CAST in %s (did you mean '%s'?)",
             word, p->what, s);
    else
      lx_err(p, WEIR_ERR_INVALID,
             "select: unknown type '%s' in CAST in %s (known types: STRING, "
             "BIGINT, INT, DOUBLE, FLOAT, BOOLEAN, TIMESTAMP, BINARY)",
             word, p->what);
    sel_node_free(e);
    return NULL;
  }
  lx_advance(p);
  if (!lx_expect(p, ")")) {
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
    lx_err(p, WEIR_ERR_INVALID, "select: unknown function '%s' in %s%s%s%s",
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
  if (lx_op(p, "(")) {
    lx_advance(p);
    if (!lx_op(p, ")"))
      for (;;) {
        if (!(n = add_arg(p, n, expr(p))))
          return NULL;
        if (!lx_op(p, ","))
          break;
        lx_advance(p);
      }
    if (!lx_expect(p, ")")) {
      sel_node_free(n);
      return NULL;
    }
  }
  if ((int)n->nargs < f->min || (f->max >= 0 && (int)n->nargs > f->max)) {
    weir_buf sql = WEIR_BUF_INIT;
    char want[32];
    sel_node_sql(n, &sql);
    if (f->min == f->max)
      snprintf(want, sizeof want, "%d argument%s", f->min,
               f->min == 1 ? "" : "s");
    else if (f->max < 0)
      snprintf(want, sizeof want, "at least %d argument%s", f->min,
               f->min == 1 ? "" : "s");
    else
      snprintf(want, sizeof want, "%d or %d arguments", f->min, f->max);
    lx_err(p, WEIR_ERR_SCHEMA, "select: %s in %s: %s() takes %s, got %zu",
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
    lx_advance(p);
    return number(p, &t, 0);
  }
  if (t.kind == T_STRING) {
    lx_advance(p);
    return string_lit(p, &t);
  }
  if (lx_op(p, "(")) {
    lx_advance(p);
    sel_node *e = expr(p);
    if (e && !lx_expect(p, ")")) {
      sel_node_free(e);
      return NULL;
    }
    return e;
  }
  if (lx_op(p, "*")) {
    lx_advance(p);
    return mk(p, SK_STAR, t.pos);
  }
  if (t.kind == T_IDENT &&
      (lx_kw(p, "NULL") || lx_kw(p, "TRUE") || lx_kw(p, "FALSE"))) {
    sel_node *n = mk(p, SK_LIT, t.pos);
    if (n && !lx_kw(p, "NULL")) {
      n->lit.type = WEIR_T_BOOL;
      n->lit.v.b = lx_kw(p, "TRUE");
    }
    lx_advance(p);
    return n;
  }
  if (lx_kw(p, "CAST")) {
    lx_advance(p);
    if (lx_op(p, "("))
      return cast(p, t.pos);
    lx_syntax(p, p->cur.pos, "'('");
    return NULL;
  }
  if ((t.kind != T_IDENT && t.kind != T_QIDENT) || lx_reserved(p)) {
    lx_syntax(p, t.pos, "an expression");
    return NULL;
  }
  lx_advance(p);
  char *name = lx_ident(p, &t);
  if (!name)
    return NULL;
  if (t.kind == T_IDENT) {
    if (lx_op(p, "(") || sel_name_eq(name, "current_timestamp"))
      return call(p, name, t.pos);
    if (sel_name_eq(name, "timestamp") && p->cur.kind == T_STRING) {
      /* TIMESTAMP '2026-01-01 00:00:00': a typed literal */
      tok s = p->cur;
      lx_advance(p);
      free(name);
      sel_node *n = string_lit(p, &s);
      if (!n)
        return NULL;
      int64_t us;
      if (weir_parse_timestamp(n->lit.v.s.ptr, n->lit.v.s.len, &us) !=
          WEIR_OK) {
        lx_err(p, WEIR_ERR_INVALID,
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
  while (n && lx_op(p, ".")) {
    size_t pos = p->cur.pos;
    lx_advance(p);
    if (lx_op(p, "*") && (n->kind == SK_COL || n->kind == SK_FIELD)) {
      lx_advance(p);
      return mk1(p, SK_STAR, 0, pos, n);
    }
    if (p->cur.kind != T_IDENT && p->cur.kind != T_QIDENT) {
      lx_syntax(p, p->cur.pos, "a field name after '.'");
      sel_node_free(n);
      return NULL;
    }
    tok t = p->cur;
    lx_advance(p);
    char *name = lx_ident(p, &t);
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
  if (lx_op(p, "-")) {
    lx_advance(p);
    if (p->cur.kind == T_INT || p->cur.kind == T_FLOAT) {
      /* -1 is a literal, as in Spark's grammar (and INT64_MIN fits) */
      tok t = p->cur;
      lx_advance(p);
      return number(p, &t, 1);
    }
    return mk1(p, SK_NEG, 0, pos, unary(p));
  }
  if (lx_op(p, "+")) { /* a loop: '+' builds no node to bound it */
    while (lx_op(p, "+"))
      lx_advance(p);
    return unary(p);
  }
  return postfix(p);
}

static sel_node *multiplicative(parser *p) {
  sel_node *l = unary(p);
  while (l) {
    int op = lx_op(p, "*")   ? SEL_MUL
             : lx_op(p, "/") ? SEL_DIV
             : lx_op(p, "%") ? SEL_MOD
                             : -1;
    if (op < 0)
      break;
    size_t pos = p->cur.pos;
    lx_advance(p);
    l = mk2(p, SK_ARITH, op, pos, l, unary(p));
  }
  return l;
}

static sel_node *additive(parser *p) {
  sel_node *l = multiplicative(p);
  while (l) {
    size_t pos = p->cur.pos;
    if (lx_op(p, "||")) { /* Spark: concat(a, b) */
      lx_advance(p);
      sel_node *n = mk2(p, SK_FUNC, SEL_F_CONCAT, pos, l, multiplicative(p));
      if (n && !(n->name = strdup("concat"))) {
        lx_nomem(p);
        sel_node_free(n);
        n = NULL;
      }
      l = n;
      continue;
    }
    int op = lx_op(p, "+") ? SEL_ADD : lx_op(p, "-") ? SEL_SUB : -1;
    if (op < 0)
      break;
    lx_advance(p);
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
      if (lx_op(p, cmps[k].tok))
        break;
    if (k == sizeof cmps / sizeof cmps[0])
      break;
    lx_advance(p);
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
  if (lx_kw(p, "IS")) {
    lx_advance(p);
    int neg = lx_kw(p, "NOT");
    if (neg)
      lx_advance(p);
    if (!lx_kw(p, "NULL")) {
      lx_syntax(p, p->cur.pos, neg ? "NULL" : "NULL or NOT NULL");
      sel_node_free(l);
      return NULL;
    }
    lx_advance(p);
    return mk1(p, SK_ISNULL, neg, pos, l);
  }
  int neg = lx_kw(p, "NOT");
  if (neg)
    lx_advance(p);
  if (lx_kw(p, "IN")) {
    lx_advance(p);
    if (!lx_expect(p, "(")) {
      sel_node_free(l);
      return NULL;
    }
    l = mk1(p, SK_IN, 0, pos, l);
    for (;;) {
      if (!(l = add_arg(p, l, expr(p))))
        return NULL;
      if (!lx_op(p, ","))
        break;
      lx_advance(p);
    }
    if (!lx_expect(p, ")")) {
      sel_node_free(l);
      return NULL;
    }
  } else if (lx_kw(p, "LIKE")) {
    lx_advance(p);
    l = mk2(p, SK_LIKE, 0, pos, l, additive(p));
  } else if (lx_kw(p, "BETWEEN")) {
    /* x BETWEEN a AND b is (x >= a) AND (x <= b), as Spark 3 parses it */
    lx_advance(p);
    sel_node *lo = additive(p);
    if (lo && !lx_kw(p, "AND")) {
      lx_syntax(p, p->cur.pos, "AND");
      sel_node_free(lo);
      lo = NULL;
    }
    if (!lo) {
      sel_node_free(l);
      return NULL;
    }
    lx_advance(p);
    sel_node *x2 = clone(p, l);
    sel_node *ge = mk2(p, SK_CMP, SEL_GE, pos, l, lo);
    sel_node *le = mk2(p, SK_CMP, SEL_LE, pos, x2, x2 ? additive(p) : NULL);
    l = mk2(p, SK_AND, 0, pos, ge, le);
  } else if (neg) {
    lx_syntax(p, p->cur.pos, "IN, LIKE or BETWEEN after NOT");
    sel_node_free(l);
    return NULL;
  } else {
    return l;
  }
  return neg ? mk1(p, SK_NOT, 0, pos, l) : l;
}

static sel_node *negation(parser *p) {
  if (lx_kw(p, "NOT")) {
    size_t pos = p->cur.pos;
    lx_advance(p);
    return mk1(p, SK_NOT, 0, pos, negation(p));
  }
  return predicate(p);
}

static sel_node *conjunction(parser *p) {
  sel_node *l = negation(p);
  while (l && lx_kw(p, "AND")) {
    size_t pos = p->cur.pos;
    lx_advance(p);
    l = mk2(p, SK_AND, 0, pos, l, negation(p));
  }
  return l;
}

static sel_node *expr(parser *p) {
  if (++p->depth > SEL_MAX_DEPTH) {
    lx_err(p, WEIR_ERR_INVALID,
           "select: %s is nested too deeply (more than %d levels)", p->what,
           SEL_MAX_DEPTH);
    return NULL;
  }
  sel_node *l = conjunction(p);
  while (l && lx_kw(p, "OR")) {
    size_t pos = p->cur.pos;
    lx_advance(p);
    l = mk2(p, SK_OR, 0, pos, l, conjunction(p));
  }
  p->depth--;
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
  lx_advance(p);
}

static int finish_check(parser *p, size_t nparsed) {
  if (p->rc)
    return p->rc;
  if (p->cur.kind != T_END)
    lx_syntax(p, p->cur.pos, nparsed ? "',' or end of text" : "end of text");
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
    lx_syntax(&p, p.cur.pos, "an operator or end of text");
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
      lx_nomem(&p);
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
    if (lx_kw(&p, "AS")) {
      lx_advance(&p);
      t = p.cur;
      if (t.kind != T_IDENT && t.kind != T_QIDENT) {
        lx_syntax(&p, t.pos, "a name after AS");
        break;
      }
    } else if (!(t.kind == T_QIDENT ||
                 (t.kind == T_IDENT && !lx_reserved(&p)))) {
      t.kind = T_END; /* no alias */
    }
    if (t.kind != T_END) {
      lx_advance(&p);
      if (!(v[n - 1].alias = lx_ident(&p, &t)))
        break;
    }
    if (!lx_op(&p, ","))
      break;
    lx_advance(&p);
  }
  if (finish_check(&p, n)) {
    sel_items_free(v, n);
    return p.rc;
  }
  *items = v;
  *nitems = n;
  return WEIR_OK;
}
