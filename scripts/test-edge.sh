#!/usr/bin/env bash
# The edge relay's tests: builds ues-edge (scripts/build-edge.sh), then runs
# the Node tests of tests/edge/, each of which starts `wrangler dev --local`
# on a free loopback port with its own state directory (and stops it).
# Exits non-zero when a test fails. UES_EDGE_SKIP_BUILD=1 skips the build.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

[ "${UES_EDGE_SKIP_BUILD:-0}" = 1 ] || "$UES_ROOT/scripts/build-edge.sh"
# tests/edge/pkg-connect.test.mjs uses the npm package (a no-op when built).
"$UES_ROOT/scripts/build-pkg.sh"
# One relay at a time: the machine is small and each workerd takes a core.
node --test --test-concurrency=1 tests/edge/
