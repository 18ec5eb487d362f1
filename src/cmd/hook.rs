//! `mcpproxy hook evaluate`: one hook event on stdin, the decision on stdout, exit 0.
//!
//! Order matters: stdin is read to EOF before anything else, nothing but the decision JSON
//! is printed on stdout, and every failure is one stderr line (fail open) unless the config
//! says `fail_closed`, in which case a PreToolUse call is denied with that reason.

use crate::agent::{claude_code, cursor, gemini, HookEvent, Verdict};
use crate::cli::{Agent, EvaluateArgs};
use crate::config::Config;
use crate::flow::engine;
use crate::paths::Paths;
use crate::store::{ActivityEntry, Store};
use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A failure before a decision could be made, with what is needed to report it.
struct Failure {
    message: String,
    fail_closed: bool,
    event_name: String,
}

/// Set once the config is loaded, so that a panic after that point honours `fail_closed`.
static FAIL_CLOSED: AtomicBool = AtomicBool::new(false);

pub fn evaluate(args: &EvaluateArgs) -> ExitCode {
    let started = Instant::now();
    let mut input = Vec::new();
    let read = std::io::stdin().read_to_end(&mut input);
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string().replace('\n', " ");
        let what = if FAIL_CLOSED.load(Ordering::SeqCst) { "denying" } else { "allowing" };
        eprintln!("mcpproxy: internal error, {what} the call: {msg}");
    }));
    let result = match read {
        Err(e) => Err(Failure {
            message: format!("cannot read hook input from stdin: {e}"),
            fail_closed: false,
            event_name: "PreToolUse".into(),
        }),
        Ok(_) => std::panic::catch_unwind(|| run(&input, args, started)).unwrap_or_else(|_| {
            Err(Failure {
                message: "internal error (see previous line)".into(),
                fail_closed: FAIL_CLOSED.load(Ordering::SeqCst),
                event_name: sniff_event_name(&input, args),
            })
        }),
    };
    let stdout_text = match result {
        Ok(out) => out,
        Err(f) => {
            if !f.message.contains("see previous line") {
                eprintln!("mcpproxy: {}", f.message);
            }
            if f.fail_closed {
                let name = if f.event_name.is_empty() { "PreToolUse" } else { &f.event_name };
                render(args.agent, name, &Verdict::Deny(format!("mcpproxy (fail_closed): {}", f.message)))
            } else {
                None
            }
        }
    };
    if let Some(text) = stdout_text {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Best-effort event name from raw input, for a fail-closed reply when parsing failed.
fn sniff_event_name(input: &[u8], args: &EvaluateArgs) -> String {
    if let Some(e) = &args.event {
        return e.clone();
    }
    serde_json::from_slice::<serde_json::Value>(input)
        .ok()
        .and_then(|v| v.get("hook_event_name").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "PreToolUse".into())
}

fn run(input: &[u8], args: &EvaluateArgs, started: Instant) -> Result<Option<String>, Failure> {
    let paths = Paths::resolve().map_err(|e| Failure {
        message: format!("{e:#}"),
        fail_closed: false,
        event_name: String::new(),
    })?;
    let cfg = Config::load(&paths.config_file()).map_err(|e| Failure {
        message: format!("{e:#}"),
        fail_closed: false,
        event_name: sniff_event_name(input, args),
    })?;
    FAIL_CLOSED.store(cfg.fail_closed, Ordering::SeqCst);
    // Lets the tests prove that a panic fails open (or closed) with one stderr line.
    #[cfg(debug_assertions)]
    if std::env::var_os("MCPPROXY_DEBUG_PANIC").is_some() {
        panic!("MCPPROXY_DEBUG_PANIC is set");
    }
    let fail = |message: String, event_name: String| Failure { message, fail_closed: cfg.fail_closed, event_name };
    let event = parse(args.agent, input, args.event.as_deref())
        .map_err(|e| fail(format!("{e:#}"), sniff_event_name(input, args)))?;
    let verdict = decide(&event, &paths, &cfg, args.agent.as_str(), started)
        .map_err(|e| fail(format!("{e:#}"), event.event_name.clone()))?;
    Ok(render(args.agent, &event.event_name, &verdict))
}

/// The agent's hook payload as an engine event (Codex speaks the Claude Code format).
fn parse(agent: Agent, input: &[u8], event_override: Option<&str>) -> Result<HookEvent> {
    match agent {
        Agent::ClaudeCode | Agent::Codex => claude_code::parse(input, event_override),
        Agent::Cursor => cursor::parse(input, event_override),
        Agent::Gemini => gemini::parse(input, event_override),
    }
}

/// A verdict in the agent's reply format; `None` prints nothing.
fn render(agent: Agent, event_name: &str, verdict: &Verdict) -> Option<String> {
    match agent {
        Agent::ClaudeCode | Agent::Codex => claude_code::render(event_name, verdict),
        Agent::Cursor => cursor::render(event_name, verdict),
        Agent::Gemini => gemini::render(event_name, verdict),
    }
}

/// Open the store, run the engine, persist, and return the verdict.
fn decide(event: &HookEvent, paths: &Paths, cfg: &Config, agent: &str, started: Instant) -> Result<Verdict> {
    let timeout = Duration::from_millis(cfg.lock_timeout_ms);
    let mut store = Store::open(paths, timeout)?;
    let key = store.fingerprint_key()?;
    // Decoding and hashing need no session state: do them without holding the lock, so
    // parallel hook processes wait for each other only while they read and write records.
    store.unlock()?;
    let (_, prepared) = engine::prepare(event, cfg, key);
    store.lock(timeout)?;
    let view = store.load_view(&event.session_id, prepared.needs(event, cfg)).context("loading session records")?;
    let outcome = engine::decide(event, prepared, &view, cfg, key);
    let now = now_secs();
    let decision = match event.kind {
        crate::agent::EventKind::Pre => outcome.verdict.label(),
        _ => "record",
    };
    let entry = ActivityEntry {
        now,
        session_id: &event.session_id,
        agent,
        event: &event.event_name,
        tool: &event.tool_name,
        decision,
        reason: outcome.verdict.reason(),
        latency_us: started.elapsed().as_micros() as i64,
    };
    let persisted = (|| -> Result<()> {
        store.save(&entry, &outcome).context("saving evaluation")?;
        if event.kind == crate::agent::EventKind::Pre {
            // Announce MCP calls so a proxy serving the same call can link its session to ours.
            if let Some((_, tool)) = crate::agent::split_mcp_name(&event.tool_name) {
                let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
                let hash = crate::flow::correlate::call_hash(tool, &event.tool_input);
                store.record_correlation(&hash, &event.session_id, now_ms).context("recording MCP call correlation")?;
            }
        }
        store
            .prune_if_due(now, cfg.session_ttl_hours as i64 * 3600, cfg.max_activity_rows)
            .context("pruning expired sessions")?;
        Ok(())
    })();
    match persisted {
        Ok(()) => Ok(outcome.verdict),
        // A deny or ask is already decided: failing to log it (a full disk, say) must not
        // turn it into fail-open and let the data out. Report the write failure and keep it.
        Err(e) if outcome.verdict != Verdict::Silent => {
            eprintln!("mcpproxy: {e:#} (the {} decision still applies)", outcome.verdict.label());
            Ok(outcome.verdict)
        }
        Err(e) => Err(e),
    }
}
