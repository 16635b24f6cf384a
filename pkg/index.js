// Browsers and Web Workers: the engine is fetched from next to this module.
import init, * as engine from './wasm/web/ues_wasm.js'
import { setLoader } from './core.js'

setLoader(async () => {
  await init({ module_or_path: new URL('./wasm/web/ues_wasm_bg.wasm', import.meta.url) })
  return engine
})

export { Node, UesError } from './core.js'
