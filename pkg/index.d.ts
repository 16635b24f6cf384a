// Types of the UES npm package (`ues`). The same API on every host:
// browsers and Web Workers (IndexedDB), Node.js >= 20 and workerd (memory).

/** Stable error codes: match on `code`, not on `message`. */
export type ErrorCode =
  | 'InvalidArgument' | 'NoAccount' | 'AccountExists' | 'Locked' | 'WrongPassphrase'
  | 'UnknownRepo' | 'InvalidRecord' | 'RecordExists' | 'RecordNotFound' | 'InvalidRecordPath'
  | 'BadSignature' | 'BlockHashMismatch' | 'MissingBlock' | 'MissingRecord' | 'InvalidMst'
  | 'NonCanonicalCbor' | 'InvalidCommit' | 'InvalidCar' | 'InvalidCarRoots' | 'InvalidTid'
  | 'StaleRev' | 'WrongDid' | 'EmptyRepo' | 'InvalidKey' | 'StoreError' | 'CorruptNode'
  | 'CorruptRepo' | 'Busy' | 'Closed' | 'Unsupported' | 'Offline' | 'RelayError' | 'Internal' | (string & {})

export class UesError extends Error {
  readonly name: 'UesError'
  readonly code: ErrorCode
  constructor(message: string, code: ErrorCode, options?: { cause?: unknown })
}

export type Storage = 'indexeddb' | 'memory'

export interface OpenOptions {
  /** The node's name (its IndexedDB database is `ues-<name>`). Default 'default'. */
  name?: string
  /** Default: 'indexeddb' where IndexedDB exists, else 'memory'. */
  storage?: Storage
  /** log2 of scrypt's N for passphrase sealing (4..20, default 15). Lower it only in tests. */
  kdfCost?: number
}

export interface Account {
  did: string
  /** did:key of the signing key; null while locked. */
  signingKey: string | null
  sealed: boolean
  locked: boolean
}

/** A record value in the atproto JSON form (`{$link}`, `{$bytes}`), with `$type`. */
export type RecordValue = { [key: string]: unknown }

export type Write =
  | { action: 'create'; collection: string; rkey?: string; record: RecordValue }
  | { action: 'update'; collection: string; rkey: string; record: RecordValue }
  | { action: 'delete'; collection: string; rkey: string }

export interface CommitResult {
  commit: string
  rev: string
  results: { uri: string; cid: string | null; action: 'create' | 'update' | 'delete' }[]
}

export interface RecordRef {
  uri: string
  cid: string
  commit: string
  rev: string
}

export interface RecordView {
  uri: string
  cid: string
  value: RecordValue
}

export interface ListOptions {
  did?: string
  cursor?: string
  /** 1..1000, default 50. */
  limit?: number
  reverse?: boolean
}

export interface Progress {
  phase: 'receive' | 'read' | 'verify' | 'index' | 'done'
  done: number
  /** 0 when unknown. */
  total: number
}

export interface ImportResult {
  did: string
  rev: string
  commit: string
  records: number
}

export type CarInput =
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | Iterable<Uint8Array>
  | AsyncIterable<Uint8Array>

export type NodeEvent =
  | { type: 'account'; did: string; locked: boolean }
  | { type: 'record'; uri: string; cid: string | null; action: 'create' | 'update' | 'delete'; rev: string }
  | { type: 'commit'; did: string; rev: string; cid: string }
  | { type: 'progress'; task: string; phase: string; done: number; total: number }
  | { type: 'sync'; relay: string; pushedRev: string | null; pending: boolean; error: string | null }
  | { type: 'lagged'; dropped: number }

/** One repo pulled from the relay (`error`: why that one failed). */
export interface PullOutcome {
  did: string
  rev: string | null
  updated: boolean
  error: string | null
}

export interface SyncStatus {
  url: string
  handle: string
  /** The last rev the relay accepted. */
  pushedRev: string | null
  /** The repo's rev now. */
  headRev: string | null
  /** Commits the relay has not seen yet. */
  pending: boolean
}

export type EventName = NodeEvent['type'] | '*'
type EventOf<E extends EventName> = E extends '*' ? NodeEvent : Extract<NodeEvent, { type: E }>

/** A full UES node. Calls run one at a time, in order; failures reject with UesError and write nothing. */
export class Node {
  private constructor()
  static open(options?: OpenOptions): Promise<Node>
  on<E extends EventName>(event: E, callback: (event: EventOf<E>) => void): () => void
  account(): Promise<Account | null>
  repos(): Promise<string[]>
  createAccount(options?: { passphrase?: string; did?: string }): Promise<Account>
  unlock(passphrase: string): Promise<Account>
  lock(): Promise<Account>
  setPassphrase(passphrase: string | null): Promise<Account>
  exportIdentity(passphrase: string): Promise<Uint8Array>
  importIdentity(sealed: Uint8Array, passphrase: string, options?: { did?: string; keepSealed?: boolean }): Promise<Account>
  applyWrites(writes: Write[]): Promise<CommitResult>
  createRecord(collection: string, record: RecordValue, options?: { rkey?: string }): Promise<RecordRef>
  putRecord(collection: string, rkey: string, record: RecordValue): Promise<RecordRef>
  deleteRecord(collection: string, rkey: string): Promise<{ commit: string; rev: string }>
  getRecord(collection: string, rkey: string, options?: { did?: string }): Promise<RecordView | null>
  listRecords(collection: string, options?: ListOptions): Promise<{ records: RecordView[]; cursor: string | null }>
  searchPosts(query: string, options?: { limit?: number }): Promise<{ uris: string[]; total: number }>
  exportCar(options?: { did?: string; since?: string }): Promise<Uint8Array>
  exportCarStream(options?: { did?: string; since?: string }): ReadableStream<Uint8Array>
  importCar(car: CarInput, options?: { key?: string; onProgress?: (p: Progress) => void }): Promise<ImportResult>
  connect(relayUrl: string, options: { handle: string; password: string; create?: boolean }): Promise<SyncStatus>
  push(): Promise<SyncStatus>
  syncStatus(): Promise<SyncStatus | null>
  disconnect(): Promise<null>
  follow(did: string): Promise<string>
  unfollow(did: string): Promise<null>
  following(): Promise<string[]>
  pull(did?: string): Promise<PullOutcome[]>
  close(): Promise<null>
}
