//! `mcpproxy scan [PATH...]`: the secrets/PII detector on files, folders or stdin, as text,
//! JSON or SARIF. Exit 0 without findings, 1 with, 2 when a path could not be read.

use crate::cli::{ScanArgs, ScanFormat};
use crate::flow::secrets;
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Bytes looked at to tell a binary file (a NUL among them) from text, like git and grep.
const BINARY_PROBE: usize = 8192;

/// One finding, placed in its input; never the value.
struct Hit {
    /// The file as given on the command line (joined with the folder walked), or `stdin`.
    place: String,
    kind: &'static str,
    category: &'static str,
    start: usize,
    end: usize,
    /// 1-based line and column (in characters) of the first and of one past the last character.
    from: (usize, usize),
    to: (usize, usize),
}

#[derive(Default)]
struct Tally {
    hits: Vec<Hit>,
    files: usize,
    binary_skipped: usize,
    errors: usize,
}

pub fn run(args: &ScanArgs) -> Result<ExitCode> {
    let format = args.effective_format();
    let mut tally = Tally::default();
    let from_stdin = args.paths.is_empty();
    if from_stdin {
        if std::io::stdin().is_terminal() {
            bail!(
                "nothing to scan: give files or folders (`mcpproxy scan PATH...`) or pipe text in \
                 (`git diff | mcpproxy scan`)"
            );
        }
        scan_stdin(&mut tally)?;
    }
    for path in &args.paths {
        if path.as_os_str() == "-" {
            scan_stdin(&mut tally)?;
        } else {
            walk(path, true, &mut tally);
        }
    }
    let mut out = std::io::stdout().lock();
    match format {
        ScanFormat::Text => write_text(&mut out, &tally, from_stdin)?,
        ScanFormat::Json => {
            let list: Vec<Value> = tally.hits.iter().map(|h| hit_json(h, !from_stdin)).collect();
            writeln!(out, "{}", json!({"findings": list, "count": tally.hits.len()}))?;
        }
        ScanFormat::Sarif => writeln!(out, "{}", serde_json::to_string_pretty(&sarif(&tally.hits))?)?,
    }
    Ok(if tally.errors > 0 {
        ExitCode::from(2)
    } else if tally.hits.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn scan_stdin(tally: &mut Tally) -> Result<()> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).context("reading stdin")?;
    scan_bytes("stdin", &bytes, tally);
    Ok(())
}

/// Scan a file, or every file below a folder (sorted, skipping `.git` and symbolic links; a
/// link given on the command line is followed).
fn walk(path: &Path, given: bool, tally: &mut Tally) {
    let meta = if given { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) };
    let meta = match meta {
        Ok(m) => m,
        Err(e) => return report_error(path, &e, tally),
    };
    if meta.is_dir() {
        if !given && path.file_name().is_some_and(|n| n == ".git") {
            return;
        }
        let entries = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect::<Vec<PathBuf>>(),
            Err(e) => return report_error(path, &e, tally),
        };
        let mut entries = entries;
        entries.sort();
        for entry in entries {
            walk(&entry, false, tally);
        }
    } else if meta.is_file() {
        match std::fs::read(path) {
            Ok(bytes) => scan_bytes(&path.display().to_string(), &bytes, tally),
            Err(e) => report_error(path, &e, tally),
        }
    }
}

fn report_error(path: &Path, e: &std::io::Error, tally: &mut Tally) {
    eprintln!("mcpproxy scan: {}: {e}", path.display());
    tally.errors += 1;
}

fn scan_bytes(place: &str, bytes: &[u8], tally: &mut Tally) {
    if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
        tally.binary_skipped += 1;
        return;
    }
    tally.files += 1;
    let text = String::from_utf8_lossy(bytes);
    for f in secrets::scan(&text) {
        tally.hits.push(Hit {
            place: place.to_owned(),
            kind: f.kind,
            category: f.category.as_str(),
            start: f.start,
            end: f.end,
            from: position(&text, f.start),
            to: position(&text, f.end),
        });
    }
}

/// 1-based line and character column of byte offset `at`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

fn write_text(out: &mut impl Write, tally: &Tally, from_stdin: bool) -> Result<()> {
    for h in &tally.hits {
        writeln!(
            out,
            "{}:{}:{}: {} ({}), {} chars at bytes {}..{}",
            h.place,
            h.from.0,
            h.from.1,
            h.kind,
            h.category,
            h.end - h.start,
            h.start,
            h.end
        )?;
    }
    if from_stdin && tally.files <= 1 && tally.binary_skipped == 0 {
        if tally.hits.is_empty() {
            writeln!(out, "no findings")?;
        }
        return Ok(());
    }
    let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
    let skipped = match tally.binary_skipped {
        0 => String::new(),
        n => format!(" ({} skipped)", plural(n, "binary file")),
    };
    let places = tally.hits.iter().map(|h| h.place.as_str()).collect::<std::collections::BTreeSet<_>>().len();
    match tally.hits.len() {
        0 => writeln!(out, "no findings in {}{skipped}", plural(tally.files, "file"))?,
        n => writeln!(out, "{} in {places} of {}{skipped}", plural(n, "finding"), plural(tally.files, "file"))?,
    }
    Ok(())
}

fn hit_json(h: &Hit, with_path: bool) -> Value {
    let mut v = json!({
        "type": h.kind,
        "category": h.category,
        "start": h.start,
        "end": h.end,
        "length": h.end - h.start,
        "line": h.from.0,
        "column": h.from.1,
    });
    if with_path {
        v["path"] = json!(h.place);
    }
    v
}

/// SARIF level: leaked credentials and card/SSN numbers are errors, other PII warnings.
fn level(category: &str) -> &'static str {
    if category == "pii" {
        "warning"
    } else {
        "error"
    }
}

/// A path as a SARIF artifact URI: relative paths stay relative, absolute ones become
/// `file://` URIs; characters outside the unreserved set are percent-encoded.
fn artifact_uri(place: &str) -> String {
    let mut uri = String::new();
    for b in place.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => uri.push(b as char),
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    if place.starts_with('/') {
        format!("file://{uri}")
    } else {
        uri
    }
}

/// A SARIF 2.1.0 log: one run, one rule per detector type found, one result per finding.
fn sarif(hits: &[Hit]) -> Value {
    let mut rules: Vec<(&str, &str)> = Vec::new();
    for h in hits {
        if !rules.iter().any(|(k, _)| *k == h.kind) {
            rules.push((h.kind, h.category));
        }
    }
    let rule_json: Vec<Value> = rules
        .iter()
        .map(|(kind, category)| {
            json!({
                "id": kind,
                "shortDescription": {"text": format!("{kind} ({category})")},
                "defaultConfiguration": {"level": level(category)},
                "properties": {"category": category},
            })
        })
        .collect();
    let results: Vec<Value> = hits
        .iter()
        .map(|h| {
            json!({
                "ruleId": h.kind,
                "ruleIndex": rules.iter().position(|(k, _)| *k == h.kind).unwrap_or(0),
                "level": level(h.category),
                "message": {"text": format!("{} ({}), {} chars; the value is not shown", h.kind, h.category, h.end - h.start)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(&h.place)},
                    "region": {
                        "startLine": h.from.0, "startColumn": h.from.1,
                        "endLine": h.to.0, "endColumn": h.to.1,
                        "byteOffset": h.start, "byteLength": h.end - h.start,
                    },
                }}],
            })
        })
        .collect();
    json!({
        "version": "2.1.0",
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "runs": [{
            "tool": {"driver": {"name": "mcpproxy", "version": env!("CARGO_PKG_VERSION"), "rules": rule_json}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_uris() {
        assert_eq!(position("ab\ncdé f", 0), (1, 1));
        assert_eq!(position("ab\ncdé f", 3), (2, 1));
        assert_eq!(position("ab\ncdé f", 8), (2, 5));
        assert_eq!(artifact_uri("src/a b.rs"), "src/a%20b.rs");
        assert_eq!(artifact_uri("/x/y.env"), "file:///x/y.env");
    }
}
