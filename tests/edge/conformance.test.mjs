// The storage conformance suite of ues-store (`conformance::check_all`: 16
// checks of blocks, keys, scans, TTL, atomic batches, 4 MiB values, 5,000
// keys, concurrent batches) run on the Durable Object SQLite backend inside
// workerd, through the test-only route /_test/conformance.

import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { startRelay } from './harness.mjs'

const relay = await startRelay()
after(() => relay.stop())

test('DoStore passes ues-store conformance::check_all in workerd', async () => {
  const r = await fetch(`${relay.url}/_test/conformance`)
  const text = await r.text()
  assert.equal(r.status, 200, `conformance route failed: ${text}\n${relay.log()}`)
  const body = JSON.parse(text)
  assert.equal(body.checks, 16, 'every check of check_all ran')
  assert.equal(body.keysLeft, 0, 'the suite leaves the key space empty')
})

test('the test route is off unless UES_EDGE_TEST_ROUTES=1', async () => {
  const other = await startRelay({ vars: { UES_EDGE_TEST_ROUTES: '0' } })
  try {
    const r = await fetch(`${other.url}/_test/conformance`)
    assert.equal(r.status, 404)
    assert.equal((await r.json()).error, 'NotFound')
  } finally {
    await other.stop()
  }
})
