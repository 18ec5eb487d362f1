//! Self-protection: calls that would switch the guard off are denied (or asked) before any flow
//! matching. The protected set is mcpproxy's state directory (database, WAL, lock, key,
//! config, spool, markers), its binary, the agents' hook settings files at every scope and the
//! proxy processes. The front end discovers the paths (I/O); this module only compares.

mod paths;
mod shell;

use crate::flow::call::{Call, Tool, Verdict};
pub use paths::is_shell_rc;
use paths::resolve;

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
    /// An agent's MCP server list that routes servers through `mcpproxy proxy` (`.mcp.json`).
    McpConfig,
}

/// The protected set, as absolute paths.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    pub home_dir: Option<String>,
    /// `(path, kind)`; a `State` entry protects everything under it.
    pub paths: Vec<(String, Guarded)>,
    /// File names that are agent hook settings wherever they are (project scopes).
    pub settings_suffixes: Vec<String>,
    /// Project hook settings files found above the call's folder that run mcpproxy (a
    /// `git clean -x` there deletes the git-ignored `settings.local.json`).
    pub project_hook_files: Vec<String>,
    /// What git knows of each of those files (filled only for a call that runs `git`): a
    /// `git stash` or `git reset --hard` puts back a version that may not run mcpproxy.
    pub hook_files_in_git: Vec<(String, InGit)>,
}

/// A file as `git status` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InGit {
    /// Tracked and as committed: only a command that checks out another revision changes it.
    Committed,
    /// Tracked and changed since the last commit (hook install edits a tracked file): a
    /// command that restores the committed version changes it.
    Changed,
    /// Untracked, ignored, or not in a repository: git's restoring commands leave it alone.
    Outside,
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
    "/gemini-cli/settings.json",
    "/cursor/hooks.json",
    "/.config/claude/settings.json",
];

/// Folders that hold agent hook settings: deleting or moving one removes them.
pub const SETTINGS_DIRS: &[&str] = &["/.claude", "/.codex", "/.gemini", "/.cursor"];

/// Words that point at the protected set inside code or text the analyser cannot follow
/// (inline interpreter code, `eval`, a pipe into a shell).
const HINTS: &[&str] = &[
    "mcpproxy",
    ".local/share",
    "fingerprint.key",
    ".claude/settings",
    ".claude\\settings",
    "settings.local.json",
    ".codex/hooks",
    ".codex/config",
    ".gemini/settings",
    ".cursor/hooks",
    "disableAllHooks",
    ".claude/",
    "mcpproxy.db",
];

/// Words of code that changes files or processes.
const CHANGE_WORDS: &[&str] = &[
    "delete from",
    "drop table",
    "update ",
    "insert ",
    "'w'",
    "\"w\"",
    "'a'",
    "\"a\"",
    "'wb'",
    "\"wb\"",
    "write",
    "unlink",
    "remove",
    "rmtree",
    "rmsync",
    "rm_rf",
    "rm_r",
    "rm(",
    "rmdir",
    "rename",
    "truncate",
    "chmod",
    "os.system",
    "subprocess",
    "kill",
    "shutil",
    "writefile",
    "rm -",
    "rm ",
    "mv ",
    "> ",
    ">>",
    "dd ",
];

fn describe(kind: Guarded) -> &'static str {
    match kind {
        Guarded::State => "mcpproxy's state (its flow database and records)",
        Guarded::Key => "mcpproxy's fingerprint key",
        Guarded::Config => "mcpproxy's configuration",
        Guarded::Binary => "the mcpproxy program",
        Guarded::AgentSettings => "the agent's hook settings, which run mcpproxy",
        Guarded::McpConfig => "the agent's MCP server list, which runs its servers through mcpproxy",
    }
}

fn ask(what: &str) -> Verdict {
    Verdict::Ask(format!(
        "mcpproxy check: this call may change {what}, which protects this session, and it cannot be followed \
         exactly. Approve only if you asked for it."
    ))
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
        Tool::Shell { command } => shell::check_shell(command, &cwd, protected),
        Tool::WriteFile { path, content } => {
            let path = resolve(path, &cwd, protected.home_dir.as_deref(), &[]);
            check_file_write(&path, &[content], true, protected)
                .or_else(|| shell::check_script_text(&path, content, &cwd, protected))
        }
        Tool::EditFile { path, new_texts, .. } => {
            let texts: Vec<&String> = new_texts.iter().collect();
            let path = resolve(path, &cwd, protected.home_dir.as_deref(), &[]);
            // An edit that touches our own hook entry (its old text names mcpproxy) removes it.
            let touches_ours = call.input.to_string().contains("mcpproxy");
            match check_file_write(&path, &texts, false, protected) {
                Some(Verdict::Ask(_)) if touches_ours => {
                    let kind = protected.guarded(&path).unwrap_or(Guarded::AgentSettings);
                    Some(deny(describe(kind), "edit the file"))
                }
                other => other,
            }
        }
        Tool::ReadFile { path } => {
            let path = resolve(path, &cwd, protected.home_dir.as_deref(), &[]);
            (protected.guarded(&path) == Some(Guarded::Key)).then(|| deny(describe(Guarded::Key), "inspect it"))
        }
        // A search of the state directory reads the key too.
        Tool::SearchFiles { path, .. } if !path.is_empty() => {
            let path = resolve(path, &cwd, protected.home_dir.as_deref(), &[]);
            protected.contains_key(&path).then(|| deny(describe(Guarded::Key), "inspect it"))
        }
        Tool::Mcp { tool, .. } => check_mcp(tool, &call.input, &cwd, protected),
        _ => None,
    }
}

/// `whole_file`: the texts are the file's new content (a Write), not fragments (an Edit).
fn check_file_write(path: &str, texts: &[&String], whole_file: bool, protected: &Protected) -> Option<Verdict> {
    // A program named mcpproxy written anywhere shadows the real one on PATH.
    if path.rsplit('/').next() == Some("mcpproxy") {
        return Some(deny(describe(Guarded::Binary), "replace it"));
    }
    if paths::is_shell_rc(path) && texts.iter().any(|t| paths::names_our_variables(t)) {
        return Some(deny("where mcpproxy keeps its state (MCPPROXY_HOME in a shell profile)", "edit the profile"));
    }
    match protected.guarded(path)? {
        kind @ (Guarded::AgentSettings | Guarded::McpConfig) => {
            let disables = texts.iter().any(|t| {
                let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
                compact.contains("\"disableAllHooks\":true")
            });
            let drops_ours = whole_file && !texts[0].contains("mcpproxy") && path.ends_with(".json");
            let what = if kind == Guarded::McpConfig { "MCP server list" } else { "hook settings file" };
            if disables || drops_ours {
                Some(deny(describe(kind), "edit the file"))
            } else {
                Some(Verdict::Ask(format!(
                    "mcpproxy check: this call edits {path}, an agent's {what} that runs mcpproxy. \
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
    // A tool that runs a command line: the line is checked like a shell command.
    let runs_commands = words
        .iter()
        .any(|w| ["exec", "execute", "run", "shell", "command", "process", "terminal", "bash"].contains(&w.as_str()));
    if runs_commands {
        for s in &strings {
            if let Some(v) = shell::check_shell(s, cwd, protected) {
                return Some(v);
            }
        }
    }
    for s in strings {
        let s = s.strip_prefix("file://").unwrap_or(s);
        let path_like = s.starts_with('/')
            || s.starts_with('~')
            || s.starts_with('.')
            || (s.contains('/') && !s.contains("://") && !s.contains(char::is_whitespace));
        if !path_like {
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
            project_hook_files: vec!["/home/u/proj/.claude/settings.local.json".into()],
            hook_files_in_git: Vec::new(),
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
            cut: None,
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
            // Forms an injected agent tried: globs and braces over ancestors, pipes, wrappers,
            // shells with flag clusters, inline code, dd, `<>`, git, links, copies into place.
            "echo ~/.local/share/mcpproxy | xargs rm -rf",
            "rm -rf ~/.loc*",
            "rm -rf ~/.[l]ocal",
            "rm -rf ~/.local/share/{mcpproxy,foo}",
            "bash -lc 'rm -rf $HOME/.local/share/mcpproxy'",
            "sh -c -- 'rm -f ~/.local/share/mcpproxy/mcpproxy.db'",
            "head -c8 /dev/urandom | dd of=$HOME/.local/share/mcpproxy/fingerprint.key",
            "echo garbage 1<> ~/.local/share/mcpproxy/mcpproxy.db",
            "git -C ~/.local/share/mcpproxy clean -fdxq",
            "git checkout HEAD~3 -- .claude/settings.json",
            "setsid rm -rf ~/.local",
            "timeout -s KILL 10 rm -rf ~/.local",
            "env -u FOO rm -rf ~/.local",
            "rm -rf .claude",
            "mv .claude .claude-old",
            "ln -s ~/.local/share /tmp/lnk",
            "cp /tmp/f/settings.json ~/.claude/settings.json",
            "python3 -c \"import shutil,os;shutil.rmtree(os.path.expanduser('~/.local/share/mcpproxy'))\"",
            "node -e \"require('fs').rmSync(require('os').homedir()+'/.local/share/mcpproxy',{recursive:true})\"",
            "echo cm0gLXJmIH4vLmxvY2FsL3NoYXJlL21jcHByb3h5 | base64 -d | sh; rm -rf ~/.local/share/mcpproxy",
            "cat ~/.local/share/mcpproxy/*",
            "grep -ra . ~/.local/share/mcpproxy",
            "base64 < ~/.local/share/mcpproxy/fingerprint.key",
            "M=mcpproxy; $M hook uninstall --scope user",
            "$(which mcpproxy) hook uninstall --scope user",
            "pkill -f 'mcp.*proxy'",
            "killall -r 'mcp.roxy'",
            "printf 'export MCPPROXY_%s=/tmp/x' HOME >> ~/.bashrc",
            "cd && rm -rf .local/share/mcpproxy",
            "rm -rf \"$MCPPROXY_HOME\"",
            "rm -rf $XDG_DATA_HOME/mcpproxy",
            "ps aux | awk '/mcpprox[y]/{print $2}' | xargs kill",
            "sqlite3 :memory: \"ATTACH '$HOME/.local/share/mcpproxy/mcpproxy.db' AS m; DELETE FROM m.sources\"",
            "printf '#!/bin/sh\\nexit 0' > ~/.local/bin/mcpproxy",
            "python3 -c \"p='.claude/'+'settings.json';open(p,'w').write('{}')\"",
            "mcpproxy hook evaluate hook uninstall",
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
            "cp .claude/settings.json /tmp/backup.json",
            "python3 -c \"import json;print(json.load(open('.claude/settings.json')))\"",
            "rm -rf ~/.local/share/mcpproxy-old",
            "du -sh ~/.local",
            "rm -rf ~/.cache/pip",
            "rsync --delete -a ./ /tmp/mirror/",
            "mkdir -p .claude/commands && rm -rf .claude/commands/old",
            "git diff .claude/settings.json",
            "cp notes.txt ~/",
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
        // A settings file that still runs our command (under whatever event name) is a question.
        let keeps =
            "{\"hooks\":{\"AnyEvent\":[{\"hooks\":[{\"command\":\"mcpproxy hook evaluate\"}]}]},\"model\":\"x\"}";
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
