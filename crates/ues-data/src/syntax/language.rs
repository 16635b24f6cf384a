//! BCP 47 language tags (RFC 5646) as atproto accepts them: the primary
//! language subtag is lowercase; other subtags are case-insensitive.

use super::{invalid, Kind, SyntaxError};

const K: Kind = Kind::Language;

const GRANDFATHERED: &[&str] = &[
    "en-GB-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-BE-FR",
    "sgn-BE-NL",
    "sgn-CH-DE",
    "art-lojban",
    "cel-gaulish",
    "no-bok",
    "no-nyn",
    "zh-guoyu",
    "zh-hakka",
    "zh-min",
    "zh-min-nan",
    "zh-xiang",
];

/// A syntactically valid language tag, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LanguageTag<'a> {
    /// The primary language (with extended subtags), empty for a
    /// private-use-only tag.
    pub language: &'a str,
    /// The script subtag.
    pub script: Option<&'a str>,
    /// The region subtag.
    pub region: Option<&'a str>,
    /// Variant subtags.
    pub variants: Vec<&'a str>,
    /// Extension sequences, each starting with its singleton.
    pub extensions: Vec<Vec<&'a str>>,
    /// Private-use subtags after `x`.
    pub private_use: Vec<&'a str>,
    /// Whether this is one of the grandfathered tags.
    pub grandfathered: bool,
}

fn alpha(s: &str, r: std::ops::RangeInclusive<usize>) -> bool {
    r.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic())
}

fn alnum(s: &str, r: std::ops::RangeInclusive<usize>) -> bool {
    r.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn lower(s: &str, r: std::ops::RangeInclusive<usize>) -> bool {
    r.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())
}

fn is_variant(s: &str) -> bool {
    alnum(s, 5..=8) || (s.len() == 4 && s.as_bytes()[0].is_ascii_digit() && alnum(s, 4..=4))
}

fn lex(s: &str) -> Result<LanguageTag<'_>, SyntaxError> {
    if s.is_empty() {
        return Err(SyntaxError::Empty(K));
    }
    if GRANDFATHERED.contains(&s) {
        return Ok(LanguageTag {
            language: s,
            grandfathered: true,
            ..Default::default()
        });
    }
    let sub: Vec<&str> = s.split('-').collect();
    let mut tag = LanguageTag::default();
    let mut i = 0;
    let is_x = |t: &str| t.eq_ignore_ascii_case("x");
    if !is_x(sub[0]) {
        let first = sub[0];
        let mut end = first.len();
        if lower(first, 2..=3) {
            i = 1;
            while i < sub.len() && i <= 3 && alpha(sub[i], 3..=3) {
                end += 1 + sub[i].len();
                i += 1;
            }
        } else if lower(first, 5..=8) {
            i = 1;
        } else {
            return Err(invalid(K, "bad primary language subtag"));
        }
        tag.language = &s[..end];
        if i < sub.len() && alpha(sub[i], 4..=4) {
            tag.script = Some(sub[i]);
            i += 1;
        }
        let is_region =
            |t: &str| alpha(t, 2..=2) || (t.len() == 3 && t.bytes().all(|b| b.is_ascii_digit()));
        if i < sub.len() && is_region(sub[i]) {
            tag.region = Some(sub[i]);
            i += 1;
        }
        while i < sub.len() && is_variant(sub[i]) {
            tag.variants.push(sub[i]);
            i += 1;
        }
        while i < sub.len() && sub[i].len() == 1 && alnum(sub[i], 1..=1) && !is_x(sub[i]) {
            let mut ext = vec![sub[i]];
            i += 1;
            while i < sub.len() && alnum(sub[i], 2..=8) {
                ext.push(sub[i]);
                i += 1;
            }
            if ext.len() < 2 {
                return Err(invalid(K, "empty extension"));
            }
            tag.extensions.push(ext);
        }
        if i == sub.len() {
            return Ok(tag);
        }
    }
    if !is_x(sub[i]) {
        return Err(invalid(K, "unexpected subtag"));
    }
    i += 1;
    if i == sub.len() {
        return Err(invalid(K, "empty private-use sequence"));
    }
    for t in &sub[i..] {
        if !alnum(t, 1..=8) {
            return Err(invalid(K, "bad private-use subtag"));
        }
        tag.private_use.push(t);
    }
    Ok(tag)
}

/// Checks the BCP 47 syntax of a language tag.
pub fn validate_language(s: &str) -> Result<(), SyntaxError> {
    lex(s).map(|_| ())
}

/// Parses a language tag and also rejects repeated variants or extension
/// singletons (RFC 5646 §2.2.9), compared case-insensitively.
pub fn parse_language(s: &str) -> Result<LanguageTag<'_>, SyntaxError> {
    let tag = lex(s)?;
    let dup = |v: &[&str]| {
        v.iter()
            .enumerate()
            .any(|(i, a)| v[..i].iter().any(|b| a.eq_ignore_ascii_case(b)))
    };
    if dup(&tag.variants) {
        return Err(invalid(K, "repeated variant subtag"));
    }
    let singletons: Vec<&str> = tag.extensions.iter().map(|e| e[0]).collect();
    if dup(&singletons) {
        return Err(invalid(K, "repeated extension singleton"));
    }
    Ok(tag)
}
