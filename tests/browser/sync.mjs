// End to end: the web app syncs through the real edge relay (ues-edge under
// `wrangler dev --local`). A person creates an identity in the tab, links it
// to the relay (the relay registers the DID; the key stays in the tab),
// posts: the post is mirrored and served by the relay to @atproto/api. Then
// the relay stops, a post is written offline (pending), the relay restarts
// on the same state and port, and the queued write reaches it.
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
let relay = await startRelay({ state })
const { server, origin } = await serve(0)
const browser = await chromium.launch({
  executablePath: process.env.UES_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
const posts = async (did) => {
  const agent = new AtpAgent({ service: relay.url })
  const r = await agent.com.atproto.repo.listRecords({ repo: did, collection: 'app.bsky.feed.post' })
  return r.data.records.map((x) => x.value.text)
}
const waitFor = async (what, fn, ms = 60_000) => {
  const end = Date.now() + ms
  for (;;) {
    try {
      if (await fn()) return
    } catch {}
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}
try {
  const page = await browser.newPage({ viewport: { width: 820, height: 900 } })
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(`${origin}/app/?relay=${encodeURIComponent(relay.url)}`)
  await page.locator('#create').click({ timeout: 60_000 })
  await page.locator('#compose').waitFor()
  await page.fill('#text', 'written before linking')
  await page.click('#post')
  await page.locator('#posts li').first().waitFor()
  await page.locator('nav button', { hasText: 'Settings' }).click()
  const did = (await page.textContent('#did')).trim()

  await page.locator('nav button', { hasText: 'Sync' }).click()
  assert.equal(await page.inputValue('#relay-url'), relay.url)
  await page.fill('#relay-handle', 'tab.test')
  await page.fill('#relay-password', 'tab-password-1')
  await page.click('#relay-connect')
  await page.locator('#sync-state', { hasText: 'in sync' }).waitFor({ timeout: 60_000 })
  assert.deepEqual(await posts(did), ['written before linking'], 'the relay mirrors the repo')

  await page.locator('nav button', { hasText: 'Home' }).click()
  await page.fill('#text', 'mirrored post')
  await page.click('#post')
  await waitFor('the new post on the relay', async () => (await posts(did)).includes('mirrored post'))

  // Offline: the relay goes away; the write waits, then arrives.
  await relay.stop()
  await page.fill('#text', 'written offline')
  await page.click('#post')
  await page.locator('#posts li', { hasText: 'written offline' }).waitFor()
  await page.locator('nav button', { hasText: 'Sync' }).click()
  await page.locator('#sync-state', { hasText: 'pending' }).waitFor({ timeout: 30_000 })
  assert.match(await page.textContent('#relay-error'), /Offline/)
  await page.screenshot({ path: path.join(artifacts, 'web-sync-pending.png'), fullPage: true })
  relay = await startRelay({ state, port: relay.port })
  await page.locator('#sync-state', { hasText: 'in sync' }).waitFor({ timeout: 60_000 })
  await page.screenshot({ path: path.join(artifacts, 'web-sync.png'), fullPage: true })
  assert.deepEqual((await posts(did)).sort(), ['mirrored post', 'written before linking', 'written offline'])
  assert.deepEqual(errors, [], 'no page errors')
  console.log(`ok web app + edge relay: link ${did} as tab.test, mirror, offline write delivered after the relay restarted`)
} finally {
  await browser.close()
  server.close()
  await relay.stop()
  rmSync(state, { recursive: true, force: true })
}
