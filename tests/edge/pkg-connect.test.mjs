// The npm package's connect(): a Node.js app using `ues` (pkg/node.js, the
// package's Node entry) links its account to the relay; its posts are served
// by the relay; while the relay is down a post stays pending, and it is
// delivered after the relay restarts on the same state.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AtpAgent } from '@atproto/api'
import { startRelay, stateDir, ROOT } from './harness.mjs'

if (!existsSync(join(ROOT, 'pkg', 'wasm', 'web', 'ues_wasm_bg.wasm'))) {
  throw new Error('the npm package is not built: run scripts/build-pkg.sh')
}
const { Node } = await import(join(ROOT, 'pkg', 'node.js'))
const state = stateDir()
let relay = await startRelay({ state })
after(() => relay.stop())

const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: '2026-11-25T00:00:00.000Z' })
const texts = async (did) => {
  const agent = new AtpAgent({ service: relay.url })
  const r = await agent.com.atproto.repo.listRecords({ repo: did, collection: POST })
  return r.data.records.map((x) => x.value.text).sort()
}
const until = async (what, fn) => {
  const end = Date.now() + 60_000
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

test('connect mirrors commits; an offline commit is delivered later', async () => {
  const node = await Node.open({ storage: 'memory', kdfCost: 4 })
  const { did } = await node.createAccount()
  await node.createRecord(POST, post('first'))
  const events = []
  node.on('sync', (e) => events.push(e))
  const st = await node.connect(relay.url, { handle: 'pkg.test', password: 'pkg-password-1' })
  assert.equal(st.pending, false)
  assert.equal(st.pushedRev, st.headRev)
  assert.deepEqual(await texts(did), ['first'])

  await node.createRecord(POST, post('second'))
  await until('second on the relay', async () => (await texts(did)).includes('second'))

  await relay.stop()
  await node.createRecord(POST, post('offline'))
  await until('a pending sync event', async () => events.some((e) => e.pending && e.error?.includes('Offline')))
  assert.equal((await node.syncStatus()).pending, true)
  relay = await startRelay({ state, port: relay.port })
  await until('offline on the relay', async () => (await texts(did)).includes('offline'))
  assert.equal((await node.syncStatus()).pending, false)

  // A wrong password on a fresh link is refused with a typed error.
  const other = await Node.open({ storage: 'memory', kdfCost: 4 })
  await other.createAccount()
  await assert.rejects(other.connect(relay.url, { handle: 'pkg.test', password: 'nope', create: false }), (e) => e.code === 'RelayError')
  assert.equal(await other.syncStatus(), null)
  await other.close()
  await node.close()
})
