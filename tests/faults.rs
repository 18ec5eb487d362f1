//! Corruption and environment faults: a truncated, garbage or newer-schema database, a
//! read-only home, a full disk and a missing home. Each must give the documented behaviour:
//! exit 0, nothing on stdout and exactly one stderr line naming the problem (or, with
//! `fail_closed`, a deny on stdout), never a panic, and never a lost user file.

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A file's bytes as a short comparable summary: a failed comparison of megabytes then prints
/// two lines, not the bytes.
fn fingerprint(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{} bytes, sha256 {:x}", bytes.len(), Sha256::digest(bytes))
}

fn file_fingerprint(path: &Path) -> String {
    fingerprint(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// How to run the hook process.
#[derive(Clone, Copy)]
enum As {
    Me,
    /// Drop to uid/gid 65534 (root ignores permission bits; this user does not).
    Nobody,
    /// RLIMIT_FSIZE of this many bytes, SIGXFSZ ignored (writes past it fail with EFBIG).
    FileSizeLimit(u64),
}

fn hook_in(home: &Path, event: &Value, how: As) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(["hook", "evaluate"])
        .env("MCPPROXY_HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match how {
        As::Me => {}
        As::Nobody => unsafe {
            cmd.pre_exec(|| {
                if libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        },
        As::FileSizeLimit(bytes) => unsafe {
            cmd.pre_exec(move || {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let lim = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        },
    }
    let mut child = cmd.spawn().expect("spawn hook");
    child.stdin.take().unwrap().write_all(event.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn clean_fetch(session: &str) -> Value {
    payload(session, "PreToolUse", "WebFetch", json!({"url": "https://docs.rs/serde", "prompt": "summarise"}), None)
}

fn big_read(session: &str, kb: usize) -> Value {
    let text: String = (0..kb * 1024 / 32).map(|i| format!("line {i:08} of the quarterly plan\n")).collect();
    payload(
        session,
        "PostToolUse",
        "Read",
        json!({"file_path": "/repo/plan.txt"}),
        Some(json!({"type": "text", "file": {"filePath": "/repo/plan.txt", "content": text}})),
    )
}

fn assert_no_panic(run: &Run) {
    assert!(!run.stderr.contains("panicked") && !run.stderr.contains("internal error"), "panic: {}", run.stderr);
}

fn assert_silent(run: &Run, what: &str) {
    assert_no_panic(run);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""), "{what}");
}

/// Fail open: exit 0, nothing on stdout, exactly one stderr line naming the problem.
fn assert_fail_open(run: &Run, needles: &[&str], what: &str) {
    assert_no_panic(run);
    assert_eq!(run.code, 0, "{what}: exit code; stderr {}", run.stderr);
    assert_eq!(run.stdout, "", "{what}: stdout must stay empty");
    assert_eq!(run.stderr.lines().count(), 1, "{what}: exactly one stderr line, got {:?}", run.stderr);
    assert!(run.stderr.starts_with("mcpproxy: "), "{what}: {}", run.stderr);
    assert!(
        needles.iter().any(|n| run.stderr.to_lowercase().contains(&n.to_lowercase())),
        "{what}: stderr {:?} should name the problem ({needles:?})",
        run.stderr
    );
}

/// Fail closed: a deny on stdout whose reason names the problem, plus the stderr line.
fn assert_fail_closed(run: &Run, needles: &[&str], what: &str) {
    assert_no_panic(run);
    assert_eq!(run.code, 0, "{what}");
    let (d, reason) = decision(run).unwrap_or_else(|| panic!("{what}: no fail-closed deny; stderr {}", run.stderr));
    assert_eq!(d, "deny", "{what}");
    assert!(reason.contains("fail_closed"), "{what}: {reason}");
    assert!(
        needles.iter().any(|n| reason.to_lowercase().contains(&n.to_lowercase())),
        "{what}: reason {reason:?} should name the problem ({needles:?})"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{what}: {:?}", run.stderr);
}

/// Fail safe: the session holds private data, so a call that could not be checked is denied,
/// with a reason naming the failure, and one stderr line.
fn assert_fail_safe(run: &Run, needles: &[&str], what: &str) {
    assert_no_panic(run);
    assert_eq!(run.code, 0, "{what}");
    let (d, reason) = decision(run).unwrap_or_else(|| panic!("{what}: no fail-safe deny; stderr {}", run.stderr));
    assert_eq!(d, "deny", "{what}");
    assert!(reason.contains("fail-safe") && reason.contains("read private data"), "{what}: {reason}");
    assert!(
        needles.iter().any(|n| reason.to_lowercase().contains(&n.to_lowercase())),
        "{what}: reason {reason:?} should name the problem ({needles:?})"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{what}: {:?}", run.stderr);
}

fn corrupt_copies(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("mcpproxy.db.corrupt-") && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .collect();
    v.sort();
    v
}

/// A real database: a secret read, 256 KB of content, a denied leak, in `home`.
fn seed(home: &Path, how: As) {
    assert_silent(&hook_in(home, &read_env("seed"), how), "seed .env read");
    assert_silent(&hook_in(home, &big_read("seed", 256), how), "seed big read");
    let run = hook_in(home, &leak("seed"), how);
    assert_eq!(decision(&run).map(|d| d.0).as_deref(), Some("deny"), "seed leak; stderr {}", run.stderr);
}

/// A corrupt database is moved aside byte for byte, a fresh one takes its place, and the
/// hook says so in one line.
fn check_moved_aside(home: &Home, original: &[u8], what: &str) {
    let run = home.hook(&leak("after"));
    assert_fail_open(&run, &["corrupt"], what);
    let aside = corrupt_copies(home.path());
    assert_eq!(aside.len(), 1, "{what}: {aside:?}");
    assert_eq!(file_fingerprint(&aside[0]), fingerprint(original), "{what}: the corrupt file must be kept unchanged");
    let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
    let stamp = name.trim_start_matches("mcpproxy.db.corrupt-");
    assert!(stamp.parse::<u64>().is_ok(), "{what}: {name}");
    // The fresh database works and keeps working; the corrupt copy is left alone.
    assert_silent(&home.hook(&read_env("after")), &format!("{what}: record after recovery"));
    assert_eq!(decision(&home.hook(&leak("after"))).map(|d| d.0).as_deref(), Some("deny"), "{what}");
    assert_eq!(corrupt_copies(home.path()).len(), 1);
    assert_eq!(file_fingerprint(&aside[0]), fingerprint(original));
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok", "{what}");
}

#[test]
fn truncated_database_is_moved_aside() {
    let home = Home::new();
    seed(home.path(), As::Me);
    let full = std::fs::read(home.db()).unwrap();
    assert!(full.len() > 64 * 1024, "seeded database is {} bytes", full.len());
    let half = &full[..full.len() / 2];
    std::fs::write(home.db(), half).unwrap();
    println!("truncated a {} byte database to {} bytes", full.len(), half.len());
    check_moved_aside(&home, half, "truncated database");
}

#[test]
fn garbage_database_is_moved_aside() {
    // Random bytes, and random pages behind a valid SQLite header.
    for with_header in [false, true] {
        let home = Home::new();
        let mut x: u64 = 0x243F_6A88_85A3_08D3;
        let mut bytes: Vec<u8> = (0..64 * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        if with_header {
            seed(home.path(), As::Me);
            let real = std::fs::read(home.db()).unwrap();
            bytes[..100].copy_from_slice(&real[..100]);
        }
        std::fs::write(home.db(), &bytes).unwrap();
        check_moved_aside(
            &home,
            &bytes,
            if with_header { "garbage behind a valid header" } else { "garbage database" },
        );
    }
}

#[test]
fn newer_schema_database_is_left_untouched() {
    let home = Home::new();
    seed(home.path(), As::Me);
    {
        let conn = rusqlite::Connection::open(home.db()).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = file_fingerprint(&home.db());
    // The seed session read a secret: its leak stays denied (fail-safe) even though the
    // database cannot be used; a session that read nothing fails open.
    let run = home.hook(&leak("seed"));
    assert_fail_safe(&run, &["newer than this mcpproxy"], "newer schema");
    assert!(run.stderr.contains("999"), "{}", run.stderr);
    let run = home.hook(&leak("fresh"));
    assert_fail_open(&run, &["newer than this mcpproxy"], "newer schema, a session that read nothing");
    let run = home.hook(&read_env("other"));
    assert_fail_open(&run, &["newer than this mcpproxy"], "newer schema, post");
    home.write_config(r#"{"fail_closed": true}"#);
    assert_fail_closed(&home.hook(&leak("seed")), &["newer than this mcpproxy"], "newer schema, fail_closed");
    assert_eq!(file_fingerprint(&home.db()), before, "a newer database must not be modified");
    assert!(corrupt_copies(home.path()).is_empty(), "a newer database is not corrupt");
    let conn = rusqlite::Connection::open(home.db()).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 999);
}

/// A tmpfs mounted for the test, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then_some(Tmpfs { dir })
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn remount_ro(&self) -> bool {
        Command::new("mount").args(["-o", "remount,ro"]).arg(self.path()).status().map(|s| s.success()).unwrap_or(false)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), file_fingerprint(&p)))
        .collect();
    v.sort();
    v
}

#[test]
fn read_only_home() {
    let mut tested = Vec::new();

    // 1. Permission bits: a 0500 home owned by the user running the hook. Root ignores the
    //    bits, so as root the hook runs as uid 65534 in a home that user owns.
    let who = if is_root() { As::Nobody } else { As::Me };
    let outer = tempfile::tempdir().unwrap();
    std::fs::set_permissions(outer.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for with_db in [true, false] {
        let home = outer.path().join(if with_db { "home-with-db" } else { "home-empty" });
        std::fs::create_dir(&home).unwrap();
        if is_root() {
            std::os::unix::fs::chown(&home, Some(65534), Some(65534)).unwrap();
        }
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        if with_db {
            seed(&home, who);
        }
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o500)).unwrap();
        let before = snapshot(&home);
        let what = format!("0500 home ({})", if with_db { "existing database" } else { "no database yet" });
        let run = hook_in(&home, &leak("seed"), who);
        let needles = ["permission denied", "read-only", "readonly", "unable to open"];
        if with_db {
            // The seed session read a secret: fail-safe deny.
            assert_fail_safe(&run, &needles, &what);
        } else {
            assert_fail_open(&run, &needles, &what);
        }
        assert!(
            run.stderr.contains(&home.display().to_string()),
            "{what}: stderr should name the path: {}",
            run.stderr
        );
        println!("{what}: {}", run.stderr.trim());
        assert_eq!(snapshot(&home), before, "{what}: files changed");
        // fail_closed in the (readable) config turns it into a deny.
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::write(home.join("config.json"), r#"{"fail_closed": true}"#).unwrap();
        if is_root() {
            std::os::unix::fs::chown(home.join("config.json"), Some(65534), Some(65534)).unwrap();
        }
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o500)).unwrap();
        assert_fail_closed(
            &hook_in(&home, &leak("seed"), who),
            &["permission denied", "read-only", "readonly", "unable to open"],
            &format!("{what}, fail_closed"),
        );
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::remove_file(home.join("config.json")).unwrap();
        // Writable again: nothing was lost, the old records still deny.
        if with_db {
            let run = hook_in(&home, &leak("seed"), who);
            assert_eq!(
                decision(&run).map(|d| d.0).as_deref(),
                Some("deny"),
                "{what}: after chmod back; stderr {}",
                run.stderr
            );
        } else {
            assert_silent(&hook_in(&home, &clean_fetch("s"), who), &what);
        }
        tested.push(what);
    }

    // 2. A read-only file system (remounted tmpfs), where even root cannot write.
    if let Some(fs) = Tmpfs::mount("4m") {
        let home = fs.path().join("home");
        std::fs::create_dir(&home).unwrap();
        seed(&home, As::Me);
        std::fs::write(home.join("config.json"), r#"{"fail_closed": false}"#).unwrap();
        let before = snapshot(&home);
        assert!(fs.remount_ro(), "remount read-only");
        let run = hook_in(&home, &leak("seed"), As::Me);
        assert_fail_safe(&run, &["read-only file system", "unable to open"], "read-only file system");
        println!("read-only file system: {}", run.stderr.trim());
        assert_fail_open(
            &hook_in(&home, &read_env("x"), As::Me),
            &["read-only file system"],
            "read-only file system, post",
        );
        assert_eq!(snapshot(&home), before);
        tested.push("read-only tmpfs".into());
    } else {
        println!("NOTE: cannot mount a tmpfs here; the read-only file system case was not run");
    }
    println!("read-only home cases run: {tested:?}");
}

/// Fill the file system holding `dir` until `leave_kib` KiB are free.
fn fill(dir: &Path, leave_kib: u64) -> PathBuf {
    let filler = dir.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let block = vec![0x5au8; 4096];
    while f.write_all(&block).is_ok() {}
    let len = f.metadata().unwrap().len();
    f.set_len(len.saturating_sub(leave_kib * 1024)).unwrap();
    filler
}

#[test]
fn disk_full() {
    let full = ["full", "disk"];
    if let Some(fs) = Tmpfs::mount("64k") {
        println!("disk full: 64 KiB and 2 MiB tmpfs mounts");
        // 1. Not even room for a new database.
        let home = fs.path().join("home");
        std::fs::create_dir(&home).unwrap();
        let run = hook_in(&home, &clean_fetch("s"), As::Me);
        assert_fail_open(&run, &full, "64 KiB tmpfs, new database");
        println!("64 KiB tmpfs: {}", run.stderr.trim());
        assert!(run.stderr.contains(&home.display().to_string()), "stderr should name the database: {}", run.stderr);
        std::fs::write(home.join("config.json"), r#"{"fail_closed": true}"#).unwrap();
        assert_fail_closed(&hook_in(&home, &clean_fetch("s"), As::Me), &full, "64 KiB tmpfs, fail_closed");
        assert!(corrupt_copies(&home).is_empty(), "a full disk is not corruption");
        drop(fs);

        // 2. A working database on a disk that then fills up completely: the database cannot
        //    even be read (its WAL index cannot be created). The session read a secret, so the
        //    leak is denied fail-safe; a session that read nothing fails open.
        let fs = Tmpfs::mount("2m").expect("second tmpfs");
        let home = fs.path().join("home");
        std::fs::create_dir(&home).unwrap();
        seed(&home, As::Me);
        let before = file_fingerprint(&home.join("mcpproxy.db"));
        let filler = fill(fs.path(), 0);
        let run = hook_in(&home, &leak("seed"), As::Me);
        assert_fail_safe(&run, &["disk", "i/o"], "completely full tmpfs");
        let run = hook_in(&home, &leak("fresh-session"), As::Me);
        assert_fail_open(&run, &full, "completely full tmpfs, a session that read nothing");
        assert!(run.stderr.contains(&home.display().to_string()), "stderr should name the database: {}", run.stderr);
        assert_fail_open(&hook_in(&home, &big_read("seed", 1024), As::Me), &full, "completely full tmpfs, post");
        std::fs::write(home.join("config.json"), r#"{"fail_closed": true}"#).unwrap_or_else(|_| {
            // No room for the config either: make room for it, then fill again.
            std::fs::remove_file(&filler).unwrap();
            std::fs::write(home.join("config.json"), r#"{"fail_closed": true}"#).unwrap();
            fill(fs.path(), 0);
        });
        assert_fail_closed(&hook_in(&home, &leak("seed"), As::Me), &full, "completely full tmpfs, fail_closed");
        std::fs::remove_file(home.join("config.json")).unwrap();
        std::fs::remove_file(&filler).unwrap();
        assert_eq!(file_fingerprint(&home.join("mcpproxy.db")), before, "database changed while the disk was full");

        // 3. Room to open the database, none to write a record.
        let filler = fill(fs.path(), 40);
        check_full_disk(&home, As::Me, "tmpfs with 40 KiB free");
        std::fs::remove_file(&filler).unwrap();
        after_full_disk(&home);
    } else {
        println!("NOTE: cannot mount a tmpfs here; disk full is emulated with RLIMIT_FSIZE only");
    }
    // Always also: RLIMIT_FSIZE (writes past the limit fail with EFBIG, SIGXFSZ ignored), the
    // way a full disk looks to a process that cannot mount anything.
    let home = Home::new();
    let run = hook_in(home.path(), &clean_fetch("s"), As::FileSizeLimit(16 * 1024));
    assert_fail_open(&run, &full, "RLIMIT_FSIZE 16 KiB, new database");
    let home = Home::new();
    seed(home.path(), As::Me);
    check_full_disk(home.path(), As::FileSizeLimit(40 * 1024), "RLIMIT_FSIZE 40 KiB");
    after_full_disk(home.path());
}

fn check_full_disk(home: &Path, how: As, what: &str) {
    let db = home.join("mcpproxy.db");
    let before = file_fingerprint(&db);
    // A large record cannot be written: one line, nothing on stdout, the database as it was.
    let big = hook_in(home, &big_read("seed", 1024), how);
    assert_fail_open(&big, &["full", "disk", "too large"], &format!("{what}: big post"));
    assert!(corrupt_copies(home).is_empty(), "{what}: a full disk is not corruption");
    assert_eq!(file_fingerprint(&db), before, "{what}: the failed post changed the database");
    // The leak of a secret read earlier is still refused: the verdict does not depend on
    // room to log it (one stderr line says when the log write failed). Its small log row may
    // fit, and may then reach the database file in a checkpoint, so the file is not compared
    // again: `after_full_disk` checks its content.
    let run = hook_in(home, &leak("seed"), how);
    assert_no_panic(&run);
    let got = decision(&run);
    assert_eq!(
        got.as_ref().map(|d| d.0.as_str()),
        Some("deny"),
        "{what}: a known secret leaked while the disk was full; stderr {}",
        run.stderr
    );
    assert!(got.unwrap().1.contains("/repo/.env"));
    assert!(run.stderr.lines().count() <= 1, "{what}: {}", run.stderr);
    println!("{what}: big post -> fail open ({}); leak -> deny; stderr {:?}", big.stderr.trim(), run.stderr.trim());
}

fn after_full_disk(home: &Path) {
    // Room again: the database is sound, the failed post left nothing, everything works.
    let conn = rusqlite::Connection::open(home.join("mcpproxy.db")).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let sources: i64 = conn.query_row("SELECT COUNT(*) FROM sources", [], |r| r.get(0)).unwrap();
    assert_eq!(sources, 2, "the seed's two reads and nothing half-written");
    drop(conn);
    assert_silent(&hook_in(home, &big_read("seed2", 256), As::Me), "post after the disk has room");
    assert_eq!(decision(&hook_in(home, &leak("seed"), As::Me)).map(|d| d.0).as_deref(), Some("deny"));
}

#[test]
fn missing_home() {
    // The parent does not exist: the state directory is created (private) and used.
    let outer = tempfile::tempdir().unwrap();
    let home = outer.path().join("no-such-parent").join("home");
    assert_silent(&hook_in(&home, &read_env("s"), As::Me), "home under a missing parent");
    assert_eq!(std::fs::metadata(&home).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(decision(&hook_in(&home, &leak("s"), As::Me)).map(|d| d.0).as_deref(), Some("deny"));

    // The home is a regular file: one line naming the path, the file untouched.
    let file = outer.path().join("home-is-a-file");
    std::fs::write(&file, b"my notes, not a directory\n").unwrap();
    for ev in [leak("s"), read_env("s")] {
        let run = hook_in(&file, &ev, As::Me);
        assert_fail_open(&run, &["not a directory", "file exists"], "home is a file");
        println!("home is a file: {}", run.stderr.trim());
        assert!(run.stderr.contains(&file.display().to_string()), "{}", run.stderr);
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"my notes, not a directory\n");
    assert!(file.is_file());

    // The parent is a regular file.
    let under_file = file.join("home");
    let run = hook_in(&under_file, &leak("s"), As::Me);
    assert_fail_open(&run, &["not a directory", "file exists"], "home under a file");
    assert_eq!(std::fs::read(&file).unwrap(), b"my notes, not a directory\n");
}
