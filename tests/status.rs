//! `hook status` on installs an agent would not run: `disableAllHooks`, Codex hooks without
//! trust, Gemini CLI project hooks in an untrusted folder, no hook at all beside a proxy; and
//! on installs it must accept: wrapped commands, `VAR=...` prefixes, several scopes.

mod common;
use common::*;
use serde_json::{json, Value};

fn status(w: &Workspace) -> (Run, Value) {
    let text = w.run(&["hook", "status"]);
    let json: Value = serde_json::from_str(&w.run(&["hook", "status", "--json"]).stdout).unwrap();
    (text, json)
}

fn problems(v: &Value) -> Vec<String> {
    v["problems"].as_array().unwrap().iter().map(|p| p["problem"].as_str().unwrap().to_owned()).collect()
}

fn hook<'a>(v: &'a Value, agent: &str, scope: &str) -> &'a Value {
    v["hooks"].as_array().unwrap().iter().find(|h| h["agent"] == agent && h["scope"] == scope).unwrap()
}

#[test]
fn disable_all_hooks_in_any_claude_scope_is_a_problem() {
    let w = Workspace::new();
    w.succeed(&["hook", "install", "--scope", "user"]);
    assert_eq!(status(&w).0.code, 0);
    let local = w.project_file(".claude/settings.local.json");
    write_file(&local, "{\"disableAllHooks\": true}\n");
    let (r, v) = status(&w);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        problems(&v),
        [format!(
            "{} sets `disableAllHooks: true`: Claude Code runs no hook at all, mcpproxy's included",
            local.display()
        )]
    );
    assert_eq!(hook(&v, "claude-code", "local")["disable_all_hooks"], true);
    assert!(r.stdout.contains(&format!("fix: remove `disableAllHooks` from {}", local.display())), "{}", r.stdout);
    assert!(r.stdout.contains("disableAllHooks: true (no hook runs)"), "{}", r.stdout);
    write_file(&local, "{\"disableAllHooks\": false}\n");
    assert_eq!(status(&w).0.code, 0);
}

#[test]
fn the_same_hook_in_several_scopes_is_noted() {
    let w = Workspace::new();
    w.succeed(&["hook", "install", "--scope", "user"]);
    w.succeed(&["hook", "install", "--scope", "project"]);
    let (r, v) = status(&w);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let note = "claude-code hooks are installed in user and project scopes: the agent runs each of them \
                (unless their commands are identical), so calls are evaluated more than once; one is enough \
                (for example `mcpproxy hook uninstall --agent claude-code --scope project`)";
    assert_eq!(v["notes"], json!([note]));
    assert!(
        r.stdout.contains("notes:\n  - claude-code hooks are installed in user and project scopes"),
        "{}",
        r.stdout
    );
    // The project command is found on PATH.
    let dir = bin().canonicalize().unwrap();
    let project = hook(&v, "claude-code", "project");
    assert_eq!(project["commands"][0]["binary"], "mcpproxy");
    assert_eq!(project["commands"][0]["is_this_binary"], true, "{project}");
    assert!(r.stdout.contains(&format!("runs mcpproxy, found on PATH at {}", dir.display())), "{}", r.stdout);
}

#[test]
fn wrapped_and_prefixed_commands_are_understood() {
    let w = Workspace::new();
    let exe = bin().canonicalize().unwrap().display().to_string();
    let wrapper = w.home_file("bin/guard-wrapper.sh");
    write_file(&wrapper, "#!/bin/sh\ndir=$1; shift; cd \"$dir\" && exec \"$@\"\n");
    let group = |command: String| json!([{"matcher": "*", "hooks": [{"type": "command", "command": command}]}]);
    let settings = json!({"hooks": {
        "PreToolUse": group(format!("sh {} /tmp {exe} hook evaluate", wrapper.display())),
        "PostToolUse": group(format!("MCPPROXY_HOME=/tmp/guard RUST_LOG=warn {exe} hook evaluate")),
        "PostToolUseFailure": group("env MCPPROXY_HOME=/tmp/guard mcpproxy hook evaluate".into()),
    }});
    write_file(&w.home_file(".claude/settings.json"), &settings.to_string());
    let (r, v) = status(&w);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains(&format!("runs {exe} through sh (ok, this binary)")), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("runs {exe} (ok, this binary)")), "{}", r.stdout);
    assert!(r.stdout.contains("runs mcpproxy, found on PATH at"), "{}", r.stdout);
    let commands = hook(&v, "claude-code", "user")["commands"].as_array().unwrap().clone();
    assert_eq!(commands.len(), 3);
    assert!(commands.iter().all(|c| c["runnable"] == true && c["is_this_binary"] == true), "{commands:?}");

    // A wrapper that does not exist is a problem, and so is the binary after it.
    let settings = json!({"hooks": {
        "PreToolUse": group(format!("/nonexistent/wrap {exe} hook evaluate")),
        "PostToolUse": group("sh wrap.sh /nonexistent/mcpproxy hook evaluate".into()),
        "PostToolUseFailure": group(format!("{exe} hook evaluate")),
    }});
    write_file(&w.home_file(".claude/settings.json"), &settings.to_string());
    let (r, v) = status(&w);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        problems(&v),
        [
            "claude-code user hook runs mcpproxy through `/nonexistent/wrap`, which is not an executable file or on PATH"
                .to_owned(),
            "claude-code user hook runs `/nonexistent/mcpproxy`, which is not an executable file (reinstall with \
             the mcpproxy binary the hook should run)"
                .to_owned(),
        ]
    );
}

#[test]
fn codex_hooks_codex_does_not_trust_are_problems() {
    let w = Workspace::new();
    w.succeed(&["hook", "install", "--agent", "codex", "--scope", "user"]);
    assert_eq!(status(&w).0.code, 0);
    let config = w.home_file(".codex/config.toml");
    let hooks = w.home_file(".codex/hooks.json");

    // Trust gone (a config.toml restored from elsewhere, or a hook written by hand).
    std::fs::remove_file(&config).unwrap();
    let (r, v) = status(&w);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        problems(&v),
        [format!(
            "codex user hook (PreToolUse, PostToolUse) is not trusted by Codex (no trusted_hash for it in {}), \
             so Codex skips it without a word",
            config.display()
        )]
    );
    assert_eq!(hook(&v, "codex", "user")["trust"], json!([["PreToolUse", "untrusted"], ["PostToolUse", "untrusted"]]));
    assert!(r.stdout.contains("agent trust: PreToolUse untrusted, PostToolUse untrusted"), "{}", r.stdout);
    assert!(
        r.stdout.contains("fix: mcpproxy hook install --agent codex --scope user (records the trust)"),
        "{}",
        r.stdout
    );

    // Reinstalling records it again, though hooks.json itself is unchanged.
    let r = w.run(&["hook", "install", "--agent", "codex", "--scope", "user"]);
    assert!(
        r.stdout.starts_with("already installed in") && r.stdout.contains("hooks marked trusted in"),
        "{}",
        r.stdout
    );
    assert_eq!(status(&w).0.code, 0);

    // A changed hook no longer matches its trust.
    let text = std::fs::read_to_string(&hooks).unwrap().replacen("\"timeout\": 10", "\"timeout\": 30", 1);
    std::fs::write(&hooks, text).unwrap();
    let (r, v) = status(&w);
    assert_eq!(r.code, 1);
    assert!(
        problems(&v)[0].starts_with("codex user hook (PreToolUse) changed since Codex trusted it"),
        "{:?}",
        problems(&v)
    );

    // Disabled in Codex.
    w.succeed(&["hook", "install", "--agent", "codex", "--scope", "user"]);
    let mut text = std::fs::read_to_string(&config).unwrap();
    text = text.replacen("trusted_hash", "enabled = false\ntrusted_hash", 1);
    std::fs::write(&config, text).unwrap();
    let (_, v) = status(&w);
    assert_eq!(
        problems(&v),
        [format!("codex user hook (PreToolUse) is disabled in {} (`enabled = false`)", config.display())]
    );
}

#[test]
fn codex_project_hooks_need_a_trusted_project() {
    let w = Workspace::new();
    w.succeed(&["hook", "install", "--agent", "codex", "--scope", "project"]);
    let project = w.project.path().canonicalize().unwrap();
    let (r, v) = status(&w);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let config = w.home_file(".codex/config.toml");
    assert_eq!(
        problems(&v),
        [format!(
            "codex project hook does not run: Codex runs project hooks only in a trusted project, and {} is not \
             trusted in {}",
            project.display(),
            config.display()
        )]
    );
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[projects.\"{}\"]\ntrust_level = \"trusted\"\n", project.display()));
    std::fs::write(&config, text).unwrap();
    assert_eq!(status(&w).0.code, 0);
}

#[test]
fn gemini_project_hooks_need_a_trusted_folder() {
    let w = Workspace::new();
    w.succeed(&["hook", "install", "--agent", "gemini", "--scope", "project"]);
    let project = w.project.path().canonicalize().unwrap();
    let folders = w.home_file(".gemini/trustedFolders.json");
    let (r, v) = status(&w);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        problems(&v),
        [format!(
            "gemini project hook does not run: Gemini CLI runs project hooks only in a trusted folder, and {} is \
             not trusted (no rule for it in {})",
            project.display(),
            folders.display()
        )]
    );
    assert_eq!(hook(&v, "gemini", "project")["trust"], json!([["folder", "untrusted"]]));
    // Trusting the parent (TRUST_PARENT names a folder inside it) covers the project ...
    let parent = project.parent().unwrap();
    write_file(&folders, &json!({parent.join("other").display().to_string(): "TRUST_PARENT"}).to_string());
    assert_eq!(status(&w).0.code, 0);
    // ... unless a longer rule says otherwise.
    write_file(
        &folders,
        &json!({parent.join("other").display().to_string(): "TRUST_PARENT", project.display().to_string(): "DO_NOT_TRUST"})
            .to_string(),
    );
    let (r, v) = status(&w);
    assert_eq!(r.code, 1);
    assert!(problems(&v)[0].ends_with(&format!("(DO_NOT_TRUST for {} in {})", project.display(), folders.display())));
    write_file(&folders, &json!({project.display().to_string(): "TRUST_FOLDER"}).to_string());
    assert_eq!(status(&w).0.code, 0);
}

#[test]
fn no_hook_installed_is_a_problem_even_with_the_proxy_in_use() {
    let w = Workspace::new();
    let (r, v) = status(&w);
    assert_eq!(r.code, 1);
    assert_eq!(problems(&v), ["mcpproxy is not installed for any agent: nothing is being checked"]);
    // The proxy has been seen (a database row of agent `proxy`), still no hook.
    let clean = payload("s", "PreToolUse", "WebFetch", json!({"url": "https://docs.rs"}), None);
    assert_eq!(w.state.hook(&clean).code, 0);
    let conn = rusqlite::Connection::open(w.state.db()).unwrap();
    conn.execute(
        "INSERT INTO activity (ts, session_id, agent, event, tool, decision, reason, latency_us) \
         VALUES (strftime('%s','now'), 'proxy-1', 'proxy', 'PreToolUse', 'fs__read_file', 'none', NULL, 10)",
        [],
    )
    .unwrap();
    drop(conn);
    let (r, v) = status(&w);
    assert_eq!(v["database"]["coverage"], "both");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        problems(&v),
        ["no agent hook is installed: only MCP calls through `mcpproxy proxy` are checked, not the agent's own \
          tools (WebFetch, Bash, Read ...)"]
    );
}
