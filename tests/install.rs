//! `hook install` / `uninstall` against real settings files in a temp HOME and project, and the
//! installed command actually run on fixtures.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A temp HOME, a temp project (the current directory) and a temp MCPPROXY_HOME.
struct Setup {
    state: Home,
    home: tempfile::TempDir,
    project: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup { state: Home::new(), home: tempfile::tempdir().unwrap(), project: tempfile::tempdir().unwrap() }
    }

    fn run(&self, args: &[&str]) -> Run {
        let out = self
            .state
            .cmd()
            .env("HOME", self.home.path())
            .current_dir(self.project.path())
            .args(args)
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn project_file(&self, rel: &str) -> PathBuf {
        self.project.path().join(rel)
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

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

#[test]
fn install_project_keeps_everything_else_and_is_idempotent() {
    let s = Setup::new();
    let file = s.project_file(".claude/settings.json");
    write(&file, EXISTING);
    let original: Value = serde_json::from_str(EXISTING).unwrap();

    let r = s.run(&["hook", "install", "--agent", "claude-code", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = read_json(&file);
    // Other settings unchanged.
    for key in ["model", "permissions", "env", "statusLine"] {
        assert_eq!(after[key], original[key], "{key}");
    }
    assert_eq!(after["hooks"]["Stop"], original["hooks"]["Stop"]);
    // The user's PreToolUse group is still first and unchanged; ours is added.
    let pre = after["hooks"]["PreToolUse"].as_array().unwrap();
    assert_eq!(pre[0], original["hooks"]["PreToolUse"][0]);
    assert_eq!(pre.len(), 2);
    for event in ["PreToolUse", "PostToolUse", "PostToolUseFailure"] {
        let groups = after["hooks"][event].as_array().unwrap();
        let mine: Vec<&Value> = groups.iter().filter(|g| ours(g)).collect();
        assert_eq!(mine.len(), 1, "{event}");
        let g = mine[0];
        assert_eq!(g["matcher"], "*");
        let h = &g["hooks"][0];
        assert_eq!(h["type"], "command");
        assert_eq!(h["timeout"], 10);
        let cmd = h["command"].as_str().unwrap();
        assert!(cmd.ends_with(" hook evaluate"), "{cmd}");
        let bin = cmd.split(' ').next().unwrap();
        assert!(Path::new(bin).is_absolute() && Path::new(bin).exists(), "{bin}");
    }
    // A backup of the old file was made.
    let backups: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("settings.json.bak-"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read_to_string(backups[0].path()).unwrap(), EXISTING);

    // Second install: byte-identical, no new backup.
    let bytes = std::fs::read(&file).unwrap();
    let r = s.run(&["hook", "install", "--agent", "claude-code", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("already installed"), "{}", r.stdout);
    assert_eq!(std::fs::read(&file).unwrap(), bytes);

    // Uninstall restores the original content.
    let r = s.run(&["hook", "uninstall", "--agent", "claude-code", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(read_json(&file), original);
    // Uninstalling again changes nothing.
    let bytes = std::fs::read(&file).unwrap();
    let r = s.run(&["hook", "uninstall", "--agent", "claude-code", "--scope", "project"]);
    assert_eq!(r.code, 0);
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
}

#[test]
fn user_and_local_scopes_and_dry_run() {
    let s = Setup::new();
    let r = s.run(&["hook", "install", "--scope", "user", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let printed: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(ours(&printed["hooks"]["PreToolUse"][0]));
    assert!(!s.home.path().join(".claude").exists(), "dry run wrote something");

    let r = s.run(&["hook", "install", "--scope", "user"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let user = s.home.path().join(".claude/settings.json");
    assert!(ours(&read_json(&user)["hooks"]["PostToolUse"][0]));

    let r = s.run(&["hook", "install", "--scope", "local"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(s.project_file(".claude/settings.local.json").exists());
    let r = s.run(&["hook", "uninstall", "--scope", "local"]);
    assert_eq!(r.code, 0);
    assert_eq!(read_json(&s.project_file(".claude/settings.local.json")), json!({}));
}

#[test]
fn invalid_json_is_refused_and_untouched() {
    let s = Setup::new();
    let file = s.project_file(".claude/settings.json");
    let broken = "{\"model\": \"x\",,}\n";
    write(&file, broken);
    for cmd in ["install", "uninstall"] {
        let r = s.run(&["hook", cmd, "--scope", "project"]);
        assert_ne!(r.code, 0, "{cmd} accepted invalid JSON");
        assert!(r.stderr.contains("not valid JSON") && r.stderr.contains("settings.json"), "{}", r.stderr);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
    }
    let entries = std::fs::read_dir(file.parent().unwrap()).unwrap().count();
    assert_eq!(entries, 1, "backup or temp file left behind");
}

#[test]
fn other_agents_formats() {
    let s = Setup::new();
    for agent in ["codex", "cursor", "gemini"] {
        let r = s.run(&["hook", "install", "--agent", agent, "--scope", "project"]);
        assert_eq!(r.code, 0, "{agent}: {}", r.stderr);
    }
    let codex = read_json(&s.project_file(".codex/hooks.json"));
    let cmd = codex["hooks"]["PreToolUse"][0]["hooks"][0]["command"].as_str().unwrap();
    assert!(cmd.ends_with(" hook evaluate --agent codex"), "{cmd}");
    assert_eq!(codex["hooks"]["PreToolUse"][0]["matcher"], "*");

    let cursor = read_json(&s.project_file(".cursor/hooks.json"));
    assert_eq!(cursor["version"], 1);
    for event in ["beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "afterFileEdit", "afterMCPExecution"]
    {
        let cmd = cursor["hooks"][event][0]["command"].as_str().unwrap();
        assert!(cmd.ends_with(" hook evaluate --agent cursor"), "{event}: {cmd}");
    }

    let gemini = read_json(&s.project_file(".gemini/settings.json"));
    for event in ["BeforeTool", "AfterTool"] {
        let g = &gemini["hooks"][event][0];
        assert_eq!(g["matcher"], ".*");
        assert_eq!(g["hooks"][0]["timeout"], 10000);
        assert!(g["hooks"][0]["command"].as_str().unwrap().ends_with(" hook evaluate --agent gemini"));
    }
    // Cursor and Gemini have no local scope.
    let r = s.run(&["hook", "install", "--agent", "cursor", "--scope", "local"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("no `local` scope"), "{}", r.stderr);
}

/// Split an installed command on spaces and run it with `stdin`, like the agent would.
fn run_installed(command: &str, state: &Home, stdin: &[u8]) -> Run {
    let parts: Vec<&str> = command.split(' ').collect();
    let out = std::process::Command::new(parts[0])
        .args(&parts[1..])
        .env("MCPPROXY_HOME", state.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(stdin)?;
            child.wait_with_output()
        })
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_installed_command_runs_and_decides() {
    let s = Setup::new();
    let r = s.run(&["hook", "install", "--scope", "project"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let settings = read_json(&s.project_file(".claude/settings.json"));
    let pre = settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"].as_str().unwrap().to_owned();
    let post = settings["hooks"]["PostToolUse"][0]["hooks"][0]["command"].as_str().unwrap().to_owned();

    // Replay A01 through the installed commands: the .env read is recorded, the leak denied.
    let text = std::fs::read_to_string(fixtures().join("corpus/scenarios/A01_env_whole_value_webfetch.jsonl")).unwrap();
    let mut last = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let ev: Value = serde_json::from_str(line).unwrap();
        let p = scenario_payload(&ev, None);
        let cmd = if ev["event"] == "PreToolUse" { &pre } else { &post };
        let run = run_installed(cmd, &s.state, p.to_string().as_bytes());
        assert_eq!(run.code, 0, "{}", run.stderr);
        last = Some(run);
    }
    let (d, reason) = decision(&last.unwrap()).expect("a decision from the installed hook");
    assert_eq!(d, "deny", "{reason}");

    // And a fixture of the installed kind gets no opinion (nothing read yet in that session).
    let fixture = std::fs::read(fixtures().join("claude-code/pre_bash.json")).unwrap();
    let run = run_installed(&pre, &s.state, &fixture);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
