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
    /// Agent hooks: evaluate an event, install into / remove from an agent, check the setup.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Report secrets and PII in text read from stdin (type, category, byte span; never the value).
    Scan(ScanArgs),
    /// What was decided: list, explain or export the activity log.
    #[command(subcommand)]
    Activity(ActivityCommand),
    /// Sessions tracked in the flow database, with their flow graph.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// The configuration file: effective values, location, validation.
    #[command(subcommand)]
    Config(ConfigCommand),
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
    /// Register `mcpproxy hook evaluate` in an agent's settings file.
    ///
    /// Adds our handlers (PreToolUse, PostToolUse, PostToolUseFailure for Claude Code; the
    /// equivalent events for the other agents) with the absolute path of this binary. Every
    /// other setting and hook is kept; running it again changes nothing; an existing file is
    /// copied to `<file>.bak-<unix time>` and replaced atomically. A file that is not valid
    /// JSON is refused and left untouched.
    Install(InstallArgs),
    /// Remove exactly the handlers `hook install` added (and matcher groups left empty).
    Uninstall(InstallArgs),
    /// Check the installation and the database; exits 1 and prints the fix when something is broken.
    ///
    /// Reports, for each agent and scope, whether the hook is installed and where, whether the
    /// installed command points at an existing executable, and whether the matchers miss tools
    /// mcpproxy needs to see; then the database (path, size, schema version, sessions, last
    /// evaluation, decisions in the last 24 h) and which front ends (hooks, proxy) were seen.
    Status(StatusArgs),
}

#[derive(Args, Debug)]
pub struct InstallArgs {
    /// Agent whose settings file is edited.
    #[arg(long, value_enum, default_value_t = Agent::ClaudeCode)]
    pub agent: Agent,
    /// Which settings file: user (in $HOME), project (shared, in the current directory) or
    /// local (Claude Code only: .claude/settings.local.json, not committed).
    #[arg(long, value_enum)]
    pub scope: Scope,
    /// Print the resulting file instead of writing it.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The user's settings (~/.claude/settings.json, ~/.codex/hooks.json, ...).
    User,
    /// The project's shared settings under the current directory (.claude/settings.json, ...).
    Project,
    /// The project's personal settings (.claude/settings.local.json; Claude Code only).
    Local,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Project => "project",
            Scope::Local => "local",
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum ActivityCommand {
    /// List evaluations, oldest first (the newest `--limit` rows that match the filters).
    List(ActivityListArgs),
    /// Explain one evaluation in full: the call, the decision and every flow behind it.
    Show(ShowArgs),
    /// Export evaluations with their flows, one JSON object per line (for a SIEM).
    Export(ActivityExportArgs),
}

#[derive(Args, Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Only sessions whose id starts with this (a whole id works).
    #[arg(long)]
    pub session: Option<String>,
    /// Only this decision: deny, ask, none (no objection), record (a source recorded), error.
    #[arg(long)]
    pub decision: Option<String>,
    /// Only this tool (a glob such as `mcp__slack__*` works).
    #[arg(long)]
    pub tool: Option<String>,
    /// Only rows newer than this: a duration (90s, 30m, 1h, 2d, 1w) or a unix time.
    #[arg(long)]
    pub since: Option<String>,
}

#[derive(Args, Debug)]
pub struct ActivityListArgs {
    #[command(flatten)]
    pub filter: ActivityFilter,
    /// Show at most this many rows (the newest).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Print rows as a JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The id (an activity id, as printed by `activity list`).
    pub id: i64,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
}

#[derive(Args, Debug)]
pub struct ActivityExportArgs {
    #[command(flatten)]
    pub filter: ActivityFilter,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
}

#[derive(Subcommand, Debug)]
pub enum SessionsCommand {
    /// Sessions with their agent, start, last activity, sources, flows and decisions.
    List(SessionsListArgs),
    /// One session: what was read, what left (or tried to), and the decisions.
    Show(SessionShowArgs),
}

#[derive(Args, Debug)]
pub struct SessionsListArgs {
    /// Show at most this many sessions (most recently active first).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SessionShowArgs {
    /// Session id, or a unique prefix of one.
    pub id: String,
    /// Print the flow graph (sources -> sinks, decision on each edge) as a Mermaid flowchart.
    #[arg(long, conflicts_with = "json")]
    pub graph: bool,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print the effective configuration (file values over defaults) and where it came from.
    Show(ConfigShowArgs),
    /// Print the path of the configuration file (it may not exist yet).
    Path,
    /// Validate the configuration file; exits 1 and names the bad key when it is wrong.
    Check,
}

#[derive(Args, Debug)]
pub struct ConfigShowArgs {
    /// Print only JSON: {"path", "exists", "keys_set", "config"}.
    #[arg(long)]
    pub json: bool,
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
    /// Cursor (.cursor/hooks.json, camelCase events, `permission` replies).
    Cursor,
    /// Gemini CLI (BeforeTool / AfterTool, top-level `decision` replies).
    Gemini,
}

impl Agent {
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Codex => "codex",
            Agent::Cursor => "cursor",
            Agent::Gemini => "gemini",
        }
    }
}
