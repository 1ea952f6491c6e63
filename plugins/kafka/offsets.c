/* plugins/kafka/offsets.c — partition lists of the kafka source: the logged
 * offset format, the JSON options naming partitions, and Spark's rate limit
 * (see offsets.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offsets.h"

/* ---- the list ------------------------------------------------------------ */

kp *kp_add(kp_list *l, const char *topic, int32_t part) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    kp *v = realloc(l->v, cap * sizeof *v);
    if (!v)
      return NULL;
    l->v = v;
    l->cap = cap;
  }
  kp *p = &l->v[l->n];
  memset(p, 0, sizeof *p);
  if (!(p->topic = strdup(topic)))
    return NULL;
  p->part = part;
  l->n++;
  return p;
}

kp *kp_find(const kp_list *l, const char *topic, int32_t part) {
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].part == part && strcmp(l->v[i].topic, topic) == 0)
      return &l->v[i];
  return NULL;
}

static int kp_cmp(const void *a, const void *b) {
  const kp *x = a, *y = b;
  int c = strcmp(x->topic, y->topic);
  if (c)
    return c;
  return (x->part > y->part) - (x->part < y->part);
}

void kp_sort(kp_list *l) {
  if (l->n > 1)
    qsort(l->v, l->n, sizeof *l->v, kp_cmp);
}

void kp_clear(kp_list *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i].topic);
  l->n = 0;
}

void kp_free(kp_list *l) {
  kp_clear(l);
  free(l->v);
  l->v = NULL;
  l->cap = 0;
}

const char *kp_name(const kp *p, char *buf, size_t n) {
  snprintf(buf, n, "%s-%" PRId32, p->topic, p->part);
  return buf;
}

/* ---- msgpack walking ----------------------------------------------------- */

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

/* A map (is_map) or array header at *pp; -1 when it is not one. */
static int mp_container(const uint8_t **pp, const uint8_t *end, int is_map,
                        uint32_t *n) {
  const uint8_t *p = *pp;
  if (p >= end)
    return -1;
  uint8_t fix = is_map ? 0x80 : 0x90, b16 = is_map ? 0xde : 0xdc,
          b32 = is_map ? 0xdf : 0xdd;
  if ((p[0] & 0xf0) == fix) {
    *n = p[0] & 0x0f;
    *pp = p + 1;
  } else if (p[0] == b16 && end - p >= 3) {
    *n = be16(p + 1);
    *pp = p + 3;
  } else if (p[0] == b32 && end - p >= 5) {
    *n = be32(p + 1);
    *pp = p + 5;
  } else {
    return -1;
  }
  return 0;
}

static int mp_str(const uint8_t **pp, const uint8_t *end, const char **s,
                  size_t *n) {
  weir_value v;
  if (weir_value_decode(pp, end, &v) != WEIR_OK || v.type != WEIR_T_STRING)
    return -1;
  *s = v.v.s.ptr;
  *n = v.v.s.len;
  return 0;
}

static int mp_int(const uint8_t **pp, const uint8_t *end, int64_t *i) {
  weir_value v;
  if (weir_value_decode(pp, end, &v) != WEIR_OK || v.type != WEIR_T_INT)
    return -1;
  *i = v.v.i;
  return 0;
}

/* A partition number written as a decimal string key. */
static int parse_part(const char *s, size_t n, int32_t *part) {
  int64_t v = 0;
  if (n == 0 || n > 10)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  if (v > INT32_MAX)
    return -1;
  *part = (int32_t)v;
  return 0;
}

/* Copies a topic name out of msgpack (topics are at most 249 bytes). */
static int topic_copy(const char *s, size_t n, char *buf, size_t cap) {
  if (n == 0 || n >= cap || memchr(s, '\0', n))
    return -1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  return 0;
}

/* ---- logged offsets ------------------------------------------------------ */

int kp_decode(const uint8_t *data, size_t len, kp_list *l, char *err,
              size_t errlen) {
  const uint8_t *p = data, *end = data + len;
  uint32_t nt, np;
  char topic[256];
  kp_clear(l);
  if (mp_container(&p, end, 1, &nt) != 0)
    goto bad;
  for (uint32_t t = 0; t < nt; t++) {
    const char *s;
    size_t n;
    if (mp_str(&p, end, &s, &n) != 0 ||
        topic_copy(s, n, topic, sizeof topic) != 0 ||
        mp_container(&p, end, 1, &np) != 0)
      goto bad;
    for (uint32_t i = 0; i < np; i++) {
      int32_t part;
      if (mp_str(&p, end, &s, &n) != 0 || parse_part(s, n, &part) != 0)
        goto bad;
      kp *e = kp_add(l, topic, part);
      if (!e) {
        snprintf(err, errlen, "out of memory");
        return WEIR_ERR_NOMEM;
      }
      uint32_t na;
      const uint8_t *q = p;
      if (mp_container(&q, end, 0, &na) == 0) {
        p = q;
        if (na != 2 || mp_int(&p, end, &e->from) != 0 ||
            mp_int(&p, end, &e->until) != 0 || e->from < 0 ||
            e->until < e->from)
          goto bad;
        e->has_from = 1;
      } else if (mp_int(&p, end, &e->until) != 0 || e->until < 0) {
        goto bad;
      }
    }
  }
  if (p != end)
    goto bad;
  return WEIR_OK;
bad:
  snprintf(err, errlen,
           "malformed kafka offset: expected {\"topic\": {\"partition\": "
           "offset or [start, end]}}");
  return WEIR_ERR_FORMAT;
}

void kp_encode(const kp_list *l, weir_buf *out) {
  char num[16];
  size_t i = 0;
  uint32_t ntopics = 0;
  for (size_t k = 0; k < l->n; k++)
    if (k == 0 || strcmp(l->v[k].topic, l->v[k - 1].topic) != 0)
      ntopics++;
  weir_mp_map(out, ntopics);
  while (i < l->n) {
    size_t j = i;
    while (j < l->n && strcmp(l->v[j].topic, l->v[i].topic) == 0)
      j++;
    weir_mp_str(out, l->v[i].topic, strlen(l->v[i].topic));
    weir_mp_map(out, (uint32_t)(j - i));
    for (size_t k = i; k < j; k++) {
      int n = snprintf(num, sizeof num, "%" PRId32, l->v[k].part);
      weir_mp_str(out, num, (size_t)n);
      if (l->v[k].has_from) {
        weir_mp_array(out, 2);
        weir_mp_int(out, l->v[k].from);
      }
      weir_mp_int(out, l->v[k].until);
    }
    i = j;
  }
}

/* ---- JSON options -------------------------------------------------------- */

static int json_msgpack(const char *json, weir_buf *mp, char *err,
                        size_t errlen) {
  char sub[256];
  if (weir_json_to_msgpack(mp, json, strlen(json), sub, sizeof sub) !=
      WEIR_OK) {
    snprintf(err, errlen, "not valid JSON (%s)", sub);
    return WEIR_ERR_INVALID;
  }
  if (mp->err) {
    snprintf(err, errlen, "out of memory");
    return WEIR_ERR_NOMEM;
  }
  return WEIR_OK;
}

int kp_parse_json_map(const char *json, int allow_iso, kp_list *l, char *err,
                      size_t errlen) {
  weir_buf mp = WEIR_BUF_INIT;
  int rc = json_msgpack(json, &mp, err, errlen);
  if (rc != WEIR_OK)
    return rc;
  const uint8_t *p = mp.data, *end = mp.data + mp.len;
  uint32_t nt, np;
  char topic[256];
  kp_clear(l);
  rc = WEIR_ERR_INVALID;
  if (mp_container(&p, end, 1, &nt) != 0)
    goto bad;
  for (uint32_t t = 0; t < nt; t++) {
    const char *s;
    size_t n;
    if (mp_str(&p, end, &s, &n) != 0 ||
        topic_copy(s, n, topic, sizeof topic) != 0 ||
        mp_container(&p, end, 1, &np) != 0)
      goto bad;
    for (uint32_t i = 0; i < np; i++) {
      int32_t part;
      weir_value v;
      if (mp_str(&p, end, &s, &n) != 0 || parse_part(s, n, &part) != 0 ||
          weir_value_decode(&p, end, &v) != WEIR_OK)
        goto bad;
      if (kp_find(l, topic, part)) {
        snprintf(err, errlen, "partition %s-%" PRId32 " is given twice", topic,
                 part);
        goto out;
      }
      kp *e = kp_add(l, topic, part);
      if (!e) {
        snprintf(err, errlen, "out of memory");
        rc = WEIR_ERR_NOMEM;
        goto out;
      }
      if (v.type == WEIR_T_INT) {
        e->until = v.v.i;
      } else if (allow_iso && v.type == WEIR_T_STRING &&
                 weir_parse_timestamp(v.v.s.ptr, v.v.s.len, &e->until) ==
                     WEIR_OK) {
        e->until /= 1000; /* Kafka timestamps are milliseconds */
      } else {
        snprintf(err, errlen, "partition %s-%" PRId32 ": expected %s", topic,
                 part,
                 allow_iso ? "milliseconds since the Unix epoch or an "
                             "ISO-8601 timestamp"
                           : "an offset (-2 earliest, -1 latest)");
        goto out;
      }
    }
  }
  if (p == end) {
    rc = WEIR_OK;
    goto out;
  }
bad:
  snprintf(err, errlen,
           "expected a JSON object {\"topic\": {\"partition\": value, ...}}");
out:
  weir_buf_free(&mp);
  return rc;
}

int kp_parse_json_assign(const char *json, kp_list *l, char *err,
                         size_t errlen) {
  weir_buf mp = WEIR_BUF_INIT;
  int rc = json_msgpack(json, &mp, err, errlen);
  if (rc != WEIR_OK)
    return rc;
  const uint8_t *p = mp.data, *end = mp.data + mp.len;
  uint32_t nt, np;
  char topic[256];
  kp_clear(l);
  rc = WEIR_ERR_INVALID;
  if (mp_container(&p, end, 1, &nt) != 0 || nt == 0)
    goto bad;
  for (uint32_t t = 0; t < nt; t++) {
    const char *s;
    size_t n;
    if (mp_str(&p, end, &s, &n) != 0 ||
        topic_copy(s, n, topic, sizeof topic) != 0 ||
        mp_container(&p, end, 0, &np) != 0)
      goto bad;
    for (uint32_t i = 0; i < np; i++) {
      int64_t part;
      if (mp_int(&p, end, &part) != 0 || part < 0 || part > INT32_MAX)
        goto bad;
      if (kp_find(l, topic, (int32_t)part)) {
        snprintf(err, errlen, "partition %s-%" PRId64 " is given twice", topic,
                 part);
        goto out;
      }
      if (!kp_add(l, topic, (int32_t)part)) {
        snprintf(err, errlen, "out of memory");
        rc = WEIR_ERR_NOMEM;
        goto out;
      }
    }
  }
  if (p == end) {
    rc = WEIR_OK;
    goto out;
  }
bad:
  snprintf(err, errlen,
           "expected a JSON object of partition lists, e.g. "
           "{\"topicA\": [0, 1], \"topicB\": [2]}");
out:
  weir_buf_free(&mp);
  return rc;
}

/* ---- limits -------------------------------------------------------------- */

int64_t kp_backlog(const kp_list *l) {
  int64_t total = 0;
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].until > l->v[i].from)
      total += l->v[i].until - l->v[i].from;
  return total;
}

void kp_rate_limit(kp_list *l, int64_t limit) {
  /* As Spark: total as a double, each share limit * (size / total). */
  double total = (double)kp_backlog(l);
  if (total < 1)
    return;
  for (size_t i = 0; i < l->n; i++) {
    kp *p = &l->v[i];
    int64_t size = p->until - p->from;
    if (size <= 0)
      continue;
    double prorate = (double)limit * ((double)size / total);
    /* Don't completely starve small partitions (Spark). */
    int64_t share = (int64_t)(prorate < 1 ? ceil(prorate) : floor(prorate));
    int64_t off = share <= INT64_MAX - p->from ? p->from + share : INT64_MAX;
    if (off < p->until)
      p->until = off;
  }
}
