/* plugins/file/catalog.h — what the file source remembers between epochs
 * and across restarts:
 *  - the files it has taken, in a keyed-state store (path → msgpack
 *    [mtime_us, size]) that the runtime snapshots with every checkpoint, so
 *    no file is read twice; with Spark's SeenFilesMap rules: once a file
 *    has been taken, files older than max_file_age before the newest one
 *    taken are no longer new, and their entries are purged (the state
 *    stays bounded);
 *  - the offset of an epoch, {"logOffset": N, "files": [[path, size,
 *    mtime_us], ...]}, which lists the epoch's files so that a replay reads
 *    exactly them. */
#ifndef WEIR_FILE_CATALOG_H
#define WEIR_FILE_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "weir/weir.h"

#include "listing.h"

typedef struct seen_files {
  weir_state *store;
  int64_t max_age;      /* µs; 0: files never age out */
  int loaded;           /* newest / purge_before computed from the store */
  int64_t newest;       /* newest mtime taken; INT64_MIN: none */
  int64_t purge_before; /* older files are not new; INT64_MIN: none yet */
} seen_files;

/* After a restart the store holds what the checkpoint restored: computes
 * the newest time and the age threshold from it (once). */
void seen_load(seen_files *s);
/* 1 when the file was never taken and is not too old. */
int seen_is_new(seen_files *s, const file_entry *e);
/* Remembers a file taken. WEIR_OK or the store's error. */
int seen_add(seen_files *s, const char *path, int64_t size, int64_t mtime);
/* Forgets files older than max_file_age before the newest (Spark's purge,
 * after each batch); from then on, files that old are not new. */
void seen_purge(seen_files *s);

/* Appends an epoch's end offset listing files[0..n). */
void offset_write(weir_buf *b, int64_t seq, const file_entry *files, size_t n);
/* Reads an offset's logOffset and appends its files to out. WEIR_OK,
 * WEIR_ERR_FORMAT or WEIR_ERR_NOMEM. */
int offset_read(const uint8_t *data, size_t len, int64_t *seq, file_list *out);

#endif
