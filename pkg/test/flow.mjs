// The package's behaviour through its public API only, shared by every host
// test: Node.js (api.test.mjs), a Chromium page and a Web Worker
// (browser.html, worker.js). `check(cond, msg)` is the host's assertion.

const POST = 'app.bsky.feed.post'
const post = (text) => ({ $type: POST, text, createdAt: '2026-11-25T00:00:00.000Z' })

async function rejects(check, promiseOrFn, code) {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn)
  } catch (e) {
    check(e?.name === 'UesError', `expected a UesError, got ${e?.name}: ${e?.message}`)
    check(e.code === code, `expected code ${code}, got ${e.code}: ${e.message}`)
    return e
  }
  check(false, `expected a rejection with ${code}`)
}

/** Records, events, typed errors, queued calls, CAR export/import. */
export async function basicFlow(Node, { storage, name, check }) {
  const node = await Node.open({ name, storage, kdfCost: 4 })
  check((await node.account()) === null, 'a new node has no account')
  await rejects(check, node.createRecord(POST, post('x')), 'NoAccount')
  const events = []
  const off = node.on('*', (e) => events.push(e))

  const acct = await node.createAccount()
  check(acct.did.startsWith('did:key:z') && !acct.locked, 'account created')
  const a = await node.createRecord(POST, post('hello wasm world'), { rkey: '3kaaaaaaaaaa2' })
  check(a.uri === `at://${acct.did}/${POST}/3kaaaaaaaaaa2`, `uri ${a.uri}`)
  // Calls made together run in order, none fails with Busy.
  const many = await Promise.all([1, 2, 3].map((i) => node.createRecord(POST, post(`queued ${i}`))))
  check(new Set(many.map((m) => m.rev)).size === 3, 'three commits')
  check(events.filter((e) => e.type === 'record').length === 4, `record events: ${JSON.stringify(events)}`)
  check(events.filter((e) => e.type === 'commit').length === 4, 'commit events')
  off()

  const got = await node.getRecord(POST, '3kaaaaaaaaaa2')
  check(got.value.text === 'hello wasm world' && got.cid === a.cid, 'getRecord')
  check((await node.getRecord(POST, '3kzzzzzzzzzz2')) === null, 'absent record is null')
  const page1 = await node.listRecords(POST, { limit: 2, reverse: true })
  check(page1.records.length === 2 && page1.cursor, 'first page')
  const page2 = await node.listRecords(POST, { limit: 2, reverse: true, cursor: page1.cursor })
  check(page2.records.length === 2, 'second page')
  check(page2.records.at(-1).value.text === 'hello wasm world', 'reverse = newest first')
  const found = await node.searchPosts('wasm')
  check(found.total === 1 && found.uris[0] === a.uri, `search ${JSON.stringify(found)}`)

  // Bad input: typed errors, nothing written.
  await rejects(check, () => node.createRecord(POST, 'not an object'), 'InvalidArgument')
  await rejects(check, () => node.createRecord(42, post('x')), 'InvalidArgument')
  await rejects(check, () => node.listRecords(POST, { limit: 0 }), 'InvalidArgument')
  await rejects(check, node.createRecord(POST, post('again'), { rkey: '3kaaaaaaaaaa2' }), 'RecordExists')
  await rejects(check, node.createRecord('not a collection!', post('x')), 'InvalidRecordPath')
  await rejects(check, node.createRecord(POST, { $type: POST, n: 1.5 }), 'InvalidRecord')
  await rejects(check, node.deleteRecord(POST, '3kzzzzzzzzzz2'), 'RecordNotFound')
  const all = await node.listRecords(POST)
  check(all.records.length === 4, `still 4 records, got ${all.records.length}`)

  // CAR out, into a second node (streamed, with progress), and a corrupt one.
  const car = await node.exportCar()
  check(car instanceof Uint8Array && car.length > 100, 'exportCar bytes')
  const other = await Node.open({ name: `${name}-copy`, storage: 'memory', kdfCost: 4 })
  const phases = []
  const stream = node.exportCarStream()
  const res = await other.importCar(stream, { onProgress: (p) => phases.push(p.phase) })
  check(res.did === acct.did && res.records === 4, `import ${JSON.stringify(res)}`)
  check(['receive', 'read', 'verify', 'index', 'done'].every((p) => phases.includes(p)), `phases ${phases}`)
  const copy = await other.listRecords(POST, { did: acct.did })
  check(copy.records.length === 4, 'the copy has the records')
  const bad = car.slice()
  bad[bad.length - 3] ^= 0xff
  const third = await Node.open({ name: `${name}-bad`, storage: 'memory', kdfCost: 4 })
  await rejects(check, third.importCar(bad), 'BlockHashMismatch')
  await rejects(check, third.importCar(new Uint8Array([1, 2, 3])), 'InvalidCar')
  check((await third.repos()).length === 0, 'nothing imported')

  // Identity backup under a passphrase; a wrong one is refused.
  const sealed = await node.exportIdentity('backup pass')
  const fourth = await Node.open({ name: `${name}-id`, storage: 'memory', kdfCost: 4 })
  await rejects(check, fourth.importIdentity(sealed, 'wrong'), 'WrongPassphrase')
  check((await fourth.account()) === null, 'no account after a wrong passphrase')
  const moved = await fourth.importIdentity(sealed, 'backup pass')
  check(moved.did === acct.did, 'identity moved')

  for (const n of [other, third, fourth]) await n.close()
  await node.close()
  await rejects(check, node.account(), 'Closed')
  return { did: acct.did, uri: a.uri }
}

/** After a reload: the same node name has the account and the records. */
export async function reopenFlow(Node, { storage, name, check, did }) {
  const node = await Node.open({ name, storage, kdfCost: 4 })
  const acct = await node.account()
  check(acct?.did === did, `account survives: ${JSON.stringify(acct)}`)
  const all = await node.listRecords(POST)
  check(all.records.length === 4, `records survive: ${all.records.length}`)
  await node.createRecord(POST, post('after reload'))
  await node.close()
}
