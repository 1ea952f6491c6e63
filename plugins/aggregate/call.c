/* call.c — the `name(arg, ...) AS alias` list parser (see call.h). */
#include "call.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <weir/weir.h>

static char *dup_range(const char *s, size_t n) {
  while (n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

/* Removes one pair of surrounding quotes (` ' "), in place; a doubled
 * backquote inside backquotes is one backquote, as in Spark SQL. */
static void unquote(char *s) {
  size_t n = strlen(s);
  if (n < 2 || (s[0] != '`' && s[0] != '\'' && s[0] != '"') || s[n - 1] != s[0])
    return;
  char q = s[0];
  size_t o = 0;
  for (size_t i = 1; i + 1 < n; i++) {
    s[o++] = s[i];
    if (q == '`' && s[i] == '`' && s[i + 1] == '`' && i + 2 < n)
      i++;
  }
  s[o] = '\0';
}

/* Offsets of the top-level commas of s[0..n) (outside parentheses and
 * quotes); returns how many pieces, or -1 for unbalanced text. */
static int split_top(const char *s, size_t n, size_t *cuts, size_t maxcuts,
                     size_t *ncuts) {
  int depth = 0;
  char q = 0;
  *ncuts = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (q) {
      if (c == q)
        q = 0;
      continue;
    }
    if (c == '`' || c == '\'' || c == '"')
      q = c;
    else if (c == '(')
      depth++;
    else if (c == ')' && --depth < 0)
      return -1;
    else if (c == ',' && depth == 0) {
      if (*ncuts == maxcuts)
        return -2;
      cuts[(*ncuts)++] = i;
    }
  }
  return (q || depth) ? -1 : 0;
}

/* Position of a top-level " AS " in s (the last one), or -1. */
static long find_as(const char *s, size_t n) {
  int depth = 0;
  char q = 0;
  long at = -1;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (q) {
      if (c == q)
        q = 0;
      continue;
    }
    if (c == '`' || c == '\'' || c == '"')
      q = c;
    else if (c == '(')
      depth++;
    else if (c == ')')
      depth--;
    else if (depth == 0 && i > 0 && i + 3 < n &&
             isspace((unsigned char)s[i - 1]) &&
             strncasecmp(s + i, "as", 2) == 0 &&
             isspace((unsigned char)s[i + 2]))
      at = (long)i;
  }
  return at;
}

static int valid_bare_name(const char *s) {
  if (!*s)
    return 0;
  if (s[0] == '`')
    return 1; /* quoted: anything goes */
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.')
      return 0;
  return 1;
}

#define MAX_PIECES 1024

static int parse_item(const char *s, size_t n, call_item *it, char *err,
                      size_t errlen) {
  if (!(it->text = dup_range(s, n)))
    return WEIR_ERR_NOMEM;
  const char *t = it->text;
  size_t tn = strlen(t);
  if (!tn) {
    snprintf(err, errlen,
             "empty item (two commas in a row, or a comma at "
             "the end)");
    return WEIR_ERR_INVALID;
  }
  long as = find_as(t, tn);
  size_t expr_len = tn;
  if (as >= 0) {
    if (!(it->alias = dup_range(t + as + 2, tn - (size_t)as - 2)))
      return WEIR_ERR_NOMEM;
    if (!valid_bare_name(it->alias)) {
      snprintf(err, errlen,
               "'%s': the name after AS must be one word (or `quoted`)", t);
      return WEIR_ERR_INVALID;
    }
    unquote(it->alias);
    expr_len = (size_t)as;
  }
  char *expr = dup_range(t, expr_len);
  if (!expr)
    return WEIR_ERR_NOMEM;
  size_t en = strlen(expr);
  char *lp = expr[0] == '`' ? NULL : strchr(expr, '(');
  if (lp) {
    if (en == 0 || expr[en - 1] != ')') {
      snprintf(err, errlen, "'%s': expected ')' at the end of the call", t);
      free(expr);
      return WEIR_ERR_INVALID;
    }
    it->is_call = 1;
    it->name = dup_range(expr, (size_t)(lp - expr));
    const char *a = lp + 1;
    size_t an = (size_t)(expr + en - 1 - a);
    size_t cuts[MAX_PIECES], nc;
    int rc = split_top(a, an, cuts, MAX_PIECES, &nc);
    if (!it->name || rc != 0) {
      free(expr);
      if (!it->name)
        return WEIR_ERR_NOMEM;
      snprintf(err, errlen, "'%s': %s", t,
               rc == -2 ? "too many arguments"
                        : "unbalanced parentheses or quotes");
      return WEIR_ERR_INVALID;
    }
    char *blank = dup_range(a, an);
    int empty = blank && !*blank;
    free(blank);
    if (!empty) {
      it->args = calloc(nc + 1, sizeof *it->args);
      if (!it->args) {
        free(expr);
        return WEIR_ERR_NOMEM;
      }
      size_t from = 0;
      for (size_t i = 0; i <= nc; i++) {
        size_t to = i < nc ? cuts[i] : an;
        if (!(it->args[i] = dup_range(a + from, to - from))) {
          free(expr);
          return WEIR_ERR_NOMEM;
        }
        it->nargs = i + 1;
        if (!*it->args[i]) {
          snprintf(err, errlen, "'%s': empty argument %zu", t, i + 1);
          free(expr);
          return WEIR_ERR_INVALID;
        }
        unquote(it->args[i]);
        from = to + 1;
      }
    }
    if (!valid_bare_name(it->name) || !*it->name) {
      snprintf(err, errlen, "'%s': expected a function name before '('", t);
      free(expr);
      return WEIR_ERR_INVALID;
    }
  } else {
    if (!valid_bare_name(expr)) {
      snprintf(err, errlen,
               "'%s': expected a column name or a call like sum(col) "
               "(quote a name with spaces in `backquotes`)",
               t);
      free(expr);
      return WEIR_ERR_INVALID;
    }
    it->name = expr;
    expr = NULL;
  }
  free(expr);
  unquote(it->name);
  return WEIR_OK;
}

static void item_free(call_item *it) {
  free(it->name);
  for (size_t i = 0; i < it->nargs; i++)
    free(it->args[i]);
  free(it->args);
  free(it->alias);
  free(it->text);
}

void call_list_free(call_list *l) {
  for (size_t i = 0; i < l->n; i++)
    item_free(&l->items[i]);
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

int call_list_parse(const char *text, call_list *out, char *err,
                    size_t errlen) {
  out->items = NULL;
  out->n = 0;
  if (!text)
    return WEIR_OK;
  size_t n = strlen(text), cuts[MAX_PIECES], nc;
  char *blank = dup_range(text, n);
  if (!blank)
    return WEIR_ERR_NOMEM;
  int empty = !*blank;
  free(blank);
  if (empty)
    return WEIR_OK;
  int rc = split_top(text, n, cuts, MAX_PIECES, &nc);
  if (rc != 0) {
    snprintf(err, errlen, "%s in '%s'",
             rc == -2 ? "too many items" : "unbalanced parentheses or quotes",
             text);
    return WEIR_ERR_INVALID;
  }
  out->items = calloc(nc + 1, sizeof *out->items);
  if (!out->items)
    return WEIR_ERR_NOMEM;
  size_t from = 0;
  for (size_t i = 0; i <= nc; i++) {
    size_t to = i < nc ? cuts[i] : n;
    out->n = i + 1;
    rc = parse_item(text + from, to - from, &out->items[i], err, errlen);
    if (rc != WEIR_OK) {
      call_list_free(out);
      return rc;
    }
    from = to + 1;
  }
  return WEIR_OK;
}
