/* plugins/file/listing.h — which files the file source sees and in which
 * order: listing a folder or a glob (Spark's hidden-file rules), ordering
 * (oldest modification time first, ties by name, latest_first reverses),
 * the per-epoch limits, and clean_source (archive / delete). Pure file
 * system code with no plugin context, so it is unit-tested alone. */
#ifndef WEIR_FILE_LISTING_H
#define WEIR_FILE_LISTING_H

#include <stddef.h>
#include <stdint.h>

typedef struct file_entry {
  char *path; /* owned */
  int64_t size;
  int64_t mtime_us;
} file_entry;

typedef struct file_list {
  file_entry *v;   /* the live entries, v[0..n) */
  size_t n, cap;   /* cap counts from v */
  file_entry *mem; /* the allocation v points into (drop_front moves v) */
} file_list;

/* Appends a copy of path. 0 or -1 (out of memory). */
int file_list_add(file_list *l, const char *path, int64_t size,
                  int64_t mtime_us);
/* Frees every entry and empties the list (keeps nothing). */
void file_list_free(file_list *l);
/* Removes entries [0, k), keeping the rest in order, in O(k): consuming a
 * long backlog from the front costs nothing per remaining entry. */
void file_list_drop_front(file_list *l, size_t k);

/* 1 when `path` contains glob characters (* ? [ {). */
int path_is_glob(const char *path);

/* Spark's rule (InMemoryFileIndex.shouldFilterOutPathName): names that start
 * with '.' or '_' (but not a partition folder "_x=y"), or that end with
 * "._COPYING_", are in-progress or metadata files: never data. 1 hidden. */
int name_is_hidden(const char *name);

/* Lists the regular files of the folder `path`, or of every match of the
 * glob `path` (a matched folder contributes its regular files, one level),
 * skipping hidden names, appending them to out with size and modification
 * time. A missing folder or a glob without matches lists nothing.
 * Returns 0, or -1 with a message in err (unreadable folder). */
int list_files(const char *path, file_list *out, char *err, size_t errlen);

/* Sorts: modification time ascending, ties by path (bytewise); latest_first
 * reverses the whole order. */
void file_list_sort(file_list *l, int latest_first);

/* How many files from the front of a sorted list one epoch takes: at most
 * max_files (0: no limit) and at most max_bytes in total (0: no limit), but
 * always at least one when the list is not empty. As Spark's
 * takeFilesUntilMax, the first file that does not fit ends the epoch. */
size_t take_files(const file_list *l, int64_t max_files, int64_t max_bytes);

/* Where clean_source = archive moves `path`: archive_dir followed by the
 * file's absolute path (Spark: /archive + /data/in/a.json →
 * /archive/data/in/a.json). Writes into out; -1 if it does not fit. */
int archive_path(const char *archive_dir, const char *path, char *out,
                 size_t n);

/* Moves `path` to `dest`, creating dest's folders; across file systems it
 * copies then removes. 0, or -1 with a message in err. */
int move_file(const char *path, const char *dest, char *err, size_t errlen);

#endif
