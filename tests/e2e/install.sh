# make install into a DESTDIR: binary, plugins where the binary finds them
# by default, SDK headers and library, weir-sdk.pc; then a plugin built out
# of tree against the installed SDK with pkg-config, loaded by `weir run`.
# Then the plugin template: `weir new-plugin` (the installed binary and
# script) makes a plugin folder, its 5-line Makefile builds it through
# pkg-config weir-sdk and plugin.mk, `make test` runs its test in the SDK's
# harness, and the installed `weir run` loads it by path and, after the
# plugin's `make install`, by name. weir-sdk.pc needs nothing but the SDK
# (no msgpack-c: the SDK does not call it).
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
# A sanitizer build installs an instrumented libweir-sdk.a: link its runtime.
SANCC=
[ "${SAN:-}" = 1 ] && SANCC="-fsanitize=address,undefined"
cc -std=c11 -Wall -Wextra -Werror $SANCC -shared -Wl,-z,defs -o "$T/myplugin/passthru.so" \
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

# ---- the plugin template ------------------------------------------------
for f in usr/share/weir/template/Makefile usr/share/weir/template/plugin.c \
         usr/share/weir/template/test.c usr/share/weir/plugin.mk \
         usr/share/weir/GUIDE.md usr/bin/weir-new-plugin \
         usr/include/weir/groupstate.h usr/include/weir/testing.h; do
  [ -f "$R/$f" ] && ok "installed $f" || not_ok "installed $f"
done
n=$(wc -l <"$R/usr/share/weir/template/Makefile")
[ "$n" -le 5 ] && ok "the template's Makefile has $n lines" || not_ok "the template's Makefile has $n lines"

expect_eq "weir-sdk.pc requires nothing else" "" "$(pkg-config --print-requires --print-requires-private weir-sdk)"
if nm "$R/usr/lib/libweir-sdk.a" 2>/dev/null | grep -q ' U msgpack_'; then
  not_ok "libweir-sdk.a does not call msgpack-c"; else ok "libweir-sdk.a does not call msgpack-c"; fi
expect_eq "pkg-config points at the installed plugin.mk" "$R/usr/share/weir/plugin.mk" "$(pkg-config --variable=pluginmk weir-sdk)"

mkdir -p "$T/src"
(cd "$T/src" && env -u WEIR_PLUGIN_PATH "$R/usr/bin/weir" new-plugin nullfilter --kind operator) >"$T/new.out" 2>&1
expect_eq "weir new-plugin makes a plugin folder" 0 $?
expect_grep "from the installed template" "from $R/usr/share/weir/template" "$T/new.out"
(cd "$T/src" && env -u WEIR_PLUGIN_PATH "$R/usr/bin/weir" new-plugin nullfilter) >"$T/new2.out" 2>&1
expect_eq "weir new-plugin refuses an existing folder" 1 $?
(cd "$T/src" && "$R/usr/bin/weir" new-plugin 9lives) >"$T/new3.out" 2>&1
expect_grep "weir new-plugin checks the name" "NAME must start with a lowercase letter" "$T/new3.out"

P="$T/src/nullfilter"
expect_grep "the name is substituted" '\.name = "nullfilter"' "$P/plugin.c"
SANMK=
[ "${SAN:-}" = 1 ] && SANMK="CFLAGS=-O1 -g -fsanitize=address,undefined"
make -C "$P" ${SANMK:+"$SANMK"} >"$T/build.log" 2>&1
rc=$?
expect_eq "the plugin builds out of tree with pkg-config and plugin.mk" 0 $rc
[ $rc -eq 0 ] || cat "$T/build.log"
[ -f "$P/nullfilter.so" ] && ok "nullfilter.so exists" || not_ok "nullfilter.so exists"
make -C "$P" test ${SANMK:+"$SANMK"} >"$T/test.log" 2>&1
expect_eq "make test passes (the SDK's harness)" 0 $?
expect_grep "its test checks the filter" "^ok rows with a null name are dropped" "$T/test.log"
expect_grep "and the load-time error" "^ok a misspelt column is refused" "$T/test.log"

mkdir -p "$T/in"
printf '%s\n' '{"name":"ada","n":1}' '{"n":2}' '{"name":"bob","n":3}' '{"name":null,"n":4}' >"$T/in/1.json"
cat >"$T/q.ini" <<INI
[query]
trigger = once
[source.people]
plugin = file
path   = $T/in
format = json
schema = name STRING, n BIGINT
[operator.f]
plugin = $P/nullfilter.so
input  = people
column = name
[sink.out]
plugin = console
format = json
input  = f
INI
cat >"$T/expected" <<'OUT'
{"epoch":0,"name":"ada","n":1}
{"epoch":0,"name":"bob","n":3}
OUT
env -u WEIR_PLUGIN_PATH "$R/usr/bin/weir" run "$T/q.ini" >"$T/out" 2>"$T/err"
expect_eq "the installed weir runs the template plugin" 0 $?
expect_file "rows with a null column are dropped" "$T/expected" "$T/out"

make -C "$P" install DESTDIR= >"$T/inst.log" 2>&1
expect_eq "make install puts the plugin in weir's plugin folder" 0 $?
[ -f "$R/usr/lib/weir/plugins/nullfilter.so" ] && ok "nullfilter.so is installed" || not_ok "nullfilter.so is installed"
sed -i "s|^plugin = $P/nullfilter.so|plugin = nullfilter|" "$T/q.ini"
env -u WEIR_PLUGIN_PATH "$R/usr/bin/weir" run "$T/q.ini" >"$T/out2" 2>"$T/err2"
expect_eq "the installed weir finds it by name" 0 $?
expect_eq "with the same output" "$(cat "$T/out")" "$(cat "$T/out2")"
finish
