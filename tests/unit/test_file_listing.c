/* tests/unit/test_file_listing.c — which files the file source sees and in
 * what order: Spark's hidden names, folders and globs, oldest modification
 * time first with ties by name (latest_first reverses), the per-epoch
 * limits (at least one file), archive paths and moves. Works in a fresh
 * temporary folder per test. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "../../plugins/file/catalog.h"
#include "../../plugins/file/listing.h"

static char dir[256];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/weir-listing.XXXXXX");
  cr_assert(mkdtemp(dir));
}
static void teardown(void) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}
TestSuite(file_listing, .init = setup, .fini = teardown);

/* Creates dir/name with `bytes` bytes and modification time `sec`. */
static void make(const char *name, int bytes, long sec) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  char *slash = strrchr(p, '/');
  *slash = 0;
  mkdir(p, 0777);
  *slash = '/';
  FILE *f = fopen(p, "w");
  cr_assert(f, "create %s", p);
  for (int i = 0; i < bytes; i++)
    fputc('x', f);
  fclose(f);
  struct timeval tv[2] = {{sec, 0}, {sec, 0}};
  cr_assert_eq(utimes(p, tv), 0);
}

static const char *base(const file_entry *e) {
  return strrchr(e->path, '/') + 1;
}

Test(file_listing, hidden_names) {
  cr_assert(name_is_hidden(".tmp.json"));
  cr_assert(name_is_hidden("_SUCCESS"));
  cr_assert(name_is_hidden("a.json._COPYING_"));
  cr_assert(!name_is_hidden("_year=2026"));
  cr_assert(!name_is_hidden("a.json"));
  cr_assert(!name_is_hidden("a_b.json"));
}

Test(file_listing, folder_oldest_first_ties_by_name) {
  make("c.json", 3, 100);
  make("b.json", 2, 200);
  make("a.json", 1, 200);
  make(".hidden", 1, 50);
  make("_metadata", 1, 50);
  make("sub/x.json", 1, 10); /* folders inside are not listed */
  file_list l = {0};
  char err[256];
  cr_assert_eq(list_files(dir, &l, err, sizeof err), 0, "%s", err);
  file_list_sort(&l, 0);
  cr_assert_eq(l.n, 3);
  cr_assert_str_eq(base(&l.v[0]), "c.json");
  cr_assert_str_eq(base(&l.v[1]), "a.json");
  cr_assert_str_eq(base(&l.v[2]), "b.json");
  cr_assert_eq(l.v[0].size, 3);
  cr_assert_eq(l.v[0].mtime_us, INT64_C(100000000));
  file_list_sort(&l, 1);
  cr_assert_str_eq(base(&l.v[0]), "b.json");
  cr_assert_str_eq(base(&l.v[1]), "a.json");
  cr_assert_str_eq(base(&l.v[2]), "c.json");
  file_list_free(&l);
}

Test(file_listing, glob_and_missing) {
  make("a.json", 1, 100);
  make("b.csv", 1, 100);
  make("d1/c.json", 1, 100);
  make("d2/d.json", 1, 100);
  char pat[300], err[256];
  file_list l = {0};
  snprintf(pat, sizeof pat, "%s/*.json", dir);
  cr_assert(path_is_glob(pat));
  cr_assert_eq(list_files(pat, &l, err, sizeof err), 0);
  cr_assert_eq(l.n, 1);
  file_list_free(&l);
  snprintf(pat, sizeof pat, "%s/d*", dir); /* matched folders: one level */
  cr_assert_eq(list_files(pat, &l, err, sizeof err), 0);
  cr_assert_eq(l.n, 2);
  file_list_free(&l);
  snprintf(pat, sizeof pat, "%s/{a.json,b.csv}", dir);
  cr_assert_eq(list_files(pat, &l, err, sizeof err), 0);
  cr_assert_eq(l.n, 2);
  file_list_free(&l);
  snprintf(pat, sizeof pat, "%s/nothing-*", dir);
  cr_assert_eq(list_files(pat, &l, err, sizeof err), 0);
  cr_assert_eq(l.n, 0);
  snprintf(pat, sizeof pat, "%s/no-such-folder", dir);
  cr_assert(!path_is_glob(pat));
  cr_assert_eq(list_files(pat, &l, err, sizeof err), 0);
  cr_assert_eq(l.n, 0);
}

static file_list sized(const int64_t *sizes, size_t n) {
  file_list l = {0};
  for (size_t i = 0; i < n; i++) {
    char p[32];
    snprintf(p, sizeof p, "/f%zu", i);
    cr_assert_eq(file_list_add(&l, p, sizes[i], (int64_t)i), 0);
  }
  return l;
}

Test(file_listing, limits_take_at_least_one_file) {
  int64_t sizes[] = {10, 20, 30, 5};
  file_list l = sized(sizes, 4);
  cr_assert_eq(take_files(&l, 0, 0), 4);
  cr_assert_eq(take_files(&l, 2, 0), 2);
  cr_assert_eq(take_files(&l, 0, 30), 2); /* 10 + 20 */
  cr_assert_eq(take_files(&l, 0, 29), 1); /* 10, then 20 does not fit */
  cr_assert_eq(take_files(&l, 0, 1), 1);  /* one file even if too big */
  cr_assert_eq(take_files(&l, 0, 60), 3); /* stops at 30: no skipping to 5 */
  cr_assert_eq(take_files(&l, 1, 1000), 1);
  file_list_drop_front(&l, 3);
  cr_assert_eq(l.n, 1);
  cr_assert_str_eq(l.v[0].path, "/f3");
  file_list_free(&l);
  file_list empty = {0};
  cr_assert_eq(take_files(&empty, 5, 5), 0);
}

Test(file_listing, archive_paths_and_moves) {
  char out[512], err[256];
  cr_assert_eq(archive_path("/archive/", "/data/in/a.json", out, sizeof out),
               0);
  cr_assert_str_eq(out, "/archive/data/in/a.json");
  cr_assert_eq(archive_path("/a", "/b", out, 4), -1);
  make("in/a.json", 4, 100);
  char src[300], dest[600];
  snprintf(src, sizeof src, "%s/in/a.json", dir);
  snprintf(out, sizeof out, "%s/archive", dir);
  cr_assert_eq(archive_path(out, src, dest, sizeof dest), 0);
  cr_assert_eq(move_file(src, dest, err, sizeof err), 0, "%s", err);
  cr_assert_neq(access(src, F_OK), 0);
  cr_assert_eq(access(dest, F_OK), 0);
  cr_assert_eq(move_file(src, dest, err, sizeof err), -1);
  cr_assert(strstr(err, "No such file"), "%s", err);
}

Test(file_listing, offsets_list_the_epoch_files) {
  file_list l = {0}, back = {0};
  cr_assert_eq(
      file_list_add(&l, "/data/a b.json", 12, INT64_C(1767225600000000)), 0);
  cr_assert_eq(file_list_add(&l, "/data/\xc3\xa9.json", 0, -5), 0);
  weir_buf b = WEIR_BUF_INIT;
  offset_write(&b, 7, l.v, l.n);
  int64_t seq = 0;
  cr_assert_eq(offset_read(b.data, b.len, &seq, &back), WEIR_OK);
  cr_assert_eq(seq, 7);
  cr_assert_eq(back.n, 2);
  for (size_t i = 0; i < 2; i++) {
    cr_assert_str_eq(back.v[i].path, l.v[i].path);
    cr_assert_eq(back.v[i].size, l.v[i].size);
    cr_assert_eq(back.v[i].mtime_us, l.v[i].mtime_us);
  }
  file_list_free(&back);
  cr_assert_eq(offset_read(b.data, b.len - 1, &seq, &back), WEIR_ERR_FORMAT);
  file_list_free(&back);
  uint8_t rate_like[] = {0x81, 0xa4, 'r', 'o', 'w', 's', 0x01};
  cr_assert_eq(offset_read(rate_like, sizeof rate_like, &seq, &back),
               WEIR_ERR_FORMAT);
  file_list_free(&back);
  file_list_free(&l);
  weir_buf_free(&b);
}

Test(file_listing, drop_front_then_add_reuses_the_room) {
  file_list l = {0};
  char p[32];
  for (int i = 0; i < 100; i++) {
    snprintf(p, sizeof p, "/f%d", i);
    cr_assert_eq(file_list_add(&l, p, i, i), 0);
  }
  for (int i = 0; i < 99; i++)
    file_list_drop_front(&l, 1);
  cr_assert_eq(l.n, 1);
  cr_assert_str_eq(l.v[0].path, "/f99");
  for (int i = 100; i < 300; i++) {
    snprintf(p, sizeof p, "/f%d", i);
    cr_assert_eq(file_list_add(&l, p, i, i), 0);
  }
  cr_assert_eq(l.n, 201);
  for (size_t i = 0; i < l.n; i++)
    cr_assert_eq(l.v[i].size, (int64_t)(99 + i));
  file_list_drop_front(&l, 0);
  file_list_drop_front(&l, 1000);
  cr_assert_eq(l.n, 0);
  file_list_free(&l);
}
