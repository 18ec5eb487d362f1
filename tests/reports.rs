//! `hook status`, `activity`, `sessions` and `config` against a database filled by replaying dev
//! scenarios A01 (a .env secret sent to a WebFetch URL: deny) and B04 (the same read, then a
//! clean docs fetch: no opinion) through the binary.

mod common;
use common::*;
use serde_json::Value;

fn replay(home: &Home, scenario: &str) {
    let text = std::fs::read_to_string(fixtures().join("corpus/scenarios").join(scenario)).unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let ev: Value = serde_json::from_str(line).unwrap();
        let p = scenario_payload(&ev, None);
        assert_eq!(home.hook(&p).code, 0);
    }
}

fn replayed() -> Home {
    let home = Home::new();
    replay(&home, "A01_env_whole_value_webfetch.jsonl");
    replay(&home, "B04_env_read_then_clean_docs_fetch.jsonl");
    home
}

fn run(home: &Home, args: &[&str]) -> Run {
    let empty = tempfile::tempdir().unwrap();
    let out = home.cmd().env("HOME", empty.path()).current_dir(empty.path()).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr))
}

#[test]
fn activity_list_filters_and_fits_80_columns() {
    let home = replayed();
    let r = run(&home, &["activity", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1 + 9, "{}", r.stdout);
    for line in r.stdout.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line:?}");
    }
    assert!(r.stdout.contains("deny"), "{}", r.stdout);

    let rows = json(&run(&home, &["activity", "list", "--decision", "deny", "--json"]));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["tool"], "WebFetch");
    assert_eq!(rows[0]["session_id"], "scn-a01-08b7435f");

    let rows = json(&run(&home, &["activity", "list", "--session", "scn-b04", "--tool", "Web*", "--json"]));
    assert_eq!(rows.as_array().unwrap().len(), 2);
    let rows = json(&run(&home, &["activity", "list", "--since", "1h", "--limit", "3", "--json"]));
    assert_eq!(rows.as_array().unwrap().len(), 3);
    let rows = json(&run(&home, &["activity", "list", "--since", "4000000000", "--json"]));
    assert!(rows.as_array().unwrap().is_empty());
    let bad = run(&home, &["activity", "list", "--since", "3y"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
}

#[test]
fn activity_show_explains_the_deny_and_export_is_jsonl() {
    let home = replayed();
    let rows = json(&run(&home, &["activity", "list", "--decision", "deny", "--json"]));
    let id = rows[0]["id"].as_i64().unwrap().to_string();

    let r = run(&home, &["activity", "show", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        "DENY",
        "WebFetch",
        "secret",
        "rule policy.secret",
        "/repo/.env",
        "destination",
        "env-check.dev-tools.io",
        "url",
    ] {
        assert!(r.stdout.contains(needle), "missing {needle}:\n{}", r.stdout);
    }
    assert!(!r.stdout.contains("sk_live_"), "a secret value was printed");

    let v = json(&run(&home, &["activity", "show", &id, "--json"]));
    assert_eq!(v["activity"]["decision"], "deny");
    let flow = &v["flows"][0];
    assert_eq!(flow["action"], "deny");
    assert_eq!(flow["sink_field"], "url");
    assert_eq!(flow["source"]["tool"], "Read");

    let missing = run(&home, &["activity", "show", "999999"]);
    assert_ne!(missing.code, 0);

    let r = run(&home, &["activity", "export", "--format", "jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<Value> = r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 9);
    assert!(lines.iter().all(|l| l["flows"].is_array() && l["time"].is_string()));
    assert_eq!(lines.iter().filter(|l| !l["flows"].as_array().unwrap().is_empty()).count(), 1);
    assert!(!r.stdout.contains("sk_live_"));
}

#[test]
fn sessions_list_show_and_graph() {
    let home = replayed();
    let r = run(&home, &["sessions", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("scn-a01-08b7435f") && r.stdout.contains("scn-b04-35be96d1"), "{}", r.stdout);
    assert!(r.stdout.lines().all(|l| l.chars().count() <= 80), "{}", r.stdout);

    let list = json(&run(&home, &["sessions", "list", "--json"]));
    let a01 = list.as_array().unwrap().iter().find(|s| s["id"] == "scn-a01-08b7435f").unwrap();
    assert_eq!((a01["sources"].as_i64(), a01["flows"].as_i64(), a01["deny"].as_i64()), (Some(2), Some(1), Some(1)));
    assert_eq!(a01["agent"], "claude-code");

    let r = run(&home, &["sessions", "show", "scn-a01"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("/repo/.env") && r.stdout.contains("CONTRIBUTING.md"), "{}", r.stdout);

    let g = run(&home, &["sessions", "show", "scn-a01-08b7435f", "--graph"]);
    assert_eq!(g.code, 0, "{}", g.stderr);
    assert!(g.stdout.starts_with("flowchart LR\n"), "{}", g.stdout);
    assert!(g.stdout.contains("-->|\"deny: secret in url"), "{}", g.stdout);
    assert!(g.stdout.contains("WebFetch"), "{}", g.stdout);

    let ambiguous = run(&home, &["sessions", "show", "scn-"]);
    assert_ne!(ambiguous.code, 0);
    assert!(ambiguous.stderr.contains("several"), "{}", ambiguous.stderr);
}

#[test]
fn status_reports_database_and_missing_install() {
    let home = replayed();
    let r = run(&home, &["hook", "status"]);
    // Nothing is installed in the empty HOME and project: broken, with the fix printed.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("mcpproxy hook install --agent claude-code --scope user"), "{}", r.stdout);
    assert!(r.stdout.contains("2 tracked"), "{}", r.stdout);
    assert!(r.stdout.contains("schema v"), "{}", r.stdout);

    let v = json(&run(&home, &["hook", "status", "--json"]));
    assert_eq!(v["database"]["sessions"], 2);
    assert_eq!(v["database"]["coverage"], "hooks");
    let deny = v["database"]["decisions_24h"].as_array().unwrap().iter().find(|d| d[0] == "deny").unwrap();
    assert_eq!(deny[1], 1);
    assert_eq!(v["hooks"].as_array().unwrap().len(), 9);
}

#[test]
fn status_is_clean_after_install_and_flags_a_broken_command() {
    let home = replayed();
    let user_home = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    let go = |args: &[&str]| {
        let out = home.cmd().env("HOME", user_home.path()).current_dir(project.path()).args(args).output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    assert_eq!(go(&["hook", "install", "--scope", "user"]).0, 0);
    let (code, out) = go(&["hook", "status"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("installed") && out.contains("ok: no problems found"), "{out}");

    // Point the installed hook at a binary that does not exist and narrow a matcher.
    let file = user_home.path().join(".claude/settings.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let exe = assert_cmd::cargo::cargo_bin("mcpproxy");
    let broken = text.replace(exe.to_str().unwrap(), "/nonexistent/mcpproxy").replacen("\"*\"", "\"Bash|Read\"", 1);
    std::fs::write(&file, broken).unwrap();
    let (code, out) = go(&["hook", "status"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("/nonexistent/mcpproxy (MISSING)"), "{out}");
    let (_, json_out) = go(&["hook", "status", "--json"]);
    let v: Value = serde_json::from_str(&json_out).unwrap();
    let problems: Vec<&str> =
        v["problems"].as_array().unwrap().iter().map(|p| p["problem"].as_str().unwrap()).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("`/nonexistent/mcpproxy`, which is not an executable file"));
    assert!(
        problems[1].contains("matcher \"Bash|Read\" (PreToolUse) misses tools mcpproxy must see")
            && problems[1].contains("WebFetch"),
        "{problems:?}"
    );
    assert_eq!(v["hooks"][0]["uncovered_tools"][0].as_str().unwrap().split(':').next(), Some("PreToolUse"));
    assert!(out.contains("fix: mcpproxy hook install --agent claude-code --scope user"), "{out}");
    // Reinstalling fixes both.
    assert_eq!(go(&["hook", "install", "--scope", "user"]).0, 0);
    assert_eq!(go(&["hook", "status"]).0, 0);

    // Invalid JSON in a settings file is reported as broken.
    std::fs::write(&file, "{oops").unwrap();
    let (code, out) = go(&["hook", "status"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("repair the JSON"), "{out}");
}

#[test]
fn config_show_path_check() {
    let home = Home::new();
    let r = run(&home, &["config", "path"]);
    assert_eq!(r.stdout.trim(), home.path().join("config.json").display().to_string());

    let v = json(&run(&home, &["config", "show", "--json"]));
    assert_eq!(v["exists"], false);
    assert_eq!(v["config"]["policy"]["secret"], "deny");
    assert_eq!(v["config"]["lock_timeout_ms"], 2000);
    assert_eq!(run(&home, &["config", "check"]).code, 0);

    home.write_config(r#"{"fail_closed": true, "policy": {"pii": "deny"}}"#);
    let v = json(&run(&home, &["config", "show", "--json"]));
    assert_eq!(v["config"]["fail_closed"], true);
    assert_eq!(v["config"]["policy"]["pii"], "deny");
    assert_eq!(v["keys_set"], serde_json::json!(["fail_closed", "policy.pii"]));
    let human = run(&home, &["config", "show"]);
    assert!(human.stdout.contains("set there: fail_closed, policy.pii"), "{}", human.stdout);

    home.write_config(r#"{"fail_closed": true, "colector_hosts": []}"#);
    let r = run(&home, &["config", "check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("`colector_hosts`"), "{}", r.stderr);
    home.write_config(r#"{"policy": {"secret": "block"}}"#);
    let r = run(&home, &["config", "check"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("`policy.secret`"), "{}", r.stderr);
}
