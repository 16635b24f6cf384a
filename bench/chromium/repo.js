// The page side of the Chromium repo benchmark (issue 5; bench/chromium/run-repo.mjs
// drives it): the ues wasm `Repo` (ues-wasm's web build in pkg/wasm/web) on the
// workload of bench/repo.mjs — 10,000 app.bsky.feed.post records under the
// PERFORMANCE.md keys, 100 commits of 100 creates with one k256 key, export of
// the whole repo as a CAR, import of that CAR with full verification.
// Also, in the same page, @atproto/repo (bundled for the browser by
// bench/chromium/bundle-repo.mjs into out/atproto-repo.js; loaded on demand)
// on the same workload, as bench/repo.mjs runs it in Node.
// Exposed as window.uesRepoBench:
//   uesRepoBench.loaded                 true once the wasm module is instantiated
//   await uesRepoBench.run(did, secretHex)  one ues wasm round: { build, export,
//                                       import } ms (performance.now()), CAR bytes
//   await uesRepoBench.loadAtproto()    import out/atproto-repo.js
//   await uesRepoBench.runAtproto(secretHex)  one @atproto/repo round, same shape

import initUes, * as ues from '../../pkg/wasm/web/ues_wasm.js'
import { chunks, runUes, runAtproto as runAtprotoWith } from '../repo-workload.mjs'

const json = chunks.map((c) => JSON.stringify(c))

const run = (did, secretHex) => runUes(ues, did, secretHex, json)

let at = null
async function loadAtproto() {
  at = await import('./out/atproto-repo.js')
  return true
}

async function runAtproto(secretHex) {
  const keypair = await at.Secp256k1Keypair.import(secretHex)
  return runAtprotoWith(at, keypair, keypair.did())
}

const log = document.getElementById('log')
globalThis.uesRepoBench = { loaded: false, run, loadAtproto, runAtproto }
await initUes()
globalThis.uesRepoBench.loaded = true
log.textContent = `ready: ${navigator.userAgent}, crossOriginIsolated ${globalThis.crossOriginIsolated}`
