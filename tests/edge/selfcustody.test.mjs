// Self-custodial accounts: the client holds the key (here @atproto/repo with a
// k256 keypair stands in for the browser), registers its did:key, and pushes
// signed repos with importRepo. The relay verifies signature, rev order and
// the MST before storing, and puts each push on the firehose as a #commit;
// bad pushes are refused and leave the head as it was.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { Repo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync, verifyRepoCar } from '@atproto/repo'
import { Secp256k1Keypair } from '@atproto/crypto'
import { startRelay, xrpc } from './harness.mjs'
import { head, assertError } from './util.mjs'
import { subscribe, checkCommit } from './firehose.mjs'

const relay = await startRelay()
after(() => relay.stop())
const url = relay.url
const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: '2026-11-25T00:00:00.000Z' })
const create = (rkey, text) => ({ action: WriteOpAction.Create, collection: POST, rkey, record: post(text) })
const car = (repo) => concatBytesAsync(getFullRepo(repo.storage, repo.cid))

test('register a did:key, push signed commits; stale rev and forged signature refused', async () => {
  const key = await Secp256k1Keypair.create({ exportable: true })
  const did = key.did()
  const agent = new AtpAgent({ service: url })
  await agent.createAccount({ handle: 'dana.test', email: 'dana@example.com', password: 'dana-pw', did })
  assert.equal(agent.session.did, did)
  const token = agent.session.accessJwt
  const push = (bytes) => xrpc(url, 'com.atproto.repo.importRepo', { method: 'POST', token, body: bytes, headers: { 'content-type': 'application/vnd.ipld.car' } })

  // The relay never writes for this account.
  const w = await xrpc(url, 'com.atproto.repo.createRecord', { method: 'POST', token, body: { repo: did, collection: POST, record: post('x') } })
  assertError(w, 403, 'Forbidden', 'relay-side write to a self-custodial repo')

  const live = subscribe(url, 0)
  const storage = new MemoryBlockstore()
  let repo = await Repo.create(storage, did, key, [create('3kaaaaaaaaaa2', 'one')])
  const first = await car(repo)
  const firstRev = repo.commit.rev
  let r = await push(first)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.cid, repo.cid.toString())
  assert.deepEqual(await head(url, did), { cid: repo.cid.toString(), rev: repo.commit.rev })

  repo = await repo.applyWrites([create('3kaaaaaaaaaa3', 'two')], key)
  r = await push(await car(repo))
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const good = await head(url, did)
  assert.equal(good.cid, repo.cid.toString())

  // Mirrored: readable, and the relay's CAR verifies against the user's key.
  const got = await agent.com.atproto.repo.getRecord({ repo: did, collection: POST, rkey: '3kaaaaaaaaaa3' })
  assert.equal(got.data.value.text, 'two')
  const exported = await xrpc(url, 'com.atproto.sync.getRepo', { params: { did } })
  const v = await verifyRepoCar(exported.body, did, did)
  assert.equal(v.commit.rev, repo.commit.rev)
  assert.deepEqual((await agent.com.atproto.repo.describeRepo({ repo: did })).data.collections, [POST])

  // Stale: the first CAR again.
  assertError(await push(first), 400, 'StaleRev', 'stale rev')
  // Forged: a newer commit for the same DID signed by another key.
  const other = await Secp256k1Keypair.create()
  const forged = await repo.applyWrites([create('3kaaaaaaaaaa4', 'forged')], other)
  assertError(await push(await car(forged)), 400, 'InvalidSignature', 'forged signature')
  // Malformed.
  assertError(await push(new Uint8Array([0x0a, 0xa1, 0x65, 0x72])), 400, 'InvalidCar', 'malformed CAR')
  assert.deepEqual(await head(url, did), good, 'refused pushes left the head as it was')

  // Each accepted push is on the firehose as a #commit of its difference,
  // verified like any commit (signature by the user's key, proofs, prevData).
  await live.until((evs) => evs.filter((e) => e.header.t === '#commit').length >= 2, 'two #commit events')
  const commits = live.events.filter((e) => e.header.t === '#commit').map((e) => e.body)
  assert.equal(commits.length, 2, 'refused pushes are not on the firehose')
  assert.deepEqual(commits.map((c) => c.rev), [firstRev, repo.commit.rev])
  assert.equal(commits[0].since ?? null, null)
  assert.equal(commits[1].since, firstRev)
  assert.deepEqual(commits.map((c) => c.ops.map((o) => `${o.action} ${o.path}`)), [[`create ${POST}/3kaaaaaaaaaa2`], [`create ${POST}/3kaaaaaaaaaa3`]])
  for (const c of commits) await checkCommit(c, did)
  live.close()
})
