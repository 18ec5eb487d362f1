//! `mcpproxy activity list|show|export`: what was decided, from the activity log and the flows
//! behind each decision (read-only).

use super::table::{fit, now_secs, parse_since, utc, utc_short, wrap};
use crate::cli::{ActivityCommand, ActivityExportArgs, ActivityFilter, ActivityListArgs, ShowArgs};
use crate::paths::Paths;
use crate::store::queries::{ActivityQuery, ActivityRow, FlowRow, ReadOnly};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

pub fn run(cmd: &ActivityCommand) -> Result<ExitCode> {
    let paths = Paths::resolve()?;
    let db_path = paths.database();
    let db = ReadOnly::open(&db_path)?;
    match cmd {
        ActivityCommand::List(args) => list(db.as_ref(), args),
        ActivityCommand::Show(args) => {
            let Some(db) = db else {
                bail!("no database at {} yet: nothing has been evaluated", db_path.display());
            };
            show(&db, args)
        }
        ActivityCommand::Export(args) => export(db.as_ref(), args),
    }
}

fn query(filter: &ActivityFilter, limit: Option<u32>) -> Result<ActivityQuery> {
    Ok(ActivityQuery {
        session_prefix: filter.session.clone(),
        decision: filter.decision.clone(),
        tool_glob: filter.tool.clone(),
        since: filter.since.as_deref().map(|s| parse_since(s, now_secs())).transpose()?,
        limit,
    })
}

fn list(db: Option<&ReadOnly>, args: &ActivityListArgs) -> Result<ExitCode> {
    let rows = match db {
        Some(db) => db.activity(&query(&args.filter, Some(args.limit))?)?,
        None => Vec::new(),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(out, "no activity{}", if db.is_none() { " (no database yet)" } else { " matches" })?;
        return Ok(ExitCode::SUCCESS);
    }
    // 5 + 11 + 8 + 14 + 8 + 28 + 5 separators = 79 columns.
    writeln!(out, "{:>5} {:<11} {:<8} {:<14} {:<8} REASON", "ID", "TIME (UTC)", "SESSION", "TOOL", "DECISION")?;
    for r in &rows {
        writeln!(
            out,
            "{:>5} {:<11} {:<8} {:<14} {:<8} {}",
            r.id,
            &utc_short(r.ts)[..11],
            r.session_id.chars().take(8).collect::<String>(),
            fit(&r.tool, 14),
            fit(&r.decision, 8),
            fit(&summary(r), 28)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The reason, or for rows without one, what happened.
fn summary(r: &ActivityRow) -> String {
    match &r.reason {
        // "mcpproxy blocked: ..." -> "..." (the decision column says it already).
        Some(reason) if reason.starts_with("mcpproxy") => {
            reason.split_once(": ").map(|(_, r)| r).unwrap_or(reason).to_owned()
        }
        Some(reason) => reason.clone(),
        None if r.decision == "record" => format!("recorded ({})", r.event),
        None => format!("no objection ({})", r.event),
    }
}

fn show(db: &ReadOnly, args: &ShowArgs) -> Result<ExitCode> {
    let Some(row) = db.activity_by_id(args.id)? else {
        bail!("no activity row {} (see `mcpproxy activity list`)", args.id);
    };
    let flows = db.flows_for_activity(row.id)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&json!({"activity": row, "flows": flows}))?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let now = now_secs();
    writeln!(out, "activity {}: {} ({})", row.id, row.decision.to_uppercase(), super::table::age(row.ts, now))?;
    writeln!(out, "  time      {}", utc(row.ts))?;
    writeln!(out, "  session   {} ({})", row.session_id, row.agent)?;
    writeln!(out, "  call      {} {}", row.event, row.tool)?;
    writeln!(out, "  latency   {:.1} ms", row.latency_us as f64 / 1000.0)?;
    if let Some(reason) = &row.reason {
        for (i, line) in wrap(reason, 66).iter().enumerate() {
            writeln!(out, "  {:<9} {line}", if i == 0 { "reason" } else { "" })?;
        }
    }
    if flows.is_empty() {
        let why = match row.decision.as_str() {
            "record" => "this event recorded what the tool returned as a source",
            "none" => "nothing recorded in the session reached this call",
            _ => "no flow rows (an infrastructure decision, see the reason)",
        };
        writeln!(out, "flows: none ({why})")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "flows ({}):", flows.len())?;
    for (i, f) in flows.iter().enumerate() {
        write_flow(&mut out, i + 1, f)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_flow(out: &mut impl Write, n: usize, f: &FlowRow) -> Result<()> {
    writeln!(out, "  #{n} {} -> {} (rule policy.{})", f.kind, f.action, f.kind)?;
    let field = |out: &mut dyn Write, label: &str, value: &str| -> Result<()> {
        for (i, line) in wrap(value, 62).iter().enumerate() {
            writeln!(out, "     {:<12} {line}", if i == 0 { label } else { "" })?;
        }
        Ok(())
    };
    field(out, "data", &f.data)?;
    field(out, "provenance", &f.provenance)?;
    if let Some(s) = &f.source {
        let found = if s.sensitivity.is_empty() {
            String::new()
        } else {
            format!(", found: {}", s.sensitivity.replace(',', ", "))
        };
        field(
            out,
            "source",
            &format!(
                "#{} {} {} ({}, {} bytes, read {}{found})",
                s.id,
                s.tool,
                s.location,
                s.origin,
                s.bytes,
                utc(s.created_at)
            ),
        )?;
    }
    field(out, "sink", &format!("{} field `{}`", f.sink_tool, f.sink_field))?;
    field(out, "encoding", &f.encoding)?;
    field(out, "destination", &f.destination)?;
    field(out, "matched", &format!("{} chars", f.matched))?;
    Ok(())
}

fn export(db: Option<&ReadOnly>, args: &ActivityExportArgs) -> Result<ExitCode> {
    let Some(db) = db else {
        return Ok(ExitCode::SUCCESS);
    };
    let rows = db.activity(&query(&args.filter, None)?)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for row in rows {
        let flows = db.flows_for_activity(row.id)?;
        let mut obj = serde_json::to_value(&row)?;
        if let Value::Object(m) = &mut obj {
            m.insert("time".into(), json!(utc(row.ts)));
            m.insert("flows".into(), serde_json::to_value(&flows)?);
        }
        writeln!(out, "{obj}").context("writing export")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
