// Bundles @atproto/repo (and multiformats' CID) for the browser with esbuild,
// into bench/chromium/out/atproto.js (gitignored), for bench/chromium/bench.js.
//
//   node bench/chromium/bundle.mjs       (bench/chromium/build.sh runs it)
//
// Importing it builds nothing: it exports `bundle` and `stubPlugin`, which
// bench/chromium/bundle-repo.mjs uses for out/atproto-repo.js.
//
// @atproto/repo's index also exports its CAR and stream helpers, which import
// Node built-ins (node:crypto, node:stream, node:zlib, node:timers/promises,
// fs, ...) and pino (through @atproto/common's logger). The MST, the block
// store and the diff use none of them, so each is replaced by a stub module
// whose exports throw when called or constructed: a stub that is reached
// fails loudly instead of measuring something else. pino becomes a logger
// that logs nothing; process.env is {} (the logger reads it on load). Everything else resolves
// with the "browser" conditions (multiformats' sha256 is then the
// crypto.subtle one, as in a real page).

import { build } from 'esbuild'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const out = `${here}out`

const NODE_BUILTIN = /^(node:)?(assert|buffer|child_process|crypto|events|fs|fs\/promises|http|https|net|os|path|stream|stream\/promises|string_decoder|timers|timers\/promises|tls|url|util|worker_threads|zlib)$/
const STUBBED = /^(pino-.*|thread-stream|sonic-boom|real-require)$/

export const stubPlugin = {
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

// Bundles the ESM `entry` source (resolved from bench/chromium/) for the
// browser into out/`outfile`, with the stubs (and `plugins` before them).
// Prints and returns the output size; returns esbuild's result too.
export async function bundle({ entry, outfile, sourcefile = 'entry.js', plugins = [] }) {
  mkdirSync(out, { recursive: true })
  const result = await build({
    stdin: { contents: entry, resolveDir: here, sourcefile },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: false,
    outfile: `${out}/${outfile}`,
    define: {
      'process.env.NODE_ENV': '"production"',
      'process.env': '{}',
      global: 'globalThis',
    },
    plugins: [...plugins, stubPlugin],
    logLevel: 'warning',
    metafile: true,
  })
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0)
  console.log(`bench/chromium/out/${outfile}: ${bytes} bytes`)
  return { result, bytes }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { result } = await bundle({
    entry: `export { MST, MemoryBlockstore, DataDiff } from '@atproto/repo'\nexport { CID } from 'multiformats/cid'\n`,
    outfile: 'atproto.js',
    sourcefile: 'atproto-entry.js',
  })
  writeFileSync(`${out}/atproto.meta.json`, JSON.stringify(result.metafile))
}
