#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShellFacts { pub net: Vec<NetUse>, pub git_push: bool, pub git_commit_paths: Vec<String>, pub written_paths: Vec<String>, pub read_paths: Vec<String> }
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetUse { pub tool: String, pub hosts: Vec<String>, pub upload_paths: Vec<String>, pub stdin_from: Vec<String>, pub reads_stdin: bool, pub one_liner: bool }
pub fn analyze(command: &str) -> ShellFacts { let mut f = ShellFacts::default(); if command.contains("curl") { f.net.push(NetUse { tool: "curl".into(), ..Default::default() }); } f }
pub fn is_loopback(host: &str) -> bool { host == "localhost" || host.starts_with("127.") || host == "::1" }
