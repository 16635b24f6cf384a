// The npm package's follow() and pull(): two Node.js apps using `ues` link
// their accounts to the relay; one follows the other and pulls its repo
// through the relay (whole, then the commits since the rev it holds), every
// block and the signature verified in the package. The relay serves the
// follow record to @atproto/api like any other.
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
const relay = await startRelay({ state: stateDir() })
after(() => relay.stop())

const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: new Date().toISOString() })

async function account(handle) {
  const node = await Node.open({ storage: 'memory', kdfCost: 4 })
  const { did } = await node.createAccount()
  await node.connect(relay.url, { handle, password: `${handle}-password-1` })
  return { node, did }
}

test('follow, pull whole, pull the delta, nothing new, unfollow', async () => {
  const ann = await account('pkgann.test')
  const bob = await account('pkgbob.test')
  await bob.node.createRecord(POST, post('bob one'))
  await bob.node.push()

  const uri = await ann.node.follow(bob.did)
  assert.match(uri, /^at:\/\/did:key:.*\/app\.bsky\.graph\.follow\//)
  assert.deepEqual(await ann.node.following(), [bob.did])
  let out = await ann.node.pull()
  assert.equal(out.length, 1)
  assert.equal(out[0].did, bob.did)
  assert.equal(out[0].updated, true, JSON.stringify(out))
  const texts = async () =>
    (await ann.node.listRecords(POST, { did: bob.did })).records.map((r) => r.value.text).sort()
  assert.deepEqual(await texts(), ['bob one'])

  await bob.node.createRecord(POST, post('bob two'))
  await bob.node.push()
  out = await ann.node.pull(bob.did)
  assert.equal(out[0].updated, true)
  assert.deepEqual(await texts(), ['bob one', 'bob two'])
  out = await ann.node.pull(bob.did)
  assert.equal(out[0].updated, false, 'nothing new the second time')

  // The follow reached the relay with ann's next push.
  await ann.node.push()
  const agent = new AtpAgent({ service: relay.url })
  const r = await agent.com.atproto.repo.listRecords({ repo: ann.did, collection: 'app.bsky.graph.follow' })
  assert.deepEqual(r.data.records.map((x) => x.value.subject), [bob.did])

  await assert.rejects(ann.node.follow(bob.did), (e) => e.code === 'InvalidArgument')
  await assert.rejects(ann.node.follow('nope'), (e) => e.code === 'InvalidArgument')
  await assert.rejects(ann.node.pull('did:plc:ewvi7nxzyoun6zhxrhs64oiz'), (e) => e.code === 'RelayError')
  await ann.node.unfollow(bob.did)
  assert.deepEqual(await ann.node.following(), [])
  await ann.node.close()
  await bob.node.close()
})
