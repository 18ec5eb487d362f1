//! Huge hook input costs bounded memory and is never taken as clean, through the real binary:
//! the child's peak RSS is measured with `wait4`. What was cut off is unverified in a
//! PreToolUse and marks the session as holding in a PostToolUse.

mod common;

use common::{decision, leak, payload, read_env, read_post, Home, Run, STRIPE};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Peak resident memory one hook process may reach, whatever it is sent (the bound README's
/// "Bounded input" states): 32 MiB of input, 32 MiB of kept strings, 200,000 kept values and
/// the engine's own 8 MiB response cap, with room to spare.
const RSS_BOUND_KB: i64 = 200 * 1024;

/// Run `hook evaluate` with the file `input` on stdin; the run and the child's peak RSS in KiB.
///
/// The child is started with vfork semantics, so the peak `wait4` reports also counts this
/// test process's own peak before the exec: the payloads are streamed to files (this process
/// stays at a few MiB), which keeps the figure an upper bound of the hook's own peak.
// The child is reaped by `libc::wait4` (for its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn hook_measured(home: &Home, input: &Path) -> (Run, i64) {
    let mut child = Command::new(common::bin())
        .env("MCPPROXY_HOME", home.path())
        .args(["hook", "evaluate"])
        .stdin(std::fs::File::open(input).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let errs = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut stdout = String::new();
    out.read_to_string(&mut stdout).unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    let stderr = errs.join().unwrap();
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    (Run { code, stdout, stderr }, usage.ru_maxrss)
}

/// Stream a Claude Code payload to a file: `body` writes the `tool_input` and (for a Post)
/// `tool_response` members, so no large value is ever held here.
fn payload_file(dir: &Path, name: &str, head: Value, body: impl FnOnce(&mut dyn Write)) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let head = head.to_string();
    f.write_all(&head.as_bytes()[..head.len() - 1]).unwrap();
    body(&mut f);
    f.write_all(b"}").unwrap();
    f.flush().unwrap();
    path
}

fn head(session: &str, event: &str, tool: &str) -> Value {
    json!({"session_id": session, "cwd": "/repo", "hook_event_name": event, "tool_name": tool})
}

/// A PostToolUse of an MCP query whose response is `n` small rows, the first holding the key.
fn million_rows(dir: &Path, session: &str, n: usize) -> PathBuf {
    payload_file(dir, "rows.json", head(session, "PostToolUse", "mcp__db__query"), |f| {
        write!(f, r#","tool_input":{{"sql":"select * from t"}},"tool_response":["#).unwrap();
        write!(f, r#"{{"id":0,"name":"row 0","api_key":"{STRIPE}"}}"#).unwrap();
        for i in 1..n {
            write!(f, r#",{{"id":{i},"name":"row {i}"}}"#).unwrap();
        }
        f.write_all(b"]").unwrap();
    })
}

/// A home whose deadline leaves room for a loaded machine: these tests are about memory and
/// the decision of a full evaluation (the deadline's own answer is tested elsewhere).
fn generous_home() -> Home {
    let home = Home::new();
    home.write_config(r#"{"deadline_ms": 9000}"#);
    home
}

fn sensitivity(home: &Home, session: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    let mut stmt = conn.prepare("SELECT sensitivity FROM sources WHERE session_id = ?1 ORDER BY id").unwrap();
    stmt.query_map([session], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_million_item_response_costs_bounded_memory_and_is_recorded() {
    let home = generous_home();
    let input = million_rows(home.path(), "m", 1_000_000);
    let (run, rss) = hook_measured(&home, &input);
    assert!(rss < RSS_BOUND_KB, "peak RSS {rss} KiB for a 1,000,000-item response");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert!(run.stderr.contains("the rest was not read"), "{}", run.stderr);
    // What was read is recorded: the key in the first row is known, its leak denied...
    let (d, reason) = decision(&home.hook(&leak("m"))).expect("leak decided");
    assert_eq!(d, "deny", "{reason}");
    assert!(reason.contains("stripe"), "{reason}");
    // ...and the cut response is on record as such.
    assert!(sensitivity(&home, "m").iter().any(|s| s.contains("cut-by-input-cap")), "{:?}", sensitivity(&home, "m"));
}

#[test]
fn a_25_mb_payload_costs_bounded_memory() {
    let home = generous_home();
    home.hook(&read_env("big"));
    // A Pre whose one argument is 25 MiB: more than the parser keeps, so not fully checked.
    let input = payload_file(home.path(), "pre.json", head("big", "PreToolUse", "WebFetch"), |f| {
        f.write_all(br#","tool_input":{"url":"https://docs.example.org/","prompt":""#).unwrap();
        for _ in 0..25 * 1024 {
            f.write_all("summarise this text please ".repeat(38).as_bytes()).unwrap();
        }
        f.write_all(br#""}"#).unwrap();
    });
    assert!(std::fs::metadata(&input).unwrap().len() > 25 * 1024 * 1024);
    let (run, rss) = hook_measured(&home, &input);
    assert!(rss < RSS_BOUND_KB, "peak RSS {rss} KiB for a 25 MiB Pre");
    let (d, reason) = decision(&run).unwrap_or_else(|| panic!("no decision: {}", run.stderr));
    assert_eq!(d, "ask", "{reason}");
    assert!(reason.contains("cannot be fully checked"), "{reason}");

    // A 25 MiB Read whose first line is a key: bounded, recorded, the key's leak denied.
    let input = payload_file(home.path(), "post.json", head("big2", "PostToolUse", "Read"), |f| {
        f.write_all(br#","tool_input":{"file_path":"/repo/big.log"},"tool_response":{"type":"text","file":{"filePath":"/repo/big.log","content":""#).unwrap();
        write!(f, "STRIPE_SECRET_KEY={STRIPE}\\n").unwrap();
        for _ in 0..1_000_000 {
            f.write_all(b"lorem ipsum dolor sit amet\\n").unwrap();
        }
        f.write_all(br#""}}"#).unwrap();
    });
    assert!(std::fs::metadata(&input).unwrap().len() > 25 * 1024 * 1024);
    let (run, rss) = hook_measured(&home, &input);
    assert!(rss < RSS_BOUND_KB, "peak RSS {rss} KiB for a 25 MiB Post");
    assert_eq!(run.stdout, "");
    let (d, reason) = decision(&home.hook(&leak("big2"))).expect("leak decided");
    assert_eq!(d, "deny", "{reason}");
}

#[test]
fn a_pre_cut_at_the_input_cap_asks_in_a_holding_session_only() {
    let home = Home::new();
    home.write_config(r#"{"max_input_bytes": 262144}"#);
    home.hook(&read_env("cap"));
    let prompt = "x".repeat(400 * 1024);
    let pre = |session: &str| {
        payload(session, "PreToolUse", "WebFetch", json!({"url": "https://docs.example.org/", "prompt": prompt}), None)
            .to_string()
            .into_bytes()
    };
    let run = home.hook_bytes(&pre("cap"));
    let (d, reason) = decision(&run).unwrap_or_else(|| panic!("no decision: {}", run.stderr));
    assert_eq!(d, "ask", "{reason}");
    assert!(reason.contains("max_input_bytes") && reason.contains("262144"), "{reason}");
    // A session that read nothing: silent, as for any call that cannot be fully checked.
    let run = home.hook_bytes(&pre("clean"));
    assert_eq!(run.stdout, "", "{}", run.stderr);
    // A Post cut at the cap in a clean session marks it as holding: never silently clean.
    let post = payload(
        "cut",
        "PostToolUse",
        "WebFetch",
        json!({"url": "https://docs.example.org/"}),
        Some(json!({"result": "y".repeat(400 * 1024)})),
    );
    assert_eq!(home.hook(&post).stdout, "");
    assert!(sensitivity(&home, "cut").iter().any(|s| s.contains("cut-by-input-cap")));
    let run = home.hook_bytes(&pre("cut"));
    assert_eq!(decision(&run).map(|d| d.0).as_deref(), Some("ask"), "{}", run.stderr);
}

#[test]
fn normal_sizes_are_unchanged() {
    let home = Home::new();
    let text = "lorem ipsum dolor sit amet\n".repeat(1024 * 1024 / 27);
    let post = read_post("n", "/repo/notes.txt", &text);
    let run = home.hook(&post);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    assert_eq!(sensitivity(&home, "n"), vec![String::new()], "recorded, not marked as cut");
    let fetch =
        payload("n", "PreToolUse", "WebFetch", json!({"url": "https://docs.example.org/", "prompt": "summary"}), None);
    let run = home.hook(&fetch);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    // The same session, a real leak after a normal read of a secret: still denied.
    home.hook(&read_env("n"));
    assert_eq!(decision(&home.hook(&leak("n"))).map(|d| d.0).as_deref(), Some("deny"));
}
