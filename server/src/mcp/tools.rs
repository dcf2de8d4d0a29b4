//! What the MCP tools do, as plain synchronous functions over the workspace on
//! disk (the protocol layer is in `mod.rs`). Each workspace stays loaded and
//! checked between calls ([`Warm`]) and is brought up to date with the disk
//! before each one, so a call sees what the agent wrote since the last one
//! and costs what changed, not a load and a full check. Results are JSON (or
//! Markdown for `explain`) strings; failures are messages meant for the
//! agent.

use std::collections::{BTreeMap, HashMap};
use std::panic::AssertUnwindSafe;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rules::facts::Suppression;
use rules::Builtin;
use rules::Diagnostic;
use rules::Lang;
use rules::LineIndex;
use rules::{Baseline, Options};
use rules::{Config, ConfigProblem, Severity};
use rules::{ConfinedFs, FileSystem};
use rules::{Content, FileEntry, Workspace};

use super::patch;
use crate::commands::hook::judge::{explained, taken_out};
use crate::diff::ratchet;
use crate::output::{self, Report};
use crate::project;
use crate::warm::Warm;

/// The workspace root the server answers for (canonical), and the
/// workspaces loaded so far, by config.
#[derive(Clone)]
pub struct Session {
    root: PathBuf,
    warm: Arc<Mutex<BTreeMap<PathBuf, Warm>>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("root", &self.root).finish()
    }
}

impl Session {
    pub fn new(root: PathBuf) -> Session {
        Session {
            root,
            warm: Arc::default(),
        }
    }

    /// Runs `f` on the workspace of `config`, loaded on first use and
    /// brought up to date with the disk. A workspace whose call panicked is
    /// dropped (it may hold a proposed content), and loaded again next time.
    fn with_warm<R>(
        &self,
        config: &Path,
        f: impl FnOnce(&mut Warm) -> Result<R, String>,
    ) -> Result<R, String> {
        let mut all = self.warm.lock().unwrap_or_else(|e| e.into_inner());
        let warm = match all.remove(config) {
            Some(mut w) => w.catch_up().map(|()| w),
            None => Warm::load(config),
        }?;
        let warm = all.entry(config.to_path_buf()).or_insert(warm);
        match std::panic::catch_unwind(AssertUnwindSafe(|| f(warm))) {
            Ok(r) => r,
            Err(panic) => {
                all.remove(config);
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// `check_files`: the diagnostics of the workspace, or of `paths` only.
    pub fn check_files(&self, paths: &[String]) -> Result<String, String> {
        let started = Instant::now();
        let scope: Vec<PathBuf> = paths
            .iter()
            .map(|p| {
                let abs = self.abs(p)?;
                if abs.exists() {
                    Ok(abs)
                } else {
                    Err(format!("{p} does not exist"))
                }
            })
            .collect::<Result<_, String>>()?;
        let configs = if scope.is_empty() {
            project::find_configs(std::slice::from_ref(&self.root), None)
        } else {
            project::find_configs(&scope, None)
        }
        .map_err(|e| e.0)?;
        let mut all = Vec::new();
        let (mut files, mut stale, mut baseline_in_use) = (0, 0, false);
        for config in &configs {
            self.with_warm(config, |warm| {
                baseline_in_use |= warm.baseline_in_use();
                let outcome = warm.host.check();
                files += outcome.files;
                stale += outcome.stale_baseline;
                let root = warm.host.root();
                for d in outcome.diagnostics {
                    let abs = root.join(&d.file);
                    if scope.is_empty() || in_scope(&abs, &scope, root) {
                        all.push(self.relocate(d, root));
                    }
                }
                Ok(())
            })?;
        }
        all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Ok(output::json(&Report {
            diagnostics: &all,
            files,
            elapsed_ms: started.elapsed().as_millis() as u64,
            stale_baseline: stale,
            baseline_in_use,
        }))
    }

    /// `check_content`: the diagnostics located in `path` if it held `content`.
    pub fn check_content(&self, path: &str, content: String) -> Result<String, String> {
        let started = Instant::now();
        let abs = self.abs(path)?;
        if abs.is_dir() {
            return Err(format!("{path} is a directory, not a file"));
        }
        if Lang::from_path(path).is_none() {
            return Err(format!(
                "{path} is not a file layergate checks (.ts .tsx .mts .cts .js .jsx .mjs .cjs .rs)"
            ));
        }
        let config = self.config_for(&abs, path)?;
        self.with_warm(&config, |warm| {
            let rel = self.rel_in(&warm.host, &abs, path)?;
            let mut report = Checked {
                baseline_in_use: warm.baseline_in_use(),
                ..Checked::default()
            };
            let mut note = None;
            if rules::workspace::walked(&warm.host.config, &rel) {
                let host = &mut warm.host;
                let (diagnostics, files, stale) =
                    host.check_overlay(&rel, Content::Text(content), |ws, outcome| {
                        let mine = outcome
                            .diagnostics
                            .iter()
                            .filter(|d| d.file == rel)
                            .map(|d| self.relocate(d.clone(), ws.root()))
                            .collect::<Vec<_>>();
                        (mine, outcome.files, outcome.stale_baseline)
                    });
                report.files = files;
                report.stale = stale;
                report.diagnostics = diagnostics;
            } else {
                let outcome = warm.host.check();
                report.files = outcome.files;
                report.stale = outcome.stale_baseline;
                note = Some(format!(
                    "{path} is not checked: layergate.toml's [workspace] include/exclude or an ignore file leave it out"
                ));
            }
            Ok(render(&report, started, None, note))
        })
    }

    /// `check_patch`: the violations a unified diff adds to the workspace.
    pub fn check_patch(&self, diff: &str) -> Result<String, String> {
        let started = Instant::now();
        let patches = patch::parse(diff)?;
        if patches.is_empty() {
            return Err(
                "the patch changes no file: expected a unified diff with `--- a/FILE` / `+++ b/FILE` headers and `@@` hunks".into(),
            );
        }
        // group the file patches by the workspace governing them
        let mut groups: Vec<(PathBuf, Vec<&patch::FilePatch>)> = Vec::new();
        for fp in &patches {
            let name = fp.name();
            let abs = self.abs(name)?;
            if let Some(old) = &fp.old {
                self.abs(old)?;
            }
            let config = self.config_for(&abs, name)?;
            match groups.iter_mut().find(|(c, _)| *c == config) {
                Some((_, v)) => v.push(fp),
                None => groups.push((config, vec![fp])),
            }
        }
        let mut checked = Checked::default();
        let mut removed = 0usize;
        for (config, fps) in &groups {
            self.with_warm(config, |warm| {
                checked.baseline_in_use |= warm.baseline_in_use();
                let judged = self.judge_patch(warm, fps)?;
                removed += judged.removed;
                checked.files += judged.files;
                let root = warm.host.root();
                checked
                    .diagnostics
                    .extend(judged.added.into_iter().map(|d| self.relocate(d, root)));
                Ok(())
            })?;
        }
        checked
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Ok(render(&checked, started, Some(removed), None))
    }

    /// What the patches `fps` do to one workspace: the violations they add
    /// (under the patched `layergate.toml`, if they change it) and how many
    /// they fix, and, as `check --diff`'s ratchet would report them, the ways
    /// they weaken the policy: rules removed or loosened in the config,
    /// suppressions added (without a reason, when `[hooks] suppressions =
    /// "with-reason"`), the baseline grown, a new `layergate.toml` below
    /// this one taking checked files out of its rules.
    fn judge_patch(&self, warm: &mut Warm, fps: &[&patch::FilePatch]) -> Result<Judged, String> {
        let (patched, added_lines) = self.patched(&warm.host, fps)?;
        let before = warm.host.check().diagnostics;
        let ws = warm.host.workspace();
        let config = ws.config.clone();
        let root = ws.root().to_path_buf();
        let opts = warm.host.options().clone();
        // the patched files as they are now
        let rels: Vec<String> = patched.keys().cloned().collect();
        let old: BTreeMap<String, FileEntry> = patched
            .keys()
            .filter_map(|rel| Some((rel.clone(), ws.files.get(rel)?.clone())))
            .collect();
        let written = |rel: &str, s: &Suppression| {
            added_lines.get(rel).is_some_and(|ls| {
                ls.iter()
                    .any(|&l| l > s.span.line && l <= s.span.end_line + 1)
            })
        };
        // a patch that only edits checked sources is checked on the loaded
        // workspace; one that creates or deletes files, or edits anything
        // else (a manifest, the config, the baseline), on a workspace whose
        // file system sees the patched files (the resolvers ask it which
        // files exist)
        let sources_only = patched.iter().all(|(rel, text)| {
            text.is_some()
                && ws.files.contains_key(rel)
                && Lang::from_path(rel).is_some()
                && rules::workspace::walked(&ws.config, rel)
        });
        if sources_only {
            let overlays = patched
                .into_iter()
                .map(|(rel, text)| (rel, text.map(Content::Text)))
                .collect();
            let (after, files, policy) = warm.host.check_overlays(overlays, |ws, outcome| {
                let policy = added_suppressions(&config, &rels, &old, ws, &written);
                (outcome.diagnostics.clone(), outcome.files, policy)
            });
            let (mut added, removed) = added_violations(&before, after, &added_lines);
            added.extend(policy);
            return Ok(Judged {
                added,
                removed,
                files,
            });
        }

        let config_rel = rules::analysis::config_rel(&config);
        let new_config = match patched.get(&config_rel) {
            None => None,
            Some(None) => {
                return Ok(Judged::policy(vec![ratchet::at_line(
                    &config_rel,
                    &config.text,
                    0,
                    Severity::Error,
                    format!(
                        "the patch deletes {config_rel}: every rule of this workspace would stop"
                    ),
                )]))
            }
            Some(Some(text)) => match Config::parse(&config.path, text) {
                Ok(c) => Some(Arc::new(c)),
                Err(problems) => {
                    return Ok(Judged::policy(config_problems(
                        &config_rel,
                        text,
                        &problems,
                    )))
                }
            },
        };
        let fs: Arc<dyn FileSystem> = Arc::new(PatchFs {
            files: patched
                .iter()
                .map(|(rel, t)| (root.join(rel), t.clone()))
                .collect(),
            disk: ConfinedFs::around(&root),
        });
        // the patched files in a workspace of `config`
        let patched_ws = |config: &Arc<Config>| {
            let mut w = if Arc::ptr_eq(config, &ws.config) {
                Workspace::from_entries(config.clone(), fs.clone(), ws.files.clone())
            } else {
                ratchet::workspace_over(ws, config.clone(), fs.clone())
            };
            for (rel, text) in &patched {
                match text {
                    None => w.remove_file(rel),
                    Some(text) if rules::workspace::walked(&w.config, rel) => {
                        w.set_file(rel, Content::Text(text.clone()), None)
                    }
                    Some(_) => {}
                }
            }
            w
        };
        let after_ws = patched_ws(new_config.as_ref().unwrap_or(&config));
        let after = rules::check_cold(&after_ws, &opts);
        let (mut added, removed) = added_violations(&before, after.diagnostics, &added_lines);
        added.extend(added_suppressions(
            &config, &rels, &old, &after_ws, &written,
        ));
        if let Some(new) = &new_config {
            // the current rules on the patched code, against the new ones
            let then = rules::check_cold(&patched_ws(&config), &opts);
            let now_raw = rules::check_cold(
                &after_ws,
                &Options {
                    today: opts.today.clone(),
                    baseline: None,
                },
            );
            let by = format!("this patch's change to {config_rel}");
            added.extend(ratchet::let_through(
                &then.diagnostics,
                &now_raw.diagnostics,
                &by,
            ));
            if new.hook_suppressions_with_reason && !config.hook_suppressions_with_reason {
                let line = new
                    .text
                    .lines()
                    .position(|l| l.trim_start().starts_with("suppressions"));
                added.push(ratchet::at_line(
                    &config_rel,
                    &new.text,
                    line.unwrap_or(0) as u32,
                    Severity::Error,
                    "`[hooks] suppressions = \"with-reason\"` lets agents add layergate-ignore comments: the team's decision, not the agent's".into(),
                ));
            }
        }
        // a new config below this one splits the workspace
        for (rel, text) in &patched {
            let Some(dir) = rel.strip_suffix(&format!("/{}", rules::CONFIG_FILE)) else {
                continue;
            };
            if let (Some(text), false) = (text, root.join(rel).exists()) {
                if let Some(why) = taken_out(ws, &before, dir) {
                    added.push(ratchet::at_line(rel, text, 0, Severity::Error, why));
                }
            }
        }
        // the baseline in force after the patch (the patched config may
        // name another) against the one in force now
        let (baseline_path, _) = project::baseline_path_of(&config, None);
        let (new_path, _) =
            project::baseline_path_of(new_config.as_deref().unwrap_or(&config), None);
        if let Some(rel) = rules::workspace::relative(&root, &new_path) {
            let text = match patched.get(&rel) {
                Some(t) => t.clone(),
                None if new_path != baseline_path => rules::disk::Boundary::around(&root)
                    .read_string(&new_path, rules::disk::MAX_BASELINE_SIZE)
                    .ok(),
                None => None,
            };
            if let Some(text) = text {
                added.extend(grown_baseline(
                    &root,
                    &baseline_path,
                    &rel,
                    &text,
                    &renames(&root, fps, self),
                ));
            }
        }
        Ok(Judged {
            added,
            removed,
            files: after.files,
        })
    }

    /// The files of workspace `ws` that `fps` patch (workspace-relative: the
    /// new text, `None` when deleted), and the lines each patch added.
    #[allow(clippy::type_complexity)]
    fn patched(
        &self,
        ws: &Workspace,
        fps: &[&patch::FilePatch],
    ) -> Result<(BTreeMap<String, Option<String>>, HashMap<String, Vec<u32>>), String> {
        let mut patched: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut added_lines: HashMap<String, Vec<u32>> = HashMap::new();
        for fp in fps {
            let old_rel = match &fp.old {
                Some(o) => Some(self.rel_in(ws, &self.abs(o)?, o)?),
                None => None,
            };
            let new_rel = match &fp.new {
                Some(n) => Some(self.rel_in(ws, &self.abs(n)?, n)?),
                None => None,
            };
            let Some(current) = old_rel.as_ref().or(new_rel.as_ref()) else {
                continue;
            };
            let original = match patched.get(current) {
                Some(t) => t.clone(),
                None => current_text(ws, current),
            };
            let result = patch::apply(original.as_deref(), fp)?;
            if let Some(o) = &old_rel {
                patched.insert(o.clone(), None);
            }
            if let (Some(n), Some(applied)) = (new_rel, result) {
                added_lines.insert(n.clone(), applied.added_lines);
                patched.insert(n, Some(applied.text));
            }
        }
        Ok((patched, added_lines))
    }

    /// `allowed_dependencies`: what `path` may import and use.
    pub fn allowed(&self, path: &str) -> Result<String, String> {
        let abs = self.abs(path)?;
        let config = self.config_for(&abs, path)?;
        self.with_warm(&config, |warm| {
            let rel = self.rel_in(&warm.host, &abs, path)?;
            let v = crate::commands::allowed::answer(&warm.host, &rel);
            let mut s = serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?;
            s.push('\n');
            Ok(s)
        })
    }

    /// `explain`: the architecture as Markdown (every workspace at or below
    /// the root, or the one governing it).
    pub fn explain(&self) -> Result<String, String> {
        let configs = match rules::workspace::nearest_config(&self.root) {
            Some(c) => vec![c],
            None => {
                project::find_configs(std::slice::from_ref(&self.root), None).map_err(|e| e.0)?
            }
        };
        let mut out = String::new();
        for (i, c) in configs.iter().enumerate() {
            if i > 0 {
                out.push_str("\n---\n\n");
            }
            self.with_warm(c, |warm| {
                out.push_str(&crate::commands::explain::markdown(&warm.host));
                Ok(())
            })?;
        }
        Ok(out)
    }

    /// `p` (relative to the root, or absolute) as an absolute path inside the
    /// root; `.` and `..` are resolved lexically, and the deepest existing
    /// ancestor through symlinks.
    fn abs(&self, p: &str) -> Result<PathBuf, String> {
        if p.trim().is_empty() {
            return Err("empty path".into());
        }
        let joined = self.root.join(p);
        let mut clean = PathBuf::new();
        for c in joined.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    clean.pop();
                }
                other => clean.push(other.as_os_str()),
            }
        }
        let mut real = clean.clone();
        for anc in clean.ancestors() {
            if anc.exists() {
                if let (Ok(canon), Ok(rest)) = (anc.canonicalize(), clean.strip_prefix(anc)) {
                    real = if rest.as_os_str().is_empty() {
                        canon
                    } else {
                        canon.join(rest)
                    };
                }
                break;
            }
        }
        if !real.starts_with(&self.root) {
            return Err(format!(
                "{p} is outside the workspace {}",
                self.root.display()
            ));
        }
        Ok(real)
    }

    /// The config governing `abs` (which may not exist yet).
    fn config_for(&self, abs: &Path, shown: &str) -> Result<PathBuf, String> {
        let start = abs
            .ancestors()
            .skip(1)
            .find(|d| d.is_dir())
            .unwrap_or(&self.root);
        rules::workspace::nearest_config(start).ok_or_else(|| {
            format!("no layergate.toml governs {shown}; run `layergate init` at the workspace root to write one")
        })
    }

    /// `abs` relative to the workspace root of `ws`.
    fn rel_in(&self, ws: &Workspace, abs: &Path, shown: &str) -> Result<String, String> {
        rules::workspace::relative(ws.root(), abs)
            .ok_or_else(|| format!("{shown} is outside the workspace {}", ws.root().display()))
    }

    /// Makes a diagnostic's paths relative to the server root, as `check`
    /// makes them relative to its current directory.
    fn relocate(&self, mut d: Diagnostic, ws_root: &Path) -> Diagnostic {
        d.file = project::relative_to(&ws_root.join(&d.file), &self.root);
        if let Some(r) = &mut d.related {
            r.file = project::relative_to(&ws_root.join(&r.file), &self.root);
        }
        for f in &mut d.fixes {
            for e in &mut f.edits {
                e.file = project::relative_to(&ws_root.join(&e.file), &self.root);
            }
        }
        d
    }
}

/// What a patch does to one workspace.
struct Judged {
    added: Vec<Diagnostic>,
    removed: usize,
    files: usize,
}

impl Judged {
    /// Only `policy` or `config` findings: the patch could not be judged
    /// further (its config does not parse, or is deleted).
    fn policy(added: Vec<Diagnostic>) -> Judged {
        Judged {
            added,
            removed: 0,
            files: 0,
        }
    }
}

/// The suppressions the patched files `rels` of `after` gained on written lines
/// (`written`), beyond those of the files as they were (`old`), as the
/// ratchet reports them. With `[hooks] suppressions = "with-reason"`, only
/// those without a reason count.
fn added_suppressions(
    config: &Config,
    rels: &[String],
    old: &BTreeMap<String, FileEntry>,
    after: &Workspace,
    written: &dyn Fn(&str, &Suppression) -> bool,
) -> Vec<Diagnostic> {
    let with_reason = config.hook_suppressions_with_reason;
    let counted = |s: &&Suppression| !with_reason || !explained(s);
    let mut out = Vec::new();
    for (rel, entry) in rels.iter().filter_map(|r| Some((r, after.files.get(r)?))) {
        let now: Vec<&Suppression> = entry.facts.suppressions.iter().filter(counted).collect();
        let on_written: Vec<&Suppression> =
            now.iter().copied().filter(|s| written(rel, s)).collect();
        if on_written.is_empty() {
            continue;
        }
        let before: Vec<&Suppression> = old
            .get(rel)
            .iter()
            .flat_map(|e| &e.facts.suppressions)
            .filter(counted)
            .collect();
        out.extend(ratchet::new_suppressions(
            rel,
            entry,
            (&before, &now),
            &on_written,
            "by this patch",
        ));
    }
    out
}

/// The problems of a patched `layergate.toml` that does not parse, as
/// `config` diagnostics.
fn config_problems(rel: &str, text: &str, problems: &[ConfigProblem]) -> Vec<Diagnostic> {
    let lines = LineIndex::new(text);
    problems
        .iter()
        .map(|p| {
            Diagnostic::plain(
                rel.to_string(),
                rules::analysis::range_of(Some(text), &lines, p.span),
                p.span,
                p.severity,
                Builtin::Config,
                format!(
                    "the patched {rel} does not parse, so nothing else was judged: {}",
                    p.message
                ),
            )
        })
        .collect()
}

/// Each file a patch renames: its new workspace-relative name, its old one.
fn renames(root: &Path, fps: &[&patch::FilePatch], session: &Session) -> HashMap<String, String> {
    fps.iter()
        .filter_map(|fp| {
            let rel = |n: &str| rules::workspace::relative(root, &session.abs(n).ok()?);
            let (old, new) = (rel(fp.old.as_deref()?)?, rel(fp.new.as_deref()?)?);
            (old != new).then_some((new, old))
        })
        .collect()
}

/// The entries a baseline (`text`, at `rel`) has beyond the one on disk at
/// `path`, inside the workspace at `root` (none there: an empty one).
fn grown_baseline(
    root: &Path,
    path: &Path,
    rel: &str,
    text: &str,
    renamed: &HashMap<String, String>,
) -> Vec<Diagnostic> {
    let Ok(now) = Baseline::parse(text) else {
        return vec![ratchet::at_line(
            rel,
            text,
            0,
            Severity::Error,
            format!("the patched {rel} is not a layergate baseline"),
        )];
    };
    let before = rules::disk::Boundary::around(root)
        .read_string(path, rules::disk::MAX_BASELINE_SIZE)
        .ok()
        .and_then(|t| Baseline::parse(&t).ok())
        .unwrap_or_default();
    let renamed: HashMap<&str, String> = renamed
        .iter()
        .map(|(n, o)| (n.as_str(), o.clone()))
        .collect();
    ratchet::grown_entries(&before, &now, text, rel, &renamed, "by this patch")
}

/// The text of a workspace file as the workspace holds it, else as on disk
/// (files layergate does not analyse: `layergate.toml`, manifests, excluded).
fn current_text(ws: &Workspace, rel: &str) -> Option<String> {
    if let Some(f) = ws.files.get(rel) {
        return f.text(ws.fs(), &ws.root().join(rel)).map(|t| t.to_string());
    }
    let p = ws.root().join(rel);
    if p.is_file() {
        rules::disk::read_regular_string(&p, rules::workspace::MAX_FILE_SIZE).ok()
    } else {
        None
    }
}

/// The disk as a patch leaves it: patched files (`None`: deleted) over the
/// real file system.
struct PatchFs {
    files: HashMap<PathBuf, Option<String>>,
    disk: ConfinedFs,
}

impl FileSystem for PatchFs {
    fn is_file(&self, path: &Path) -> bool {
        match self.files.get(path) {
            Some(t) => t.is_some(),
            None => self.disk.is_file(path),
        }
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.disk.is_dir(path)
            || self
                .files
                .iter()
                .any(|(p, t)| t.is_some() && p != path && p.starts_with(path))
    }

    fn read_to_string(&self, path: &Path) -> Option<String> {
        match self.files.get(path) {
            Some(t) => t.clone(),
            None => self.disk.read_to_string(path),
        }
    }

    fn is_symlink(&self, path: &Path) -> bool {
        !self.files.contains_key(path) && self.disk.is_symlink(path)
    }

    fn read_dir(&self, path: &Path) -> Vec<String> {
        let mut names: Vec<String> = self
            .disk
            .read_dir(path)
            .into_iter()
            .filter(|n| !matches!(self.files.get(&path.join(n)), Some(None)))
            .collect();
        for (p, t) in &self.files {
            if t.is_none() {
                continue;
            }
            // the first component of `p` below `path`: a new file or directory
            let Ok(rest) = p.strip_prefix(path) else {
                continue;
            };
            if let Some(first) = rest.components().next() {
                let n = first.as_os_str().to_string_lossy().into_owned();
                if !rest.as_os_str().is_empty() && !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        names.sort();
        names
    }
}

/// Like `check`'s scope: a diagnostic counts when its file is under one of
/// the asked paths, or is the workspace's `layergate.toml`.
fn in_scope(abs: &Path, scope: &[PathBuf], root: &Path) -> bool {
    if abs.starts_with(root) && abs.file_name().is_some_and(|n| n == rules::CONFIG_FILE) {
        return true;
    }
    scope.iter().any(|p| abs.starts_with(p))
}

/// The diagnostics of `after` beyond those of `before`; of several equal
/// ones, those on lines the patch added are the new ones. Also returns how
/// many went away.
fn added_violations(
    before: &[Diagnostic],
    after: Vec<Diagnostic>,
    added_lines: &HashMap<String, Vec<u32>>,
) -> (Vec<Diagnostic>, usize) {
    rules::analysis::added::added_diagnostics(before, after, |d| {
        added_lines
            .get(&d.file)
            .is_some_and(|ls| ls.contains(&d.range.line))
    })
}

/// What `check_content` and `check_patch` report, summarized as `check
/// --format json` summarizes (`check_content` as `check --stdin-filename`).
#[derive(Default)]
struct Checked {
    diagnostics: Vec<Diagnostic>,
    /// The files of the workspaces checked.
    files: usize,
    stale: usize,
    baseline_in_use: bool,
}

/// The JSON of `check --format json` (same fields, same order), with
/// `check_patch`'s `removed` (how many existing violations the patch fixes)
/// and a `note` when something was not checked.
fn render(c: &Checked, started: Instant, removed: Option<usize>, note: Option<String>) -> String {
    let json = output::json(&Report {
        diagnostics: &c.diagnostics,
        files: c.files,
        elapsed_ms: started.elapsed().as_millis() as u64,
        stale_baseline: c.stale,
        baseline_in_use: c.baseline_in_use,
    });
    let Ok(serde_json::Value::Object(mut out)) = serde_json::from_str(&json) else {
        return json;
    };
    if let Some(r) = removed {
        out.insert("removed".into(), r.into());
    }
    if let Some(n) = note {
        out.insert("note".into(), n.into());
    }
    let mut s = serde_json::to_string_pretty(&out).unwrap_or(json);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use rules::Range;

    fn diag(rule: &str, file: &str, line: u32, target: &str) -> Diagnostic {
        Diagnostic {
            file: file.into(),
            range: Range {
                line,
                column: 1,
                end_line: line,
                end_column: 5,
            },
            span: Default::default(),
            severity: rules::config::Severity::Error,
            rule: rules::rule::RuleId::parse(rule),
            message: format!("{file} imports {target}"),
            from_module: None,
            to_module: None,
            target: Some(target.into()),
            baselined: false,
            fixes: vec![],
            related: None,
            unnecessary: false,
        }
    }

    #[test]
    fn moved_violation_is_not_new() {
        let before = vec![diag("layers", "a.ts", 1, "b.ts")];
        let after = vec![diag("layers", "a.ts", 3, "b.ts")];
        let (added, removed) = added_violations(&before, after, &HashMap::new());
        assert!(added.is_empty());
        assert_eq!(removed, 0);
    }

    #[test]
    fn second_equal_violation_is_the_one_on_an_added_line() {
        let before = vec![diag("layers", "a.ts", 1, "b.ts")];
        let after = vec![
            diag("layers", "a.ts", 1, "b.ts"),
            diag("layers", "a.ts", 4, "b.ts"),
        ];
        let lines = HashMap::from([("a.ts".to_string(), vec![4])]);
        let (added, removed) = added_violations(&before, after, &lines);
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].range.line, 4);
        assert_eq!(removed, 0);
    }

    #[test]
    fn fixed_violations_are_counted_as_removed() {
        let before = vec![
            diag("layers", "a.ts", 1, "b.ts"),
            diag("no-eval", "a.ts", 2, "eval"),
        ];
        let after = vec![diag("cycle", "a.ts", 1, "b.ts")];
        let (added, removed) = added_violations(&before, after, &HashMap::new());
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].rule, "cycle");
        assert_eq!(removed, 2);
    }
}
