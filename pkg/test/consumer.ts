// A TypeScript consumer of the package's typings: `tsc --noEmit` must accept
// this file (scripts/test-pkg.sh), and the @ts-expect-error lines prove the
// types reject what the API rejects.
import { Node, UesError, type NodeEvent, type RecordView } from 'ues'

export async function main(): Promise<string> {
  const node = await Node.open({ name: 'typed', storage: 'memory' })
  const acct = await node.createAccount({ passphrase: 'pw' })
  const off = node.on('record', (e) => {
    const action: 'create' | 'update' | 'delete' = e.action
    void action
  })
  node.on('*', (e: NodeEvent) => void e.type)
  const ref = await node.createRecord('app.bsky.feed.post', { $type: 'app.bsky.feed.post', text: 'hi', createdAt: new Date().toISOString() })
  const got: RecordView | null = await node.getRecord('app.bsky.feed.post', ref.uri.split('/').pop()!)
  const page = await node.listRecords('app.bsky.feed.post', { limit: 10, reverse: true })
  const car: Uint8Array = await node.exportCar({ since: ref.rev })
  await node.importCar(car, { onProgress: (p) => void p.phase })
  // @ts-expect-error storage must be 'indexeddb' or 'memory'
  await Node.open({ storage: 'disk' })
  // @ts-expect-error a delete has no record
  await node.applyWrites([{ action: 'delete', collection: 'a.b.c' }])
  off()
  try {
    await node.unlock('x')
  } catch (e) {
    if (e instanceof UesError && e.code === 'WrongPassphrase') return 'wrong'
  }
  await node.close()
  return `${acct.did} ${got?.cid} ${page.records.length}`
}
