//! `archgate mcp`: the agent interface (stub: being written).

#[derive(Debug, clap::Args)]
pub struct McpArgs {}

pub fn run(_args: McpArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`archgate mcp` is not implemented yet")
}
