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

// Copied from bench/repo.mjs (which runs on import, so it cannot be imported).
const COLL = 'app.bsky.feed.post'
const N = 10_000
const PER_COMMIT = 100
function rkeys(n) {
  let s = 1
  return Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s.toString(36).padStart(13, '2') + i
  })
}
const KEYS = rkeys(N)
const record = (i) => ({ $type: COLL, text: `post ${i} hello world`, createdAt: '2026-11-24T00:00:00.000Z' })
const chunks = []
for (let c = 0; c < N; c += PER_COMMIT) {
  chunks.push(KEYS.slice(c, c + PER_COMMIT).map((rkey, j) => ({ action: 'create', collection: COLL, rkey, record: record(c + j) })))
}
const json = chunks.map((c) => JSON.stringify(c))

async function run(did, secretHex) {
  const t0 = performance.now()
  const repo = ues.Repo.create(did, secretHex)
  for (const j of json) await repo.applyWrites(j)
  const t1 = performance.now()
  const car = await repo.exportCar()
  const t2 = performance.now()
  const copy = await ues.Repo.importCar(car, did, did)
  const t3 = performance.now()
  const head = repo.commitCid()
  if (copy.commitCid() !== head) throw new Error('wasm import: another head')
  const n = JSON.parse(await copy.listRecords(COLL, undefined, N + 1)).length
  if (n !== N) throw new Error(`wasm import: ${n} records`)
  repo.free()
  copy.free()
  return { build: t1 - t0, export: t2 - t1, import: t3 - t2, bytes: car.length, head }
}

let at = null
async function loadAtproto() {
  at = await import('./out/atproto-repo.js')
  return true
}

async function runAtproto(secretHex) {
  const keypair = await at.Secp256k1Keypair.import(secretHex)
  const did = keypair.did()
  const t0 = performance.now()
  const storage = new at.MemoryBlockstore()
  let repo = await at.Repo.create(storage, did, keypair)
  for (const chunk of chunks) {
    repo = await repo.applyWrites(
      chunk.map((w) => ({ ...w, action: at.WriteOpAction.Create })),
      keypair,
    )
  }
  const t1 = performance.now()
  const car = await at.concatBytesAsync(at.getFullRepo(storage, repo.cid))
  const t2 = performance.now()
  const v = await at.verifyRepoCar(car, did, did)
  const t3 = performance.now()
  if (v.creates.length !== N) throw new Error(`@atproto/repo verified ${v.creates.length} records`)
  return { build: t1 - t0, export: t2 - t1, import: t3 - t2, bytes: car.length }
}

const log = document.getElementById('log')
globalThis.uesRepoBench = { loaded: false, run, loadAtproto, runAtproto }
await initUes()
globalThis.uesRepoBench.loaded = true
log.textContent = `ready: ${navigator.userAgent}, crossOriginIsolated ${globalThis.crossOriginIsolated}`
