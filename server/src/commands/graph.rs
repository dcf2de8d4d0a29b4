//! `archgate graph` (stub: being written).

#[derive(Debug, clap::Args)]
pub struct GraphArgs {}

pub fn run(_args: GraphArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`archgate graph` is not implemented yet")
}
