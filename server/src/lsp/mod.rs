//! `archgate lsp`: the language server on standard input and output.
//!
//! Layout (the only part of archgate that knows LSP, JSON-RPC or tokio):
//! * [`server`]: the `LanguageServer` impl, the analysis task, custom requests;
//! * [`state`]: open documents, workspaces, the change queue, publishing diffs;
//! * [`features`]: hover, code actions, `archgate/explain`, `archgate/allowed`;
//! * [`proto`]: conversions to LSP types in the negotiated position encoding;
//! * [`fs`]: the file system resolvers see (disk + open documents).
//!
//! Custom requests: `archgate/explain` (→ `{ markdown }`),
//! `archgate/checkContent` (`{ uri | path, content }` → `{ diagnostics }`),
//! `archgate/allowed` (`{ uri | path }`), `archgate/status` (waits until the
//! queued changes are analysed → `{ indexed, settled, epoch, published }`).

mod features;
mod fs;
mod proto;
mod server;
mod state;

use std::time::Duration;

use tower_lsp_server::{LspService, Server};

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for compatibility with clients that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: LspArgs) -> anyhow::Result<i32> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let (service, socket) = LspService::build(server::Backend::new)
            .custom_method("archgate/status", server::Backend::status)
            .custom_method("archgate/explain", server::Backend::explain)
            .custom_method("archgate/checkContent", server::Backend::check_content)
            .custom_method("archgate/allowed", server::Backend::allowed)
            .finish();
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    // a blocked stdin read or a running analysis must not keep us alive
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(0)
}
