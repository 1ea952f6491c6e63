/* plugins/file/lines.h — reads a file as lines in bounded memory: one read
 * buffer, grown only for a line longer than it and never beyond the
 * largest record allowed; `.gz` files through zlib. A line longer than the
 * limit is reported (truncated to the limit) and the rest of it skipped, so
 * a huge line is a malformed record, not an out-of-memory crash. */
#ifndef WEIR_FILE_LINES_H
#define WEIR_FILE_LINES_H

#include <stddef.h>
#include <stdint.h>

typedef struct line_reader {
  int fd;
  void *gz;          /* gzFile, or NULL for a plain file */
  int64_t remaining; /* plain files: bytes still to read (-1: to the end) */
  char *buf;
  size_t cap, base_cap, max_record;
  size_t start, end; /* unread data is buf[start, end) */
  int eof;
  int skipping;    /* inside an over-long line: drop bytes up to '\n' */
  int64_t line_no; /* of the line last returned, 1-based */
  int64_t bytes;   /* bytes read from the file so far */
  int short_read;  /* a plain file ended before its expected size */
} line_reader;

/* Opens `path`. `expect_size` >= 0 reads at most that many bytes of a plain
 * file (the size logged in the epoch's offset, so a replay reads the same
 * bytes even if the file grew); gzip files (name ends in .gz) are read to
 * their end. buf_size is the read buffer, max_record the longest line.
 * Returns 0, or -1 with errno set. */
int lr_open(line_reader *r, const char *path, int64_t expect_size,
            size_t buf_size, size_t max_record);

/* The next line without its "\n" or "\r\n": 1 with *line / *len (valid
 * until the next call) and *too_long set when the line was longer than
 * max_record (then *line holds its first max_record bytes); 0 at the end;
 * -1 on a read error (errno set; a corrupt gzip stream gives EIO). */
int lr_next(line_reader *r, const char **line, size_t *len, int *too_long);

/* Closes the file and frees the buffer. Safe on a zeroed reader. */
void lr_close(line_reader *r);

#endif
