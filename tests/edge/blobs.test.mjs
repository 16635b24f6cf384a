// Blobs in commits: a post whose image embed references an uploaded blob
// lists that blob in its firehose #commit (`blobs`), and
// com.atproto.sync.listBlobs returns the blobs the repo's records reference
// (with `since`: those referenced after a rev), as the reference PDS does.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { startRelay } from './harness.mjs'
import { head } from './util.mjs'
import { subscribe } from './firehose.mjs'

const relay = await startRelay()
after(() => relay.stop())
const url = relay.url
const POST = 'app.bsky.feed.post'

test('#commit.blobs and listBlobs (with since) follow the records', async () => {
  const agent = new AtpAgent({ service: url })
  await agent.createAccount({ handle: 'bloby.test', email: 'b@example.com', password: 'bloby-pw' })
  const did = agent.session.did
  const png = new Uint8Array(2048).map((_, i) => (i * 13) % 256)
  const up = await agent.com.atproto.repo.uploadBlob(png, { encoding: 'image/png' })
  const cid = up.data.blob.ref.toString()
  const list = async (since) => (await agent.com.atproto.sync.listBlobs({ did, ...(since ? { since } : {}) })).data.cids
  assert.deepEqual(await list(), [], 'an unreferenced upload is not listed')
  const before = (await head(url, did)).rev

  const live = subscribe(url, 0)
  const r = await agent.com.atproto.repo.createRecord({
    repo: did,
    collection: POST,
    record: {
      $type: POST, text: 'a picture', createdAt: new Date().toISOString(),
      embed: { $type: 'app.bsky.embed.images', images: [{ image: up.data.blob, alt: 'noise' }] },
    },
  })
  const after1 = (await head(url, did)).rev
  await agent.com.atproto.repo.createRecord({ repo: did, collection: POST, record: { $type: POST, text: 'no picture', createdAt: new Date().toISOString() } })

  await live.until((evs) => evs.filter((e) => e.header.t === '#commit' && e.body.repo === did).length >= 3, 'three #commit')
  const commits = live.events.filter((e) => e.header.t === '#commit' && e.body.repo === did).map((e) => e.body)
  const withPic = commits.find((c) => c.rev === after1)
  assert.deepEqual(withPic.blobs.map(String), [cid], '#commit.blobs lists the referenced blob')
  assert.deepEqual(commits.at(-1).blobs, [], 'a commit without blobs lists none')
  live.close()

  assert.deepEqual(await list(), [cid])
  assert.deepEqual(await list(before), [cid], 'referenced after `since`')
  assert.deepEqual(await list(after1), [], 'nothing referenced after the picture post')

  // Deleting the record drops the reference.
  const rkey = r.data.uri.split('/').pop()
  await agent.com.atproto.repo.deleteRecord({ repo: did, collection: POST, rkey })
  assert.deepEqual(await list(), [])
})
