/* plugins/console/table.h — Spark's show() table, byte for byte: the cell
 * text of each value, meta-character escaping, truncation to 20 characters,
 * column widths in half-width units, padding, the "only showing top N rows"
 * footer.
 *
 * Usage: console_table_init once per schema; per epoch console_table_reset,
 * console_table_add for rows (only the first num_rows are formatted and kept:
 * console_table_full says when the rest need only console_table_count), then
 * console_table_render. The table copies everything it keeps: no pointer into
 * a batch survives console_table_add.
 *
 * Internal to the plugin (hidden visibility); also linked into the unit test
 * tests/unit/test_console_format.c. */
#ifndef WEIR_PLUGIN_CONSOLE_TABLE_H
#define WEIR_PLUGIN_CONSOLE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "weir/batch.h"

#pragma GCC visibility push(hidden)

/* Spark's show() truncates cells longer than this (truncate = true). */
#define CONSOLE_TRUNCATE_CHARS 20

typedef struct console_cell {
  size_t end;   /* end offset of the cell's text in console_table.text */
  size_t width; /* display width in half-width units (Spark's rule) */
} console_cell;

typedef struct console_table {
  weir_schema *schema; /* a copy: array columns are formatted by it */
  size_t ncols;
  int64_t num_rows; /* rows shown at most */
  int truncate;     /* 1: cut cells to 20 characters and right-align */
  int64_t total;    /* rows seen since the last reset */
  int64_t kept;     /* rows formatted and kept (<= num_rows) */
  weir_buf text;    /* header cells, then kept cells, back to back */
  console_cell *cells;
  size_t ncells, cap_cells;
  weir_buf scratch, escaped; /* reused while formatting one cell */
  int err;                   /* sticky WEIR_ERR_NOMEM */
} console_table;

/* Column names come from `schema` (copied). WEIR_OK or WEIR_ERR_NOMEM. */
int console_table_init(console_table *t, const weir_schema *schema,
                       int64_t num_rows, int truncate);
void console_table_free(console_table *t);

/* Forgets the rows (a new epoch); keeps the header and the memory. */
void console_table_reset(console_table *t);

/* 1 when num_rows rows are kept: later rows only need counting. */
static inline int console_table_full(const console_table *t) {
  return t->kept >= t->num_rows;
}

/* Counts one row of ncols values, formatting and keeping it when fewer than
 * num_rows are kept. WEIR_OK or WEIR_ERR_NOMEM. */
int console_table_add(console_table *t, const weir_value *cols);

/* Counts n more rows without looking at them (the table is full). */
static inline void console_table_count(console_table *t, int64_t n) {
  t->total += n;
}

/* Appends the table as Dataset.show() prints it (separator, header,
 * separator, rows, separator, then "only showing top N rows" when rows were
 * left out), without show()'s trailing blank line. WEIR_OK or NOMEM. */
int console_table_render(const console_table *t, weir_buf *out);

/* Appends the text Spark's show() gives a value before escaping and
 * truncation: null, true/false, decimal integers, doubles as Java prints
 * them, strings as they are, timestamps "2026-01-01 00:00:05.123" (UTC),
 * binary "[68 65 6C]", structs "{1, a, null}" (members formatted the same
 * way), a value that says WEIR_T_ARRAY "[a, null, b]". */
void console_format_value(weir_buf *out, const weir_value *v);

/* The same for a value of field f (NULL: unknown), which tells an array
 * column's value ("[a, b]") from a struct's ("{a, b}"), at any depth. */
void console_format_field(weir_buf *out, const weir_field *f,
                          const weir_value *v);

/* Appends the cell text for s[0..n) (UTF-8): meta-characters escaped as
 * Spark does (\n -> "\\n"), invalid UTF-8 bytes replaced by U+FFFD, and with
 * `truncate`, text longer than 20 characters cut to 17 + "...". Characters
 * are counted in UTF-16 code units, as Java does. Returns the display width
 * in half-width units (UTF-16 units + one per full-width character). */
size_t console_cell_text(weir_buf *out, weir_buf *tmp, const char *s, size_t n,
                         int truncate);

#pragma GCC visibility pop

#endif
