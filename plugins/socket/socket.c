/* plugins/socket/socket.c — the `socket` source: text lines read from a TCP
 * server (Spark's socket source; `nc -lk 9999` is the usual server), for
 * tests and demos. Columns: value STRING, and timestamp TIMESTAMP (the
 * time the line arrived, in milliseconds as Spark) with include_timestamp.
 *
 * A reader thread owns the connection: it connects as a client, reads
 * lines into a bounded buffer as they arrive (so a line's timestamp is its
 * arrival time and the server is never held up between epochs), and when
 * the connection drops or cannot be made, retries with exponential
 * back-off, logging each attempt; while it has no connection, that is the
 * node's status (weir_status, set from the next callback). An epoch never waits
 * for data: plan takes the lines that have arrived, read emits them,
 * acknowledge forgets them. The thread starts at the first plan, so `weir
 * validate` does not connect.
 *
 * The thread never calls the host (the host API is for the plugin's own
 * callbacks): its log lines are queued and written by the next callback.
 *
 * Offsets are {"run": R, "lines": N}: N counts lines across runs, R tells
 * this run's lines from a previous run's. Not replayable (no
 * WEIR_PLUGIN_REPLAYABLE): a range logged by a previous run cannot be read
 * again, and the source says so at start and when it happens. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "weir/weir.h"

#define DEFAULT_BATCH_ROWS 4096
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 10000
#define CONNECT_TIMEOUT_MS 5000
#define READ_CHUNK 65536
#define LOG_QUEUE 32
#define REC_HDR 12 /* u32 length + i64 arrival time, before each line */

typedef struct socket_config {
  const char *host;
  int64_t port;
  int include_timestamp;
  int64_t max_buffer_size;
} socket_config;

typedef struct log_msg {
  int level;
  char text[300];
} log_msg;

typedef struct sock_src {
  char *host;
  int port;
  int include_ts;
  size_t max_buf;
  weir_schema *schema;
  weir_builder builder;
  int64_t batch_rows;
  int64_t run_id;

  /* shared with the reader thread, under mu */
  pthread_mutex_t mu;
  weir_buf arena;   /* lines received, not planned yet: REC_HDR + bytes */
  int64_t received; /* lines this run, in total */
  int64_t planned;  /* lines this run moved to an epoch */
  int64_t dropped;  /* lines dropped because the buffer was full */
  log_msg logs[LOG_QUEUE];
  int nlogs;
  int64_t logs_lost;
  int stop;
  char down[512]; /* why there is no connection now; "" when connected */

  /* the plugin's side */
  pthread_t thread;
  int started;
  int wake[2]; /* a byte written here stops the thread's waits */
  int64_t dropped_told;
  int based;      /* base is known */
  int64_t base;   /* offset line number of this run's first line */
  weir_buf taken; /* the planned epoch's lines */
  int64_t taken_end;
} sock_src;

static const weir_option socket_options[] = {
    {"host", WEIR_OPT_STRING, "localhost", 0, 0, 0, NULL,
     "server to connect to", offsetof(socket_config, host)},
    {"port", WEIR_OPT_INT, NULL, WEIR_OPT_REQUIRED, 1, 65535, NULL,
     "its TCP port", offsetof(socket_config, port)},
    {"include_timestamp", WEIR_OPT_BOOL, "false", 0, 0, 0, NULL,
     "add a timestamp column: when each line arrived",
     offsetof(socket_config, include_timestamp)},
    {"max_buffer_size", WEIR_OPT_SIZE, "64 MiB", 0, 1024, 1099511627776.0, NULL,
     "lines held between epochs; beyond it new lines are dropped with a "
     "warning (Spark's buffer is unbounded)",
     offsetof(socket_config, max_buffer_size)},
    WEIR_OPTIONS_END};

/* ---- the reader thread --------------------------------------------------- */

static void qlog(sock_src *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void qlog(sock_src *s, int level, const char *fmt, ...) {
  va_list ap;
  pthread_mutex_lock(&s->mu);
  if (s->nlogs < LOG_QUEUE) {
    log_msg *m = &s->logs[s->nlogs++];
    m->level = level;
    va_start(ap, fmt);
    vsnprintf(m->text, sizeof m->text, fmt, ap);
    va_end(ap);
  } else {
    s->logs_lost++;
  }
  pthread_mutex_unlock(&s->mu);
}

static int stopping(sock_src *s) {
  pthread_mutex_lock(&s->mu);
  int v = s->stop;
  pthread_mutex_unlock(&s->mu);
  return v;
}

/* Waits up to ms for fd to be ready (events), or for a stop. 1 ready, 0
 * timeout, -1 stop. */
static int wait_fd(sock_src *s, int fd, short events, int ms) {
  struct pollfd p[2] = {{s->wake[0], POLLIN, 0}, {fd, events, 0}};
  int n;
  do
    n = poll(p, fd >= 0 ? 2 : 1, ms);
  while (n < 0 && errno == EINTR);
  if (p[0].revents || stopping(s))
    return -1;
  return n > 0 ? 1 : 0;
}

static int64_t now_ms_as_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000) * 1000;
}

/* Connects to host:port; -1 with a reason in err, -2 when stopping. */
static int connect_to(sock_src *s, int *out, char *err, size_t errlen) {
  struct addrinfo hints = {0}, *res = NULL;
  char port[16];
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  snprintf(port, sizeof port, "%d", s->port);
  int g = getaddrinfo(s->host, port, &hints, &res);
  if (g != 0) {
    snprintf(err, errlen, "%s", gai_strerror(g));
    return -1;
  }
  int rc = -1;
  snprintf(err, errlen, "no address");
  for (struct addrinfo *a = res; a && rc == -1; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    a->ai_protocol);
    if (fd < 0) {
      snprintf(err, errlen, "%s", strerror(errno));
      continue;
    }
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      snprintf(err, errlen, "%s", strerror(errno));
      close(fd);
      continue;
    }
    int w = wait_fd(s, fd, POLLOUT, CONNECT_TIMEOUT_MS);
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (w < 0) {
      close(fd);
      rc = -2;
    } else if (w == 0) {
      snprintf(err, errlen, "timed out after %d ms", CONNECT_TIMEOUT_MS);
      close(fd);
    } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 ||
               soerr != 0) {
      snprintf(err, errlen, "%s", strerror(soerr ? soerr : errno));
      close(fd);
    } else {
      *out = fd;
      rc = 0;
    }
  }
  freeaddrinfo(res);
  return rc;
}

/* Adds one complete line to the shared buffer, or drops it when full. */
static void add_line(sock_src *s, const char *p, size_t n, int64_t ts) {
  if (n > 0 && p[n - 1] == '\r')
    n--;
  pthread_mutex_lock(&s->mu);
  if (s->arena.len + REC_HDR + n > s->max_buf) {
    s->dropped++;
  } else {
    uint8_t hdr[REC_HDR];
    uint32_t len = (uint32_t)n;
    memcpy(hdr, &len, 4);
    memcpy(hdr + 4, &ts, 8);
    weir_buf_append(&s->arena, hdr, REC_HDR);
    weir_buf_append(&s->arena, p, n);
    if (s->arena.err) { /* out of memory: as full */
      s->arena.err = 0;
      s->dropped++;
    } else {
      s->received++;
    }
  }
  pthread_mutex_unlock(&s->mu);
}

/* Reads lines from a connected socket until it closes or we stop. */
static void read_lines(sock_src *s, int fd, char *chunk, weir_buf *part) {
  int skipping = 0; /* a line longer than the buffer: drop its tail */
  for (;;) {
    int w = wait_fd(s, fd, POLLIN, -1);
    if (w < 0)
      return;
    ssize_t n = recv(fd, chunk, READ_CHUNK, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if (n <= 0) {
      if (part->len > 0 && !skipping) /* as BufferedReader.readLine */
        add_line(s, (const char *)part->data, part->len, now_ms_as_us());
      weir_buf_clear(part);
      if (n < 0)
        qlog(s, WEIR_LOG_WARN, "reading from %s:%d: %s; reconnecting", s->host,
             s->port, strerror(errno));
      else
        qlog(s, WEIR_LOG_WARN,
             "the server %s:%d closed the connection; reconnecting", s->host,
             s->port);
      return;
    }
    int64_t ts = now_ms_as_us();
    const char *p = chunk, *end = chunk + n;
    while (p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
      if (skipping) {
        if (nl)
          skipping = 0;
      } else if (part->len + k > s->max_buf) { /* can never fit */
        weir_buf_clear(part);
        pthread_mutex_lock(&s->mu);
        s->dropped++;
        pthread_mutex_unlock(&s->mu);
        skipping = !nl;
      } else if (nl && part->len == 0) {
        add_line(s, p, k, ts); /* the usual case: no copy to `part` */
      } else {
        weir_buf_append(part, p, k);
        if (nl) {
          add_line(s, (const char *)part->data, part->len, ts);
          weir_buf_clear(part);
        }
      }
      p += k + (nl ? 1 : 0);
    }
  }
}

/* The thread's view of the connection, for the node's status. */
static void set_down(sock_src *s, const char *why) {
  size_t k = strnlen(why, sizeof s->down - 1); /* truncated if longer */
  pthread_mutex_lock(&s->mu);
  memcpy(s->down, why, k);
  s->down[k] = '\0';
  pthread_mutex_unlock(&s->mu);
}

static void *reader_main(void *arg) {
  sock_src *s = arg;
  char *chunk = malloc(READ_CHUNK);
  weir_buf part = WEIR_BUF_INIT;
  int backoff = BACKOFF_MIN_MS, attempt = 0, ever = 0;
  char err[256];
  while (chunk && !stopping(s)) {
    int fd = -1;
    attempt++;
    int rc = connect_to(s, &fd, err, sizeof err);
    if (rc == -2)
      break;
    if (rc != 0) {
      qlog(s, WEIR_LOG_WARN,
           "cannot connect to %s:%d (attempt %d): %s; retrying in %d ms",
           s->host, s->port, attempt, err, backoff);
      char why[sizeof s->down + 256];
      snprintf(why, sizeof why, "not connected to %s:%d (%s); retrying",
               s->host, s->port, err);
      set_down(s, why);
      if (wait_fd(s, -1, 0, backoff) < 0)
        break;
      backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
      continue;
    }
    qlog(s, WEIR_LOG_INFO, "%s %s:%d (attempt %d)",
         ever ? "reconnected to" : "connected to", s->host, s->port, attempt);
    ever = 1;
    attempt = 0;
    backoff = BACKOFF_MIN_MS;
    set_down(s, "");
    read_lines(s, fd, chunk, &part);
    close(fd);
  }
  if (!chunk)
    qlog(s, WEIR_LOG_ERROR, "out of memory: the reader stopped");
  free(chunk);
  weir_buf_free(&part);
  return NULL;
}

/* ---- callbacks ----------------------------------------------------------- */

/* Writes what the thread queued, and a warning when lines were dropped. */
static void flush_logs(sock_src *s, weir_ctx *ctx) {
  log_msg msgs[LOG_QUEUE];
  pthread_mutex_lock(&s->mu);
  int n = s->nlogs;
  int64_t lost = s->logs_lost, dropped = s->dropped;
  char down[sizeof s->down];
  memcpy(down, s->down, sizeof down);
  memcpy(msgs, s->logs, (size_t)n * sizeof *msgs);
  s->nlogs = 0;
  s->logs_lost = 0;
  pthread_mutex_unlock(&s->mu);
  for (int i = 0; i < n; i++)
    weir_log(ctx, msgs[i].level, "%s", msgs[i].text);
  if (down[0])
    weir_status(ctx, "%s", down);
  else
    weir_status(ctx, NULL);
  if (lost)
    weir_log(ctx, WEIR_LOG_WARN, "%" PRId64 " more connection messages", lost);
  if (dropped > s->dropped_told) {
    weir_log(ctx, WEIR_LOG_WARN,
             "dropped %" PRId64 " lines (%" PRId64 " in all): the buffer "
             "(max_buffer_size = %zu bytes) is full because epochs do not "
             "take lines as fast as they arrive",
             dropped - s->dropped_told, dropped, s->max_buf);
    s->dropped_told = dropped;
  }
}

static void socket_destroy(void *self) {
  sock_src *s = self;
  if (!s)
    return;
  if (s->started) {
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_mutex_unlock(&s->mu);
    ssize_t w = write(s->wake[1], "x", 1);
    (void)w;
    pthread_join(s->thread, NULL);
  }
  if (s->wake[0] >= 0)
    close(s->wake[0]);
  if (s->wake[1] >= 0)
    close(s->wake[1]);
  pthread_mutex_destroy(&s->mu);
  weir_buf_free(&s->arena);
  weir_buf_free(&s->taken);
  weir_builder_free(&s->builder);
  weir_schema_free(s->schema);
  free(s->host);
  free(s);
}

static int socket_create(weir_ctx *ctx, const void *config,
                         weir_create_args *args, void **self) {
  const socket_config *c = config;
  if (!c->host || !*c->host)
    return weir_error(ctx, WEIR_ERR_INVALID, "host must not be empty");
  sock_src *s = calloc(1, sizeof *s);
  if (!s)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  s->wake[0] = s->wake[1] = -1;
  pthread_mutex_init(&s->mu, NULL);
  s->host = strdup(c->host);
  s->port = (int)c->port;
  s->include_ts = c->include_timestamp;
  s->max_buf = (size_t)c->max_buffer_size;
  s->run_id = ctx->host->now(ctx);
  weir_schema *out = NULL;
  if (!s->host || pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0 ||
      !(s->schema = weir_schema_new()) ||
      weir_schema_add(s->schema, "value", WEIR_T_STRING, true, NULL) ||
      (s->include_ts &&
       weir_schema_add(s->schema, "timestamp", WEIR_T_TIMESTAMP, true, NULL)) ||
      !(out = weir_schema_copy(s->schema)) ||
      weir_builder_init(&s->builder, s->schema) != WEIR_OK) {
    weir_schema_free(out);
    socket_destroy(s);
    return weir_error(ctx, WEIR_ERR_NOMEM, "cannot set up: %s",
                      strerror(errno));
  }
  int64_t rows = 0;
  if (args->struct_size >=
      offsetof(weir_create_args, max_batch_rows) + sizeof args->max_batch_rows)
    rows = args->max_batch_rows;
  s->batch_rows = rows > 0 && rows <= UINT32_MAX ? rows : DEFAULT_BATCH_ROWS;
  weir_log(ctx, WEIR_LOG_WARN,
           "the socket source is not replayable: lines not yet committed are "
           "lost on a restart; use it for tests and demos, not production");
  args->output = out;
  *self = s;
  return WEIR_OK;
}

static int read_offset(weir_ctx *ctx, const weir_offset *o, int64_t *run,
                       int64_t *lines) {
  if (weir_map_int(o->data, o->len, "run", run) != 1 ||
      weir_map_int(o->data, o->len, "lines", lines) != 1 || *lines < 0)
    return weir_error(ctx, WEIR_ERR_FORMAT,
                      "malformed socket offset: expected {\"run\": id, "
                      "\"lines\": count}");
  return WEIR_OK;
}

static int socket_plan(void *self, weir_ctx *ctx, const weir_offset *start,
                       weir_buf *end, int *has_data) {
  sock_src *s = self;
  *has_data = 0;
  if (!s->started) {
    if (pthread_create(&s->thread, NULL, reader_main, s) != 0)
      return weir_error(ctx, WEIR_ERR_IO, "cannot start the reader thread");
    s->started = 1;
  }
  flush_logs(s, ctx);
  if (!s->based) { /* lines go on from where the checkpoint is */
    int64_t run = 0, lines = 0;
    if (start->len > 0) {
      int rc = read_offset(ctx, start, &run, &lines);
      if (rc != WEIR_OK)
        return rc;
    }
    s->base = lines;
    s->based = 1;
  }
  /* Move what has arrived to the epoch: the thread goes on filling an
   * empty buffer while the epoch runs. */
  weir_buf_clear(&s->taken);
  pthread_mutex_lock(&s->mu);
  int64_t n = s->received - s->planned;
  weir_buf tmp = s->taken;
  s->taken = s->arena;
  s->arena = tmp;
  s->planned = s->received;
  pthread_mutex_unlock(&s->mu);
  if (n == 0)
    return WEIR_OK;
  s->taken_end = s->base + s->planned;
  weir_mp_map(end, 2);
  weir_mp_str(end, "run", 3);
  weir_mp_int(end, s->run_id);
  weir_mp_str(end, "lines", 5);
  weir_mp_int(end, s->taken_end);
  if (end->err)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  *has_data = 1;
  return WEIR_OK;
}

static int flush_batch(sock_src *s, weir_ctx *ctx) {
  const uint8_t *data;
  size_t len;
  if (s->builder.nrows == 0)
    return WEIR_OK;
  if (weir_builder_finish(&s->builder, &data, &len) != WEIR_OK)
    return weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
  int rc = weir_emit(ctx, data, len);
  weir_builder_reset(&s->builder);
  return rc;
}

static int socket_read(void *self, weir_ctx *ctx, const weir_offset *start,
                       const weir_offset *end) {
  sock_src *s = self;
  int64_t run, lines, srun = 0, slines = 0;
  int rc = read_offset(ctx, end, &run, &lines);
  if (rc == WEIR_OK && start->len > 0)
    rc = read_offset(ctx, start, &srun, &slines);
  if (rc != WEIR_OK)
    return rc;
  flush_logs(s, ctx);
  if (run != s->run_id || lines != s->taken_end) {
    /* A replay of an epoch a previous run planned: its lines are gone. */
    weir_log(ctx, WEIR_LOG_WARN,
             "lines %" PRId64 " to %" PRId64 " were buffered by a previous "
             "run and are lost (the socket source is not replayable)",
             slines, lines);
    if (!s->based) {
      s->base = lines;
      s->based = 1;
    }
    return WEIR_OK;
  }
  weir_builder_reset(&s->builder);
  const uint8_t *p = s->taken.data, *e = p + s->taken.len;
  while (p < e) {
    uint32_t n;
    int64_t ts;
    memcpy(&n, p, 4);
    memcpy(&ts, p + 4, 8);
    weir_row_begin(&s->builder);
    weir_put_string(&s->builder, (const char *)p + REC_HDR, n);
    if (s->include_ts)
      weir_put_timestamp(&s->builder, ts);
    p += REC_HDR + n;
    if (s->builder.nrows >= s->batch_rows &&
        (rc = flush_batch(s, ctx)) != WEIR_OK)
      return rc;
  }
  return flush_batch(s, ctx);
}

static int socket_acknowledge(void *self, weir_ctx *ctx,
                              const weir_offset *end) {
  sock_src *s = self;
  (void)end;
  weir_buf_clear(&s->taken); /* committed: nothing to keep */
  flush_logs(s, ctx);
  return WEIR_OK;
}

static const weir_plugin socket_plugin = {
    .struct_size = sizeof(weir_plugin),
    .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR,
    .kind = WEIR_KIND_SOURCE,
    .name = "socket",
    .version = "0.1.0",
    .description = "text lines from a TCP server, for tests and demos (Spark's "
                   "socket source; not replayable)",
    .options = socket_options,
    .config_size = sizeof(socket_config),
    .flags = 0,
    .create = socket_create,
    .destroy = socket_destroy,
    .plan = socket_plan,
    .read = socket_read,
    .acknowledge = socket_acknowledge,
};

WEIR_PLUGIN(socket_plugin)
