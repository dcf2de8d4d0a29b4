//! `archgate`: architecture rules for Rust and TypeScript, as a CI check and a
//! language server.
#![deny(clippy::print_stdout)]

mod check;
mod docs;
mod output;
mod project;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "archgate", version, about = "Keeps a codebase inside its intended architecture", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the workspace (or the given files and directories).
    Check(check::CheckArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Check(args) => check::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("archgate: {e:#}");
            ExitCode::from(2)
        }
    }
}
