// requestCrawl upstream: with UPSTREAM_RELAYS set, the relay announces
// itself (`com.atproto.sync.requestCrawl {hostname}`) to each upstream on the
// first firehose event after it starts, and not again within
// UPSTREAM_CRAWL_INTERVAL_S. A tiny Node HTTP server plays the upstream.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { AtpAgent } from '@atproto/api'
import { startRelay, freePort } from './harness.mjs'

const calls = []
const upstream = createServer((req, res) => {
  let body = ''
  req.on('data', (d) => { body += d })
  req.on('end', () => {
    calls.push({ method: req.method, url: req.url, type: req.headers['content-type'], body })
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
})
const upPort = await freePort()
await new Promise((r) => upstream.listen(upPort, '127.0.0.1', r))
const relay = await startRelay({ vars: { UPSTREAM_RELAYS: `http://127.0.0.1:${upPort}`, UPSTREAM_CRAWL_INTERVAL_S: '3600' } })
after(async () => {
  await relay.stop()
  upstream.close()
})

test('announces itself upstream on the first event, then at most once per interval', async () => {
  assert.equal(calls.length, 0, 'nothing before the first event')
  const agent = new AtpAgent({ service: relay.url })
  await agent.createAccount({ handle: 'crawly.test', email: 'c@example.com', password: 'crawly-pw' })
  const t = Date.now()
  while (calls.length < 1 && Date.now() - t < 10_000) await new Promise((r) => setTimeout(r, 50))
  assert.equal(calls.length, 1, 'one announcement')
  assert.equal(calls[0].method, 'POST')
  assert.equal(calls[0].url, '/xrpc/com.atproto.sync.requestCrawl')
  assert.match(calls[0].type, /application\/json/)
  assert.deepEqual(JSON.parse(calls[0].body), { hostname: `127.0.0.1:${relay.port}` })
  for (let i = 0; i < 3; i++) {
    await agent.com.atproto.repo.createRecord({ repo: agent.session.did, collection: 'app.bsky.feed.post', record: { text: `p${i}`, createdAt: new Date().toISOString() } })
  }
  await new Promise((r) => setTimeout(r, 1000))
  assert.equal(calls.length, 1, 'not again within the interval')
})
