// MST benchmark in Chromium: @atproto/repo (bundled for the browser) and the
// UES MST compiled to wasm (ues-wasm's web build, and the bench-only MstBlocks
// module for the diff) in the same page, plus the native `ues-mst-native`
// binary run between the rounds (outside the browser) for the wasm/native
// ratio. The same tasks, keys and checks as bench/mst.mjs (Node).
//
//   bench/chromium/build.sh                       build everything (once)
//   node bench/chromium/run.mjs [--rounds N] [--native-runs N] [--skip-100k]
//                               [--no-native] [--json FILE]
//   node bench/chromium/run.mjs --serve           only serve the page (prints its URL)
//
// Drives Debian's Chromium (/usr/bin/chromium, or $UES_CHROMIUM) headless
// through playwright-core. The page is served by a static server on
// 127.0.0.1 (bench/chromium/ and pkg/wasm/web/ only). Per round: every task on
// every side, each one call into the page timed there with performance.now()
// (wall clock), after a full GC (gc(), from --js-flags=--expose-gc) outside
// the timing; around each call the driver also reads the renderer process's
// CPU time (the sum of its threads' /proc/PID/task/TID/schedstat; the pid from
// CDP SystemInfo.getProcessInfo) — CPU time of the whole renderer (its main
// thread, and V8's GC and compiler threads, like process.cpuUsage() in
// bench/mst.mjs), which leaves out the time spent waiting for a core on this
// shared machine; it includes the small cost of the page.evaluate call. Then one native run
// of every task (median of --native-runs). One warm-up round is not counted.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import os from 'node:os'
import { startServer, inChromium, openPage } from './serve.mjs'
import { opt, flag } from '../args.mjs'

// ------------------------------------------------------------------ options
const ROUNDS = Number(opt('--rounds', 5))
const NATIVE_RUNS = Number(opt('--native-runs', 3))
const JSON_OUT = opt('--json', null)
const SKIP_100K = flag('--skip-100k')
const NO_NATIVE = flag('--no-native')
const SERVE_ONLY = flag('--serve')

const root = fileURLToPath(new URL('../..', import.meta.url))
const need = (file, hint) => {
  if (!existsSync(file)) throw new Error(`${file} is missing: ${hint}`)
  return file
}
need(`${root}bench/chromium/out/atproto.js`, 'run bench/chromium/build.sh')
need(`${root}bench/chromium/out/ues-bench-web/ues_bench.js`, 'run bench/chromium/build.sh')
need(`${root}pkg/wasm/web/ues_wasm.js`, 'run bench/chromium/build.sh (or scripts/build-pkg.sh)')
// scripts/env.sh's CARGO_TARGET_DIR when not set: $UES_CACHE/target, the
// cache being /var/cache/ues or ~/.cache/ues.
const targetDir =
  process.env.CARGO_TARGET_DIR ??
  [
    process.env.UES_CACHE && `${process.env.UES_CACHE}/target`,
    '/var/cache/ues/target',
    `${process.env.XDG_CACHE_HOME ?? `${os.homedir()}/.cache`}/ues/target`,
    `${root}target`,
  ].find((d) => d && existsSync(`${d}/release/ues-mst-native`)) ??
  `${root}target`
const nativeBin = NO_NATIVE || SERVE_ONLY
  ? null
  : need(
      process.env.UES_MST_NATIVE ?? `${targetDir}/release/ues-mst-native`,
      'run bench/build.sh (set CARGO_TARGET_DIR as scripts/env.sh does, or UES_MST_NATIVE), or pass --no-native',
    )

// The roots BENCHMARKS.md lists (the keys of PERFORMANCE.md): the page's
// copy of the key generator must give them.
const KNOWN_ROOTS = {
  build_10k: 'bafyreicr63r7ypaazrc7a2cclnozce7c3t7g23shb5xxcnkdxbs3kjjgg4',
  build_100k: 'bafyreigtsczplurfwnt6crwtrsgqjfrrg6s6hjnbue4rzoaphh6h32zfiq',
  diff_b: 'bafyreidwsxk4lwp2mvwdj47mbjszqrpi76surr5jr5cztearzapoex625a',
}

// ------------------------------------------------------------------ static server
const ALLOWED = ['/bench/chromium/', '/bench/workload.mjs', '/pkg/wasm/web/']
const { server, origin } = await startServer(root, ALLOWED)
const pageUrl = `${origin}/bench/chromium/index.html`
if (SERVE_ONLY) {
  console.log(`serving ${pageUrl} (Ctrl-C to stop)`)
  await new Promise(() => {})
}

// ------------------------------------------------------------------ native
function native() {
  const out = execFileSync(nativeBin, ['--runs', String(NATIVE_RUNS)], { encoding: 'utf8' })
  return JSON.parse(out).tasks
}

// ------------------------------------------------------------------ browser
await inChromium(server, async (browser) => {
  const page = await openPage(browser, pageUrl, 'uesBench')
  const cdp = await browser.newBrowserCDPSession()
  const renderers = async () =>
    new Map((await cdp.send('SystemInfo.getProcessInfo')).processInfo.filter((p) => p.type === 'renderer').map((p) => [p.id, p.cpuTime]))
  const before = await renderers()
  // Same answers everywhere before timing.
  const info = await page.evaluate((skip100k) => globalThis.uesBench.setup({ skip100k }), SKIP_100K)
  // The page's renderer: the one that did the setup's work (Chromium keeps
  // other, idle renderers, e.g. a spare one). Its CPU time, ms: the sum over
  // its threads of /proc/PID/task/TID/schedstat (ns on a CPU) when readable;
  // CDP's cpuTime (clock ticks, 10 ms steps: too coarse for the short tasks)
  // otherwise.
  const after = await renderers()
  const rendererPids = [[...after].map(([pid, t]) => [pid, t - (before.get(pid) ?? 0)]).sort((a, b) => b[1] - a[1])[0][0]]
  const schedstat = (pid) =>
    readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
      try {
        return sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6
      } catch {
        return sum // the thread ended
      }
    }, 0)
  let cpuSource = 'schedstat'
  try {
    rendererPids.forEach(schedstat)
  } catch {
    cpuSource = 'CDP SystemInfo.getProcessInfo'
  }
  const rendererCpu = async () => {
    if (cpuSource === 'schedstat') return rendererPids.reduce((s, pid) => s + schedstat(pid), 0)
    const now = await renderers()
    return rendererPids.reduce((s, pid) => s + now.get(pid), 0) * 1000
  }

  const check = (what, got, want) => {
    if (got !== want) throw new Error(`${what}: ${got} != ${want}`)
  }
  const nat0 = nativeBin ? native() : null
  for (const key of ['build_10k', 'build_100k']) {
    if (!info.roots[key]) continue
    check(`${key}: page root vs BENCHMARKS.md`, info.roots[key], KNOWN_ROOTS[key])
    if (nat0) check(`${key}: page root vs ues native`, info.roots[key], nat0[key].root)
  }
  check('diff: tree a root vs BENCHMARKS.md', info.roots.diff_10k_1pct.root_a, KNOWN_ROOTS.build_10k)
  check('diff: tree b root vs BENCHMARKS.md', info.roots.diff_10k_1pct.root_b, KNOWN_ROOTS.diff_b)
  if (nat0) {
    check('diff: tree a root (native)', nat0.diff_10k_1pct.root_a, info.roots.diff_10k_1pct.root_a)
    check('diff: tree b root (native)', nat0.diff_10k_1pct.root_b, info.roots.diff_10k_1pct.root_b)
    check('diff: ues native record ops', nat0.diff_10k_1pct.record_ops, 100)
  }
  console.log(`roots: @atproto/repo = ues wasm${nat0 ? ' = ues native' : ''} (in the page: ${JSON.stringify(info.roots)})`)

  const tasks = info.tasks
  const SIDES = ['atproto', 'wasm', 'wasmClass', 'native']
  for (const t of tasks) {
    t.ms = Object.fromEntries(SIDES.map((s) => [s, []]))
    t.cpu = Object.fromEntries(SIDES.map((s) => [s, []]))
  }
  // Before each timed call: a full GC in the page, then 100 ms idle, which
  // lets V8 finish the sweeping it does on helper threads after a GC (else
  // that lands in the next call's renderer CPU time).
  const settle = async () => {
    await page.evaluate(() => globalThis.gc?.())
    await new Promise((r) => setTimeout(r, 100))
  }
  const overhead = []
  for (let r = -1; r < ROUNDS; r++) {
    for (const t of tasks) {
      for (const side of t.sides) {
        await settle()
        const c0 = await rendererCpu()
        const { ms } = await page.evaluate(([k, s]) => globalThis.uesBench.time(k, s, false), [t.key, side])
        const c1 = await rendererCpu()
        if (r >= 0) {
          t.ms[side].push(ms)
          t.cpu[side].push(c1 - c0)
        }
      }
    }
    // The renderer CPU time of an empty page.evaluate call: what the
    // bracketing adds to every CPU figure (reported, not subtracted).
    {
      await settle()
      const c0 = await rendererCpu()
      await page.evaluate(() => 0)
      const c1 = await rendererCpu()
      if (r >= 0) overhead.push(c1 - c0)
    }
    if (nativeBin) {
      const nat = native()
      if (r >= 0) {
        for (const t of tasks) {
          t.ms.native.push(nat[t.key].ms)
          t.cpu.native.push(nat[t.key].cpu_ms)
        }
      }
    }
    process.stderr.write(`round ${r < 0 ? 'warm-up' : r + 1}/${ROUNDS} done\n`)
  }

  // ---------------------------------------------------------------- report
  const median = (xs) => {
    const s = [...xs].sort((x, y) => x - y)
    const n = s.length
    return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
  }
  const fmt = (v) => (v == null ? '-' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2))
  const med = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, median(v)]))
  const div = (a, b) => (a == null || b == null ? null : a / b)
  const ratios = (m) => ({
    wasm_x: div(m.atproto, m.wasm),
    wasm_class_x: div(m.atproto, m.wasmClass),
    native_x: div(m.atproto, m.native),
    wasm_over_native: div(m.wasm, m.native),
  })
  const rows = tasks.map((t) => {
    const wall = med(t.ms)
    const cpu = med(t.cpu)
    return { task: t.task, wall, cpu, wall_ratios: ratios(wall), cpu_ratios: ratios(cpu) }
  })
  const pad = (s, n) => String(s).padStart(n)
  const x = (v) => (v == null ? '-' : v.toFixed(1) + 'x')
  const version = browser.version()
  for (const kind of ['wall', 'cpu']) {
    console.log(
      `\n${kind === 'wall' ? 'wall clock (page: performance.now())' : 'CPU time (page: renderer process; native: thread)'}: ` +
        `medians of ${ROUNDS} rounds (ms), Chromium ${version}, one page; N x = @atproto/repo / ues (higher is better)`,
    )
    console.log(
      `${'task'.padEnd(17)}${pad('@atproto', 10)}${pad('wasm', 9)}${pad('wasm Mst', 10)}${pad('native', 9)}` +
        `${pad('wasm x', 9)}${pad('Mst x', 8)}${pad('native x', 10)}${pad('wasm/nat', 10)}`,
    )
    for (const r of rows) {
      const m = r[kind]
      const q = r[`${kind}_ratios`]
      console.log(
        `${r.task.padEnd(17)}${pad(fmt(m.atproto), 10)}${pad(fmt(m.wasm), 9)}${pad(fmt(m.wasmClass), 10)}${pad(fmt(m.native), 9)}` +
          `${pad(x(q.wasm_x), 9)}${pad(x(q.wasm_class_x), 8)}${pad(x(q.native_x), 10)}${pad(x(q.wasm_over_native), 10)}`,
      )
    }
  }
  console.log(`(renderer CPU time of an empty page.evaluate call, included above: median ${fmt(median(overhead))} ms)`)
  const met = (ok) => (ok ? 'met' : 'NOT met')
  for (const kind of ['wall', 'cpu']) {
    console.log(`\ngoals (PERFORMANCE.md), on ${kind === 'wall' ? 'wall clock' : 'CPU time'}:`)
    for (const r of rows) {
      const q = r[`${kind}_ratios`]
      console.log(
        `  ${r.task}: wasm ${x(q.wasm_x)} @atproto/repo in the same page (>=10x: ${met(q.wasm_x >= 10)})` +
          (q.wasm_over_native == null ? '' : `, wasm within ${x(q.wasm_over_native)} of native (<=3x: ${met(q.wasm_over_native <= 3)})`),
      )
    }
  }
  console.log(
    `\nChromium ${version} (${info.userAgent}), crossOriginIsolated ${info.crossOriginIsolated}; node ${process.version}, ` +
      `renderer CPU time from ${cpuSource} (pids ${rendererPids.join(', ')}); ` +
      `${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}, ` +
      new Date().toISOString(),
  )
  if (JSON_OUT) {
    writeFileSync(
      JSON_OUT,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          chromium: version,
          cpu_source: cpuSource,
          rounds: ROUNDS,
          rows,
          evaluate_cpu_overhead_ms: overhead,
          raw: tasks.map((t) => ({ task: t.task, wall: t.ms, cpu: t.cpu })),
        },
        null,
        2,
      ),
    )
  }
})
