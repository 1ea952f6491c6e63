/* groups.h — the `group_by` side of the `aggregate` operator: resolving the
 * option (columns and at most one window), the state key of a group, the
 * event time that decides when a group is final, and writing a group's key
 * columns into an output row; plus collecting and sorting the groups an
 * epoch emits.
 *
 * State key of a group: [window start, 8 bytes, only with a window] then the
 * canonical encoding (key.h) of the other group columns in group_by order.
 *
 * Emitted rows are sorted by window start, then by the group columns in
 * group_by order (key.h's order: nulls first). Spark leaves the order of a
 * micro-batch's rows unspecified; a fixed order lets tests and diffs
 * compare outputs exactly. Hidden symbols. */
#ifndef WEIR_AGGREGATE_GROUPS_H
#define WEIR_AGGREGATE_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include <weir/weir.h>

#include "call.h"
#include "window.h"

#pragma GCC visibility push(hidden)

enum { G_COLUMN, G_WINDOW };

/* What makes a group final (Spark's watermark predicate on the keys). */
enum {
  EV_NONE,   /* nothing: the group is never final */
  EV_WINDOW, /* the window's end */
  EV_COLUMN  /* a watermarked group column: its value, or a struct's end */
};

/* A group whose event time is null: never final (= WEIR_KEY_NO_TIME). */
#define EV_NULL INT64_MAX

typedef struct group_item {
  int kind;                /* G_COLUMN or G_WINDOW */
  int col;                 /* input column (a window: its time column) */
  const weir_field *field; /* borrowed from the input schema */
  char *name;              /* output column name */
} group_item;

typedef struct group_spec {
  group_item *items;
  size_t n;
  int has_window;
  win_spec win;
  int win_col;  /* the window's time column */
  int ev_kind;  /* EV_* */
  int ev_item;  /* the group item that carries the event time */
  int ev_value; /* EV_COLUMN: its index among the key's encoded values */
  int64_t ev_delay;
  char *ev_name; /* the watermarked column, for messages */
} group_spec;

/* Resolves the parsed group_by list against the input schema. On error
 * returns WEIR_ERR_SCHEMA / WEIR_ERR_INVALID with the message in err. */
int groups_resolve(group_spec *g, const call_list *items, const weir_schema *in,
                   char *err, size_t errlen);
void groups_free(group_spec *g);

/* Appends the group columns to the output schema (a window as a struct
 * {start, end} that keeps the watermark mark of its time column). */
int groups_output_fields(const group_spec *g, weir_schema *out, char *err,
                         size_t errlen);

/* The event time of a value of the watermarked column (EV_NULL for null);
 * a struct (an upstream window) gives its second member, the end. */
int64_t groups_value_time(const weir_value *v);

/* The event time of a stored group from its key (EV_NULL when none). */
int64_t groups_key_time(const group_spec *g, const uint8_t *key, size_t klen);

/* Writes the group columns of one output row from the key. */
void groups_put(const group_spec *g, const uint8_t *key, size_t klen,
                weir_builder *b);

/* ---- collecting emitted groups ------------------------------------------ */

typedef struct group_ent {
  const uint8_t *key, *val;
  uint32_t klen, vlen;
} group_ent;

typedef struct group_list {
  group_ent *e;
  size_t n, cap;
} group_list;

/* Appends one entry (pointers are kept as given). WEIR_ERR_NOMEM. */
int group_list_add(group_list *l, const uint8_t *key, uint32_t klen,
                   const uint8_t *val, uint32_t vlen);
/* Sorts by window start, then by the group values (see above). */
void group_list_sort(const group_spec *g, group_list *l);
/* Number of distinct keys (the list is sorted by bytes first). */
size_t group_list_distinct(group_list *l);
void group_list_free(group_list *l);

#pragma GCC visibility pop

#endif
