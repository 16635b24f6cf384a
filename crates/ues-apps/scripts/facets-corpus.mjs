// The facet corpus: texts, and (with --expect) the facets that
// @atproto/api's RichText.detectFacetsWithoutResolution() finds in them.
// `node crates/ues-apps/scripts/facets-corpus.mjs` rewrites
// tests/data/facets-corpus.json (the Rust test's expectations);
// tests/interop/facets.test.mjs imports TEXTS to compare live.
import fs from 'fs';
import { fileURLToPath } from 'url';

export const TEXTS = [
  '',
  'no facets here',
  '@alice.bsky.social hello',
  'hi @alice.bsky.social and @bob.test!',
  '@alice',
  'email me at me@example.com',
  '(@carol.example.com) in parens',
  '@alice.bsky.social.',
  '@Alice.Bsky.Social upper',
  '@ALICE.COM upper tld',
  '@alice-.com @-bob.com @a_b.com',
  'https://example.com',
  'see https://example.com/path?q=1, and more',
  'visit example.com.',
  'Bare domains: bsky.app, atproto.com; nope.notatld ok',
  'trailing paren (https://example.com/foo) end',
  'wiki https://en.wikipedia.org/wiki/Pony_(disambiguation) ok',
  'HTTPS://EXAMPLE.COM shouty and Example.COM',
  'httpbin.org/get starts with http',
  'http:// nothing and http://x',
  'multi\nline\nexample.com\n#tag',
  'url!https://example.com nope',
  'end question https://example.com?',
  '#tag',
  'a #tag and #another_tag, plus #123 and #1a',
  '#tag. #tag! #tag?! #tag#tag',
  '##double #',
  '＃fullwidth tag',
  '#️⃣ keycap is not a tag',
  '#tag\u200Bafter zero width',
  '#日本語 のタグ',
  'emoji 😀 before #tag and @alice.bsky.social',
  '👨‍👩‍👧‍👦 family then https://example.com/😀',
  'flags 🇫🇷🇩🇪 #Ümlaut #café',
  'combining e\u0301 #cafe\u0301 @bob.test',
  'CJK 中文 https://例子.测试 and 例子.com',
  'zwj 👩🏽‍💻 #dev👩🏽‍💻 done',
  '$TSLA to the moon, $aapl. $toolong $1abc ($GOOG)',
  'mixed: @alice.bsky.social #tag https://example.com $BTC',
  '#' + 'a'.repeat(64) + ' exactly 64',
  '#' + 'a'.repeat(65) + ' too long',
  '#' + '😀'.repeat(40) + ' 40 emoji',
  '#' + 'e\u0301'.repeat(65) + ' 65 graphemes',
  'tab\t#tag\u00a0#nbsp\u3000#ideo',
  '(example.com) and (https://example.com)',
  'example.com:8080/x and localhost:3000',
  'sub.domain.example.co.uk/path#frag',
  'a.b.c d1.com 1d.com',
  '@alice.bsky.social@bob.bsky.social',
  '@bob.test:',
  'Ḩ̷̢ȩ̴ ̸̛c̴̡o̶͝m̵̛e̴̕s̸͝ #zalgo',
  'arabic مرحبا #مرحبا example.com',
];

export function reference(RichText, text) {
  const rt = new RichText({ text });
  rt.detectFacetsWithoutResolution();
  return (rt.facets ?? []).map((f) => ({ index: f.index, features: f.features }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { RichText } = await import('@atproto/api');
  const cases = TEXTS.map((text) => ({ text, facets: reference(RichText, text) }));
  const out = new URL('../tests/data/facets-corpus.json', import.meta.url);
  fs.writeFileSync(out, JSON.stringify(cases, null, 1) + '\n');
  console.log(`${cases.length} cases, ${cases.reduce((n, c) => n + c.facets.length, 0)} facets`);
}
