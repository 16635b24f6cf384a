#!/usr/bin/env bash
# The run command of README.md: sets up what is missing, builds everything
# (the native `ues` binary, the npm package, the web app, the edge relay),
# smoke-runs the CLI, then starts the local edge relay (`wrangler dev
# --local`, state on disk in ues-edge/.wrangler/state) and the static server
# of the web app, and prints the URLs to open. Ctrl-C stops both.
# UES_PORT (default 8080) and UES_EDGE_PORT (default 8787) pick the ports.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

"$UES_ROOT/scripts/setup.sh"

ues_header "build: native CLI (release)"
cargo build -p ues-cli --release
ues="$CARGO_TARGET_DIR/release/ues"
[ -x "$ues" ] || ues_die "cargo did not produce $ues"

ues_header "build: wasm package"
"$UES_ROOT/scripts/build-pkg.sh"

ues_header "build: web app (ues-web)"
"$UES_ROOT/scripts/build-web.sh"

ues_header "build: edge relay (ues-edge)"
"$UES_ROOT/scripts/build-edge.sh"

ues_header "smoke run"
printf '$ echo {} | ues mst root\n'
echo '{}' | "$ues" mst root || ues_die "ues mst root failed"
demo="$(mktemp -d)"
printf '$ ues repo init / put / list / export / verify --data %s\n' "$demo"
"$ues" repo init --data "$demo" >/dev/null || ues_die "ues repo init failed"
echo '{"$type":"app.bsky.feed.post","text":"hello from ues","createdAt":"2026-11-24T00:00:00.000Z"}' |
  "$ues" repo put app.bsky.feed.post - --data "$demo" >/dev/null || ues_die "ues repo put failed"
"$ues" repo list app.bsky.feed.post --data "$demo" || ues_die "ues repo list failed"
"$ues" repo export "$demo/repo.car" --data "$demo" >/dev/null || ues_die "ues repo export failed"
"$ues" repo verify "$demo/repo.car" --data "$demo" || ues_die "ues repo verify failed"
printf '$ node -e (ues-wasm: new Mst().root())\n'
node -e 'const { Mst } = require(process.argv[1]); console.log(new Mst().root())' "$UES_PKG_OUT/node/ues_wasm.js" \
  || ues_die "the wasm package failed to load in Node"

cat <<MSG

${UES_BOLD}What is built and how to use it${UES_RESET}
  native CLI     $ues
                   ues mst root                  read {"key": "cid", ...} on stdin, print the MST root CID
                   ues mst diff A.car B.car      print the MST diff from A to B as JSON
                   ues car inspect FILE.car      verify every block, print {roots, blocks, bytes}
                   ues repo init|put|get|list|delete|export|import|verify --data DIR
                                                 a signed AT Protocol repo in DIR (run \`ues repo\` for details)
                   ues firehose check EVENT.json [--key did:key:...]   check a #commit event
  npm package    pkg/  (import { Node } from 'ues': see pkg/README.md; scripts/test-pkg.sh packs and tests it)
  tests          ./scripts/test.sh  (see README.md)
MSG

ues_header "starting the local edge relay and the web app"
edge_port="${UES_EDGE_PORT:-8787}"
UES_EDGE_SKIP_BUILD=1 "$UES_ROOT/scripts/edge-dev.sh" "$edge_port" &
edge_pid=$!
trap 'kill "$edge_pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$edge_port/xrpc/com.atproto.server.describeServer" >/dev/null && break
  kill -0 "$edge_pid" 2>/dev/null || ues_die "the edge relay stopped while starting"
  sleep 1
done
web_port="${UES_PORT:-8080}"
cat <<MSG

${UES_BOLD}Open http://127.0.0.1:$web_port/app/${UES_RESET}  the web app: a full node in your tab
     http://127.0.0.1:$web_port/        www/: the same node from plain JavaScript (the npm package)
     http://127.0.0.1:$edge_port/       the edge relay (XRPC, firehose; try @atproto/api against it)
Ctrl-C stops everything.
MSG
node "$UES_ROOT/scripts/serve.mjs" --port "$web_port"
