//! `layergate`: architecture rules for Rust and TypeScript, as a CI check and a
//! language server.
#![deny(clippy::print_stdout)]

use std::process::ExitCode;

use layergate::{check, commands, lsp, mcp};

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "layergate", version, about = "Keeps a codebase inside its intended architecture", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the workspace (or the given files and directories).
    Check(check::CheckArgs),
    /// Run the language server on standard input and output.
    Lsp(lsp::LspArgs),
    /// Run the agent interface (Model Context Protocol) on standard input and output.
    Mcp(mcp::McpArgs),
    /// Print the architecture as Markdown: modules, layers, rules and their messages.
    Explain(commands::explain::ExplainArgs),
    /// What PATH (existing or not) may import and use.
    Allowed(commands::allowed::AllowedArgs),
    /// Print the module dependency graph, violations marked.
    Graph(commands::graph::GraphArgs),
    /// The pre-edit hook of an AI agent CLI: blocks an edit that adds a
    /// violation (the tool call on stdin, the answer in the agent's format).
    Hook(commands::hook::HookArgs),
    /// The hook's warm server for one workspace (started by `hook` itself;
    /// leaves when idle).
    #[cfg(unix)]
    #[command(hide = true)]
    HookServer(commands::hook::server::ServerArgs),
    /// Write a starter layergate.toml from the folders found here.
    Init(commands::init::InitArgs),
    /// Manage the baseline file.
    #[command(subcommand)]
    Baseline(BaselineCommand),
}

impl Command {
    /// The servers, which stay up between requests.
    fn long_running(&self) -> bool {
        match self {
            Command::Lsp(_) | Command::Mcp(_) => true,
            #[cfg(unix)]
            Command::HookServer(_) => true,
            _ => false,
        }
    }
}

#[derive(Debug, Subcommand)]
enum BaselineCommand {
    /// Drop the entries of violations that were fixed (never adds any).
    Prune(commands::baseline::PruneArgs),
}

fn main() -> ExitCode {
    rules::alloc::no_transparent_huge_pages();
    rules::alloc::tree_sitter_uses_mimalloc();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if cli.command.long_running() {
        rules::alloc::purge_freed_memory_at_once();
    }
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Mcp(args) => mcp::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Allowed(args) => commands::allowed::run(args),
        Command::Graph(args) => commands::graph::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Hook(args) => commands::hook::run(args),
        #[cfg(unix)]
        Command::HookServer(args) => commands::hook::server::serve(args),
        Command::Baseline(BaselineCommand::Prune(args)) => commands::baseline::prune(args),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("layergate: {e:#}");
            ExitCode::from(2)
        }
    }
}
