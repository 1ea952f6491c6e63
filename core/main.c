/* main.c — the weir command line: run, validate, plugins, graph. Exit codes:
 * 0 ok, 1 runtime failure, 2 bad usage or bad topology. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query.h"

const weir_option *query_options_table(void);
int inspect_checkpoint(const char *dir, const char *state_op);

static volatile sig_atomic_t stop_flag;

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig) {
  stop_flag = 1;
  /* The third signal stops at once (an epoch stuck on I/O). Not the
   * second: timeout(1) and shells deliver one Ctrl-C twice (to the process
   * and to its group). */
  if (++signals_seen >= 3) {
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

static void usage(FILE *f) {
  fputs("usage: weir COMMAND [OPTIONS]\n"
        "\n"
        "commands:\n"
        "  run FILE.ini [--progress FILE] [--quiet]\n"
        "                      run a topology until its trigger says stop\n"
        "                      (or SIGINT/SIGTERM); progress on stderr\n"
        "  validate FILE.ini   load and check a topology without running it;\n"
        "                      print each node's output schema\n"
        "  plugins [--json] [NAME]\n"
        "                      list plugins, or one plugin's options\n"
        "                      ('query' for the [query] section)\n"
        "  graph FILE.ini      print the topology as Graphviz DOT\n"
        "  checkpoint DIR [--state OPERATOR]\n"
        "                      what a checkpoint holds: epochs, watermark,\n"
        "                      offsets, state sizes, last progress;\n"
        "                      --state: an operator's state as JSON lines\n"
        "  new-plugin NAME [--kind operator] [--dir DIR]\n"
        "                      a plugin folder from the SDK's template\n"
        "  --version, --help\n"
        "\n"
        "plugins are looked up in [query] plugin_path, $WEIR_PLUGIN_PATH,\n"
        "the folders next to the binary, then " WEIR_PLUGIN_DIR "\n",
        f);
}

static void make_uuid(char out[40]) {
  unsigned char b[16] = {0};
  int fd = open("/dev/urandom", O_RDONLY);
  if (fd < 0 || read(fd, b, sizeof b) != (ssize_t)sizeof b) {
    for (size_t i = 0; i < sizeof b; i++)
      b[i] = (unsigned char)(rand() ^ getpid());
  }
  if (fd >= 0)
    close(fd);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  snprintf(
      out, 40,
      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
      b[12], b[13], b[14], b[15]);
}

static int load(const char *file, query **q) {
  char err[4096] = "";
  if (query_load(file, q, err, sizeof err) != WEIR_OK) {
    fprintf(stderr, "weir: %s\n", err);
    return 2;
  }
  return 0;
}

static int cmd_run(int argc, char **argv) {
  const char *file = NULL, *progress = NULL;
  int quiet = 0;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--progress") == 0 && i + 1 < argc)
      progress = argv[++i];
    else if (strncmp(argv[i], "--progress=", 11) == 0)
      progress = argv[i] + 11;
    else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
      quiet = 1;
    else if (argv[i][0] == '-' || file) {
      fprintf(stderr, "weir run: unexpected argument '%s'\n", argv[i]);
      return 2;
    } else
      file = argv[i];
  }
  if (!file) {
    fputs("weir run: which topology? usage: weir run FILE.ini\n", stderr);
    return 2;
  }
  query *q;
  int rc = load(file, &q);
  if (rc)
    return rc;
  q->quiet = quiet;
  q->status_tty = !quiet && isatty(STDERR_FILENO);
  make_uuid(q->query_id);
  make_uuid(q->run_id);
  if (progress) {
    q->progress = strcmp(progress, "-") == 0 ? stdout : fopen(progress, "a");
    if (!q->progress) {
      fprintf(stderr, "weir: %s: cannot open progress file\n", progress);
      query_free(q);
      return 2;
    }
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  char err[4096] = "";
  rc = query_run(q, &weir_wall_clock, &stop_flag, err, sizeof err);
  fflush(stdout);
  if (rc != WEIR_OK)
    fprintf(stderr, "weir: %s\n", err);
  else if (stop_flag && !quiet)
    fprintf(stderr, "weir: stopped by signal after epoch %lld\n",
            (long long)q->epoch - 1);
  query_free(q);
  return rc == WEIR_OK ? 0 : 1;
}

static int cmd_validate(int argc, char **argv) {
  if (argc != 1) {
    fputs("usage: weir validate FILE.ini\n", stderr);
    return 2;
  }
  query *q;
  int rc = load(argv[0], &q);
  if (rc)
    return rc;
  query_print_schemas(q, stdout);
  printf("%s: ok (%zu nodes)\n", argv[0], q->n);
  query_free(q);
  return 0;
}

static int cmd_graph(int argc, char **argv) {
  if (argc != 1) {
    fputs("usage: weir graph FILE.ini\n", stderr);
    return 2;
  }
  query *q;
  int rc = load(argv[0], &q);
  if (rc)
    return rc;
  query_print_dot(q, stdout);
  query_free(q);
  return 0;
}

static void print_plugin(const loaded_plugin *p, int json) {
  const weir_plugin *d = &p->desc;
  if (json) {
    weir_buf b = WEIR_BUF_INIT;
    weir_buf_lit(&b, "{\"name\":");
    weir_json_string(&b, d->name, strlen(d->name));
    weir_buf_printf(&b,
                    ",\"kind\":\"%s\",\"version\":", kind_name((int)d->kind));
    weir_json_string(&b, d->version ? d->version : "",
                     d->version ? strlen(d->version) : 0);
    weir_buf_lit(&b, ",\"description\":");
    weir_json_string(&b, d->description ? d->description : "",
                     d->description ? strlen(d->description) : 0);
    weir_buf_lit(&b, ",\"path\":");
    weir_json_string(&b, p->path, strlen(p->path));
    weir_buf_printf(&b, ",\"abi\":\"%u.%u\",\"options\":", d->abi_major,
                    d->abi_minor);
    fwrite(b.data, 1, b.len, stdout);
    weir_buf_free(&b);
    options_print_json(stdout, d->options);
    fputs("}", stdout);
    return;
  }
  printf("%s (%s %s, ABI %u.%u): %s\n  %s\n\noptions:\n", d->name,
         kind_name((int)d->kind), d->version ? d->version : "?", d->abi_major,
         d->abi_minor, d->description ? d->description : "", p->path);
  if (d->kind != WEIR_KIND_SOURCE)
    printf("  %-22s  %s\n  %-22s  (list, required)\n", "input",
           "upstream node(s); several are a union", "");
  options_print(stdout, d->options);
}

static int cmd_plugins(int argc, char **argv) {
  int json = 0;
  const char *name = NULL;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0)
      json = 1;
    else if (!name && argv[i][0] != '-')
      name = argv[i];
    else {
      fputs("usage: weir plugins [--json] [NAME]\n", stderr);
      return 2;
    }
  }
  if (name && strcmp(name, "query") == 0) {
    if (json)
      options_print_json(stdout, query_options_table());
    else {
      puts("[query] section options:");
      options_print(stdout, query_options_table());
    }
    if (json)
      putchar('\n');
    return 0;
  }
  plugin_registry reg;
  if (registry_init(&reg, NULL) != WEIR_OK)
    return 1;
  int rc = 0;
  if (name) {
    /* Every plugin of that name: a source and a sink may share one. */
    loaded_plugin *seen[3] = {NULL, NULL, NULL}, *p;
    char err[2048], first_err[2048] = "";
    int shown = 0;
    for (int kind = WEIR_KIND_SOURCE; kind <= WEIR_KIND_SINK; kind++) {
      if (registry_load(&reg, name, kind, &p, err, sizeof err) != WEIR_OK) {
        if (!first_err[0])
          snprintf(first_err, sizeof first_err, "%s", err);
        continue;
      }
      if (p == seen[0] || p == seen[1] || p == seen[2])
        continue;
      seen[kind - 1] = p;
      if (shown)
        putchar('\n');
      print_plugin(p, json);
      if (json)
        putchar('\n');
      shown++;
    }
    if (!shown) {
      fprintf(stderr, "weir: %s\n", first_err);
      rc = 2;
    }
  } else {
    registry_load_all(&reg);
    if (json)
      putchar('[');
    for (int kind = WEIR_KIND_SOURCE; kind <= WEIR_KIND_SINK; kind++) {
      if (!json)
        printf("%ss:\n", kind_name(kind));
      for (size_t i = 0; i < reg.n; i++) {
        const weir_plugin *d = &reg.items[i]->desc;
        if ((int)d->kind != kind)
          continue;
        if (json) {
          static int first = 1;
          if (!first)
            putchar(',');
          first = 0;
          print_plugin(reg.items[i], 1);
        } else
          printf("  %-12s %s\n", d->name, d->description ? d->description : "");
      }
    }
    if (json)
      puts("]");
    else
      puts("\n'weir plugins NAME' shows a plugin's options.");
  }
  registry_free(&reg);
  return rc;
}

/* weir new-plugin: the weir-new-plugin script beside the binary (or in
 * the source tree's scripts/, for a build tree) does the work. */
static int cmd_new_plugin(char **argv) {
  char exe[PATH_MAX], path[PATH_MAX + 64];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  static const char *const rel[] = {"/weir-new-plugin",
                                    "/../../scripts/weir-new-plugin"};
  char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
  if (slash)
    *slash = '\0';
  for (int i = 0; slash && i < 2; i++) {
    snprintf(path, sizeof path, "%s%s", exe, rel[i]);
    if (access(path, X_OK) == 0) {
      argv[1] = path;
      execv(path, argv + 1);
    }
  }
  fputs("weir: new-plugin: no weir-new-plugin script next to weir\n", stderr);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("weir %s (plugin ABI %d.%d, batch format %d.%d)\n", WEIR_VERSION,
           WEIR_ABI_MAJOR, WEIR_ABI_MINOR, WEIR_BATCH_VERSION,
           WEIR_BATCH_FORMAT_MINOR);
    return 0;
  }
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(cmd, "run") == 0)
    return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "validate") == 0)
    return cmd_validate(argc - 2, argv + 2);
  if (strcmp(cmd, "plugins") == 0)
    return cmd_plugins(argc - 2, argv + 2);
  if (strcmp(cmd, "graph") == 0)
    return cmd_graph(argc - 2, argv + 2);
  if (strcmp(cmd, "checkpoint") == 0) {
    int state = argc == 5 && strcmp(argv[3], "--state") == 0;
    if (argc != 3 && !state) {
      fputs("usage: weir checkpoint DIR [--state OPERATOR]\n", stderr);
      return 2;
    }
    return inspect_checkpoint(argv[2], state ? argv[4] : NULL);
  }
  if (strcmp(cmd, "new-plugin") == 0)
    return cmd_new_plugin(argv);
  static const char *const cmds[] = {"run",       "validate",   "plugins",
                                     "graph",     "checkpoint", "help",
                                     "new-plugin"};
  const char *near = weir_suggest(cmd, cmds, 7);
  fprintf(stderr, "weir: unknown command '%s'%s%s%s\n", cmd,
          near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
  usage(stderr);
  return 2;
}
