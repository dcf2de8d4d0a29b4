//! Differential test of the language server's incremental state: random
//! (seeded) sequences of edits, new and deleted files, and config edits are
//! applied through the LSP; after every step the published diagnostics must
//! equal a cold `layergate check --format json` of the same contents (open
//! buffers written out) in a fresh directory.
//!
//! `LAYERGATE_DIFF_SEEDS=N` runs N seeds per test (default 5 × 4 tests).

#[path = "lsp_client.rs"]
mod client;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use client::{check_rows, diff, temp_dir, write_files, Client, Row};
use serde_json::json;

const STEPS: usize = 30;

const CONFIG: &str = r#"[workspace]
include = ["src/**"]

[[modules]]
name = "ui"
paths = ["src/ui/**"]

[[modules]]
name = "adapters"
paths = ["src/adapters/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[[modules]]
name = "core"
paths = ["src/core/**"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[layers]
order = ["ui", "adapters", "domain", "core", "infra"]

[[deny]]
id = "no-infra-in-ui"
from = ["ui"]
to = ["infra"]
message = "UI talks to infra through the domain"
"#;

/// Valid variants of the config the test switches between.
fn config_variant(n: u64) -> String {
    match n % 4 {
        0 => CONFIG.to_string(),
        1 => CONFIG.replace(
            r#"order = ["ui", "adapters", "domain", "core", "infra"]"#,
            r#"order = ["infra", "core", "domain", "adapters", "ui"]"#,
        ),
        2 => format!("{CONFIG}\n[checks]\ncycles = \"off\"\n"),
        _ => CONFIG.replace("to = [\"infra\"]", "to = [\"infra\", \"domain\"]"),
    }
}

/// Broken variants (the last valid config must stay in force).
fn broken_config(n: u64) -> String {
    match n % 3 {
        0 => CONFIG.replace("[layers]", "[layers"),
        1 => CONFIG.replace("name = \"core\"", "name = \"core\"\nnonsense = true"),
        _ => CONFIG.replace("from = [\"ui\"]", "from = [\"nowhere\"]"),
    }
}

fn initial_files() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "src/ui/page.ts",
            "import { order } from '../domain/order';\nexport const page = order;\n",
        ),
        (
            "src/ui/widget.tsx",
            "import { page } from './page';\nexport const w = () => <div>{page}</div>;\n",
        ),
        (
            "src/domain/order.ts",
            "import { db } from '../infra/db';\n// é 😀 ü\nexport const order = db + 1;\n",
        ),
        ("src/domain/money.ts", "export const money = 'π';\n"),
        ("src/infra/db.ts", "export const db = 1;\n"),
        (
            "src/lib.rs",
            "mod core;\nmod adapters;\npub use crate::core::Engine;\n",
        ),
        ("src/core/mod.rs", "pub mod model;\npub struct Engine;\n"),
        (
            "src/core/model.rs",
            "use super::Engine;\npub fn run(_e: &Engine) {}\n",
        ),
        (
            "src/adapters/mod.rs",
            // a missing module file and an inline module: edits above them
            // move their places in the resolver
            "use crate::core::model::run;\nmod gone;\nmod inner {\n    use crate::core::Engine;\n    use super::go;\n}\npub fn go() { let _ = run; }\n",
        ),
    ]
}

/// Lines that import across modules (some break layers, some do not).
const IMPORTS: &[(&str, &str)] = &[
    ("ts", "import { page } from '../ui/page';\n"),
    ("ts", "import { db } from '../infra/db';\n"),
    ("ts", "import { order } from '../domain/order';\n"),
    ("ts", "import { money } from '../domain/money';\n"),
    ("ts", "import { fresh } from '../domain/fresh';\n"),
    ("rs", "use crate::adapters::go;\n"),
    ("rs", "use crate::core::Engine;\n"),
    ("rs", "use crate::core::model::run;\n"),
];

const SNIPPETS: &[&str] = &[
    "x",
    " ",
    "é",
    "😀",
    "\n",
    "// ü\n",
    ";",
    "{",
    "}",
    "'",
    "/* 💥 */",
    "const q = 1;\n",
    "// layergate-ignore layers: reason\n",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// (line, column) of a char index, the column in the client's encoding.
fn position(text: &str, char_idx: usize, utf8: bool) -> (usize, usize) {
    let (mut line, mut col) = (0, 0);
    for c in text.chars().take(char_idx) {
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += if utf8 { c.len_utf8() } else { c.len_utf16() };
        }
    }
    (line, col)
}

fn byte_of(text: &str, char_idx: usize) -> usize {
    text.char_indices()
        .nth(char_idx)
        .map_or(text.len(), |(i, _)| i)
}

struct Model {
    root: std::path::PathBuf,
    disk: BTreeMap<String, String>,
    /// Open buffers: rel → (version, text).
    open: BTreeMap<String, (i32, String)>,
    valid_config: String,
    new_files: u32,
}

impl Model {
    fn contents(&self, config_valid: bool) -> BTreeMap<String, String> {
        let mut all = self.disk.clone();
        for (rel, (_, t)) in &self.open {
            all.insert(rel.clone(), t.clone());
        }
        if !config_valid {
            all.insert("layergate.toml".into(), self.valid_config.clone());
        }
        all
    }

    fn sources(&self) -> Vec<String> {
        let mut v: BTreeSet<String> = self.disk.keys().cloned().collect();
        v.extend(self.open.keys().cloned());
        v.into_iter().filter(|r| r != "layergate.toml").collect()
    }
}

/// One random step; returns a description for failure messages.
fn step(rng: &mut Rng, m: &mut Model, c: &mut Client) -> String {
    let sources = m.sources();
    let op = rng.below(100);
    let pick = |rng: &mut Rng| sources[rng.below(sources.len())].clone();
    if op < 40 {
        // insert or delete text in a buffer (opened first if needed)
        let rel = pick(rng);
        let path = m.root.join(&rel);
        if !m.open.contains_key(&rel) {
            let text = m.disk.get(&rel).cloned().unwrap_or_default();
            c.open(&path, 1, &text);
            m.open.insert(rel.clone(), (1, text));
        }
        let (version, text) = m.open.get_mut(&rel).unwrap();
        *version += 1;
        let n = text.chars().count();
        let at = rng.below(n + 1);
        let (l, col) = position(text, at, c.utf8);
        if op < 25 || n == 0 {
            let s = SNIPPETS[rng.below(SNIPPETS.len())];
            c.change(&path, *version, json!([{ "range": { "start": { "line": l, "character": col }, "end": { "line": l, "character": col } }, "text": s }]));
            let b = byte_of(text, at);
            text.insert_str(b, s);
            format!("insert {s:?} in {rel} at {l}:{col}")
        } else {
            let len = 1 + rng.below(8).min(n - at.min(n));
            let end = (at + len).min(n);
            let (el, ecol) = position(text, end, c.utf8);
            c.change(&path, *version, json!([{ "range": { "start": { "line": l, "character": col }, "end": { "line": el, "character": ecol } }, "text": "" }]));
            let (b, e) = (byte_of(text, at), byte_of(text, end));
            text.replace_range(b..e, "");
            format!("delete {l}:{col}-{el}:{ecol} in {rel}")
        }
    } else if op < 55 {
        // add an import line at the top (breaks or repairs layers), or remove the first line
        let rel = pick(rng);
        let path = m.root.join(&rel);
        let ext = if rel.ends_with(".rs") { "rs" } else { "ts" };
        if !m.open.contains_key(&rel) {
            let text = m.disk.get(&rel).cloned().unwrap_or_default();
            c.open(&path, 1, &text);
            m.open.insert(rel.clone(), (1, text));
        }
        let (version, text) = m.open.get_mut(&rel).unwrap();
        *version += 1;
        if rng.below(3) == 0 && text.contains('\n') {
            let first = text.find('\n').unwrap() + 1;
            let (el, ecol) = position(text, text[..first].chars().count(), c.utf8);
            c.change(&path, *version, json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": el, "character": ecol } }, "text": "" }]));
            text.replace_range(..first, "");
            format!("remove the first line of {rel}")
        } else {
            let cands: Vec<&str> = IMPORTS
                .iter()
                .filter(|(e, _)| *e == ext)
                .map(|(_, l)| *l)
                .collect();
            let line = cands[rng.below(cands.len())];
            c.change(&path, *version, json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": line }]));
            text.insert_str(0, line);
            format!("add {line:?} to {rel}")
        }
    } else if op < 65 {
        // a new file written behind the editor's back
        m.new_files += 1;
        let (rel, text) = match rng.below(3) {
            0 => (
                "src/domain/fresh.ts".to_string(),
                "export const fresh = 2;\n".to_string(),
            ),
            1 => (
                format!("src/ui/new{}.ts", m.new_files),
                "import { db } from '../infra/db';\n".to_string(),
            ),
            _ => (
                format!("src/core/new{}.rs", m.new_files),
                "use crate::adapters::go;\n".to_string(),
            ),
        };
        write_files(&m.root, &[(&rel, &text)]);
        m.disk.insert(rel.clone(), text);
        c.watched(&m.root.join(&rel), 1);
        format!("create {rel} on disk")
    } else if op < 72 {
        // delete a closed file on disk
        let closed: Vec<String> = m
            .disk
            .keys()
            .filter(|r| !m.open.contains_key(*r) && *r != "layergate.toml")
            .cloned()
            .collect();
        if closed.is_empty() {
            return "nothing to delete".into();
        }
        let rel = closed[rng.below(closed.len())].clone();
        let _ = std::fs::remove_file(m.root.join(&rel));
        m.disk.remove(&rel);
        c.watched(&m.root.join(&rel), 3);
        format!("delete {rel} on disk")
    } else if op < 80 {
        // close a buffer: back to the disk
        let open: Vec<String> = m
            .open
            .keys()
            .filter(|r| *r != "layergate.toml")
            .cloned()
            .collect();
        if open.is_empty() {
            return "nothing to close".into();
        }
        let rel = open[rng.below(open.len())].clone();
        c.close(&m.root.join(&rel));
        m.open.remove(&rel);
        format!("close {rel}")
    } else if op < 85 {
        // save a buffer: the disk catches up
        let open: Vec<String> = m
            .open
            .keys()
            .filter(|r| *r != "layergate.toml")
            .cloned()
            .collect();
        if open.is_empty() {
            return "nothing to save".into();
        }
        let rel = open[rng.below(open.len())].clone();
        let text = m.open[&rel].1.clone();
        write_files(&m.root, &[(&rel, &text)]);
        m.disk.insert(rel.clone(), text);
        c.watched(&m.root.join(&rel), 2);
        format!("save {rel}")
    } else {
        // edit layergate.toml in the editor: a valid or a broken config
        let rel = "layergate.toml".to_string();
        let path = m.root.join(&rel);
        if !m.open.contains_key(&rel) {
            let text = m.disk[&rel].clone();
            c.open(&path, 1, &text);
            m.open.insert(rel.clone(), (1, text));
        }
        let (version, text) = m.open.get_mut(&rel).unwrap();
        *version += 1;
        let n = rng.next();
        let new = if op < 93 {
            config_variant(n)
        } else {
            broken_config(n)
        };
        c.change(&path, *version, json!([{ "text": new }]));
        *text = new;
        format!(
            "config variant {} ({})",
            n % 4,
            if op < 93 { "valid" } else { "broken" }
        )
    }
}

fn run_seed(seed: u64) {
    let root = temp_dir("lsp-diff");
    let mut files = initial_files();
    files.push(("layergate.toml", CONFIG));
    write_files(&root, &files);
    let mut m = Model {
        root: root.clone(),
        disk: files
            .iter()
            .map(|(r, t)| (r.to_string(), t.to_string()))
            .collect(),
        open: BTreeMap::new(),
        valid_config: CONFIG.to_string(),
        new_files: 0,
    };
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut c = Client::start_in(&root, rng.below(2) == 0);
    c.wait_indexed();
    let mut log: Vec<String> = Vec::new();
    let mut compared = 0;
    for i in 0..STEPS {
        log.push(step(&mut rng, &mut m, &mut c));
        c.sync();
        // the cold check of the same contents
        let copy = temp_dir("lsp-diff-cold");
        let current = m.contents(true);
        let list: Vec<(&str, &str)> = current
            .iter()
            .map(|(r, t)| (r.as_str(), t.as_str()))
            .collect();
        write_files(&copy, &list);
        let (expected, valid) = match check_rows(&copy) {
            Some(rows) => (rows, true),
            None => {
                // a broken config: the last valid one is in force
                let fallback = m.contents(false);
                let list: Vec<(&str, &str)> = fallback
                    .iter()
                    .map(|(r, t)| (r.as_str(), t.as_str()))
                    .collect();
                write_files(&copy, &list);
                (
                    check_rows(&copy).expect("the last valid config checks"),
                    false,
                )
            }
        };
        if valid {
            if let Some((_, t)) = m.open.get("layergate.toml") {
                m.valid_config = t.clone();
            } else {
                m.valid_config = m.disk["layergate.toml"].clone();
            }
        }
        let _ = std::fs::remove_dir_all(&copy);
        let texts = current.clone();
        let root2 = root.clone();
        let mut got = c.rows(&move |p: &Path| {
            let rel = client::rel(&root2, p);
            texts.get(&rel).cloned()
        });
        let mut expected = expected;
        if !valid {
            let config_rows: Vec<Row> = got
                .iter()
                .filter(|r| r.file == "layergate.toml")
                .cloned()
                .collect();
            assert!(
                config_rows.iter().any(|r| r.rule == "config"),
                "seed {seed} step {i}: a broken config must be a `config` diagnostic; steps:\n{}",
                log.join("\n")
            );
            got.retain(|r| r.file != "layergate.toml");
            expected.retain(|r| r.file != "layergate.toml");
        }
        compared += expected.len();
        assert!(
            expected == got,
            "seed {seed} step {i} differs from a cold check:\n{}steps:\n{}",
            diff(&expected, &got),
            log.join("\n")
        );
    }
    assert!(compared > 0, "seed {seed}: no diagnostics compared");
    assert_eq!(c.finish(), Some(0));
    let _ = std::fs::remove_dir_all(&root);
}

fn seeds(offset: u64) {
    let n: u64 = std::env::var("LAYERGATE_DIFF_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    for s in 0..n {
        run_seed(offset * 1000 + s + 1);
    }
}

#[test]
fn differential_a() {
    seeds(1);
}

#[test]
fn differential_b() {
    seeds(2);
}

#[test]
fn differential_c() {
    seeds(3);
}

#[test]
fn differential_d() {
    seeds(4);
}
