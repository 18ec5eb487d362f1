//! Agent adapters: translate one agent's hook protocol into engine events and decisions back.

pub mod claude_code;
pub mod cursor;
pub mod gemini;

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
    pub kind: EventKind,
    /// The event name exactly as the agent sent it (echoed back in the decision).
    pub event_name: String,
    pub session_id: String,
    pub tool_name: String,
    /// MCP server name, from the payload or from `mcp__server__tool`.
    pub server: Option<String>,
    pub tool_input: Value,
    pub tool_response: Option<Value>,
    pub error: Option<String>,
    pub cwd: Option<String>,
}

/// What the engine decided about a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No opinion: print nothing.
    Silent,
    Ask(String),
    Deny(String),
}

impl Verdict {
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Silent => "none",
            Verdict::Ask(_) => "ask",
            Verdict::Deny(_) => "deny",
        }
    }
    /// `("deny" | "ask", reason)`, or `None` for no opinion: the shared core of every renderer.
    pub fn decision(&self) -> Option<(&'static str, &str)> {
        match self {
            Verdict::Silent => None,
            Verdict::Ask(r) => Some(("ask", r)),
            Verdict::Deny(r) => Some(("deny", r)),
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Verdict::Silent => None,
            Verdict::Ask(r) | Verdict::Deny(r) => Some(r),
        }
    }
}

/// The payload as a JSON object, or an error naming what is wrong with it.
pub fn payload_object(bytes: &[u8]) -> anyhow::Result<serde_json::Map<String, Value>> {
    use anyhow::Context;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        anyhow::bail!("empty hook input on stdin");
    }
    let value: Value = serde_json::from_slice(bytes).context("hook input is not valid JSON")?;
    match value {
        Value::Object(obj) => Ok(obj),
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
