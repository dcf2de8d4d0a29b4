//! TypeScript and JavaScript: one resolver (bundler-mode resolution), two
//! grammars (typescript, tsx).

pub(crate) mod extract;
pub(crate) mod resolve;
pub(crate) mod scan;
