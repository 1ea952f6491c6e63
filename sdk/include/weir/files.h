/* weir/files.h — file helpers for plugins that write or read folders:
 * atomic writes, folder creation, and the exactly-once log of a file sink
 * (`_weir_log`), which file readers honour so they see only committed
 * files. */
#ifndef WEIR_FILES_H
#define WEIR_FILES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Creates a folder and its parents (like mkdir -p). WEIR_OK or WEIR_ERR_IO
 * with "PATH: reason" in err. */
int weir_mkdir_p(const char *path, char *err, size_t errlen);

/* Writes a whole file atomically: a temporary name in the same folder,
 * fsync, rename over `path`, fsync of the folder. Readers see the old file
 * or the new one, never a part. WEIR_OK or WEIR_ERR_IO with a message. */
int weir_write_file_atomic(const char *path, const void *data, size_t len,
                           char *err, size_t errlen);

/* ---- the file sink's log ------------------------------------------------
 * DIR/_weir_log/N lists the files epoch N committed (one JSON object a
 * line after a "v1" line: {"path":"part-...","size":123,"rows":10}); every
 * `compact_every` epochs N.compact lists every committed file so far and
 * older entries are removed. A file in DIR that no entry lists is not
 * committed (an attempt that crashed) and readers must skip it. */

typedef struct weir_sink_file {
  char *path; /* relative to DIR */
  int64_t size, rows, epoch;
} weir_sink_file;

typedef struct weir_sink_log {
  int present;        /* DIR/_weir_log exists */
  int64_t last_epoch; /* the newest committed epoch, -1 if none */
  weir_sink_file *files;
  size_t n;
} weir_sink_log;

/* Reads DIR/_weir_log. A folder without a log gives present = 0 (not an
 * error). WEIR_ERR_FORMAT names the bad log file in err. Free with
 * weir_sink_log_free. */
int weir_sink_log_read(const char *dir, weir_sink_log *out, char *err,
                       size_t errlen);
void weir_sink_log_free(weir_sink_log *log);

/* Commits epoch `epoch` with its files (relative paths), atomically; writes
 * a compacted entry when epoch % compact_every == compact_every - 1 and
 * removes the entries it replaces. `prev` is the log as read before (its
 * files are needed for compaction). */
int weir_sink_log_commit(const char *dir, const weir_sink_log *prev,
                         int64_t epoch, const weir_sink_file *files, size_t n,
                         int compact_every, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
