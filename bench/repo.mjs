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
import { N, PER_COMMIT, chunks, SECRET, runAtproto, runUes } from './repo-workload.mjs'
import { opt, flag } from './args.mjs'

const ROUNDS = Number(opt('--rounds', 3))
const JSON_OUT = opt('--json', null)
const NATIVE = flag('--native')

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const pkgFile = `${root}pkg/wasm/node/ues_wasm.js`
if (!existsSync(pkgFile)) throw new Error(`missing ${pkgFile}: run scripts/build-pkg.sh`)
const ues = require(pkgFile)

// ------------------------------------------------------------------ inputs (bench/repo-workload.mjs)
const keypair = await Secp256k1Keypair.import(SECRET)
const DID = keypair.did()

// ------------------------------------------------------------------ the two sides
const atproto = { Repo: JsRepo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync, verifyRepoCar }
const runJs = () => runAtproto(atproto, keypair, DID)
// json built inside the timing, as before the workload moved to its module
const runWasm = () => runUes(ues, DID, SECRET)

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
