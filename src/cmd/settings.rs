//! Agent settings files as `hook install`, `uninstall` and `status` see them: how to add or
//! remove our handlers without touching anything else. Each agent's format (where the file is,
//! its events, what our entry looks like) is its [`HookSettings`](crate::agent::HookSettings)
//! in `src/agent/<agent>.rs`.
//!
//! Our handlers are recognised by a command containing `mcpproxy` and ` hook evaluate`.
//! Files are written back in their own layout (indentation, or one compact line), atomically,
//! and through a symbolic link to its target.

pub use crate::agent::codex::codex_home;
pub use crate::agent::home_dir;
use crate::cli::{Agent, Scope};
use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const ALL_AGENTS: &[Agent] = &Agent::ALL;

/// Scopes an agent supports.
pub fn scopes(agent: Agent) -> &'static [Scope] {
    agent.protocol().scopes()
}

/// The settings file for an agent and scope: user scope under `$HOME`, the others under the
/// current directory.
pub fn settings_path(agent: Agent, scope: Scope) -> Result<PathBuf> {
    if !scopes(agent).contains(&scope) {
        bail!("{} has no `{}` scope (use {})", agent.as_str(), scope.as_str(), scope_list(agent));
    }
    let (dir, file) = agent.protocol().settings_file(scope);
    if let (Scope::User, Some(user_dir)) = (scope, agent.protocol().user_dir()) {
        return Ok(user_dir?.join(file));
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

/// Events we register for an agent.
pub fn events(agent: Agent) -> &'static [&'static str] {
    agent.protocol().events()
}

/// The command line we install: `<prefix> hook evaluate`, plus `--agent X` for agents other
/// than Claude Code. The prefix is `--command` when given; for the project scope (a file
/// shared through the repository) `mcpproxy`, found on PATH by whoever runs the agent; else
/// the absolute path of this binary (quoted when needed). Returns the command and warnings.
pub fn our_command(agent: Agent, scope: Scope, custom: Option<&str>) -> Result<(String, Vec<String>)> {
    let mut warnings = Vec::new();
    let prefix = match custom.map(str::trim) {
        Some(c) if !c.contains("mcpproxy") => bail!(
            "--command `{c}` does not name mcpproxy; `hook uninstall` and `hook status` recognise our \
             handlers by it (use a path or a wrapper whose name contains mcpproxy)"
        ),
        Some(c) => c.to_owned(),
        None if scope == Scope::Project => {
            if find_on_path("mcpproxy").is_none() {
                let effect = agent.protocol().unrunnable_effect();
                warnings.push(format!(
                    "`mcpproxy` is not on PATH, but the project settings run `mcpproxy hook evaluate` \
                     from PATH so that they work for everyone who clones the project; {effect}. Put \
                     mcpproxy on PATH (for example in ~/.local/bin) or pass --command"
                ));
            }
            "mcpproxy".to_owned()
        }
        None => {
            let exe = std::env::current_exe().context("finding the path of the running mcpproxy binary")?;
            let exe = exe.canonicalize().unwrap_or(exe);
            shell_quote(exe.to_str().context("the mcpproxy binary path is not valid UTF-8")?)
        }
    };
    // Claude Code is `hook evaluate`'s default agent; every other agent names itself.
    let agent_arg = match agent {
        Agent::ClaudeCode => String::new(),
        other => format!(" --agent {}", other.protocol().name()),
    };
    let command = format!("{prefix} hook evaluate{agent_arg}");
    Ok((command, warnings))
}

/// `word` as one shell word: as is when it needs no quoting, else single-quoted.
fn shell_quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The first executable file called `name` in the directories of PATH.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| is_executable(p))
}

/// A regular file with an execute bit (any regular file off Unix).
pub fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// True for a handler command that runs `mcpproxy hook evaluate`.
pub fn is_ours(command: &str) -> bool {
    command.contains("mcpproxy") && command.contains(" hook evaluate")
}

/// What an installed command runs, as far as a shell would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandParts {
    /// The word right before `hook evaluate`: the mcpproxy binary (a path or a name on PATH).
    pub binary: String,
    /// The program the shell starts, when it is not `binary` itself (`sh` in
    /// `sh wrapper.sh /abs/mcpproxy hook evaluate`, `env` in `env X=1 mcpproxy ...`).
    pub wrapper: Option<String>,
}

/// Split an installed command the way a POSIX shell would (quotes, backslashes, leading
/// `NAME=value` assignments, `;`/`&&`/`||`/`|` lists), and find the mcpproxy binary in the
/// part that runs `hook evaluate`.
pub fn command_parts(command: &str) -> CommandParts {
    let segments = shell_words(command);
    let segment = segments
        .iter()
        .find(|words| words.windows(2).any(|w| w[0] == "hook" && w[1] == "evaluate"))
        .or(segments.first());
    let Some(words) = segment else {
        return CommandParts { binary: command.trim().to_owned(), wrapper: None };
    };
    let first = words.iter().position(|w| !is_assignment(w)).unwrap_or(0);
    let hook_at = words.windows(2).position(|w| w[0] == "hook" && w[1] == "evaluate");
    let binary_at = hook_at.filter(|&i| i > first).map(|i| i - 1).unwrap_or(first);
    let binary = words.get(binary_at).cloned().unwrap_or_default();
    let wrapper = (binary_at != first).then(|| words[first].clone());
    CommandParts { binary, wrapper }
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// Shell words, grouped into the simple commands of a `;`, `&&`, `||`, `|` list.
fn shell_words(command: &str) -> Vec<Vec<String>> {
    let mut segments = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars().peekable();
    let end_word = |word: &mut String, in_word: &mut bool, segments: &mut Vec<Vec<String>>| {
        if *in_word {
            segments.last_mut().expect("one segment").push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            word.push(chars.next().expect("peeked"));
                        }
                        _ => word.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            ';' | '&' | '|' => {
                end_word(&mut word, &mut in_word, &mut segments);
                if matches!(chars.peek(), Some('&' | '|')) {
                    chars.next();
                }
                segments.push(Vec::new());
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut segments),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut segments);
    segments.retain(|s| !s.is_empty());
    segments
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

/// The commands of the handlers in one entry of an event's list (a matcher group, or for
/// Cursor a handler).
fn handler_commands(agent: Agent, group: &Value) -> Vec<String> {
    let cmd = |h: &Value| h.get("command").and_then(Value::as_str).map(str::to_owned);
    if agent.protocol().bare_handlers() {
        cmd(group).into_iter().collect()
    } else {
        group.get("hooks").and_then(Value::as_array).map(|hs| hs.iter().filter_map(cmd).collect()).unwrap_or_default()
    }
}

/// Remove our handlers from one event list; groups we leave empty go too. Returns how many
/// handlers were removed.
fn remove_ours(agent: Agent, list: &mut Vec<Value>) -> usize {
    let mut removed = 0;
    if agent.protocol().bare_handlers() {
        list.retain(|h| {
            let ours = h.get("command").and_then(Value::as_str).is_some_and(is_ours);
            removed += ours as usize;
            !ours
        })
    } else {
        list.retain_mut(|group| {
            let Some(hs) = group.get_mut("hooks").and_then(Value::as_array_mut) else {
                return true;
            };
            let before = hs.len();
            hs.retain(|h| !h.get("command").and_then(Value::as_str).is_some_and(is_ours));
            let gone = before - hs.len();
            removed += gone;
            !(gone > 0 && hs.is_empty())
        })
    }
    removed
}

/// `doc` with our handlers installed for every event of `agent`. Already-correct entries are
/// left alone, so installing twice yields the same value.
pub fn with_install(agent: Agent, mut doc: Value, command: &str, path: &Path) -> Result<Value> {
    for (key, value) in agent.protocol().required_keys() {
        if doc.get(key).is_none() {
            doc.as_object_mut().expect("checked object").insert((*key).into(), json!(value));
        }
    }
    if hooks_of(&mut doc, path)?.is_none() {
        doc.as_object_mut().expect("checked object").insert("hooks".into(), json!({}));
    }
    let hooks = hooks_of(&mut doc, path)?.expect("just inserted");
    for event in events(agent) {
        let entry = agent.protocol().our_entry(event, command);
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
            if !agent.protocol().bare_handlers() {
                matchers.push(g.get("matcher").and_then(Value::as_str).unwrap_or("").to_owned());
            }
        }
        if found && !agent.protocol().bare_handlers() {
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
    agent.protocol().needed_tools()
}

/// Does a matcher select `tool`? Claude Code: `*`, empty or absent = all; names of
/// `[A-Za-z0-9_- ,|]` are an exact list; anything else an unanchored regex. Gemini: a regex.
pub fn matcher_covers(agent: Agent, matcher: &str, tool: &str) -> bool {
    let m = matcher.trim();
    if m.is_empty() || m == "*" {
        return true;
    }
    let plain = m.chars().all(|c| c.is_ascii_alphanumeric() || "_- ,|".contains(c));
    if !agent.protocol().regex_matchers() && plain {
        return m.split([',', '|']).any(|n| n.trim() == tool);
    }
    regex::Regex::new(m).map(|r| r.is_match(tool)).unwrap_or(false)
}

/// How a settings file is laid out, so that it is written back the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// One indentation step (`"  "`, `"    "`, `"\t"`); `None` for JSON on one line.
    indent: Option<String>,
    /// On one line: `{"a": 1, "b": 2}` rather than `{"a":1,"b":2}`.
    spaced: bool,
    trailing_newline: bool,
}

impl Default for Style {
    /// Ours for a new file: two-space pretty JSON and a final newline.
    fn default() -> Style {
        Style { indent: Some("  ".into()), spaced: false, trailing_newline: true }
    }
}

impl Style {
    /// The layout of `text`: one line or indented (by the first indented line), with or
    /// without a final newline. Empty text gets the default.
    pub fn of(text: &str) -> Style {
        let body = text.trim();
        if body.is_empty() {
            return Style::default();
        }
        let trailing_newline = text.ends_with('\n');
        if !body.contains('\n') {
            let spaced = body.find("\":").is_some_and(|i| body[i + 2..].starts_with(' '));
            return Style { indent: None, spaced, trailing_newline };
        }
        let indent = body
            .lines()
            .skip(1)
            .map(|l| &l[..l.len() - l.trim_start().len()])
            .find(|ws| !ws.is_empty())
            .map(|ws| if ws.starts_with('\t') { "\t".to_owned() } else { ws.to_owned() })
            .unwrap_or_else(|| "  ".into());
        Style { indent: Some(indent), spaced: false, trailing_newline }
    }

    /// `doc` in this layout.
    pub fn render(&self, doc: &Value) -> String {
        use serde::Serialize;
        let mut buf = Vec::new();
        let result = match &self.indent {
            Some(indent) => {
                let fmt = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
                doc.serialize(&mut serde_json::Serializer::with_formatter(&mut buf, fmt))
            }
            None if self.spaced => doc.serialize(&mut serde_json::Serializer::with_formatter(&mut buf, Spaced)),
            None => doc.serialize(&mut serde_json::Serializer::new(&mut buf)),
        };
        result.expect("a JSON value serialises");
        let mut text = String::from_utf8(buf).expect("serde_json writes UTF-8");
        if self.trailing_newline {
            text.push('\n');
        }
        text
    }
}

/// One-line JSON with a space after `:` and `,`.
struct Spaced;

impl serde_json::ser::Formatter for Spaced {
    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}

/// The file a write to `path` lands in: `path` itself, or the end of its chain of symbolic
/// links (which may not exist yet).
pub fn resolve_links(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&current) {
                Ok(target) => {
                    current = match current.parent() {
                        Some(dir) if target.is_relative() => dir.join(target),
                        _ => target,
                    };
                }
                Err(_) => break,
            },
            _ => break,
        }
    }
    current
}

/// Write `text` to `path` atomically: a temp file in the same directory, synced, then renamed
/// over it (keeping the old file's permissions). A symbolic link is written through: its
/// target is replaced and the link stays.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let path = &resolve_links(path);
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

/// True when `doc` holds nothing but what `hook install` itself adds to an empty file.
pub fn is_empty_doc(agent: Agent, doc: &Value) -> bool {
    match doc.as_object() {
        Some(m) => {
            let required = agent.protocol().required_keys();
            m.iter().all(|(k, v)| required.iter().any(|(key, value)| k == key && v == &json!(value)))
        }
        None => false,
    }
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
        assert_eq!(once, twice);
        assert_eq!(once["hooks"]["PreToolUse"][1]["hooks"][0]["onFailure"], "block");
        assert!(once["hooks"]["PostToolUse"][0]["hooks"][0].get("onFailure").is_none());
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
        let parts = |c: &str| {
            let p = command_parts(c);
            (p.binary, p.wrapper)
        };
        assert_eq!(parts("/a/mcpproxy hook evaluate --agent codex"), ("/a/mcpproxy".into(), None));
        assert_eq!(parts("'/my dir/mcpproxy' hook evaluate"), ("/my dir/mcpproxy".into(), None));
        assert_eq!(parts("MCPPROXY_HOME=/x RUST_LOG=1 mcpproxy hook evaluate"), ("mcpproxy".into(), None));
        assert_eq!(
            parts("sh wrapper.sh /tmp/d /abs/mcpproxy hook evaluate"),
            ("/abs/mcpproxy".into(), Some("sh".into()))
        );
        assert_eq!(parts("cd /x && \"/b/mcp proxy\" hook evaluate"), ("/b/mcp proxy".into(), None));
        assert_eq!(parts("env A=1 mcpproxy hook evaluate"), ("mcpproxy".into(), Some("env".into())));
    }

    #[test]
    fn styles_round_trip() {
        let doc = json!({"a": [1, 2], "b": {"c": true}});
        for text in [
            "{\"a\":[1,2],\"b\":{\"c\":true}}",
            "{\"a\": [1, 2], \"b\": {\"c\": true}}\n",
            "{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {\n        \"c\": true\n    }\n}\n",
            "{\n\t\"a\": [\n\t\t1,\n\t\t2\n\t],\n\t\"b\": {\n\t\t\"c\": true\n\t}\n}",
        ] {
            assert_eq!(Style::of(text).render(&doc), text);
        }
    }
}
