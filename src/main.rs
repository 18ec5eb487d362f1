//! mcpproxy: a local data-flow firewall for AI coding agents.

use mcpproxy::{cli, cmd};

use clap::error::ErrorKind;
use clap::Parser;
use std::ffi::OsString;
use std::process::ExitCode;

/// Report a subcommand's error on stderr (exit 2); its own exit code otherwise.
fn finish(name: &str, result: anyhow::Result<ExitCode>) -> ExitCode {
    result.unwrap_or_else(|e| {
        eprintln!("mcpproxy {name}: {e:#}");
        ExitCode::from(2)
    })
}

/// `mcpproxy hook evaluate ...`: the command an agent runs, which must exit 0 whatever happens.
fn is_evaluate(args: &[OsString]) -> bool {
    args.get(1).is_some_and(|a| a == "hook") && args.get(2).is_some_and(|a| a == "evaluate")
}

/// The reporting commands die quietly of SIGPIPE when their reader goes away (`| head -1`),
/// like other Unix tools, instead of panicking in `println!`. Not for `hook evaluate` (which
/// ignores write errors and must exit 0) nor `proxy` (which shuts its upstreams down when the
/// client goes away).
fn default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal disposition at start-up, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// A bad command line for `hook evaluate`: one stderr line, nothing on stdout, exit 0 (Claude
/// Code reads exit 2 as "block this call", Gemini CLI any code but 0 and 1). The payload the
/// agent writes is drained first so that it never sees a broken pipe.
fn evaluate_usage_error(e: &clap::Error) -> ExitCode {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let _ = std::io::copy(&mut stdin.lock(), &mut std::io::sink());
    }
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or("bad arguments").trim_start_matches("error: ");
    eprintln!("mcpproxy: hook evaluate: {first}; the call was not checked (see `mcpproxy hook evaluate --help`)");
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let evaluating = is_evaluate(&args);
    if !evaluating && args.get(1).is_none_or(|a| a != "proxy") {
        default_sigpipe();
    }
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) if evaluating && !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            return evaluate_usage_error(&e);
        }
        Err(e) => e.exit(),
    };
    match cli.command {
        cli::Command::Hook(cli::HookCommand::Evaluate(args)) => cmd::hook::evaluate(&args),
        cli::Command::Hook(cli::HookCommand::Install(args)) => finish("hook install", cmd::install::install(&args)),
        cli::Command::Hook(cli::HookCommand::Uninstall(args)) => {
            finish("hook uninstall", cmd::install::uninstall(&args))
        }
        cli::Command::Hook(cli::HookCommand::Status(args)) => finish("hook status", cmd::status::run(&args)),
        cli::Command::Proxy(args) => finish("proxy", cmd::proxy::run(&args).map(|()| ExitCode::SUCCESS)),
        cli::Command::Scan(args) => finish("scan", cmd::scan::run(&args)),
        cli::Command::Activity(c) => finish("activity", cmd::activity::run(&c)),
        cli::Command::Sessions(c) => finish("sessions", cmd::sessions::run(&c)),
        cli::Command::Config(c) => finish("config", cmd::config_cmd::run(&c)),
        cli::Command::Allow(args) => finish("allow", cmd::allow::run(&args)),
        cli::Command::Doctor(args) => finish("doctor", cmd::doctor::run(&args)),
    }
}
