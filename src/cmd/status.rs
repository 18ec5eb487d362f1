//! `mcpproxy hook status [--json]`: is the hook installed (per agent and scope), does it point at
//! a working binary, do its matchers see the tools that matter, would the agent run it at all
//! (Claude Code's `disableAllHooks`, Codex's hook trust, Gemini CLI's folder trust), and what
//! does the database say. Exits 1 and prints a fix for every problem found. The checks live in
//! `checks` (shared with `doctor`).

use super::checks::{self, DbReport, HookReport, Problem};
use super::table::{self, age, bytes, colour_enabled, now_secs, paint, utc, wrap, Colour};
use crate::cli::StatusArgs;
use crate::paths::Paths;
use anyhow::Result;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Serialize)]
struct Report {
    version: &'static str,
    binary: String,
    hooks: Vec<HookReport>,
    database: DbReport,
    /// Worth knowing, not broken (the exit code ignores them).
    notes: Vec<String>,
    problems: Vec<Problem>,
}

/// mcpproxy's own config: an invalid file means the hook runs on the defaults (a problem);
/// monitor mode blocks nothing (said loudly, not a failure: the user chose it).
fn check_config(paths: &Paths, problems: &mut Vec<Problem>, notes: &mut Vec<String>) {
    let (cfg, problem) = crate::evaluator::load_config(Some(paths));
    if let Some(problem) = problem {
        problems.push(Problem {
            problem: format!("{problem} (every hook call reports it)"),
            fix: format!("fix {} (see `mcpproxy config check`)", paths.config_file().display()),
        });
    }
    if cfg.monitor {
        notes.push(
            "MONITOR MODE: nothing is blocked or asked; decisions are only logged (set \"monitor\": false to protect)"
                .into(),
        );
    }
}

pub fn run(args: &StatusArgs) -> Result<ExitCode> {
    let checks::Survey { this_exe, hooks, mut problems, mut notes, paths } = checks::survey()?;
    check_config(&paths, &mut problems, &mut notes);
    let database = checks::check_db(&paths.database(), &mut problems);
    problems.extend(checks::no_hook_problem(&hooks, &database));
    let report = Report {
        version: env!("CARGO_PKG_VERSION"),
        binary: this_exe.map(|p| p.display().to_string()).unwrap_or_default(),
        hooks,
        database,
        notes,
        problems,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

pub(crate) fn tilde(path: &str) -> String {
    match std::env::var("HOME") {
        Ok(home) if !home.is_empty() && path.starts_with(&format!("{home}/")) => {
            format!("~{}", &path[home.len()..])
        }
        _ => path.to_owned(),
    }
}

fn print_report(r: &Report) {
    let colour = colour_enabled();
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
            let note = match (c.runnable, c.unchecked, c.is_this_binary) {
                (false, _, _) => paint("MISSING", Colour::Red, colour),
                (true, true, _) => "not checked: it depends on a variable".into(),
                (true, false, true) => "ok, this binary".into(),
                (true, false, false) => "ok, another build".into(),
            };
            let mut shown = tilde(&c.binary);
            if !c.binary.contains('/') && !c.unchecked {
                match &c.resolved {
                    Some(p) => shown.push_str(&format!(", found on PATH at {}", tilde(p))),
                    None => shown.push_str(", not found on PATH"),
                }
            }
            if let Some(w) = &c.wrapper {
                shown.push_str(&format!(" through {w}"));
            }
            println!("      runs {shown} ({note})");
        }
        if !h.uncovered_tools.is_empty() {
            println!("      matchers miss {}", h.uncovered_tools.join("; "));
        }
        if !h.trust.is_empty() {
            let pending: Vec<String> =
                h.trust.iter().filter(|(_, t)| t != "trusted").map(|(what, t)| format!("{what} {t}")).collect();
            let summary = if pending.is_empty() { "trusted".to_owned() } else { pending.join(", ") };
            println!("      agent trust: {summary}");
        }
        if h.disable_all_hooks {
            println!("      {}", paint("disableAllHooks: true (no hook runs)", Colour::Red, colour));
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
    print_notes_and_problems(&r.notes, &r.problems);
}

/// The closing part of `hook status` and `doctor`: notes, then each problem with its fix (or
/// that there is none).
pub(crate) fn print_notes_and_problems(notes: &[String], problems: &[Problem]) {
    let colour = colour_enabled();
    let text_width = table::width(false).saturating_sub(6);
    let bullets = |text: &str| {
        for (i, line) in wrap(text, text_width).iter().enumerate() {
            println!("  {} {line}", if i == 0 { "-" } else { " " });
        }
    };
    if !notes.is_empty() {
        println!("notes:");
        notes.iter().for_each(|n| bullets(n));
        println!();
    }
    if problems.is_empty() {
        println!("{}", paint("ok: no problems found", Colour::Green, colour));
        return;
    }
    println!("{}", paint(&format!("problems ({}):", problems.len()), Colour::Red, colour));
    for p in problems {
        bullets(&p.problem);
        println!("    fix: {}", p.fix);
    }
}
