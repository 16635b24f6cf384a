// Bundles what bench/chromium/repo.js needs of @atproto/repo (Repo,
// MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync,
// verifyRepoCar) and @atproto/crypto (Secp256k1Keypair) for the browser with
// esbuild, into bench/chromium/out/atproto-repo.js (gitignored), for the
// Chromium repo benchmark (bench/chromium/run-repo.mjs).
//
//   node bench/chromium/bundle-repo.mjs
//
// The stubs are those of bench/chromium/bundle.mjs (copied: that script builds
// on import), with two changes that the CAR path needs: node:timers/promises
// becomes a real setImmediate (a MessageChannel macrotask: what Node's does,
// a yield to the event loop, without setTimeout's 4 ms clamp), and the one
// `Buffer.concat` in @atproto/repo's car.js (the varint reader) becomes a
// plain Uint8Array concatenation (there is no Buffer in a page).

import { build } from 'esbuild'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const out = `${here}out`
mkdirSync(out, { recursive: true })

const NODE_BUILTIN = /^(node:)?(assert|buffer|child_process|crypto|events|fs|fs\/promises|http|https|net|os|path|stream|stream\/promises|string_decoder|timers|tls|url|util|worker_threads|zlib)$/
const STUBBED = /^(pino-.*|thread-stream|sonic-boom|real-require)$/

const stubPlugin = {
  name: 'ues-node-stubs',
  setup(b) {
    b.onResolve({ filter: NODE_BUILTIN }, (a) => ({ path: a.path, namespace: 'ues-stub' }))
    b.onResolve({ filter: STUBBED }, (a) => ({ path: a.path, namespace: 'ues-stub' }))
    // pino is called when @atproto/common's logger module loads: a logger
    // that logs nothing (its level is "silent" anyway, LOG_ENABLED unset).
    b.onResolve({ filter: /^pino$/ }, (a) => ({ path: a.path, namespace: 'ues-pino' }))
    b.onLoad({ filter: /.*/, namespace: 'ues-pino' }, () => ({
      loader: 'js',
      contents: `
const noop = () => {}
const logger = { level: 'silent', child: () => logger, isLevelEnabled: () => false }
for (const m of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) logger[m] = noop
export function pino() { return logger }
export function destination() { return undefined }
export default pino
`,
    }))
    // A CommonJS module whose every property is a throwing constructor, so
    // that any named import exists (esbuild's CJS interop reads it through
    // a Proxy's ownKeys, hence the explicit list below plus the fallback).
    b.onLoad({ filter: /.*/, namespace: 'ues-stub' }, (a) => ({
      loader: 'js',
      contents: `
const name = ${JSON.stringify(a.path)}
function unavailable(what) {
  const f = function () { throw new Error(name + (what ? '.' + what : '') + ' is not available in the browser bundle') }
  f.prototype = {}
  return f
}
const names = ['createHash', 'randomBytes', 'webcrypto', 'Transform', 'PassThrough', 'Readable',
  'Writable', 'Duplex', 'pipeline', 'finished', 'setImmediate', 'setTimeout', 'createBrotliDecompress',
  'createGunzip', 'createInflate', 'createReadStream', 'createWriteStream', 'promises', 'stat',
  'mkdir', 'rm', 'rename', 'readFile', 'writeFile', 'access', 'constants', 'EventEmitter',
  'Buffer', 'pino', 'stdSerializers', 'destination', 'transport', 'multistream', 'levels']
const target = unavailable('')
for (const n of names) target[n] = unavailable(n)
target.default = target
module.exports = target
`,
    }))
  },
}

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

const result = await build({
  stdin: {
    contents:
      "export { Repo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync, verifyRepoCar } from '@atproto/repo'\n" +
      "export { Secp256k1Keypair } from '@atproto/crypto'\n",
    resolveDir: here,
    sourcefile: 'atproto-repo-entry.js',
  },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: false,
  outfile: `${out}/atproto-repo.js`,
  define: {
    'process.env.NODE_ENV': '"production"',
    'process.env': '{}',
    global: 'globalThis',
  },
  plugins: [carPatch, stubPlugin],
  logLevel: 'warning',
  metafile: true,
})
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0)
console.log(`bench/chromium/out/atproto-repo.js: ${bytes} bytes`)
