//! The agents' own trust gates, which skip installed hooks without a word:
//!
//! - Codex runs a hook only when the user's `$CODEX_HOME/config.toml` holds, under
//!   `[hooks.state."<hooks.json path>:<event>:<group>:<handler>"]`, a `trusted_hash` equal to
//!   `sha256:` + the hex SHA-256 of the handler as canonical JSON (sorted keys, no spaces):
//!   `{"event_name","hooks":[{"async","command","timeout","type"}],"matcher"}` (timeout 600 when
//!   absent). Project hooks also need `[projects."<project>"] trust_level = "trusted"`.
//! - Gemini CLI runs project hooks only in a trusted folder: the longest matching rule of
//!   `~/.gemini/trustedFolders.json` (`TRUST_FOLDER`, `TRUST_PARENT` = its parent folder,
//!   `DO_NOT_TRUST`), unless folder trust is off in the user settings or
//!   `GEMINI_CLI_TRUST_WORKSPACE=true`.

use super::settings::{self, home_dir, is_ours};
use crate::cli::Agent;
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use toml_edit::DocumentMut;

/// One of our handlers in a Codex hooks.json, as Codex's trust store names it.
#[derive(Debug, Clone)]
pub struct CodexHook {
    pub event: String,
    /// `<hooks.json path>:<snake_case event>:<group index>:<handler index>`.
    pub key: String,
    /// The hash Codex would compute; `None` when the handler has fields this does not know.
    pub hash: Option<String>,
}

/// `PreToolUse` -> `pre_tool_use`.
fn snake(event: &str) -> String {
    let mut out = String::new();
    for (i, c) in event.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Codex's hash of one handler of a matcher group.
fn handler_hash(event: &str, matcher: Option<&str>, handler: &Value) -> Option<String> {
    let h = handler.as_object()?;
    if h.keys().any(|k| !["type", "command", "timeout", "async"].contains(&k.as_str())) {
        return None;
    }
    // Keys in sorted order; serde_json keeps insertion order here.
    let canonical = json!({
        "event_name": event,
        "hooks": [{
            "async": h.get("async").cloned().unwrap_or(json!(false)),
            "command": h.get("command")?.as_str()?,
            "timeout": h.get("timeout").cloned().unwrap_or(json!(600)),
            "type": h.get("type")?.as_str()?,
        }],
        "matcher": matcher?,
    });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    Some(format!("sha256:{}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// Our handlers in a Codex hooks.json document at `path`.
pub fn codex_hooks(path: &Path, doc: &Value) -> Vec<CodexHook> {
    let mut out = Vec::new();
    for event in settings::events(Agent::Codex) {
        let groups = doc.get("hooks").and_then(|h| h.get(*event)).and_then(Value::as_array);
        for (g, group) in groups.into_iter().flatten().enumerate() {
            let handlers = group.get("hooks").and_then(Value::as_array);
            for (h, handler) in handlers.into_iter().flatten().enumerate() {
                if !handler.get("command").and_then(Value::as_str).is_some_and(is_ours) {
                    continue;
                }
                let ev = snake(event);
                out.push(CodexHook {
                    event: event.to_string(),
                    key: format!("{}:{ev}:{g}:{h}", path.display()),
                    hash: handler_hash(&ev, group.get("matcher").and_then(Value::as_str), handler),
                });
            }
        }
    }
    out
}

pub fn codex_config_path() -> Result<PathBuf> {
    Ok(settings::codex_home()?.join("config.toml"))
}

/// The user's Codex config.toml: `None` when there is none.
pub fn read_codex_config(path: &Path) -> Result<Option<DocumentMut>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let doc = text.parse::<DocumentMut>().with_context(|| format!("{} is not valid TOML", path.display()))?;
    Ok(Some(doc))
}

/// Whether Codex runs one hook, by its trust store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookTrust {
    Trusted,
    /// Trust was given to an earlier version of the hook (another command, timeout or matcher).
    Modified,
    Untrusted,
    /// `enabled = false` in the hook's state.
    Disabled,
    /// The handler has fields whose hashing is not known here.
    Unknown,
}

text_names!(HookTrust {
    Trusted => "trusted",
    Modified => "modified",
    Untrusted => "untrusted",
    Disabled => "disabled",
    Unknown => "unknown",
});

pub fn codex_hook_trust(config: Option<&DocumentMut>, hook: &CodexHook) -> HookTrust {
    let state = config.and_then(|c| c.get("hooks")).and_then(|h| h.get("state")).and_then(|s| s.get(&hook.key));
    if state.and_then(|s| s.get("enabled")).and_then(|e| e.as_bool()) == Some(false) {
        return HookTrust::Disabled;
    }
    let Some(expected) = &hook.hash else {
        return HookTrust::Unknown;
    };
    match state.and_then(|s| s.get("trusted_hash")).and_then(|t| t.as_str()) {
        Some(h) if h == expected => HookTrust::Trusted,
        Some(_) => HookTrust::Modified,
        None => HookTrust::Untrusted,
    }
}

/// The `[hooks.state]` table of a Codex config, created (without headers of its own) if needed.
fn state_table<'a>(doc: &'a mut DocumentMut, path: &Path) -> Result<&'a mut toml_edit::Table> {
    let hooks = doc.entry("hooks").or_insert_with(|| {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        toml_edit::Item::Table(t)
    });
    let Some(hooks) = hooks.as_table_mut() else {
        bail!("{}: `hooks` is not a table; fix it by hand", path.display());
    };
    let state = hooks.entry("state").or_insert_with(|| {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        toml_edit::Item::Table(t)
    });
    match state.as_table_mut() {
        Some(t) => Ok(t),
        None => bail!("{}: `hooks.state` is not a table; fix it by hand", path.display()),
    }
}

/// Trust entries of `hooks_path` whose hash is one of `hashes` but whose key is not in `keep`
/// (a handler of ours that moved or went away) are dropped.
fn drop_stale(state: &mut toml_edit::Table, hooks_path: &Path, hashes: &[&str], keep: &[&str]) -> bool {
    let prefix = format!("{}:", hooks_path.display());
    let stale: Vec<String> = state
        .iter()
        .filter(|(k, v)| {
            k.starts_with(&prefix)
                && !keep.contains(k)
                && v.get("trusted_hash").and_then(|t| t.as_str()).is_some_and(|t| hashes.contains(&t))
        })
        .map(|(k, _)| k.to_owned())
        .collect();
    for k in &stale {
        state.remove(k);
    }
    !stale.is_empty()
}

/// Record trust for `hooks` (all of `hooks_path`'s handlers of ours) in `doc`, the way Codex's
/// hook review does. Returns whether `doc` changed.
pub fn trust_codex_hooks(
    doc: &mut DocumentMut,
    config_path: &Path,
    hooks_path: &Path,
    hooks: &[CodexHook],
) -> Result<bool> {
    let state = state_table(doc, config_path)?;
    let hashes: Vec<&str> = hooks.iter().filter_map(|h| h.hash.as_deref()).collect();
    let keys: Vec<&str> = hooks.iter().map(|h| h.key.as_str()).collect();
    let mut changed = drop_stale(state, hooks_path, &hashes, &keys);
    for hook in hooks {
        let Some(hash) = &hook.hash else { continue };
        let entry = state.entry(&hook.key).or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
        let Some(entry) = entry.as_table_like_mut() else {
            bail!("{}: `hooks.state.\"{}\"` is not a table; fix it by hand", config_path.display(), hook.key);
        };
        if entry.get("trusted_hash").and_then(|t| t.as_str()) != Some(hash.as_str()) {
            entry.insert("trusted_hash", toml_edit::value(hash.as_str()));
            changed = true;
        }
    }
    Ok(changed)
}

/// Remove the trust recorded for `hooks` (handlers being uninstalled). Returns whether `doc`
/// changed.
pub fn untrust_codex_hooks(doc: &mut DocumentMut, hooks_path: &Path, hooks: &[CodexHook]) -> bool {
    let Some(state) = doc.get_mut("hooks").and_then(|h| h.get_mut("state")).and_then(|s| s.as_table_mut()) else {
        return false;
    };
    let hashes: Vec<&str> = hooks.iter().filter_map(|h| h.hash.as_deref()).collect();
    let changed = drop_stale(state, hooks_path, &hashes, &[]);
    if state.is_empty() {
        if let Some(hooks) = doc.get_mut("hooks").and_then(|h| h.as_table_mut()) {
            hooks.remove("state");
            if hooks.is_empty() {
                doc.remove("hooks");
            }
        }
    }
    changed
}

/// The folder Codex trusts for `dir` (it or the repository root above it), if any.
pub fn codex_trusted_project(config: Option<&DocumentMut>, dir: &Path) -> Option<PathBuf> {
    let projects = config?.get("projects")?;
    let root = dir.ancestors().find(|d| d.join(".git").exists());
    [Some(dir), root].into_iter().flatten().find_map(|d| {
        let level = projects.get(d.display().to_string())?.get("trust_level")?.as_str()?;
        (level == "trusted").then(|| d.to_path_buf())
    })
}

/// The manual step that makes Codex trust the project in `dir`.
pub fn codex_project_step(config_path: &Path, dir: &Path) -> String {
    format!(
        "trust the project in Codex: run `codex` there once and choose to trust it (or `codex exec --trust`), \
         or add to {}: [projects.{}] trust_level = \"trusted\"",
        config_path.display(),
        toml_edit::Value::from(dir.display().to_string())
    )
}

/// Gemini CLI's trust in a folder, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderTrust {
    pub trusted: bool,
    pub why: String,
}

pub fn gemini_trusted_folders_path() -> Result<PathBuf> {
    match std::env::var_os("GEMINI_CLI_TRUSTED_FOLDERS_PATH").filter(|p| !p.is_empty()) {
        Some(p) => Ok(PathBuf::from(p)),
        None => Ok(home_dir()?.join(".gemini").join("trustedFolders.json")),
    }
}

fn real(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

pub fn gemini_folder_trust(folder: &Path) -> Result<FolderTrust> {
    if std::env::var("GEMINI_CLI_TRUST_WORKSPACE").is_ok_and(|v| v == "true") {
        return Ok(FolderTrust { trusted: true, why: "GEMINI_CLI_TRUST_WORKSPACE=true".into() });
    }
    let user_settings = home_dir()?.join(".gemini").join("settings.json");
    if let Ok(Some((_, doc))) = settings::read_settings(&user_settings) {
        if doc.pointer("/security/folderTrust/enabled") == Some(&json!(false)) {
            return Ok(FolderTrust {
                trusted: true,
                why: format!("folder trust is off in {}", user_settings.display()),
            });
        }
    }
    let path = gemini_trusted_folders_path()?;
    let rules = match std::fs::read_to_string(&path) {
        Ok(text) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(m)) => m,
            _ => return Ok(FolderTrust { trusted: false, why: format!("{} is not a JSON object", path.display()) }),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Default::default(),
        // Gemini CLI cannot read it either, and then trusts nothing.
        Err(e) => return Ok(FolderTrust { trusted: false, why: format!("cannot read {}: {e}", path.display()) }),
    };
    let location = real(folder);
    let mut best: Option<(usize, &str, &str)> = None;
    for (rule, level) in &rules {
        let Some(level) = level.as_str() else { continue };
        let effective = if level == "TRUST_PARENT" {
            Path::new(rule).parent().unwrap_or(Path::new(rule)).to_path_buf()
        } else {
            PathBuf::from(rule)
        };
        if location.starts_with(real(&effective)) && best.is_none_or(|(len, _, _)| rule.len() > len) {
            best = Some((rule.len(), rule, level));
        }
    }
    Ok(match best {
        Some((_, rule, level @ ("TRUST_FOLDER" | "TRUST_PARENT"))) => {
            FolderTrust { trusted: true, why: format!("{level} for {rule} in {}", path.display()) }
        }
        Some((_, rule, level)) => {
            FolderTrust { trusted: false, why: format!("{level} for {rule} in {}", path.display()) }
        }
        None => FolderTrust { trusted: false, why: format!("no rule for it in {}", path.display()) },
    })
}

/// The manual step that makes Gemini CLI trust `folder`.
pub fn gemini_trust_step(folder: &Path) -> String {
    let path = gemini_trusted_folders_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "~/.gemini/trustedFolders.json".into());
    format!(
        "trust the folder in Gemini CLI: choose \"Trust folder\" when it asks, or add {}: \"TRUST_FOLDER\" to {path}",
        Value::from(folder.display().to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codex_hash_matches_the_documented_canonical_form() {
        let handler = json!({"type": "command", "command": "/x/mcpproxy hook evaluate --agent codex", "timeout": 10});
        let expected = format!(
            "sha256:{:x}",
            Sha256::digest(
                br#"{"event_name":"pre_tool_use","hooks":[{"async":false,"command":"/x/mcpproxy hook evaluate --agent codex","timeout":10,"type":"command"}],"matcher":"*"}"#
            )
        );
        assert_eq!(handler_hash("pre_tool_use", Some("*"), &handler), Some(expected));
        // No timeout hashes as the default 600; unknown fields cannot be hashed.
        let bare = json!({"type": "command", "command": "c"});
        let with_600 = json!({"type": "command", "command": "c", "timeout": 600});
        assert_eq!(
            handler_hash("post_tool_use", Some("*"), &bare),
            handler_hash("post_tool_use", Some("*"), &with_600)
        );
        assert_eq!(
            handler_hash("post_tool_use", Some("*"), &json!({"type": "command", "command": "c", "statusMessage": "x"})),
            None
        );
        assert_eq!(snake("PostToolUse"), "post_tool_use");
    }
}
