// The package in a module Web Worker (the recommended home of a node: the
// page's thread stays free), over IndexedDB.
import { Node } from './node_modules/ues/index.js'
import { basicFlow } from './flow.mjs'

const check = (cond, msg) => {
  if (!cond) throw new Error(`check failed: ${msg}`)
}
self.onmessage = async ({ data }) => {
  try {
    const r = await basicFlow(Node, { storage: 'indexeddb', name: data.name, check })
    self.postMessage({ ok: true, ...r })
  } catch (e) {
    self.postMessage({ ok: false, error: `${e?.code ?? ''} ${e?.stack ?? e}` })
  }
}
