// The npm package in Node.js, imported as users import it (`ues`), memory
// storage. Runs in a scratch project that installed the packed tarball.
import test from 'node:test'
import assert from 'node:assert/strict'
import { Node, UesError } from 'ues'
import { basicFlow } from './flow.mjs'

const check = (cond, msg) => assert.ok(cond, msg)

test('the basic flow through the public API', async () => {
  await basicFlow(Node, { storage: 'memory', name: 'node-test', check })
})

test('bad options reject with typed errors', async () => {
  await assert.rejects(Node.open({ storage: 'disk' }), (e) => e instanceof UesError && e.code === 'InvalidArgument')
  await assert.rejects(Node.open({ storage: 'indexeddb' }), (e) => e.code === 'Unsupported')
  await assert.rejects(Node.open('x'), (e) => e.code === 'InvalidArgument')
  assert.throws(() => new Node(), (e) => e.code === 'InvalidArgument')
})

test('sealed accounts lock and unlock', async () => {
  const node = await Node.open({ storage: 'memory', kdfCost: 4 })
  const acct = await node.createAccount({ passphrase: 'pw' })
  assert.equal(acct.sealed, true)
  await node.lock()
  assert.equal((await node.account()).locked, true)
  await assert.rejects(node.createRecord('app.bsky.feed.post', { $type: 'app.bsky.feed.post', text: 'x', createdAt: '2026-11-25T00:00:00.000Z' }), (e) => e.code === 'Locked')
  await assert.rejects(node.unlock('nope'), (e) => e.code === 'WrongPassphrase')
  assert.equal((await node.unlock('pw')).locked, false)
  await node.close()
})
