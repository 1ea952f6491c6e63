/* weir/error.h — error codes shared by the runtime, the SDK and plugins.
 * Every fallible function returns WEIR_OK (0) or one of these (negative). */
#ifndef WEIR_ERROR_H
#define WEIR_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum weir_err {
  WEIR_OK = 0,
  WEIR_ERR_NOMEM = -1,       /* out of memory */
  WEIR_ERR_INVALID = -2,     /* bad argument or option value */
  WEIR_ERR_FORMAT = -3,      /* malformed bytes: batch, record, file */
  WEIR_ERR_IO = -4,          /* a system call failed */
  WEIR_ERR_SCHEMA = -5,      /* unknown column, type mismatch */
  WEIR_ERR_UNSUPPORTED = -6, /* not supported in this combination */
  WEIR_ERR_ABI = -7,         /* plugin of another ABI */
  WEIR_ERR_NOTFOUND = -8,    /* no such file, plugin, key */
  WEIR_ERR_STATE = -9,       /* state or checkpoint inconsistent */
  WEIR_ERR_LIMIT = -10,      /* a configured limit was exceeded */
  WEIR_ERR_INTERNAL = -11    /* a bug: please report */
} weir_err;

/* "WEIR_ERR_FORMAT" for WEIR_ERR_FORMAT; "WEIR_ERR_UNKNOWN" otherwise.
 * Static strings; never NULL. */
const char *weir_err_name(int code);

/* A short English description ("malformed data"); static; never NULL. */
const char *weir_err_str(int code);

#ifdef __cplusplus
}
#endif
#endif
