/* topology.c — from an INI file to a checked, created query: sections to
 * nodes, plugins loaded and configured through their options tables, the
 * graph checked (unknown inputs, cycles, dead ends), instances created in
 * topological order so that schemas propagate, output modes checked. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "state.h"

static const char *const mode_names[] = {"append", "update", "complete", NULL};
static const char *const policy_names[] = {"min", "max", NULL};

#define QOPT(key, type, def, help, field)                                      \
  { key, type, def, 0, 0, 0, NULL, help, offsetof(query_cfg, field) }
static const weir_option query_options[] = {
    QOPT("name", WEIR_OPT_STRING, NULL,
         "query name (progress 'name'); default: the file's name", name),
    QOPT("trigger", WEIR_OPT_STRING, "default",
         "default | processing-time DURATION | once | available-now", trigger),
    {"output_mode", WEIR_OPT_ENUM, "append", 0, 0, 0, mode_names,
     "which rows reach the sinks each epoch", offsetof(query_cfg, output_mode)},
    QOPT("checkpoint", WEIR_OPT_STRING, NULL,
         "checkpoint directory; omitted: a temporary one", checkpoint),
    QOPT("plugin_path", WEIR_OPT_STRING, NULL,
         "colon-separated folders searched first for plugins", plugin_path),
    {"watermark_policy", WEIR_OPT_ENUM, "min", 0, 0, 0, policy_names,
     "how several watermarks combine (Spark's multipleWatermarkPolicy)",
     offsetof(query_cfg, watermark_policy)},
    {"max_batch_rows", WEIR_OPT_INT, "4096", 0, 1, 1048576, NULL,
     "rows per batch that sources and operators aim for",
     offsetof(query_cfg, max_batch_rows)},
    {"min_epochs_to_retain", WEIR_OPT_INT, "100", 0, 1, 1e9, NULL,
     "epochs of logs and state the checkpoint keeps",
     offsetof(query_cfg, min_epochs_to_retain)},
    {"state_snapshot_interval", WEIR_OPT_INT, "10", 0, 1, 1e6, NULL,
     "a full state snapshot every N epochs (deltas in between)",
     offsetof(query_cfg, state_snapshot_interval)},
    {"progress_idle_interval", WEIR_OPT_DURATION, "10 seconds", 0, 0, 0, NULL,
     "while no epoch runs, a progress event this often (Spark's "
     "noDataProgressEventInterval); 0 = never",
     offsetof(query_cfg, progress_idle_interval)},
    WEIR_OPTIONS_END};

const weir_option *query_options_table(void);
const weir_option *query_options_table(void) { return query_options; }

static int fail(char *err, size_t errlen, const query *q, int line,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, const query *q, int line,
                const char *fmt, ...) {
  int off = snprintf(err, errlen, "%s:%d: ", q->file, line);
  if (off < 0 || (size_t)off >= errlen)
    return WEIR_ERR_INVALID;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err + off, errlen - (size_t)off, fmt, ap);
  va_end(ap);
  return WEIR_ERR_INVALID;
}

static node *find_node(query *q, const char *name) {
  for (size_t i = 0; i < q->n; i++)
    if (strcmp(q->nodes[i]->name, name) == 0)
      return q->nodes[i];
  return NULL;
}

static int valid_name(const char *s) {
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
      return 0;
  return 1;
}

static int split_inputs(node *nd, const char *text) {
  const char *p = text;
  while (p && *p) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    while (len && isspace((unsigned char)*p)) {
      p++;
      len--;
    }
    while (len && isspace((unsigned char)p[len - 1]))
      len--;
    if (len) {
      char **names =
          realloc(nd->input_names, (nd->n_input_names + 1) * sizeof *names);
      if (!names)
        return WEIR_ERR_NOMEM;
      nd->input_names = names;
      if (!(names[nd->n_input_names] = strndup(p, len)))
        return WEIR_ERR_NOMEM;
      nd->n_input_names++;
    }
    p = comma ? comma + 1 : NULL;
  }
  return WEIR_OK;
}

static int add_node(query *q, ini_section *sec, char *err, size_t errlen) {
  static const char *const kinds[] = {"source", "operator", "sink", "query"};
  const char *dot = strchr(sec->name, '.');
  size_t klen = dot ? (size_t)(dot - sec->name) : strlen(sec->name);
  int kind = 0;
  for (int k = 0; k < 3; k++)
    if (strlen(kinds[k]) == klen && strncmp(sec->name, kinds[k], klen) == 0)
      kind = k + 1;
  if (!kind || !dot) {
    char word[64];
    snprintf(word, sizeof word, "%.*s", (int)(klen < 63 ? klen : 63),
             sec->name);
    const char *near = weir_suggest(word, kinds, 4);
    return fail(err, errlen, q, sec->line,
                "unknown section [%s]%s%s%s (expected [query], "
                "[source.NAME], [operator.NAME] or [sink.NAME])",
                sec->name, near ? " (did you mean [" : "", near ? near : "",
                near ? (strcmp(near, "query") ? ".NAME]?)" : "]?)") : "");
  }
  const char *name = dot + 1;
  if (!valid_name(name))
    return fail(err, errlen, q, sec->line,
                "[%s]: a name is letters, digits, '_' and '-'", sec->name);
  node *other = find_node(q, name);
  if (other)
    return fail(err, errlen, q, sec->line,
                "[%s]: the name '%s' is already used by [%s] (line %d); "
                "names must be unique across sources, operators and sinks",
                sec->name, name, other->section, other->line);
  node *nd = calloc(1, sizeof *nd);
  node **nodes = realloc(q->nodes, (q->n + 1) * sizeof *nodes);
  if (!nd || !nodes) {
    free(nd);
    if (nodes)
      q->nodes = nodes;
    return WEIR_ERR_NOMEM;
  }
  q->nodes = nodes;
  q->nodes[q->n++] = nd;
  nd->ctx.struct_size = sizeof nd->ctx;
  nd->ctx.host = &weir_host_api;
  nd->q = q;
  nd->kind = kind;
  nd->line = sec->line;
  nd->wm_candidate = INT64_MIN;
  nd->section = strdup(sec->name);
  nd->name = strdup(name);
  if (!nd->section || !nd->name)
    return WEIR_ERR_NOMEM;

  ini_entry *pe = ini_section_get(sec, "plugin");
  if (!pe)
    return fail(err, errlen, q, sec->line,
                "[%s] missing required key 'plugin' (the plugin to run, e.g. "
                "plugin = %s)",
                sec->name,
                kind == WEIR_KIND_SOURCE ? "rate"
                : kind == WEIR_KIND_SINK ? "console"
                                         : "select");
  char sub[1536];
  int rc =
      registry_load(&q->reg, pe->value, kind, &nd->plugin, sub, sizeof sub);
  if (rc != WEIR_OK) {
    fail(err, errlen, q, pe->line, "[%s] plugin: %s", sec->name, sub);
    return rc;
  }
  const weir_plugin *d = &nd->plugin->desc;
  if ((int)d->kind != kind)
    return fail(err, errlen, q, pe->line,
                "[%s] plugin '%s' is a %s plugin; a [%s.NAME] section needs "
                "%s %s plugin",
                sec->name, d->name, kind_name((int)d->kind), kinds[kind - 1],
                kind == WEIR_KIND_OPERATOR ? "an" : "a", kinds[kind - 1]);
  ini_entry *ie = ini_section_get(sec, "input");
  if (kind == WEIR_KIND_SOURCE && ie)
    return fail(err, errlen, q, ie->line,
                "[%s] a source takes no input (remove 'input')", sec->name);
  if (kind == WEIR_KIND_SINK && !ie) {
    /* Either the target of an operator's late_rows, or an error that
     * wire() reports once every section is known. */
  } else if (kind != WEIR_KIND_SOURCE) {
    if (!ie || !*ie->value)
      return fail(err, errlen, q, ie ? ie->line : sec->line,
                  "[%s] missing required key 'input' (the upstream node's "
                  "name; several, comma-separated, are a union)",
                  sec->name);
    nd->input_line = ie->line;
    if (split_inputs(nd, ie->value) != WEIR_OK)
      return WEIR_ERR_NOMEM;
  }
  nd->config = calloc(1, d->config_size ? d->config_size : 1);
  if (!nd->config)
    return WEIR_ERR_NOMEM;
  ini_entry *le = ini_section_get(sec, "late_rows");
  if (le && kind != WEIR_KIND_OPERATOR)
    return fail(err, errlen, q, le->line,
                "[%s] late_rows is an operator key (the sink that receives "
                "the rows a stateful operator drops as late)",
                sec->name);
  if (le && !(d->flags & WEIR_PLUGIN_STATEFUL))
    return fail(err, errlen, q, le->line,
                "[%s] late_rows: plugin '%s' is not stateful and drops no late "
                "rows",
                sec->name, d->name);
  if (le && !(nd->late_name = strdup(le->value)))
    return WEIR_ERR_NOMEM;
  if (le)
    nd->input_line = nd->input_line ? nd->input_line : le->line;
  static const char *const reserved[] = {"plugin", "input", "late_rows", NULL};
  return options_fill(d->options, nd->config, sec, q->file, reserved,
                      &nd->owned, err, errlen);
}

static int wire_late(query *q, char *err, size_t errlen) {
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (!nd->late_name)
      continue;
    node *to = find_node(q, nd->late_name);
    if (!to || to->kind != WEIR_KIND_SINK)
      return fail(err, errlen, q, nd->input_line,
                  "[%s] late_rows = %s: no [sink.%s] section", nd->section,
                  nd->late_name, nd->late_name);
    if (to->n_input_names || to->late_from)
      return fail(err, errlen, q, to->line,
                  "[%s] receives the late rows of [%s], so it takes no input",
                  to->section,
                  to->late_from ? to->late_from->section : nd->section);
    nd->late_sink = to;
    to->late_from = nd;
  }
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->kind == WEIR_KIND_SINK && !nd->n_input_names && !nd->late_from)
      return fail(err, errlen, q, nd->line,
                  "[%s] missing required key 'input' (the upstream node's "
                  "name; several, comma-separated, are a union)",
                  nd->section);
  }
  return WEIR_OK;
}

static int wire(query *q, char *err, size_t errlen) {
  int rc = wire_late(q, err, errlen);
  if (rc != WEIR_OK)
    return rc;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    for (size_t j = 0; j < nd->n_input_names; j++) {
      node *in = find_node(q, nd->input_names[j]);
      if (!in) {
        const char *names[256];
        size_t nn = 0;
        for (size_t k = 0; k < q->n && nn < 256; k++)
          if (q->nodes[k] != nd && q->nodes[k]->kind != WEIR_KIND_SINK)
            names[nn++] = q->nodes[k]->name;
        const char *near = weir_suggest(nd->input_names[j], names, nn);
        return fail(err, errlen, q, nd->input_line,
                    "[%s] unknown input '%s'%s%s%s", nd->section,
                    nd->input_names[j], near ? " (did you mean '" : "",
                    near ? near : "", near ? "'?)" : "");
      }
      if (in->kind == WEIR_KIND_SINK)
        return fail(err, errlen, q, nd->input_line,
                    "[%s] input '%s' is a sink; sinks have no output",
                    nd->section, in->name);
      if (in == nd)
        return fail(err, errlen, q, nd->input_line,
                    "[%s] takes its own output as input (a cycle)",
                    nd->section);
      for (size_t k = 0; k < nd->n_inputs; k++)
        if (nd->inputs[k] == in)
          return fail(err, errlen, q, nd->input_line,
                      "[%s] input '%s' is listed twice", nd->section, in->name);
      node **ins = realloc(nd->inputs, (nd->n_inputs + 1) * sizeof *ins);
      node **outs = realloc(in->outputs, (in->n_outputs + 1) * sizeof *outs);
      if (ins)
        nd->inputs = ins;
      if (outs)
        in->outputs = outs;
      if (!ins || !outs)
        return WEIR_ERR_NOMEM;
      nd->inputs[nd->n_inputs++] = in;
      in->outputs[in->n_outputs++] = nd;
    }
  }
  return WEIR_OK;
}

/* Kahn's algorithm; what is left over lies on a cycle. */
static int toposort(query *q, char *err, size_t errlen) {
  size_t n = q->n, done = 0;
  node **order = calloc(n ? n : 1, sizeof *order);
  size_t *indeg = calloc(n ? n : 1, sizeof *indeg);
  if (!order || !indeg) {
    free(order);
    free(indeg);
    return WEIR_ERR_NOMEM;
  }
  for (size_t i = 0; i < n; i++)
    indeg[i] = q->nodes[i]->n_inputs + (q->nodes[i]->late_from != NULL);
  int progress = 1;
  while (progress) {
    progress = 0;
    for (size_t i = 0; i < n; i++) {
      if (indeg[i] != 0 || q->nodes[i]->visited)
        continue;
      node *nd = q->nodes[i];
      nd->visited = 1;
      order[done++] = nd;
      progress = 1;
      for (size_t k = 0; k < nd->n_outputs; k++)
        for (size_t j = 0; j < n; j++)
          if (q->nodes[j] == nd->outputs[k])
            indeg[j]--;
      for (size_t j = 0; j < n && nd->late_sink; j++)
        if (q->nodes[j] == nd->late_sink)
          indeg[j]--;
    }
  }
  if (done < n) {
    weir_buf names = WEIR_BUF_INIT;
    int line = 0;
    for (size_t i = 0; i < n; i++)
      if (!q->nodes[i]->visited) {
        weir_buf_printf(&names, "%s[%s]", names.len ? ", " : "",
                        q->nodes[i]->section);
        if (!line)
          line = q->nodes[i]->input_line;
      }
    fail(err, errlen, q, line, "the inputs form a cycle through %s",
         names.data ? (char *)names.data : "?");
    weir_buf_free(&names);
    free(order);
    free(indeg);
    return WEIR_ERR_INVALID;
  }
  for (size_t i = 0; i < n; i++)
    order[i]->visited = 0;
  memcpy(q->nodes, order, n * sizeof *order);
  free(order);
  free(indeg);
  return WEIR_OK;
}

static void mark_reaches_sink(node *nd) {
  if (nd->visited)
    return;
  nd->visited = 1;
  for (size_t i = 0; i < nd->n_inputs; i++)
    mark_reaches_sink(nd->inputs[i]);
}

static int check_reach(query *q, char *err, size_t errlen) {
  int sinks = 0, sources = 0;
  for (size_t i = 0; i < q->n; i++) {
    sinks += q->nodes[i]->kind == WEIR_KIND_SINK;
    sources += q->nodes[i]->kind == WEIR_KIND_SOURCE;
    if (q->nodes[i]->kind == WEIR_KIND_SINK)
      mark_reaches_sink(q->nodes[i]);
  }
  if (!sources)
    return fail(err, errlen, q, 1,
                "no [source.NAME] section: a query reads at least one source");
  if (!sinks)
    return fail(err, errlen, q, 1,
                "no [sink.NAME] section: a query writes at least one sink "
                "(e.g. [sink.out] plugin = console)");
  int rc = WEIR_OK;
  for (size_t i = 0; i < q->n && rc == WEIR_OK; i++)
    if (!q->nodes[i]->visited)
      rc = fail(err, errlen, q, q->nodes[i]->line,
                "[%s] reaches no sink: its output would be lost (add it to a "
                "sink's input, or remove the section)",
                q->nodes[i]->section);
  for (size_t i = 0; i < q->n; i++)
    q->nodes[i]->visited = 0;
  return rc;
}

void node_error_message(node *nd, int rc, const char *what, char *err,
                        size_t errlen) {
  snprintf(err, errlen, "%s:%d: [%s] %s%s%s (%s)", nd->q->file, nd->line,
           nd->section, what, *what ? ": " : "",
           nd->err[0] ? nd->err : weir_err_str(rc), weir_err_name(rc));
}

static int create_all(query *q, char *err, size_t errlen) {
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    const weir_plugin *d = &nd->plugin->desc;
    if (nd->late_from)
      nd->input = nd->late_from->input;
    if (nd->n_inputs) {
      nd->input = nd->inputs[0]->output;
      for (size_t k = 1; k < nd->n_inputs; k++)
        if (!weir_schema_equal(nd->input, nd->inputs[k]->output)) {
          weir_buf a = WEIR_BUF_INIT, b = WEIR_BUF_INIT;
          weir_schema_format(nd->input, &a);
          weir_schema_format(nd->inputs[k]->output, &b);
          fail(err, errlen, q, nd->input_line,
               "[%s] the inputs of a union must have one schema: '%s' has "
               "(%s) but '%s' has (%s)",
               nd->section, nd->inputs[0]->name, a.data ? (char *)a.data : "",
               nd->inputs[k]->name, b.data ? (char *)b.data : "");
          weir_buf_free(&a);
          weir_buf_free(&b);
          return WEIR_ERR_SCHEMA;
        }
    }
    /* Arrays came with batch format 1.1 (ABI 1.1): a plugin built before
     * would meet a type it cannot know. */
    char arr[256];
    if (d->abi_minor < 1 && weir_schema_find_array(nd->input, arr, sizeof arr))
      return fail(err, errlen, q, nd->line,
                  "[%s] plugin '%s' was built for weir plugin ABI %u.%u, "
                  "which has no array type, and its input has the array "
                  "column '%s': rebuild the plugin against this SDK",
                  nd->section, d->name, d->abi_major, d->abi_minor, arr);
    weir_create_args args = {sizeof args,    nd->name,
                             nd->input,      NULL,
                             q->output_mode, q->cfg.max_batch_rows};
    nd->err[0] = '\0';
    void *self = NULL;
    int rc = d->create(&nd->ctx, nd->config, &args, &self);
    if (rc != WEIR_OK) {
      weir_schema_free(args.output);
      snprintf(err, errlen, "%s:%d: [%s] %s", q->file, nd->line, nd->section,
               nd->err[0] ? nd->err : weir_err_str(rc));
      return rc < 0 ? rc : WEIR_ERR_INVALID;
    }
    nd->self = self;
    nd->output = args.output;
    if (nd->kind != WEIR_KIND_SINK && !nd->output)
      return fail(err, errlen, q, nd->line,
                  "[%s] plugin '%s' declared no output schema (a bug in the "
                  "plugin)",
                  nd->section, d->name);
    if (d->flags & WEIR_PLUGIN_WATERMARK)
      q->has_watermark = 1;
  }
  return WEIR_OK;
}

static int check_modes(query *q, char *err, size_t errlen) {
  int has_agg = 0;
  for (size_t i = 0; i < q->n; i++)
    has_agg |= (q->nodes[i]->plugin->desc.flags & WEIR_PLUGIN_AGGREGATE) != 0;
  ini_section *qs = ini_doc_section(q->doc, "query");
  int line = qs ? qs->line : 1;
  if (qs) {
    ini_entry *e = ini_section_get(qs, "output_mode");
    if (e)
      line = e->line;
  }
  if (q->output_mode == WEIR_MODE_COMPLETE && !has_agg)
    return fail(err, errlen, q, line,
                "output_mode = complete needs an aggregation (complete mode "
                "emits the whole result table, which only an aggregation "
                "has); use append or update, or add an aggregate operator");
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    uint32_t modes = nd->plugin->desc.output_modes;
    if (nd->kind == WEIR_KIND_SINK && modes &&
        !(modes & (uint32_t)q->output_mode))
      return fail(err, errlen, q, nd->line,
                  "[%s] sink '%s' does not accept output_mode = %s%s%s%s",
                  nd->section, nd->plugin->desc.name,
                  mode_names[q->output_mode == WEIR_MODE_APPEND   ? 0
                             : q->output_mode == WEIR_MODE_UPDATE ? 1
                                                                  : 2],
                  (modes & WEIR_MODE_APPEND) ? " (it accepts append" : " (",
                  (modes & WEIR_MODE_UPDATE) ? ", update" : "",
                  (modes & WEIR_MODE_COMPLETE) ? ", complete)" : ")");
  }
  return WEIR_OK;
}

int query_load(const char *file, query **out, char *err, size_t errlen) {
  *out = NULL;
  query *q = calloc(1, sizeof *q);
  if (!q || !(q->file = strdup(file))) {
    free(q);
    snprintf(err, errlen, "%s: out of memory", file);
    return WEIR_ERR_NOMEM;
  }
  int rc = ini_doc_load(file, &q->doc, err, errlen);
  if (rc != WEIR_OK)
    goto fail;
  ini_section empty = {"query", 1, NULL, 0, 0};
  ini_section *qs = ini_doc_section(q->doc, "query");
  rc = options_fill(query_options, &q->cfg, qs ? qs : &empty, file, NULL,
                    &q->cfg_owned, err, errlen);
  if (rc != WEIR_OK)
    goto fail;
  char sub[512];
  if ((rc = trigger_parse(q->cfg.trigger, &q->trig, sub, sizeof sub)) !=
      WEIR_OK) {
    ini_entry *te = qs ? ini_section_get(qs, "trigger") : NULL;
    fail(err, errlen, q, te ? te->line : 1, "[query] %s", sub);
    goto fail;
  }
  q->output_mode = 1 << q->cfg.output_mode;
  if (!q->cfg.name) {
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char *name = strndup(base, strcspn(base, "."));
    if (!name || options_convert(&query_options[0], name, &q->cfg,
                                 &q->cfg_owned, sub, sizeof sub) != WEIR_OK) {
      free(name);
      rc = WEIR_ERR_NOMEM;
      goto fail;
    }
    free(name);
  }
  if ((rc = registry_init(&q->reg, q->cfg.plugin_path)) != WEIR_OK)
    goto fail;
  for (size_t i = 0; i < q->doc->n; i++) {
    ini_section *sec = &q->doc->sections[i];
    if (strcmp(sec->name, "query") == 0)
      continue;
    if ((rc = add_node(q, sec, err, errlen)) != WEIR_OK)
      goto fail;
  }
  if ((rc = wire(q, err, errlen)) != WEIR_OK ||
      (rc = toposort(q, err, errlen)) != WEIR_OK ||
      (rc = check_reach(q, err, errlen)) != WEIR_OK ||
      (rc = create_all(q, err, errlen)) != WEIR_OK ||
      (rc = check_modes(q, err, errlen)) != WEIR_OK)
    goto fail;
  *out = q;
  return WEIR_OK;
fail:
  if (rc == WEIR_ERR_NOMEM && !err[0])
    snprintf(err, errlen, "%s: out of memory", file);
  query_free(q);
  return rc;
}

void query_free(query *q) {
  if (!q)
    return;
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    if (nd->self && nd->plugin)
      nd->plugin->desc.destroy(nd->self);
    weir_schema_free(nd->output);
    for (size_t j = 0; j < nd->nstores; j++)
      store_free(nd->stores[j]);
    free(nd->stores);
    opt_owned_free(&nd->owned);
    free(nd->config);
    for (size_t j = 0; j < nd->n_input_names; j++)
      free(nd->input_names[j]);
    free(nd->input_names);
    free(nd->late_name);
    free(nd->inputs);
    free(nd->outputs);
    weir_buf_free(&nd->start);
    weir_buf_free(&nd->end);
    free(nd->name);
    free(nd->section);
    free(nd);
  }
  free(q->nodes);
  registry_free(&q->reg);
  opt_owned_free(&q->cfg_owned);
  ini_doc_free(q->doc);
  if (q->progress && q->progress != stdout && q->progress != stderr)
    fclose(q->progress);
  free(q->file);
  free(q);
}
