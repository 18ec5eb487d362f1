//! Parallel hook processes (Claude Code runs hooks of parallel tool calls at once) lose no
//! writes and never surface "database is locked".

mod common;
use common::*;
use serde_json::json;
use std::io::Write;

#[test]
fn thirty_two_parallel_posts_are_all_recorded() {
    let home = Home::new();
    let mut children = Vec::new();
    for i in 0..32 {
        let path = format!("/repo/src/module_{i}.rs");
        let content = module_text(i);
        let ev = read_post("parallel-session", &path, &content);
        let mut child = spawn_hook(home.path());
        child.stdin.take().unwrap().write_all(ev.to_string().as_bytes()).unwrap();
        children.push(child);
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "stderr: {stderr}");
    }
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM sources WHERE session_id = 'parallel-session'"), 32);
    assert_eq!(home.sql_count("SELECT COUNT(DISTINCT location) FROM sources"), 32);
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM activity"), 32);
    assert_eq!(home.sql_count("SELECT COUNT(*) FROM fingerprints"), 32);
    // Every source is found again: its content sent out is attributed to it.
    for i in 0..32 {
        let ev = payload(
            "parallel-session",
            "PreToolUse",
            "mcp__slack__post_message",
            json!({"channel": "C1", "text": module_text(i)}),
            None,
        );
        let run = home.hook(&ev);
        let (d, reason) = decision(&run).unwrap_or_else(|| panic!("module_{i} not found"));
        assert_eq!(d, "ask");
        assert!(reason.contains(&format!("/repo/src/module_{i}.rs")), "{reason}");
        let n = home.sql_count(&format!("SELECT COUNT(*) FROM sources WHERE location = '/repo/src/module_{i}.rs'"));
        assert_eq!(n, 1, "module_{i}");
    }
}

/// Distinct private content per module, long enough to count as a substantial span.
fn module_text(i: usize) -> String {
    let mut s = format!("// module {i}: internal billing rules\n");
    for line in 0..8 {
        s.push_str(&format!(
            "pub fn rule_{i}_{line}(x: u64) -> u64 {{ x.wrapping_mul({}) ^ {} }}\n",
            7919 * (i + 3) + line,
            104729 * (line + 1) + i
        ));
    }
    s
}
