// The page side of the Chromium op-log merge benchmark (issue 6;
// bench/chromium/run-merge.mjs drives it): the workload of
// crates/ues-bench/benches/merge.rs — 100,000 edits by 3 writers in 1,000
// changes of 100 (map set / counter increment), ~10 % made without merging
// first — on both sides, in one page:
//   ues   the bench crate's wasm module (crates/ues-bench/src/merge_wasm.rs,
//         wasm-bindgen --target web into out/ues-bench-merge/): the 1,001
//         signed op blocks are made in wasm beforehand; timed: MergeWorkload.merge,
//         a fresh OpLog receiving every block (decode, BLAKE3 CID, ed25519
//         verify, clock checks), the merged state, its CID, the values read back.
//   automerge  @automerge/automerge (its wasm build, bundled into out/automerge.js
//         by bundle-automerge.mjs): the 1,001 changes are made beforehand from
//         the same plan (the same writers, merges and edits, through the same
//         calls as merge.rs makes them in Rust); timed: a fresh document applying every change (as bytes), then
//         every value read back. Three ways (the runner reports each, and the
//         fastest as the peer):
//           "handle"    the wasm document handle: applyChanges(changes), then
//                       keys/getWithType — what merge.rs times in Rust
//                       (AutoCommit::apply_changes, keys, get)
//           "doc"       the JS API: applyChanges(init(), changes), then the
//                       values read from the materialized document
//           "load"      the wasm handle's loadIncremental(all change bytes
//                       concatenated)
// Exposed as window.uesMergeBench:
//   loaded                 true once both wasm modules are instantiated
//   prepare()              makes both sides' input (not timed); returns its shape
//   check()                one untimed run of every side; returns the counter
//                          totals / key sets comparison
//   run(side)              one timed run: ms (performance.now()); side is 'ues',
//                          'handle', 'doc' or 'load'

import initBench, { MergeWorkload } from './out/ues-bench-merge/ues_bench.js'
import * as A from './out/automerge.js'

let wl = null // MergeWorkload
let blocks = null // the ues op blocks (Uint8Array[])
let changes = null // automerge's changes (Uint8Array[])
let concatenated = null // the same, one buffer

// ------------------------------------------------------------------ automerge side
const actor = (b) => b.toString(16).padStart(2, '0').repeat(16)

// The changes of merge.rs's am_generate, made the same way through the wasm
// document handle (put / increment / commit / fork / merge, as the Rust code
// calls them on AutoCommit): a base change creating the counters (actor
// 09…), a fork per writer (actors 01…, 02…, 03…), writers taking turns,
// merging the others first unless the change is a concurrent one.
function amGenerate(plan, skips, [writers, nChanges, perChange, , counters]) {
  const baseDoc = A.init({ actor: actor(9) })
  const base = A.getBackend(baseDoc)
  for (let c = 0; c < counters; c++) base.put('_root', `c${c}`, 0, 'counter')
  base.commit()
  const docs = []
  for (let w = 0; w < writers; w++) docs.push(base.fork(actor(w + 1)))
  for (let i = 0; i < nChanges; i++) {
    const w = i % writers
    if (!skips[i] || i < writers) {
      for (let o = 0; o < writers; o++) if (o !== w) docs[w].merge(docs[o])
    }
    const d = docs[w]
    for (let j = 0; j < perChange; j++) {
      const x = (i * perChange + j) * 3
      if (plan[x] === 0) d.put('_root', `k${plan[x + 1]}`, plan[x + 2], 'int')
      else d.increment('_root', `c${plan[x + 1]}`, plan[x + 2])
    }
    d.commit()
  }
  const all = docs[0].fork()
  for (const d of docs.slice(1)) all.merge(d)
  const out = all.getChanges([])
  for (const d of [...docs, all]) d.free()
  A.free(baseDoc)
  return out
}

// One timed automerge run: the values read back ({name: number}) and what
// frees the document (called after the timing).
const amRun = {
  handle() {
    const h = A.getBackend(A.init())
    h.applyChanges(changes)
    const out = {}
    for (const k of h.keys('_root')) {
      const [, v] = h.getWithType('_root', k)
      out[k] = v
    }
    return { out, done: () => h.free() }
  },
  doc() {
    const [doc] = A.applyChanges(A.init(), changes)
    const out = {}
    for (const k of Object.keys(doc)) {
      const v = doc[k]
      out[k] = typeof v === 'number' ? v : v.value
    }
    return { out, done: () => A.free(doc) }
  },
  load() {
    const h = A.getBackend(A.init())
    h.loadIncremental(concatenated)
    const out = {}
    for (const k of h.keys('_root')) {
      const [, v] = h.getWithType('_root', k)
      out[k] = v
    }
    return { out, done: () => h.free() }
  },
}

// ------------------------------------------------------------------ both sides
function prepare() {
  const t0 = performance.now()
  wl = new MergeWorkload()
  blocks = wl.blocks()
  const t1 = performance.now()
  const shape = Array.from(MergeWorkload.shape())
  changes = amGenerate(wl.plan(), wl.skips(), shape)
  const t2 = performance.now()
  const amBytes = changes.reduce((n, c) => n + c.length, 0)
  concatenated = new Uint8Array(amBytes)
  let at = 0
  for (const c of changes) {
    concatenated.set(c, at)
    at += c.length
  }
  const [writers, nChanges, perChange] = shape
  return {
    writers,
    changes: nChanges,
    perChange,
    edits: nChanges * perChange,
    concurrent: wl.skips().reduce((n, s) => n + s, 0),
    uesBlocks: blocks.length,
    uesBytes: wl.blockBytes,
    amChanges: changes.length,
    amBytes,
    uesGenMs: t1 - t0,
    amGenMs: t2 - t1,
  }
}

function uesRun() {
  const cid = wl.merge(blocks)
  return { cid, values: JSON.parse(wl.values()) }
}

// Both sides (and every automerge way) must end with the same counter totals
// and the same key set.
function check() {
  const ues = uesRun()
  const sides = {}
  for (const name of Object.keys(amRun)) {
    const { out, done } = amRun[name]()
    done()
    sides[name] = out
  }
  const keys = (o) => Object.keys(o).sort()
  const counters = (o) => JSON.stringify(keys(o).filter((k) => k.startsWith('c')).map((k) => [k, Number(o[k])]))
  const problems = []
  for (const [name, v] of Object.entries(sides)) {
    if (JSON.stringify(keys(v)) !== JSON.stringify(keys(ues.values))) problems.push(`${name}: key sets differ (${keys(v).length} vs ues ${keys(ues.values).length})`)
    if (counters(v) !== counters(ues.values)) problems.push(`${name}: counter totals differ`)
  }
  const vals = Object.entries(ues.values)
  const mapKeys = vals.filter(([k]) => k.startsWith('k'))
  // Map registers are last-writer-wins on both sides but with different
  // tie-breaks for concurrent sets (automerge: Lamport clock then actor; ues:
  // timestamp then author DID), so only how many agree is reported.
  const sameMap = mapKeys.filter(([k, v]) => Number(sides.handle[k]) === v).length
  return {
    ok: problems.length === 0,
    problems,
    stateCid: ues.cid,
    keys: vals.length,
    counters: vals.length - mapKeys.length,
    counterSum: vals.filter(([k]) => k.startsWith('c')).reduce((n, [, v]) => n + v, 0),
    mapKeys: mapKeys.length,
    sameMapValues: sameMap,
  }
}

function run(side) {
  if (side === 'ues') {
    const t0 = performance.now()
    wl.merge(blocks)
    return performance.now() - t0
  }
  const t0 = performance.now()
  const { done } = amRun[side]()
  const ms = performance.now() - t0
  done()
  return ms
}

const log = document.getElementById('log')
globalThis.uesMergeBench = { loaded: false, prepare, check, run }
await initBench()
await A.initializeBase64Wasm(A.automergeWasmBase64)
globalThis.uesMergeBench.loaded = true
log.textContent = `ready: ${navigator.userAgent}, crossOriginIsolated ${globalThis.crossOriginIsolated}`
