// Differential test of the signed repository: with the same k256 key, the
// same writes and the same revs, the Rust repo (ues-wasm, nodejs build in
// pkg/wasm/node) and @atproto/repo (the reference implementation) produce
// the same commit CID after every commit and CARs with the same block set; a
// CAR written by each is imported and verified by the other; tampered CARs
// (flipped byte, wrong key, missing block, non-canonical DAG-CBOR record) are
// rejected by ours with a specific `code`.
//
//   UES_REPO_CASES=20        number of random histories (default 20, a few seconds)
//   UES_INTEROP_SEED=1       base seed (default 1; "random" picks one and prints it)
//   UES_INTEROP_CASE=3       run only this case of the seed (to reproduce a failure)
//
// Build the package first: scripts/build-pkg.sh (scripts/test.sh does).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import {
  Repo as JsRepo,
  MemoryBlockstore,
  MST,
  BlockMap,
  WriteOpAction,
  getFullRepo,
  concatBytesAsync,
  verifyRepoCar,
  readCarWithRoot,
  verifyRepo,
  signCommit,
  blocksToCarFile,
  cborToLex,
} from '@atproto/repo'
import { Secp256k1Keypair } from '@atproto/crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'

import { ues, SEED, ONLY_CASE, prng, caseSeed } from './support.mjs'

const CASES = Number(process.env.UES_REPO_CASES ?? 20)

const COLL = 'app.bsky.feed.post'
const hex = (bytes) => Buffer.from(bytes).toString('hex')
const SECRET = hex(new Uint8Array(32).fill(7))
const OTHER_SECRET = hex(new Uint8Array(32).fill(8))


// ---------------------------------------------------------------- TIDs
const TID_CHARS = '234567abcdefghijklmnopqrstuvwxyz'
function tid(micros, clockId) {
  let v = (BigInt(micros) << 10n) | BigInt(clockId & 0x3ff)
  let s = ''
  for (let i = 0; i < 13; i++) {
    s = TID_CHARS[Number(v & 31n)] + s
    v >>= 5n
  }
  return s
}

// ---------------------------------------------------------------- inputs
function randomText(r) {
  const words = ['hello', 'world', 'ues', 'atproto', 'repo', 'café', '日本語', '🙂', 'post', 'merkle']
  return Array.from({ length: r.range(1, 12) }, () => r.pick(words)).join(' ')
}

function randomRecord(r, n) {
  const rec = {
    $type: COLL,
    text: `post ${n} ${randomText(r)}`,
    createdAt: new Date(Date.UTC(2026, 10, 24) + r.int(1e9)).toISOString(),
  }
  if (r.chance(0.3)) rec.langs = r.chance(0.5) ? ['en'] : ['en', 'ja']
  if (r.chance(0.2)) rec.reply = { root: { uri: `at://did:plc:abc/${COLL}/${n}`, cid: 'bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454' } }
  return rec
}

// A history: commits of random creates / updates / deletes, each with a rev.
function history(r) {
  const commits = []
  const live = new Set()
  let micros = 1_764_000_000_000_000 + r.int(1e12)
  const clockId = r.int(1024)
  let n = 0
  const ncommits = r.range(2, 8)
  for (let c = 0; c < ncommits; c++) {
    const writes = []
    const touched = new Set()
    const size = c === 0 ? r.range(1, 60) : r.range(1, 30)
    for (let k = 0; k < size; k++) {
      const roll = r.next()
      const candidates = [...live].filter((x) => !touched.has(x))
      if (c === 0 || roll < 0.6 || candidates.length === 0) {
        const rkey = r.chance(0.7) ? tid(micros - r.int(1e9), r.int(1024)) : `r${r.int(1e6)}`
        if (live.has(rkey) || touched.has(rkey)) continue
        writes.push({ action: 'create', collection: COLL, rkey, record: randomRecord(r, n++) })
        live.add(rkey)
        touched.add(rkey)
      } else if (roll < 0.8) {
        const rkey = r.pick(candidates)
        writes.push({ action: 'update', collection: COLL, rkey, record: randomRecord(r, n++) })
        touched.add(rkey)
      } else {
        const rkey = r.pick(candidates)
        writes.push({ action: 'delete', collection: COLL, rkey })
        live.delete(rkey)
        touched.add(rkey)
      }
    }
    if (writes.length === 0) continue
    micros += 1 + r.int(5e6)
    commits.push({ writes, rev: tid(micros, clockId) })
  }
  return { commits, live }
}

// ---------------------------------------------------------------- the JS side
const ACTION = { create: WriteOpAction.Create, update: WriteOpAction.Update, delete: WriteOpAction.Delete }
const toJsOps = (writes) => writes.map((w) => ({ ...w, action: ACTION[w.action] }))

// @atproto/repo picks its own rev (the clock): format the commit, then sign
// it again with the given rev.
async function jsCommit(repo, writes, rev, keypair) {
  const formatted = await repo.formatCommit(toJsOps(writes), keypair)
  const old = cborToLex(formatted.newBlocks.get(formatted.cid))
  formatted.newBlocks.delete(formatted.cid)
  formatted.relevantBlocks.delete(formatted.cid)
  const commit = await signCommit({ did: repo.did, version: 3, rev, prev: null, data: old.data }, keypair)
  const cid = await formatted.newBlocks.add(commit)
  formatted.relevantBlocks.set(cid, formatted.newBlocks.get(cid))
  return repo.applyCommit({ ...formatted, cid, rev })
}

async function jsCar(repo) {
  return concatBytesAsync(getFullRepo(repo.storage, repo.cid))
}

function blockSet(blocks) {
  const m = new Map()
  blocks.forEach((bytes, cid) => m.set(cid.toString(), hex(bytes)))
  return m
}

async function carBlocks(bytes) {
  const { root, blocks } = await readCarWithRoot(bytes)
  return { root: root.toString(), blocks: blockSet(blocks) }
}

// ---------------------------------------------------------------- helpers
async function rejectsCode(promise, code, what) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof Error, `${what}: not an Error: ${e}`)
    assert.equal(e.code, code, `${what}: code ${e.code} (${e.message}), expected ${code}`)
    return true
  })
}

let keypair, other, DID, OTHER_DID
async function keys() {
  if (!keypair) {
    keypair = await Secp256k1Keypair.import(SECRET)
    other = await Secp256k1Keypair.import(OTHER_SECRET)
    DID = keypair.did()
    OTHER_DID = other.did()
  }
}

// One case: both repos replay the history; returns both final repos.
async function runCase(i) {
  await keys()
  const cs = caseSeed(SEED, i)
  const r = prng(cs)
  const { commits, live } = history(r)
  const ours = ues.Repo.create(DID, SECRET)
  let js = null
  const where = (c) => `case ${i} commit ${c} (UES_INTEROP_SEED=${SEED} UES_INTEROP_CASE=${i})`
  try {
    for (const [c, { writes, rev }] of commits.entries()) {
      const res = JSON.parse(await ours.applyWrites(JSON.stringify(writes), rev))
      assert.equal(res.rev, rev, `${where(c)}: rev`)
      if (js === null) {
        const storage = new MemoryBlockstore()
        const init = await JsRepo.formatInitCommit(storage, DID, keypair, toJsOps(writes), rev)
        js = await JsRepo.createFromCommit(storage, init)
      } else {
        js = await jsCommit(js, writes, rev, keypair)
      }
      assert.equal(js.commit.rev, rev)
      assert.equal(ours.commitCid(), js.cid.toString(), `${where(c)}: commit CID differs`)
      assert.equal(res.commit, js.cid.toString())
    }
    // Same CAR contents.
    const ourCar = await ours.exportCar()
    const theirCar = await jsCar(js)
    const a = await carBlocks(ourCar)
    const b = await carBlocks(theirCar)
    assert.equal(a.root, b.root, `${where('end')}: CAR root`)
    assert.deepEqual([...a.blocks.keys()].sort(), [...b.blocks.keys()].sort(), `${where('end')}: CAR block sets differ`)
    for (const [cid, bytes] of a.blocks) assert.equal(bytes, b.blocks.get(cid), `${where('end')}: block ${cid}`)

    // Each verifies the other's CAR.
    const verified = await verifyRepoCar(ourCar, DID, DID)
    assert.equal(verified.creates.length, live.size)
    const { root, blocks } = await readCarWithRoot(ourCar)
    await verifyRepo(blocks, root, DID, DID)
    const imported = await ues.Repo.importCar(theirCar, DID, DID)
    assert.equal(imported.commitCid(), js.cid.toString())
    assert.equal(imported.rev(), commits.at(-1).rev)
    const listed = JSON.parse(await imported.listRecords(COLL, undefined, 1_000_000))
    assert.equal(listed.length, live.size)
    const jsList = []
    for await (const rec of js.walkRecords()) jsList.push(rec)
    assert.deepEqual(
      listed.map((e) => `${e.rkey} ${e.cid}`),
      jsList.map((e) => `${e.rkey} ${e.cid.toString()}`),
      `${where('end')}: listRecords`
    )
    if (listed.length) {
      const pick = listed[r.int(listed.length)]
      const got = JSON.parse(await imported.getRecord(COLL, pick.rkey))
      const want = await js.getRecord(COLL, pick.rkey)
      assert.equal(got.cid, pick.cid)
      assert.deepEqual(got.value, JSON.parse(JSON.stringify(want)))
    }
    imported.free()
    const ops = commits.flatMap((c) => c.writes.map((w) => w.action))
    return { ours, js, ourCar, live, ops, lastRev: commits.at(-1).rev }
  } catch (err) {
    ours.free()
    err.message = `${err.message}\nreproduce: UES_INTEROP_SEED=${SEED} UES_INTEROP_CASE=${i} node --test tests/interop/repo-differential.test.mjs`
    throw err
  }
}

// ---------------------------------------------------------------- tests
test(`same commit CIDs and CARs as @atproto/repo; each verifies the other's CAR (seed ${SEED}, ${ONLY_CASE ?? CASES} cases)`, async (t) => {
  const cases = ONLY_CASE === null ? [...Array(CASES).keys()] : [ONLY_CASE]
  const t0 = performance.now()
  let records = 0
  const counts = { create: 0, update: 0, delete: 0 }
  for (const i of cases) {
    const { ours, live, ops } = await runCase(i)
    records += live.size
    for (const a of ops) counts[a]++
    ours.free()
  }
  assert.ok(ONLY_CASE !== null || (counts.update > 0 && counts.delete > 0), 'the histories include updates and deletes')
  t.diagnostic(
    `${cases.length} cases, ${counts.create} creates, ${counts.update} updates, ${counts.delete} deletes, ` +
      `${records} final records, ${((performance.now() - t0) / 1000).toFixed(1)} s`
  )
})

test('the reference CAR of crates/ues-repo/tests/data imports and verifies', async () => {
  await keys()
  const { readFileSync } = await import('node:fs')
  const car = readFileSync(new URL('../../crates/ues-repo/tests/data/reference-299.car', import.meta.url))
  const repo = await ues.Repo.importCar(new Uint8Array(car), DID, DID)
  assert.equal(repo.commitCid(), 'bafyreieae3grj2hoyaztuem4b6gh7n76ofkttd3xkojrvvqi4lixztc5r4')
  assert.equal(repo.rev(), '3n33tcgysuc2g')
  assert.equal(JSON.parse(await repo.listRecords(COLL, undefined, 1000)).length, 299)
  const page = JSON.parse(await repo.listRecords(COLL, 'r00010', 3, true))
  assert.deepEqual(page.map((e) => e.rkey), ['r00009', 'r00008', 'r00007'])
  assert.equal(await repo.getRecord(COLL, 'r00003'), undefined)
  await rejectsCode(repo.applyWrites('[]'), 'ReadOnly', 'write to an imported repo')
  repo.free()
})

test('tampered CARs are rejected with a specific code', async () => {
  await keys()
  const { ours, js, ourCar, live, lastRev } = await runCase(ONLY_CASE ?? 0)
  try {
    // Sanity: the untampered CAR imports.
    ;(await ues.Repo.importCar(ourCar, DID, DID)).free()

    // A flipped byte in the last block (a byte of its data).
    const flipped = Uint8Array.from(ourCar)
    flipped[flipped.length - 1] ^= 0x01
    await rejectsCode(ues.Repo.importCar(flipped, DID, DID), 'BlockHashMismatch', 'flipped byte')

    // The wrong key, and the wrong DID.
    await rejectsCode(ues.Repo.importCar(ourCar, DID, OTHER_DID), 'BadSignature', 'wrong key')
    await rejectsCode(ues.Repo.importCar(ourCar, OTHER_DID, DID), 'WrongDid', 'wrong DID')
    await rejectsCode(ues.Repo.importCar(ourCar, DID, 'did:key:nope'), 'InvalidKey', 'bad did:key')

    // Missing blocks: a record, an MST node (the root of the tree), the commit.
    const { root, blocks } = await readCarWithRoot(ourCar)
    const commit = cborToLex(blocks.get(root))
    const without = async (cid) => {
      const bm = new BlockMap()
      blocks.forEach((bytes, c) => {
        if (!c.equals(cid)) bm.set(c, bytes)
      })
      return blocksToCarFile(root, bm)
    }
    const recordCids = []
    for await (const rec of js.walkRecords()) recordCids.push(rec.cid)
    await rejectsCode(ues.Repo.importCar(await without(recordCids[0]), DID, DID), 'MissingRecord', 'missing record')
    await rejectsCode(ues.Repo.importCar(await without(commit.data), DID, DID), 'MissingBlock', 'missing MST node')
    await rejectsCode(ues.Repo.importCar(await without(root), DID, DID), 'MissingBlock', 'missing commit')

    // A non-canonical DAG-CBOR record (map keys out of order) under a
    // correctly signed commit whose MST names it by its true hash.
    const rebuild = async (recordBytes) => {
      const cid = CID.createV1(0x71, Digest.create(0x12, createHash('sha256').update(recordBytes).digest()))
      const storage = new MemoryBlockstore()
      let mst = await MST.create(storage)
      const bm = new BlockMap()
      let first = true
      for await (const rec of js.walkRecords()) {
        if (first) {
          mst = await mst.add(`${COLL}/${rec.rkey}`, cid)
          bm.set(cid, recordBytes)
          first = false
        } else {
          mst = await mst.add(`${COLL}/${rec.rkey}`, rec.cid)
          bm.set(rec.cid, blocks.get(rec.cid))
        }
      }
      const nodes = await mst.getUnstoredBlocks()
      bm.addMap(nodes.blocks)
      const signed = await signCommit({ did: DID, version: 3, rev: lastRev, prev: null, data: nodes.root }, keypair)
      const commitCid = await bm.add(signed)
      return blocksToCarFile(commitCid, bm)
    }
    const enc = (s) => {
      const b = Buffer.from(s, 'utf8')
      return b.length < 24 ? Buffer.concat([Buffer.from([0x60 + b.length]), b]) : Buffer.concat([Buffer.from([0x78, b.length]), b])
    }
    const fields = [
      ['text', 'hello'],
      ['$type', COLL],
      ['createdAt', '2026-11-24T00:00:00.000Z'],
    ]
    const map = (fs) => Buffer.concat([Buffer.from([0xa0 + fs.length]), ...fs.flatMap(([k, v]) => [enc(k), enc(v)])])
    // Canonical order (shorter keys first): accepted.
    ;(await ues.Repo.importCar(await rebuild(map(fields)), DID, DID)).free()
    // Reversed: rejected.
    await rejectsCode(
      ues.Repo.importCar(await rebuild(map([...fields].reverse())), DID, DID),
      'NonCanonicalCbor',
      'non-canonical record'
    )
    assert.ok(live.size > 0)
  } finally {
    ours.free()
  }
})

test('API errors carry a stable code', async () => {
  await keys()
  assert.throws(() => ues.Repo.create(DID, 'zz'), (e) => e.code === 'InvalidKey')
  assert.equal(ues.Repo.didKeyOf(SECRET), DID)
  const repo = ues.Repo.create(DID, SECRET)
  try {
    assert.equal(repo.commitCid(), undefined)
    assert.equal(repo.rev(), undefined)
    await rejectsCode(repo.exportCar(), 'EmptyRepo', 'export of an empty repo')
    await rejectsCode(repo.applyWrites('{'), 'InvalidWrites', 'bad JSON')
    await rejectsCode(repo.applyWrites('[{"action":"nope","collection":"a.b"}]'), 'InvalidWrites', 'bad action')
    const rec = { $type: COLL, text: 'x', createdAt: '2026-11-24T00:00:00.000Z' }
    const w = (action, rkey, record) => JSON.stringify([{ action, collection: COLL, rkey, record }])
    await rejectsCode(repo.applyWrites(w('create', 'a', rec), 'nope'), 'InvalidTid', 'bad rev')
    await rejectsCode(repo.applyWrites(w('create', 'a', { ...rec, n: 1.5 })), 'InvalidRecord', 'float in a record')
    await rejectsCode(repo.applyWrites(w('create', 'bad key', rec)), 'InvalidRecordPath', 'bad rkey')
    await rejectsCode(repo.applyWrites(w('delete', 'absent')), 'RecordNotFound', 'delete of an absent record')
    const res = JSON.parse(await repo.applyWrites(w('create', 'a', rec), '3n33tcgysuc2g'))
    assert.equal(res.rev, '3n33tcgysuc2g')
    await rejectsCode(repo.applyWrites(w('create', 'a', rec)), 'RecordExists', 'create of a present record')
    await rejectsCode(repo.applyWrites(w('create', 'b', rec), '3n33tcgysuc2g'), 'StaleRev', 'same rev again')
    // Without a rev: the clock; without an rkey: a TID.
    const auto = JSON.parse(await repo.applyWrites(JSON.stringify([{ action: 'create', collection: COLL, record: rec }])))
    assert.ok(auto.rev > '3n33tcgysuc2g')
    assert.equal(JSON.parse(await repo.listRecords(COLL)).length, 2)
    assert.equal(repo.commitCid(), auto.commit)
  } finally {
    repo.free()
  }
})
