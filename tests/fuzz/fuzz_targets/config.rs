//! `layergate.toml` loader: arbitrary UTF-8 through `Config::parse`; when it
//! loads, its `[[pattern]]` queries and globs are exercised on a small file.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use rules::Config;
use rules::Lang;
use rules::{Content, FileEntry};

const SAMPLE_TS: &str = "import { a } from './a';\nexport const x = eval(process.env.X);\n";
const SAMPLE_RS: &str = "use std::env;\nfn main() { let _ = env::var(\"X\"); unsafe {} }\n";

fuzz_target!(|text: &str| {
    let config = match Config::parse(Path::new("/w/layergate.toml"), text) {
        Ok(c) => c,
        Err(problems) => {
            assert!(!problems.is_empty(), "Err without a problem");
            for p in &problems {
                assert!(p.span.start <= p.span.end, "inverted span {p:?}");
                assert!(p.span.end as usize <= text.len(), "span past the end {p:?}");
            }
            return;
        }
    };
    for p in &config.warnings {
        assert!(
            p.span.end as usize <= text.len(),
            "warning span past the end {p:?}"
        );
    }
    let _ = config.is_included("src/a/b.ts");
    let _ = config.all_rule_ids();
    for id in config.all_rule_ids() {
        let _ = config.rule_span(id);
        let _ = config.rule_message(id);
    }
    let _ = FileEntry::analyse(&config, Lang::TypeScript, Content::Text(SAMPLE_TS.into()));
    let _ = FileEntry::analyse(&config, Lang::Rust, Content::Text(SAMPLE_RS.into()));
});
