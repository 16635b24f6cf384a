#!/usr/bin/env bash
# Builds the wasm package: ues-wasm for wasm32-unknown-unknown (release), then
# wasm-bindgen into pkg/wasm/ (gitignored build output):
#   pkg/wasm/node/  --target nodejs  (the interop tests and Node users)
#   pkg/wasm/web/   --target web     (browsers: ues-web, www/)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

cargo build -p ues-wasm --target wasm32-unknown-unknown --release
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ues_wasm.wasm"
[ -f "$wasm" ] || ues_die "cargo did not produce $wasm"
for target in nodejs web; do
  out="$UES_PKG_OUT/${target/nodejs/node}"
  rm -rf "$out"
  wasm-bindgen --target "$target" --out-dir "$out" "$wasm"
done
# The nodejs output is CommonJS: say so, whatever a parent package.json says.
printf '{ "type": "commonjs" }\n' >"$UES_PKG_OUT/node/package.json"
size="$(wc -c <"$UES_PKG_OUT/web/ues_wasm_bg.wasm")"
gz="$(gzip -9c "$UES_PKG_OUT/web/ues_wasm_bg.wasm" | wc -c)"
ues_note "wasm package: $UES_PKG_OUT/{node,web} (ues_wasm_bg.wasm: $size bytes, $gz gzipped)"
