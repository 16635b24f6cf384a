#!/usr/bin/env bash
# Starts the edge relay locally under `wrangler dev --local` (workerd):
#   scripts/edge-dev.sh [PORT]      (default 8787; state in $UES_EDGE_STATE,
#                                    default ues-edge/.wrangler/state)
# Builds it first unless UES_EDGE_SKIP_BUILD=1. JWT_SECRET comes from the
# environment, else a per-state-dir random one is created and kept there.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

port="${1:-${UES_EDGE_PORT:-8787}}"
state="${UES_EDGE_STATE:-$UES_ROOT/ues-edge/.wrangler/state}"
[ "${UES_EDGE_SKIP_BUILD:-0}" = 1 ] || "$UES_ROOT/scripts/build-edge.sh"
mkdir -p "$state"
if [ -z "${JWT_SECRET:-}" ]; then
  [ -f "$state/jwt-secret" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$state/jwt-secret"
  JWT_SECRET="$(cat "$state/jwt-secret")"
fi
ues_note "edge relay: http://127.0.0.1:$port (XRPC at /xrpc/..., firehose ws://127.0.0.1:$port/xrpc/com.atproto.sync.subscribeRepos; state $state)"
cd "$UES_ROOT/ues-edge"
exec env CI=true WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false \
  "$UES_ROOT/node_modules/.bin/wrangler" dev --local --ip 127.0.0.1 --port "$port" \
  --persist-to "$state" --show-interactive-dev-session=false \
  --var "JWT_SECRET:$JWT_SECRET" --var "PUBLIC_URL:http://127.0.0.1:$port"
