// End to end: the plain-JS app (www/) in headless Chromium, as a person uses
// it: create an identity, post, reload (the post and identity are still
// there: IndexedDB), search, delete. Screenshots go to $UES_ARTIFACTS
// (default: $TMPDIR/ues-artifacts) — look at them.
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import assert from 'node:assert/strict'
import { serve } from '../../scripts/serve.mjs'

const artifacts = process.env.UES_ARTIFACTS ?? path.join(os.tmpdir(), 'ues-artifacts')
mkdirSync(artifacts, { recursive: true })
const { server, origin } = await serve(0)
const browser = await chromium.launch({
  executablePath: process.env.UES_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 900 } })
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(`${origin}/`)
  await page.locator('#create').waitFor()
  await page.screenshot({ path: path.join(artifacts, 'www-onboarding.png') })
  await page.click('#create')
  await page.locator('#did').filter({ hasText: 'did:key:' }).waitFor()
  const did = await page.textContent('#did')
  for (const text of ['first post from a tab', 'second post, with search words']) {
    await page.fill('#text', text)
    await page.click('#post')
    await page.locator('#posts li', { hasText: text }).waitFor()
  }
  await page.screenshot({ path: path.join(artifacts, 'www-posts.png') })

  await page.reload()
  await page.locator('#posts li', { hasText: 'first post from a tab' }).waitFor()
  assert.equal(await page.textContent('#did'), did, 'the identity survives a reload')
  assert.equal(await page.locator('#posts li').count(), 2)

  await page.fill('#search', 'search wor')
  await page.waitForFunction(() => document.querySelectorAll('#posts li').length === 1)
  assert.match(await page.textContent('#posts'), /search words/)
  await page.fill('#search', '')
  await page.waitForFunction(() => document.querySelectorAll('#posts li').length === 2)

  await page.locator('#posts li', { hasText: 'first post' }).locator('button').click()
  await page.waitForFunction(() => document.querySelectorAll('#posts li').length === 1)
  assert.equal(await page.textContent('#error'), '', 'no error shown')
  assert.deepEqual(errors, [], 'no page errors')
  console.log(`ok www: identity ${did}, post, reload, search, delete (screenshots in ${artifacts})`)
} finally {
  await browser.close()
  server.close()
}
