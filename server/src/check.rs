//! `layergate check`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rules::Baseline;
use rules::Diagnostic;
use rules::Workspace;

use crate::diff;
use crate::output::{self, Report};
use crate::project::{self, UsageError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check (default: the current directory). Imports
    /// still resolve against the whole workspace.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Use this config file instead of discovering `layergate.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The baseline to apply (default: `[workspace] baseline`, else
    /// `layergate-baseline.json` when it exists).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's violations as the baseline and exit 0.
    #[arg(long)]
    pub write_baseline: bool,
    /// Do not read or write the on-disk cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Parse every file with tree-sitter, also those whose imports the fast
    /// import scanner reads (slower; the results are the same).
    #[arg(long)]
    pub no_scan: bool,
    /// Check standard input as the content of PATH and report only PATH's
    /// diagnostics (checks a change before it is written).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Report only violations on lines changed since REF (default: the merge
    /// base of HEAD with the default branch), and changes that weaken the
    /// policy (rule `policy`). Needs git.
    #[arg(long, value_name = "REF", num_args = 0..=1, default_missing_value = "")]
    pub diff: Option<String>,
    /// Report only these rules (comma-separated ids: `policy`, `layers`, a
    /// `[[deny]]` rule's id ...); the exit status counts only them.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Fail (exit status 1) on rules that cannot fire (`dead-rule`) too.
    #[arg(long)]
    pub strict: bool,
}

/// Runs `check`; returns the exit status.
pub fn run(args: CheckArgs) -> anyhow::Result<i32> {
    let started = Instant::now();
    let cwd = project::cwd();
    let mut paths: Vec<PathBuf> = args.paths.iter().map(|p| absolute(&cwd, p)).collect();
    let stdin_path = args.stdin_filename.as_ref().map(|p| absolute(&cwd, p));
    if let Some(p) = &stdin_path {
        // the file may not exist: start discovery from its directory
        let dir = p
            .ancestors()
            .skip(1)
            .find(|d| d.is_dir())
            .map(Path::to_path_buf)
            .unwrap_or(cwd.clone());
        paths = vec![dir];
    }
    if paths.is_empty() {
        paths.push(cwd.clone());
    }
    let configs = if let (Some(p), None) = (&stdin_path, &args.config) {
        // the one config governing that file
        let dir = p.parent().unwrap_or(&cwd);
        let start = dir.ancestors().find(|d| d.is_dir()).unwrap_or(&cwd);
        match rules::workspace::nearest_config(start) {
            Some(c) => vec![c],
            None => {
                return Err(UsageError(format!("no layergate.toml governs {}", p.display())).into())
            }
        }
    } else {
        project::find_configs(&paths, args.config.as_deref())?
    };

    check_selection(&args.select, &configs)?;

    let mut stdin_text = None;
    if stdin_path.is_some() {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| UsageError(format!("cannot read standard input: {e}")))?;
        stdin_text = Some(s);
    }

    let diff_ctx = match &args.diff {
        Some(_) if stdin_path.is_some() || args.write_baseline => {
            return Err(UsageError(
                "--diff cannot be combined with --stdin-filename or --write-baseline".into(),
            )
            .into())
        }
        Some(r) => Some(diff::prepare(
            &cwd,
            Some(r.as_str()).filter(|r| !r.is_empty()),
        )?),
        None => None,
    };

    let stdin_copy = stdin_text.clone();
    let mut all: Vec<Diagnostic> = Vec::new();
    let mut files = 0;
    let mut stale = 0;
    let mut baseline_in_use = false;
    for config_path in &configs {
        if stdin_path.is_none() && !args.write_baseline && diff_ctx.is_none() {
            // a plain check: through the check memo, without keeping a workspace
            let (outcome, with_baseline) = project::check_config(
                config_path,
                args.baseline.as_deref(),
                !args.no_cache,
                !args.no_scan,
            )?;
            baseline_in_use |= with_baseline;
            files += outcome.files;
            stale += outcome.stale_baseline;
            let root = config_path.parent().unwrap_or(Path::new("/"));
            for d in outcome.diagnostics {
                if let Some(d) = reported(d, false, root, &paths, None, &cwd) {
                    all.push(d);
                }
            }
            continue;
        }
        let ws: Workspace =
            project::load_workspace_with(config_path, !args.no_cache, !args.no_scan)?;
        let root = ws.root().to_path_buf();
        // the proposed content of --stdin-filename, checked as the language
        // server, MCP and the hooks check theirs (AnalysisHost::check_overlay)
        let mut overlay = None;
        if let (Some(p), Some(text)) = (&stdin_path, stdin_text.take()) {
            let Some(rel) = rules::workspace::relative(&root, p) else {
                return Err(UsageError(format!(
                    "{} is outside the workspace {}",
                    p.display(),
                    root.display()
                ))
                .into());
            };
            if rules::workspace::walked(&ws.config, &rel) {
                overlay = Some((rel, text));
            } else {
                // as `check` itself, and the MCP tool `check_content`, would
                eprintln!(
                    "layergate: {rel} is not checked: layergate.toml's [workspace] include/exclude or an ignore file leave it out"
                );
            }
        }
        if args.write_baseline {
            let (path, _) = project::baseline_path(&ws, args.baseline.as_deref());
            let outcome = project::check_overlay(ws, None, overlay.take())?;
            let b = Baseline::from_diagnostics(&outcome.diagnostics);
            b.save(&rules::disk::Boundary::around(&root), &path)
                .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
            let n: u32 = b.entries.values().sum();
            eprintln!(
                "wrote {} ({} violations in {} entries)",
                project::relative_to(&path, &cwd),
                n,
                b.entries.len()
            );
            continue;
        }
        let baseline = project::load_baseline(&ws, args.baseline.as_deref())?;
        baseline_in_use |= baseline.is_some();
        // (diagnostic, reported whatever the paths asked for)
        let diagnostics: Vec<(Diagnostic, bool)> = match &diff_ctx {
            None => {
                let outcome = project::check_overlay(ws, baseline, overlay.take())?;
                files += outcome.files;
                stale += outcome.stale_baseline;
                outcome
                    .diagnostics
                    .into_iter()
                    .map(|d| (d, false))
                    .collect()
            }
            Some(ctx) => {
                let o = check_diff(ctx, &ws, baseline, args.baseline.as_deref())?;
                files += o.files;
                stale += o.stale;
                o.diagnostics
            }
        };
        for (d, always) in diagnostics {
            if let Some(d) = reported(d, always, &root, &paths, stdin_path.as_deref(), &cwd) {
                all.push(d);
            }
        }
    }
    if args.write_baseline {
        return Ok(0);
    }
    if !args.select.is_empty() {
        all.retain(|d| args.select.iter().any(|s| d.rule == *s));
    }
    all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let report = Report {
        diagnostics: &all,
        files,
        elapsed_ms: started.elapsed().as_millis() as u64,
        stale_baseline: stale,
        baseline_in_use,
    };
    let text = match args.format {
        Format::Human => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let cwd2 = cwd.clone();
            let stdin_rel = stdin_path.as_ref().map(|p| project::relative_to(p, &cwd));
            output::human(
                &report,
                &move |f: &str| {
                    if stdin_rel.as_deref() == Some(f) {
                        return stdin_copy.clone();
                    }
                    std::fs::read_to_string(cwd2.join(f)).ok()
                },
                color,
            )
        }
        Format::Json => output::json(&report),
        Format::Sarif => output::sarif(&report, &crate::docs::rule_meta(&all)),
        Format::Github => output::github(&report),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    let failed = all.iter().any(|d| {
        !d.baselined
            && (d.severity == rules::config::Severity::Error
                || args.strict && d.rule == rules::rule::Builtin::DeadRule.id())
    });
    Ok(i32::from(failed))
}

/// `--select`: every id must name a built-in rule or a rule of one of the
/// configs, so that a typo cannot select nothing and pass. A config that does
/// not load is left to the check, which reports it.
fn check_selection(select: &[String], configs: &[PathBuf]) -> Result<(), UsageError> {
    if select.is_empty() {
        return Ok(());
    }
    let loaded: Vec<rules::Config> = configs
        .iter()
        .filter_map(|c| rules::config::Config::load(c).ok())
        .collect();
    if loaded.len() < configs.len() {
        return Ok(());
    }
    let known: Vec<&str> = rules::config::BUILTIN_RULES
        .iter()
        .copied()
        .chain(loaded.iter().flat_map(|c| c.user_rule_ids()))
        .collect();
    for id in select {
        if id.is_empty() || known.contains(&id.as_str()) {
            continue;
        }
        let hint = rules::config::did_you_mean(id, known.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(UsageError(format!(
            "--select: no rule `{id}`{hint} (rules: {})",
            known.join(", ")
        )));
    }
    Ok(())
}

/// A diagnostic of the workspace at `root` as reported: `None` when its file
/// is outside what was asked for (unless `always`), else with its paths
/// relative to `cwd`.
fn reported(
    mut d: Diagnostic,
    always: bool,
    root: &Path,
    paths: &[PathBuf],
    stdin: Option<&Path>,
    cwd: &Path,
) -> Option<Diagnostic> {
    let abs = root.join(&d.file);
    if !always && !in_scope(&abs, paths, stdin, root) {
        return None;
    }
    d.file = project::relative_to(&abs, cwd);
    if let Some(r) = &mut d.related {
        r.file = project::relative_to(&root.join(&r.file), cwd);
    }
    for f in &mut d.fixes {
        for e in &mut f.edits {
            e.file = project::relative_to(&root.join(&e.file), cwd);
        }
    }
    Some(d)
}

/// One workspace under `--diff`: the diagnostics on changed lines, then the
/// policy ratchet's (reported wherever they are); files checked; stale
/// baseline entries.
fn check_diff(
    ctx: &diff::DiffContext,
    ws: &Workspace,
    baseline: Option<Baseline>,
    explicit_baseline: Option<&Path>,
) -> anyhow::Result<DiffOutcome> {
    // the baseline is applied here rather than by the engine, to keep the
    // current config's raw diagnostics for the ratchet
    let outcome = project::check(ws, None)?;
    let raw = outcome.diagnostics;
    let mut diags = raw.clone();
    let stale = baseline.as_ref().map_or(0, |b| b.apply(&mut diags));
    let changes = ctx.for_workspace(&ws.config);
    let today = project::today()?;
    let policy = diff::ratchet::check(&diff::ratchet::Input {
        ctx,
        ws,
        changes: &changes,
        raw: &raw,
        explicit_baseline,
        today: &today,
    });
    let mut out: Vec<(Diagnostic, bool)> = diags
        .into_iter()
        .filter(|d| changes.touches(d))
        .map(|d| (d, false))
        .collect();
    out.extend(policy.into_iter().map(|d| (d, true)));
    Ok(DiffOutcome {
        diagnostics: out,
        files: outcome.files,
        stale,
    })
}

/// What `--diff` reports for one workspace.
struct DiffOutcome {
    /// (diagnostic, reported whatever the paths asked for)
    diagnostics: Vec<(Diagnostic, bool)>,
    files: usize,
    stale: usize,
}

/// `p` made absolute against `cwd`, with symlinks resolved as far as the
/// path exists and `.`/`..` applied to the rest, so a path that does not
/// exist yet (`--stdin-filename`) cannot climb out of the workspace with
/// `..` after passing a prefix test.
fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    };
    if let Ok(real) = abs.canonicalize() {
        return real;
    }
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => {
                out.push(other);
                if let Ok(real) = out.canonicalize() {
                    out = real;
                }
            }
        }
    }
    out
}

/// Whether a diagnostic's file is within what was asked for.
fn in_scope(abs: &Path, paths: &[PathBuf], stdin: Option<&Path>, root: &Path) -> bool {
    if let Some(p) = stdin {
        return abs == p;
    }
    // config diagnostics (layergate.toml) always count for its workspace
    if abs.starts_with(root) && abs.file_name().is_some_and(|n| n == rules::CONFIG_FILE) {
        return true;
    }
    paths
        .iter()
        .any(|p| abs.starts_with(p) || p.starts_with(abs) && p == abs)
}
