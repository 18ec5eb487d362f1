//! Command-line interface (clap derive). One subcommand per file under `cmd/`.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "mcpproxy",
    version,
    about = "Local data-flow firewall for AI coding agents",
    long_about = "mcpproxy remembers what an AI coding agent read (files, shell output, MCP results) \
and blocks or questions a tool call when that data is about to leave the machine: whole, as a \
fragment, or re-encoded. It runs as agent hooks (`hook evaluate`) and as a stdio MCP proxy, both \
sharing one SQLite flow database under MCPPROXY_HOME (or the platform data directory)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Agent hooks: evaluate a hook event.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Report secrets and PII in text read from stdin (type, category, byte span; never the value).
    Scan(ScanArgs),
}

#[derive(Subcommand, Debug)]
pub enum HookCommand {
    /// Read one hook event (JSON) on stdin, print the decision in the agent's protocol.
    ///
    /// Prints nothing when there is no objection (the agent's own permission flow applies),
    /// a deny or ask decision when session data is about to leave. Always exits 0; problems
    /// with the input or the database are reported as one line on stderr (or, with
    /// `fail_closed: true` in config.json, as a deny).
    Evaluate(EvaluateArgs),
}

#[derive(Args, Debug)]
pub struct EvaluateArgs {
    /// Hook protocol of the calling agent.
    #[arg(long, value_enum, default_value_t = Agent::ClaudeCode)]
    pub agent: Agent,
    /// Override the event name in the payload (`hook_event_name`).
    #[arg(long)]
    pub event: Option<String>,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Print findings as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Agent {
    /// Claude Code (PreToolUse / PostToolUse / PostToolUseFailure).
    ClaudeCode,
    /// OpenAI Codex CLI (Claude Code-compatible hook format).
    Codex,
}

impl Agent {
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Codex => "codex",
        }
    }
}
