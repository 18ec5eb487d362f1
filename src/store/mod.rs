//! The SQLite flow database: opened in WAL mode under an exclusive `fs2` lock on a lock file
//! beside it, with versioned migrations, pruning and the activity log.

pub mod approvals;
pub mod filter;
pub mod home;
pub mod queries;
mod schema;

use crate::flow::call::Decision;
use crate::flow::classify::Origin;
use crate::flow::fingerprint::{from_blob, to_blob};
use crate::flow::secrets::Category;
use crate::flow::taint::TaintKinds;
use crate::flow::view::{ContentIndex, Outcome, SecretState, SessionView, SourceMeta, Taint};
use crate::paths::Paths;
use anyhow::{bail, Context, Result};
use fs2::FileExt;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use crate::flow::engine::Needs;
pub use schema::CURRENT_VERSION;

/// How long a hook's announcement of an MCP call waits for the proxy to see it.
pub const CORRELATION_TTL_MS: i64 = 5000;

/// An open database. A writer holds the lock file (the lock is held until [`Store::unlock`] or
/// drop); a snapshot reader has none and never waits for a writer.
pub struct Store {
    pub conn: Connection,
    pub db_path: PathBuf,
    /// Time spent waiting for the lock.
    pub lock_wait: Duration,
    lock_file: Option<File>,
}

/// One activity row to append.
pub struct ActivityEntry<'a> {
    pub now: i64,
    pub session_id: &'a str,
    pub agent: &'a str,
    pub event: &'a str,
    pub tool: &'a str,
    pub decision: Decision,
    pub reason: Option<&'a str>,
    pub latency_us: i64,
}

fn private_file(path: &Path) -> std::io::Result<File> {
    home::open_private(path, true)
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

/// Wait for the exclusive lock on `file`, polling, up to `timeout`: the one lock loop.
fn wait_for_lock(file: &File, timeout: Duration) -> Result<Duration> {
    let start = Instant::now();
    let mut pause = Duration::from_micros(100);
    loop {
        match file.try_lock_exclusive() {
            Ok(()) => return Ok(start.elapsed()),
            Err(_) if start.elapsed() < timeout => {
                std::thread::sleep(pause.min(timeout.saturating_sub(start.elapsed())));
                pause = (pause * 2).min(Duration::from_millis(5));
            }
            Err(e) => bail!("database lock still held after {} ms: {e}", timeout.as_millis()),
        }
    }
}

/// What to do when the database file turns out not to be a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnCorrupt {
    /// Move it aside and start a new one (the session markers still say what was held).
    StartFresh,
    /// Report a failure (`fail_closed`): a replaced database is not a fresh start.
    Fail,
}

impl Store {
    /// Open (creating if needed) under the lock. A corrupt database is moved aside and a
    /// fresh one created; a database from a newer version is an error.
    pub fn open(paths: &Paths, lock_timeout: Duration) -> Result<Store> {
        Self::open_writer(paths, lock_timeout, OnCorrupt::StartFresh)
    }

    /// Open for writing: the home is checked, the lock taken, the schema migrated.
    pub fn open_writer(paths: &Paths, lock_timeout: Duration, on_corrupt: OnCorrupt) -> Result<Store> {
        home::ensure_home(&paths.data_dir)?;
        let db_path = paths.database();
        for f in [paths.lock_file(), db_path.clone()] {
            home::check_state_file(&f)?;
        }
        let lock_path = paths.lock_file();
        let lock = private_file(&lock_path).with_context(|| format!("opening lock file {}", lock_path.display()))?;
        let lock_wait =
            wait_for_lock(&lock, lock_timeout).with_context(|| format!("locking {}", lock_path.display()))?;
        let conn = match Self::connect(&db_path) {
            Ok(c) => c,
            Err(e)
                if on_corrupt == OnCorrupt::Fail && e.downcast_ref::<rusqlite::Error>().is_some_and(is_corruption) =>
            {
                return Err(e.context(format!("database {} is not a valid database", db_path.display())));
            }
            Err(e) if e.downcast_ref::<rusqlite::Error>().is_some_and(is_corruption) => {
                let aside = move_aside(&db_path)?;
                eprintln!(
                    "mcpproxy: database {} was corrupt; moved to {} and started a new one",
                    db_path.display(),
                    aside.display()
                );
                Self::connect(&db_path)?
            }
            Err(e) => return Err(e),
        };
        Ok(Store { conn, db_path, lock_wait, lock_file: Some(lock) })
    }

    /// Open for reading a WAL snapshot without the lock: a writer (or someone holding the lock
    /// file) never delays a reader. `None` when there is no database yet; an error when it
    /// needs a migration (the caller opens a writer) or cannot be read.
    pub fn open_snapshot(paths: &Paths) -> Result<Option<Store>> {
        let db_path = paths.database();
        match std::fs::symlink_metadata(&db_path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("checking database {}", db_path.display())),
            Ok(m) if m.file_type().is_symlink() => {
                bail!("database {} is a symbolic link; refusing to open it", db_path.display())
            }
            Ok(_) => {}
        }
        use rusqlite::OpenFlags;
        let flags =
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NOFOLLOW | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&db_path, flags)
            .with_context(|| format!("opening database {}", db_path.display()))?;
        // A WAL reader is blocked only by WAL recovery or a restarting checkpoint: a short wait,
        // then the fail-safe rule answers.
        conn.busy_timeout(Duration::from_millis(200))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .with_context(|| format!("reading database {}", db_path.display()))?;
        if version != CURRENT_VERSION {
            bail!("database {} is at schema version {version}, not {CURRENT_VERSION}", db_path.display());
        }
        Ok(Some(Store { conn, db_path, lock_wait: Duration::ZERO, lock_file: None }))
    }

    /// Whether this handle holds the write lock.
    pub fn is_writer(&self) -> bool {
        self.lock_file.is_some()
    }

    /// Release the lock (the connection stays open); a long-lived process such as the proxy
    /// takes it again around each evaluation with [`Store::lock`].
    pub fn unlock(&mut self) -> Result<()> {
        match &self.lock_file {
            Some(f) => fs2::FileExt::unlock(f).context("releasing the database lock"),
            None => Ok(()),
        }
    }

    /// Take the exclusive lock again, waiting up to `timeout`.
    pub fn lock(&mut self, timeout: Duration) -> Result<Duration> {
        let file = self.lock_file.as_ref().context("a snapshot reader cannot take the write lock")?;
        self.lock_wait = wait_for_lock(file, timeout)?;
        Ok(self.lock_wait)
    }

    /// The keyed check value of the fingerprint key the records were made with.
    pub fn key_check(&self) -> Result<Option<i64>> {
        key_check(&self.conn)
    }

    /// Remember which key the records are made with (first write after the key exists).
    pub fn set_key_check(&self, check: i64) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('key_check', ?1)",
            params![check.to_le_bytes().to_vec()],
        )?;
        Ok(())
    }

    /// The sealed tails of short pieces this session sent, by destination.
    pub fn load_egress_tails(&self, session_id: &str) -> Result<HashMap<String, Vec<u8>>> {
        let mut stmt = self.conn.prepare_cached("SELECT destination, tail FROM egress_tails WHERE session_id = ?1")?;
        let rows = stmt.query_map(params![session_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Record the tools a proxy exposes: exposed name -> (server, tool, annotations).
    pub fn register_proxy_tools(&self, tools: &[(String, String, String, Option<String>)], now: i64) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        for (exposed, server, tool, annotations) in tools {
            tx.execute(
                "INSERT OR REPLACE INTO proxy_tools(exposed, server, tool, annotations, seen_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![exposed, server, tool, annotations, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The real server, tool and annotations behind a name a proxy exposes.
    pub fn proxied_tool(&self, exposed: &str) -> Result<Option<(String, String, Option<String>)>> {
        Ok(self
            .conn
            .query_row("SELECT server, tool, annotations FROM proxy_tools WHERE exposed = ?1", params![exposed], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }

    /// Remember that a hook session is about to call an MCP tool with these arguments, so a
    /// proxy that receives the same call within a few seconds can link its session to it.
    pub fn record_correlation(&self, hash: &[u8], session_id: &str, now_ms: i64) -> Result<()> {
        self.conn.execute("DELETE FROM correlations WHERE created_at_ms < ?1", params![now_ms - CORRELATION_TTL_MS])?;
        self.conn.execute(
            "INSERT OR REPLACE INTO correlations(hash, session_id, created_at_ms) VALUES (?1, ?2, ?3)",
            params![hash, session_id, now_ms],
        )?;
        Ok(())
    }

    /// The hook session that announced this call in the last few seconds, if any.
    pub fn take_correlation(&self, hash: &[u8], now_ms: i64) -> Result<Option<String>> {
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT session_id FROM correlations WHERE hash = ?1 AND created_at_ms >= ?2",
                params![hash, now_ms - CORRELATION_TTL_MS],
                |r| r.get(0),
            )
            .optional()?;
        if found.is_some() {
            self.conn.execute("DELETE FROM correlations WHERE hash = ?1", params![hash])?;
        }
        Ok(found)
    }

    /// Link two sessions for good: they share one group and see each other's records.
    pub fn link_sessions(&self, a: &str, b: &str, agent_b: &str, now: i64) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        for (id, agent) in [(a, "unknown"), (b, agent_b)] {
            tx.execute(
                "INSERT INTO sessions(id, agent, started_at, last_seen) VALUES (?1, ?2, ?3, ?3) ON CONFLICT(id) DO NOTHING",
                params![id, agent, now],
            )?;
        }
        let group_of = |id: &str| -> rusqlite::Result<Option<String>> {
            tx.query_row("SELECT link_group FROM sessions WHERE id = ?1", params![id], |r| r.get(0))
        };
        let (ga, gb) = (group_of(a)?, group_of(b)?);
        let group = ga.clone().or_else(|| gb.clone()).unwrap_or_else(|| a.to_owned());
        tx.execute(
            "UPDATE sessions SET link_group = ?1 WHERE id IN (?2, ?3) OR (link_group IS NOT NULL AND link_group IN (?4, ?5))",
            params![group, a, b, ga.unwrap_or_default(), gb.unwrap_or_default()],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn connect(db_path: &Path) -> Result<Connection> {
        // Create it 0600 first, but never open and close an fd on an existing database: closing
        // any fd of a file drops every POSIX lock this process holds on it, including those of
        // another open connection (the proxy keeps one), which corrupts the database.
        if std::fs::symlink_metadata(db_path).is_err() {
            private_file(db_path).with_context(|| format!("creating database {}", db_path.display()))?;
        }
        let conn = Connection::open(db_path).with_context(|| format!("opening database {}", db_path.display()))?;
        conn.busy_timeout(Duration::from_secs(2))?;
        // The first read opens the WAL and its index: name the file when that fails (a
        // read-only directory, a full disk) so the one stderr line says where.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .with_context(|| format!("reading database {}", db_path.display()))?;
        if version > CURRENT_VERSION {
            bail!(
                "database {} has schema version {version}, newer than this mcpproxy supports ({CURRENT_VERSION}); upgrade mcpproxy",
                db_path.display()
            );
        }
        if version == 0 {
            // Set before the first table exists; pruning then returns freed pages to the OS.
            conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
                .and_then(|_| conn.pragma_update(None, "journal_mode", "WAL"))
                .with_context(|| format!("initialising database {}", db_path.display()))?;
        }
        // Every hook is its own process, so each close checkpoints the WAL (that keeps the WAL
        // small; a reopened WAL is re-read whole). With synchronous=OFF that checkpoint costs no
        // fsyncs: a killed process still loses nothing (commits are atomic in the WAL); only an
        // OS crash or power loss can lose recent records, and a database found corrupt is moved
        // aside and replaced.
        let sync = if std::env::var_os("MCPPROXY_SYNC_FULL").is_some() { "FULL" } else { "OFF" };
        conn.execute_batch(&format!("PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;"))
            .with_context(|| format!("configuring database {}", db_path.display()))?;
        if version < CURRENT_VERSION {
            let tx = conn.unchecked_transaction()?;
            for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.execute_batch(sql).with_context(|| format!("migrating database to version {}", i + 1))?;
            }
            tx.pragma_update(None, "user_version", CURRENT_VERSION)?;
            tx.commit()
                .with_context(|| format!("migrating database {} to version {CURRENT_VERSION}", db_path.display()))?;
        }
        Ok(conn)
    }

    /// The key mixed into every fingerprint, from its own file (a copied database reveals
    /// nothing without it). Created on first use, moving a key older versions kept in the
    /// database out of it. Returns `(key, lost)`: `lost` when the file was missing although the
    /// database holds records, which makes those records unusable (the caller reports it and the
    /// session markers keep the sessions fail-safe).
    pub fn ensure_key(&self, paths: &Paths) -> Result<(u64, bool)> {
        if let Some(key) = home::read_key(paths)? {
            return Ok((key, false));
        }
        if !self.is_writer() {
            bail!("no fingerprint key yet");
        }
        let legacy: Option<Vec<u8>> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'fingerprint_key'", [], |r| r.get(0)).optional()?;
        let (key, lost) = match legacy.filter(|v| v.len() == 8) {
            Some(v) => (u64::from_le_bytes(v.try_into().expect("8 bytes")), false),
            None => {
                let records: i64 = self.conn.query_row("SELECT COUNT(*) FROM sources", [], |r| r.get(0))?;
                (home::random_key()?, records > 0)
            }
        };
        home::write_key(paths, key)?;
        self.conn.execute("DELETE FROM meta WHERE key = 'fingerprint_key'", [])?;
        self.conn.execute("DELETE FROM meta WHERE key = 'key_check'", [])?;
        if lost {
            // Hashes under the old key can never match again: drop them, so sessions that held
            // data show as having lost their records (and their markers keep them fail-safe).
            self.conn.execute("DELETE FROM sources", [])?;
        }
        Ok((key, lost))
    }

    /// Sessions whose records this session can see: itself and any linked to it.
    pub fn session_family(&self, session_id: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM sessions WHERE id = ?1 OR (link_group IS NOT NULL AND link_group = (SELECT link_group FROM sessions WHERE id = ?1))",
        )?;
        let mut ids: Vec<String> = stmt.query_map(params![session_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        if ids.is_empty() {
            ids.push(session_id.to_owned());
        }
        Ok(ids)
    }

    /// Everything recorded for the session and its linked sessions.
    /// `needs` says which parts the decision can use; content fingerprints are the bulk of a
    /// session (about 1 MB per 8 MB read) and most calls are too short to carry a span of it.
    pub fn load_view(&self, session_id: &str, needs: Needs) -> Result<SessionView> {
        let mut view = SessionView::default();
        if needs == Needs::Nothing {
            return Ok(view);
        }
        for sid in self.session_family(session_id)? {
            self.load_into(&sid, needs == Needs::WithContent, &mut view)?;
        }
        Ok(view)
    }

    /// Which of `probe` (content grams a call carries) may be private content of the session
    /// or its linked sessions, from their filter files; `None` when a file cannot vouch.
    pub fn content_passing(&self, session_id: &str, probe: &[u64]) -> Result<Option<Vec<u64>>> {
        let key_check = self.key_check()?.unwrap_or(0);
        let mut out = Vec::new();
        for sid in self.session_family(session_id)? {
            let path = filter::path_for(&self.db_path, &sid);
            match filter::passing(&path, key_check, self.content_counts(&sid)?, probe) {
                Some(found) => out.extend(found),
                None => return Ok(None),
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(Some(out))
    }

    /// What the session's content filter must hold (see `filter`).
    fn content_counts(&self, sid: &str) -> Result<Option<filter::Counts>> {
        content_counts(&self.conn, sid)
    }

    fn load_into(&self, sid: &str, with_content: bool, view: &mut SessionView) -> Result<()> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, tool, origin, location FROM sources WHERE session_id = ?1")?;
        for row in stmt.query_map(params![sid], |r| {
            Ok(SourceMeta {
                id: r.get(0)?,
                tool: r.get(1)?,
                origin: Origin::parse(&r.get::<_, String>(2)?),
                location: r.get(3)?,
            })
        })? {
            let s = row?;
            view.sources.insert(s.id, s);
        }
        if with_content {
            let mut stmt =
                self.conn.prepare_cached("SELECT source_id, origin, hashes FROM fingerprints WHERE session_id = ?1")?;
            for row in stmt.query_map(params![sid], |r| {
                Ok(ContentIndex {
                    source_id: r.get(0)?,
                    origin: Origin::parse(&r.get::<_, String>(1)?),
                    hashes: from_blob(&r.get::<_, Vec<u8>>(2)?),
                })
            })? {
                view.content.push(row?);
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, source_id, kind, category, windows, core_len, coverage, issuers FROM secrets WHERE session_id = ?1 ORDER BY id",
        )?;
        for row in stmt.query_map(params![sid], |r| {
            Ok(SecretState {
                id: r.get(0)?,
                source_id: r.get(1)?,
                kind: r.get(2)?,
                // A name this version does not know is read as the strictest category.
                category: Category::from_name(&r.get::<_, String>(3)?).unwrap_or(Category::Secret),
                windows: from_blob(&r.get::<_, Vec<u8>>(4)?),
                core_len: r.get::<_, i64>(5)? as usize,
                coverage: r.get(6)?,
                stated_issuers: r.get::<_, String>(7)?.split_whitespace().map(str::to_owned).collect(),
            })
        })? {
            view.secrets.push(row?);
        }
        let mut stmt = self.conn.prepare_cached("SELECT path, kinds FROM taints WHERE session_id = ?1")?;
        for row in stmt.query_map(params![sid], |r| {
            Ok(Taint { path: r.get(0)?, kinds: TaintKinds::from_text(&r.get::<_, String>(1)?) })
        })? {
            view.taints.push(row?);
        }
        Ok(())
    }

    /// Persist an evaluation: the session, any new source, taints, coverage, the activity row
    /// and its flows, all in one transaction (a killed process leaves nothing half-written).
    pub fn save(&mut self, entry: &ActivityEntry, outcome: &Outcome) -> Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO sessions(id, agent, started_at, last_seen) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen",
            params![entry.session_id, entry.agent, entry.now],
        )?;
        if let Some(src) = &outcome.new_source {
            tx.execute(
                "INSERT INTO sources(session_id, tool, origin, location, created_at, bytes, sensitivity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![entry.session_id, src.tool, src.origin.as_str(), src.location, entry.now, src.bytes as i64, src.sensitivity.join(",")],
            )?;
            let source_id = tx.last_insert_rowid();
            if !src.content.is_empty() {
                tx.execute(
                    "INSERT INTO fingerprints(source_id, session_id, origin, hashes) VALUES (?1, ?2, ?3, ?4)",
                    params![source_id, entry.session_id, src.origin.as_str(), to_blob(&src.content)],
                )?;
                if src.origin == Origin::Private {
                    add_to_filter(&tx, &self.db_path, entry.session_id, &src.content)?;
                }
            }
            for s in &src.secrets {
                tx.execute(
                    "INSERT OR IGNORE INTO secrets(session_id, source_id, kind, category, ident, core_len, windows, coverage, issuers)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![entry.session_id, source_id, s.kind, s.category.as_str(), s.ident as i64, s.core_len as i64, to_blob(&s.windows), vec![0u8; s.core_len], s.stated_issuers.join(" ")],
                )?;
            }
        }
        for t in &outcome.taints {
            // A file's taints add up: a later write (an edit, a second secret) loses none.
            let held: Option<String> = tx
                .query_row(
                    "SELECT kinds FROM taints WHERE session_id = ?1 AND path = ?2",
                    params![entry.session_id, t.path],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute(
                "INSERT INTO taints(session_id, path, kinds, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(session_id, path) DO UPDATE SET kinds = excluded.kinds, created_at = excluded.created_at",
                params![entry.session_id, t.path, union_kinds(held.as_deref(), &t.kinds), entry.now],
            )?;
        }
        for (destination, tail) in &outcome.tails {
            tx.execute(
                "INSERT OR REPLACE INTO egress_tails(session_id, destination, tail, updated_at) VALUES (?1, ?2, ?3, ?4)",
                params![entry.session_id, destination, tail, entry.now],
            )?;
        }
        for (id, cov) in &outcome.coverage {
            tx.execute("UPDATE secrets SET coverage = ?1 WHERE id = ?2", params![cov, id])?;
        }
        tx.execute(
            "INSERT INTO activity(ts, session_id, agent, event, tool, decision, reason, latency_us, lock_wait_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![entry.now, entry.session_id, entry.agent, entry.event, entry.tool, entry.decision.as_str(), entry.reason, entry.latency_us, self.lock_wait.as_micros() as i64],
        )?;
        let activity_id = tx.last_insert_rowid();
        for h in &outcome.hits {
            tx.execute(
                "INSERT INTO flows(activity_id, session_id, ts, source_id, kind, data, provenance, sink_tool, sink_field, encoding, destination, matched, action, data_ident)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![activity_id, entry.session_id, entry.now, h.source_id, h.kind.as_str(), h.data, h.provenance, entry.tool, h.field, h.encoding, h.destination, h.matched as i64, h.action.as_str(), h.ident],
            )?;
        }
        tx.commit()?;
        Ok(activity_id)
    }

    /// Append an activity row for an evaluation that failed (best effort).
    pub fn log_activity(&self, entry: &ActivityEntry) -> Result<()> {
        self.conn.execute(
            "INSERT INTO activity(ts, session_id, agent, event, tool, decision, reason, latency_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![entry.now, entry.session_id, entry.agent, entry.event, entry.tool, entry.decision.as_str(), entry.reason, entry.latency_us],
        )?;
        Ok(())
    }

    /// Drop sessions idle for longer than `ttl_secs` and activity beyond `max_rows`; runs at
    /// most once an hour. Returns the number of sessions removed.
    /// Returns the ids of the sessions removed.
    pub fn prune_if_due(&self, now: i64, ttl_secs: i64, max_rows: u64) -> Result<Vec<String>> {
        let last: Option<Vec<u8>> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'last_prune'", [], |r| r.get(0)).optional()?;
        let last = last.and_then(|v| v.try_into().ok()).map(i64::from_le_bytes).unwrap_or(0);
        if now - last < 3600 {
            return Ok(Vec::new());
        }
        self.prune(now, ttl_secs, max_rows)
    }

    /// Remove one session and its activity (flows go with their rows): `doctor` clears its
    /// canary session once the canary did what it should, so it does not crowd the user's log.
    pub fn forget_session(&self, id: &str) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute("DELETE FROM activity WHERE session_id = ?1", params![id])
            .with_context(|| format!("removing the activity of session {id}"))?;
        tx.execute("DELETE FROM sessions WHERE id = ?1", params![id])
            .with_context(|| format!("removing session {id}"))?;
        tx.commit()?;
        filter::remove(&self.db_path, id);
        Ok(())
    }

    pub fn prune(&self, now: i64, ttl_secs: i64, max_rows: u64) -> Result<Vec<String>> {
        let tx = self.conn.unchecked_transaction()?;
        let ids: Vec<String> = {
            let mut stmt = tx.prepare("SELECT id FROM sessions WHERE last_seen < ?1")?;
            let rows = stmt.query_map(params![now - ttl_secs], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let removed = tx.execute("DELETE FROM sessions WHERE last_seen < ?1", params![now - ttl_secs])?;
        tx.execute("DELETE FROM activity WHERE id <= (SELECT MAX(id) FROM activity) - ?1", params![max_rows as i64])?;
        tx.execute("DELETE FROM correlations WHERE created_at_ms < ?1", params![(now - 60) * 1000])?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('last_prune', ?1)",
            params![now.to_le_bytes().to_vec()],
        )?;
        tx.commit()?;
        for id in &ids {
            filter::remove(&self.db_path, id);
        }
        if removed > 0 {
            // Each step of this pragma frees one page: run it to the end.
            let mut stmt = self.conn.prepare("PRAGMA incremental_vacuum")?;
            let mut rows = stmt.query([])?;
            while rows.next()?.is_some() {}
        }
        Ok(ids)
    }
}

fn key_check(conn: &Connection) -> Result<Option<i64>> {
    let v: Option<Vec<u8>> =
        conn.query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| r.get(0)).optional()?;
    Ok(v.and_then(|b| b.try_into().ok()).map(i64::from_le_bytes))
}

/// The session's `content_filters` row: `None` when it recorded no private content. (A session
/// recorded before the filters existed has a row of -1s, which no file vouches for.)
fn content_counts(conn: &Connection, sid: &str) -> Result<Option<filter::Counts>> {
    let mut stmt = conn.prepare_cached("SELECT sources, hashes FROM content_filters WHERE session_id = ?1")?;
    stmt.query_row(params![sid], |r| Ok(filter::Counts { sources: r.get(0)?, hashes: r.get(1)? }))
        .optional()
        .with_context(|| format!("reading the content filter counts of session {sid}"))
}

/// Count a private source's fingerprints for the session and add them to its filter file
/// (before the commit: a file ahead of the database vouches for nothing, never for too little).
/// A filter that cannot be written is no error: it then vouches for nothing and every long call
/// loads the blobs, as without a filter, until a later write rebuilds it.
fn add_to_filter(tx: &rusqlite::Transaction, db_path: &Path, sid: &str, hashes: &[u64]) -> Result<()> {
    let before = content_counts(tx, sid)?.unwrap_or_default();
    let after =
        filter::Counts { sources: before.sources.max(0) + 1, hashes: before.hashes.max(0) + hashes.len() as i64 };
    tx.execute(
        "INSERT INTO content_filters(session_id, sources, hashes) VALUES (?1, ?2, ?3)
         ON CONFLICT(session_id) DO UPDATE SET sources = excluded.sources, hashes = excluded.hashes",
        params![sid, after.sources, after.hashes],
    )?;
    let key_check = key_check(tx)?.unwrap_or(0);
    let every_private = || -> Result<Vec<Vec<u64>>> {
        let mut stmt = tx.prepare("SELECT hashes FROM fingerprints WHERE session_id = ?1 AND origin = ?2")?;
        let rows =
            stmt.query_map(params![sid, Origin::Private.as_str()], |r| Ok(from_blob(&r.get::<_, Vec<u8>>(0)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    // (Not said on stderr: the hook's one line is for what the user must know, and a full
    // disk that fails this write fails the records' write too, which is said.)
    let _ = filter::add(&filter::path_for(db_path, sid), key_check, before, after, hashes, every_private);
    Ok(())
}

/// Rename a corrupt database (and its WAL/SHM files) out of the way; never delete it.
fn move_aside(db_path: &Path) -> Result<PathBuf> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let aside = db_path.with_extension(format!("db.corrupt-{stamp}"));
    std::fs::rename(db_path, &aside).with_context(|| format!("moving corrupt database {} aside", db_path.display()))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if side.exists() {
            let _ = std::fs::rename(&side, PathBuf::from(format!("{}{suffix}", aside.display())));
        }
    }
    Ok(aside)
}

/// Comma-joined kinds, the held ones first, each once.
fn union_kinds(held: Option<&str>, new: &TaintKinds) -> String {
    TaintKinds::from_text(held.unwrap_or("")).union(new).to_string()
}
