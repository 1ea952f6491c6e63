# Every C snippet of sdk/GUIDE.md compiles, warning-free (-Wall -Wextra
# -Werror), against the SDK's headers and library:
#   ```c file=PATH   must equal that file of the tree; compiled as below
#   ```c             a complete file: a plugin (it has WEIR_PLUGIN) is linked
#                    as a shared object with -z defs and must export only its
#                    entry; a program (it has main) is linked and run with
#                    the hello example's .so; anything else is compiled
#   ```c body        statements, compiled inside a function that has
#                    weir_ctx *ctx, const weir_batch *batch, weir_builder *b
#                    and weir_test *t
. tests/e2e/lib.sh
LIB="$TOP/$BUILD/lib/libweir-sdk.a"
CFLAGS="-std=c11 -O2 -Wall -Wextra -Werror -fPIC -fvisibility=hidden -I$TOP/sdk/include"
SANFLAGS=
[ "${SAN:-}" = 1 ] && SANFLAGS="-fsanitize=address,undefined"
DEFS="-Wl,-z,defs"
[ "${SAN:-}" = 1 ] && DEFS= # the sanitizer runtime comes from the host

python3 - "$TOP/sdk/GUIDE.md" "$T" <<'PY' >"$T/blocks"
import re, sys
text = open(sys.argv[1]).read()
out = sys.argv[2]
for i, m in enumerate(re.finditer(r"^```c([^\n]*)\n(.*?)^```$", text, re.S | re.M)):
    info, body = m.group(1).strip(), m.group(2)
    line = text.count("\n", 0, m.start()) + 1
    kind, path = "file", ""
    if info == "body":
        kind = "body"
        params = ("weir_ctx *ctx, const weir_batch *batch, weir_builder *b, "
                  "weir_test *t")
        body = ("#include <stddef.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
                "#include <string.h>\n#include <weir/weir.h>\n"
                "#include <weir/testing.h>\n"
                "int snippet(%s);\nint snippet(%s) {\n"
                "(void)ctx; (void)batch; (void)b; (void)t;\n"
                "#line %d\n%s\nreturn WEIR_OK;\n}\n") % (params, params,
                                                          line + 1, body)
    elif info.startswith("file="):
        path = info[5:]
    elif info:
        sys.exit("GUIDE.md:%d: unknown block info '%s'" % (line, info))
    name = "%s/snippet%02d.c" % (out, i)
    open(name, "w").write(body)
    print(name, line, kind, path)
PY
n=$(wc -l <"$T/blocks")
[ "$n" -ge 10 ] && ok "the guide has $n C snippets" || not_ok "the guide has $n C snippets"

while read -r src line kind path; do
  where="GUIDE.md:$line"
  if [ -n "$path" ]; then
    if cmp -s "$src" "$TOP/$path"; then ok "$where is $path, verbatim"; else
      not_ok "$where is $path, verbatim"; diff -u "$TOP/$path" "$src" | head -20; fi
  fi
  if [ "$kind" = body ] || ! grep -q -e 'WEIR_PLUGIN(' -e 'int main(' "$src"; then
    if cc $CFLAGS $SANFLAGS -c -o "${src%.c}.o" "$src" 2>"$T/cc.err"; then
      ok "$where compiles"; else not_ok "$where compiles"; cat "$T/cc.err"; fi
  elif grep -q 'WEIR_PLUGIN(' "$src"; then
    if cc $CFLAGS $SANFLAGS -shared $DEFS -o "${src%.c}.so" "$src" "$LIB" -lm 2>"$T/cc.err"; then
      ok "$where builds as a plugin"
      syms=$(nm -D --defined-only "${src%.c}.so" | awk '{print $3}' | tr '\n' ' ')
      expect_eq "$where exports only its entry" "weir_plugin_entry " "$syms"
    else not_ok "$where builds as a plugin"; cat "$T/cc.err"; fi
  else
    if cc $CFLAGS $SANFLAGS -o "${src%.c}.bin" "$src" "$LIB" -lm 2>"$T/cc.err"; then
      ok "$where builds as a program"
      "${src%.c}.bin" "$TOP/$BUILD/examples/hello.so" >"$T/run.out" 2>&1
      expect_eq "$where runs and passes" 0 $?
      cat "$T/run.out"
    else not_ok "$where builds as a program"; cat "$T/cc.err"; fi
  fi
done <"$T/blocks"

# The guide is linked from the SDK's README and installed with the SDK.
expect_grep "sdk/README.md links to the guide" "(GUIDE.md)" "$TOP/sdk/README.md"
finish
