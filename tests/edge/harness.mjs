// Starts and stops the edge relay under `wrangler dev --local` (workerd) for
// the tests: a free loopback port, an explicit state directory (so a test can
// restart the relay on the same state), test-only vars on the command line.
//
// Build the worker first: scripts/build-edge.sh (scripts/test-edge.sh does).

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler')
const CONFIG = join(ROOT, 'ues-edge', 'wrangler.toml')
export const JWT_SECRET = 'edge-test-secret-0123456789abcdef'

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** A new empty state directory. */
export function stateDir() {
  return mkdtempSync(join(tmpdir(), 'ues-edge-state-'))
}

/**
 * Starts the relay; resolves when it answers /_health. `opts.state`: the
 * state directory (a new one when absent); `opts.vars`: extra [vars].
 */
export async function startRelay(opts = {}) {
  if (!existsSync(join(ROOT, 'ues-edge', 'build', 'worker', 'shim.mjs'))) {
    throw new Error('ues-edge is not built: run scripts/build-edge.sh')
  }
  const port = opts.port ?? (await freePort())
  const ownState = opts.state === undefined
  const state = opts.state ?? stateDir()
  const url = `http://127.0.0.1:${port}`
  const vars = {
    JWT_SECRET,
    UES_EDGE_TEST_ROUTES: '1',
    PUBLIC_URL: url,
    ...(opts.vars ?? {}),
  }
  const args = [
    'dev', '--local', '--ip', '127.0.0.1', '--port', String(port),
    '--inspector-port', String(await freePort()),
    '--persist-to', state, '-c', CONFIG, '--show-interactive-dev-session=false',
  ]
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`)
  const child = spawn(WRANGLER, args, {
    cwd: join(ROOT, 'ues-edge'),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CI: 'true',
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      WRANGLER_LOG: process.env.WRANGLER_LOG ?? 'warn',
      NO_COLOR: '1',
    },
  })
  let log = ''
  child.stdout.on('data', (d) => { log += d })
  child.stderr.on('data', (d) => { log += d })
  let exited = null
  child.on('exit', (code, sig) => { exited = { code, sig } })
  const deadline = Date.now() + 90_000
  for (;;) {
    if (exited) throw new Error(`wrangler exited early (${JSON.stringify(exited)}):\n${log}`)
    if (Date.now() > deadline) {
      killGroup(child)
      throw new Error(`wrangler did not start in 90 s:\n${log}`)
    }
    try {
      const r = await fetch(`${url}/_health`)
      if (r.ok) break
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    url,
    port,
    state,
    log: () => log,
    /** Stops wrangler; removes the state directory if this call made it. */
    async stop() {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r))
        killGroup(child, 'SIGTERM')
        const t = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000)
        await done
        clearTimeout(t)
      }
      if (ownState) rmSync(state, { recursive: true, force: true })
    },
  }
}

function killGroup(child, sig = 'SIGKILL') {
  try {
    process.kill(-child.pid, sig)
  } catch {}
}

/** POST/GET an XRPC method with fetch; returns { status, body }. */
export async function xrpc(url, nsid, { method = 'GET', params, body, token, headers = {} } = {}) {
  const q = params ? '?' + new URLSearchParams(params) : ''
  const h = { ...headers }
  if (token) h.authorization = `Bearer ${token}`
  let payload
  if (body instanceof Uint8Array) {
    payload = body
  } else if (body !== undefined) {
    payload = JSON.stringify(body)
    h['content-type'] = 'application/json'
  }
  const r = await fetch(`${url}/xrpc/${nsid}${q}`, { method, headers: h, body: payload })
  const type = r.headers.get('content-type') ?? ''
  const data = type.includes('json') ? await r.json() : new Uint8Array(await r.arrayBuffer())
  return { status: r.status, body: data, headers: r.headers }
}
