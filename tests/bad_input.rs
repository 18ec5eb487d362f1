//! Infrastructure failures never block by default: exit 0, nothing on stdout, one stderr line.
//! With `fail_closed: true` a PreToolUse call is denied with the reason instead.

mod common;
use common::*;
use serde_json::json;

fn assert_fail_open(run: &Run, needle: &str) {
    assert_eq!(run.code, 0, "exit code; stderr: {}", run.stderr);
    assert_eq!(run.stdout, "", "stdout must stay empty");
    assert_eq!(run.stderr.lines().count(), 1, "exactly one stderr line, got: {:?}", run.stderr);
    assert!(run.stderr.starts_with("mcpproxy: "), "{}", run.stderr);
    assert!(run.stderr.contains(needle), "stderr {:?} should mention {needle:?}", run.stderr);
}

#[test]
fn bytes_that_are_no_json_object_fail_open() {
    let full = std::fs::read(fixtures().join("claude-code/pre_webfetch.json")).unwrap();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let cases: [(&str, &[u8], &str); 4] = [
        ("malformed json", b"{\"hook_event_name\": PreToolUse}", "not valid JSON"),
        ("truncated json", &full[..full.len() / 2], "not valid JSON"),
        ("zero bytes", b"", "empty hook input"),
        ("binary garbage", &garbage, "not valid JSON"),
    ];
    for (case, bytes, needle) in cases {
        let home = Home::new();
        let run = home.hook_bytes(bytes);
        assert_eq!(run.code, 0, "{case}: exit code; stderr: {}", run.stderr);
        assert_fail_open(&run, needle);
    }
}

#[test]
fn missing_fields() {
    let home = Home::new();
    assert_fail_open(&home.hook(&json!({"tool_name": "Read"})), "hook_event_name");
    assert_fail_open(&home.hook(&json!({"hook_event_name": "PreToolUse"})), "tool_name");
    assert_fail_open(&home.hook(&json!(["PreToolUse"])), "not a JSON object");
}

#[test]
fn unknown_event() {
    let home = Home::new();
    assert_fail_open(
        &home.hook(&json!({"hook_event_name": "Stop", "tool_name": "Read"})),
        "unsupported hook event `Stop`",
    );
}

#[test]
fn unknown_tool_is_silent() {
    let home = Home::new();
    let run = home.hook(&payload("s1", "PreToolUse", "FrobnicateTheWidget", json!({"x": 1}), None));
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    let run =
        home.hook(&payload("s1", "PostToolUse", "FrobnicateTheWidget", json!({"x": 1}), Some(json!("some output"))));
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
}

#[test]
fn twenty_megabyte_response_is_recorded_in_bounds() {
    let home = Home::new();
    let big = "lorem ipsum dolor sit amet 0123456789 ".repeat(20 * 1024 * 1024 / 38);
    let run = home.hook(&payload(
        "s1",
        "PostToolUse",
        "Read",
        json!({"file_path": "/repo/big.txt"}),
        Some(json!({"type": "text", "file": {"filePath": "/repo/big.txt", "content": big}})),
    ));
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    // Bounded: at most max_source_bytes (8 MiB) of the response is recorded.
    let bytes = home.sql_count("SELECT bytes FROM sources");
    assert!(bytes <= 8 * 1024 * 1024 + 1, "{bytes}");
}

#[test]
fn fail_closed_turns_failures_into_deny() {
    let home = Home::new();
    home.write_config(r#"{"fail_closed": true}"#);
    let run = home.hook_bytes(b"{not json");
    let (d, reason) = decision(&run).expect("fail-closed deny");
    assert_eq!(d, "deny");
    assert!(reason.contains("not valid JSON"), "{reason}");
    assert_eq!(run.stderr.lines().count(), 1);
}

#[test]
fn bad_config_fails_open_naming_the_key() {
    let home = Home::new();
    home.write_config(r#"{"fail_closd": true}"#);
    assert_fail_open(&home.hook(&payload("s", "PreToolUse", "Read", json!({}), None)), "`fail_closd`");
    home.write_config(r#"{"lock_timeout_ms": "soon"}"#);
    assert_fail_open(&home.hook(&payload("s", "PreToolUse", "Read", json!({}), None)), "`lock_timeout_ms`");
}

#[test]
fn locked_database_fails_open_after_bounded_wait() {
    use fs2::FileExt;
    let home = Home::new();
    home.write_config(r#"{"lock_timeout_ms": 300}"#);
    // Create the database first.
    home.hook(&payload("s", "PreToolUse", "Read", json!({}), None));
    let lock = std::fs::OpenOptions::new().write(true).open(home.path().join("mcpproxy.db.lock")).unwrap();
    lock.lock_exclusive().unwrap();
    let started = std::time::Instant::now();
    let run = home.hook(&payload("s", "PreToolUse", "WebFetch", json!({"url": "https://x.example"}), None));
    // The check reads a snapshot without the lock: it is answered at once and in full (no
    // opinion here); only its activity row waits, in the spool, for the next writer.
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    assert_eq!(std::fs::read_dir(home.path().join("spool")).unwrap().count(), 1);
    fs2::FileExt::unlock(&lock).unwrap();
    home.hook(&payload("s", "PreToolUse", "Read", json!({}), None));
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM activity WHERE tool = 'WebFetch'"), 1);
}

#[test]
fn corrupt_database_is_moved_aside_not_deleted() {
    let home = Home::new();
    std::fs::write(
        home.db(),
        b"this is not a sqlite database, just garbage bytes ......................................",
    )
    .unwrap();
    let run = home.hook(&payload("s", "PreToolUse", "Read", json!({}), None));
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("corrupt"), "{}", run.stderr);
    let aside: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    let kept = std::fs::read(home.path().join(&aside[0])).unwrap();
    assert!(kept.starts_with(b"this is not a sqlite database"));
    // The fresh database works.
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM activity"), 1);
}

#[test]
fn newer_schema_is_refused_without_touching_the_file() {
    let home = Home::new();
    home.hook(&payload("s", "PreToolUse", "Read", json!({}), None));
    {
        let conn = rusqlite::Connection::open(home.db()).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    assert_fail_open(&home.hook(&payload("s", "PreToolUse", "Read", json!({}), None)), "newer than this mcpproxy");
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 999);
}

#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let state = home.path().join("state");
    let run = home
        .cmd()
        .env("MCPPROXY_HOME", &state)
        .args(["hook", "evaluate"])
        .write_stdin(payload("s", "PreToolUse", "Read", json!({}), None).to_string())
        .output()
        .unwrap();
    assert!(run.status.success());
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&state.join("mcpproxy.db")), 0o600);
    assert_eq!(mode(&state.join("mcpproxy.db.lock")), 0o600);
}

/// A WebFetch hook call whose evaluation panics (the debug knob).
fn hook_panicking(home: &Home) -> Run {
    let ev = payload("s", "PreToolUse", "WebFetch", json!({"url": "https://x.example"}), None);
    home.hook_with_debug(("MCPPROXY_DEBUG_PANIC", "1"), &ev)
}

#[test]
fn a_panic_fails_open_with_one_stderr_line() {
    let home = Home::new();
    let run = hook_panicking(&home);
    assert_eq!(run.code, 0);
    assert!(run.stdout.is_empty());
    let stderr = &run.stderr;
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("mcpproxy: internal error, allowing the call: "), "{stderr}");
}

#[test]
fn a_panic_denies_under_fail_closed() {
    let home = Home::new();
    home.write_config(r#"{"fail_closed": true}"#);
    let run = hook_panicking(&home);
    assert_eq!(run.code, 0);
    let (d, reason) = decision(&run).expect("fail-closed deny");
    assert_eq!(d, "deny");
    assert!(reason.contains("internal error"), "{reason}");
    assert!(run.stderr.starts_with("mcpproxy: internal error, denying the call: "), "{}", run.stderr);
}
