// The reference PDS (@atproto/pds, SQLite defaults) for bench/edge/bench.mjs,
// in its own process: `node pds-server.mjs <port>`; prints `ready <port>`.
// did:plc operations go to a minimal in-process PLC stand-in (the network is
// closed here): it stores each DID's last operation and serves its document.
// PDS_BENCH_DIR: where `npm install @atproto/pds` was run
// (default /var/cache/ues/pds-bench).

import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

const dir = process.env.PDS_BENCH_DIR ?? '/var/cache/ues/pds-bench'
const require = createRequire(join(dir, 'package.json'))
const { PDS, envToCfg, envToSecrets, readEnv } = require('@atproto/pds')

const port = Number(process.argv[2] ?? 2583)

// PLC stand-in: POST /<did> {op}; GET /<did> → DID document.
const ops = new Map()
const plc = createServer((req, res) => {
  const did = decodeURIComponent(req.url.split('/')[1] ?? '')
  let body = ''
  req.on('data', (d) => { body += d })
  req.on('end', () => {
    if (req.method === 'POST') {
      ops.set(did, JSON.parse(body))
      return res.writeHead(200).end()
    }
    const op = ops.get(did)
    if (!op) return res.writeHead(404).end()
    const key = op.verificationMethods?.atproto ?? op.signingKey
    const doc = {
      '@context': ['https://www.w3.org/ns/did/v1'],
      id: did,
      alsoKnownAs: op.alsoKnownAs ?? [],
      verificationMethod: [{ id: `${did}#atproto`, type: 'Multikey', controller: did, publicKeyMultibase: key.replace('did:key:', '') }],
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: op.services?.atproto_pds?.endpoint }],
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc))
  })
})
await new Promise((r) => plc.listen(0, '127.0.0.1', r))

const data = mkdtempSync(join(tmpdir(), 'pds-bench-'))
Object.assign(process.env, {
  PDS_PORT: String(port),
  PDS_HOSTNAME: 'localhost',
  PDS_DEV_MODE: 'true',
  PDS_DATA_DIRECTORY: data,
  PDS_BLOBSTORE_DISK_LOCATION: join(data, 'blobs'),
  PDS_DID_PLC_URL: `http://127.0.0.1:${plc.address().port}`,
  PDS_SERVICE_HANDLE_DOMAINS: '.test',
  PDS_INVITE_REQUIRED: 'false',
  PDS_RATE_LIMITS_ENABLED: 'false',
  PDS_JWT_SECRET: randomBytes(16).toString('hex'),
  PDS_ADMIN_PASSWORD: 'admin-pass',
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: randomBytes(32).toString('hex'),
  PDS_CRAWLERS: '',
  LOG_ENABLED: 'false',
})
const env = readEnv()
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
await pds.start()
console.log(`ready ${port}`)
process.on('SIGTERM', async () => {
  await pds.destroy().catch(() => {})
  process.exit(0)
})
