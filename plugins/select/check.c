/* check.c — load-time resolution and typing of select expressions: column
 * names against the input schema (with suggestions), Spark's implicit
 * coercions (made explicit as cast nodes, so that the evaluator never has to
 * guess), and a clear error naming the expression for everything Spark
 * would refuse. Nullability is computed conservatively. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"

typedef struct chk {
  const weir_schema *in;
  const char *what;
  char *err;
  size_t errlen;
  const sel_node *root; /* the whole expression: where a generator may be */
} chk;

/* "select: (value + true) in columns: '+' needs numbers, ..." */
static int fail(chk *c, const sel_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(chk *c, const sel_node *n, const char *fmt, ...) {
  weir_buf sql = WEIR_BUF_INIT;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  sel_node_sql(n, &sql);
  snprintf(c->err, c->errlen, "select: %s in %s: %s",
           sql.data ? (const char *)sql.data : "?", c->what, msg);
  weir_buf_free(&sql);
  return WEIR_ERR_SCHEMA;
}

static const char *tname(weir_type t) { return weir_type_name(t); }
static int numeric(weir_type t) { return t == WEIR_T_INT || t == WEIR_T_FLOAT; }
/* Types with parts, which no scalar function, cast or comparison takes. */
static int complex_type(weir_type t) {
  return t == WEIR_T_STRUCT || t == WEIR_T_ARRAY;
}
/* "a struct", "an array" */
static const char *a_type(weir_type t) {
  return t == WEIR_T_ARRAY    ? "an array"
         : t == WEIR_T_STRUCT ? "a struct"
                              : "a value";
}

int sel_find(const weir_schema *s, const char *name) {
  int found = weir_schema_find(s, name);
  if (found >= 0)
    return found;
  for (size_t i = 0; i < s->n; i++)
    if (sel_name_eq(s->fields[i].name, name)) {
      if (found >= 0)
        return -2;
      found = (int)i;
    }
  return found;
}

/* A cast that may yield null from a non-null value. */
static int fallible(weir_type from, weir_type to) {
  if (from == WEIR_T_STRING)
    return to != WEIR_T_STRING && to != WEIR_T_BINARY;
  return from == WEIR_T_FLOAT && to == WEIR_T_TIMESTAMP; /* NaN, infinity */
}

static int castable(weir_type from, weir_type to) {
  if (from == to || from == WEIR_T_NULL)
    return 1;
  switch (to) {
  case WEIR_T_STRING: return !complex_type(from);
  case WEIR_T_INT:
  case WEIR_T_FLOAT:
  case WEIR_T_BOOL:
    return from == WEIR_T_BOOL || from == WEIR_T_INT || from == WEIR_T_FLOAT ||
           from == WEIR_T_STRING || from == WEIR_T_TIMESTAMP;
  case WEIR_T_TIMESTAMP:
    return from == WEIR_T_INT || from == WEIR_T_FLOAT || from == WEIR_T_STRING;
  case WEIR_T_BINARY: return from == WEIR_T_STRING;
  default: return 0;
  }
}

/* Wraps *slot in an implicit cast to `to`. A literal that cannot convert is
 * refused now rather than silently becoming null on every row. */
static int coerce(chk *c, const sel_node *ctx, sel_node **slot, weir_type to) {
  sel_node *a = *slot;
  if (a->type == to || a->type == WEIR_T_NULL)
    return WEIR_OK;
  if (a->kind == SK_LIT) {
    sel_arena arena = {0};
    sel_env env = {NULL, &arena, 0, NULL};
    weir_value v;
    sel_cast(&env, &a->lit, to, &v);
    sel_arena_free(&arena);
    if (v.type == WEIR_T_NULL) {
      weir_buf sql = WEIR_BUF_INIT;
      sel_node_sql(a, &sql);
      int rc = fail(c, ctx, "'%s' is not a valid %s",
                    sql.data ? (const char *)sql.data : "", tname(to));
      weir_buf_free(&sql);
      return rc;
    }
  }
  sel_node *n = sel_node_new(SK_CAST, a->pos);
  sel_node **args = malloc(sizeof *args);
  if (!n || !args) {
    free(n);
    free(args);
    snprintf(c->err, c->errlen, "select: out of memory");
    return WEIR_ERR_NOMEM;
  }
  n->implicit = true;
  n->cast_to = to;
  n->type = to;
  n->nullable = a->nullable || fallible(a->type, to);
  n->args = args;
  n->args[0] = a;
  n->nargs = 1;
  *slot = n;
  return WEIR_OK;
}

static int resolve_col(chk *c, sel_node *n) {
  int i = sel_find(c->in, n->name);
  if (i == -2)
    return fail(c, n, "column name '%s' is ambiguous (differs only by case)",
                n->name);
  if (i < 0) {
    const char *s = weir_schema_suggest(c->in, n->name);
    weir_buf cols = WEIR_BUF_INIT;
    for (size_t k = 0; k < c->in->n && !s; k++)
      weir_buf_printf(&cols, "%s%s", k ? ", " : "", c->in->fields[k].name);
    if (s)
      snprintf(c->err, c->errlen,
               "select: unknown column '%s' in %s (did you mean '%s'?)",
               n->name, c->what, s);
    else
      snprintf(c->err, c->errlen,
               "select: unknown column '%s' in %s (input columns: %s)", n->name,
               c->what, cols.data ? (const char *)cols.data : "none");
    weir_buf_free(&cols);
    return WEIR_ERR_SCHEMA;
  }
  const weir_field *f = &c->in->fields[i];
  n->index = i;
  n->type = f->type;
  n->nullable = f->nullable;
  n->members = f->fields;
  return WEIR_OK;
}

static int resolve_field(chk *c, sel_node *n) {
  const sel_node *s = n->args[0];
  if (s->type != WEIR_T_STRUCT || !s->members)
    return fail(c, n, "cannot read field '%s' of %s %s", n->name,
                s->type == WEIR_T_ARRAY ? "an" : "a", tname(s->type));
  int i = sel_find(s->members, n->name);
  if (i < 0) {
    weir_buf sql = WEIR_BUF_INIT;
    const char *sug = weir_schema_suggest(s->members, n->name);
    sel_node_sql(s, &sql);
    snprintf(c->err, c->errlen,
             "select: unknown field '%s' of struct '%s' in %s%s%s%s", n->name,
             sql.data ? (const char *)sql.data : "", c->what,
             sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
    weir_buf_free(&sql);
    return WEIR_ERR_SCHEMA;
  }
  const weir_field *f = &s->members->fields[i];
  n->index = i;
  n->type = f->type;
  n->nullable = s->nullable || f->nullable;
  n->members = f->fields;
  n->nscratch = s->members->n;
  n->scratch = calloc(n->nscratch ? n->nscratch : 1, sizeof(weir_value));
  if (!n->scratch) {
    snprintf(c->err, c->errlen, "select: out of memory");
    return WEIR_ERR_NOMEM;
  }
  return WEIR_OK;
}

/* Spark casts a string operand of arithmetic to double. */
static int numeric_arg(chk *c, sel_node *n, size_t i, const char *what) {
  sel_node *a = n->args[i];
  if (a->type == WEIR_T_STRING)
    return coerce(c, n, &n->args[i], WEIR_T_FLOAT);
  if (a->type != WEIR_T_NULL && !numeric(a->type))
    return fail(c, n, "%s needs a number, got %s", what, tname(a->type));
  return WEIR_OK;
}

static int check_arith(chk *c, sel_node *n) {
  static const char *const ops[] = {"+", "-", "*", "/", "%"};
  weir_type a = n->args[0]->type, b = n->args[1]->type;
  if ((a != WEIR_T_NULL && a != WEIR_T_STRING && !numeric(a)) ||
      (b != WEIR_T_NULL && b != WEIR_T_STRING && !numeric(b)))
    return fail(c, n, "'%s' needs numbers, got %s and %s", ops[n->op], tname(a),
                tname(b));
  int rc = WEIR_OK;
  for (size_t i = 0; i < 2 && !rc; i++)
    rc = numeric_arg(c, n, i, "arithmetic");
  if (rc)
    return rc;
  a = n->args[0]->type;
  b = n->args[1]->type;
  /* int op int stays a (wrapping) bigint; '/' is always double, as Spark */
  n->type = (n->op == SEL_DIV || a == WEIR_T_FLOAT || b == WEIR_T_FLOAT)
                ? WEIR_T_FLOAT
                : WEIR_T_INT;
  for (size_t i = 0; i < 2 && !rc; i++)
    rc = coerce(c, n, &n->args[i], n->type);
  n->nullable = n->args[0]->nullable || n->args[1]->nullable ||
                n->op == SEL_DIV || n->op == SEL_MOD; /* x / 0 is null */
  return rc;
}

/* The type two operands are compared as (Spark's findCommonTypeForBinary-
 * Comparison, the parts weir's types have), or WEIR_T_STRUCT if none. */
static weir_type common_cmp(weir_type a, weir_type b) {
  if (complex_type(a) || complex_type(b))
    return WEIR_T_STRUCT;
  if (a == WEIR_T_NULL)
    return b;
  if (b == WEIR_T_NULL || a == b)
    return a;
  if (numeric(a) && numeric(b))
    return WEIR_T_FLOAT;
  if (a == WEIR_T_STRING && b != WEIR_T_BINARY)
    return b;
  if (b == WEIR_T_STRING && a != WEIR_T_BINARY)
    return a;
  return WEIR_T_STRUCT;
}

static int check_cmp(chk *c, sel_node *n) {
  weir_type a = n->args[0]->type, b = n->args[1]->type;
  weir_type t = common_cmp(a, b);
  if (t == WEIR_T_STRUCT)
    return a == b ? fail(c, n, "cannot compare %ss", tname(a))
                  : fail(c, n, "cannot compare %s with %s", tname(a), tname(b));
  int rc = WEIR_OK;
  for (size_t i = 0; i < 2 && !rc; i++)
    rc = coerce(c, n, &n->args[i], t);
  n->cmp = t;
  n->type = WEIR_T_BOOL;
  n->nullable =
      n->op != SEL_NSEQ && (n->args[0]->nullable || n->args[1]->nullable);
  return rc;
}

static int check_in(chk *c, sel_node *n) {
  weir_type t = WEIR_T_NULL;
  for (size_t i = 0; i < n->nargs; i++) {
    weir_type u = common_cmp(t, n->args[i]->type);
    if (u == WEIR_T_STRUCT)
      return fail(c, n, "cannot compare %s with %s", tname(n->args[0]->type),
                  tname(n->args[i]->type));
    t = u;
  }
  n->cmp = t;
  n->type = WEIR_T_BOOL;
  n->nullable = false;
  for (size_t i = 0; i < n->nargs; i++) {
    int rc = coerce(c, n, &n->args[i], t);
    if (rc)
      return rc;
    n->nullable |= n->args[i]->nullable;
  }
  return WEIR_OK;
}

static int want(chk *c, sel_node *n, size_t i, weir_type t, const char *what) {
  weir_type a = n->args[i]->type;
  if (a != t && a != WEIR_T_NULL)
    return fail(c, n, "%s needs %s %s, got %s", what,
                t == WEIR_T_INT ? "an" : "a",
                t == WEIR_T_BOOL  ? "boolean"
                : t == WEIR_T_INT ? "integer"
                                  : tname(t),
                tname(a));
  return WEIR_OK;
}

/* split(str, pattern[, limit]): the pattern is compiled here, once. */
static int check_split(chk *c, sel_node *n, const char *fname) {
  char why[300];
  int rc = want(c, n, 0, WEIR_T_STRING, fname);
  if (!rc && n->nargs > 2)
    rc = want(c, n, 2, WEIR_T_INT, fname);
  if (rc)
    return rc;
  const sel_node *pat = n->args[1];
  if (pat->kind != SK_LIT ||
      (pat->lit.type != WEIR_T_STRING && pat->lit.type != WEIR_T_NULL))
    return fail(c, n,
                "%s needs its pattern as a string literal (e.g. ' ' or "
                "'[,;]'), got %s",
                fname,
                pat->kind == SK_LIT ? tname(pat->lit.type) : "an expression");
  n->type = WEIR_T_ARRAY;
  n->members = &sel_split_element;
  if ((rc = sel_split_compile(n, why, sizeof why)) != WEIR_OK) {
    if (rc == WEIR_ERR_NOMEM) {
      snprintf(c->err, c->errlen, "select: out of memory");
      return rc;
    }
    return fail(c, n, "%s", why);
  }
  return WEIR_OK;
}

static int check_func(chk *c, sel_node *n) {
  char fname[64];
  int rc = WEIR_OK;
  snprintf(fname, sizeof fname, "%s()", n->name);
  n->nullable = false;
  for (size_t i = 0; i < n->nargs; i++)
    n->nullable |= n->args[i]->nullable;
  switch (n->op) {
  case SEL_F_LOWER:
  case SEL_F_UPPER:
  case SEL_F_TRIM:
  case SEL_F_LTRIM:
  case SEL_F_RTRIM:
    n->type = WEIR_T_STRING;
    return want(c, n, 0, WEIR_T_STRING, fname);
  case SEL_F_LENGTH:
    n->type = WEIR_T_INT;
    if (n->args[0]->type == WEIR_T_BINARY)
      return WEIR_OK;
    return want(c, n, 0, WEIR_T_STRING, fname);
  case SEL_F_SUBSTRING:
    n->type = n->args[0]->type == WEIR_T_BINARY ? WEIR_T_BINARY : WEIR_T_STRING;
    rc = want(c, n, 0, n->type, fname);
    for (size_t i = 1; i < n->nargs && !rc; i++)
      rc = want(c, n, i, WEIR_T_INT, fname);
    return rc;
  case SEL_F_ABS:
    if ((rc = numeric_arg(c, n, 0, fname)))
      return rc;
    n->type = n->args[0]->type == WEIR_T_FLOAT ? WEIR_T_FLOAT : WEIR_T_INT;
    return WEIR_OK;
  case SEL_F_NOW: n->type = WEIR_T_TIMESTAMP; return WEIR_OK;
  case SEL_F_SPLIT: return check_split(c, n, fname);
  case SEL_F_SIZE:
    n->type = WEIR_T_INT;
    n->nullable = false; /* -1 for null */
    if (n->args[0]->type != WEIR_T_ARRAY && n->args[0]->type != WEIR_T_NULL)
      return fail(c, n, "%s needs an array, got %s", fname,
                  tname(n->args[0]->type));
    return WEIR_OK;
  case SEL_F_EXPLODE:
  case SEL_F_EXPLODE_OUTER: {
    /* A generator makes rows, not a value: Spark allows it only as a whole
     * item of the select list. */
    if (n != c->root || strcmp(c->what, "columns") != 0)
      return fail(c, n,
                  "%s is a generator: it can only be a whole item of columns "
                  "(e.g. columns = %s(tags) AS tag), not part of an "
                  "expression%s",
                  fname, n->name,
                  strcmp(c->what, "columns") != 0 ? " or a filter" : "");
    const weir_field *el = n->args[0]->type == WEIR_T_ARRAY &&
                                   n->args[0]->members &&
                                   n->args[0]->members->n == 1
                               ? &n->args[0]->members->fields[0]
                               : NULL;
    if (!el)
      return fail(c, n, "%s needs an array, got %s", fname,
                  tname(n->args[0]->type));
    n->type = el->type;
    n->nullable = el->nullable || n->op == SEL_F_EXPLODE_OUTER;
    return WEIR_OK;
  }
  case SEL_F_CONCAT:
    /* Spark casts every argument to string */
    n->type = WEIR_T_STRING;
    for (size_t i = 0; i < n->nargs && !rc; i++) {
      if (complex_type(n->args[i]->type))
        return fail(c, n, "%s cannot take %s", fname, a_type(n->args[i]->type));
      rc = coerce(c, n, &n->args[i], WEIR_T_STRING);
    }
    n->nscratch = n->nargs;
    n->scratch = calloc(n->nargs, sizeof(weir_value));
    if (!rc && !n->scratch) {
      snprintf(c->err, c->errlen, "select: out of memory");
      rc = WEIR_ERR_NOMEM;
    }
    return rc;
  case SEL_F_COALESCE: {
    weir_type t = WEIR_T_NULL;
    n->nullable = true;
    for (size_t i = 0; i < n->nargs; i++) {
      weir_type a = n->args[i]->type;
      if (!n->args[i]->nullable)
        n->nullable = false;
      if (complex_type(a))
        return fail(c, n, "%s cannot take %s", fname, a_type(a));
      if (t == WEIR_T_NULL || a == WEIR_T_NULL || a == t)
        t = a == WEIR_T_NULL ? t : a;
      else if (numeric(a) && numeric(t))
        t = WEIR_T_FLOAT;
      else
        return fail(c, n, "%s arguments must have one type, got %s and %s",
                    fname, tname(t), tname(a));
    }
    n->type = t;
    for (size_t i = 0; i < n->nargs && !rc; i++)
      rc = coerce(c, n, &n->args[i], t);
    return rc;
  }
  }
  return fail(c, n, "internal error: unknown function");
}

static int check_node(chk *c, sel_node **slot) {
  sel_node *n = *slot;
  int rc;
  if (n->kind == SK_STAR)
    return fail(c, n, "'*' can only be a whole item of columns");
  for (size_t i = 0; i < n->nargs; i++)
    if ((rc = check_node(c, &n->args[i])))
      return rc;
  switch (n->kind) {
  case SK_LIT:
    n->type = n->lit.type;
    n->nullable = n->lit.type == WEIR_T_NULL;
    return WEIR_OK;
  case SK_COL: return resolve_col(c, n);
  case SK_FIELD: return resolve_field(c, n);
  case SK_NEG:
    if ((rc = numeric_arg(c, n, 0, "unary '-'")))
      return rc;
    n->type = n->args[0]->type == WEIR_T_FLOAT ? WEIR_T_FLOAT : WEIR_T_INT;
    n->nullable = n->args[0]->nullable;
    return WEIR_OK;
  case SK_ARITH: return check_arith(c, n);
  case SK_CMP: return check_cmp(c, n);
  case SK_AND:
  case SK_OR:
  case SK_NOT:
    for (size_t i = 0; i < n->nargs; i++)
      if ((rc = want(c, n, i, WEIR_T_BOOL,
                     n->kind == SK_AND  ? "AND"
                     : n->kind == SK_OR ? "OR"
                                        : "NOT")))
        return rc;
    n->type = WEIR_T_BOOL;
    n->nullable =
        n->args[0]->nullable || (n->nargs > 1 && n->args[1]->nullable);
    return WEIR_OK;
  case SK_ISNULL:
    n->type = WEIR_T_BOOL;
    n->nullable = false;
    return WEIR_OK;
  case SK_CAST: {
    weir_type from = n->args[0]->type;
    if (!castable(from, n->cast_to))
      return fail(c, n, "cannot cast %s to %s", tname(from), tname(n->cast_to));
    n->type = n->cast_to;
    n->nullable = n->args[0]->nullable || fallible(from, n->cast_to);
    return WEIR_OK;
  }
  case SK_FUNC: return check_func(c, n);
  case SK_IN: return check_in(c, n);
  case SK_LIKE:
    for (size_t i = 0; i < 2; i++)
      if ((rc = want(c, n, i, WEIR_T_STRING, "LIKE")))
        return rc;
    n->type = WEIR_T_BOOL;
    n->nullable = n->args[0]->nullable || n->args[1]->nullable;
    return WEIR_OK;
  case SK_STAR: break;
  }
  return fail(c, n, "internal error: unknown expression");
}

int sel_check(sel_node **slot, const weir_schema *input, const char *what,
              char *err, size_t errlen) {
  chk c = {input, what, err, errlen, *slot};
  return check_node(&c, slot);
}
