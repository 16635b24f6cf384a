// Browser-node benchmark, issue 8, in headless Chromium (bench/chromium/node.html):
//   import   the 10,000-record workload repo's CAR with full verification into
//            an IndexedDB node (the npm package) vs @atproto/repo's
//            verifyRepoCar on the same CAR in the same page (memory only)
//   load     page load to a usable node: navigate, open the IndexedDB node
//            holding that repo, read its newest 50 records (goal <= 150 ms)
//   sizes    the package's wasm and the web app's wasm, raw and gzipped
//
//   scripts/build-pkg.sh && scripts/build-web.sh && node bench/chromium/bundle-repo.mjs &&
//     node bench/chromium/run-node.mjs [--rounds N] [--load-only]
import { existsSync, readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { startServer, inChromium, openPage } from './serve.mjs'
import { opt, flag } from '../args.mjs'

const ROUNDS = Number(opt('--rounds', 5))
// --load-only: skip the import rounds (the load rounds still import once).
const LOAD_ONLY = flag('--load-only')
const root = fileURLToPath(new URL('../..', import.meta.url))
for (const f of ['pkg/wasm/web/ues_wasm_bg.wasm', 'bench/chromium/out/atproto-repo.js']) {
  if (!existsSync(root + f)) throw new Error(`${f} is missing: see the usage at the top of this file`)
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const size = (f) => {
  if (!existsSync(root + f)) return 'not built'
  const b = readFileSync(root + f)
  return `${b.length} bytes, ${gzipSync(b, { level: 9 }).length} gzipped`
}

const { server, origin } = await startServer(root, ['/bench/', '/pkg/'])
await inChromium(server, async (browser) => {
  const page = await openPage(browser, `${origin}/bench/chromium/node.html`, 'uesNodeBench')
  const { did, bytes } = await page.evaluate(async () => {
    const { did, car } = await uesNodeBench.prepare()
    globalThis.car = car
    return { did, bytes: car.length }
  })
  console.log(`workload: 10,000 records, CAR ${bytes} bytes, ${did}`)
  const ues = []
  const js = []
  for (let r = 0; r < (LOAD_ONLY ? 0 : ROUNDS); r++) {
    ues.push(await page.evaluate((name) => uesNodeBench.importUes(globalThis.car, name), `bench-import-${r}`))
    js.push(await page.evaluate((d) => uesNodeBench.importAtproto(globalThis.car, d), did))
  }
  // The repo the load rounds open.
  await page.evaluate(() => uesNodeBench.importUes(globalThis.car, 'bench-load'))
  const loads = []
  page.on('console', (m) => m.text().startsWith('load parts') && console.log(`  ${m.text()}`))
  for (let r = 0; r < ROUNDS; r++) {
    await page.goto(`${origin}/bench/chromium/node.html?step=load&did=${encodeURIComponent(did)}`)
    await page.waitForFunction(() => globalThis.loadResult !== undefined, null, { timeout: 60_000 })
    const res = await page.evaluate(() => globalThis.loadResult)
    if (res.error) throw new Error(res.error)
    loads.push(res.usable)
  }
  if (!LOAD_ONLY) {
    const mu = median(ues)
    const mj = median(js)
    console.log(`import + verify into IndexedDB (ues)   median ${mu.toFixed(1)} ms  (rounds: ${ues.map((x) => x.toFixed(0)).join(' ')})`)
    console.log(`verifyRepoCar (@atproto/repo, memory)  median ${mj.toFixed(1)} ms  (rounds: ${js.map((x) => x.toFixed(0)).join(' ')})`)
    console.log(`ratio @atproto/repo / ues: ${(mj / mu).toFixed(2)}x`)
  }
  console.log(`page load to usable node (10k records)  median ${median(loads).toFixed(1)} ms  goal <= 150 ms  (rounds: ${loads.map((x) => x.toFixed(0)).join(' ')})`)
  console.log(`npm package wasm: ${size('pkg/wasm/web/ues_wasm_bg.wasm')}  (budget 400 KB gzipped)`)
  console.log(`web app wasm:     ${size('ues-web/pkg/ues_web_bg.wasm')}`)
})
