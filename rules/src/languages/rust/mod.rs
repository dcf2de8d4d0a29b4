//! Rust: items and `use` paths, resolved through Cargo crates and the `mod`
//! tree.

pub mod extract;
pub mod resolve;
