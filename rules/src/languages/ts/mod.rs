//! TypeScript and JavaScript: one resolver (bundler-mode resolution), two
//! grammars (typescript, tsx).

pub mod extract;
pub mod resolve;
pub mod scan;
