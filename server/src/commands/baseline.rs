//! `layergate baseline prune`.

use std::path::PathBuf;

use rules::Baseline;

use crate::project::{self, UsageError};

#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    /// The baseline file (default: the one in force for each workspace).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Use this config file instead of discovering `layergate.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Removes stale entries from the baseline, atomically; never adds entries.
pub fn prune(args: PruneArgs) -> anyhow::Result<i32> {
    let cwd = project::cwd();
    let configs = project::find_configs(std::slice::from_ref(&cwd), args.config.as_deref())?;
    for config in configs {
        let ws = project::load_workspace(&config)?;
        let (path, _) = project::baseline_path(&ws, args.baseline.as_deref());
        if !path.exists() {
            if args.baseline.is_some() {
                return Err(
                    UsageError(format!("baseline {} does not exist", path.display())).into(),
                );
            }
            continue;
        }
        let old = Baseline::load(&path).map_err(UsageError)?;
        let outcome = project::check(&ws, None)?;
        let new = old.prune(&outcome.diagnostics);
        let before: u32 = old.entries.values().sum();
        let after: u32 = new.entries.values().sum();
        if new != old {
            new.save(&rules::disk::Boundary::around(ws.root()), &path)
                .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
        }
        eprintln!(
            "{}: removed {} stale occurrence(s), {} remain",
            project::relative_to(&path, &cwd),
            before - after,
            after
        );
    }
    Ok(0)
}
