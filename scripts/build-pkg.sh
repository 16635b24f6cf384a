#!/usr/bin/env bash
# Builds the wasm package: ues-wasm for wasm32-unknown-unknown, then
# wasm-bindgen into pkg/wasm/ (gitignored build output):
#   pkg/wasm/node/  --target nodejs  (the interop tests and Node users)
#   pkg/wasm/web/   --target web     (browsers: ues-web, www/)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

# Profile `wasm` (Cargo.toml): release, optimised for size, one codegen unit.
cargo build -p ues-wasm --target wasm32-unknown-unknown --profile wasm
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/ues_wasm.wasm"
[ -f "$wasm" ] || ues_die "cargo did not produce $wasm"
# Nothing to do when the bindings were made from this very wasm.
stamp="$UES_PKG_OUT/.source-sha256"
sum="$(sha256sum "$wasm" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -f "$UES_PKG_OUT/web/ues_wasm_bg.wasm" ]; then
  ues_note "wasm package: up to date ($UES_PKG_OUT)"
  exit 0
fi
rm -f "$stamp"
for target in nodejs web; do
  out="$UES_PKG_OUT/${target/nodejs/node}"
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-dir "$out" "$wasm"
done
# Optimise the shipped engine (the web build, which the npm package ships)
# for size with binaryen's wasm-opt, from npm. The nodejs build only serves
# the repo's own interop tests.
wasm_opt="$UES_ROOT/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || ues_die "wasm-opt missing ($wasm_opt): run scripts/setup.sh (npm ci installs binaryen)"
for target in web; do
  f="$UES_PKG_OUT/$target/ues_wasm_bg.wasm"
  "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals -o "$f.opt" "$f"
  mv "$f.opt" "$f"
done
# The nodejs output is CommonJS: say so, whatever a parent package.json says.
printf '{ "type": "commonjs" }\n' >"$UES_PKG_OUT/node/package.json"
size="$(wc -c <"$UES_PKG_OUT/web/ues_wasm_bg.wasm")"
gz="$(gzip -9c "$UES_PKG_OUT/web/ues_wasm_bg.wasm" | wc -c)"
ues_note "wasm package: $UES_PKG_OUT/{node,web} (ues_wasm_bg.wasm: $size bytes, $gz gzipped)"
echo "$sum" >"$stamp"
