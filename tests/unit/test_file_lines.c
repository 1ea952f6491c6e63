/* tests/unit/test_file_lines.c — the file source's bounded line reader:
 * line ends (\n, \r\n, none at the end), lines across buffer refills with a
 * tiny buffer, lines longer than the buffer (it grows) and than the record
 * limit (cut, rest skipped), the logged size limit, and gzip input
 * (whole, and truncated: an error, not a silent end). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../../plugins/file/lines.h"

static char path[64];

static void setup(void) {
  snprintf(path, sizeof path, "/tmp/weir-lines.XXXXXX");
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  close(fd);
}
static void teardown(void) { unlink(path); }
TestSuite(file_lines, .init = setup, .fini = teardown);

static void write_file(const char *p, const char *data, size_t n) {
  FILE *f = fopen(p, "wb");
  cr_assert(f);
  cr_assert_eq(fwrite(data, 1, n, f), n);
  fclose(f);
}

/* Reads every line, joined as "line|line|" with "!" after cut lines. */
static char *read_all(const char *p, int64_t size, size_t buf, size_t max) {
  line_reader r;
  static char out[1 << 16];
  size_t o = 0;
  const char *line;
  size_t len;
  int too_long, rc;
  cr_assert_eq(lr_open(&r, p, size, buf, max), 0, "open %s", p);
  while ((rc = lr_next(&r, &line, &len, &too_long)) == 1) {
    cr_assert_lt(o + len + 2, sizeof out);
    memcpy(out + o, line, len);
    o += len;
    if (too_long)
      out[o++] = '!';
    out[o++] = '|';
  }
  cr_assert_eq(rc, 0);
  out[o] = 0;
  lr_close(&r);
  return out;
}

Test(file_lines, line_ends) {
  const char *d = "a\nbc\r\n\nlast";
  write_file(path, d, strlen(d));
  cr_assert_str_eq(read_all(path, -1, 1024, 1024), "a|bc||last|");
}

Test(file_lines, tiny_buffer_refills_and_grows) {
  const char *d = "0123456789abcdef\nxy\n0123456789012345678901234567890123"
                  "456789\nz";
  write_file(path, d, strlen(d));
  cr_assert_str_eq(read_all(path, -1, 64, 1 << 20),
                   "0123456789abcdef|xy|0123456789012345678901234567890123"
                   "456789|z|");
}

Test(file_lines, long_lines_are_cut_and_skipped) {
  char d[1000];
  memset(d, 'x', sizeof d);
  d[300] = '\n'; /* a 300-byte line, then a 699-byte one without newline */
  write_file(path, d, sizeof d);
  char *out = read_all(path, -1, 64, 100);
  char want[300];
  memset(want, 'x', 100);
  memcpy(want + 100, "!|", 2);
  memset(want + 102, 'x', 100);
  memcpy(want + 202, "!|", 3);
  cr_assert_str_eq(out, want);
  /* with a big buffer the cut happens in place */
  cr_assert_str_eq(read_all(path, -1, 4096, 100), want);
}

Test(file_lines, line_numbers_count_cut_lines) {
  char d[400];
  memset(d, 'y', sizeof d);
  d[199] = '\n';
  d[200] = 'a';
  d[201] = '\n';
  d[399] = '\n';
  write_file(path, d, sizeof d);
  line_reader r;
  const char *l;
  size_t n;
  int tl;
  cr_assert_eq(lr_open(&r, path, -1, 64, 50), 0);
  cr_assert_eq(lr_next(&r, &l, &n, &tl), 1);
  cr_assert(tl);
  cr_assert_eq(lr_next(&r, &l, &n, &tl), 1);
  cr_assert(!tl);
  cr_assert_eq(r.line_no, 2);
  cr_assert_eq(n, 1);
  cr_assert_eq(lr_next(&r, &l, &n, &tl), 1);
  cr_assert_eq(r.line_no, 3);
  cr_assert_eq(lr_next(&r, &l, &n, &tl), 0);
  lr_close(&r);
}

Test(file_lines, reads_only_the_logged_size) {
  const char *d = "one\ntwo\nthree\n";
  write_file(path, d, strlen(d));
  cr_assert_str_eq(read_all(path, 8, 64, 1024), "one|two|");
  line_reader r;
  const char *l;
  size_t n;
  int tl;
  cr_assert_eq(lr_open(&r, path, 100, 64, 1024), 0); /* file got shorter */
  while (lr_next(&r, &l, &n, &tl) == 1)
    ;
  cr_assert(r.short_read);
  lr_close(&r);
}

Test(file_lines, gzip) {
  char gzpath[80];
  snprintf(gzpath, sizeof gzpath, "%s.gz", path);
  gzFile gz = gzopen(gzpath, "wb");
  cr_assert(gz);
  for (int i = 0; i < 1000; i++)
    gzprintf(gz, "line %d\n", i);
  gzclose(gz);
  line_reader r;
  const char *l;
  size_t n;
  int tl, rc, count = 0;
  cr_assert_eq(lr_open(&r, gzpath, 5, 64, 1024), 0); /* size: ignored */
  while ((rc = lr_next(&r, &l, &n, &tl)) == 1)
    count++;
  cr_assert_eq(rc, 0);
  cr_assert_eq(count, 1000);
  lr_close(&r);

  /* a truncated stream is an error */
  FILE *f = fopen(gzpath, "rb");
  char buf[8192];
  size_t got = fread(buf, 1, sizeof buf, f);
  fclose(f);
  write_file(gzpath, buf, got / 2);
  cr_assert_eq(lr_open(&r, gzpath, -1, 64, 1024), 0);
  while ((rc = lr_next(&r, &l, &n, &tl)) == 1)
    ;
  cr_assert_eq(rc, -1);
  cr_assert_eq(errno, EIO);
  lr_close(&r);
  unlink(gzpath);
}

Test(file_lines, missing_file) {
  line_reader r;
  cr_assert_eq(lr_open(&r, "/nonexistent/x", -1, 64, 64), -1);
  cr_assert_eq(errno, ENOENT);
  lr_close(&r);
}
