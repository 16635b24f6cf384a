# Shared environment of the UES scripts. Source it, don't run it:
#   . "$(dirname "$0")/env.sh"
#
# Sets UES_ROOT (the repository root), the stable cache paths outside the clone
# (kept between runs when present, rebuilt when not), the test-time settings,
# and a few helpers (ues_step, ues_die, ues_note).

UES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export UES_ROOT

# Caches outside the clone: a fresh clone reuses an earlier build when the
# directories exist. /var/cache/ues when writable (CI runs as root), otherwise
# the user's cache directory.
if [ -z "${UES_CACHE:-}" ]; then
  if mkdir -p /var/cache/ues 2>/dev/null && [ -w /var/cache/ues ]; then
    UES_CACHE=/var/cache/ues
  else
    UES_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/ues"
  fi
fi
export UES_CACHE
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$UES_CACHE/target}"
export npm_config_cache="${npm_config_cache:-$UES_CACHE/npm}"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# Tools installed by `cargo install` (wasm-bindgen) live here.
case ":$PATH:" in
  *":${CARGO_HOME:-$HOME/.cargo}/bin:"*) ;;
  *) export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" ;;
esac

# Headless Chromium for the wasm tests (wasm-bindgen-test-runner). The runner
# finds chromedriver through CHROMEDRIVER, reads the browser's capabilities
# (--no-sandbox etc., needed as root and with a closed network) from the
# webdriver.json named here, and runs the tests in the browser, not in Node,
# because of WASM_BINDGEN_USE_BROWSER.
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="${WASM_BINDGEN_TEST_WEBDRIVER_JSON:-$UES_ROOT/scripts/webdriver.json}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-60}"

# Core crates: target-neutral, must build for wasm32 without tokio or `env`
# imports (scripts/check-core.sh). Add each new core crate here.
UES_CORE_CRATES="${UES_CORE_CRATES:-ues-data ues-store ues-identity ues-lexicon ues-repo ues-sync ues-node ues-apps}"

# Where the wasm package's generated bindings go (gitignored build output).
UES_PKG_OUT="$UES_ROOT/pkg/wasm"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  UES_BOLD=$'\e[1m' UES_RED=$'\e[31m' UES_GREEN=$'\e[32m' UES_RESET=$'\e[0m'
else
  UES_BOLD='' UES_RED='' UES_GREEN='' UES_RESET=''
fi

ues_note() { printf '%s\n' "$*"; }
ues_die() {
  printf '%sERROR: %s%s\n' "$UES_RED" "$*" "$UES_RESET" >&2
  exit 1
}
# ues_header "title": a visible section header.
ues_header() {
  printf '\n%s==> %s%s\n' "$UES_BOLD" "$*" "$UES_RESET"
}
