/* gs_probe.h — the config of tests/plugins/gs_probe.c, a group-state
 * operator whose every knob is an option, shared with the unit tests that
 * run it in the SDK's harness (tests/unit/test_groupstate.c). */
#ifndef GS_PROBE_H
#define GS_PROBE_H

#include <weir/weir.h>

enum { PROBE_FLAT = 0, PROBE_MAP = 1 };
enum { PROBE_APPEND = 0, PROBE_UPDATE = 1 };
enum { PROBE_NONE = 0, PROBE_PROCESSING = 1, PROBE_EVENT = 2 };
enum {
  FAIL_NONE = 0,
  FAIL_CALL,    /* the data call returns an error */
  FAIL_TIMEOUT, /* the timeout call returns an error */
  FAIL_UPGRADE, /* the upgrade function returns an error */
  FAIL_CREATE   /* create refuses (before weir_groups_create) */
};
enum {
  MISUSE_NONE = 0,
  MISUSE_TWO_ROWS,       /* two rows per call */
  MISUSE_NO_ROW,         /* no row */
  MISUSE_PAST_TIMESTAMP, /* an event-time timeout at the watermark */
  MISUSE_NO_STATE,       /* a timeout on a key whose state was removed */
  MISUSE_WRONG_KIND,     /* the other kind of timeout */
  MISUSE_ZERO_DURATION   /* a duration of 0 */
};

typedef struct gs_probe_config {
  weir_list key;         /* key columns (default k) */
  int variant;           /* flat | map */
  int mode;              /* append | update (flat) */
  int timeout;           /* none | processing | event */
  int64_t duration;      /* timeout: after the call, or after the rows'
                            largest `ts` (event time) */
  int64_t state_version; /* 1: [count]; 2: [count, true] */
  int upgrade;           /* provide the 1 -> 2 upgrade */
  int fail_in;           /* FAIL_* */
  int64_t fail_epoch;    /* the epoch of fail_in and misuse */
  int misuse;            /* MISUSE_* */
  int keep_silent;       /* 1: do not set a timeout on data calls */
} gs_probe_config;

#endif
