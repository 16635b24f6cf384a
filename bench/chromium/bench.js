// The page side of the Chromium MST benchmark (bench/chromium/run.mjs drives
// it): @atproto/repo (bundled for the browser by bench/chromium/bundle.mjs)
// and the UES MST compiled to wasm (ues-wasm's web build in pkg/wasm/web, and
// for the diff the bench-only MstBlocks module of crates/ues-bench, web build
// in bench/chromium/out/ues-bench-web), in the same page, on the keys of
// PERFORMANCE.md. The tasks and the code under test are those of bench/mst.mjs
// (which runs them in Node); this module exposes them as window.uesBench:
//   await uesBench.setup({ skip100k })   build inputs and fixtures, check that
//                                        every side gives the same roots and
//                                        100 record ops; returns the roots
//   await uesBench.time(task, side[, collect])  one timed call (performance.now()),
//                                        ms; a full GC first unless collect = false
//   uesBench.tasks                       [{ task, sides }]

import { MST, MemoryBlockstore, DataDiff, CID } from './out/atproto.js'
import initUes, * as ues from '../../pkg/wasm/web/ues_wasm.js'
import initBench, * as uesBench from './out/ues-bench-web/ues_bench.js'
import { VALUE_CID, CHANGED_CID, keys, diffEntries, makeTasks } from '../workload.mjs'

const { atprotoBuild, atprotoDiffFixture, atprotoDiff, wasmBuild, wasmBuildClass, wasmDiffFixture } = makeTasks({
  MST,
  MemoryBlockstore,
  DataDiff,
  CID,
  ues,
  uesBench,
})

// ------------------------------------------------------------------ harness
const state = { ready: false, tasks: [], byName: new Map() }

async function setup({ skip100k = false } = {}) {
  const k10 = keys(10_000)
  const k100 = skip100k ? null : keys(100_000)
  const [da, db] = diffEntries(10_000, 100)
  const roots = {}
  const check = (what, got, want) => {
    if (got !== want) throw new Error(`${what}: ${got} != ${want}`)
  }
  const builds = [['build_10k', k10]]
  if (k100) builds.push(['build_100k', k100])
  for (const [key, ks] of builds) {
    const want = await atprotoBuild(ks)
    check(`${key}: ues wasm root`, wasmBuild(ks), want)
    check(`${key}: ues wasm (Mst class) root`, wasmBuildClass(ks), want)
    roots[key] = want
  }
  const afx = await atprotoDiffFixture(da, db)
  const wfx = wasmDiffFixture(da, db)
  check('diff: tree a root (wasm)', wfx.a, afx.a.toString())
  check('diff: tree b root (wasm)', wfx.b, afx.b.toString())
  check('diff: @atproto/repo record ops', await atprotoDiff(afx), 100)
  check('diff: ues wasm record ops', wfx.blocks.diff(wfx.a, wfx.b), 100)
  roots.diff_10k_1pct = { root_a: wfx.a, root_b: wfx.b, record_ops: 100 }

  const tasks = [
    {
      task: 'mst build 10k',
      key: 'build_10k',
      sides: {
        atproto: () => atprotoBuild(k10),
        wasm: () => wasmBuild(k10),
        wasmClass: () => wasmBuildClass(k10),
      },
    },
  ]
  if (k100) {
    tasks.push({
      task: 'mst build 100k',
      key: 'build_100k',
      sides: {
        atproto: () => atprotoBuild(k100),
        wasm: () => wasmBuild(k100),
        wasmClass: () => wasmBuildClass(k100),
      },
    })
  }
  tasks.push({
    task: 'mst diff 10k 1%',
    key: 'diff_10k_1pct',
    sides: {
      atproto: () => atprotoDiff(afx),
      wasm: () => wfx.blocks.diff(wfx.a, wfx.b),
    },
  })
  state.tasks = tasks
  state.byName = new Map(tasks.map((t) => [t.key, t]))
  state.ready = true
  return {
    roots,
    tasks: tasks.map((t) => ({ task: t.task, key: t.key, sides: Object.keys(t.sides) })),
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated,
  }
}

// One timed call; the result is kept (and returned) so nothing is optimised away.
// First a full GC (when the page has gc(): run.mjs starts Chromium with
// --js-flags=--expose-gc), so that no side pays for the previous one's
// garbage; collect = false when the caller has just done it (run.mjs does,
// in its own call, to keep it out of the renderer CPU time it reads).
async function time(key, side, collect = true) {
  if (!state.ready) throw new Error('call setup() first')
  const f = state.byName.get(key).sides[side]
  if (collect) globalThis.gc?.()
  const t = performance.now()
  const r = await f()
  const ms = performance.now() - t
  return { ms, result: typeof r === 'object' ? String(r) : r }
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y)
  const n = s.length
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

// Stand-alone use (the button): warm-up + N rounds in the page, medians shown.
async function runHere(rounds, skip100k, log) {
  log(`setup (skip100k=${skip100k})…`)
  const info = await setup({ skip100k })
  log(`roots: ${JSON.stringify(info.roots)}`)
  const ms = new Map(state.tasks.map((t) => [t.key, Object.fromEntries(Object.keys(t.sides).map((s) => [s, []]))]))
  for (let r = -1; r < rounds; r++) {
    for (const t of state.tasks) {
      for (const side of Object.keys(t.sides)) {
        const { ms: m } = await time(t.key, side)
        if (r >= 0) ms.get(t.key)[side].push(m)
      }
    }
    log(`round ${r < 0 ? 'warm-up' : r + 1}/${rounds} done`)
  }
  for (const t of state.tasks) {
    const m = Object.fromEntries(Object.entries(ms.get(t.key)).map(([s, v]) => [s, median(v)]))
    log(
      `${t.task}: @atproto ${m.atproto.toFixed(1)} ms, wasm ${m.wasm.toFixed(1)} ms` +
        (m.wasmClass ? `, wasm Mst ${m.wasmClass.toFixed(1)} ms` : '') +
        `, wasm x ${(m.atproto / m.wasm).toFixed(1)}`,
    )
  }
}

await initUes()
await initBench()
globalThis.uesBench = {
  setup,
  time,
  get tasks() {
    return state.tasks.map((t) => ({ task: t.task, key: t.key, sides: Object.keys(t.sides) }))
  },
  loaded: true,
}

const logEl = document.getElementById('log')
if (logEl) {
  const log = (s) => {
    logEl.textContent += s + '\n'
  }
  logEl.textContent = 'ready\n'
  const go = document.getElementById('go')
  go.disabled = false
  go.onclick = async () => {
    go.disabled = true
    try {
      await runHere(Number(document.getElementById('rounds').value), document.getElementById('skip100k').checked, log)
    } catch (e) {
      log(`error: ${e?.stack ?? e}`)
    }
    go.disabled = false
  }
}
