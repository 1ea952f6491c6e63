/* describe.c — showing a loaded query to a person: each node's output
 * schema in Spark's printSchema() form (weir validate) and the topology as
 * Graphviz DOT (weir graph). */
#include <string.h>

#include "query.h"

/* printSchema() uses typeName: long, not bigint. */
static const char *tree_type(weir_type t) {
  switch (t) {
  case WEIR_T_NULL: return "void";
  case WEIR_T_BOOL: return "boolean";
  case WEIR_T_INT: return "long";
  case WEIR_T_FLOAT: return "double";
  case WEIR_T_STRING: return "string";
  case WEIR_T_BINARY: return "binary";
  case WEIR_T_TIMESTAMP: return "timestamp";
  case WEIR_T_STRUCT: return "struct";
  case WEIR_T_ARRAY: return "array";
  }
  return "?";
}

static void print_tree(FILE *f, const weir_schema *s, int depth) {
  for (size_t i = 0; i < s->n; i++) {
    const weir_field *fl = &s->fields[i];
    fputs(" ", f);
    for (int d = 0; d < depth; d++)
      fputs("|    ", f);
    fprintf(f, "|-- %s: %s (nullable = %s)\n", fl->name, tree_type(fl->type),
            fl->nullable ? "true" : "false");
    if (fl->type == WEIR_T_STRUCT && fl->fields)
      print_tree(f, fl->fields, depth + 1);
    const weir_field *el = weir_field_element(fl);
    if (el) { /* printSchema: the element one level down, with containsNull */
      fputs(" ", f);
      for (int d = 0; d <= depth; d++)
        fputs("|    ", f);
      fprintf(f, "|-- element: %s (containsNull = %s)\n", tree_type(el->type),
              el->nullable ? "true" : "false");
    }
  }
}

void query_print_schemas(query *q, FILE *f) {
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    fprintf(f, "[%s] plugin %s", nd->section, nd->plugin->desc.name);
    if (nd->n_inputs) {
      fputs(", input ", f);
      for (size_t k = 0; k < nd->n_inputs; k++)
        fprintf(f, "%s%s", k ? ", " : "", nd->inputs[k]->name);
    }
    fputc('\n', f);
    if (nd->output) {
      fputs("root\n", f);
      print_tree(f, nd->output, 0);
    }
    fputc('\n', f);
  }
}

static void dot_id(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

void query_print_dot(query *q, FILE *f) {
  static const char *const shapes[] = {"", "invhouse", "box", "house"};
  fputs("digraph ", f);
  dot_id(f, q->cfg.name);
  fputs(" {\n  rankdir=LR;\n", f);
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    fputs("  ", f);
    dot_id(f, nd->name);
    fprintf(f, " [shape=%s, label=\"%s\\n(%s)\"];\n", shapes[nd->kind],
            nd->name, nd->plugin->desc.name);
  }
  for (size_t i = 0; i < q->n; i++) {
    node *nd = q->nodes[i];
    for (size_t k = 0; k < nd->n_inputs; k++) {
      fputs("  ", f);
      dot_id(f, nd->inputs[k]->name);
      fputs(" -> ", f);
      dot_id(f, nd->name);
      fputs(";\n", f);
    }
  }
  fputs("}\n", f);
}
