// Op-log merge benchmark in Chromium, issue 6 (PERFORMANCE.md: "op-log merge,
// each change signed (ed25519) and verified: ≥ automerge-wasm in Chromium"):
// the workload of crates/ues-bench/benches/merge.rs in one page
// (bench/chromium/merge.html + merge.js), ues wasm against
// @automerge/automerge's wasm build, same run, alternating per round. Before
// any timing both sides must end with the same counter totals and key sets.
// Prints medians (wall clock, performance.now() in the page, cross-origin
// isolated), ops/s (100,000 edits / median) and the ratio ues / automerge in
// throughput; the fastest of automerge's three ways (merge.js) is the peer.
//
// Build (once; CARGO_TARGET_DIR as you like), then run:
//   . scripts/env.sh &&
//   cargo build -p ues-bench --lib --target wasm32-unknown-unknown --release &&
//   wasm-bindgen --target web --out-dir bench/chromium/out/ues-bench-merge \
//     "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ues_bench.wasm" &&
//   node bench/chromium/bundle-automerge.mjs &&
//   node bench/chromium/run-merge.mjs [--rounds N] [--native] [--json FILE]
//
// --native: afterwards, in the same run, `cargo bench -p ues-bench --bench
// merge` (UES_BENCH_RUNS = N) for our native figure and automerge Rust's, and
// the wasm / native ratios (builds the bench if needed).
//
// Drives Debian's Chromium (/usr/bin/chromium, or $UES_CHROMIUM) headless
// through playwright-core, as the other drivers do (bench/chromium/serve.mjs:
// same flags, static server for bench/chromium/ only). A full GC (gc()) in the
// page before each timed call, outside the timing.

import { existsSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import { startServer, inChromium, openPage } from './serve.mjs'
import { opt, flag } from '../args.mjs'

const ROUNDS = Number(opt('--rounds', 7))
const JSON_OUT = opt('--json', null)
const NATIVE = flag('--native')

const root = fileURLToPath(new URL('../..', import.meta.url))
for (const [f, how] of [
  ['bench/chromium/out/ues-bench-merge/ues_bench.js', 'build the ues-bench wasm and run wasm-bindgen (see the header of this file)'],
  ['bench/chromium/out/automerge.js', 'run node bench/chromium/bundle-automerge.mjs'],
]) {
  if (!existsSync(`${root}${f}`)) throw new Error(`${f} is missing: ${how}`)
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

const SIDES = ['ues', 'handle', 'doc', 'load']
const LABEL = {
  ues: 'ues op log, wasm (ed25519 verified)',
  handle: 'automerge-wasm, handle.applyChanges',
  doc: 'automerge-wasm, Automerge.applyChanges',
  load: 'automerge-wasm, handle.loadIncremental',
}

const { server, origin } = await startServer(root, ['/bench/chromium/'])
await inChromium(server, async (browser) => {
  const page = await openPage(browser, `${origin}/bench/chromium/merge.html`, 'uesMergeBench')
  const userAgent = await page.evaluate(() => navigator.userAgent)
  const isolated = await page.evaluate(() => globalThis.crossOriginIsolated)
  process.stderr.write('preparing (signing ops in wasm, making automerge changes)…\n')
  const shape = await page.evaluate(() => globalThis.uesMergeBench.prepare())
  const check = await page.evaluate(() => globalThis.uesMergeBench.check())
  if (!check.ok) throw new Error(`the sides disagree: ${check.problems.join('; ')}`)

  const settle = async () => {
    await page.evaluate(() => globalThis.gc?.())
    await new Promise((res) => setTimeout(res, 100))
  }
  // one warm-up run of each side, then ROUNDS rounds, the order rotating
  for (const s of SIDES) await page.evaluate((x) => globalThis.uesMergeBench.run(x), s)
  const times = Object.fromEntries(SIDES.map((s) => [s, []]))
  for (let r = 0; r < ROUNDS; r++) {
    const order = SIDES.map((_, i) => SIDES[(i + r) % SIDES.length])
    for (const s of order) {
      await settle()
      times[s].push(await page.evaluate((x) => globalThis.uesMergeBench.run(x), s))
    }
    process.stderr.write(`round ${r + 1}/${ROUNDS}: ${SIDES.map((s) => `${s} ${times[s][r].toFixed(0)} ms`).join(', ')}\n`)
  }

  const med = Object.fromEntries(SIDES.map((s) => [s, median(times[s])]))
  const peer = ['handle', 'doc', 'load'].reduce((a, b) => (med[a] <= med[b] ? a : b))
  const ops = (ms) => (shape.edits / ms) * 1e3
  const version = browser.version()

  console.log(
    `workload (crates/ues-bench/benches/merge.rs): ${shape.edits} edits, ${shape.writers} writers, ${shape.changes} changes of ${shape.perChange} (${shape.concurrent} made without merging first)`,
  )
  console.log(
    `ues: ${shape.uesBlocks} signed op blocks, ${shape.uesBytes} bytes (made in ${shape.uesGenMs.toFixed(0)} ms); automerge: ${shape.amChanges} changes, ${shape.amBytes} bytes (made in ${shape.amGenMs.toFixed(0)} ms); not timed`,
  )
  console.log(
    `check: same counter totals (${check.counters} counters, sum ${check.counterSum}) and key sets (${check.keys} keys) on every side; ` +
      `map values equal to automerge's: ${check.sameMapValues}/${check.mapKeys} (concurrent sets tie-break differently); state CID ${check.stateCid}`,
  )
  console.log(`Chromium ${version} (crossOriginIsolated ${isolated}); medians of ${ROUNDS} rounds, wall clock, same page, alternating`)
  console.log(`${'merge'.padEnd(42)} ${'median ms'.padStart(10)} ${'min ms'.padStart(9)} ${'ops/s'.padStart(10)}`)
  for (const s of SIDES) {
    console.log(`${LABEL[s].padEnd(42)} ${med[s].toFixed(1).padStart(10)} ${Math.min(...times[s]).toFixed(1).padStart(9)} ${ops(med[s]).toFixed(0).padStart(10)}`)
  }
  const ratio = med[peer] / med.ues
  console.log(`ratio ues / automerge-wasm (fastest way: ${peer}) throughput: ${ratio.toFixed(2)}x — bar ≥ 1x ${ratio >= 1 ? 'met' : 'NOT met'}`)
  console.log(`  against each way: ${['handle', 'doc', 'load'].map((s) => `${s} ${(med[s] / med.ues).toFixed(2)}x`).join(', ')}`)

  let native = null
  if (NATIVE) {
    process.stderr.write('native: cargo bench -p ues-bench --bench merge …\n')
    const r = spawnSync('bash', ['-c', `. scripts/env.sh && UES_BENCH_RUNS=${ROUNDS} cargo bench -q -p ues-bench --bench merge`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    if (r.status !== 0) throw new Error(`native bench failed (${r.status})`)
    const row = (label) => {
      const line = r.stdout.split('\n').find((l) => l.startsWith(label))
      if (!line) throw new Error(`native bench: no "${label}" line in:\n${r.stdout}`)
      const [wall, cpu, opsCpu] = line.slice(label.length).trim().split(/\s+/).map(Number)
      return { wall, cpu, opsCpu }
    }
    native = { ues: row('ues op log (ed25519 verified)'), automerge: row('automerge 0.12') }
    console.log(`native, same run (cargo bench -p ues-bench --bench merge, medians of ${ROUNDS}; wall / thread cpu ms):`)
    console.log(`  ues op log ${native.ues.wall} / ${native.ues.cpu} ms; automerge Rust 0.12 ${native.automerge.wall} / ${native.automerge.cpu} ms; ues / automerge ${(native.automerge.cpu / native.ues.cpu).toFixed(2)}x (cpu), ${(native.automerge.wall / native.ues.wall).toFixed(2)}x (wall)`)
    console.log(`  wasm / native (wall): ues ${(med.ues / native.ues.wall).toFixed(2)}x, automerge ${(med[peer] / native.automerge.wall).toFixed(2)}x`)
  }
  console.log(
    `\n${userAgent}; ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}, ${new Date().toISOString()}`,
  )
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ date: new Date().toISOString(), chromium: version, rounds: ROUNDS, shape, check, times, medians: med, peer, native }, null, 2))
})
