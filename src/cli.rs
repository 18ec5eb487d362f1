//! Command-line interface (clap derive). One subcommand per file under `cmd/`.

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_EVALUATE: &str = "Exit status:\n  0  always, also on bad input, a broken database or a bad flag (the \
agents read other codes as a verdict: Claude Code blocks the call on 2); problems are one line on stderr";
const EXIT_INSTALL: &str = "Exit status:\n  0  installed, or already installed (warnings go to stderr)\n  \
2  nothing written: bad arguments, a settings file that is not valid JSON, or a write error";
const EXIT_UNINSTALL: &str = "Exit status:\n  0  removed, or nothing of ours was installed\n  \
2  nothing written: bad arguments, a settings file that is not valid JSON, or a write error";
const EXIT_STATUS: &str = "Exit status:\n  0  no problem found\n  \
1  problems found (each is printed with its fix), also when no hook is installed anywhere\n  \
2  the check itself failed (bad arguments, no home directory)";
const EXIT_DOCTOR: &str = "Exit status:\n  0  no problem found (every canary was denied)\n  \
1  problems found (each is printed with its fix), also when no hook is installed anywhere\n  \
2  the check itself failed (bad arguments, no home directory)";
const EXIT_SCAN: &str = "Exit status:\n  0  no findings\n  1  findings\n  \
2  error: a path could not be read (the others are still scanned), nothing to scan, or bad arguments";
const EXIT_REPORT: &str = "Exit status:\n  0  printed (also when nothing matches)\n  \
2  error: bad arguments or filter, an unreadable database";
const EXIT_SHOW: &str = "Exit status:\n  0  printed\n  \
2  error: no such id, no database yet, bad arguments";
const EXIT_CONFIG: &str = "Exit status:\n  0  printed\n  2  error: the file is invalid, bad arguments";
const EXIT_CONFIG_CHECK: &str = "Exit status:\n  0  valid, or no file (defaults apply)\n  \
1  invalid: the message names the bad key\n  2  error: bad arguments";
const EXIT_PROXY: &str = "Exit status:\n  0  the client closed the connection or sent SIGTERM\n  \
2  could not start: bad arguments, an unreadable servers file, an upstream that cannot be spawned";

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
    /// Report secrets and PII in files, folders or stdin (type, category, place; never the value).
    ///
    /// Folders are walked recursively, skipping `.git` and binary files (a NUL byte in the first
    /// 8 KiB); symbolic links inside folders are not followed. Without a path, stdin is read
    /// (a terminal on stdin is refused: pipe text in or give paths).
    #[command(after_help = EXIT_SCAN)]
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
    /// With `--config FILE` (the standard {"mcpServers": {...}} file) the tools of several
    /// servers are exposed as `server__tool` (a file with one server keeps its names); with
    /// `--name NAME -- CMD ARGS...` one server is wrapped and its names are unchanged.
    #[command(after_help = EXIT_PROXY)]
    Proxy(ProxyArgs),
    /// Resolve a false positive: approve the data and destination of a denied or asked call
    /// (`mcpproxy allow 42`), list approvals (`allow list`) or revoke one (`allow revoke 3`).
    ///
    /// An approval is stored by the data's hashed identity and the destination, never the
    /// value, for this session, this project or always. It must be given by the user in a
    /// terminal: the command refuses to run without one, and the guard denies an agent that
    /// tries it.
    #[command(after_help = EXIT_ALLOW, args_conflicts_with_subcommands = true)]
    Allow(AllowArgs),
    /// Check everything that decides whether mcpproxy protects you; exits 1 with a fix per problem.
    ///
    /// Runs `hook status`'s checks for every agent and scope (installed, trusted, matchers,
    /// `disableAllHooks`, duplicates, binary runnable), then the configuration file (an invalid
    /// one makes every hook run on defaults), the database (full integrity check, schema
    /// version, modes 0600/0700, no symbolic link), the proxy-only case (proxy seen, no hook),
    /// and a canary: a fake Stripe-shaped key read from a fake `.env` and then sent out, pushed
    /// through each installed hook command exactly as the agent runs it (`sh -c`), in a
    /// throwaway session `doctor-canary-<random>`. The canary must come back denied.
    #[command(after_help = EXIT_DOCTOR)]
    Doctor(DoctorArgs),
}

const EXIT_ALLOW: &str = "Exit status:\n  0  approved, listed or revoked\n  \
    2  error: no terminal, no such activity or approval, nothing to approve, bad arguments";

const EXIT_ALLOW_LIST: &str = "Exit status:\n  0  listed (also when there are none)\n  \
    2  error: an unreadable database, bad arguments";
const EXIT_ALLOW_REVOKE: &str = "Exit status:\n  0  revoked\n  \
    2  error: no terminal, no such approval, bad arguments";

#[derive(Args, Debug)]
pub struct AllowArgs {
    #[command(subcommand)]
    pub action: Option<AllowAction>,
    /// The activity id of the denied or asked call (from the deny reason or `activity list`).
    #[arg(value_parser = activity_id)]
    pub id: Option<i64>,
    /// Where the approval holds: the call's session, its project directory, or everywhere.
    #[arg(long, value_enum, default_value_t = AllowScope::Session)]
    pub scope: AllowScope,
    /// Why this is fine (shown by `allow list` and `activity`).
    #[arg(long)]
    pub reason: Option<String>,
    /// The project directory for `--scope project` (default: the current directory).
    #[arg(long)]
    pub project: Option<std::path::PathBuf>,
}

#[derive(clap::Subcommand, Debug)]
pub enum AllowAction {
    /// The approvals in force (with `--all`, revoked ones too).
    #[command(after_help = EXIT_ALLOW_LIST)]
    List {
        #[arg(long)]
        all: bool,
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Withdraw an approval by its id (from `allow list`).
    #[command(after_help = EXIT_ALLOW_REVOKE)]
    Revoke { id: i64 },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllowScope {
    Session,
    Project,
    Always,
}

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
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
    /// `fail_closed: true` in config.json, as a deny). A bad flag is such a problem too.
    #[command(after_help = EXIT_EVALUATE)]
    Evaluate(EvaluateArgs),
    /// Register `mcpproxy hook evaluate` in an agent's settings file.
    ///
    /// Adds our handlers (PreToolUse, PostToolUse, PostToolUseFailure for Claude Code, whose
    /// PreToolUse handler gets `"onFailure": "block"`; the equivalent events for the other
    /// agents). User and local scopes run this binary by its absolute path; the project scope,
    /// which is shared with others, runs `mcpproxy` from PATH (a warning says when it is not on
    /// PATH); `--command` overrides both. Every other setting and hook is kept, and so is the
    /// file's indentation; running it again changes nothing. An existing file is backed up
    /// under MCPPROXY_HOME/backups/ (the newest 5 per file) and replaced atomically (through a
    /// symbolic link, its target). A file that is not valid JSON is refused and left untouched.
    ///
    /// Codex: the hooks are marked trusted in $CODEX_HOME/config.toml the way Codex's own
    /// hook review does (Codex skips untrusted hooks silently); for the project scope Codex
    /// also needs the project trusted, which a warning explains. Gemini CLI: project hooks only
    /// run in a trusted folder; a warning says when this one is not.
    #[command(after_help = EXIT_INSTALL)]
    Install(InstallArgs),
    /// Remove exactly the handlers `hook install` added (and matcher groups left empty).
    ///
    /// A file `hook install` created is deleted when nothing else is left in it; otherwise it
    /// is rewritten with its own indentation, after a backup under MCPPROXY_HOME/backups/.
    /// Codex trust entries recorded for our handlers are removed too.
    #[command(after_help = EXIT_UNINSTALL)]
    Uninstall(SettingsFileArgs),
    /// Check the installation and the database; exits 1 and prints the fix when something is broken.
    ///
    /// Reports, for each agent and scope, whether the hook is installed and where, whether the
    /// installed command points at an existing executable, and whether the matchers miss tools
    /// mcpproxy needs to see; then the database (path, size, schema version, sessions, last
    /// evaluation, decisions in the last 24 h) and which front ends (hooks, proxy) were seen.
    /// Also problems: `disableAllHooks` in a Claude Code settings file, Codex hooks Codex does
    /// not trust, Gemini CLI project hooks in a folder it does not trust, and no hook installed
    /// at all. A hook installed in several scopes is noted.
    #[command(after_help = EXIT_STATUS)]
    Status(StatusArgs),
}

/// Which agent settings file `hook install` / `uninstall` edit, and how they report.
#[derive(Args, Debug)]
pub struct SettingsFileArgs {
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
    /// Print what was done as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct InstallArgs {
    #[command(flatten)]
    pub file: SettingsFileArgs,
    /// The command that runs mcpproxy, written before ` hook evaluate` (for example
    /// `/opt/mcpproxy/bin/mcpproxy` or `env MCPPROXY_HOME=/srv/mcpproxy mcpproxy`). It must
    /// name mcpproxy: that is how `uninstall` and `status` recognise our handlers.
    #[arg(long, value_name = "CMD")]
    pub command: Option<String>,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub use crate::agent::Scope;

#[derive(Subcommand, Debug)]
pub enum ActivityCommand {
    /// List evaluations, oldest first (the newest `--limit` rows that match the filters).
    ///
    /// The table fits the terminal (COLUMNS, else the terminal's width, else 80 columns);
    /// `--wide` prints every cell in full. Decisions are coloured on a terminal unless
    /// NO_COLOR is set.
    #[command(after_help = EXIT_REPORT)]
    List(ActivityListArgs),
    /// Explain one evaluation in full: the call, the decision and every flow behind it.
    #[command(after_help = EXIT_SHOW)]
    Show(ShowArgs),
    /// Export evaluations with their flows: one JSON object per line, or CSV (for a SIEM).
    ///
    /// CSV has one row per evaluation (flows summarised in `flows`, `flow_kinds`,
    /// `destinations`); a cell that a spreadsheet would read as a formula (starting with
    /// `=`, `+`, `-` or `@`) is prefixed with `'`.
    #[command(after_help = EXIT_REPORT)]
    Export(ActivityExportArgs),
}

/// What was decided, as stored in the activity log.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionFilter {
    /// The call was denied.
    Deny,
    /// The user was asked.
    Ask,
    /// No objection.
    #[value(name = "none")]
    NoObjection,
    /// A tool result was recorded as a source (PostToolUse and the like).
    Record,
    /// The evaluation failed (the row says how it was answered: a fail-safe deny or none).
    Error,
}

impl DecisionFilter {
    pub fn as_str(self) -> &'static str {
        self.decision().as_str()
    }

    /// The engine's decision kind this filter selects.
    pub fn decision(self) -> crate::flow::call::Decision {
        use crate::flow::call::Decision;
        match self {
            DecisionFilter::Deny => Decision::Deny,
            DecisionFilter::Ask => Decision::Ask,
            DecisionFilter::NoObjection => Decision::None,
            DecisionFilter::Record => Decision::Record,
            DecisionFilter::Error => Decision::Error,
        }
    }
}

/// An activity id as `activity list` prints it (`5`) or as `sessions show` prints a flow's
/// call (`a5`).
fn activity_id(text: &str) -> Result<i64, String> {
    let digits = text.strip_prefix('a').unwrap_or(text);
    match digits.parse::<i64>() {
        Ok(n) if n > 0 && !digits.starts_with('+') => Ok(n),
        _ => Err("expected an activity id such as 5 (from `activity list`) or a5 (from `sessions show`)".into()),
    }
}

#[derive(Args, Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Only sessions whose id starts with this (a whole id works).
    #[arg(long)]
    pub session: Option<String>,
    /// Only this decision.
    #[arg(long, value_enum)]
    pub decision: Option<DecisionFilter>,
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
    #[command(flatten)]
    pub output: ListOutput,
}

/// How a list command prints its rows (`activity list`, `sessions list`).
#[derive(Args, Debug)]
pub struct ListOutput {
    /// Print rows as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Print every cell in full instead of fitting the terminal.
    #[arg(long)]
    pub wide: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The activity id, as `activity list` prints it (`5`) or `sessions show` (`a5`).
    #[arg(value_parser = activity_id)]
    pub id: i64,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line, with the flows.
    Jsonl,
    /// Comma-separated values with a header row (RFC 4180 quoting).
    Csv,
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
    ///
    /// The table fits the terminal (COLUMNS, else the terminal's width, else 80 columns);
    /// `--wide` prints every cell in full.
    #[command(after_help = EXIT_REPORT)]
    List(SessionsListArgs),
    /// One session: what was read, what left (or tried to), and the decisions.
    ///
    /// Each flow line starts with the id of the call it belongs to (`a5`), which
    /// `mcpproxy activity show a5` explains.
    #[command(after_help = EXIT_SHOW)]
    Show(SessionShowArgs),
}

#[derive(Args, Debug)]
pub struct SessionsListArgs {
    /// Show at most this many sessions (most recently active first).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    #[command(flatten)]
    pub output: ListOutput,
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
    /// Print every line in full instead of fitting the terminal.
    #[arg(long, conflicts_with_all = ["json", "graph"])]
    pub wide: bool,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Print the effective configuration (file values over defaults) and where it came from.
    #[command(after_help = EXIT_CONFIG)]
    Show(ConfigShowArgs),
    /// Print the path of the configuration file (it may not exist yet).
    #[command(after_help = "Exit status:\n  0  printed\n  2  error: no home directory, bad arguments")]
    Path,
    /// Validate the configuration file; exits 1 and names the bad key when it is wrong.
    #[command(after_help = EXIT_CONFIG_CHECK)]
    Check(ConfigCheckArgs),
}

#[derive(Args, Debug)]
pub struct ConfigCheckArgs {
    /// Print the result as JSON: {"path", "exists", "valid", "keys_set", "error"}.
    #[arg(long)]
    pub json: bool,
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
    /// Files or folders to scan; stdin when none is given.
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// The same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanFormat {
    /// One line per finding.
    Text,
    /// One JSON object: {"count", "findings": [...]}.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

impl ScanArgs {
    /// `--format`, with `--json` as its alias.
    pub fn effective_format(&self) -> ScanFormat {
        if self.json {
            ScanFormat::Json
        } else {
            self.format
        }
    }
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

text_names!(Agent {
    ClaudeCode => "claude-code",
    Codex => "codex",
    Cursor => "cursor",
    Gemini => "gemini",
});

impl Agent {
    /// The agent's hook protocol and settings-file format.
    pub fn protocol(self) -> &'static dyn crate::agent::AgentProtocol {
        crate::agent::protocol(self.as_str())
    }
}
