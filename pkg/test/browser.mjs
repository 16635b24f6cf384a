// Drives browser.html (and its Web Worker) in headless Chromium with
// playwright-core: the package as a page imports it, over IndexedDB, then
// a reload. Usage: node browser.mjs SCRATCH_DIR (the project that installed
// the packed package, with flow.mjs, browser.html and worker.js copied in).
import http from 'node:http'
import { createReadStream, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'

const root = path.resolve(process.argv[2] ?? '.')
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' }
const server = http.createServer((req, res) => {
  const p = decodeURIComponent(new URL(req.url, 'http://x').pathname)
  const file = path.normalize(path.join(root, p))
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(res)
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const origin = `http://127.0.0.1:${server.address().port}`

const browser = await chromium.launch({
  executablePath: process.env.UES_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
let failed = false
async function run(page, query) {
  await page.goto(`${origin}/browser.html?${query}`)
  await page.waitForFunction(() => globalThis.result !== undefined, null, { timeout: 120_000 })
  const r = await page.evaluate(() => globalThis.result)
  console.log(`${r.ok ? 'ok    ' : 'FAILED'} ${query}${r.ok ? '' : `\n${r.error}`}`)
  if (!r.ok) failed = true
  return r
}
try {
  const page = await browser.newPage()
  page.on('pageerror', (e) => console.error(`page error: ${e.stack ?? e}`))
  const first = await run(page, 'step=first&name=tab')
  if (first.ok) await run(page, `step=reload&name=tab&did=${encodeURIComponent(first.did)}`)
  await run(page, 'step=worker&name=worker')

  // A tab closed in the middle of a commit leaves the repo at its last whole
  // commit: each round closes the page at another moment of a 500-record
  // commit, then a new page checks the records are all there or none.
  // One browser context (one IndexedDB) for all rounds.
  const ctx = await browser.newContext()
  const outcomes = []
  for (const delay of [0, 20, 150, 600, 3000]) {
    const p = await ctx.newPage()
    await p.goto(`${origin}/browser.html?step=crash-write&name=crash`)
    await p.waitForFunction(() => globalThis.result !== undefined, null, { timeout: 120_000 })
    const w = await p.evaluate(() => globalThis.result)
    if (!w.ok) throw new Error(`crash-write: ${w.error}`)
    await new Promise((r) => setTimeout(r, delay))
    await p.close()
    const q = await ctx.newPage()
    const c = await run(q, 'step=crash-check&name=crash')
    await q.close()
    if (!c.ok) break
    const whole = c.records === w.before || c.records === w.before + 500
    outcomes.push(c.records === w.before ? 'none' : c.records === w.before + 500 ? 'all' : `PARTIAL ${c.records - w.before}`)
    if (!whole) failed = true
  }
  console.log(`${failed ? 'FAILED' : 'ok    '} page closed mid-commit: ${outcomes.join(', ')} (none/all = a whole commit)`)
} finally {
  await browser.close()
  server.close()
}
process.exit(failed ? 1 : 0)
