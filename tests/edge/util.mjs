// Helpers of the edge tests: JWTs signed by hand (expired, forged), the
// repo head, and error assertions.

import { createHmac } from 'node:crypto'
import assert from 'node:assert/strict'
import { xrpc } from './harness.mjs'

const b64url = (b) => Buffer.from(b).toString('base64url')

/** An HS256 JWT with `claims`, signed with `secret`. */
export function signJwt(claims, secret) {
  const h = b64url(JSON.stringify({ typ: 'at+jwt', alg: 'HS256' }))
  const p = b64url(JSON.stringify(claims))
  const sig = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')
  return `${h}.${p}.${sig}`
}

/** The claims of a JWT (unverified). */
export function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())
}

/** The repo's head commit `{cid, rev}`. */
export async function head(url, did) {
  const r = await xrpc(url, 'com.atproto.sync.getLatestCommit', { params: { did } })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body
}

/** Asserts an XRPC error response. */
export function assertError(r, status, error, what) {
  assert.equal(r.status, status, `${what}: status (body ${JSON.stringify(r.body)})`)
  assert.equal(r.body.error, error, `${what}: error name (message ${r.body.message})`)
  assert.equal(typeof r.body.message, 'string', `${what}: message`)
}

/** Asserts an @atproto/api call rejects with XRPC error `error`. */
export async function rejectsXrpc(promise, error, what) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.error, error, `${what}: got ${e.error} (${e.message})`)
    return true
  })
}
