//! `mcpproxy hook evaluate`: one hook event on stdin, the decision on stdout, exit 0.
//!
//! Nothing but the decision JSON is printed on stdout, and the process always exits 0. The
//! answer comes within the deadline (`deadline_ms`): stdin is read until the first complete
//! JSON value (or EOF), and a watchdog answers with the fail-safe decision if evaluation has
//! not finished by then. Every fault goes through the shared evaluator's fail-safe rule.

use crate::agent::{self, AgentProtocol, Verdict};
use crate::cli::EvaluateArgs;
use crate::cmd::hook_input;
use crate::evaluator::{self, Evaluator};
use crate::flow::call::{Call, Phase};
use crate::flow::classify::{self, Origin, SinkClass};
use crate::store::home;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Set by whoever prints the answer first (the evaluation or the watchdog).
static ANSWERED: AtomicBool = AtomicBool::new(false);

/// What the watchdog needs to answer for a call still being evaluated.
struct Pending {
    protocol: &'static dyn AgentProtocol,
    event_name: String,
    fail_closed: bool,
    /// Sessions the payload names (parsed, or sniffed from raw bytes) and whether one holds data.
    holds: bool,
    /// `Some(false)` once the call is known not to reach outside.
    reaches_out: Option<bool>,
    phase: Option<Phase>,
    /// Where session markers go, and the sessions the payload names: a PostToolUse of private
    /// data that runs out of time marks them as holding (its record is lost, not its meaning).
    paths: Option<crate::paths::Paths>,
    sessions: Vec<String>,
    /// `Some(false)` once the call is known to return nothing private.
    records_private: Option<bool>,
}

static PENDING: Mutex<Option<Pending>> = Mutex::new(None);

fn print_once(text: Option<String>) {
    if ANSWERED.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Some(text) = text {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

pub fn evaluate(args: &EvaluateArgs) -> ExitCode {
    let started = Instant::now();
    std::panic::set_hook(Box::new(|info| {
        let what = if evaluator::PANIC_DENIES.load(Ordering::SeqCst) { "denying" } else { "allowing" };
        eprintln!("mcpproxy: internal error, {what} the call: {}", info.to_string().replace('\n', " "));
    }));
    let protocol = agent::protocol(args.agent.as_str());
    let mut evaluator = Evaluator::new(protocol.name());
    let deadline = started + Duration::from_millis(evaluator.cfg.deadline_ms);
    *PENDING.lock().unwrap_or_else(|e| e.into_inner()) = Some(Pending {
        protocol,
        event_name: args.event.clone().unwrap_or_else(|| protocol.before_event().to_owned()),
        fail_closed: evaluator.cfg.fail_closed,
        holds: false,
        reaches_out: None,
        phase: None,
        paths: evaluator.paths().cloned(),
        sessions: Vec::new(),
        records_private: None,
    });
    start_watchdog(deadline);
    let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run(&mut evaluator, protocol, args, started, deadline)
    }));
    let text = match answer {
        Ok(text) => text,
        Err(_) => watchdog_answer("internal error (panic)"),
    };
    print_once(text);
    ExitCode::SUCCESS
}

fn run(
    evaluator: &mut Evaluator,
    protocol: &'static dyn AgentProtocol,
    args: &EvaluateArgs,
    started: Instant,
    deadline: Instant,
) -> Option<String> {
    let cap = evaluator.cfg.max_input_bytes;
    let input = match hook_input::read(deadline, cap) {
        Ok(input) => input,
        Err(problem) => return watchdog_answer(&problem),
    };
    let sniffed = sniff(&input.bytes, args);
    note_sessions(evaluator, &sniffed);
    let mut event = match protocol.parse(&input.bytes, args.event.as_deref()) {
        Ok(e) => e,
        Err(e) => return unparsed(evaluator, protocol, &sniffed, &format!("{e:#}"), started),
    };
    if input.cut {
        event.cut = Some(format!("the hook input is larger than {cap} bytes (max_input_bytes); the rest was not read"));
    }
    // The raw bytes and the adapter's event are not needed any more: keep one copy in memory.
    drop(input);
    if let Some(cut) = &event.cut {
        let what = match event.kind {
            agent::EventKind::Pre => "the call counts as not fully checked",
            _ => "the part read is recorded and the session counts as holding private data",
        };
        eprintln!("mcpproxy: {cut}; {what}");
    }
    let event_name = event.event_name.clone();
    let call = event.into_call();
    note_call(&call, &event_name, evaluator);
    let verdict = evaluator.evaluate(&call, started);
    protocol.render(&event_name, &verdict)
}

/// What the raw bytes say before parsing: the event name and every `session_id`-like value.
struct Sniffed {
    event_name: String,
    sessions: Vec<String>,
}

fn sniff(input: &[u8], args: &EvaluateArgs) -> Sniffed {
    let event_name =
        args.event.clone().or_else(|| string_values(input, b"hook_event_name").into_iter().next()).unwrap_or_default();
    let mut sessions = string_values(input, b"session_id");
    sessions.extend(string_values(input, b"conversation_id"));
    Sniffed { event_name, sessions }
}

/// Every plain string value of `"key": "..."` in raw JSON bytes (no escapes, at most 200
/// bytes): a byte scan, so that a payload that does not parse still names its session, without
/// compiling a regex in every hook process.
fn string_values(input: &[u8], key: &[u8]) -> Vec<String> {
    let mut quoted = Vec::with_capacity(key.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(key);
    quoted.push(b'"');
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = input[from..].windows(quoted.len()).position(|w| w == quoted.as_slice()) {
        let mut i = from + at + quoted.len();
        from = i;
        while input.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if input.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        while input.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if input.get(i) != Some(&b'"') {
            continue;
        }
        let start = i + 1;
        let end = input[start..].iter().take(201).position(|&b| b == b'"' || b == b'\\').map(|n| start + n);
        if let Some(end) = end.filter(|&e| input[e] == b'"' && e > start) {
            out.push(String::from_utf8_lossy(&input[start..end]).into_owned());
        }
    }
    out
}

fn note_sessions(evaluator: &Evaluator, sniffed: &Sniffed) {
    let holds = sniffed.sessions.iter().any(|s| evaluator.session_holds(s));
    if let Some(p) = PENDING.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        p.holds = holds;
        p.sessions = sniffed.sessions.clone();
        if !sniffed.event_name.is_empty() {
            p.event_name = sniffed.event_name.clone();
        }
    }
}

/// After parsing: the watchdog learns the phase and whether the call can reach outside at all
/// (a cheap classification; the full one may be what runs out of time).
fn note_call(call: &Call, event_name: &str, evaluator: &Evaluator) {
    let class = classify::classify(call, &evaluator.cfg);
    let reaches_out = matches!(class.sink, SinkClass::External | SinkClass::Shell);
    if let Some(p) = PENDING.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        p.event_name = event_name.to_owned();
        p.phase = Some(call.phase);
        p.reaches_out = Some(reaches_out);
        p.records_private = Some(class.source == Some(Origin::Private) || call.cut.is_some());
        p.holds = p.holds || evaluator.session_holds(&call.session_id);
        p.sessions = vec![call.session_id.clone()];
    }
}

/// A payload that does not parse: the fail-safe answer for the sessions it seems to name.
fn unparsed(
    evaluator: &Evaluator,
    protocol: &'static dyn AgentProtocol,
    sniffed: &Sniffed,
    problem: &str,
    started: Instant,
) -> Option<String> {
    let before = sniffed.event_name.is_empty() || sniffed.event_name == protocol.before_event();
    let holds = sniffed.sessions.iter().any(|s| evaluator.session_holds(s));
    eprintln!("mcpproxy: {problem}");
    let _ = started;
    if before && (holds || evaluator.cfg.fail_closed) {
        let reason = evaluator::fail_safe_reason(evaluator.cfg.fail_closed, problem);
        let name = if sniffed.event_name.is_empty() { protocol.before_event() } else { &sniffed.event_name };
        return protocol.render(name, &Verdict::Deny(reason));
    }
    None
}

/// The fail-safe answer from what is known so far (deadline passed, stdin unreadable, panic).
fn watchdog_answer(problem: &str) -> Option<String> {
    let guard = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    let p = guard.as_ref()?;
    eprintln!("mcpproxy: {problem}");
    let before = p.phase.map_or(p.event_name == p.protocol.before_event(), |ph| ph == Phase::Before);
    if !before && p.records_private != Some(false) {
        if let Some(paths) = &p.paths {
            for session in &p.sessions {
                let _ = home::mark_holding(paths, session);
            }
        }
        eprintln!("mcpproxy: the response was not recorded; the session is marked as holding private data");
    }
    if before && p.reaches_out != Some(false) && (p.holds || p.fail_closed) {
        let reason = evaluator::fail_safe_reason(p.fail_closed, problem);
        return p.protocol.render(&p.event_name, &Verdict::Deny(reason));
    }
    None
}

fn start_watchdog(deadline: Instant) {
    std::thread::spawn(move || {
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
        if ANSWERED.load(Ordering::SeqCst) {
            return;
        }
        let text = watchdog_answer("the evaluation did not finish within its deadline (deadline_ms)");
        print_once(text);
        std::process::exit(0);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_sniffed_from_broken_input() {
        let raw =
            br#"{"session_id" : "abc-1", "hook_event_name":"PreToolUse", "tool_input": {"x": "\"session_id\":\"fake\""#;
        assert_eq!(string_values(raw, b"session_id"), vec!["abc-1".to_string()]);
        assert_eq!(string_values(raw, b"hook_event_name"), vec!["PreToolUse".to_string()]);
        assert!(string_values(b"{}", b"session_id").is_empty());
    }
}
