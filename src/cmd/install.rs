//! `mcpproxy hook install` / `hook uninstall`: add or remove our handlers in an agent's settings
//! file (see `settings` for the formats). Nothing is written when nothing changes; otherwise the
//! old file is backed up and replaced atomically. Invalid JSON is refused before anything happens.

use super::settings;
use crate::cli::{InstallArgs, Scope};
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn install(args: &InstallArgs) -> Result<ExitCode> {
    let path = settings::settings_path(args.agent, args.scope)?;
    let command = settings::our_command(args.agent)?;
    let existing = settings::read_settings(&path)?;
    let before = existing.as_ref().map(|(_, v)| v.clone()).unwrap_or_else(|| serde_json::json!({}));
    let after = settings::with_install(args.agent, before.clone(), &command, &path)?;
    let text = settings::to_text(&after);
    if args.dry_run {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if existing.is_some() && after == before {
        println!("already installed in {} ({} scope); nothing changed", path.display(), args.scope.as_str());
        return Ok(ExitCode::SUCCESS);
    }
    let backup = match &existing {
        Some(_) => Some(settings::backup(&path)?),
        None => None,
    };
    settings::write_atomic(&path, &text)?;
    println!(
        "installed mcpproxy hooks for {} in {} ({} scope)",
        args.agent.as_str(),
        path.display(),
        args.scope.as_str()
    );
    println!("  events:  {}", settings::events(args.agent).join(", "));
    println!("  command: {command}");
    if let Some(b) = backup {
        println!("  backup:  {}", b.display());
    }
    if let Some(root) = project_root_above(args.scope) {
        println!(
            "note: {} is inside the repository {}; agents read project settings from the \
             directory they are started in, usually the repository root",
            path.display(),
            root.display()
        );
    }
    println!("check it with `mcpproxy hook status`");
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

pub fn uninstall(args: &InstallArgs) -> Result<ExitCode> {
    let path = settings::settings_path(args.agent, args.scope)?;
    let Some((_, before)) = settings::read_settings(&path)? else {
        println!("not installed: {} does not exist", path.display());
        return Ok(ExitCode::SUCCESS);
    };
    let (after, removed) = settings::with_uninstall(args.agent, before, &path)?;
    if args.dry_run {
        print!("{}", settings::to_text(&after));
        return Ok(ExitCode::SUCCESS);
    }
    if removed == 0 {
        println!("not installed in {}; nothing changed", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let backup = settings::backup(&path)?;
    settings::write_atomic(&path, &settings::to_text(&after))?;
    println!("removed {removed} mcpproxy hook handler(s) from {} (backup: {})", path.display(), backup.display());
    Ok(ExitCode::SUCCESS)
}
