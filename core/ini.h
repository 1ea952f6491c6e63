/* ini.h — reading a topology file into sections of key = value entries,
 * each with its line number (inih does the parsing; we count lines). */
#ifndef WEIR_CORE_INI_H
#define WEIR_CORE_INI_H

#include <stddef.h>

typedef struct ini_entry {
  char *key;
  char *value; /* ${VAR} already expanded */
  int line;
  int used; /* set by whoever consumed the key */
} ini_entry;

typedef struct ini_section {
  char *name; /* "source.raw" */
  int line;   /* line of the [header] */
  ini_entry *entries;
  size_t n, cap;
} ini_section;

typedef struct ini_doc {
  char *file;
  ini_section *sections;
  size_t n, cap;
} ini_doc;

/* Reads and parses `path`. On success *out is a new document (free with
 * ini_doc_free). On failure returns a weir_err and writes
 * "FILE:LINE: what is wrong" into err. Duplicate sections and duplicate keys
 * are errors; an indented line right after a key continues its value. */
int ini_doc_load(const char *path, ini_doc **out, char *err, size_t errlen);

/* Same, from a string (for tests); `name` is used in messages. */
int ini_doc_parse(const char *name, const char *text, ini_doc **out, char *err,
                  size_t errlen);

void ini_doc_free(ini_doc *d);

/* The section called `name`, or NULL. */
ini_section *ini_doc_section(ini_doc *d, const char *name);
/* The entry `key` of a section, or NULL. Marks it used. */
ini_entry *ini_section_get(ini_section *s, const char *key);

#endif
