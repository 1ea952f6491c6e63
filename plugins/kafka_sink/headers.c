/* plugins/kafka_sink/headers.c — a `headers` column to Kafka headers.
 *
 * weir has no array or map type yet, so headers travel as a STRING holding
 * the JSON the kafka source writes: [{"key":"k","value":"<base64>"}, ...]
 * (a value may be null; base64 because header values are bytes, as Spark's
 * BINARY values in JSON). A source's headers column therefore goes through
 * a sink unchanged. */
#include <stdio.h>
#include <string.h>

#include "sink.h"

static int b64val(uint8_t c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Standard, padded base64 into out (cleared first). -1 when malformed. */
static int b64_decode(const char *s, size_t n, weir_buf *out) {
  weir_buf_clear(out);
  if (n % 4)
    return -1;
  for (size_t i = 0; i < n; i += 4) {
    int v[4], pad = 0;
    for (int j = 0; j < 4; j++) {
      uint8_t c = (uint8_t)s[i + j];
      if (c == '=' && i + 4 == n && j >= 2) {
        v[j] = 0;
        pad++;
      } else if (pad || (v[j] = b64val(c)) < 0) {
        return -1;
      }
    }
    uint8_t b[3] = {(uint8_t)(v[0] << 2 | v[1] >> 4),
                    (uint8_t)(v[1] << 4 | v[2] >> 2),
                    (uint8_t)(v[2] << 6 | v[3])};
    weir_buf_append(out, b, (size_t)(3 - pad));
  }
  return out->err ? -1 : 0;
}

static int mp_array(const uint8_t **pp, const uint8_t *end, uint32_t *n) {
  const uint8_t *p = *pp;
  if (p >= end)
    return -1;
  if ((p[0] & 0xf0) == 0x90) {
    *n = p[0] & 0x0f;
    *pp = p + 1;
  } else if (p[0] == 0xdc && end - p >= 3) {
    *n = (uint32_t)p[1] << 8 | p[2];
    *pp = p + 3;
  } else if (p[0] == 0xdd && end - p >= 5) {
    *n = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 |
         p[4];
    *pp = p + 5;
  } else {
    return -1;
  }
  return 0;
}

int ksink_headers(ksink *k, const char *text, size_t len,
                  rd_kafka_headers_t **out, char *err, size_t errlen) {
  char sub[200];
  *out = NULL;
  weir_buf_clear(&k->hdr_mp);
  if (weir_json_to_msgpack(&k->hdr_mp, text, len, sub, sizeof sub) != WEIR_OK) {
    snprintf(err, errlen, "headers: not valid JSON (%s)", sub);
    return WEIR_ERR_FORMAT;
  }
  const uint8_t *p = k->hdr_mp.data, *end = p + k->hdr_mp.len;
  uint32_t n;
  if (mp_array(&p, end, &n) != 0)
    goto bad;
  rd_kafka_headers_t *h = rd_kafka_headers_new(n ? n : 1);
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *elem = p;
    weir_value key, val;
    if (weir_mp_skip(&p, end) != WEIR_OK ||
        weir_map_find(elem, (size_t)(p - elem), "key", &key) != 1 ||
        key.type != WEIR_T_STRING) {
      rd_kafka_headers_destroy(h);
      goto bad;
    }
    int has = weir_map_find(elem, (size_t)(p - elem), "value", &val);
    char name[256];
    if (key.v.s.len >= sizeof name || memchr(key.v.s.ptr, 0, key.v.s.len)) {
      rd_kafka_headers_destroy(h);
      snprintf(err, errlen, "headers: a key is longer than 255 bytes");
      return WEIR_ERR_FORMAT;
    }
    memcpy(name, key.v.s.ptr, key.v.s.len);
    name[key.v.s.len] = '\0';
    if (has != 1 || val.type == WEIR_T_NULL) {
      rd_kafka_header_add(h, name, -1, NULL, 0);
      continue;
    }
    if (val.type != WEIR_T_STRING ||
        b64_decode(val.v.s.ptr, val.v.s.len, &k->hdr_val) != 0) {
      rd_kafka_headers_destroy(h);
      snprintf(err, errlen,
               "headers: the value of '%s' is not base64 (header values are "
               "bytes)",
               name);
      return WEIR_ERR_FORMAT;
    }
    /* An empty value is not a null one. */
    rd_kafka_header_add(h, name, -1,
                        k->hdr_val.data ? (const void *)k->hdr_val.data : "",
                        (ssize_t)k->hdr_val.len);
  }
  *out = h;
  return WEIR_OK;
bad:
  snprintf(err, errlen,
           "headers: expected a JSON array "
           "[{\"key\":\"k\",\"value\":\"<base64>\"}, ...]");
  return WEIR_ERR_FORMAT;
}
