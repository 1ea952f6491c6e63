/* checkpoint.h — the checkpoint directory (DESIGN §6): metadata, the
 * offsets and commits logs, state files; every file written atomically and
 * sealed with its length and CRC-32 so a torn or corrupt file is detected
 * and named, never silently skipped. */
#ifndef WEIR_CORE_CHECKPOINT_H
#define WEIR_CORE_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "weir/batch.h"

typedef struct checkpoint checkpoint;

/* Opens (creating) the directory and takes its lock: a second process on
 * the same checkpoint is refused naming the holder's pid. `temporary`: the
 * directory is removed by ckpt_close. */
int ckpt_open(const char *dir, int temporary, checkpoint **out, char *err,
              size_t errlen);
/* Releases the lock; removes a temporary directory. NULL is fine. */
void ckpt_close(checkpoint *c);
const char *ckpt_dir(const checkpoint *c);

/* Reads `metadata`, or writes it for a new checkpoint. The query id is
 * read into id (or a new one written from it). `fingerprint` is the JSON
 * object of what state depends on; on a mismatch with the stored one,
 * returns WEIR_ERR_STATE with a message saying what changed. */
int ckpt_metadata(checkpoint *c, char id[40], const char *fingerprint,
                  const char *version, char *err, size_t errlen);

/* What the logs say at start. */
typedef struct ckpt_status {
  int64_t last_offsets; /* highest offsets/N, -1 if none */
  int64_t last_commit;  /* highest commits/N, -1 if none */
  int64_t first_kept;   /* lowest offsets/N still present */
} ckpt_status;
int ckpt_scan(checkpoint *c, ckpt_status *st, char *err, size_t errlen);

/* One epoch's plan as logged in offsets/N. */
typedef struct ckpt_source_range {
  char *name;
  weir_buf start, end; /* msgpack; empty start = the beginning */
} ckpt_source_range;

typedef struct ckpt_plan {
  int64_t epoch, watermark, timestamp;
  ckpt_source_range *sources;
  size_t n;
} ckpt_plan;

void ckpt_plan_free(ckpt_plan *p);

/* Writes offsets/N. Refuses (WEIR_ERR_STATE) if it already exists:
 * another process is writing this checkpoint. */
int ckpt_write_offsets(checkpoint *c, const ckpt_plan *p, char *err,
                       size_t errlen);
int ckpt_read_offsets(checkpoint *c, int64_t epoch, ckpt_plan *p, char *err,
                      size_t errlen);

/* commits/N holds the watermark for epoch N+1. */
int ckpt_write_commit(checkpoint *c, int64_t epoch, int64_t next_watermark,
                      char *err, size_t errlen);
int ckpt_read_commit(checkpoint *c, int64_t epoch, int64_t *next_watermark,
                     char *err, size_t errlen);

/* State files: state/NODE/STORE/N.delta or N.snapshot, with a header that
 * names the plugin and the store's value version. */
int ckpt_write_state(checkpoint *c, const char *node, const char *store,
                     const char *plugin, uint32_t version, int64_t epoch,
                     int snapshot, const uint8_t *data, size_t len, char *err,
                     size_t errlen);

/* Calls fn for each store directory of `node` with the files to apply, in
 * order, to rebuild the state as of epoch `upto`: the newest snapshot at or
 * before it, then the deltas after it. `fn` gets the store name, the stored
 * plugin name and version, and the payload. */
typedef int (*ckpt_state_fn)(void *u, const char *store, const char *plugin,
                             uint32_t version, int64_t epoch,
                             const uint8_t *data, size_t len);
int ckpt_read_state(checkpoint *c, const char *node, int64_t upto,
                    ckpt_state_fn fn, void *u, char *err, size_t errlen);

/* Removes what recovery no longer needs: logs before keep_from, state
 * files older than the newest snapshot at or before keep_from. */
int ckpt_purge(checkpoint *c, int64_t keep_from, char *err, size_t errlen);

/* Low level, for tests and `weir checkpoint`: reads a sealed file (the
 * payload without the seal), WEIR_ERR_STATE naming the path if torn or
 * corrupt, WEIR_ERR_NOTFOUND if absent. */
int ckpt_read_file(const char *path, weir_buf *payload, char *err,
                   size_t errlen);
int ckpt_write_file(const char *path, const void *data, size_t len,
                    int exclusive, char *err, size_t errlen);

#endif
