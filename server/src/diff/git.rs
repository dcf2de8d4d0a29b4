//! Running `git` for `check --diff`, hardened: layergate never runs code from
//! the workspace, so every invocation disables what a repository's config or
//! attributes could turn into a command (hooks, the clean/smudge/process
//! commands of every filter driver the config defines, external diff
//! drivers, textconv, fsmonitor hooks, pagers) and pins what could change
//! the output's shape (prefixes, renames, relative paths, colour, quoting).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Options placed before the subcommand on every call.
const HARDENING: &[&str] = &[
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.fsmonitor=false",
    // a partial clone would fetch missing objects, running the config's
    // ssh command or credential helper: no transport at all
    "-c",
    "protocol.allow=never",
    "-c",
    "diff.external=",
    "-c",
    "core.quotePath=false",
    "-c",
    "color.ui=false",
    "--no-pager",
    "--no-optional-locks",
];

/// Options of every `git diff` call.
const DIFF_OPTIONS: &[&str] = &[
    // a `.gitattributes` marking sources `-diff`/`binary` (or a tiny
    // core.bigFileThreshold) would otherwise turn every hunk into "Binary
    // files differ", and --diff would see no changed line
    "--text",
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--find-renames",
    "--ignore-submodules=all",
];

/// A failed git call: the command and what git said.
#[derive(Debug)]
pub struct GitError(pub String);

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `(key, value)` settings that empty the clean, smudge and process
/// commands of every filter driver the configs seen from `dir` define (the
/// repository's own `.git/config` included): an empty command is no command,
/// so `git diff` comparing the work tree runs none of them. Passed through
/// `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`, not `-c`,
/// because a driver's name may contain `=` (which `-c` splits at). Asked
/// once per directory.
fn filters_off(dir: &Path) -> Vec<(String, String)> {
    use std::sync::{Mutex, OnceLock};
    type Seen = BTreeMap<PathBuf, Vec<(String, String)>>;
    static SEEN: OnceLock<Mutex<Seen>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(v) = seen.lock().ok().and_then(|m| m.get(dir).cloned()) {
        return v;
    }
    let listed = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(HARDENING)
        .args([
            "config",
            "--null",
            "--name-only",
            "--get-regexp",
            r"^filter\.",
        ])
        .env("GIT_NO_LAZY_FETCH", "1")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    let mut names: Vec<String> = listed
        .split(|b| *b == 0)
        .filter_map(|k| {
            let k = String::from_utf8_lossy(k);
            k.strip_prefix("filter.")?
                .rsplit_once('.')
                .map(|(n, _)| n.to_string())
        })
        .collect();
    names.sort();
    names.dedup();
    let mut settings = Vec::new();
    for n in names {
        for key in ["clean", "smudge", "process"] {
            settings.push((format!("filter.{n}.{key}"), String::new()));
        }
        settings.push((format!("filter.{n}.required"), "false".to_string()));
    }
    if let Ok(mut m) = seen.lock() {
        m.insert(dir.to_path_buf(), settings.clone());
    }
    settings
}

/// Runs `git -C dir <hardening> args`; stdout on success.
pub fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(HARDENING)
        .args(args)
        .envs(config_env(&filters_off(dir)))
        .env("GIT_NO_LAZY_FETCH", "1")
        .env_remove("GIT_EXTERNAL_DIFF")
        .env_remove("GIT_DIFF_OPTS")
        .env_remove("GIT_PAGER")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| GitError(format!("cannot run git: {e}")))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        Err(GitError(format!(
            "`git {}` failed: {}",
            args.first().copied().unwrap_or(""),
            first.trim()
        )))
    }
}

/// `GIT_CONFIG_COUNT` and its `GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`.
fn config_env(settings: &[(String, String)]) -> Vec<(String, String)> {
    let mut env = vec![("GIT_CONFIG_COUNT".to_string(), settings.len().to_string())];
    for (i, (k, v)) in settings.iter().enumerate() {
        env.push((format!("GIT_CONFIG_KEY_{i}"), k.clone()));
        env.push((format!("GIT_CONFIG_VALUE_{i}"), v.clone()));
    }
    env
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

/// The top directory of the work tree containing `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, GitError> {
    let top = text(run(dir, &["rev-parse", "--show-toplevel"])?);
    let top = PathBuf::from(top);
    Ok(top.canonicalize().unwrap_or(top))
}

/// The commit `rev` names, if it names one.
pub fn commit_of(top: &Path, rev: &str) -> Option<String> {
    let spec = format!("{rev}^{{commit}}");
    run(
        top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .ok()
    .map(text)
    .filter(|s| !s.is_empty())
}

/// The merge base of HEAD and `commit`.
pub fn merge_base(top: &Path, commit: &str) -> Result<String, GitError> {
    run(top, &["merge-base", "HEAD", commit]).map(text)
}

/// The content of `path` (relative to the top, with `/`) at `commit`, or
/// `None` when it did not exist there. Plumbing: no textconv, no filters.
pub fn show(top: &Path, commit: &str, path: &str) -> Option<Vec<u8>> {
    let spec = format!("{commit}:{path}");
    run(top, &["cat-file", "blob", &spec]).ok()
}

/// How a file differs from the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// New since the base (added, copied, or untracked and not ignored).
    Added,
    Modified,
    /// Renamed from this path (relative to the top).
    Renamed(String),
}

/// What changed in the work tree since the base, by path relative to the top.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    pub status: BTreeMap<String, Status>,
    /// Lines added or modified, 1-based inclusive ranges in the new text.
    pub lines: BTreeMap<String, Vec<(u32, u32)>>,
}

/// The changes of the work tree (staged, unstaged and untracked files) since
/// `base`.
pub fn changes(top: &Path, base: &str) -> Result<Changes, GitError> {
    let mut args: Vec<&str> = vec!["diff", "-z", "--name-status"];
    args.extend_from_slice(DIFF_OPTIONS);
    args.extend_from_slice(&[base, "--"]);
    let mut c = Changes {
        status: parse_name_status(&run(top, &args)?),
        ..Changes::default()
    };
    let mut args: Vec<&str> = vec!["diff", "--unified=0"];
    args.extend_from_slice(DIFF_OPTIONS);
    args.extend_from_slice(&[base, "--"]);
    c.lines = parse_hunks(&run(top, &args)?);
    let untracked = run(top, &["ls-files", "-z", "--others", "--exclude-standard"])?;
    for p in untracked.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        c.status
            .insert(String::from_utf8_lossy(p).into_owned(), Status::Added);
    }
    Ok(c)
}

/// Parses `git diff -z --name-status`: `STATUS\0PATH\0`, or
/// `R100\0OLD\0NEW\0` for renames and copies.
pub fn parse_name_status(out: &[u8]) -> BTreeMap<String, Status> {
    let mut map = BTreeMap::new();
    let mut fields = out
        .split(|&b| b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned());
    while let Some(st) = fields.next() {
        let Some(kind) = st.chars().next() else {
            continue;
        };
        match kind {
            'R' | 'C' => {
                let (Some(old), Some(new)) = (fields.next(), fields.next()) else {
                    break;
                };
                let s = if kind == 'R' {
                    Status::Renamed(old)
                } else {
                    Status::Added
                };
                map.insert(new, s);
            }
            'D' => {
                fields.next();
            }
            'A' => {
                if let Some(p) = fields.next() {
                    map.insert(p, Status::Added);
                }
            }
            _ => {
                // M, T (type change), U (unmerged), X
                if let Some(p) = fields.next() {
                    map.insert(p, Status::Modified);
                }
            }
        }
    }
    map
}

/// Parses a `--unified=0` patch: for each file (its `+++ b/PATH` line), the
/// new-side line ranges of its hunks. Pure deletions add no line.
pub fn parse_hunks(patch: &[u8]) -> BTreeMap<String, Vec<(u32, u32)>> {
    let mut map: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for raw in patch.split(|&b| b == b'\n') {
        if raw.starts_with(b"diff --git ") {
            current = None;
        } else if let Some(rest) = raw.strip_prefix(b"+++ ") {
            // git appends a tab to names containing a space
            let rest = rest.strip_suffix(b"\t").unwrap_or(rest);
            current = match unquote(rest) {
                Some(p) => p.strip_prefix("b/").map(str::to_string),
                None => None, // /dev/null
            };
        } else if raw.starts_with(b"@@ ") {
            if let (Some(file), Some((start, count))) = (&current, new_side(raw)) {
                if count > 0 {
                    map.entry(file.clone())
                        .or_default()
                        .push((start, start + count - 1));
                }
            }
        }
    }
    map
}

/// `@@ -a,b +c,d @@` → (c, d); `d` defaults to 1.
fn new_side(header: &[u8]) -> Option<(u32, u32)> {
    let s = std::str::from_utf8(header.get(3..)?).ok()?;
    let plus = s.split(' ').find(|t| t.starts_with('+'))?;
    let plus = &plus[1..];
    let (start, count) = match plus.split_once(',') {
        Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
        None => (plus.parse().ok()?, 1),
    };
    Some((start, count))
}

/// A path as git writes it in patch headers: as is, or C-quoted when it holds
/// special characters. `None` for `/dev/null`.
pub fn unquote(raw: &[u8]) -> Option<String> {
    if raw == b"/dev/null" {
        return None;
    }
    if raw.len() < 2 || raw[0] != b'"' || raw[raw.len() - 1] != b'"' {
        return Some(String::from_utf8_lossy(raw).into_owned());
    }
    let inner = &raw[1..raw.len() - 1];
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c != b'\\' || i + 1 >= inner.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = inner[i + 1];
        i += 2;
        match e {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v: u32 = u32::from(e - b'0');
                let mut n = 1;
                while n < 3 && i < inner.len() && (b'0'..=b'7').contains(&inner[i]) {
                    v = v * 8 + u32::from(inner[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push((v & 0xff) as u8);
            }
            other => out.push(other),
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_of_a_patch() {
        let patch = b"diff --git a/src/a.ts b/src/a.ts\nindex 1..2 100644\n--- a/src/a.ts\n+++ b/src/a.ts\n@@ -3 +3 @@ x\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,2 +21,0 @@\n-e\n-f\ndiff --git a/my file.ts b/my file.ts\nnew file mode 100644\n--- /dev/null\n+++ b/my file.ts\t\n@@ -0,0 +1 @@\n+x\ndiff --git a/gone.ts b/gone.ts\n--- a/gone.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\ndiff --git \"a/t\\tab.ts\" \"b/t\\tab.ts\"\n--- \"a/t\\tab.ts\"\n+++ \"b/t\\tab.ts\"\n@@ -1 +1 @@\n-x\n+y\n";
        let m = parse_hunks(patch);
        assert_eq!(
            m.into_iter().collect::<Vec<_>>(),
            vec![
                ("my file.ts".to_string(), vec![(1, 1)]),
                ("src/a.ts".to_string(), vec![(3, 3), (11, 12)]),
                ("t\tab.ts".to_string(), vec![(1, 1)]),
            ]
        );
    }

    #[test]
    fn name_status_with_renames() {
        let out = b"M\0src/a.ts\0R087\0old name.ts\0new name.ts\0A\0\xc3\xa9.ts\0D\0gone.ts\0C100\0x.ts\0y.ts\0";
        let m = parse_name_status(out);
        assert_eq!(
            m.into_iter().collect::<Vec<_>>(),
            vec![
                (
                    "new name.ts".to_string(),
                    Status::Renamed("old name.ts".into())
                ),
                ("src/a.ts".to_string(), Status::Modified),
                ("y.ts".to_string(), Status::Added),
                ("é.ts".to_string(), Status::Added),
            ]
        );
    }

    #[test]
    fn unquoting() {
        assert_eq!(unquote(b"b/plain").as_deref(), Some("b/plain"));
        assert_eq!(unquote(b"/dev/null"), None);
        assert_eq!(
            unquote(b"\"b/\\303\\251 \\\"q\\\"\"").as_deref(),
            Some("b/é \"q\"")
        );
    }
}
