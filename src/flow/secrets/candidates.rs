//! Candidate findings from all scanners and the overlap resolution between them.

use super::{Category, Finding};

pub(super) struct Cand {
    pub(super) f: Finding,
    /// Higher wins on overlap.
    rank: u8,
}

pub(super) const RANK_PEM: u8 = 6;
pub(super) const RANK_VENDOR: u8 = 5;
pub(super) const RANK_STRUCT: u8 = 4; // URLs, curl -u, cards, SSN, IBAN
pub(super) const RANK_KEYED: u8 = 3; // aws secret by key name / pairing
pub(super) const RANK_GENERIC: u8 = 1;

pub(super) fn push(
    out: &mut Vec<Cand>,
    kind: &'static str,
    category: Category,
    v: (usize, usize),
    c: (usize, usize),
    rank: u8,
) {
    let (cs, ce) = if c.0 < c.1 && c.0 >= v.0 && c.1 <= v.1 { c } else { v };
    out.push(Cand { f: Finding { kind, category, start: v.0, end: v.1, core_start: cs, core_end: ce }, rank });
}

pub(super) fn resolve(mut cands: Vec<Cand>) -> Vec<Finding> {
    cands.sort_by(|a, b| {
        b.rank.cmp(&a.rank).then((b.f.end - b.f.start).cmp(&(a.f.end - a.f.start))).then(a.f.start.cmp(&b.f.start))
    });
    let mut kept: Vec<Finding> = Vec::new();
    for c in cands {
        if c.f.start >= c.f.end {
            continue;
        }
        if kept.iter().any(|k| k.start < c.f.end && c.f.start < k.end) {
            continue;
        }
        kept.push(c.f);
    }
    kept.sort_by_key(|f| (f.start, f.end));
    kept
}
