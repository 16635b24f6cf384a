// End to end: two users, two isolated browser contexts (two IndexedDBs, two
// keys), one real edge relay (ues-edge under `wrangler dev --local`). Each
// creates an identity in its tab, links it to the relay, posts, and follows
// the other by DID; each tab pulls the other's repo through the relay,
// verifies it (signature, blocks, MST) and shows the other's posts in its
// timeline — also a post written after the follow (pulled as a delta). The
// relay serves the follow records to @atproto/api.
// Needs scripts/build-web.sh and scripts/build-edge.sh first.
import { chromium } from 'playwright-core'
import { mkdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { serve } from '../../scripts/serve.mjs'
import { startRelay, stateDir } from '../edge/harness.mjs'

const artifacts = process.env.UES_ARTIFACTS ?? path.join(os.tmpdir(), 'ues-artifacts')
mkdirSync(artifacts, { recursive: true })
const state = stateDir()
const relay = await startRelay({ state })
const { server, origin } = await serve(0)
const browser = await chromium.launch({
  executablePath: process.env.UES_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
const errors = []

/** A user in a context of its own: identity, relay link, first post. */
async function user(name) {
  const context = await browser.newContext({ viewport: { width: 820, height: 1000 } })
  const page = await context.newPage()
  page.on('pageerror', (e) => errors.push(`${name}: ${e}`))
  await page.goto(`${origin}/app/?relay=${encodeURIComponent(relay.url)}`)
  await page.locator('#create').click({ timeout: 60_000 })
  await page.locator('#compose').waitFor()
  await page.locator('nav button', { hasText: 'Settings' }).click()
  const did = (await page.textContent('#did')).trim()
  await page.locator('nav button', { hasText: 'Sync' }).click()
  await page.fill('#relay-handle', `${name}.test`)
  await page.fill('#relay-password', `${name}-password-1`)
  await page.click('#relay-connect')
  await page.locator('#sync-state', { hasText: 'in sync' }).waitFor({ timeout: 60_000 })
  await page.locator('nav button', { hasText: 'Home' }).click()
  await page.fill('#text', `hello from ${name}`)
  await page.click('#post')
  await page.locator('#posts li', { hasText: `hello from ${name}` }).waitFor()
  return { name, did, page, context }
}

const listRecords = async (did, collection) => {
  const agent = new AtpAgent({ service: relay.url })
  const r = await agent.com.atproto.repo.listRecords({ repo: did, collection })
  return r.data.records.map((x) => x.value)
}

try {
  const ann = await user('ann')
  const bob = await user('bob')
  for (const [me, them] of [[ann, bob], [bob, ann]]) {
    await me.page.fill('#follow-did', them.did)
    await me.page.click('#follow')
    await me.page.locator('#follows li', { hasText: them.did }).waitFor()
  }
  for (const [me, them] of [[ann, bob], [bob, ann]]) {
    await me.page
      .locator('#posts li', { hasText: `hello from ${them.name}` })
      .waitFor({ timeout: 60_000 })
  }
  // A post after the follow arrives too (a delta since the rev held).
  await bob.page.fill('#text', 'bob again')
  await bob.page.click('#post')
  await ann.page.locator('#posts li', { hasText: 'bob again' }).waitFor({ timeout: 60_000 })
  assert.equal(
    await ann.page.locator('#posts li', { hasText: 'bob again' }).locator('.author').textContent(),
    bob.did,
    "bob's post is shown as his",
  )

  // The follows are records like any other: the relay has them.
  for (const [me, them] of [[ann, bob], [bob, ann]]) {
    const until = Date.now() + 60_000
    for (;;) {
      const follows = await listRecords(me.did, 'app.bsky.graph.follow').catch(() => [])
      if (follows.some((f) => f.subject === them.did)) break
      if (Date.now() > until) throw new Error(`${me.name}'s follow never reached the relay`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  await ann.page.screenshot({ path: path.join(artifacts, 'web-follow-ann.png'), fullPage: true })
  await bob.page.screenshot({ path: path.join(artifacts, 'web-follow-bob.png'), fullPage: true })

  // Reload: the followed repo stays (IndexedDB), without the relay asked again first.
  await ann.page.reload()
  await ann.page.locator('#posts li', { hasText: 'bob again' }).waitFor({ timeout: 60_000 })
  assert.deepEqual(errors, [], 'no page errors')
  console.log(`ok two users in two contexts follow each other through the relay: ${ann.did} <-> ${bob.did}`)
} finally {
  await browser.close()
  server.close()
  await relay.stop()
  rmSync(state, { recursive: true, force: true })
}
