// The page side of the Chromium feed benchmark (issue 10: "time to first
// page in the tab, goal ≤ 50 ms"; run-feed.mjs drives it): the workload of
// crates/ues-bench/benches/feed.rs (src/feed_plan.rs) in the bench crate's
// wasm module (src/feed_wasm.rs, wasm-bindgen --target web into
// out/ues-bench-merge/, the same module as the merge bench).
// Exposed as window.uesFeedBench:
//   prepare()     builds the state (not timed by the runs): {records, buildMs}
//   run(what)     one timed call, ms (performance.now()): 'timeline',
//                 'author', 'post' (one incoming post)

import initBench, { FeedWorkload } from './out/ues-bench-merge/ues_bench.js'

let wl = null
const calls = {
  timeline: () => wl.timelineFirstPage(),
  author: () => wl.authorFeedFirstPage(),
  post: () => wl.incrementalPost(),
}

window.uesFeedBench = {
  loaded: false,
  prepare() {
    const t = performance.now()
    wl = new FeedWorkload()
    return { records: wl.records(), buildMs: performance.now() - t }
  },
  run(what) {
    const f = calls[what]
    if (!f) throw new Error(`unknown call ${what}`)
    const t = performance.now()
    f()
    return performance.now() - t
  },
}

await initBench()
window.uesFeedBench.loaded = true
document.getElementById('log').textContent = 'ready'
