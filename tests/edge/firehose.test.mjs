// subscribeRepos: a consumer sees every commit in order, each one verified
// (signature, proofs, inversion to prevData), resumes from a cursor, gets
// FutureCursor for a cursor ahead of the stream; frames stay under 1 MB.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { startRelay } from './harness.mjs'
import { head } from './util.mjs'
import { subscribe, checkCommit } from './firehose.mjs'

const relay = await startRelay()
after(() => relay.stop())
const url = relay.url
const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: new Date().toISOString() })

test('every commit in order, verified; cursor replay; FutureCursor', async () => {
  const live = subscribe(url)
  await live.opened
  const carol = new AtpAgent({ service: url })
  await carol.createAccount({ handle: 'carol.test', email: 'carol@example.com', password: 'carol-pw' })
  const did = carol.session.did
  const desc = await carol.com.atproto.repo.describeRepo({ repo: did })
  const didKey = `did:key:${desc.data.didDoc.verificationMethod[0].publicKeyMultibase}`

  const heads = [await head(url, did)]
  const rkeys = []
  for (let i = 0; i < 6; i++) {
    const r = await carol.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post(`post ${i}`) })
    rkeys.push(r.data.uri.split('/').pop())
    heads.push(await head(url, did))
  }
  await carol.com.atproto.repo.putRecord({ repo: did, collection: POST, rkey: rkeys[0], record: post('edited') })
  heads.push(await head(url, did))
  await carol.com.atproto.repo.deleteRecord({ repo: did, collection: POST, rkey: rkeys[1] })
  heads.push(await head(url, did))
  await carol.com.atproto.repo.applyWrites({
    repo: did,
    writes: [
      { $type: 'com.atproto.repo.applyWrites#create', collection: POST, value: post('batch a') },
      { $type: 'com.atproto.repo.applyWrites#update', collection: POST, rkey: rkeys[2], value: post('batch b') },
      { $type: 'com.atproto.repo.applyWrites#delete', collection: POST, rkey: rkeys[3] },
    ],
  })
  heads.push(await head(url, did))

  const commitsOf = (evs) => evs.filter((e) => e.header.t === '#commit')
  await live.until((evs) => commitsOf(evs).length >= heads.length, 'all commits')
  const types = live.events.map((e) => e.header.t)
  assert.deepEqual(types.slice(0, 3), ['#identity', '#account', '#commit'], 'a new account: identity, account, first commit')
  const seqs = live.events.map((e) => e.body.seq)
  seqs.forEach((s, i) => i > 0 && assert.equal(s, seqs[i - 1] + 1, 'seq increases by one'))
  const commits = commitsOf(live.events).map((e) => e.body)
  assert.deepEqual(commits.map((c) => c.commit.toString()), heads.map((h) => h.cid), 'every commit, in order')
  assert.deepEqual(commits.map((c) => c.rev), heads.map((h) => h.rev))
  for (const [i, c] of commits.entries()) {
    assert.equal(c.repo, did)
    assert.equal(c.since ?? null, i === 0 ? null : heads[i - 1].rev, 'since is the previous rev')
    await checkCommit(c, didKey)
  }
  assert.deepEqual(commits.at(-1).ops.map((o) => o.action), ['create', 'update', 'delete'])
  for (const e of live.events) assert.ok(e.size < 1_000_000, 'frame under 1 MB')
  live.close()

  // Resume from a cursor: exactly the events after it, same bytes.
  const mid = seqs[4]
  const resumed = subscribe(url, mid)
  await resumed.opened
  await resumed.until((evs) => evs.length >= seqs.length - 5, 'replayed events')
  assert.deepEqual(resumed.events.map((e) => e.body.seq), seqs.slice(5))
  resumed.close()

  // From 0: everything.
  const all = subscribe(url, 0)
  await all.until((evs) => evs.length >= seqs.length, 'full replay')
  assert.deepEqual(all.events.map((e) => e.body.seq), seqs)
  // Replay, then live: a new commit follows the replay.
  await carol.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post('live after replay') })
  await all.until((evs) => evs.length >= seqs.length + 1, 'live event after replay')
  assert.equal(all.events.at(-1).body.seq, seqs.at(-1) + 1)
  await checkCommit(all.events.at(-1).body, didKey)
  all.close()

  // A cursor ahead of the stream: FutureCursor error frame, then close.
  const future = subscribe(url, 1_000_000)
  await future.until((evs) => evs.length >= 1, 'error frame')
  assert.equal(future.events[0].header.op, -1)
  assert.equal(future.events[0].body.error, 'FutureCursor')
  const t = Date.now()
  while (!future.closed() && Date.now() - t < 5000) await new Promise((r) => setTimeout(r, 50))
  assert.ok(future.closed(), 'the socket is closed after FutureCursor')
})

test('a cursor older than the kept events: #info OutdatedCursor, then the oldest kept', async () => {
  const small = await startRelay({ vars: { FIREHOSE_MAX_EVENTS: '4' } })
  try {
    const h = new AtpAgent({ service: small.url })
    await h.createAccount({ handle: 'hana.test', email: 'hana@example.com', password: 'hana-pw' })
    for (const t of ['a', 'b', 'c']) await h.com.atproto.repo.createRecord({ repo: h.session.did, collection: POST, record: post(t) })
    // 3 account events + 3 commits = seq 1..6; seq 3..6 are kept.
    const s = subscribe(small.url, 0)
    await s.until((evs) => evs.length >= 5, 'info + 4 kept events')
    assert.equal(s.events[0].header.t, '#info')
    assert.equal(s.events[0].body.name, 'OutdatedCursor')
    assert.deepEqual(s.events.slice(1).map((e) => e.body.seq), [3, 4, 5, 6])
    s.close()
    const fine = subscribe(small.url, 4)
    await fine.until((evs) => evs.length >= 2, 'replay from a kept cursor')
    assert.deepEqual(fine.events.map((e) => e.body.seq), [5, 6], 'no #info for a kept cursor')
    fine.close()
  } finally {
    await small.stop()
  }
})

test('concurrent writes to one repo are serialized: a chain of commits, each verified', async () => {
  const ivy = new AtpAgent({ service: url })
  await ivy.createAccount({ handle: 'ivy.test', email: 'ivy@example.com', password: 'ivy-pw' })
  const did = ivy.session.did
  const desc = await ivy.com.atproto.repo.describeRepo({ repo: did })
  const didKey = `did:key:${desc.data.didDoc.verificationMethod[0].publicKeyMultibase}`
  const start = await head(url, did)
  const s = subscribe(url)
  await s.opened
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) => ivy.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post(`c${i}`) })),
  )
  assert.equal(new Set(results.map((r) => r.data.commit.rev)).size, 10, 'ten distinct commits')
  await s.until((evs) => evs.filter((e) => e.body.repo === did).length >= 10, 'ten commits')
  const commits = s.events.filter((e) => e.header.t === '#commit' && e.body.repo === did).map((e) => e.body)
  let prev = start.rev
  for (const c of commits) {
    assert.equal(c.since, prev, 'each commit follows the one before')
    assert.ok(c.rev > prev, 'revs increase')
    await checkCommit(c, didKey)
    prev = c.rev
  }
  assert.equal(prev, (await head(url, did)).rev)
  const list = await ivy.com.atproto.repo.listRecords({ repo: did, collection: POST, limit: 100 })
  assert.equal(list.data.records.length, 10)
  s.close()
})
