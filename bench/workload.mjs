// The MST benchmark workload shared by bench/mst.mjs (Node) and
// bench/chromium/bench.js (the browser page): the PERFORMANCE.md keys, the
// 1 % diff key sets, and the tasks over @atproto/repo and the ues wasm
// package, bound to whichever copies of those libraries the host loaded.

export const VALUE_CID = 'bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454'
export const CHANGED_CID = 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm'

// PERFORMANCE.md: the LCG in doubles; crates/ues-bench/src/keys.rs is the twin.
export function keys(n) {
  const out = new Array(n)
  let s = 1
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648
    out[i] = 'app.bsky.feed.post/' + s.toString(36).padStart(13, '2') + i
  }
  return out
}

// crates/ues-bench/src/workload.rs `diff_entries(n, m)`: edit j touches key
// j*(n/m) + (n/m)/2 and is a change, a delete, or an add of key n+j for
// j % 3 = 0, 1, 2. Returns [entries of a, entries of b] as [key, cid] pairs.
export function diffEntries(n, m) {
  const all = keys(n + m)
  const a = all.slice(0, n).map((k) => [k, VALUE_CID])
  const b = a.map((e) => e.slice())
  const step = Math.floor(n / m)
  for (let j = 0; j < m; j++) {
    const i = j * step + Math.floor(step / 2)
    if (j % 3 === 0) b[i] = [all[i], CHANGED_CID]
    else if (j % 3 === 1) b[i] = null
    else b.push([all[n + j], VALUE_CID])
  }
  return [a, b.filter((e) => e !== null)]
}

/**
 * The benchmark tasks over the given libraries: `{ MST, MemoryBlockstore,
 * DataDiff, CID }` from @atproto/repo, `ues` (the ues-wasm package) and
 * `uesBench` (the bench-only wasm module with `MstBlocks`).
 */
export function makeTasks({ MST, MemoryBlockstore, DataDiff, CID, ues, uesBench }) {
  // ------------------------------------------------------------------ @atproto/repo
  const cidCache = new Map()
  const jsCid = (s) => {
    if (!cidCache.has(s)) cidCache.set(s, CID.parse(s))
    return cidCache.get(s)
  }

  async function atprotoBuildTree(entries, storage = new MemoryBlockstore()) {
    let mst = await MST.create(storage)
    for (const [k, v] of entries) mst = await mst.add(k, jsCid(v))
    const cid = await mst.getPointer()
    return { mst, cid }
  }

  async function atprotoBuild(ks) {
    const value = jsCid(VALUE_CID)
    let mst = await MST.create(new MemoryBlockstore())
    for (const k of ks) mst = await mst.add(k, value)
    return (await mst.getPointer()).toString()
  }

  async function atprotoDiffFixture(a, b) {
    const storage = new MemoryBlockstore()
    const roots = []
    for (const entries of [a, b]) {
      const { mst, cid } = await atprotoBuildTree(entries, storage)
      const { blocks } = await mst.getUnstoredBlocks()
      await storage.putMany(blocks)
      roots.push(cid)
    }
    return { storage, a: roots[0], b: roots[1] }
  }

  async function atprotoDiff(fx) {
    const a = MST.load(fx.storage, fx.a)
    const b = MST.load(fx.storage, fx.b)
    const d = await DataDiff.of(b, a)
    return Object.keys(d.adds).length + Object.keys(d.updates).length + Object.keys(d.deletes).length
  }

  // ------------------------------------------------------------------ ues (wasm)
  function wasmBuild(ks) {
    return ues.mstRootOf(ks, VALUE_CID)
  }

  function wasmBuildClass(ks) {
    const t = new ues.Mst()
    try {
      for (const k of ks) t.put(k, VALUE_CID)
      return t.root()
    } finally {
      t.free()
    }
  }

  function wasmDiffFixture(a, b) {
    const blocks = new uesBench.MstBlocks()
    const put = (es) =>
      blocks.putTree(
        es.map((e) => e[0]),
        es.map((e) => e[1]),
      )
    return { blocks, a: put(a), b: put(b) }
  }

  return { atprotoBuild, atprotoDiffFixture, atprotoDiff, wasmBuild, wasmBuildClass, wasmDiffFixture }
}
