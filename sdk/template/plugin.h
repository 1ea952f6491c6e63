/* plugin.h — myplugin's configuration, shared by plugin.c (which the
 * runtime fills from the INI section through the options table) and
 * test.c (which fills it by hand for the test harness). */
#ifndef MYPLUGIN_H
#define MYPLUGIN_H

#include <weir/weir.h>

typedef struct myplugin_config {
  const char *column; /* rows whose `column` is null are dropped */
} myplugin_config;

#endif
