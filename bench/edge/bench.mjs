// Edge relay vs the reference PDS, same machine, same run:
//  1. createRecord latency: N sequential calls (after a warm-up), p50/p99.
//  2. Firehose fan-out: SUBS subscribeRepos consumers, EVENTS commits
//     written by WRITERS accounts in parallel; events/s delivered (all
//     consumers' frames / time from the first write to the last delivery).
// Ours runs under `wrangler dev --local` (tests/edge/harness.mjs; build it
// first with scripts/build-edge.sh); the reference is @atproto/pds with its
// SQLite defaults in its own Node process (bench/edge/pds-server.mjs; install
// it once: cd /var/cache/ues/pds-bench && npm_config_nodedir=/usr npm install @atproto/pds).
//
//   node bench/edge/bench.mjs            # N=500 SUBS=100 EVENTS=200 WRITERS=4
//   N=1000 node bench/edge/bench.mjs     # ONLY=edge|pds runs one side

import WebSocket from 'ws'
import { AtpAgent } from '@atproto/api'
import { spawn } from 'node:child_process'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startRelay, freePort } from '../../tests/edge/harness.mjs'

const env = (k, d) => Number(process.env[k] ?? d)
const N = env('N', 500)
const SUBS = env('SUBS', 100)
const EVENTS = env('EVENTS', 200)
const WRITERS = env('WRITERS', 4)
const HERE = dirname(fileURLToPath(import.meta.url))
const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: new Date().toISOString() })

async function startPds() {
  const port = await freePort()
  const child = spawn(process.execPath, [join(HERE, 'pds-server.mjs'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let log = ''
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`PDS did not start:\n${log}`)), 60_000)
    child.stdout.on('data', (d) => { log += d; if (log.includes('ready')) { clearTimeout(t); resolve() } })
    child.stderr.on('data', (d) => { log += d })
    child.on('exit', (c) => reject(new Error(`PDS exited ${c}:\n${log}`)))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      try { process.kill(-child.pid, 'SIGTERM') } catch {}
      await new Promise((r) => setTimeout(r, 300))
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
    },
  }
}

let accounts = 0
async function account(url, tag) {
  const a = new AtpAgent({ service: url })
  accounts++
  await a.createAccount({ handle: `${tag}${accounts}-${Date.now() % 100000}.test`, email: `${tag}${accounts}@example.com`, password: 'bench-password' })
  return a
}

const pct = (s, p) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]

async function latency(url, tag) {
  const a = await account(url, `lat${tag}`)
  for (let i = 0; i < 20; i++) await a.com.atproto.repo.createRecord({ repo: a.session.did, collection: POST, record: post(`warm ${i}`) })
  const ms = []
  const t0 = performance.now()
  for (let i = 0; i < N; i++) {
    const t = performance.now()
    await a.com.atproto.repo.createRecord({ repo: a.session.did, collection: POST, record: post(`post ${i}`) })
    ms.push(performance.now() - t)
  }
  const total = performance.now() - t0
  ms.sort((x, y) => x - y)
  return { p50: pct(ms, 50), p99: pct(ms, 99), mean: total / N, perSec: (N * 1000) / total }
}

async function fanout(url, tag) {
  const writers = []
  for (let i = 0; i < WRITERS; i++) writers.push(await account(url, `fan${tag}`))
  const wsUrl = `${url.replace('http', 'ws')}/xrpc/com.atproto.sync.subscribeRepos`
  const counts = new Array(SUBS).fill(0)
  let lastAt = 0
  const socks = []
  for (let i = 0; i < SUBS; i++) {
    const ws = new WebSocket(wsUrl)
    ws.on('message', () => { counts[i]++; lastAt = performance.now() })
    ws.on('error', () => {})
    socks.push(ws)
  }
  await Promise.all(socks.map((ws) => new Promise((r, j) => { ws.once('open', r); ws.once('error', j) })))
  await new Promise((r) => setTimeout(r, 500))
  counts.fill(0)
  const t0 = performance.now()
  await Promise.all(writers.map(async (a, w) => {
    for (let i = w; i < EVENTS; i += WRITERS) await a.com.atproto.repo.createRecord({ repo: a.session.did, collection: POST, record: post(`fan ${i}`) })
  }))
  const written = performance.now() - t0
  const deadline = Date.now() + 120_000
  while (counts.some((c) => c < EVENTS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  const delivered = counts.reduce((s, c) => s + Math.min(c, EVENTS), 0)
  const elapsed = lastAt - t0
  for (const ws of socks) ws.terminate()
  return { delivered, expected: SUBS * EVENTS, seconds: elapsed / 1000, eventsPerSec: (delivered * 1000) / elapsed, writesPerSec: (EVENTS * 1000) / written }
}

async function run(name, start) {
  const srv = await start()
  try {
    const lat = await latency(srv.url, name)
    const fan = await fanout(srv.url, name)
    return { lat, fan }
  } finally {
    await srv.stop()
  }
}

const only = process.env.ONLY
const results = {}
if (only !== 'pds') results.edge = await run('edge', () => startRelay({ vars: { RATE_WRITE: '100000000', RATE_SIGNUP: '100000' } }))
if (only !== 'edge') results.pds = await run('pds', startPds)

const f = (x) => x.toFixed(2)
console.log(`\ncreateRecord latency, ${N} sequential calls (ms)`)
console.log('target  p50     p99     mean    calls/s')
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(7)} ${f(v.lat.p50).padEnd(7)} ${f(v.lat.p99).padEnd(7)} ${f(v.lat.mean).padEnd(7)} ${f(v.lat.perSec)}`)
console.log(`\nfirehose fan-out: ${SUBS} subscribers, ${EVENTS} commits from ${WRITERS} writers`)
console.log('target  delivered        seconds  events/s   writes/s')
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(7)} ${`${v.fan.delivered}/${v.fan.expected}`.padEnd(16)} ${f(v.fan.seconds).padEnd(8)} ${f(v.fan.eventsPerSec).padEnd(10)} ${f(v.fan.writesPerSec)}`)
if (results.edge && results.pds) {
  const e = results.edge, p = results.pds
  console.log('\nratios (edge / pds; latency ≤ 1 and events/s ≥ 1 meet the goal)')
  console.log(`latency p50 ${f(e.lat.p50 / p.lat.p50)}x  p99 ${f(e.lat.p99 / p.lat.p99)}x  fan-out events/s ${f(e.fan.eventsPerSec / p.fan.eventsPerSec)}x`)
}
console.log(`\n${JSON.stringify(results)}`)
