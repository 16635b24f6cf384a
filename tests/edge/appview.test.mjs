// The relay's AppView subset (app.bsky.* views) with the unchanged
// @atproto/api AtpAgent: four custodial accounts write real app.bsky records
// (profiles, posts, replies, a quote, likes, a repost, follows, a block, a
// delete); the views return the expected posts, counts and viewer state,
// blocks are honoured, and after a restart (the AppView's memory gone, it
// rebuilds from the stored repos) the views are the same.

import { test } from 'node:test'
import { rmSync } from 'node:fs'
import assert from 'node:assert/strict'
import { AtpAgent } from '@atproto/api'
import { startRelay, stateDir, xrpc } from './harness.mjs'
import { assertError, rejectsXrpc } from './util.mjs'
import { scenario, snapshot } from './appview-scenario.mjs'

test('app.bsky views over the relay: timeline, author feed, thread, profiles, graph, search', async () => {
  const state = stateDir()
  let relay = await startRelay({ state })
  let s, before
  try {
    s = await scenario(relay.url)
    const { alice, bob, carol, dave, P } = s
    const A = alice.session.did
    const uris = (feed) => feed.map((f) => f.post.uri)

    // Timeline (alice): her posts, the posts of bob and carol, bob's reply
    // to her, her repost of carol's post; not dave's (blocked), not bob's
    // deleted post.
    const tl = (await alice.getTimeline({ limit: 50 })).data.feed
    const want = [P.a1, P.r1, P.r2, P.p1, P.p2, P.q1].map((p) => p.uri)
    for (const u of want) assert.ok(uris(tl).includes(u), `timeline has ${u}`)
    assert.ok(!uris(tl).includes(P.p3.uri), 'the blocked author is hidden from the blocker')
    assert.ok(!uris(tl).includes(P.gone.uri), 'the deleted post is gone')
    const rp = tl.find((f) => f.reason)
    assert.equal(rp.reason.$type, 'app.bsky.feed.defs#reasonRepost')
    assert.equal(rp.reason.by.did, A)
    assert.equal(rp.post.uri, P.p2.uri)
    const at = tl.map((f) => f.reason?.indexedAt ?? f.post.indexedAt)
    assert.deepEqual([...at].sort().reverse(), at, 'newest first')
    const a1 = tl.find((f) => f.post.uri === P.a1.uri).post
    assert.equal(a1.likeCount, 2)
    assert.equal(a1.replyCount, 1)
    assert.equal(a1.quoteCount, 1)
    assert.equal(a1.repostCount, 0)
    assert.equal(a1.author.handle, 'alice.test')
    assert.equal(a1.author.displayName, 'Alice Liddell')
    assert.equal(a1.record.text, 'alice: first post from wonderland')
    const p1 = tl.find((f) => f.post.uri === P.p1.uri).post
    assert.equal(p1.viewer.like, P.like_p1.uri, 'viewer.like is alice\'s like')
    const p2 = tl.find((f) => f.post.uri === P.p2.uri && !f.reason).post
    assert.equal(p2.repostCount, 1)
    assert.equal(p2.viewer.repost, P.rp_p2.uri)
    const r1 = tl.find((f) => f.post.uri === P.r1.uri)
    assert.equal(r1.reply.parent.uri, P.a1.uri)
    assert.equal(r1.reply.root.uri, P.a1.uri)
    const q1 = tl.find((f) => f.post.uri === P.q1.uri).post
    assert.equal(q1.embed.$type, 'app.bsky.embed.record#view')
    assert.equal(q1.embed.record.uri, P.a1.uri)
    assert.equal(q1.embed.record.author.did, A)

    // Cursors: pages of 2 cover the same feed.
    let paged = []
    let cursor
    do {
      const r = await alice.getTimeline({ limit: 2, cursor })
      paged = paged.concat(r.data.feed)
      cursor = r.data.cursor
    } while (cursor)
    assert.deepEqual(paged.map((f) => [f.post.uri, f.reason?.uri]), tl.map((f) => [f.post.uri, f.reason?.uri]))

    // Author feeds and filters.
    const bobFeed = (await alice.getAuthorFeed({ actor: 'bob.test' })).data.feed
    assert.deepEqual(uris(bobFeed).sort(), [P.p1.uri, P.r1.uri].sort())
    const noReplies = (await alice.getAuthorFeed({ actor: bob.session.did, filter: 'posts_no_replies' })).data.feed
    assert.deepEqual(uris(noReplies), [P.p1.uri])
    const aliceFeed = (await bob.getAuthorFeed({ actor: A })).data.feed
    assert.ok(aliceFeed.some((f) => f.reason && f.post.uri === P.p2.uri), 'reposts in the author feed')
    await rejectsXrpc(alice.getAuthorFeed({ actor: 'dave.test' }), 'BlockedActor', 'the blocker reads the blocked')
    await rejectsXrpc(dave.getAuthorFeed({ actor: 'alice.test' }), 'BlockedByActor', 'the blocked reads the blocker')

    // Threads.
    const th = (await alice.getPostThread({ uri: P.a1.uri })).data.thread
    assert.equal(th.$type, 'app.bsky.feed.defs#threadViewPost')
    assert.equal(th.post.uri, P.a1.uri)
    assert.equal(th.replies[0].post.uri, P.r1.uri)
    assert.equal(th.replies[0].replies[0].post.uri, P.r2.uri)
    const shallow = (await alice.getPostThread({ uri: P.a1.uri, depth: 1 })).data.thread
    assert.deepEqual(shallow.replies[0].replies ?? [], [])
    const up = (await alice.getPostThread({ uri: P.r2.uri })).data.thread
    assert.equal(up.parent.post.uri, P.r1.uri)
    assert.equal(up.parent.parent.post.uri, P.a1.uri)
    const low = (await alice.getPostThread({ uri: P.r2.uri, parentHeight: 1 })).data.thread
    assert.equal(low.parent.post.uri, P.r1.uri)
    assert.equal(low.parent.parent, undefined)
    const blocked = (await alice.getPostThread({ uri: P.p3.uri })).data.thread
    assert.equal(blocked.$type, 'app.bsky.feed.defs#blockedPost')
    assert.equal(blocked.blocked, true)
    const open = await xrpc(relay.url, 'app.bsky.feed.getPostThread', { params: { uri: P.p3.uri } })
    assert.equal(open.body.thread.post.uri, P.p3.uri, 'without a viewer the post shows')
    await rejectsXrpc(alice.getPostThread({ uri: P.gone.uri }), 'NotFound', 'a deleted post')

    // Profiles and viewer state.
    const pa = (await bob.getProfile({ actor: 'alice.test' })).data
    assert.equal(pa.did, A)
    assert.equal(pa.displayName, 'Alice Liddell')
    assert.equal(pa.description, 'curiouser and curiouser')
    assert.equal(pa.followersCount, 3)
    assert.equal(pa.followsCount, 3)
    assert.equal(pa.postsCount, 2)
    assert.equal(pa.viewer.following, P.f_bob_alice.uri)
    assert.equal(pa.viewer.followedBy, P.f_alice_bob.uri)
    const pd = (await alice.getProfile({ actor: 'dave.test' })).data
    assert.equal(pd.viewer.blocking, P.block.uri)
    const pad = (await dave.getProfile({ actor: 'alice.test' })).data
    assert.equal(pad.viewer.blockedBy, true)
    const bobP = (await carol.getProfile({ actor: 'bob.test' })).data
    assert.equal(bobP.postsCount, 2, 'the deleted post is not counted')
    const many = (await alice.getProfiles({ actors: ['bob.test', carol.session.did, 'nobody.test'] })).data
    assert.deepEqual(many.profiles.map((p) => p.handle), ['bob.test', 'carol.test'])
    await rejectsXrpc(alice.getProfile({ actor: 'nobody.test' }), 'InvalidRequest', 'unknown actor')
    const anon = await xrpc(relay.url, 'app.bsky.actor.getProfile', { params: { actor: 'alice.test' } })
    assert.equal(anon.status, 200)
    assert.equal(anon.body.viewer, undefined, 'no viewer state without a session')
    assertError(await xrpc(relay.url, 'app.bsky.feed.getTimeline'), 401, 'AuthenticationRequired', 'timeline without a session')

    // Likes, reposts, follows.
    const likes = (await alice.getLikes({ uri: P.a1.uri })).data
    assert.deepEqual(likes.likes.map((l) => l.actor.handle).sort(), ['bob.test', 'carol.test'])
    assert.ok(likes.likes.every((l) => typeof l.createdAt === 'string'))
    const rby = (await bob.getRepostedBy({ uri: P.p2.uri })).data
    assert.deepEqual(rby.repostedBy.map((a) => a.did), [A])
    const follows = (await bob.getFollows({ actor: 'alice.test' })).data
    assert.equal(follows.subject.did, A)
    assert.deepEqual(follows.follows.map((p) => p.handle).sort(), ['bob.test', 'carol.test', 'dave.test'])
    const followers = (await bob.getFollowers({ actor: 'alice.test' })).data
    assert.deepEqual(followers.followers.map((p) => p.handle).sort(), ['bob.test', 'carol.test', 'dave.test'])
    const fAsAlice = (await alice.getFollowers({ actor: 'alice.test' })).data
    assert.deepEqual(fAsAlice.followers.map((p) => p.handle).sort(), ['bob.test', 'carol.test'], 'blocked accounts left out')
    const page1 = (await bob.getFollows({ actor: 'alice.test', limit: 2 })).data
    const page2 = (await bob.getFollows({ actor: 'alice.test', limit: 2, cursor: page1.cursor })).data
    assert.equal(page1.follows.length + page2.follows.length, 3)
    assert.equal(page2.cursor, undefined)

    // Search.
    const sp = (await bob.app.bsky.feed.searchPosts({ q: 'wonderland' })).data
    assert.deepEqual(sp.posts.map((p) => p.uri), [P.a1.uri])
    const sp2 = (await alice.app.bsky.feed.searchPosts({ q: 'secret' })).data
    assert.deepEqual(sp2.posts, [], 'the blocked author\'s post is not found by the blocker')
    const sa = (await bob.searchActors({ q: 'ali' })).data
    assert.deepEqual(sa.actors.map((a) => a.did), [A])
    const sa2 = (await bob.searchActors({ q: 'liddell' })).data
    assert.deepEqual(sa2.actors.map((a) => a.did), [A], 'display name words')

    before = await snapshot(relay.url, s)
  } finally {
    await relay.stop()
  }

  // Restart on the same state: the AppView rebuilds from the stored repos.
  relay = await startRelay({ state })
  try {
    const after = await snapshot(relay.url, s)
    assert.deepEqual(after, before, 'the same views after the rebuild')
    // And it keeps following new writes after the rebuild.
    const bob = new AtpAgent({ service: relay.url })
    await bob.login({ identifier: 'bob.test', password: 'bob-pw' })
    const np = await bob.post({ text: 'bob after the restart' })
    const alice = new AtpAgent({ service: relay.url })
    await alice.login({ identifier: 'alice.test', password: 'alice-pw' })
    const tl = (await alice.getTimeline({ limit: 3 })).data.feed
    assert.equal(tl[0].post.uri, np.uri)
  } finally {
    await relay.stop()
    rmSync(state, { recursive: true, force: true })
  }
})

test('self-custodial pushes (importRepo) feed the AppView too', async () => {
  const { Repo, MemoryBlockstore, WriteOpAction, getFullRepo, concatBytesAsync } = await import('@atproto/repo')
  const { Secp256k1Keypair } = await import('@atproto/crypto')
  const relay = await startRelay()
  try {
    const alice = new AtpAgent({ service: relay.url })
    await alice.createAccount({ handle: 'alice.test', email: 'alice@example.com', password: 'alice-pw' })
    const key = await Secp256k1Keypair.create({ exportable: true })
    const did = key.did()
    const erin = new AtpAgent({ service: relay.url })
    await erin.createAccount({ handle: 'erin.test', email: 'erin@example.com', password: 'erin-pw', did })
    const push = async (repo) => {
      const body = await concatBytesAsync(getFullRepo(repo.storage, repo.cid))
      const r = await xrpc(relay.url, 'com.atproto.repo.importRepo', {
        method: 'POST', token: erin.session.accessJwt, body, headers: { 'content-type': 'application/vnd.ipld.car' },
      })
      assert.equal(r.status, 200, JSON.stringify(r.body))
    }
    const createdAt = new Date().toISOString()
    const storage = new MemoryBlockstore()
    let repo = await Repo.create(storage, did, key, [
      { action: WriteOpAction.Create, collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa2', record: { $type: 'app.bsky.feed.post', text: 'erin: signed in my tab', createdAt } },
      { action: WriteOpAction.Create, collection: 'app.bsky.graph.follow', rkey: '3kaaaaaaaaaa3', record: { $type: 'app.bsky.graph.follow', subject: alice.session.did, createdAt } },
    ])
    await push(repo)
    await alice.follow(did)
    const uri = `at://${did}/app.bsky.feed.post/3kaaaaaaaaaa2`
    let tl = (await alice.getTimeline()).data.feed
    assert.deepEqual(tl.map((f) => f.post.uri), [uri])
    assert.equal(tl[0].post.author.handle, 'erin.test')
    const pa = (await alice.getProfile({ actor: 'alice.test' })).data
    assert.equal(pa.followersCount, 1, 'the pushed follow counts')
    const pe = (await alice.getProfile({ actor: 'erin.test' })).data
    assert.equal(pe.viewer.followedBy, `at://${did}/app.bsky.graph.follow/3kaaaaaaaaaa3`)

    repo = await repo.applyWrites([{ action: WriteOpAction.Delete, collection: 'app.bsky.feed.post', rkey: '3kaaaaaaaaaa2' }], key)
    await push(repo)
    tl = (await alice.getTimeline()).data.feed
    assert.deepEqual(tl, [], 'the pushed delete removes the post')
  } finally {
    await relay.stop()
  }
})

test('bounded: past APPVIEW_MAX_RECORDS the views answer AppViewOverCapacity', async () => {
  const relay = await startRelay({ vars: { APPVIEW_MAX_RECORDS: '3' } })
  try {
    const a = new AtpAgent({ service: relay.url })
    await a.createAccount({ handle: 'ann.test', email: 'ann@example.com', password: 'ann-pw' })
    await a.post({ text: 'one' })
    assert.equal((await a.getTimeline()).data.feed.length, 1)
    for (const t of ['two', 'three', 'four']) await a.post({ text: t })
    assertError(await xrpc(relay.url, 'app.bsky.actor.getProfile', { params: { actor: 'ann.test' } }), 503, 'AppViewOverCapacity', 'over the bound')
    const list = await a.com.atproto.repo.listRecords({ repo: a.session.did, collection: 'app.bsky.feed.post' })
    assert.equal(list.data.records.length, 4, 'the writes themselves are not refused')
  } finally {
    await relay.stop()
  }
})
