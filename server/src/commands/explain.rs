//! `archgate explain` (stub: being written).

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {}

pub fn run(_args: ExplainArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`archgate explain` is not implemented yet")
}
