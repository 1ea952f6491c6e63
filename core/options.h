/* options.h — applying an options table (weir/plugin.h) to an INI section:
 * validation, conversion, defaults, ranges; and printing it as help. */
#ifndef WEIR_CORE_OPTIONS_H
#define WEIR_CORE_OPTIONS_H

#include <stdio.h>

#include "ini.h"
#include "weir/plugin.h"

/* What a filled config owns (strings, lists, schemas); freed together. */
typedef struct opt_owned {
  void **ptrs;
  size_t n, cap;
  weir_schema **schemas;
  size_t ns, nscap;
} opt_owned;

/* Fills `config` (zeroed, the table's config size) from section `sec` of
 * file `file`, skipping the keys in `reserved` (NULL-terminated). Every key
 * of the section must be in the table (or reserved): an unknown key is an
 * error naming file, line and the closest known key. Defaults are applied,
 * types converted, ranges and choices checked, required keys enforced.
 * Returns WEIR_OK or an error with "FILE:LINE: [section] ..." in err.
 * Memory the config points to is recorded in `owned`. */
int options_fill(const weir_option *table, void *config, ini_section *sec,
                 const char *file, const char *const *reserved,
                 opt_owned *owned, char *err, size_t errlen);

void opt_owned_free(opt_owned *o);

/* Converts one value; used by options_fill and by tests. */
int options_convert(const weir_option *opt, const char *text, void *config,
                    opt_owned *owned, char *err, size_t errlen);

/* Prints the table as human help (weir plugins NAME). */
void options_print(FILE *f, const weir_option *table);
/* Prints the table as a JSON array. */
void options_print_json(FILE *f, const weir_option *table);

const char *options_type_name(weir_opt_type t);

#endif
