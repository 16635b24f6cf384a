// Feed benchmark in Chromium, issue 10 ("timeline for an account following
// 1,000 accounts with 100,000 posts in the local store: time to first page
// in the tab, goal ≤ 50 ms; incremental count update per incoming record"):
// the workload of crates/ues-bench/benches/feed.rs (src/feed_plan.rs) built in
// the bench crate's wasm module in one page (bench/chromium/feed.html +
// feed.js), then each call timed with performance.now() (cross-origin
// isolated: 5 µs resolution). No peer runs here: the official AppView is a
// server. Prints medians and the native figures of the same run with --native.
//
// Build (once; the same module as the merge bench), then run:
//   . scripts/env.sh &&
//   cargo build -p ues-bench --lib --target wasm32-unknown-unknown --release &&
//   wasm-bindgen --target web --out-dir bench/chromium/out/ues-bench-merge \
//     "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/ues_bench.wasm" &&
//   node bench/chromium/run-feed.mjs [--rounds N] [--native]

import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startServer, inChromium, openPage } from './serve.mjs'
import { opt, flag } from '../args.mjs'

const ROUNDS = Number(opt('--rounds', 21))
const NATIVE = flag('--native')
const root = fileURLToPath(new URL('../..', import.meta.url))
if (!existsSync(`${root}bench/chromium/out/ues-bench-merge/ues_bench.js`)) {
  throw new Error('the ues-bench wasm is missing: see the header of this file')
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const CALLS = [
  ['timeline', 'timeline, first page of 50', 'goal ≤ 50 ms'],
  ['author', 'author feed, first page of 50', ''],
  ['post', 'one incoming post (upsert)', ''],
]

const { server, origin } = await startServer(root, ['/bench/chromium/'])
await inChromium(server, async (browser) => {
  const page = await openPage(browser, `${origin}/bench/chromium/feed.html`, 'uesFeedBench')
  const isolated = await page.evaluate(() => globalThis.crossOriginIsolated)
  const shape = await page.evaluate(() => globalThis.uesFeedBench.prepare())
  console.log(`workload (crates/ues-bench/src/feed_plan.rs): ${shape.records} records in the FeedState, built in ${shape.buildMs.toFixed(0)} ms (not timed below)`)
  console.log(`Chromium ${browser.version()} (crossOriginIsolated ${isolated}); medians of ${ROUNDS} calls after one warm-up`)
  for (const [what, label, goal] of CALLS) {
    await page.evaluate((w) => globalThis.uesFeedBench.run(w), what)
    const times = []
    for (let r = 0; r < ROUNDS; r++) times.push(await page.evaluate((w) => globalThis.uesFeedBench.run(w), what))
    const m = median(times)
    const shown = m < 1 ? `${(m * 1000).toFixed(1)} µs` : `${m.toFixed(3)} ms`
    console.log(`  ${label.padEnd(34)} ${shown.padStart(12)}  ${goal}${goal ? (m <= 50 ? ' (met)' : ' (NOT met)') : ''}`)
  }
})
server.close()
if (NATIVE) {
  const r = spawnSync('cargo', ['bench', '-p', 'ues-bench', '--bench', 'feed'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, UES_BENCH_CRITERION: '0' },
  })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
