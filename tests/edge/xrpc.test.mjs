// The relay driven by the unchanged @atproto/api client (AtpAgent): custodial
// accounts and sessions, record writes and reads, applyWrites, describeRepo,
// blobs, getRepo verified by @atproto/repo; then bad input, each answered
// with the reference error and leaving the repo head unchanged.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { verifyRepoCar, verifyDiffCar, readCarWithRoot } from '@atproto/repo'
import { startRelay, xrpc, JWT_SECRET } from './harness.mjs'
import { signJwt, claimsOf, head, assertError, rejectsXrpc } from './util.mjs'

const relay = await startRelay()
after(() => relay.stop())
const url = relay.url
const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: new Date().toISOString() })

const alice = new AtpAgent({ service: url })
const bob = new AtpAgent({ service: url })

test('describeServer', async () => {
  const r = await alice.com.atproto.server.describeServer()
  assert.deepEqual(r.data.availableUserDomains, ['.test'])
  assert.equal(r.data.did, 'did:web:localhost')
})

test('createAccount, login, getSession, refresh (rotation), logout revokes', async () => {
  const c = await alice.createAccount({ handle: 'alice.test', email: 'alice@example.com', password: 'alice-pw-1' })
  assert.equal(c.data.did, 'did:web:alice.test')
  assert.equal(c.data.handle, 'alice.test')
  assert.equal(alice.session.did, 'did:web:alice.test')
  await bob.createAccount({ handle: 'bob.test', email: 'bob@example.com', password: 'bob-pw-1' })

  const again = new AtpAgent({ service: url })
  await rejectsXrpc(again.createAccount({ handle: 'alice.test', email: 'x@example.com', password: 'p' }), 'HandleNotAvailable', 'taken handle')

  const s = new AtpAgent({ service: url })
  await s.login({ identifier: 'alice.test', password: 'alice-pw-1' })
  const claims = claimsOf(s.session.accessJwt)
  assert.equal(claims.sub, 'did:web:alice.test')
  assert.equal(claims.scope, 'com.atproto.access')
  assert.ok(claims.exp - claims.iat === 7200, 'access tokens live 2 h')
  const refreshClaims = claimsOf(s.session.refreshJwt)
  assert.equal(refreshClaims.scope, 'com.atproto.refresh')
  assert.ok(refreshClaims.exp - refreshClaims.iat >= 60 * 86400, 'refresh tokens live long')
  const me = await s.com.atproto.server.getSession()
  assert.equal(me.data.handle, 'alice.test')
  assert.equal(me.data.email, 'alice@example.com')

  // Log in by email too.
  const byEmail = new AtpAgent({ service: url })
  await byEmail.login({ identifier: 'alice@example.com', password: 'alice-pw-1' })
  assert.equal(byEmail.session.did, 'did:web:alice.test')

  // Refresh rotates: the old refresh token is dead afterwards.
  const oldRefresh = s.session.refreshJwt
  await s.sessionManager.refreshSession()
  assert.notEqual(s.session.refreshJwt, oldRefresh)
  const reuse = await xrpc(url, 'com.atproto.server.refreshSession', { method: 'POST', token: oldRefresh })
  assertError(reuse, 400, 'ExpiredToken', 'reused refresh token')
  assert.equal((await s.com.atproto.server.getSession()).data.did, 'did:web:alice.test')

  // deleteSession (logout) revokes the session: its access token stops working.
  const access = s.session.accessJwt
  await s.logout()
  const after = await xrpc(url, 'com.atproto.server.getSession', { token: access })
  assertError(after, 400, 'ExpiredToken', 'access token of a deleted session')
})

test('records: create, get, put, list, delete, applyWrites, describeRepo', async () => {
  const did = alice.session.did
  const a = await alice.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post('first') })
  assert.match(a.data.uri, /^at:\/\/did:web:alice\.test\/app\.bsky\.feed\.post\/[a-z2-7]{13}$/)
  assert.equal(a.data.validationStatus, 'valid')
  const rkey = a.data.uri.split('/').pop()
  const got = await alice.com.atproto.repo.getRecord({ repo: 'alice.test', collection: POST, rkey })
  assert.equal(got.data.cid, a.data.cid)
  assert.equal(got.data.value.text, 'first')

  const p = await alice.com.atproto.repo.putRecord({ repo: did, collection: POST, rkey, record: post('edited') })
  assert.notEqual(p.data.cid, a.data.cid)
  assert.equal((await alice.com.atproto.repo.getRecord({ repo: did, collection: POST, rkey })).data.value.text, 'edited')
  await alice.com.atproto.repo.putRecord({ repo: did, collection: 'app.bsky.actor.profile', rkey: 'self', record: { $type: 'app.bsky.actor.profile', displayName: 'Alice' } })

  const w = await alice.com.atproto.repo.applyWrites({
    repo: did,
    writes: [
      { $type: 'com.atproto.repo.applyWrites#create', collection: POST, rkey: '3kaaaaaaaaaa2', value: post('two') },
      { $type: 'com.atproto.repo.applyWrites#create', collection: POST, rkey: '3kaaaaaaaaaa3', value: post('three') },
      { $type: 'com.atproto.repo.applyWrites#delete', collection: POST, rkey },
    ],
  })
  assert.equal(w.data.results.length, 3)
  assert.equal(w.data.results[0].$type, 'com.atproto.repo.applyWrites#createResult')
  assert.equal(w.data.results[2].$type, 'com.atproto.repo.applyWrites#deleteResult')
  const h = await head(url, did)
  assert.equal(h.cid, w.data.commit.cid)

  const list = await alice.com.atproto.repo.listRecords({ repo: did, collection: POST })
  assert.deepEqual(list.data.records.map((r) => r.value.text), ['two', 'three'])
  const page1 = await alice.com.atproto.repo.listRecords({ repo: did, collection: POST, limit: 1 })
  assert.deepEqual(page1.data.records.map((r) => r.value.text), ['two'])
  const page2 = await alice.com.atproto.repo.listRecords({ repo: did, collection: POST, limit: 1, cursor: page1.data.cursor })
  assert.deepEqual(page2.data.records.map((r) => r.value.text), ['three'], 'the cursor pages on')
  const rev = await alice.com.atproto.repo.listRecords({ repo: did, collection: POST, reverse: true, limit: 1 })
  assert.deepEqual(rev.data.records.map((r) => r.value.text), ['three'])
  await rejectsXrpc(alice.com.atproto.repo.getRecord({ repo: did, collection: POST, rkey }), 'RecordNotFound', 'deleted record')

  await alice.com.atproto.repo.deleteRecord({ repo: did, collection: POST, rkey: '3kaaaaaaaaaa3' })
  const d = await alice.com.atproto.repo.describeRepo({ repo: 'alice.test' })
  assert.equal(d.data.did, did)
  assert.deepEqual(d.data.collections, ['app.bsky.actor.profile', POST])
  assert.equal(d.data.didDoc.id, did)
})

test('getRepo: the CAR verifies with @atproto/repo; since gives the later blocks', async () => {
  const did = alice.session.did
  const before = await head(url, did)
  const r = await xrpc(url, 'com.atproto.sync.getRepo', { params: { did } })
  assert.equal(r.status, 200)
  assert.equal(r.headers.get('content-type'), 'application/vnd.ipld.car')
  const desc = await alice.com.atproto.repo.describeRepo({ repo: did })
  const key = desc.data.didDoc.verificationMethod[0].publicKeyMultibase
  const verified = await verifyRepoCar(r.body, did, `did:key:${key}`)
  assert.equal(verified.commit.rev, before.rev)
  const paths = verified.creates.map((c) => `${c.collection}/${c.rkey}`).sort()
  assert.deepEqual(paths, ['app.bsky.actor.profile/self', `${POST}/3kaaaaaaaaaa2`])

  await alice.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post('later') })
  const since = await xrpc(url, 'com.atproto.sync.getRepo', { params: { did, since: before.rev } })
  assert.equal(since.status, 200)
  const { root, blocks } = await readCarWithRoot(since.body)
  assert.equal(root.toString(), (await head(url, did)).cid)
  assert.ok(blocks.size >= 3 && blocks.size < 10, `a slice, not the repo (${blocks.size} blocks)`)
})

test('blobs: upload, fetch, list; oversize and bad MIME are refused', async () => {
  const did = alice.session.did
  const bytes = new Uint8Array(3000).map((_, i) => (i * 7) % 256)
  const up = await alice.com.atproto.repo.uploadBlob(bytes, { encoding: 'image/png' })
  const cid = up.data.blob.ref.toString()
  assert.equal(up.data.blob.size, 3000)
  assert.equal(up.data.blob.mimeType, 'image/png')
  const got = await xrpc(url, 'com.atproto.sync.getBlob', { params: { did, cid } })
  assert.equal(got.status, 200)
  assert.equal(got.headers.get('content-type'), 'image/png')
  assert.deepEqual(got.body, bytes)
  // listBlobs lists the blobs records reference (tests/edge/blobs.test.mjs):
  // an upload no record references yet is not listed.
  const list = await alice.com.atproto.sync.listBlobs({ did })
  assert.deepEqual(list.data.cids, [])

  const token = alice.session.accessJwt
  const big = await xrpc(url, 'com.atproto.repo.uploadBlob', { method: 'POST', token, body: new Uint8Array(5_000_001), headers: { 'content-type': 'image/png' } })
  assertError(big, 413, 'BlobTooLarge', 'oversize blob')
  const exe = await xrpc(url, 'com.atproto.repo.uploadBlob', { method: 'POST', token, body: bytes, headers: { 'content-type': 'application/x-msdownload' } })
  assertError(exe, 400, 'InvalidMimeType', 'refused MIME type')
  const missing = await xrpc(url, 'com.atproto.sync.getBlob', { params: { did, cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' } })
  assertError(missing, 400, 'BlobNotFound', 'absent blob')
})

test('bad input gets the reference error and writes nothing', async () => {
  const did = alice.session.did
  const token = alice.session.accessJwt
  const before = await head(url, did)
  const create = (t, repo = did, record = post('x')) =>
    xrpc(url, 'com.atproto.repo.createRecord', { method: 'POST', token: t, body: { repo, collection: POST, record } })

  const wrong = new AtpAgent({ service: url })
  await rejectsXrpc(wrong.login({ identifier: 'alice.test', password: 'nope' }), 'AuthenticationRequired', 'wrong password')
  await rejectsXrpc(wrong.login({ identifier: 'nobody.test', password: 'nope' }), 'AuthenticationRequired', 'unknown account')

  const c = claimsOf(token)
  const now = Math.floor(Date.now() / 1000)
  assertError(await create(signJwt({ ...c, iat: now - 8000, exp: now - 800 }, JWT_SECRET)), 400, 'ExpiredToken', 'expired JWT')
  assertError(await create(signJwt({ ...c, exp: now + 3600 }, 'not-the-relay-secret-000000')), 400, 'InvalidToken', 'forged JWT')
  assertError(await create(signJwt({ ...c, scope: 'com.atproto.refresh' }, JWT_SECRET)), 400, 'InvalidToken', 'refresh token used for a write')
  assertError(await create(undefined), 401, 'AuthenticationRequired', 'no token')
  assertError(await create(token, bob.session.did), 401, 'AuthenticationRequired', "write to another user's repo")
  assertError(await create(token, did, { $type: POST, createdAt: new Date().toISOString() }), 400, 'InvalidRequest', 'record missing its required text')
  assertError(await create(token, did, { $type: POST, text: 5, createdAt: 'yesterday' }), 400, 'InvalidRequest', 'record of the wrong types')
  const badCar = await xrpc(url, 'com.atproto.repo.importRepo', { method: 'POST', token, body: new Uint8Array([1, 2, 3, 4, 5]), headers: { 'content-type': 'application/vnd.ipld.car' } })
  assertError(badCar, 400, 'InvalidCar', 'malformed CAR')
  const swap = await xrpc(url, 'com.atproto.repo.applyWrites', { method: 'POST', token, body: { repo: did, swapCommit: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm', writes: [{ $type: 'com.atproto.repo.applyWrites#create', collection: POST, value: post('x') }] } })
  assertError(swap, 400, 'InvalidSwap', 'stale swapCommit')
  const swapRec = await xrpc(url, 'com.atproto.repo.putRecord', { method: 'POST', token, body: { repo: did, collection: POST, rkey: '3kaaaaaaaaaa2', record: post('x'), swapRecord: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm' } })
  assertError(swapRec, 400, 'InvalidSwap', 'stale swapRecord')
  const dup = await xrpc(url, 'com.atproto.repo.applyWrites', { method: 'POST', token, body: { repo: did, writes: [
    { $type: 'com.atproto.repo.applyWrites#create', collection: POST, rkey: '3kaaaaaaaaab2', value: post('ok') },
    { $type: 'com.atproto.repo.applyWrites#delete', collection: POST, rkey: '3kzzzzzzzzzz2' },
  ] } })
  assertError(dup, 400, 'RecordNotFound', 'applyWrites with one bad write')
  const bobHead = await head(url, bob.session.did)
  assert.deepEqual(await head(url, did), before, 'no bad request moved the head')
  assert.equal((await alice.com.atproto.repo.listRecords({ repo: did, collection: POST })).data.records.length, 2)
  assert.deepEqual(await head(url, bob.session.did), bobHead)
})
