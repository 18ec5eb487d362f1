//! mcpproxy: a local data-flow firewall for AI coding agents.

mod agent;
mod cli;
mod cmd;
mod config;
mod flow;
mod mcp;
mod paths;
mod store;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Hook(cli::HookCommand::Evaluate(args)) => cmd::hook::evaluate(&args),
        cli::Command::Proxy(args) => match cmd::proxy::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mcpproxy proxy: {e:#}");
                ExitCode::from(2)
            }
        },
        cli::Command::Scan(args) => match cmd::scan::run(&args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("mcpproxy scan: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}
