//! Differential test of the incremental engine: random edits applied with
//! `AnalysisHost::apply_change` (as the language server does), and
//! after every step the diagnostics must equal those of a cold load of the
//! same contents from disk. The changes reported by `check_changes` (what the
//! language server publishes), applied to a mirror, must equal it too.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rules::Config;
use rules::Diagnostic;
use rules::RealFs;
use rules::{check_cold, Baseline, Options};
use rules::{AnalysisHost, Change};
use rules::{Content, Workspace};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const CONFIG: &str = r#"
[[modules]]
name = "app"
paths = ["src/app/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]
public = ["src/domain/index.ts"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[[modules]]
name = "shared"
paths = ["src/shared/**"]
utility = true

[layers]
order = ["app", "infra", "domain"]

[[deny]]
id = "no-infra-reach"
from = ["domain"]
to = ["src/infra/db.ts"]
transitive = true

[[boundary]]
id = "env"
apis = ["global:process.env"]
allow_in = ["infra"]

[checks]
file_cycles = "warning"
"#;

const FILES: &[&str] = &[
    "src/app/main.ts",
    "src/app/page.ts",
    "src/domain/index.ts",
    "src/domain/user.ts",
    "src/domain/order.ts",
    "src/infra/db.ts",
    "src/infra/repo.ts",
    "src/shared/util.ts",
];

fn spec(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let up = from_dir.len() - 2;
    let mut s = "../".repeat(up);
    if up == 0 {
        s.push_str("./");
    }
    s.push_str(&to_parts[1..].join("/"));
    s.trim_end_matches(".ts").to_string()
}

fn random_line(rng: &mut Rng, from: &str, files: &[String]) -> String {
    let to = &files[rng.below(files.len())];
    match rng.below(6) {
        0 => format!("export {{ x{} }} from '{}';", rng.below(3), spec(from, to)),
        1 => format!("const e{} = process.env.X{};", rng.below(9), rng.below(3)),
        2 => match rng.below(3) {
            0 => "import { nothing } from './missing';".to_string(),
            1 => format!(
                "// layergate-ignore {}: test",
                ["layers", "env", "file-cycle"][rng.below(3)]
            ),
            _ => "const s = 1; // layergate-ignore layers, env: test".to_string(),
        },
        3 => format!("export const x{} = {};", rng.below(3), rng.below(100)),
        _ => format!("import {{ x{} }} from '{}';", rng.below(3), spec(from, to)),
    }
}

/// The second config: no transitive rule (so graph rules run only when an
/// edge changes), an `[[allow]]` entry, and a baseline in force.
fn config2() -> String {
    CONFIG.replace("transitive = true\n", "")
        + "\n[[allow]]\nfrom = [\"src/app/main.ts\"]\nto = [\"infra\"]\nreason = \"test\"\n"
}

/// The third config: module cycles the only graph rule (no transitive
/// rule, no file cycles), so an edit that keeps the module graph's edges
/// finds only its own file's cycles again.
fn config3() -> String {
    CONFIG
        .replace("transitive = true\n", "")
        .replace("file_cycles = \"warning\"\n", "")
}

fn opts(baseline: &Option<Baseline>) -> Options {
    Options {
        today: "2026-06-01".into(),
        baseline: baseline.clone(),
    }
}

fn diags(ws: &mut AnalysisHost, baseline: &Option<Baseline>) -> Vec<Diagnostic> {
    ws.apply_change(Change::Options(opts(baseline)));
    ws.check().diagnostics
}

fn set(ws: &mut AnalysisHost, rel: &str, text: String) {
    ws.apply_change(Change::Text {
        rel: rel.to_string(),
        content: Content::Text(text),
        tree: None,
    });
}

/// A cold check with every file parsed by tree-sitter: the incremental
/// workspace reads most files with the import scanner, so this compares the
/// two readings too.
fn cold(root: &Path, baseline: &Option<Baseline>) -> Vec<Diagnostic> {
    let mut config = Config::load(&root.join("layergate.toml")).unwrap();
    config.scan = false;
    check_cold(
        &Workspace::load(Arc::new(config), Arc::new(RealFs)),
        &opts(baseline),
    )
    .diagnostics
}

/// Applies `check_changes` to a per-file mirror; returns its flattening.
fn mirrored(
    ws: &mut AnalysisHost,
    baseline: &Option<Baseline>,
    mirror: &mut BTreeMap<String, Vec<Diagnostic>>,
) -> Vec<Diagnostic> {
    ws.apply_change(Change::Options(opts(baseline)));
    for (rel, d) in ws.check_changes().files {
        if d.is_empty() {
            mirror.remove(&rel);
        } else {
            mirror.insert(rel, d.to_vec());
        }
    }
    mirror.values().flatten().cloned().collect()
}

/// The incremental workspace of `root`, checked once against a cold check,
/// with the mirror of its published changes.
fn load_and_compare(
    root: &Path,
    baseline: &Option<Baseline>,
    seed: u64,
) -> (AnalysisHost, BTreeMap<String, Vec<Diagnostic>>) {
    let config = Config::load(&root.join("layergate.toml")).unwrap();
    let mut ws = AnalysisHost::new(
        Workspace::load(Arc::new(config), Arc::new(RealFs)),
        opts(baseline),
    );
    let mut mirror = BTreeMap::new();
    assert_eq!(
        mirrored(&mut ws, baseline, &mut mirror),
        cold(root, baseline),
        "seed {seed}: initial load"
    );
    (ws, mirror)
}

/// After a step: the incremental state, and (in three steps of four; the
/// changes must accumulate until asked for) the published changes, equal a
/// cold check of the same contents.
fn compare_step(
    ws: &mut AnalysisHost,
    root: &Path,
    baseline: &Option<Baseline>,
    mirror: &mut BTreeMap<String, Vec<Diagnostic>>,
    rng: &mut Rng,
    context: &str,
) {
    let fresh = cold(root, baseline);
    if rng.below(4) != 0 {
        assert_eq!(
            mirrored(ws, baseline, mirror),
            fresh,
            "{context}: reported changes differ from a cold check"
        );
    }
    assert_eq!(
        diags(ws, baseline),
        fresh,
        "{context}: incremental state differs from a cold check"
    );
}

fn run(seed: u64, steps: usize, config_text: &str, with_baseline: bool) {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::write(root.join("layergate.toml"), config_text).unwrap();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut files: Vec<String> = FILES.iter().map(|s| s.to_string()).collect();
    for f in &files {
        std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
        let mut text =
            String::from("export const x0 = 0;\nexport const x1 = 1;\nexport const x2 = 2;\n");
        for _ in 0..rng.below(3) {
            text.push_str(&random_line(&mut rng, f, &files));
            text.push('\n');
        }
        std::fs::write(root.join(f), text).unwrap();
    }
    let baseline = if with_baseline {
        Some(Baseline::from_diagnostics(&cold(root, &None)))
    } else {
        None
    };
    let baseline = &baseline;
    let (mut ws, mut mirror) = load_and_compare(root, baseline, seed);
    for step in 0..steps {
        let op = rng.below(10);
        let what;
        if op < 6 {
            // edit: add or delete a line
            let f = files[rng.below(files.len())].clone();
            let text = std::fs::read_to_string(root.join(&f)).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            if rng.below(2) == 0 || lines.len() < 2 {
                let at = rng.below(lines.len() + 1);
                lines.insert(at, random_line(&mut rng, &f, &files));
            } else {
                lines.remove(rng.below(lines.len()));
            }
            let new = lines.join("\n") + "\n";
            std::fs::write(root.join(&f), &new).unwrap();
            set(&mut ws, &f, new);
            what = format!("edit {f}");
        } else if op < 8 {
            // create a file
            // a new name, or one that competes with an existing file for
            // its imports (`./user` is `user.ts`, else `user.tsx`, else
            // `user/index.ts`): deleting one makes the imports of it resolve
            // to the next
            let dir = ["app", "domain", "infra", "shared"][rng.below(4)];
            let f = match rng.below(3) {
                0 => format!("src/{dir}/n{}.ts", rng.below(1000)),
                n => {
                    let base = files[rng.below(files.len())]
                        .trim_end_matches(".ts")
                        .trim_end_matches(".tsx")
                        .trim_end_matches("/index")
                        .to_string();
                    if n == 1 {
                        format!("{base}.tsx")
                    } else {
                        format!("{base}/index.ts")
                    }
                }
            };
            let text = format!(
                "export const x0 = 0;\n{}\n",
                random_line(&mut rng, &f, &files)
            );
            std::fs::create_dir_all(root.join(&f).parent().unwrap()).unwrap();
            std::fs::write(root.join(&f), &text).unwrap();
            set(&mut ws, &f, text);
            if !files.contains(&f) {
                files.push(f.clone());
            }
            what = format!("create {f}");
        } else if files.len() > 3 {
            let f = files.remove(rng.below(files.len()));
            std::fs::remove_file(root.join(&f)).unwrap();
            ws.apply_change(Change::Removed(f.clone()));
            what = format!("delete {f}");
        } else {
            continue;
        }
        let context = format!("seed {seed}, step {step} ({what})");
        compare_step(&mut ws, root, baseline, &mut mirror, &mut rng, &context);
    }
}

#[test]
fn incremental_equals_cold_over_random_edits() {
    for seed in 1..=25 {
        run(seed, 40, CONFIG, false);
    }
}

#[test]
fn incremental_equals_cold_with_module_cycles_the_only_graph_rule() {
    assert!(!config3().contains("transitive") && !config3().contains("file_cycles"));
    for seed in 1..=40 {
        run(seed, 40, &config3(), seed % 3 == 0);
    }
}

#[test]
fn incremental_equals_cold_with_allow_baseline_and_no_transitive_rule() {
    for seed in 1..=25 {
        run(seed, 40, &config2(), seed % 2 == 0);
    }
}

/// A workspace loaded under a config without global API rules reads every
/// file with the scanner (no API uses); a new config naming `process.env`
/// must parse the files that mention it, and only those.
#[test]
fn a_new_global_api_rule_parses_scanned_files_again() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    let without = CONFIG.replace("apis = [\"global:process.env\"]", "apis = [\"node:fs\"]");
    assert_ne!(without, CONFIG);
    std::fs::write(root.join("layergate.toml"), &without).unwrap();
    for (f, text) in [
        (
            "src/domain/user.ts",
            "export const home = process.env.HOME;\n",
        ),
        ("src/domain/order.ts", "export const x0 = 0;\n"),
        ("src/app/main.ts", "import { x0 } from '../domain/order';\n"),
    ] {
        std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
        std::fs::write(root.join(f), text).unwrap();
    }
    let config = Config::load(&root.join("layergate.toml")).unwrap();
    let mut ws = AnalysisHost::new(
        Workspace::load(Arc::new(config), Arc::new(RealFs)),
        opts(&None),
    );
    assert!(ws.files.values().all(|e| e.facts.scanned));
    assert_eq!(diags(&mut ws, &None), cold(root, &None));

    std::fs::write(root.join("layergate.toml"), CONFIG).unwrap();
    let config = Config::load(&root.join("layergate.toml")).unwrap();
    ws.apply_change(Change::Config(Arc::new(config)));
    let scanned: Vec<(&str, bool)> = ws
        .files
        .iter()
        .map(|(rel, e)| (rel.as_str(), e.facts.scanned))
        .collect();
    assert_eq!(
        scanned,
        [
            ("src/app/main.ts", true),
            ("src/domain/order.ts", true),
            ("src/domain/user.ts", false),
        ]
    );
    let got = diags(&mut ws, &None);
    assert!(
        got.iter().any(|d| d.rule == "env"),
        "the new rule reports the use: {got:?}"
    );
    assert_eq!(got, cold(root, &None));
}

const RUST_CONFIG: &str = r#"
[[modules]]
name = "root"
paths = ["src/lib.rs"]

[[modules]]
name = "app"
paths = ["src/app/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[layers]
order = ["app", "infra", "domain"]

[checks]
unresolved = "error"
"#;

const RUST_FILES: &[(&str, &str)] = &[
    (
        "src/lib.rs",
        "pub mod app;\npub mod domain;\npub mod infra;\n",
    ),
    ("src/app/mod.rs", "pub fn run() {}\n"),
    ("src/domain/mod.rs", "pub mod model;\npub fn rule() {}\n"),
    ("src/domain/model.rs", "pub struct Model;\n"),
    ("src/domain/extra.rs", "pub struct Extra;\n"),
    ("src/infra/mod.rs", "pub mod db;\n"),
    ("src/infra/db.rs", "pub fn connect() {}\n"),
];

/// A line of Rust: imports across the layers, lines that only move what is
/// below them, `mod` declarations (present, missing and inline, whose
/// places the resolver keeps), items, and what makes a `use` name an item
/// that is not there (item-level `unresolved`) or keeps it open.
fn random_rust_line(rng: &mut Rng) -> String {
    match rng.below(9) {
        0 => ["use crate::infra::db::connect;", "use crate::app::run;"][rng.below(2)].to_string(),
        1 => [
            "use crate::domain::model::Model;",
            "use crate::domain::rule;",
            // item-level `unresolved`: they come and go with the items,
            // globs, macro calls and exported macros of other files
            "use crate::domain::Extra;",
            "use crate::domain::model::Missing;",
            "use crate::made;",
            "pub use crate::domain::extra::*;",
            "gen! { Extra }",
            "#[macro_export] macro_rules! made { () => {} }",
            "pub struct Extra;",
        ][rng.below(9)]
        .to_string(),
        2 => [
            "use super::rule;",
            "use self::model::Model;",
            "use super::super::app::run;",
        ][rng.below(3)]
        .to_string(),
        3 => "// a comment".to_string(),
        4 => String::new(),
        5 => ["pub mod model;", "pub mod extra;", "mod gone;"][rng.below(3)].to_string(),
        6 => format!(
            "mod inner{} {{ use super::rule; use crate::infra::db::connect; }}",
            rng.below(2)
        ),
        7 => "fn f() { crate::infra::db::connect(); }".to_string(),
        _ => "pub fn rule() {}".to_string(),
    }
}

/// A temporary directory holding [`RUST_CONFIG`] and [`RUST_FILES`].
fn rust_crate() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("layergate.toml"), RUST_CONFIG).unwrap();
    for (f, text) in RUST_FILES {
        std::fs::create_dir_all(t.path().join(f).parent().unwrap()).unwrap();
        std::fs::write(t.path().join(f), text).unwrap();
    }
    t
}

/// [`run`] for a Rust crate: every edit inserts, replaces or deletes one
/// line, so `mod` declarations keep moving, appear, disappear and change.
fn run_rust(seed: u64, steps: usize) {
    let t = rust_crate();
    let root = t.path();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (mut ws, mut mirror) = load_and_compare(root, &None, seed);
    let mut moved = 0;
    for step in 0..steps {
        let (f, _) = RUST_FILES[rng.below(RUST_FILES.len())];
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let op = rng.below(3);
        let what = if op == 0 || lines.len() < 2 {
            let at = rng.below(lines.len() + 1);
            let line = random_rust_line(&mut rng);
            moved += usize::from(lines[at..].iter().any(|l| l.contains("mod ")));
            lines.insert(at, line.clone());
            format!("insert {line:?} at line {at} of {f}")
        } else if op == 1 {
            // as many `mod`s as before, maybe other ones
            let at = rng.below(lines.len());
            let line = random_rust_line(&mut rng);
            let old = std::mem::replace(&mut lines[at], line.clone());
            format!("replace {old:?} (line {at}) of {f} with {line:?}")
        } else {
            let at = rng.below(lines.len());
            let line = lines.remove(at);
            format!("delete {line:?} (line {at}) of {f}")
        };
        let new = lines.join("\n") + "\n";
        std::fs::write(root.join(f), &new).unwrap();
        set(&mut ws, f, new);
        let context = format!("seed {seed}, step {step} ({what})");
        compare_step(&mut ws, root, &None, &mut mirror, &mut rng, &context);
    }
    assert!(moved > 0, "seed {seed}: no edit moved a `mod` declaration");
}

#[test]
fn rust_incremental_equals_cold_over_random_edits() {
    for seed in 1..=25 {
        run_rust(seed, 40);
    }
}

/// Item-level `unresolved` reads other files: the target's items, and at a
/// crate root every file of the crate (a `#[macro_export]` macro is named
/// there wherever it is written). Each edit below changes only a file the
/// importer does not import, and the importer's diagnostic must follow.
#[test]
fn item_level_unresolved_follows_the_files_it_read() {
    let t = rust_crate();
    let root = t.path();
    let app = "use crate::made;\nuse crate::domain::Model2;\npub fn run() {}\n";
    std::fs::write(root.join("src/app/mod.rs"), app).unwrap();
    let (mut ws, mut mirror) = load_and_compare(root, &None, 0);
    let unresolved = |ws: &mut AnalysisHost| {
        diags(ws, &None)
            .into_iter()
            .filter(|d| d.rule == "unresolved")
            .map(|d| d.target.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        unresolved(&mut ws),
        ["crate::made", "crate::domain::Model2"],
        "both names are missing at first"
    );
    let mut rng = Rng(7);
    let steps: &[(&str, &str, &[&str])] = &[
        // the macro is exported from a file app does not import
        (
            "src/infra/db.rs",
            "pub fn connect() {}\n#[macro_export]\nmacro_rules! made { () => {} }\n",
            &["crate::domain::Model2"],
        ),
        // domain gets the item
        (
            "src/domain/mod.rs",
            "pub mod model;\npub fn rule() {}\npub use self::model::Model as Model2;\n",
            &[],
        ),
        // and both go again
        ("src/infra/db.rs", "pub fn connect() {}\n", &["crate::made"]),
        (
            "src/domain/mod.rs",
            "pub mod model;\npub fn rule() {}\n",
            &["crate::made", "crate::domain::Model2"],
        ),
        // a glob import opens domain: any name may be there
        (
            "src/domain/mod.rs",
            "pub mod model;\npub fn rule() {}\npub use self::model::*;\n",
            &["crate::made"],
        ),
    ];
    for (i, (f, text, want)) in steps.iter().enumerate() {
        std::fs::write(root.join(f), text).unwrap();
        set(&mut ws, f, text.to_string());
        compare_step(
            &mut ws,
            root,
            &None,
            &mut mirror,
            &mut rng,
            &format!("step {i}"),
        );
        assert_eq!(unresolved(&mut ws), *want, "step {i}");
    }
}

/// An edit that changes nothing other files read of the edited file (a
/// function body, an import of its own) stales only its own results; one
/// that changes an export or a re-export stales its importers' too. The
/// differential tests above check that the narrow case stays equal to cold.
#[test]
fn an_edit_that_offers_the_same_stales_only_the_edited_file() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::write(root.join("layergate.toml"), CONFIG).unwrap();
    let hub = "src/shared/util.ts";
    let files = [
        (
            hub,
            "export const x0 = 0;\nexport function f() { return 1; }\n",
        ),
        ("src/app/main.ts", "import { x0 } from '../shared/util';\n"),
        (
            "src/domain/user.ts",
            "import { f } from '../shared/util';\n",
        ),
    ];
    for (rel, text) in files {
        std::fs::create_dir_all(root.join(rel).parent().unwrap()).unwrap();
        std::fs::write(root.join(rel), text).unwrap();
    }
    let config = Config::load(&root.join("layergate.toml")).unwrap();
    let mut ws = Workspace::load(Arc::new(config), Arc::new(RealFs));
    ws.take_invalidation();
    let edit = |ws: &mut Workspace, text: &str| {
        ws.set_file(hub, Content::Text(text.to_string()), None);
        let inv = ws.take_invalidation();
        (inv.own, inv.deep, inv.files)
    };
    let own = (vec![hub.to_string()], vec![], vec![]);
    let deep = (vec![], vec![hub.to_string()], vec![]);
    let all = (vec![], vec![], vec![hub.to_string()]);
    // typing in a body, then an import of its own, then a line above all
    let body = "export const x0 = 0;\nexport function f() { return 12; }\n";
    assert_eq!(edit(&mut ws, body), own);
    let import = format!("import {{ x0 }} from '../app/main';\n{body}");
    assert_eq!(edit(&mut ws, &import), own);
    assert_eq!(edit(&mut ws, &format!("\n{import}")), own);
    // a new export: for the files that read its exports (none read those
    // of a file that re-exports nothing)
    let export = format!("{import}export const x1 = 1;\n");
    assert_eq!(edit(&mut ws, &export), deep);
    // a first re-export: for every importer
    let reexport = format!("{export}export {{ x0 as y }} from '../app/main';\n");
    assert_eq!(edit(&mut ws, &reexport), all);
    // another re-export, then no more re-exports
    let more = format!("{reexport}export {{ x0 as z }} from '../app/main';\n");
    assert_eq!(edit(&mut ws, &more), deep);
    assert_eq!(edit(&mut ws, "export function f() {}\n"), all);
}

const PY_CONFIG: &str = r#"
[[modules]]
name = "app"
paths = ["src/pkg/app/**"]

[[modules]]
name = "domain"
paths = ["src/pkg/domain/**"]
public = ["src/pkg/domain/__init__.py"]

[[modules]]
name = "infra"
paths = ["src/pkg/infra/**"]

[layers]
order = ["app", "infra", "domain"]

[[deny]]
id = "no-db-reach"
from = ["domain"]
to = ["src/pkg/infra/db.py"]
transitive = true

[checks]
file_cycles = "error"
"#;

const PY_FILES: &[&str] = &[
    "src/pkg/__init__.py",
    "src/pkg/app/__init__.py",
    "src/pkg/app/run.py",
    "src/pkg/domain/__init__.py",
    "src/pkg/domain/model.py",
    "src/pkg/domain/rule.py",
    "src/pkg/infra/__init__.py",
    "src/pkg/infra/db.py",
];

/// Files that come and go: a submodule that competes with a name of its
/// package (`from pkg.infra import extra`), a package that shadows a module
/// (`pkg/domain/rule/__init__.py` wins over `rule.py`), a stub-only module,
/// and a TypeScript file that creates a directory.
const PY_OPTIONAL: &[&str] = &[
    "src/pkg/infra/extra.py",
    "src/pkg/domain/rule/__init__.py",
    "src/pkg/infra/native.pyi",
    "src/pkg/web/view.ts",
];

/// A line of Python: imports across the layers in every form, re-exports
/// and `__all__`, type-only and function-level imports, names, and lines
/// that only move what is below them.
fn random_python_line(rng: &mut Rng) -> String {
    [
        "from pkg.infra import db",
        "from pkg.infra import extra",
        "from pkg.infra import native",
        "import pkg.infra.db",
        "import pkg.app.run",
        "from pkg.domain import Model",
        "from pkg.domain import rule",
        "from pkg.domain.model import Model",
        "from . import model",
        "from .. import infra",
        "from ..infra.db import connect",
        "from .model import Model as Model",
        "from .model import *",
        "from ...above import x",
        "from pkg.web import view",
        "__all__ = [\"Model\", \"db\"]",
        "if TYPE_CHECKING: from pkg.app import run",
        "def f(): import pkg.infra.db",
        "Model = 1",
        "def connect(): pass",
        "import requests",
        "# a comment",
        "",
    ][rng.below(23)]
    .to_string()
}

fn run_python(seed: u64, steps: usize) {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::write(root.join("layergate.toml"), PY_CONFIG).unwrap();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    for f in PY_FILES {
        std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
        let mut text = String::new();
        for _ in 0..rng.below(3) {
            text.push_str(&random_python_line(&mut rng));
            text.push('\n');
        }
        std::fs::write(root.join(f), text).unwrap();
    }
    let (mut ws, mut mirror) = load_and_compare(root, &None, seed);
    let mut present: Vec<&str> = Vec::new();
    for step in 0..steps {
        let what = if rng.below(5) == 0 {
            let f = PY_OPTIONAL[rng.below(PY_OPTIONAL.len())];
            if let Some(i) = present.iter().position(|p| *p == f) {
                present.remove(i);
                std::fs::remove_file(root.join(f)).unwrap();
                ws.apply_change(Change::Removed(f.to_string()));
                format!("delete {f}")
            } else {
                present.push(f);
                let text = if f.ends_with(".ts") {
                    "export const v = 1;\n".to_string()
                } else {
                    random_python_line(&mut rng) + "\n"
                };
                std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
                std::fs::write(root.join(f), &text).unwrap();
                set(&mut ws, f, text);
                format!("create {f}")
            }
        } else {
            let f = PY_FILES[rng.below(PY_FILES.len())];
            let text = std::fs::read_to_string(root.join(f)).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let line = random_python_line(&mut rng);
            if rng.below(3) != 0 || lines.is_empty() {
                let at = rng.below(lines.len() + 1);
                lines.insert(at, line);
            } else {
                lines.remove(rng.below(lines.len()));
            }
            let new = lines.join("\n") + "\n";
            std::fs::write(root.join(f), &new).unwrap();
            set(&mut ws, f, new);
            format!("edit {f}")
        };
        let context = format!("seed {seed}, step {step} ({what})");
        compare_step(&mut ws, root, &None, &mut mirror, &mut rng, &context);
    }
}

#[test]
fn python_incremental_equals_cold_over_random_edits() {
    for seed in 1..=25 {
        run_python(seed, 40);
    }
}
