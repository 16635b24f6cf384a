// The repository benchmark workload (issue 5) shared by bench/repo.mjs (Node),
// bench/chromium/run-repo.mjs (Node side) and bench/chromium/repo.js (the
// browser page), as crates/ues-repo/benches/repo.rs: 10,000
// app.bsky.feed.post records ({$type, text: "post N hello world", createdAt})
// under the PERFORMANCE.md keys, written as 100 commits of 100 creates with one
// k256 key into a memory store; then the whole repo exported as a CAR, then
// that CAR imported with full verification. Plain ESM with no Node-only
// imports: the libraries are passed in by the host.

export const COLL = 'app.bsky.feed.post'
export const N = 10_000
export const PER_COMMIT = 100

// PERFORMANCE.md keys (as bench/workload.mjs, without the collection prefix).
export function rkeys(n) {
  let s = 1
  return Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s.toString(36).padStart(13, '2') + i
  })
}
export const KEYS = rkeys(N)
export const record = (i) => ({ $type: COLL, text: `post ${i} hello world`, createdAt: '2026-11-24T00:00:00.000Z' })
export const chunks = []
for (let c = 0; c < N; c += PER_COMMIT) {
  chunks.push(KEYS.slice(c, c + PER_COMMIT).map((rkey, j) => ({ action: 'create', collection: COLL, rkey, record: record(c + j) })))
}
// The k256 secret key: 32 bytes of 42, hex.
export const SECRET = '2a'.repeat(32)

// One @atproto/repo round; `at` holds Repo, MemoryBlockstore, WriteOpAction,
// getFullRepo, concatBytesAsync, verifyRepoCar (npm or the browser bundle).
export async function runAtproto(at, keypair, did) {
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

// One ues wasm round; `ues` is the ues-wasm module (nodejs or web build).
export async function runUes(ues, did, secretHex, json = chunks.map((c) => JSON.stringify(c))) {
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
