#!/usr/bin/env bash
# Builds what bench/mst.mjs runs (all release builds, in $CARGO_TARGET_DIR of
# scripts/env.sh):
#   pkg/wasm/node/                 the ues-wasm package, by scripts/build-pkg.sh
#   bench/out/ues-bench-node/      the bench-only wasm module of crates/ues-bench
#                                  (MstBlocks: block map + mst::diff), nodejs build
#   $CARGO_TARGET_DIR/release/ues-mst-native   the native timings binary
#
#   bench/build.sh [--no-pkg]      --no-pkg: keep the existing pkg/wasm/node
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$UES_ROOT"

if [ "${1:-}" != "--no-pkg" ]; then
  "$UES_ROOT/scripts/build-pkg.sh"
fi
cargo build -p ues-bench --lib --target wasm32-unknown-unknown --release
out="$UES_ROOT/bench/out/ues-bench-node"
rm -rf "$out"
wasm-bindgen --target nodejs --out-dir "$out" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ues_bench.wasm"
printf '{ "type": "commonjs" }\n' >"$out/package.json"
cargo build -p ues-bench --bin ues-mst-native --release
ues_note "bench: built $out and $CARGO_TARGET_DIR/release/ues-mst-native"
