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

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
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
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| !is_combining_mark(*c))
        .collect()
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
