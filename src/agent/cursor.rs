//! Cursor hook protocol (`.cursor/hooks.json`): camelCase events, one payload shape per event,
//! `{"permission": "deny"|"ask", "user_message", "agent_message"}` on stdout.
//!
//! Mapping to engine events:
//! - `beforeShellExecution` -> Pre of `Bash` with `{command}`;
//! - `beforeMCPExecution` -> Pre of `mcp__<server>__<tool>` with the arguments (Cursor sends them
//!   as a JSON string in `tool_input`);
//! - `afterMCPExecution` -> Post of the same tool, `result_json` as the response;
//! - `beforeReadFile` -> a source: Cursor hands over the file content it is about to give the
//!   model, and there is no "after read" event, so the content is recorded like a Read response
//!   (a read is never a sink, so nothing is ever denied here);
//! - `afterFileEdit` -> Post of `MultiEdit` with `{file_path, edits}` (taints the file when a
//!   session secret is written into it).

use super::{EventKind, HookEvent, Verdict};
use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};

/// Events whose reply Cursor reads as a permission decision.
const PERMISSION_EVENTS: &[&str] = &["beforeShellExecution", "beforeMCPExecution", "beforeReadFile"];

/// The hook events `hook install --agent cursor` registers.
pub const EVENTS: &[&str] =
    &["beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "afterFileEdit", "afterMCPExecution"];

pub fn parse(bytes: &[u8], event_override: Option<&str>) -> Result<HookEvent> {
    let super::Payload { obj, cut } = super::payload_object(bytes)?;
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
    let event_name = super::event_name(&obj, event_override)?;
    let session_id = text("conversation_id").or_else(|| text("session_id")).unwrap_or_else(|| "unknown".to_owned());
    let cwd = text("cwd")
        .or_else(|| obj.get("workspace_roots").and_then(|r| r.get(0)).and_then(Value::as_str).map(str::to_owned));
    let event =
        |kind, tool_name: String, server: Option<String>, tool_input: Value, tool_response: Option<Value>| HookEvent {
            kind,
            event_name: event_name.clone(),
            session_id: session_id.clone(),
            tool_name,
            server,
            tool_input,
            tool_response,
            error: None,
            cwd: cwd.clone(),
            cut: cut.clone(),
        };
    match event_name.as_str() {
        "beforeShellExecution" => {
            let command = text("command").context("beforeShellExecution input has no string `command`")?;
            Ok(event(EventKind::Pre, "Bash".into(), None, json!({ "command": command }), None))
        }
        "beforeMCPExecution" | "afterMCPExecution" => {
            let tool = text("tool_name").context("MCP event input has no string `tool_name`")?;
            let server = server_name(&obj);
            let input = json_or_text(obj.get("tool_input"));
            let name = format!("mcp__{server}__{tool}");
            if event_name == "beforeMCPExecution" {
                Ok(event(EventKind::Pre, name, Some(server), input, None))
            } else {
                let response = json_or_text(obj.get("result_json"));
                Ok(event(EventKind::Post, name, Some(server), input, Some(response)))
            }
        }
        "beforeReadFile" => {
            let path = text("file_path").context("beforeReadFile input has no string `file_path`")?;
            let input = json!({ "file_path": path });
            match text("content") {
                Some(content) => {
                    Ok(event(EventKind::Post, "Read".into(), None, input, Some(json!({ "content": content }))))
                }
                None => Ok(event(EventKind::Pre, "Read".into(), None, input, None)),
            }
        }
        "afterFileEdit" => {
            let path = text("file_path").context("afterFileEdit input has no string `file_path`")?;
            let edits = obj.get("edits").cloned().unwrap_or_else(|| json!([]));
            Ok(event(EventKind::Post, "MultiEdit".into(), None, json!({ "file_path": path, "edits": edits }), None))
        }
        other => bail!("unsupported Cursor hook event `{other}` (expected one of {})", EVENTS.join(", ")),
    }
}

/// The MCP server's name: Cursor's newer `mcp_server_name`, else the host of its `url`, else
/// the program of its `command`.
fn server_name(obj: &Map<String, Value>) -> String {
    let text = |key: &str| obj.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty());
    if let Some(name) = text("mcp_server_name").or_else(|| text("server_name")) {
        return name.to_owned();
    }
    if let Some(url) = text("mcp_server_url").or_else(|| text("url")) {
        let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
        let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let host = host.rsplit('@').next().unwrap_or(host);
        if !host.is_empty() {
            return host.to_owned();
        }
    }
    if let Some(cmd) = text("command") {
        if let Some(first) = cmd.split_whitespace().next() {
            return first.rsplit('/').next().unwrap_or(first).to_owned();
        }
    }
    "cursor".to_owned()
}

/// Cursor sends MCP arguments and results as JSON strings: parse them when they are.
fn json_or_text(value: Option<&Value>) -> Value {
    match value {
        None | Some(Value::Null) => json!({}),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => v,
            _ => json!({ "input": s }),
        },
        Some(other) => other.clone(),
    }
}

/// The stdout bytes for a verdict: `None` for no opinion and for events whose reply Cursor
/// does not read as a permission. `allow` is never emitted.
pub fn render(event_name: &str, verdict: &Verdict) -> Option<String> {
    super::reply_when(
        PERMISSION_EVENTS.contains(&event_name),
        verdict,
        |permission, reason| json!({ "permission": permission, "user_message": reason, "agent_message": reason }),
    )
}

agent_protocol!(Cursor, "cursor", "beforeShellExecution");

/// `.cursor/hooks.json`: `{"version": 1, "hooks": {"<event>": [{"command"}]}}`.
impl super::HookSettings for Cursor {
    fn settings_file(&self, _scope: super::Scope) -> (&'static str, &'static str) {
        (".cursor", "hooks.json")
    }
    fn events(&self) -> &'static [&'static str] {
        EVENTS
    }
    fn our_entry(&self, _event: &str, command: &str) -> Value {
        json!({"command": command})
    }
    fn bare_handlers(&self) -> bool {
        true
    }
    fn required_keys(&self) -> &'static [(&'static str, i64)] {
        &[("version", 1)]
    }
    /// Cursor's events are per kind of action, not per tool: no matchers.
    fn needed_tools(&self) -> &'static [&'static str] {
        &[]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::agent::other_agents_fixture as fixture;

    #[test]
    fn shell_is_a_bash_pre() {
        let e = parse(&fixture("cursor.beforeShellExecution.json"), None).unwrap();
        assert_eq!(e.kind, EventKind::Pre);
        assert_eq!(e.tool_name, "Bash");
        assert_eq!(e.tool_input["command"], "git push --force");
        assert_eq!(e.session_id, "c1f4e0a2-7b3d-4e5f-8a9b-0c1d2e3f4a5b");
    }

    #[test]
    fn mcp_arguments_are_parsed_from_the_string() {
        let e = parse(&fixture("cursor.beforeMCPExecution.json"), None).unwrap();
        assert_eq!(e.tool_name, "mcp__127.0.0.1:8080__call_tool_read");
        assert_eq!(e.server.as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(e.tool_input["name"], "github:list_repos");
        let e = parse(&fixture("cursor.afterMCPExecution.json"), None).unwrap();
        assert_eq!(e.kind, EventKind::Post);
        assert_eq!(e.tool_response.unwrap()["content"][0]["text"], "[]");
    }

    #[test]
    fn read_file_is_recorded_and_edits_taint() {
        let e = parse(&fixture("cursor.beforeReadFile.json"), None).unwrap();
        assert_eq!((e.kind, e.tool_name.as_str()), (EventKind::Post, "Read"));
        assert_eq!(e.tool_response.unwrap()["content"], "API_KEY=sk-test-123\n");
        let e = parse(&fixture("cursor.afterFileEdit.json"), None).unwrap();
        assert_eq!((e.kind, e.tool_name.as_str()), (EventKind::Post, "MultiEdit"));
        assert_eq!(e.tool_input["edits"][0]["new_string"], "DEBUG = False");
    }

    #[test]
    fn renders_permission_only_for_before_events() {
        assert_eq!(render("beforeShellExecution", &Verdict::Silent), None);
        assert_eq!(
            render("beforeShellExecution", &Verdict::Deny("no".into())).unwrap(),
            r#"{"permission":"deny","user_message":"no","agent_message":"no"}"#
        );
        assert_eq!(render("afterMCPExecution", &Verdict::Deny("no".into())), None);
        assert!(parse(br#"{"hook_event_name":"stop"}"#, None).is_err());
    }
}
