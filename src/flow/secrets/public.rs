//! Values of a secret shape that are public: documentation examples, publishable and
//! client-side keys. The list is data (`[[public]]` entries in `rules/*.toml`, each naming
//! where the values are documented as public); a finding whose value or core is one of them is
//! dropped, so it is neither reported nor recorded as a session secret.

use super::rules::{PublicRule, PUBLIC_RULES};
use super::shape::{ceil_cb, floor_cb};
use super::Finding;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// How far around a value `near` words are looked for.
const NEAR: usize = 400;
/// How far before a value (on its line) `before` words are looked for.
const BEFORE: usize = 80;

fn jwt_payload(v: &str) -> Option<String> {
    let payload = v.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    Some(String::from_utf8_lossy(&bytes).chars().filter(|c| !c.is_whitespace()).collect())
}

fn context_holds(text: &str, f: &Finding, r: &PublicRule) -> bool {
    if !r.before.is_empty() {
        let lo = floor_cb(text, f.start.saturating_sub(BEFORE));
        let line = text[lo..f.start].rsplit('\n').next().unwrap_or("").to_ascii_lowercase();
        if !r.before.iter().any(|w| line.contains(w)) {
            return false;
        }
    }
    if !r.near.is_empty() {
        let lo = floor_cb(text, f.start.saturating_sub(NEAR));
        let hi = ceil_cb(text, (f.end + NEAR).min(text.len()));
        let around = text[lo..hi].to_ascii_lowercase();
        if !r.near.iter().any(|w| around.contains(w)) {
            return false;
        }
    }
    true
}

fn rule_matches(text: &str, f: &Finding, r: &PublicRule) -> bool {
    let value = &text[f.start..f.end];
    let core = &text[f.core_start..f.core_end];
    if r.values.iter().any(|p| *p == value || *p == core) {
        return true;
    }
    if r.prefixes.is_empty() && r.jwt_claims.is_empty() {
        return false;
    }
    if !r.prefixes.is_empty() && !r.prefixes.iter().any(|p| value.starts_with(p)) {
        return false;
    }
    if !r.jwt_claims.is_empty() {
        match jwt_payload(value) {
            Some(p) if r.jwt_claims.iter().any(|c| p.contains(c)) => {}
            _ => return false,
        }
    }
    context_holds(text, f, r)
}

/// The `[[public]]` entry the finding's value falls under, if any.
pub(super) fn public_rule(text: &str, f: &Finding) -> Option<&'static str> {
    PUBLIC_RULES.iter().find(|r| rule_matches(text, f, r)).map(|r| r.id)
}

/// The finding is a public value.
pub(super) fn is_public(text: &str, f: &Finding) -> bool {
    public_rule(text, f).is_some()
}
