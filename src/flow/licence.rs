//! Licence and boilerplate text is not private content: a repository's LICENSE (or a file
//! header quoting one) is the same text in millions of repositories, and writing it into a new
//! project or an issue is normal work.
//!
//! At source time, when a text carries a licence marker (a cheap substring check), the content
//! fingerprints that also occur among the k-grams of the known licence texts below (MIT, BSD,
//! Apache-2.0, GPL-3.0, keyed with the session key) are dropped; a file that is named like a
//! licence and is mostly licence text keeps no content fingerprints at all. Secrets in such
//! texts are still recorded: only content matching is affected.

use crate::flow::fingerprint::{self, CONTENT_K};
use std::collections::HashSet;

const TEXTS: &[&str] = &[
    include_str!("licences/mit.txt"),
    include_str!("licences/bsd.txt"),
    include_str!("licences/apache-2.0.txt"),
    include_str!("licences/gpl-3.txt"),
];

/// Phrases, lowercased, that every copy of one of the texts holds.
const MARKERS: &[&str] = &[
    "permission is hereby granted, free of charge",
    "redistribution and use in source and binary forms",
    "licensed under the apache license",
    "apache license",
    "gnu general public license",
    "gnu lesser general public license",
    "provided \"as is\", without warranty",
    "provided by the copyright holders and contributors \"as is\"",
];

/// The text quotes a known licence.
pub fn has_licence_text(text: &str) -> bool {
    // Lowercasing a large text costs; the markers all hold one of these words.
    if !["ermission", "edistribution", "icense", "ARRANT", "arrant"].iter().any(|w| text.contains(w)) {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    MARKERS.iter().any(|m| lower.contains(m))
}

/// A file name licences are kept under.
pub fn is_licence_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_uppercase();
    let (base, ext) = name.split_once('.').unwrap_or((&name, ""));
    let named = ["LICENSE", "LICENCE", "COPYING", "NOTICE", "UNLICENSE"]
        .iter()
        .any(|p| base == *p || base.strip_prefix(p).is_some_and(|rest| rest.starts_with('-')));
    named && matches!(ext, "" | "MD" | "TXT" | "RST" | "MIT" | "APACHE")
}

/// Every content k-gram hash of the known licence texts under `key`.
fn licence_grams(key: u64) -> HashSet<u64> {
    let mut set = HashSet::new();
    for t in TEXTS {
        set.extend(fingerprint::window_hashes(&fingerprint::normalize_content(t), CONTENT_K, key));
    }
    set
}

/// Drop the fingerprints that licence texts hold. Returns the share (0..=1) of `content` that
/// was licence text.
pub fn strip_licence_grams(content: &mut Vec<u64>, key: u64) -> f64 {
    if content.is_empty() {
        return 0.0;
    }
    let before = content.len();
    let grams = licence_grams(key);
    content.retain(|h| !grams.contains(h));
    (before - content.len()) as f64 / before as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_text_loses_its_fingerprints() {
        let header = "Copyright (c) 2024 Jane Roe\n\n";
        let text = format!("{header}{}", TEXTS[0]);
        assert!(has_licence_text(&text));
        let mut fp = fingerprint::content_fingerprints(&text, 7);
        let share = strip_licence_grams(&mut fp, 7);
        assert!(share > 0.8, "{share}");
        assert!(is_licence_path("/repo/LICENSE-MIT") && is_licence_path("COPYING"));
        assert!(!is_licence_path("/repo/src/license_check.rs"));
        assert!(!has_licence_text("fn main() { let secret = compute(42); }"));
        let mut own = fingerprint::content_fingerprints("Our customer list and pricing, strictly internal.", 7);
        let n = own.len();
        assert_eq!(strip_licence_grams(&mut own, 7), 0.0);
        assert_eq!(own.len(), n);
    }
}
