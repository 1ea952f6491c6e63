/* gen_events.c — writes a large JSON lines file of events quickly, for the
 * bounded-memory test (tests/e2e/file_large.sh), and prints how many events
 * of each type it wrote, so the test can compare weir's counts exactly.
 *
 *   gen_events [--gzip] BYTES PATH
 *
 * Lines look like the seed's events:
 *   {"event_type":"click","user_id":"u42","timestamp":"2026-01-01T12:00:05.120Z"}
 * One block of about 8 MiB of such lines (10 event types, pseudo-random
 * users and times) is formatted once and written again and again until the
 * file holds at least BYTES bytes of lines: gigabytes take seconds, not
 * minutes (formatting every line would dominate the test, above all under
 * the sanitizers). With --gzip the block is compressed once, as one gzip
 * member, and that member is written repeatedly: concatenated members are
 * one valid gzip stream (as `cat a.gz b.gz` gives), whose text is BYTES or
 * more of lines, while the compressed file stays small.
 *
 * stdout: one "TYPE COUNT" line per event type, sorted by type (bytewise);
 * stderr: the number of lines and bytes of text written. Exit 1 on error. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define BLOCK_BYTES (8u << 20)
#define NTYPES 10

/* Sorted bytewise, so the counts print in order. */
static const char *const types[NTYPES] = {
    "add_to_cart", "click",  "login", "logout", "purchase",
    "scroll",      "search", "share", "signup", "view"};

/* Formats lines into buf until the next would not fit; counts per type. */
static size_t make_block(char *buf, size_t cap, uint64_t *counts,
                         uint64_t *lines) {
  const int64_t base = INT64_C(1767225600); /* 2026-01-01T00:00:00Z */
  uint64_t x = 0x2545F4914F6CDD1Dull;
  size_t len = 0;
  for (uint64_t i = 0;; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    unsigned t = (unsigned)((x >> 20) % NTYPES);
    int64_t ms = (int64_t)i * 37 + (int64_t)(x % 5000);
    time_t sec = (time_t)(base + ms / 1000);
    struct tm tm;
    char date[24];
    gmtime_r(&sec, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    char line[160];
    int n = snprintf(line, sizeof line,
                     "{\"event_type\":\"%s\",\"user_id\":\"u%u\",\"timestamp\":"
                     "\"%s.%03dZ\"}\n",
                     types[t], (unsigned)((x >> 32) % 1000000), date,
                     (int)(ms % 1000));
    if (n < 0 || (size_t)n >= sizeof line || len + (size_t)n > cap)
      break;
    memcpy(buf + len, line, (size_t)n);
    len += (size_t)n;
    counts[t]++;
    (*lines)++;
  }
  return len;
}

/* The block as one complete gzip member, in a new buffer (*out). */
static int gzip_block(const char *in, size_t len, unsigned char **out,
                      size_t *outlen) {
  z_stream z;
  memset(&z, 0, sizeof z);
  /* windowBits 15 + 16: a gzip header and trailer, not a zlib one. */
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  uLong cap = deflateBound(&z, (uLong)len);
  unsigned char *buf = malloc(cap);
  if (!buf) {
    deflateEnd(&z);
    return -1;
  }
  z.next_in = (Bytef *)(uintptr_t)in;
  z.avail_in = (uInt)len;
  z.next_out = buf;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  *outlen = cap - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(buf);
    return -1;
  }
  *out = buf;
  return 0;
}

int main(int argc, char **argv) {
  int gz = argc > 1 && strcmp(argv[1], "--gzip") == 0;
  if (argc != 3 + gz) {
    fprintf(stderr, "usage: gen_events [--gzip] BYTES PATH\n");
    return 2;
  }
  char *end;
  errno = 0;
  unsigned long long want = strtoull(argv[1 + gz], &end, 10);
  if (errno || *end || want == 0) {
    fprintf(stderr, "gen_events: BYTES must be a positive integer\n");
    return 2;
  }
  const char *path = argv[2 + gz];
  char *block = malloc(BLOCK_BYTES);
  uint64_t bc[NTYPES] = {0}, blines = 0;
  if (!block) {
    fprintf(stderr, "gen_events: out of memory\n");
    return 1;
  }
  size_t blen = make_block(block, BLOCK_BYTES, bc, &blines);
  const void *chunk = block;
  size_t clen = blen;
  unsigned char *z = NULL;
  if (gz && gzip_block(block, blen, &z, &clen) != 0) {
    fprintf(stderr, "gen_events: compressing failed\n");
    free(block);
    return 1;
  }
  if (gz)
    chunk = z;
  uint64_t reps = (want + blen - 1) / blen;
  FILE *f = fopen(path, "wb");
  int ok = f != NULL;
  for (uint64_t r = 0; ok && r < reps; r++)
    ok = fwrite(chunk, 1, clen, f) == clen;
  if (f && fclose(f) != 0)
    ok = 0;
  free(block);
  free(z);
  if (!ok) {
    fprintf(stderr, "gen_events: writing %s: %s\n", path, strerror(errno));
    return 1;
  }
  for (int t = 0; t < NTYPES; t++)
    printf("%s %" PRIu64 "\n", types[t], bc[t] * reps);
  fprintf(stderr,
          "gen_events: %" PRIu64 " lines, %" PRIu64 " bytes of text%s\n",
          blines * reps, (uint64_t)blen * reps, gz ? " (gzip members)" : "");
  return 0;
}
