//! Import scanner: arbitrary UTF-8 through `compare_with_tree` for the
//! TypeScript and TSX grammars. Whenever the scanner reads facts from a text
//! tree-sitter parses without errors, its imports, exports and suppressions
//! must equal the tree extractor's; a `Differs` is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rules::internals::{compare_with_tree, Verdict};
use rules::Lang;

fuzz_target!(|text: &str| {
    for lang in [Lang::TypeScript, Lang::Tsx] {
        if let Verdict::Differs(diff) = compare_with_tree(text, lang) {
            panic!("{lang:?}: the scanner and the tree differ on {text:?}\n{diff}");
        }
    }
});
