#!/usr/bin/env bash
# Builds what bench/chromium/run.mjs serves and runs (outputs gitignored):
#   everything bench/build.sh builds (pkg/wasm/{node,web} via scripts/build-pkg.sh,
#     the ues-bench wasm, the ues-mst-native binary)
#   bench/chromium/out/ues-bench-web/  the bench-only MstBlocks module, --target web
#   bench/chromium/out/atproto.js      @atproto/repo bundled for the browser (esbuild)
#
#   bench/chromium/build.sh [--no-build]   --no-build: skip bench/build.sh (reuse
#                                          what it built last)
# Needs `npm ci` first (esbuild, playwright-core are dev dependencies).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/env.sh"
cd "$UES_ROOT"

if [ "${1:-}" != "--no-build" ]; then
  "$UES_ROOT/bench/build.sh"
fi
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ues_bench.wasm"
[ -f "$wasm" ] || ues_die "$wasm is missing: run bench/build.sh"
[ -f "$UES_PKG_OUT/web/ues_wasm.js" ] || ues_die "$UES_PKG_OUT/web is missing: run scripts/build-pkg.sh"
out="$UES_ROOT/bench/chromium/out/ues-bench-web"
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" "$wasm"
node "$UES_ROOT/bench/chromium/bundle.mjs"
ues_note "bench/chromium: built $out and bench/chromium/out/atproto.js"
