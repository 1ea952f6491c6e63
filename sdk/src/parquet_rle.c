/* parquet_rle.c — Parquet's integer encodings: bit-packing, the RLE /
 * bit-packed hybrid (definition levels, dictionary indices, RLE booleans)
 * and DELTA_BINARY_PACKED (integers in files of writers using format 2.0
 * features, DuckDB's PARQUET_VERSION V2 among them; also the lengths inside
 * DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY). Decoders never read past
 * the end they are given and report malformed input instead. */
#include <string.h>

#include "parquet_int.h"

void pq_pack8(const uint32_t *in, int width, uint8_t *out) {
  uint64_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (int k = 0; k < 8; k++) {
    acc |= (uint64_t)in[k] << bits;
    bits += width;
    while (bits >= 8) {
      out[o++] = (uint8_t)acc;
      acc >>= 8;
      bits -= 8;
    }
  }
}

void pq_unpack8(const uint8_t *in, int width, uint32_t *out) {
  uint64_t acc = 0;
  uint32_t mask = width >= 32 ? 0xffffffffu : (1u << width) - 1;
  int bits = 0;
  for (int k = 0; k < 8; k++) {
    while (bits < width) {
      acc |= (uint64_t)*in++ << bits;
      bits += 8;
    }
    out[k] = (uint32_t)acc & mask;
    acc >>= width;
    bits -= width;
  }
}

/* ---- hybrid encoder ------------------------------------------------------ */

static size_t run_at(const uint32_t *v, size_t i, size_t n) {
  size_t j = i + 1;
  while (j < n && v[j] == v[i])
    j++;
  return j - i;
}

void pq_rle_encode(weir_buf *out, int width, const uint32_t *v, size_t n) {
  size_t vbytes = (size_t)(width + 7) / 8;
  size_t i = 0;
  while (i < n) {
    size_t run = run_at(v, i, n);
    if (run >= 8) {
      uint8_t val[4];
      tc_varint(out, (uint64_t)run << 1);
      pq_put_le32(val, v[i]);
      weir_buf_append(out, val, vbytes);
      i += run;
      continue;
    }
    /* Bit-packed groups until a group boundary where a long run starts:
     * short runs cost less packed than as RLE runs. */
    size_t start = i;
    do {
      i += 8;
    } while (i < n && run_at(v, i, n) < 8);
    size_t groups = ((i < n ? i : n) - start + 7) / 8;
    tc_varint(out, (uint64_t)groups << 1 | 1);
    if (weir_buf_reserve(out, groups * (size_t)width) != WEIR_OK)
      return;
    for (size_t g = 0; g < groups; g++) {
      uint32_t grp[8];
      size_t at = start + g * 8;
      for (int k = 0; k < 8; k++)
        grp[k] = at + (size_t)k < n ? v[at + (size_t)k] : 0;
      pq_pack8(grp, width, out->data + out->len);
      out->len += (size_t)width;
    }
    if (i > n)
      i = n;
  }
}

/* ---- hybrid decoder ------------------------------------------------------ */

void pq_rle_dec_init(pq_rle_dec *d, const uint8_t *p, const uint8_t *end,
                     int width) {
  memset(d, 0, sizeof *d);
  d->p = p;
  d->end = end;
  d->width = width;
}

static int read_uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *v) {
  const uint8_t *p = *pp;
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= end)
      return -1;
    uint8_t c = *p++;
    *v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      *pp = p;
      return 0;
    }
  }
  return -1;
}

long pq_rle_get(pq_rle_dec *d, uint32_t *out, size_t n) {
  size_t got = 0;
  if (d->width < 0 || d->width > 32)
    return -1;
  while (got < n) {
    if (d->rle_left) {
      size_t k = n - got < d->rle_left ? n - got : d->rle_left;
      for (size_t i = 0; i < k; i++)
        out[got + i] = d->rle_val;
      got += k;
      d->rle_left -= (uint32_t)k;
      continue;
    }
    if (d->grp_pos < d->grp_n) {
      while (d->grp_pos < d->grp_n && got < n)
        out[got++] = d->grp[d->grp_pos++];
      continue;
    }
    if (d->bp_left) {
      d->grp_n = d->bp_left < 8 ? (int)d->bp_left : 8;
      pq_unpack8(d->bp, d->width, d->grp);
      d->bp += d->width;
      d->bp_left -= (uint32_t)d->grp_n;
      d->grp_pos = 0;
      continue;
    }
    if (d->p >= d->end)
      break;
    uint64_t h;
    if (read_uvarint(&d->p, d->end, &h) != 0)
      return -1;
    if (h & 1) {
      uint64_t groups = h >> 1;
      uint64_t avail = (uint64_t)(d->end - d->p);
      if (d->width == 0) {
        d->bp_left = groups > (1u << 28) ? 1u << 31 : (uint32_t)(groups * 8);
        d->bp = d->p;
        continue;
      }
      /* A final run may be cut short of its groups by a writer that pads
       * nothing: read the whole groups that are there. */
      if (groups * (uint64_t)d->width > avail)
        groups = avail / (uint64_t)d->width;
      if (groups == 0)
        return -1;
      d->bp = d->p;
      d->bp_left = (uint32_t)(groups * 8);
      d->p += groups * (uint64_t)d->width;
    } else {
      size_t vb = (size_t)(d->width + 7) / 8;
      if ((size_t)(d->end - d->p) < vb || (h >> 1) > UINT32_MAX)
        return -1;
      uint32_t val = 0;
      for (size_t i = 0; i < vb; i++)
        val |= (uint32_t)d->p[i] << (8 * i);
      d->p += vb;
      d->rle_val = val;
      d->rle_left = (uint32_t)(h >> 1);
    }
  }
  return (long)got;
}

/* ---- DELTA_BINARY_PACKED --------------------------------------------------
 */

static int64_t unzigzag(uint64_t u) {
  return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

int pq_delta_init(pq_delta_dec *d, const uint8_t *p, const uint8_t *end) {
  uint64_t first;
  memset(d, 0, sizeof *d);
  if (read_uvarint(&p, end, &d->block_size) ||
      read_uvarint(&p, end, &d->nmini) || read_uvarint(&p, end, &d->total) ||
      read_uvarint(&p, end, &first))
    return WEIR_ERR_FORMAT;
  if (d->block_size == 0 || d->block_size > (1u << 20) || d->nmini == 0 ||
      d->block_size % d->nmini || (d->block_size / d->nmini) % 8)
    return WEIR_ERR_FORMAT;
  d->per_mini = d->block_size / d->nmini;
  d->last = unzigzag(first);
  d->first_pending = d->total > 0;
  d->p = p;
  d->end = end;
  d->mini = d->nmini; /* no block read yet */
  d->in_mini = d->per_mini;
  return WEIR_OK;
}

/* `width` bits at bit `pos` of `p` (all inside the miniblock: checked). */
static uint64_t bits_at(const uint8_t *p, uint64_t pos, int width) {
  uint64_t v = 0;
  int got = 0;
  p += pos / 8;
  int shift = (int)(pos % 8);
  while (got < width) {
    uint64_t byte = (uint64_t)(*p++ >> shift);
    int take = 8 - shift;
    v |= byte << got;
    got += take;
    shift = 0;
  }
  return width == 64 ? v : v & ((UINT64_C(1) << width) - 1);
}

long pq_delta_get(pq_delta_dec *d, int64_t *out, size_t n) {
  size_t got = 0;
  while (got < n && d->done < d->total) {
    if (d->first_pending) {
      out[got++] = d->last;
      d->first_pending = 0;
      d->done++;
      continue;
    }
    if (d->in_mini >= d->per_mini) {
      if (++d->mini >= d->nmini) {
        uint64_t md;
        if (read_uvarint(&d->p, d->end, &md) != 0 ||
            (uint64_t)(d->end - d->p) < d->nmini)
          return -1;
        d->min_delta = unzigzag(md);
        d->widths = d->p;
        d->p += d->nmini;
        d->mini = 0;
      }
      int w = d->widths[d->mini];
      if (w > 64)
        return -1;
      /* Only the bytes of the values still to come must be there: the
       * last miniblock may be cut short. */
      uint64_t need_vals = d->total - d->done;
      if (need_vals > d->per_mini)
        need_vals = d->per_mini;
      uint64_t need = (need_vals * (uint64_t)w + 7) / 8;
      uint64_t full = d->per_mini * (uint64_t)w / 8;
      if ((uint64_t)(d->end - d->p) < need)
        return -1;
      d->mini_p = d->p;
      d->p +=
          (uint64_t)(d->end - d->p) < full ? (uint64_t)(d->end - d->p) : full;
      d->in_mini = 0;
    }
    int w = d->widths[d->mini];
    uint64_t delta = w ? bits_at(d->mini_p, d->in_mini * (uint64_t)w, w) : 0;
    d->last = (int64_t)((uint64_t)d->last + (uint64_t)d->min_delta + delta);
    out[got++] = d->last;
    d->in_mini++;
    d->done++;
  }
  return (long)got;
}

const uint8_t *pq_delta_end(pq_delta_dec *d) {
  int64_t tmp[256];
  while (d->done < d->total) {
    long k = pq_delta_get(d, tmp, 256);
    if (k <= 0)
      return NULL;
  }
  return d->p;
}
