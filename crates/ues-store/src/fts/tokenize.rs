//! The tokenizer: the same text gives the same terms on every host.
//!
//! 1. Unicode compatibility decomposition (NFKD): `é` → `e` + U+0301,
//!    `ﬁ` → `fi`, full-width `Ａ` → `A`, `℅` → `c/o`;
//! 2. combining marks dropped (diacritics: `Café` → `Cafe`);
//! 3. lower-cased (full Unicode lower case);
//! 4. split into words at UAX #29 word boundaries, keeping the segments that
//!    contain a letter or digit (`can't`, `3.14` and `e-mail`'s two halves);
//! 5. empty tokens and tokens longer than [`MAX_TOKEN_BYTES`] dropped, and,
//!    when asked, the [`STOPWORDS`].
//!
//! Dropping marks folds accents in Latin, Greek and Cyrillic; in scripts
//! whose vowel signs are marks (Devanagari, Thai) it also merges some words,
//! which costs precision but never a match, since queries fold the same way.

use unicode_segmentation::UnicodeSegmentation;

/// Tokens longer than this (in UTF-8 bytes) are not indexed: they are
/// almost always URLs, hashes or base64, and they would make long keys.
pub const MAX_TOKEN_BYTES: usize = 100;

/// The small English stopword list used by indexes that ask for it.
pub const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Whether `term` (already normalised) is a stopword.
pub fn is_stopword(term: &str) -> bool {
    STOPWORDS.contains(&term)
}

/// Steps 1–3: decomposed, without combining marks, lower-cased.
pub fn normalize(text: &str) -> String {
    decomposed_without_marks(text)
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| *c != LOWERCASE_MARK)
        .collect()
}

/// The one combining mark lower-casing makes from a character that is not
/// a mark: U+0130 `İ` → `i` + U+0307 (tested over every `char` natively).
const LOWERCASE_MARK: char = '\u{307}';

/// Steps 1–2 natively: the Unicode tables of `unicode-normalization`.
#[cfg(not(target_arch = "wasm32"))]
fn decomposed_without_marks(text: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    text.nfkd().filter(|c| !is_combining_mark(*c)).collect()
}

/// Steps 1–2 in a JS host: its own Unicode tables (`normalize('NFKD')` and
/// the `\p{M}` class: General_Category Mark, as `is_combining_mark`), so
/// the wasm carries none. Same terms as natively on the tokenizer's corpus
/// (the fts conformance suite runs on both).
#[cfg(target_arch = "wasm32")]
fn decomposed_without_marks(text: &str) -> String {
    use js_sys::{JsString, RegExp};
    thread_local! {
        static MARKS: RegExp = RegExp::new("\\p{M}", "gu");
    }
    let s = JsString::from(text).normalize("NFKD");
    MARKS.with(|m| String::from(s.replace_by_pattern(m, "")))
}

/// The terms of `text` in order, repeats kept (a document's length is the
/// number of its terms). With `stopwords`, the [`STOPWORDS`] are left out.
pub fn tokenize(text: &str, stopwords: bool) -> Vec<String> {
    normalize(text)
        .unicode_words()
        .filter(|w| !w.is_empty() && w.len() <= MAX_TOKEN_BYTES)
        .filter(|w| !(stopwords && is_stopword(w)))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`LOWERCASE_MARK`] is the only mark lower-casing makes from
    /// characters that are not marks (the JS path relies on it).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn lowercasing_makes_one_mark_only() {
        use unicode_normalization::char::is_combining_mark;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if is_combining_mark(c) {
                continue;
            }
            for l in c.to_lowercase().filter(|l| is_combining_mark(*l)) {
                assert_eq!((c, l), ('\u{130}', LOWERCASE_MARK), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(
            tokenize("Café CAFÉ cafe\u{301}", false),
            ["cafe", "cafe", "cafe"]
        );
        assert_eq!(
            tokenize("Zürich naïve Ærø İstanbul", false),
            ["zurich", "naive", "ærø", "istanbul"]
        );
        assert_eq!(
            tokenize("ﬁne Ｆｕｌｌ ℅", false),
            ["fine", "full", "c", "o"]
        );
    }

    #[test]
    fn splits_words() {
        assert_eq!(
            tokenize("Hello, world! It's 3.14 — e-mail", false),
            ["hello", "world", "it's", "3.14", "e", "mail"]
        );
        assert_eq!(tokenize("the cat and THE hat", true), ["cat", "hat"]);
        assert!(tokenize("  ...  !!! ", false).is_empty());
        assert!(tokenize(&"x".repeat(MAX_TOKEN_BYTES + 1), false).is_empty());
        assert_eq!(
            tokenize("日本語のテキスト", false).concat(),
            "日本語のテキスト"
        );
    }
}
