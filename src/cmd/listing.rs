//! What the read-only report commands (`activity`, `sessions`) share: the flow database opened
//! without creating it, and the JSON or "nothing yet" answer of a list.

use crate::cli::ListOutput;
use crate::paths::Paths;
use crate::store::queries::ReadOnly;
use anyhow::{bail, Result};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// The flow database of this home, opened read-only; `db` is `None` when there is none yet.
pub struct ReportDb {
    pub db: Option<ReadOnly>,
    path: PathBuf,
}

impl ReportDb {
    pub fn open() -> Result<ReportDb> {
        let path = Paths::resolve()?.database();
        Ok(ReportDb { db: ReadOnly::open(&path)?, path })
    }

    /// The database, or an error saying there is none yet and so `nothing` (what a `show`
    /// would have found).
    pub fn require(&self, nothing: &str) -> Result<&ReadOnly> {
        match &self.db {
            Some(db) => Ok(db),
            None => bail!("no database at {} yet: {nothing}", self.path.display()),
        }
    }
}

/// Prints the rows as a JSON array (`--json`), or `<none>` when there are no rows (with
/// ` (no database yet)`, else `no_match`). Returns whether the list is answered; if not, the
/// caller prints the table.
pub fn answered<T: Serialize>(
    out: &mut impl Write,
    rows: &[T],
    output: &ListOutput,
    has_db: bool,
    none: &str,
    no_match: &str,
) -> Result<bool> {
    if output.json {
        writeln!(out, "{}", serde_json::to_string_pretty(rows)?)?;
        return Ok(true);
    }
    if rows.is_empty() {
        writeln!(out, "{none}{}", if has_db { no_match } else { " (no database yet)" })?;
        return Ok(true);
    }
    Ok(false)
}
