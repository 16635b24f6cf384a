// The UES sync WebSocket (/ues/sync): a follower gets the repo head and
// pulls the slice since its rev (verified with @atproto/repo), hears of new
// commits live, and pulls a large repo in frames of at most 1 MiB; a
// self-custodial owner pushes signed commits (head → want → CAR chunks),
// verified like importRepo; forged, stale and unauthorised pushes and
// malformed frames are refused and leave the head as it was.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { Repo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync, verifyRepoCar, verifyDiffCar, readCarWithRoot, blocksToCarFile } from '@atproto/repo'
import { Secp256k1Keypair } from '@atproto/crypto'
import { startRelay, xrpc } from './harness.mjs'
import { head } from './util.mjs'
import { subscribe, checkCommit } from './firehose.mjs'
import { connectSync, MAX_FRAME } from './uessync.mjs'

const relay = await startRelay()
after(() => relay.stop())
const url = relay.url
const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: '2026-11-25T00:00:00.000Z' })

test('pull: head, full repo, live head, delta since a rev, large repo in ≤1 MiB frames', async () => {
  const agent = new AtpAgent({ service: url })
  await agent.createAccount({ handle: 'syncer.test', email: 's@example.com', password: 'syncer-pw' })
  const did = agent.session.did
  for (const t of ['a', 'b', 'c']) await agent.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post(t) })
  const desc = await agent.com.atproto.repo.describeRepo({ repo: did })
  const didKey = `did:key:${desc.data.didDoc.verificationMethod[0].publicKeyMultibase}`

  const c = connectSync(url, did)
  await c.opened
  const h1 = await c.next('repoHead')
  const latest = await head(url, did)
  assert.equal(h1.v, 1)
  assert.deepEqual({ did: h1.body.did, rev: h1.body.rev, commit: h1.body.commit.toString() }, { did, rev: latest.rev, commit: latest.cid })

  const full = await c.pull(null)
  const v = await verifyRepoCar(full.car, did, didKey)
  assert.equal(v.commit.rev, latest.rev)
  assert.equal(v.creates.length, 3)
  // A local copy of the repo, from the pulled CAR.
  const { root, blocks } = await readCarWithRoot(full.car)
  const local = await Repo.load(new MemoryBlockstore(blocks), root)

  // New commits are announced live; the delta since our rev verifies on our copy.
  const d = await agent.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post('d') })
  const e = await agent.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post('e') })
  let h2 = await c.next('repoHead')
  if (h2.body.rev !== (await head(url, did)).rev) h2 = await c.next('repoHead')
  assert.equal(h2.body.rev, (await head(url, did)).rev)
  const delta = await c.pull(latest.rev)
  const deltaBlocks = (await readCarWithRoot(delta.car)).blocks
  for (const c of v.creates) assert.ok(!deltaBlocks.has(c.cid), `a slice: old record ${c.rkey} is not resent`)
  const diff = await verifyDiffCar(local, delta.car, did, didKey)
  assert.equal(diff.commit.rev, h2.body.rev)
  assert.deepEqual(diff.writes.map((w) => `${w.action} ${w.cid}`).sort(), [d, e].map((r) => `create ${r.data.cid}`).sort())
  const http = await xrpc(url, 'com.atproto.sync.getRepo', { params: { did, since: latest.rev } })
  assert.deepEqual(Buffer.from(http.body), delta.car, 'the same slice as getRepo?since=')

  // A repo over 1 MiB travels in several frames, each within the limit.
  const big = 'x'.repeat(90_000)
  const writes = Array.from({ length: 15 }, (_, i) => ({ $type: 'com.atproto.repo.applyWrites#create', collection: 'com.example.big', rkey: `big${i}`, value: { $type: 'com.example.big', big: `${i} ${big}` } }))
  await agent.com.atproto.repo.applyWrites({ repo: did, validate: false, writes })
  const large = await c.pull(null)
  assert.ok(large.frames >= 2, `several frames (${large.frames}, ${large.car.length} bytes)`)
  assert.ok(c.msgs.every((m) => !m.size || m.size <= MAX_FRAME))
  const vl = await verifyRepoCar(large.car, did, didKey)
  assert.equal(vl.creates.length, 20)
  c.close()
})

test('push: a self-custodial owner pushes commits; forged, stale, unauthorised, malformed refused', async () => {
  const key = await Secp256k1Keypair.create({ exportable: true })
  const did = key.did()
  const agent = new AtpAgent({ service: url })
  await agent.createAccount({ handle: 'pusher.test', email: 'p@example.com', password: 'pusher-pw', did })
  const token = agent.session.accessJwt
  const live = subscribe(url, 0)

  const c = connectSync(url, did, token)
  await c.opened
  // The repo is empty: announce our head, the relay wants everything.
  let repo = await Repo.create(new MemoryBlockstore(), did, key, [{ action: WriteOpAction.Create, collection: POST, rkey: '3kaaaaaaaaaa2', record: post('one') }])
  const firstCar = await concatBytesAsync(getFullRepo(repo.storage, repo.cid))
  const firstRev = repo.commit.rev
  c.send('repoHead', { did, rev: repo.commit.rev, commit: repo.cid })
  const w1 = await c.next('repoWant')
  assert.equal(w1.body.since, null)
  c.pushCar(firstCar, 200)
  const a1 = await c.next('repoHead')
  assert.equal(a1.body.rev, firstRev)
  assert.deepEqual(await head(url, did), { cid: repo.cid.toString(), rev: firstRev })

  // A second commit: only its new blocks travel.
  const commit = await repo.formatCommit([{ action: WriteOpAction.Create, collection: POST, rkey: '3kaaaaaaaaaa3', record: post('two') }], key)
  repo = await repo.applyCommit(commit)
  c.send('repoHead', { did, rev: commit.rev, commit: commit.cid })
  const w2 = await c.next('repoWant')
  assert.equal(w2.body.since, firstRev)
  c.pushCar(await blocksToCarFile(commit.cid, commit.newBlocks))
  assert.equal((await c.next('repoHead')).body.rev, commit.rev)
  const good = await head(url, did)
  assert.deepEqual(good, { cid: commit.cid.toString(), rev: commit.rev })
  const got = await agent.com.atproto.repo.getRecord({ repo: did, collection: POST, rkey: '3kaaaaaaaaaa3' })
  assert.equal(got.data.value.text, 'two')

  // Forged: signed by another key.
  const other = await Secp256k1Keypair.create()
  const forged = await repo.formatCommit([{ action: WriteOpAction.Create, collection: POST, rkey: '3kaaaaaaaaaa4', record: post('forged') }], other)
  c.pushCar(await blocksToCarFile(forged.cid, forged.newBlocks))
  assert.equal((await c.next('error')).body.error, 'InvalidSignature')
  // Stale: the first push again.
  c.pushCar(firstCar)
  assert.equal((await c.next('error')).body.error, 'StaleRev')
  // An older head is not asked for.
  c.send('repoHead', { did, rev: firstRev, commit: repo.cid })
  // A reader may pull but not push.
  const reader = connectSync(url, did)
  await reader.opened
  assert.equal((await reader.next('repoHead')).body.rev, commit.rev)
  reader.pushCar(firstCar)
  assert.equal((await reader.next('error')).body.error, 'Forbidden')
  const pulled = await reader.pull(null)
  assert.equal((await verifyRepoCar(pulled.car, did, did)).commit.rev, commit.rev)
  // A bad token, or a repo the relay does not have, is refused at the upgrade.
  await assert.rejects(connectSync(url, did, 'not-a-token').opened, /upgrade refused: 400/)
  await assert.rejects(connectSync(url, 'did:key:zQ3shNoSuchRepo').opened, /upgrade refused: 400/)
  assert.deepEqual(await head(url, did), good, 'refused pushes left the head as it was')
  assert.equal(c.msgs.filter((m) => m.kind === 'repoWant').length, 2, 'the stale head was not answered')

  // Malformed frame: an error, then the socket is closed.
  c.sendRaw(new Uint8Array([0xa1, 0x61, 0x6d, 0xff]))
  assert.equal((await c.next('error')).body.error, 'MalformedFrame')
  const t = Date.now()
  while (!c.closed() && Date.now() - t < 5000) await new Promise((r) => setTimeout(r, 20))
  assert.equal(c.closed()?.code, 1008)

  // Both pushes are on the firehose, verified like any commit.
  await live.until((evs) => evs.filter((e) => e.header.t === '#commit' && e.body.repo === did).length >= 2, 'two #commit')
  const commits = live.events.filter((e) => e.header.t === '#commit' && e.body.repo === did).map((e) => e.body)
  assert.deepEqual(commits.map((x) => x.rev), [firstRev, commit.rev])
  for (const x of commits) await checkCommit(x, did)
  live.close()
  reader.close()
})
