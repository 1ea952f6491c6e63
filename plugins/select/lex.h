/* lex.h — the tokenizer and error helpers shared by lex.c and parse.c. */
#ifndef WEIR_SELECT_LEX_H
#define WEIR_SELECT_LEX_H

#include "expr_int.h"

#pragma GCC visibility push(hidden)

/* Bounds that keep the recursive parser, checker and evaluator far from
 * the stack's end whatever the text; real expressions are far smaller. */
#define SEL_MAX_DEPTH 200
#define SEL_MAX_NODES 2000

typedef enum {
  T_END,
  T_IDENT,
  T_QIDENT,
  T_INT,
  T_FLOAT,
  T_STRING,
  T_OP
} tok_kind;

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
  int rc;       /* first error; later ones are dropped */
  int depth;    /* nesting of parentheses and calls */
  size_t nodes; /* built so far */
} parser;

/* Reads the next token into p->cur (T_END at the end or after an error). */
void lx_advance(parser *p);
/* The current token is the operator / keyword (case-insensitive). */
int lx_op(const parser *p, const char *op);
int lx_kw(const parser *p, const char *kw);
/* The current token is a reserved word (AND, NULL, CAST...). */
int lx_reserved(const parser *p);
/* Consumes `op` or records "expected 'op'"; 1 when consumed. */
int lx_expect(parser *p, const char *op);
/* An identifier token's name, unquoted; a string literal's decoded bytes
 * (*len set). Both owned by the caller; NULL when out of memory. */
char *lx_ident(parser *p, const tok *t);
char *lx_string(parser *p, const tok *t, size_t *len);
/* Records the first error (later ones are dropped). */
void lx_err(parser *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lx_nomem(parser *p);
/* "select: syntax error in WHAT at offset N: expected X, found Y" */
void lx_syntax(parser *p, size_t pos, const char *expected);

#pragma GCC visibility pop

#endif
