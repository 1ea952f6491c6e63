/* loader.c — plugins are shared objects opened with RTLD_NOW | RTLD_LOCAL.
 * The descriptor is checked (size, ABI major) before any callback is
 * touched, and copied into a zeroed struct so that an object built for an
 * older minor simply lacks the newer callbacks. Plugins are never unloaded
 * while a query runs. */
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef WEIR_PLUGIN_DIR
#define WEIR_PLUGIN_DIR "/usr/local/lib/weir/plugins"
#endif

/* The smallest descriptor we accept: everything up to destroy. */
#define MIN_DESC_SIZE (offsetof(weir_plugin, destroy) + sizeof(void *))

const char *kind_name(int kind) {
  switch (kind) {
  case WEIR_KIND_SOURCE: return "source";
  case WEIR_KIND_OPERATOR: return "operator";
  case WEIR_KIND_SINK: return "sink";
  }
  return "unknown";
}

static int add_dir(plugin_registry *r, const char *d, size_t n) {
  if (n == 0)
    return 0;
  char **dirs = realloc(r->dirs, (r->ndirs + 1) * sizeof *dirs);
  if (!dirs)
    return -1;
  r->dirs = dirs;
  r->dirs[r->ndirs] = strndup(d, n);
  if (!r->dirs[r->ndirs])
    return -1;
  r->ndirs++;
  return 0;
}

static int add_path_list(plugin_registry *r, const char *list) {
  while (list && *list) {
    const char *colon = strchr(list, ':');
    size_t n = colon ? (size_t)(colon - list) : strlen(list);
    if (add_dir(r, list, n) != 0)
      return -1;
    list = colon ? colon + 1 : NULL;
  }
  return 0;
}

int registry_init(plugin_registry *r, const char *extra) {
  memset(r, 0, sizeof *r);
  if (add_path_list(r, extra) || add_path_list(r, getenv("WEIR_PLUGIN_PATH")))
    return WEIR_ERR_NOMEM;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = '\0';
      char d[PATH_MAX + 32];
      snprintf(d, sizeof d, "%s/../plugins", exe);
      if (add_dir(r, d, strlen(d)))
        return WEIR_ERR_NOMEM;
      snprintf(d, sizeof d, "%s/../lib/weir/plugins", exe);
      if (add_dir(r, d, strlen(d)))
        return WEIR_ERR_NOMEM;
    }
  }
  if (add_dir(r, WEIR_PLUGIN_DIR, strlen(WEIR_PLUGIN_DIR)))
    return WEIR_ERR_NOMEM;
  return WEIR_OK;
}

void registry_free(plugin_registry *r) {
  for (size_t i = 0; i < r->n; i++) {
    if (r->items[i]->handle)
      dlclose(r->items[i]->handle);
    free(r->items[i]->path);
    free(r->items[i]);
  }
  for (size_t i = 0; i < r->ndirs; i++)
    free(r->dirs[i]);
  free(r->items);
  free(r->dirs);
  memset(r, 0, sizeof *r);
}

static int is_path(const char *spec) {
  size_t n = strlen(spec);
  return strchr(spec, '/') || (n > 3 && strcmp(spec + n - 3, ".so") == 0);
}

static int file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int check_desc(const weir_plugin *d, const char *path, char *err,
                      size_t errlen) {
  if (d->struct_size < MIN_DESC_SIZE) {
    snprintf(err, errlen,
             "%s: plugin descriptor is %u bytes, smaller than any weir ABI "
             "descriptor (%zu): not a weir plugin, or corrupt",
             path, d->struct_size, (size_t)MIN_DESC_SIZE);
    return WEIR_ERR_ABI;
  }
  if (d->abi_major != WEIR_ABI_MAJOR) {
    snprintf(err, errlen,
             "%s: plugin '%s' was built for weir plugin ABI %u.%u; this weir "
             "speaks ABI %d.%d (rebuild the plugin against this SDK)",
             path, d->name ? d->name : "?", d->abi_major, d->abi_minor,
             WEIR_ABI_MAJOR, WEIR_ABI_MINOR);
    return WEIR_ERR_ABI;
  }
  return WEIR_OK;
}

static int check_callbacks(const weir_plugin *d, const char *path, char *err,
                           size_t errlen) {
  const char *missing = NULL;
  if (!d->name || !*d->name)
    missing = "name";
  else if (!d->create)
    missing = "create";
  else if (!d->destroy)
    missing = "destroy";
  else if (d->kind == WEIR_KIND_SOURCE && !d->plan)
    missing = "plan";
  else if (d->kind == WEIR_KIND_SOURCE && !d->read)
    missing = "read";
  else if (d->kind != WEIR_KIND_SOURCE && !d->process)
    missing = "process";
  if (d->kind < WEIR_KIND_SOURCE || d->kind > WEIR_KIND_SINK) {
    snprintf(err, errlen, "%s: plugin '%s' declares unknown kind %u", path,
             d->name ? d->name : "?", d->kind);
    return WEIR_ERR_ABI;
  }
  if (missing) {
    snprintf(err, errlen, "%s: plugin '%s' (%s) lacks the %s %s", path,
             d->name ? d->name : "?", kind_name((int)d->kind), missing,
             strcmp(missing, "name") == 0 ? "field" : "callback");
    return WEIR_ERR_ABI;
  }
  return WEIR_OK;
}

static int load_file(plugin_registry *r, const char *path, loaded_plugin **out,
                     char *err, size_t errlen) {
  char real[PATH_MAX];
  if (!realpath(path, real)) {
    snprintf(err, errlen, "%s: no such plugin file", path);
    return WEIR_ERR_NOTFOUND;
  }
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->items[i]->path, real) == 0) {
      *out = r->items[i];
      return WEIR_OK;
    }
  void *h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(err, errlen, "%s: cannot load: %s", real, dlerror());
    return WEIR_ERR_NOTFOUND;
  }
  weir_entry_fn entry;
  *(void **)&entry = dlsym(h, WEIR_ENTRY_SYMBOL);
  if (!entry) {
    snprintf(err, errlen,
             "%s: not a weir plugin (no %s function exported; use "
             "WEIR_PLUGIN(descriptor))",
             real, WEIR_ENTRY_SYMBOL);
    dlclose(h);
    return WEIR_ERR_ABI;
  }
  const weir_plugin *d = entry();
  if (!d) {
    snprintf(err, errlen, "%s: %s() returned NULL", real, WEIR_ENTRY_SYMBOL);
    dlclose(h);
    return WEIR_ERR_ABI;
  }
  int rc = check_desc(d, real, err, errlen);
  if (rc != WEIR_OK) {
    dlclose(h);
    return rc;
  }
  loaded_plugin *p = calloc(1, sizeof *p);
  if (!p) {
    dlclose(h);
    return WEIR_ERR_NOMEM;
  }
  size_t n = d->struct_size < sizeof(weir_plugin) ? d->struct_size
                                                  : sizeof(weir_plugin);
  memcpy(&p->desc, d, n);
  rc = check_callbacks(&p->desc, real, err, errlen);
  if (rc == WEIR_OK) {
    /* A source and a sink may share a name (file, kafka); two plugins of
     * one kind may not. */
    for (size_t i = 0; i < r->n; i++)
      if (strcmp(r->items[i]->desc.name, p->desc.name) == 0 &&
          r->items[i]->desc.kind == p->desc.kind) {
        snprintf(err, errlen,
                 "%s: a plugin named '%s' is already loaded from %s; plugin "
                 "names must be unique",
                 real, p->desc.name, r->items[i]->path);
        rc = WEIR_ERR_INVALID;
        break;
      }
  }
  loaded_plugin **items =
      rc == WEIR_OK ? realloc(r->items, (r->n + 1) * sizeof *items) : NULL;
  if (rc == WEIR_OK && !items)
    rc = WEIR_ERR_NOMEM;
  if (rc != WEIR_OK) {
    free(p);
    dlclose(h);
    return rc;
  }
  p->path = strdup(real);
  p->handle = h;
  r->items = items;
  r->items[r->n++] = p;
  *out = p;
  return WEIR_OK;
}

int registry_load(plugin_registry *r, const char *spec, int kind,
                  loaded_plugin **out, char *err, size_t errlen) {
  if (is_path(spec))
    return load_file(r, spec, out, err, errlen);
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(r->items[i]->desc.name, spec) == 0 &&
        (!kind || (int)r->items[i]->desc.kind == kind)) {
      *out = r->items[i];
      return WEIR_OK;
    }
  /* NAME_KIND.so first (file_sink.so for [sink.x] plugin = file), then
   * NAME.so, folder by folder. */
  for (size_t i = 0; i < r->ndirs; i++) {
    char p[PATH_MAX];
    if (kind) {
      snprintf(p, sizeof p, "%s/%s_%s.so", r->dirs[i], spec, kind_name(kind));
      if (file_exists(p))
        return load_file(r, p, out, err, errlen);
    }
    snprintf(p, sizeof p, "%s/%s.so", r->dirs[i], spec);
    if (file_exists(p))
      return load_file(r, p, out, err, errlen);
  }
  /* Not found: suggest a plugin name from what the search path holds. */
  const char *names[256];
  char *owned[256];
  size_t nn = 0;
  for (size_t i = 0; i < r->ndirs && nn < 256; i++) {
    DIR *d = opendir(r->dirs[i]);
    struct dirent *e;
    while (d && (e = readdir(d)) && nn < 256) {
      size_t l = strlen(e->d_name);
      if (l > 3 && strcmp(e->d_name + l - 3, ".so") == 0) {
        size_t stem = l - 3;
        /* file_sink.so is offered as "file" */
        for (int k = WEIR_KIND_SOURCE; k <= WEIR_KIND_SINK; k++) {
          size_t kl = strlen(kind_name(k));
          if (stem > kl + 1 && e->d_name[stem - kl - 1] == '_' &&
              strncmp(e->d_name + stem - kl, kind_name(k), kl) == 0)
            stem -= kl + 1;
        }
        owned[nn] = strndup(e->d_name, stem);
        names[nn] = owned[nn];
        if (owned[nn])
          nn++;
      }
    }
    if (d)
      closedir(d);
  }
  const char *near = weir_suggest(spec, names, nn);
  int off = snprintf(err, errlen, "no plugin named '%s'", spec);
  if (near && off > 0 && (size_t)off < errlen)
    off += snprintf(err + off, errlen - (size_t)off, " (did you mean '%s'?)",
                    near);
  if (off > 0 && (size_t)off < errlen)
    off += snprintf(err + off, errlen - (size_t)off, "; searched:");
  for (size_t i = 0; i < r->ndirs && off > 0 && (size_t)off < errlen; i++)
    off += snprintf(err + off, errlen - (size_t)off, " %s", r->dirs[i]);
  for (size_t i = 0; i < nn; i++)
    free(owned[i]);
  return WEIR_ERR_NOTFOUND;
}

void registry_load_all(plugin_registry *r) {
  for (size_t i = 0; i < r->ndirs; i++) {
    DIR *d = opendir(r->dirs[i]);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      size_t l = strlen(e->d_name);
      if (l <= 3 || strcmp(e->d_name + l - 3, ".so") != 0)
        continue;
      char p[PATH_MAX], err[1024];
      loaded_plugin *lp;
      snprintf(p, sizeof p, "%s/%s", r->dirs[i], e->d_name);
      char real[PATH_MAX];
      int dup = 0;
      for (size_t k = 0; k < r->n && realpath(p, real); k++)
        dup |= strcmp(r->items[k]->path, real) == 0;
      if (!dup && load_file(r, p, &lp, err, sizeof err) != WEIR_OK)
        fprintf(stderr, "weir: skipping %s\n", err);
    }
    if (d)
      closedir(d);
  }
}
