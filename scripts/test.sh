#!/usr/bin/env bash
# The test command of README.md: sets up what is missing (scripts/setup.sh),
# then runs every suite, stopping at the first failure:
#   fmt      cargo fmt --check
#   clippy   clippy -D warnings, native (all targets) and wasm32 (core crates, ues-wasm)
#   native   cargo test --workspace --exclude ues-bench
#   wasm     the core crates' tests as wasm in headless Chromium (wasm-bindgen-test)
#   core     core-crate hygiene: no tokio, no `env` imports in the wasm build
#   interop  the wasm package in Node against the reference JS (tests/interop/)
#   pkg      the npm package packed and installed as users get it: Node.js,
#            a Chromium page over IndexedDB (and a reload), a Web Worker, tsc;
#            and www/ (the plain-JS app) end to end in Chromium
#   web      the web app (ues-web, Leptos) built and driven end to end in Chromium
#   edge     the edge relay (ues-edge) built and run in workerd (`wrangler dev
#            --local`), driven by @atproto/api and @atproto/repo (tests/edge/);
#            then the web app syncing through it (tests/browser/sync.mjs)
#
#   scripts/test.sh                 everything
#   scripts/test.sh wasm interop    only these steps (setup always runs)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

all_steps=(fmt clippy native wasm core interop pkg web edge)
if [ $# -gt 0 ]; then
  for s in "$@"; do
    [[ " ${all_steps[*]} " == *" $s "* ]] || ues_die "unknown step '$s' (steps: ${all_steps[*]})"
  done
  steps=("$@")
else
  steps=("${all_steps[@]}")
fi

core_pkgs=()
for c in $UES_CORE_CRATES; do core_pkgs+=(-p "$c"); done

step_fmt() { cargo fmt --all -- --check; }
step_clippy() {
  # ues-bench is left out: its peers (shrike, criterion) change shared
  # dependency features and would build the workspace a second time.
  cargo clippy --workspace --exclude ues-bench --all-targets -- -D warnings
  cargo clippy "${core_pkgs[@]}" -p ues-wasm -p ues-web -p ues-p2p --target wasm32-unknown-unknown --all-targets -- -D warnings
}
step_native() { cargo test --workspace --exclude ues-bench; }
step_wasm() {
  # Runner, chromedriver and browser capabilities come from scripts/env.sh.
  WASM_BINDGEN_USE_BROWSER=1 cargo test "${core_pkgs[@]}" --target wasm32-unknown-unknown
}
step_core() { "$UES_ROOT/scripts/check-core.sh"; }
step_interop() {
  "$UES_ROOT/scripts/build-pkg.sh"
  node --test tests/interop/
}

step_pkg() { "$UES_ROOT/scripts/test-pkg.sh"; }
# The test build skips wasm-opt (minutes through binaryen's JS build); the
# code is the same.
step_edge() {
  UES_EDGE_NO_OPT=1 "$UES_ROOT/scripts/test-edge.sh"
  # The web app syncing through the relay (offline write delivered later).
  "$UES_ROOT/scripts/build-web.sh"
  node tests/browser/sync.mjs
  # Two users in two contexts follow each other through the relay.
  node tests/browser/follow.mjs
  # Two users follow, post, reply and like: timelines, threads, notifications.
  node tests/browser/social.mjs
}
step_web() {
  "$UES_ROOT/scripts/build-web.sh"
  node tests/browser/web.mjs
}

describe() {
  case "$1" in
    setup) echo "setup: tools, browser, npm dependencies" ;;
    fmt) echo "fmt: cargo fmt --all -- --check" ;;
    clippy) echo "clippy: -D warnings, native --workspace --all-targets and wasm32 (${UES_CORE_CRATES}, ues-wasm)" ;;
    native) echo "native: cargo test --workspace --exclude ues-bench" ;;
    wasm) echo "wasm: cargo test ${core_pkgs[*]} --target wasm32-unknown-unknown, in headless Chromium" ;;
    core) echo "core: core-crate hygiene (no tokio, no \`env\` imports in the wasm build)" ;;
    interop) echo "interop: wasm package in Node vs @atproto/repo (node --test tests/interop/)" ;;
    pkg) echo "pkg: npm pack + install; Node.js, Chromium page + reload + Web Worker, tsc, www/ end to end (scripts/test-pkg.sh)" ;;
    edge) echo "edge: ues-edge in workerd (wrangler dev --local) against @atproto/api, @atproto/repo (scripts/test-edge.sh); the web app syncing through it" ;;
    web) echo "web: the Leptos web app built (scripts/build-web.sh) and driven end to end in Chromium (tests/browser/web.mjs)" ;;
  esac
}

start_all=$SECONDS
summary=()
run_step() {
  local name="$1" t0=$SECONDS
  ues_header "[$name] $(describe "$name")"
  # A subshell outside any `if`, so that `set -e` holds inside multi-command steps.
  local rc=0
  set +e
  (set -e; "${@:2}")
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    summary+=("$name $((SECONDS - t0))s")
  else
    printf '\n%sFAILED: step "%s" (exit %s) after %ss: %s%s\n' "$UES_RED" "$name" "$rc" "$((SECONDS - t0))" "$(describe "$name")" "$UES_RESET" >&2
    printf 'test.sh: FAILED at %s; passed before it: %s (total %ss)\n' "$name" "${summary[*]:-none}" "$((SECONDS - start_all))" >&2
    exit 1
  fi
}

run_step setup "$UES_ROOT/scripts/setup.sh"
for s in "${steps[@]}"; do
  run_step "$s" "step_$s"
done

printf '\n%stest.sh: ALL PASSED (%s) in %ss: %s%s\n' "$UES_GREEN" "${steps[*]}" "$((SECONDS - start_all))" "$(IFS=,; echo "${summary[*]}" | sed 's/,/, /g')" "$UES_RESET"
