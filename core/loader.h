/* loader.h — finding plugins on disk and loading them with dlopen, checking
 * the descriptor before anything else of the object is used. */
#ifndef WEIR_CORE_LOADER_H
#define WEIR_CORE_LOADER_H

#include "weir/plugin.h"

typedef struct loaded_plugin {
  char *path;       /* resolved path of the .so */
  void *handle;     /* dlopen handle; never closed while a query runs */
  weir_plugin desc; /* zeroed, then min(struct_size, sizeof) copied in */
} loaded_plugin;

typedef struct plugin_registry {
  loaded_plugin **items;
  size_t n, cap;
  char **dirs; /* search path, in order */
  size_t ndirs;
} plugin_registry;

/* Sets up the search path: `extra` (colon-separated, may be NULL: the
 * topology's plugin_path), then $WEIR_PLUGIN_PATH, then the folders next to
 * the running binary (../plugins, ../lib/weir/plugins), then the installed
 * plugin folder. */
int registry_init(plugin_registry *r, const char *extra);
void registry_free(plugin_registry *r); /* dlcloses everything */

/* Loads `spec` (a bare name looked up in the search path as NAME_KIND.so,
 * then NAME.so — a source and a sink may share a name —, or a path: it
 * contains '/' or ends in ".so"), verifies the entry symbol, ABI major,
 * descriptor size and required callbacks. A plugin already loaded from the
 * same file is returned again; two files declaring one name and kind are
 * refused. kind 0: any kind.
 * On error returns < 0 with a message in err (no file:line prefix). */
int registry_load(plugin_registry *r, const char *spec, int kind,
                  loaded_plugin **out, char *err, size_t errlen);

/* Loads every .so of the search path (for `weir plugins`); failures are
 * reported to stderr and skipped. */
void registry_load_all(plugin_registry *r);

const char *kind_name(int kind);

#endif
