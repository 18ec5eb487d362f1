//! Every Claude Code fixture payload through the real binary with a fresh home.

mod common;
use common::*;
use serde_json::Value;

#[test]
fn every_claude_code_fixture_exits_zero_without_allow() {
    let dir = fixtures().join("claude-code");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 30, "expected the full fixture set, found {}", files.len());
    for f in files {
        let home = Home::new();
        let bytes = std::fs::read(&f).unwrap();
        let run = home.hook_bytes(&bytes);
        assert_eq!(run.code, 0, "{}: {}", f.display(), run.stderr);
        assert!(!run.stdout.contains("allow"), "{}: {}", f.display(), run.stdout);
        assert!(run.stderr.is_empty(), "{}: unexpected stderr {}", f.display(), run.stderr);
        let input: Value = serde_json::from_slice(&bytes).unwrap();
        let event = input["hook_event_name"].as_str().unwrap();
        if event == "PreToolUse" {
            // A fresh session has read nothing, so nothing can leak.
            assert_eq!(decision(&run), None, "{}", f.display());
        } else {
            assert!(run.stdout.is_empty(), "{}: post events print nothing", f.display());
        }
        // Every evaluation leaves one activity row.
        assert_eq!(home.sql_count("SELECT COUNT(*) FROM activity"), 1, "{}", f.display());
    }
}

#[test]
fn post_fixtures_record_sources() {
    let home = Home::new();
    for name in [
        "post_read.json",
        "post_bash.json",
        "post_grep.content.json",
        "post_mcp.github_get_issue.legacy-2025-08.json",
        "post_webfetch.json",
        "post_tool_use_failure.bash.json",
    ] {
        let run = home.hook_bytes(&std::fs::read(fixtures().join("claude-code").join(name)).unwrap());
        assert_eq!(run.code, 0);
        assert!(run.stdout.is_empty());
    }
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM sources"), 6);
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM sources WHERE origin = 'public'"), 1);
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM fingerprints"), 6);
}
