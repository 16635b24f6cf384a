#!/usr/bin/env bash
# Hygiene of the core crates (UES_CORE_CRATES in scripts/env.sh), the rules
# that keep one core on every host:
#   1. no core crate pulls tokio into its wasm32 build (normal dependencies);
#   2. the wasm build of the core (ues-wasm, release, after wasm-bindgen)
#      imports nothing from the `env` module.
# Fails with a message naming the crate or the import.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

forbidden_crates="${UES_FORBIDDEN_CORE_DEPS:-tokio}"

for crate in $UES_CORE_CRATES; do
  tree="$(cargo tree -q -p "$crate" --target wasm32-unknown-unknown -e normal --prefix none)" \
    || ues_die "cargo tree failed for core crate $crate"
  for dep in $forbidden_crates; do
    if grep -q "^$dep v" <<<"$tree"; then
      printf 'Core crate %s depends on %s (wasm32, normal dependencies). Paths to it:\n' "$crate" "$dep" >&2
      cargo tree -q -p "$crate" --target wasm32-unknown-unknown -e normal -i "$dep" >&2 || true
      ues_die "core crate $crate pulls $dep into its wasm32 build: core crates must not (see DESIGN.md, 'Rules that keep one core on three hosts')"
    fi
  done
  ues_note "ok: $crate has no ${forbidden_crates// /, } in its wasm32 dependency tree ($(grep -c . <<<"$tree") crates)"
done

if [ "${UES_SKIP_PKG_BUILD:-}" != 1 ]; then
  "$UES_ROOT/scripts/build-pkg.sh"
fi
node "$UES_ROOT/scripts/wasm-imports.mjs" --forbid env \
  "$UES_PKG_OUT/node/ues_wasm_bg.wasm" "$UES_PKG_OUT/web/ues_wasm_bg.wasm" \
  || ues_die "the wasm build of the core imports from the \`env\` module (listed above)"
ues_note "ok: the core's wasm build imports nothing from \`env\`"
