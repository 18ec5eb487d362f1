//! Gemini CLI hook protocol (`settings.json` `hooks.BeforeTool` / `hooks.AfterTool`): Claude-like
//! payloads with Gemini tool names, and a top-level `{"decision": "deny"|"ask", "reason"}` reply.
//!
//! Tool names are mapped to the Claude Code names the engine knows (`run_shell_command` ->
//! `Bash`, `read_file` -> `Read`, `web_fetch` -> `WebFetch`, ...); MCP tools keep their
//! `mcp__server__tool` names; `tool_response.llmContent` (what the model sees) is the response.

use super::{EventKind, HookEvent, Verdict};
use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};

/// The hook events `hook install --agent gemini` registers.
pub const EVENTS: &[&str] = &["BeforeTool", "AfterTool"];

pub fn parse(bytes: &[u8], event_override: Option<&str>) -> Result<HookEvent> {
    let super::Payload { obj, cut } = super::payload_object(bytes)?;
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
    let event_name = super::event_name(&obj, event_override)?;
    let raw_tool = text("tool_name").context("hook input has no string `tool_name`")?;
    let raw_input = obj.get("tool_input").cloned().unwrap_or(Value::Null);
    let (tool_name, tool_input) = map_tool(&raw_tool, &raw_input);
    let server = super::mcp_server(&obj, "mcp_context", "server_name", &tool_name);
    let (kind, tool_response, error) = match event_name.as_str() {
        "BeforeTool" => (EventKind::Pre, None, None),
        "AfterTool" => {
            let resp = obj.get("tool_response");
            let content = resp.and_then(|r| r.get("llmContent")).filter(|c| !c.is_null()).cloned();
            let error = resp.and_then(|r| r.get("error")).and_then(error_text);
            match (content, error) {
                (None, Some(err)) => (EventKind::PostFailure, None, Some(err)),
                (content, _) => (EventKind::Post, Some(content.or_else(|| resp.cloned()).unwrap_or(Value::Null)), None),
            }
        }
        other => {
            bail!("unsupported Gemini CLI hook event `{other}` (expected BeforeTool or AfterTool)")
        }
    };
    Ok(HookEvent {
        kind,
        event_name,
        session_id: text("session_id").unwrap_or_else(|| "unknown".to_owned()),
        tool_name,
        server,
        tool_input,
        tool_response,
        error,
        cwd: text("cwd"),
        cut,
    })
}

fn error_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("message").and_then(Value::as_str).map(str::to_owned).or_else(|| Some(v.to_string())),
        other => Some(other.to_string()),
    }
}

/// Gemini tool name and arguments -> the Claude Code equivalent the engine classifies.
fn map_tool(name: &str, input: &Value) -> (String, Value) {
    let obj = input.as_object().cloned().unwrap_or_default();
    let s = |keys: &[&str]| keys.iter().find_map(|k| obj.get(*k).and_then(Value::as_str)).map(str::to_owned);
    let with = |tool: &str, pairs: Vec<(&str, Option<String>)>| {
        let mut out: Map<String, Value> = obj.clone();
        for (k, v) in pairs {
            if let Some(v) = v {
                out.insert(k.to_owned(), Value::String(v));
            }
        }
        (tool.to_owned(), Value::Object(out))
    };
    match name {
        "run_shell_command" => with("Bash", vec![("command", s(&["command"]))]),
        "read_file" => with("Read", vec![("file_path", s(&["absolute_path", "file_path", "path"]))]),
        "write_file" => {
            with("Write", vec![("file_path", s(&["file_path", "absolute_path", "path"])), ("content", s(&["content"]))])
        }
        "replace" => with(
            "Edit",
            vec![("file_path", s(&["file_path", "absolute_path", "path"])), ("new_string", s(&["new_string"]))],
        ),
        "web_fetch" => {
            let url = s(&["url"]).or_else(|| s(&["prompt"]).and_then(|p| first_url(&p)));
            with("WebFetch", vec![("url", url)])
        }
        "google_web_search" | "web_search" => with("WebSearch", vec![("query", s(&["query"]))]),
        "glob" | "list_directory" | "read_many_files" => with("Glob", vec![]),
        // Local bookkeeping: a memory fact kept in GEMINI.md, the todo list.
        "save_memory" | "write_todos" => with("TodoWrite", vec![]),
        "search_file_content" | "grep" => with("Grep", vec![]),
        _ => (name.to_owned(), input.clone()),
    }
}

fn first_url(text: &str) -> Option<String> {
    let start = text.find("https://").or_else(|| text.find("http://"))?;
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '<' | '>' | ')'))
        .collect();
    Some(url)
}

/// The stdout bytes for a verdict: `None` for no opinion and after the tool ran.
pub fn render(event_name: &str, verdict: &Verdict) -> Option<String> {
    super::reply_when(
        event_name == "BeforeTool",
        verdict,
        |decision, reason| json!({ "decision": decision, "reason": reason }),
    )
}

agent_protocol!(Gemini, "gemini", "BeforeTool");

/// `.gemini/settings.json`: Claude Code's nesting under `BeforeTool` / `AfterTool`, regex
/// matchers, timeout in milliseconds.
impl super::HookSettings for Gemini {
    fn settings_file(&self, _scope: super::Scope) -> (&'static str, &'static str) {
        (".gemini", "settings.json")
    }
    fn events(&self) -> &'static [&'static str] {
        EVENTS
    }
    fn unrunnable_effect(&self) -> &'static str {
        "Gemini CLI then blocks every tool call with the shell's error"
    }
    fn our_entry(&self, _event: &str, command: &str) -> Value {
        json!({"matcher": ".*", "hooks": [{"type": "command", "command": command, "timeout": TIMEOUT_MS}]})
    }
    fn needed_tools(&self) -> &'static [&'static str] {
        &[
            "run_shell_command",
            "read_file",
            "web_fetch",
            "google_web_search",
            "write_file",
            "replace",
            "mcp__server__tool",
        ]
    }
    fn regex_matchers(&self) -> bool {
        true
    }
}

/// Hook timeout written for Gemini CLI (milliseconds; the same 10 s as the others).
const TIMEOUT_MS: u64 = super::claude_code::TIMEOUT_SECS * 1000;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::agent::other_agents_fixture as fixture;

    #[test]
    fn after_shell_is_a_bash_source() {
        let e = parse(&fixture("gemini.AfterTool.shell.json"), None).unwrap();
        assert_eq!((e.kind, e.tool_name.as_str()), (EventKind::Post, "Bash"));
        assert_eq!(e.tool_input["command"], "ls src");
        assert!(e.tool_response.unwrap().as_str().unwrap().contains("app.py"));
    }

    #[test]
    fn mcp_keeps_its_name_and_server() {
        let e = parse(&fixture("gemini.BeforeTool.mcp.json"), None).unwrap();
        assert_eq!((e.kind, e.tool_name.as_str()), (EventKind::Pre, "mcp__mcpproxy__call_tool_read"));
        assert_eq!(e.server.as_deref(), Some("mcpproxy"));
    }

    #[test]
    fn tool_names_map_to_claude_code_names() {
        let (t, i) = map_tool("read_file", &json!({"absolute_path": "/a/.env"}));
        assert_eq!((t.as_str(), i["file_path"].as_str()), ("Read", Some("/a/.env")));
        let (t, i) = map_tool("web_fetch", &json!({"prompt": "summarise https://x.example/a?b=1 please"}));
        assert_eq!((t.as_str(), i["url"].as_str()), ("WebFetch", Some("https://x.example/a?b=1")));
        assert_eq!(map_tool("replace", &json!({})).0, "Edit");
        assert_eq!(map_tool("write_file", &json!({})).0, "Write");
    }

    #[test]
    fn renders_top_level_decision() {
        assert_eq!(render("BeforeTool", &Verdict::Ask("hm".into())).unwrap(), r#"{"decision":"ask","reason":"hm"}"#);
        assert_eq!(render("BeforeTool", &Verdict::Silent), None);
        assert_eq!(render("AfterTool", &Verdict::Deny("x".into())), None);
    }
}
