/* error.c — names and one-line descriptions of the weir_err codes, for log
 * lines and error messages shown to users. */
#include "weir/error.h"

const char *weir_err_name(int code) {
  switch (code) {
  case WEIR_OK: return "WEIR_OK";
  case WEIR_ERR_NOMEM: return "WEIR_ERR_NOMEM";
  case WEIR_ERR_INVALID: return "WEIR_ERR_INVALID";
  case WEIR_ERR_FORMAT: return "WEIR_ERR_FORMAT";
  case WEIR_ERR_IO: return "WEIR_ERR_IO";
  case WEIR_ERR_SCHEMA: return "WEIR_ERR_SCHEMA";
  case WEIR_ERR_UNSUPPORTED: return "WEIR_ERR_UNSUPPORTED";
  case WEIR_ERR_ABI: return "WEIR_ERR_ABI";
  case WEIR_ERR_NOTFOUND: return "WEIR_ERR_NOTFOUND";
  case WEIR_ERR_STATE: return "WEIR_ERR_STATE";
  case WEIR_ERR_LIMIT: return "WEIR_ERR_LIMIT";
  case WEIR_ERR_INTERNAL: return "WEIR_ERR_INTERNAL";
  default: return "WEIR_ERR_UNKNOWN";
  }
}

const char *weir_err_str(int code) {
  switch (code) {
  case WEIR_OK: return "success";
  case WEIR_ERR_NOMEM: return "out of memory";
  case WEIR_ERR_INVALID: return "invalid argument";
  case WEIR_ERR_FORMAT: return "malformed data";
  case WEIR_ERR_IO: return "input/output error";
  case WEIR_ERR_SCHEMA: return "schema mismatch";
  case WEIR_ERR_UNSUPPORTED: return "not supported";
  case WEIR_ERR_ABI: return "incompatible plugin ABI";
  case WEIR_ERR_NOTFOUND: return "not found";
  case WEIR_ERR_STATE: return "inconsistent state";
  case WEIR_ERR_LIMIT: return "limit exceeded";
  case WEIR_ERR_INTERNAL: return "internal error (a bug: please report)";
  default: return "unknown error";
  }
}
