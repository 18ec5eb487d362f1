//! Checks shared by `hook status` and `doctor`: per agent and scope, is the hook installed,
//! does its command start an existing mcpproxy, do its matchers see the tools that matter, would
//! the agent run it at all (Claude Code's `disableAllHooks`, Codex's hook trust, Gemini CLI's
//! folder trust); and what the database says. Each problem comes with its fix.

use super::settings::{self, ALL_AGENTS};
use super::table::now_secs;
use super::trust::{self, HookTrust};
use crate::cli::{Agent, Scope};
use crate::paths::Paths;
use crate::store::queries::{ActivityRow, ReadOnly};
use crate::store::CURRENT_VERSION;
use anyhow::Result;
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Serialize)]
pub struct Problem {
    /// What is wrong, in a sentence.
    pub problem: String,
    /// The command or edit that puts it right.
    pub fix: String,
}

#[derive(Serialize)]
pub struct CommandCheck {
    /// The hook command exactly as the settings file holds it.
    pub command: String,
    /// The mcpproxy binary as the command names it (the word before `hook evaluate`).
    pub binary: String,
    /// Where it is: the path, or what PATH resolves a bare name to.
    pub resolved: Option<String>,
    /// The program the command starts when it is not the binary (`sh`, `env`, a wrapper).
    pub wrapper: Option<String>,
    /// The binary exists and is executable (true when it depends on a variable: unchecked).
    pub runnable: bool,
    /// It names a variable (`$CLAUDE_PLUGIN_ROOT/...`), so it cannot be checked here.
    pub unchecked: bool,
    /// It is the binary running this status command.
    pub is_this_binary: bool,
}

#[derive(Serialize)]
pub struct HookReport {
    /// The agent's `--agent` name.
    pub agent: &'static str,
    /// `user`, `project` or `local`.
    pub scope: &'static str,
    /// The settings file this report reads.
    pub path: String,
    /// `installed`, `partial`, `not installed`, `no file`, `invalid` or `same file`.
    pub state: String,
    /// The hook events that run our command.
    pub events: Vec<String>,
    /// The events we register that do not run it (a partial install).
    pub missing_events: Vec<String>,
    /// Each distinct command of ours the file holds, checked.
    pub commands: Vec<CommandCheck>,
    /// Per event, the matchers of the groups holding our handlers.
    pub matchers: Vec<(String, Vec<String>)>,
    /// `Event: tool` pairs we need to see that no matcher of ours covers.
    pub uncovered_tools: Vec<String>,
    /// Another scope resolves to the same file (e.g. `project` when run from $HOME).
    pub same_file_as: Option<&'static str>,
    /// Claude Code: the file sets `disableAllHooks: true`.
    pub disable_all_hooks: bool,
    /// Whether the agent's own trust gate lets our hooks run: per event for Codex (`trusted`,
    /// `untrusted`, `modified`, `disabled`, `unknown`; `project` when the project is not
    /// trusted), `folder` for Gemini CLI project hooks.
    pub trust: Vec<(String, String)>,
}

#[derive(Serialize)]
pub struct DbReport {
    /// The database file.
    pub path: String,
    /// Whether that file exists (no evaluation has run yet when it does not).
    pub exists: bool,
    /// Its size on disk (the WAL not counted).
    pub size_bytes: u64,
    /// The schema version it records (`None` when it could not be read).
    pub schema_version: Option<i64>,
    /// The schema version this binary writes.
    pub supported_schema_version: i64,
    /// `PRAGMA quick_check`'s answer (`ok` when sound).
    pub integrity: Option<String>,
    /// Sessions recorded.
    pub sessions: Option<i64>,
    /// The newest activity row.
    pub last_evaluation: Option<ActivityRow>,
    /// `(decision, count)` over the last 24 h.
    pub decisions_24h: Vec<(String, i64)>,
    /// `(agent, evaluations, last ts)` in the last 24 h; agent `proxy` is the MCP proxy.
    pub front_ends_24h: Vec<(String, i64, i64)>,
    /// `hooks`, `proxy`, `both` or `none` (seen in the last 24 h).
    pub coverage: String,
}

/// What `hook status` and `doctor` both start from.
pub struct Survey {
    /// This binary, resolved.
    pub this_exe: Option<PathBuf>,
    pub hooks: Vec<HookReport>,
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
    pub paths: Paths,
}

/// The hooks of every agent and scope (with their problems and notes) and the home's paths.
pub fn survey() -> Result<Survey> {
    let this_exe = std::env::current_exe().ok().map(|p| p.canonicalize().unwrap_or(p));
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let hooks = check_hooks(this_exe.as_deref(), &mut problems, &mut notes)?;
    Ok(Survey { this_exe, hooks, problems, notes, paths: Paths::resolve()? })
}

/// Every agent and scope: the hook reports (a scope resolving to another scope's file is
/// reported once, as `same file`), with problems and notes (a hook installed in several scopes).
pub fn check_hooks(
    this_exe: Option<&Path>,
    problems: &mut Vec<Problem>,
    notes: &mut Vec<String>,
) -> Result<Vec<HookReport>> {
    let mut hooks = Vec::new();
    for &agent in ALL_AGENTS {
        let mut seen: Vec<(String, &'static str)> = Vec::new();
        for &scope in settings::scopes(agent) {
            let path = settings::settings_path(agent, scope)?.display().to_string();
            if let Some((_, first)) = seen.iter().find(|(p, _)| *p == path) {
                let mut report = empty_report(agent, scope, path);
                report.state = "same file".into();
                report.same_file_as = Some(first);
                hooks.push(report);
                continue;
            }
            seen.push((path, scope.as_str()));
            hooks.push(check_hook(agent, scope, this_exe, problems)?);
        }
        let installed: Vec<&str> =
            hooks.iter().filter(|h| h.agent == agent.as_str() && is_installed(h)).map(|h| h.scope).collect();
        if let [.., last] = installed[..] {
            if installed.len() > 1 {
                notes.push(format!(
                    "{} hooks are installed in {} scopes: the agent runs each of them (unless their \
                     commands are identical), so calls are evaluated more than once; one is enough (for \
                     example `mcpproxy hook uninstall --agent {} --scope {last}`)",
                    agent.as_str(),
                    installed.join(" and "),
                    agent.as_str(),
                ));
            }
        }
    }
    Ok(hooks)
}

/// No hook installed anywhere: a problem, worded for proxy-only users when the proxy was seen.
pub fn no_hook_problem(hooks: &[HookReport], database: &DbReport) -> Option<Problem> {
    if hooks.iter().any(is_installed) {
        return None;
    }
    let problem = if matches!(database.coverage.as_str(), "proxy" | "both") {
        "no agent hook is installed: only MCP calls through `mcpproxy proxy` are checked, not the \
         agent's own tools (WebFetch, Bash, Read ...)"
    } else {
        "mcpproxy is not installed for any agent: nothing is being checked"
    };
    Some(Problem { problem: problem.into(), fix: "mcpproxy hook install --agent claude-code --scope user".into() })
}

pub fn is_installed(h: &HookReport) -> bool {
    h.state == "installed" || h.state == "partial"
}

pub fn empty_report(agent: Agent, scope: Scope, path: String) -> HookReport {
    HookReport {
        agent: agent.as_str(),
        scope: scope.as_str(),
        path,
        state: "no file".into(),
        events: vec![],
        missing_events: vec![],
        commands: vec![],
        matchers: vec![],
        uncovered_tools: vec![],
        same_file_as: None,
        disable_all_hooks: false,
        trust: vec![],
    }
}

/// Words a shell runs itself: a wrapper like `cd /x && ...` is not a program to look for.
const SHELL_BUILTINS: &[&str] = &["cd", "exec", "command", "builtin", "time", "export", ".", "source", "eval"];

/// Where a command word points: `(resolved path, runnable, unchecked)`.
fn locate(word: &str) -> (Option<PathBuf>, bool, bool) {
    if word.contains('$') || word.contains('`') {
        return (None, true, true);
    }
    if word.contains('/') {
        let p = PathBuf::from(word);
        let ok = settings::is_executable(&p);
        return (Some(p), ok, false);
    }
    match settings::find_on_path(word) {
        Some(p) => (Some(p), true, false),
        None => (None, false, false),
    }
}

/// Does an installed command start an existing mcpproxy (directly, from PATH, after `VAR=...`
/// assignments or through a wrapper)?
fn check_command(
    command: &str,
    this_exe: Option<&Path>,
    what: &str,
    reinstall: &str,
    problems: &mut Vec<Problem>,
) -> CommandCheck {
    let parts = settings::command_parts(command);
    let (resolved, runnable, unchecked) = locate(&parts.binary);
    let is_this_binary =
        this_exe.is_some_and(|e| resolved.as_ref().and_then(|r| r.canonicalize().ok()).is_some_and(|b| b == e));
    if !runnable {
        let problem = if parts.binary.contains('/') {
            format!(
                "{what} runs `{}`, which is not an executable file (reinstall with the mcpproxy binary \
                 the hook should run)",
                parts.binary
            )
        } else {
            format!(
                "{what} runs `{}` from PATH, but there is none on PATH here (the agent may have another \
                 PATH): put mcpproxy on PATH, or reinstall with --command",
                parts.binary
            )
        };
        problems.push(Problem { problem, fix: reinstall.to_owned() });
    }
    if let Some(w) = &parts.wrapper {
        let (_, ok, _) = locate(w);
        if !ok && !SHELL_BUILTINS.contains(&w.as_str()) {
            problems.push(Problem {
                problem: format!("{what} runs mcpproxy through `{w}`, which is not an executable file or on PATH"),
                fix: reinstall.to_owned(),
            });
        }
    }
    CommandCheck {
        command: command.to_owned(),
        binary: parts.binary,
        resolved: resolved.map(|r| r.display().to_string()),
        wrapper: parts.wrapper,
        runnable,
        unchecked,
        is_this_binary,
    }
}

pub fn check_hook(
    agent: Agent,
    scope: Scope,
    this_exe: Option<&Path>,
    problems: &mut Vec<Problem>,
) -> Result<HookReport> {
    let path = settings::settings_path(agent, scope)?;
    let reinstall = format!("mcpproxy hook install --agent {} --scope {}", agent.as_str(), scope.as_str());
    let what = format!("{} {} hook", agent.as_str(), scope.as_str());
    let mut report = empty_report(agent, scope, path.display().to_string());
    let doc = match settings::read_settings(&path) {
        Ok(Some((_, doc))) => doc,
        Ok(None) => return Ok(report),
        Err(e) => {
            report.state = "invalid".into();
            problems.push(Problem {
                problem: format!("{e:#}"),
                fix: format!("repair the JSON in {} (the agent cannot read it either)", path.display()),
            });
            return Ok(report);
        }
    };
    if agent == Agent::ClaudeCode && doc.get("disableAllHooks") == Some(&Value::Bool(true)) {
        report.disable_all_hooks = true;
        problems.push(Problem {
            problem: format!(
                "{} sets `disableAllHooks: true`: Claude Code runs no hook at all, mcpproxy's included",
                path.display()
            ),
            fix: format!("remove `disableAllHooks` from {}", path.display()),
        });
    }
    let found = settings::inspect(agent, &doc);
    report.state = match (found.events.is_empty(), found.missing_events.is_empty()) {
        (true, _) => "not installed",
        (false, true) => "installed",
        (false, false) => "partial",
    }
    .into();
    if report.state == "partial" {
        problems.push(Problem {
            problem: format!("{what} misses events {} in {}", found.missing_events.join(", "), path.display()),
            fix: reinstall.clone(),
        });
    }
    for command in &found.commands {
        report.commands.push(check_command(command, this_exe, &what, &reinstall, problems));
    }
    if !found.events.is_empty() {
        match agent {
            Agent::Codex => check_codex_trust(&path, &doc, scope, &what, &reinstall, &mut report, problems),
            Agent::Gemini if scope == Scope::Project => check_gemini_trust(&what, &mut report, problems)?,
            _ => {}
        }
    }
    // One problem per distinct (matchers, missed tools), naming the events it applies to.
    let mut gaps: Vec<(String, String, Vec<String>)> = Vec::new();
    for (event, matchers) in &found.matchers {
        let missed: Vec<&str> = settings::needed_tools(agent)
            .iter()
            .copied()
            .filter(|tool| !matchers.iter().any(|m| settings::matcher_covers(agent, m, tool)))
            .collect();
        if missed.is_empty() {
            continue;
        }
        report.uncovered_tools.push(format!("{event}: {}", missed.join(", ")));
        let quoted: Vec<String> = matchers.iter().map(|m| format!("{m:?}")).collect();
        let key = (quoted.join(", "), missed.join(", "));
        match gaps.iter_mut().find(|(m, t, _)| (m, t) == (&key.0, &key.1)) {
            Some((_, _, events)) => events.push(event.clone()),
            None => gaps.push((key.0, key.1, vec![event.clone()])),
        }
    }
    for (matchers, missed, events) in gaps {
        problems.push(Problem {
            problem: format!(
                "{} {} matcher {matchers} ({}) misses tools mcpproxy must see: {missed} \
                 (reinstalling puts back the match-all matcher)",
                agent.as_str(),
                scope.as_str(),
                events.join(", ")
            ),
            fix: reinstall.clone(),
        });
    }
    report.events = found.events;
    report.missing_events = found.missing_events;
    report.matchers = found.matchers;
    Ok(report)
}

/// Codex skips hooks it does not trust, and project hooks outside a trusted project.
fn check_codex_trust(
    path: &Path,
    doc: &Value,
    scope: Scope,
    what: &str,
    reinstall: &str,
    report: &mut HookReport,
    problems: &mut Vec<Problem>,
) {
    let Ok(config_path) = trust::codex_config_path() else {
        return;
    };
    let config = match trust::read_codex_config(&config_path) {
        Ok(c) => c,
        Err(e) => {
            problems.push(Problem {
                problem: format!("{e:#}: cannot tell whether Codex trusts the {what}"),
                fix: format!("repair {} (Codex cannot read it either)", config_path.display()),
            });
            return;
        }
    };
    let mut by_state: Vec<(HookTrust, Vec<String>)> = Vec::new();
    for hook in trust::codex_hooks(path, doc) {
        let state = trust::codex_hook_trust(config.as_ref(), &hook);
        report.trust.push((hook.event.clone(), state.as_str().into()));
        match by_state.iter_mut().find(|(s, _)| *s == state) {
            Some((_, events)) => events.push(hook.event),
            None => by_state.push((state, vec![hook.event])),
        }
    }
    let config_name = config_path.display();
    let review = format!("{reinstall} (records the trust), or review it in Codex's /hooks");
    for (state, events) in by_state {
        let events = events.join(", ");
        let (problem, fix) = match state {
            HookTrust::Trusted | HookTrust::Unknown => continue,
            HookTrust::Untrusted => (
                format!(
                    "{what} ({events}) is not trusted by Codex (no trusted_hash for it in {config_name}), \
                     so Codex skips it without a word"
                ),
                review.clone(),
            ),
            HookTrust::Modified => (
                format!(
                    "{what} ({events}) changed since Codex trusted it (the trusted_hash in {config_name} is \
                     for another command, timeout or matcher), so Codex skips it without a word"
                ),
                review.clone(),
            ),
            HookTrust::Disabled => (
                format!("{what} ({events}) is disabled in {config_name} (`enabled = false`)"),
                format!("remove `enabled = false` from its [hooks.state] entry in {config_name}"),
            ),
        };
        problems.push(Problem { problem, fix });
    }
    if scope == Scope::Project {
        let Ok(dir) = std::env::current_dir() else {
            return;
        };
        if trust::codex_trusted_project(config.as_ref(), &dir).is_none() {
            report.trust.push(("project".into(), "untrusted".into()));
            problems.push(Problem {
                problem: format!(
                    "{what} does not run: Codex runs project hooks only in a trusted project, and {} is \
                     not trusted in {config_name}",
                    dir.display()
                ),
                fix: trust::codex_project_step(&config_path, &dir),
            });
        }
    }
}

/// Gemini CLI skips project hooks in a folder it does not trust.
fn check_gemini_trust(what: &str, report: &mut HookReport, problems: &mut Vec<Problem>) -> Result<()> {
    let dir = std::env::current_dir()?;
    let t = trust::gemini_folder_trust(&dir)?;
    report.trust.push(("folder".into(), if t.trusted { "trusted" } else { "untrusted" }.into()));
    if !t.trusted {
        problems.push(Problem {
            problem: format!(
                "{what} does not run: Gemini CLI runs project hooks only in a trusted folder, and {} is \
                 not trusted ({})",
                dir.display(),
                t.why
            ),
            fix: trust::gemini_trust_step(&dir),
        });
    }
    Ok(())
}

fn file_size(path: &Path) -> u64 {
    let side = |suffix: &str| std::fs::metadata(format!("{}{suffix}", path.display())).map(|m| m.len()).unwrap_or(0);
    side("") + side("-wal")
}

pub fn check_db(path: &Path, problems: &mut Vec<Problem>) -> DbReport {
    let mut r = DbReport {
        path: path.display().to_string(),
        exists: path.exists(),
        size_bytes: file_size(path),
        schema_version: None,
        supported_schema_version: CURRENT_VERSION,
        integrity: None,
        sessions: None,
        last_evaluation: None,
        decisions_24h: vec![],
        front_ends_24h: vec![],
        coverage: "none".into(),
    };
    let db = match ReadOnly::open(path) {
        Ok(Some(db)) => db,
        Ok(None) => return r,
        Err(e) => {
            problems.push(Problem {
                problem: format!("cannot read the database: {e:#}"),
                fix: format!(
                    "check the permissions of {}; if it is corrupt, the next hook run moves it aside",
                    path.display()
                ),
            });
            return r;
        }
    };
    let since = now_secs() - 86_400;
    let result = (|| -> Result<()> {
        let version = db.schema_version()?;
        r.schema_version = Some(version);
        if version > CURRENT_VERSION {
            problems.push(Problem {
                problem: format!(
                    "database schema v{version} is newer than this mcpproxy supports (v{CURRENT_VERSION})"
                ),
                fix: "upgrade mcpproxy (and re-run `mcpproxy hook install` so the hooks use it)".into(),
            });
            return Ok(());
        }
        let integrity = db.quick_check()?;
        if integrity != "ok" {
            problems.push(Problem {
                problem: format!("database integrity check failed: {integrity}"),
                fix: format!("move {} aside; the next hook run starts a fresh one", path.display()),
            });
        }
        r.integrity = Some(integrity);
        if version == 0 {
            return Ok(());
        }
        r.sessions = Some(db.session_count()?);
        r.last_evaluation = db.last_activity()?;
        r.decisions_24h = db.decisions_since(since)?;
        r.front_ends_24h = db.agents_since(since)?;
        let proxy = r.front_ends_24h.iter().any(|(a, _, _)| a == "proxy");
        let hooks = r.front_ends_24h.iter().any(|(a, _, _)| a != "proxy");
        r.coverage = match (hooks, proxy) {
            (true, true) => "both",
            (true, false) => "hooks",
            (false, true) => "proxy",
            (false, false) => "none",
        }
        .into();
        Ok(())
    })();
    if let Err(e) = result {
        problems.push(Problem {
            problem: format!("cannot query the database {}: {e:#}", path.display()),
            fix: "check that no other program replaced it; if it is corrupt, the next hook run moves it aside".into(),
        });
    }
    r
}
