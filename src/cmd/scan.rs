//! `mcpproxy scan`: the secrets/PII detector on stdin text. Exit 0 without findings, 1 with.

use crate::cli::ScanArgs;
use crate::flow::secrets;
use anyhow::{Context, Result};
use serde_json::json;
use std::io::{Read, Write};
use std::process::ExitCode;

pub fn run(args: &ScanArgs) -> Result<ExitCode> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).context("reading stdin")?;
    let text = String::from_utf8_lossy(&bytes);
    let findings = secrets::scan(&text);
    let mut out = std::io::stdout().lock();
    if args.json {
        let list: Vec<_> = findings
            .iter()
            .map(|f| json!({"type": f.kind, "category": f.category.as_str(), "start": f.start, "end": f.end, "length": f.end - f.start}))
            .collect();
        writeln!(out, "{}", json!({"findings": list, "count": findings.len()}))?;
    } else if findings.is_empty() {
        writeln!(out, "no findings")?;
    } else {
        for f in &findings {
            let line = text[..f.start].matches('\n').count() + 1;
            writeln!(
                out,
                "{:<28} {:<12} line {:<5} bytes {}..{} ({} chars)",
                f.kind,
                f.category.as_str(),
                line,
                f.start,
                f.end,
                f.end - f.start
            )?;
        }
    }
    Ok(if findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
