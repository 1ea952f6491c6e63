/* call.h — parses the option lists of the event-time operators: items
 * separated by commas at the top level, each a column name or a call
 * `fn(arg, ...)`, with an optional `AS alias`:
 *
 *   group_by  = window(timestamp, 10 minutes, 5 minutes), event_type
 *   aggregate = count, sum(bytes) AS total, approx_count_distinct(user)
 *
 * Names may be `backquoted` (spaces, commas, keywords). Arguments are kept
 * as trimmed text: their meaning (column, duration, number) belongs to the
 * caller. No runtime context, so tests call it directly. Hidden symbols. */
#ifndef WEIR_AGGREGATE_CALL_H
#define WEIR_AGGREGATE_CALL_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

typedef struct call_item {
  char *name;  /* the function or column name, backquotes removed */
  int is_call; /* 1 for name(...) */
  char **args; /* is_call: the arguments, trimmed, backquotes removed */
  size_t nargs;
  char *alias; /* after AS, or NULL */
  char *text;  /* the item as written (trimmed), for messages */
} call_item;

typedef struct call_list {
  call_item *items;
  size_t n;
} call_list;

/* Parses `text` (NULL or blank: an empty list). On error returns
 * WEIR_ERR_INVALID with a message naming the offending item in err, or
 * WEIR_ERR_NOMEM; *out is then empty. */
int call_list_parse(const char *text, call_list *out, char *err, size_t errlen);
void call_list_free(call_list *l);

#pragma GCC visibility pop

#endif
