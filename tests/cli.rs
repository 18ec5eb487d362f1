//! The command line as a user meets it: closed pipes, choice flags, ids that round-trip, tables
//! that fit the terminal, colour, `scan` on files and folders in three formats, CSV export,
//! `config check --json`, a bad flag to `hook evaluate`, and exit codes in every `--help`.

mod common;
use common::*;
use serde_json::Value;
use std::os::fd::FromRawFd;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

const AWS: &str = "AKIAW6KIUFSRT3K4KF5E";

fn replay(home: &Home, scenario: &str) {
    let text = std::fs::read_to_string(fixtures().join("corpus/scenarios").join(scenario)).unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let ev: Value = serde_json::from_str(line).unwrap();
        assert_eq!(home.hook(&scenario_payload(&ev, None)).code, 0);
    }
}

/// A workspace whose database holds scenarios A01 (a deny) and B04 (no objection).
fn replayed() -> Workspace {
    let w = Workspace::new();
    replay(&w.state, "A01_env_whole_value_webfetch.jsonl");
    replay(&w.state, "B04_env_read_then_clean_docs_fetch.jsonl");
    w
}

/// Run with stdout on a pipe whose reader is already gone.
fn closed_stdout(mut cmd: Command) -> (std::process::ExitStatus, String) {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    unsafe { libc::close(fds[0]) };
    let writer = unsafe { std::fs::File::from_raw_fd(fds[1]) };
    let out = cmd.stdout(writer).stdin(Stdio::null()).stderr(Stdio::piped()).output().unwrap();
    (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_closed_pipe_never_panics() {
    let w = replayed();
    for args in [
        &["config", "show"][..],
        &["hook", "status"],
        &["activity", "list"],
        &["activity", "export"],
        &["sessions", "list"],
        &["sessions", "show", "scn-a01"],
        &["--help"],
    ] {
        let mut cmd = w.cmd();
        cmd.args(args);
        let (status, stderr) = closed_stdout(cmd);
        // Like any Unix filter: ended by SIGPIPE (the shell shows 141), no panic (101).
        assert_eq!((status.code(), status.signal()), (None, Some(libc::SIGPIPE)), "{args:?}: {status:?} {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
    // The hook itself still exits 0, also when the agent stopped reading.
    let mut cmd = w.cmd();
    cmd.args(["hook", "evaluate"]);
    let (status, stderr) = closed_stdout(cmd);
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn choice_flags_list_their_values() {
    let w = replayed();
    let r = w.run(&["activity", "list", "--decision", "blocked"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("invalid value 'blocked' for '--decision <DECISION>'")
            && r.stderr.contains("[possible values: deny, ask, none, record, error]"),
        "{}",
        r.stderr
    );
    let r = w.run(&["activity", "export", "--format", "xml"]);
    assert!(r.code == 2 && r.stderr.contains("[possible values: jsonl, csv]"), "{}", r.stderr);
    let r = w.run(&["scan", "--format", "html"]);
    assert!(r.code == 2 && r.stderr.contains("[possible values: text, json, sarif]"), "{}", r.stderr);
    let rows: Value =
        serde_json::from_str(&w.run(&["activity", "list", "--decision", "none", "--json"]).stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 4, "{rows}");
    assert!(rows.as_array().unwrap().iter().all(|r| r["decision"] == "none"));
}

#[test]
fn flow_ids_from_sessions_show_work_in_activity_show() {
    let w = replayed();
    let r = w.run(&["sessions", "show", "scn-a01"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let flow_line = r.stdout.lines().skip_while(|l| !l.starts_with("flows")).nth(1).unwrap();
    let id = flow_line.split_whitespace().next().unwrap();
    assert!(id.starts_with('a'), "{flow_line}");
    assert!(r.stdout.contains(&format!("explain a decision: mcpproxy activity show {id}")), "{}", r.stdout);
    let by_flow_id = w.run(&["activity", "show", id]);
    assert_eq!(by_flow_id.code, 0, "{}", by_flow_id.stderr);
    assert!(by_flow_id.stdout.starts_with(&format!("activity {}: DENY", &id[1..])), "{}", by_flow_id.stdout);
    assert_eq!(by_flow_id.stdout, w.run(&["activity", "show", &id[1..]]).stdout);
    let bad = w.run(&["activity", "show", "x5"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("expected an activity id such as 5"), "{}", bad.stderr);
}

#[test]
fn tables_fit_the_terminal_and_wide_prints_everything() {
    let w = replayed();
    let widest = |s: &str| s.lines().map(|l| l.chars().count()).max().unwrap();
    // Piped, no COLUMNS: 80.
    let narrow = w.run(&["activity", "list"]);
    assert!(widest(&narrow.stdout) <= 80, "{}", narrow.stdout);
    // What goes where comes first, so even 80 columns keep the destination of a deny.
    let deny = narrow.stdout.lines().find(|l| l.contains(" deny ")).expect("a deny row");
    assert!(deny.contains(" to env-check.dev-tools.io: "), "{}", narrow.stdout);
    // COLUMNS wins.
    let r = w.cmd().env("COLUMNS", "120").args(["activity", "list"]).output().unwrap();
    let wide_env = String::from_utf8(r.stdout).unwrap();
    assert!(widest(&wide_env) <= 120 && widest(&wide_env) > 80, "{wide_env}");
    // The source and flow lines of a session.
    let r = w.cmd().env("COLUMNS", "60").args(["sessions", "show", "scn-a01"]).output().unwrap();
    let text = String::from_utf8(r.stdout).unwrap();
    let entries: Vec<&str> = text.lines().filter(|l| l.starts_with("  #") || l.starts_with("  a")).collect();
    assert_eq!(entries.len(), 3, "{text}");
    assert!(entries.iter().all(|l| l.chars().count() <= 60), "{text}");
    assert_eq!(entries.iter().filter(|l| l.ends_with("...")).count(), 2, "{text}");
    // --wide: every cell whole, the deny's reason included.
    let wide = w.run(&["activity", "list", "--wide"]);
    assert!(wide.stdout.contains("to env-check.dev-tools.io: stripe-secret-key (secret) from "), "{}", wide.stdout);
    assert!(wide.stdout.contains("through WebFetch `url` [rule "), "{}", wide.stdout);
    assert!(wide.stdout.contains("scn-a01-08b7435f"), "{}", wide.stdout);
    let sessions = w.run(&["sessions", "show", "scn-a01", "--wide"]);
    assert!(!sessions.stdout.contains("..."), "{}", sessions.stdout);
    // A terminal: its own width.
    let mut cmd = w.cmd();
    cmd.args(["activity", "list"]).env("NO_COLOR", "1");
    let (code, out) = on_terminal(cmd, 100);
    assert_eq!(code, 0);
    assert!(widest(&out) <= 100 && widest(&out) > 80, "{out}");
}

#[test]
fn colour_only_on_a_terminal_without_no_color() {
    let w = replayed();
    let red_deny = "\x1b[31mdeny    \x1b[0m";
    let mut cmd = w.cmd();
    cmd.args(["activity", "list"]);
    let (code, out) = on_terminal(cmd, 80);
    assert_eq!(code, 0);
    assert!(out.contains(red_deny), "{out:?}");
    let mut cmd = w.cmd();
    cmd.args(["activity", "list"]).env("NO_COLOR", "1");
    let (_, out) = on_terminal(cmd, 80);
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(!w.run(&["activity", "list"]).stdout.contains('\x1b'));
    let mut cmd = w.cmd();
    cmd.args(["hook", "status"]);
    let (code, out) = on_terminal(cmd, 80);
    assert_eq!(code, 1);
    assert!(out.contains("\x1b[31mproblems (1):\x1b[0m"), "{out:?}");
}

/// A folder with a key in a dotenv file, a clean file, a key inside .git and one in a binary.
fn scan_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let key_file = format!("x\naws_access_key_id = {AWS}\n");
    write_file(&dir.path().join("app/.env"), &key_file);
    write_file(&dir.path().join("app/src/main.rs"), "fn main() {}\n");
    write_file(&dir.path().join(".git/config"), &key_file);
    let mut binary = b"\x7fELF\0\0".to_vec();
    binary.extend_from_slice(key_file.as_bytes());
    std::fs::write(dir.path().join("app/tool.bin"), binary).unwrap();
    dir
}

fn scan(dir: &Path, args: &[&str]) -> Run {
    Command::new(bin()).current_dir(dir).args(["scan"]).args(args).output().unwrap().into()
}

#[test]
fn scan_files_and_folders() {
    let tree = scan_tree();
    let r = scan(tree.path(), &["."]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "./app/.env:2:21: aws-access-key-id (secret), 20 chars at bytes 22..42\n\
         1 finding in 1 of 2 files (1 binary file skipped)\n"
    );
    assert!(!r.stdout.contains(AWS));
    let clean = scan(tree.path(), &["app/src", "app/src/main.rs"]);
    assert_eq!((clean.code, clean.stdout.as_str()), (0, "no findings in 2 files\n"));
    // A path that cannot be read: said on stderr, the rest still scanned, exit 2.
    let r = scan(tree.path(), &["missing.txt", "app"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, "mcpproxy scan: missing.txt: No such file or directory (os error 2)\n");
    assert!(r.stdout.starts_with("app/.env:2:21: aws-access-key-id"), "{}", r.stdout);
    // stdin, as before, and `-` for it among paths.
    let out = Command::new(bin())
        .args(["scan", "-", "app/src"])
        .current_dir(tree.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = out.unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("k = {AWS}\n").as_bytes()).unwrap();
    let out: Run = child.wait_with_output().unwrap().into();
    assert_eq!(
        out.stdout,
        "stdin:1:5: aws-access-key-id (secret), 20 chars at bytes 4..24\n1 finding in 1 of 2 files\n"
    );
}

#[test]
fn scan_json_and_sarif() {
    let tree = scan_tree();
    let json_out = scan(tree.path(), &["app", "--format", "json"]);
    assert_eq!(json_out.code, 1);
    let v: Value = serde_json::from_str(&json_out.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"count": 1, "findings": [{"type": "aws-access-key-id", "category": "secret", "start": 22,
            "end": 42, "length": 20, "line": 2, "column": 21, "path": "app/.env"}]})
    );
    assert_eq!(scan(tree.path(), &["app", "--json"]).stdout, json_out.stdout);
    let both = scan(tree.path(), &["app", "--json", "--format", "text"]);
    assert_eq!(both.code, 2, "{}", both.stderr);

    let sarif = scan(tree.path(), &["app", "--format", "sarif"]);
    assert_eq!(sarif.code, 1);
    assert!(!sarif.stdout.contains(AWS));
    let v: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "mcpproxy");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "aws-access-key-id");
    let result = &run["results"][0];
    assert_eq!((result["ruleId"].as_str(), result["level"].as_str()), (Some("aws-access-key-id"), Some("error")));
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "app/.env");
    assert_eq!(
        loc["region"],
        serde_json::json!({"startLine": 2, "startColumn": 21, "endLine": 2, "endColumn": 41, "byteOffset": 22, "byteLength": 20})
    );
    let clean = scan(tree.path(), &["app/src", "--format", "sarif"]);
    let v: Value = serde_json::from_str(&clean.stdout).unwrap();
    assert_eq!((clean.code, v["runs"][0]["results"].as_array().unwrap().len()), (0, 0));
}

#[test]
fn scan_refuses_a_terminal_on_stdin() {
    let (mut master, mut slave) = (0, 0);
    let rc =
        unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
    assert_eq!(rc, 0);
    let tty = unsafe { std::fs::File::from_raw_fd(slave) };
    let _master = unsafe { std::fs::File::from_raw_fd(master) };
    let out: Run = Command::new(bin()).arg("scan").stdin(tty).output().unwrap().into();
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "mcpproxy scan: nothing to scan: give files or folders (`mcpproxy scan PATH...`) or pipe text in \
         (`git diff | mcpproxy scan`)\n"
    );
}

#[test]
fn export_csv() {
    let w = replayed();
    // A tool name a spreadsheet would run as a formula.
    let conn = rusqlite::Connection::open(w.state.db()).unwrap();
    conn.execute(
        "INSERT INTO activity (ts, session_id, agent, event, tool, decision, reason, latency_us) \
         VALUES (1795502468, 'x', 'proxy', 'PreToolUse', '=HYPERLINK(\"http://e.example\",\"a, b\")', 'none', NULL, 5)",
        [],
    )
    .unwrap();
    drop(conn);
    let r = w.run(&["activity", "export", "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "id,time,ts,session_id,agent,event,tool,decision,reason,latency_us,flows,flow_kinds,destinations"
    );
    assert_eq!(lines.len(), 1 + 10);
    let deny = lines.iter().find(|l| l.contains(",deny,")).unwrap();
    assert!(deny.ends_with(",1,secret,env-check.dev-tools.io"), "{deny}");
    assert!(deny.contains(",claude-code,PreToolUse,WebFetch,deny,mcpproxy blocked: stripe-secret-key"), "{deny}");
    let formula = lines.last().unwrap();
    assert!(formula.contains(r#","'=HYPERLINK(""http://e.example"",""a, b"")",none,,5,0,,"#), "{formula}");
    assert!(!r.stdout.contains("sk_live_"));
    // With --decision, like jsonl.
    let r = w.run(&["activity", "export", "--format", "csv", "--decision", "deny"]);
    assert_eq!(r.stdout.lines().count(), 2);
}

#[test]
fn config_check_json() {
    let w = Workspace::new();
    let path = w.state.path().join("config.json");
    let v: Value = serde_json::from_str(&w.run(&["config", "check", "--json"]).stdout).unwrap();
    assert_eq!(v, serde_json::json!({"path": path, "exists": false, "valid": true, "keys_set": [], "error": null}));
    w.state.write_config(r#"{"fail_closed": true, "colector_hosts": []}"#);
    let r = w.run(&["config", "check", "--json"]);
    assert_eq!((r.code, r.stderr.as_str()), (1, ""));
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!((v["exists"].as_bool(), v["valid"].as_bool()), (Some(true), Some(false)));
    assert!(v["error"].as_str().unwrap().contains("`colector_hosts`"), "{v}");
}

#[test]
fn a_bad_flag_to_hook_evaluate_exits_0_with_one_stderr_line() {
    let w = Workspace::new();
    let event = std::fs::read(fixtures().join("claude-code/pre_bash.json")).unwrap();
    for args in [&["--bogus"][..], &["--agent", "claude"], &["extra"]] {
        let out = w.state.cmd().args(["hook", "evaluate"]).args(args).write_stdin(event.clone()).output().unwrap();
        let r: Run = out.into();
        assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{args:?}");
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("mcpproxy: hook evaluate: ") && r.stderr.contains("the call was not checked"),
            "{}",
            r.stderr
        );
    }
    let r: Run = w.state.cmd().args(["hook", "evaluate", "--bogus"]).output().unwrap().into();
    assert!(r.stderr.contains("unexpected argument '--bogus' found"), "{}", r.stderr);
    // Other commands keep the usual usage error.
    assert_eq!(w.run(&["hook", "status", "--bogus"]).code, 2);
}

/// Every command, as `--help` and the README's exit-code table name it.
const COMMANDS: &[&str] = &[
    "hook evaluate",
    "hook install",
    "hook uninstall",
    "hook status",
    "scan",
    "activity list",
    "activity show",
    "activity export",
    "sessions list",
    "sessions show",
    "config show",
    "config path",
    "config check",
    "proxy",
    "allow",
    "allow list",
    "allow revoke",
    "doctor",
];

#[test]
fn every_command_documents_its_exit_codes() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for command in COMMANDS {
        let r: Run = Command::new(bin()).args(command.split(' ')).arg("--help").output().unwrap().into();
        assert_eq!(r.code, 0, "{command}");
        let section = r.stdout.split("Exit status:\n").nth(1).unwrap_or_else(|| panic!("{command}: {}", r.stdout));
        assert!(section.starts_with("  0  "), "{command}: {section}");
        assert!(readme.contains(&format!("| `{command}` |")), "README exit-code table lacks `{command}`");
    }
}
