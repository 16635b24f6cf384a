// Where a relay write's time goes: sequential latency (p50, ms) of calls
// that touch more and more of the relay — the worker alone, + the accounts
// DO, + the repo DO, a write (+ sequencer) — against one `wrangler dev`.
//   node bench/edge/breakdown.mjs      (N=100)

import { AtpAgent } from '@atproto/api'
import { startRelay } from '../../tests/edge/harness.mjs'

const N = Number(process.env.N ?? 100)
const relay = await startRelay({ vars: { RATE_WRITE: '100000000' } })
try {
  const a = new AtpAgent({ service: relay.url })
  await a.createAccount({ handle: 'brk.test', email: 'b@example.com', password: 'breakdown-pw' })
  const did = a.session.did
  const POST = 'app.bsky.feed.post'
  const post = { $type: POST, text: 'x', createdAt: new Date().toISOString() }
  const calls = {
    'describeServer (worker)': () => a.com.atproto.server.describeServer(),
    'getSession (+accounts DO)': () => a.com.atproto.server.getSession(),
    'getLatestCommit (+repo DO)': () => a.com.atproto.sync.getLatestCommit({ did }),
    'getRecord (+repo DO read)': () => a.com.atproto.repo.getRecord({ repo: did, collection: 'app.bsky.actor.profile', rkey: 'self' }).catch(() => {}),
    'createRecord unvalidated': () => a.com.atproto.repo.createRecord({ repo: did, collection: 'com.example.x', record: { a: 1 }, validate: false }),
    'createRecord post': () => a.com.atproto.repo.createRecord({ repo: did, collection: POST, record: post }),
  }
  for (const [name, f] of Object.entries(calls)) {
    for (let i = 0; i < 10; i++) await f()
    const ms = []
    for (let i = 0; i < N; i++) {
      const t = performance.now()
      await f()
      ms.push(performance.now() - t)
    }
    ms.sort((x, y) => x - y)
    console.log(`${name.padEnd(30)} p50 ${ms[N >> 1].toFixed(2)}  p90 ${ms[Math.floor(N * 0.9)].toFixed(2)}`)
  }
} finally {
  await relay.stop()
}
