//! Secret / PII detector for tool responses.
//!
//! Design:
//! * one Aho-Corasick pass (ASCII case-insensitive) over the text finds trigger keywords
//!   (vendor prefixes such as `AKIA`, `ghp_`, `xox`, `-----BEGIN`, `://`, and secret-ish key
//!   words such as `password`, `token`, `key`);
//! * only the vendor regexes whose triggers were hit are run (each compiled once); the vendor
//!   rules are data, one file per vendor family in `rules/`, compiled into a static table by
//!   build.rs;
//! * key-word hits drive a small hand-written `key <op> value` parser (env/YAML/JSON/TOML/
//!   shell/HTTP headers) that judges the value by key name, entropy and character classes;
//! * a single byte pass over digit runs finds card numbers (Luhn + IIN), US SSNs and IBANs
//!   (mod-97) without any regex.
//!
//! Values are never logged or printed.
//!
//! Modules: `engine` (keyword prefilter, running vendor rules), `rules` (the generated rule
//! table, issuers), `checks` (what a vendor match must pass), `keyed` and `key_names` (the
//! key/value parser), `pem`, `urls`, `digits`, `placeholder`, `shape` (value measures),
//! `candidates` (overlap resolution).

mod candidates;
mod checks;
mod digits;
mod engine;
mod key_names;
mod keyed;
mod pem;
pub mod pii;
mod placeholder;
mod public;
#[cfg(test)]
mod rule_samples;
mod rules;
mod shape;
#[cfg(test)]
mod test_support;
mod urls;

pub use rules::issuer_hosts;

/// A decoded value (a Kubernetes Secret value, a basic-auth password) is a plausible literal
/// secret: not a placeholder, a variable reference or a plain word.
pub fn plausible_value(v: &str) -> bool {
    placeholder::password_ok(v)
}

/// What a finding is. Stored as its text name (`secrets.category`, the spool).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Secret,
    PrivateKey,
    Card,
    Ssn,
    Pii,
}

text_names!(Category {
    Secret => "secret",
    PrivateKey => "private_key",
    Card => "card",
    Ssn => "ssn",
    Pii => "pii",
});

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: &'static str,
    pub category: Category,
    pub start: usize,
    pub end: usize,
    pub core_start: usize,
    pub core_end: usize,
}

/// All findings in `text`, sorted by start; when two findings overlap keep the more specific
/// (vendor pattern beats generic).
pub fn scan(text: &str) -> Vec<Finding> {
    scan_with_public(text).0
}

/// [`scan`], and the byte spans of the public values it left out (documentation and
/// client-side keys): not secrets, and not private content either.
pub fn scan_with_public(text: &str) -> (Vec<Finding>, Vec<(usize, usize)>) {
    let triggered = engine::prefilter(text);
    let mut cands: Vec<candidates::Cand> = Vec::new();
    engine::run_vendor_rules(text, &triggered, &mut cands);
    if triggered.pem_begin {
        pem::scan_pem(text, &mut cands);
    }
    if triggered.url_scheme {
        urls::scan_urls(text, &mut cands);
    }
    if triggered.jdbc_oracle {
        urls::scan_oracle(text, &mut cands);
    }
    if triggered.curl {
        urls::scan_curl(text, &mut cands);
    }
    if !triggered.key_words.is_empty() {
        keyed::scan_keyed(text, &triggered.key_words, &mut cands);
    }
    engine::pair_aws_secrets(text, &mut cands);
    digits::scan_digits(text, &mut cands);
    let found = candidates::resolve(cands);
    let (public, secret): (Vec<Finding>, Vec<Finding>) = found.into_iter().partition(|f| public::is_public(text, f));
    (secret, public.iter().map(|f| (f.start, f.end)).collect())
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn category_strings() {
        assert_eq!(Category::Secret.as_str(), "secret");
        assert_eq!(Category::PrivateKey.as_str(), "private_key");
        assert_eq!(Category::Card.as_str(), "card");
        assert_eq!(Category::Ssn.as_str(), "ssn");
        assert_eq!(Category::Pii.as_str(), "pii");
    }

    #[test]
    fn overlap_prefers_vendor() {
        let tok = github_token("ghp_", 53);
        let t = format!("token: {tok}");
        let f = scan(&t);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, "github-pat");
    }

    #[test]
    fn spans_are_char_boundaries_and_sorted() {
        let t =
            format!("héllo ünïcode password=\"Zk3p€Q9wLm2x\" ghp {} 4111-1111-1111-1111 ñ", github_token("ghp_", 54));
        let f = scan(&t);
        assert!(f.len() >= 2);
        for w in f.windows(2) {
            assert!(w[0].start <= w[1].start);
        }
        for x in &f {
            assert!(t.is_char_boundary(x.start) && t.is_char_boundary(x.end));
            assert!(t.is_char_boundary(x.core_start) && t.is_char_boundary(x.core_end));
            assert!(x.start <= x.core_start && x.core_end <= x.end);
        }
    }

    #[test]
    fn hard_negatives_quiet() {
        for neg in [
            "203db13e-70c7-462b-9a3d-bf32640cb0be",
            "commit 8b1118b376c313ed420e5133ba91307817ed52c2 Merge",
            "\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUR6ZnaLjSKbXeyZhw==\"",
            "FROM python@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
            "fn token_stream(input: &str) -> TokenStream { let key = map.get(&k); }",
            "See https://docs.rs/regex for details; the secret to good code is tests.",
            "FOO=$BAR",
            "pk_live_51HhXyzAbCdEf0123456789",
        ] {
            quiet(neg);
        }
    }
}
