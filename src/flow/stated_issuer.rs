//! The issuer a configuration file names beside a credential: `ACME_API_URL` next to
//! `ACME_API_TOKEN` in a `.env`, a kubeconfig's `server:`, the host of a connection URL that
//! carries a password, an `.npmrc` registry line, a `.netrc` machine. A credential of a kind
//! with no known issuer, sent only to the host its own file names, is its intended use.
//!
//! Only hosts that could be an issuer are kept: no user-content host, look-alike of a brand, or
//! URL that parsers read differently. Whether the file itself can be trusted (was it edited in
//! this session?) and whether a host is a known collector are the sink's questions.

use crate::flow::destination;
use crate::flow::hosts;

/// Key-name parts that say "the credential itself".
const SECRET_WORDS: &[&str] = &[
    "TOKEN",
    "KEY",
    "APIKEY",
    "SECRET",
    "PASSWORD",
    "PASS",
    "PASSWD",
    "PWD",
    "AUTH",
    "CREDENTIAL",
    "CREDENTIALS",
    "PAT",
    "ACCESS",
    "PRIVATE",
    "CLIENT",
    "BEARER",
];

/// Key-name parts that say "where the service is".
const PLACE_WORDS: &[&str] =
    &["URL", "URI", "HOST", "HOSTNAME", "ENDPOINT", "SERVER", "DOMAIN", "ADDR", "ADDRESS", "ORIGIN"];

/// Parts that may sit between a prefix and the place word (`ACME_API_BASE_URL`).
const PLACE_QUALIFIERS: &[&str] = &["API", "BASE", "REST", "SERVICE", "PUBLIC", "HTTP", "HTTPS"];

/// Whether written text could name an issuer (a URL, or a place key assigned): a file written
/// with it no longer states its issuer in the user's words.
pub fn may_state_issuer(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    lower.contains("://")
        || lower.contains("machine ")
        || PLACE_WORDS.iter().any(|w| {
            let w = w.to_ascii_lowercase();
            lower.match_indices(&w).any(|(i, _)| {
                let rest = &b[i + w.len()..];
                rest.iter()
                    .take(3)
                    .find(|c| !matches!(c, b' ' | b'"' | b'\''))
                    .is_some_and(|c| matches!(c, b'=' | b':'))
            })
        })
}

/// At most this many hosts per credential: a file naming many is no statement of one issuer.
const MAX_HOSTS: usize = 3;

/// Hosts the text names as the issuer of the credential whose value starts at byte `at`.
pub fn stated_issuers(text: &str, at: usize) -> Vec<String> {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[line_start..line_end];
    let before = &text[line_start..at];
    let mut found: Vec<String> = Vec::new();
    if let Some(h) = connection_url_host(line, at - line_start) {
        found.push(h);
    }
    if let Some(h) = npmrc_host(before) {
        found.push(h);
    }
    if let Some(h) = netrc_machine(&text[..at]) {
        found.push(h);
    }
    if let Some(key) = key_name(before) {
        found.extend(hosts_beside_key(text, &key));
    }
    if found.is_empty() {
        found.extend(sibling_places(text, line_start, line));
    }
    if found.is_empty() {
        found.extend(kubeconfig_servers(text));
    }
    found.sort();
    found.dedup();
    found.retain(|h| could_be_issuer(h));
    if found.len() > MAX_HOSTS {
        return Vec::new();
    }
    found
}

/// A host a credential may be said to belong to.
fn could_be_issuer(host: &str) -> bool {
    host.contains('.') && !hosts::is_user_content(host) && hosts::lookalike_brand(host).is_none()
}

/// Parse a stated value (a URL or a bare host) into a host, refusing ambiguous URLs.
fn host_of_value(value: &str) -> Option<String> {
    let v = value.trim().trim_matches(['"', '\'', ',', ';']);
    if v.contains("://") {
        let p = destination::parse_url(v)?;
        return (!p.ambiguous).then_some(p.host);
    }
    if v.contains(['/', '@', '\\', ' ', '$', '{']) {
        return None;
    }
    destination::authority_host(v)
}

/// `scheme://user:SECRET@host/...`: the secret starts at `offset` inside a URL's userinfo.
fn connection_url_host(line: &str, offset: usize) -> Option<String> {
    let scheme_end = line[..offset].rfind("://")?;
    let userinfo = &line[scheme_end + 3..offset];
    if userinfo.contains(['/', ' ', '@']) {
        return None;
    }
    let start =
        line[..scheme_end].rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c))).map_or(0, |i| i + 1);
    let end = line[offset..].find(|c: char| c.is_whitespace() || "\"'`".contains(c)).map_or(line.len(), |i| offset + i);
    let url = &line[start..end];
    url[offset - start..].contains('@').then(|| host_of_value(url)).flatten()
}

/// `.npmrc`: `//registry.example.com/path/:_authToken=SECRET`.
fn npmrc_host(before: &str) -> Option<String> {
    let b = before.trim_start();
    let rest = b.strip_prefix("//")?;
    if !(b.contains(":_authToken") || b.contains(":_auth") || b.contains(":_password")) {
        return None;
    }
    destination::authority_host(rest.split(['/', ':']).next()?)
}

/// `.netrc`: the `machine` named before the secret (same line or the entry's earlier lines).
fn netrc_machine(before: &str) -> Option<String> {
    let tail = &before[before.len().saturating_sub(400)..];
    let words: Vec<&str> = tail.split_whitespace().collect();
    let n = words.len();
    if n < 1 || !matches!(words[n - 1], "password" | "passwd" | "account") {
        return None;
    }
    let m = words.iter().rposition(|w| *w == "machine")?;
    // Only the keywords of one entry may stand between `machine` and the secret.
    let entry_words = ["login", "password", "passwd", "account", "port"];
    let between = &words[m + 2..n];
    let plain = between.iter().enumerate().all(|(i, w)| i % 2 == 1 || entry_words.contains(w));
    plain.then(|| words.get(m + 1).and_then(|h| destination::authority_host(h))).flatten()
}

/// The key a value is assigned to on its line (`export ACME_TOKEN=`, `acme_token: `,
/// `"acmeToken": `), as upper-case parts.
fn key_name(before: &str) -> Option<Vec<String>> {
    let b = before.trim_end().trim_end_matches(['"', '\'']).trim_end();
    let b = b.strip_suffix(['=', ':'])?.trim_end().trim_end_matches(['"', '\'']);
    let start = b.rfind(|c: char| !(c.is_ascii_alphanumeric() || "_-.".contains(c))).map_or(0, |i| i + 1);
    let parts = split_key(&b[start..]);
    (parts.len() >= 2).then_some(parts)
}

/// A place key beside the credential in the same block of a YAML, TOML or JSON file
/// (`billing:\n  url: https://...\n  token: ...`): same indentation, no section between.
fn sibling_places(text: &str, line_start: usize, line: &str) -> Vec<String> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = indent(line);
    let place = |l: &str| -> Option<String> {
        let l = l.trim_start().trim_start_matches("- ").trim_start_matches(['"', '\'']);
        let (k, v) = l.split_once(['=', ':'])?;
        let parts = split_key(k.trim_end().trim_end_matches(['"', '\'']));
        let (last, rest) = parts.split_last()?;
        let is_place =
            PLACE_WORDS.contains(&last.as_str()) && rest.iter().all(|p| PLACE_QUALIFIERS.contains(&p.as_str()));
        is_place.then(|| host_of_value(v.trim().trim_end_matches(',')))?
    };
    // The same line first (`{"url": "...", "token": "..."}`), then the block around it.
    let mut found: Vec<String> = line.split([',', '{', '}']).filter_map(place).collect();
    let before: Vec<&str> = text[..line_start].lines().rev().take(20).collect();
    let after: Vec<&str> = text[line_start..].lines().skip(1).take(20).collect();
    // A top-level line is in a block only under a TOML section header.
    let in_section = before.iter().any(|l| l.starts_with('['));
    if own == 0 && !in_section {
        return found;
    }
    for side in [before, after] {
        for l in side {
            let t = l.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            if indent(l) < own || t.starts_with('[') || (indent(l) == own && t.ends_with(':')) {
                break;
            }
            if indent(l) == own {
                found.extend(place(l));
            }
        }
    }
    found
}

/// `ACME_API_TOKEN`, `acme-api-token`, `acmeApiToken` -> `[ACME, API, TOKEN]`.
fn split_key(key: &str) -> Vec<String> {
    super::words::split_words(key, |c| "_-.".contains(c), char::to_ascii_uppercase)
}

/// Hosts assigned to keys that share the credential key's prefix and end in a place word:
/// the longest shared prefix that names one wins.
fn hosts_beside_key(text: &str, key: &[String]) -> Vec<String> {
    let Some(tail) = key.iter().rposition(|p| !SECRET_WORDS.contains(&p.as_str())) else {
        return Vec::new();
    };
    let assignments: Vec<(Vec<String>, &str)> = text
        .lines()
        .take(2_000)
        .filter_map(|line| {
            let l = line.trim_start().trim_start_matches("export ").trim_start_matches(['"', '\'']);
            let (k, v) = l.split_once(['=', ':'])?;
            let k = k.trim_end().trim_end_matches(['"', '\'']);
            if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)) {
                return None;
            }
            Some((split_key(k), v))
        })
        .collect();
    for len in (1..=tail + 1).rev() {
        let prefix = &key[..len];
        let hosts: Vec<String> = assignments
            .iter()
            .filter(|(parts, _)| {
                parts.len() > len
                    && parts[..len] == *prefix
                    && PLACE_WORDS.contains(&parts[parts.len() - 1].as_str())
                    && parts[len..parts.len() - 1].iter().all(|p| PLACE_QUALIFIERS.contains(&p.as_str()))
            })
            .filter_map(|(_, v)| host_of_value(v))
            .collect();
        if !hosts.is_empty() {
            return hosts;
        }
    }
    Vec::new()
}

/// A kubeconfig's cluster servers (`clusters:` ... `server: https://...`).
fn kubeconfig_servers(text: &str) -> Vec<String> {
    if !text.contains("clusters:") || !text.contains("users:") {
        return Vec::new();
    }
    text.lines()
        .filter_map(|l| l.trim_start().trim_start_matches("- ").strip_prefix("server:"))
        .filter_map(host_of_value)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The issuers stated for the value that follows `marker` in `text`.
    fn issuers_for(text: &str, marker: &str) -> Vec<String> {
        let at = text.find(marker).expect("marker") + marker.len();
        stated_issuers(text, at)
    }

    /// Each `(text, marker, issuers)`: the issuers stated for the value after `marker`.
    fn assert_issuers(cases: &[(&str, &str, &[&str])]) {
        for (text, marker, issuers) in cases {
            assert_eq!(issuers_for(text, marker), *issuers, "{marker} in {text:?}");
        }
    }

    #[test]
    fn env_keys_with_a_shared_prefix() {
        assert_issuers(&[
            ("API_URL=https://api.acme-internal.io/v2\nAPI_TOKEN=q8Zr3kT9vLm2Xw7P\nOTHER_URL=https://other.example\n", "API_TOKEN=", &["api.acme-internal.io"]),
            ("export ACME_API_BASE_URL=\"https://acme.example.com\"\nexport ACME_API_KEY=\"zz9\"\n", "ACME_API_KEY=\"", &["acme.example.com"]),
            ("billing:\n  billingHost: billing.corp.example\n  billingSecret: abc\n", "billingSecret: ", &["billing.corp.example"]),
        ]);
    }

    #[test]
    fn unrelated_or_missing_places_state_nothing() {
        assert_issuers(&[
            // No shared prefix: a webhook URL is not the token's issuer.
            ("SLACK_WEBHOOK_URL=https://hooks.slack.com/x\nACME_TOKEN=abc\n", "ACME_TOKEN=", &[]),
            // A bare `TOKEN` has no prefix to share.
            ("URL=https://a.example\nTOKEN=abc\n", "TOKEN=", &[]),
            // A path or a variable reference is no host.
            ("X_URL=${BASE}/v1\nX_TOKEN=abc\n", "X_TOKEN=", &[]),
        ]);
    }

    #[test]
    fn lookalikes_user_content_and_ambiguous_urls_are_never_issuers() {
        assert_issuers(&[
            ("GH_URL=https://github-status-check.net\nGH_TOKEN=abc\n", "GH_TOKEN=", &[]),
            ("X_URL=https://evil.example\\@api.acme.example/\nX_TOKEN=abc\n", "X_TOKEN=", &[]),
            ("X_URL=https://my-bucket.s3.amazonaws.com\nX_TOKEN=abc\n", "X_TOKEN=", &[]),
        ]);
    }

    #[test]
    fn connection_urls_npmrc_netrc_and_kubeconfig() {
        assert_issuers(&[
            ("DATABASE_URL=postgres://app:S3cr3tPassw0rd@db.acme-internal.io:5432/app\n", "app:", &["db.acme-internal.io"]),
            ("//npm.corp.example/repo/:_authToken=npm_abc\n", "_authToken=", &["npm.corp.example"]),
            ("machine git.corp.example\n  login bot\n  password hunter2hunter2\n", "password ", &["git.corp.example"]),
            ("apiVersion: v1\nclusters:\n- cluster:\n    server: https://k8s.corp.example:6443\n  name: prod\nusers:\n- name: admin\n  user:\n    token: eyJhbGciOi\n", "token: ", &["k8s.corp.example"]),
        ]);
    }

    #[test]
    fn writes_that_could_name_an_issuer() {
        for (text, expected) in [
            ("ACME_URL=https://evil.example", true),
            ("echo 'ACME_HOST=evil.example' >> .env", true),
            ("    server: evil.example", true),
            ("machine evil.example login x password y", true),
            ("fn main() { println!(\"hello\"); }", false),
            ("NODE_ENV=production\nPORT=3000\n", false),
        ] {
            assert_eq!(may_state_issuer(text), expected, "{text}");
        }
    }

    #[test]
    fn place_keys_in_the_same_block() {
        assert_issuers(&[
            ("billing:\n  url: https://api.billing-partner.com\n  token: abc123\nother:\n  url: https://other.example\n", "token: ", &["api.billing-partner.com"]),
            ("[billing]\nendpoint = \"https://api.billing-partner.com\"\ntoken = \"abc\"\n[other]\nurl = \"https://o.example\"\n", "token = \"", &["api.billing-partner.com"]),
            ("{\"billing\": {\"base_url\": \"https://api.billing-partner.com\", \"token\": \"abc\"}}", "\"token\": \"", &["api.billing-partner.com"]),
            // Another block's place is not this credential's.
            ("other:\n  url: https://other.example\nbilling:\n  token: abc123\n", "token: ", &[]),
        ]);
    }

    #[test]
    fn keys_split_in_every_spelling() {
        assert_eq!(split_key("acmeApiToken"), ["ACME", "API", "TOKEN"]);
        assert_eq!(split_key("acme-api.token"), ["ACME", "API", "TOKEN"]);
        assert_eq!(split_key("ACME_API_TOKEN"), ["ACME", "API", "TOKEN"]);
    }
}
