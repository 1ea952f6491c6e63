/* test_ini.c — the INI reader: line numbers, continuations, comments,
 * ${VAR}, and every syntax error with its line. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "weir/error.h"

static char err[1024];

Test(ini, sections_keys_lines) {
  ini_doc *d;
  const char *text = "; a comment\n"
                     "[query]\n"
                     "name = x   ; inline comment\n"
                     "\n"
                     "# another comment\n"
                     "[source.a]\n"
                     "plugin = rate\n"
                     "list = a,\n"
                     "  b, c\n";
  cr_assert_eq(ini_doc_parse("t.ini", text, &d, err, sizeof err), WEIR_OK, "%s",
               err);
  cr_assert_eq(d->n, 2);
  cr_assert_str_eq(d->sections[0].name, "query");
  cr_assert_eq(d->sections[0].line, 2);
  cr_assert_str_eq(d->sections[0].entries[0].value, "x");
  cr_assert_eq(d->sections[0].entries[0].line, 3);
  ini_section *s = ini_doc_section(d, "source.a");
  cr_assert_eq(s->line, 6);
  ini_entry *e = ini_section_get(s, "list");
  cr_assert_str_eq(e->value, "a, b, c");
  cr_assert_eq(e->used, 1);
  cr_assert_null(ini_section_get(s, "nope"));
  ini_doc_free(d);
}

Test(ini, empty_section_is_kept) {
  ini_doc *d;
  cr_assert_eq(
      ini_doc_parse("t.ini", "[query]\n[sink.x]\n", &d, err, sizeof err),
      WEIR_OK);
  cr_assert_eq(d->n, 2);
  cr_assert_eq(d->sections[1].n, 0);
  cr_assert_eq(d->sections[1].line, 2);
  ini_doc_free(d);
}

Test(ini, env_vars) {
  ini_doc *d;
  setenv("WEIR_INI_T", "hello", 1);
  cr_assert_eq(ini_doc_parse("t.ini",
                             "[a.b]\nk = <${WEIR_INI_T}>/${WEIR_INI_T}\n", &d,
                             err, sizeof err),
               WEIR_OK, "%s", err);
  cr_assert_str_eq(d->sections[0].entries[0].value, "<hello>/hello");
  ini_doc_free(d);
  cr_assert_eq(
      ini_doc_parse("t.ini", "[a.b]\nk = ${oops\n", &d, err, sizeof err),
      WEIR_ERR_INVALID);
  cr_assert_str_eq(err, "t.ini:2: malformed ${VAR} in value '${oops'");
}

Test(ini, errors_with_lines) {
  ini_doc *d;
  cr_assert_eq(ini_doc_parse("t.ini", "k = v\n", &d, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert_str_eq(err, "t.ini:1: key 'k' outside of any [section]");
  cr_assert_eq(ini_doc_parse("t.ini", "[a]\n\n[b\n", &d, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert_str_eq(
      err, "t.ini:3: malformed line (expected [section] or key = value)");
  cr_assert_eq(
      ini_doc_parse("t.ini", "[a]\nk = 1\nk = 2\n", &d, err, sizeof err),
      WEIR_ERR_INVALID);
  cr_assert_str_eq(err, "t.ini:3: duplicate key 'k' (first at line 2)");
}

Test(ini, long_line_is_an_error_not_a_split) {
  ini_doc *d;
  size_t n = 5000;
  char *text = malloc(n + 32);
  strcpy(text, "[a]\nk = ");
  memset(text + 8, 'x', n);
  strcpy(text + 8 + n, "\n");
  cr_assert_eq(ini_doc_parse("t.ini", text, &d, err, sizeof err),
               WEIR_ERR_INVALID);
  cr_assert_str_eq(err, "t.ini:2: line too long (limit 4096 characters)");
  free(text);
}

Test(ini, missing_file) {
  ini_doc *d;
  cr_assert_eq(ini_doc_load("/nonexistent/x.ini", &d, err, sizeof err),
               WEIR_ERR_IO);
  cr_assert_str_eq(
      err, "/nonexistent/x.ini: cannot open: No such file or directory");
}
