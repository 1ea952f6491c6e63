/* state.c — the runtime's state table for plugins: the SDK's store
 * (sdk/src/store.c) behind weir/state.h, with stores opened per node by
 * host.c. */
#include "state.h"

weir_state *host_state_open(weir_ctx *ctx, const char *name, uint32_t version);

const weir_state_api weir_state_api_impl = WEIR_STORE_API(host_state_open);
