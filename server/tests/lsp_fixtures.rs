//! Every fixture workspace (`tests/fixtures/*`, `examples/*`), opened through
//! the language server, yields exactly the diagnostics of
//! `layergate check --format json --no-cache`: same file, range (columns
//! converted back from the negotiated encoding), rule, severity and message.
//! Run once with UTF-8 positions and once with UTF-16.

#[path = "lsp_client.rs"]
mod client;

use std::path::{Path, PathBuf};

use client::{check_rows, diff, read_lossy, Client};

fn workspaces() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["tests/fixtures", "examples"] {
        let Ok(entries) = std::fs::read_dir(repo.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if !p.is_dir() {
                continue;
            }
            // fixtures run with extra `check` arguments or environment are
            // not the plain workspace the server sees
            let extra = std::fs::read_to_string(p.join("fixture.toml"))
                .map(|t| {
                    t.lines().any(|l| {
                        l.trim_start().starts_with("args") || l.trim_start().starts_with("env")
                    })
                })
                .unwrap_or(false);
            if !extra {
                out.push(p.canonicalize().unwrap_or(p));
            }
        }
    }
    out.sort();
    out
}

fn compare(dir: &Path, utf8: bool) -> Result<usize, String> {
    let expected =
        check_rows(dir).ok_or_else(|| format!("{}: check printed no JSON", dir.display()))?;
    let mut c = Client::start_in(dir, utf8);
    c.wait_indexed();
    let got = c.rows(&|p| read_lossy(p));
    let code = c.finish();
    if code != Some(0) {
        return Err(format!("{}: exit status {code:?}", dir.display()));
    }
    if expected != got {
        return Err(format!(
            "{} ({}):\n{}",
            dir.display(),
            if utf8 { "utf-8" } else { "utf-16" },
            diff(&expected, &got)
        ));
    }
    Ok(expected.len())
}

fn run(utf8: bool) {
    let dirs = workspaces();
    assert!(!dirs.is_empty(), "no fixture workspaces found");
    let mut failures = Vec::new();
    let mut total = 0;
    for d in &dirs {
        match compare(d, utf8) {
            Ok(n) => total += n,
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // the fixtures are about violations: an empty comparison proves nothing
    assert!(total > 0, "no diagnostics in any fixture");
}

#[test]
fn fixtures_match_check_in_utf8() {
    run(true);
}

#[test]
fn fixtures_match_check_in_utf16() {
    run(false);
}
