//! Data protection: after every dev scenario (corpus and variants) is replayed into one home,
//! no secret value, no 16-char fragment of one, and no base64 or hex form of one is found in
//! the raw bytes of any file there (database, WAL, lock, anything else); files are 0600 and
//! the directory 0700.
//!
//! The secret values are: the values of fixtures/corpus/secrets.jsonl that occur in the
//! scenarios, everything `mcpproxy scan --json` finds in the scenarios' tool inputs and
//! responses, and (independently of the detector) the values of credential-looking
//! `NAME=value` assignments in them.

mod common;
use base64::Engine;
use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const WINDOW: usize = 16;

fn scenario_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [fixtures().join("corpus/scenarios"), fixtures().join("variants")] {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        v.sort();
        files.extend(v);
    }
    files
}

fn leaves(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| leaves(x, out)),
        Value::Object(o) => o.values().for_each(|x| leaves(x, out)),
        _ => {}
    }
}

/// Secret values `mcpproxy scan --json` finds in `text`.
fn detector_values(home: &Home, text: &str) -> Vec<(String, String)> {
    let out = home.cmd().args(["scan", "--json"]).write_stdin(text.to_owned()).output().expect("scan");
    // Exit 0: nothing found, 1: findings (like grep); anything else is a failure.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "scan failed: {:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("scan JSON");
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let (s, e) = (f["start"].as_u64()? as usize, f["end"].as_u64()? as usize);
            let value = text.get(s..e)?.to_owned();
            Some((
                format!("detector:{}:{}", f["category"].as_str().unwrap_or("?"), f["type"].as_str().unwrap_or("?")),
                value,
            ))
        })
        .collect()
}

/// Values of credential-looking assignments (`STRIPE_SECRET_KEY=...`, `"password": "..."`).
fn assignment_values(text: &str) -> Vec<(String, String)> {
    const NAMES: [&str; 7] = ["key", "secret", "token", "password", "passwd", "credential", "auth"];
    let mut out = Vec::new();
    for line in text.lines() {
        for sep in ['=', ':'] {
            let Some((name, value)) = line.split_once(sep) else {
                continue;
            };
            let name = name.trim().trim_matches(|c| c == '"' || c == '\'').to_lowercase();
            let name = name.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
            if name.is_empty() || !NAMES.iter().any(|n| name.contains(n)) || name.contains('/') {
                continue;
            }
            let value = value.trim().trim_end_matches(',').trim_matches(|c| c == '"' || c == '\'');
            let value = value.split_whitespace().next().unwrap_or("");
            // Long and mixed enough to be a credential rather than a word or a number.
            let classes = [
                value.chars().any(|c| c.is_ascii_lowercase()),
                value.chars().any(|c| c.is_ascii_uppercase()),
                value.chars().any(|c| c.is_ascii_digit()),
            ];
            if value.len() >= 12 && classes.iter().filter(|&&b| b).count() >= 2 && !value.contains("://") {
                out.push((format!("assignment:{name}"), value.to_owned()));
            }
        }
    }
    out
}

fn hex(b: &[u8], upper: bool) -> String {
    b.iter().map(|x| if upper { format!("{x:02X}") } else { format!("{x:02x}") }).collect()
}

struct Needles {
    /// needle length -> needle bytes -> (secret index, what form)
    by_len: BTreeMap<usize, HashMap<Vec<u8>, (usize, &'static str)>>,
}

impl Needles {
    fn build(values: &[(String, String)]) -> Needles {
        let mut by_len: BTreeMap<usize, HashMap<Vec<u8>, (usize, &'static str)>> = BTreeMap::new();
        let mut add = |needle: &[u8], idx: usize, form: &'static str| {
            by_len.entry(needle.len()).or_default().entry(needle.to_vec()).or_insert((idx, form));
        };
        for (idx, (_, v)) in values.iter().enumerate() {
            let b = v.as_bytes();
            if b.len() >= WINDOW {
                for w in b.windows(WINDOW) {
                    add(w, idx, "16-char fragment");
                }
            } else {
                add(b, idx, "whole value");
            }
            let forms: [(&'static str, String); 6] = [
                ("base64", base64::engine::general_purpose::STANDARD.encode(b)),
                ("base64 (no padding)", base64::engine::general_purpose::STANDARD_NO_PAD.encode(b)),
                ("base64url", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)),
                ("hex", hex(b, false)),
                ("HEX", hex(b, true)),
                ("whole value", v.clone()),
            ];
            for (form, enc) in forms {
                // Whole forms: long ones are found through their first 16 bytes (checked in
                // full on a hit), short ones as they are.
                let e = enc.as_bytes();
                add(&e[..e.len().min(WINDOW)], idx, form);
            }
        }
        Needles { by_len }
    }

    /// Every (secret index, form, offset) found in `data`.
    fn scan(&self, data: &[u8]) -> Vec<(usize, &'static str, usize)> {
        let mut hits = Vec::new();
        for (&len, set) in &self.by_len {
            if data.len() < len {
                continue;
            }
            for (off, w) in data.windows(len).enumerate() {
                if let Some(&(idx, form)) = set.get(w) {
                    hits.push((idx, form, off));
                }
            }
        }
        hits
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.push(p.clone());
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn no_secret_bytes_in_the_home_after_every_scenario() {
    let started = std::time::Instant::now();
    // The state directory is created by mcpproxy itself (an existing directory keeps the
    // permissions its owner gave it).
    let outer = Home::new();
    let home = outer.path().join("state");
    let scanner = Home::new();
    let files = scenario_files();
    assert!(files.len() >= 60, "{} scenario files", files.len());

    // A proxy holds the database open throughout, so the hooks' closes do not delete the WAL
    // and its bytes are examined too.
    let mut proxy = std::process::Command::new(assert_cmd::cargo::cargo_bin("mcpproxy"))
        .args(["proxy", "--name", "stub", "--", "python3"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stub_server.py"))
        .env("MCPPROXY_HOME", &home)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn proxy");
    {
        use std::io::{BufRead, Write};
        let stdin = proxy.stdin.as_mut().unwrap();
        writeln!(stdin, r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"protocolVersion":"2025-11-25","capabilities":{{}},"clientInfo":{{"name":"raw","version":"1"}}}}}}"#).unwrap();
        let mut line = String::new();
        std::io::BufReader::new(proxy.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        assert!(line.contains("\"result\""), "proxy initialize: {line}");
    }

    // Replay every scenario into the one home, each under its own session ids.
    let mut events = 0;
    let mut texts = Vec::new();
    for f in &files {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        let mut file_text = Vec::new();
        for line in std::fs::read_to_string(f).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            let ev: Value = serde_json::from_str(line).unwrap();
            leaves(&ev["tool_input"], &mut file_text);
            if let Some(r) = ev.get("tool_response") {
                leaves(r, &mut file_text);
            }
            let session = format!("dp-{stem}-{}", ev["session_id"].as_str().unwrap());
            let p = scenario_payload(&ev, Some(&session));
            let out = outer
                .cmd()
                .env("MCPPROXY_HOME", &home)
                .args(["hook", "evaluate"])
                .write_stdin(p.to_string())
                .output()
                .unwrap();
            let run = Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            };
            assert_eq!(run.code, 0, "{stem}: {}", run.stderr);
            assert!(!run.stderr.contains("panicked"), "{stem}: {}", run.stderr);
            events += 1;
        }
        texts.push((stem, file_text.join("\n")));
    }
    let replayed = started.elapsed();

    // The secret values.
    let mut values: Vec<(String, String)> = Vec::new();
    let all_text: String = texts.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n");
    let mut from_corpus = 0;
    for line in std::fs::read_to_string(fixtures().join("corpus/secrets.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let s: Value = serde_json::from_str(line).unwrap();
        let v = s["value"].as_str().unwrap();
        if v.len() >= 8 && all_text.contains(v) {
            values.push((format!("secrets.jsonl:{}", s["id"].as_str().unwrap_or("?")), v.to_owned()));
            from_corpus += 1;
        }
    }
    let mut from_detector = 0;
    let mut from_assignments = 0;
    for (stem, text) in &texts {
        for (src, v) in detector_values(&scanner, text) {
            values.push((format!("{src} ({stem})"), v));
            from_detector += 1;
        }
        for (src, v) in assignment_values(text) {
            values.push((format!("{src} ({stem})"), v));
            from_assignments += 1;
        }
    }
    // Distinct values of at least 8 chars (shorter ones, such as 4-digit numbers the PII
    // detector reports, occur by chance in any binary file).
    let mut seen = HashSet::new();
    let mut short = BTreeSet::new();
    values.retain(|(_, v)| {
        if v.chars().count() < 8 {
            short.insert(v.clone());
            return false;
        }
        seen.insert(v.clone())
    });
    assert!(values.len() >= 20, "only {} secret values collected", values.len());
    let needles = Needles::build(&values);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for (src, _) in &values {
        *kinds.entry(src.split(" (").next().unwrap().to_owned()).or_default() += 1;
    }
    println!("distinct secret values by first source: {kinds:?}");
    // The matcher itself finds each form it looks for (a planted canary).
    for (i, (_, v)) in values.iter().enumerate().step_by(5) {
        let b = v.as_bytes();
        let mid = b.len() / 2 - WINDOW.min(b.len()) / 2;
        for (form, planted) in [
            ("raw", b.to_vec()),
            ("fragment", b[mid..mid + WINDOW.min(b.len())].to_vec()),
            ("base64", base64::engine::general_purpose::STANDARD.encode(b).into_bytes()),
            ("base64url", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b).into_bytes()),
            ("hex", hex(b, false).into_bytes()),
        ] {
            let mut data = vec![0u8; 1000];
            data.extend_from_slice(&planted);
            data.extend_from_slice(&[0xffu8; 100]);
            assert!(!needles.scan(&data).is_empty(), "canary {form} of value {i} not found");
        }
    }

    // Every file in the home, raw.
    let mut paths = Vec::new();
    walk(&home, &mut paths);
    let mut scanned = Vec::new();
    let mut findings = Vec::new();
    for p in &paths {
        let meta = std::fs::symlink_metadata(p).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_dir() {
            assert_eq!(mode, 0o700, "{} is {mode:o}", p.display());
            continue;
        }
        assert!(meta.is_file(), "{} is not a regular file", p.display());
        assert_eq!(mode, 0o600, "{} is {mode:o}", p.display());
        let data = std::fs::read(p).unwrap();
        for (idx, form, off) in needles.scan(&data) {
            let (src, v) = &values[idx];
            let context =
                String::from_utf8_lossy(&data[off.saturating_sub(40)..(off + 80).min(data.len())]).into_owned();
            findings.push(format!(
                "{} at byte {off}: {form} of {src} (value {} chars), context {context:?}",
                p.file_name().unwrap().to_string_lossy(),
                v.len()
            ));
        }
        scanned.push(format!("{} ({} bytes)", p.file_name().unwrap().to_string_lossy(), data.len()));
    }
    drop(proxy.stdin.take());
    let _ = proxy.wait();
    assert!(scanned.iter().any(|s| s.starts_with("mcpproxy.db-wal ")), "no WAL to examine: {scanned:?}");
    let dir_mode = std::fs::metadata(&home).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700, "home directory is {dir_mode:o}");
    assert!(scanned.iter().any(|s| s.starts_with("mcpproxy.db ")), "{scanned:?}");

    println!(
        "data protection: {} scenario files, {events} events replayed in {replayed:?}; {} secret values ({from_corpus} from secrets.jsonl, {from_detector} detector findings, {from_assignments} assignments, before dedup; {} values under 8 chars skipped); scanned {scanned:?}; total {:?}",
        files.len(),
        values.len(),
        short.len(),
        started.elapsed()
    );
    assert!(findings.is_empty(), "secret material found in the home:\n{}", findings.join("\n"));
}
