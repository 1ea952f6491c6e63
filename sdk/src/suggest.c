/* suggest.c — "did you mean" for misspelt keys, columns and plugin names:
 * the closest candidate by Levenshtein distance, bounded so that unrelated
 * words are not suggested. */
#include <ctype.h>
#include <string.h>

#include "weir/batch.h"

#define MAX_WORD 64

static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), row[MAX_WORD + 1];
  if (la > MAX_WORD || lb > MAX_WORD)
    return (size_t)-1;
  for (size_t j = 0; j <= lb; j++)
    row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = tolower((unsigned char)a[i - 1]) ==
                            tolower((unsigned char)b[j - 1])
                        ? 0
                        : 1;
      size_t best = diag + cost;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      if (up + 1 < best)
        best = up + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

const char *weir_suggest(const char *word, const char *const *cands,
                         size_t n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1, wl = strlen(word);
  /* Short words tolerate fewer edits, or everything would match. */
  size_t limit = wl <= 3 ? 1 : wl <= 6 ? 2 : 3;
  for (size_t i = 0; i < n; i++) {
    if (!cands[i])
      continue;
    size_t d = edit_distance(word, cands[i]);
    if (d < best_d) {
      best_d = d;
      best = cands[i];
    }
  }
  return best_d <= limit ? best : NULL;
}
