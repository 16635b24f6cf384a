// The UES node for JavaScript: the `Node` class over the wasm engine
// (NodeCore). Entry points (index.js, node.js, workerd.js) tell this module
// how to load the engine on their host; everything else is shared.

let loader = null
let loading = null

/** Set by the entry point: resolves to the wasm-bindgen module, initialised. */
export function setLoader(fn) {
  loader = fn
}

function engine() {
  if (!loader) throw new UesError('no engine loader: import the package, not core.js', 'NoEngine')
  loading ??= loader()
  return loading
}

/** Every error the package throws or rejects with: `code` is stable. */
export class UesError extends Error {
  constructor(message, code, options) {
    super(message, options)
    this.name = 'UesError'
    this.code = code
  }
}

function asUesError(e) {
  if (e instanceof UesError) return e
  if (e instanceof Error && typeof e.code === 'string') return new UesError(e.message, e.code, { cause: e })
  return new UesError(String(e?.message ?? e), 'Internal', { cause: e })
}

function invalid(message) {
  return new UesError(message, 'InvalidArgument')
}

function str(name, v, { optional = false } = {}) {
  if (optional && (v === undefined || v === null)) return undefined
  if (typeof v !== 'string' || v.length === 0) throw invalid(`${name} must be a non-empty string`)
  return v
}

function int(name, v, dflt, min, max) {
  if (v === undefined || v === null) return dflt
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(`${name} must be an integer in ${min}..${max}`)
  return v
}

function obj(name, v) {
  if (v === undefined || v === null) return {}
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`${name} must be an object`)
  return v
}

function record(v) {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid('record must be an object')
  return v
}

/** Bytes from a Uint8Array, ArrayBuffer, Blob, ReadableStream or (async) iterable of chunks. */
async function readAll(input, onProgress) {
  if (input instanceof Uint8Array) return input
  if (input instanceof ArrayBuffer) return new Uint8Array(input)
  if (typeof Blob !== 'undefined' && input instanceof Blob) input = input.stream()
  let chunks
  if (input && typeof input.getReader === 'function') {
    chunks = (async function* () {
      const reader = input.getReader()
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) return
          yield value
        }
      } finally {
        reader.releaseLock()
      }
    })()
  } else if (input && (typeof input[Symbol.asyncIterator] === 'function' || typeof input[Symbol.iterator] === 'function')) {
    chunks = input
  } else {
    throw invalid('car must be a Uint8Array, ArrayBuffer, Blob, ReadableStream or iterable of Uint8Array')
  }
  const parts = []
  let size = 0
  for await (const c of chunks) {
    if (!(c instanceof Uint8Array)) throw invalid('stream chunks must be Uint8Array')
    parts.push(c)
    size += c.length
    onProgress?.({ phase: 'receive', done: size, total: 0 })
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

const EVENTS = new Set(['account', 'record', 'commit', 'progress', 'sync', 'lagged', '*'])
/** How often pending commits are retried while the relay is unreachable. */
const RETRY_MS = 3000
const CREATE = Symbol('create')

/**
 * A full UES node: keys, signed AT Protocol repos, indexes, CAR import and
 * export. Calls run one at a time in the order made; each returns a Promise
 * that rejects with a `UesError` (stable `code`) and writes nothing on failure.
 */
export class Node {
  #core
  #queue = Promise.resolve()
  #listeners = new Map()
  #closed = false
  #retry = null
  #offCommit = null

  constructor(token, core) {
    if (token !== CREATE) throw new UesError('use Node.open()', 'InvalidArgument')
    this.#core = core
    core.setEventSink((json) => this.#emit(JSON.parse(json)))
  }

  /**
   * Opens (creating on first use) the node `name`. `storage`: 'indexeddb'
   * (browsers and Web Workers; the default there) or 'memory' (the default
   * elsewhere). `kdfCost` (log2 of scrypt's N, default 15) is for tests.
   */
  static async open(options) {
    const o = obj('options', options)
    const name = str('name', o.name ?? 'default')
    const dflt = typeof indexedDB !== 'undefined' ? 'indexeddb' : 'memory'
    const storage = o.storage ?? dflt
    if (storage !== 'indexeddb' && storage !== 'memory') throw invalid("storage must be 'indexeddb' or 'memory'")
    if (storage === 'indexeddb' && typeof indexedDB === 'undefined') {
      throw new UesError("IndexedDB is not available on this host: use storage: 'memory'", 'Unsupported')
    }
    const kdf = int('kdfCost', o.kdfCost, undefined, 4, 20)
    const { NodeCore } = await engine()
    try {
      return new Node(CREATE, await NodeCore.open(name, storage, kdf))
    } catch (e) {
      throw asUesError(e)
    }
  }

  #run(fn, parse = JSON.parse) {
    const p = this.#queue.then(async () => {
      if (this.#closed) throw new UesError('the node is closed', 'Closed')
      try {
        const v = await fn(this.#core)
        return typeof v === 'string' ? parse(v) : v
      } catch (e) {
        throw asUesError(e)
      }
    })
    this.#queue = p.catch(() => {})
    return p
  }

  #emit(event) {
    for (const key of [event.type, '*']) {
      for (const cb of this.#listeners.get(key) ?? []) {
        try {
          cb(event)
        } catch (e) {
          queueMicrotask(() => {
            throw e
          })
        }
      }
    }
  }

  /** Listens to `event` ('account', 'record', 'commit', 'progress', 'lagged' or '*'); returns a function that stops listening. */
  on(event, callback) {
    if (!EVENTS.has(event)) throw invalid(`unknown event ${JSON.stringify(event)}`)
    if (typeof callback !== 'function') throw invalid('callback must be a function')
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set())
    this.#listeners.get(event).add(callback)
    return () => this.#listeners.get(event)?.delete(callback)
  }

  /** The account `{did, signingKey, sealed, locked}`, or null. */
  account() {
    return this.#run((c) => c.account())
  }

  /** DIDs of the repos this node holds. */
  repos() {
    return this.#run((c) => c.repoDids())
  }

  /** Creates the account with a fresh k256 key; `passphrase` seals the key at rest, `did` names an existing DID (default: the key's did:key). */
  createAccount(options) {
    const o = obj('options', options)
    const did = str('did', o.did, { optional: true })
    const pass = str('passphrase', o.passphrase, { optional: true })
    return this.#run((c) => c.createAccount(did, pass))
  }

  unlock(passphrase) {
    const p = str('passphrase', passphrase)
    return this.#run((c) => c.unlock(p))
  }

  lock() {
    return this.#run((c) => c.lock())
  }

  /** Seals the stored key under `passphrase`, or stores it unsealed with null. */
  setPassphrase(passphrase) {
    const p = str('passphrase', passphrase, { optional: true })
    return this.#run((c) => c.setPassphrase(p))
  }

  /** The account's key sealed under `passphrase` (scrypt + ChaCha20-Poly1305), as bytes. */
  exportIdentity(passphrase) {
    const p = str('passphrase', passphrase)
    return this.#run((c) => c.exportIdentity(p))
  }

  /** Installs an exported identity; `keepSealed` keeps it sealed under the same passphrase. */
  importIdentity(sealed, passphrase, options) {
    if (!(sealed instanceof Uint8Array)) throw invalid('sealed must be a Uint8Array')
    const p = str('passphrase', passphrase)
    const o = obj('options', options)
    const did = str('did', o.did, { optional: true })
    return this.#run((c) => c.importIdentity(sealed, p, did, Boolean(o.keepSealed)))
  }

  /** One signed commit of `writes`: `[{action: 'create'|'update'|'delete', collection, rkey?, record?}]`. */
  applyWrites(writes) {
    if (!Array.isArray(writes) || writes.length === 0) throw invalid('writes must be a non-empty array')
    const json = JSON.stringify(writes)
    return this.#run((c) => c.applyWrites(json))
  }

  /** Creates a record (rkey: a fresh TID unless given); resolves to `{uri, cid, commit, rev}`. */
  async createRecord(collection, value, options) {
    const o = obj('options', options)
    const write = { action: 'create', collection: str('collection', collection), record: record(value) }
    if (o.rkey !== undefined) write.rkey = str('rkey', o.rkey)
    const res = await this.applyWrites([write])
    return { uri: res.results[0].uri, cid: res.results[0].cid, commit: res.commit, rev: res.rev }
  }

  /** Creates or replaces the record at `collection/rkey`. */
  async putRecord(collection, rkey, value) {
    const write = { action: 'update', collection: str('collection', collection), rkey: str('rkey', rkey), record: record(value) }
    const res = await this.applyWrites([write])
    return { uri: res.results[0].uri, cid: res.results[0].cid, commit: res.commit, rev: res.rev }
  }

  /** Deletes the record at `collection/rkey` (RecordNotFound if there is none). */
  async deleteRecord(collection, rkey) {
    const res = await this.applyWrites([{ action: 'delete', collection: str('collection', collection), rkey: str('rkey', rkey) }])
    return { commit: res.commit, rev: res.rev }
  }

  /** `{uri, cid, value}` or null; `options.did` reads another repo the node holds. */
  getRecord(collection, rkey, options) {
    const o = obj('options', options)
    const did = str('did', o.did, { optional: true })
    const col = str('collection', collection)
    const key = str('rkey', rkey)
    return this.#run((c) => c.getRecord(did, col, key))
  }

  /** `{records: [{uri, cid, value}], cursor}`: by rkey (TIDs: oldest first; `reverse`: newest first). */
  listRecords(collection, options) {
    const o = obj('options', options)
    const did = str('did', o.did, { optional: true })
    const cursor = str('cursor', o.cursor, { optional: true })
    const limit = int('limit', o.limit, 50, 1, 1000)
    const col = str('collection', collection)
    return this.#run((c) => c.listRecords(did, col, cursor, limit, Boolean(o.reverse)))
  }

  /** Full-text search over the posts the node has indexed: `{uris, total}`, best first. */
  searchPosts(query, options) {
    const o = obj('options', options)
    const q = str('query', query)
    const limit = int('limit', o.limit, 25, 1, 100)
    return this.#run((c) => c.searchPosts(q, limit))
  }

  /** The repo (the account's, or `options.did`) as CAR v1 bytes; `since` (a rev) exports only later commits. */
  exportCar(options) {
    const o = obj('options', options)
    const did = str('did', o.did, { optional: true })
    const since = str('since', o.since, { optional: true })
    return this.#run((c) => c.exportCar(did, since))
  }

  /** The same CAR as a ReadableStream of chunks. */
  exportCarStream(options) {
    const bytes = this.exportCar(options)
    const CHUNK = 64 * 1024
    let at = 0
    return new ReadableStream({
      async pull(controller) {
        const b = await bytes
        if (at >= b.length) return controller.close()
        controller.enqueue(b.subarray(at, at + CHUNK))
        at += CHUNK
      },
    })
  }

  /**
   * Imports a CAR (bytes, Blob, ReadableStream or iterable of chunks) with
   * full verification: whole repos, or the commits since the rev the node
   * has. `options.key`: the repo's did:key when its DID is not one.
   * `options.onProgress({phase, done, total})`: 'receive' (bytes), then
   * 'read', 'verify', 'index', 'done'. Resolves to `{did, rev, commit, records}`.
   */
  async importCar(car, options) {
    const o = obj('options', options)
    const key = str('key', o.key, { optional: true })
    const onProgress = o.onProgress
    if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid('onProgress must be a function')
    const bytes = await readAll(car, onProgress).catch((e) => {
      throw asUesError(e)
    })
    const report = onProgress ? (json) => onProgress(JSON.parse(json)) : undefined
    return this.#run((c) => c.importCar(bytes, key, report))
  }

  /**
   * Links the account to an edge relay (ues-edge, or a PDS accepting
   * importRepo pushes): registers its DID there under `handle` (`create`,
   * the default) or logs in, pushes the repo, then pushes every later commit.
   * The key never leaves the node. While the relay is unreachable commits
   * stay pending (a 'sync' event says so) and are retried every few seconds.
   * Resolves to `{url, handle, pushedRev, headRev, pending}`.
   */
  async connect(relayUrl, options) {
    const url = str('relayUrl', relayUrl)
    const o = obj('options', options)
    const handle = str('handle', o.handle)
    const password = str('password', o.password)
    const create = o.create ?? true
    const status = await this.#run((c) => c.relayConnect(url, handle, password, Boolean(create)))
    this.#offCommit ??= this.on('commit', () => this.#push())
    this.#retry ??= setInterval(() => this.#push(), RETRY_MS)
    return status
  }

  /** Pushes pending commits now; rejects with `Offline` when the relay is unreachable. */
  push() {
    return this.#run((c) => c.relayPush())
  }

  #push() {
    this.push().catch(() => {}) // the 'sync' event carries the error
  }

  /** `{url, handle, pushedRev, headRev, pending}`, or null when not linked. */
  syncStatus() {
    return this.#run((c) => c.relayStatus())
  }

  /** Follows `did` (an `app.bsky.graph.follow` record); resolves to its at-URI. */
  follow(did) {
    const d = str('did', did)
    return this.#run((c) => c.follow(d, new Date().toISOString()))
  }

  /** Stops following `did`. */
  unfollow(did) {
    const d = str('did', did)
    return this.#run((c) => c.unfollow(d))
  }

  /** The DIDs the account follows. */
  following() {
    return this.#run((c) => c.following())
  }

  /**
   * Pulls repos from the linked relay, fully verified: the one of `did`, or
   * every followed one. Resolves to `[{did, rev, updated, error}]`.
   */
  pull(did) {
    const d = str('did', did, { optional: true })
    return this.#run((c) => c.relayPull(d))
  }

  /** Stops mirroring to the relay (the relay keeps what it has). */
  disconnect() {
    this.#stopSync()
    return this.#run((c) => c.relayDisconnect())
  }

  #stopSync() {
    clearInterval(this.#retry)
    this.#retry = null
    this.#offCommit?.()
    this.#offCommit = null
  }

  /** Closes the node after the calls already made; later calls reject with `Closed`. */
  close() {
    this.#stopSync()
    return this.#run((c) => {
      this.#closed = true
      c.close()
      this.#listeners.clear()
      return 'null'
    })
  }
}
