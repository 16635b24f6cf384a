// Runs workerd/worker.js under `wrangler dev --local` in the scratch project
// (argv[2]) and checks its answer: the npm package works in workerd.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'

const app = path.resolve(process.argv[2])
const wrangler = path.resolve(process.argv[3])
const free = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address()
    s.close(() => ok(port))
  })
})
const port = await free()
const child = spawn(wrangler, ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port),
  '--inspector-port', String(await free()), '-c', path.join(app, 'workerd', 'wrangler.toml'),
  '--persist-to', path.join(app, '.wrangler-state'), '--show-interactive-dev-session=false'], {
  cwd: path.join(app, 'workerd'),
  env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  stdio: ['ignore', 'pipe', 'pipe'],
})
let log = ''
child.stdout.on('data', (d) => (log += d))
child.stderr.on('data', (d) => (log += d))
let exit = 1
try {
  const deadline = Date.now() + 120_000
  let res
  for (;;) {
    try {
      res = await fetch(`http://127.0.0.1:${port}/`)
      break
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`wrangler did not start:\n${log}`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  const body = await res.json()
  if (!body.ok) throw new Error(`the flow failed in workerd: ${body.error}`)
  console.log(`ok workerd: the package's basic flow passed (${body.did})`)
  exit = 0
} catch (e) {
  console.error(String(e?.stack ?? e))
  console.error(log.slice(-4000))
} finally {
  child.kill('SIGTERM')
}
process.exit(exit)
