/* expr_int.h — internals shared by the select expression engine's files:
 * the syntax tree (parse.c builds it, check.c resolves and types it, eval.c
 * runs it, array.c runs its array functions, expr.c ties them into a
 * program) and the per-row scratch arena. */
#ifndef WEIR_SELECT_EXPR_INT_H
#define WEIR_SELECT_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <weir/weir.h>

#pragma GCC visibility push(hidden)

typedef enum sel_kind {
  SK_LIT,   /* literal: lit */
  SK_COL,   /* input column: name -> index */
  SK_FIELD, /* struct member of args[0]: name -> index */
  SK_STAR,  /* `*` or `x.*` (args[0] = x); only a whole projection item */
  SK_NEG,   /* unary minus */
  SK_ARITH, /* op: SEL_ADD.. */
  SK_CMP,   /* op: SEL_EQ.. */
  SK_AND,
  SK_OR,
  SK_NOT,
  SK_ISNULL, /* op 1: IS NOT NULL */
  SK_CAST,   /* cast_to; implicit when inserted by the checker */
  SK_FUNC,   /* op: SEL_F_.. */
  SK_IN,     /* args[0] IN (args[1..]); op 1: NOT IN */
  SK_LIKE    /* args[0] LIKE args[1]; op 1: NOT LIKE */
} sel_kind;

enum { SEL_ADD, SEL_SUB, SEL_MUL, SEL_DIV, SEL_MOD };
/* a != b is parsed as NOT (a = b), which is how Spark names it */
enum { SEL_EQ, SEL_LT, SEL_LE, SEL_GT, SEL_GE, SEL_NSEQ };

enum {
  SEL_F_LOWER,
  SEL_F_UPPER,
  SEL_F_LENGTH,
  SEL_F_SUBSTRING,
  SEL_F_COALESCE,
  SEL_F_ABS,
  SEL_F_CONCAT,
  SEL_F_TRIM,
  SEL_F_LTRIM,
  SEL_F_RTRIM,
  SEL_F_NOW,
  SEL_F_SPLIT,        /* split(str, pattern[, limit]) -> ARRAY<STRING> */
  SEL_F_SIZE,         /* size(array) -> BIGINT, -1 for null */
  SEL_F_EXPLODE,      /* a generator: one output row per element */
  SEL_F_EXPLODE_OUTER /* the same, and one null row for null or empty */
};

/* The compiled pattern of a split() call (array.c). */
typedef struct sel_split sel_split;

typedef struct sel_node sel_node;
struct sel_node {
  sel_kind kind;
  int op;
  size_t pos;     /* byte offset in the option text, for messages */
  char *name;     /* identifier or function name as written (owned) */
  char *text;     /* string literal bytes (owned; lit.v.s points here) */
  weir_value lit; /* SK_LIT */
  bool implicit;  /* SK_CAST added by the checker: invisible in names */
  weir_type cast_to;
  const char *cast_name; /* the type as Spark names it: "INT", "STRING" */
  sel_node **args;
  size_t nargs;

  /* Set by the checker. */
  weir_type type;
  bool nullable;
  weir_type cmp;              /* SK_CMP, SK_IN: operands' common type */
  int index;                  /* SK_COL: column; SK_FIELD: member */
  const weir_schema *members; /* type STRUCT: its members (borrowed) */
  weir_value *scratch;        /* SK_FIELD: decoded members; SK_FUNC concat:
                                 argument values (owned) */
  size_t nscratch;
  sel_split *split; /* SK_FUNC split: its pattern (owned) */
};

/* A projection item as parsed: an expression (maybe SK_STAR) and an alias. */
typedef struct sel_item {
  sel_node *expr;
  char *alias; /* owned, or NULL */
  size_t pos;
} sel_item;

/* ---- parse.c, lex.c ---- */
/* `what` names the option in messages ("columns", "where"). */
int sel_parse_expr(const char *text, const char *what, sel_node **out,
                   char *err, size_t errlen);
int sel_parse_list(const char *text, const char *what, sel_item **items,
                   size_t *nitems, char *err, size_t errlen);
void sel_items_free(sel_item *items, size_t n);
sel_node *sel_node_new(sel_kind kind, size_t pos);
void sel_node_free(sel_node *n);
/* A deep copy of an unchecked tree, or NULL when out of memory. */
sel_node *sel_node_clone(const sel_node *n);
/* Writes "'s' (did you mean 't'?)"-style suggestions: the closest of
 * `names` (NULL-terminated) to `word` by edit distance, or NULL. */
const char *sel_closest(const char *word, const char *const *names);
/* 1 when the name only differs by case. */
int sel_name_eq(const char *a, const char *b);

/* ---- expr.c ---- */
/* Appends Spark's generated name for the expression, "(value * 2)", as a
 * NUL-terminated string (the NUL not counted in out->len). */
void sel_node_sql(const sel_node *n, weir_buf *out);

/* ---- check.c ---- */
/* Resolves columns and types the tree at *slot, inserting implicit casts
 * (which may replace *slot). WEIR_OK or an error with a message. */
int sel_check(sel_node **slot, const weir_schema *input, const char *what,
              char *err, size_t errlen);
/* Index of `name` in the schema: exact, else a unique case-insensitive
 * match (Spark resolves names case-insensitively); -1 none, -2 ambiguous. */
int sel_find(const weir_schema *s, const char *name);

/* ---- eval.c ---- */
typedef struct sel_block sel_block;
typedef struct sel_arena {
  sel_block *head, *cur;
  int err; /* sticky WEIR_ERR_NOMEM */
} sel_arena;

void sel_arena_reset(sel_arena *a);
void sel_arena_free(sel_arena *a);
/* n bytes valid until the next reset, or NULL (and a->err set). */
char *sel_arena_alloc(sel_arena *a, size_t n);

typedef struct sel_env {
  const weir_value *row;
  sel_arena *arena;
  int64_t now;
  weir_buf *tmp; /* where array values are built before they go to the
                    arena; NULL when no array is built (load time) */
} sel_env;

/* Evaluates n (checked) on env->row. Never fails but for memory, which is
 * reported through env->arena->err (the result is then null). */
void sel_eval(const sel_node *n, sel_env *env, weir_value *out);
/* Casts a non-null value to `to` with Spark's rules (null when it does not
 * convert). Strings made here live in env->arena. */
void sel_cast(sel_env *env, const weir_value *v, weir_type to, weir_value *out);

/* ---- array.c ---- */
/* The element of split()'s result: STRING, never null (Spark's
 * ArrayType(StringType, containsNull = false)). Static. */
extern const weir_schema sel_split_element;
/* Compiles the pattern of split() node n (checked arguments; the pattern a
 * string or NULL literal). WEIR_OK, or WEIR_ERR_SCHEMA / WEIR_ERR_NOMEM with
 * the reason (an invalid regular expression) in msg. */
int sel_split_compile(sel_node *n, char *msg, size_t msglen);
void sel_split_free(sel_split *s);
/* split() and size() on env->row; array values are WEIR_T_ARRAY values
 * whose bytes live in env->arena. */
void sel_eval_split(const sel_node *n, sel_env *env, weir_value *out);
void sel_eval_size(const sel_node *n, sel_env *env, weir_value *out);

#pragma GCC visibility pop

#endif
