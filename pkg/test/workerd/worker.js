// The npm package in workerd (Cloudflare Workers), imported as users import
// it: wrangler resolves `ues` through the package's `workerd` export
// condition (the wasm bundled as a compiled module). GET / runs the shared
// flow (flow.mjs) over memory storage and answers {ok, error?}.
import { Node } from 'ues'
import { basicFlow } from '../flow.mjs'

const check = (cond, msg) => {
  if (!cond) throw new Error(`check failed: ${msg}`)
}

export default {
  async fetch() {
    try {
      const r = await basicFlow(Node, { storage: 'memory', name: 'workerd', check })
      return Response.json({ ok: true, ...r })
    } catch (e) {
      return Response.json({ ok: false, error: `${e?.code ?? ''} ${e?.stack ?? e}` }, { status: 500 })
    }
  },
}
