//! The standard `{"mcpServers": {name: {command, args, env, cwd}}}` file agents use.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSpec {
    pub name: String,
    pub command: String,
    pub args: Vec<String>,
    pub env: BTreeMap<String, String>,
    pub cwd: Option<PathBuf>,
}

/// Server names become tool-name prefixes split on the first `__`, so they are restricted.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.contains("__");
    if !ok {
        bail!("server name `{name}` must be 1-32 chars of [A-Za-z0-9_-] without `__`");
    }
    Ok(())
}

pub fn load(path: &Path) -> Result<Vec<ServerSpec>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading proxy config {}", path.display()))?;
    parse(&text).with_context(|| format!("in proxy config {}", path.display()))
}

pub fn parse(text: &str) -> Result<Vec<ServerSpec>> {
    let v: Value = serde_json::from_str(text).context("not valid JSON")?;
    let servers = v.get("mcpServers").and_then(Value::as_object).context("no `mcpServers` object")?;
    let mut out = Vec::new();
    for (name, spec) in servers {
        check_name(name)?;
        let field = |k: &str| spec.get(k);
        let command = field("command")
            .and_then(Value::as_str)
            .with_context(|| format!("mcpServers.{name}.command must be a string (only stdio servers are supported)"))?
            .to_owned();
        let args = match field("args") {
            None | Some(Value::Null) => Vec::new(),
            Some(a) => serde_json::from_value(a.clone())
                .with_context(|| format!("mcpServers.{name}.args must be a list of strings"))?,
        };
        let env = match field("env") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(e) => serde_json::from_value(e.clone())
                .with_context(|| format!("mcpServers.{name}.env must map names to strings"))?,
        };
        let cwd = match field("cwd") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(PathBuf::from(s)),
            Some(_) => bail!("mcpServers.{name}.cwd must be a string"),
        };
        out.push(ServerSpec { name: name.clone(), command, args, env, cwd });
    }
    if out.is_empty() {
        bail!("`mcpServers` is empty");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_standard_file() {
        let s = parse(r#"{"mcpServers": {"fs": {"command": "node", "args": ["a.js", "/tmp"], "env": {"X": "1"}}, "git": {"command": "git-mcp"}}}"#).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "fs");
        assert_eq!(s[0].args, vec!["a.js", "/tmp"]);
        assert_eq!(s[0].env["X"], "1");
        assert_eq!(s[1].args, Vec::<String>::new());
    }

    #[test]
    fn rejects_bad_names_and_fields() {
        assert!(parse(r#"{"mcpServers": {"a__b": {"command": "x"}}}"#).is_err());
        let e = parse(r#"{"mcpServers": {"fs": {"args": []}}}"#).unwrap_err();
        assert!(format!("{e:#}").contains("mcpServers.fs.command"));
        assert!(parse(r#"{"servers": {}}"#).is_err());
    }
}
