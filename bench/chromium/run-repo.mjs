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

import http from 'node:http'
import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import path from 'node:path'
import os from 'node:os'
import { chromium } from 'playwright-core'
import { Repo as JsRepo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync, verifyRepoCar } from '@atproto/repo'
import { Secp256k1Keypair } from '@atproto/crypto'

const argv = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : dflt
}
const ROUNDS = Number(opt('--rounds', 3))
const JSON_OUT = opt('--json', null)
const PAGE_JS = !argv.includes('--no-page-atproto')
const NODE_JS = !argv.includes('--no-node-atproto')

const root = fileURLToPath(new URL('../..', import.meta.url))
if (!existsSync(`${root}pkg/wasm/web/ues_wasm.js`)) throw new Error('pkg/wasm/web/ues_wasm.js is missing: run scripts/build-pkg.sh')
if (PAGE_JS && !existsSync(`${root}bench/chromium/out/atproto-repo.js`))
  throw new Error('bench/chromium/out/atproto-repo.js is missing: run node bench/chromium/bundle-repo.mjs (or pass --no-page-atproto)')

// ------------------------------------------------------------------ @atproto/repo (Node), as bench/repo.mjs
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

async function runJs() {
  const t0 = performance.now()
  const storage = new MemoryBlockstore()
  let repo = await JsRepo.create(storage, DID, keypair)
  for (const chunk of chunks) {
    repo = await repo.applyWrites(
      chunk.map((w) => ({ ...w, action: WriteOpAction.Create })),
      keypair,
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

// ------------------------------------------------------------------ static server (as run.mjs)
const ALLOWED = ['/bench/chromium/', '/pkg/wasm/web/']
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' }
const server = http.createServer((req, res) => {
  const p = decodeURIComponent(new URL(req.url, 'http://x').pathname)
  const file = path.normalize(path.join(root, p))
  const ok = ALLOWED.some((a) => p.startsWith(a)) && file.startsWith(root) && existsSync(file) && statSync(file).isFile()
  if (!ok) {
    res.writeHead(404).end('not found')
    return
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  })
  createReadStream(file).pipe(res)
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const pageUrl = `http://127.0.0.1:${server.address().port}/bench/chromium/repo.html`

// ------------------------------------------------------------------ run
const browser = await chromium.launch({
  executablePath: process.env.UES_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--js-flags=--expose-gc'],
})
let exitCode = 0
try {
  const page = await browser.newPage()
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.stack ?? e}\n`))
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') process.stderr.write(`page ${m.type()}: ${m.text()}\n`)
  })
  await page.goto(pageUrl)
  await page.waitForFunction(() => globalThis.uesRepoBench?.loaded === true, null, { timeout: 60_000 })
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
} catch (e) {
  console.error(e?.stack ?? e)
  exitCode = 1
} finally {
  await browser.close()
  server.close()
}
process.exit(exitCode)
