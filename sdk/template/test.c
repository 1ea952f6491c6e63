/* test.c — myplugin's tests, run without a topology by the SDK's harness
 * (weir/testing.h): push JSON lines through the operator, compare the rows
 * it emits. `make test` builds and runs it. */
#include <stdio.h>
#include <string.h>

#include <weir/testing.h>

#include "plugin.h"

const weir_plugin *weir_plugin_entry(void);

static int failures;

static void expect(const char *what, const char *got, const char *want) {
  if (strcmp(got, want) == 0) {
    printf("ok %s\n", what);
    return;
  }
  printf("not ok %s\n  got:  %s\n  want: %s\n", what, got, want);
  failures++;
}

int main(void) {
  weir_test *t = weir_test_new(weir_plugin_entry());
  myplugin_config cfg = {.column = "name"};
  if (!t || weir_test_input(t, "name STRING, n BIGINT", NULL) != WEIR_OK ||
      weir_test_create(t, &cfg) != WEIR_OK) {
    printf("not ok create: %s\n", t ? weir_test_error(t) : "out of memory");
    return 1;
  }
  if (weir_test_epoch(t, "{\"name\":\"a\",\"n\":1}\n{\"n\":2}\n"
                         "{\"name\":\"c\",\"n\":3}") != WEIR_OK)
    printf("not ok epoch: %s\n", weir_test_error(t)), failures++;
  expect("rows with a null name are dropped", weir_test_output(t),
         "{\"name\":\"a\",\"n\":1}\n{\"name\":\"c\",\"n\":3}\n");
  weir_test_free(t);

  /* A misspelt column is refused at load time, with a suggestion. */
  t = weir_test_new(weir_plugin_entry());
  myplugin_config typo = {.column = "nmae"};
  weir_test_input(t, "name STRING, n BIGINT", NULL);
  weir_test_create(t, &typo);
  expect("a misspelt column is refused", weir_test_error(t),
         "column: unknown column 'nmae' (did you mean 'name'?)");
  weir_test_free(t);
  return failures != 0;
}
