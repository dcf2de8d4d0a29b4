//! End-to-end tests of `layergate explain`, `allowed`, `graph` and `init`: the
//! real binary on small workspaces written to temporary directories.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A workspace in `<tmp>/<name>`, so the root's name is stable in snapshots.
struct Ws {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

fn workspace(name: &str, files: &[(&str, &str)]) -> Ws {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join(name);
    std::fs::create_dir_all(&root).expect("root");
    let root = root.canonicalize().expect("canonical root");
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
        std::fs::write(&p, text).expect("write");
    }
    Ws { _tmp: tmp, root }
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn layergate(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_layergate"))
        .args(args)
        .current_dir(dir)
        .env("LAYERGATE_NOW", "2026-06-01")
        .env_remove("NO_COLOR")
        .output()
        .expect("run layergate");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a command that must succeed; its stdout with the root redacted.
fn ok(ws: &Ws, dir: &str, args: &[&str]) -> String {
    let out = layergate(&ws.root.join(dir), args);
    assert_eq!(out.code, 0, "{args:?} failed: {}", out.stderr);
    out.stdout.replace(&ws.root.display().to_string(), "[ROOT]")
}

const SHOP_CONFIG: &str = r#"
[workspace]
include = ["src/**"]

[[modules]]
name = "app"
paths = ["src/app/**"]
depends_on = ["domain", "infra", "shared"]
description = "Entry points | wiring"

[[modules]]
name = "domain"
paths = ["src/domain/**"]
public = ["src/domain/index.ts"]
external = ["zod", "npm:@tanstack/*"]
description = "Business rules. No I/O."

[[modules]]
name = "db"
paths = ["src/infra/db/**"]
visible_to = ["infra"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[[modules]]
name = "jobs"
paths = ["src/jobs/**"]

[[modules]]
name = "shared"
paths = ["src/shared/**"]
utility = true

[[modules]]
name = "feature-{1}"
group = "features"
paths = ["src/app/features/*/**"]
depends_on = []

[layers]
order = ["app", ["infra", "jobs"], "domain"]

[[deny]]
id = "domain-is-pure"
from = ["domain"]
to = ["npm:axios", "node:fs", "src/legacy/**"]
message = "The domain stays free of I/O."
transitive = true

[[boundary]]
id = "env-access"
apis = ["global:process.env"]
allow_in = ["src/config/**"]
message = "Read configuration once, in src/config."

[[boundary]]
id = "process-spawn"
apis = ["node:child_process"]
allow_in = ["infra"]
severity = "warning"

[[pattern]]
id = "no-eval"
language = "typescript"
query = '((call_expression function: (identifier) @callee) (#eq? @callee "eval"))'
message = "eval runs untrusted strings as code."

[[allow]]
from = ["src/jobs/run.ts"]
to = ["infra"]
rules = ["layers"]
reason = "the job runner wires infra"

[checks]
unresolved = "off"
type_only_imports = "ignore"
"#;

fn shop() -> Ws {
    workspace(
        "shop",
        &[
            ("layergate.toml", SHOP_CONFIG),
            (
                "src/app/main.ts",
                "import { order } from \"../domain/index\";\nimport { q } from \"../infra/db/pool\";\nimport { s } from \"../shared/util\";\nimport type { T } from \"../jobs/run\";\nexport const main = [order, q, s];\n",
            ),
            (
                "src/app/features/billing/bill.ts",
                "import { search } from \"../search/find\";\nexport const bill = search;\n",
            ),
            ("src/app/features/search/find.ts", "export const search = 1;\n"),
            ("src/domain/index.ts", "export { order } from \"./order\";\n"),
            (
                "src/domain/order.ts",
                "import { x } from \"../infra/repo\";\nexport const order = x;\n",
            ),
            (
                "src/infra/repo.ts",
                "import { order } from \"../domain/index\";\nexport const x = 1;\nexport const y = order;\n",
            ),
            ("src/infra/db/pool.ts", "export const q = 1;\n"),
            (
                "src/jobs/run.ts",
                "import { x } from \"../infra/repo\";\nexport type T = number;\nexport const run = x;\n",
            ),
            ("src/shared/util.ts", "export const s = 1;\n"),
            ("src/legacy/old.ts", "export const old = 1;\n"),
        ],
    )
}

// ---------------------------------------------------------------------------
// explain

#[test]
fn explain_markdown() {
    let ws = shop();
    insta::assert_snapshot!("explain_shop", ok(&ws, "", &["explain"]));
}

#[test]
fn explain_from_a_subdirectory_and_with_config() {
    let ws = shop();
    let top = ok(&ws, "", &["explain"]);
    assert_eq!(ok(&ws, "src/app", &["explain"]), top);
    assert_eq!(
        ok(&ws, "src", &["explain", "--config", "../layergate.toml"]),
        top
    );
}

#[test]
fn explain_minimal_config() {
    let ws = workspace(
        "tiny",
        &[
            ("layergate.toml", "[checks]\nlayers = \"warning\"\n"),
            ("src/a.ts", "export const a = 1;\n"),
        ],
    );
    insta::assert_snapshot!("explain_tiny", ok(&ws, "", &["explain"]));
}

#[test]
fn explain_without_config_is_a_usage_error() {
    let ws = workspace("none", &[("src/a.ts", "export const a = 1;\n")]);
    let out = layergate(&ws.root, &["explain"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("no layergate.toml found"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------
// graph

#[test]
fn graph_dot() {
    let ws = shop();
    insta::assert_snapshot!("graph_shop_dot", ok(&ws, "", &["graph"]));
    assert_eq!(
        ok(&ws, "", &["graph", "--format", "dot"]),
        ok(&ws, "", &["graph"])
    );
}

#[test]
fn graph_mermaid() {
    let ws = shop();
    insta::assert_snapshot!(
        "graph_shop_mermaid",
        ok(&ws, "", &["graph", "--format", "mermaid"])
    );
}

#[test]
fn graph_single_group_has_no_clusters_and_counts_type_only_imports() {
    let ws = workspace(
        "two",
        &[
            (
                "layergate.toml",
                "[[modules]]\nname = \"a\"\npaths = [\"a/**\"]\n\n[[modules]]\nname = \"b\"\npaths = [\"b/**\"]\n\n[layers]\norder = [\"a\", \"b\"]\n",
            ),
            (
                "a/x.ts",
                "import { y } from \"../b/y\";\nimport type { Z } from \"../b/z\";\nexport const x = y;\n",
            ),
            ("b/y.ts", "export const y = 1;\n"),
            (
                "b/z.ts",
                "import { x } from \"../a/x\";\nexport type Z = typeof x;\n",
            ),
        ],
    );
    assert_eq!(
        ok(&ws, "", &["graph"]),
        "// layergate module graph: 2 modules, 2 edges, 2 with violations (red)\n\
         digraph layergate {\n  rankdir=TB;\n  node [shape=box];\n  \
         \"a\" [label=\"a\\n1 file\"];\n  \"b\" [label=\"b\\n2 files\"];\n  \
         \"a\" -> \"b\" [color=red, fontcolor=red, label=\"cycle\", tooltip=\"2 imports\"];\n  \
         \"b\" -> \"a\" [color=red, fontcolor=red, label=\"cycle, layers\", tooltip=\"1 import\"];\n}\n"
    );
    assert_eq!(
        ok(&ws, "", &["graph", "--format", "mermaid"]),
        "flowchart TD\n  %% layergate module graph: 2 modules, 2 edges, 2 with violations (dotted, red)\n  \
         m0[\"a<br/>1 file\"]\n  m1[\"b<br/>2 files\"]\n  \
         m0 -.->|cycle| m1\n  m1 -.->|cycle, layers| m0\n  linkStyle 0,1 stroke:red,color:red\n"
    );
}

/// `(from, to, [(line, specifier, kind, type_only, rules)])` of a file graph's JSON.
type FileEdges = Vec<(
    String,
    String,
    Vec<(u64, String, String, bool, Vec<String>)>,
)>;

fn file_edges(json: &str) -> FileEdges {
    let v: serde_json::Value = serde_json::from_str(json).expect("graph JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["level"], "file");
    v["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let imports = e["imports"]
                .as_array()
                .expect("imports")
                .iter()
                .map(|i| {
                    assert_eq!(i["file"], e["from"]);
                    assert_eq!(i["target"], e["to"]);
                    (
                        i["line"].as_u64().expect("line"),
                        i["specifier"].as_str().expect("specifier").to_string(),
                        i["kind"].as_str().expect("kind").to_string(),
                        i["type_only"].as_bool().expect("type_only"),
                        i["rules"]
                            .as_array()
                            .expect("rules")
                            .iter()
                            .map(|r| r.as_str().expect("rule").to_string())
                            .collect(),
                    )
                })
                .collect();
            (
                e["from"].as_str().expect("from").to_string(),
                e["to"].as_str().expect("to").to_string(),
                imports,
            )
        })
        .collect()
}

fn rec(
    line: u64,
    spec: &str,
    kind: &str,
    type_only: bool,
    rules: &[&str],
) -> (u64, String, String, bool, Vec<String>) {
    (
        line,
        spec.to_string(),
        kind.to_string(),
        type_only,
        rules.iter().map(|r| r.to_string()).collect(),
    )
}

#[test]
fn graph_file_level_json_lists_every_resolved_import() {
    let ws = workspace(
        "files",
        &[
            (
                "layergate.toml",
                "[[modules]]\nname = \"a\"\npaths = [\"a/**\"]\n\n[[modules]]\nname = \"b\"\npaths = [\"b/**\"]\n\n[layers]\norder = [\"a\", \"b\"]\n",
            ),
            (
                "a/x.ts",
                "import { y } from \"../b/y\";\nimport type { Z } from \"../b/z\";\nconst w = require(\"./w\");\nexport const x = () => import(\"../b/y\");\nexport { v } from \"./v\";\nimport \"left-pad\";\nimport { gone } from \"./gone\";\n",
            ),
            ("a/w.ts", "export const w = 1;\n"),
            ("a/v.ts", "export const v = 1;\n"),
            ("b/y.ts", "export const y = 1;\n"),
            ("b/z.ts", "import { x } from \"../a/x\";\nexport type Z = typeof x;\n"),
            ("loose.ts", "export const l = 1;\n"),
        ],
    );
    let json = ok(&ws, "", &["graph", "--level", "file", "--format", "json"]);
    let s = |x: &str| x.to_string();
    assert_eq!(
        file_edges(&json),
        vec![
            (
                s("a/x.ts"),
                s("a/v.ts"),
                vec![rec(5, "./v", "re-export", false, &[])]
            ),
            (
                s("a/x.ts"),
                s("a/w.ts"),
                vec![rec(3, "./w", "require", false, &[])]
            ),
            (
                s("a/x.ts"),
                s("b/y.ts"),
                vec![
                    rec(1, "../b/y", "static", false, &["cycle"]),
                    rec(4, "../b/y", "dynamic", false, &["cycle"]),
                ]
            ),
            (
                s("a/x.ts"),
                s("b/z.ts"),
                vec![rec(2, "../b/z", "static", true, &[])]
            ),
            (
                s("b/z.ts"),
                s("a/x.ts"),
                vec![rec(1, "../a/x", "static", false, &["cycle", "layers"])]
            ),
        ]
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["workspace"], ".");
    let files: Vec<(String, serde_json::Value)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["modules"].clone(),
            )
        })
        .collect();
    assert_eq!(files.len(), 6, "{files:?}");
    assert_eq!(files[5], (s("loose.ts"), serde_json::json!({})));
    assert_eq!(files[4], (s("b/z.ts"), serde_json::json!({"modules": "b"})));
    // the type-only edge is dashed in dot; the violating one red
    let dot = ok(&ws, "", &["graph", "--level", "file"]);
    assert!(
        dot.contains("\"a/x.ts\" -> \"b/z.ts\" [style=dashed, tooltip=\"1 import\"];"),
        "{dot}"
    );
    assert!(
        dot.contains("\"b/z.ts\" -> \"a/x.ts\" [color=red, fontcolor=red, label=\"cycle, layers\", tooltip=\"1 import\"];"),
        "{dot}"
    );
    assert!(
        dot.starts_with("// layergate file graph: 6 files, 5 edges, 2 with violations (red)\n"),
        "{dot}"
    );
    let mermaid = ok(
        &ws,
        "",
        &["graph", "--level", "file", "--format", "mermaid"],
    );
    assert!(
        mermaid.contains("linkStyle 2,4 stroke:red,color:red\n"),
        "{mermaid}"
    );
}

#[test]
fn graph_module_json_has_the_imports_behind_each_edge() {
    let ws = workspace(
        "mods",
        &[
            (
                "layergate.toml",
                "[[modules]]\nname = \"a\"\npaths = [\"src/a/**\"]\n\n[[modules]]\nname = \"b\"\npaths = [\"src/b/**\"]\n\n[layers]\norder = [\"a\", \"b\"]\n",
            ),
            ("Cargo.toml", "[package]\nname = \"mods\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("src/lib.rs", "pub mod a;\npub mod b;\n"),
            ("src/a/mod.rs", "use crate::b::B;\npub use crate::b::C;\npub struct A;\n"),
            ("src/b/mod.rs", "pub struct B;\npub struct C;\nuse crate::a::A;\n"),
        ],
    );
    let v: serde_json::Value =
        serde_json::from_str(&ok(&ws, "", &["graph", "--format", "json"])).unwrap();
    assert_eq!(v["level"], "module");
    let g = &v["groups"][0];
    assert_eq!(
        g["modules"],
        serde_json::json!([{"name": "a", "files": 1}, {"name": "b", "files": 1}])
    );
    let edges = g["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2, "{edges:?}");
    assert_eq!(
        (
            edges[0]["from"].as_str(),
            edges[0]["to"].as_str(),
            edges[0]["count"].as_u64()
        ),
        (Some("a"), Some("b"), Some(2))
    );
    let kinds: Vec<(&str, &str, u64)> = edges[0]["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["specifier"].as_str().unwrap(),
                i["kind"].as_str().unwrap(),
                i["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("crate::b::B", "static", 1),
            ("crate::b::C", "re-export", 2)
        ]
    );
    assert_eq!(edges[1]["rules"], serde_json::json!(["cycle", "layers"]));
    assert_eq!(edges[1]["imports"][0]["specifier"], "crate::a::A");
    assert_eq!(
        edges[1]["imports"][0]["rules"],
        serde_json::json!(["cycle", "layers"])
    );
}

#[test]
fn graph_with_several_workspaces_needs_config() {
    let ws = workspace(
        "mono",
        &[
            (
                "p1/layergate.toml",
                "[[modules]]\nname = \"a\"\npaths = [\"**\"]\n",
            ),
            ("p1/x.ts", "export const x = 1;\n"),
            (
                "p2/layergate.toml",
                "[[modules]]\nname = \"b\"\npaths = [\"**\"]\n",
            ),
            ("p2/y.ts", "export const y = 1;\n"),
        ],
    );
    let out = layergate(&ws.root, &["graph"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(
            "several workspaces below this directory (p1/layergate.toml, p2/layergate.toml)"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(
        ok(&ws, "", &["graph", "--config", "p2/layergate.toml"]),
        "// layergate module graph: 1 modules, 0 edges, 0 with violations (red)\n\
         digraph layergate {\n  rankdir=TB;\n  node [shape=box];\n  \"b\" [label=\"b\\n1 file\"];\n}\n"
    );
    // explain describes each of them
    let md = ok(&ws, "", &["explain"]);
    assert!(md.contains("# Architecture of `p1`"));
    assert!(md.contains("\n---\n\n# Architecture of `p2`"));
}

// ---------------------------------------------------------------------------
// allowed

#[test]
fn allowed_for_a_new_domain_file() {
    let ws = shop();
    insta::assert_snapshot!(
        "allowed_domain_markdown",
        ok(&ws, "", &["allowed", "src/domain/new/thing.ts"])
    );
    insta::assert_snapshot!(
        "allowed_domain_json",
        ok(
            &ws,
            "",
            &["allowed", "src/domain/new/thing.ts", "--format", "json"]
        )
    );
}

#[test]
fn allowed_for_a_new_feature_file() {
    let ws = shop();
    insta::assert_snapshot!(
        "allowed_feature_markdown",
        ok(&ws, "", &["allowed", "src/app/features/cart/cart.ts"])
    );
}

fn allowed_json(ws: &Ws, dir: &str, path: &str) -> serde_json::Value {
    serde_json::from_str(&ok(ws, dir, &["allowed", path, "--format", "json"])).expect("json")
}

fn names(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .expect("array")
        .iter()
        .map(|m| {
            format!(
                "{}:{}",
                m["group"].as_str().unwrap_or(""),
                m["module"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn allowed_applies_allow_entries_per_file() {
    let ws = shop();
    // src/jobs/run.ts may import infra (a sibling) thanks to the [[allow]] entry
    let run = allowed_json(&ws, "", "src/jobs/run.ts");
    assert_eq!(run["exists"], true);
    assert_eq!(
        names(&run, "may_import"),
        [
            "modules:domain",
            "modules:infra",
            "modules:shared",
            "features:feature-billing",
            "features:feature-search"
        ]
    );
    // db is visible only to infra
    assert_eq!(names(&run, "may_not_import"), ["modules:app", "modules:db"]);
    // another jobs file may not
    let other = allowed_json(&ws, "", "src/jobs/other.ts");
    assert_eq!(other["exists"], false);
    assert_eq!(
        names(&other, "may_not_import"),
        ["modules:app", "modules:db", "modules:infra"]
    );
    let infra = &other["may_not_import"][2];
    assert_eq!(infra["reasons"][0]["rule"], "layers");
    assert_eq!(
        infra["reasons"][0]["why"],
        "`jobs` and `infra` are siblings in one layer, which may not import each other"
    );
    assert_eq!(infra["only_files"], serde_json::Value::Null);
}

#[test]
fn allowed_path_relative_to_cwd_and_outside_any_module() {
    let ws = shop();
    // `../` from a subdirectory, and a file in no module
    let v = allowed_json(&ws, "src/app", "../tools/gen.ts");
    assert_eq!(v["path"], "src/tools/gen.ts");
    assert_eq!(v["checked"], true);
    assert_eq!(v["modules"][0]["module"], serde_json::Value::Null);
    assert_eq!(v["modules"][1]["module"], serde_json::Value::Null);
    // no module rules apply, boundaries still do
    assert_eq!(names(&v, "may_not_import"), Vec::<String>::new());
    let rules: Vec<&str> = v["apis"]
        .as_array()
        .expect("apis")
        .iter()
        .map(|a| a["rule"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(rules, ["env-access", "process-spawn"]);
    // excluded by `include`
    let outside = allowed_json(&ws, "", "scripts/x.ts");
    assert_eq!(outside["checked"], false);
}

#[test]
fn allowed_inside_boundary_allow_in() {
    let ws = shop();
    let v = allowed_json(&ws, "", "src/infra/spawn.ts");
    let rules: Vec<&str> = v["apis"]
        .as_array()
        .expect("apis")
        .iter()
        .map(|a| a["rule"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(rules, ["env-access"]);
    assert_eq!(v["modules"][0]["layers"][0]["level"], 2);
    assert_eq!(v["modules"][0]["layers"][0]["of"], 3);
}

#[test]
fn allowed_agrees_with_check() {
    // for every existing file, each module it imports that `allowed` forbids
    // has a diagnostic of that rule in `check`, and the other way round
    let ws = shop();
    let check: serde_json::Value =
        serde_json::from_str(&layergate(&ws.root, &["check", "--format", "json"]).stdout)
            .expect("check json");
    let module_rules = ["layers", "depends-on", "visibility"];
    let mut from_check: Vec<(String, String, String)> = check["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| module_rules.contains(&d["rule"].as_str().unwrap_or("")))
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["to_module"].as_str().unwrap_or("").to_string(),
                d["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    from_check.sort();
    from_check.dedup();
    // the imports of each file, by target module (from the graph of the test data)
    let imports: &[(&str, &[&str])] = &[
        ("src/app/main.ts", &["domain", "db", "shared"]),
        ("src/app/features/billing/bill.ts", &["feature-search"]),
        ("src/domain/order.ts", &["infra"]),
        ("src/infra/repo.ts", &["domain"]),
        ("src/jobs/run.ts", &["infra"]),
    ];
    let mut from_allowed = Vec::new();
    for (file, targets) in imports {
        let v = allowed_json(&ws, "", file);
        for m in v["may_not_import"].as_array().expect("array") {
            let module = m["module"].as_str().unwrap_or("");
            if !targets.contains(&module) {
                continue;
            }
            for r in m["reasons"].as_array().expect("reasons") {
                let rule = r["rule"].as_str().unwrap_or("");
                if module_rules.contains(&rule) {
                    from_allowed.push((file.to_string(), module.to_string(), rule.to_string()));
                }
            }
        }
    }
    from_allowed.sort();
    assert_eq!(from_allowed, from_check);
    assert_eq!(
        from_check,
        [
            (
                "src/app/features/billing/bill.ts".into(),
                "feature-search".into(),
                "depends-on".into()
            ),
            ("src/app/main.ts".into(), "db".into(), "depends-on".into()),
            ("src/app/main.ts".into(), "db".into(), "visibility".into()),
            (
                "src/domain/order.ts".into(),
                "infra".into(),
                "layers".into()
            ),
        ]
    );
}

const TRANSITIVE_CONFIG: &str = r#"
[workspace]
include = ["src/**"]

[[modules]]
name = "domain"
paths = ["src/domain/**"]

[[modules]]
name = "app"
paths = ["src/app/**"]

[[modules]]
name = "infra"
paths = ["src/infra/**"]

[[deny]]
id = "domain-no-io"
from = ["domain"]
to = ["infra"]
transitive = true
"#;

fn transitive_ws(extra_config: &str, new_file: &str) -> Ws {
    workspace(
        "transitive",
        &[
            (
                "layergate.toml",
                &format!("{TRANSITIVE_CONFIG}{extra_config}"),
            ),
            ("src/infra/db.ts", "export const db = 1;\n"),
            ("src/lib/helper.ts", "export { db } from '../infra/db';\n"),
            ("src/lib/clean.ts", "export const c = 1;\n"),
            (
                "src/app/wired.ts",
                "import { db } from '../lib/helper';\nexport const w = db;\n",
            ),
            ("src/app/plain.ts", "export const p = 1;\n"),
            // of the asking file's own module
            (
                "src/domain/bridge.ts",
                "export { db } from '../lib/helper';\n",
            ),
            ("src/domain/new.ts", new_file),
        ],
    )
}

/// The targets `allowed` says a domain file may not import because of the
/// transitive rule, as (file, rule): module files and files in no module.
fn transitive_forbidden(v: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for m in v["may_not_import"].as_array().expect("array") {
        for r in m["reasons"].as_array().expect("reasons") {
            if r["why"].as_str().unwrap_or("").contains("reaches a target") {
                let files: Vec<String> = m["only_files"]
                    .as_array()
                    .expect("only some files of the module")
                    .iter()
                    .map(|f| f.as_str().unwrap_or("").to_string())
                    .collect();
                for f in files {
                    out.push((f, r["rule"].as_str().unwrap_or("").to_string()));
                }
            }
        }
    }
    for r in v["reaching"].as_array().expect("reaching") {
        out.push((
            r["file"].as_str().unwrap_or("").to_string(),
            r["rule"].as_str().unwrap_or("").to_string(),
        ));
    }
    out.sort();
    out
}

#[test]
fn allowed_knows_transitive_deny_as_check_does() {
    // a domain file importing every candidate: check reports exactly the
    // imports `allowed` forbids, with the chain it names
    let imports = [
        ("../app/wired", "src/app/wired.ts"),
        ("../app/plain", "src/app/plain.ts"),
        ("../lib/helper", "src/lib/helper.ts"),
        ("../lib/clean", "src/lib/clean.ts"),
        ("./bridge", "src/domain/bridge.ts"),
    ];
    let text: String = imports
        .iter()
        .enumerate()
        .map(|(i, (spec, _))| format!("import * as m{i} from '{spec}';\n"))
        .collect();
    let ws = transitive_ws("", &text);
    let v = allowed_json(&ws, "", "src/domain/new.ts");
    let forbidden = transitive_forbidden(&v);
    assert_eq!(
        forbidden,
        [
            ("src/app/wired.ts".to_string(), "domain-no-io".to_string()),
            (
                "src/domain/bridge.ts".to_string(),
                "domain-no-io".to_string()
            ),
            ("src/lib/helper.ts".to_string(), "domain-no-io".to_string()),
        ]
    );
    assert_eq!(
        v["reaching"][1]["through"],
        serde_json::json!(["src/lib/helper.ts", "src/infra/db.ts"])
    );
    let check: serde_json::Value = serde_json::from_str(
        &layergate(&ws.root, &["check", "--no-cache", "--format", "json"]).stdout,
    )
    .expect("check json");
    let mut from_check: Vec<(String, String)> = check["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["file"] == "src/domain/new.ts")
        .map(|d| {
            let line = d["line"].as_u64().unwrap_or(0) as usize;
            (
                imports[line - 1].1.to_string(),
                d["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    from_check.sort();
    assert_eq!(from_check, forbidden);

    // an [[allow]] entry silences it in both
    let allow = "\n[[allow]]\nrules = [\"domain-no-io\"]\nfrom = [\"src/domain/**\"]\nto = [\"infra\"]\nreason = \"migration\"\n";
    let ws = transitive_ws(allow, &text);
    let v = allowed_json(&ws, "", "src/domain/new.ts");
    assert_eq!(transitive_forbidden(&v), []);
    let check = layergate(&ws.root, &["check", "--no-cache", "--format", "json"]).stdout;
    assert!(!check.contains("domain-no-io\","), "{check}");
    let md = ok(&ws, "", &["allowed", "src/domain/new.ts"]);
    assert!(!md.contains("reaches a target"), "{md}");
}

#[test]
fn allowed_reports_partially_forbidden_modules() {
    // a [[deny]] glob target covering only some files of a module
    let ws = workspace(
        "partial",
        &[
            (
                "layergate.toml",
                "[[modules]]\nname = \"a\"\npaths = [\"a/**\"]\n\n[[modules]]\nname = \"b\"\npaths = [\"b/**\"]\n\n[[modules]]\nname = \"c\"\npaths = [\"c/**\"]\n\n[[deny]]\nid = \"no-b-internal\"\nfrom = [\"a\"]\nto = [\"b/internal/**\", \"c\"]\nexclude = [\"a/tests/**\"]\n",
            ),
            ("a/x.ts", "export const x = 1;\n"),
            ("b/y.ts", "export const y = 1;\n"),
            ("b/internal/z.ts", "export const z = 1;\n"),
            ("c/w.ts", "export const w = 1;\n"),
        ],
    );
    let v = allowed_json(&ws, "", "a/new.ts");
    assert_eq!(
        v["may_not_import"],
        serde_json::json!([
            { "group": "modules", "module": "b", "files": 2, "only_files": ["b/internal/z.ts"], "public": null,
              "reasons": [ { "rule": "no-b-internal", "severity": "error",
                             "why": "`no-b-internal` forbids importing `b/internal/**`", "message": null } ] },
            { "group": "modules", "module": "c", "files": 1, "only_files": null, "public": null,
              "reasons": [ { "rule": "no-b-internal", "severity": "error",
                             "why": "`no-b-internal` forbids importing `c`", "message": null } ] }
        ])
    );
    assert_eq!(
        v["denied_files"],
        serde_json::json!([{ "files": "b/internal/**", "rule": "no-b-internal", "severity": "error", "message": null }])
    );
    // `exclude` lifts the rule
    let t = allowed_json(&ws, "", "a/tests/t.ts");
    assert_eq!(names(&t, "may_not_import"), Vec::<String>::new());
    assert_eq!(t["denied_files"], serde_json::json!([]));
}

#[test]
fn allowed_errors() {
    let ws = shop();
    let out = layergate(&ws.root, &["allowed", "../elsewhere/x.ts"]);
    assert_eq!(out.code, 2);
    let none = workspace("bare", &[("x.ts", "")]);
    let out = layergate(&none.root, &["allowed", "x.ts"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no layergate.toml governs x.ts"),
        "{}",
        out.stderr
    );
    let out = layergate(&ws.root, &["allowed", "src/a.ts", "--format", "yaml"]);
    assert_eq!(out.code, 2);
}

// ---------------------------------------------------------------------------
// init

#[test]
fn init_writes_a_config_that_parses() {
    let ws = workspace(
        "proj",
        &[
            ("src/app/main.ts", "export {};\n"),
            ("src/domain/deep/er/model.ts", "export {};\n"),
            ("src/assets/logo.svg", "<svg/>"),
            ("src/lib.rs", "pub mod x;\n"),
            ("crates/domain/src/lib.rs", "pub fn f() {}\n"),
            ("packages/Web UI/index.tsx", "export {};\n"),
            ("packages/.hidden/index.ts", "export {};\n"),
            ("apps/api/node_modules/x/index.js", "module.exports = 1;\n"),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "wrote layergate.toml with 4 module(s): app, domain, crates-domain, web-ui\nnext: order the layers, run `layergate check`, and adopt it on the existing code with `layergate check --write-baseline`\n"
    );
    let path = ws.root.join("layergate.toml");
    let text = std::fs::read_to_string(&path).expect("written");
    let config = rules::config::Config::parse(&path, &text).expect("the starter config parses");
    let modules: Vec<(String, Vec<String>)> = config
        .modules
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                m.paths.iter().map(|p| p.text.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        modules,
        [
            ("app".to_string(), vec!["src/app/**".to_string()]),
            ("domain".to_string(), vec!["src/domain/**".to_string()]),
            (
                "crates-domain".to_string(),
                vec!["crates/domain/**".to_string()]
            ),
            ("web-ui".to_string(), vec!["packages/Web UI/**".to_string()]),
        ]
    );
    assert!(config.layers.is_empty());
    insta::assert_snapshot!("init_proj", text);
    // and `check` accepts it
    let check = layergate(&ws.root, &["check", "--format", "json"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

/// `(name, paths)` of each module of the config `init` wrote in `ws`.
fn init_modules(ws: &Ws) -> Vec<(String, Vec<String>)> {
    let path = ws.root.join("layergate.toml");
    let text = std::fs::read_to_string(&path).expect("written");
    let config = rules::config::Config::parse(&path, &text).expect("the starter config parses");
    config
        .modules
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                m.paths.iter().map(|p| p.text.clone()).collect(),
            )
        })
        .collect()
}

fn named(list: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
    list.iter()
        .map(|(n, p)| (n.to_string(), vec![p.to_string()]))
        .collect()
}

#[test]
fn init_proposes_the_workspace_members_the_project_declares() {
    // excalidraw: `workspaces` lists `excalidraw-app` besides `packages/*`,
    // and a package without source is no module
    let ws = workspace(
        "npm",
        &[
            (
                "package.json",
                r#"{ "private": true, "workspaces": ["excalidraw-app", "packages/*", "!packages/skip"] }"#,
            ),
            (
                "excalidraw-app/package.json",
                r#"{ "name": "excalidraw-app" }"#,
            ),
            ("excalidraw-app/App.tsx", "export {};\n"),
            (
                "packages/excalidraw/package.json",
                r#"{ "name": "@excalidraw/excalidraw" }"#,
            ),
            ("packages/excalidraw/index.tsx", "export {};\n"),
            (
                "packages/utils/package.json",
                r#"{ "name": "@acme/utils" }"#,
            ),
            ("packages/utils/src/a.ts", "export {};\n"),
            ("packages/docs/package.json", r#"{ "name": "docs" }"#),
            ("packages/docs/README.md", "no code\n"),
            ("packages/skip/package.json", r#"{ "name": "skip" }"#),
            ("packages/skip/x.ts", "export {};\n"),
            ("src/ignored/x.ts", "export {};\n"),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        init_modules(&ws),
        named(&[
            ("excalidraw-app", "excalidraw-app/**"),
            ("excalidraw", "packages/excalidraw/**"),
            ("utils", "packages/utils/**"),
        ])
    );

    // pnpm and a Cargo workspace, members by glob, `exclude`d ones left out
    let ws = workspace(
        "mixed",
        &[
            ("pnpm-workspace.yaml", "packages:\n  - 'apps/*'   # the apps\n  - \"libs/**\"\nonlyBuiltDependencies:\n  - esbuild\n"),
            ("apps/web/package.json", r#"{ "name": "web" }"#),
            ("apps/web/main.ts", "export {};\n"),
            ("libs/deep/ui/package.json", r#"{ "name": "@x/ui" }"#),
            ("libs/deep/ui/index.ts", "export {};\n"),
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"crates/*\", \"tools/gen\"]\nexclude = [\"crates/old\"]\n",
            ),
            ("crates/core/Cargo.toml", "[package]\nname = \"my-core\"\n"),
            ("crates/core/src/lib.rs", "pub fn f() {}\n"),
            ("crates/old/Cargo.toml", "[package]\nname = \"old\"\n"),
            ("crates/old/src/lib.rs", "pub fn f() {}\n"),
            ("tools/gen/Cargo.toml", "[package]\nname = \"gen\"\n"),
            ("tools/gen/src/main.rs", "fn main() {}\n"),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        init_modules(&ws),
        named(&[
            ("web", "apps/web/**"),
            ("my-core", "crates/core/**"),
            ("ui", "libs/deep/ui/**"),
            ("gen", "tools/gen/**"),
        ])
    );
}

#[test]
fn init_makes_cycles_warnings_when_the_code_has_them() {
    let files = [
        (
            "src/a/x.ts",
            "import { y } from \"../b/y\";\nexport const x = y;\n",
        ),
        ("src/b/y.ts", "export const y = 1;\n"),
    ];
    let ws = workspace("acyclic", &files);
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(ws.root.join("layergate.toml")).unwrap();
    assert!(text.contains("\n# cycles = \"error\"\n"), "{text}");
    assert!(!out.stderr.contains("cycles"), "{}", out.stderr);

    let ws = workspace(
        "cyclic",
        &[
            files[0],
            (
                "src/b/y.ts",
                "import { x } from \"../a/x\";\nexport const y = 1;\n",
            ),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the modules have cycles today (2 imports): `cycles` is set to \"warning\""),
        "{}",
        out.stderr
    );
    let text = std::fs::read_to_string(ws.root.join("layergate.toml")).unwrap();
    assert!(text.contains("\ncycles = \"warning\"\n"), "{text}");
    // the first run warns, and passes
    let check = layergate(&ws.root, &["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("warning[cycle]"), "{}", check.stdout);
}

#[test]
fn init_proposes_the_layer_order_the_imports_follow() {
    // app → ui → core, app → core, api → core; x ↔ y a cycle, y → core;
    // alphabetically it would be api, app, core, ui, x, y
    let ws = workspace(
        "ordered",
        &[
            (
                "src/app/main.ts",
                "import '../ui/button';\nimport '../core/model';\n",
            ),
            ("src/ui/button.ts", "import '../core/model';\n"),
            ("src/api/server.ts", "import '../core/model';\n"),
            ("src/core/model.ts", "export const m = 1;\n"),
            ("src/x/a.ts", "import '../y/b';\n"),
            ("src/y/b.ts", "import '../x/a';\nimport '../core/model';\n"),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(ws.root.join("layergate.toml")).unwrap();
    assert!(
        text.contains("\n# order = [\"app\", [\"api\", \"ui\"], \"x\", \"y\", \"core\"]\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "# x, y import each other (a cycle); in this order 1 import would go upward: y → x (1)\n"
        ),
        "{text}"
    );
    assert!(
        out.stderr.contains("the imports follow this layer order today, top to bottom: app → api | ui → x → y → core"),
        "{}",
        out.stderr
    );
    // uncommented, the proposal holds for everything but the import the
    // cycle sends upward
    let enforced = text.replace("# [layers]\n# order", "[layers]\norder");
    std::fs::write(ws.root.join("layergate.toml"), enforced).unwrap();
    let check = layergate(&ws.root, &["check", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let layer_files: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "layers")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(layer_files, ["src/y/b.ts"], "{v}");
}

#[test]
fn init_proposes_a_python_package_s_subpackages() {
    // a src layout: the one top-level package's subpackages are the modules
    let ws = workspace(
        "pyproj",
        &[
            ("src/shop/__init__.py", ""),
            ("src/shop/domain/__init__.py", ""),
            ("src/shop/domain/model.py", "from shop.infra import db\n"),
            ("src/shop/infra/__init__.py", ""),
            ("src/shop/infra/db.py", ""),
            ("src/shop/tests/__init__.py", ""),
            ("src/shop/assets/logo.svg", "<svg/>"),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        init_modules(&ws),
        [
            ("domain".to_string(), vec!["src/shop/domain/**".to_string()]),
            ("infra".to_string(), vec!["src/shop/infra/**".to_string()]),
        ]
    );
    let check = layergate(&ws.root, &["check", "--format", "json"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);

    // a lib/ layout setup.cfg declares; two top-level packages: one each
    let ws = workspace(
        "pylib",
        &[
            ("setup.cfg", "[options]\npackage_dir =\n    =lib\n"),
            ("lib/alpha/__init__.py", ""),
            ("lib/alpha/core.py", ""),
            ("lib/beta/__init__.py", "import alpha\n"),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        init_modules(&ws),
        [
            ("alpha".to_string(), vec!["lib/alpha/**".to_string()]),
            ("beta".to_string(), vec!["lib/beta/**".to_string()]),
        ]
    );

    // two packages of one name under two roots: the names stay unique
    let ws = workspace(
        "pytwo",
        &[
            ("setup.cfg", "[options]\npackage_dir =\n    =lib\n"),
            ("lib/common/__init__.py", ""),
            ("common/__init__.py", ""),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        init_modules(&ws),
        [
            ("common".to_string(), vec!["lib/common/**".to_string()]),
            ("common-2".to_string(), vec!["common/**".to_string()]),
        ]
    );

    // not a Python project (no pyproject.toml, setup.cfg or setup.py): a
    // folder with __init__.py does not make its modules
    let ws = workspace(
        "tsroot",
        &[
            ("app/page.tsx", "export {};\n"),
            ("lib/util.ts", "export {};\n"),
            ("scripts/__init__.py", ""),
            ("scripts/release.py", ""),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("with no modules"), "{}", out.stderr);
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let ws = workspace(
        "again",
        &[
            ("layergate.toml", "# mine\n"),
            ("src/a/x.ts", "export {};\n"),
        ],
    );
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("layergate.toml already exists; pass --force to overwrite it"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(ws.root.join("layergate.toml")).expect("kept"),
        "# mine\n"
    );
    let out = layergate(&ws.root, &["init", "--force"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(ws.root.join("layergate.toml")).expect("rewritten");
    assert!(text.contains("[[modules]]\nname = \"a\"\npaths = [\"src/a/**\"]\n"));
    assert!(text.contains("# [layers]\n# order = [\"a\"]\n"));
}

#[test]
fn init_in_an_empty_directory() {
    let ws = workspace("empty", &[]);
    let out = layergate(&ws.root, &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let path = ws.root.join("layergate.toml");
    let text = std::fs::read_to_string(&path).expect("written");
    let config = rules::config::Config::parse(&path, &text).expect("parses");
    assert!(config.modules.is_empty());
    assert!(text.contains("# No source folders were found"));
    assert!(out
        .stderr
        .starts_with("wrote layergate.toml with no modules"));
}

/// Copies a directory tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        // caches a local run may have left
        if e.file_name() == ".layergate" || e.file_name() == ".import_linter_cache" {
            continue;
        }
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

#[test]
fn init_from_importlinter_writes_the_fixture_s_config() {
    // tests/fixtures/py-importlinter: its layergate.toml is exactly what the
    // converter makes of its .importlinter (the fixture test checks what
    // that config reports; tests/real/python_importlinter.py that
    // lint-imports agrees)
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/py-importlinter");
    let ws = workspace("il", &[]);
    copy_tree(&fixture, &ws.root);
    std::fs::remove_file(ws.root.join("layergate.toml")).expect("rm");
    let out = layergate(&ws.root, &["init", "--from", "importlinter"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(ws.root.join("layergate.toml")).expect("written"),
        std::fs::read_to_string(fixture.join("layergate.toml")).expect("fixture")
    );
    assert!(
        out.stderr.contains(
            "wrote layergate.toml from .importlinter: 6 contract(s) as 12 [[deny]] rule(s)"
        ) && out
            .stderr
            .contains("  Bank layers → layers-contract.1, layers-contract.2,"),
        "{}",
        out.stderr
    );
    // an existing config is kept without --force
    let again = layergate(&ws.root, &["init", "--from", "importlinter"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}

#[test]
fn init_from_importlinter_reads_pyproject_toml_and_reports_what_it_cannot_convert() {
    let ws = workspace(
        "iltoml",
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"shop\"\n\n\
                 [tool.importlinter]\nroot_packages = [\"shop\"]\nexclude_type_checking_imports = true\n\n\
                 [[tool.importlinter.contracts]]\nname = \"Features are independent\"\ntype = \"independence\"\n\
                 modules = [\"shop.features.*\"]\nignore_imports = [\"shop.features.*.api -> shop.features.*.api\"]\n\n\
                 [[tool.importlinter.contracts]]\nid = \"no-http\"\nname = \"No HTTP in models\"\ntype = \"forbidden\"\n\
                 source_modules = [\"shop.features.*.models\"]\nforbidden_modules = [\"httpx\"]\nallow_indirect_imports = \"true\"\n\n\
                 [[tool.importlinter.contracts]]\nname = \"Acyclic\"\ntype = \"acyclic_siblings\"\nancestors = [\"shop\"]\n\n\
                 [[tool.importlinter.contracts]]\nname = \"Missing\"\ntype = \"forbidden\"\n\
                 source_modules = [\"shop.nowhere\"]\nforbidden_modules = [\"shop.features\"]\n",
            ),
            ("src/shop/__init__.py", ""),
            ("src/shop/features/__init__.py", ""),
            ("src/shop/features/cart/__init__.py", ""),
            ("src/shop/features/cart/api.py", "from shop.features.search import api\n"),
            ("src/shop/features/cart/models.py", "import httpx\nfrom shop.features.search import models\n"),
            ("src/shop/features/search/__init__.py", ""),
            ("src/shop/features/search/api.py", ""),
            ("src/shop/features/search/models.py", "from ..cart import models\n"),
            ("src/shop/features/__pycache__/x.py", ""),
        ],
    );
    let out = layergate(&ws.root, &["init", "--from", "importlinter"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(ws.root.join("layergate.toml")).expect("written");
    // a wildcard is the modules that exist, __pycache__ is none
    assert!(
        text.contains("id = \"features-are-independent.1\"\nfrom = [\"src/shop/features/cart/**\"]\nto = [\"src/shop/features/search/**\"]\ntransitive = true\n"),
        "{text}"
    );
    assert!(text.contains("include = [\"src/shop/**/*.py\"]"), "{text}");
    assert!(text.contains("type_only_imports = \"ignore\""), "{text}");
    assert!(
        text.contains("id = \"no-http\"\nfrom = [\"src/shop/features/cart/models.py\", \"src/shop/features/search/models.py\"]\nto = [\"py:httpx\"]\nmessage"),
        "{text}"
    );
    assert!(
        out.stderr.contains(
            "not converted: contract `Acyclic`: type `acyclic_siblings` is not converted"
        ) && out
            .stderr
            .contains("not converted: contract `Missing`: module `shop.nowhere` does not exist"),
        "{}",
        out.stderr
    );
    // the verdicts: models import each other (indirectly the same), the
    // api modules' import is ignored, httpx is imported directly
    let check = layergate(&ws.root, &["check", "--format", "json", "--no-cache"]);
    let found: Vec<(String, String)> = serde_json::from_str::<serde_json::Value>(&check.stdout)
        .expect("json")["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_string(),
                format!("{}:{}", d["file"].as_str().unwrap_or(""), d["line"]),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "no-http".to_string(),
                "src/shop/features/cart/models.py:1".to_string()
            ),
            (
                "features-are-independent.1".to_string(),
                "src/shop/features/cart/models.py:2".to_string()
            ),
            (
                "features-are-independent.2".to_string(),
                "src/shop/features/search/models.py:1".to_string()
            ),
        ],
        "{}",
        check.stdout
    );
}

#[test]
fn init_from_importlinter_without_a_configuration_says_where_it_looked() {
    let ws = workspace("ilnone", &[("setup.cfg", "[metadata]\nname = x\n")]);
    let out = layergate(&ws.root, &["init", "--from", "importlinter"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no import-linter configuration found: looked for [importlinter] in setup.cfg and .importlinter"),
        "{}",
        out.stderr
    );
    let out = layergate(
        &ws.root,
        &["init", "--from", "importlinter", "--from-file", "lint.ini"],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot read lint.ini"),
        "{}",
        out.stderr
    );
    let out = layergate(
        &ws.root,
        &["init", "--from", "importlinter", "--from-file", "setup.cfg"],
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("setup.cfg has no import-linter configuration"),
        "{}",
        out.stderr
    );
    assert!(!ws.root.join("layergate.toml").exists());
}

#[test]
fn init_from_tach_writes_the_fixture_s_config() {
    // tests/fixtures/py-tach: its layergate.toml is exactly what the
    // converter makes of its tach.toml (tests/real/python_tach.py runs
    // `tach check` on both and compares)
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/py-tach");
    let ws = workspace("tach", &[]);
    copy_tree(&fixture, &ws.root);
    std::fs::remove_file(ws.root.join("layergate.toml")).expect("rm");
    let out = layergate(&ws.root, &["init", "--from", "tach"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(ws.root.join("layergate.toml")).expect("written"),
        std::fs::read_to_string(fixture.join("layergate.toml")).expect("fixture")
    );
    assert!(
        out.stderr
            .contains("wrote layergate.toml from tach: 10 module(s)"),
        "{}",
        out.stderr
    );
    // what cannot be converted is said; a missing tach.toml is an error
    std::fs::write(
        ws.root.join("tach.toml"),
        "exact = true\nroot_module = \"forbid\"\n[[modules]]\npath = \"app.gone\"\n[[interfaces]]\nexpose = [\"x\"]\nfrom = [\"app.api\"]\n",
    )
    .expect("write");
    let out = layergate(&ws.root, &["init", "--from", "tach", "--force"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for said in [
        "not converted: [[interfaces]] are not converted",
        "not converted: `exact` is not converted",
        "not converted: `root_module = \"forbid\"` is not converted",
        "not converted: module `app.gone` was not found under .",
    ] {
        assert!(out.stderr.contains(said), "{said}: {}", out.stderr);
    }
    std::fs::remove_file(ws.root.join("tach.toml")).expect("rm");
    let out = layergate(&ws.root, &["init", "--from", "tach", "--force"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot read tach.toml"),
        "{}",
        out.stderr
    );
}

#[test]
fn allowed_s_reach_leaves_out_links_an_allow_entry_lifts() {
    // py-importlinter: bank/util/table.py imports the API, but its
    // ignore_imports entry lifts that link, and bank/domain/legacy.py's
    // import of requests is ignored: neither file reaches a target, as in
    // `check`; the links that are not lifted still do
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/py-importlinter");
    let ws = workspace("ilallowed", &[]);
    copy_tree(&fixture, &ws.root);
    let out = layergate(
        &ws.root,
        &["allowed", "bank/domain/new.py", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let mut reach: Vec<(String, String)> = v["reaching"]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap_or("").to_string(),
                r["file"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    reach.sort();
    let expected: Vec<(String, String)> = [
        ("layers-contract.5", "bank/domain/rates.py"),
        ("layers-contract.5", "bank/util/fmt.py"),
        ("pure-domain", "bank/domain/fx.py"),
        ("pure-domain", "bank/domain/rates.py"),
        ("pure-domain", "bank/util/fmt.py"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(reach, expected, "{}", out.stdout);
}
