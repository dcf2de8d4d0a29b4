//! `archgate init` (stub: being written).

#[derive(Debug, clap::Args)]
pub struct InitArgs {}

pub fn run(_args: InitArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`archgate init` is not implemented yet")
}
