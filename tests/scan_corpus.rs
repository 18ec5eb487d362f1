//! `mcpproxy scan` over the labelled secrets corpus: recall on real secrets, false positives on
//! hard negatives. Each item is scanned in its context line when the corpus has one.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;

#[test]
fn scan_exit_codes_and_no_values() {
    let home = Home::new();
    let clean = home.cmd().args(["scan"]).write_stdin("fn main() { println!(\"hello\"); }\n").output().unwrap();
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&clean.stdout), "no findings\n");
    let key = "AKIAW6KIUFSRT3K4KF5E";
    let dirty =
        home.cmd().args(["scan", "--json"]).write_stdin(format!("x\naws_access_key_id = {key}\n")).output().unwrap();
    assert_eq!(dirty.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&dirty.stdout).unwrap();
    assert_eq!(v["count"], 1);
    assert_eq!(v["findings"][0]["type"], "aws-access-key-id");
    assert_eq!(v["findings"][0]["category"], "secret");
    assert_eq!(v["findings"][0]["start"], 22);
    assert_eq!(v["findings"][0]["end"], 42);
    assert!(!String::from_utf8_lossy(&dirty.stdout).contains(key));
}

#[test]
fn scan_recall_and_false_positives_on_labelled_corpus() {
    let home = Home::new();
    let corpus = std::fs::read_to_string(fixtures().join("corpus/secrets.jsonl")).unwrap();
    let (mut tp, mut pos, mut fp, mut neg) = (0, 0, 0, 0);
    let mut by_family: BTreeMap<String, (usize, usize, usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    // One scan over all items, each on its own block far from the others (the AWS pairing
    // rule looks 200 bytes around a key id), then findings are mapped back to items by span.
    let items: Vec<Value> =
        corpus.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    let separator = "\n".repeat(400);
    let mut text = String::new();
    let mut spans = Vec::new();
    for item in &items {
        let value = item["value"].as_str().unwrap();
        let block = item.get("context").and_then(Value::as_str).filter(|c| c.contains(value)).unwrap_or(value);
        let block_start = text.len();
        let start = block_start + block.find(value).unwrap();
        text.push_str(block);
        spans.push((block_start, text.len(), start, start + value.len()));
        text.push_str(&separator);
    }
    let out = home.cmd().args(["scan", "--json"]).write_stdin(text.clone()).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "findings exist, so scan exits 1");
    let report: Value = serde_json::from_slice(&out.stdout).expect("scan --json prints JSON");
    let findings: Vec<(usize, usize)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize))
        .collect();
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f.get("value").is_none()), "never the value");
    for (item, (block_start, block_end, start, end)) in items.iter().zip(spans) {
        let in_block = findings.iter().filter(|(s, e)| *s < block_end && *e > block_start).count();
        let hit = findings.iter().any(|(s, e)| *s < end && *e > start);
        let fam = by_family.entry(item["family"].as_str().unwrap().to_owned()).or_default();
        if item["label"] == true {
            pos += 1;
            fam.0 += 1;
            if hit {
                tp += 1;
                fam.1 += 1;
            } else {
                misses.push(format!("{} {}", item["id"].as_str().unwrap(), item["family"].as_str().unwrap()));
            }
        } else {
            neg += 1;
            fam.2 += 1;
            if in_block > 0 {
                fp += 1;
                fam.3 += 1;
            }
        }
    }
    println!("\n{:<24} {:>9} {:>12}", "family", "recall", "false pos.");
    for (f, (p, t, n, x)) in &by_family {
        println!("{f:<24} {:>9} {:>12}", format!("{t}/{p}"), format!("{x}/{n}"));
    }
    let recall = tp as f64 / pos as f64;
    let fp_rate = fp as f64 / neg as f64;
    println!("recall {tp}/{pos} = {:.1}%; false positives {fp}/{neg} = {:.1}%", recall * 100.0, fp_rate * 100.0);
    println!("missed: {misses:?}");
    assert!(recall >= 0.90, "recall {recall}");
    assert!(fp_rate <= 0.05, "false-positive rate {fp_rate}");
}
