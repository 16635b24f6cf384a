// End to end: the web app (ues-web, Leptos) in headless Chromium as a
// person uses it: onboarding → post → reload (identity and post survive:
// IndexedDB) → record browser → passphrase, lock, wrong and right unlock →
// export a CAR, import it into a second, separate browser profile with the
// progress bar. Screenshots of the main views go to $UES_ARTIFACTS
// (default $TMPDIR/ues-artifacts) — look at them.
import { chromium } from 'playwright-core'
import { mkdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import assert from 'node:assert/strict'
import { serve } from '../../scripts/serve.mjs'

const artifacts = process.env.UES_ARTIFACTS ?? path.join(os.tmpdir(), 'ues-artifacts')
mkdirSync(artifacts, { recursive: true })
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `web-${name}.png`), fullPage: true })
const { server, origin } = await serve(0)
const browser = await chromium.launch({
  executablePath: process.env.UES_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
const tab = (page, label) => page.locator('nav button', { hasText: label }).click()

async function open(context) {
  const page = await context.newPage()
  page.errors = []
  page.on('pageerror', (e) => page.errors.push(String(e)))
  page.setViewportSize({ width: 820, height: 900 })
  await page.goto(`${origin}/app/`)
  return page
}

try {
  const ctx = await browser.newContext({ acceptDownloads: true })
  const page = await open(ctx)
  await page.locator('#create').waitFor({ timeout: 60_000 })
  await shot(page, 'onboarding')
  await page.click('#create')
  await page.locator('#compose').waitFor()
  for (const text of ['hello from a Leptos tab', 'a second post']) {
    await page.fill('#text', text)
    await page.click('#post')
    await page.locator('#posts li', { hasText: text }).waitFor()
  }
  await shot(page, 'home')

  await page.reload()
  await page.locator('#posts li', { hasText: 'hello from a Leptos tab' }).waitFor({ timeout: 60_000 })
  assert.equal(await page.locator('#posts li').count(), 2, 'posts survive a reload')

  await tab(page, 'Records')
  await page.locator('#records li').first().waitFor()
  assert.equal(await page.locator('#records li').count(), 2)
  assert.match(await page.textContent('#records'), /"\$type": "app.bsky.feed.post"/)
  assert.match(await page.textContent('#records'), /bafyrei/)
  await shot(page, 'records')

  await tab(page, 'Settings')
  const did = (await page.textContent('#did')).trim()
  assert.match(did, /^did:key:z/)
  await page.fill('#new-pass', 'tab secret')
  await page.click('form button[type=submit]')
  await page.locator('#lock').waitFor()
  await shot(page, 'settings')
  await page.reload()
  await page.locator('#unlock-pass').waitFor({ timeout: 60_000 })
  await page.fill('#unlock-pass', 'wrong')
  await page.press('#unlock-pass', 'Enter')
  await page.locator('#error', { hasText: 'WrongPassphrase' }).waitFor()
  await page.fill('#unlock-pass', 'tab secret')
  await page.press('#unlock-pass', 'Enter')
  await page.locator('#posts li').first().waitFor()

  await tab(page, 'Import / export')
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')])
  const carPath = path.join(artifacts, 'web-repo.car')
  await download.saveAs(carPath)
  assert.ok(readFileSync(carPath).length > 200, 'a CAR was downloaded')

  // A second person (separate profile, separate IndexedDB) imports it.
  const other = await open(await browser.newContext())
  await other.locator('#create').waitFor({ timeout: 60_000 })
  await other.click('#create')
  await other.locator('#compose').waitFor()
  await tab(other, 'Import / export')
  await other.setInputFiles('#import', carPath)
  await other.locator('#status', { hasText: 'imported 2 records' }).waitFor({ timeout: 60_000 })
  assert.match(await other.textContent('#status'), new RegExp(did))
  await shot(other, 'import')
  // The imported repo's posts join the timeline, marked with their author.
  await tab(other, 'Home')
  await other.locator('#posts li', { hasText: 'hello from a Leptos tab' }).waitFor()
  assert.match(await other.textContent('#posts'), new RegExp(did))
  await shot(other, 'timeline')
  assert.deepEqual([...page.errors, ...other.errors], [], 'no page errors')
  console.log(`ok web app: onboarding, posts, reload, records, passphrase + unlock, export, import (screenshots in ${artifacts})`)
} finally {
  await browser.close()
  server.close()
}
