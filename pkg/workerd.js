// Cloudflare Workers (workerd): wrangler bundles the .wasm import as a
// compiled WebAssembly.Module (fetching code at run time is not allowed).
import wasmModule from './wasm/web/ues_wasm_bg.wasm'
import { initSync } from './wasm/web/ues_wasm.js'
import * as engine from './wasm/web/ues_wasm.js'
import { setLoader } from './core.js'

setLoader(async () => {
  initSync({ module: wasmModule })
  return engine
})

export { Node, UesError } from './core.js'
