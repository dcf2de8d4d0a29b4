//! Resolvers: an in-memory workspace rooted at `/w` whose manifests and extra
//! files come from the input, then TS specifiers and Rust paths from the input.
//!
//! Input: NUL-separated parts:
//! `tsconfig.json \0 package.json \0 Cargo.toml \0 specifiers (one a line) \0 FILE...`
//! where each FILE part is `relative/path\ncontent`.
//! Checked: nothing panics or hangs, and a resolved file is a workspace file
//! (relative, no `..`, present in the file system).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use rules::parse_and_extract;
use rules::Lang;
use rules::internals::RustResolver;
use rules::internals::TsResolver;
use rules::resolve::{FileSystem, MemFs, Resolved};

const FIXED: &[(&str, &str)] = &[
    ("w/src/index.ts", "export * from './a';\n"),
    ("w/src/a.ts", "export const a = 1;\n"),
    ("w/src/deep/b.tsx", "export default 1;\n"),
    ("w/src/lib.rs", "pub mod a;\nmod deep;\n"),
    ("w/src/a.rs", "pub fn f() {}\n"),
    ("w/src/deep/mod.rs", "pub mod inner { pub mod leaf; }\n"),
    (
        "w/packages/p/package.json",
        r#"{"name":"p","exports":{".":"./src/index.ts"}}"#,
    ),
    ("w/packages/p/src/index.ts", "export {};\n"),
    ("w/crates/c/Cargo.toml", "[package]\nname = \"c-c\"\n"),
    ("w/crates/c/src/lib.rs", "pub mod x;\n"),
    ("outside/secret.ts", "export const s = 1;\n"),
    ("outside/Cargo.toml", "[package]\nname = \"outside\"\n"),
];

/// `path` the way `rules::workspace::walk` would list it, if it would.
fn walked_path(path: &str) -> Option<String> {
    if path.is_empty() || path.len() > 200 || path.starts_with('/') || path.contains('\\') {
        return None;
    }
    let mut segments = Vec::new();
    for s in path.split('/') {
        match s {
            "" | "." => {}
            ".." => return None,
            s => segments.push(s),
        }
    }
    (!segments.is_empty()).then(|| segments.join("/"))
}

fn check(fs: &MemFs, r: &Resolved, from: &str, spec: &str) {
    if let Resolved::File(p) = r {
        assert!(
            !p.starts_with('/') && !p.split('/').any(|s| s == ".." || s == "."),
            "{from}: {spec:?} resolved to a path outside the workspace: {p:?}"
        );
        assert!(
            fs.is_file(&Path::new("/w").join(p)),
            "{from}: {spec:?} resolved to {p:?}, which is not a file"
        );
    }
}

fuzz_target!(|text: &str| {
    let mut parts = text.split('\0');
    let tsconfig = parts.next().unwrap_or("");
    let package = parts.next().unwrap_or("");
    let cargo = parts.next().unwrap_or("");
    let specs: Vec<&str> = parts.next().unwrap_or("").lines().take(32).collect();
    let mut files: Vec<(String, String)> = FIXED
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    files.push(("w/tsconfig.json".into(), tsconfig.into()));
    files.push(("w/package.json".into(), package.into()));
    files.push(("w/Cargo.toml".into(), cargo.into()));
    for part in parts.take(16) {
        let (path, content) = part.split_once('\n').unwrap_or((part, ""));
        // as the walker lists files: relative, `/`-separated, no `.` or
        // empty segments, nothing that climbs out (`./a/b.rs` resolving to
        // itself is not a finding)
        let Some(path) = walked_path(path) else {
            continue;
        };
        files.push((format!("w/{path}"), content.into()));
    }
    let fs = MemFs::new(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let root = Path::new("/w");

    // TypeScript, with the nearest tsconfig and with an explicit one
    for explicit in [None, Some("tsconfig.json")] {
        let ts = TsResolver::new(root, explicit, &fs);
        for from in ["src/index.ts", "src/deep/b.tsx", "packages/p/src/index.ts"] {
            for spec in &specs {
                let r = ts.resolve(&fs, from, spec);
                check(&fs, &r, from, spec);
            }
        }
        let _ = ts.problems();
    }

    // Rust, with the `mod` declarations of every .rs file under /w
    let rs: Vec<(String, Vec<rules::facts::ModDecl>)> = files
        .iter()
        .filter_map(|(p, t)| {
            let rel = p.strip_prefix("w/")?;
            if !rel.ends_with(".rs") {
                return None;
            }
            let (facts, _) = parse_and_extract(Lang::Rust, t, None);
            Some((rel.to_string(), facts.mods))
        })
        .collect();
    let rust = RustResolver::new(root, &fs, &rs);
    for (from, _) in &rs {
        for spec in &specs {
            let r = rust.resolve(from, spec);
            check(&fs, &r, from, spec);
            let r = rust.resolve_at(from, spec, spec.len() as u32);
            check(&fs, &r, from, spec);
        }
        let _ = rust.module_path_of(from);
        let _ = rust.crate_name_of(from);
    }
    let _ = rust.problems();
    let _ = rust.missing_mods();
});
