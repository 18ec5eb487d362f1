//! mcpproxy: a local data-flow firewall for AI coding agents.

use mcpproxy::{cli, cmd};

use clap::Parser;
use std::process::ExitCode;

/// Report a subcommand's error on stderr (exit 2); its own exit code otherwise.
fn finish(name: &str, result: anyhow::Result<ExitCode>) -> ExitCode {
    result.unwrap_or_else(|e| {
        eprintln!("mcpproxy {name}: {e:#}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Hook(cli::HookCommand::Evaluate(args)) => cmd::hook::evaluate(&args),
        cli::Command::Hook(cli::HookCommand::Install(args)) => finish("hook install", cmd::install::install(&args)),
        cli::Command::Hook(cli::HookCommand::Uninstall(args)) => {
            finish("hook uninstall", cmd::install::uninstall(&args))
        }
        cli::Command::Hook(cli::HookCommand::Status(args)) => finish("hook status", cmd::status::run(&args)),
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
        cli::Command::Activity(c) => finish("activity", cmd::activity::run(&c)),
        cli::Command::Sessions(c) => finish("sessions", cmd::sessions::run(&c)),
        cli::Command::Config(c) => finish("config", cmd::config_cmd::run(&c)),
    }
}
