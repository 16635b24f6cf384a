// Differential test of the Merkle Search Tree: random key sets and random
// put/delete sequences are applied both to the Rust MST (ues-wasm, nodejs
// build in pkg/wasm/node) and to @atproto/repo's MST, the reference
// implementation; the root CIDs must be identical, at random checkpoints and
// at the end of every case.
//
//   UES_INTEROP_CASES=2000     number of random sequences (default 2000)
//   UES_INTEROP_SEED=1         base seed (default 1; "random" picks one and prints it)
//   UES_INTEROP_CASE=17        run only this case of the seed (to reproduce a failure)
//
// Build the package first: scripts/build-pkg.sh (scripts/test.sh does).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MST, MemoryBlockstore } from '@atproto/repo'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'

import { ues, SEED, ONLY_CASE, prng, caseSeed } from './support.mjs'

const CASES = Number(process.env.UES_INTEROP_CASES ?? 2000)


// ---------------------------------------------------------------- inputs
const COLLECTIONS = [
  'app.bsky.feed.post',
  'app.bsky.feed.like',
  'app.bsky.feed.repost',
  'app.bsky.graph.follow',
  'app.bsky.actor.profile',
  'com.example.record',
  'xyz.ues.chat.message',
  'a.b',
]
const RKEY_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:~-_'
const TID_CHARS = '234567abcdefghijklmnopqrstuvwxyz'

function randomString(r, alphabet, len) {
  let s = ''
  for (let i = 0; i < len; i++) s += alphabet[r.int(alphabet.length)]
  return s
}

// A key generator for one case: a few collections and one or two rkey styles,
// so that cases range from sparse random keys to dense runs of TID-like keys
// sharing long prefixes (prefix compression), tiny alphabets (many re-puts)
// and long keys (up to the 1024-byte limit).
function keyGenerator(r) {
  const colls = Array.from({ length: r.range(1, 4) }, () => r.pick(COLLECTIONS))
  const styles = Array.from({ length: r.range(1, 2) }, () =>
    r.pick(['tid', 'tid', 'random', 'random', 'tiny', 'long', 'self'])
  )
  const tidPrefix = randomString(r, TID_CHARS, r.range(3, 9))
  return () => {
    const coll = r.pick(colls)
    let rkey
    switch (r.pick(styles)) {
      case 'tid':
        rkey = tidPrefix + randomString(r, TID_CHARS, 13 - tidPrefix.length)
        break
      case 'random':
        rkey = randomString(r, RKEY_CHARS, r.range(1, 24))
        break
      case 'tiny':
        rkey = randomString(r, 'ab.-', r.range(1, 3))
        break
      case 'long':
        rkey = randomString(r, RKEY_CHARS, r.range(200, 1023 - coll.length))
        break
      case 'self':
        rkey = r.chance(0.5) ? 'self' : randomString(r, RKEY_CHARS, r.range(1, 4))
        break
    }
    return `${coll}/${rkey}`
  }
}

// Record CIDs: CIDv1 dag-cbor sha2-256 over random digests (the tree never
// reads the records).
function randomCid(r) {
  return CID.createV1(0x71, Digest.create(0x12, r.bytes(32)))
}

// ---------------------------------------------------------------- the two trees
class Pair {
  constructor() {
    this.js = null
    this.rust = new ues.Mst()
    this.model = new Map() // key -> CID string
    this.log = []
  }
  static async create() {
    const p = new Pair()
    p.js = await MST.create(new MemoryBlockstore())
    return p
  }
  async put(key, cid) {
    this.log.push(`put ${key} ${cid}`)
    if (this.model.has(key)) this.js = await this.js.update(key, cid)
    else this.js = await this.js.add(key, cid)
    this.rust.put(key, cid.toString())
    this.model.set(key, cid.toString())
  }
  async delete(key) {
    this.log.push(`delete ${key}`)
    const present = this.model.has(key)
    if (present) this.js = await this.js.delete(key)
    if (present && this.model.size === 1) {
      // @atproto/repo 0.10.14 keeps the layer of a tree emptied by deletes,
      // and later adds of lower keys then build a non-canonical tree with
      // empty nodes on top (put b, delete b, put "." gives a root other than
      // just put "."). A repo reloads its tree from storage at each commit,
      // which forgets the layer; do the same here.
      this.js = await MST.create(new MemoryBlockstore())
    }
    const removed = this.rust.delete(key)
    assert.equal(removed, present, `Mst.delete(${JSON.stringify(key)}) returned ${removed}, the key was ${present ? '' : 'not '}present`)
    this.model.delete(key)
  }
  async assertSameRoot(where) {
    const want = (await this.js.getPointer()).toString()
    const got = this.rust.root()
    assert.equal(got, want, `root CID differs ${where} (${this.model.size} keys): rust ${got}, @atproto/repo ${want}`)
  }
  free() {
    this.rust.free()
  }
}

function failureReport(i, cs, pair, err) {
  const tail = pair.log.slice(-40)
  return [
    `MST differential case ${i} failed (UES_INTEROP_SEED=${SEED}, case seed ${cs}): ${err.message}`,
    `last ${tail.length} of ${pair.log.length} operations:`,
    ...tail.map((l) => `  ${l.length > 160 ? l.slice(0, 160) + '…' : l}`),
    `reproduce: UES_INTEROP_SEED=${SEED} UES_INTEROP_CASE=${i} node --test tests/interop/mst-differential.test.mjs`,
  ].join('\n')
}

async function runCase(i) {
  const cs = caseSeed(SEED, i)
  const r = prng(cs)
  const nextKey = keyGenerator(r)
  // Mostly small cases, some medium, a few large.
  const size = r.chance(0.7) ? r.range(0, 40) : r.chance(0.9) ? r.range(41, 200) : r.range(201, 1000)
  const keyPool = Array.from({ length: Math.max(1, Math.ceil(size * r.range(3, 12) / 10)) }, nextKey)
  const values = Array.from({ length: r.range(1, 8) }, () => randomCid(r))
  const checkEvery = r.chance(0.5) ? 0.1 : 0.01
  const pair = await Pair.create()
  try {
    for (let n = 0; n < size; n++) {
      const roll = r.next()
      const present = [...(pair.model.size && roll >= 0.6 && roll < 0.85 ? pair.model.keys() : [])]
      if (roll < 0.6) {
        // put: a key from the pool (new or a re-put, same or new value)
        await pair.put(r.pick(keyPool), r.pick(values))
      } else if (roll < 0.85 && present.length) {
        await pair.delete(r.pick(present)) // delete a present key
      } else {
        await pair.delete(r.chance(0.5) ? nextKey() : r.pick(keyPool)) // often absent
      }
      if (r.chance(checkEvery)) await pair.assertSameRoot(`after operation ${n + 1}`)
    }
    await pair.assertSameRoot('at the end')
    for (const [k, v] of pair.model) assert.equal(pair.rust.get(k), v, `Mst.get(${JSON.stringify(k)})`)
    if (r.chance(0.1)) {
      // Empty it again: must come back to the empty tree's root.
      for (const k of [...pair.model.keys()]) await pair.delete(k)
      await pair.assertSameRoot('after deleting every key')
    }
  } catch (err) {
    throw new Error(failureReport(i, cs, pair, err), { cause: err })
  } finally {
    pair.free()
  }
  return size
}

// ---------------------------------------------------------------- tests
test('empty tree: same root as @atproto/repo', async () => {
  const js = (await (await MST.create(new MemoryBlockstore())).getPointer()).toString()
  const m = new ues.Mst()
  assert.equal(m.root(), js)
  assert.equal(m.delete('app.bsky.feed.post/absent'), false)
  assert.equal(m.get('app.bsky.feed.post/absent'), undefined)
  assert.equal(m.root(), js)
  m.free()
  assert.equal(ues.mstRootOf([], randomCid(prng(1)).toString()), js)
})

test('errors carry a stable code', () => {
  const m = new ues.Mst()
  const cid = randomCid(prng(2)).toString()
  const throwsCode = (fn, code) =>
    assert.throws(fn, (e) => e instanceof Error && e.code === code && e.message.length > 0)
  throwsCode(() => m.put('no-slash', cid), 'InvalidMstKey')
  throwsCode(() => m.put('a/b/c', cid), 'InvalidMstKey')
  throwsCode(() => m.put('coll/bad key', cid), 'InvalidMstKey')
  throwsCode(() => m.put('coll/' + 'x'.repeat(1100), cid), 'InvalidMstKey')
  throwsCode(() => m.put('coll/ok', 'not-a-cid'), 'InvalidCid')
  throwsCode(() => ues.mstRootOf(['coll/ok'], ''), 'InvalidCid')
  throwsCode(() => ues.mstRootOf(['coll/ok', 'bad'], cid), 'InvalidMstKey')
  // A failed put changes nothing.
  assert.equal(m.root(), new ues.Mst().root())
  m.free()
})

test('the example keys of the atproto interop tests, put one by one', async (t) => {
  const fixtures = process.env.UES_FIXTURES ?? fileURLToPath(new URL('../../../shared/fixtures', import.meta.url))
  const file = `${fixtures}/atproto-interop-tests/mst/example_keys.txt`
  assert.ok(existsSync(file), `fixture ${file} is missing (set UES_FIXTURES)`)
  const { readFileSync } = await import('node:fs')
  const keys = readFileSync(file, 'utf8').split('\n').filter(Boolean)
  const cid = randomCid(prng(3))
  const pair = await Pair.create()
  try {
    for (const k of keys) {
      await pair.put(k, cid)
      await pair.assertSameRoot(`after putting ${k}`)
    }
    assert.equal(ues.mstRootOf([...keys].reverse(), cid.toString()), pair.rust.root())
  } finally {
    pair.free()
  }
})

test(`mstRootOf: same root as @atproto/repo for random key sets (seed ${SEED})`, async () => {
  const n = ONLY_CASE === null ? Math.max(1, Math.ceil(CASES / 10)) : 0
  for (let i = 0; i < n; i++) {
    const r = prng(caseSeed(SEED ^ 0x5a5a5a5a, i))
    const nextKey = keyGenerator(r)
    const keys = Array.from({ length: r.chance(0.8) ? r.range(0, 50) : r.range(51, 500) }, nextKey)
    if (r.chance(0.3) && keys.length) keys.push(r.pick(keys)) // duplicates count once
    const cid = randomCid(r)
    let js = await MST.create(new MemoryBlockstore())
    for (const k of new Set(keys)) js = await js.add(k, cid)
    const want = (await js.getPointer()).toString()
    const got = ues.mstRootOf(keys, cid.toString())
    assert.equal(got, want, `mstRootOf case ${i} (UES_INTEROP_SEED=${SEED}, ${keys.length} keys): rust ${got}, @atproto/repo ${want}`)
  }
})

test(`put/delete sequences: same roots as @atproto/repo (seed ${SEED}, ${ONLY_CASE ?? CASES} cases)`, async (t) => {
  const cases = ONLY_CASE === null ? [...Array(CASES).keys()] : [ONLY_CASE]
  let ops = 0
  const t0 = performance.now()
  for (const i of cases) ops += await runCase(i)
  t.diagnostic(`${cases.length} cases, ${ops} operations, seed ${SEED}, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
})
