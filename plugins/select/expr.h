/* expr.h — the select operator's expression engine: compiles the `columns`
 * and `where` options (a Spark SQL subset) against the input schema at load
 * time, so that every mistake is reported before data flows, and evaluates
 * them per row without allocating (strings computed by functions live in a
 * scratch arena that is reset per row).
 *
 * select.c drives it; tests/unit/test_select_expr.c tests it directly, so
 * nothing here needs a runtime context. Every symbol is hidden: the plugin
 * exports only its entry function. */
#ifndef WEIR_SELECT_EXPR_H
#define WEIR_SELECT_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include <weir/weir.h>

#pragma GCC visibility push(hidden)

typedef struct sel_program sel_program;

/* Compiles a projection list and an optional filter against `input`
 * (borrowed; must outlive the program). `columns` NULL means "*"; `where`
 * NULL or blank means no filter. On error returns WEIR_ERR_INVALID (syntax),
 * WEIR_ERR_SCHEMA (unknown column, type mismatch) or WEIR_ERR_NOMEM, with a
 * message starting with "select: " in err. */
int sel_compile(const char *columns, const char *where,
                const weir_schema *input, sel_program **out, char *err,
                size_t errlen);
/* Frees a program; NULL is fine. */
void sel_free(sel_program *p);

/* The output schema (owned by the program). */
const weir_schema *sel_output(const sel_program *p);
/* 1 when batches can be emitted unchanged (`*` and no filter). */
int sel_passthrough(const sel_program *p);
/* 1 when every kept row is the input row as is (filter only). */
int sel_rows_raw(const sel_program *p);
/* 1 when an expression reads the clock (current_timestamp()). */
int sel_uses_now(const sel_program *p);
/* Sets what current_timestamp() returns (the epoch's processing time). */
void sel_set_now(sel_program *p, int64_t us);

/* Evaluates the filter on one input row (row[i] = input column i):
 * 1 keep (TRUE), 0 drop (FALSE or NULL), < 0 error (WEIR_ERR_NOMEM). */
int sel_filter(sel_program *p, const weir_value *row);
/* Appends the projected row to the builder (whose schema is sel_output):
 * one row, or with a generator (explode) one per element of its array, maybe
 * none. WEIR_OK, WEIR_ERR_NOMEM, or WEIR_ERR_FORMAT for an array whose bytes
 * do not decode (which a batch the reader accepted cannot hold). */
int sel_project(sel_program *p, const weir_value *row, weir_builder *b);
/* Evaluates output column i into *out (a generator's column: its array);
 * strings and arrays stay valid until the next call on this program.
 * WEIR_OK or WEIR_ERR_NOMEM. (For tests.) */
int sel_eval_column(sel_program *p, size_t i, const weir_value *row,
                    weir_value *out);

#pragma GCC visibility pop

#endif
