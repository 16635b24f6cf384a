// The page side of the browser-node benchmark (issue 8; bench/chromium/run-node.mjs
// drives it), through the npm package's public API (pkg/index.js):
//   ?step=prepare  build the 10,000-record workload repo (bench/repo-workload.mjs)
//                  in a memory node, export its CAR; then, per round, import
//                  that CAR with full verification into a fresh IndexedDB node,
//                  and @atproto/repo's verifyRepoCar on the same CAR in the same
//                  page (bundled: bench/chromium/out/atproto-repo.js)
//   ?step=load     after a navigation: open the IndexedDB node and read the
//                  newest 50 records; `usable` is performance.now() then, i.e.
//                  ms since the navigation started (fetching and compiling the
//                  wasm included): "page load to a usable node"
import { Node } from '../../pkg/index.js'
import { chunks, COLL, N } from '../repo-workload.mjs'

const log = (s) => (document.getElementById('log').textContent = s)
const params = new URLSearchParams(location.search)

async function prepare() {
  const mem = await Node.open({ name: 'bench-build', storage: 'memory' })
  const { did } = await mem.createAccount()
  for (const c of chunks) await mem.applyWrites(c)
  const car = await mem.exportCar()
  await mem.close()
  return { did, car }
}

let at = null
async function importAtproto(car, did) {
  at ??= await import('./out/atproto-repo.js')
  const t0 = performance.now()
  const v = await at.verifyRepoCar(car, did, did)
  const ms = performance.now() - t0
  if (v.creates.length !== N) throw new Error(`@atproto/repo verified ${v.creates.length} records`)
  return ms
}

async function importUes(car, name) {
  const node = await Node.open({ name, storage: 'indexeddb' })
  const t0 = performance.now()
  const res = await node.importCar(car)
  const ms = performance.now() - t0
  await node.close()
  if (res.records !== N) throw new Error(`imported ${res.records} records`)
  return ms
}

async function load(did) {
  const start = performance.now()
  const node = await Node.open({ name: 'bench-load', storage: 'indexeddb' })
  const opened = performance.now()
  const page = await node.listRecords(COLL, { did, limit: 50, reverse: true })
  const usable = performance.now()
  if (page.records.length !== 50) throw new Error(`read ${page.records.length} records`)
  await node.close()
  // The parts: the page and its module graph loaded, the node opened (wasm
  // fetched and compiled, IndexedDB opened), the first page read.
  console.log(`load parts: page+modules ${start.toFixed(1)} ms, open ${(opened - start).toFixed(1)} ms, first page ${(usable - opened).toFixed(1)} ms`)
  return usable
}

globalThis.uesNodeBench = { prepare, importUes, importAtproto, load }
if (params.get('step') === 'load') {
  load(params.get('did')).then(
    (usable) => { globalThis.loadResult = { usable }; log(`usable after ${usable.toFixed(1)} ms`) },
    (e) => { globalThis.loadResult = { error: String(e?.stack ?? e) } },
  )
}
globalThis.uesNodeBench.loaded = true
log('ready')
