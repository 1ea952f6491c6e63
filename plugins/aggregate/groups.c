/* groups.c — group_by resolution, group keys and their event time, and the
 * sorted lists of emitted groups (see groups.h). */
#include "groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "weir/key.h"

static int unknown_column(const weir_schema *in, const char *name,
                          const char *item, char *err, size_t errlen) {
  const char *near = weir_schema_suggest(in, name);
  weir_buf cols = WEIR_BUF_INIT;
  for (size_t k = 0; k < in->n; k++)
    weir_buf_printf(&cols, "%s%s", k ? ", " : "", in->fields[k].name);
  if (near)
    snprintf(err, errlen,
             "group_by: %s: unknown column '%s' (did you mean '%s'?)", item,
             name, near);
  else
    snprintf(err, errlen,
             "group_by: %s: unknown column '%s' (the input has: %s)", item,
             name, cols.data ? (char *)cols.data : "");
  weir_buf_free(&cols);
  return WEIR_ERR_SCHEMA;
}

static int resolve_window(group_spec *g, group_item *gi, const call_item *it,
                          const weir_schema *in, char *err, size_t errlen) {
  char sub[512];
  if (g->has_window) {
    snprintf(err, errlen,
             "group_by: at most one window(...) per aggregation (found a "
             "second one: %s)",
             it->text);
    return WEIR_ERR_INVALID;
  }
  if (it->nargs < 2 || it->nargs > 4) {
    snprintf(err, errlen,
             "group_by: %s: window(column, size[, slide[, offset]]) takes 2 "
             "to 4 arguments",
             it->text);
    return WEIR_ERR_INVALID;
  }
  int col = weir_schema_find(in, it->args[0]);
  if (col < 0)
    return unknown_column(in, it->args[0], it->text, err, errlen);
  const weir_field *f = &in->fields[col];
  if (f->type != WEIR_T_TIMESTAMP) {
    snprintf(err, errlen,
             "group_by: %s: column '%s' is %s; a window needs a timestamp "
             "column (convert it in a select before, e.g. CAST(%s AS "
             "TIMESTAMP))",
             it->text, f->name, weir_type_name(f->type), f->name);
    return WEIR_ERR_SCHEMA;
  }
  if (win_spec_parse(&g->win, (const char *const *)it->args + 1, it->nargs - 1,
                     sub, sizeof sub) != WEIR_OK) {
    snprintf(err, errlen, "group_by: %s: %s", it->text, sub);
    return WEIR_ERR_INVALID;
  }
  g->has_window = 1;
  g->win_col = col;
  gi->kind = G_WINDOW;
  gi->col = col;
  gi->field = f;
  gi->name = strdup(it->alias ? it->alias : "window");
  return gi->name ? WEIR_OK : WEIR_ERR_NOMEM;
}

int groups_resolve(group_spec *g, const call_list *items, const weir_schema *in,
                   char *err, size_t errlen) {
  memset(g, 0, sizeof *g);
  g->ev_kind = EV_NONE;
  g->ev_item = -1;
  if (items->n && !(g->items = calloc(items->n, sizeof *g->items)))
    return WEIR_ERR_NOMEM;
  int values = 0;
  for (size_t i = 0; i < items->n; i++) {
    const call_item *it = &items->items[i];
    group_item *gi = &g->items[i];
    g->n = i + 1;
    int rc;
    if (it->is_call) {
      if (strcasecmp(it->name, "window") != 0) {
        snprintf(err, errlen,
                 "group_by: %s: only columns and window(column, size[, "
                 "slide[, offset]]) can be grouped by (compute the value in "
                 "a select before)",
                 it->text);
        return WEIR_ERR_INVALID;
      }
      rc = resolve_window(g, gi, it, in, err, errlen);
    } else {
      int col = weir_schema_find(in, it->name);
      if (col < 0)
        return unknown_column(in, it->name, it->text, err, errlen);
      gi->kind = G_COLUMN;
      gi->col = col;
      gi->field = &in->fields[col];
      gi->name = strdup(it->alias ? it->alias : gi->field->name);
      rc = gi->name ? WEIR_OK : WEIR_ERR_NOMEM;
    }
    if (rc != WEIR_OK)
      return rc;
    /* The first group item over a watermarked column decides when a group
     * is final (Spark: the key attribute with the watermark metadata). */
    const weir_field *f = gi->field;
    if (g->ev_kind == EV_NONE && (f->flags & WEIR_FIELD_EVENT_TIME) &&
        (gi->kind == G_WINDOW || f->type == WEIR_T_TIMESTAMP ||
         f->type == WEIR_T_STRUCT)) {
      g->ev_kind = gi->kind == G_WINDOW ? EV_WINDOW : EV_COLUMN;
      g->ev_item = (int)i;
      g->ev_value = values;
      g->ev_delay = f->watermark_delay;
      g->ev_name = f->name;
    }
    if (gi->kind == G_COLUMN)
      values++;
  }
  return WEIR_OK;
}

void groups_free(group_spec *g) {
  for (size_t i = 0; g->items && i < g->n; i++)
    free(g->items[i].name);
  free(g->items);
  memset(g, 0, sizeof *g);
}

int groups_output_fields(const group_spec *g, weir_schema *out, char *err,
                         size_t errlen) {
  for (size_t i = 0; i < g->n; i++) {
    const group_item *gi = &g->items[i];
    const weir_field *f = gi->field;
    weir_schema *members = NULL;
    int rc;
    if (gi->kind == G_WINDOW) {
      if (!(members = weir_schema_new()) ||
          weir_schema_add(members, "start", WEIR_T_TIMESTAMP, true, NULL) ||
          weir_schema_add(members, "end", WEIR_T_TIMESTAMP, true, NULL)) {
        weir_schema_free(members);
        return WEIR_ERR_NOMEM;
      }
      rc = weir_schema_add(out, gi->name, WEIR_T_STRUCT, false, members);
    } else {
      if (f->fields && !(members = weir_schema_copy(f->fields)))
        return WEIR_ERR_NOMEM;
      rc = weir_schema_add(out, gi->name, f->type, f->nullable, members);
    }
    if (rc == WEIR_ERR_INVALID) {
      snprintf(err, errlen,
               "group_by: two output columns are called '%s' (rename one "
               "with AS)",
               gi->name);
      return rc;
    }
    if (rc != WEIR_OK)
      return rc;
    /* A window over a watermarked column is watermarked itself (Spark
     * copies the metadata), so a later stateful operator can evict by it. */
    weir_field *o = &out->fields[out->n - 1];
    o->flags = f->flags & WEIR_FIELD_EVENT_TIME;
    o->watermark_delay = f->watermark_delay;
  }
  return WEIR_OK;
}

int64_t groups_value_time(const weir_value *v) {
  return weir_key_event_time(v);
}

int64_t groups_key_time(const group_spec *g, const uint8_t *key, size_t klen) {
  if (g->ev_kind == EV_WINDOW) {
    int64_t start;
    memcpy(&start, key, 8);
    return start + g->win.size;
  }
  if (g->ev_kind != EV_COLUMN)
    return EV_NULL;
  const uint8_t *p = key + (g->has_window ? 8 : 0), *end = key + klen;
  weir_value v;
  for (int i = 0; i <= g->ev_value; i++)
    if (weir_value_decode(&p, end, &v) != WEIR_OK)
      return EV_NULL;
  return groups_value_time(&v);
}

void groups_put(const group_spec *g, const uint8_t *key, size_t klen,
                weir_builder *b) {
  const uint8_t *p = key, *end = key + klen;
  int64_t start = 0;
  if (g->has_window) {
    memcpy(&start, key, 8);
    p += 8;
  }
  for (size_t i = 0; i < g->n; i++) {
    if (g->items[i].kind == G_WINDOW) {
      weir_put_struct(b, 2);
      weir_put_timestamp(b, start);
      weir_put_timestamp(b, start + g->win.size);
      continue;
    }
    weir_value v;
    if (weir_value_decode(&p, end, &v) == WEIR_OK)
      weir_put_raw(b, v.raw, v.raw_len);
    else
      weir_put_null(b); /* cannot happen: keys are written by us */
  }
}

/* ---- lists of groups ----------------------------------------------------- */

int group_list_add(group_list *l, const uint8_t *key, uint32_t klen,
                   const uint8_t *val, uint32_t vlen) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    group_ent *e = realloc(l->e, cap * sizeof *e);
    if (!e)
      return WEIR_ERR_NOMEM;
    l->e = e;
    l->cap = cap;
  }
  l->e[l->n++] = (group_ent){key, val, klen, vlen};
  return WEIR_OK;
}

static int cmp_plain(const void *pa, const void *pb) {
  const group_ent *a = pa, *b = pb;
  return weir_key_compare(a->key, a->klen, b->key, b->klen);
}

static int cmp_windowed(const void *pa, const void *pb) {
  const group_ent *a = pa, *b = pb;
  int64_t sa, sb;
  memcpy(&sa, a->key, 8);
  memcpy(&sb, b->key, 8);
  if (sa != sb)
    return sa < sb ? -1 : 1;
  return weir_key_compare(a->key + 8, a->klen - 8, b->key + 8, b->klen - 8);
}

void group_list_sort(const group_spec *g, group_list *l) {
  if (l->n > 1)
    qsort(l->e, l->n, sizeof *l->e, g->has_window ? cmp_windowed : cmp_plain);
}

static int cmp_bytes(const void *pa, const void *pb) {
  const group_ent *a = pa, *b = pb;
  size_t n = a->klen < b->klen ? a->klen : b->klen;
  int c = n ? memcmp(a->key, b->key, n) : 0;
  return c ? c : (a->klen > b->klen) - (a->klen < b->klen);
}

size_t group_list_distinct(group_list *l) {
  if (l->n < 2)
    return l->n;
  qsort(l->e, l->n, sizeof *l->e, cmp_bytes);
  size_t d = 1;
  for (size_t i = 1; i < l->n; i++)
    d += cmp_bytes(&l->e[i - 1], &l->e[i]) != 0;
  return d;
}

void group_list_free(group_list *l) {
  free(l->e);
  memset(l, 0, sizeof *l);
}
