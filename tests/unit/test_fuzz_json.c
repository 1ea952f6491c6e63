/* test_fuzz_json.c — runs the JSON parser's fuzz target (tests/fuzz/
 * fuzz_json.c, its standalone driver) in `make test`: every corpus file and
 * line, then a fixed, deterministic series of mutants of them. A broken
 * invariant aborts (a crash here); under SAN=1, so does any read past an
 * input. Bounded: a second or two. `make fuzz` runs the same target under
 * libFuzzer for longer. */
#define WEIR_FUZZ_NO_MAIN
#include "../fuzz/fuzz_json.c"

#include <criterion/criterion.h>

#if defined(__SANITIZE_ADDRESS__)
#define MUTANTS 100000
#else
#define MUTANTS 300000
#endif

Test(fuzz_json, corpus_and_mutants, .timeout = 120) {
  long n = fuzz_json_run_dir("tests/fuzz/corpus/json");
  cr_assert_geq(n, 10, "the corpus (run from the top folder): %ld files", n);
  cr_assert_eq(fuzz_json_run_mutations(1, MUTANTS), MUTANTS);
}

Test(fuzz_json, builtin_seeds_with_another_seed) {
  cr_assert_eq(fuzz_json_run_mutations(20260101, 50000), 50000);
}
