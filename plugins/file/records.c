/* plugins/file/records.c — line → row for the file source's formats, with
 * Spark's malformed-record modes (see records.h). A CSV line is first
 * converted into per-column cells and only then written, because the
 * corrupt-record column may come before the data columns in the schema and
 * its value depends on whether any later field fails. Nothing here
 * allocates per line: the cells and the splitter are reused. */
#include "records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonline.h"

struct records {
  records_cfg cfg;
  int corrupt;      /* schema index of the corrupt-record column, or -1 */
  size_t *data_col; /* k-th data column (fields, keys) → schema index */
  size_t ndata;
  csv_cell *cells; /* one per schema column */
  csv_splitter sp;
  json_line_parser *json;
};

int records_json_available(void) { return json_line_available(); }

records *records_new(const records_cfg *cfg, char *err, size_t errlen) {
  const weir_schema *s = cfg->schema;
  records *r = calloc(1, sizeof *r);
  if (!r || !(r->data_col = calloc(s->n ? s->n : 1, sizeof *r->data_col)) ||
      !(r->cells = calloc(s->n ? s->n : 1, sizeof *r->cells))) {
    records_free(r);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  r->cfg = *cfg;
  r->corrupt = -1;
  if (cfg->format != FMT_TEXT && cfg->corrupt_column)
    r->corrupt = weir_schema_find(s, cfg->corrupt_column);
  if (r->corrupt >= 0 && s->fields[r->corrupt].type != WEIR_T_STRING) {
    /* Spark: "The field for corrupt records must be string type and
     * nullable". */
    snprintf(err, errlen,
             "column %s holds corrupt records and must be STRING, not %s",
             cfg->corrupt_column, weir_type_name(s->fields[r->corrupt].type));
    records_free(r);
    return NULL;
  }
  for (size_t i = 0; i < s->n; i++) {
    if ((int)i == r->corrupt)
      continue;
    if (cfg->format == FMT_CSV && (s->fields[i].type == WEIR_T_STRUCT ||
                                   s->fields[i].type == WEIR_T_ARRAY)) {
      snprintf(err, errlen,
               "CSV data source does not support %s columns (column %s); "
               "use format = json",
               s->fields[i].type == WEIR_T_STRUCT ? "struct" : "array",
               s->fields[i].name);
      records_free(r);
      return NULL;
    }
    r->data_col[r->ndata++] = i;
  }
  if (cfg->format == FMT_TEXT &&
      (s->n != 1 || s->fields[0].type != WEIR_T_STRING)) {
    snprintf(err, errlen,
             "the text format has one column, value STRING: leave schema out");
    records_free(r);
    return NULL;
  }
  if (cfg->format == FMT_JSON) {
    r->json = json_line_new(s, cfg->corrupt_column, cfg->timestamp_format, err,
                            errlen);
    if (!r->json) {
      records_free(r);
      return NULL;
    }
  }
  return r;
}

void records_free(records *r) {
  if (!r)
    return;
  csv_splitter_free(&r->sp);
  json_line_free(r->json);
  free(r->cells);
  free(r->data_col);
  free(r);
}

static void put_cell(weir_builder *b, weir_type t, const csv_cell *c) {
  if (c->null) {
    weir_put_null(b);
    return;
  }
  switch (t) {
  case WEIR_T_INT: weir_put_int(b, c->v.i); break;
  case WEIR_T_FLOAT: weir_put_float(b, c->v.f); break;
  case WEIR_T_BOOL: weir_put_bool(b, c->v.b != 0); break;
  case WEIR_T_TIMESTAMP: weir_put_timestamp(b, c->v.ts); break;
  case WEIR_T_STRING: weir_put_string(b, c->s, c->len); break;
  case WEIR_T_BINARY: weir_put_binary(b, c->s, c->len); break;
  default: weir_put_null(b); break;
  }
}

/* Writes the cells as a row; the corrupt column gets the line when the
 * record is malformed. */
static void write_row(records *r, weir_builder *b, const char *line, size_t len,
                      int malformed) {
  const weir_schema *s = r->cfg.schema;
  weir_row_begin(b);
  for (size_t i = 0; i < s->n; i++) {
    if ((int)i == r->corrupt) {
      if (malformed)
        weir_put_string(b, line, len);
      else
        weir_put_null(b);
    } else {
      put_cell(b, s->fields[i].type, &r->cells[i]);
    }
  }
}

static void all_null(records *r) {
  for (size_t i = 0; i < r->cfg.schema->n; i++)
    r->cells[i].null = 1;
}

/* The verdict for a malformed line: a row of what could be read
 * (PERMISSIVE), or none. */
static int malformed(records *r, weir_builder *b, const char *line,
                     size_t len) {
  if (r->cfg.mode == MODE_PERMISSIVE)
    write_row(r, b, line, len, 1);
  return REC_MALFORMED;
}

static int is_blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return 0;
  return 1;
}

/* Shows a field's text in a message, cut to a readable length. */
static void quote_text(char *out, size_t n, const char *s, size_t len) {
  size_t k = len > 40 ? 40 : len;
  snprintf(out, n, "'%.*s'%s", (int)k, s, len > k ? "..." : "");
}

static int csv_line(records *r, weir_builder *b, const char *line, size_t len,
                    char *why, size_t whylen) {
  const weir_schema *s = r->cfg.schema;
  int rc = csv_split(&r->sp, &r->cfg.csv, line, len);
  if (rc == CSV_ERR_NOMEM)
    return WEIR_ERR_NOMEM;
  if (rc != CSV_OK) {
    snprintf(why, whylen, "%s",
             rc == CSV_ERR_QUOTE ? "a quoted field is not closed on its line"
                                 : "more than 20480 fields");
    all_null(r);
    return malformed(r, b, line, len);
  }
  int bad = 0;
  why[0] = '\0';
  if (r->sp.n != r->ndata) {
    /* Spark 3: a token count that differs from the schema is malformed;
     * missing fields are null, extra ones dropped. */
    snprintf(why, whylen, "expected %zu fields, found %zu", r->ndata, r->sp.n);
    bad = 1;
  }
  const char *nv = r->cfg.null_value ? r->cfg.null_value : "";
  size_t nvlen = strlen(nv);
  for (size_t k = 0; k < r->ndata; k++) {
    size_t col = r->data_col[k];
    csv_cell *c = &r->cells[col];
    if (k >= r->sp.n) {
      c->null = 1;
      continue;
    }
    const csv_field *f = &r->sp.f[k];
    /* As Spark (univocity gives nullValue for an empty unquoted field): a
     * field that is empty and unquoted, or equal to null_value, is null. */
    if ((f->len == 0 && !f->quoted) ||
        (f->len == nvlen && memcmp(f->p, nv, nvlen) == 0)) {
      c->null = 1;
      continue;
    }
    weir_type t = s->fields[col].type;
    if (csv_convert(t, f->p, f->len, r->cfg.timestamp_format, c) != 0) {
      c->null = 1;
      if (!bad) {
        char txt[64];
        quote_text(txt, sizeof txt, f->p, f->len);
        snprintf(why, whylen, "field %zu (%s): %s is not a valid %s", k + 1,
                 s->fields[col].name, txt, weir_type_name(t));
      }
      bad = 1;
    }
  }
  if (bad)
    return malformed(r, b, line, len);
  write_row(r, b, line, len, 0);
  return REC_ROW;
}

int records_line(records *r, weir_builder *b, const char *line, size_t len,
                 int too_long, char *why, size_t whylen) {
  why[0] = '\0';
  if (too_long) {
    snprintf(why, whylen,
             "the line is longer than max_record_size (%zu bytes kept in "
             "the corrupt record)",
             len);
    all_null(r);
    return malformed(r, b, line, len);
  }
  switch (r->cfg.format) {
  case FMT_TEXT:
    weir_row_begin(b);
    weir_put_string(b, line, len);
    return REC_ROW;
  case FMT_CSV:
    if (is_blank(line, len)) /* univocity skips empty lines, so Spark does */
      return REC_SKIP;
    return csv_line(r, b, line, len, why, whylen);
  case FMT_JSON: {
    if (is_blank(line, len)) /* Spark's JSON lines reader skips them too */
      return REC_SKIP;
    size_t mark_len = b->buf.len;
    uint32_t mark_rows = b->nrows;
    int rc = json_line_parse(r->json, b, line, len,
                             r->cfg.mode == MODE_PERMISSIVE, why, whylen);
    if (rc < 0)
      return rc;
    if (rc == JSON_LINE_OK)
      return REC_ROW;
    if (rc == JSON_LINE_BLANK)
      return REC_SKIP;
    if (r->cfg.mode != MODE_PERMISSIVE) { /* forget a partial row */
      b->buf.len = mark_len;
      b->nrows = mark_rows;
    }
    return REC_MALFORMED;
  }
  default:
    snprintf(why, whylen, "unsupported format");
    return WEIR_ERR_UNSUPPORTED;
  }
}
