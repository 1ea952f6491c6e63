/* tools/kafka-broker/broker.c — weir-kafka-broker: a Kafka-protocol broker
 * for tests and demos (DESIGN §9), built on librdkafka's mock cluster
 * (rdkafka_mock.h). No Apache Kafka can be installed here; the mock speaks
 * the real protocol over TCP on 127.0.0.1, so weir's plugins and kcat talk
 * to it exactly as to a real cluster — only kafka.bootstrap.servers differs.
 *
 *   weir-kafka-broker [--brokers N] [--topic NAME:PARTITIONS[:REPLICAS]]...
 *                     [--bootstrap-file F] [--control FIFO] [--debug]
 *
 * It prints the bootstrap servers on stdout (one line), writes them to F
 * (atomically, so a script polling for F never reads half a line), and runs
 * until SIGTERM or SIGINT. Commands, one per line, on stdin and on the FIFO
 * (created when missing) take brokers down and up for fault tests:
 *
 *   down ID | up ID          a broker stops/starts answering (ids 1..N)
 *   rtt ID MS                adds MS of latency to broker ID
 *   topic NAME:PARTITIONS    creates a topic while running
 *   leader TOPIC PART ID     moves a partition's leader
 *
 * Each command is answered on stdout with "ok ..." or "error ...". */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_TOPICS 256

typedef struct topic_spec {
  char name[250];
  int partitions, replicas;
} topic_spec;

static rd_kafka_mock_cluster_t *mcluster;
static int nbrokers = 1;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void usage(FILE *f) {
  fprintf(f,
          "usage: weir-kafka-broker [--brokers N] [--topic NAME:PARTITIONS"
          "[:REPLICAS]]...\n"
          "                         [--bootstrap-file FILE] [--control FIFO] "
          "[--debug]\n"
          "A Kafka-protocol broker on librdkafka's mock cluster, listening "
          "on 127.0.0.1.\n"
          "Prints its bootstrap servers, runs until SIGTERM/SIGINT. Commands "
          "on stdin\n"
          "or the FIFO: down ID, up ID, rtt ID MS, topic NAME:PARTITIONS, "
          "leader TOPIC PART ID.\n");
}

/* Parses NAME:PARTITIONS[:REPLICAS]. */
static int parse_topic(const char *s, topic_spec *t) {
  const char *c = strchr(s, ':');
  char *end;
  if (!c || c == s || (size_t)(c - s) >= sizeof t->name)
    return -1;
  memcpy(t->name, s, (size_t)(c - s));
  t->name[c - s] = '\0';
  long p = strtol(c + 1, &end, 10);
  if (end == c + 1 || p < 1 || p > 100000)
    return -1;
  t->partitions = (int)p;
  t->replicas = 1;
  if (*end == ':') {
    long r = strtol(end + 1, &end, 10);
    if (r < 1 || r > nbrokers)
      return -1;
    t->replicas = (int)r;
  }
  return *end ? -1 : 0;
}

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  pthread_mutex_lock(&out_lock);
  vprintf(fmt, ap);
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
  va_end(ap);
}

/* Runs one command line; answers on stdout. */
static void command(char *line) {
  char verb[32] = "", a[256] = "";
  long x = 0, y = 0;
  line[strcspn(line, "\r\n")] = '\0';
  int n = sscanf(line, "%31s %255s %ld %ld", verb, a, &x, &y);
  if (n <= 0)
    return;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if ((!strcmp(verb, "down") || !strcmp(verb, "up")) && n == 2) {
    long id = strtol(a, NULL, 10);
    if (id < 1 || id > nbrokers) {
      reply("error no broker %s (ids are 1..%d)\n", a, nbrokers);
      return;
    }
    err = verb[0] == 'd' ? rd_kafka_mock_broker_set_down(mcluster, (int)id)
                         : rd_kafka_mock_broker_set_up(mcluster, (int)id);
  } else if (!strcmp(verb, "rtt") && n == 3) {
    err = rd_kafka_mock_broker_set_rtt(mcluster, (int)strtol(a, NULL, 10),
                                       (int)x);
  } else if (!strcmp(verb, "topic") && n == 2) {
    topic_spec t;
    if (parse_topic(a, &t) != 0) {
      reply("error bad topic '%s' (expected NAME:PARTITIONS)\n", a);
      return;
    }
    err =
        rd_kafka_mock_topic_create(mcluster, t.name, t.partitions, t.replicas);
  } else if (!strcmp(verb, "leader") && n == 4) {
    err =
        rd_kafka_mock_partition_set_leader(mcluster, a, (int32_t)x, (int32_t)y);
  } else {
    reply("error unknown command '%s' (down ID, up ID, rtt ID MS, "
          "topic NAME:PARTITIONS, leader TOPIC PART ID)\n",
          line);
    return;
  }
  if (err)
    reply("error %s: %s\n", line, rd_kafka_err2str(err));
  else
    reply("ok %s\n", line);
}

/* Reads commands from a stream until EOF. */
static void *reader(void *arg) {
  FILE *f = arg;
  char line[512];
  while (fgets(line, sizeof line, f))
    command(line);
  return NULL;
}

/* A FIFO reopened after every writer closes it, so `echo down 1 > FIFO`
 * works any number of times. */
static void *fifo_reader(void *arg) {
  const char *path = arg;
  for (;;) {
    FILE *f = fopen(path, "r");
    if (!f)
      return NULL;
    reader(f);
    fclose(f);
  }
  return NULL;
}

static int write_file_atomic(const char *path, const char *text) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f)
    return -1;
  int bad = fprintf(f, "%s\n", text) < 0;
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  static topic_spec topics[MAX_TOPICS];
  int ntopics = 0, debug = 0;
  const char *bootstrap_file = NULL, *control = NULL;
  const char *topic_args[MAX_TOPICS];

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--debug")) {
      debug = 1;
    } else if (v && !strcmp(a, "--brokers")) {
      nbrokers = atoi(v);
      i++;
    } else if (v && !strcmp(a, "--topic")) {
      if (ntopics == MAX_TOPICS) {
        fprintf(stderr, "weir-kafka-broker: too many topics\n");
        return 2;
      }
      topic_args[ntopics++] = v;
      i++;
    } else if (v && !strcmp(a, "--bootstrap-file")) {
      bootstrap_file = v;
      i++;
    } else if (v && !strcmp(a, "--control")) {
      control = v;
      i++;
    } else {
      fprintf(stderr,
              "weir-kafka-broker: unknown or incomplete argument '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (nbrokers < 1 || nbrokers > 64) {
    fprintf(stderr, "weir-kafka-broker: --brokers must be 1..64\n");
    return 2;
  }
  /* Topics are parsed after --brokers is known (replicas <= brokers). */
  for (int i = 0; i < ntopics; i++)
    if (parse_topic(topic_args[i], &topics[i]) != 0) {
      fprintf(stderr,
              "weir-kafka-broker: --topic '%s': expected NAME:PARTITIONS"
              "[:REPLICAS] with 1 <= REPLICAS <= brokers\n",
              topic_args[i]);
      return 2;
    }

  /* Block the stop signals before librdkafka starts its threads, so they
   * all inherit the mask and sigwait below is the only receiver. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (debug &&
      rd_kafka_conf_set(conf, "debug", "mock,broker", errstr, sizeof errstr))
    fprintf(stderr, "weir-kafka-broker: %s\n", errstr);
  /* The hosting handle has no bootstrap servers, on purpose: keep its
   * notice about that (level 5) out of the output. */
  if (!debug)
    rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr);
  /* The handle only hosts the cluster; it never produces. */
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "weir-kafka-broker: %s\n", errstr);
    return 1;
  }
  mcluster = rd_kafka_mock_cluster_new(rk, nbrokers);
  if (!mcluster) {
    fprintf(stderr, "weir-kafka-broker: cannot create the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  for (int i = 0; i < ntopics; i++) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
        mcluster, topics[i].name, topics[i].partitions, topics[i].replicas);
    if (err) {
      fprintf(stderr, "weir-kafka-broker: topic %s: %s\n", topics[i].name,
              rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 1;
    }
  }

  const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
  pthread_mutex_lock(&out_lock);
  printf("%s\n", bootstraps);
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
  if (bootstrap_file && write_file_atomic(bootstrap_file, bootstraps) != 0) {
    fprintf(stderr, "weir-kafka-broker: %s: %s\n", bootstrap_file,
            strerror(errno));
    rd_kafka_mock_cluster_destroy(mcluster);
    rd_kafka_destroy(rk);
    return 1;
  }

  /* Command readers are detached: they may sit in a blocking read when the
   * process exits, which is harmless. */
  pthread_t th;
  if (pthread_create(&th, NULL, reader, stdin) == 0)
    pthread_detach(th);
  if (control) {
    if (mkfifo(control, 0600) != 0 && errno != EEXIST) {
      fprintf(stderr, "weir-kafka-broker: %s: %s\n", control, strerror(errno));
    } else if (pthread_create(&th, NULL, fifo_reader, (void *)control) == 0) {
      pthread_detach(th);
    }
  }

  int sig = 0;
  sigwait(&stop, &sig);
  fprintf(stderr, "weir-kafka-broker: %s, stopping\n",
          sig == SIGINT ? "SIGINT" : "SIGTERM");
  if (bootstrap_file)
    unlink(bootstrap_file);
  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
}
