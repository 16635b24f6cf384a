// The scripted scenario of the AppView tests and bench: four custodial
// accounts on the relay writing real app.bsky records through AtpAgent.

import { AtpAgent } from '@atproto/api'
import { xrpc } from './harness.mjs'

const ref = (p) => ({ uri: p.uri, cid: p.cid })

async function account(url, name) {
  const a = new AtpAgent({ service: url })
  await a.createAccount({ handle: `${name}.test`, email: `${name}@example.com`, password: `${name}-pw` })
  return a
}

/**
 * alice, bob, carol, dave. Follows: alice → bob, carol, dave; bob, carol,
 * dave → alice. alice blocks dave. Posts: a1 (alice), p1 and r1 (bob; r1
 * replies to a1), r2 (alice, replies to r1), p2 and q1 (carol; q1 quotes
 * a1), p3 (dave), gone (bob, deleted). Likes: alice → p1, bob and carol →
 * a1. alice reposts p2. Returns the agents and the refs in `P`.
 */
export async function scenario(url) {
  const alice = await account(url, 'alice')
  const bob = await account(url, 'bob')
  const carol = await account(url, 'carol')
  const dave = await account(url, 'dave')
  const P = {}
  await alice.com.atproto.repo.putRecord({
    repo: alice.session.did,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', displayName: 'Alice Liddell', description: 'curiouser and curiouser' },
  })
  P.f_alice_bob = await alice.follow(bob.session.did)
  await alice.follow(carol.session.did)
  await alice.follow(dave.session.did)
  P.f_bob_alice = await bob.follow(alice.session.did)
  await carol.follow(alice.session.did)
  await dave.follow(alice.session.did)
  P.a1 = await alice.post({ text: 'alice: first post from wonderland' })
  P.p1 = await bob.post({ text: 'bob: hello from the builder' })
  P.r1 = await bob.post({ text: 'bob: replying to alice', reply: { root: ref(P.a1), parent: ref(P.a1) } })
  P.r2 = await alice.post({ text: 'alice: replying to bob', reply: { root: ref(P.a1), parent: ref(P.r1) } })
  P.p2 = await carol.post({ text: 'carol: good morning' })
  P.q1 = await carol.post({
    text: 'carol: look at this',
    embed: { $type: 'app.bsky.embed.record', record: ref(P.a1) },
  })
  P.p3 = await dave.post({ text: 'dave: a secret post' })
  P.gone = await bob.post({ text: 'bob: this will be deleted' })
  await bob.deletePost(P.gone.uri)
  P.like_p1 = await alice.like(P.p1.uri, P.p1.cid)
  await bob.like(P.a1.uri, P.a1.cid)
  await carol.like(P.a1.uri, P.a1.cid)
  P.rp_p2 = await alice.repost(P.p2.uri, P.p2.cid)
  P.block = await alice.app.bsky.graph.block.create(
    { repo: alice.session.did },
    { subject: dave.session.did, createdAt: new Date().toISOString() },
  )
  return { alice, bob, carol, dave, P }
}

/** The views of the scenario as each account sees them (raw XRPC bodies). */
export async function snapshot(url, s) {
  const out = {}
  const get = async (key, nsid, params, agent) => {
    const r = await xrpc(url, nsid, { params, token: agent?.session.accessJwt })
    out[key] = { status: r.status, body: r.body }
  }
  for (const name of ['alice', 'bob', 'carol', 'dave']) {
    const a = s[name]
    await get(`${name}:timeline`, 'app.bsky.feed.getTimeline', { limit: 50 }, a)
    await get(`${name}:profile`, 'app.bsky.actor.getProfile', { actor: 'alice.test' }, a)
    await get(`${name}:thread`, 'app.bsky.feed.getPostThread', { uri: s.P.a1.uri }, a)
    await get(`${name}:author`, 'app.bsky.feed.getAuthorFeed', { actor: 'carol.test' }, a)
  }
  await get('likes', 'app.bsky.feed.getLikes', { uri: s.P.a1.uri })
  await get('reposts', 'app.bsky.feed.getRepostedBy', { uri: s.P.p2.uri })
  await get('follows', 'app.bsky.graph.getFollows', { actor: 'alice.test' })
  await get('followers', 'app.bsky.graph.getFollowers', { actor: 'alice.test' })
  await get('search', 'app.bsky.feed.searchPosts', { q: 'alice' })
  await get('actors', 'app.bsky.actor.searchActors', { q: 'a' })
  return out
}
