//! Agent adapters: translate one agent's hook protocol into engine events and decisions back.

/// Implements [`AgentProtocol`] for an agent module's own `parse` and `render`.
macro_rules! agent_protocol {
    ($ty:ident, $name:literal, $before:literal) => {
        #[doc = concat!("The ", $name, " hook protocol.")]
        pub struct $ty;

        impl super::AgentProtocol for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn parse(&self, bytes: &[u8], event_override: Option<&str>) -> anyhow::Result<super::HookEvent> {
                parse(bytes, event_override)
            }
            fn render(&self, event_name: &str, verdict: &super::Verdict) -> Option<String> {
                render(event_name, verdict)
            }
            fn before_event(&self) -> &'static str {
                $before
            }
        }
    };
}

pub mod bounded;
pub mod claude_code;
pub mod codex;
pub mod cursor;
pub mod gemini;
pub mod sanitize;

use crate::flow::call::{Call, Phase, Tool};
use serde_json::Value;

/// The hook events the engine understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Before a tool runs: the call is a sink candidate.
    Pre,
    /// After a tool ran: its response is a source.
    Post,
    /// After a tool failed: its error text is a source.
    PostFailure,
}

/// One tool-call event, agent-neutral.
#[derive(Debug, Clone)]
pub struct HookEvent {
    /// Before the tool runs, after it, or after it failed.
    pub kind: EventKind,
    /// The event name exactly as the agent sent it (echoed back in the decision).
    pub event_name: String,
    /// The agent's conversation id (`unknown` when the payload has none).
    pub session_id: String,
    /// The tool's name in the agent's own vocabulary (`Bash`, `run_shell_command`, `mcp__s__t`).
    pub tool_name: String,
    /// MCP server name, from the payload or from `mcp__server__tool`.
    pub server: Option<String>,
    /// The tool's arguments as sent (`Null` when there were none).
    pub tool_input: Value,
    /// What the tool returned (after-events only).
    pub tool_response: Option<Value>,
    /// The failure text of a failed tool call.
    pub error: Option<String>,
    /// The agent's working directory, against which relative paths resolve.
    pub cwd: Option<String>,
    /// Why part of the payload was not seen (a size cap): unverified arguments, a response
    /// that may have held more.
    pub cut: Option<String>,
}

pub use crate::flow::call::Verdict;

/// One agent's hook protocol: how its payloads become engine calls and how a verdict is
/// written back, and (through [`HookSettings`]) where and how its hooks are installed. A new
/// agent is one new file implementing both, plus its line in [`AGENTS`] and in `cli::Agent`.
pub trait AgentProtocol: HookSettings + Sync {
    /// The agent's name in logs and `--agent`.
    fn name(&self) -> &'static str;
    /// Parse one hook payload (`event_override` replaces its event name).
    fn parse(&self, bytes: &[u8], event_override: Option<&str>) -> anyhow::Result<HookEvent>;
    /// The stdout bytes for a verdict, `None` to print nothing.
    fn render(&self, event_name: &str, verdict: &Verdict) -> Option<String>;
    /// The event name of "before a tool runs", for a fail-safe reply to a payload that could
    /// not be parsed.
    fn before_event(&self) -> &'static str;
}

/// Where an agent's settings file lives (`hook install --scope`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The user's settings (~/.claude/settings.json, ~/.codex/hooks.json, ...).
    User,
    /// The project's shared settings under the current directory (.claude/settings.json, ...).
    Project,
    /// The project's personal settings (.claude/settings.local.json; Claude Code only).
    Local,
}

text_names!(Scope {
    User => "user",
    Project => "project",
    Local => "local",
});

/// How one agent keeps hooks in its settings file: where the file is per scope, which events
/// we register, and what our handler entry looks like. Reading, merging and removing entries
/// is shared (`cmd::settings`); only the format is here.
pub trait HookSettings {
    /// The scopes the agent reads hooks from.
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::User, Scope::Project]
    }
    /// The settings folder (under `$HOME` for the user scope, else the current directory) and
    /// file name, for a scope the agent supports.
    fn settings_file(&self, scope: Scope) -> (&'static str, &'static str);
    /// The user scope's folder when it is not `$HOME/<folder>` (Codex: `$CODEX_HOME`).
    fn user_dir(&self) -> Option<anyhow::Result<std::path::PathBuf>> {
        None
    }
    /// The hook events we register.
    fn events(&self) -> &'static [&'static str];
    /// What happens when our command cannot start (said when `mcpproxy` is not on PATH).
    fn unrunnable_effect(&self) -> &'static str {
        "the hook then fails to start and checks nothing"
    }
    /// Our entry in the list of `event`: a matcher group, or a bare handler.
    fn our_entry(&self, event: &str, command: &str) -> Value;
    /// Handlers stand bare in an event's list instead of in `{matcher, hooks: [...]}` groups.
    fn bare_handlers(&self) -> bool {
        false
    }
    /// Keys a settings file needs besides `hooks`, added when missing.
    fn required_keys(&self) -> &'static [(&'static str, i64)] {
        &[]
    }
    /// Tool names (as the agent names them) that our matchers must cover.
    fn needed_tools(&self) -> &'static [&'static str];
    /// Matchers are always regexes (else Claude Code's rule: `*`, an exact list, or a regex).
    fn regex_matchers(&self) -> bool {
        false
    }
}

/// The user's home: `$HOME`, else what the platform says.
pub fn home_dir() -> anyhow::Result<std::path::PathBuf> {
    use anyhow::Context;
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()))
        .context("cannot find the home directory; set HOME")
}

/// Every supported agent (the `--agent` names), Claude Code first (the default).
pub const AGENTS: &[&dyn AgentProtocol] = &[&claude_code::ClaudeCode, &codex::Codex, &cursor::Cursor, &gemini::Gemini];

/// The protocol of an agent by its `--agent` name (Claude Code when unknown).
pub fn protocol(name: &str) -> &'static dyn AgentProtocol {
    AGENTS.iter().copied().find(|a| a.name() == name).unwrap_or(AGENTS[0])
}

impl HookEvent {
    /// The typed call the engine evaluates. Gemini and Cursor adapters name their tools with the
    /// Claude Code names first, so one table maps all of them.
    pub fn to_call(&self) -> Call {
        self.clone().into_call()
    }

    /// [`HookEvent::to_call`] without copying the payload (a large response is not held twice).
    pub fn into_call(self) -> Call {
        let phase = match self.kind {
            EventKind::Pre => Phase::Before,
            EventKind::Post => Phase::After,
            EventKind::PostFailure => Phase::AfterFailure,
        };
        let mut tool = claude_code::tool_kind(&self.tool_name, self.server.as_deref(), &self.tool_input);
        if let (Tool::EditFile { whole_after, .. }, Some(response)) = (&mut tool, &self.tool_response) {
            *whole_after = claude_code::edited_file(&self.tool_name, &self.tool_input, response);
        }
        Call {
            phase,
            session_id: self.session_id,
            tool,
            label: self.tool_name,
            input: self.tool_input,
            response: self.tool_response,
            error: self.error,
            cwd: self.cwd,
            annotations: None,
            cut: self.cut,
        }
    }
}

/// A payload's top-level object, and why part of it was not kept.
pub struct Payload {
    pub obj: serde_json::Map<String, Value>,
    pub cut: Option<String>,
}

/// The payload as a JSON object of bounded size ([`bounded`]), or an error naming what is
/// wrong with it.
pub fn payload_object(bytes: &[u8]) -> anyhow::Result<Payload> {
    use anyhow::Context;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        anyhow::bail!("empty hook input on stdin");
    }
    let budget = bounded::Budget::new(bounded::MAX_STRING_BYTES, bounded::MAX_VALUES);
    let value: Value = match bounded::from_slice(bytes, &budget) {
        Ok(v) => v,
        // Tokens an agent may send that serde_json refuses (a lone surrogate escape, `1e999`,
        // deep nesting): repaired rather than letting one token skip the whole check.
        Err(first) => {
            let budget = bounded::Budget::new(bounded::MAX_STRING_BYTES, bounded::MAX_VALUES);
            let v = sanitize::parse_lenient(bytes, &budget)
                .with_context(|| format!("hook input is not valid JSON: {first}"))?;
            return into_payload(v, &budget);
        }
    };
    into_payload(value, &budget)
}

fn into_payload(value: Value, budget: &bounded::Budget) -> anyhow::Result<Payload> {
    let cut = budget.was_cut().then(|| {
        format!(
            "the hook input holds more than {} values or {} MiB of text; the rest was not read",
            bounded::MAX_VALUES,
            bounded::MAX_STRING_BYTES >> 20
        )
    });
    match value {
        Value::Object(obj) => Ok(Payload { obj, cut }),
        _ => anyhow::bail!("hook input is not a JSON object"),
    }
}

/// The event name: the `--event` override, else the payload's `hook_event_name`.
pub fn event_name(obj: &serde_json::Map<String, Value>, event_override: Option<&str>) -> anyhow::Result<String> {
    match event_override {
        Some(e) => Ok(e.to_owned()),
        None => obj
            .get("hook_event_name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("hook input has no string `hook_event_name`")),
    }
}

/// The MCP server of a call: the payload's `<outer>.<inner>` string (Claude Code's
/// `mcp_server.name`, Gemini CLI's `mcp_context.server_name`), else the server part of an
/// `mcp__server__tool` name.
pub fn mcp_server(obj: &serde_json::Map<String, Value>, outer: &str, inner: &str, tool_name: &str) -> Option<String> {
    obj.get(outer)
        .and_then(|o| o.get(inner))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| split_mcp_name(tool_name).map(|(s, _)| s.to_owned()))
}

/// The stdout bytes for a verdict: `None` for no opinion and for events whose reply the agent
/// does not read as a decision (`deciding` false); else `reply(decision, reason)` as one line.
pub fn reply_when(deciding: bool, verdict: &Verdict, reply: impl FnOnce(&str, &str) -> Value) -> Option<String> {
    if !deciding {
        return None;
    }
    let (decision, reason) = verdict.decision()?;
    Some(reply(decision, reason).to_string())
}

/// A payload from `fixtures/other-agents` (unit tests of the adapters).
#[cfg(test)]
pub(crate) fn other_agents_fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/other-agents").join(name)).unwrap()
}

/// Split `mcp__server__tool` (and `mcp__plugin_p_s__tool`) into server and tool.
pub fn split_mcp_name(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix("mcp__")?;
    let idx = rest.find("__")?;
    let (server, tool) = (&rest[..idx], &rest[idx + 2..]);
    if server.is_empty() || tool.is_empty() {
        return None;
    }
    Some((server, tool))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcp_names_split_on_first_double_underscore() {
        assert_eq!(split_mcp_name("mcp__slack__slack_post_message"), Some(("slack", "slack_post_message")));
        assert_eq!(
            split_mcp_name("mcp__plugin_playwright_playwright__browser_navigate"),
            Some(("plugin_playwright_playwright", "browser_navigate"))
        );
        assert_eq!(split_mcp_name("mcp__x"), None);
        assert_eq!(split_mcp_name("Read"), None);
    }
}
