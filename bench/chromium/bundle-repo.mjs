// Bundles what bench/chromium/repo.js needs of @atproto/repo (Repo,
// MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync,
// verifyRepoCar) and @atproto/crypto (Secp256k1Keypair) for the browser with
// esbuild, into bench/chromium/out/atproto-repo.js (gitignored), for the
// Chromium repo benchmark (bench/chromium/run-repo.mjs).
//
//   node bench/chromium/bundle-repo.mjs
//
// The build and the stubs are those of bench/chromium/bundle.mjs, with two
// changes that the CAR path needs: node:timers/promises
// becomes a real setImmediate (a MessageChannel macrotask: what Node's does,
// a yield to the event loop, without setTimeout's 4 ms clamp), and the one
// `Buffer.concat` in @atproto/repo's car.js (the varint reader) becomes a
// plain Uint8Array concatenation (there is no Buffer in a page).

import { readFileSync } from 'node:fs'
import { bundle } from './bundle.mjs'

const carPatch = {
  name: 'ues-car-patch',
  setup(b) {
    b.onResolve({ filter: /^(node:)?timers\/promises$/ }, (a) => ({ path: a.path, namespace: 'ues-timers' }))
    b.onLoad({ filter: /.*/, namespace: 'ues-timers' }, () => ({
      loader: 'js',
      contents: `
const ch = new MessageChannel()
const queue = []
ch.port1.onmessage = () => queue.shift()()
export function setImmediate(value) {
  return new Promise((resolve) => { queue.push(() => resolve(value)); ch.port2.postMessage(0) })
}
export function setTimeout(ms, value) { return new Promise((r) => globalThis.setTimeout(() => r(value), ms)) }
`,
    }))
    b.onLoad({ filter: /@atproto[\\/]repo[\\/]dist[\\/]car\.js$/ }, (a) => {
      const src = readFileSync(a.path, 'utf8')
      const patched = src.replace('Buffer.concat(bytes)', 'concatU8(bytes)')
      if (patched === src) throw new Error('car.js: Buffer.concat(bytes) not found')
      return {
        loader: 'js',
        contents: patched + `
function concatU8(list) {
  const out = new Uint8Array(list.reduce((n, b) => n + b.length, 0))
  let o = 0
  for (const b of list) { out.set(b, o); o += b.length }
  return out
}
`,
      }
    })
  },
}

await bundle({
  entry:
    "export { Repo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync, verifyRepoCar } from '@atproto/repo'\n" +
    "export { Secp256k1Keypair } from '@atproto/crypto'\n",
  outfile: 'atproto-repo.js',
  sourcefile: 'atproto-repo-entry.js',
  plugins: [carPatch],
})
