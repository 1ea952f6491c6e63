/* parquet_codec.c — page compression for Parquet through Debian's libraries:
 * snappy (raw snappy blocks, as Parquet uses them, not the framing format),
 * zstd (one frame per page) and gzip (zlib's gzip wrapper when writing; any
 * of gzip or zlib streams when reading, as files in the wild hold both).
 * Decompression must produce exactly the size the page header announces. */
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "parquet_int.h"

const char *pq_codec_name(int codec) {
  static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP",
                                      "LZO",          "BROTLI", "LZ4",
                                      "ZSTD",         "LZ4_RAW"};
  return codec >= 0 && codec < 8 ? names[codec] : "unknown";
}

static int gzip_compress(int level, const uint8_t *src, size_t n,
                         weir_buf *out) {
  z_stream z = {0};
  /* windowBits 15 + 16: a gzip wrapper, which is what Parquet's GZIP means. */
  if (deflateInit2(&z, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                   15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return WEIR_ERR_NOMEM;
  size_t bound = deflateBound(&z, (uLong)n) + 32;
  if (weir_buf_reserve(out, bound) != WEIR_OK) {
    deflateEnd(&z);
    return WEIR_ERR_NOMEM;
  }
  z.next_in = (Bytef *)(uintptr_t)src;
  z.avail_in = (uInt)n;
  z.next_out = out->data;
  z.avail_out = (uInt)bound;
  int rc = deflate(&z, Z_FINISH);
  out->len = z.total_out;
  deflateEnd(&z);
  return rc == Z_STREAM_END ? WEIR_OK : WEIR_ERR_INTERNAL;
}

int pq_compress(int codec, int level, const uint8_t *src, size_t n,
                weir_buf *out) {
  weir_buf_clear(out);
  switch (codec) {
  case PQ_CODEC_SNAPPY: {
    size_t cap = snappy_max_compressed_length(n);
    if (weir_buf_reserve(out, cap) != WEIR_OK)
      return WEIR_ERR_NOMEM;
    if (snappy_compress((const char *)src, n, (char *)out->data, &cap) !=
        SNAPPY_OK)
      return WEIR_ERR_INTERNAL;
    out->len = cap;
    return WEIR_OK;
  }
  case PQ_CODEC_ZSTD: {
    size_t cap = ZSTD_compressBound(n);
    if (weir_buf_reserve(out, cap) != WEIR_OK)
      return WEIR_ERR_NOMEM;
    size_t r = ZSTD_compress(out->data, cap, src, n, level ? level : 3);
    if (ZSTD_isError(r))
      return WEIR_ERR_INTERNAL;
    out->len = r;
    return WEIR_OK;
  }
  case PQ_CODEC_GZIP: return gzip_compress(level, src, n, out);
  default:
    weir_buf_append(out, src, n);
    return out->err ? WEIR_ERR_NOMEM : WEIR_OK;
  }
}

static int gzip_decompress(const uint8_t *src, size_t n, uint8_t *dst,
                           size_t want) {
  z_stream z = {0};
  /* 15 + 32: detect a gzip or zlib header by itself. */
  if (inflateInit2(&z, 15 + 32) != Z_OK)
    return WEIR_ERR_NOMEM;
  z.next_in = (Bytef *)(uintptr_t)src;
  z.avail_in = (uInt)n;
  z.next_out = dst;
  z.avail_out = (uInt)want;
  int rc = inflate(&z, Z_FINISH);
  size_t got = z.total_out;
  inflateEnd(&z);
  /* want == 0 cannot end the stream with no room: accept an empty page. */
  if ((rc != Z_STREAM_END && !(want == 0 && rc == Z_BUF_ERROR)) || got != want)
    return WEIR_ERR_FORMAT;
  return WEIR_OK;
}

int pq_decompress(int codec, const uint8_t *src, size_t n, uint8_t *dst,
                  size_t want) {
  switch (codec) {
  case PQ_CODEC_UNCOMPRESSED:
    if (n != want)
      return WEIR_ERR_FORMAT;
    if (n)
      memcpy(dst, src, n);
    return WEIR_OK;
  case PQ_CODEC_SNAPPY: {
    size_t len;
    if (snappy_uncompressed_length((const char *)src, n, &len) != SNAPPY_OK ||
        len != want)
      return WEIR_ERR_FORMAT;
    if (snappy_validate_compressed_buffer((const char *)src, n) != SNAPPY_OK)
      return WEIR_ERR_FORMAT;
    if (snappy_uncompress((const char *)src, n, (char *)dst, &len) !=
            SNAPPY_OK ||
        len != want)
      return WEIR_ERR_FORMAT;
    return WEIR_OK;
  }
  case PQ_CODEC_ZSTD: {
    /* A page may hold several frames (some writers stream them): decode
     * with a context until the input is used up. */
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    if (!dc)
      return WEIR_ERR_NOMEM;
    ZSTD_inBuffer in = {src, n, 0};
    ZSTD_outBuffer o = {dst, want, 0};
    int rc = WEIR_OK;
    while (in.pos < in.size) {
      size_t r = ZSTD_decompressStream(dc, &o, &in);
      if (ZSTD_isError(r)) {
        rc = WEIR_ERR_FORMAT;
        break;
      }
      if (r != 0 && o.pos == o.size && in.pos < in.size) {
        rc = WEIR_ERR_FORMAT; /* more output than announced */
        break;
      }
      if (r != 0 && in.pos == in.size) {
        rc = WEIR_ERR_FORMAT; /* truncated frame */
        break;
      }
    }
    ZSTD_freeDCtx(dc);
    if (rc == WEIR_OK && o.pos != want)
      rc = WEIR_ERR_FORMAT;
    return rc;
  }
  case PQ_CODEC_GZIP: return gzip_decompress(src, n, dst, want);
  default: return WEIR_ERR_UNSUPPORTED;
  }
}
