// A subscribeRepos consumer for the tests: collects decoded frames
// ({header, body, size}) from the relay's WebSocket, and checks #commit
// events the way a relay consumer does (signature, proofs, inversion).

import WebSocket from 'ws'
import assert from 'node:assert/strict'
import { decodeAll } from '@atproto/lex-cbor'
import { readCarWithRoot, verifyProofs, MST, MemoryBlockstore, verifyCommitSig, cborToLex } from '@atproto/repo'

/** Connects; `events` fills as frames arrive. */
export function subscribe(url, cursor) {
  const q = cursor === undefined ? '' : `?cursor=${cursor}`
  const ws = new WebSocket(`${url.replace('http', 'ws')}/xrpc/com.atproto.sync.subscribeRepos${q}`)
  const events = []
  let closed = null
  ws.on('message', (data) => {
    const bytes = new Uint8Array(data)
    const [header, body] = decodeAll(bytes)
    events.push({ header, body, size: bytes.length })
  })
  ws.on('close', (code, reason) => { closed = { code, reason: reason.toString() } })
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return {
    events,
    opened,
    closed: () => closed,
    close: () => ws.close(),
    /** Waits until `pred(events)` holds (10 s). */
    async until(pred, what) {
      const t = Date.now() + 10_000
      while (!pred(events)) {
        if (Date.now() > t) throw new Error(`timed out waiting for ${what}; got ${events.map((e) => e.header.t ?? e.body.error)}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    },
  }
}

/**
 * Checks one #commit event as a sync 1.1 consumer: the commit in the CAR
 * slice is signed by `didKey`, every op is proven by the slice, and
 * inverting the ops on the new tree gives `prevData`.
 */
export async function checkCommit(ev, didKey) {
  const { root, blocks } = await readCarWithRoot(ev.blocks)
  assert.equal(root.toString(), ev.commit.toString(), 'CAR root is the commit')
  const commit = cborToLex(blocks.get(root))
  assert.equal(commit.rev, ev.rev)
  assert.ok(await verifyCommitSig(commit, didKey), 'commit signature')
  const claims = ev.ops.map((op) => {
    const [collection, rkey] = op.path.split('/')
    return { collection, rkey, cid: op.cid ?? null }
  })
  const { unverified } = await verifyProofs(ev.blocks, claims, ev.repo, didKey)
  assert.deepEqual(unverified, [], 'every op is proven by the slice')
  if (ev.prevData) {
    const storage = new MemoryBlockstore(blocks)
    let mst = MST.load(storage, commit.data)
    for (const op of ev.ops) {
      if (op.action === 'create') mst = await mst.delete(op.path)
      else if (op.action === 'update') mst = await mst.update(op.path, op.prev)
      else mst = await mst.add(op.path, op.prev)
    }
    assert.equal((await mst.getPointer()).toString(), ev.prevData.toString(), 'ops invert to prevData')
  }
}
