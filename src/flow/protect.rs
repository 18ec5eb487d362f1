//! Self-protection: calls that would switch the guard off are denied (or asked) before any flow
//! matching. The protected set is mcpproxy's state directory (database, WAL, lock, key,
//! config, spool, markers), its binary, the agents' hook settings files at every scope and the
//! proxy processes. The front end discovers the paths (I/O); this module only compares.

use crate::flow::call::{Call, Tool, Verdict};
use crate::flow::shell;

/// What a protected path is, for the reason text and for what may be done with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guarded {
    /// The state directory and everything in it.
    State,
    /// The fingerprint key: not even to be read.
    Key,
    /// The config file (may live outside the state directory).
    Config,
    /// The mcpproxy binary.
    Binary,
    /// An agent's hook settings (`.claude/settings.json`, `.codex/hooks.json`, ...).
    AgentSettings,
}

/// The protected set, as absolute paths.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    pub home_dir: Option<String>,
    /// `(path, kind)`; a `State` entry protects everything under it.
    pub paths: Vec<(String, Guarded)>,
    /// File names that are agent hook settings wherever they are (project scopes).
    pub settings_suffixes: Vec<String>,
}

/// Path suffixes of agent hook settings at project scope (user scope is the same under $HOME).
pub const SETTINGS_SUFFIXES: &[&str] = &[
    "/.claude/settings.json",
    "/.claude/settings.local.json",
    "/.codex/hooks.json",
    "/.codex/config.toml",
    "/.gemini/settings.json",
    "/.cursor/hooks.json",
    "/.claude.json",
    "/managed-settings.json",
];

/// Programs that only read the files they are given.
const READ_ONLY_PROGRAMS: &[&str] = &[
    "cat",
    "head",
    "tail",
    "less",
    "more",
    "ls",
    "stat",
    "file",
    "wc",
    "du",
    "grep",
    "egrep",
    "rg",
    "jq",
    "diff",
    "test",
    "[",
    "realpath",
    "readlink",
    "basename",
    "dirname",
    "echo",
    "printf",
    "md5sum",
    "sha256sum",
    "tree",
    "bat",
    "cd",
    "pwd",
    "which",
    "type",
    "df",
    "git",
];

/// Programs that delete, move or change what they are given (an ancestor directory counts).
const DESTRUCTIVE_PROGRAMS: &[&str] =
    &["rm", "rmdir", "mv", "chmod", "chown", "chgrp", "chattr", "truncate", "shred", "unlink", "srm", "wipe"];

/// Whether `prog` with `args` deletes or changes what it walks (an ancestor directory counts).
fn is_destructive(prog: &str, args: &[String]) -> bool {
    let has = |flags: &[&str]| args.iter().any(|a| flags.iter().any(|f| a == f || a.starts_with(&format!("{f}="))));
    match prog {
        "find" => has(&["-delete", "-exec", "-execdir", "-ok"]),
        "rsync" => has(&["--delete", "--remove-source-files"]),
        "tar" => has(&["--remove-files"]),
        "git" => args.first().is_some_and(|a| a == "rm" || a == "clean"),
        _ => DESTRUCTIVE_PROGRAMS.contains(&prog),
    }
}

/// `mcpproxy` subcommands an agent may run (they only report).
const READ_ONLY_SUBCOMMANDS: &[&[&str]] = &[
    &["--version"],
    &["-V"],
    &["--help"],
    &["-h"],
    &["help"],
    &["hook", "status"],
    &["hook", "evaluate"],
    &["activity"],
    &["sessions"],
    &["scan"],
    &["config", "show"],
    &["config", "path"],
    &["config", "check"],
    &["doctor"],
    &["allow", "list"],
    &["proxy"],
];

/// Wrappers whose operands are another command line.
const WRAPPERS: &[&str] = &["sudo", "env", "nohup", "command", "exec", "nice", "time", "doas", "xargs", "timeout"];

impl Protected {
    /// Which protected thing `path` (absolute, normalised) is or is inside.
    fn guarded(&self, path: &str) -> Option<Guarded> {
        let mut best = None;
        for (p, kind) in &self.paths {
            let inside = path == p || (*kind == Guarded::State && path.starts_with(&format!("{p}/")));
            if inside && (best.is_none() || *kind == Guarded::Key || *kind == Guarded::Config) {
                best = Some(*kind);
            }
        }
        best.or_else(|| {
            self.settings_suffixes.iter().any(|s| path.ends_with(s.as_str())).then_some(Guarded::AgentSettings)
        })
    }

    /// A protected path lies under `dir` (deleting or moving `dir` takes it along).
    fn is_ancestor_of_protected(&self, dir: &str) -> bool {
        let dir = dir.trim_end_matches('/');
        let prefix = format!("{dir}/");
        self.paths.iter().any(|(p, kind)| *kind != Guarded::Binary && (dir.is_empty() || p.starts_with(&prefix)))
    }

    fn matches_glob(&self, pattern: &str) -> Option<Guarded> {
        let re = glob_regex(pattern)?;
        self.paths.iter().find_map(|(p, kind)| {
            let mut candidates = vec![p.clone()];
            // `mcp*/*`: a file inside a protected directory.
            candidates.push(format!("{p}/x"));
            candidates.iter().any(|c| re.is_match(c)).then_some(*kind)
        })
    }
}

fn glob_regex(pattern: &str) -> Option<regex::Regex> {
    if !pattern.contains(['*', '?', '[']) {
        return None;
    }
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' | ']' => re.push(c),
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

/// Normalise a path argument: expand `~`, `$HOME`, known variables, make it absolute against
/// `cwd` and fold `.`/`..`.
fn resolve(arg: &str, cwd: &str, home: Option<&str>, vars: &[(String, String)]) -> String {
    let mut s = arg.trim_matches(|c| c == '"' || c == '\'').to_owned();
    // Without a `$` no replacement below can change anything (and a word of a long heredoc
    // would pay one search per known variable).
    for (name, value) in vars.iter().rev() {
        if !s.contains('$') {
            break;
        }
        s = s.replace(&format!("${{{name}}}"), value).replace(&format!("${name}"), value);
    }
    if let Some(h) = home {
        if s == "~" || s.starts_with("~/") {
            s = format!("{h}{}", &s[1..]);
        }
        if s.contains('$') {
            s = s.replace("${HOME}", h).replace("$HOME", h);
        }
    }
    if !s.starts_with('/') {
        s = format!("{}/{s}", cwd.trim_end_matches('/'));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in s.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

fn describe(kind: Guarded) -> &'static str {
    match kind {
        Guarded::State => "mcpproxy's state (its flow database and records)",
        Guarded::Key => "mcpproxy's fingerprint key",
        Guarded::Config => "mcpproxy's configuration",
        Guarded::Binary => "the mcpproxy program",
        Guarded::AgentSettings => "the agent's hook settings, which run mcpproxy",
    }
}

fn deny(what: &str, how: &str) -> Verdict {
    Verdict::Deny(format!(
        "mcpproxy blocked: this call would change {what}, which protects this session. \
         The agent may not do this; if the user wants it, they can {how} themselves in a terminal."
    ))
}

/// Check a call against the protected set: `Some` verdict when it would tamper with the guard.
pub fn check(call: &Call, protected: &Protected) -> Option<Verdict> {
    let cwd = call.cwd.clone().unwrap_or_else(|| "/".to_owned());
    match &call.tool {
        Tool::Shell { command } => check_shell(command, &cwd, protected),
        Tool::WriteFile { path, content } => {
            check_file_write(&resolve(path, &cwd, protected.home_dir.as_deref(), &[]), &[content], true, protected)
        }
        Tool::EditFile { path, new_texts } => {
            let texts: Vec<&String> = new_texts.iter().collect();
            let path = resolve(path, &cwd, protected.home_dir.as_deref(), &[]);
            // An edit that touches our own hook entry (its old text names mcpproxy) removes it.
            let touches_ours = call.input.to_string().contains("mcpproxy");
            match check_file_write(&path, &texts, false, protected) {
                Some(Verdict::Ask(_)) if touches_ours => Some(deny(describe(Guarded::AgentSettings), "edit the file")),
                other => other,
            }
        }
        Tool::ReadFile { path } => {
            let path = resolve(path, &cwd, protected.home_dir.as_deref(), &[]);
            (protected.guarded(&path) == Some(Guarded::Key)).then(|| deny(describe(Guarded::Key), "inspect it"))
        }
        Tool::Mcp { tool, .. } => check_mcp(tool, &call.input, &cwd, protected),
        _ => None,
    }
}

/// `whole_file`: the texts are the file's new content (a Write), not fragments (an Edit).
fn check_file_write(path: &str, texts: &[&String], whole_file: bool, protected: &Protected) -> Option<Verdict> {
    match protected.guarded(path)? {
        Guarded::AgentSettings => {
            let disables = texts.iter().any(|t| {
                let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
                compact.contains("\"disableAllHooks\":true")
            });
            let drops_ours = whole_file && !texts[0].contains("mcpproxy") && path.ends_with(".json");
            if disables || drops_ours {
                Some(deny(describe(Guarded::AgentSettings), "edit the file"))
            } else {
                Some(Verdict::Ask(format!(
                    "mcpproxy check: this call edits {path}, an agent's hook settings file that runs mcpproxy. \
                     Approve only if you asked for this change."
                )))
            }
        }
        kind => Some(deny(describe(kind), "edit it")),
    }
}

fn check_mcp(tool: &str, input: &serde_json::Value, cwd: &str, protected: &Protected) -> Option<Verdict> {
    let words = crate::flow::classify::name_words(tool);
    let reads = words.first().is_some_and(|w| {
        ["read", "get", "list", "search", "view", "stat", "info", "directory", "tree"].contains(&w.as_str())
    });
    let mut strings = Vec::new();
    collect_strings(input, &mut strings);
    for s in strings {
        if !(s.starts_with('/') || s.starts_with('~') || s.contains("/.")) {
            continue;
        }
        let path = resolve(s, cwd, protected.home_dir.as_deref(), &[]);
        let kind = protected.guarded(&path);
        match kind {
            Some(Guarded::Key) => return Some(deny(describe(Guarded::Key), "inspect it")),
            Some(k) if !reads => return Some(deny(describe(k), "change it")),
            None if !reads
                && protected.is_ancestor_of_protected(&path)
                && words.iter().any(|w| ["move", "delete", "remove", "rename"].contains(&w.as_str())) =>
            {
                return Some(deny(describe(Guarded::State), "change it"))
            }
            _ => {}
        }
    }
    None
}

fn collect_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// A program's name and its index in the argv.
type ProgramAt = Option<(String, usize)>;

/// The program of an argv, past variable assignments and wrappers; with the assignments.
fn program_of(argv: &[String]) -> (ProgramAt, Vec<(String, String)>) {
    let mut assigns = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        if let Some((name, value)) = a.split_once('=').filter(|(n, _)| is_var_name(n)) {
            assigns.push((name.to_owned(), value.to_owned()));
            i += 1;
            continue;
        }
        let prog = a.rsplit('/').next().unwrap_or(a);
        if WRAPPERS.contains(&prog) {
            i += 1;
            // Options and a duration of the wrapper itself.
            while i < argv.len()
                && (argv[i].starts_with('-') || argv[i].chars().all(|c| c.is_ascii_digit() || c == '.' || c == 's'))
            {
                i += 1;
            }
            continue;
        }
        return (Some((prog.to_owned(), i)), assigns);
    }
    (None, assigns)
}

fn is_var_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !n.starts_with(|c: char| c.is_ascii_digit())
}

fn check_shell(command: &str, cwd: &str, protected: &Protected) -> Option<Verdict> {
    let home = protected.home_dir.as_deref();
    let mut cwd = cwd.to_owned();
    // Assignments anywhere in the line (the parser drops them from the argv lists).
    let mut vars: Vec<(String, String)> = Vec::new();
    for (name, value) in assignments(command) {
        if name == "MCPPROXY_HOME" {
            return Some(deny("where mcpproxy keeps its state (MCPPROXY_HOME)", "set it"));
        }
        let value = resolve(&value, &cwd, home, &vars);
        vars.push((name, value));
    }
    for argv in shell::simple_commands(command) {
        let (program, assigns) = program_of(&argv);
        for (name, value) in assigns {
            if name == "MCPPROXY_HOME" {
                return Some(deny("where mcpproxy keeps its state (MCPPROXY_HOME)", "set it"));
            }
            vars.push((name, resolve(&value, &cwd, home, &vars)));
        }
        let Some((prog, at)) = program else { continue };
        let args = &argv[at + 1..];
        if prog == "export" || prog == "declare" || prog == "typeset" {
            for a in args {
                if let Some((name, value)) = a.split_once('=') {
                    if name == "MCPPROXY_HOME" {
                        return Some(deny("where mcpproxy keeps its state (MCPPROXY_HOME)", "set it"));
                    }
                    vars.push((name.to_owned(), resolve(value, &cwd, home, &vars)));
                }
            }
            continue;
        }
        if prog == "cd" {
            if let Some(dir) = args.first() {
                cwd = resolve(dir, &cwd, home, &vars);
            }
            continue;
        }
        let inline_shell = matches!(prog.as_str(), "sh" | "bash" | "zsh" | "dash" | "ksh");
        if let (true, Some(pos)) = (inline_shell, args.iter().position(|a| a == "-c")) {
            if let Some(v) = args.get(pos + 1).and_then(|inner| check_shell(inner, &cwd, protected)) {
                return Some(v);
            }
        }
        if let Some(v) = check_program(&prog, args, &cwd, protected, &vars) {
            return Some(v);
        }
    }
    check_redirections(command, &cwd, protected, &vars)
}

fn check_program(
    prog: &str,
    args: &[String],
    cwd: &str,
    protected: &Protected,
    vars: &[(String, String)],
) -> Option<Verdict> {
    let home = protected.home_dir.as_deref();
    if prog == "mcpproxy" {
        let allowed = READ_ONLY_SUBCOMMANDS
            .iter()
            .any(|sub| args.len() >= sub.len() && sub.iter().zip(args).all(|(a, b)| a == b));
        if !allowed && !args.is_empty() {
            let shown = args.iter().take(3).cloned().collect::<Vec<_>>().join(" ");
            return Some(deny(&format!("mcpproxy itself (`mcpproxy {shown}`)"), &format!("run `mcpproxy {shown}`")));
        }
    }
    if matches!(prog, "kill" | "pkill" | "killall" | "skill") {
        let targets_us = args.iter().any(|a| {
            let a = a.trim_start_matches('-');
            a.contains("mcpproxy") || (a.len() >= 3 && !a.chars().all(|c| c.is_ascii_digit()) && "mcpproxy".contains(a))
        });
        if targets_us {
            return Some(deny("the mcpproxy processes that check this session's calls", "stop them"));
        }
    }
    let read_only = READ_ONLY_PROGRAMS.contains(&prog) && !is_destructive(prog, args);
    let destructive = is_destructive(prog, args);
    for arg in args {
        if arg.starts_with('-') && !arg.contains('/') {
            continue;
        }
        let value = arg.split_once('=').map(|(_, v)| v).filter(|_| arg.starts_with('-')).unwrap_or(arg);
        let path = resolve(value, cwd, home, vars);
        let kind = protected.guarded(&path).or_else(|| protected.matches_glob(&path));
        match kind {
            Some(Guarded::Key) => return Some(deny(describe(Guarded::Key), "inspect it")),
            Some(k) if !read_only => return Some(deny(describe(k), &format!("run `{prog}` on it"))),
            _ => {}
        }
        if destructive && looks_like_path(value) && protected.is_ancestor_of_protected(&path) {
            return Some(deny(describe(Guarded::State), &format!("run `{prog}` on {value}")));
        }
        // Inline code that names a protected path (`python3 -c "os.remove('...db')"`).
        if !read_only {
            let named = |p: &str| arg.contains(p) || home.is_some_and(|h| arg.contains(&p.replacen(h, "~", 1)));
            let inline = protected.paths.iter().find(|(p, k)| *k != Guarded::Binary && p.len() > 1 && named(p));
            if let Some((_, kind)) = inline {
                return Some(deny(describe(*kind), &format!("run `{prog}`")));
            }
            let settings = protected.settings_suffixes.iter().any(|s| arg.contains(s.trim_start_matches('/')));
            if settings && arg.contains(['(', ';', '\n']) {
                return Some(deny(describe(Guarded::AgentSettings), &format!("run `{prog}`")));
            }
        }
    }
    None
}

fn looks_like_path(s: &str) -> bool {
    s.starts_with('/') || s.starts_with('~') || s.starts_with('.') || s.starts_with('$') || s.contains('/')
}

/// `NAME=value` assignments in a command line, in order.
fn assignments(command: &str) -> Vec<(String, String)> {
    static PATTERN: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex::bytes::Regex::new(r#"(?-u)(?:^|[;&|\s(])([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|)]*)"#)
            .expect("assignment pattern")
    });
    re.captures_iter(command.as_bytes())
        .map(|c| {
            let value = String::from_utf8_lossy(&c[2]).trim_matches(|q| q == '"' || q == '\'').to_owned();
            (String::from_utf8_lossy(&c[1]).into_owned(), value)
        })
        .collect()
}

/// Redirection targets (`> file`, `>> file`, `&> file`) in the raw command.
fn check_redirections(command: &str, cwd: &str, protected: &Protected, vars: &[(String, String)]) -> Option<Verdict> {
    static PATTERN: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex::bytes::Regex::new(r#"(?-u)(?:^|[^0-9<])[0-9&]?>{1,2}\|?\s*("[^"]+"|'[^']+'|[^\s;&|()<>]+)"#)
            .expect("redirect pattern")
    });
    for cap in re.captures_iter(command.as_bytes()) {
        let target = String::from_utf8_lossy(&cap[1]);
        let path = resolve(&target, cwd, protected.home_dir.as_deref(), vars);
        if let Some(kind) = protected.guarded(&path).or_else(|| protected.matches_glob(&path)) {
            return Some(deny(describe(kind), "edit it"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::call::Phase;
    use serde_json::json;

    fn protected() -> Protected {
        Protected {
            home_dir: Some("/home/u".into()),
            paths: vec![
                ("/home/u/.local/share/mcpproxy".into(), Guarded::State),
                ("/home/u/.local/share/mcpproxy/fingerprint.key".into(), Guarded::Key),
                ("/home/u/.config/mcpproxy/config.json".into(), Guarded::Config),
                ("/usr/local/bin/mcpproxy".into(), Guarded::Binary),
                ("/home/u/.claude/settings.json".into(), Guarded::AgentSettings),
            ],
            settings_suffixes: SETTINGS_SUFFIXES.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn call(tool: Tool) -> Call {
        Call {
            phase: Phase::Before,
            session_id: "s".into(),
            tool,
            label: "t".into(),
            input: json!({}),
            response: None,
            error: None,
            cwd: Some("/home/u/proj".into()),
            annotations: None,
        }
    }

    fn shell(cmd: &str) -> Option<Verdict> {
        check(&call(Tool::Shell { command: cmd.into() }), &protected())
    }

    #[test]
    fn tampering_commands_are_denied() {
        for cmd in [
            "rm -f ~/.local/share/mcpproxy/mcpproxy.db",
            "rm -rf ~/.local/share/mcp*",
            "rm -rf ~/.local",
            "mv $HOME/.local/share/mcpproxy /tmp/x",
            "truncate -s 0 /home/u/.local/share/mcpproxy/mcpproxy.db",
            "sqlite3 ~/.local/share/mcpproxy/mcpproxy.db 'DELETE FROM secrets'",
            "echo '{}' > ~/.config/mcpproxy/config.json",
            "cd ~/.local/share/mcpproxy && rm *.db",
            "D=~/.local/share/mcpproxy; rm -rf $D",
            "chmod 000 ~/.local/share/mcpproxy",
            "flock ~/.local/share/mcpproxy/mcpproxy.db.lock sleep 3600 &",
            "mcpproxy hook uninstall --scope user",
            "/usr/local/bin/mcpproxy hook install --agent codex --scope user",
            "pkill mcpproxy",
            "killall -9 mcpproxy",
            "export MCPPROXY_HOME=/tmp/empty",
            "MCPPROXY_HOME=/tmp/x mcpproxy hook status",
            "python3 -c \"import os; os.remove('/home/u/.local/share/mcpproxy/mcpproxy.db')\"",
            "cat ~/.local/share/mcpproxy/fingerprint.key",
            "sed -i 's/mcpproxy/true/' ~/.claude/settings.json",
            "echo '{\"disableAllHooks\": true}' > .claude/settings.local.json",
            "find ~ -name '*.db' -delete",
            "python3 -c \"open('.claude/settings.json','w').write('{}')\"",
            "git rm -r --cached ~/.local/share/mcpproxy",
            "cp /tmp/evil /usr/local/bin/mcpproxy",
            "sudo rm -rf /home/u/.local/share/mcpproxy",
        ] {
            assert!(matches!(shell(cmd), Some(Verdict::Deny(_))), "{cmd}: {:?}", shell(cmd));
        }
    }

    #[test]
    fn normal_commands_are_untouched() {
        for cmd in [
            "rm -rf node_modules target",
            "mcpproxy hook status",
            "mcpproxy activity list",
            "cat ~/.local/share/mcpproxy/config.json",
            "ls -la ~/.local/share/mcpproxy",
            "cat .claude/settings.json",
            "git push origin main",
            "mkdir -p ~/.local/share/other && rm -rf ~/.local/share/other/cache",
            "kill %1",
            "pkill -f webpack",
            "echo hi > out.txt",
            "cargo build --release",
            "find ~ -name '*.rs'",
            "git add .claude/settings.json && git commit -m 'share hooks'",
            "tar czf backup.tgz ~/projects",
        ] {
            assert_eq!(shell(cmd), None, "{cmd}");
        }
    }

    #[test]
    fn writes_of_protected_files() {
        let p = protected();
        let w = |path: &str, content: &str| {
            check(&call(Tool::WriteFile { path: path.into(), content: content.into() }), &p)
        };
        assert!(matches!(w("/home/u/.config/mcpproxy/config.json", "{\"policy\":{}}"), Some(Verdict::Deny(_))));
        assert!(matches!(w("/home/u/.claude/settings.json", "{\"disableAllHooks\": true}"), Some(Verdict::Deny(_))));
        assert!(matches!(w(".claude/settings.local.json", "{\"permissions\": {}}"), Some(Verdict::Deny(_))));
        let keeps =
            "{\"hooks\":{\"PreToolUse\":[{\"hooks\":[{\"command\":\"mcpproxy hook evaluate\"}]}]},\"model\":\"x\"}";
        assert!(matches!(w("/home/u/.claude/settings.json", keeps), Some(Verdict::Ask(_))));
        assert_eq!(w("/home/u/proj/src/main.rs", "fn main() {}"), None);
        let read = |path: &str| check(&call(Tool::ReadFile { path: path.into() }), &p);
        assert!(matches!(read("/home/u/.local/share/mcpproxy/fingerprint.key"), Some(Verdict::Deny(_))));
        assert_eq!(read("/home/u/.local/share/mcpproxy/mcpproxy.db"), None);
    }

    #[test]
    fn mcp_filesystem_tools() {
        let p = protected();
        let mut c = call(Tool::Mcp { server: "fs".into(), tool: "write_file".into() });
        c.input = json!({"path": "/home/u/.config/mcpproxy/config.json", "content": "{}"});
        assert!(matches!(check(&c, &p), Some(Verdict::Deny(_))));
        let mut c = call(Tool::Mcp { server: "fs".into(), tool: "read_text_file".into() });
        c.input = json!({"path": "/home/u/.local/share/mcpproxy/mcpproxy.db"});
        assert_eq!(check(&c, &p), None);
    }
}
