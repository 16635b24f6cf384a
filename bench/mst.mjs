// MST benchmark in Node: @atproto/repo (the reference, npm) against the UES
// MST compiled to wasm (the ues-wasm package, nodejs build) and natively (the
// `ues-mst-native` binary of crates/ues-bench, run between the JS rounds), on
// the keys of PERFORMANCE.md, in one session. Prints medians and ratios.
//
//   bench/run.sh                     build everything, then run this
//   node bench/mst.mjs [--rounds N] [--native-runs N] [--json FILE] [--skip-100k]
//
// Tasks (the same as crates/ues-bench/benches/mst.rs):
//   build 10k / 100k  one insert per key into an empty tree, then the root CID
//   diff 10k 1%       two 10,000-key trees differing in 100 keys (34 changed,
//                     33 deleted, 33 added), their node blocks in a block store;
//                     timed: load both trees from their roots and diff them
// Every implementation must give the same roots (and 100 record ops) before
// anything is timed.

import { createRequire } from 'node:module'
import { existsSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import os from 'node:os'
import { MST, MemoryBlockstore, DataDiff } from '@atproto/repo'
import { CID } from 'multiformats/cid'
import { VALUE_CID, CHANGED_CID, keys, diffEntries, makeTasks } from './workload.mjs'
import { opt, flag } from './args.mjs'

// ------------------------------------------------------------------ options
const ROUNDS = Number(opt('--rounds', 5))
const NATIVE_RUNS = Number(opt('--native-runs', 3))
const JSON_OUT = opt('--json', null)
const SKIP_100K = flag('--skip-100k')

// ------------------------------------------------------------------ inputs
const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const need = (file, hint) => {
  if (!existsSync(file)) throw new Error(`${file} is missing: ${hint}`)
  return file
}
const ues = require(need(`${root}pkg/wasm/node/ues_wasm.js`, 'run bench/build.sh (or scripts/build-pkg.sh)'))
const uesBench = require(need(`${root}bench/out/ues-bench-node/ues_bench.js`, 'run bench/build.sh'))
const targetDir = process.env.CARGO_TARGET_DIR ?? `${root}target`
const nativeBin = need(
  process.env.UES_MST_NATIVE ?? `${targetDir}/release/ues-mst-native`,
  'run bench/build.sh (set CARGO_TARGET_DIR as scripts/env.sh does, or UES_MST_NATIVE)',
)

const { atprotoBuild, atprotoDiffFixture, atprotoDiff, wasmBuild, wasmBuildClass, wasmDiffFixture } = makeTasks({
  MST,
  MemoryBlockstore,
  DataDiff,
  CID,
  ues,
  uesBench,
})

// ------------------------------------------------------------------ ues (native)
function native() {
  const out = execFileSync(nativeBin, ['--runs', String(NATIVE_RUNS)], { encoding: 'utf8' })
  return JSON.parse(out).tasks
}

// ------------------------------------------------------------------ timing
const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y)
  const n = s.length
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}
// Wall-clock and CPU milliseconds of one call. CPU time is the process's
// (Node 20 has no per-thread figure; V8's GC helper threads count too): on a
// shared, oversubscribed machine it excludes the time spent waiting for a core.
async function time(f) {
  const c = process.cpuUsage()
  const t = performance.now()
  const r = await f()
  const wall = performance.now() - t
  const d = process.cpuUsage(c)
  return [{ wall, cpu: (d.user + d.system) / 1000 }, r]
}

// ------------------------------------------------------------------ main
const k10 = keys(10_000)
const k100 = SKIP_100K ? null : keys(100_000)
const [da, db] = diffEntries(10_000, 100)

// Same answers everywhere before timing.
const check = (what, got, want) => {
  if (got !== want) throw new Error(`${what}: ${got} != ${want}`)
}
const nat0 = native()
const builds = [['build 10k', 'build_10k', k10]]
if (k100) builds.push(['build 100k', 'build_100k', k100])
for (const [task, key, ks] of builds) {
  const want = await atprotoBuild(ks)
  check(`${task}: ues wasm root`, wasmBuild(ks), want)
  check(`${task}: ues wasm (Mst class) root`, wasmBuildClass(ks), want)
  check(`${task}: ues native root`, nat0[key].root, want)
  console.log(`${task}: root ${want} (@atproto/repo = ues wasm = ues native)`)
}
const afx = await atprotoDiffFixture(da, db)
const wfx = wasmDiffFixture(da, db)
check('diff: tree a root (wasm)', wfx.a, afx.a.toString())
check('diff: tree b root (wasm)', wfx.b, afx.b.toString())
check('diff: tree a root (native)', nat0.diff_10k_1pct.root_a, afx.a.toString())
check('diff: tree b root (native)', nat0.diff_10k_1pct.root_b, afx.b.toString())
check('diff: @atproto/repo record ops', await atprotoDiff(afx), 100)
check('diff: ues wasm record ops', wfx.blocks.diff(wfx.a, wfx.b), 100)
check('diff: ues native record ops', nat0.diff_10k_1pct.record_ops, 100)
console.log(`diff 10k 1%: roots ${afx.a} -> ${afx.b}, 100 record ops everywhere`)

const tasks = [
  {
    task: 'mst build 10k',
    key: 'build_10k',
    atproto: () => atprotoBuild(k10),
    wasm: () => wasmBuild(k10),
    wasmClass: () => wasmBuildClass(k10),
  },
]
if (k100) {
  tasks.push({
    task: 'mst build 100k',
    key: 'build_100k',
    atproto: () => atprotoBuild(k100),
    wasm: () => wasmBuild(k100),
    wasmClass: () => wasmBuildClass(k100),
  })
}
tasks.push({
  task: 'mst diff 10k 1%',
  key: 'diff_10k_1pct',
  atproto: () => atprotoDiff(afx),
  wasm: () => wfx.blocks.diff(wfx.a, wfx.b),
})
const SIDES = ['atproto', 'wasm', 'wasmClass', 'native']
for (const t of tasks) {
  t.ms = Object.fromEntries(SIDES.map((s) => [s, []]))
  t.cpu = Object.fromEntries(SIDES.map((s) => [s, []]))
}

// One warm-up round (not counted), then ROUNDS rounds; in each, every task
// on every JS side, then one native run of every task (median of NATIVE_RUNS).
for (let r = -1; r < ROUNDS; r++) {
  for (const t of tasks) {
    for (const side of ['atproto', 'wasm', 'wasmClass']) {
      if (!t[side]) continue
      const [m] = await time(t[side])
      if (r >= 0) {
        t.ms[side].push(m.wall)
        t.cpu[side].push(m.cpu)
      }
    }
  }
  const nat = native()
  if (r >= 0) {
    for (const t of tasks) {
      t.ms.native.push(nat[t.key].ms)
      t.cpu.native.push(nat[t.key].cpu_ms)
    }
  }
  process.stderr.write(`round ${r < 0 ? 'warm-up' : r + 1}/${ROUNDS} done\n`)
}

// ------------------------------------------------------------------ report
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2))
const med = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.length ? median(v) : null]))
const ratios = (m) => ({
  wasm_x: m.atproto / m.wasm,
  wasm_class_x: m.wasmClass ? m.atproto / m.wasmClass : null,
  native_x: m.atproto / m.native,
  wasm_over_native: m.wasm / m.native,
})
const rows = tasks.map((t) => {
  const wall = med(t.ms)
  const cpu = med(t.cpu)
  return { task: t.task, wall, cpu, wall_ratios: ratios(wall), cpu_ratios: ratios(cpu) }
})
const pad = (s, n) => String(s).padStart(n)
const x = (v) => (v == null ? '-' : v.toFixed(1) + 'x')
for (const kind of ['wall', 'cpu']) {
  console.log(
    `\n${kind === 'wall' ? 'wall clock' : 'CPU time (native: thread; JS: process)'}: medians of ${ROUNDS} rounds (ms), one session; ` +
      `N x = @atproto/repo / ues (higher is better)`,
  )
  console.log(
    `${'task'.padEnd(17)}${pad('@atproto', 10)}${pad('wasm', 9)}${pad('wasm Mst', 10)}${pad('native', 9)}` +
      `${pad('wasm x', 9)}${pad('Mst x', 8)}${pad('native x', 10)}${pad('wasm/nat', 10)}`,
  )
  for (const r of rows) {
    const m = r[kind]
    const q = r[`${kind}_ratios`]
    console.log(
      `${r.task.padEnd(17)}${pad(fmt(m.atproto), 10)}${pad(fmt(m.wasm), 9)}` +
        `${pad(m.wasmClass ? fmt(m.wasmClass) : '-', 10)}${pad(fmt(m.native), 9)}` +
        `${pad(x(q.wasm_x), 9)}${pad(x(q.wasm_class_x), 8)}${pad(x(q.native_x), 10)}${pad(x(q.wasm_over_native), 10)}`,
    )
  }
}
const ok = (v, g) => (v >= g ? 'met' : 'NOT met')
console.log('\ngoals (issue 3), on CPU time:')
for (const r of rows) {
  const q = r.cpu_ratios
  console.log(
    `  ${r.task}: native ${x(q.native_x)} (>=10x: ${ok(q.native_x, 10)}), wasm ${x(q.wasm_x)} (>=3x: ${ok(q.wasm_x, 3)}), ` +
      `wasm within ${x(q.wasm_over_native)} of native (<=3x: ${q.wasm_over_native <= 3 ? 'met' : 'NOT met'})`,
  )
}
console.log(
  `\nnode ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), load ${os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}, ${new Date().toISOString()}`,
)
if (JSON_OUT) {
  writeFileSync(
    JSON_OUT,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        rounds: ROUNDS,
        rows,
        raw: tasks.map((t) => ({ task: t.task, wall: t.ms, cpu: t.cpu })),
      },
      null,
      2,
    ),
  )
}
