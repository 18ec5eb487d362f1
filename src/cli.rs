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
    /// Serve MCP over stdio in front of real MCP servers, refusing calls that would exfiltrate
    /// what earlier calls (or linked hook sessions) read.
    ///
    /// With `--config FILE` (the standard {"mcpServers": {...}} file) every server's tools are
    /// exposed as `server__tool`; with `--name NAME -- CMD ARGS...` one server is wrapped and its
    /// names are unchanged.
    Proxy(ProxyArgs),
}

#[derive(Args, Debug)]
pub struct ProxyArgs {
    /// A {"mcpServers": {name: {command, args, env, cwd}}} file.
    #[arg(long, conflicts_with = "name")]
    pub config: Option<std::path::PathBuf>,
    /// Name of the single wrapped server (used in activity and for config overrides).
    #[arg(long, requires = "command")]
    pub name: Option<String>,
    /// The server command and its arguments, after `--`.
    #[arg(last = true)]
    pub command: Vec<String>,
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
