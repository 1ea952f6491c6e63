/* key.c — dedup's canonical keys are aggregate's: the one implementation
 * lives in plugins/aggregate/key.c (a candidate for the SDK as weir/key.h,
 * see there) and is compiled into this plugin from that file, not copied. */
#include "../aggregate/key.c"
