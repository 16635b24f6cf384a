// Command-line options of the Node benchmark drivers (bench/mst.mjs,
// bench/repo.mjs, bench/chromium/run.mjs, bench/chromium/run-repo.mjs).

const argv = process.argv.slice(2)

// The value after `name` (`--rounds 3`), or `dflt` when `name` is absent.
export function opt(name, dflt) {
  const i = argv.indexOf(name)
  return i >= 0 ? argv[i + 1] : dflt
}

// Whether the bare flag `name` (`--native`) was given.
export const flag = (name) => argv.includes(name)
