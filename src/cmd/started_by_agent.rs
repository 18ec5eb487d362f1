//! Whether this process was started by a coding agent: its environment carries an agent's
//! markers, or a process above it is an agent. `mcpproxy allow` refuses then, because a
//! pseudo-terminal (`script -qc`, `pty.spawn`) is all an agent needs to pass the terminal check.
//! Markers seen in the shells of Claude Code 2.1.332, Codex 0.171.0 and Gemini CLI 0.61.0.

/// Environment variables an agent sets for the commands it runs.
const AGENT_VARIABLES: &[(&str, &str)] = &[
    ("CLAUDECODE", "Claude Code"),
    ("CLAUDE_CODE_SESSION_ID", "Claude Code"),
    ("CLAUDE_CODE_ENTRYPOINT", "Claude Code"),
    ("CODEX_THREAD_ID", "Codex"),
    ("CODEX_SESSION_ID", "Codex"),
    ("CODEX_TOOL_CALL_ID", "Codex"),
    ("GEMINI_CLI", "Gemini CLI"),
    ("CURSOR_AGENT", "Cursor"),
    ("AI_AGENT", "a coding agent"),
];

/// Program names (or package paths in a `node` command line) of agents.
const AGENT_PROGRAMS: &[(&str, &str)] = &[
    ("claude", "Claude Code"),
    ("claude.exe", "Claude Code"),
    ("@anthropic-ai/claude-code", "Claude Code"),
    ("codex", "Codex"),
    ("@openai/codex", "Codex"),
    ("gemini", "Gemini CLI"),
    ("@google/gemini-cli", "Gemini CLI"),
    ("cursor-agent", "Cursor"),
];

/// Refuses a command that changes what mcpproxy decides when an agent started it: the user
/// runs it in a terminal of their own. `what` is the command as the user would type it.
pub fn refuse_if_agent(what: &str) -> anyhow::Result<()> {
    match agent_above() {
        Some(agent) => anyhow::bail!(
            "started by {agent}: `{what}` changes what mcpproxy checks, so it is the user's to run, in a \
             terminal of their own outside the agent"
        ),
        None => Ok(()),
    }
}

/// The agent and the evidence, when one started us.
pub fn agent_above() -> Option<String> {
    for (name, agent) in AGENT_VARIABLES {
        if std::env::var_os(name).is_some_and(|v| !v.is_empty()) {
            return Some(format!("{agent} (its variable {name} is set)"));
        }
    }
    let mut pid = parent_of(std::process::id())?;
    for _ in 0..64 {
        if pid <= 1 {
            return None;
        }
        if let Some(agent) = agent_in_command_line(&command_line(pid)) {
            return Some(format!("{agent} (process {pid})"));
        }
        pid = parent_of(pid)?;
    }
    None
}

/// The agent a command line (NUL-separated, as in `/proc/PID/cmdline`) runs, if any: its
/// program, or the script `node` runs.
fn agent_in_command_line(cmdline: &[u8]) -> Option<&'static str> {
    let words: Vec<&[u8]> = cmdline.split(|b| *b == 0).filter(|w| !w.is_empty()).take(2).collect();
    words.iter().find_map(|w| {
        let word = String::from_utf8_lossy(w);
        let name = word.rsplit('/').next().unwrap_or(&word).to_owned();
        AGENT_PROGRAMS.iter().find(|(p, _)| *p == name || (p.starts_with('@') && word.contains(p))).map(|(_, a)| *a)
    })
}

fn command_line(pid: u32) -> Vec<u8> {
    std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default()
}

/// The parent's pid from `/proc/PID/stat` (the field after the parenthesised name).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_are_known_by_program_or_package() {
        assert_eq!(agent_in_command_line(b"/home/u/.local/bin/claude\0-p\0x"), Some("Claude Code"));
        assert_eq!(
            agent_in_command_line(b"node\0/usr/lib/node_modules/@google/gemini-cli/dist/index.js\0"),
            Some("Gemini CLI")
        );
        assert_eq!(agent_in_command_line(b"/opt/codex\0exec\0"), Some("Codex"));
        assert_eq!(agent_in_command_line(b"-bash\0"), None);
        assert_eq!(agent_in_command_line(b"sshd: dev@pts/0\0"), None);
        assert_eq!(agent_in_command_line(b"vim\0claude-notes.md\0"), None);
    }

    #[test]
    fn the_parent_of_this_process_is_read() {
        assert!(parent_of(std::process::id()).is_some_and(|p| p > 0));
    }
}
