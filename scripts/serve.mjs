// The static server of the run command and the browser tests: the web app
// (ues-web: index.html, style.css and its built pkg/) at /app/, the plain-JS
// app (www/) at /, the npm package (pkg/, with its built wasm) at /pkg/.
//
//   node scripts/serve.mjs [--port N]     (default 8080; 0 = a free port)
//
// Prints `serving http://127.0.0.1:PORT/` once listening.
import http from 'node:http'
import { createReadStream, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml',
}
// URL prefix → directory. Longest prefix first.
const MOUNTS = [
  ['/app/pkg/', path.join(ROOT, 'ues-web', 'pkg')],
  ['/app/index.html', path.join(ROOT, 'ues-web', 'index.html')],
  ['/app/style.css', path.join(ROOT, 'ues-web', 'style.css')],
  ['/pkg/', path.join(ROOT, 'pkg')],
  ['/', path.join(ROOT, 'www')],
]

function resolve(path_) {
  let urlPath = path_
  for (const [prefix, dir] of MOUNTS) {
    if (urlPath === '/app' || urlPath === '/app/') urlPath = '/app/index.html'
    if (!urlPath.startsWith(prefix)) continue
    let file = path.normalize(path.join(dir, urlPath.slice(prefix.length)))
    if (!file.startsWith(dir)) return null
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html')
    return existsSync(file) && statSync(file).isFile() ? file : null
  }
  return null
}

/** Starts the server on 127.0.0.1:`port`; resolves to {server, origin}. */
export async function serve(port = 8080) {
  const server = http.createServer((req, res) => {
    let p
    try {
      p = decodeURIComponent(new URL(req.url, 'http://x').pathname)
    } catch {
      return res.writeHead(400).end('bad path')
    }
    const file = resolve(p)
    if (!file) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' })
    createReadStream(file).pipe(res)
  })
  await new Promise((ok, err) => {
    server.once('error', err)
    server.listen(port, '127.0.0.1', ok)
  })
  return { server, origin: `http://127.0.0.1:${server.address().port}` }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port')
  const port = i > 0 ? Number(process.argv[i + 1]) : 8080
  const { origin } = await serve(port)
  console.log(`serving ${origin}/`)
}
