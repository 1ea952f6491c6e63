/* parquet_page.c — the reader's column cursor: walks one column chunk page by
 * page (dictionary page, data pages v1 and v2, index pages skipped), reads
 * each page's bytes with pread, decompresses it, and hands out one row at a
 * time: its definition level and, for a non-null row, its physical value in
 * whichever encoding the writer chose.
 *
 * Memory: one compressed and one decompressed page, and the dictionary,
 * per column; all kept between pages and row groups. Every length read from
 * the file is checked against the bytes that are really there. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parquet_int.h"

#define MAX_PAGE ((int64_t)1 << 30)   /* a larger page is taken as corrupt */
#define MAX_HEADER ((size_t)16 << 20) /* page headers (statistics) */

int pq_src_read(const pq_src *s, int64_t off, void *dst, size_t n) {
  if (off < 0 || off > s->size || (int64_t)n > s->size - off)
    return WEIR_ERR_FORMAT;
  if (s->mem) {
    memcpy(dst, s->mem + off, n);
    return WEIR_OK;
  }
  size_t got = 0;
  while (got < n) {
    ssize_t r =
        pread(s->fd, (uint8_t *)dst + got, n - got, (off_t)off + (off_t)got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return WEIR_ERR_IO;
    if (r == 0)
      return WEIR_ERR_FORMAT; /* the file shrank under us */
    got += (size_t)r;
  }
  return WEIR_OK;
}

const char *pq_encoding_name(int enc) {
  static const char *const names[] = {"PLAIN",
                                      "GROUP_VAR_INT",
                                      "PLAIN_DICTIONARY",
                                      "RLE",
                                      "BIT_PACKED",
                                      "DELTA_BINARY_PACKED",
                                      "DELTA_LENGTH_BYTE_ARRAY",
                                      "DELTA_BYTE_ARRAY",
                                      "RLE_DICTIONARY",
                                      "BYTE_STREAM_SPLIT"};
  return enc >= 0 && enc < 10 ? names[enc] : "unknown";
}

void pq_rcol_start(pq_rcol *c, int codec, int64_t off, int64_t end,
                   int64_t num_values) {
  c->codec = codec;
  c->off = off;
  c->end = end;
  c->values_left = num_values;
  c->has_dict = 0;
  c->ndict = 0;
  c->page_left = 0;
}

void pq_rcol_free(pq_rcol *c) {
  weir_buf_free(&c->dict_page);
  weir_buf_free(&c->raw);
  weir_buf_free(&c->page);
  weir_buf_free(&c->cur);
  weir_buf_free(&c->prev);
  free(c->dict);
  c->dict = NULL;
}

#define BAD(...) (snprintf(why, whylen, __VA_ARGS__), WEIR_ERR_FORMAT)

/* The fixed width of a physical type's PLAIN value (0: variable). */
static size_t plain_width(const pq_rcol *c) {
  switch (c->ptype) {
  case PQ_INT32:
  case PQ_FLOAT: return 4;
  case PQ_INT64:
  case PQ_DOUBLE: return 8;
  case PQ_INT96: return 12;
  case PQ_FIXED_LEN_BYTE_ARRAY: return (size_t)c->type_length;
  default: return 0;
  }
}

/* One PLAIN value at *p (advancing it); -1 when the bytes end. */
static int plain_value(const pq_rcol *c, const uint8_t **pp, const uint8_t *end,
                       pq_val *v) {
  const uint8_t *p = *pp;
  size_t w = plain_width(c), left = (size_t)(end - p);
  switch (c->ptype) {
  case PQ_INT32:
    if (left < 4)
      return -1;
    v->i = (int32_t)pq_le32(p);
    break;
  case PQ_INT64:
    if (left < 8)
      return -1;
    v->i = (int64_t)pq_le64(p);
    break;
  case PQ_FLOAT: {
    float f;
    uint32_t u;
    if (left < 4)
      return -1;
    u = pq_le32(p);
    memcpy(&f, &u, 4);
    v->f = f;
    break;
  }
  case PQ_DOUBLE: {
    uint64_t u;
    if (left < 8)
      return -1;
    u = pq_le64(p);
    memcpy(&v->f, &u, 8);
    break;
  }
  case PQ_BYTE_ARRAY:
    if (left < 4 || pq_le32(p) > left - 4)
      return -1;
    v->n = pq_le32(p);
    v->s = p + 4;
    w = 4 + (size_t)v->n;
    break;
  default: /* INT96, FIXED_LEN_BYTE_ARRAY */
    if (left < w)
      return -1;
    v->s = p;
    v->n = (uint32_t)w;
  }
  *pp = p + w;
  return 0;
}

static int load_dict(pq_rcol *c, const pq_page_header *h, char *why,
                     size_t whylen) {
  if (c->ptype == PQ_BOOLEAN)
    return BAD("a dictionary page in a boolean column");
  if (h->encoding != PQ_ENC_PLAIN && h->encoding != PQ_ENC_PLAIN_DICTIONARY)
    return BAD("dictionary page in encoding %s", pq_encoding_name(h->encoding));
  size_t min = plain_width(c) ? plain_width(c) : 4;
  if ((uint64_t)h->num_values * min > c->dict_page.len)
    return BAD("dictionary page of %d values holds only %zu bytes",
               h->num_values, c->dict_page.len);
  if ((uint32_t)h->num_values > c->dict_cap) {
    pq_val *d = realloc(c->dict, (size_t)h->num_values * sizeof *d);
    if (!d) {
      snprintf(why, whylen, "out of memory");
      return WEIR_ERR_NOMEM;
    }
    c->dict = d;
    c->dict_cap = (uint32_t)h->num_values;
  }
  const uint8_t *p = c->dict_page.data, *end = p + c->dict_page.len;
  for (int32_t i = 0; i < h->num_values; i++)
    if (plain_value(c, &p, end, &c->dict[i]) != 0)
      return BAD("dictionary page is truncated at value %d", i);
  c->ndict = (uint32_t)h->num_values;
  c->has_dict = 1;
  return WEIR_OK;
}

/* Sets up the values decoder of a data page over [p, end). */
static int start_values(pq_rcol *c, int enc, const uint8_t *p,
                        const uint8_t *end, char *why, size_t whylen) {
  c->enc = enc;
  c->vp = p;
  c->vend = end;
  c->bit = 0;
  c->ib_n = c->ib_pos = c->db_n = c->db_pos = c->db2_n = c->db2_pos = 0;
  int ints = c->ptype == PQ_INT32 || c->ptype == PQ_INT64;
  switch (enc) {
  case PQ_ENC_PLAIN: return WEIR_OK;
  case PQ_ENC_PLAIN_DICTIONARY:
  case PQ_ENC_RLE_DICTIONARY:
    if (!c->has_dict)
      return BAD("dictionary-encoded page without a dictionary page");
    if (p >= end)
      return BAD("dictionary-encoded page without its bit width");
    if (*p > 32)
      return BAD("dictionary index bit width %d", *p);
    pq_rle_dec_init(&c->idx, p + 1, end, *p);
    return WEIR_OK;
  case PQ_ENC_RLE:
    if (c->ptype != PQ_BOOLEAN || end - p < 4 ||
        pq_le32(p) > (uint64_t)(end - p - 4))
      return BAD("bad RLE boolean values");
    pq_rle_dec_init(&c->idx, p + 4, p + 4 + pq_le32(p), 1);
    return WEIR_OK;
  case PQ_ENC_DELTA_BINARY_PACKED:
    if (!ints || pq_delta_init(&c->d1, p, end) != WEIR_OK)
      return BAD("bad DELTA_BINARY_PACKED values");
    return WEIR_OK;
  case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
  case PQ_ENC_DELTA_BYTE_ARRAY: {
    pq_delta_dec tmp;
    if (c->ptype != PQ_BYTE_ARRAY || pq_delta_init(&c->d1, p, end) != WEIR_OK)
      return BAD("bad %s values", pq_encoding_name(enc));
    tmp = c->d1;
    const uint8_t *q = pq_delta_end(&tmp);
    if (!q)
      return BAD("bad %s lengths", pq_encoding_name(enc));
    if (enc == PQ_ENC_DELTA_BYTE_ARRAY) {
      /* prefix lengths, then the suffixes as DELTA_LENGTH_BYTE_ARRAY */
      if (pq_delta_init(&c->d2, q, end) != WEIR_OK)
        return BAD("bad DELTA_BYTE_ARRAY suffix lengths");
      tmp = c->d2;
      q = pq_delta_end(&tmp);
      if (!q)
        return BAD("bad DELTA_BYTE_ARRAY suffix lengths");
      weir_buf_clear(&c->prev);
    }
    c->data = q;
    return WEIR_OK;
  }
  case PQ_ENC_BYTE_STREAM_SPLIT: {
    size_t w = plain_width(c);
    if (!w || c->ptype == PQ_INT96)
      return BAD("BYTE_STREAM_SPLIT in a column of this type");
    c->bss_n = (uint64_t)(end - p) / w;
    c->bss_i = 0;
    return WEIR_OK;
  }
  default:
    snprintf(why, whylen, "encoding %s is not supported",
             pq_encoding_name(enc));
    return WEIR_ERR_UNSUPPORTED;
  }
}

static int decompress_into(pq_rcol *c, const uint8_t *src, size_t n,
                           weir_buf *dst, size_t want, char *why,
                           size_t whylen) {
  weir_buf_clear(dst);
  if (weir_buf_reserve(dst, want + 8) != WEIR_OK) {
    snprintf(why, whylen, "out of memory for a page of %zu bytes", want);
    return WEIR_ERR_NOMEM;
  }
  int rc = pq_decompress(c->codec, src, n, dst->data, want);
  if (rc == WEIR_ERR_UNSUPPORTED) {
    snprintf(why, whylen, "compression %s is not supported",
             pq_codec_name(c->codec));
    return rc;
  }
  if (rc != WEIR_OK)
    return BAD("corrupt %s page (%zu bytes, %zu expected uncompressed)",
               pq_codec_name(c->codec), n, want);
  dst->len = want;
  return WEIR_OK;
}

static int next_page(pq_rcol *c, const pq_src *src, char *why, size_t whylen) {
  for (;;) {
    if (c->values_left <= 0)
      return BAD("more rows than the column chunk holds values");
    if (c->off >= c->end)
      return BAD("column chunk ends %lld values early",
                 (long long)c->values_left);
    /* The header's size is unknown until it is decoded: try a small read,
     * then larger ones (statistics can make headers long). */
    pq_page_header h;
    long hl = 0;
    size_t avail = (size_t)(c->end - c->off), want = 256;
    for (;;) {
      size_t n = want < avail ? want : avail;
      weir_buf_clear(&c->raw);
      if (weir_buf_reserve(&c->raw, n) != WEIR_OK)
        return WEIR_ERR_NOMEM;
      int rc = pq_src_read(src, c->off, c->raw.data, n);
      if (rc == WEIR_ERR_IO) {
        snprintf(why, whylen, "read error: %s", strerror(errno));
        return rc;
      }
      if (rc != WEIR_OK)
        return BAD("file truncated inside a column chunk");
      hl = pq_page_header_decode(c->raw.data, n, &h);
      if (hl > 0 || n == avail || want >= MAX_HEADER)
        break;
      want *= 8;
    }
    if (hl <= 0)
      return BAD("corrupt page header at offset %lld", (long long)c->off);
    c->off += hl;
    if (h.compressed_size > c->end - c->off)
      return BAD("page of %d bytes runs past its column chunk",
                 h.compressed_size);
    if (h.uncompressed_size > MAX_PAGE)
      return BAD("page of %d bytes uncompressed is too large",
                 h.uncompressed_size);
    weir_buf_clear(&c->raw);
    if (weir_buf_reserve(&c->raw, (size_t)h.compressed_size + 1) != WEIR_OK)
      return WEIR_ERR_NOMEM;
    int rc = pq_src_read(src, c->off, c->raw.data, (size_t)h.compressed_size);
    if (rc != WEIR_OK)
      return rc == WEIR_ERR_IO
                 ? (snprintf(why, whylen, "read error: %s", strerror(errno)),
                    rc)
                 : BAD("file truncated inside a page");
    c->off += h.compressed_size;
    const uint8_t *raw = c->raw.data;
    size_t rn = (size_t)h.compressed_size, un = (size_t)h.uncompressed_size;
    if (h.type == PQ_PAGE_DICTIONARY) {
      if (c->has_dict)
        return BAD("a second dictionary page");
      rc = decompress_into(c, raw, rn, &c->dict_page, un, why, whylen);
      if (rc == WEIR_OK)
        rc = load_dict(c, &h, why, whylen);
      if (rc != WEIR_OK)
        return rc;
      continue;
    }
    if (h.type != PQ_PAGE_DATA && h.type != PQ_PAGE_DATA_V2)
      continue; /* index pages and any future kind: nothing for us */
    if (h.num_values == 0)
      continue;
    if (h.num_values > c->values_left)
      return BAD("page of %d values, only %lld left in the column chunk",
                 h.num_values, (long long)c->values_left);
    const uint8_t *lev = NULL, *levend = NULL, *vals, *vend;
    if (h.type == PQ_PAGE_DATA) {
      rc = decompress_into(c, raw, rn, &c->page, un, why, whylen);
      if (rc != WEIR_OK)
        return rc;
      vals = c->page.data;
      vend = vals + c->page.len;
      if (c->max_def > 0) {
        if (h.def_encoding != PQ_ENC_RLE)
          return BAD("definition levels in encoding %s",
                     pq_encoding_name(h.def_encoding));
        if (vend - vals < 4 || pq_le32(vals) > (uint64_t)(vend - vals - 4))
          return BAD("definition levels run past the page");
        lev = vals + 4;
        levend = lev + pq_le32(vals);
        vals = levend;
      }
    } else {
      /* v2: levels are stored uncompressed before the values. */
      size_t ln = (size_t)h.rep_len + (size_t)h.def_len;
      if (ln > rn || ln > un)
        return BAD("page v2 levels run past the page");
      weir_buf_clear(&c->page);
      if (weir_buf_reserve(&c->page, un + 8) != WEIR_OK)
        return WEIR_ERR_NOMEM;
      memcpy(c->page.data, raw, ln);
      if (h.is_compressed && c->codec != PQ_CODEC_UNCOMPRESSED) {
        int prc = pq_decompress(c->codec, raw + ln, rn - ln, c->page.data + ln,
                                un - ln);
        if (prc == WEIR_ERR_UNSUPPORTED) {
          snprintf(why, whylen, "compression %s is not supported",
                   pq_codec_name(c->codec));
          return prc;
        }
        if (prc != WEIR_OK)
          return BAD("corrupt %s page v2", pq_codec_name(c->codec));
      } else {
        if (rn != un)
          return BAD("uncompressed page v2 of %zu bytes, %zu announced", rn,
                     un);
        memcpy(c->page.data + ln, raw + ln, rn - ln);
      }
      c->page.len = un;
      lev = c->page.data + h.rep_len;
      levend = lev + h.def_len;
      vals = levend;
      vend = c->page.data + un;
    }
    if (c->max_def > 0)
      pq_rle_dec_init(&c->defs, lev, levend,
                      pq_bit_width((uint64_t)c->max_def));
    c->lev_n = c->lev_pos = 0;
    rc = start_values(c, h.encoding, vals, vend, why, whylen);
    if (rc != WEIR_OK)
      return rc;
    c->page_left = h.num_values;
    c->values_left -= h.num_values;
    return WEIR_OK;
  }
}

/* Next int from a DELTA_BINARY_PACKED stream, refilled in blocks. */
static int delta_next(pq_delta_dec *d, int64_t *buf, int *n, int *pos,
                      int64_t *out) {
  if (*pos >= *n) {
    long k = pq_delta_get(d, buf, PQ_LEVBUF);
    if (k <= 0)
      return -1;
    *n = (int)k;
    *pos = 0;
  }
  *out = buf[(*pos)++];
  return 0;
}

static int take_bytes(pq_rcol *c, int64_t len, pq_val *v) {
  if (len < 0 || len > c->vend - c->data)
    return -1;
  v->s = c->data;
  v->n = (uint32_t)len;
  c->data += len;
  return 0;
}

/* Decodes the page's next non-null value. */
static int next_value(pq_rcol *c, pq_val *v, char *why, size_t whylen) {
  switch (c->enc) {
  case PQ_ENC_PLAIN:
    if (c->ptype == PQ_BOOLEAN) {
      if ((c->bit >> 3) >= (uint64_t)(c->vend - c->vp))
        return BAD("boolean values end early");
      v->i = c->vp[c->bit >> 3] >> (c->bit & 7) & 1;
      c->bit++;
      return WEIR_OK;
    }
    if (plain_value(c, &c->vp, c->vend, v) != 0)
      return BAD("values end early (PLAIN)");
    return WEIR_OK;
  case PQ_ENC_PLAIN_DICTIONARY:
  case PQ_ENC_RLE_DICTIONARY:
  case PQ_ENC_RLE:
    if (c->ib_pos >= c->ib_n) {
      long k = pq_rle_get(&c->idx, c->ibuf, PQ_LEVBUF);
      if (k <= 0)
        return BAD("%s values end early", pq_encoding_name(c->enc));
      c->ib_n = (int)k;
      c->ib_pos = 0;
    }
    if (c->enc == PQ_ENC_RLE) {
      v->i = c->ibuf[c->ib_pos++] & 1;
      return WEIR_OK;
    }
    if (c->ibuf[c->ib_pos] >= c->ndict)
      return BAD("dictionary index %u out of %u entries", c->ibuf[c->ib_pos],
                 c->ndict);
    *v = c->dict[c->ibuf[c->ib_pos++]];
    return WEIR_OK;
  case PQ_ENC_DELTA_BINARY_PACKED:
    if (delta_next(&c->d1, c->dbuf, &c->db_n, &c->db_pos, &v->i) != 0)
      return BAD("DELTA_BINARY_PACKED values end early");
    if (c->ptype == PQ_INT32)
      v->i = (int32_t)(uint32_t)v->i;
    return WEIR_OK;
  case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY: {
    int64_t len;
    if (delta_next(&c->d1, c->dbuf, &c->db_n, &c->db_pos, &len) != 0 ||
        take_bytes(c, len, v) != 0)
      return BAD("DELTA_LENGTH_BYTE_ARRAY values end early");
    return WEIR_OK;
  }
  case PQ_ENC_DELTA_BYTE_ARRAY: {
    int64_t pre, suf;
    pq_val s;
    if (delta_next(&c->d1, c->dbuf, &c->db_n, &c->db_pos, &pre) != 0 ||
        delta_next(&c->d2, c->dbuf2, &c->db2_n, &c->db2_pos, &suf) != 0 ||
        take_bytes(c, suf, &s) != 0 || pre < 0 || (uint64_t)pre > c->prev.len)
      return BAD("DELTA_BYTE_ARRAY values end early or are inconsistent");
    /* value = the previous value's first `pre` bytes + the suffix; two
     * buffers so that the value handed out stays valid for the row. */
    weir_buf t = c->cur;
    c->cur = c->prev;
    c->prev = t;
    weir_buf_clear(&c->prev);
    weir_buf_append(&c->prev, c->cur.data, (size_t)pre);
    weir_buf_append(&c->prev, s.s, s.n);
    if (c->prev.err)
      return WEIR_ERR_NOMEM;
    v->s = c->prev.data ? c->prev.data : (const uint8_t *)"";
    v->n = (uint32_t)c->prev.len;
    return WEIR_OK;
  }
  case PQ_ENC_BYTE_STREAM_SPLIT: {
    size_t w = plain_width(c);
    uint8_t tmp[8];
    if (c->bss_i >= c->bss_n)
      return BAD("BYTE_STREAM_SPLIT values end early");
    if (c->ptype == PQ_FIXED_LEN_BYTE_ARRAY) {
      weir_buf_clear(&c->cur);
      if (weir_buf_reserve(&c->cur, w) != WEIR_OK)
        return WEIR_ERR_NOMEM;
      for (size_t j = 0; j < w; j++)
        c->cur.data[j] = c->vp[j * c->bss_n + c->bss_i];
      v->s = c->cur.data;
      v->n = (uint32_t)w;
    } else {
      for (size_t j = 0; j < w; j++)
        tmp[j] = c->vp[j * c->bss_n + c->bss_i];
      const uint8_t *p = tmp;
      plain_value(c, &p, tmp + w, v);
    }
    c->bss_i++;
    return WEIR_OK;
  }
  default: return BAD("encoding %s", pq_encoding_name(c->enc));
  }
}

int pq_rcol_next(pq_rcol *c, const pq_src *src, int *def, pq_val *v, char *why,
                 size_t whylen) {
  if (c->page_left <= 0) {
    int rc = next_page(c, src, why, whylen);
    if (rc != WEIR_OK)
      return rc;
  }
  c->page_left--;
  if (c->max_def == 0) {
    *def = 0;
  } else {
    if (c->lev_pos >= c->lev_n) {
      long k = pq_rle_get(&c->defs, c->lev, PQ_LEVBUF);
      if (k <= 0)
        return BAD("definition levels end early");
      c->lev_n = (int)k;
      c->lev_pos = 0;
    }
    *def = (int)c->lev[c->lev_pos++];
    if (*def > c->max_def)
      return BAD("definition level %d above the maximum %d", *def, c->max_def);
  }
  if (*def < c->max_def)
    return WEIR_OK;
  return next_value(c, v, why, whylen);
}
