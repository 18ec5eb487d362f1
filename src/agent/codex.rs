//! Codex CLI hooks: the Claude Code payload and reply format, except that Codex treats an `ask`
//! reply as unsupported and runs the tool, so a question is sent as a deny that says so.

use super::{claude_code, HookEvent, Verdict};
use anyhow::Result;

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
