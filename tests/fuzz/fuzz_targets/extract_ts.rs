//! TS/JS extractor: arbitrary UTF-8 through the TypeScript and TSX grammars;
//! every fact's span must lie within the text, on char boundaries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rules::parse_and_extract;
use rules::Lang;

include!("common.rs");

fuzz_target!(|text: &str| {
    for lang in [Lang::TypeScript, Lang::Tsx] {
        let (facts, _tree) = parse_and_extract(lang, text, None);
        check_facts(text, &facts);
    }
});
