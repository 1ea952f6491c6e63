/* plugins/json/json.c — the `json` operator: Spark's
 * from_json(CAST(value AS STRING), schema), with select("data.*") by default
 * or one struct column with `as`.
 *
 * Each input row's `field` (a string, or a binary read as UTF-8 text) is
 * parsed by the SDK's schema-directed parser (weir/jsonparse.h, shared with
 * the file source, so both read JSON to a schema by the same rules). The
 * output row is the `keep` columns, copied through undecoded, then the
 * schema's columns (or the struct). The output schema is the given one made
 * nullable at every level, as Spark's from_json makes it: a malformed or
 * null input gives nulls.
 *
 * Malformed records follow `mode`, as Spark's: PERMISSIVE keeps the row (the
 * values that fit their columns when the text is JSON, nulls for the rest,
 * and the text in the corrupt-record column when the schema has one),
 * DROPMALFORMED drops it, FAILFAST fails the epoch naming the row, the
 * offset and what was expected. Every malformed record is counted (progress
 * metric) and the first few of each epoch are logged. Stateless. */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

#define DEFAULT_BATCH_ROWS 4096
#define LOGGED_PER_EPOCH 5
#define EXCERPT 120 /* bytes of a malformed record shown in the log */

enum { MODE_PERMISSIVE = 0, MODE_DROPMALFORMED = 1, MODE_FAILFAST = 2 };
static const char *const modes[] = {"PERMISSIVE", "DROPMALFORMED", "FAILFAST",
                                    NULL};

typedef struct json_config {
  const char *field;
  const weir_schema *schema;
  int mode;
  weir_list keep;
  const char *as;
  const char *corrupt;
  int64_t max_depth;
} json_config;

typedef struct json_op {
  weir_json_parser *parser;
  weir_schema *out_schema; /* the builder borrows it; the runtime gets a copy */
  weir_builder out;
  weir_value *row; /* one decoded input row, reused */
  size_t ncols_in;
  size_t field; /* input column of the JSON text */
  const char *field_name;
  size_t *keep; /* input columns copied through */
  size_t nkeep;
  int mode;
  int as_struct;
  uint32_t nparsed; /* the schema's top-level columns */
  uint32_t max_rows;
  int64_t epoch;      /* from epoch_begin */
  uint64_t rows;      /* input rows seen in this epoch */
  uint64_t malformed; /* malformed records in this epoch */
} json_op;

static const weir_option options[] = {
    {"field", WEIR_OPT_STRING, "value", 0, 0, 0, NULL,
     "the input column holding the JSON text (STRING, or BINARY read as "
     "UTF-8, as CAST(value AS STRING))",
     offsetof(json_config, field)},
    {"schema", WEIR_OPT_SCHEMA, NULL, WEIR_OPT_REQUIRED, 0, 0, NULL,
     "the record's columns in Spark DDL (nested STRUCT<...> allowed); NOT "
     "NULL columns must be present; the output is all nullable",
     offsetof(json_config, schema)},
    {"mode", WEIR_OPT_ENUM, "PERMISSIVE", 0, 0, 0, modes,
     "malformed records: PERMISSIVE keeps them as nulls (the text in the "
     "corrupt-record column), DROPMALFORMED drops them, FAILFAST fails",
     offsetof(json_config, mode)},
    {"keep", WEIR_OPT_LIST, NULL, 0, 0, 0, NULL,
     "input columns to keep beside the parsed ones (first, copied as they "
     "are)",
     offsetof(json_config, keep)},
    {"as", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "one STRUCT column of this name instead of the schema's columns "
     "(Spark's from_json(...) AS name, without name.*)",
     offsetof(json_config, as)},
    {"column_name_of_corrupt_record", WEIR_OPT_STRING, "_corrupt_record", 0, 0,
     0, NULL,
     "the schema column (nullable STRING) that gets a malformed record's "
     "text in PERMISSIVE mode, if the schema has it",
     offsetof(json_config, corrupt)},
    {"max_depth", WEIR_OPT_INT, "128", 0, 1, WEIR_JSON_MAX_MAX_DEPTH, NULL,
     "deepest nesting of objects and arrays accepted (deeper is malformed)",
     offsetof(json_config, max_depth)},
    WEIR_OPTIONS_END};

static void destroy(void *self) {
  json_op *j = self;
  if (!j)
    return;
  weir_json_parser_free(j->parser);
  weir_builder_free(&j->out);
  weir_schema_free(j->out_schema);
  free(j->row);
  free(j->keep);
  free(j);
}

/* The index of input column `name`, or an error with a suggestion. */
static int find_column(weir_ctx *ctx, const weir_schema *in, const char *opt,
                       const char *name, size_t *out) {
  int i = weir_schema_find(in, name);
  if (i >= 0) {
    *out = (size_t)i;
    return WEIR_OK;
  }
  const char *near = weir_schema_suggest(in, name);
  return weir_error(
      ctx, WEIR_ERR_SCHEMA, "json: %s: no input column '%s'%s%s%s", opt, name,
      near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* Appends field f of the input to the output schema, metadata included. */
static int add_field(weir_schema *out, const weir_field *f) {
  weir_schema *members = NULL;
  if (f->fields && !(members = weir_schema_copy(f->fields)))
    return WEIR_ERR_NOMEM;
  int rc = weir_schema_add(out, f->name, f->type, f->nullable, members);
  if (rc == WEIR_OK) {
    out->fields[out->n - 1].flags = f->flags;
    out->fields[out->n - 1].watermark_delay = f->watermark_delay;
  }
  return rc;
}

static int build_output(weir_ctx *ctx, json_op *j, const json_config *cfg,
                        const weir_schema *in) {
  weir_schema *parsed = weir_json_nullable_schema(cfg->schema);
  int rc;
  if (!parsed || !(j->out_schema = weir_schema_new())) {
    weir_schema_free(parsed);
    return weir_error(ctx, WEIR_ERR_NOMEM, "json: out of memory");
  }
  for (size_t i = 0; i < j->nkeep; i++)
    if ((rc = add_field(j->out_schema, &in->fields[j->keep[i]])) != WEIR_OK) {
      weir_schema_free(parsed);
      return rc == WEIR_ERR_NOMEM
                 ? weir_error(ctx, rc, "json: out of memory")
                 : weir_error(ctx, rc,
                              "json: keep: column '%s' is listed twice",
                              in->fields[j->keep[i]].name);
    }
  if (j->as_struct) {
    if ((rc = weir_schema_add(j->out_schema, cfg->as, WEIR_T_STRUCT, true,
                              parsed)) != WEIR_OK)
      return rc == WEIR_ERR_NOMEM
                 ? weir_error(ctx, rc, "json: out of memory")
                 : weir_error(ctx, rc,
                              "json: as: '%s' is also a kept column; pick "
                              "another name",
                              cfg->as);
    return WEIR_OK;
  }
  for (size_t i = 0; i < parsed->n; i++)
    if ((rc = add_field(j->out_schema, &parsed->fields[i])) != WEIR_OK) {
      const char *name = parsed->fields[i].name;
      char msg[300];
      snprintf(msg, sizeof msg,
               "json: schema column '%s' is also a kept column; drop it from "
               "keep or use as = NAME to parse into one struct column",
               name);
      weir_schema_free(parsed);
      return rc == WEIR_ERR_NOMEM ? weir_error(ctx, rc, "json: out of memory")
                                  : weir_error(ctx, rc, "%s", msg);
    }
  weir_schema_free(parsed);
  return WEIR_OK;
}

static int create(weir_ctx *ctx, const void *config, weir_create_args *args,
                  void **self) {
  const json_config *cfg = config;
  const weir_schema *in = args->input;
  char err[512];
  int rc;
  if (!in)
    return weir_error(ctx, WEIR_ERR_INVALID, "json: needs an input");
  if (!cfg->schema)
    return weir_error(ctx, WEIR_ERR_INVALID, "json: schema is required");
  json_op *j = calloc(1, sizeof *j);
  if (!j)
    return weir_error(ctx, WEIR_ERR_NOMEM, "json: out of memory");
  j->mode = cfg->mode;
  j->as_struct = cfg->as && cfg->as[0];
  j->ncols_in = in->n;
  j->nparsed = (uint32_t)cfg->schema->n;
  j->epoch = -1;
  int64_t max_rows = args->max_batch_rows;
  j->max_rows = max_rows > 0 && max_rows <= UINT32_MAX ? (uint32_t)max_rows
                                                       : DEFAULT_BATCH_ROWS;

  const char *field = cfg->field && cfg->field[0] ? cfg->field : "value";
  if ((rc = find_column(ctx, in, "field", field, &j->field)) != WEIR_OK)
    goto fail;
  j->field_name = in->fields[j->field].name;
  if (in->fields[j->field].type != WEIR_T_STRING &&
      in->fields[j->field].type != WEIR_T_BINARY) {
    rc = weir_error(ctx, WEIR_ERR_SCHEMA,
                    "json: field: column '%s' is %s; the JSON text must be a "
                    "string or binary column",
                    field, weir_type_name(in->fields[j->field].type));
    goto fail;
  }
  if (cfg->keep.n && !(j->keep = calloc(cfg->keep.n, sizeof *j->keep))) {
    rc = weir_error(ctx, WEIR_ERR_NOMEM, "json: out of memory");
    goto fail;
  }
  for (size_t i = 0; i < cfg->keep.n; i++, j->nkeep++)
    if ((rc = find_column(ctx, in, "keep", cfg->keep.items[i], &j->keep[i])) !=
        WEIR_OK)
      goto fail;

  weir_json_options o = {cfg->corrupt ? cfg->corrupt : "_corrupt_record",
                         (int)cfg->max_depth, NULL, NULL};
  if ((rc = weir_json_parser_new(cfg->schema, &o, &j->parser, err,
                                 sizeof err)) != WEIR_OK) {
    rc = weir_error(ctx, rc, "json: schema: %s", err);
    goto fail;
  }
  if ((rc = build_output(ctx, j, cfg, in)) != WEIR_OK)
    goto fail;
  if (!(j->row = calloc(in->n ? in->n : 1, sizeof *j->row)) ||
      weir_builder_init(&j->out, j->out_schema) != WEIR_OK ||
      !(args->output = weir_schema_copy(j->out_schema))) {
    rc = weir_error(ctx, WEIR_ERR_NOMEM, "json: out of memory");
    goto fail;
  }
  *self = j;
  return WEIR_OK;
fail:
  destroy(j);
  return rc;
}

static int epoch_begin(void *self, weir_ctx *ctx) {
  json_op *j = self;
  j->epoch = weir_epoch(ctx).epoch;
  j->rows = 0;
  j->malformed = 0;
  return WEIR_OK;
}

static int epoch_end(void *self, weir_ctx *ctx) {
  json_op *j = self;
  if (j->malformed > LOGGED_PER_EPOCH)
    weir_log(ctx, WEIR_LOG_WARN,
             "epoch %" PRId64 ": %" PRIu64 " malformed records in all (the "
             "first %d logged)",
             j->epoch, j->malformed, LOGGED_PER_EPOCH);
  return WEIR_OK;
}

static int flush(json_op *j, weir_ctx *ctx) {
  const uint8_t *data;
  size_t len;
  if (j->out.nrows == 0)
    return WEIR_OK;
  int rc = weir_builder_finish(&j->out, &data, &len);
  if (rc)
    return weir_error(ctx, rc, "json: out of memory building a batch");
  rc = weir_emit(ctx, data, len);
  weir_builder_reset(&j->out);
  return rc; /* a downstream error is already recorded */
}

/* The start of a record for a log line: printable ASCII as is, the rest as
 * \xNN, cut at EXCERPT bytes. */
static void excerpt(const char *s, size_t n, char *out, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < n && i < EXCERPT && o + 5 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f)
      out[o++] = (char)c;
    else
      o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
  }
  if (n > EXCERPT && o + 4 < cap)
    memcpy(out + o, "...", 3), o += 3;
  out[o] = '\0';
}

/* A malformed record: counted, logged (the first few per epoch), and what
 * the mode says. Returns WEIR_OK, or the FAILFAST error. */
static int malformed(json_op *j, weir_ctx *ctx, const weir_value *v,
                     const weir_json_error *e, uint64_t row) {
  char why[400], text[EXCERPT * 4 + 8];
  weir_json_error_format(e, why, sizeof why);
  j->malformed++;
  if (j->mode == MODE_FAILFAST)
    return weir_error(ctx, WEIR_ERR_FORMAT,
                      "json: malformed record in row %" PRIu64 " of epoch "
                      "%" PRId64 " (column %s): %s. Parse mode: FAILFAST; "
                      "mode = PERMISSIVE keeps such records as nulls, "
                      "DROPMALFORMED drops them",
                      row, j->epoch, j->field_name, why);
  if (j->malformed <= LOGGED_PER_EPOCH) {
    excerpt(v->v.s.ptr, v->v.s.len, text, sizeof text);
    weir_log(
        ctx, WEIR_LOG_WARN,
        "malformed record in row %" PRIu64 " of epoch %" PRId64 " (%s): %s: %s",
        row, j->epoch, j->mode == MODE_PERMISSIVE ? "kept as nulls" : "dropped",
        why, text);
  }
  return WEIR_OK;
}

/* One input row → at most one output row. */
static int one_row(json_op *j, weir_ctx *ctx, const weir_value *cols) {
  const weir_value *v = &cols[j->field];
  weir_builder *b = &j->out;
  weir_builder_mark row_mark = weir_builder_save(b);
  weir_json_error e;
  uint64_t row = ++j->rows; /* counted from 1, in the epoch */

  weir_row_begin(b);
  for (size_t i = 0; i < j->nkeep; i++)
    weir_put_raw(b, cols[j->keep[i]].raw, cols[j->keep[i]].raw_len);
  weir_builder_mark value_mark = weir_builder_save(b);
  if (j->as_struct)
    weir_put_struct(b, j->nparsed);
  int rc =
      v->type == WEIR_T_NULL
          ? WEIR_JSON_BLANK
          : weir_json_parse_values(j->parser, v->v.s.ptr, v->v.s.len, b, &e);
  switch (rc) {
  case WEIR_OK: return WEIR_OK;
  case WEIR_JSON_BLANK: /* Spark: from_json of null or "" is null */
    weir_builder_restore(b, value_mark);
    if (j->as_struct)
      weir_put_null(b);
    else
      weir_json_put_nulls(j->parser, b);
    return WEIR_OK;
  case WEIR_ERR_FORMAT:
  case WEIR_ERR_SCHEMA:
    if ((rc = malformed(j, ctx, v, &e, row)) != WEIR_OK ||
        j->mode != MODE_PERMISSIVE) {
      weir_builder_restore(b, row_mark);
      return rc;
    }
    weir_json_put_permissive(j->parser, v->v.s.ptr, v->v.s.len, b);
    return WEIR_OK;
  default:
    weir_builder_restore(b, row_mark);
    return weir_error(ctx, rc, "json: out of memory parsing row %" PRIu64, row);
  }
}

static int process(void *self, weir_ctx *ctx, const weir_batch *batch) {
  json_op *j = self;
  weir_reader r;
  uint64_t bad0 = j->malformed;
  int rc, err = WEIR_OK;
  if ((rc = weir_reader_open(&r, batch->data, batch->len)) != WEIR_OK)
    return weir_error(ctx, rc, "json: malformed input batch");
  weir_builder_reset(&j->out);
  while (err == WEIR_OK &&
         (rc = weir_reader_next(&r, j->row, j->ncols_in)) == 1) {
    err = one_row(j, ctx, j->row);
    if (err == WEIR_OK && j->out.nrows >= j->max_rows)
      err = flush(j, ctx);
  }
  if (j->malformed > bad0)
    ctx->host->metric(ctx, WEIR_METRIC_MALFORMED_RECORDS,
                      (int64_t)(j->malformed - bad0));
  if (err != WEIR_OK) { /* FAILFAST, no memory, downstream: recorded */
    weir_builder_reset(&j->out);
    return err;
  }
  if (rc < 0)
    return weir_error(ctx, rc, "json: malformed input batch at row %u",
                      (unsigned)r.row);
  return flush(j, ctx);
}

static const weir_plugin descriptor = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_OPERATOR,
    .name = "json",
    .version = WEIR_VERSION,
    .description = "parses a JSON text column to a schema (Spark's "
                   "from_json(CAST(value AS STRING), schema))",
    .options = options,
    .config_size = sizeof(json_config),
    .create = create,
    .destroy = destroy,
    .epoch_begin = epoch_begin,
    .process = process,
    .epoch_end = epoch_end,
};

WEIR_PLUGIN(descriptor)
