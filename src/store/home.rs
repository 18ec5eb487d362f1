//! The state directory's own files beside the database: its safety checks, the fingerprint key,
//! the per-session "holds private data" markers and the spool of records that could not be
//! written under the lock.
//!
//! The key lives outside the database so that a copied database reveals nothing; the markers
//! live outside it so that knowing a session holds something survives the database being
//! locked, corrupt, replaced or deleted.

use crate::flow::view::{NewSource, Taint};
use crate::paths::Paths;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Open (creating 0600 if needed) a state file without following a symlink planted at `path`.
pub fn open_private(path: &Path, create: bool) -> std::io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(create).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    opts.open(path)
}

/// Create the state directory (0700) or check an existing one: it must be a real directory
/// owned by this user and not writable by others; group/other permission bits are removed.
pub fn ensure_home(dir: &Path) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating state directory {}", dir.display()))?;
            set_mode(dir, 0o700)?;
            Ok(())
        }
        Err(e) => Err(e).with_context(|| format!("checking state directory {}", dir.display())),
        Ok(meta) => check_home(dir, &meta),
    }
}

#[cfg(unix)]
fn check_home(dir: &Path, meta: &std::fs::Metadata) -> Result<()> {
    if meta.file_type().is_symlink() {
        // A symlinked home is fine when its target passes the same checks.
        let target = std::fs::metadata(dir).with_context(|| format!("following state directory {}", dir.display()))?;
        if !target.is_dir() {
            bail!("state directory {} is not a directory", dir.display());
        }
        return check_owner_and_mode(dir, &target);
    }
    if !meta.is_dir() {
        bail!("state directory {} is not a directory", dir.display());
    }
    check_owner_and_mode(dir, meta)
}

#[cfg(unix)]
fn check_owner_and_mode(dir: &Path, meta: &std::fs::Metadata) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        bail!(
            "state directory {} is owned by uid {}, not by this user (uid {me}); refusing to use it",
            dir.display(),
            meta.uid()
        );
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        set_mode(dir, mode & 0o700)?;
        // Others could have replaced our files: say so. Read bits only are tightened quietly.
        if mode & 0o022 != 0 {
            eprintln!(
                "mcpproxy: state directory {} was writable by others (mode {mode:o}); tightened to {:o}",
                dir.display(),
                mode & 0o700
            );
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_home(_dir: &Path, _meta: &std::fs::Metadata) -> Result<()> {
    Ok(())
}

pub(crate) fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("setting permissions on {}", path.display()))?;
    }
    let _ = (path, mode);
    Ok(())
}

/// Refuse a symlink at a state file's path and tighten a loose mode on an existing file.
pub fn check_state_file(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => {
            bail!("{} is a symbolic link; refusing to write through it", path.display())
        }
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    set_mode(path, 0o600)?;
                }
            }
            let _ = meta;
            Ok(())
        }
    }
}

/// The fingerprint key: 8 random bytes in their own 0600 file. `Ok(None)` when it does not
/// exist yet.
pub fn read_key(paths: &Paths) -> Result<Option<u64>> {
    let path = paths.key_file();
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = match opts.open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("opening key file {}", path.display())),
    };
    let mut buf = Vec::new();
    file.read_to_end(&mut buf).with_context(|| format!("reading key file {}", path.display()))?;
    let bytes: [u8; 8] = buf
        .as_slice()
        .try_into()
        .map_err(|_| anyhow::anyhow!("key file {} is damaged ({} bytes, expected 8)", path.display(), buf.len()))?;
    Ok(Some(u64::from_le_bytes(bytes)))
}

/// Write a key file (caller holds the database lock), refusing to replace an existing one.
/// It is written aside and linked into place, so a reader never sees a half-written key.
pub fn write_key(paths: &Paths, key: u64) -> Result<()> {
    let path = paths.key_file();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let tmp = paths.data_dir.join(format!(".fingerprint.key.{}-{nanos}", std::process::id()));
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let written = (|| -> Result<()> {
        let mut file = opts.open(&tmp).with_context(|| format!("creating key file {}", tmp.display()))?;
        file.write_all(&key.to_le_bytes()).with_context(|| format!("writing key file {}", tmp.display()))?;
        file.sync_all().ok();
        std::fs::hard_link(&tmp, &path).with_context(|| format!("creating key file {}", path.display()))
    })();
    let _ = std::fs::remove_file(&tmp);
    written
}

/// A fresh random key from the OS.
pub fn random_key() -> Result<u64> {
    let mut buf = [0u8; 8];
    getrandom::getrandom(&mut buf).map_err(|e| anyhow::anyhow!("no randomness from the OS for the key: {e}"))?;
    Ok(u64::from_le_bytes(buf))
}

/// File name for a session's marker and spool: a plain hash of the id (ids are not secret,
/// but keep odd characters out of file names; unkeyed so it survives a lost key).
pub(crate) fn session_file_name(session_id: &str) -> String {
    let digest = Sha256::digest(session_id.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the markers live: in the state directory, and mirrored in a per-user folder under
/// the system's temporary directory, so that deleting or replacing the state directory does
/// not also erase the knowledge that a session held something.
fn marker_dirs(paths: &Paths) -> Vec<PathBuf> {
    vec![paths.data_dir.join("held"), mirror_dir(paths)]
}

/// The mirror folder for this state directory (one per user and state directory).
pub fn mirror_dir(paths: &Paths) -> PathBuf {
    #[cfg(unix)]
    let uid = unsafe { libc::geteuid() };
    #[cfg(not(unix))]
    let uid = 0;
    let digest = Sha256::digest(paths.data_dir.to_string_lossy().as_bytes());
    let tag: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir().join(format!("mcpproxy-{uid}-{tag}")).join("held")
}

/// Whether a session is known to hold private data (a marker exists in either place). A marker
/// that cannot be checked (permission denied) counts as present.
pub fn session_holds(paths: &Paths, session_id: &str) -> bool {
    let name = session_file_name(session_id);
    marker_dirs(paths).iter().any(|d| match std::fs::symlink_metadata(d.join(&name)) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::PermissionDenied,
    })
}

/// Remember that a session holds private data (create or refresh its markers).
pub fn mark_holding(paths: &Paths, session_id: &str) -> Result<()> {
    let name = session_file_name(session_id);
    let mut first_err = None;
    let mut made = false;
    for dir in marker_dirs(paths) {
        let path = dir.join(&name);
        let result = (|| -> Result<()> {
            if path.exists() {
                // Refresh the time: markers idle longer than the session TTL are pruned.
                let _ =
                    File::options().write(true).open(&path).and_then(|f| f.set_modified(std::time::SystemTime::now()));
                return Ok(());
            }
            if !dir.exists() {
                std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
                if let Some(parent) = dir.parent() {
                    set_mode(parent, 0o700)?;
                }
                set_mode(&dir, 0o700)?;
            }
            open_private(&path, true).with_context(|| format!("creating session marker {}", path.display()))?;
            Ok(())
        })();
        match result {
            Ok(()) => made = true,
            Err(e) => first_err = first_err.or(Some(e)),
        }
    }
    match (made, first_err) {
        (false, Some(e)) => Err(e),
        _ => Ok(()),
    }
}

/// Forget that a session held data (it was pruned with its records).
pub fn unmark(paths: &Paths, session_id: &str) {
    let name = session_file_name(session_id);
    for dir in marker_dirs(paths) {
        let _ = std::fs::remove_file(dir.join(&name));
    }
}

/// Remove markers not refreshed for `ttl_secs`.
pub fn prune_markers(paths: &Paths, ttl_secs: u64) {
    let now = std::time::SystemTime::now();
    for e in marker_dirs(paths).iter().filter_map(|d| std::fs::read_dir(d).ok()).flat_map(|d| d.flatten()) {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age.as_secs() > ttl_secs);
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A record that could not be written under the lock: kept (hashes and labels only, never raw
/// values) until the next writer folds it into the database.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Spooled {
    /// The session the record belongs to.
    pub session_id: String,
    /// The front end that evaluated it (an agent's name, or `proxy`).
    pub agent: String,
    /// When it was evaluated (Unix seconds).
    pub created_at: i64,
    /// The event as the agent named it.
    pub event: String,
    /// The tool's label.
    pub tool: String,
    /// The decision given (`allow`, `ask`, `deny`, `error`).
    pub decision: String,
    /// Why, as told to the agent.
    pub reason: Option<String>,
    /// The source to record (an after-event's response).
    pub source: Option<NewSource>,
    /// Files to mark as written with sensitive content.
    pub taints: Vec<Taint>,
    /// Per secret id, its new leaked-chars map.
    pub coverage: Vec<(i64, Vec<u8>)>,
}

fn spool_dir(paths: &Paths) -> PathBuf {
    paths.data_dir.join("spool")
}

/// Keep a record for later.
pub fn spool(paths: &Paths, record: &Spooled) -> Result<()> {
    let dir = spool_dir(paths);
    if !dir.exists() {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        set_mode(&dir, 0o700)?;
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let name = format!("{}-{nanos}-{}.json", session_file_name(&record.session_id), std::process::id());
    let path = dir.join(name);
    let mut file = open_private(&path, true).with_context(|| format!("creating spool file {}", path.display()))?;
    let text = serde_json::to_vec(record).context("encoding a spooled record")?;
    if let Err(e) = file.write_all(&text) {
        // A half-written record (a full disk) is worth nothing: leave no partial file.
        let _ = std::fs::remove_file(&path);
        return Err(e).with_context(|| format!("writing spool file {}", path.display()));
    }
    Ok(())
}

/// Spooled records, with their files, for one session (`Some`) or all sessions.
pub fn spooled(paths: &Paths, session_id: Option<&str>) -> Vec<(PathBuf, Spooled)> {
    let Ok(entries) = std::fs::read_dir(spool_dir(paths)) else { return Vec::new() };
    let prefix = session_id.map(session_file_name);
    let mut out: Vec<(PathBuf, Spooled)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            prefix.as_deref().is_none_or(|pre| name.starts_with(pre))
        })
        .filter_map(|p| {
            let text = std::fs::read(&p).ok()?;
            let rec: Spooled = serde_json::from_slice(&text).ok()?;
            Some((p, rec))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
