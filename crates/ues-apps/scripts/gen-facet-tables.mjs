// Regenerates src/feed/facets/tables.rs: `node crates/ues-apps/scripts/gen-facet-tables.mjs`
import fs from 'fs';
const root = new URL('../../../', import.meta.url);
const tlds = JSON.parse(fs.readFileSync(new URL('node_modules/tlds/index.json', root),'utf8'));
function ranges(re){ const out=[]; let start=-1;
 for(let cp=0; cp<=0x110000; cp++){ const ok = cp<0x110000 && !(cp>=0xd800&&cp<=0xdfff) && re.test(String.fromCodePoint(cp));
  if(ok && start<0) start=cp; if(!ok && start>=0){ out.push([start,cp-1]); start=-1; } } return out; }
const p = ranges(/^\p{P}$/u); const s = ranges(/^\s$/u);
const hex = x => "0x"+x.toString(16).toUpperCase();
let o = "//! Character tables of the facet detector, generated from Node.js " + process.version + "\n//! (its Unicode " + process.versions.unicode + " `\\p{P}` and `\\s`) and the `tlds` npm package\n//! (" + tlds.length + " entries) that `@atproto/api` uses. Do not edit by hand.\n\n";
o += "/// Unicode punctuation (`\\p{P}`), inclusive code point ranges, sorted.\n#[rustfmt::skip]\npub(super) const PUNCT: &[(u32, u32)] = &[\n";
for (let i=0;i<p.length;i+=6) o += "    " + p.slice(i,i+6).map(([a,b])=>`(${hex(a)}, ${hex(b)})`).join(", ") + ",\n";
o += "];\n\n/// JavaScript `\\s`, inclusive code point ranges, sorted.\n#[rustfmt::skip]\npub(super) const JS_SPACE: &[(u32, u32)] = &[\n";
for (let i=0;i<s.length;i+=6) o += "    " + s.slice(i,i+6).map(([a,b])=>`(${hex(a)}, ${hex(b)})`).join(", ") + ",\n";
const sorted = [...tlds].sort((a,b)=> a<b?-1:a>b?1:0);
// Rust sorts str by bytes; sort by utf8 bytes
sorted.sort((a,b)=>Buffer.compare(Buffer.from(a),Buffer.from(b)));
o += "];\n\n/// Top-level domains, sorted by UTF-8 bytes (binary search).\n#[rustfmt::skip]\npub(super) const TLDS: &[&str] = &[\n";
for (let i=0;i<sorted.length;i+=8) o += "    " + sorted.slice(i,i+8).map(t=>JSON.stringify(t)).join(", ") + ",\n";
o += "];\n";
fs.writeFileSync(new URL('crates/ues-apps/src/feed/facets/tables.rs', root), o);
console.log(p.length, s.length, sorted.length);
