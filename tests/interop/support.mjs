// Shared by the interop tests: the built wasm package, the seed settings,
// and a small seeded PRNG. (Not a test file: node --test runs *.test.mjs.)

import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const pkgFile = fileURLToPath(new URL('../../pkg/wasm/node/ues_wasm.js', import.meta.url))
if (!existsSync(pkgFile)) {
  throw new Error(`the wasm package is not built (${pkgFile} is missing): run scripts/build-pkg.sh`)
}
/** The ues-wasm package, Node build. */
export const ues = require(pkgFile)

/** UES_INTEROP_SEED: a number (default 1) or `random` (picked and printed by the test). */
export const SEED =
  process.env.UES_INTEROP_SEED === 'random'
    ? (Math.random() * 2 ** 32) >>> 0
    : Number(process.env.UES_INTEROP_SEED ?? 1) >>> 0
/** UES_INTEROP_CASE: rerun only this case index. */
export const ONLY_CASE = process.env.UES_INTEROP_CASE === undefined ? null : Number(process.env.UES_INTEROP_CASE)

/**
 * mulberry32: small, fast, good enough to pick test inputs; a case's stream
 * depends only on (SEED, case index), so any case can be rerun alone.
 */
export function prng(seed) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (n) => Math.floor(next() * n), // 0 <= x < n
    range: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // lo <= x <= hi
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    bytes: (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256)),
  }
}

/** The seed of case `i` of a run seeded with `seed`. */
export const caseSeed = (seed, i) => (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0
