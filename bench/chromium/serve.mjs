// What the Chromium drivers (bench/chromium/run.mjs, run-repo.mjs) share: the
// static server for the pages and the headless Chromium they run in.

import http from 'node:http'
import { createReadStream, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' }

// Serves the files of `root` under the `allowed` path prefixes (404 for
// anything else) on 127.0.0.1, a free port. Resolves to the server and its
// origin (http://127.0.0.1:PORT).
export async function startServer(root, allowed) {
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://x').pathname)
    const file = path.normalize(path.join(root, p))
    const ok = allowed.some((a) => p.startsWith(a)) && file.startsWith(root) && existsSync(file) && statSync(file).isFile()
    if (!ok) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      // cross-origin isolation: performance.now() at full (5 µs) resolution
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    })
    createReadStream(file).pipe(res)
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return { server, origin: `http://127.0.0.1:${server.address().port}` }
}

// Debian's Chromium (/usr/bin/chromium, or $UES_CHROMIUM) headless, through
// playwright-core.
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.UES_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // gc() in the page: the pages collect before each timed call, outside the timing
      '--js-flags=--expose-gc'],
  })
}

// A new page at `url`, its errors and console warnings copied to stderr,
// once globalThis[readyGlobal].loaded is true.
export async function openPage(browser, url, readyGlobal) {
  const page = await browser.newPage()
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.stack ?? e}\n`))
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') process.stderr.write(`page ${m.type()}: ${m.text()}\n`)
  })
  await page.goto(url)
  await page.waitForFunction((g) => globalThis[g]?.loaded === true, readyGlobal, { timeout: 60_000 })
  return page
}

// Runs `body(browser)` in a new Chromium, then closes it and `server`, and
// exits the process: status 1 (the error on stderr) if `body` threw.
export async function inChromium(server, body) {
  const browser = await launchChromium()
  let exitCode = 0
  try {
    await body(browser)
  } catch (e) {
    console.error(e?.stack ?? e)
    exitCode = 1
  } finally {
    await browser.close()
    server.close()
  }
  process.exit(exitCode)
}
