//! The breaking changes [`super::check_evolution`] reports.

use std::fmt;

/// One breaking difference between two versions of a lexicon document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakingChange {
    /// Where: `#def`, then `.field`, `[]` for array items, `.input`,
    /// `.output`, `.params`, `.message`, e.g. `#main.embed.images[]`.
    pub path: String,
    /// What changed.
    pub kind: ChangeKind,
}

/// The kinds of breaking change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// The document id differs.
    IdChanged {
        /// Old id.
        old: String,
        /// New id.
        new: String,
    },
    /// A definition was removed.
    DefRemoved,
    /// A definition or field changed type.
    TypeChanged {
        /// Old type.
        old: &'static str,
        /// New type.
        new: &'static str,
    },
    /// A field (or parameter) was removed.
    FieldRemoved,
    /// A field (or parameter) became required.
    FieldNowRequired,
    /// A field may no longer be `null`.
    NullableRemoved,
    /// A record's key type changed.
    RecordKeyChanged {
        /// Old key type.
        old: String,
        /// New key type.
        new: String,
    },
    /// A ref points elsewhere.
    RefChanged {
        /// Old target (`nsid#def`).
        old: String,
        /// New target.
        new: String,
    },
    /// An open union became closed.
    UnionClosed,
    /// A closed union lost a member.
    UnionRefRemoved(String),
    /// A value was removed from an `enum` (or an `enum` was added).
    EnumValueRemoved(String),
    /// `const` was added or changed.
    ConstChanged,
    /// A string `format` was added or changed.
    FormatChanged,
    /// A numeric bound became stricter (`maxLength`, `minimum`, `maxSize`, ...).
    Narrowed {
        /// The constraint's name in the lexicon.
        constraint: &'static str,
        /// The old bound (`None`: unbounded).
        old: Option<i64>,
        /// The new bound.
        new: Option<i64>,
    },
    /// A MIME type that blobs could have is no longer accepted.
    AcceptNarrowed(String),
    /// A request or response body's encoding changed.
    EncodingChanged {
        /// Old encoding.
        old: String,
        /// New encoding.
        new: String,
    },
    /// A method now needs a request body, or no longer returns a response
    /// body.
    BodyChanged(&'static str),
}

impl fmt::Display for BreakingChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {:?}", self.path, self.kind)
    }
}
