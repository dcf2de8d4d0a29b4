//! Protocol behaviour of `layergate lsp`, each test against the real binary on
//! a small generated workspace: ui > domain > infra.

#[path = "lsp_client.rs"]
mod client;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use client::{temp_dir, uri, write_files, Client, Setup, LAYERED as CONFIG};
use serde_json::{json, Value};

/// A workspace whose only violation is `src/domain/bad.ts` line 1 (layers).
fn workspace(tag: &str) -> PathBuf {
    let root = temp_dir(tag);
    write_files(
        &root,
        &[
            ("layergate.toml", CONFIG),
            (
                "src/ui/view.ts",
                "import { order } from '../domain/order';\nexport const v = order;\n",
            ),
            (
                "src/domain/order.ts",
                "import { db } from '../infra/db';\nexport const order = db;\n",
            ),
            (
                "src/domain/bad.ts",
                "import { v } from '../ui/view';\nexport const bad = v;\n",
            ),
            ("src/domain/clean.ts", "export const clean = 1;\n"),
            ("src/infra/db.ts", "export const db = 1;\n"),
        ],
    );
    root
}

fn start(root: &Path, utf8: bool) -> Client {
    let mut c = Client::start_in(root, utf8);
    c.wait_indexed();
    c
}

/// The diagnostics published for a file, as (rule, start line, start char, end char).
fn diags(c: &Client, path: &Path) -> Vec<(String, u64, u64, u64)> {
    c.diagnostics
        .get(&uri(path))
        .map(|v| {
            v.iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or("").to_string(),
                        d["range"]["start"]["line"].as_u64().unwrap_or(99),
                        d["range"]["start"]["character"].as_u64().unwrap_or(99),
                        d["range"]["end"]["character"].as_u64().unwrap_or(99),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn rules_of(c: &Client, path: &Path) -> Vec<String> {
    diags(c, path).into_iter().map(|d| d.0).collect()
}

#[test]
fn index_publishes_workspace_diagnostics_with_all_fields() {
    let root = workspace("lsp-fields");
    let c = start(&root, true);
    let bad = root.join("src/domain/bad.ts");
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics.keys());
    let d = &c.diagnostics[&uri(&bad)][0];
    assert_eq!(d["code"], "layers");
    assert_eq!(d["source"], "layergate");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"], json!({ "line": 0, "character": 0 }));
    assert_eq!(d["range"]["end"], json!({ "line": 0, "character": 31 }));
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .contains("layers"),
        "{d}"
    );
    let related = &d["relatedInformation"][0];
    assert_eq!(
        related["location"]["uri"],
        uri(&root.join("layergate.toml")).as_str()
    );
    assert_eq!(d["data"]["file"], "src/domain/bad.ts");
    assert_eq!(d["data"]["baselined"], false);
    assert_eq!(d["data"]["from_module"], "domain");
    assert_eq!(d["data"]["to_module"], "ui");
    // progress was announced with file counts
    assert!(c
        .server_requests
        .iter()
        .any(|(m, _)| m == "window/workDoneProgress/create"));
    // watchers registered dynamically
    let reg = c
        .server_requests
        .iter()
        .find(|(m, _)| m == "client/registerCapability")
        .expect("watchers registered");
    assert!(reg.1.to_string().contains("layergate.toml"), "{}", reg.1);
    assert_eq!(c.finish(), Some(0));
}

/// The server reads and refreshes the facts cache `check` keeps: a second
/// start parses only what changed, a changed file is re-analysed, and a
/// corrupt cache is ignored.
#[test]
fn the_facts_cache_is_used_and_never_trusted_blindly() {
    let root = workspace("lsp-cache");
    let cache = root.join(".layergate/cache/facts.bin");
    let bad = root.join("src/domain/bad.ts");
    let c = start(&root, true);
    assert_eq!(rules_of(&c, &bad), ["layers"]);
    assert_eq!(c.finish(), Some(0));
    assert!(cache.is_file(), "the index was not cached");
    // changed behind the server's back while it was not running
    std::fs::write(&bad, "export const bad = 2;\n").unwrap();
    let order = root.join("src/domain/order.ts");
    std::fs::write(
        &order,
        "import { v } from '../ui/view';\nexport const order = v;\n",
    )
    .unwrap();
    let c = start(&root, true);
    assert_eq!(rules_of(&c, &bad), Vec::<String>::new());
    assert_eq!(rules_of(&c, &order), ["layers"]);
    assert_eq!(c.finish(), Some(0));
    std::fs::write(&cache, b"not a cache").unwrap();
    let c = start(&root, true);
    assert_eq!(rules_of(&c, &order), ["layers"]);
    assert_eq!(c.finish(), Some(0));
    assert_ne!(
        std::fs::read(&cache).unwrap(),
        b"not a cache",
        "not refreshed"
    );
}

#[test]
fn encodings_are_negotiated_and_converted() {
    let root = workspace("lsp-enc");
    let f = root.join("src/domain/wide.ts");
    write_files(
        &root,
        &[(
            "src/domain/wide.ts",
            "/* é😀 */ import { v } from '../ui/view';\n",
        )],
    );
    for (utf8, start_char, end_char) in [(true, 13, 44), (false, 10, 41)] {
        let mut c = start(&root, utf8);
        assert_eq!(
            diags(&c, &f),
            vec![("layers".to_string(), 0, start_char, end_char)],
            "utf8={utf8}"
        );
        // a position inside the import in that encoding hovers it
        let h = c.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri(&f) }, "position": { "line": 0, "character": start_char + 2 } }),
        );
        assert_eq!(
            h["result"]["range"]["start"]["character"], start_char,
            "{h}"
        );
        c.finish();
    }
}

#[test]
fn stale_versions_are_dropped() {
    let root = workspace("lsp-stale");
    let f = root.join("src/domain/clean.ts");
    let mut c = start(&root, false);
    c.open(&f, 5, "export const clean = 1;\n");
    c.change(
        &f,
        4,
        json!([{ "text": "import { v } from '../ui/view';\n" }]),
    );
    c.sync();
    assert!(rules_of(&c, &f).is_empty(), "{:?}", rules_of(&c, &f));
    c.change(
        &f,
        6,
        json!([{ "text": "import { v } from '../ui/view';\n" }]),
    );
    c.sync();
    assert_eq!(rules_of(&c, &f), vec!["layers"]);
    assert!(c.logs.iter().any(|l| l.contains("stale")), "{:?}", c.logs);
}

#[test]
fn a_burst_of_edits_ends_in_the_last_state() {
    let root = workspace("lsp-burst");
    let f = root.join("src/domain/clean.ts");
    let mut c = start(&root, false);
    c.open(&f, 1, "\nexport const clean = 1;\n");
    let target = "import { v } from '../ui/view'; // ";
    let mut text: Vec<char> = target.chars().collect();
    while text.len() < 200 {
        text.push(if text.len().is_multiple_of(7) {
            'é'
        } else {
            'z'
        });
    }
    let before = c.publishes;
    // one character at a time, each at the end of line 0 (UTF-16 column)
    let mut col = 0;
    for (i, ch) in text.iter().enumerate() {
        c.change(
            &f,
            2 + i as i32,
            json!([{ "range": { "start": { "line": 0, "character": col }, "end": { "line": 0, "character": col } }, "text": ch.to_string() }]),
        );
        col += ch.len_utf16();
    }
    c.sync();
    assert_eq!(
        diags(&c, &f),
        vec![("layers".to_string(), 0, 0, 31)],
        "the import statement of the final text"
    );
    let publishes = c.publishes - before;
    assert!(
        publishes < 100,
        "{publishes} publishes for 200 edits: not coalesced"
    );
    // the server's view equals the text we sent: a proposed content equal to
    // it yields the same diagnostics, and hovering at the end finds the import
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&f) }, "position": { "line": 0, "character": 5 } }),
    );
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("src/ui/view.ts"),
        "{h}"
    );
}

#[test]
fn did_close_reverts_to_disk() {
    let root = workspace("lsp-close");
    let f = root.join("src/domain/clean.ts");
    let mut c = start(&root, true);
    c.open(&f, 1, "import { v } from '../ui/view';\n");
    c.sync();
    assert_eq!(rules_of(&c, &f), vec!["layers"]);
    c.close(&f);
    c.sync();
    assert!(rules_of(&c, &f).is_empty());
    // an unsaved new file is checked while open and forgotten when closed
    let n = root.join("src/domain/unsaved.ts");
    c.open(&n, 1, "import { v } from '../ui/view';\n");
    c.sync();
    assert_eq!(rules_of(&c, &n), vec!["layers"]);
    c.close(&n);
    c.sync();
    assert!(rules_of(&c, &n).is_empty());
}

#[test]
fn a_broken_config_is_a_diagnostic_and_the_old_rules_stay() {
    let root = workspace("lsp-config");
    let cfg = root.join("layergate.toml");
    let bad = root.join("src/domain/bad.ts");
    let mut c = start(&root, true);
    c.open(&cfg, 1, CONFIG);
    // line 10 (0-based 9) becomes an unknown key in a module
    let broken = CONFIG.replace("name = \"domain\"", "name = \"domain\"\npathz = 3");
    c.change(&cfg, 2, json!([{ "text": broken }]));
    c.sync();
    let d = diags(&c, &cfg);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, "config");
    assert_eq!(d[0].1, 9, "at the offending line");
    assert_eq!(rules_of(&c, &bad), vec!["layers"], "old rules in force");
    // a valid config without layers: the violation goes away
    let no_layers = CONFIG.replace("[layers]\norder = [\"ui\", \"domain\", \"infra\"]\n", "");
    c.change(&cfg, 3, json!([{ "text": no_layers }]));
    c.sync();
    assert!(diags(&c, &cfg).is_empty());
    assert!(rules_of(&c, &bad).is_empty());
}

#[test]
fn unknown_documents_get_empty_answers() {
    let root = workspace("lsp-unknown");
    let mut c = start(&root, false);
    let ghost = root.join("src/nowhere/ghost.ts");
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ghost) }, "position": { "line": 3, "character": 99 } }),
    );
    assert_eq!(h["result"], Value::Null, "{h}");
    let a = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": "untitled:Untitled-1" },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [] } }),
    );
    assert!(a.get("error").is_none(), "{a}");
    assert!(a["result"].is_null() || a["result"] == json!([]), "{a}");
    // changes to unknown documents and positions far out of range are harmless
    c.change(&ghost, 3, json!([{ "range": { "start": { "line": 50, "character": 9 }, "end": { "line": 60, "character": 0 } }, "text": "x" }]));
    let bad = root.join("src/domain/bad.ts");
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&bad) }, "position": { "line": 400, "character": 9999 } }),
    );
    assert!(h.get("error").is_none(), "{h}");
    c.sync();
    assert_eq!(rules_of(&c, &bad), vec!["layers"]);
}

#[test]
fn eof_exits_promptly() {
    let root = workspace("lsp-eof");
    let mut c = start(&root, false);
    c.close_stdin();
    let t = Instant::now();
    loop {
        if let Some(s) = c.child_status() {
            assert_eq!(s.code(), Some(0));
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "still running after EOF"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // shutdown + exit too
    let mut c = start(&root, false);
    let r = c.request("shutdown", Value::Null);
    assert!(r.get("error").is_none(), "{r}");
    c.notify("exit", Value::Null);
    let t = Instant::now();
    loop {
        if c.child_status().is_some() {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "still running after exit"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Applies a code action's edits for `path` as one didChange.
fn apply(c: &mut Client, path: &Path, version: i32, action: &Value) {
    let edits = action["edit"]["changes"][uri(path)]
        .as_array()
        .cloned()
        .expect("edits for the file");
    let mut edits = edits;
    edits.sort_by_key(|e| {
        (
            std::cmp::Reverse(e["range"]["start"]["line"].as_u64()),
            std::cmp::Reverse(e["range"]["start"]["character"].as_u64()),
        )
    });
    let changes: Vec<Value> = edits
        .iter()
        .map(|e| json!({ "range": e["range"], "text": e["newText"] }))
        .collect();
    c.change(path, version, Value::Array(changes));
}

#[test]
fn suppress_and_show_rule_actions() {
    let root = workspace("lsp-actions");
    let bad = root.join("src/domain/bad.ts");
    let mut c = start(&root, true);
    c.open(&bad, 1, &std::fs::read_to_string(&bad).unwrap());
    c.sync();
    let r = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri(&bad) },
                "range": { "start": { "line": 0, "character": 3 }, "end": { "line": 0, "character": 3 } },
                "context": { "diagnostics": [] } }),
    );
    let actions = r["result"].as_array().cloned().expect("actions");
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        titles.contains(&"Suppress `layers` on this line"),
        "{titles:?}"
    );
    let show = actions
        .iter()
        .find(|a| a["command"]["command"] == "layergate.showRule")
        .expect("show rule action");
    let cmd = &show["command"];
    let r = c.request(
        "workspace/executeCommand",
        json!({ "command": cmd["command"], "arguments": cmd["arguments"] }),
    );
    assert!(r.get("error").is_none(), "{r}");
    let shown = c
        .server_requests
        .iter()
        .find(|(m, _)| m == "window/showDocument")
        .expect("showDocument sent");
    assert_eq!(shown.1["uri"], uri(&root.join("layergate.toml")).as_str());
    assert!(shown.1["selection"]["start"]["line"].as_u64().unwrap() > 0);

    let suppress = actions
        .iter()
        .find(|a| a["title"] == "Suppress `layers` on this line")
        .unwrap()
        .clone();
    apply(&mut c, &bad, 2, &suppress);
    c.sync();
    assert!(
        !rules_of(&c, &bad).contains(&"layers".to_string()),
        "{:?}",
        rules_of(&c, &bad)
    );
}

#[test]
fn hover_shows_target_module_and_layer() {
    let root = workspace("lsp-hover");
    let bad = root.join("src/domain/bad.ts");
    let mut c = start(&root, false);
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&bad) }, "position": { "line": 0, "character": 20 } }),
    );
    let md = h["result"]["contents"]["value"]
        .as_str()
        .expect("markdown")
        .to_string();
    assert!(md.contains("src/ui/view.ts"), "{md}");
    assert!(md.contains("module `ui`"), "{md}");
    assert!(md.contains("module `domain`"), "{md}");
    assert!(md.contains("layer 1 of 3"), "{md}");
    assert!(md.contains("layer 2 of 3"), "{md}");
    assert!(md.contains("`layers`"), "{md}");
    // not on an import: nothing
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&bad) }, "position": { "line": 1, "character": 3 } }),
    );
    assert_eq!(h["result"], Value::Null);
}

#[test]
fn watched_files_are_picked_up() {
    let root = workspace("lsp-watch");
    let mut c = start(&root, false);
    let n = root.join("src/infra/up.ts");
    write_files(
        &root,
        &[(
            "src/infra/up.ts",
            "import { order } from '../domain/order';\n",
        )],
    );
    c.watched(&n, 1);
    c.sync();
    assert_eq!(rules_of(&c, &n), vec!["layers"]);
    // deleting the target of an import makes it unresolved
    std::fs::remove_file(root.join("src/ui/view.ts")).unwrap();
    c.watched(&root.join("src/ui/view.ts"), 3);
    c.sync();
    assert_eq!(
        rules_of(&c, &root.join("src/domain/bad.ts")),
        vec!["unresolved"]
    );
    // layergate.toml changed on disk
    std::fs::write(
        root.join("layergate.toml"),
        CONFIG.replace("[layers]\norder = [\"ui\", \"domain\", \"infra\"]\n", ""),
    )
    .unwrap();
    c.watched(&root.join("layergate.toml"), 2);
    c.sync();
    assert!(rules_of(&c, &n).is_empty());
}

#[test]
fn narrowing_the_file_set_or_adding_an_ignore_file_clears_what_it_leaves_out() {
    let root = workspace("lsp-narrow");
    let mut c = start(&root, false);
    let bad = root.join("src/domain/bad.ts");
    assert_eq!(rules_of(&c, &bad), vec!["layers"]);
    // `exclude` narrowed on disk: the file is no longer checked
    std::fs::write(
        root.join("layergate.toml"),
        CONFIG.replace(
            "include = [\"src/**\"]\n",
            "include = [\"src/**\"]\nexclude = [\"src/domain/bad.ts\"]\n",
        ),
    )
    .unwrap();
    c.watched(&root.join("layergate.toml"), 2);
    c.sync();
    assert!(rules_of(&c, &bad).is_empty(), "{:?}", c.diagnostics);
    // widened again: back
    std::fs::write(root.join("layergate.toml"), CONFIG).unwrap();
    c.watched(&root.join("layergate.toml"), 2);
    c.sync();
    assert_eq!(rules_of(&c, &bad), vec!["layers"]);
    // a `.gitignore` created later leaves it out too, and its removal brings it back
    std::fs::write(root.join(".gitignore"), "bad.ts\n").unwrap();
    c.watched(&root.join(".gitignore"), 1);
    c.sync();
    assert!(rules_of(&c, &bad).is_empty(), "{:?}", c.diagnostics);
    std::fs::remove_file(root.join(".gitignore")).unwrap();
    c.watched(&root.join(".gitignore"), 3);
    c.sync();
    assert_eq!(rules_of(&c, &bad), vec!["layers"]);
}

#[test]
fn pull_diagnostics_when_the_client_asks_for_them() {
    let root = workspace("lsp-pull");
    let mut c = Client::start(
        &root,
        Setup {
            utf8: false,
            pull: true,
            folders: vec![root.clone()],
        },
    );
    c.wait_indexed();
    assert_eq!(c.publishes, 0, "no push in pull mode");
    let bad = root.join("src/domain/bad.ts");
    let r = c.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri(&bad) } }),
    );
    assert_eq!(r["result"]["kind"], "full", "{r}");
    assert_eq!(r["result"]["items"][0]["code"], "layers", "{r}");
    let r = c.request("workspace/diagnostic", json!({ "previousResultIds": [] }));
    let items = r["result"]["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{r}");
    assert_eq!(items[0]["uri"], uri(&bad).as_str());
}

#[test]
fn custom_requests() {
    let root = workspace("lsp-custom");
    let mut c = start(&root, true);
    let clean = root.join("src/domain/clean.ts");
    let r = c.request(
        "layergate/checkContent",
        json!({ "uri": uri(&clean), "content": "import { v } from '../ui/view';\n" }),
    );
    let d = r["result"]["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(d.len(), 1, "{r}");
    assert_eq!(d[0]["code"], "layers");
    // a path that does not exist yet
    let r = c.request(
        "layergate/checkContent",
        json!({ "path": root.join("src/infra/new.ts").to_string_lossy(), "content": "import { v } from '../ui/view';\n" }),
    );
    assert_eq!(r["result"]["diagnostics"][0]["code"], "layers", "{r}");
    // nothing was kept
    c.sync();
    assert!(rules_of(&c, &clean).is_empty());
    assert!(!c
        .diagnostics
        .contains_key(&uri(&root.join("src/infra/new.ts"))));
    let r = c.request("layergate/explain", Value::Null);
    let md = r["result"]["markdown"].as_str().expect("markdown");
    assert!(md.contains("domain"), "{md}");
    // clients send `{}` or `[]` for requests without parameters
    for empty in [json!({}), json!([])] {
        let r = c.request("layergate/explain", empty.clone());
        assert_eq!(r["result"]["markdown"].as_str(), Some(md), "{empty}: {r}");
        let r = c.request("layergate/status", empty.clone());
        assert_eq!(r["result"]["indexed"], true, "{empty}: {r}");
    }
    let r = c.request("layergate/status", json!({ "x": 1 }));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = c.request(
        "layergate/allowed",
        json!({ "path": clean.to_string_lossy() }),
    );
    assert!(r.get("error").is_none(), "{r}");
    assert!(r["result"].to_string().contains("domain"), "{r}");
}

#[test]
fn multi_root_folders() {
    let a = workspace("lsp-multi-a");
    let b = workspace("lsp-multi-b");
    let mut c = Client::start(
        &a,
        Setup {
            utf8: true,
            pull: false,
            folders: vec![a.clone(), b.clone()],
        },
    );
    c.wait_indexed();
    assert_eq!(rules_of(&c, &a.join("src/domain/bad.ts")), vec!["layers"]);
    assert_eq!(rules_of(&c, &b.join("src/domain/bad.ts")), vec!["layers"]);
}
