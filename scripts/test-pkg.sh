#!/usr/bin/env bash
# Tests the npm package as users get it: builds it (scripts/build-pkg.sh),
# packs it (`npm pack`), installs the tarball into a scratch project, then
#   - node --test  pkg/test/api.test.mjs      (Node.js, memory storage)
#   - Chromium     pkg/test/browser.mjs       (a page over IndexedDB, a reload, a Web Worker)
#   - workerd      pkg/test/workerd.mjs       (a Worker importing it, under wrangler dev --local)
#   - tsc --noEmit pkg/test/consumer.ts       (the typings, as a TS consumer sees them)
# The scratch project is under $UES_CACHE/pkg-test (replaced on every run).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$UES_ROOT"

[ "${UES_SKIP_BUILD:-0}" = 1 ] || "$UES_ROOT/scripts/build-pkg.sh"

scratch="$UES_CACHE/pkg-test"
rm -rf "$scratch"
mkdir -p "$scratch/app"
tarball="$(cd "$scratch" && npm pack "$UES_ROOT/pkg" --silent)"
ues_note "packed $tarball ($(wc -c <"$scratch/$tarball") bytes)"
cat >"$scratch/app/package.json" <<JSON
{ "name": "ues-pkg-test", "private": true, "type": "module",
  "dependencies": { "ues": "file:../$tarball" } }
JSON
(cd "$scratch/app" && npm install --offline --no-audit --no-fund --silent)
cp pkg/test/flow.mjs pkg/test/api.test.mjs pkg/test/browser.html pkg/test/worker.js pkg/test/consumer.ts "$scratch/app/"
cp -r pkg/test/workerd "$scratch/app/"

ues_note "Node.js: node --test api.test.mjs"
(cd "$scratch/app" && node --test api.test.mjs)

ues_note "Chromium: a page over IndexedDB, a reload, a Web Worker"
node pkg/test/browser.mjs "$scratch/app"

ues_note "workerd: wrangler dev --local with a Worker importing the package"
node pkg/test/workerd.mjs "$scratch/app" "$UES_ROOT/node_modules/.bin/wrangler"

ues_note "TypeScript: tsc --noEmit consumer.ts"
"$UES_ROOT/node_modules/.bin/tsc" --noEmit --strict --target es2022 --module nodenext \
  --moduleResolution nodenext --lib es2022,dom --skipLibCheck false "$scratch/app/consumer.ts"
ues_note "package tests passed"

ues_note "www/: the plain-JS app end to end in Chromium"
node tests/browser/www.mjs
