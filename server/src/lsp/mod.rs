//! `archgate lsp`: the language server (stub: being written).

#[derive(Debug, clap::Args)]
pub struct LspArgs {}

pub fn run(_args: LspArgs) -> anyhow::Result<i32> {
    anyhow::bail!("`archgate lsp` is not implemented yet")
}
