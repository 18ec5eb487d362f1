//! Agent settings files as `hook install`, `uninstall` and `status` see them: where each agent
//! keeps its hooks per scope, what our handlers look like there, and how to add or remove them
//! without touching anything else.
//!
//! Formats:
//! - Claude Code and Codex: `hooks.<Event>[] = {matcher, hooks: [{type: "command", command, timeout (s)}]}`;
//! - Gemini CLI: the same nesting under `BeforeTool` / `AfterTool`, regex matchers, timeout in ms;
//! - Cursor: `{"version": 1, "hooks": {"<event>": [{"command"}]}}`.
//!
//! Our handlers are recognised by a command containing `mcpproxy` and ` hook evaluate`.

use crate::agent::{cursor, gemini};
use crate::cli::{Agent, Scope};
use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const ALL_AGENTS: &[Agent] = &[Agent::ClaudeCode, Agent::Codex, Agent::Cursor, Agent::Gemini];

/// Hook timeout written for Claude Code and Codex (seconds) and Gemini CLI (milliseconds).
const TIMEOUT_SECS: u64 = 10;

/// Scopes an agent supports.
pub fn scopes(agent: Agent) -> &'static [Scope] {
    match agent {
        Agent::ClaudeCode => &[Scope::User, Scope::Project, Scope::Local],
        _ => &[Scope::User, Scope::Project],
    }
}

/// The settings file for an agent and scope: user scope under `$HOME`, the others under the
/// current directory.
pub fn settings_path(agent: Agent, scope: Scope) -> Result<PathBuf> {
    let (dir, file) = match agent {
        Agent::ClaudeCode => (".claude", if scope == Scope::Local { "settings.local.json" } else { "settings.json" }),
        Agent::Codex => (".codex", "hooks.json"),
        Agent::Cursor => (".cursor", "hooks.json"),
        Agent::Gemini => (".gemini", "settings.json"),
    };
    if !scopes(agent).contains(&scope) {
        bail!("{} has no `{}` scope (use {})", agent.as_str(), scope.as_str(), scope_list(agent));
    }
    let base = match scope {
        Scope::User => home_dir()?,
        Scope::Project | Scope::Local => std::env::current_dir().context("reading the current directory")?,
    };
    Ok(base.join(dir).join(file))
}

fn scope_list(agent: Agent) -> String {
    scopes(agent).iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or ")
}

fn home_dir() -> Result<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()))
        .context("cannot find the home directory; set HOME")
}

/// Events we register for an agent.
pub fn events(agent: Agent) -> &'static [&'static str] {
    match agent {
        Agent::ClaudeCode => &["PreToolUse", "PostToolUse", "PostToolUseFailure"],
        // Codex sends no failure events (PostToolUse carries failed calls too).
        Agent::Codex => &["PreToolUse", "PostToolUse"],
        Agent::Cursor => cursor::EVENTS,
        Agent::Gemini => gemini::EVENTS,
    }
}

/// The command line we install: the absolute path of this binary (quoted when needed) plus
/// `hook evaluate`, plus `--agent X` for agents other than Claude Code.
pub fn our_command(agent: Agent) -> Result<String> {
    let exe = std::env::current_exe().context("finding the path of the running mcpproxy binary")?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let exe = exe.to_str().context("the mcpproxy binary path is not valid UTF-8")?;
    let exe = if exe.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c)) {
        exe.to_owned()
    } else {
        format!("'{}'", exe.replace('\'', r"'\''"))
    };
    Ok(match agent {
        Agent::ClaudeCode => format!("{exe} hook evaluate"),
        other => format!("{exe} hook evaluate --agent {}", other.as_str()),
    })
}

/// True for a handler command that runs `mcpproxy hook evaluate`.
pub fn is_ours(command: &str) -> bool {
    command.contains("mcpproxy") && command.contains(" hook evaluate")
}

/// The executable of an installed command: the text before ` hook evaluate`, unquoted.
pub fn command_binary(command: &str) -> String {
    let head = command.split(" hook evaluate").next().unwrap_or(command).trim();
    let unquoted = head.strip_prefix('\'').and_then(|h| h.strip_suffix('\''));
    let unquoted = unquoted.or_else(|| head.strip_prefix('"').and_then(|h| h.strip_suffix('"')));
    unquoted.map(|u| u.replace(r"'\''", "'")).unwrap_or_else(|| head.to_owned())
}

/// What our handler entry looks like for an agent: a matcher group, or (Cursor) a bare handler.
fn our_entry(agent: Agent, command: &str) -> Value {
    match agent {
        Agent::ClaudeCode | Agent::Codex => {
            json!({"matcher": "*", "hooks": [{"type": "command", "command": command, "timeout": TIMEOUT_SECS}]})
        }
        Agent::Gemini => {
            json!({"matcher": ".*", "hooks": [{"type": "command", "command": command, "timeout": TIMEOUT_SECS * 1000}]})
        }
        Agent::Cursor => json!({"command": command}),
    }
}

/// A settings file read from disk: `None` when it does not exist.
pub fn read_settings(path: &Path) -> Result<Option<(String, Value)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    if text.trim().is_empty() {
        return Ok(Some((text, json!({}))));
    }
    let value: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON; fix or move it, nothing was written", path.display()))?;
    if !value.is_object() {
        bail!("{} does not hold a JSON object; fix or move it, nothing was written", path.display());
    }
    Ok(Some((text, value)))
}

/// `hooks` of a settings value, checked for shape; `None` when absent.
fn hooks_of<'a>(doc: &'a mut Value, path: &Path) -> Result<Option<&'a mut Map<String, Value>>> {
    match doc.get_mut("hooks") {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => bail!("{}: `hooks` is not an object; fix it by hand, nothing was written", path.display()),
    }
}

/// Handlers inside one event's list: `(group index, handler index or None for Cursor)`.
fn handler_commands(agent: Agent, group: &Value) -> Vec<String> {
    let cmd = |h: &Value| h.get("command").and_then(Value::as_str).map(str::to_owned);
    match agent {
        Agent::Cursor => cmd(group).into_iter().collect(),
        _ => group
            .get("hooks")
            .and_then(Value::as_array)
            .map(|hs| hs.iter().filter_map(cmd).collect())
            .unwrap_or_default(),
    }
}

/// Remove our handlers from one event list; groups we leave empty go too. Returns how many
/// handlers were removed.
fn remove_ours(agent: Agent, list: &mut Vec<Value>) -> usize {
    let mut removed = 0;
    match agent {
        Agent::Cursor => list.retain(|h| {
            let ours = h.get("command").and_then(Value::as_str).is_some_and(is_ours);
            removed += ours as usize;
            !ours
        }),
        _ => list.retain_mut(|group| {
            let Some(hs) = group.get_mut("hooks").and_then(Value::as_array_mut) else {
                return true;
            };
            let before = hs.len();
            hs.retain(|h| !h.get("command").and_then(Value::as_str).is_some_and(is_ours));
            let gone = before - hs.len();
            removed += gone;
            !(gone > 0 && hs.is_empty())
        }),
    }
    removed
}

/// `doc` with our handlers installed for every event of `agent`. Already-correct entries are
/// left alone, so installing twice yields the same value.
pub fn with_install(agent: Agent, mut doc: Value, command: &str, path: &Path) -> Result<Value> {
    let entry = our_entry(agent, command);
    if agent == Agent::Cursor && doc.get("version").is_none() {
        doc.as_object_mut().expect("checked object").insert("version".into(), json!(1));
    }
    if hooks_of(&mut doc, path)?.is_none() {
        doc.as_object_mut().expect("checked object").insert("hooks".into(), json!({}));
    }
    let hooks = hooks_of(&mut doc, path)?.expect("just inserted");
    for event in events(agent) {
        let list = hooks.entry(event.to_string()).or_insert_with(|| json!([]));
        let Value::Array(list) = list else {
            bail!("{}: `hooks.{event}` is not a list; fix it by hand, nothing was written", path.display());
        };
        let ours: usize = list.iter().map(|g| handler_commands(agent, g).iter().filter(|c| is_ours(c)).count()).sum();
        if ours == 1 && list.contains(&entry) {
            continue;
        }
        remove_ours(agent, list);
        list.push(entry.clone());
    }
    Ok(doc)
}

/// `doc` without our handlers; events and the `hooks` object we leave empty are removed.
/// Returns the new value and the number of handlers removed.
pub fn with_uninstall(agent: Agent, mut doc: Value, path: &Path) -> Result<(Value, usize)> {
    let mut removed = 0;
    let Some(hooks) = hooks_of(&mut doc, path)? else {
        return Ok((doc, 0));
    };
    let names: Vec<String> = hooks.keys().cloned().collect();
    for event in names {
        let Some(Value::Array(list)) = hooks.get_mut(&event) else {
            continue;
        };
        let n = remove_ours(agent, list);
        removed += n;
        if n > 0 && list.is_empty() {
            hooks.remove(&event);
        }
    }
    if removed > 0 && hooks.is_empty() {
        doc.as_object_mut().expect("checked object").remove("hooks");
    }
    Ok((doc, removed))
}

/// What is installed for us in one settings value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Installed {
    /// Events holding one of our handlers.
    pub events: Vec<String>,
    /// Events we need that hold none.
    pub missing_events: Vec<String>,
    /// Distinct commands of our handlers.
    pub commands: Vec<String>,
    /// Per event, the matchers of the groups holding our handlers (Claude-style formats only).
    pub matchers: Vec<(String, Vec<String>)>,
}

pub fn inspect(agent: Agent, doc: &Value) -> Installed {
    let mut out = Installed { events: vec![], missing_events: vec![], commands: vec![], matchers: vec![] };
    let hooks = doc.get("hooks").and_then(Value::as_object);
    for event in events(agent) {
        let groups = hooks.and_then(|h| h.get(*event)).and_then(Value::as_array).cloned().unwrap_or_default();
        let mut found = false;
        let mut matchers = Vec::new();
        for g in &groups {
            let ours: Vec<String> = handler_commands(agent, g).into_iter().filter(|c| is_ours(c)).collect();
            if ours.is_empty() {
                continue;
            }
            found = true;
            for c in ours {
                if !out.commands.contains(&c) {
                    out.commands.push(c);
                }
            }
            if agent != Agent::Cursor {
                matchers.push(g.get("matcher").and_then(Value::as_str).unwrap_or("").to_owned());
            }
        }
        if found && agent != Agent::Cursor {
            out.matchers.push((event.to_string(), matchers));
        }
        if found {
            out.events.push(event.to_string());
        } else {
            out.missing_events.push(event.to_string());
        }
    }
    out
}

/// Tool names (as the agent names them) a matcher must cover.
pub fn needed_tools(agent: Agent) -> &'static [&'static str] {
    match agent {
        Agent::Gemini => &[
            "run_shell_command",
            "read_file",
            "web_fetch",
            "google_web_search",
            "write_file",
            "replace",
            "mcp__server__tool",
        ],
        Agent::Cursor => &[],
        _ => &["Bash", "Read", "Grep", "WebFetch", "WebSearch", "Write", "Edit", "mcp__server__tool", "Agent", "Task"],
    }
}

/// Does a matcher select `tool`? Claude Code: `*`, empty or absent = all; names of
/// `[A-Za-z0-9_- ,|]` are an exact list; anything else an unanchored regex. Gemini: a regex.
pub fn matcher_covers(agent: Agent, matcher: &str, tool: &str) -> bool {
    let m = matcher.trim();
    if m.is_empty() || m == "*" {
        return true;
    }
    let plain = m.chars().all(|c| c.is_ascii_alphanumeric() || "_- ,|".contains(c));
    if agent != Agent::Gemini && plain {
        return m.split([',', '|']).any(|n| n.trim() == tool);
    }
    regex::Regex::new(m).map(|r| r.is_match(tool)).unwrap_or(false)
}

/// Serialised the way we write settings: two-space pretty JSON and a final newline.
pub fn to_text(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("JSON value serialises");
    text.push('\n');
    text
}

/// Copy an existing file to `<file>.bak-<unix time>` (with a counter when that exists).
pub fn backup(path: &Path) -> Result<PathBuf> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("settings.json");
    let mut target = path.with_file_name(format!("{name}.bak-{stamp}"));
    let mut n = 1;
    while target.exists() {
        target = path.with_file_name(format!("{name}.bak-{stamp}-{n}"));
        n += 1;
    }
    std::fs::copy(path, &target).with_context(|| format!("backing up {} to {}", path.display(), target.display()))?;
    Ok(target)
}

/// Write `text` to `path` atomically: a temp file in the same directory, synced, then renamed
/// over it (keeping the old file's permissions).
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().context("settings path has no parent directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("settings.json");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(text.as_bytes()).with_context(|| format!("writing {}", tmp.display()))?;
        f.sync_all().with_context(|| format!("syncing {}", tmp.display()))?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())
                .with_context(|| format!("setting permissions on {}", tmp.display()))?;
        }
        std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMD: &str = "/opt/bin/mcpproxy hook evaluate";

    #[test]
    fn install_is_idempotent_and_uninstall_reverses_it() {
        let p = Path::new("/x/settings.json");
        let original = json!({"model": "opus", "hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "lint"}]}]}});
        let once = with_install(Agent::ClaudeCode, original.clone(), CMD, p).unwrap();
        let twice = with_install(Agent::ClaudeCode, once.clone(), CMD, p).unwrap();
        assert_eq!(to_text(&once), to_text(&twice));
        assert_eq!(once["hooks"]["PreToolUse"].as_array().unwrap().len(), 2);
        let (back, n) = with_uninstall(Agent::ClaudeCode, twice, p).unwrap();
        assert_eq!(n, 3);
        assert_eq!(back, original);
    }

    #[test]
    fn a_stale_command_is_replaced_not_duplicated() {
        let p = Path::new("/x/settings.json");
        let old = with_install(Agent::ClaudeCode, json!({}), "/old/mcpproxy hook evaluate", p).unwrap();
        let new = with_install(Agent::ClaudeCode, old, CMD, p).unwrap();
        let i = inspect(Agent::ClaudeCode, &new);
        assert_eq!(i.commands, vec![CMD.to_owned()]);
        assert!(i.missing_events.is_empty());
    }

    #[test]
    fn cursor_entries_are_flat() {
        let p = Path::new("/x/hooks.json");
        let doc = with_install(Agent::Cursor, json!({}), CMD, p).unwrap();
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["hooks"]["beforeShellExecution"][0]["command"], CMD);
        let (back, n) = with_uninstall(Agent::Cursor, doc, p).unwrap();
        assert_eq!((back, n), (json!({"version": 1}), 5));
    }

    #[test]
    fn matchers() {
        assert!(matcher_covers(Agent::ClaudeCode, "*", "Bash"));
        assert!(matcher_covers(Agent::ClaudeCode, "Bash|Read", "Read"));
        assert!(!matcher_covers(Agent::ClaudeCode, "Bash|Read", "WebFetch"));
        assert!(matcher_covers(Agent::ClaudeCode, "mcp__.*", "mcp__server__tool"));
        assert!(!matcher_covers(Agent::ClaudeCode, "mcp__memory", "mcp__memory__x"));
        assert!(matcher_covers(Agent::Gemini, ".*", "read_file"));
    }

    #[test]
    fn binary_of_a_command() {
        assert_eq!(command_binary("/a/mcpproxy hook evaluate --agent codex"), "/a/mcpproxy");
        assert_eq!(command_binary("'/my dir/mcpproxy' hook evaluate"), "/my dir/mcpproxy");
    }
}
