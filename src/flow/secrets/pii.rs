//! Bulk personal data: emails, phone numbers and postal addresses have no secret shape, and
//! one of them in a commit or an issue is normal work (an author line, a contact). Many of
//! them leaving together (a customer list) is what to ask about.
//!
//! Design: records are found by byte loops (no regex) and normalised (emails lowercased,
//! phone numbers reduced to their last ten digits, addresses lowercased with the street
//! suffix abbreviated). A text holding at least [`MIN_RECORDS`] distinct records gets one
//! finding, [`BULK_KIND`], whose core is the sorted concatenation of an 8-character digest of
//! each record. Secret windows are 8 bytes, so each window of the core stands for exactly one
//! record. The sink side builds the same digest text for an argument, but only when the
//! argument itself holds [`MIN_RECORDS`] or more records: a single email (or four) in a sink
//! never yields a digest text at all and so can never match, while a bulk send matches one
//! window per record it shares with the private source. No record is ever reported alone,
//! so `mcpproxy scan` and taint are unaffected.

use std::collections::BTreeSet;

/// The kind recorded for a block of personal records.
pub const BULK_KIND: &str = "bulk-pii";
/// Distinct records that make a bulk.
pub const MIN_RECORDS: usize = 5;
/// Records considered per text.
const MAX_RECORDS: usize = 5000;

fn local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn domain_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-')
}

fn emails(b: &[u8], out: &mut BTreeSet<String>) {
    for (at, _) in b.iter().enumerate().filter(|(_, &c)| c == b'@') {
        let mut s = at;
        while s > 0 && local_char(b[s - 1]) && at - s < 64 {
            s -= 1;
        }
        let mut e = at + 1;
        while e < b.len() && domain_char(b[e]) && e - at < 255 {
            e += 1;
        }
        let domain = std::str::from_utf8(&b[at + 1..e]).unwrap_or("").trim_end_matches(['.', '-']);
        let Some((_, tld)) = domain.rsplit_once('.') else { continue };
        if s == at || tld.len() < 2 || !tld.bytes().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let local = std::str::from_utf8(&b[s..at]).unwrap_or("");
        out.insert(format!("e:{}@{}", local.to_ascii_lowercase(), domain.to_ascii_lowercase()));
    }
}

fn phones(b: &[u8], out: &mut BTreeSet<String>) {
    let n = b.len();
    let mut i = 0;
    while i < n {
        let c = b[i];
        let starts = (c == b'+' || c == b'(' || c.is_ascii_digit()) && (i == 0 || !b[i - 1].is_ascii_alphanumeric());
        if !starts {
            i += 1;
            continue;
        }
        let s = i;
        let (mut digits, mut seps) = (String::new(), 0);
        while i < n && i - s < 22 && (b[i].is_ascii_digit() || matches!(b[i], b' ' | b'-' | b'.' | b'(' | b')' | b'+'))
        {
            if b[i].is_ascii_digit() {
                digits.push(b[i] as char);
            } else if i > s {
                seps += 1;
            }
            i += 1;
        }
        let tail_ok = i >= n || !b[i].is_ascii_alphanumeric();
        let span = std::str::from_utf8(&b[s..i]).unwrap_or("").trim_end();
        let date = span.len() > 4 && (span.starts_with("19") || span.starts_with("20")) && span.as_bytes()[4] == b'-';
        let dotted = span.contains('.') && span.split('.').count() == 4;
        if tail_ok && (10..=15).contains(&digits.len()) && (seps > 0 || c == b'+') && !date && !dotted {
            out.insert(format!("p:{}", &digits[digits.len() - 10..]));
        }
        i = i.max(s + 1);
    }
}

const SUFFIXES: &[(&str, &str)] = &[
    ("street", "st"),
    ("st", "st"),
    ("avenue", "ave"),
    ("ave", "ave"),
    ("road", "rd"),
    ("rd", "rd"),
    ("boulevard", "blvd"),
    ("blvd", "blvd"),
    ("lane", "ln"),
    ("ln", "ln"),
    ("drive", "dr"),
    ("dr", "dr"),
    ("court", "ct"),
    ("ct", "ct"),
    ("way", "way"),
    ("place", "pl"),
    ("pl", "pl"),
    ("square", "sq"),
    ("terrace", "ter"),
    ("highway", "hwy"),
];

fn addresses(text: &str, out: &mut BTreeSet<String>) {
    let words: Vec<&str> =
        text.split(|c: char| c.is_ascii_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    for (k, w) in words.iter().enumerate() {
        if w.len() > 6 || !w.bytes().all(|c| c.is_ascii_digit()) {
            continue;
        }
        for len in 1..=4 {
            let Some(suffix) = words.get(k + 1 + len) else { break };
            let name = &words[k + 1..k + 1 + len];
            if !name.iter().all(|n| n.as_bytes()[0].is_ascii_uppercase() && n.bytes().all(|c| c.is_ascii_alphabetic()))
            {
                break;
            }
            let sfx = suffix.trim_end_matches('.').to_ascii_lowercase();
            if let Some((_, short)) = SUFFIXES.iter().find(|(l, _)| *l == sfx) {
                let name: Vec<String> = name.iter().map(|n| n.to_ascii_lowercase()).collect();
                out.insert(format!("a:{w} {} {short}", name.join(" ")));
                break;
            }
        }
    }
}

/// The distinct normalised personal records of `text`.
pub fn records(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let b = text.as_bytes();
    if b.iter().filter(|&&c| c == b'@').count() >= 1 {
        emails(b, &mut out);
    }
    if b.iter().filter(|c| c.is_ascii_digit()).count() >= 10 {
        phones(b, &mut out);
        addresses(text, &mut out);
    }
    while out.len() > MAX_RECORDS {
        out.pop_last();
    }
    out
}

/// 8 chars standing for one record (FNV-1a, in a 32-letter alphabet).
fn digest(record: &str) -> [u8; 8] {
    const A: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in record.as_bytes() {
        h = (h ^ u64::from(c)).wrapping_mul(0x100_0000_01b3);
    }
    let mut d = [0u8; 8];
    for (i, slot) in d.iter_mut().enumerate() {
        *slot = A[((h >> (i * 5)) & 31) as usize];
    }
    d
}

/// The digest text of `text`'s records when it holds a bulk of them (see the module doc).
pub fn bulk_core(text: &str) -> Option<String> {
    let recs = records(text);
    if recs.len() < MIN_RECORDS {
        return None;
    }
    let mut digests: Vec<[u8; 8]> = recs.iter().map(|r| digest(r)).collect();
    digests.sort_unstable();
    digests.dedup();
    Some(digests.iter().map(|d| String::from_utf8_lossy(d).into_owned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_normalises_records() {
        let r = records("Jane <Jane.Roe@Example.com>, +1 (415) 555-0134, 42 Elm Street, 2024-01-15 10:30");
        assert!(r.contains("e:jane.roe@example.com"), "{r:?}");
        assert!(r.contains("p:4155550134"), "{r:?}");
        assert!(r.contains("a:42 elm st"), "{r:?}");
        assert_eq!(r.len(), 3, "{r:?}");
        assert!(records("ip 192.168.100.200 and version 1.2.3 and git@github").is_empty());
    }

    #[test]
    fn only_bulk_yields_a_core() {
        assert!(bulk_core("Signed-off-by: Jane Roe <jane@example.com>").is_none());
        let four = "a1@x.com b2@x.com c3@x.com d4@x.com";
        assert!(bulk_core(four).is_none());
        let five = format!("{four} e5@x.com");
        let core = bulk_core(&five).unwrap();
        assert_eq!(core.len(), 40);
        // Another order and grouping of the same records gives the same core.
        assert_eq!(bulk_core("E5@X.COM;D4@x.com;c3@x.com;b2@x.com;a1@x.com"), Some(core));
    }
}
