//! `mcpproxy hook status [--json]`: is the hook installed (per agent and scope), does it point at
//! a working binary, do its matchers see the tools that matter, and what does the database say.
//! Exits 1 and prints a fix for every problem found.

use super::settings::{self, ALL_AGENTS};
use super::table::{age, bytes, now_secs, utc, wrap};
use crate::cli::{Agent, StatusArgs};
use crate::paths::Paths;
use crate::store::queries::{ActivityRow, ReadOnly};
use crate::store::CURRENT_VERSION;
use anyhow::Result;
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;

#[derive(Serialize)]
struct Problem {
    problem: String,
    fix: String,
}

#[derive(Serialize)]
struct CommandCheck {
    command: String,
    binary: String,
    /// The binary exists and is executable.
    runnable: bool,
    /// It is the binary running this status command.
    is_this_binary: bool,
}

#[derive(Serialize)]
struct HookReport {
    agent: &'static str,
    scope: &'static str,
    path: String,
    /// `installed`, `partial`, `not installed`, `no file` or `invalid`.
    state: String,
    events: Vec<String>,
    missing_events: Vec<String>,
    commands: Vec<CommandCheck>,
    /// Per event, the matchers of the groups holding our handlers.
    matchers: Vec<(String, Vec<String>)>,
    /// `Event: tool` pairs we need to see that no matcher of ours covers.
    uncovered_tools: Vec<String>,
    /// Another scope resolves to the same file (e.g. `project` when run from $HOME).
    same_file_as: Option<&'static str>,
}

#[derive(Serialize)]
struct DbReport {
    path: String,
    exists: bool,
    size_bytes: u64,
    schema_version: Option<i64>,
    supported_schema_version: i64,
    integrity: Option<String>,
    sessions: Option<i64>,
    last_evaluation: Option<ActivityRow>,
    decisions_24h: Vec<(String, i64)>,
    /// `(agent, evaluations, last ts)` in the last 24 h; agent `proxy` is the MCP proxy.
    front_ends_24h: Vec<(String, i64, i64)>,
    /// `hooks`, `proxy`, `both` or `none` (seen in the last 24 h).
    coverage: String,
}

#[derive(Serialize)]
struct Report {
    version: &'static str,
    binary: String,
    hooks: Vec<HookReport>,
    database: DbReport,
    problems: Vec<Problem>,
}

pub fn run(args: &StatusArgs) -> Result<ExitCode> {
    let this_exe = std::env::current_exe().ok().map(|p| p.canonicalize().unwrap_or(p));
    let mut problems = Vec::new();
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
            hooks.push(check_hook(agent, scope, this_exe.as_deref(), &mut problems)?);
        }
    }
    let paths = Paths::resolve()?;
    let database = check_db(&paths.database(), &mut problems);
    let installed_anywhere = hooks.iter().any(|h| h.state == "installed" || h.state == "partial");
    if !installed_anywhere && !matches!(database.coverage.as_str(), "proxy" | "both") {
        problems.push(Problem {
            problem: "mcpproxy is not installed for any agent: nothing is being checked".into(),
            fix: "mcpproxy hook install --agent claude-code --scope user".into(),
        });
    }
    let report = Report {
        version: env!("CARGO_PKG_VERSION"),
        binary: this_exe.map(|p| p.display().to_string()).unwrap_or_default(),
        hooks,
        database,
        problems,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn runnable(path: &Path) -> bool {
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

fn empty_report(agent: Agent, scope: crate::cli::Scope, path: String) -> HookReport {
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
    }
}

fn check_hook(
    agent: Agent,
    scope: crate::cli::Scope,
    this_exe: Option<&Path>,
    problems: &mut Vec<Problem>,
) -> Result<HookReport> {
    let path = settings::settings_path(agent, scope)?;
    let reinstall = format!("mcpproxy hook install --agent {} --scope {}", agent.as_str(), scope.as_str());
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
    let found = settings::inspect(agent, &doc);
    report.state = match (found.events.is_empty(), found.missing_events.is_empty()) {
        (true, _) => "not installed",
        (false, true) => "installed",
        (false, false) => "partial",
    }
    .into();
    if report.state == "partial" {
        problems.push(Problem {
            problem: format!(
                "{} {} hook misses events {} in {}",
                agent.as_str(),
                scope.as_str(),
                found.missing_events.join(", "),
                path.display()
            ),
            fix: reinstall.clone(),
        });
    }
    for command in &found.commands {
        let binary = settings::command_binary(command);
        let ok = runnable(Path::new(&binary));
        let same = this_exe.is_some_and(|e| Path::new(&binary).canonicalize().is_ok_and(|b| b == e));
        if !ok {
            problems.push(Problem {
                problem: format!(
                    "{} {} hook runs `{binary}`, which is not an executable file (reinstall \
                     with the mcpproxy binary the hook should run)",
                    agent.as_str(),
                    scope.as_str()
                ),
                fix: reinstall.clone(),
            });
        }
        report.commands.push(CommandCheck { command: command.clone(), binary, runnable: ok, is_this_binary: same });
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

fn file_size(path: &Path) -> u64 {
    let side = |suffix: &str| std::fs::metadata(format!("{}{suffix}", path.display())).map(|m| m.len()).unwrap_or(0);
    side("") + side("-wal")
}

fn check_db(path: &Path, problems: &mut Vec<Problem>) -> DbReport {
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

fn tilde(path: &str) -> String {
    match std::env::var("HOME") {
        Ok(home) if !home.is_empty() && path.starts_with(&format!("{home}/")) => {
            format!("~{}", &path[home.len()..])
        }
        _ => path.to_owned(),
    }
}

fn print_report(r: &Report) {
    println!("mcpproxy {} ({})", r.version, tilde(&r.binary));
    println!();
    println!("hooks (project scopes relative to the current directory):");
    for h in &r.hooks {
        if let Some(first) = h.same_file_as {
            println!("  {:<11} {:<7} {:<13} (the {first} file)", h.agent, h.scope, h.state);
            continue;
        }
        println!("  {:<11} {:<7} {:<13} {}", h.agent, h.scope, h.state, tilde(&h.path));
        for c in &h.commands {
            let note = match (c.runnable, c.is_this_binary) {
                (false, _) => "MISSING",
                (true, true) => "ok, this binary",
                (true, false) => "ok, another build",
            };
            println!("      runs {} ({note})", tilde(&c.binary));
        }
        if !h.uncovered_tools.is_empty() {
            println!("      matchers miss {}", h.uncovered_tools.join("; "));
        }
    }
    println!();
    let d = &r.database;
    println!("database:");
    if !d.exists {
        println!("  path       {} (not created yet: no evaluation so far)", tilde(&d.path));
    } else {
        let version = d.schema_version.map(|v| format!("schema v{v}")).unwrap_or_else(|| "schema ?".into());
        println!("  path       {} ({}, {version})", tilde(&d.path), bytes(d.size_bytes));
        if let Some(n) = d.sessions {
            println!("  sessions   {n} tracked");
        }
        let now = now_secs();
        match &d.last_evaluation {
            Some(a) => println!(
                "  last eval  {} ({}): {} {} {} -> {}",
                utc(a.ts),
                age(a.ts, now),
                a.agent,
                a.event,
                a.tool,
                a.decision
            ),
            None => println!("  last eval  never"),
        }
        let counts: Vec<String> = d.decisions_24h.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!("  last 24 h  {}", if counts.is_empty() { "no evaluations".into() } else { counts.join(", ") });
        let seen: Vec<String> = d.front_ends_24h.iter().map(|(a, n, _)| format!("{a} {n}")).collect();
        let coverage = match d.coverage.as_str() {
            "both" => "hooks and proxy",
            "hooks" => "hooks only (proxy not seen)",
            "proxy" => "proxy only (no hook seen)",
            _ => "nothing seen",
        };
        println!(
            "  coverage   {coverage}{}",
            if seen.is_empty() { String::new() } else { format!(" [{}]", seen.join(", ")) }
        );
    }
    println!();
    if r.problems.is_empty() {
        println!("ok: no problems found");
        return;
    }
    println!("problems ({}):", r.problems.len());
    for p in &r.problems {
        for (i, line) in wrap(&p.problem, 74).iter().enumerate() {
            println!("  {} {line}", if i == 0 { "-" } else { " " });
        }
        println!("    fix: {}", p.fix);
    }
}
