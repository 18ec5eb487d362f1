//! `mcpproxy config show|path|check`: the effective configuration, where it lives, and whether
//! it is valid (an unknown key or a wrong type names the key).

use crate::cli::{ConfigCheckArgs, ConfigCommand, ConfigShowArgs};
use crate::config::Config;
use crate::paths::Paths;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::path::Path;
use std::process::ExitCode;

pub fn run(cmd: &ConfigCommand) -> Result<ExitCode> {
    let path = Paths::resolve()?.config_file();
    match cmd {
        ConfigCommand::Path => {
            println!("{}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Show(args) => show(&path, args),
        ConfigCommand::Check(args) => check(&path, args),
    }
}

/// Keys set in the file (nested policy keys as `policy.<kind>`), for "where it came from".
fn keys_set(path: &Path) -> Vec<String> {
    let Some(Value::Object(map)) = std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str(&t).ok())
    else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for (k, v) in map {
        match (k.as_str(), v) {
            ("policy", Value::Object(p)) => keys.extend(p.keys().map(|pk| format!("policy.{pk}"))),
            _ => keys.push(k),
        }
    }
    keys
}

fn show(path: &Path, args: &ConfigShowArgs) -> Result<ExitCode> {
    let cfg = Config::load(path)?;
    let exists = path.exists();
    let keys = keys_set(path);
    let config = serde_json::to_value(&cfg).context("serialising the configuration")?;
    if args.json {
        let v = json!({"path": path, "exists": exists, "keys_set": keys, "config": config});
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    if !exists {
        println!("# no config file at {}: all defaults", path.display());
    } else if keys.is_empty() {
        println!("# from {}: no keys set, all defaults", path.display());
    } else {
        println!("# from {}: set there: {}; everything else is a default", path.display(), keys.join(", "));
    }
    println!("{}", serde_json::to_string_pretty(&config)?);
    Ok(ExitCode::SUCCESS)
}

fn check(path: &Path, args: &ConfigCheckArgs) -> Result<ExitCode> {
    let exists = path.exists();
    let error = if exists { Config::load(path).err().map(|e| format!("{e:#}")) } else { None };
    let keys = keys_set(path);
    if args.json {
        let v = json!({"path": path, "exists": exists, "valid": error.is_none(), "keys_set": keys, "error": error});
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if let Some(e) = &error {
        eprintln!("invalid: {e}");
    } else if !exists {
        println!("ok: no config file at {} (defaults apply)", path.display());
    } else {
        println!("ok: {} is valid ({} key(s) set)", path.display(), keys.len());
    }
    Ok(if error.is_some() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
