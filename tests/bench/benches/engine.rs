//! One engine step at a time, on generated workspaces of 1,000 files:
//! `cargo bench -p layergate-bench`. Whole-process numbers (cold and warm
//! checks, the peers, the language server) come from the `layergate-bench`
//! binary; see the README's "Performance".
//!
//! `cargo test -p layergate-bench --benches` runs every benchmark once, as a
//! test that they still work (tests/run-all does).

use std::path::Path;
use std::sync::{Arc, OnceLock};

use divan::counter::BytesCount;
use divan::Bencher;
use layergate_bench::gen;
use rules::internals;
use rules::workspace::{self, Content, Workspace};
use rules::Config;
use rules::Lang;
use rules::Options;
use rules::RealFs;
use rules::{AnalysisHost, Change};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    rules::alloc::no_transparent_huge_pages();
    rules::alloc::tree_sitter_uses_mimalloc();
    divan::main();
}

const FILES: usize = 1000;
const KINDS: [&str; 2] = ["ts", "rust"];

/// A generated workspace, made once per process and kind.
struct Generated {
    _dir: tempfile::TempDir,
    config: Arc<Config>,
    /// The source file of median size (by size, then path), and its text.
    sample: (String, String),
    /// The crate root (`lib.rs`) of the Rust workspace's middle crate, and
    /// its text: a file of `mod` declarations.
    crate_root: Option<(String, String)>,
}

fn generated(kind: &str) -> &'static Generated {
    static TS: OnceLock<Generated> = OnceLock::new();
    static RUST: OnceLock<Generated> = OnceLock::new();
    let cell = if kind == "ts" { &TS } else { &RUST };
    cell.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path().to_path_buf();
        let made = if kind == "ts" {
            gen::typescript(&root, FILES, 42)
        } else {
            gen::rust(&root, FILES, 42)
        };
        made.expect("the generator writes the workspace");
        let config =
            Arc::new(Config::load(&root.join("layergate.toml")).expect("its config loads"));
        let ext = if kind == "ts" { "ts" } else { "rs" };
        let mut files = Vec::new();
        sources(&root, &root, ext, &mut files);
        assert!(files.len() >= FILES / 2, "{} {kind} files", files.len());
        let read =
            |rel: &str| std::fs::read_to_string(root.join(rel)).expect("a generated file reads");
        let mut by_size: Vec<(usize, &String)> = files.iter().map(|r| (read(r).len(), r)).collect();
        by_size.sort();
        let rel = by_size[by_size.len() / 2].1.clone();
        let mut roots: Vec<&String> = files.iter().filter(|r| r.ends_with("/lib.rs")).collect();
        roots.sort();
        let crate_root = roots.get(roots.len() / 2).map(|r| ((*r).clone(), read(r)));
        Generated {
            sample: (rel.clone(), read(&rel)),
            crate_root,
            _dir: dir,
            config,
        }
    })
}

fn sources(root: &Path, dir: &Path, ext: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir)
        .expect("a generated directory reads")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            sources(root, &path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            let rel = path.strip_prefix(root).expect("under the root");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn lang(kind: &str) -> Lang {
    if kind == "ts" {
        Lang::TypeScript
    } else {
        Lang::Rust
    }
}

fn options() -> Options {
    Options {
        today: "2026-01-01".into(),
        baseline: None,
    }
}

fn loaded(kind: &str) -> Workspace {
    let g = generated(kind);
    Workspace::load(g.config.clone(), Arc::new(RealFs))
}

/// The baseline: tree-sitter alone, one file.
#[divan::bench(args = KINDS)]
fn parse_only(bencher: Bencher, kind: &str) {
    let text = &generated(kind).sample.1;
    bencher
        .counter(BytesCount::of_str(text))
        .bench(|| workspace::parse(lang(kind), text, None));
}

/// Parse and extract facts, one file (what a file the scanner gives up on,
/// and every Rust file, costs).
#[divan::bench(args = KINDS)]
fn parse_and_extract(bencher: Bencher, kind: &str) {
    let text = &generated(kind).sample.1;
    let lang = lang(kind);
    bencher.counter(BytesCount::of_str(text)).bench(|| {
        let tree = workspace::parse(lang, text, None).expect("it parses");
        internals::extract(lang, &tree, text)
    });
}

/// The import scanner, one TS file (no tree).
#[divan::bench]
fn scan(bencher: Bencher) {
    let text = &generated("ts").sample.1;
    bencher
        .counter(BytesCount::of_str(text))
        .bench(|| internals::scan(text, Lang::TypeScript).expect("the scanner reads it"));
}

/// Walk, read, scan or parse, extract and resolve every file.
#[divan::bench(args = KINDS, sample_count = 10, sample_size = 1)]
fn load(kind: &str) -> Workspace {
    loaded(kind)
}

/// Every rule on every file of a loaded workspace (its evaluation results
/// dropped first, as a new config does).
#[divan::bench(args = KINDS, sample_count = 20, sample_size = 1)]
fn evaluate_all(bencher: Bencher, kind: &str) {
    let mut ws = AnalysisHost::new(loaded(kind), options());
    let config = generated(kind).config.clone();
    bencher.bench_local(|| {
        ws.apply_change(Change::Config(config.clone()));
        ws.check().diagnostics.len()
    });
}

/// A keystroke: one file's text replaced (an import added, then removed
/// again) and the incremental check, as the language server does it.
#[divan::bench(args = KINDS)]
fn edit_and_check(bencher: Bencher, kind: &str) {
    let g = generated(kind);
    edit(bencher, kind, &g.sample);
}

/// The same in a Rust crate root, above its `mod` declarations (they move
/// down a line and back).
#[divan::bench]
fn edit_and_check_above_mods(bencher: Bencher) {
    let g = generated("rust");
    let root = g
        .crate_root
        .as_ref()
        .expect("the Rust workspace has crates");
    assert!(root.1.contains("mod "), "{} declares no module", root.0);
    edit(bencher, "rust", root);
}

fn edit(bencher: Bencher, kind: &str, (rel, text): &(String, String)) {
    let mut ws = AnalysisHost::new(loaded(kind), options());
    ws.check();
    let lang = lang(kind);
    let edited = format!("{}{text}", layergate_bench::unresolved_import(lang));
    let mut i = 0usize;
    bencher.bench_local(|| {
        i += 1;
        let new = if i % 2 == 1 { &edited } else { text };
        let tree = workspace::parse(lang, new, None);
        ws.apply_change(Change::Text {
            rel: rel.clone(),
            content: Content::Text(new.clone()),
            tree,
        });
        ws.check().diagnostics.len()
    });
}
