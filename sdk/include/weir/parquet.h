/* weir/parquet.h — Apache Parquet files: a streaming writer fed with record
 * batches and a streaming reader that appends rows to a builder. Used by the
 * file sink and the file source (format = parquet); any plugin can use it.
 *
 * Debian packages no C Parquet library, so this is weir's own subset:
 *
 *   weir type   Parquet column
 *   ---------   ------------------------------------------------------------
 *   boolean     BOOLEAN
 *   bigint      INT64
 *   double      DOUBLE
 *   string      BYTE_ARRAY, logical type STRING (converted type UTF8)
 *   binary      BYTE_ARRAY
 *   timestamp   INT64, TIMESTAMP(isAdjustedToUTC = true, MICROS)
 *   struct      a group of its members
 *   null        INT32, logical type UNKNOWN (always null)
 *
 * Nullable fields are OPTIONAL (definition levels), the others REQUIRED.
 * Writing: data pages v1, PLAIN, RLE_DICTIONARY for string and binary
 * columns when it pays, min/max/null-count statistics per column chunk,
 * compression none, snappy, zstd or gzip.
 * Reading also takes what common writers (Spark, Arrow, DuckDB, parquet-mr)
 * produce: data pages v1 and v2; PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY,
 * RLE (booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
 * DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT; INT32 and the small integer types
 * read as bigint, FLOAT as double, DECIMAL as double, DATE as a timestamp at
 * midnight UTC, timestamps in MILLIS, MICROS, NANOS and legacy INT96 read as
 * µs, FIXED_LEN_BYTE_ARRAY as binary. Repeated fields (lists, maps) are not
 * supported: they are left out of a file's schema and asking for one is an
 * error; so weir's array columns (WEIR_T_ARRAY) are refused by the writer
 * and by the reader's projection (weir_parquet_check_schema says so at load
 * time). Encrypted files are refused.
 *
 * Errors: every fallible call returns WEIR_OK or a negative WEIR_ERR_* and
 * writes "FILE: what is wrong" into err (err may be NULL). A corrupt or
 * truncated file is an error (WEIR_ERR_FORMAT), never a crash or a read out
 * of bounds. Memory is bounded: the writer buffers one row group, the reader
 * one page and one dictionary per projected column. */
#ifndef WEIR_PARQUET_H
#define WEIR_PARQUET_H

#include <stdint.h>
#include <stdio.h>

#include "weir/batch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* weir_parquet_options.compression; the order of weir_parquet_codecs[]. */
enum {
  WEIR_PARQUET_NONE = 0,
  WEIR_PARQUET_SNAPPY = 1,
  WEIR_PARQUET_ZSTD = 2,
  WEIR_PARQUET_GZIP = 3
};
/* weir_parquet_options.dictionary; the order of
 * weir_parquet_dictionary_modes[]. */
enum {
  WEIR_PARQUET_DICT_AUTO = 0, /* when it makes the column chunk smaller */
  WEIR_PARQUET_DICT_ON = 1,   /* always, unless the dictionary outgrows
                                 dictionary_page_size */
  WEIR_PARQUET_DICT_OFF = 2
};

/* NULL-terminated names, for an option table's enum choices:
 * {"none", "snappy", "zstd", "gzip"} and {"auto", "on", "off"}. */
extern const char *const weir_parquet_codecs[];
extern const char *const weir_parquet_dictionary_modes[];

typedef struct weir_parquet_options {
  int compression;        /* WEIR_PARQUET_NONE .. GZIP */
  int compression_level;  /* 0: the codec's default */
  int dictionary;         /* WEIR_PARQUET_DICT_* (string and binary columns) */
  int64_t row_group_size; /* rows per row group; 0: 131072 */
  int64_t page_size;      /* target bytes of a data page; 0: 1 MiB */
  int64_t dictionary_page_size; /* a larger dictionary falls back to PLAIN;
                                   0: 1 MiB */
} weir_parquet_options;

#define WEIR_PARQUET_OPTIONS_INIT                                              \
  { WEIR_PARQUET_SNAPPY, 0, 0, 0, 0, 0 }

/* Checks that every column of `schema`, at any depth, has a Parquet form
 * here. An ARRAY column (Parquet's 3-level LIST, with repetition levels) is
 * not supported yet: WEIR_ERR_UNSUPPORTED with "column 'a.tags' is an array:
 * arrays are not supported in parquet yet" in err (may be NULL). WEIR_OK
 * otherwise. For plugins to refuse at load time what the writer and the
 * reader's projection would refuse later. */
int weir_parquet_check_schema(const weir_schema *schema, char *err,
                              size_t errlen);

/* ---- writing ------------------------------------------------------------ */

typedef struct weir_parquet_writer weir_parquet_writer;

/* What a closed writer wrote. */
typedef struct weir_parquet_written {
  int64_t rows, bytes, row_groups;
} weir_parquet_written;

/* A writer to a new file at `path` (created or truncated; closed, after an
 * fsync, by weir_parquet_writer_close). The schema is copied. `opts` may be
 * NULL (defaults). Returns NULL with a message in err. */
weir_parquet_writer *weir_parquet_writer_open(const char *path,
                                              const weir_schema *schema,
                                              const weir_parquet_options *opts,
                                              char *err, size_t errlen);

/* A writer to an open stream, from its current position (borrowed: the
 * caller flushes and closes it after weir_parquet_writer_close). `name`
 * (copied) is the file name used in messages. */
weir_parquet_writer *weir_parquet_writer_new(FILE *f, const char *name,
                                             const weir_schema *schema,
                                             const weir_parquet_options *opts,
                                             char *err, size_t errlen);

/* Appends the rows of a batch whose rows match the writer's schema (the
 * batch's own schema is not consulted). A full row group is written out as
 * soon as it is complete. A null in a non-nullable column, or a value of
 * another type, is WEIR_ERR_SCHEMA naming the column. */
int weir_parquet_write_batch(weir_parquet_writer *w, const weir_batch *batch,
                             char *err, size_t errlen);

/* Writes the last row group and the footer; `out` (may be NULL) receives
 * the totals. A writer that failed before still gets an error here. */
int weir_parquet_writer_close(weir_parquet_writer *w, weir_parquet_written *out,
                              char *err, size_t errlen);

/* Frees the writer; a writer opened by path and not closed also closes
 * (and leaves incomplete) its file. NULL is fine. */
void weir_parquet_writer_free(weir_parquet_writer *w);

/* ---- reading ------------------------------------------------------------ */

typedef struct weir_parquet_reader weir_parquet_reader;

/* Opens a file and reads its footer. Returns NULL with "PATH: reason" in
 * err when the file cannot be read or is not a valid Parquet file. */
weir_parquet_reader *weir_parquet_reader_open(const char *path, char *err,
                                              size_t errlen);

/* The same over bytes in memory (borrowed; they must outlive the reader);
 * `name` (copied) is used in messages. */
weir_parquet_reader *weir_parquet_reader_open_mem(const void *data, size_t len,
                                                  const char *name, char *err,
                                                  size_t errlen);

/* The file's columns as a weir schema (see the table above; columns weir
 * cannot hold are left out). Borrowed from the reader. */
const weir_schema *weir_parquet_reader_schema(const weir_parquet_reader *r);

/* Rows in the file (from its footer), and its row groups. */
int64_t weir_parquet_reader_num_rows(const weir_parquet_reader *r);
int64_t weir_parquet_reader_row_groups(const weir_parquet_reader *r);

/* Chooses the columns to read: `wanted` (borrowed; must outlive the reader)
 * names them, top-level and struct members alike, matched by name (exactly,
 * else case-insensitively when that is unambiguous). A column the file lacks
 * reads as null; a column whose type cannot be read as the wanted one is
 * WEIR_ERR_SCHEMA ("column 'x' is string in the file, the schema asks for
 * bigint"). Without a call the file's own schema is read. Call before the
 * first weir_parquet_read_batch. */
int weir_parquet_reader_project(weir_parquet_reader *r,
                                const weir_schema *wanted, char *err,
                                size_t errlen);

/* Appends up to max_rows rows to b (whose schema is the projected one),
 * crossing row groups as needed. Returns the number of rows appended, 0 at
 * the end of the file, or a negative WEIR_ERR_* with a message. After an
 * error the reader only returns that error again. */
int64_t weir_parquet_read_batch(weir_parquet_reader *r, weir_builder *b,
                                size_t max_rows, char *err, size_t errlen);

void weir_parquet_reader_free(weir_parquet_reader *r);

#ifdef __cplusplus
}
#endif
#endif
