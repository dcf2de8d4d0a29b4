//! What layergate opens, writes and runs on a hostile workspace, seen by
//! Debian's `strace` (installed by `tests/setup`): `check`, `check --diff`,
//! `lsp`, `explain --agents --write`, `init` and `baseline prune` on a
//! repository whose manifests, links and config lead out of it. Every
//! successful `open` must lie inside the repository, the user's cache key
//! folder or the system's own files (the dynamic loader, `/proc`, git's own
//! config); nothing under the sibling folder the links point to may be
//! opened at all; every write, rename, unlink and mkdir must lie inside the
//! repository or the cache key folder; the only program started is `git`,
//! with the hardened options.
#![cfg(target_os = "linux")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A hostile repository `<tmp>/ws` next to `<tmp>/outside`, which its
/// manifests and links point to.
struct Setup {
    _tmp: tempfile::TempDir,
    ws: PathBuf,
    outside: PathBuf,
    /// `XDG_CACHE_HOME` and `HOME` of the runs.
    cache: PathBuf,
    home: PathBuf,
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn git(ws: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(ws)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn setup() -> Setup {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().canonicalize().unwrap();
    let ws = base.join("ws");
    let outside = base.join("outside");
    let cache = base.join("cache");
    let home = base.join("home");
    for d in [&ws, &outside, &cache, &home] {
        std::fs::create_dir_all(d).unwrap();
    }
    write(&outside, "secret.json", "{ \"compilerOptions\": {} }\n");
    write(&outside, "Cargo.toml", "[package]\nname = \"leak\"\n");
    write(&outside, "evil/package.json", "{ \"name\": \"evil\" }\n");
    write(&outside, "agents.md", "theirs\n");
    write(
        &ws,
        "layergate.toml",
        "[workspace]\nbaseline = \"bl/baseline.json\"\n\n[[modules]]\nname = \"ui\"\npaths = [\"src/ui/**\"]\n\n[[modules]]\nname = \"db\"\npaths = [\"src/db/**\"]\n\n[layers]\norder = [\"ui\", \"db\"]\n",
    );
    write(&ws, "src/ui/a.ts", "export const a = 1;\n");
    write(
        &ws,
        "src/db/q.ts",
        "import { a } from '../ui/a';\nimport 'evil';\n",
    );
    write(
        &ws,
        "tsconfig.json",
        "{ \"extends\": \"../outside/secret.json\" }\n",
    );
    write(&ws, "package.json", "{ \"workspaces\": [\"../*\"] }\n");
    write(&ws, "crates/a/src/lib.rs", "pub fn f() {}\n");
    symlink(outside.join("Cargo.toml"), ws.join("crates/a/Cargo.toml")).unwrap();
    symlink(&outside, ws.join("bl")).unwrap();
    symlink(outside.join("agents.md"), ws.join("AGENTS.md")).unwrap();
    symlink(outside.join("secret.json"), ws.join("src/ui/.gitignore")).unwrap();
    symlink("/dev/zero", ws.join(".ignore")).unwrap();
    git(&ws, &["init", "-q", "-b", "main"]);
    for step in [&["add", "-A"][..], &["commit", "-qm", "hostile"][..]] {
        let mut args = vec![
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ];
        args.extend_from_slice(step);
        git(&ws, &args);
    }
    // the checkout's own .git tries to run programs
    let mut cfg = std::fs::OpenOptions::new()
        .append(true)
        .open(ws.join(".git/config"))
        .unwrap();
    writeln!(
        cfg,
        "[filter \"x\"]\n\tclean = touch {0}/ran-filter\n\tsmudge = touch {0}/ran-filter\n[diff \"x\"]\n\ttextconv = touch {0}/ran-textconv\n[core]\n\tpager = touch {0}/ran-pager",
        outside.display()
    )
    .unwrap();
    write(&ws, ".gitattributes", "*.ts filter=x diff=x\n");
    let hook = ws.join(".git/hooks/post-index-change");
    std::fs::write(
        &hook,
        format!("#!/bin/sh\ntouch {}/ran-hook\n", outside.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    // an uncommitted change for `--diff`
    write(&ws, "src/db/r.ts", "import { a } from '../ui/a';\n");
    Setup {
        _tmp: tmp,
        ws,
        outside,
        cache,
        home,
    }
}

/// One traced system call: its name and its whole line (a call that
/// another thread interrupted, `<unfinished ...>` then `<... resumed>`,
/// joined back into one line).
struct Call {
    name: String,
    line: String,
}

fn calls(log: &str) -> Vec<Call> {
    let mut pending: std::collections::HashMap<String, String> = Default::default();
    let mut out = Vec::new();
    for line in log.lines() {
        let (pid, rest) = line.split_once(' ').unwrap_or(("", line));
        let rest = rest.trim_start();
        let full = if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            pending.insert(pid.to_string(), head.to_string());
            continue;
        } else if let Some(tail) = rest.strip_prefix("<... ") {
            let Some((_, after)) = tail.split_once(" resumed>") else {
                continue;
            };
            match pending.remove(pid) {
                Some(head) => format!("{head}{after}"),
                None => continue,
            }
        } else {
            rest.to_string()
        };
        let name = full.split('(').next().unwrap_or("").to_string();
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(Call { name, line: full });
        }
    }
    out
}

/// The paths strace shows in `<...>` on a line (decoded descriptors: the
/// directory a relative name is taken from, and a successful open's file).
fn bracketed(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('>') else { break };
        out.push(&after[..j]);
        rest = &after[j + 1..];
    }
    out
}

/// The quoted strings of a line (file names, arguments).
fn quoted(line: &str) -> Vec<&str> {
    line.split('"').skip(1).step_by(2).collect()
}

/// Runs `layergate ARGS` under strace in `dir`; the trace. Each step's
/// bytes are written to its input, then the run waits (bounded) until its
/// output holds the step's text: a language server session must not run
/// ahead of the server's answers. The input is closed after the last step.
fn traced(s: &Setup, dir: &Path, args: &[&str], steps: &[(&[u8], &str)]) -> String {
    use std::io::Read;
    use std::sync::{Arc, Mutex};
    let log = s.cache.parent().unwrap().join("trace.log");
    let mut child = Command::new("strace")
        .args(["-f", "-qq", "-y", "-s", "4096", "-o"])
        .arg(&log)
        .args([
            "-e",
            "trace=open,openat,openat2,creat,execve,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,symlink,symlinkat,link,linkat,truncate",
        ])
        .arg(env!("CARGO_BIN_EXE_layergate"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &s.home)
        .env("XDG_CACHE_HOME", &s.cache)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LAYERGATE_NOW", "2026-06-01")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("strace runs (tests/setup installs it)");
    let mut input = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    for (bytes, wait_for) in steps {
        input.write_all(bytes).unwrap();
        input.flush().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let out = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
            if out.contains(wait_for) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{args:?}: no `{wait_for}` in the output: {out}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    drop(input);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let text = std::fs::read_to_string(&log).expect("a trace");
    assert!(!text.is_empty(), "no trace ({status})");
    text
}

/// Where a process may read: the system's own files.
const SYSTEM: &[&str] = &[
    "/etc/ld.so.cache",
    "/lib/",
    "/lib64/",
    "/usr/lib/",
    "/usr/lib64/",
    "/usr/share/",
    "/proc/",
    "/sys/",
    "/dev/null",
    "/dev/urandom",
    "/etc/localtime",
    "/etc/gitconfig",
    "/etc/passwd",
    "/etc/nsswitch.conf",
];

/// Checks a trace; returns (files opened inside the repository, git runs).
fn assert_confined(s: &Setup, what: &str, log: &str) -> (usize, usize) {
    let inside = |p: &str| {
        let p = Path::new(p);
        p.starts_with(&s.ws) || p.starts_with(&s.cache) || p.starts_with(&s.home)
    };
    let system = |p: &str| SYSTEM.iter().any(|pre| p.starts_with(pre)) || p.starts_with("pipe:");
    let exe = Path::new(env!("CARGO_BIN_EXE_layergate"))
        .canonicalize()
        .unwrap();
    let mut execs = 0;
    let (mut opened_inside, mut gits) = (0, 0);
    for c in calls(log) {
        let failed = c.line.contains(") = -1 ") || c.line.contains(") = ?");
        let paths = bracketed(&c.line);
        let names = quoted(&c.line);
        assert!(
            !c.line.contains(s.outside.to_str().unwrap()) || failed || c.name == "execve",
            "{what}: touched the folder outside: {}",
            c.line
        );
        match c.name.as_str() {
            "open" | "openat" | "openat2" | "creat" if !failed => {
                // the last bracketed path is the file opened
                let opened = paths.last().copied().unwrap_or("");
                let writes = c.line.contains("O_WRONLY")
                    || c.line.contains("O_RDWR")
                    || c.line.contains("O_CREAT")
                    || c.name == "creat";
                if writes {
                    assert!(
                        inside(opened) || opened == "/dev/null",
                        "{what}: wrote outside: {}",
                        c.line
                    );
                } else {
                    opened_inside += usize::from(Path::new(opened).starts_with(&s.ws));
                    assert!(
                        inside(opened)
                            || system(opened)
                            || Path::new(opened) == exe
                            || opened.starts_with(exe.parent().unwrap().to_str().unwrap()),
                        "{what}: read outside: {}",
                        c.line
                    );
                }
            }
            "execve" if !failed => {
                execs += 1;
                let program = names.first().copied().unwrap_or("");
                if Path::new(program) == Path::new(env!("CARGO_BIN_EXE_layergate")) {
                    continue;
                }
                gits += 1;
                assert!(
                    program.ends_with("/git")
                        && c.line.contains("\"core.hooksPath=/dev/null\"")
                        && c.line.contains("\"protocol.allow=never\""),
                    "{what}: ran something other than hardened git: {}",
                    c.line
                );
            }
            "rename" | "renameat" | "renameat2" | "unlink" | "unlinkat" | "mkdir" | "mkdirat"
            | "symlink" | "symlinkat" | "link" | "linkat" | "truncate"
                if !failed =>
            {
                // names relative to a bracketed directory, or absolute
                let dirs: Vec<&str> = paths.clone();
                for n in &names {
                    let full = if n.starts_with('/') {
                        PathBuf::from(n)
                    } else {
                        Path::new(dirs.first().copied().unwrap_or("")).join(n)
                    };
                    assert!(
                        inside(full.to_str().unwrap_or("")),
                        "{what}: changed something outside: {}",
                        c.line
                    );
                }
            }
            _ => {}
        }
    }
    assert!(execs >= 1, "{what}: no execve traced");
    // no program of the checkout's .git ran
    for ran in ["ran-filter", "ran-textconv", "ran-pager", "ran-hook"] {
        assert!(!s.outside.join(ran).exists(), "{what}: {ran}");
    }
    (opened_inside, gits)
}

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn a_hostile_repository_is_read_written_and_run_only_inside() {
    let s = setup();
    let ws = s.ws.clone();
    for (what, args) in [
        ("check", vec!["check"]),
        ("check --no-cache", vec!["check", "--no-cache"]),
        ("check --diff", vec!["check", "--diff", "HEAD"]),
        ("write-baseline", vec!["check", "--write-baseline"]),
        ("baseline prune", vec!["baseline", "prune"]),
        (
            "explain --agents --write",
            vec!["explain", "--agents", "--write", "AGENTS.md"],
        ),
    ] {
        let log = traced(&s, &ws, &args, &[]);
        let (opened, gits) = assert_confined(&s, what, &log);
        // the trace is read: the sources were opened, git ran for --diff
        assert!(opened > 0, "{what}: no open seen in the trace");
        assert_eq!(gits > 0, what == "check --diff", "{what}: {gits} git runs");
    }
    // init, in a folder of the repository with a dangling layergate.toml link
    let fresh = ws.join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    std::os::unix::fs::symlink(s.outside.join("made.toml"), fresh.join("layergate.toml")).unwrap();
    let log = traced(&s, &fresh, &["init", "--force"], &[]);
    assert_confined(&s, "init", &log);
    // the language server: initialize, a status request, shutdown, exit
    let uri = format!("file://{}", ws.display());
    let initialize = frame(&format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"processId":null,"rootUri":"{uri}","workspaceFolders":[{{"uri":"{uri}","name":"ws"}}],"capabilities":{{}}}}}}"#
    ));
    let ask = [
        frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        // answered once indexing is done: the session has read the workspace
        frame(&format!(
            r#"{{"jsonrpc":"2.0","id":2,"method":"layergate/allowed","params":{{"path":"{}"}}}}"#,
            ws.join("src/db/q.ts").display()
        )),
    ]
    .concat();
    let end = [
        frame(r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#),
        frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
    ]
    .concat();
    let log = traced(
        &s,
        &ws,
        &["lsp"],
        &[
            (initialize.as_bytes(), r#""id":1"#),
            (ask.as_bytes(), r#""id":2"#),
            (end.as_bytes(), r#""id":3"#),
        ],
    );
    let (opened, _) = assert_confined(&s, "lsp", &log);
    assert!(opened > 0, "lsp: no open seen in the trace");
    // and nothing appeared outside
    let mut names: Vec<String> = std::fs::read_dir(&s.outside)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Cargo.toml", "agents.md", "evil", "secret.json"],
        "files appeared outside"
    );
    assert_eq!(
        std::fs::read_to_string(s.outside.join("agents.md")).unwrap(),
        "theirs\n"
    );
}
