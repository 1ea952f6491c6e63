/* expr.c — a compiled select: the projection list (with `*` and `x.*`
 * expanded), the filter, the output schema with Spark's generated column
 * names ("(value * 2)", "lower(name)", "CAST(value AS STRING)"), and the
 * per-row entry points. The fast paths are decided here, once:
 * a plain column is copied as raw bytes, a filter-only select copies whole
 * rows, and `*` without a filter passes batches through untouched.
 *
 * A generator item (explode, explode_outer; at most one, as in Spark) turns
 * each input row into one output row per element of its array, the other
 * columns evaluated once and repeated; its column is called `col` unless
 * renamed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "expr_int.h"

typedef struct sel_col {
  sel_node *expr;
  char *name;
  int raw; /* input column copied undecoded, or -1 */
} sel_col;

struct sel_program {
  const weir_schema *in;
  sel_col *cols;
  size_t ncols;
  sel_node *where;
  weir_schema *out;
  int passthrough, rows_raw, uses_now;
  int gen;          /* the generator's column, or -1 */
  weir_value *vals; /* with a generator: one row's other values */
  sel_arena arena;
  weir_buf tmp; /* array values being built (sel_env.tmp) */
  int64_t now;
};

static int is_generator(const sel_node *n) {
  return n->kind == SK_FUNC &&
         (n->op == SEL_F_EXPLODE || n->op == SEL_F_EXPLODE_OUTER);
}

/* ---- names ----------------------------------------------------------------
 */

static void sql_of(const sel_node *n, weir_buf *o);

static void sql_args(const sel_node *n, size_t from, weir_buf *o) {
  for (size_t i = from; i < n->nargs; i++) {
    if (i > from)
      weir_buf_append(o, ", ", 2);
    sql_of(n->args[i], o);
  }
}

static void sql_of(const sel_node *n, weir_buf *o) {
  static const char *const arith[] = {"+", "-", "*", "/", "%"};
  static const char *const cmp[] = {"=", "<", "<=", ">", ">=", "<=>"};
  char buf[64];
  switch (n->kind) {
  case SK_LIT:
    switch (n->lit.type) {
    case WEIR_T_BOOL:
      weir_buf_printf(o, "%s", n->lit.v.b ? "true" : "false");
      break;
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
    sql_of(n->args[0], o);
    weir_buf_printf(o, ".%s", n->name);
    break;
  case SK_STAR:
    if (n->nargs) {
      sql_of(n->args[0], o);
      weir_buf_append(o, ".", 1);
    }
    weir_buf_append(o, "*", 1);
    break;
  case SK_NEG:
    weir_buf_append(o, "(- ", 3);
    sql_of(n->args[0], o);
    weir_buf_append(o, ")", 1);
    break;
  case SK_ARITH:
  case SK_CMP:
  case SK_AND:
  case SK_OR:
    weir_buf_append(o, "(", 1);
    sql_of(n->args[0], o);
    weir_buf_printf(o, " %s ",
                    n->kind == SK_ARITH ? arith[n->op]
                    : n->kind == SK_CMP ? cmp[n->op]
                    : n->kind == SK_AND ? "AND"
                                        : "OR");
    sql_of(n->args[1], o);
    weir_buf_append(o, ")", 1);
    break;
  case SK_NOT:
    weir_buf_append(o, "(NOT ", 5);
    sql_of(n->args[0], o);
    weir_buf_append(o, ")", 1);
    break;
  case SK_ISNULL:
    weir_buf_append(o, "(", 1);
    sql_of(n->args[0], o);
    weir_buf_printf(o, " IS %sNULL)", n->op ? "NOT " : "");
    break;
  case SK_CAST:
    if (n->implicit) {
      sql_of(n->args[0], o);
      break;
    }
    weir_buf_append(o, "CAST(", 5);
    sql_of(n->args[0], o);
    weir_buf_printf(o, " AS %s)", n->cast_name);
    break;
  case SK_FUNC:
    weir_buf_printf(o, "%s(", n->name);
    sql_args(n, 0, o);
    /* Spark shows the default length and limit */
    if (n->op == SEL_F_SUBSTRING && n->nargs == 2)
      weir_buf_printf(o, ", 2147483647");
    if (n->op == SEL_F_SPLIT && n->nargs == 2)
      weir_buf_printf(o, ", -1");
    weir_buf_append(o, ")", 1);
    break;
  case SK_IN:
    weir_buf_append(o, "(", 1);
    sql_of(n->args[0], o);
    weir_buf_append(o, " IN (", 5);
    sql_args(n, 1, o);
    weir_buf_append(o, "))", 2);
    break;
  case SK_LIKE:
    sql_of(n->args[0], o);
    weir_buf_append(o, " LIKE ", 6);
    sql_of(n->args[1], o);
    break;
  }
}

void sel_node_sql(const sel_node *n, weir_buf *out) {
  sql_of(n, out);
  /* Callers print it: keep a C string without counting the NUL. */
  if (weir_buf_reserve(out, 1) == WEIR_OK)
    out->data[out->len] = 0;
}

static int oom(char *err, size_t errlen) {
  snprintf(err, errlen, "select: out of memory");
  return WEIR_ERR_NOMEM;
}

/* Takes ownership of expr (checked) and name, also on failure. */
static int add_col(sel_program *p, sel_node *expr, char *name, char *err,
                   size_t errlen) {
  sel_col *c = realloc(p->cols, (p->ncols + 1) * sizeof *c);
  if (!c || !name) {
    if (c)
      p->cols = c;
    sel_node_free(expr);
    free(name);
    return oom(err, errlen);
  }
  p->cols = c;
  c[p->ncols].expr = expr;
  c[p->ncols].name = name;
  c[p->ncols].raw = expr->kind == SK_COL ? expr->index : -1;
  p->ncols++;
  return WEIR_OK;
}

static char *sql_name(const sel_node *n) {
  weir_buf b = WEIR_BUF_INIT;
  sel_node_sql(n, &b);
  char *s = b.err ? NULL : malloc(b.len + 1);
  if (s) {
    if (b.len)
      memcpy(s, b.data, b.len);
    s[b.len] = 0;
  }
  weir_buf_free(&b);
  return s;
}

/* `*`: every input column; `x.*`: every member of struct x. */
static int expand_star(sel_program *p, sel_node *star, char *err,
                       size_t errlen) {
  if (!star->nargs) {
    for (size_t i = 0; i < p->in->n; i++) {
      sel_node *n = sel_node_new(SK_COL, star->pos);
      if (!n)
        return oom(err, errlen);
      n->name = strdup(p->in->fields[i].name);
      int rc = n->name ? sel_check(&n, p->in, "columns", err, errlen)
                       : oom(err, errlen);
      if (rc) {
        sel_node_free(n);
        return rc;
      }
      if ((rc = add_col(p, n, strdup(p->in->fields[i].name), err, errlen)))
        return rc;
    }
    return WEIR_OK;
  }
  /* Check the qualifier alone first to learn its members. */
  sel_node *q = sel_node_clone(star->args[0]);
  if (!q)
    return oom(err, errlen);
  int rc = sel_check(&q, p->in, "columns", err, errlen);
  if (!rc && q->type != WEIR_T_STRUCT) {
    weir_buf sql = WEIR_BUF_INIT;
    sel_node_sql(q, &sql);
    snprintf(err, errlen, "select: %s.* in columns: %s is %s %s, not a struct",
             sql.data ? (char *)sql.data : "", sql.data ? (char *)sql.data : "",
             q->type == WEIR_T_ARRAY ? "an" : "a", weir_type_name(q->type));
    weir_buf_free(&sql);
    rc = WEIR_ERR_SCHEMA;
  }
  const weir_schema *m = rc ? NULL : q->members;
  for (size_t i = 0; m && i < m->n && !rc; i++) {
    sel_node *f = sel_node_new(SK_FIELD, star->pos);
    sel_node *qc = sel_node_clone(star->args[0]);
    sel_node **args = malloc(sizeof *args);
    if (!f || !qc || !args || !(f->name = strdup(m->fields[i].name))) {
      sel_node_free(f);
      sel_node_free(qc);
      free(args);
      rc = oom(err, errlen);
      break;
    }
    f->args = args;
    f->args[0] = qc;
    f->nargs = 1;
    if ((rc = sel_check(&f, p->in, "columns", err, errlen))) {
      sel_node_free(f);
      break;
    }
    rc = add_col(p, f, strdup(m->fields[i].name), err, errlen);
  }
  sel_node_free(q);
  return rc;
}

static int uses_now(const sel_node *n) {
  if (n->kind == SK_FUNC && n->op == SEL_F_NOW)
    return 1;
  for (size_t i = 0; i < n->nargs; i++)
    if (uses_now(n->args[i]))
      return 1;
  return 0;
}

static int compile_columns(sel_program *p, const char *text, char *err,
                           size_t errlen) {
  sel_item *items;
  size_t nitems;
  int rc = sel_parse_list(text, "columns", &items, &nitems, err, errlen);
  if (rc)
    return rc;
  for (size_t i = 0; i < nitems && !rc; i++) {
    sel_item *it = &items[i];
    if (it->expr->kind == SK_STAR) {
      if (it->alias) {
        snprintf(err, errlen,
                 "select: '*' cannot be renamed (AS %s) in columns; list the "
                 "columns instead",
                 it->alias);
        rc = WEIR_ERR_INVALID;
      } else {
        rc = expand_star(p, it->expr, err, errlen);
      }
      continue;
    }
    if ((rc = sel_check(&it->expr, p->in, "columns", err, errlen)))
      break;
    sel_node *e = it->expr;
    char *name;
    if (is_generator(e)) {
      if (p->gen >= 0) {
        weir_buf a = WEIR_BUF_INIT, b = WEIR_BUF_INIT;
        sel_node_sql(p->cols[p->gen].expr, &a);
        sel_node_sql(e, &b);
        snprintf(err, errlen,
                 "select: only one generator is allowed per select (as in "
                 "Spark): %s in columns comes after %s; explode in a second "
                 "select",
                 b.data ? (char *)b.data : "", a.data ? (char *)a.data : "");
        weir_buf_free(&a);
        weir_buf_free(&b);
        rc = WEIR_ERR_SCHEMA;
        break;
      }
      p->gen = (int)p->ncols;
    }
    /* Spark's names: the alias, else a column's own name (the member's
     * for x.y), a generator's `col`, else the expression's text. */
    if (it->alias) {
      name = it->alias;
      it->alias = NULL;
    } else if (is_generator(e)) {
      name = strdup("col");
    } else if (e->kind == SK_COL) {
      name = strdup(p->in->fields[e->index].name);
    } else if (e->kind == SK_FIELD) {
      name = strdup(e->args[0]->members->fields[e->index].name);
    } else {
      name = sql_name(e);
    }
    it->expr = NULL;
    rc = add_col(p, e, name, err, errlen);
  }
  sel_items_free(items, nitems);
  return rc;
}

static int build_schema(sel_program *p, char *err, size_t errlen) {
  if (!(p->out = weir_schema_new()))
    return oom(err, errlen);
  for (size_t i = 0; i < p->ncols; i++) {
    const sel_col *c = &p->cols[i];
    for (size_t j = 0; j < i; j++)
      if (sel_name_eq(p->cols[j].name, c->name)) {
        snprintf(err, errlen,
                 "select: duplicate output column '%s' in columns (use AS "
                 "to rename one)",
                 c->name);
        return WEIR_ERR_SCHEMA;
      }
    weir_type t = c->expr->type;
    weir_schema *members = NULL;
    if ((t == WEIR_T_STRUCT || t == WEIR_T_ARRAY) &&
        !(members = weir_schema_copy(c->expr->members)))
      return oom(err, errlen);
    /* A bare NULL has Spark's void type; a nullable string is what every
     * downstream plugin can hold. */
    if (t == WEIR_T_NULL)
      t = WEIR_T_STRING;
    int rc = weir_schema_add(p->out, c->name, t, c->expr->nullable, members);
    if (rc)
      return rc == WEIR_ERR_NOMEM ? oom(err, errlen) : rc;
    /* A column passed through, even renamed, stays the watermarked event
     * time it was (Spark keeps an attribute's metadata through an alias);
     * a computed value does not. */
    const sel_node *e = c->expr;
    const weir_field *src = e->kind == SK_COL ? &p->in->fields[e->index]
                            : e->kind == SK_FIELD
                                ? &e->args[0]->members->fields[e->index]
                                : NULL;
    if (src) {
      p->out->fields[p->out->n - 1].flags = src->flags;
      p->out->fields[p->out->n - 1].watermark_delay = src->watermark_delay;
    }
  }
  return WEIR_OK;
}

static int blank(const char *s) {
  for (; s && *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
      return 0;
  return 1;
}

int sel_compile(const char *columns, const char *where,
                const weir_schema *input, sel_program **out, char *err,
                size_t errlen) {
  sel_program *p = calloc(1, sizeof *p);
  int rc;
  *out = NULL;
  if (!p)
    return oom(err, errlen);
  p->in = input;
  p->gen = -1;
  rc = compile_columns(p, columns ? columns : "*", err, errlen);
  if (!rc && p->gen >= 0 && !(p->vals = calloc(p->ncols, sizeof *p->vals)))
    rc = oom(err, errlen);
  if (!rc)
    rc = build_schema(p, err, errlen);
  if (!rc && !blank(where)) {
    rc = sel_parse_expr(where, "where", &p->where, err, errlen);
    if (!rc)
      rc = sel_check(&p->where, input, "where", err, errlen);
    if (!rc && p->where->type != WEIR_T_BOOL && p->where->type != WEIR_T_NULL) {
      weir_buf sql = WEIR_BUF_INIT;
      sel_node_sql(p->where, &sql);
      snprintf(err, errlen,
               "select: %s in where: the filter must be a boolean expression, "
               "got %s",
               sql.data ? (char *)sql.data : "",
               weir_type_name(p->where->type));
      weir_buf_free(&sql);
      rc = WEIR_ERR_SCHEMA;
    }
  }
  if (rc) {
    sel_free(p);
    return rc;
  }
  int identity = p->ncols == input->n;
  for (size_t i = 0; i < p->ncols && identity; i++)
    identity = p->cols[i].raw == (int)i;
  p->rows_raw = identity;
  p->passthrough = identity && !p->where && weir_schema_equal(p->out, input);
  for (size_t i = 0; i < p->ncols; i++)
    p->uses_now |= uses_now(p->cols[i].expr);
  if (p->where)
    p->uses_now |= uses_now(p->where);
  *out = p;
  return WEIR_OK;
}

void sel_free(sel_program *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->ncols; i++) {
    sel_node_free(p->cols[i].expr);
    free(p->cols[i].name);
  }
  free(p->cols);
  sel_node_free(p->where);
  weir_schema_free(p->out);
  sel_arena_free(&p->arena);
  weir_buf_free(&p->tmp);
  free(p->vals);
  free(p);
}

const weir_schema *sel_output(const sel_program *p) { return p->out; }
int sel_passthrough(const sel_program *p) { return p->passthrough; }
int sel_rows_raw(const sel_program *p) { return p->rows_raw; }
int sel_uses_now(const sel_program *p) { return p->uses_now; }
void sel_set_now(sel_program *p, int64_t us) { p->now = us; }

int sel_filter(sel_program *p, const weir_value *row) {
  sel_env env = {row, &p->arena, p->now, &p->tmp};
  weir_value v;
  if (!p->where)
    return 1;
  sel_arena_reset(&p->arena);
  sel_eval(p->where, &env, &v);
  if (p->arena.err)
    return p->arena.err;
  return v.type == WEIR_T_BOOL && v.v.b;
}

static void put(weir_builder *b, const weir_value *v) {
  if (v->raw) {
    weir_put_raw(b, v->raw, v->raw_len);
    return;
  }
  switch (v->type) {
  case WEIR_T_BOOL: weir_put_bool(b, v->v.b); break;
  case WEIR_T_INT: weir_put_int(b, v->v.i); break;
  case WEIR_T_FLOAT: weir_put_float(b, v->v.f); break;
  case WEIR_T_STRING: weir_put_string(b, v->v.s.ptr, v->v.s.len); break;
  case WEIR_T_BINARY: weir_put_binary(b, v->v.s.ptr, v->v.s.len); break;
  case WEIR_T_TIMESTAMP: weir_put_timestamp(b, v->v.ts); break;
  default: weir_put_null(b); break;
  }
}

/* One output row per element of the generator's array (none for a null or
 * empty one, or one null row with explode_outer). */
static int project_generator(sel_program *p, sel_env *env, weir_builder *b) {
  const sel_col *g = &p->cols[p->gen];
  weir_value arr, el, null_el = {.type = WEIR_T_NULL};
  weir_array_iter it = {0};
  int outer = g->expr->op == SEL_F_EXPLODE_OUTER;
  for (size_t i = 0; i < p->ncols; i++) {
    const sel_col *c = &p->cols[i];
    if ((int)i == p->gen)
      continue;
    if (c->raw >= 0 && env->row[c->raw].raw)
      p->vals[i] = env->row[c->raw];
    else
      sel_eval(c->expr, env, &p->vals[i]);
  }
  sel_eval(g->expr->args[0], env, &arr);
  if (p->arena.err)
    return p->arena.err;
  if (arr.type == WEIR_T_NULL || weir_array_begin(&it, &arr) != WEIR_OK ||
      it.left == 0) {
    if (!outer)
      return WEIR_OK;
    it.left = 0;
    el = null_el;
  } else if (weir_array_next(&it, &el) != 1) {
    return WEIR_ERR_FORMAT;
  }
  for (;;) {
    weir_row_begin(b);
    for (size_t i = 0; i < p->ncols; i++)
      put(b, (int)i == p->gen ? &el : &p->vals[i]);
    if (!it.left)
      return WEIR_OK;
    if (weir_array_next(&it, &el) != 1)
      return WEIR_ERR_FORMAT; /* a batch the reader accepted has no such */
  }
}

int sel_project(sel_program *p, const weir_value *row, weir_builder *b) {
  sel_env env = {row, &p->arena, p->now, &p->tmp};
  sel_arena_reset(&p->arena);
  if (p->gen >= 0) {
    int rc = project_generator(p, &env, b);
    return rc ? rc : p->arena.err;
  }
  weir_row_begin(b);
  for (size_t i = 0; i < p->ncols; i++) {
    const sel_col *c = &p->cols[i];
    if (c->raw >= 0 && row[c->raw].raw) {
      weir_put_raw(b, row[c->raw].raw, row[c->raw].raw_len);
      continue;
    }
    weir_value v;
    sel_eval(c->expr, &env, &v);
    put(b, &v);
  }
  return p->arena.err ? p->arena.err : WEIR_OK;
}

int sel_eval_column(sel_program *p, size_t i, const weir_value *row,
                    weir_value *out) {
  sel_env env = {row, &p->arena, p->now, &p->tmp};
  sel_arena_reset(&p->arena);
  if (i >= p->ncols)
    return WEIR_ERR_INVALID;
  sel_eval(p->cols[i].expr, &env, out);
  return p->arena.err ? p->arena.err : WEIR_OK;
}
