//! The arguments of `layergate explain`.

use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Use this config file instead of discovering `layergate.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print a compact block for AI agents' context files (AGENTS.md,
    /// CLAUDE.md, .cursor rules), between `<!-- layergate:begin -->` and
    /// `<!-- layergate:end -->` markers.
    #[arg(long)]
    pub agents: bool,
    /// With --agents: exit 1 when FILE's block is missing or stale.
    #[arg(
        long,
        value_name = "FILE",
        requires = "agents",
        conflicts_with = "write"
    )]
    pub check: Option<PathBuf>,
    /// With --agents: replace FILE's block (or append one), leaving the rest
    /// of the file unchanged.
    #[arg(long, value_name = "FILE", requires = "agents")]
    pub write: Option<PathBuf>,
}
