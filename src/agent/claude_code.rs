//! Claude Code hook protocol: PreToolUse / PostToolUse / PostToolUseFailure payloads on stdin,
//! `hookSpecificOutput` decisions on stdout. Codex speaks the same format.

use super::{split_mcp_name, EventKind, HookEvent, Scope, Verdict};
use crate::flow::call::Tool;
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

/// Parse one hook payload. Everything but `hook_event_name` and `tool_name` is optional;
/// unknown fields are ignored. `event_override` replaces `hook_event_name` (`--event`).
pub fn parse(bytes: &[u8], event_override: Option<&str>) -> Result<HookEvent> {
    let super::Payload { mut obj, cut } = super::payload_object(bytes)?;
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
    let event_name = super::event_name(&obj, event_override)?;
    let kind = match event_name.as_str() {
        "PreToolUse" => EventKind::Pre,
        "PostToolUse" => EventKind::Post,
        "PostToolUseFailure" => EventKind::PostFailure,
        other => bail!("unsupported hook event `{other}` (expected PreToolUse, PostToolUse or PostToolUseFailure)"),
    };
    let tool_name = text("tool_name").context("hook input has no string `tool_name`")?;
    let server = super::mcp_server(&obj, "mcp_server", "name", &tool_name);
    Ok(HookEvent {
        kind,
        event_name,
        session_id: text("session_id").unwrap_or_else(|| "unknown".to_owned()),
        tool_name,
        server,
        error: text("error"),
        cwd: text("cwd"),
        // Moved out, not copied: a large response is held once.
        tool_input: obj.shift_remove("tool_input").unwrap_or(Value::Null),
        tool_response: obj.shift_remove("tool_response"),
        cut,
    })
}

/// The kind of a tool, from its Claude Code name and arguments.
pub fn tool_kind(name: &str, server: Option<&str>, input: &Value) -> Tool {
    let text = |key: &str| input.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
    match name {
        "Bash" | "PowerShell" => Tool::Shell { command: text("command") },
        // Monitor runs the command it is given and streams its output.
        "Monitor" if input.get("command").is_some() => Tool::Shell { command: text("command") },
        "BashOutput" | "Monitor" | "TaskOutput" => Tool::ShellOutput,
        "Read" | "NotebookRead" => {
            let path = if name == "Read" { text("file_path") } else { text("notebook_path") };
            Tool::ReadFile { path }
        }
        "Grep" => Tool::SearchFiles {
            pattern: text("pattern"),
            path: input.get("path").and_then(Value::as_str).unwrap_or(".").to_owned(),
            in_content: true,
        },
        "Glob" | "LS" | "LSP" | "ToolSearch" => {
            Tool::SearchFiles { pattern: text("pattern"), path: text("path"), in_content: false }
        }
        "WebFetch" => Tool::WebFetch { url: text("url") },
        "WebSearch" => Tool::WebSearch { query: text("query") },
        "Write" => Tool::WriteFile { path: text("file_path"), content: text("content") },
        "Edit" => Tool::EditFile { path: text("file_path"), new_texts: vec![text("new_string")], whole_after: None },
        "NotebookEdit" => {
            Tool::EditFile { path: text("notebook_path"), new_texts: vec![text("new_source")], whole_after: None }
        }
        "MultiEdit" => Tool::EditFile {
            whole_after: None,
            path: text("file_path"),
            new_texts: input
                .get("edits")
                .and_then(Value::as_array)
                .map(|edits| {
                    edits
                        .iter()
                        .filter_map(|e| e.get("new_string").and_then(Value::as_str))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        },
        // Prompts for another agent of this session (now, on a schedule, or as a message).
        "Agent" | "Task" | "SendMessage" | "CronCreate" | "Workflow" => {
            // `isolation: "remote"` runs the agent in a cloud sandbox.
            Tool::Subagent { description: text("description"), remote: text("isolation") == "remote" }
        }
        "ReadMcpResourceTool" => Tool::McpResource { server: text("server"), uri: text("uri") },
        "TodoWrite" | "AskUserQuestion" | "ExitPlanMode" | "Skill" | "CronDelete" | "CronList" | "EnterWorktree"
        | "ExitWorktree" | "ListAgents" | "TaskStop" | "ScheduleWakeup" | "ReportFindings" | "KillShell"
        | "KillBash" => Tool::Inert,
        _ => match split_mcp_name(name) {
            Some((name_server, tool)) => {
                Tool::Mcp { server: server.unwrap_or(name_server).to_owned(), tool: tool.to_owned() }
            }
            None => Tool::Unknown,
        },
    }
}

/// The file an `Edit`/`MultiEdit` produced, from the original Claude Code reports after the
/// call (`tool_response.originalFile`) and the replacements asked for.
pub fn edited_file(name: &str, input: &Value, response: &Value) -> Option<String> {
    let original = response.get("originalFile")?.as_str()?;
    let edits: Vec<&Value> = match name {
        "Edit" => vec![input],
        "MultiEdit" => input.get("edits")?.as_array()?.iter().collect(),
        _ => return None,
    };
    let mut text = original.to_owned();
    for e in edits {
        let old = e.get("old_string")?.as_str()?;
        let new = e.get("new_string")?.as_str()?;
        if old.is_empty() || !text.contains(old) {
            return None;
        }
        let all = e.get("replace_all").and_then(Value::as_bool).unwrap_or(false);
        text = if all { text.replace(old, new) } else { text.replacen(old, new, 1) };
    }
    Some(text)
}

/// The stdout bytes for a verdict: `None` for no opinion. Only PreToolUse can block; for
/// Post events nothing is printed. `allow` is never emitted.
pub fn render(event_name: &str, verdict: &Verdict) -> Option<String> {
    super::reply_when(event_name == "PreToolUse", verdict, |decision, reason| {
        json!({
            "hookSpecificOutput": {
                "hookEventName": event_name,
                "permissionDecision": decision,
                "permissionDecisionReason": reason,
            }
        })
    })
}

agent_protocol!(ClaudeCode, "claude-code", "PreToolUse");

/// Hook timeout written for Claude Code and Codex (seconds).
pub(super) const TIMEOUT_SECS: u64 = 10;

/// The tools a Claude Code (and Codex) matcher must cover.
pub(super) const NEEDED_TOOLS: &[&str] =
    &["Bash", "Read", "Grep", "WebFetch", "WebSearch", "Write", "Edit", "mcp__server__tool", "Agent", "Task"];

/// `.claude/settings.json` (`settings.local.json` for the local scope):
/// `hooks.<Event>[] = {matcher, hooks: [{type: "command", command, timeout (s)}]}`.
impl super::HookSettings for ClaudeCode {
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::User, Scope::Project, Scope::Local]
    }
    fn settings_file(&self, scope: Scope) -> (&'static str, &'static str) {
        (".claude", if scope == Scope::Local { "settings.local.json" } else { "settings.json" })
    }
    fn events(&self) -> &'static [&'static str] {
        &["PreToolUse", "PostToolUse", "PostToolUseFailure"]
    }
    /// The PreToolUse handler blocks the call when the hook fails (a timeout, a crash) instead
    /// of letting it through.
    fn our_entry(&self, event: &str, command: &str) -> Value {
        let mut handler = json!({"type": "command", "command": command, "timeout": TIMEOUT_SECS});
        if event == "PreToolUse" {
            handler["onFailure"] = json!("block");
        }
        json!({"matcher": "*", "hooks": [handler]})
    }
    fn needed_tools(&self) -> &'static [&'static str] {
        NEEDED_TOOLS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_minimal_legacy_shape() {
        let e = parse(
            br#"{"session_id":"s","hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"/a"}}"#,
            None,
        )
        .unwrap();
        assert_eq!(e.kind, EventKind::Pre);
        assert_eq!(e.tool_input["file_path"], "/a");
    }

    #[test]
    fn server_from_name_or_payload() {
        let e = parse(br#"{"hook_event_name":"PreToolUse","tool_name":"mcp__github__get_issue"}"#, None).unwrap();
        assert_eq!(e.server.as_deref(), Some("github"));
        let e = parse(
            br#"{"hook_event_name":"PreToolUse","tool_name":"mcp__plugin_x_y__go","mcp_server":{"name":"y"}}"#,
            None,
        )
        .unwrap();
        assert_eq!(e.server.as_deref(), Some("y"));
    }

    #[test]
    fn rejects_missing_required_fields() {
        assert!(parse(br#"{"tool_name":"Read"}"#, None).is_err());
        assert!(parse(br#"{"hook_event_name":"PreToolUse"}"#, None).is_err());
        assert!(parse(b"", None).is_err());
        let e = parse(br#"{"hook_event_name":"Stop","tool_name":"x"}"#, None).unwrap_err();
        assert!(e.to_string().contains("Stop"));
    }

    #[test]
    fn renders_exact_bytes() {
        assert_eq!(render("PreToolUse", &Verdict::Silent), None);
        assert_eq!(
            render("PreToolUse", &Verdict::Deny("no".into())).unwrap(),
            r#"{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"no"}}"#
        );
        assert_eq!(render("PostToolUse", &Verdict::Deny("no".into())), None);
    }
}
