//! `mcpproxy hook install` / `hook uninstall`: add or remove our handlers in an agent's settings
//! file (see `settings` for the formats). Nothing is written when nothing changes; otherwise the
//! old file is backed up into mcpproxy's home (`backups`) and replaced atomically, in its own
//! layout. Invalid JSON (or, for Codex, an invalid config.toml) is refused before anything
//! happens. Codex hooks are marked trusted the way Codex does it (`trust`).

use super::settings::{self, Style};
use super::{backups, trust};
use crate::cli::{Agent, InstallArgs, Scope, SettingsFileArgs};
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What happened to Codex's trust store.
struct TrustChange {
    config: PathBuf,
    changed: bool,
    backup: Option<PathBuf>,
}

/// Apply `edit` to the user's Codex config.toml, and write it (after a backup) when it changed.
/// `parsed` is the document read before anything else was written.
fn update_codex_config(
    config: PathBuf,
    parsed: Option<toml_edit::DocumentMut>,
    edit: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<bool>,
) -> Result<TrustChange> {
    let existed = parsed.is_some();
    let mut doc = parsed.unwrap_or_default();
    let changed = edit(&mut doc)?;
    let mut backup = None;
    if changed {
        if existed {
            backup = Some(backups::backup(&config)?);
        }
        settings::write_atomic(&config, &doc.to_string())?;
    }
    Ok(TrustChange { config, changed, backup })
}

fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().context("reading the current directory")
}

/// Warnings about the agent's own trust gate for hooks installed in `scope`.
fn trust_warnings(agent: Agent, scope: Scope, codex_config: Option<&toml_edit::DocumentMut>) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    if scope != Scope::Project {
        return Ok(warnings);
    }
    let dir = current_dir()?;
    match agent {
        Agent::Codex if trust::codex_trusted_project(codex_config, &dir).is_none() => warnings.push(format!(
            "Codex runs project hooks only in a trusted project, and {} is not trusted in {}, so Codex \
             skips these hooks without a word; {}",
            dir.display(),
            trust::codex_config_path()?.display(),
            trust::codex_project_step(&trust::codex_config_path()?, &dir)
        )),
        Agent::Gemini => {
            let t = trust::gemini_folder_trust(&dir)?;
            if !t.trusted {
                warnings.push(format!(
                    "Gemini CLI runs project hooks only in a trusted folder, and {} is not trusted ({}), \
                     so Gemini skips these hooks without a word; {}",
                    dir.display(),
                    t.why,
                    trust::gemini_trust_step(&dir)
                ));
            }
        }
        _ => {}
    }
    Ok(warnings)
}

/// The first Claude Code release that honours `"onFailure": "block"` (a PreToolUse hook that
/// times out or crashes then blocks the call instead of letting it run).
const CLAUDE_ON_FAILURE_SINCE: (u32, u32, u32) = (2, 1, 330);

/// `2.1.332 (Claude Code)` -> (2, 1, 332).
fn claude_version(text: &str) -> Option<(u32, u32, u32)> {
    let word = text.split_whitespace().next()?;
    let mut parts = word.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// A warning when the `claude` on PATH is older than [`CLAUDE_ON_FAILURE_SINCE`]: its hooks
/// fail open on a timeout whatever we write. Nothing when it cannot be run (not installed here).
fn claude_on_failure_warning() -> Option<String> {
    let out = std::process::Command::new("claude")
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = claude_version(&text)?;
    (version < CLAUDE_ON_FAILURE_SINCE).then(|| {
        let (a, b, c) = CLAUDE_ON_FAILURE_SINCE;
        format!(
            "Claude Code {}.{}.{} ignores \"onFailure\": \"block\": a hook that times out lets the tool run; \
             update Claude Code to {a}.{b}.{c} or later",
            version.0, version.1, version.2
        )
    })
}

pub fn install(install: &InstallArgs) -> Result<ExitCode> {
    let args = &install.file;
    if !args.dry_run {
        super::started_by_agent::refuse_if_agent("mcpproxy hook install")?;
    }
    let path = settings::settings_path(args.agent, args.scope)?;
    let (command, mut warnings) = settings::our_command(args.agent, args.scope, install.command.as_deref())?;
    let existing = settings::read_settings(&path)?;
    let style = existing.as_ref().map(|(text, _)| Style::of(text)).unwrap_or_default();
    let before = existing.as_ref().map(|(_, v)| v.clone()).unwrap_or_else(|| json!({}));
    let after = settings::with_install(args.agent, before.clone(), &command, &path)?;
    let text = style.render(&after);
    if args.dry_run {
        if args.json {
            println!("{}", json!({"action": "dry-run", "path": path, "content": after}));
        } else {
            print!("{text}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    // Read Codex's config.toml before writing anything, so that a broken one refuses the install.
    let codex_config = match args.agent {
        Agent::Codex => {
            let config = trust::codex_config_path()?;
            let parsed = trust::read_codex_config(&config)?;
            Some((config, parsed))
        }
        _ => None,
    };
    warnings.extend(trust_warnings(args.agent, args.scope, codex_config.as_ref().and_then(|(_, d)| d.as_ref()))?);
    if args.agent == Agent::ClaudeCode {
        warnings.extend(claude_on_failure_warning());
    }
    let changed = existing.is_none() || after != before;
    let mut backup = None;
    if changed {
        let created_dirs = backups::missing_dirs(&path);
        if existing.is_some() {
            backup = Some(backups::backup(&path)?);
        }
        settings::write_atomic(&path, &text)?;
        if existing.is_none() {
            backups::record_created(&path, &created_dirs)?;
        }
    }
    let trust = match codex_config {
        Some((config, parsed)) => {
            let hooks = trust::codex_hooks(&path, &after);
            Some(update_codex_config(config.clone(), parsed, |doc| {
                trust::trust_codex_hooks(doc, &config, &path, &hooks)
            })?)
        }
        None => None,
    };
    let notes: Vec<String> = project_root_above(args.scope)
        .map(|root| {
            format!(
                "{} is inside the repository {}; agents read project settings from the directory they \
                 are started in, usually the repository root",
                path.display(),
                root.display()
            )
        })
        .into_iter()
        .collect();
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if args.json {
        let v = json!({
            "action": if changed { "installed" } else { "unchanged" },
            "agent": args.agent.as_str(),
            "scope": args.scope.as_str(),
            "path": path,
            "events": settings::events(args.agent),
            "command": command,
            "backup": backup,
            "created": existing.is_none(),
            "codex_trust": trust.as_ref().map(|t| json!({"config": t.config, "recorded": t.changed, "backup": t.backup})),
            "warnings": warnings,
            "notes": notes,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let trust_line = trust.as_ref().map(|t| match (&t.changed, &t.backup) {
        (true, Some(b)) => format!("marked trusted in {} (backup: {})", t.config.display(), b.display()),
        (true, None) => format!("marked trusted in {}", t.config.display()),
        (false, _) => format!("already trusted in {}", t.config.display()),
    });
    if !changed {
        print!("already installed in {} ({} scope); ", path.display(), args.scope.as_str());
        match (&trust, &trust_line) {
            (Some(t), Some(line)) if t.changed => println!("hooks {line}"),
            _ => println!("nothing changed"),
        }
    } else {
        println!(
            "installed mcpproxy hooks for {} in {} ({} scope)",
            args.agent.as_str(),
            path.display(),
            args.scope.as_str()
        );
        println!("  events:  {}", settings::events(args.agent).join(", "));
        println!("  command: {command}");
        if let Some(b) = &backup {
            println!("  backup:  {}", b.display());
        }
        if let Some(line) = &trust_line {
            println!("  trust:   {line}");
        }
    }
    for n in &notes {
        println!("note: {n}");
    }
    if changed {
        println!("check it with `mcpproxy hook status`");
    }
    Ok(ExitCode::SUCCESS)
}

/// For project and local scopes: the enclosing repository root when the current directory is
/// below it (the settings file then lands in a subdirectory the agent may never read).
fn project_root_above(scope: Scope) -> Option<PathBuf> {
    if scope == Scope::User {
        return None;
    }
    let cwd = std::env::current_dir().ok()?;
    if cwd.join(".git").exists() {
        return None;
    }
    cwd.ancestors().skip(1).find(|d| d.join(".git").exists()).map(PathBuf::from)
}

pub fn uninstall(args: &SettingsFileArgs) -> Result<ExitCode> {
    if !args.dry_run {
        super::started_by_agent::refuse_if_agent("mcpproxy hook uninstall")?;
    }
    let path = settings::settings_path(args.agent, args.scope)?;
    let report = |action: &str, removed: usize, backup: Option<&Path>, deleted: bool, trust: bool| -> Value {
        json!({
            "action": action,
            "agent": args.agent.as_str(),
            "scope": args.scope.as_str(),
            "path": path,
            "removed": removed,
            "backup": backup,
            "deleted_file": deleted,
            "codex_trust_removed": trust,
        })
    };
    let Some((text, before)) = settings::read_settings(&path)? else {
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report("no file", 0, None, false, false))?);
        } else {
            println!("not installed: {} does not exist", path.display());
        }
        return Ok(ExitCode::SUCCESS);
    };
    let style = Style::of(&text);
    let ours_before = if args.agent == Agent::Codex { trust::codex_hooks(&path, &before) } else { Vec::new() };
    let (after, removed) = settings::with_uninstall(args.agent, before, &path)?;
    if args.dry_run {
        print!("{}", style.render(&after));
        return Ok(ExitCode::SUCCESS);
    }
    if removed == 0 {
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report("not installed", 0, None, false, false))?);
        } else {
            println!("not installed in {}; nothing changed", path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let codex_config = match args.agent {
        Agent::Codex => {
            let config = trust::codex_config_path()?;
            trust::read_codex_config(&config)?.map(|doc| (config, doc))
        }
        _ => None,
    };
    let backup = backups::backup(&path)?;
    let deleted = match backups::created(&path)? {
        Some(dirs) if settings::is_empty_doc(args.agent, &after) => {
            backups::remove_created(&path, &dirs)?;
            true
        }
        _ => {
            settings::write_atomic(&path, &style.render(&after))?;
            false
        }
    };
    let trust = match codex_config {
        Some((config, doc)) => {
            update_codex_config(config, Some(doc), |doc| Ok(trust::untrust_codex_hooks(doc, &path, &ours_before)))?
                .changed
        }
        None => false,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report("removed", removed, Some(&backup), deleted, trust))?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("removed {removed} mcpproxy hook handler(s) from {} (backup: {})", path.display(), backup.display());
    if deleted {
        println!("  deleted {}: `hook install` created it and nothing else is left in it", path.display());
    }
    if trust {
        println!("  removed their trust entries from {}", trust::codex_config_path()?.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_versions_are_read_from_its_version_line() {
        assert_eq!(claude_version("2.1.332 (Claude Code)\n"), Some((2, 1, 332)));
        assert_eq!(claude_version("garbage"), None);
        assert!(claude_version("2.1.329 (Claude Code)").unwrap() < CLAUDE_ON_FAILURE_SINCE);
        assert!(claude_version("2.2.0 (Claude Code)").unwrap() > CLAUDE_ON_FAILURE_SINCE);
    }
}
