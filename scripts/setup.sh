#!/usr/bin/env bash
# Installs what the build and the tests need, and only what is missing:
#   - the wasm32-unknown-unknown target and the rustfmt/clippy components (rustup)
#   - wasm-bindgen-cli at exactly the version of `wasm-bindgen` in Cargo.lock (cargo install)
#   - Debian chromium + chromium-driver for the headless-browser tests (apt-get)
#   - the npm dev dependencies from the committed package-lock.json (npm ci)
# Idempotent: a second run checks and changes nothing. Downloads only from
# crates.io, npm and the Debian archive.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

ok() { printf '  ok       %s\n' "$*"; }
doing() { printf '  install  %s\n' "$*"; }

ues_header "setup: checking tools (CARGO_TARGET_DIR=$CARGO_TARGET_DIR, npm cache $npm_config_cache)"
mkdir -p "$CARGO_TARGET_DIR" "$npm_config_cache" || ues_die "cannot create the cache directories under $UES_CACHE"

# --- prerequisites that setup does not install --------------------------------
command -v cargo >/dev/null || ues_die "cargo not found: install Rust with rustup (https://rustup.rs), then rerun"
command -v rustup >/dev/null || ues_die "rustup not found: this setup adds targets/components with rustup"
command -v node >/dev/null || ues_die "node not found: install Node.js 20 or newer with npm"
command -v npm >/dev/null || ues_die "npm not found: install npm (it comes with Node.js)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || ues_die "Node.js $(node --version) is too old: 20 or newer is needed"
ok "$(rustc --version), node $(node --version), npm $(npm --version)"

fixtures="${UES_FIXTURES:-$UES_ROOT/../shared/fixtures}"
[ -d "$fixtures" ] || ues_die "test fixtures not found at $fixtures: put the shared fixtures beside the clone (../shared/fixtures) or set UES_FIXTURES"
ok "fixtures at $(cd "$fixtures" && pwd)"

# --- rustup: wasm target, components ------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  ok "rust target wasm32-unknown-unknown"
else
  doing "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
installed_components="$(rustup component list --installed)"
for comp in rustfmt clippy; do
  if grep -q "^$comp" <<<"$installed_components"; then
    ok "rust component $comp"
  else
    doing "rust component $comp"
    rustup component add "$comp"
  fi
done

# --- wasm-bindgen-cli at the Cargo.lock version -------------------------------
wb_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ -n "$wb_version" ] || ues_die "no wasm-bindgen package in Cargo.lock"
have_wb="$(wasm-bindgen --version 2>/dev/null || true)"
have_runner="$(wasm-bindgen-test-runner --version 2>/dev/null || true)"
if [ "$have_wb" = "wasm-bindgen $wb_version" ] && [ "$have_runner" = "wasm-bindgen-test-runner $wb_version" ]; then
  ok "wasm-bindgen-cli $wb_version"
else
  doing "wasm-bindgen-cli $wb_version (found: ${have_wb:-none}; takes a few minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version" --locked --force
fi

# --- headless Chromium (Debian packages) --------------------------------------
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  ok "chromium + chromedriver"
else
  doing "chromium + chromium-driver (apt-get)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || ues_die "chromium is missing and installing it needs root: run as root or install sudo"
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium chromium-driver
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || ues_die "apt-get finished but /usr/bin/chromium or /usr/bin/chromedriver is missing"
fi

# --- npm dev dependencies -----------------------------------------------------
[ -f package-lock.json ] || ues_die "package-lock.json is missing: it is committed with package.json"
stamp_file=node_modules/.ues-npm-stamp
want_stamp="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1) node-$node_major"
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$want_stamp" ]; then
  ok "npm dev dependencies (node_modules matches package-lock.json)"
else
  doing "npm dev dependencies (npm ci)"
  # The reference packages declare engines >=22 but run on Node 20 (the
  # interop tests check the results); keep the warning out of the log.
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "$want_stamp" >"$stamp_file"
fi

# --- edge relay (ues-edge, issue 7): worker-build ------------------------------
# worker-build 0.7.5 builds the Cloudflare Worker (scripts/build-edge.sh); it
# is told to use the local wasm-bindgen and node_modules' wasm-opt/esbuild, so
# it downloads nothing. wrangler, binaryen and esbuild come from npm above.
if [ "$(worker-build --version 2>/dev/null || true)" = "0.7.5" ]; then
  ok "worker-build 0.7.5"
else
  doing "worker-build 0.7.5 (cargo install; takes a few minutes)"
  cargo install worker-build --version 0.7.5 --locked --force
fi

ues_note "setup: done"
