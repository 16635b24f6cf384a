// A client of the relay's UES sync WebSocket (/ues/sync?did=...) for the
// tests, written independently of the Rust code: frames are DAG-CBOR
// `{m: {<kind>: {...}}, v: 1}` encoded and decoded with @atproto/lex-cbor;
// errors arrive as JSON text messages `{error, message}`.

import WebSocket from 'ws'
import { encode, decode } from '@atproto/lex-cbor'

export const MAX_FRAME = 1 << 20

/** Opens a sync socket for `did` (as its owner when `token` is given). */
export function connectSync(url, did, token) {
  const q = new URLSearchParams({ did })
  if (token) q.set('access_token', token)
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ues/sync?${q}`)
  const msgs = []
  let closed = null
  let seen = 0
  ws.on('message', (data, isBinary) => {
    const bytes = new Uint8Array(data)
    if (!isBinary) {
      msgs.push({ kind: 'error', body: JSON.parse(Buffer.from(bytes).toString()) })
      return
    }
    const f = decode(bytes)
    const [kind] = Object.keys(f.m)
    msgs.push({ kind, body: f.m[kind], size: bytes.length, v: f.v })
  })
  ws.on('close', (code, reason) => { closed = { code, reason: reason.toString() } })
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)))
  })
  const c = {
    ws,
    msgs,
    opened,
    closed: () => closed,
    close: () => ws.close(),
    /** Sends one message `{kind: body}` as a frame. */
    send(kind, body) {
      ws.send(encode({ m: { [kind]: body }, v: 1 }))
    },
    sendRaw(bytes) {
      ws.send(bytes)
    },
    /** The next message (after those already taken) of `kind` (10 s). */
    async next(kind) {
      const t = Date.now() + 10_000
      for (;;) {
        while (seen < msgs.length) {
          const m = msgs[seen++]
          if (m.kind === kind) return m
          if (m.kind === 'error' && kind !== 'error') throw Object.assign(new Error(`${m.body.error}: ${m.body.message}`), { error: m.body.error })
        }
        if (closed && kind !== 'close') throw new Error(`socket closed (${closed.code} ${closed.reason}) waiting for ${kind}`)
        if (Date.now() > t) throw new Error(`timed out waiting for ${kind}; got ${msgs.map((m) => m.kind)}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    /** Asks for the slice since `since` and reassembles the repoCar chunks. */
    async pull(since) {
      c.send('repoWant', { did, since: since ?? null })
      const parts = []
      for (;;) {
        const m = await c.next('repoCar')
        if (m.size > MAX_FRAME) throw new Error(`frame of ${m.size} bytes`)
        parts.push(m.body.car)
        if (!m.body.more) break
      }
      return { car: Buffer.concat(parts), frames: parts.length }
    },
    /** Sends `car` as repoCar chunks of at most `chunk` bytes. */
    pushCar(car, chunk = 512 * 1024) {
      for (let i = 0; i < car.length || i === 0; i += chunk) {
        c.send('repoCar', { car: car.subarray(i, i + chunk), did, more: i + chunk < car.length })
      }
    },
  }
  return c
}
