//! What `hook install` / `uninstall` keep in mcpproxy's home (`MCPPROXY_HOME`, else the data
//! directory), never beside the agent's files:
//!
//! - `backups/<name>-<hash>/<unix time>.<ext>`: a copy of a file before each change, the newest
//!   [`KEEP`] per file (`ORIGIN` in the folder names the file; `<name>` is its last three path
//!   components, `<hash>` tells apart files whose names agree);
//! - `installed-files.json`: the settings files `hook install` created, with the folders it
//!   created for them, so that `uninstall` can remove a file it left empty.
//!
//! Settings files may hold secrets (`env` blocks), so folders are 0700 and copies 0600.

use super::settings::write_atomic;
use crate::paths::Paths;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Backups kept per file.
pub const KEEP: usize = 5;

/// mcpproxy's home, created (private) when missing.
fn home() -> Result<PathBuf> {
    let dir = Paths::resolve()?.data_dir;
    private_dir(&dir)?;
    Ok(dir)
}

fn private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} private", dir.display()))?;
    }
    Ok(())
}

/// The backup folder for `file`: readable (`acme-api_.claude_settings.json`) and unique (a
/// hash of the whole path).
fn folder_for(backups: &Path, file: &Path) -> PathBuf {
    let parts: Vec<String> = file
        .components()
        .rev()
        .take(3)
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| c != "/")
        .collect();
    let name: String = parts
        .iter()
        .rev()
        .cloned()
        .collect::<Vec<_>>()
        .join("_")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' })
        .collect();
    let hash = Sha256::digest(file.as_os_str().as_encoded_bytes());
    let hex: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
    backups.join(format!("{name}-{hex}"))
}

/// `(unix time, counter)` of a backup file name `<time>[-<n>].<ext>`.
fn stamp_of(name: &str) -> Option<(u64, u64)> {
    let stem = name.split('.').next()?;
    let (time, n) = stem.split_once('-').unwrap_or((stem, "0"));
    Some((time.parse().ok()?, n.parse().ok()?))
}

/// Copy `file` (as it is now) into the backups, keep the newest [`KEEP`], and return the copy.
pub fn backup(file: &Path) -> Result<PathBuf> {
    let backups = home()?.join("backups");
    private_dir(&backups)?;
    let folder = folder_for(&backups, file);
    private_dir(&folder)?;
    std::fs::write(folder.join("ORIGIN"), format!("{}\n", file.display()))
        .with_context(|| format!("writing {}", folder.join("ORIGIN").display()))?;
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("bak");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    // After the newest copy, so that names sort in the order the copies were made (a name
    // freed by pruning is never reused).
    let newest = copies(&folder)?.into_iter().map(|(stamp, _)| stamp).max();
    let target = match newest {
        Some((time, n)) if time >= now => folder.join(format!("{time}-{}.{ext}", n + 1)),
        _ => folder.join(format!("{now}.{ext}")),
    };
    let bytes = std::fs::read(file).with_context(|| format!("reading {} to back it up", file.display()))?;
    write_private(&target, &bytes)?;
    prune(&folder)?;
    Ok(target)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).with_context(|| format!("writing {}", path.display()))
}

/// The backup copies in `folder` with their `(time, counter)`, oldest first.
fn copies(folder: &Path) -> Result<Vec<((u64, u64), PathBuf)>> {
    let mut copies: Vec<((u64, u64), PathBuf)> = std::fs::read_dir(folder)
        .with_context(|| format!("listing {}", folder.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((stamp_of(e.file_name().to_str()?)?, e.path())))
        .collect();
    copies.sort();
    Ok(copies)
}

/// Delete all but the newest [`KEEP`] backups in `folder`.
fn prune(folder: &Path) -> Result<()> {
    let copies = copies(folder)?;
    let excess = copies.len().saturating_sub(KEEP);
    for (_, old) in copies.into_iter().take(excess) {
        std::fs::remove_file(&old).with_context(|| format!("removing the old backup {}", old.display()))?;
    }
    Ok(())
}

/// The record of files `hook install` created: `{"created": {"<file>": {"dirs": [...]}}}`.
fn record_path() -> Result<PathBuf> {
    Ok(home()?.join("installed-files.json"))
}

fn read_record() -> Result<(PathBuf, Value)> {
    let path = record_path()?;
    let value = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|_| json!({"created": {}})),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => json!({"created": {}}),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    Ok((path, value))
}

fn key(file: &Path) -> String {
    file.display().to_string()
}

/// The folders `write_atomic` will have to create for `file` (outermost first).
pub fn missing_dirs(file: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = file.ancestors().skip(1).take_while(|d| !d.exists()).map(PathBuf::from).collect();
    dirs.reverse();
    dirs
}

/// Note that `hook install` created `file` (and `dirs` for it).
pub fn record_created(file: &Path, dirs: &[PathBuf]) -> Result<()> {
    let (path, mut record) = read_record()?;
    let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    if !record["created"].is_object() {
        record["created"] = json!({});
    }
    record["created"][key(file)] = json!({"dirs": dirs});
    write_atomic(&path, &format!("{}\n", serde_json::to_string_pretty(&record)?))
}

/// The folders created with `file`, when `hook install` created it.
pub fn created(file: &Path) -> Result<Option<Vec<PathBuf>>> {
    let (_, record) = read_record()?;
    Ok(record["created"].get(key(file)).map(|entry| {
        entry["dirs"].as_array().into_iter().flatten().filter_map(Value::as_str).map(PathBuf::from).collect()
    }))
}

/// Delete `file`, which `hook install` created and which is now empty, and the folders created
/// with it that nothing else uses; forget it.
pub fn remove_created(file: &Path, dirs: &[PathBuf]) -> Result<()> {
    std::fs::remove_file(file).with_context(|| format!("removing {}", file.display()))?;
    for dir in dirs.iter().rev() {
        // Fails, and keeps the folder, when something else is in it.
        let _ = std::fs::remove_dir(dir);
    }
    let (path, mut record) = read_record()?;
    if let Some(m) = record["created"].as_object_mut() {
        m.remove(&key(file));
    }
    write_atomic(&path, &format!("{}\n", serde_json::to_string_pretty(&record)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let f = folder_for(Path::new("/b"), Path::new("/home/dev/acme api/.claude/settings.json"));
        let name = f.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("acme_api_.claude_settings.json-"), "{name}");
        assert_eq!(stamp_of("1795502463.json"), Some((1_795_502_463, 0)));
        assert_eq!(stamp_of("1795502463-2.toml"), Some((1_795_502_463, 2)));
        assert_eq!(stamp_of("ORIGIN"), None);
    }
}
