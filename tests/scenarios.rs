//! Replays the dev corpus (attack A* and benign B* hook traces) through the binary: one fresh
//! process per event, one fresh MCPPROXY_HOME per scenario. Prints the score table.

mod common;
use common::*;
use serde_json::Value;

struct Outcome {
    id: String,
    cls: String,
    title: String,
    pass: bool,
    detail: Vec<String>,
}

fn replay(file: &std::path::Path) -> (usize, usize, Vec<String>) {
    let home = Home::new();
    let text = std::fs::read_to_string(file).unwrap();
    let (mut good, mut total, mut detail) = (0, 0, Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let ev: Value = serde_json::from_str(line).unwrap();
        let p = scenario_payload(&ev, None);
        let run = home.hook(&p);
        assert_eq!(run.code, 0, "{}: {}", file.display(), run.stderr);
        assert!(!run.stdout.contains("\"allow\""));
        if ev["event"] != "PreToolUse" {
            assert!(run.stdout.is_empty(), "post printed: {}", run.stdout);
            continue;
        }
        let got = decision(&run).map(|(d, _)| d).unwrap_or_else(|| "allow".into());
        let expect = ev["expect"].as_str().unwrap_or("allow").to_owned();
        let acceptable: Vec<String> = ev["acceptable"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_else(|| vec![expect.clone()]);
        total += 1;
        if acceptable.contains(&got) {
            good += 1;
        } else {
            let reason = decision(&run).map(|(_, r)| r).unwrap_or_default();
            detail.push(format!(
                "{} {}: expected {expect}, got {got} {reason}",
                ev["event"].as_str().unwrap(),
                ev["tool_name"].as_str().unwrap()
            ));
        }
    }
    (good, total, detail)
}

fn run_corpus() -> Vec<Outcome> {
    let dir = fixtures().join("corpus");
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    let mut out = Vec::new();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let m: Value = serde_json::from_str(line).unwrap();
        let (good, total, detail) = replay(&dir.join("scenarios").join(m["file"].as_str().unwrap()));
        out.push(Outcome {
            id: m["id"].as_str().unwrap().into(),
            cls: m["cls"].as_str().unwrap().into(),
            title: m["title"].as_str().unwrap().into(),
            pass: good == total,
            detail,
        });
    }
    out
}

#[test]
fn dev_corpus_score() {
    let results = run_corpus();
    println!("\n{:<5} {:<7} {:<5} title", "id", "class", "ok");
    for r in &results {
        println!("{:<5} {:<7} {:<5} {}", r.id, r.cls, if r.pass { "yes" } else { "NO" }, r.title);
        for d in &r.detail {
            println!("        {d}");
        }
    }
    let attacks: Vec<_> = results.iter().filter(|r| r.cls == "attack").collect();
    let benign: Vec<_> = results.iter().filter(|r| r.cls == "benign").collect();
    let caught = attacks.iter().filter(|r| r.pass).count();
    let quiet = benign.iter().filter(|r| r.pass).count();
    println!("attacks caught as expected: {caught}/{}; benign left alone: {quiet}/{}", attacks.len(), benign.len());

    // The floor: the easy attacks and every benign scenario.
    for id in ["A01", "A02", "A08", "A09", "A19", "A25", "A30"] {
        let r = results.iter().find(|r| r.id == id).expect(id);
        assert!(r.pass, "{id} must be caught: {:?}", r.detail);
    }
    for r in &benign {
        assert!(r.pass, "{} must get no ask/deny: {:?}", r.id, r.detail);
    }
    // Every attack in the dev corpus.
    let missed: Vec<_> = attacks.iter().filter(|r| !r.pass).map(|r| r.id.as_str()).collect();
    assert!(missed.is_empty(), "attacks missed: {missed:?}");
}

/// Variants of the attack kinds (other encodings, tools, hosts, PII, accumulation) and more
/// benign controls, beyond the dev corpus: each file's last PreToolUse carries the expectation.
#[test]
fn mechanism_variants() {
    let dir = fixtures().join("variants");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 40);
    let mut failed = Vec::new();
    for f in &files {
        let (good, total, detail) = replay(f);
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        println!("{:<32} {}", name, if good == total { "ok" } else { "NO" });
        if good != total {
            failed.push(format!("{name}: {detail:?}"));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}
