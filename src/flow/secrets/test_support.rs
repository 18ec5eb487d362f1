//! Helpers for the unit tests of the secrets modules.

use super::checks::{base62_6, crc32};
use super::{scan, Finding};

/// Deterministic pseudo-random string over `alphabet` (no value is printed).
pub(super) fn rnd(seed: u64, n: usize, alphabet: &[u8]) -> String {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % alphabet.len() as u64) as usize] as char
        })
        .collect()
}
pub(super) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub(super) const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub(super) const HEX: &[u8] = b"0123456789abcdef";
pub(super) const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub(super) fn kinds(t: &str) -> Vec<&'static str> {
    scan(t).into_iter().map(|f| f.kind).collect()
}
pub(super) fn one(t: &str, kind: &str) -> Finding {
    let f = scan(t);
    let hit = f.iter().find(|x| x.kind == kind).cloned();
    assert!(hit.is_some(), "expected {kind}, got {:?}", f.iter().map(|x| x.kind).collect::<Vec<_>>());
    hit.unwrap()
}
/// The finding of `kind` in `t`, which must cover exactly `span`.
pub(super) fn one_at(t: &str, kind: &str, span: &str) -> Finding {
    let f = one(t, kind);
    assert_eq!(&t[f.start..f.end], span, "{kind} in {t:?}");
    f
}
/// The finding of `kind` in `t`, whose core (the part without the kind's fixed prefix) must be
/// exactly `core`.
pub(super) fn one_core(t: &str, kind: &str, core: &str) -> Finding {
    let f = one(t, kind);
    assert_eq!(&t[f.core_start..f.core_end], core, "{kind} in {t:?}");
    f
}
/// The finding of `kind` in `t`, which must cover exactly `span` and have exactly `core` as its core.
pub(super) fn one_at_core(t: &str, kind: &str, span: &str, core: &str) -> Finding {
    let f = one_at(t, kind, span);
    assert_eq!(&t[f.core_start..f.core_end], core, "{kind} in {t:?}");
    f
}
pub(super) fn quiet(t: &str) {
    let f = scan(t);
    assert!(f.is_empty(), "expected no findings, got {:?}", f.iter().map(|x| x.kind).collect::<Vec<_>>());
}
pub(super) fn github_token(prefix: &str, seed: u64) -> String {
    let body = rnd(seed, 30, ALNUM);
    let cs = base62_6(crc32(body.as_bytes()));
    format!("{prefix}{body}{}", std::str::from_utf8(&cs).unwrap())
}
