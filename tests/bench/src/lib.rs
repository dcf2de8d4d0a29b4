//! The deterministic workspace generator, shared by the `archgate-bench`
//! binary (whole-process runs) and the `cargo bench` harness
//! (`benches/engine.rs`, one engine step at a time).

pub mod gen;
