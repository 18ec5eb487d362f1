//! Path arguments against the protected set: normalising them (`~`, `$HOME`, variables, `.`,
//! `..`), globs and brace lists, and which protected thing a path is, holds or contains.

use super::{Guarded, Protected, SETTINGS_DIRS};

impl Protected {
    /// Which protected thing `path` (absolute, normalised) is or is inside.
    pub(super) fn guarded(&self, path: &str) -> Option<Guarded> {
        let mut best = None;
        for (p, kind) in &self.paths {
            let inside = path == p || (*kind == Guarded::State && path.starts_with(&format!("{p}/")));
            if inside && (best.is_none() || *kind == Guarded::Key || *kind == Guarded::Config) {
                best = Some(*kind);
            }
        }
        best.or_else(|| {
            // A file named `mcpproxy` in a `bin` folder (`~/.local/bin/mcpproxy`): project hooks
            // run the one on PATH, so planting another there switches the guard off.
            if path
                .rsplit_once('/')
                .is_some_and(|(dir, name)| name == "mcpproxy" && (dir.ends_with("/bin") || dir.contains("/bin/")))
            {
                return Some(Guarded::Binary);
            }
            let settings = self.settings_suffixes.iter().any(|s| path.ends_with(s.as_str()))
                || (path.contains("/.claude/plugins/") && path.ends_with("/hooks.json"));
            settings.then_some(Guarded::AgentSettings)
        })
    }

    /// A protected path lies under `dir` (deleting or moving `dir` takes it along); agents'
    /// settings folders (`.claude`, `.codex`...) count wherever they are.
    pub(super) fn is_ancestor_of_protected(&self, dir: &str) -> bool {
        let dir = dir.trim_end_matches('/');
        let prefix = format!("{dir}/");
        dir.is_empty()
            || self.paths.iter().any(|(p, _)| p.starts_with(&prefix))
            || SETTINGS_DIRS.iter().any(|s| dir.ends_with(s))
    }

    /// The key is `path` or lies under it (a recursive read of the folder reads the key).
    pub(super) fn contains_key(&self, path: &str) -> bool {
        let prefix = format!("{}/", path.trim_end_matches('/'));
        self.paths.iter().any(|(p, k)| *k == Guarded::Key && (p == path || p.starts_with(&prefix)))
    }

    /// What a glob may name: a protected path or something inside one (`Some(kind)`, the key
    /// first), or only an ancestor of one (`Some(None)`).
    pub(super) fn glob_reaches(&self, pattern: &str) -> Option<Option<Guarded>> {
        let re = crate::flow::shell::glob_regex_hiding_dotfiles(pattern)?;
        let mut hit: Option<Option<Guarded>> = self.glob_reaches_settings(&re, pattern);
        for (p, kind) in &self.paths {
            if re.is_match(p) || re.is_match(&format!("{p}/x")) {
                if *kind == Guarded::Key {
                    return Some(Some(Guarded::Key));
                }
                hit = Some(Some(*kind));
            } else if hit.is_none() && ancestors(p).any(|a| re.is_match(a)) {
                hit = Some(None);
            }
        }
        hit
    }
}

impl Protected {
    /// Project hook settings a glob may name wherever they are (`rm .claude/settings*`,
    /// `rm -rf .cl*`): the settings paths below the glob's fixed folder or a few of its parents.
    fn glob_reaches_settings(&self, re: &regex::Regex, pattern: &str) -> Option<Option<Guarded>> {
        let first_glob = pattern.find(['*', '?', '['])?;
        let fixed = pattern[..first_glob].rsplit_once('/').map_or("", |(dir, _)| dir);
        let bases = std::iter::once(fixed).chain(ancestors(fixed)).take(4);
        let mut hit = None;
        for base in bases {
            // Project scopes only (`/.claude/...`); `managed-settings.json` lives in /etc.
            let project =
                self.settings_suffixes.iter().filter(|s| SETTINGS_DIRS.iter().any(|d| s.starts_with(&format!("{d}/"))));
            for suffix in project {
                let candidate = format!("{base}{suffix}");
                if re.is_match(&candidate) {
                    return Some(Some(Guarded::AgentSettings));
                }
                if ancestors(&candidate).take_while(|a| a.len() > base.len()).any(|a| re.is_match(a)) {
                    hit = Some(None);
                }
            }
        }
        hit
    }
}

/// `/a/b/c` -> `/a/b`, `/a` (not `/`).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut cut = path.len();
    std::iter::from_fn(move || {
        let at = path[..cut].rfind('/')?;
        cut = at;
        (at > 0).then(|| &path[..at])
    })
}

/// `a{b,c}d` -> `abd`, `acd` (one level, as shells do for simple lists).
pub(super) fn expand_braces(word: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (word.find('{'), word.find('}')) else { return vec![word.to_owned()] };
    if close < open || !word[open..close].contains(',') {
        return vec![word.to_owned()];
    }
    word[open + 1..close].split(',').map(|alt| format!("{}{alt}{}", &word[..open], &word[close + 1..])).collect()
}

/// Normalise a path argument: expand `~`, `$HOME`, known variables, make it absolute against
/// `cwd` and fold `.`/`..`.
pub fn resolve(arg: &str, cwd: &str, home: Option<&str>, vars: &[(String, String)]) -> String {
    let mut s = crate::flow::shell::substitute(arg.trim_matches(|c| c == '"' || c == '\''), vars);
    // `$(echo X)`, `$(realpath X)`: the word is X.
    for open in ["$(echo ", "$(realpath ", "$(readlink -f "] {
        if let Some(inner) = s.strip_prefix(open).and_then(|r| r.strip_suffix(')')) {
            s = inner.trim().trim_matches(|c| c == '"' || c == '\'').to_owned();
        }
    }
    if let Some(h) = home {
        if s == "~" || s.starts_with("~/") {
            s = format!("{h}{}", &s[1..]);
        }
        for form in ["${HOME}", "$HOME", "${HOME:-/root}", "$(echo ~)", "`echo ~`"] {
            s = s.replace(form, h);
        }
    }
    if !s.starts_with('/') {
        s = format!("{}/{s}", cwd.trim_end_matches('/'));
    }
    // `/proc/self/root/home/u/...` and `/proc/PID/root/...` are the same files.
    if let Some(rest) = s.strip_prefix("/proc/") {
        if let Some((pid, tail)) = rest.split_once("/root") {
            if (pid == "self" || pid == "thread-self" || pid.chars().all(|c| c.is_ascii_digit()))
                && tail.starts_with('/')
            {
                s = tail.to_owned();
            }
        }
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

/// Whether a resolved word still depends on the shell at run time (`$(...)`, backticks, a
/// variable this command does not set, `~user`).
pub(super) fn unresolved(word: &str) -> bool {
    word.contains('$') || word.contains('`') || word.contains("/~") || word.contains("/<unknown>")
}

/// Text names one of mcpproxy's variables (`MCPPROXY_HOME`), also assembled in the shell:
/// `MCP${Z}PROXY_HOME`, `MCP""PROXY_HOME`, `MCP\\PROXY_HOME` (expansions and quotes dropped).
pub(super) fn names_our_variables(text: &str) -> bool {
    static EXPANSIONS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = EXPANSIONS.get_or_init(|| {
        regex::Regex::new(r#"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\([^)]*\)|["'\\]"#).expect("pattern")
    });
    re.replace_all(text, "").to_ascii_uppercase().contains("MCPPROXY")
}

/// Shell start-up files: what they export (`MCPPROXY_HOME=...`) reaches every later command.
pub fn is_shell_rc(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        ".bashrc" | ".bash_profile" | ".profile" | ".zshrc" | ".zshenv" | ".zprofile" | ".bash_login" | "environment"
    ) || path.contains("/.config/fish/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_braces_and_ancestors() {
        let p = Protected {
            home_dir: Some("/h".into()),
            paths: vec![
                ("/h/.local/share/mcpproxy".into(), Guarded::State),
                ("/h/.local/share/mcpproxy/fingerprint.key".into(), Guarded::Key),
            ],
            settings_suffixes: vec!["/.claude/settings.json".into()],
            project_hook_files: Vec::new(),
            hook_files_in_git: Vec::new(),
        };
        assert_eq!(p.glob_reaches("/h/.loc*"), Some(None));
        assert_eq!(p.glob_reaches("/h/.local/share/mcp*"), Some(Some(Guarded::State)));
        assert_eq!(p.glob_reaches("/h/.local/share/mcpproxy/*"), Some(Some(Guarded::Key)));
        assert_eq!(p.glob_reaches("/h/.[l]ocal"), Some(None));
        assert_eq!(p.glob_reaches("/h/src/*.rs"), None);
        assert_eq!(
            expand_braces("/h/.local/share/{mcpproxy,foo}"),
            vec!["/h/.local/share/mcpproxy", "/h/.local/share/foo"]
        );
        assert!(p.is_ancestor_of_protected("/h/.local"));
        assert!(p.is_ancestor_of_protected("/repo/.claude"));
        assert!(!p.is_ancestor_of_protected("/h/.local/share/mcpproxy-old"));
        assert!(p.contains_key("/h/.local/share/mcpproxy"));
        assert_eq!(resolve("${HOME:-/root}/x", "/", Some("/h"), &[]), "/h/x");
    }
}
