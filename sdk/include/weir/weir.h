/* weir/weir.h — everything a plugin author includes. */
#ifndef WEIR_WEIR_H
#define WEIR_WEIR_H

#include "weir/batch.h"
#include "weir/error.h"
#include "weir/files.h"
#include "weir/groupstate.h"
#include "weir/json.h"
#include "weir/jsonparse.h"
#include "weir/key.h"
#include "weir/offset.h"
#include "weir/plugin.h"
#include "weir/state.h"
#include "weir/units.h"

#define WEIR_VERSION "0.1.0"

#endif
