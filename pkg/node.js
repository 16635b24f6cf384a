// Node.js (>= 20): the engine is read from the package's files.
import { readFile } from 'node:fs/promises'
import init, * as engine from './wasm/web/ues_wasm.js'
import { setLoader } from './core.js'

setLoader(async () => {
  const bytes = await readFile(new URL('./wasm/web/ues_wasm_bg.wasm', import.meta.url))
  await init({ module_or_path: bytes })
  return engine
})

export { Node, UesError } from './core.js'
