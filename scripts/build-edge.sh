#!/usr/bin/env bash
# Builds the edge relay (ues-edge) for Cloudflare Workers with worker-build
# 0.7.5, offline: the tools it would download are the local ones —
#   WASM_BINDGEN_BIN  wasm-bindgen 0.2.108 (cargo-installed by setup.sh)
#   WASM_OPT_BIN      node_modules/.bin/wasm-opt (npm binaryen@125.0.0)
#   ESBUILD_BIN       node_modules/.bin/esbuild
# Output: ues-edge/build/{worker/shim.mjs,index.js,index_bg.wasm}, which
# ues-edge/wrangler.toml points at. Honours CARGO_TARGET_DIR.
# UES_EDGE_NO_OPT=1 skips wasm-opt (binaryen.js takes minutes; the wasm is
# then ~30% larger): for quick local iterations.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT/ues-edge"

command -v worker-build >/dev/null || ues_die "worker-build not found: run scripts/setup.sh (cargo install worker-build --version 0.7.5 --locked)"
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen || true)}"
export WASM_OPT_BIN="${WASM_OPT_BIN:-$UES_ROOT/node_modules/.bin/wasm-opt}"
export ESBUILD_BIN="${ESBUILD_BIN:-$UES_ROOT/node_modules/.bin/esbuild}"
[ -x "$WASM_BINDGEN_BIN" ] || ues_die "wasm-bindgen not found: run scripts/setup.sh"
[ -x "$WASM_OPT_BIN" ] && [ -x "$ESBUILD_BIN" ] || ues_die "node_modules tools missing (wasm-opt, esbuild): run scripts/setup.sh"

t0=$SECONDS
opt=()
[ "${UES_EDGE_NO_OPT:-0}" = 1 ] && opt=(--no-opt)
worker-build --release "${opt[@]}"
wasm="build/index_bg.wasm"
[ -f "$wasm" ] || ues_die "worker-build did not produce ues-edge/$wasm"
ues_note "edge worker: ues-edge/build ($(wc -c <"$wasm") bytes wasm, $(gzip -9c "$wasm" | wc -c) gzipped) in $((SECONDS - t0))s"
