// Lists the imports of a .wasm file and fails when one comes from a forbidden
// module (default: `env`, which means a core crate links against something the
// browser cannot provide: C code, a libc call, an unresolved symbol).
//   node scripts/wasm-imports.mjs FILE.wasm [--forbid MODULE]...
import { readFileSync } from 'node:fs'

const args = process.argv.slice(2)
const files = []
const forbidden = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--forbid') forbidden.push(args[++i])
  else files.push(args[i])
}
if (forbidden.length === 0) forbidden.push('env')
if (files.length === 0) {
  console.error('usage: node scripts/wasm-imports.mjs FILE.wasm [--forbid MODULE]...')
  process.exit(2)
}

let failed = false
for (const file of files) {
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(file)))
  const byModule = new Map()
  for (const imp of imports) {
    if (!byModule.has(imp.module)) byModule.set(imp.module, [])
    byModule.get(imp.module).push(`${imp.name} (${imp.kind})`)
  }
  console.log(`${file}: ${imports.length} imports`)
  for (const [module, names] of byModule) console.log(`  from ${JSON.stringify(module)}: ${names.length}`)
  for (const module of forbidden) {
    const bad = byModule.get(module)
    if (!bad) continue
    failed = true
    console.error(`FORBIDDEN: ${file} imports from module ${JSON.stringify(module)}:`)
    for (const name of bad) console.error(`  ${module}.${name}`)
  }
}
if (failed) {
  console.error(
    'A core crate links something the browser cannot provide (C code, libc, or a crate without ' +
      'its wasm backend, e.g. getrandom without `wasm_js`). The import names above point at it; ' +
      '`cargo tree -p ues-wasm --target wasm32-unknown-unknown -e normal` shows the candidates.'
  )
  process.exit(1)
}
