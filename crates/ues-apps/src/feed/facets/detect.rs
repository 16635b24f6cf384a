//! The scanners: one per regular expression of the reference
//! (`MENTION_REGEX`, `URL_REGEX`, `TAG_REGEX`, `CASHTAG_REGEX`), each
//! reproducing the global `exec` loop: a match may start only at or after
//! the end of the previous match (`lastIndex`), and a rejected match still
//! moves `lastIndex` past it.

use super::tables::{JS_SPACE, PUNCT, TLDS};
use super::{ByteSlice, Facet, FacetFeature};
use unicode_segmentation::UnicodeSegmentation;

/// The text as code points, with the UTF-8 offset of each.
struct Text {
    chars: Vec<char>,
    utf8: Vec<usize>,
}

impl Text {
    fn new(s: &str) -> Self {
        let chars: Vec<char> = s.chars().collect();
        let mut utf8 = Vec::with_capacity(chars.len() + 1);
        let mut off = 0;
        for c in &chars {
            utf8.push(off);
            off += c.len_utf8();
        }
        utf8.push(off);
        Text { chars, utf8 }
    }
    fn len(&self) -> usize {
        self.chars.len()
    }
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }
    fn string(&self, from: usize, to: usize) -> String {
        self.chars[from..to].iter().collect()
    }
    fn slice(&self, from: usize, to: usize) -> ByteSlice {
        ByteSlice {
            byte_start: self.utf8[from],
            byte_end: self.utf8[to],
        }
    }
}

fn in_ranges(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// JavaScript `\s`.
fn is_space(c: char) -> bool {
    in_ranges(JS_SPACE, c)
}

/// `\p{P}`.
fn is_punct(c: char) -> bool {
    in_ranges(PUNCT, c)
}

/// JavaScript line terminators (where `^` matches under the `m` flag).
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// `\w` without the `u` and `i` flags.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The zero-width characters that end a tag besides white space.
fn is_tag_break(c: char) -> bool {
    is_space(c)
        || matches!(
            c,
            '\u{00AD}'
                | '\u{2060}'
                | '\u{200A}'
                | '\u{200B}'
                | '\u{200C}'
                | '\u{200D}'
                | '\u{20E2}'
        )
}

/// The reference's `isValidDomain`: the last label is a known TLD
/// (case-sensitive: the list is lower case).
fn is_valid_domain(s: &str) -> bool {
    match s.rfind('.') {
        Some(dot) => TLDS.binary_search(&&s[dot + 1..]).is_ok(),
        None => false,
    }
}

/// Facets found in `text`, sorted by `byteStart` (a stable sort of
/// mentions, then links, then tags, then cashtags, as the reference does).
/// Mentions carry the handle in `did`: see [`super::resolve_mentions`].
pub fn detect_facets(text: &str) -> Vec<Facet> {
    let t = Text::new(text);
    let mut facets = Vec::new();
    mentions(&t, &mut facets);
    links(&t, &mut facets);
    tags(&t, &mut facets);
    cashtags(&t, &mut facets);
    facets.sort_by_key(|f| f.index.byte_start);
    facets
}

fn facet(t: &Text, from: usize, to: usize, feature: FacetFeature) -> Facet {
    Facet {
        index: t.slice(from, to),
        features: vec![feature],
    }
}

/// Where a match may start its leading group `(^|\s|\()` so that the
/// captured part begins at `p`: `^` only at 0 (or after a line terminator
/// with `multiline`), else the previous character, at or after `last`.
fn lead_ok(t: &Text, p: usize, last: usize, paren: bool, multiline: bool) -> bool {
    if p == 0 {
        return last == 0;
    }
    let prev = t.chars[p - 1];
    if multiline && p >= last && is_line_terminator(prev) {
        return true;
    }
    p > last && (is_space(prev) || (paren && prev == '('))
}

/// `/(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)/g`
fn mentions(t: &Text, out: &mut Vec<Facet>) {
    let mut last = 0;
    let mut at = 0;
    while at < t.len() {
        let p = at + 1; // the handle starts after '@'
        if t.chars[at] != '@' || !lead_ok(t, at, last, true, false) {
            at += 1;
            continue;
        }
        let mut run = p;
        while t
            .at(run)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            run += 1;
        }
        // Greedy run, then back off until a word boundary follows.
        let end = (p + 1..=run).rev().find(|&e| {
            let before = is_word(t.chars[e - 1]);
            let after = t.at(e).is_some_and(is_word);
            before != after
        });
        let Some(end) = end else {
            at += 1;
            continue;
        };
        let handle = t.string(p, end);
        if is_valid_domain(&handle) || handle.ends_with(".test") {
            out.push(facet(t, at, end, FacetFeature::Mention { did: handle }));
        }
        last = end;
        at = end;
    }
}

/// `/(^|\s|\()((https?:\/\/[\S]+)|((?<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))/gim`
fn links(t: &Text, out: &mut Vec<Facet>) {
    let mut last = 0;
    let mut p = 0;
    while p < t.len() {
        if !lead_ok(t, p, last, true, true) {
            p += 1;
            continue;
        }
        let Some((end, domain_end)) = match_url(t, p) else {
            p += 1;
            continue;
        };
        let start = p;
        last = end;
        p = end;
        let mut uri = t.string(start, end);
        let mut stop = end;
        if !uri.starts_with("http") {
            let Some(dend) = domain_end else { continue };
            if !is_valid_domain(&t.string(start, dend)) {
                continue;
            }
            uri = format!("https://{uri}");
        }
        if uri.ends_with(['.', ',', ';', ':', '!', '?']) {
            uri.pop();
            stop -= 1;
        }
        if uri.ends_with(')') && !uri.contains('(') {
            uri.pop();
            stop -= 1;
        }
        out.push(facet(t, start, stop, FacetFeature::Link { uri }));
    }
}

/// The URL alternatives at `p`: `Some((end of match, end of the bare domain
/// if the second alternative matched))`.
fn match_url(t: &Text, p: usize) -> Option<(usize, Option<usize>)> {
    let non_space_end = |from: usize| {
        let mut e = from;
        while t.at(e).is_some_and(|c| !is_space(c)) {
            e += 1;
        }
        e
    };
    // https?:\/\/[\S]+ (case-insensitive)
    let mut q = p;
    let ci = |i: usize, want: char| t.at(i).is_some_and(|c| c.eq_ignore_ascii_case(&want));
    if ci(q, 'h') && ci(q + 1, 't') && ci(q + 2, 't') && ci(q + 3, 'p') {
        q += 4;
        if ci(q, 's') {
            q += 1;
        }
        if t.at(q) == Some(':') && t.at(q + 1) == Some('/') && t.at(q + 2) == Some('/') {
            let e = non_space_end(q + 3);
            if e > q + 3 {
                return Some((e, None));
            }
        }
    }
    // [a-z][a-z0-9]*(\.[a-z0-9]+)+[\S]* (case-insensitive)
    if !t.at(p).is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let alnum = |i: usize| t.at(i).is_some_and(|c| c.is_ascii_alphanumeric());
    let mut q = p + 1;
    while alnum(q) {
        q += 1;
    }
    let mut labels = 0;
    while t.at(q) == Some('.') && alnum(q + 1) {
        q += 2;
        while alnum(q) {
            q += 1;
        }
        labels += 1;
    }
    if labels == 0 {
        return None;
    }
    Some((non_space_end(q), Some(q)))
}

/// `/(^|\s)[#＃]((?!\ufe0f)[^\s<zw>]*[^\d\s\p{P}<zw>]+[^\s<zw>]*)?/gu`
fn tags(t: &Text, out: &mut Vec<Facet>) {
    let mut last = 0;
    let mut q = 0;
    while q < t.len() {
        if !matches!(t.chars[q], '#' | '\u{FF03}') || !lead_ok(t, q, last, false, false) {
            q += 1;
            continue;
        }
        let start = q + 1;
        let mut run = start;
        while t.at(run).is_some_and(|c| !is_tag_break(c)) {
            run += 1;
        }
        let has_core = t.chars[start..run]
            .iter()
            .any(|&c| !c.is_ascii_digit() && !is_punct(c));
        if t.at(start) == Some('\u{FE0F}') || !has_core {
            // The optional group did not match: the match is the '#' alone.
            last = start;
            q = start;
            continue;
        }
        last = run;
        q = run;
        let mut end = run;
        while end > start && is_punct(t.chars[end - 1]) {
            end -= 1;
        }
        let tag = t.string(start, end);
        let utf16_len: usize = tag.chars().map(char::len_utf16).sum();
        if end == start || (utf16_len > 64 && tag.graphemes(true).count() > 64) {
            continue;
        }
        out.push(facet(t, start - 1, end, FacetFeature::Tag { tag }));
    }
}

/// `/(^|\s|\()\$([A-Za-z][A-Za-z0-9]{0,4})(?=\s|$|[.,;:!?)"'\u2019])/gu`
fn cashtags(t: &Text, out: &mut Vec<Facet>) {
    let mut last = 0;
    let mut q = 0;
    while q < t.len() {
        if t.chars[q] != '$' || !lead_ok(t, q, last, true, false) {
            q += 1;
            continue;
        }
        let start = q + 1;
        let mut run = start;
        while t.at(run).is_some_and(|c| c.is_ascii_alphanumeric()) {
            run += 1;
        }
        let len = run - start;
        let first_ok = t.at(start).is_some_and(|c| c.is_ascii_alphabetic());
        let follow_ok = match t.at(run) {
            None => true,
            Some(c) => is_space(c) || ".,;:!?)\"'\u{2019}".contains(c),
        };
        if !first_ok || len == 0 || len > 5 || !follow_ok {
            q += 1;
            continue;
        }
        let ticker = t.string(start, run).to_ascii_uppercase();
        out.push(facet(
            t,
            q,
            run,
            FacetFeature::Tag {
                tag: format!("${ticker}"),
            },
        ));
        last = run;
        q = run;
    }
}
