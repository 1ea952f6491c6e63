# make install into a DESTDIR: binary, plugins where the binary finds them
# by default, SDK headers and library, weir-sdk.pc; then a plugin built out
# of tree against the installed SDK with pkg-config, loaded by `weir run`.
. tests/e2e/lib.sh
R="$T/root"
make -s install BUILD="$BUILD" SAN="${SAN:-}" PREFIX=/usr DESTDIR="$R" >"$T/make.log" 2>&1
expect_eq "make install succeeds" 0 $?
for f in usr/bin/weir usr/lib/weir/plugins/rate.so usr/lib/weir/plugins/console.so \
         usr/include/weir/weir.h usr/include/weir/plugin.h usr/lib/libweir-sdk.a \
         usr/lib/pkgconfig/weir-sdk.pc; do
  [ -f "$R/$f" ] && ok "installed $f" || not_ok "installed $f"
done
# The installed binary finds the installed plugins without any path set.
env -u WEIR_PLUGIN_PATH "$R/usr/bin/weir" plugins rate >"$T/p" 2>&1
expect_grep "installed weir finds its plugins by default" "$R/usr/lib/weir/plugins/rate.so" "$T/p"

export PKG_CONFIG_PATH="$R/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$R"
mkdir -p "$T/myplugin"
cat > "$T/myplugin/passthru.c" <<'C'
#include <weir/weir.h>
static int create(weir_ctx *ctx, const void *cfg, weir_create_args *a, void **self) {
  (void)cfg;
  a->output = weir_schema_copy(a->input);
  *self = a->output;
  return a->output ? WEIR_OK : weir_error(ctx, WEIR_ERR_NOMEM, "out of memory");
}
static void destroy(void *self) { (void)self; }
static int process(void *self, weir_ctx *ctx, const weir_batch *b) {
  (void)self;
  return weir_emit(ctx, b->data, b->len);
}
static const weir_plugin desc = {
    .struct_size = sizeof(weir_plugin), .abi_major = WEIR_ABI_MAJOR,
    .abi_minor = WEIR_ABI_MINOR, .kind = WEIR_KIND_OPERATOR,
    .name = "passthru", .version = "1", .description = "out-of-tree test",
    .create = create, .destroy = destroy, .process = process};
WEIR_PLUGIN(desc)
C
cc -std=c11 -Wall -Wextra -Werror -shared -Wl,-z,defs -o "$T/myplugin/passthru.so" \
  "$T/myplugin/passthru.c" $(pkg-config --cflags --libs weir-sdk) >"$T/cc.log" 2>&1
expect_eq "an out-of-tree plugin builds with pkg-config weir-sdk" 0 $?
cat "$T/cc.log"
cat > "$T/q.ini" <<INI
[query]
trigger = once
[source.r]
plugin = rate
start_timestamp = 2026-01-01T00:00:00Z
max_rows = 2
[operator.p]
plugin = $T/myplugin/passthru.so
input = r
[sink.out]
plugin = console
format = json
input = p
INI
env -u WEIR_PLUGIN_PATH "$R/usr/bin/weir" run "$T/q.ini" >"$T/out" 2>"$T/err"
expect_eq "the installed weir runs the out-of-tree plugin" 0 $?
expect_eq "its rows reach the sink" 2 "$(wc -l <"$T/out")"
finish
