//! `mcpproxy doctor`: green on a fresh user-scope install (the canary through the installed
//! command is denied), red with the fix named on an invalid config or a missing binary.

mod common;
use common::*;
use serde_json::Value;

fn doctor(w: &Workspace) -> (Run, Value) {
    let text = w.run(&["doctor"]);
    let json = w.run(&["doctor", "--json"]);
    let v: Value = serde_json::from_str(&json.stdout).unwrap_or_else(|e| panic!("{e}: {}", json.stdout));
    assert_eq!(text.code, json.code);
    (text, v)
}

/// A user-scope Claude Code install under `config`, then `doctor`, which must find a problem.
fn red_doctor_with_config(config: &str) -> (Workspace, Run, Value) {
    let w = Workspace::new();
    w.succeed(&["hook", "install", "--scope", "user"]);
    w.state.write_config(config);
    let (r, v) = doctor(&w);
    assert_eq!(r.code, 1, "{}", r.stdout);
    (w, r, v)
}

fn fixes(v: &Value) -> Vec<String> {
    v["problems"].as_array().unwrap().iter().map(|p| p["fix"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn green_after_user_install_and_the_canary_is_denied() {
    let w = Workspace::new();
    w.succeed(&["hook", "install", "--scope", "user"]);
    let (r, v) = doctor(&w);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("canary      claude-code user: denied"), "{}", r.stdout);
    assert!(r.stdout.contains("ok: no problems found"), "{}", r.stdout);
    let canaries = v["canaries"].as_array().unwrap();
    assert_eq!(canaries.len(), 1, "{v}");
    let c = &canaries[0];
    assert_eq!(c["outcome"], "denied");
    assert!(c["session"].as_str().unwrap().starts_with("doctor-canary-"), "{c}");
    assert!(c["pre_stdout"].as_str().unwrap().contains("stripe-secret-key"), "{c}");
    // The canary went through the installed command into the user's own database, and a
    // canary that was denied is cleared from it: the user's log holds only the user's calls.
    assert_eq!(v["database"]["integrity"], "ok");
    assert_eq!(v["state"]["integrity"], "ok");
    assert_eq!(v["state"]["database_mode"], "0600");
    assert_eq!(w.state.sql_count("SELECT count(*) FROM activity WHERE session_id LIKE 'doctor-canary-%'"), 0);
    assert_eq!(w.state.sql_count("SELECT count(*) FROM sessions WHERE id LIKE 'doctor-canary-%'"), 0);
    assert_eq!(w.state.sql_count("SELECT count(*) FROM sources"), 0);
}

#[test]
fn green_for_codex_and_gemini_user_installs() {
    let w = Workspace::new();
    for agent in ["codex", "gemini"] {
        w.succeed(&["hook", "install", "--agent", agent, "--scope", "user"]);
    }
    let (r, v) = doctor(&w);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let outcomes: Vec<(String, String)> = v["canaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["agent"].as_str().unwrap().to_owned(), c["outcome"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(outcomes, [("codex".into(), "denied".into()), ("gemini".into(), "denied".into())]);
}

#[test]
fn red_on_an_invalid_config() {
    let (w, r, v) = red_doctor_with_config("{\"policy\": {\"secret\": 7}}");
    assert_eq!(v["config"]["valid"], false);
    let config = w.state.path().join("config.json");
    assert_eq!(fixes(&v), [format!("repair {} (`mcpproxy config check` names the bad key)", config.display())]);
    assert!(r.stdout.contains("INVALID (the hook runs on defaults)"), "{}", r.stdout);
    assert!(r.stdout.contains("policy.secret"), "{}", r.stdout);
}

#[test]
fn red_when_the_installed_command_points_at_a_missing_binary() {
    let w = Workspace::new();
    let missing = w.home_file("gone/mcpproxy");
    let cmd = missing.display().to_string();
    w.succeed(&["hook", "install", "--scope", "user", "--command", &cmd]);
    let (r, v) = doctor(&w);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(fixes(&v).contains(&"mcpproxy hook install --agent claude-code --scope user".to_owned()), "{v}");
    let problems: Vec<&str> =
        v["problems"].as_array().unwrap().iter().map(|p| p["problem"].as_str().unwrap()).collect();
    assert!(problems.iter().any(|p| p.contains(&format!("runs `{cmd}`, which is not an executable file"))), "{v}");
    // No canary through a command that cannot run (that is already the problem).
    assert!(v["canaries"].as_array().unwrap().is_empty(), "{v}");
}

#[test]
fn red_when_the_canary_is_not_denied() {
    let (w, r, v) = red_doctor_with_config("{\"policy\": {\"secret\": \"allow\"}}");
    let c = &v["canaries"][0];
    assert_ne!(c["outcome"], "denied", "{c}");
    assert!(r.stdout.contains("was not denied; the hook answered"), "{}", r.stdout);
    // A failed canary stays in the log for the fix it names (`activity list --session ...`).
    let session = c["session"].as_str().unwrap();
    assert_eq!(w.state.sql_count(&format!("SELECT count(*) FROM activity WHERE session_id = '{session}'")), 2);
    assert!(r.stdout.contains("fix: run `mcpproxy activity list --session doctor-canary-"), "{}", r.stdout);
}

#[test]
fn red_on_loose_modes_and_no_hook() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workspace::new();
    w.succeed(&["hook", "install", "--scope", "user"]);
    w.succeed(&["doctor"]);
    std::fs::set_permissions(w.state.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    // One run: its canary goes through the hook, which tightens the mode again.
    let r = w.run(&["doctor", "--json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(fixes(&v).contains(&format!("chmod 600 {}", w.state.db().display())), "{v}");
    let w = Workspace::new();
    let (r, v) = doctor(&w);
    assert_eq!(r.code, 1);
    assert_eq!(fixes(&v), ["mcpproxy hook install --agent claude-code --scope user"]);
}

#[test]
fn proxy_seen_without_hooks_is_a_nudge_to_install_them() {
    let w = Workspace::new();
    // A database as the proxy leaves it: one proxied call in the activity log.
    let run = w.state.hook(&payload("p-1", "PreToolUse", "Bash", serde_json::json!({"command": "ls"}), None));
    assert_eq!(run.code, 0);
    let conn = rusqlite::Connection::open(w.state.db()).unwrap();
    conn.execute("DELETE FROM activity", []).unwrap();
    conn.execute(
        "INSERT INTO activity (ts, session_id, agent, event, tool, decision, latency_us) \
         VALUES (strftime('%s','now'), 'proxy-1', 'proxy', 'tools/call', 'fs__read_text_file', 'none', 10)",
        [],
    )
    .unwrap();
    drop(conn);
    let (r, v) = doctor(&w);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(v["database"]["coverage"], "proxy");
    let problems: Vec<&str> =
        v["problems"].as_array().unwrap().iter().map(|p| p["problem"].as_str().unwrap()).collect();
    assert_eq!(
        problems,
        ["no agent hook is installed: only MCP calls through `mcpproxy proxy` are checked, not the agent's own \
          tools (WebFetch, Bash, Read ...)"]
    );
    assert_eq!(fixes(&v), ["mcpproxy hook install --agent claude-code --scope user"]);
}
