//! The lexicon registry of the relay: every document under `lexicons/`,
//! embedded at build time and parsed once per isolate.

use std::rc::Rc;
use ues_lexicon::Lexicons;

include!(concat!(env!("OUT_DIR"), "/lexicons.rs"));

thread_local! {
    static REGISTRY: Rc<Lexicons> = Rc::new(load());
}

fn load() -> Lexicons {
    let mut lex = Lexicons::new();
    for d in DOCS {
        // A document the engine rejects is left out (and its methods are
        // then served unvalidated); the vendored set loads whole.
        let _ = lex.add_json(d);
    }
    lex
}

/// The registry.
pub fn registry() -> Rc<Lexicons> {
    REGISTRY.with(Rc::clone)
}
