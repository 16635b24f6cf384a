// Repository benchmark, issue 5: the ues wasm `Repo` in Chromium (ues-wasm's
// web build, bench/chromium/repo.html + repo.js) against @atproto/repo in the
// same page (bundled by bench/chromium/bundle-repo.mjs) and in Node (this
// process), in the same run, alternating per round: the workload of
// bench/repo.mjs (10,000 app.bsky.feed.post records as 100 commits of 100
// creates with one k256 key, export CAR, import + verify CAR). Prints medians
// (wall clock: performance.now() in the page and in Node) and the ratios
// @atproto/repo / ues wasm.
//
//   scripts/build-pkg.sh && node bench/chromium/bundle-repo.mjs &&
//     node bench/chromium/run-repo.mjs [--rounds N] [--no-page-atproto] [--no-node-atproto] [--json FILE]
//
// Drives Debian's Chromium (/usr/bin/chromium, or $UES_CHROMIUM) headless
// through playwright-core, as bench/chromium/run.mjs does (same flags, same
// static server: bench/chromium/ and pkg/wasm/web/ only, cross-origin
// isolated). A full GC (gc()) in the page before each wasm round, outside the
// timing. Ratios are @atproto/repo (page) / ues wasm and @atproto/repo (Node) /
// ues wasm.

import { existsSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import { Repo as JsRepo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync, verifyRepoCar } from '@atproto/repo'
import { Secp256k1Keypair } from '@atproto/crypto'
import { N, PER_COMMIT, chunks, SECRET, runAtproto } from '../repo-workload.mjs'
import { startServer, inChromium, openPage } from './serve.mjs'
import { opt, flag } from '../args.mjs'

const ROUNDS = Number(opt('--rounds', 3))
const JSON_OUT = opt('--json', null)
const PAGE_JS = !flag('--no-page-atproto')
const NODE_JS = !flag('--no-node-atproto')

const root = fileURLToPath(new URL('../..', import.meta.url))
if (!existsSync(`${root}pkg/wasm/web/ues_wasm.js`)) throw new Error('pkg/wasm/web/ues_wasm.js is missing: run scripts/build-pkg.sh')
if (PAGE_JS && !existsSync(`${root}bench/chromium/out/atproto-repo.js`))
  throw new Error('bench/chromium/out/atproto-repo.js is missing: run node bench/chromium/bundle-repo.mjs (or pass --no-page-atproto)')

// ------------------------------------------------------------------ @atproto/repo (Node), as bench/repo.mjs
const keypair = await Secp256k1Keypair.import(SECRET)
const DID = keypair.did()
const atproto = { Repo: JsRepo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync, verifyRepoCar }
const runJs = () => runAtproto(atproto, keypair, DID)

// ------------------------------------------------------------------ static server (bench/chromium/serve.mjs)
const ALLOWED = ['/bench/chromium/', '/bench/repo-workload.mjs', '/pkg/wasm/web/']
const { server, origin } = await startServer(root, ALLOWED)
const pageUrl = `${origin}/bench/chromium/repo.html`

// ------------------------------------------------------------------ run
await inChromium(server, async (browser) => {
  const page = await openPage(browser, pageUrl, 'uesRepoBench')
  const userAgent = await page.evaluate(() => navigator.userAgent)
  const isolated = await page.evaluate(() => globalThis.crossOriginIsolated)

  if (PAGE_JS) await page.evaluate(() => globalThis.uesRepoBench.loadAtproto())
  const settle = async () => {
    await page.evaluate(() => globalThis.gc?.())
    await new Promise((res) => setTimeout(res, 100))
  }
  const results = { page: [], js: [], wasm: [] }
  for (let r = 0; r < ROUNDS; r++) {
    if (PAGE_JS) {
      await settle()
      results.page.push(await page.evaluate((secret) => globalThis.uesRepoBench.runAtproto(secret), SECRET))
    }
    if (NODE_JS) results.js.push(await runJs())
    await settle()
    results.wasm.push(await page.evaluate(([did, secret]) => globalThis.uesRepoBench.run(did, secret), [DID, SECRET]))
    const c = (side) => (results[side][r] ? `${results[side][r].build.toFixed(0)} ms` : '-')
    process.stderr.write(`round ${r + 1}/${ROUNDS}: create @atproto/repo page ${c('page')}, node ${c('js')}; ues wasm ${c('wasm')}\n`)
  }

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b)
    const n = s.length
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
  }
  const med = (side, k) => (results[side].length ? median(results[side].map((x) => x[k])) : null)
  const fmt = (ms) => (ms == null ? '-' : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`)
  const xs = (a, b) => (a == null ? '-' : `${(a / b).toFixed(1)}×`)
  const version = browser.version()
  console.log(`repo workload: ${N} records, ${chunks.length} commits of ${PER_COMMIT} creates, k256; medians of ${ROUNDS} rounds (wall clock)`)
  console.log(`Chromium ${version} (crossOriginIsolated ${isolated}), node ${process.version}; same run, alternating`)
  console.log(`CAR bytes: @atproto/repo page ${results.page[0]?.bytes ?? '-'}, node ${results.js[0]?.bytes ?? '-'}; ues wasm ${results.wasm[0].bytes}`)
  console.log('| step | @atproto/repo (Chromium) | @atproto/repo (Node) | ues wasm (Chromium) | speed-up vs page | vs Node |')
  console.log('|---|---|---|---|---|---|')
  const rows = []
  const goals = []
  for (const [k, label, goal] of [
    ['build', 'create (100 commits)', 3],
    ['export', 'export CAR', null],
    ['import', 'import + verify CAR', 2],
  ]) {
    const pg = med('page', k)
    const js = med('js', k)
    const w = med('wasm', k)
    rows.push({ step: k, atproto_page_ms: pg, atproto_node_ms: js, wasm_ms: w })
    console.log(`| ${label} | ${fmt(pg)} | ${fmt(js)} | ${fmt(w)} | ${xs(pg, w)} | ${xs(js, w)} |`)
    if (goal) goals.push(`${label}: ≥${goal}× ${[pg, js].filter((v) => v != null).every((v) => v / w >= goal) ? 'met' : 'NOT met'}`)
  }
  console.log(`goals: ${goals.join('; ')}`)
  console.log(
    `\n${userAgent}; ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}, ${new Date().toISOString()}`,
  )
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ date: new Date().toISOString(), chromium: version, node: process.version, rounds: ROUNDS, rows, results }, null, 2))
})
