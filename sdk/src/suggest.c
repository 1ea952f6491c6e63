/* suggest.c — "did you mean" for misspelt keys, columns and plugin names:
 * the closest candidate by Levenshtein distance, bounded so that unrelated
 * words are not suggested. */
#include <ctype.h>
#include <string.h>

#include "weir/batch.h"

#define MAX_WORD 64

static int same(char a, char b) {
  return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* Optimal string alignment distance: Levenshtein plus transpositions, the
 * commonest typo ("rnu" for "run"). Case differences cost nothing. */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  size_t d[MAX_WORD + 1][MAX_WORD + 1];
  if (la > MAX_WORD || lb > MAX_WORD)
    return (size_t)-1;
  for (size_t i = 0; i <= la; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t best = d[i - 1][j - 1] + !same(a[i - 1], b[j - 1]);
      if (d[i - 1][j] + 1 < best)
        best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best)
        best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) &&
          same(a[i - 2], b[j - 1]) && d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[la][lb];
}

const char *weir_suggest(const char *word, const char *const *cands, size_t n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1, wl = strlen(word);
  /* Short words tolerate fewer edits, or everything would match (DATE
   * would suggest BYTE). */
  size_t limit = wl <= 4 ? 1 : wl <= 8 ? 2 : 3;
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
