/* plugins/console/table.c — Spark's show() table (see table.h).
 *
 * What Spark does, and so what this does (Dataset.getRows / showString,
 * Spark 3.4+):
 *  - every cell (header included) goes through escapeMetaCharacters: \n \r
 *    \t \f \b \v \a become a backslash and a letter;
 *  - data cells (not the header) longer than 20 characters become their
 *    first 17 + "..."; "characters" are Java's UTF-16 code units, so a
 *    character outside the BMP counts 2, and a cut through one leaves a lone
 *    surrogate that Java prints as '?';
 *  - a column is as wide as its widest cell, at least 3, in half-width units
 *    (Utils.stringHalfWidth: UTF-16 units plus one per full-width
 *    character of the ranges below);
 *  - with truncation cells are right-aligned, without it left-aligned;
 *  - "only showing top N rows" ("row" for 1) when rows were left out.
 * Values: null "null" (Spark before 3.5; 3.5+ prints "NULL"), binary as
 * "[68 65 6C]", structs as "{a, b}", arrays as "[a, b]" (the column's
 * schema tells an array from a struct: the reader gives both as
 * MessagePack arrays). */
#include "table.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "weir/units.h"

#define TRUNCATE_KEEP (CONSOLE_TRUNCATE_CHARS - 3)

/* ---- UTF-8 ------------------------------------------------------------- */

/* Decodes the code point at s[0..n) (n >= 1) into *cp and returns the bytes
 * it takes. A malformed sequence becomes U+FFFD and consumes its maximal
 * valid prefix (at least one byte), as Java's decoder does. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char c = s[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
  uint32_t v;
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
    v = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    v = c & 0x0F;
    if (c == 0xE0)
      lo = 0xA0;
    else if (c == 0xED)
      hi = 0x9F; /* no surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    v = c & 0x07;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
  } else {
    *cp = 0xFFFD;
    return 1;
  }
  size_t i = 1;
  for (; i <= need; i++) {
    unsigned char b = i < n ? s[i] : 0;
    unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
    if (i >= n || b < l || b > h) {
      *cp = 0xFFFD;
      return i;
    }
    v = (v << 6) | (b & 0x3F);
  }
  *cp = v;
  return i;
}

static void put_utf8(weir_buf *out, uint32_t cp) {
  unsigned char b[4];
  size_t n;
  if (cp < 0x80) {
    b[0] = (unsigned char)cp;
    n = 1;
  } else if (cp < 0x800) {
    b[0] = (unsigned char)(0xC0 | (cp >> 6));
    b[1] = (unsigned char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = (unsigned char)(0xE0 | (cp >> 12));
    b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (unsigned char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    b[0] = (unsigned char)(0xF0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  weir_buf_append(out, b, n);
}

/* Spark's Utils.fullWidthRegex: the BMP characters that occupy two columns. */
static int full_width(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE10 && cp <= 0xFE19) || (cp >= 0xFE30 && cp <= 0xFE6F) ||
         (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6);
}

/* escapeMetaCharacters: the letter for a control character, or 0. */
static char meta_letter(uint32_t cp) {
  switch (cp) {
  case '\n': return 'n';
  case '\r': return 'r';
  case '\t': return 't';
  case '\f': return 'f';
  case '\b': return 'b';
  case '\v': return 'v';
  case '\a': return 'a';
  default: return 0;
  }
}

size_t console_cell_text(weir_buf *out, weir_buf *tmp, const char *s, size_t n,
                         int truncate) {
  const unsigned char *p = (const unsigned char *)s;
  size_t units = 0, fw = 0;
  uint32_t cp;

  /* Pass 1: escaped, valid UTF-8 into tmp; count UTF-16 units. */
  weir_buf_clear(tmp);
  for (size_t i = 0; i < n;) {
    size_t len = utf8_next(p + i, n - i, &cp);
    char letter = meta_letter(cp);
    if (letter) {
      char esc[2] = {'\\', letter};
      weir_buf_append(tmp, esc, 2);
      units += 2;
    } else {
      if (cp == 0xFFFD && !(len == 3 && p[i] == 0xEF))
        put_utf8(tmp, cp); /* a replaced malformed sequence */
      else
        weir_buf_append(tmp, p + i, len);
      units += cp >= 0x10000 ? 2 : 1;
      fw += full_width(cp);
    }
    i += len;
  }
  if (tmp->err) {
    out->err = tmp->err;
    return 0;
  }
  if (!truncate || units <= CONSOLE_TRUNCATE_CHARS) {
    if (tmp->len)
      weir_buf_append(out, tmp->data, tmp->len);
    return units + fw;
  }

  /* Pass 2: the first 17 UTF-16 units, then "...". */
  const unsigned char *q = tmp->data;
  size_t used = 0;
  fw = 0;
  for (size_t i = 0; i < tmp->len && used < TRUNCATE_KEEP;) {
    size_t len = utf8_next(q + i, tmp->len - i, &cp);
    size_t u = cp >= 0x10000 ? 2 : 1;
    if (used + u > TRUNCATE_KEEP) {
      /* Java's substring keeps a lone high surrogate; printed as '?'. */
      weir_buf_append(out, "?", 1);
      used++;
      break;
    }
    weir_buf_append(out, q + i, len);
    used += u;
    fw += full_width(cp);
    i += len;
  }
  weir_buf_append(out, "...", 3);
  return used + 3 + fw;
}

/* ---- values ------------------------------------------------------------- */

/* A struct "{a, b}" (members: its schema, or NULL) or an array "[a, b]"
 * (element: its element field): items formatted as cells are, joined by
 * ", ". Malformed bytes (which a batch the reader accepted cannot have)
 * print "{?}". */
static void format_items(weir_buf *out, const weir_schema *members,
                         const weir_field *element, int array,
                         const weir_value *v) {
  weir_array_iter it;
  weir_value m;
  size_t mark = out->len;
  int rc;
  uint32_t i = 0;
  if (weir_array_begin(&it, v) != WEIR_OK) {
    weir_buf_append(out, "{?}", 3);
    return;
  }
  weir_buf_append(out, array ? "[" : "{", 1);
  while ((rc = weir_array_next(&it, &m)) == 1) {
    const weir_field *f = array                       ? element
                          : members && i < members->n ? &members->fields[i]
                                                      : NULL;
    if (i++)
      weir_buf_append(out, ", ", 2);
    console_format_field(out, f, &m);
  }
  if (rc != 0) {
    out->len = mark;
    weir_buf_append(out, "{?}", 3);
    return;
  }
  weir_buf_append(out, array ? "]" : "}", 1);
}

void console_format_field(weir_buf *out, const weir_field *f,
                          const weir_value *v) {
  if (v->type == WEIR_T_ARRAY ||
      (v->type == WEIR_T_STRUCT && f && f->type == WEIR_T_ARRAY))
    format_items(out, NULL, weir_field_element(f), 1, v);
  else if (v->type == WEIR_T_STRUCT)
    format_items(out, f && f->type == WEIR_T_STRUCT ? f->fields : NULL, NULL, 0,
                 v);
  else
    console_format_value(out, v);
}

void console_format_value(weir_buf *out, const weir_value *v) {
  char tmp[64];
  int n;
  switch (v->type) {
  case WEIR_T_NULL: weir_buf_append(out, "null", 4); break;
  case WEIR_T_BOOL:
    if (v->v.b)
      weir_buf_append(out, "true", 4);
    else
      weir_buf_append(out, "false", 5);
    break;
  case WEIR_T_INT: weir_buf_printf(out, "%" PRId64, v->v.i); break;
  case WEIR_T_FLOAT:
    n = weir_format_double(v->v.f, 1, tmp, sizeof tmp);
    if (n > 0)
      weir_buf_append(out, tmp,
                      (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
    break;
  case WEIR_T_STRING:
    if (v->v.s.len)
      weir_buf_append(out, v->v.s.ptr, v->v.s.len);
    break;
  case WEIR_T_BINARY: {
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *b = (const unsigned char *)v->v.s.ptr;
    weir_buf_append(out, "[", 1);
    for (size_t i = 0; i < v->v.s.len; i++) {
      char h[3] = {' ', hex[b[i] >> 4], hex[b[i] & 15]};
      if (i == 0)
        weir_buf_append(out, h + 1, 2);
      else
        weir_buf_append(out, h, 3);
    }
    weir_buf_append(out, "]", 1);
    break;
  }
  case WEIR_T_TIMESTAMP:
    n = weir_format_timestamp(v->v.ts, WEIR_TS_SPARK, tmp, sizeof tmp);
    if (n > 0)
      weir_buf_append(out, tmp,
                      (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
    break;
  case WEIR_T_STRUCT: /* Cast(struct AS STRING): "{" members ", " "}" */
    format_items(out, NULL, NULL, 0, v);
    break;
  case WEIR_T_ARRAY: /* Cast(array AS STRING): "[" elements ", " "]" */
    format_items(out, NULL, NULL, 1, v);
    break;
  }
}

/* ---- the table ----------------------------------------------------------- */

static int push_cell(console_table *t, size_t width) {
  if (t->ncells == t->cap_cells) {
    size_t cap = t->cap_cells ? t->cap_cells * 2 : 64;
    console_cell *c = realloc(t->cells, cap * sizeof *c);
    if (!c)
      return t->err = WEIR_ERR_NOMEM;
    t->cells = c;
    t->cap_cells = cap;
  }
  t->cells[t->ncells].end = t->text.len;
  t->cells[t->ncells].width = width;
  t->ncells++;
  return WEIR_OK;
}

int console_table_init(console_table *t, const weir_schema *schema,
                       int64_t num_rows, int truncate) {
  memset(t, 0, sizeof *t);
  if (!(t->schema = weir_schema_copy(schema)))
    return WEIR_ERR_NOMEM;
  t->ncols = schema->n;
  t->num_rows = num_rows < 0 ? 0 : num_rows;
  t->truncate = truncate;
  for (size_t i = 0; i < t->ncols; i++) {
    const char *name = schema->fields[i].name;
    /* Header cells are escaped but never truncated. */
    size_t w = console_cell_text(&t->text, &t->escaped, name, strlen(name), 0);
    if (push_cell(t, w) != WEIR_OK)
      break;
  }
  if (t->text.err || t->escaped.err)
    t->err = WEIR_ERR_NOMEM;
  if (t->err) {
    console_table_free(t);
    return WEIR_ERR_NOMEM;
  }
  return WEIR_OK;
}

void console_table_free(console_table *t) {
  weir_schema_free(t->schema);
  t->schema = NULL;
  weir_buf_free(&t->text);
  weir_buf_free(&t->scratch);
  weir_buf_free(&t->escaped);
  free(t->cells);
  t->cells = NULL;
  t->ncells = t->cap_cells = 0;
}

void console_table_reset(console_table *t) {
  t->total = t->kept = 0;
  t->ncells = t->ncols;
  t->text.len = t->ncols ? t->cells[t->ncols - 1].end : 0;
  t->err = 0;
}

int console_table_add(console_table *t, const weir_value *cols) {
  t->total++;
  if (t->kept >= t->num_rows)
    return WEIR_OK;
  for (size_t i = 0; i < t->ncols; i++) {
    weir_buf_clear(&t->scratch);
    console_format_field(&t->scratch, &t->schema->fields[i], &cols[i]);
    size_t w = console_cell_text(&t->text, &t->escaped,
                                 t->scratch.len ? (char *)t->scratch.data : "",
                                 t->scratch.len, t->truncate);
    if (t->scratch.err || t->text.err || push_cell(t, w) != WEIR_OK) {
      t->err = WEIR_ERR_NOMEM;
      return WEIR_ERR_NOMEM;
    }
  }
  t->kept++;
  return WEIR_OK;
}

static void put_spaces(weir_buf *out, size_t n) {
  static const char sp[] = "                                ";
  while (n > 0) {
    size_t k = n < sizeof sp - 1 ? n : sizeof sp - 1;
    weir_buf_append(out, sp, k);
    n -= k;
  }
}

static void put_dashes(weir_buf *out, size_t n) {
  static const char d[] = "--------------------------------";
  while (n > 0) {
    size_t k = n < sizeof d - 1 ? n : sizeof d - 1;
    weir_buf_append(out, d, k);
    n -= k;
  }
}

/* One "|a|b|\n" line for the cells [first, first + ncols). */
static void put_row(const console_table *t, weir_buf *out, size_t first,
                    const size_t *widths) {
  weir_buf_append(out, "|", 1);
  for (size_t i = 0; i < t->ncols; i++) {
    size_t c = first + i;
    size_t begin = c ? t->cells[c - 1].end : 0, end = t->cells[c].end;
    size_t pad = widths[i] - t->cells[c].width;
    if (i)
      weir_buf_append(out, "|", 1);
    if (t->truncate)
      put_spaces(out, pad);
    if (end > begin)
      weir_buf_append(out, t->text.data + begin, end - begin);
    if (!t->truncate)
      put_spaces(out, pad);
  }
  weir_buf_append(out, "|\n", 2);
}

/* Appends a copy of out[at..at+len) (the buffer may move while growing). */
static void put_again(weir_buf *out, size_t at, size_t len) {
  if (out->err || weir_buf_reserve(out, len) != WEIR_OK)
    return;
  memcpy(out->data + out->len, out->data + at, len);
  out->len += len;
}

int console_table_render(const console_table *t, weir_buf *out) {
  if (t->err)
    return t->err;
  size_t *widths = calloc(t->ncols ? t->ncols : 1, sizeof *widths);
  if (!widths)
    return WEIR_ERR_NOMEM;
  for (size_t i = 0; i < t->ncols; i++)
    widths[i] = 3; /* Spark's minimum column width */
  for (size_t c = 0; c < t->ncells; c++) {
    size_t i = c % t->ncols;
    if (t->cells[c].width > widths[i])
      widths[i] = t->cells[c].width;
  }

  /* The separator line: "+---+-----+\n" (mkString("+", "+", "+\n")). */
  size_t sep_at = out->len;
  weir_buf_append(out, "+", 1);
  for (size_t i = 0; i < t->ncols; i++) {
    if (i)
      weir_buf_append(out, "+", 1);
    put_dashes(out, widths[i]);
  }
  weir_buf_append(out, "+\n", 2);
  size_t sep_len = out->len - sep_at;

  put_row(t, out, 0, widths);
  put_again(out, sep_at, sep_len);
  for (int64_t r = 0; r < t->kept; r++)
    put_row(t, out, (size_t)(r + 1) * t->ncols, widths);
  put_again(out, sep_at, sep_len);
  if (t->total > t->num_rows)
    weir_buf_printf(out, "only showing top %" PRId64 " %s\n", t->num_rows,
                    t->num_rows == 1 ? "row" : "rows");
  free(widths);
  return out->err ? WEIR_ERR_NOMEM : WEIR_OK;
}
