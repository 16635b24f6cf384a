// Repository benchmark in Node (issue 5): @atproto/repo (the reference, npm)
// against the UES repo compiled to wasm (ues-wasm, nodejs build), in one
// session, plus the native figures of `cargo bench -p ues-repo --bench repo`
// (same workload) when --native is given. Prints medians and ratios.
//
//   scripts/build-pkg.sh && node bench/repo.mjs [--rounds N] [--native] [--json FILE]
//
// Workload (as crates/ues-repo/benches/repo.rs): 10,000 app.bsky.feed.post
// records ({$type, text: "post N hello world", createdAt}) under the
// PERFORMANCE.md keys, written as 100 commits of 100 creates with one k256 key
// into a memory store; then the whole repo exported as a CAR, then that CAR
// imported with full verification (signature, every block, MST, records).
// Both sides must reach the same record count before anything is compared.

import { createRequire } from 'node:module'
import { existsSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import os from 'node:os'
import { Repo as JsRepo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync, verifyRepoCar } from '@atproto/repo'
import { Secp256k1Keypair } from '@atproto/crypto'

const argv = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : dflt
}
const ROUNDS = Number(opt('--rounds', 3))
const JSON_OUT = opt('--json', null)
const NATIVE = argv.includes('--native')

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const pkgFile = `${root}pkg/wasm/node/ues_wasm.js`
if (!existsSync(pkgFile)) throw new Error(`missing ${pkgFile}: run scripts/build-pkg.sh`)
const ues = require(pkgFile)

// ------------------------------------------------------------------ inputs
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
const SECRET = Buffer.from(new Uint8Array(32).fill(42)).toString('hex')
const keypair = await Secp256k1Keypair.import(SECRET)
const DID = keypair.did()

// ------------------------------------------------------------------ the two sides
async function runJs() {
  const t0 = performance.now()
  const storage = new MemoryBlockstore()
  let repo = await JsRepo.create(storage, DID, keypair)
  for (const chunk of chunks) {
    repo = await repo.applyWrites(
      chunk.map((w) => ({ ...w, action: WriteOpAction.Create })),
      keypair
    )
  }
  const t1 = performance.now()
  const car = await concatBytesAsync(getFullRepo(storage, repo.cid))
  const t2 = performance.now()
  const v = await verifyRepoCar(car, DID, DID)
  const t3 = performance.now()
  if (v.creates.length !== N) throw new Error(`@atproto/repo verified ${v.creates.length} records`)
  return { build: t1 - t0, export: t2 - t1, import: t3 - t2, bytes: car.length }
}

async function runWasm() {
  const json = chunks.map((c) => JSON.stringify(c))
  const t0 = performance.now()
  const repo = ues.Repo.create(DID, SECRET)
  for (const j of json) await repo.applyWrites(j)
  const t1 = performance.now()
  const car = await repo.exportCar()
  const t2 = performance.now()
  const copy = await ues.Repo.importCar(car, DID, DID)
  const t3 = performance.now()
  if (copy.commitCid() !== repo.commitCid()) throw new Error('wasm import: another head')
  const n = JSON.parse(await copy.listRecords(COLL, undefined, N + 1)).length
  if (n !== N) throw new Error(`wasm import: ${n} records`)
  repo.free()
  copy.free()
  return { build: t1 - t0, export: t2 - t1, import: t3 - t2, bytes: car.length }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const results = { js: [], wasm: [] }
for (let r = 0; r < ROUNDS; r++) {
  results.js.push(await runJs())
  results.wasm.push(await runWasm())
}
const med = (side, k) => median(results[side].map((x) => x[k]))

// ------------------------------------------------------------------ native
let native = null
if (NATIVE) {
  const out = execFileSync('cargo', ['bench', '-q', '-p', 'ues-repo', '--bench', 'repo'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const dur = (label) => {
    const m = out.match(new RegExp(`${label}[^\\n]*?\\s([0-9.]+)(ns|µs|us|ms|s)\\s*$`, 'm'))
    if (!m) return null
    const scale = { ns: 1e-6, µs: 1e-3, us: 1e-3, ms: 1, s: 1000 }[m[2]]
    return Number(m[1]) * scale
  }
  native = { build: dur('build'), export: dur('export CAR'), import: dur('import CAR') }
}

// ------------------------------------------------------------------ report
const fmt = (ms) => (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`)
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : 'n/a')
console.log(`repo workload: ${N} records, ${chunks.length} commits of ${PER_COMMIT} creates, k256; medians of ${ROUNDS} rounds`)
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0].toFixed(1)}`)
console.log(`CAR: @atproto/repo ${results.js[0].bytes} bytes, ues ${results.wasm[0].bytes} bytes`)
console.log('| step | @atproto/repo | ues wasm | ues native | wasm speed-up | native speed-up |')
console.log('|---|---|---|---|---|---|')
for (const [k, label] of [
  ['build', 'create (100 commits)'],
  ['export', 'export CAR'],
  ['import', 'import + verify CAR'],
]) {
  const js = med('js', k)
  const w = med('wasm', k)
  const n = native?.[k]
  console.log(`| ${label} | ${fmt(js)} | ${fmt(w)} | ${n ? fmt(n) : 'n/a'} | ${ratio(js, w)} | ${ratio(js, n)} |`)
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ results, native }, null, 2))
