//! `hook install` / `uninstall` against real settings files in a temp HOME and project: what is
//! written (command, onFailure, layout, through links), where backups go and how many stay,
//! files it created and removes again, Codex trust and Gemini folder trust, `--json`, and the
//! installed command actually run on fixtures.

mod common;
use common::*;
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const EXISTING: &str = r#"{
  "model": "claude-opus-4-5",
  "permissions": {"allow": ["Bash(cargo test:*)"], "deny": ["Read(./secrets/**)"]},
  "env": {"RUST_LOG": "info"},
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "/usr/local/bin/lint-bash", "timeout": 5}]}
    ],
    "Stop": [
      {"hooks": [{"type": "command", "command": "notify-send done"}]}
    ]
  },
  "statusLine": {"type": "command", "command": "echo hi"}
}
"#;

fn ours(group: &Value) -> bool {
    group["hooks"].as_array().unwrap().iter().any(|h| h["command"].as_str().unwrap_or("").contains(" hook evaluate"))
}

/// Names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// The backup folders under MCPPROXY_HOME/backups.
fn backup_dirs(w: &Workspace) -> Vec<PathBuf> {
    let root = w.state.path().join("backups");
    names(&root).into_iter().map(|n| root.join(n)).collect()
}

/// The `backup:` path an install or uninstall printed.
fn printed_backup(stdout: &str) -> PathBuf {
    let after = stdout.split("backup: ").nth(1).unwrap_or_else(|| panic!("no backup in {stdout}"));
    PathBuf::from(after.split([')', '\n']).next().unwrap().trim())
}

#[test]
fn install_project_keeps_everything_else_and_is_idempotent() {
    let w = Workspace::new();
    let file = w.project_file(".claude/settings.json");
    write_file(&file, EXISTING);
    let original: Value = serde_json::from_str(EXISTING).unwrap();

    let r = w.run(&["hook", "install", "--agent", "claude-code", "--scope", "project"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
    let after = read_json(&file);
    for key in ["model", "permissions", "env", "statusLine"] {
        assert_eq!(after[key], original[key], "{key}");
    }
    assert_eq!(after["hooks"]["Stop"], original["hooks"]["Stop"]);
    // The user's PreToolUse group is still first and unchanged; ours is added.
    let pre = after["hooks"]["PreToolUse"].as_array().unwrap();
    assert_eq!(pre[0], original["hooks"]["PreToolUse"][0]);
    assert_eq!(pre.len(), 2);
    for event in ["PreToolUse", "PostToolUse", "PostToolUseFailure"] {
        let mine: Vec<&Value> = after["hooks"][event].as_array().unwrap().iter().filter(|g| ours(g)).collect();
        assert_eq!(mine.len(), 1, "{event}");
        // Project settings are shared: the command is found on PATH, not a path on this machine.
        let mut expected = json!({"type": "command", "command": "mcpproxy hook evaluate", "timeout": 10});
        if event == "PreToolUse" {
            expected["onFailure"] = json!("block");
        }
        assert_eq!(mine[0], &json!({"matcher": "*", "hooks": [expected]}), "{event}");
    }
    // The backup is in mcpproxy's home, not beside the settings file.
    assert_eq!(names(file.parent().unwrap()), ["settings.json"]);
    let backup = printed_backup(&r.stdout);
    assert!(backup.starts_with(w.state.path().join("backups")), "{}", backup.display());
    assert_eq!(read_text(&backup), EXISTING);
    assert_eq!(std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777, 0o600);
    let dirs = backup_dirs(&w);
    assert_eq!(dirs.len(), 1);
    assert_eq!(std::fs::metadata(&dirs[0]).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::read_to_string(dirs[0].join("ORIGIN")).unwrap(), format!("{}\n", file.display()));

    // Second install: byte-identical, no new backup.
    let bytes = std::fs::read(&file).unwrap();
    let r = w.run(&["hook", "install", "--agent", "claude-code", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, format!("already installed in {} (project scope); nothing changed\n", file.display()));
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
    assert_eq!(names(&dirs[0]), [backup.file_name().unwrap().to_str().unwrap(), "ORIGIN"]);

    // Uninstall restores the original content; the file stays (the user created it).
    let r = w.run(&["hook", "uninstall", "--agent", "claude-code", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(read_json(&file), original);
    assert_eq!(names(file.parent().unwrap()), ["settings.json"]);
    let bytes = std::fs::read(&file).unwrap();
    let r = w.run(&["hook", "uninstall", "--agent", "claude-code", "--scope", "project"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, format!("not installed in {}; nothing changed\n", file.display()));
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
}

#[test]
fn project_scope_warns_when_mcpproxy_is_not_on_path() {
    let mut w = Workspace::new();
    let empty = tempfile::tempdir().unwrap();
    w.path = empty.path().display().to_string();
    let r = w.run(&["hook", "install", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("warning: `mcpproxy` is not on PATH")
            && r.stderr.contains("the hook then fails to start and checks nothing"),
        "{}",
        r.stderr
    );
    let settings = read_json(&w.project_file(".claude/settings.json"));
    assert_eq!(settings["hooks"]["PostToolUse"][0]["hooks"][0]["command"], "mcpproxy hook evaluate");
    // Gemini CLI fails closed on a missing command: the warning says so.
    let r = w.run(&["hook", "install", "--agent", "gemini", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("Gemini CLI then blocks every tool call"), "{}", r.stderr);
    // With mcpproxy on PATH there is nothing to warn about.
    let w = Workspace::new();
    let r = w.run(&["hook", "install", "--scope", "project"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn user_scope_runs_this_binary_and_command_overrides() {
    let w = Workspace::new();
    let printed = w.run_json(&["hook", "install", "--scope", "user", "--dry-run"]);
    let exe = bin().canonicalize().unwrap();
    assert_eq!(printed["hooks"]["PreToolUse"][0]["hooks"][0]["command"], format!("{} hook evaluate", exe.display()));
    assert!(!w.home_file(".claude").exists(), "dry run wrote something");

    let r = w.run(&["hook", "install", "--scope", "local"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let local = read_json(&w.project_file(".claude/settings.local.json"));
    assert_eq!(local["hooks"]["PostToolUse"][0]["hooks"][0]["command"], format!("{} hook evaluate", exe.display()));

    let r = w.run(&[
        "hook",
        "install",
        "--agent",
        "codex",
        "--scope",
        "project",
        "--command",
        "env MCPPROXY_HOME=/srv/guard /opt/mcpproxy/bin/mcpproxy",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let codex = read_json(&w.project_file(".codex/hooks.json"));
    assert_eq!(
        codex["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
        "env MCPPROXY_HOME=/srv/guard /opt/mcpproxy/bin/mcpproxy hook evaluate --agent codex"
    );
    // A command that does not name mcpproxy could never be found again: refused, nothing written.
    let r = w.run(&["hook", "install", "--agent", "cursor", "--scope", "project", "--command", "/usr/bin/guard"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--command `/usr/bin/guard` does not name mcpproxy"), "{}", r.stderr);
    assert!(!w.project_file(".cursor").exists());
}

#[test]
fn backups_keep_the_newest_five_per_file() {
    let w = Workspace::new();
    let file = w.home_file(".claude/settings.json");
    for i in 0..7 {
        write_file(&file, &format!("{{\"model\": \"m{i}\"}}\n"));
        let r = w.run(&["hook", "install", "--scope", "user"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let dirs = backup_dirs(&w);
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let mut kept: Vec<String> = names(&dirs[0])
        .into_iter()
        .filter(|n| n != "ORIGIN")
        .map(|n| read_json(&dirs[0].join(n))["model"].as_str().unwrap().to_owned())
        .collect();
    kept.sort();
    assert_eq!(kept, ["m2", "m3", "m4", "m5", "m6"]);
    // Another file has its own five.
    let r = w.run(&["hook", "install", "--agent", "gemini", "--scope", "user"]);
    assert_eq!(r.code, 0);
    write_file(&w.home_file(".gemini/settings.json"), "{}\n");
    w.succeed(&["hook", "install", "--agent", "gemini", "--scope", "user"]);
    assert_eq!(backup_dirs(&w).len(), 2);
    assert_eq!(names(&w.home_file(".claude")), ["settings.json"]);
}

#[test]
fn uninstall_deletes_only_the_files_install_created() {
    let w = Workspace::new();
    // Created by install, nothing else added: gone again, with the folder made for it.
    w.succeed(&["hook", "install", "--agent", "codex", "--scope", "project"]);
    assert!(w.project_file(".codex/hooks.json").exists());
    let r = w.run(&["hook", "uninstall", "--agent", "codex", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("deleted") && r.stdout.contains("nothing else is left in it"), "{}", r.stdout);
    assert!(!w.project_file(".codex").exists(), "{:?}", names(w.project.path()));
    // Cursor's `version` is ours too.
    w.succeed(&["hook", "install", "--agent", "cursor", "--scope", "user"]);
    w.succeed(&["hook", "uninstall", "--agent", "cursor", "--scope", "user"]);
    assert!(!w.home_file(".cursor").exists());

    // Created by install, then the user added a setting: kept, with that setting only.
    w.succeed(&["hook", "install", "--scope", "local"]);
    let local = w.project_file(".claude/settings.local.json");
    let mut doc = read_json(&local);
    doc["model"] = json!("sonnet");
    write_file(&local, &serde_json::to_string_pretty(&doc).unwrap());
    w.succeed(&["hook", "uninstall", "--scope", "local"]);
    assert_eq!(read_json(&local), json!({"model": "sonnet"}));

    // The user's own empty file stays, even when it ends up empty again.
    let user = w.home_file(".claude/settings.json");
    write_file(&user, "{}\n");
    w.succeed(&["hook", "install", "--scope", "user"]);
    w.succeed(&["hook", "uninstall", "--scope", "user"]);
    assert_eq!(read_text(&user), "{}\n");
}

#[test]
fn the_file_keeps_its_layout() {
    let w = Workspace::new();
    let file = w.home_file(".gemini/settings.json");
    let four = "{\n    \"general\": {\n        \"enableAutoUpdate\": false\n    }\n}\n";
    let tabs = "{\n\t\"general\": {\n\t\t\"enableAutoUpdate\": false\n\t}\n}";
    let compact = "{\"general\":{\"enableAutoUpdate\":false}}";
    let spaced = "{\"general\": {\"enableAutoUpdate\": false}}\n";
    for original in [four, tabs, compact, spaced] {
        write_file(&file, original);
        w.succeed(&["hook", "install", "--agent", "gemini", "--scope", "user"]);
        let installed = read_text(&file);
        if original.contains('\n') && original.trim().contains('\n') {
            let indent = if original.contains('\t') { "\n\t\"hooks\": {" } else { "\n    \"hooks\": {" };
            assert!(installed.contains(indent), "{original:?} became {installed}");
        } else {
            assert_eq!(installed.trim().lines().count(), 1, "{original:?} became {installed}");
        }
        w.succeed(&["hook", "uninstall", "--agent", "gemini", "--scope", "user"]);
        assert_eq!(read_text(&file), original);
    }
}

#[test]
fn a_symlinked_settings_file_is_written_through() {
    let w = Workspace::new();
    let target = w.home_file("dotfiles/claude.json");
    write_file(&target, "{\"model\": \"opus\"}\n");
    let link = w.home_file(".claude/settings.json");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("../dotfiles/claude.json", &link).unwrap();
    w.succeed(&["hook", "install", "--scope", "user"]);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
    assert!(ours(&read_json(&target)["hooks"]["PreToolUse"][0]));
    assert_eq!(names(link.parent().unwrap()), ["settings.json"]);
    assert_eq!(names(target.parent().unwrap()), ["claude.json"]);
    w.succeed(&["hook", "uninstall", "--scope", "user"]);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(read_text(&target), "{\"model\": \"opus\"}\n");
}

#[test]
fn invalid_json_is_refused_and_untouched() {
    let w = Workspace::new();
    let file = w.project_file(".claude/settings.json");
    let broken = "{\"model\": \"x\",,}\n";
    write_file(&file, broken);
    for cmd in ["install", "uninstall"] {
        let r = w.run(&["hook", cmd, "--scope", "project"]);
        assert_eq!(r.code, 2, "{cmd} accepted invalid JSON");
        assert!(r.stderr.contains("not valid JSON") && r.stderr.contains("settings.json"), "{}", r.stderr);
        assert_eq!(read_text(&file), broken);
    }
    assert_eq!(names(file.parent().unwrap()), ["settings.json"], "backup or temp file left behind");
    assert!(backup_dirs(&w).is_empty());
}

#[test]
fn other_agents_formats() {
    let w = Workspace::new();
    for agent in ["codex", "cursor", "gemini"] {
        let r = w.run(&["hook", "install", "--agent", agent, "--scope", "project"]);
        assert_eq!(r.code, 0, "{agent}: {}", r.stderr);
    }
    let codex = read_json(&w.project_file(".codex/hooks.json"));
    assert_eq!(
        codex["hooks"]["PreToolUse"][0],
        json!({"matcher": "*", "hooks": [{"type": "command", "command": "mcpproxy hook evaluate --agent codex", "timeout": 10}]})
    );
    let cursor = read_json(&w.project_file(".cursor/hooks.json"));
    assert_eq!(cursor["version"], 1);
    for event in ["beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "afterFileEdit", "afterMCPExecution"]
    {
        assert_eq!(cursor["hooks"][event], json!([{"command": "mcpproxy hook evaluate --agent cursor"}]), "{event}");
    }
    let gemini = read_json(&w.project_file(".gemini/settings.json"));
    for event in ["BeforeTool", "AfterTool"] {
        assert_eq!(
            gemini["hooks"][event],
            json!([{"matcher": ".*", "hooks": [{"type": "command", "command": "mcpproxy hook evaluate --agent gemini", "timeout": 10000}]}])
        );
    }
    // Cursor and Gemini have no local scope.
    let r = w.run(&["hook", "install", "--agent", "cursor", "--scope", "local"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no `local` scope"), "{}", r.stderr);
}

#[test]
fn codex_install_records_trust_the_way_codex_does() {
    let w = Workspace::new();
    let codex_home = w.home_file("codex-home");
    let config = codex_home.join("config.toml");
    let original = "model = \"gpt-5\"\n\n[projects.\"/elsewhere\"]\ntrust_level = \"trusted\"\n";
    write_file(&config, original);
    let run = |args: &[&str]| -> Run { w.cmd().env("CODEX_HOME", &codex_home).args(args).output().unwrap().into() };

    let r = run(&["hook", "install", "--agent", "codex", "--scope", "user"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
    let hooks = codex_home.join("hooks.json");
    assert!(hooks.exists(), "user hooks live in $CODEX_HOME");
    assert!(r.stdout.contains(&format!("  trust:   marked trusted in {} (backup: ", config.display())), "{}", r.stdout);
    let command = format!("{} hook evaluate --agent codex", bin().canonicalize().unwrap().display());
    let expected = format!(
        "{original}\n[hooks.state.\"{path}:pre_tool_use:0:0\"]\ntrusted_hash = \"{pre}\"\n\n\
         [hooks.state.\"{path}:post_tool_use:0:0\"]\ntrusted_hash = \"{post}\"\n",
        path = hooks.display(),
        pre = codex_hash("pre_tool_use", &command, 10),
        post = codex_hash("post_tool_use", &command, 10),
    );
    assert_eq!(read_text(&config), expected);

    // Again: nothing changes anywhere.
    let r = run(&["hook", "install", "--agent", "codex", "--scope", "user"]);
    assert!(r.stdout.contains("nothing changed"), "{}", r.stdout);
    assert_eq!(read_text(&config), expected);
    let status = run(&["hook", "status", "--json"]);
    let v: Value = serde_json::from_str(&status.stdout).unwrap();
    let codex_user = v["hooks"].as_array().unwrap().iter().find(|h| h["agent"] == "codex").unwrap();
    assert_eq!(codex_user["trust"], json!([["PreToolUse", "trusted"], ["PostToolUse", "trusted"]]));
    assert_eq!(status.code, 0, "{}", status.stdout);

    // Uninstall takes the trust entries away again, leaving the user's config as it was.
    let r = run(&["hook", "uninstall", "--agent", "codex", "--scope", "user"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(read_text(&config), original);

    // A config.toml Codex could not read either: refused before anything is written.
    write_file(&config, "model = [\n");
    let r = run(&["hook", "install", "--agent", "codex", "--scope", "user"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("config.toml is not valid TOML"), "{}", r.stderr);
    assert!(!hooks.exists());
}

#[test]
fn codex_project_install_explains_project_trust() {
    let w = Workspace::new();
    let codex_home = w.home_file(".codex");
    let r = w.run(&["hook", "install", "--agent", "codex", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let project = w.project.path().canonicalize().unwrap();
    assert!(r.stderr.starts_with("warning: Codex runs project hooks only in a trusted project"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("[projects.\"{}\"] trust_level = \"trusted\"", project.display())),
        "{}",
        r.stderr
    );
    // The hooks themselves are trusted in the user config.
    let config = std::fs::read_to_string(codex_home.join("config.toml")).unwrap();
    assert!(
        config.contains(&format!("[hooks.state.\"{}:pre_tool_use:0:0\"]", project.join(".codex/hooks.json").display()))
    );
    // Once the project is trusted, no warning.
    let mut text = config.clone();
    text.push_str(&format!("\n[projects.\"{}\"]\ntrust_level = \"trusted\"\n", project.display()));
    write_file(&codex_home.join("config.toml"), &text);
    let r = w.run(&["hook", "install", "--agent", "codex", "--scope", "project"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn gemini_project_install_warns_about_folder_trust() {
    let w = Workspace::new();
    let r = w.run(&["hook", "install", "--agent", "gemini", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let project = w.project.path().canonicalize().unwrap();
    assert!(
        r.stderr.starts_with(&format!(
            "warning: Gemini CLI runs project hooks only in a trusted folder, and {} is not trusted",
            project.display()
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&format!("add \"{}\": \"TRUST_FOLDER\" to", project.display())), "{}", r.stderr);
    // The user scope has no folder gate.
    let r = w.run(&["hook", "install", "--agent", "gemini", "--scope", "user"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn json_reports_of_install_and_uninstall() {
    let w = Workspace::new();
    let v = w.run_json(&["hook", "install", "--scope", "user", "--json"]);
    let file = w.home_file(".claude/settings.json");
    assert_eq!(v["action"], "installed");
    assert_eq!(v["path"], file.display().to_string());
    assert_eq!(v["created"], true);
    assert_eq!(v["backup"], Value::Null);
    assert_eq!(v["events"], json!(["PreToolUse", "PostToolUse", "PostToolUseFailure"]));
    let v: Value = serde_json::from_str(&w.run(&["hook", "install", "--scope", "user", "--json"]).stdout).unwrap();
    assert_eq!(v["action"], "unchanged");
    let r = w.run(&["hook", "uninstall", "--scope", "user", "--json"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (v["action"].as_str(), v["removed"].as_u64(), v["deleted_file"].as_bool()),
        (Some("removed"), Some(3), Some(true))
    );
    assert!(Path::new(v["backup"].as_str().unwrap()).starts_with(w.state.path()));
    let v: Value = serde_json::from_str(&w.run(&["hook", "uninstall", "--scope", "user", "--json"]).stdout).unwrap();
    assert_eq!(v["action"], "no file");
}

/// Run an installed command line through `sh -c`, as the agents do, with `stdin`.
fn run_installed(command: &str, w: &Workspace, stdin: &[u8]) -> Run {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sh")
        .args(["-c", command])
        .env("PATH", &w.path)
        .env("MCPPROXY_HOME", w.state.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap().into()
}

#[test]
fn the_installed_command_runs_and_decides() {
    let w = Workspace::new();
    let r = w.run(&["hook", "install", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let settings = read_json(&w.project_file(".claude/settings.json"));
    let pre = settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"].as_str().unwrap().to_owned();
    let post = settings["hooks"]["PostToolUse"][0]["hooks"][0]["command"].as_str().unwrap().to_owned();

    // Replay A01 through the installed commands (mcpproxy from PATH): the leak is denied.
    let text = std::fs::read_to_string(fixtures().join("corpus/scenarios/A01_env_whole_value_webfetch.jsonl")).unwrap();
    let mut last = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let ev: Value = serde_json::from_str(line).unwrap();
        let p = scenario_payload(&ev, None);
        let cmd = if ev["event"] == "PreToolUse" { &pre } else { &post };
        let run = run_installed(cmd, &w, p.to_string().as_bytes());
        assert_eq!(run.code, 0, "{}", run.stderr);
        last = Some(run);
    }
    let (d, reason) = decision(&last.unwrap()).expect("a decision from the installed hook");
    assert_eq!(d, "deny", "{reason}");

    // And a fixture of the installed kind gets no opinion (nothing read yet in that session).
    let fixture = std::fs::read(fixtures().join("claude-code/pre_bash.json")).unwrap();
    let run = run_installed(&pre, &w, &fixture);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
}

#[test]
fn an_old_claude_code_on_path_is_told_that_timeouts_fail_open() {
    use std::os::unix::fs::PermissionsExt;
    for (version, warned) in [("2.1.300", true), ("2.1.332", false)] {
        let mut w = Workspace::new();
        let tools = tempfile::tempdir().unwrap();
        let claude = tools.path().join("claude");
        std::fs::write(&claude, format!("#!/bin/sh\necho '{version} (Claude Code)'\n")).unwrap();
        std::fs::set_permissions(&claude, std::fs::Permissions::from_mode(0o755)).unwrap();
        w.path = format!("{}:{}", tools.path().display(), w.path);
        let r = w.run(&["hook", "install", "--scope", "user"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let said = r.stderr.contains(&format!("warning: Claude Code {version} ignores \"onFailure\": \"block\""));
        assert_eq!(said, warned, "{version}: {}", r.stderr);
        // The handler is written either way: a newer Claude Code honours it after an update.
        let settings = read_json(&w.home_file(".claude/settings.json"));
        let pre = &settings["hooks"]["PreToolUse"];
        assert!(pre.as_array().unwrap().iter().any(|m| m["hooks"][0]["onFailure"] == "block"), "{settings}");
    }
}

/// An agent that reaches `hook install|uninstall` past the hook (`echo ... | xargs mcpproxy`)
/// is refused by the command itself: its variables give it away.
#[test]
fn an_agent_cannot_uninstall_or_reinstall_the_hooks() {
    let w = Workspace::new();
    w.succeed(&["hook", "install", "--scope", "user"]);
    let settings = w.home_file(".claude/settings.json");
    let before = std::fs::read_to_string(&settings).unwrap();
    for (var, agent) in [("CLAUDECODE", "Claude Code"), ("CODEX_THREAD_ID", "Codex"), ("GEMINI_CLI", "Gemini CLI")] {
        for args in [
            &["hook", "uninstall", "--scope", "user"][..],
            &["hook", "install", "--scope", "user", "--command", "/bin/true"],
        ] {
            let out = w.cmd().env(var, "1").args(args).output().unwrap();
            let r: Run = out.into();
            assert_eq!(r.code, 2, "{args:?} under {var}: {}", r.stderr);
            assert!(r.stderr.contains(&format!("started by {agent} (its variable {var} is set)")), "{}", r.stderr);
        }
    }
    assert_eq!(std::fs::read_to_string(&settings).unwrap(), before, "nothing changed");
    // A dry run only prints.
    let r: Run = w
        .cmd()
        .env("CLAUDECODE", "1")
        .args(["hook", "uninstall", "--scope", "user", "--dry-run"])
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 0, "{}", r.stderr);
}
