//! Codex CLI hooks: the Claude Code payload and reply format, except that Codex treats an `ask`
//! reply as unsupported and runs the tool, so a question is sent as a deny that says so.

use super::{claude_code, HookEvent, Scope, Verdict};
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::path::PathBuf;

pub struct Codex;

impl super::AgentProtocol for Codex {
    fn name(&self) -> &'static str {
        "codex"
    }
    fn parse(&self, bytes: &[u8], event_override: Option<&str>) -> Result<HookEvent> {
        claude_code::parse(bytes, event_override)
    }
    fn render(&self, event_name: &str, verdict: &Verdict) -> Option<String> {
        match verdict {
            Verdict::Ask(reason) => claude_code::render(
                event_name,
                &Verdict::Deny(format!("{reason} (Codex cannot ask: denied until the user approves it)")),
            ),
            other => claude_code::render(event_name, other),
        }
    }
    fn before_event(&self) -> &'static str {
        "PreToolUse"
    }
}

/// `.codex/hooks.json` (the user's under `$CODEX_HOME`): Claude Code's layout.
impl super::HookSettings for Codex {
    fn settings_file(&self, _scope: Scope) -> (&'static str, &'static str) {
        (".codex", "hooks.json")
    }
    fn user_dir(&self) -> Option<Result<PathBuf>> {
        Some(codex_home())
    }
    /// Codex sends no failure events (PostToolUse carries failed calls too).
    fn events(&self) -> &'static [&'static str] {
        &["PreToolUse", "PostToolUse"]
    }
    fn our_entry(&self, _event: &str, command: &str) -> Value {
        json!({"matcher": "*", "hooks": [{"type": "command", "command": command, "timeout": claude_code::TIMEOUT_SECS}]})
    }
    fn needed_tools(&self) -> &'static [&'static str] {
        claude_code::NEEDED_TOOLS
    }
}

/// Codex's home: `$CODEX_HOME`, else `~/.codex` (its user hooks.json and config.toml live there).
pub fn codex_home() -> Result<PathBuf> {
    match std::env::var_os("CODEX_HOME").filter(|h| !h.is_empty()) {
        Some(h) => {
            let h = PathBuf::from(h);
            Ok(if h.is_absolute() {
                h
            } else {
                std::env::current_dir().context("reading the current directory")?.join(h)
            })
        }
        None => Ok(super::home_dir()?.join(".codex")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::AgentProtocol;
    use super::*;

    #[test]
    fn ask_becomes_deny() {
        let out = Codex.render("PreToolUse", &Verdict::Ask("check: x".into())).unwrap();
        assert!(out.contains(r#""permissionDecision":"deny""#), "{out}");
        assert!(out.contains("Codex cannot ask"), "{out}");
        assert_eq!(Codex.render("PreToolUse", &Verdict::Silent), None);
    }
}
