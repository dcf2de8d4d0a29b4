//! `layergate mcp`: the agent interface, a Model Context Protocol server on
//! stdio (spec §5), on the official Rust SDK (`rmcp`).
//!
//! * this file: the protocol layer: the tools, their input schemas and their
//!   descriptions (which tell an agent when to call each one);
//! * [`tools`]: what each tool does, synchronous, over the workspace on disk;
//! * [`patch`]: unified diffs parsed and applied in memory (`check_patch`).
//!
//! **Invariant:** a tool never fails the connection: bad input, a missing or
//! broken config, a path outside the workspace, even a panic in the engine,
//! come back as a tool result with `isError: true` and a message.

mod patch;
mod result;
mod tools;

use std::path::PathBuf;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_handler, tool_router, ServerHandler, ServiceExt};
use serde::Deserialize;

use crate::project::UsageError;
use tools::Session;

#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// The workspace root (default: the current directory); configs are
    /// discovered from it as `layergate check` does.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

pub fn run(args: McpArgs) -> anyhow::Result<i32> {
    let root = match &args.root {
        Some(r) => r
            .canonicalize()
            .ok()
            .filter(|p| p.is_dir())
            .ok_or_else(|| UsageError(format!("--root {} is not a directory", r.display())))?,
        None => crate::project::cwd(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = Layergate::new(Session::new(root));
        let service = server.serve(rmcp::transport::stdio()).await?;
        service.waiting().await?;
        anyhow::Ok(())
    })?;
    Ok(0)
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CheckFilesInput {
    /// Files or directories to report on, relative to the workspace root
    /// (default: the whole workspace). Imports still resolve against the
    /// whole workspace.
    #[serde(default)]
    pub paths: Vec<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CheckContentInput {
    /// The file, relative to the workspace root; it need not exist yet.
    pub path: String,
    /// The complete proposed content of the file.
    pub content: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct CheckPatchInput {
    /// A unified diff against the current files (as `git diff` prints it;
    /// several files; `--- /dev/null` creates a file, `+++ /dev/null`
    /// deletes one; paths relative to the workspace root, `a/`/`b/`
    /// prefixes allowed).
    pub unified_diff: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct PathInput {
    /// The file, relative to the workspace root; it need not exist yet.
    pub path: String,
}

/// The MCP server: one workspace root.
#[derive(Debug, Clone)]
pub struct Layergate {
    session: Session,
    tool_router: ToolRouter<Self>,
}

impl Layergate {
    fn new(session: Session) -> Layergate {
        Layergate {
            session,
            tool_router: Self::tool_router(),
        }
    }

    /// Runs a tool off the async runtime; a panic becomes an error result.
    async fn blocking<F>(&self, f: F) -> Result<String, String>
    where
        F: FnOnce(&Session) -> Result<String, String> + Send + 'static,
    {
        let session = self.session.clone();
        match tokio::task::spawn_blocking(move || f(&session)).await {
            Ok(r) => r,
            Err(e) => Err(format!("layergate failed internally: {e}")),
        }
    }
}

#[tool_router]
impl Layergate {
    #[tool(
        description = "Architecture violations (layering, dependency direction, public API, cycles, forbidden APIs, patterns) in the workspace as it is on disk, or only in the given files/directories. Call after editing files, before finishing a task: every diagnostic with severity \"error\" and \"baselined\": false must be fixed. Returns the JSON of `layergate check --format json`: {version, diagnostics: [{file, line, column, end_line, end_column, severity, rule, message, from_module, to_module, target, baselined, fixes, how_to_fix}], summary}, also as structured content. Lines and columns are 1-based.",
        output_schema = result::check_schema()
    )]
    async fn check_files(
        &self,
        Parameters(input): Parameters<CheckFilesInput>,
    ) -> Result<CallToolResult, String> {
        result::structured(&self.blocking(move |s| s.check_files(&input.paths)).await?)
    }

    #[tool(
        description = "Check a proposed content of one file (new or existing) without writing it: returns the architecture violations that would be located in that file, as in check_files' JSON. Call before writing a file (or right after drafting it), and fix what it reports; the rest of the workspace is taken as it is on disk.",
        output_schema = result::check_schema()
    )]
    async fn check_content(
        &self,
        Parameters(input): Parameters<CheckContentInput>,
    ) -> Result<CallToolResult, String> {
        result::structured(
            &self
                .blocking(move |s| s.check_content(&input.path, input.content))
                .await?,
        )
    }

    #[tool(
        description = "Check a unified diff (several files, new and deleted files) against the current workspace without applying it: returns only the violations the patch ADDS (pre-existing ones, including ones on moved lines, are left out), as in check_files' JSON, plus \"removed\": how many existing violations it fixes. Call before applying or proposing a patch. A hunk that does not apply is an error.",
        output_schema = result::check_schema()
    )]
    async fn check_patch(
        &self,
        Parameters(input): Parameters<CheckPatchInput>,
    ) -> Result<CallToolResult, String> {
        result::structured(
            &self
                .blocking(move |s| s.check_patch(&input.unified_diff))
                .await?,
        )
    }

    #[tool(
        description = "What a file (existing or not yet) may do: its module(s) and layer, the modules and packages it may import, those it may not (each with the rule and its message), the APIs it may not use, and how to write a suppression. Call before writing or editing a file, to write conforming imports the first time. Returns JSON."
    )]
    async fn allowed_dependencies(
        &self,
        Parameters(input): Parameters<PathInput>,
    ) -> Result<String, String> {
        self.blocking(move |s| s.allowed(&input.path)).await
    }

    #[tool(
        description = "The workspace's architecture as Markdown: modules and their files, layers, dependency rules, forbidden APIs and the reason for each. Call once at the start of a task to learn the architecture before planning changes."
    )]
    async fn explain(&self) -> Result<String, String> {
        self.blocking(|s| s.explain()).await
    }
}

#[tool_handler(
    router = self.tool_router,
    name = "layergate",
    instructions = "layergate enforces this codebase's architecture (which modules may import which, which APIs each may use). Before writing a file, call allowed_dependencies for it; after drafting, call check_content (one file) or check_patch (a diff); before finishing, call check_files. Fix every reported error rather than suppressing it."
)]
impl ServerHandler for Layergate {}
