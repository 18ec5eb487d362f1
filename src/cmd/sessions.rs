//! `mcpproxy sessions list|show`: sessions in the flow database, what each read, what tried to
//! leave and what was decided; `show --graph` draws that as a Mermaid flowchart.

use super::listing::{self, ReportDb};
use super::table::{self, colour_enabled, fit, now_secs, paint, utc, utc_short, Colour};
use crate::cli::{SessionShowArgs, SessionsCommand, SessionsListArgs};
use crate::store::queries::{FlowRow, ReadOnly, SessionRow, SourceRow};
use anyhow::{bail, Result};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

pub fn run(cmd: &SessionsCommand) -> Result<ExitCode> {
    let report = ReportDb::open()?;
    match cmd {
        SessionsCommand::List(args) => list(report.db.as_ref(), args),
        SessionsCommand::Show(args) => show(report.require("no session has been recorded")?, args),
    }
}

fn list(db: Option<&ReadOnly>, args: &SessionsListArgs) -> Result<ExitCode> {
    let rows = match db {
        Some(db) => db.sessions(None, args.limit)?,
        None => Vec::new(),
    };
    let mut out = std::io::stdout().lock();
    if listing::answered(&mut out, &rows, &args.output, db.is_some(), "no sessions", "")? {
        return Ok(ExitCode::SUCCESS);
    }
    // SESSION takes what the other columns leave: 18 at 80 columns (11 + 14 + 14 + 4 + 5 + 4
    // + 3 + 7 separators = 62), the whole id with --wide.
    let longest = rows.iter().map(|s| s.id.chars().count()).max().unwrap_or(7).max(7);
    let id_w = if args.output.wide { longest } else { longest.min(table::width(false).saturating_sub(62).max(12)) };
    let colour = colour_enabled();
    writeln!(
        out,
        "{:<id_w$} {:<11} {:<14} {:<14} {:>4} {:>5} {:>4} {:>3}",
        "SESSION", "AGENT", "STARTED (UTC)", "LAST", "SRC", "FLOWS", "DENY", "ASK"
    )?;
    for s in &rows {
        let deny = format!("{:>4}", s.deny);
        let deny = if s.deny > 0 { paint(&deny, Colour::Red, colour) } else { deny };
        let ask = format!("{:>3}", s.ask);
        let ask = if s.ask > 0 { paint(&ask, Colour::Yellow, colour) } else { ask };
        writeln!(
            out,
            "{:<id_w$} {:<11} {:<14} {:<14} {:>4} {:>5} {deny} {ask}",
            fit(&s.id, id_w),
            fit(&s.agent, if args.output.wide { usize::MAX } else { 11 }),
            utc_short(s.started_at),
            utc_short(s.last_seen),
            s.sources,
            s.flows,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The one session `prefix` names; an error when it names none or several.
fn find(db: &ReadOnly, prefix: &str) -> Result<SessionRow> {
    let mut found = db.sessions(Some(prefix), 3)?;
    if let Some(exact) = found.iter().position(|s| s.id == prefix) {
        return Ok(found.swap_remove(exact));
    }
    match found.len() {
        0 => bail!("no session `{prefix}` (see `mcpproxy sessions list`)"),
        1 => Ok(found.remove(0)),
        _ => bail!("`{prefix}` matches several sessions; give more of the id"),
    }
}

fn show(db: &ReadOnly, args: &SessionShowArgs) -> Result<ExitCode> {
    let session = find(db, &args.id)?;
    let sources = db.sources_for_session(&session.id)?;
    let flows = db.flows_for_session(&session.id)?;
    let mut out = std::io::stdout().lock();
    if args.graph {
        write!(out, "{}", mermaid(&sources, &flows))?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.json {
        let v = json!({"session": session, "sources": sources, "flows": flows});
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let now = now_secs();
    let line_w = table::width(args.wide).saturating_sub(8);
    writeln!(out, "session {} ({})", session.id, session.agent)?;
    writeln!(out, "  started   {}", utc(session.started_at))?;
    writeln!(out, "  last      {} ({})", utc(session.last_seen), super::table::age(session.last_seen, now))?;
    writeln!(
        out,
        "  counts    {} evaluations, {} sources, {} flows, {} deny, {} ask",
        session.evaluations, session.sources, session.flows, session.deny, session.ask
    )?;
    writeln!(out, "sources (what was read):")?;
    if sources.is_empty() {
        writeln!(out, "  none")?;
    }
    for s in &sources {
        let found =
            if s.sensitivity.is_empty() { String::new() } else { format!(" [{}]", s.sensitivity.replace(',', ", ")) };
        writeln!(out, "  #{:<4} {}", s.id, fit(&format!("{} {} ({}){found}", s.tool, s.location, s.origin), line_w))?;
    }
    writeln!(out, "flows (what tried to leave):")?;
    if flows.is_empty() {
        writeln!(out, "  none")?;
    }
    for f in &flows {
        let line = format!(
            "{} {} -> {} `{}` to {} ({}, {} chars) => {}",
            f.kind, f.data, f.sink_tool, f.sink_field, f.destination, f.encoding, f.matched, f.action
        );
        writeln!(out, "  {:<5} {}", format!("a{}", f.activity_id), fit(&line, line_w))?;
    }
    match flows.first() {
        Some(f) => writeln!(out, "explain a decision: mcpproxy activity show a{}", f.activity_id)?,
        None => writeln!(out, "explain a decision: mcpproxy activity show <id>")?,
    }
    writeln!(out, "draw the graph:     mcpproxy sessions show {} --graph", session.id)?;
    Ok(ExitCode::SUCCESS)
}

/// Text safe inside a quoted Mermaid label.
fn label(text: &str) -> String {
    fit(text, 60)
        .replace('#', "#35;")
        .replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('|', "#124;")
}

/// A Mermaid flowchart: every recorded source, every sink call with flows, one edge per flow
/// labelled with its kind, encoding and action.
pub fn mermaid(sources: &[SourceRow], flows: &[FlowRow]) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut nodes: BTreeMap<String, String> = BTreeMap::new();
    for s in sources {
        let found = if s.sensitivity.is_empty() {
            String::new()
        } else {
            format!("<br/>{}", label(&s.sensitivity.replace(',', ", ")))
        };
        nodes.insert(
            format!("src{}", s.id),
            format!("src{}[\"{} {}{found}\"]", s.id, label(&s.tool), label(&s.location)),
        );
    }
    let mut edges = Vec::new();
    let mut worst: BTreeMap<i64, &str> = BTreeMap::new();
    let mut prov_ids: BTreeMap<String, String> = BTreeMap::new();
    for f in flows {
        let from = match &f.source {
            Some(s) => format!("src{}", s.id),
            None => {
                // A path-level flow, or one whose source was pruned: a node per provenance.
                let n = prov_ids.len();
                let id = prov_ids.entry(f.provenance.clone()).or_insert_with(|| format!("prov{n}")).clone();
                nodes.entry(id.clone()).or_insert_with(|| format!("{id}[\"{}\"]", label(&f.provenance)));
                id
            }
        };
        let to = format!("call{}", f.activity_id);
        nodes.entry(to.clone()).or_insert_with(|| {
            format!("{to}{{{{\"a{}: {}<br/>{}\"}}}}", f.activity_id, label(&f.sink_tool), label(&f.destination))
        });
        let rank = |a: &str| match a {
            "deny" => 2,
            "ask" => 1,
            _ => 0,
        };
        let w = worst.entry(f.activity_id).or_insert("allow");
        if rank(&f.action) > rank(w) {
            *w = match f.action.as_str() {
                "deny" => "deny",
                _ => "ask",
            };
        }
        edges.push(format!(
            "  {from} -->|\"{}: {} in {} ({})\"| {to}",
            f.action,
            label(&f.kind),
            label(&f.sink_field),
            label(&f.encoding)
        ));
    }
    // Sources first, then provenance-only nodes, then the sink calls.
    for prefix in ["src", "prov", "call"] {
        for (_, node) in nodes.iter().filter(|(k, _)| k.starts_with(prefix)) {
            out.push_str(&format!("  {node}\n"));
        }
    }
    for e in edges {
        out.push_str(&e);
        out.push('\n');
    }
    out.push_str("  classDef deny fill:#fdd,stroke:#c00\n  classDef ask fill:#ffd,stroke:#b80\n");
    for (id, action) in worst {
        if action != "allow" {
            out.push_str(&format!("  class call{id} {action}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_has_nodes_and_labelled_edges() {
        let src = SourceRow {
            id: 3,
            tool: "Read".into(),
            origin: "private".into(),
            location: "/repo/.env".into(),
            created_at: 0,
            bytes: 10,
            sensitivity: "stripe-access-token".into(),
        };
        let flow = FlowRow {
            id: 1,
            activity_id: 7,
            ts: 0,
            session_id: "s".into(),
            kind: "secret".into(),
            data: "stripe-access-token".into(),
            provenance: "Read /repo/.env".into(),
            sink_tool: "WebFetch".into(),
            sink_field: "url".into(),
            encoding: "plain".into(),
            destination: "evil.example".into(),
            matched: 107,
            action: "deny".into(),
            source: Some(src.clone()),
        };
        let g = mermaid(&[src], &[flow]);
        assert!(g.starts_with("flowchart LR\n"), "{g}");
        assert!(g.contains("src3[\"Read /repo/.env<br/>stripe-access-token\"]"), "{g}");
        assert!(g.contains("src3 -->|\"deny: secret in url (plain)\"| call7"), "{g}");
        assert!(g.contains("class call7 deny"), "{g}");
    }
}
