//! Approvals: the user's "this one is fine" for a denied or asked call, recorded for the data
//! (by its hashed identity, never the value) and the destination, scoped to a session, a
//! project or always; and the asks a user accepted (the asked call then ran).

use super::queries::from_columns;
use super::Store;
use crate::flow::view::Approved;
use anyhow::{bail, Context, Result};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// Where an approval holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Session,
    Project,
    Always,
}

text_names!(Scope {
    Session => "session",
    Project => "project",
    Always => "always",
});

/// One approval as listed.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalRow {
    /// The approval's id (what `allow revoke` takes).
    pub id: i64,
    /// When it was given (Unix seconds).
    pub created_at: i64,
    /// `session`, `project` or `always`.
    pub scope: String,
    /// The session it holds for (session scope).
    pub session_id: Option<String>,
    /// The project folder it holds for (project scope).
    pub project: Option<String>,
    /// The flow kind approved (`secret`, `private_content`...).
    pub kind: String,
    /// A label for the data (never its value).
    pub data: String,
    /// Where it may go.
    pub destination: String,
    /// The reason of the decision it approves.
    pub reason: Option<String>,
    /// The activity row it was given from.
    pub activity_id: Option<i64>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

impl Store {
    /// Approvals that apply to a call in `session_id` (and its project directory `project`).
    pub fn approvals_for(&self, session_id: &str, project: Option<&str>) -> Result<Vec<Approved>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, data_ident, destination FROM approvals WHERE revoked_at IS NULL AND
             (scope = 'always' OR (scope = 'session' AND session_id = ?1) OR (scope = 'project' AND project = ?2))",
        )?;
        let rows = stmt.query_map(params![session_id, project.unwrap_or("")], |r| {
            Ok(Approved { kind: r.get(0)?, ident: r.get(1)?, destination: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Approve every flow of one activity row (a deny or ask). Returns the approvals made.
    pub fn approve_activity(
        &self,
        activity_id: i64,
        scope: Scope,
        reason: Option<&str>,
        project: Option<&str>,
        now: i64,
    ) -> Result<Vec<i64>> {
        let (session_id, decision): (String, String) = self
            .conn
            .query_row("SELECT session_id, decision FROM activity WHERE id = ?1", params![activity_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .with_context(|| format!("no activity row {activity_id} (see `mcpproxy activity list`)"))?;
        if decision != "deny" && decision != "ask" {
            bail!("activity {activity_id} was not denied or asked (decision {decision}); nothing to approve");
        }
        if scope == Scope::Project && project.is_none() {
            bail!("--scope project needs the project directory (run it in the project, or pass --project DIR)");
        }
        let mut stmt = self.conn.prepare(
            "SELECT kind, data_ident, data, destination FROM flows WHERE activity_id = ?1 AND data_ident IS NOT NULL",
        )?;
        let flows: Vec<(String, i64, String, String)> = stmt
            .query_map(params![activity_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        if flows.is_empty() {
            bail!("activity {activity_id} has no recorded flow to approve (a self-protection deny cannot be approved)");
        }
        let mut ids = Vec::new();
        for (kind, ident, data, destination) in flows {
            self.conn.execute(
                "INSERT INTO approvals(created_at, scope, session_id, project, kind, data_ident, data, destination, reason, activity_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    now,
                    scope.as_str(),
                    (scope == Scope::Session).then_some(&session_id),
                    if scope == Scope::Project { project } else { None },
                    kind,
                    ident,
                    data,
                    destination,
                    reason,
                    activity_id
                ],
            )?;
            ids.push(self.conn.last_insert_rowid());
        }
        Ok(ids)
    }

    pub fn list_approvals(&self, include_revoked: bool) -> Result<Vec<ApprovalRow>> {
        let sql = format!(
            "SELECT id, created_at, scope, session_id, project, kind, data, destination, reason, activity_id, revoked_at
             FROM approvals {} ORDER BY id",
            if include_revoked { "" } else { "WHERE revoked_at IS NULL" }
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(from_columns!(
                r,
                0,
                ApprovalRow {
                    id,
                    created_at,
                    scope,
                    session_id,
                    project,
                    kind,
                    data,
                    destination,
                    reason,
                    activity_id,
                    revoked_at,
                }
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn revoke_approval(&self, id: i64, now: i64) -> Result<()> {
        let n = self
            .conn
            .execute("UPDATE approvals SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL", params![now, id])?;
        if n == 0 {
            bail!("no active approval {id} (see `mcpproxy allow list`)");
        }
        Ok(())
    }

    /// Remember that a call was asked, so that its PostToolUse (the user said yes) approves it.
    pub fn record_ask(&self, session_id: &str, call_hash: &[u8], activity_id: i64, now: i64) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO asked(session_id, call_hash, activity_id, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![session_id, call_hash, activity_id, now],
        )?;
        Ok(())
    }

    /// The asked call just ran: the user accepted it, so the same data to the same destination
    /// is approved for the rest of the session.
    pub fn accept_ask(&self, session_id: &str, call_hash: &[u8], now: i64) -> Result<bool> {
        let asked: Option<i64> = self
            .conn
            .query_row(
                "SELECT activity_id FROM asked WHERE session_id = ?1 AND call_hash = ?2",
                params![session_id, call_hash],
                |r| r.get(0),
            )
            .optional()?;
        let Some(activity_id) = asked else { return Ok(false) };
        self.conn
            .execute("DELETE FROM asked WHERE session_id = ?1 AND call_hash = ?2", params![session_id, call_hash])?;
        let reason = "the user accepted this question in the agent";
        Ok(!self.approve_activity(activity_id, Scope::Session, Some(reason), None, now)?.is_empty())
    }
}
