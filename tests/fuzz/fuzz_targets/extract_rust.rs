//! Rust extractor: arbitrary UTF-8; every fact's span must lie within the
//! text, on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rules::parse_and_extract;
use rules::Lang;

include!("common.rs");

fuzz_target!(|text: &str| {
    let (facts, _tree) = parse_and_extract(Lang::Rust, text, None);
    check_facts(text, &facts);
});
