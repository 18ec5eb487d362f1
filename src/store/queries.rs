//! Read-only queries for the reporting commands (`hook status`, `activity`, `sessions`). The
//! database is opened read-only without the writers' lock: WAL lets readers run beside a hook
//! process that is writing, and nothing here can change or create the database.

use anyhow::{Context, Result};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OpenFlags, OptionalExtension, Row};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

pub struct ReadOnly {
    conn: Connection,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActivityRow {
    pub id: i64,
    pub ts: i64,
    pub session_id: String,
    pub agent: String,
    pub event: String,
    pub tool: String,
    pub decision: String,
    pub reason: Option<String>,
    pub latency_us: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowRow {
    pub id: i64,
    pub activity_id: i64,
    pub ts: i64,
    pub session_id: String,
    /// Flow kind, also the policy rule that applied (`policy.<kind>`).
    pub kind: String,
    /// What data (a secret kind, `private content`, a path ...), never the value.
    pub data: String,
    /// Which tool read it from where.
    pub provenance: String,
    pub sink_tool: String,
    pub sink_field: String,
    pub encoding: String,
    pub destination: String,
    /// Matched characters.
    pub matched: i64,
    pub action: String,
    pub source: Option<SourceRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub id: i64,
    pub tool: String,
    pub origin: String,
    pub location: String,
    pub created_at: i64,
    pub bytes: i64,
    /// Secret kinds and markers found in it (`stripe-access-token,sensitive-path`).
    pub sensitivity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionRow {
    pub id: String,
    pub agent: String,
    pub started_at: i64,
    pub last_seen: i64,
    pub sources: i64,
    pub flows: i64,
    pub evaluations: i64,
    pub deny: i64,
    pub ask: i64,
}

/// Filters for activity rows; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct ActivityQuery {
    pub session_prefix: Option<String>,
    pub decision: Option<String>,
    /// SQLite GLOB pattern (an exact name matches itself).
    pub tool_glob: Option<String>,
    pub since: Option<i64>,
    /// Newest rows kept when limited; results are returned oldest first.
    pub limit: Option<u32>,
}

const ACTIVITY_COLS: &str = "id, ts, session_id, agent, event, tool, decision, reason, latency_us";
const FLOW_COLS: &str = "f.id, f.activity_id, f.ts, f.session_id, f.kind, f.data, f.provenance, f.sink_tool, f.sink_field, \
     f.encoding, f.destination, f.matched, f.action, s.id, s.tool, s.origin, s.location, s.created_at, s.bytes, s.sensitivity";

/// A struct read from a row's columns, from column `first` on, in the order of its fields
/// (the order the SELECT names them); fields after `;` are given, not read.
macro_rules! from_columns {
    ($row:expr, $first:expr, $ty:ident { $($field:ident),+ $(,)? } $(; $($given:ident: $value:expr),+)?) => {{
        let mut column: usize = $first;
        let mut next = || {
            column += 1;
            column - 1
        };
        // Struct fields are evaluated in the order written, so columns are read in order.
        $ty { $($field: $row.get(next())?,)+ $($($given: $value,)+)? }
    }};
}
pub(super) use from_columns;

fn activity_row(r: &Row) -> rusqlite::Result<ActivityRow> {
    Ok(from_columns!(r, 0, ActivityRow { id, ts, session_id, agent, event, tool, decision, reason, latency_us }))
}

fn flow_row(r: &Row) -> rusqlite::Result<FlowRow> {
    let source = match r.get::<_, Option<i64>>(13)? {
        Some(id) => {
            Some(from_columns!(r, 14, SourceRow { tool, origin, location, created_at, bytes, sensitivity }; id: id))
        }
        None => None,
    };
    Ok(from_columns!(
        r,
        0,
        FlowRow {
            id,
            activity_id,
            ts,
            session_id,
            kind,
            data,
            provenance,
            sink_tool,
            sink_field,
            encoding,
            destination,
            matched,
            action,
        };
        source: source
    ))
}

impl ReadOnly {
    /// Open `path` read-only; `None` when there is no database yet.
    pub fn open(path: &Path) -> Result<Option<ReadOnly>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .with_context(|| format!("opening database {} read-only", path.display()))?;
        conn.busy_timeout(Duration::from_secs(2))?;
        let db = ReadOnly { conn };
        db.schema_version().with_context(|| format!("reading database {}", path.display()))?;
        Ok(Some(db))
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Integrity check of the database pages (`ok` when sound).
    pub fn quick_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?)
    }

    /// The full `PRAGMA integrity_check` (slower than `quick_check`; `doctor` runs it).
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }

    pub fn session_count(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))?)
    }

    pub fn last_activity(&self) -> Result<Option<ActivityRow>> {
        let sql = format!("SELECT {ACTIVITY_COLS} FROM activity ORDER BY id DESC LIMIT 1");
        Ok(self.conn.query_row(&sql, [], activity_row).optional()?)
    }

    /// `(decision, count)` for activity at or after `since`, most frequent first.
    pub fn decisions_since(&self, since: i64) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT decision, COUNT(*) AS n FROM activity WHERE ts >= ?1 GROUP BY decision ORDER BY n DESC, decision",
        )?;
        let rows = stmt.query_map(params![since], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// `(agent, count, last ts)` for activity at or after `since` (`proxy` is the MCP proxy).
    pub fn agents_since(&self, since: i64) -> Result<Vec<(String, i64, i64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT agent, COUNT(*), MAX(ts) FROM activity WHERE ts >= ?1 GROUP BY agent ORDER BY agent")?;
        let rows = stmt.query_map(params![since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn activity(&self, q: &ActivityQuery) -> Result<Vec<ActivityRow>> {
        let mut clauses = Vec::new();
        let mut args: Vec<SqlValue> = Vec::new();
        if let Some(p) = &q.session_prefix {
            args.push(SqlValue::Text(p.clone()));
            clauses.push(format!("substr(session_id, 1, length(?{0})) = ?{0}", args.len()));
        }
        if let Some(d) = &q.decision {
            args.push(SqlValue::Text(d.clone()));
            clauses.push(format!("decision = ?{}", args.len()));
        }
        if let Some(t) = &q.tool_glob {
            args.push(SqlValue::Text(t.clone()));
            clauses.push(format!("tool GLOB ?{}", args.len()));
        }
        if let Some(s) = q.since {
            args.push(SqlValue::Integer(s));
            clauses.push(format!("ts >= ?{}", args.len()));
        }
        let filter = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        let limit = q.limit.map(|l| format!("LIMIT {l}")).unwrap_or_default();
        let sql = format!(
            "SELECT * FROM (SELECT {ACTIVITY_COLS} FROM activity {filter} ORDER BY id DESC {limit}) ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), activity_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn activity_by_id(&self, id: i64) -> Result<Option<ActivityRow>> {
        let sql = format!("SELECT {ACTIVITY_COLS} FROM activity WHERE id = ?1");
        Ok(self.conn.query_row(&sql, params![id], activity_row).optional()?)
    }

    /// Flows of one evaluation, with the source they came from when it is still recorded.
    pub fn flows_for_activity(&self, activity_id: i64) -> Result<Vec<FlowRow>> {
        let sql = format!("SELECT {FLOW_COLS} FROM flows f LEFT JOIN sources s ON s.id = f.source_id WHERE f.activity_id = ?1 ORDER BY f.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![activity_id], flow_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn flows_for_session(&self, session_id: &str) -> Result<Vec<FlowRow>> {
        let sql = format!("SELECT {FLOW_COLS} FROM flows f LEFT JOIN sources s ON s.id = f.source_id WHERE f.session_id = ?1 ORDER BY f.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![session_id], flow_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn sources_for_session(&self, session_id: &str) -> Result<Vec<SourceRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, tool, origin, location, created_at, bytes, sensitivity FROM sources WHERE session_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![session_id], |r| {
            Ok(from_columns!(r, 0, SourceRow { id, tool, origin, location, created_at, bytes, sensitivity }))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sessions, most recently active first; `id_prefix` selects those starting with it.
    pub fn sessions(&self, id_prefix: Option<&str>, limit: u32) -> Result<Vec<SessionRow>> {
        let sql = "SELECT s.id, s.agent, s.started_at, s.last_seen,
                (SELECT COUNT(*) FROM sources WHERE session_id = s.id),
                (SELECT COUNT(*) FROM flows WHERE session_id = s.id),
                (SELECT COUNT(*) FROM activity WHERE session_id = s.id),
                (SELECT COUNT(*) FROM activity WHERE session_id = s.id AND decision = 'deny'),
                (SELECT COUNT(*) FROM activity WHERE session_id = s.id AND decision = 'ask')
             FROM sessions s
             WHERE ?1 IS NULL OR substr(s.id, 1, length(?1)) = ?1
             ORDER BY s.last_seen DESC, s.id LIMIT ?2";
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(params![id_prefix, limit], |r| {
            Ok(from_columns!(
                r,
                0,
                SessionRow { id, agent, started_at, last_seen, sources, flows, evaluations, deny, ask }
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
