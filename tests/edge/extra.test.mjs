// The rest of the surface: app passwords, identity (resolveHandle,
// resolveDid, updateHandle, well-known documents), sync reads (record proof,
// blocks, listRepos, getRepoStatus), createReport, CORS, unknown methods,
// and the per-IP login rate limit.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { AtpAgent } from '@atproto/api'
import { verifyRecords, readCar } from '@atproto/repo'
import { startRelay, xrpc } from './harness.mjs'
import { head, assertError, rejectsXrpc } from './util.mjs'
import { subscribe } from './firehose.mjs'

const relay = await startRelay({ vars: { RATE_LOGIN: '8' } })
after(() => relay.stop())
const url = relay.url
const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: new Date().toISOString() })

const fred = new AtpAgent({ service: url })
await fred.createAccount({ handle: 'fred.test', email: 'fred@example.com', password: 'fred-pw' })
const did = fred.session.did
const desc = await fred.com.atproto.repo.describeRepo({ repo: did })
const didKey = `did:key:${desc.data.didDoc.verificationMethod[0].publicKeyMultibase}`

test('app passwords: create, log in with one, list, revoke (its sessions die)', async () => {
  const ap = await fred.com.atproto.server.createAppPassword({ name: 'phone' })
  assert.match(ap.data.password, /^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/)
  await rejectsXrpc(fred.com.atproto.server.createAppPassword({ name: 'phone' }), 'DuplicateAppPassword', 'same name twice')
  const phone = new AtpAgent({ service: url })
  await phone.login({ identifier: 'fred.test', password: ap.data.password })
  await phone.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post('from the phone') })
  const list = await fred.com.atproto.server.listAppPasswords()
  assert.deepEqual(list.data.passwords.map((p) => p.name), ['phone'])
  await fred.com.atproto.server.revokeAppPassword({ name: 'phone' })
  const r = await xrpc(url, 'com.atproto.server.getSession', { token: phone.session.accessJwt })
  assertError(r, 400, 'ExpiredToken', 'session of a revoked app password')
  await rejectsXrpc(new AtpAgent({ service: url }).login({ identifier: 'fred.test', password: ap.data.password }), 'AuthenticationRequired', 'revoked app password')
})

test('identity: resolveHandle, resolveDid, well-known documents, updateHandle', async () => {
  assert.equal((await fred.com.atproto.identity.resolveHandle({ handle: 'fred.test' })).data.did, did)
  await rejectsXrpc(fred.com.atproto.identity.resolveHandle({ handle: 'nobody.test' }), 'HandleNotFound', 'unknown handle')
  const doc = (await fred.com.atproto.identity.resolveDid({ did })).data.didDoc
  assert.equal(doc.id, did)
  assert.deepEqual(doc.alsoKnownAs, ['at://fred.test'])
  assert.equal(doc.service[0].serviceEndpoint, url)

  const wk = await getWithHost('/.well-known/atproto-did', 'fred.test')
  assert.equal(wk.status, 200)
  assert.equal(wk.body, did)
  const web = await getWithHost('/.well-known/did.json', 'fred.test')
  assert.equal(JSON.parse(web.body).id, did)
  assert.equal((await getWithHost('/.well-known/atproto-did', 'nobody.test')).status, 404)

  const s = subscribe(url, (await relaySeq()))
  await s.opened
  await fred.com.atproto.identity.updateHandle({ handle: 'frederick.test' })
  assert.equal((await fred.com.atproto.identity.resolveHandle({ handle: 'frederick.test' })).data.did, did)
  await s.until((evs) => evs.some((e) => e.header.t === '#identity'), '#identity event')
  assert.equal(s.events.find((e) => e.header.t === '#identity').body.handle, 'frederick.test')
  s.close()
  const other = new AtpAgent({ service: url })
  await other.createAccount({ handle: 'gina.test', email: 'gina@example.com', password: 'gina-pw' })
  await rejectsXrpc(other.com.atproto.identity.updateHandle({ handle: 'frederick.test' }), 'HandleNotAvailable', 'taken handle')
})

/** GET `path` with a `Host` header (fetch does not let one set it). */
function getWithHost(path, host) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: relay.port, path, headers: { host } }, (res) => {
      let body = ''
      res.on('data', (d) => { body += d })
      res.on('end', () => resolve({ status: res.statusCode, body }))
    })
    req.on('error', reject)
  })
}

/** The current firehose head seq (from a full replay). */
async function relaySeq() {
  const s = subscribe(url, 0)
  await s.opened
  await new Promise((r) => setTimeout(r, 300))
  s.close()
  return s.events.at(-1)?.body.seq ?? 0
}

test('sync: record proof, blocks, listRepos, getRepoStatus', async () => {
  const r = await fred.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post('proved') })
  const rkey = r.data.uri.split('/').pop()
  const proof = await xrpc(url, 'com.atproto.sync.getRecord', { params: { did, collection: POST, rkey } })
  assert.equal(proof.status, 200)
  const claims = await verifyRecords(proof.body, did, didKey)
  assert.equal(claims.length, 1)
  assert.equal(claims[0].rkey, rkey)
  assert.equal(claims[0].record.text, 'proved')

  const blocks = await xrpc(url, `com.atproto.sync.getBlocks`, { params: { did, cids: r.data.cid } })
  assert.equal(blocks.status, 200)
  const car = await readCar(blocks.body)
  assert.deepEqual(car.blocks.cids().map((c) => c.toString()), [r.data.cid])
  const missing = await xrpc(url, 'com.atproto.sync.getBlocks', { params: { did, cids: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' } })
  assertError(missing, 400, 'BlockNotFound', 'absent block')

  const repos = await fred.com.atproto.sync.listRepos({})
  const mine = repos.data.repos.find((x) => x.did === did)
  assert.equal(mine.head, (await head(url, did)).cid)
  assert.equal(repos.data.repos.length, 2)
  const st = await fred.com.atproto.sync.getRepoStatus({ did })
  assert.equal(st.data.active, true)
  assert.equal(st.data.rev, (await head(url, did)).rev)
  assertError(await xrpc(url, 'com.atproto.sync.getRepoStatus', { params: { did: 'did:web:nobody.test' } }), 400, 'RepoNotFound', 'unknown repo')
})

test('createReport is stored and answered', async () => {
  const r = await fred.com.atproto.moderation.createReport({
    reasonType: 'com.atproto.moderation.defs#reasonSpam',
    reason: 'spam',
    subject: { $type: 'com.atproto.admin.defs#repoRef', did },
  })
  assert.ok(r.data.id >= 1)
  assert.equal(r.data.reportedBy, did)
})

test('CORS, unknown methods, wrong verbs, lexicon-checked parameters', async () => {
  const pre = await fetch(`${url}/xrpc/com.atproto.repo.createRecord`, { method: 'OPTIONS' })
  assert.equal(pre.status, 204)
  assert.equal(pre.headers.get('access-control-allow-origin'), '*')
  assert.match(pre.headers.get('access-control-allow-headers'), /authorization/)
  const d = await fetch(`${url}/xrpc/com.atproto.server.describeServer`)
  assert.equal(d.headers.get('access-control-allow-origin'), '*')
  assertError(await xrpc(url, 'com.example.nothing'), 501, 'MethodNotImplemented', 'unknown method')
  assertError(await xrpc(url, 'com.atproto.repo.createRecord'), 400, 'InvalidRequest', 'GET of a procedure')
  assertError(await xrpc(url, 'com.atproto.repo.listRecords', { params: { repo: did, collection: POST, limit: 'many' } }), 400, 'InvalidRequest', 'non-integer limit')
  assertError(await xrpc(url, 'com.atproto.repo.listRecords', { params: { repo: did } }), 400, 'InvalidRequest', 'missing required parameter')
})

test('login rate limit per IP (RATE_LOGIN=8 per 5 min)', async () => {
  let limited = null
  for (let i = 0; i < 12 && !limited; i++) {
    const r = await xrpc(url, 'com.atproto.server.createSession', { method: 'POST', body: { identifier: 'nobody.test', password: 'x' } })
    if (r.status === 429) limited = r
    else assertError(r, 401, 'AuthenticationRequired', 'failed login')
  }
  assert.ok(limited, 'the limit was hit')
  assertError(limited, 429, 'RateLimitExceeded', 'too many logins')
})
