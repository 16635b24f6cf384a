// Bundles @automerge/automerge (its wasm build) for the browser with esbuild,
// into bench/chromium/out/automerge.js (gitignored), for bench/chromium/merge.js:
// the "/slim" entry (the JS API without the wasm) plus the wasm module as the
// package's own base64 export; the page calls
// initializeBase64Wasm(automergeWasmBase64) once before timing anything.
//
//   node bench/chromium/bundle-automerge.mjs

import { bundle } from './bundle.mjs'

await bundle({
  entry: `export * from '@automerge/automerge/slim'\nexport { automergeWasmBase64 } from '@automerge/automerge/automerge.wasm.base64'\n`,
  outfile: 'automerge.js',
  sourcefile: 'automerge-entry.js',
})
