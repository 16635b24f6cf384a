// Differential test of the rich-text facet detector: ues-wasm's
// detectFacets (crates/ues-apps, src/feed/facets) against @atproto/api's
// RichText.detectFacetsWithoutResolution(), the reference, on
//  - the corpus of crates/ues-apps/scripts/facets-corpus.mjs (emoji, ZWJ
//    sequences, combining characters, CJK, URLs with trailing punctuation,
//    tags with punctuation, handles with and without domains, cashtags), and
//  - random texts assembled from the same kinds of pieces.
// Facets (byte offsets and features) must be identical.
//
//   UES_INTEROP_CASES=3000   number of random texts (default 3000)
//   UES_INTEROP_SEED=1       base seed (default 1; "random" picks one)
//   UES_INTEROP_CASE=17      run only this random case
//
// Build the package first: scripts/build-pkg.sh (scripts/test.sh does).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RichText } from '@atproto/api'

import { ues, SEED, ONLY_CASE, prng, caseSeed } from './support.mjs'
import { TEXTS, reference } from '../../crates/ues-apps/scripts/facets-corpus.mjs'

const CASES = Number(process.env.UES_INTEROP_CASES ?? 3000)

const ours = (text) => JSON.parse(ues.detectFacets(text))

test('facets: the corpus matches @atproto/api', () => {
  assert.ok(TEXTS.length >= 40)
  for (const text of TEXTS) {
    assert.deepEqual(ours(text), reference(RichText, text), `text: ${JSON.stringify(text)}`)
  }
})

const PIECES = [
  '@alice.bsky.social', '@bob.test', '@carol', '@Dan.COM', '@e-f.co.uk', '@x_y.com', '@',
  'https://example.com', 'http://a.b/c?d=e&f', 'https://en.wikipedia.org/wiki/A_(b)', 'HTTPS://X.COM',
  'example.com', 'bsky.app', 'nope.notatld', 'httpbin.org', 'a.b', '例子.com', 'https://例子.测试',
  '#tag', '#日本語', '＃full', '#123', '#1a', '#️⃣', '##x', '#tag#tag', '#café', '#e\u0301',
  '$TSLA', '$abcdef', '$a1',
  '😀', '👨‍👩‍👧‍👦', '👩🏽‍💻', '🇫🇷', 'e\u0301', '中文', 'مرحبا', 'word', 'x',
  '.', ',', '!', '?', ';', ':', ')', '(', '"', "'", '’', '-', '_', '/', '@', '#', '$',
]
const SEPARATORS = [' ', ' ', ' ', '', '\n', '\t', '\u00a0', '\u3000', '\u200b', '(', ')']

function randomText(rng) {
  const n = rng.range(1, 10)
  let s = ''
  for (let i = 0; i < n; i++) {
    s += PIECES[rng.int(PIECES.length)]
    s += SEPARATORS[rng.int(SEPARATORS.length)]
  }
  return s
}

test(`facets: ${CASES} random texts match @atproto/api (seed ${SEED})`, () => {
  for (let c = 0; c < CASES; c++) {
    if (ONLY_CASE !== null && c !== ONLY_CASE) continue
    const text = randomText(prng(caseSeed(SEED, c)))
    assert.deepEqual(ours(text), reference(RichText, text), `case ${c}, text: ${JSON.stringify(text)}`)
  }
})

// The records UES writes are records @atproto/api accepts: posts built by
// ues-apps (facets detected, mentions resolved, replies) pass the
// reference's lexicon validation, and RichText reads their facets back as
// the same mentions, links and tags.
test('posts built by ues validate with @atproto/api and read back with RichText', async () => {
  const { AppBskyFeedPost } = await import('@atproto/api')
  const handles = { 'alice.test': 'did:plc:ewvi7nxzyoun6zhxrhs64oiz' }
  const parent = { uri: 'at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3kabc', cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm' }
  const texts = [
    'hi @alice.test 👋 see https://example.com/a_(b) and #café',
    'unknown @nobody.test stays text; emoji 👨‍👩‍👧 e\u0301 #日本語',
    ...TEXTS.slice(0, 30),
  ]
  for (const [i, text] of texts.entries()) {
    const reply = i % 3 === 0 ? JSON.stringify({ root: parent, parent }) : undefined
    const record = JSON.parse(ues.buildPost(text, '2026-11-25T00:00:00.000Z', JSON.stringify(handles), reply))
    const v = AppBskyFeedPost.validateRecord(record)
    assert.ok(v.success, `text ${JSON.stringify(text)}: ${v.success ? '' : v.error}`)
    const rt = new RichText({ text: record.text, facets: record.facets })
    const kinds = [...rt.segments()].filter((s) => s.facet).map((s) => (s.isMention() ? `m:${s.mention.did}` : s.isLink() ? `l:${s.link.uri}` : `t:${s.tag.tag}`))
    const want = (record.facets ?? []).map((f) => {
      const x = f.features[0]
      return x.$type.endsWith('#mention') ? `m:${x.did}` : x.$type.endsWith('#link') ? `l:${x.uri}` : `t:${x.tag}`
    })
    assert.deepEqual(kinds, want, `segments of ${JSON.stringify(text)}`)
  }
  const first = JSON.parse(ues.buildPost(texts[0], '2026-11-25T00:00:00.000Z', JSON.stringify(handles)))
  assert.ok(first.facets.some((f) => f.features[0].did === handles['alice.test']), 'the mention resolved')
  const second = JSON.parse(ues.buildPost(texts[1], '2026-11-25T00:00:00.000Z', JSON.stringify(handles)))
  assert.ok(!second.facets.some((f) => f.features[0].$type.endsWith('#mention')), 'an unknown handle is dropped')
})
