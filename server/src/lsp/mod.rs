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
            .serve(EmptyParams(service))
            .await;
    });
    // a blocked stdin read or a running analysis must not keep us alive
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(0)
}

/// Requests without parameters (`archgate/status`, `archgate/explain`) also
/// accept `{}` and `[]` as their params: pygls, Neovim's `vim.empty_dict()`
/// and VS Code's `sendRequest(m, {})` send those, and the JSON-RPC router
/// would reject them as unexpected.
struct EmptyParams<S>(S);

impl<S> tower::Service<tower_lsp_server::jsonrpc::Request> for EmptyParams<S>
where
    S: tower::Service<tower_lsp_server::jsonrpc::Request>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: tower_lsp_server::jsonrpc::Request) -> Self::Future {
        let empty = matches!(req.method(), "archgate/status" | "archgate/explain")
            && req.params().is_some_and(|p| {
                p.as_object().is_some_and(|o| o.is_empty())
                    || p.as_array().is_some_and(|a| a.is_empty())
            });
        let req = if empty {
            let (method, id, _) = req.into_parts();
            let b = tower_lsp_server::jsonrpc::Request::build(method);
            match id {
                Some(id) => b.id(id).finish(),
                None => b.finish(),
            }
        } else {
            req
        };
        self.0.call(req)
    }
}
