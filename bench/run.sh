#!/usr/bin/env bash
# Builds (bench/build.sh) and runs the Node MST benchmark (bench/mst.mjs);
# arguments go to bench/mst.mjs, e.g. `bench/run.sh --rounds 7`.
#   UES_BENCH_NO_BUILD=1 bench/run.sh   run without building
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$UES_ROOT"
if [ -z "${UES_BENCH_NO_BUILD:-}" ]; then
  "$UES_ROOT/bench/build.sh"
fi
exec node "$UES_ROOT/bench/mst.mjs" "$@"
