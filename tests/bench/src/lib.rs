//! The deterministic workspace generator, shared by the `layergate-bench`
//! binary (whole-process runs) and the `cargo bench` harness
//! (`benches/engine.rs`, one engine step at a time).

pub mod gen;

use rules::Lang;

/// A line that imports from nowhere, put at the top of a file and taken off
/// again by the keystroke benchmarks (an edit that changes the imports).
pub fn unresolved_import(lang: Lang) -> &'static str {
    if lang == Lang::Rust {
        "use crate::nothing::Here;\n"
    } else {
        "import { nothing } from './nowhere';\n"
    }
}
