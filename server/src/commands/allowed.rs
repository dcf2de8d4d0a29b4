//! `archgate allowed` (stub: being written).

#[derive(Debug, clap::Args)]
pub struct AllowedArgs {}

pub fn run(_args: AllowedArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`archgate allowed` is not implemented yet")
}
