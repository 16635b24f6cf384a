// The write rate limit per account (RATE_WRITE per hour, checked with the
// session in one call to the accounts DO): past it, 429 RateLimitExceeded
// and nothing is written.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { startRelay, xrpc } from './harness.mjs'
import { head, assertError } from './util.mjs'

const relay = await startRelay({ vars: { RATE_WRITE: '5' } })
after(() => relay.stop())

test('writes past RATE_WRITE get 429 RateLimitExceeded and write nothing', async () => {
  const a = new AtpAgent({ service: relay.url })
  await a.createAccount({ handle: 'limited.test', email: 'l@example.com', password: 'limited-pw' })
  const did = a.session.did
  const record = { $type: 'app.bsky.feed.post', text: 'x', createdAt: new Date().toISOString() }
  for (let i = 0; i < 5; i++) await a.com.atproto.repo.createRecord({ repo: did, collection: 'app.bsky.feed.post', record })
  const before = await head(relay.url, did)
  const r = await xrpc(relay.url, 'com.atproto.repo.createRecord', { method: 'POST', token: a.session.accessJwt, body: { repo: did, collection: 'app.bsky.feed.post', record } })
  assertError(r, 429, 'RateLimitExceeded', 'sixth write')
  assert.deepEqual(await head(relay.url, did), before)
  // Reads are not limited.
  assert.equal((await a.com.atproto.repo.listRecords({ repo: did, collection: 'app.bsky.feed.post' })).data.records.length, 5)
})
