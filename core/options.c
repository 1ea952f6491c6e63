/* options.c — the options table is the single source of truth for a
 * plugin's configuration: this module validates every INI key against it,
 * converts values into the plugin's config struct, and prints it as help. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "weir/json.h"
#include "weir/units.h"

static int own(opt_owned *o, void *p) {
  if (!p)
    return WEIR_ERR_NOMEM;
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 16;
    void **n = realloc(o->ptrs, cap * sizeof *n);
    if (!n) {
      free(p);
      return WEIR_ERR_NOMEM;
    }
    o->ptrs = n;
    o->cap = cap;
  }
  o->ptrs[o->n++] = p;
  return WEIR_OK;
}

static int own_schema(opt_owned *o, weir_schema *s) {
  if (o->ns == o->nscap) {
    size_t cap = o->nscap ? o->nscap * 2 : 4;
    weir_schema **n = realloc(o->schemas, cap * sizeof *n);
    if (!n) {
      weir_schema_free(s);
      return WEIR_ERR_NOMEM;
    }
    o->schemas = n;
    o->nscap = cap;
  }
  o->schemas[o->ns++] = s;
  return WEIR_OK;
}

void opt_owned_free(opt_owned *o) {
  for (size_t i = 0; i < o->n; i++)
    free(o->ptrs[i]);
  for (size_t i = 0; i < o->ns; i++)
    weir_schema_free(o->schemas[i]);
  free(o->ptrs);
  free(o->schemas);
  memset(o, 0, sizeof *o);
}

const char *options_type_name(weir_opt_type t) {
  switch (t) {
  case WEIR_OPT_INT: return "int";
  case WEIR_OPT_FLOAT: return "float";
  case WEIR_OPT_BOOL: return "bool";
  case WEIR_OPT_DURATION: return "duration";
  case WEIR_OPT_SIZE: return "size";
  case WEIR_OPT_STRING: return "string";
  case WEIR_OPT_LIST: return "list";
  case WEIR_OPT_ENUM: return "enum";
  case WEIR_OPT_SCHEMA: return "schema";
  case WEIR_OPT_PREFIX: return "prefix";
  case WEIR_OPT_TIMESTAMP: return "timestamp";
  }
  return "?";
}

static char *dup_trim(const char *s, size_t n) {
  while (n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

static int range_check(const weir_option *opt, double v, const char *text,
                       char *err, size_t errlen) {
  if (opt->min < opt->max && (v < opt->min || v > opt->max)) {
    snprintf(err, errlen, "'%s' is out of range for %s (%g to %g)", text,
             opt->key, opt->min, opt->max);
    return WEIR_ERR_INVALID;
  }
  return WEIR_OK;
}

static int convert_list(const weir_option *opt, const char *text, void *slot,
                        opt_owned *owned) {
  size_t n = 0, cap = 4;
  const char **items = malloc(cap * sizeof *items);
  if (own(owned, (void *)items) != WEIR_OK)
    return WEIR_ERR_NOMEM;
  const char *p = text;
  while (*text) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    char *item = dup_trim(p, len);
    if (own(owned, item) != WEIR_OK)
      return WEIR_ERR_NOMEM;
    if (n + 1 >= cap) {
      const char **grown = malloc(cap * 2 * sizeof *grown);
      if (own(owned, (void *)grown) != WEIR_OK)
        return WEIR_ERR_NOMEM;
      memcpy(grown, items, n * sizeof *items);
      items = grown;
      cap *= 2;
    }
    if (*item)
      items[n++] = item;
    if (!comma)
      break;
    p = comma + 1;
  }
  (void)opt;
  weir_list l = {n, items};
  memcpy(slot, &l, sizeof l);
  return WEIR_OK;
}

int options_convert(const weir_option *opt, const char *text, void *config,
                    opt_owned *owned, char *err, size_t errlen) {
  void *slot = (char *)config + opt->offset;
  char sub[256];
  switch (opt->type) {
  case WEIR_OPT_INT: {
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    while (isspace((unsigned char)*end))
      end++;
    if (errno || end == text || *end) {
      snprintf(err, errlen, "%s: expected an integer, found '%s'", opt->key,
               text);
      return WEIR_ERR_INVALID;
    }
    int64_t i = v;
    memcpy(slot, &i, sizeof i);
    return range_check(opt, (double)v, text, err, errlen);
  }
  case WEIR_OPT_FLOAT: {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    while (isspace((unsigned char)*end))
      end++;
    if (errno || end == text || *end || !isfinite(v)) {
      snprintf(err, errlen, "%s: expected a number, found '%s'", opt->key,
               text);
      return WEIR_ERR_INVALID;
    }
    memcpy(slot, &v, sizeof v);
    return range_check(opt, v, text, err, errlen);
  }
  case WEIR_OPT_BOOL: {
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
      if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
        int v = strcasecmp(text, yes[i]) == 0;
        memcpy(slot, &v, sizeof v);
        return WEIR_OK;
      }
    }
    snprintf(err, errlen, "%s: expected true or false, found '%s'", opt->key,
             text);
    return WEIR_ERR_INVALID;
  }
  case WEIR_OPT_DURATION:
  case WEIR_OPT_SIZE:
  case WEIR_OPT_TIMESTAMP: {
    int64_t v = 0;
    int rc;
    if (opt->type == WEIR_OPT_DURATION)
      rc = weir_parse_duration(text, &v, sub, sizeof sub);
    else if (opt->type == WEIR_OPT_SIZE)
      rc = weir_parse_size(text, &v, sub, sizeof sub);
    else {
      rc = weir_parse_timestamp(text, strlen(text), &v);
      snprintf(sub, sizeof sub,
               "expected an ISO-8601 timestamp such as "
               "2026-01-01T00:00:00Z");
    }
    if (rc != WEIR_OK) {
      snprintf(err, errlen, "%s: bad %s '%s': %s", opt->key,
               options_type_name(opt->type), text, sub);
      return WEIR_ERR_INVALID;
    }
    memcpy(slot, &v, sizeof v);
    if (opt->type == WEIR_OPT_TIMESTAMP)
      return WEIR_OK;
    /* Ranges of durations are written in seconds, of sizes in bytes. */
    double scaled =
        opt->type == WEIR_OPT_DURATION ? (double)v / 1e6 : (double)v;
    return range_check(opt, scaled, text, err, errlen);
  }
  case WEIR_OPT_STRING: {
    char *s = strdup(text);
    if (own(owned, s) != WEIR_OK)
      return WEIR_ERR_NOMEM;
    memcpy(slot, &s, sizeof s);
    return WEIR_OK;
  }
  case WEIR_OPT_LIST: return convert_list(opt, text, slot, owned);
  case WEIR_OPT_ENUM: {
    for (int i = 0; opt->choices && opt->choices[i]; i++)
      if (strcasecmp(text, opt->choices[i]) == 0) {
        memcpy(slot, &i, sizeof i);
        return WEIR_OK;
      }
    weir_buf b = WEIR_BUF_INIT;
    for (int i = 0; opt->choices && opt->choices[i]; i++)
      weir_buf_printf(&b, "%s%s", i ? ", " : "", opt->choices[i]);
    snprintf(err, errlen, "%s: '%s' is not one of: %s", opt->key, text,
             b.data ? (char *)b.data : "");
    weir_buf_free(&b);
    return WEIR_ERR_INVALID;
  }
  case WEIR_OPT_SCHEMA: {
    weir_schema *s = NULL;
    if (weir_schema_parse(text, &s, sub, sizeof sub) != WEIR_OK) {
      snprintf(err, errlen, "%s: bad schema: %s", opt->key, sub);
      return WEIR_ERR_INVALID;
    }
    if (own_schema(owned, s) != WEIR_OK)
      return WEIR_ERR_NOMEM;
    memcpy(slot, &s, sizeof s);
    return WEIR_OK;
  }
  case WEIR_OPT_PREFIX: break;
  }
  snprintf(err, errlen, "%s: option type %d not convertible", opt->key,
           (int)opt->type);
  return WEIR_ERR_INTERNAL;
}

static int is_reserved(const char *key, const char *const *reserved) {
  for (size_t i = 0; reserved && reserved[i]; i++)
    if (strcmp(key, reserved[i]) == 0)
      return 1;
  return 0;
}

static int fill_prefix(const weir_option *opt, void *config, ini_section *sec,
                       opt_owned *owned) {
  size_t plen = strlen(opt->key), n = 0;
  for (size_t i = 0; i < sec->n; i++)
    n += strncmp(sec->entries[i].key, opt->key, plen) == 0;
  weir_kv *items = calloc(n ? n : 1, sizeof *items);
  if (own(owned, items) != WEIR_OK)
    return WEIR_ERR_NOMEM;
  n = 0;
  for (size_t i = 0; i < sec->n; i++) {
    ini_entry *e = &sec->entries[i];
    if (strncmp(e->key, opt->key, plen) != 0)
      continue;
    e->used = 1;
    char *k = strdup(e->key + plen), *v = strdup(e->value);
    if (own(owned, k) != WEIR_OK || own(owned, v) != WEIR_OK)
      return WEIR_ERR_NOMEM;
    items[n].key = k;
    items[n].value = v;
    n++;
  }
  weir_kv_list l = {n, items};
  memcpy((char *)config + opt->offset, &l, sizeof l);
  return WEIR_OK;
}

int options_fill(const weir_option *table, void *config, ini_section *sec,
                 const char *file, const char *const *reserved,
                 opt_owned *owned, char *err, size_t errlen) {
  char sub[512];
  size_t nopt = 0;
  for (const weir_option *o = table; o && o->key; o++)
    nopt++;
  /* Unknown keys first: a misspelling is the likeliest mistake. */
  for (size_t i = 0; i < sec->n; i++) {
    ini_entry *e = &sec->entries[i];
    if (is_reserved(e->key, reserved))
      continue;
    int known = 0;
    for (size_t j = 0; j < nopt && !known; j++) {
      const weir_option *o = &table[j];
      known = o->type == WEIR_OPT_PREFIX
                  ? strncmp(e->key, o->key, strlen(o->key)) == 0
                  : strcmp(e->key, o->key) == 0;
    }
    if (known)
      continue;
    const char *cands[128];
    size_t nc = 0;
    for (size_t j = 0; j < nopt && nc < 120; j++)
      cands[nc++] = table[j].key;
    for (size_t j = 0; reserved && reserved[j] && nc < 128; j++)
      cands[nc++] = reserved[j];
    const char *near = weir_suggest(e->key, cands, nc);
    if (near)
      snprintf(err, errlen, "%s:%d: [%s] unknown key '%s' (did you mean '%s'?)",
               file, e->line, sec->name, e->key, near);
    else
      snprintf(err, errlen, "%s:%d: [%s] unknown key '%s'", file, e->line,
               sec->name, e->key);
    return WEIR_ERR_INVALID;
  }
  for (size_t j = 0; j < nopt; j++) {
    const weir_option *o = &table[j];
    if (o->type == WEIR_OPT_PREFIX) {
      if (fill_prefix(o, config, sec, owned) != WEIR_OK)
        goto nomem;
      continue;
    }
    ini_entry *e = NULL;
    for (size_t i = 0; i < sec->n && !e; i++)
      if (strcmp(sec->entries[i].key, o->key) == 0)
        e = &sec->entries[i];
    if (e) {
      e->used = 1;
      int rc = options_convert(o, e->value, config, owned, sub, sizeof sub);
      if (rc != WEIR_OK) {
        snprintf(err, errlen, "%s:%d: [%s] %s", file, e->line, sec->name, sub);
        return rc;
      }
    } else if (o->required & WEIR_OPT_REQUIRED) {
      snprintf(err, errlen, "%s:%d: [%s] missing required key '%s' (%s)", file,
               sec->line, sec->name, o->key, o->help ? o->help : "");
      return WEIR_ERR_INVALID;
    } else if (o->default_value) {
      int rc =
          options_convert(o, o->default_value, config, owned, sub, sizeof sub);
      if (rc != WEIR_OK) {
        snprintf(err, errlen, "%s:%d: [%s] bad default of the plugin: %s", file,
                 sec->line, sec->name, sub);
        return WEIR_ERR_INTERNAL;
      }
    }
  }
  return WEIR_OK;
nomem:
  snprintf(err, errlen, "%s: out of memory", file);
  return WEIR_ERR_NOMEM;
}

static void print_range(FILE *f, const weir_option *o) {
  if (!(o->min < o->max))
    return;
  if (o->max >= 9e18) /* "no upper bound" written as INT64_MAX */
    fprintf(f, ", at least %.15g", o->min);
  else
    fprintf(f, ", %.15g to %.15g", o->min, o->max);
}

void options_print(FILE *f, const weir_option *table) {
  size_t w = 4;
  for (const weir_option *o = table; o && o->key; o++)
    if (strlen(o->key) + (o->type == WEIR_OPT_PREFIX) > w)
      w = strlen(o->key) + (o->type == WEIR_OPT_PREFIX);
  for (const weir_option *o = table; o && o->key; o++) {
    char key[160];
    snprintf(key, sizeof key, "%s%s", o->key,
             o->type == WEIR_OPT_PREFIX ? "*" : "");
    fprintf(f, "  %-*s  %s\n", (int)w, key, o->help ? o->help : "");
    fprintf(f, "  %-*s  (%s", (int)w, "", options_type_name(o->type));
    if (o->type == WEIR_OPT_ENUM) {
      fputs(": ", f);
      for (int i = 0; o->choices && o->choices[i]; i++)
        fprintf(f, "%s%s", i ? " | " : "", o->choices[i]);
    }
    print_range(f, o);
    if (o->required & WEIR_OPT_REQUIRED)
      fputs(", required", f);
    else if (o->default_value)
      fprintf(f, ", default %s", o->default_value);
    fputs(")\n", f);
  }
}

static void json_str(weir_buf *b, const char *s) {
  if (s)
    weir_json_string(b, s, strlen(s));
  else
    weir_buf_lit(b, "null");
}

void options_print_json(FILE *f, const weir_option *table) {
  weir_buf b = WEIR_BUF_INIT;
  weir_buf_lit(&b, "[");
  for (const weir_option *o = table; o && o->key; o++) {
    if (o != table)
      weir_buf_lit(&b, ",");
    weir_buf_lit(&b, "{\"key\":");
    json_str(&b, o->key);
    weir_buf_printf(
        &b, ",\"type\":\"%s\",\"required\":%s,\"state\":%s,\"default\":",
        options_type_name(o->type),
        (o->required & WEIR_OPT_REQUIRED) ? "true" : "false",
        (o->required & WEIR_OPT_STATE) ? "true" : "false");
    json_str(&b, o->default_value);
    if (o->min < o->max)
      weir_buf_printf(&b, ",\"min\":%.17g,\"max\":%.17g", o->min, o->max);
    if (o->choices) {
      weir_buf_lit(&b, ",\"choices\":[");
      for (int i = 0; o->choices[i]; i++) {
        if (i)
          weir_buf_lit(&b, ",");
        json_str(&b, o->choices[i]);
      }
      weir_buf_lit(&b, "]");
    }
    weir_buf_lit(&b, ",\"help\":");
    json_str(&b, o->help);
    weir_buf_lit(&b, "}");
  }
  weir_buf_lit(&b, "]");
  fwrite(b.data, 1, b.len, f);
  weir_buf_free(&b);
}
