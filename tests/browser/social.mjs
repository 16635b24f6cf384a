// End to end, the social feed (issue 10, web app): two users in two isolated
// browser contexts, one real edge relay (ues-edge under `wrangler dev
// --local`), as in follow.mjs. They follow each other, post, reply to the
// other's post and like it; each sees the other's actions in the timeline
// (counts), in the thread and in notifications. Screenshots of the timeline,
// a thread, profiles and notifications go to $UES_ARTIFACTS.
// Needs scripts/build-web.sh and scripts/build-edge.sh first.
import { chromium } from 'playwright-core'
import { mkdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import assert from 'node:assert/strict'
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
const LONG = { timeout: 60_000 }
const shot = (u, name) => u.page.screenshot({ path: path.join(artifacts, `social-${name}-${u.name}.png`), fullPage: true })
const tab = (u, label) => u.page.locator('nav button', { hasText: label }).click()

/** A user in a context of its own: identity, relay link, first post. */
async function user(name) {
  const context = await browser.newContext({ viewport: { width: 820, height: 1000 } })
  const page = await context.newPage()
  page.on('pageerror', (e) => errors.push(`${name}: ${e}`))
  await page.goto(`${origin}/app/?relay=${encodeURIComponent(relay.url)}`)
  await page.locator('#create').click(LONG)
  await page.locator('#compose').waitFor()
  await page.locator('nav button', { hasText: 'Settings' }).click()
  const did = (await page.textContent('#did')).trim()
  await tab({ page }, 'Sync')
  await page.fill('#relay-handle', `${name}.test`)
  await page.fill('#relay-password', `${name}-password-1`)
  await page.click('#relay-connect')
  await page.locator('#sync-state', { hasText: 'in sync' }).waitFor(LONG)
  // A display name, through the profile editor.
  await tab({ page }, 'Profile')
  await page.click('#profile-edit')
  await page.fill('#profile-name-input', name === 'ann' ? 'Ann Archer' : 'Bob Baker')
  await page.fill('#profile-desc-input', `Hi, I am ${name}. I post about nodes in tabs.`)
  await page.click('#profile-save')
  await page.locator('#profile-name', { hasText: name === 'ann' ? 'Ann Archer' : 'Bob Baker' }).waitFor()
  await tab({ page }, 'Home')
  await page.fill('#text', `hello from ${name}`)
  await page.click('#post')
  await page.locator('#posts li', { hasText: `hello from ${name}` }).waitFor()
  return { name, did, page, context }
}

/** The timeline entry of the post whose text is exactly `text`. */
const postIn = (u, text, scope = '#posts') =>
  u.page.locator(`${scope} li.post`).filter({ has: u.page.locator('p.text', { hasText: new RegExp(`^${text}$`) }) }).first()

async function counts(u, text) {
  const li = postIn(u, text)
  return {
    likes: Number(await li.locator('.like-count').first().textContent()),
    replies: Number(await li.locator('.reply-count').first().textContent()),
  }
}

async function until(what, f) {
  const end = Date.now() + 60_000
  for (;;) {
    const v = await f().catch(() => false)
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 500))
  }
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
    await postIn(me, `hello from ${them.name}`).waitFor(LONG)
  }
  // Each replies to the other's post and likes it.
  for (const [me, them] of [[ann, bob], [bob, ann]]) {
    const li = postIn(me, `hello from ${them.name}`)
    await li.locator('.like-btn').click()
    await until(`${me.name}'s like shows`, async () => (await counts(me, `hello from ${them.name}`)).likes === 1)
    await postIn(me, `hello from ${them.name}`).locator('.reply-btn').click()
    await postIn(me, `hello from ${them.name}`).locator('.reply-text').fill(`nice post, ${them.name}!`)
    await postIn(me, `hello from ${them.name}`).locator('.reply-send').click()
    await postIn(me, `nice post, ${them.name}!`).waitFor()
  }
  // Each sees the other's like and reply on their own post: timeline counts.
  for (const [me, them] of [[ann, bob], [bob, ann]]) {
    await until(`${me.name} sees ${them.name}'s like and reply`, async () => {
      const c = await counts(me, `hello from ${me.name}`)
      return c.likes === 1 && c.replies === 1
    })
    await postIn(me, `nice post, ${me.name}!`).waitFor(LONG)
    assert.equal(
      (await postIn(me, `nice post, ${me.name}!`).locator('.author').textContent()).trim(),
      them.did,
      `the reply is shown as ${them.name}'s`,
    )
  }
  await shot(ann, 'timeline')
  await shot(bob, 'timeline')

  // The thread: the post, then the reply under it.
  for (const [me, them] of [[ann, bob], [bob, ann]]) {
    await postIn(me, `hello from ${me.name}`).locator('p.text').click()
    await me.page.locator('#thread li.post.focus', { hasText: `hello from ${me.name}` }).waitFor()
    await postIn(me, `nice post, ${me.name}!`, '#thread').waitFor()
    const reply = postIn(me, `nice post, ${me.name}!`, '#thread')
    assert.equal((await reply.locator('.author').textContent()).trim(), them.did)
    assert.match(await reply.locator('.name').textContent(), them.name === 'ann' ? /Ann Archer/ : /Bob Baker/)
    await shot(me, 'thread')
    await me.page.click('#thread button.back')
  }

  // Notifications: the other's like, reply and follow.
  for (const [me, them] of [[ann, bob], [bob, ann]]) {
    await tab(me, 'Notifications')
    for (const reason of ['like', 'reply', 'follow']) {
      await me.page.locator(`#notifications li.note.${reason}`).first().waitFor(LONG)
    }
    const reply = await me.page.locator('#notifications li.note.reply').first().textContent()
    assert.match(reply, new RegExp(`nice post, ${me.name}!`))
    await shot(me, 'notifications')
  }

  // Profiles: one's own, and the other's (counts, follow state, posts).
  await tab(ann, 'Profile')
  await ann.page.locator('#profile-posts', { hasText: '2' }).waitFor()
  await postIn(ann, 'nice post, bob!', '#profile-posts-list').waitFor()
  await shot(ann, 'profile')
  await tab(ann, 'Home')
  await postIn(ann, 'hello from bob').locator('.name').click()
  await ann.page.locator('#profile-name', { hasText: 'Bob Baker' }).waitFor()
  await ann.page.locator('#profile-follow', { hasText: 'Unfollow' }).waitFor()
  assert.equal(await ann.page.textContent('#profile-followers'), '1')
  assert.equal(await ann.page.textContent('#profile-follows'), '1')
  await postIn(ann, 'hello from bob', '#profile-posts-list').waitFor()
  await ann.page.screenshot({ path: path.join(artifacts, 'social-profile-bob-seen-by-ann.png'), fullPage: true })

  // Unlike: the count goes down on both sides.
  await tab(bob, 'Home')
  await postIn(bob, 'hello from ann').locator('.like-btn').click()
  await until('bob unliked', async () => (await counts(bob, 'hello from ann')).likes === 0)
  await tab(ann, 'Home')
  await until('ann sees the unlike', async () => (await counts(ann, 'hello from ann')).likes === 0)

  assert.deepEqual(errors, [], 'no page errors')
  console.log(`ok two users follow, post, reply and like; timelines, threads and notifications agree: ${ann.did} <-> ${bob.did}`)
} finally {
  await browser.close()
  server.close()
  await relay.stop()
  rmSync(state, { recursive: true, force: true })
}
