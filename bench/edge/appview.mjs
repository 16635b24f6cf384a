// The relay's AppView: getTimeline latency (limit 50) for a viewer following
// ACCOUNTS accounts that wrote POSTS posts in all, p50/p95 over N sequential
// calls under `wrangler dev --local`; and the cold start: the relay
// restarted on the same state, the first getTimeline rebuilds the AppView
// from the stored repos (O(all records)), the second is warm again.
// No reference AppView is runnable here (the Bluesky AppView needs Postgres
// and its dataplane), so there is no side-by-side number: ours only.
//
//   scripts/build-edge.sh && node bench/edge/appview.mjs
//   ACCOUNTS=20 POSTS=1000 N=200 node bench/edge/appview.mjs

import { AtpAgent } from '@atproto/api'
import { rmSync } from 'node:fs'
import { startRelay, stateDir } from '../../tests/edge/harness.mjs'

const env = (k, d) => Number(process.env[k] ?? d)
const ACCOUNTS = env('ACCOUNTS', 20)
const POSTS = env('POSTS', 1000)
const N = env('N', 200)
const POST = 'app.bsky.feed.post'

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

async function timeline(agent) {
  const t0 = performance.now()
  const r = await agent.getTimeline({ limit: 50 })
  const ms = performance.now() - t0
  if (r.data.feed.length === 0) throw new Error('empty timeline')
  return ms
}

async function login(url) {
  const a = new AtpAgent({ service: url })
  await a.login({ identifier: 'viewer.test', password: 'viewer-pw' })
  return a
}

const state = stateDir()
let relay = await startRelay({ state })
try {
  const viewer = new AtpAgent({ service: relay.url })
  await viewer.createAccount({ handle: 'viewer.test', email: 'v@example.com', password: 'viewer-pw' })
  const per = Math.ceil(POSTS / ACCOUNTS)
  for (let i = 0; i < ACCOUNTS; i++) {
    const a = new AtpAgent({ service: relay.url })
    await a.createAccount({ handle: `w${i}.test`, email: `w${i}@example.com`, password: 'pw-pw-pw' })
    for (let done = 0; done < per; done += 100) {
      const writes = []
      for (let j = done; j < Math.min(per, done + 100); j++) {
        const createdAt = new Date(Date.UTC(2026, 0, 1) + (j * ACCOUNTS + i) * 1000).toISOString()
        writes.push({ $type: 'com.atproto.repo.applyWrites#create', collection: POST, value: { $type: POST, text: `post ${j} of w${i}`, createdAt } })
      }
      await a.com.atproto.repo.applyWrites({ repo: a.session.did, writes })
    }
    await viewer.follow(a.session.did)
  }
  for (let i = 0; i < 10; i++) await timeline(viewer)
  const ms = []
  for (let i = 0; i < N; i++) ms.push(await timeline(viewer))
  console.log(`getTimeline (limit 50), ${ACCOUNTS} followed accounts, ${per * ACCOUNTS} posts: p50 ${pct(ms, 50).toFixed(2)} ms, p95 ${pct(ms, 95).toFixed(2)} ms (N=${N})`)
} finally {
  await relay.stop()
}

relay = await startRelay({ state })
try {
  const viewer = await login(relay.url)
  const cold = await timeline(viewer)
  const warm = await timeline(viewer)
  console.log(`after a restart: first getTimeline (AppView rebuilt from the repos) ${cold.toFixed(1)} ms, next ${warm.toFixed(1)} ms`)
} finally {
  await relay.stop()
  rmSync(state, { recursive: true, force: true })
}
