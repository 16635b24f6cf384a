//! The UES lexicon engine (layer 3): AT Protocol lexicon documents and the
//! data that must follow them.
//!
//! - [`LexiconDoc`] parses a lexicon v1 document and checks its structure
//!   ([`LexiconError`] says what is wrong),
//! - [`Lexicons`] holds many documents and resolves references across them,
//! - `Lexicons::validate_record` / `validate_input` / `validate_output` /
//!   `validate_params` / `validate_message` check values in the atproto JSON
//!   form (or IPLD) against them ([`ValidationError`] carries a path such as
//!   `$.embed.images[0].alt`); `parse_params` types and checks XRPC
//!   query-string parameters,
//! - [`check_evolution`] lists the [`BreakingChange`]s between two versions
//!   of a document ([`check_evolution_set`]: between two sets).
//!
//! Pure Rust, synchronous, no host APIs: it builds unchanged for wasm32,
//! where documents are embedded with `include_str!` by the caller.

mod check;
mod error;
mod evolution;
mod params;
mod primitive;
mod registry;
pub mod schema;
mod validate;

pub use error::{LexiconError, ValidationError};
pub use evolution::{check_evolution, check_evolution_set, BreakingChange, ChangeKind};
pub use primitive::{format as check_format, mime_matches};
pub use registry::{normalize_ref, Lexicons};
pub use schema::{LexiconDoc, RecordKeyType, Schema, StringFormat};
