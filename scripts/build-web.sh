#!/usr/bin/env bash
# Builds the web app (ues-web, Leptos CSR): cargo for wasm32 (profile
# `wasm`: optimised for size), then wasm-bindgen --target web into
# ues-web/pkg/ (gitignored build output), then wasm-opt. ues-web/index.html
# and style.css load it; scripts/serve.mjs serves the app at /app/.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

cargo build -p ues-web --target wasm32-unknown-unknown --profile wasm
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/ues_web.wasm"
[ -f "$wasm" ] || ues_die "cargo did not produce $wasm"
out="$UES_ROOT/ues-web/pkg"
stamp="$out/.source-sha256"
sum="$(sha256sum "$wasm" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
  ues_note "web app: up to date ($out)"
  exit 0
fi
rm -rf "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" "$wasm"
wasm_opt="$UES_ROOT/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || ues_die "wasm-opt missing ($wasm_opt): run scripts/setup.sh"
"$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  -o "$out/ues_web_bg.wasm.opt" "$out/ues_web_bg.wasm"
mv "$out/ues_web_bg.wasm.opt" "$out/ues_web_bg.wasm"
echo "$sum" >"$stamp"
size="$(wc -c <"$out/ues_web_bg.wasm")"
gz="$(gzip -9c "$out/ues_web_bg.wasm" | wc -c)"
ues_note "web app: $out (ues_web_bg.wasm: $size bytes, $gz gzipped)"
