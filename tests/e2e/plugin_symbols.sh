# Every built-in plugin exports exactly one symbol, the entry function, and
# links with -z defs (no undefined runtime symbols): DESIGN §4.
. tests/e2e/lib.sh
for so in "$TOP/$BUILD"/plugins/*.so; do
  name=$(basename "$so" .so)
  syms=$(nm -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
  expect_eq "$name exports only the entry symbol" "weir_plugin_entry " "$syms"
  if nm -D --undefined-only "$so" | grep -q ' U weir_'; then
    not_ok "$name needs no symbol from the runtime"
  else
    ok "$name needs no symbol from the runtime"
  fi
done
finish
