/* examples/plugins/sessions/sessions.c — user sessions from click events,
 * an example of the SDK's group-state API (weir/groupstate.h) with
 * event-time timeouts: Spark's flatMapGroupsWithState sessionization.
 *
 * A session is a run of a user's events with less than `gap` (default 30
 * minutes) between consecutive events, as Spark's session_window merges
 * them. A session is final once the watermark reaches its last event +
 * gap: no event that is not late can join it any more. Then it is emitted,
 * once (append mode): the key columns, `start` (first event), `end` (last
 * event), `events` and `duration` (end − start, in whole seconds).
 *
 * Events arrive out of order (within the watermark's delay), so a user may
 * have several open sessions at once; an event between two of them can
 * bridge them. The state of a user is the list of open sessions, as msgpack
 * [[start, end, events], ...] (timestamps as msgpack timestamps), so that
 * `weir checkpoint DIR --state OP` prints it as JSON. Its timeout is the
 * earliest moment one of them becomes final. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <weir/weir.h>

typedef struct sessions_config {
  weir_list key;    /* key columns (default: user) */
  const char *time; /* the event-time column (default: the watermarked one) */
  int64_t gap;      /* inactivity that closes a session */
} sessions_config;

static const weir_option options[] = {
    {"key", WEIR_OPT_LIST, "user", WEIR_OPT_STATE, 0, 0, NULL,
     "the columns that identify a user", offsetof(sessions_config, key)},
    {"time", WEIR_OPT_STRING, NULL, 0, 0, 0, NULL,
     "the event-time column (default: the one a watermark operator marked)",
     offsetof(sessions_config, time)},
    {"gap", WEIR_OPT_DURATION, "30 minutes", 0, 1, 9.2e18, NULL,
     "inactivity (in event time) that closes a session",
     offsetof(sessions_config, gap)},
    WEIR_OPTIONS_END};

typedef struct session {
  int64_t start, end, events;
} session;

typedef struct sessions {
  int timecol;
  int64_t gap;
  session *s; /* the open sessions of the user being called; reused */
  size_t n, cap;
  weir_buf value; /* the state being written; reused */
} sessions;

static void sessions_free(void *user) {
  sessions *u = user;
  if (!u)
    return;
  free(u->s);
  weir_buf_free(&u->value);
  free(u);
}

static int push(sessions *u, int64_t start, int64_t end, int64_t events) {
  if (u->n == u->cap) {
    size_t cap = u->cap ? u->cap * 2 : 8;
    session *s = realloc(u->s, cap * sizeof *s);
    if (!s)
      return WEIR_ERR_NOMEM;
    u->s = s;
    u->cap = cap;
  }
  u->s[u->n++] = (session){start, end, events};
  return WEIR_OK;
}

/* State value → u->s. */
static int load(sessions *u, const void *val, size_t len) {
  const uint8_t *p = val, *end = p + len;
  weir_value list, item, f[3];
  u->n = 0;
  if (weir_value_decode(&p, end, &list) != WEIR_OK ||
      list.type != WEIR_T_STRUCT)
    return WEIR_ERR_FORMAT;
  /* The list's members, one [start, end, events] at a time. */
  p = list.raw + (list.raw[0] == 0xdc ? 3 : list.raw[0] == 0xdd ? 5 : 1);
  for (uint32_t i = 0; i < list.v.nfields; i++) {
    if (weir_value_decode(&p, end, &item) != WEIR_OK ||
        weir_value_members(&item, f, 3) != WEIR_OK ||
        f[0].type != WEIR_T_TIMESTAMP || f[1].type != WEIR_T_TIMESTAMP ||
        f[2].type != WEIR_T_INT || push(u, f[0].v.ts, f[1].v.ts, f[2].v.i))
      return WEIR_ERR_FORMAT;
  }
  return WEIR_OK;
}

/* Two sessions belong together when less than `gap` separates them. */
static int near(const sessions *u, const session *a, const session *b) {
  return b->start - a->end < u->gap && a->start - b->end < u->gap;
}

/* Adds one event: it extends a session it is near, which may then reach
 * the next one; or it starts a session. */
static int add_event(sessions *u, int64_t t) {
  session ev = {t, t, 1};
  size_t i = 0;
  while (i < u->n && !near(u, &u->s[i], &ev))
    i++;
  if (i == u->n)
    return push(u, t, t, 1);
  session *s = &u->s[i];
  s->start = t < s->start ? t : s->start;
  s->end = t > s->end ? t : s->end;
  s->events++;
  for (size_t j = 0; j < u->n;) {
    if (j != i && near(u, &u->s[i], &u->s[j])) {
      session *o = &u->s[j];
      s->start = o->start < s->start ? o->start : s->start;
      s->end = o->end > s->end ? o->end : s->end;
      s->events += o->events;
      u->s[j] = u->s[--u->n];
      if (i == u->n)
        i = j, s = &u->s[i]; /* the merged one moved into j */
      j = 0;
      continue;
    }
    j++;
  }
  return WEIR_OK;
}

static int by_start(const void *a, const void *b) {
  const session *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

static int call(void *user, weir_ctx *ctx, weir_group *g, weir_builder *out) {
  sessions *u = user;
  const void *val;
  size_t len;
  u->n = 0;
  if (weir_group_get(g, &val, &len) && load(u, val, len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_STATE, "sessions: unreadable state");
  const weir_value *row;
  int rc;
  while ((rc = weir_group_next(g, &row)) == 1)
    if (row[u->timecol].type == WEIR_T_TIMESTAMP &&
        add_event(u, row[u->timecol].v.ts) != WEIR_OK)
      return weir_error(ctx, WEIR_ERR_NOMEM, "sessions: out of memory");
  if (rc < 0)
    return rc;
  /* Emit, in start order, the sessions no event can join any more: their
   * end + gap is at or below the watermark (later events are not late). */
  qsort(u->s, u->n, sizeof *u->s, by_start);
  int64_t wm = weir_group_watermark(g), next = INT64_MAX;
  size_t kept = 0;
  for (size_t i = 0; i < u->n; i++) {
    session *s = &u->s[i];
    if (s->end + u->gap > wm) {
      next = s->end + u->gap < next ? s->end + u->gap : next;
      u->s[kept++] = *s;
      continue;
    }
    weir_row_begin(out);
    for (size_t k = 0; k < weir_group_nkeys(g); k++)
      weir_put_value(out, weir_group_key(g, k));
    weir_put_timestamp(out, s->start);
    weir_put_timestamp(out, s->end);
    weir_put_int(out, s->events);
    weir_put_int(out, (s->end - s->start) / WEIR_US_PER_SEC);
  }
  u->n = kept;
  if (!kept)
    return weir_group_remove(g);
  weir_buf_clear(&u->value);
  weir_mp_array(&u->value, (uint32_t)kept);
  for (size_t i = 0; i < kept; i++) {
    weir_mp_array(&u->value, 3);
    weir_mp_timestamp(&u->value, u->s[i].start);
    weir_mp_timestamp(&u->value, u->s[i].end);
    weir_mp_int(&u->value, u->s[i].events);
  }
  if (u->value.err)
    return weir_error(ctx, WEIR_ERR_NOMEM, "sessions: out of memory");
  if ((rc = weir_group_update(g, u->value.data, u->value.len)) != WEIR_OK)
    return rc;
  /* The timeout fires when the watermark passes it (>), and a session is
   * final when the watermark reaches end + gap (>=): one µs earlier. */
  return weir_group_set_timeout_timestamp(g, next - 1);
}

static int create(weir_ctx *ctx, const void *config, weir_create_args *args,
                  void **self) {
  const sessions_config *c = config;
  const weir_schema *in = args->input;
  const char *time = c->time;
  for (size_t i = 0; !time && in && i < in->n; i++)
    if (in->fields[i].flags & WEIR_FIELD_EVENT_TIME)
      time = in->fields[i].name;
  if (!in || !time)
    return weir_error(ctx, WEIR_ERR_SCHEMA,
                      "sessions close in event time: put a watermark "
                      "operator on the event-time column before this one");
  int timecol = weir_schema_find(in, time);
  if (timecol < 0 || in->fields[timecol].type != WEIR_T_TIMESTAMP)
    return weir_error(ctx, WEIR_ERR_SCHEMA, "time: no timestamp column '%s'",
                      time);
  sessions *u = calloc(1, sizeof *u);
  weir_schema *out = weir_schema_new();
  int rc = u && out ? WEIR_OK : WEIR_ERR_NOMEM;
  for (size_t i = 0; rc == WEIR_OK && i < c->key.n; i++) {
    int k = weir_schema_find(in, c->key.items[i]);
    if (k >= 0)
      rc = weir_schema_add(
          out, in->fields[k].name, in->fields[k].type, in->fields[k].nullable,
          in->fields[k].fields ? weir_schema_copy(in->fields[k].fields) : NULL);
    /* An unknown key column is reported by weir_groups_create. */
  }
  if (rc == WEIR_OK)
    rc = weir_schema_add(out, "start", WEIR_T_TIMESTAMP, false, NULL);
  if (rc == WEIR_OK)
    rc = weir_schema_add(out, "end", WEIR_T_TIMESTAMP, false, NULL);
  if (rc == WEIR_OK)
    rc = weir_schema_add(out, "events", WEIR_T_INT, false, NULL);
  if (rc == WEIR_OK)
    rc = weir_schema_add(out, "duration", WEIR_T_INT, false, NULL);
  if (rc != WEIR_OK) {
    sessions_free(u);
    weir_schema_free(out);
    return weir_error(ctx, rc, "sessions: %s", weir_err_str(rc));
  }
  u->timecol = timecol;
  u->gap = c->gap;
  weir_groups_spec spec = WEIR_GROUPS_SPEC_INIT;
  spec.variant = WEIR_GROUPS_FLAT;
  spec.output_mode = WEIR_MODE_APPEND;
  spec.timeout = WEIR_TIMEOUT_EVENT_TIME;
  spec.keys = c->key.items;
  spec.nkeys = c->key.n;
  spec.output = out;
  spec.state_name = "sessions";
  spec.state_version = 1;
  spec.fn = call;
  spec.user = u;
  spec.user_free = sessions_free;
  return weir_groups_create(ctx, args, &spec, self);
}

static const weir_plugin sessions_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_OPERATOR,
    .name = "sessions",
    .version = "1.0.0",
    .description = "user sessions that close after a gap of inactivity in "
                   "event time (example of weir/groupstate.h)",
    .options = options,
    .config_size = sizeof(sessions_config),
    .flags = WEIR_PLUGIN_STATEFUL,
    .create = create,
    WEIR_GROUPS_CALLBACKS};

WEIR_PLUGIN(sessions_plugin)
