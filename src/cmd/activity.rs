//! `mcpproxy activity list|show|export`: what was decided, from the activity log and the flows
//! behind each decision (read-only).

use super::listing::{self, ReportDb};
use super::table::{self, colour_enabled, decision_colour, fit, now_secs, paint, parse_since, utc, utc_short, wrap};
use crate::cli::{ActivityCommand, ActivityExportArgs, ActivityFilter, ActivityListArgs, ExportFormat, ShowArgs};
use crate::store::queries::{ActivityQuery, ActivityRow, FlowRow, ReadOnly};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

pub fn run(cmd: &ActivityCommand) -> Result<ExitCode> {
    let report = ReportDb::open()?;
    match cmd {
        ActivityCommand::List(args) => list(report.db.as_ref(), args),
        ActivityCommand::Show(args) => show(report.require("nothing has been evaluated")?, args),
        ActivityCommand::Export(args) => export(report.db.as_ref(), args),
    }
}

fn query(filter: &ActivityFilter, limit: Option<u32>) -> Result<ActivityQuery> {
    Ok(ActivityQuery {
        session_prefix: filter.session.clone(),
        decision: filter.decision.map(|d| d.as_str().to_owned()),
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
    if listing::answered(&mut out, &rows, &args.output, db.is_some(), "no activity", " matches")? {
        return Ok(ExitCode::SUCCESS);
    }
    let width = table::width(args.output.wide);
    let colour = colour_enabled();
    // Fixed columns: ID 5, TIME 11, DECISION 8, and SESSION 8 / TOOL 14 at 80 columns; wider
    // terminals give TOOL up to a third of the extra room, REASON the rest.
    let longest_tool = rows.iter().map(|r| r.tool.chars().count()).max().unwrap_or(4);
    let (session_w, tool_w) = if args.output.wide {
        (rows.iter().map(|r| r.session_id.chars().count()).max().unwrap_or(7).max(7), longest_tool.max(4))
    } else {
        (8, longest_tool.clamp(4, 14 + width.saturating_sub(80) / 3))
    };
    let reason_w = width.saturating_sub(5 + 11 + session_w + tool_w + 8 + 5 + 1).max(10);
    writeln!(
        out,
        "{:>5} {:<11} {:<session_w$} {:<tool_w$} {:<8} REASON",
        "ID", "TIME (UTC)", "SESSION", "TOOL", "DECISION"
    )?;
    for r in &rows {
        let decision = format!("{:<8}", fit(&r.decision, 8));
        let decision = match decision_colour(&r.decision) {
            Some(c) => paint(&decision, c, colour),
            None => decision,
        };
        writeln!(
            out,
            "{:>5} {:<11} {:<session_w$} {:<tool_w$} {decision} {}",
            r.id,
            &utc_short(r.ts)[..11],
            r.session_id.chars().take(session_w).collect::<String>(),
            fit(&r.tool, tool_w),
            fit(&summary(r), reason_w)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The reason, or for rows without one, what happened. A flow reason is put destination first
/// (`to collector.example: stripe-secret-key (secret) from Read /repo/.env ...`), so a narrow
/// column keeps where it was going.
fn summary(r: &ActivityRow) -> String {
    match &r.reason {
        // "mcpproxy blocked: ..." -> "..." (the decision column says it already).
        Some(reason) if reason.starts_with("mcpproxy") => {
            let text = reason.split_once(": ").map(|(_, r)| r).unwrap_or(reason);
            what_goes_where(text).unwrap_or_else(|| text.to_owned())
        }
        Some(reason) => reason.clone(),
        None if r.decision == "record" => format!("recorded ({})", r.event),
        None => format!("no objection ({})", r.event),
    }
}

/// `DATA from PROV would leave through SINK to DEST [rule R]...` as `to DEST: DATA from PROV
/// through SINK [rule R]...`; `None` for other reasons.
fn what_goes_where(reason: &str) -> Option<String> {
    let (data, rest) = reason.split_once(" from ")?;
    let (prov, rest) = rest.split_once(" would leave through ")?;
    let (sink, rest) = rest.split_once(" to ")?;
    let (dest, tail) = rest.split_once(" [rule ")?;
    Some(format!("to {dest}: {data} from {prov} through {sink} [rule {tail}"))
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
    let width = table::width(false);
    let headline = match decision_colour(&row.decision) {
        Some(c) => paint(&row.decision.to_uppercase(), c, colour_enabled()),
        None => row.decision.to_uppercase(),
    };
    writeln!(out, "activity {}: {headline} ({})", row.id, super::table::age(row.ts, now))?;
    writeln!(out, "  time      {}", utc(row.ts))?;
    writeln!(out, "  session   {} ({})", row.session_id, row.agent)?;
    writeln!(out, "  call      {} {}", row.event, row.tool)?;
    writeln!(out, "  latency   {:.1} ms", row.latency_us as f64 / 1000.0)?;
    if let Some(reason) = &row.reason {
        for (i, line) in wrap(reason, width.saturating_sub(14)).iter().enumerate() {
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
    let approved = row.reason.as_deref().is_some_and(|r| r.starts_with(crate::flow::policy::APPROVED));
    for (i, f) in flows.iter().enumerate() {
        write_flow(&mut out, i + 1, f, width.saturating_sub(18), approved)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_flow(out: &mut impl Write, n: usize, f: &FlowRow, value_width: usize, approved: bool) -> Result<()> {
    // A flow let through by the user's approval is allowed by that, not by the policy.
    let why = if approved && f.action == "allow" {
        crate::flow::policy::APPROVED.to_owned()
    } else {
        format!("rule policy.{}", f.kind)
    };
    writeln!(out, "  #{n} {} -> {} ({why})", f.kind, f.action)?;
    let field = |out: &mut dyn Write, label: &str, value: &str| -> Result<()> {
        for (i, line) in wrap(value, value_width).iter().enumerate() {
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
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.format == ExportFormat::Csv {
        writeln!(out, "{}", CSV_HEADER.join(","))?;
    }
    let Some(db) = db else {
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    };
    let rows = db.activity(&query(&args.filter, None)?)?;
    for row in rows {
        let flows = db.flows_for_activity(row.id)?;
        match args.format {
            ExportFormat::Jsonl => {
                let mut obj = serde_json::to_value(&row)?;
                if let Value::Object(m) = &mut obj {
                    m.insert("time".into(), json!(utc(row.ts)));
                    m.insert("flows".into(), serde_json::to_value(&flows)?);
                }
                writeln!(out, "{obj}").context("writing export")?;
            }
            ExportFormat::Csv => writeln!(out, "{}", csv_row(&row, &flows)).context("writing export")?,
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

const CSV_HEADER: &[&str] = &[
    "id",
    "time",
    "ts",
    "session_id",
    "agent",
    "event",
    "tool",
    "decision",
    "reason",
    "latency_us",
    "flows",
    "flow_kinds",
    "destinations",
];

/// One evaluation as a CSV line, its flows summarised (distinct kinds and destinations).
fn csv_row(row: &ActivityRow, flows: &[FlowRow]) -> String {
    let distinct = |f: fn(&FlowRow) -> &str| {
        let mut seen: Vec<&str> = Vec::new();
        for v in flows.iter().map(f) {
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen.join(" ")
    };
    let cells = [
        row.id.to_string(),
        utc(row.ts),
        row.ts.to_string(),
        row.session_id.clone(),
        row.agent.clone(),
        row.event.clone(),
        row.tool.clone(),
        row.decision.clone(),
        row.reason.clone().unwrap_or_default(),
        row.latency_us.to_string(),
        flows.len().to_string(),
        distinct(|f| &f.kind),
        distinct(|f| &f.destination),
    ];
    cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",")
}

/// RFC 4180 quoting; a leading `=`, `+`, `-`, `@`, tab or CR is neutralised with `'` so that a
/// spreadsheet shows a tool name or reason as text instead of running it as a formula.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        for (text, cell) in
            [("plain", "plain"), ("a, \"b\"", "\"a, \"\"b\"\"\""), ("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("-1", "'-1")]
        {
            assert_eq!(csv_cell(text), cell, "{text}");
        }
    }
}
