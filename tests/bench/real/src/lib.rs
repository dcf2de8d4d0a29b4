//! Empty: this crate only pins a dependency tree for `cargo vendor`.
