// Restart survival: stop wrangler and start it again on the same state
// directory; accounts, sessions' credentials, repos, blobs and the firehose
// sequence are all still there.

import { test } from 'node:test'
import { rmSync } from 'node:fs'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { startRelay, stateDir, xrpc } from './harness.mjs'
import { head } from './util.mjs'
import { subscribe } from './firehose.mjs'

const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: new Date().toISOString() })

test('accounts, repos, blobs and the firehose sequence survive a restart', async () => {
  const state = stateDir()
  let relay = await startRelay({ state })
  let did, before, lastSeq, blobCid
  try {
    const erin = new AtpAgent({ service: relay.url })
    await erin.createAccount({ handle: 'erin.test', email: 'erin@example.com', password: 'erin-pw' })
    did = erin.session.did
    for (const t of ['a', 'b', 'c']) await erin.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post(t) })
    blobCid = (await erin.com.atproto.repo.uploadBlob(new Uint8Array([1, 2, 3]), { encoding: 'image/png' })).data.blob.ref.toString()
    before = await head(relay.url, did)
    const s = subscribe(relay.url, 0)
    await s.until((evs) => evs.filter((e) => e.header.t === '#commit').length >= 4, 'events before restart')
    lastSeq = s.events.at(-1).body.seq
    s.close()
  } finally {
    await relay.stop()
  }

  relay = await startRelay({ state })
  try {
    const erin = new AtpAgent({ service: relay.url })
    await erin.login({ identifier: 'erin.test', password: 'erin-pw' })
    assert.equal(erin.session.did, did)
    assert.deepEqual(await head(relay.url, did), before, 'same head after restart')
    const list = await erin.com.atproto.repo.listRecords({ repo: did, collection: POST })
    assert.deepEqual(list.data.records.map((r) => r.value.text).sort(), ['a', 'b', 'c'])
    const blob = await xrpc(relay.url, 'com.atproto.sync.getBlob', { params: { did, cid: blobCid } })
    assert.deepEqual(blob.body, new Uint8Array([1, 2, 3]))

    const s = subscribe(relay.url, lastSeq)
    await s.opened
    await erin.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post('d') })
    await s.until((evs) => evs.length >= 1, 'the first event after restart')
    assert.equal(s.events[0].body.seq, lastSeq + 1, 'the sequence continues')
    assert.equal(s.events[0].body.since, before.rev, 'the new commit follows the old head')
    s.close()
  } finally {
    await relay.stop()
    rmSync(state, { recursive: true, force: true })
  }
})
