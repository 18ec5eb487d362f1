//! Private-content accounting counts what leaves, once: a span held by several sources is one
//! span, and text that many different files share (a licence or generated header, a lint
//! block) is boilerplate. Controls: a real chunk of one private file still asks.

mod common;
use common::*;
use serde_json::json;

const HEADER: &str = "// This file is part of Acme Platform. For terms of use, please see the file\n\
// called LICENSE at the top level of the Acme Platform source tree\n\
// (online at: https://git.acme.example/platform/blob/main/LICENSE ).\n\
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]\n";

/// Distinct private text: a module body unlike the other files' (numbers keep it distinct).
fn body(n: usize) -> String {
    (0..40)
        .map(|i| {
            format!("pub fn ledger_entry_{n}_{i}(account: u64) -> u64 {{ account * {} + {} }}\n", n * 31 + i, i * 7)
        })
        .collect()
}

fn read(home: &Home, path: &str, content: &str) {
    let response = json!({"type": "text", "file": {"filePath": path, "content": content}});
    let ev = payload("s", "PostToolUse", "Read", json!({ "file_path": path }), Some(response));
    assert_eq!(decision(&home.hook(&ev)), None, "{path}");
}

fn issue(home: &Home, text: &str) -> Option<(String, String)> {
    let command = format!("gh issue create --repo acme/other --title t --body-file - <<'EOF'\n{text}\nEOF");
    decision(&home.hook(&payload("s", "PreToolUse", "Bash", json!({ "command": command }), None)))
}

#[test]
fn a_header_shared_by_many_files_is_boilerplate_and_a_span_counts_once() {
    let home = Home::new();
    for n in 0..6 {
        read(&home, &format!("/repo/src/m{n}.rs"), &format!("{HEADER}\n{}", body(n)));
    }
    // The header every file holds, quoted in an issue: not any file's private text.
    assert_eq!(issue(&home, &format!("Every module starts with:\n{HEADER}")), None);
    // The same private span read through two tools is one span: 150 chars of one module,
    // below the 200-char bar, stay quiet even though two sources hold them.
    let part: String = body(2).chars().take(150).collect();
    let grep = json!({"stdout": part, "stderr": ""});
    home.hook(&payload("s", "PostToolUse", "Bash", json!({"command": "grep -n ledger src/m2.rs"}), Some(grep)));
    assert_eq!(issue(&home, &part), None);
    // A real chunk of one module still asks.
    let chunk: String = body(3).chars().take(1200).collect();
    let (d, reason) = issue(&home, &chunk).expect("a module's body leaving");
    assert_eq!(d, "ask", "{reason}");
    assert!(reason.contains("private content from Read /repo/src/m3.rs"), "{reason}");
}

#[test]
fn words_inside_a_hand_written_key_are_no_fragment_of_it() {
    let home = Home::new();
    let key = "sk_live_51QzAttackerOwnedAccountKeyT9vX2mLq8RwYe4Np7Bs3Hd6Kf1Gj5Zc0Va";
    read(&home, "/repo/tests/fixture.rs", &format!("let attacker = \"{key}\";\n"));
    let fetch = |q: &str| {
        let url = format!("https://docs.rs/regex/latest/regex/?search={q}");
        decision(&home.hook(&payload("s", "PreToolUse", "WebFetch", json!({"url": url, "prompt": "How?"}), None)))
    };
    // Words the key happens to hold, searched one after another: no fragment, no pieces.
    for word in ["attacker", "Attacker", "AttackerO", "owned", "account", "Account"] {
        assert_eq!(fetch(word), None, "{word}");
    }
    // Its random part is still a fragment of it.
    let (d, reason) = fetch("51QzAttackerOwned").expect("a fragment with the key's random part");
    assert_eq!(d, "deny", "{reason}");
    assert!(reason.contains("stripe-secret-key"), "{reason}");
}
