//! Credentials in URLs (`scheme://user:password@host`), JDBC Oracle strings and `curl -u`.

use super::candidates::{push, Cand, RANK_STRUCT};
use super::engine::lazy_re;
use super::placeholder::{is_placeholder, is_variable_ref, password_ok};
use super::shape::{ceil_cb, distinct, floor_cb};
use super::Category;
use regex::Regex;
use std::sync::OnceLock;

const S: Category = Category::Secret;

// The user and password runs are unbounded here and their lengths checked after the match
// (`URL_USER_MAX`, `URL_PASSWORD_MAX`): a bounded repeat of a negated Unicode class compiles
// one copy of the class per repeat (tens of millions of instructions in every process that
// scans). Both runs end at a char their class excludes (`:` and `@`), so a match is the same.
lazy_re!(
    url_re,
    r#"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{1,30})://(?P<user>[^\s:/@'"<>()\[\]{}\\]*):(?P<pw>[^\s@/'"<>\\]+)@(?P<host>[A-Za-z0-9._\-\[\]]+)"#
);
const URL_USER_MAX: usize = 128;
const URL_PASSWORD_MAX: usize = 256;
lazy_re!(oracle_re, r#"(?i)jdbc:oracle:[a-z]+:(?P<user>[A-Za-z0-9_$#]+)/(?P<pw>[^@\s'"/]+)@"#);
lazy_re!(curl_re, r#"(?:^|[\s'"(])(?:-u|--user)(?:[ \t]+|=)"#);

const DB_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "mssql",
    "sqlserver",
    "oracle",
    "cockroachdb",
    "clickhouse",
    "cassandra",
    "couchdb",
    "neo4j",
    "neo4j+s",
    "bolt",
    "memcached",
    "elasticsearch",
    "nats",
    "kafka",
    "mqtt",
    "mqtts",
    "db2",
    "snowflake",
    "timescale",
    "postgis",
    "influxdb",
    "ldap",
    "ldaps",
];

pub(super) fn scan_urls(text: &str, out: &mut Vec<Cand>) {
    for caps in url_re().captures_iter(text) {
        let scheme = caps.name("scheme").unwrap().as_str().to_ascii_lowercase();
        let pw = caps.name("pw").unwrap();
        let user = caps.name("user").unwrap().as_str();
        let p = pw.as_str();
        if user.chars().count() > URL_USER_MAX || p.chars().count() > URL_PASSWORD_MAX || !url_password_ok(user, p) {
            continue;
        }
        let base = scheme.rsplit(':').next().unwrap_or(&scheme);
        let base = base.strip_prefix("jdbc:").unwrap_or(base);
        let kind =
            if DB_SCHEMES.contains(&base) || scheme.starts_with("jdbc") { "db-url-password" } else { "basic-auth-url" };
        push(out, kind, S, (pw.start(), pw.end()), (pw.start(), pw.end()), RANK_STRUCT);
    }
}

fn url_password_ok(user: &str, p: &str) -> bool {
    if p.is_empty() || is_variable_ref(p) || is_placeholder(p) {
        return false;
    }
    if p.contains("${") || p.contains("{{") || p.contains("$(") || p.starts_with('%') {
        return false;
    }
    if user.contains("${") || user.contains("{{") {
        return false;
    }
    // A port number ("host:8080@...") is not a password.
    if p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 5 {
        return false;
    }
    p.len() >= 3 && distinct(p) >= 3
}

pub(super) fn scan_oracle(text: &str, out: &mut Vec<Cand>) {
    for caps in oracle_re().captures_iter(text) {
        let pw = caps.name("pw").unwrap();
        if password_ok(pw.as_str()) {
            push(out, "db-url-password", S, (pw.start(), pw.end()), (pw.start(), pw.end()), RANK_STRUCT);
        }
    }
}

pub(super) fn scan_curl(text: &str, out: &mut Vec<Cand>) {
    for m in curl_re().find_iter(text) {
        let start = m.end();
        // Read one shell word, recording the byte offset of every unquoted-content char.
        let b = text.as_bytes();
        let mut i = start;
        let mut quote: u8 = 0;
        let mut chars: Vec<(usize, u8)> = Vec::new();
        while i < b.len() {
            let ch = b[i];
            if quote != 0 {
                if ch == quote {
                    quote = 0;
                } else if ch == b'\n' {
                    break;
                } else {
                    chars.push((i, ch));
                }
            } else if ch == b'"' || ch == b'\'' {
                quote = ch;
            } else if ch.is_ascii_whitespace() {
                break;
            } else {
                chars.push((i, ch));
            }
            i += 1;
            if i - start > 512 {
                break;
            }
        }
        let content: Vec<u8> = chars.iter().map(|c| c.1).collect();
        let Some(colon) = content.iter().position(|&c| c == b':') else { continue };
        let (user_idx, pass_idx) = ((0, colon), (colon + 1, content.len()));
        let user = String::from_utf8_lossy(&content[user_idx.0..user_idx.1]).into_owned();
        let pass = String::from_utf8_lossy(&content[pass_idx.0..pass_idx.1]).into_owned();
        let whole = String::from_utf8_lossy(&content).into_owned();
        if whole.contains("${")
            || whole.contains("$(")
            || whole.contains("{{")
            || whole.contains('<')
            || whole.contains('[')
        {
            continue;
        }
        let (secret, range) = if pass.is_empty() { (user.clone(), user_idx) } else { (pass.clone(), pass_idx) };
        if range.0 >= range.1 {
            continue;
        }
        let bare = secret.trim_start_matches('{').trim_end_matches('}');
        if is_variable_ref(&secret) || !password_ok(bare) || secret == user && !pass.is_empty() {
            continue;
        }
        let s = chars[range.0].0;
        let en = chars[range.1 - 1].0 + 1;
        let (s, en) = (floor_cb(text, s), ceil_cb(text, en));
        push(out, "curl-credentials", S, (s, en), (s, en), RANK_STRUCT);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn db_and_basic_auth_urls() {
        let t = "DATABASE_URL=postgres://app:Zk3pQ9wLm2@db.internal:5432/app";
        one_at(t, "db-url-password", "Zk3pQ9wLm2");
        let t = "mongodb+srv://svc:h7Tq2LmN9x@cluster0.mongodb.net/test";
        assert_eq!(&t[one(t, "db-url-password").start..one(t, "db-url-password").end], "h7Tq2LmN9x");
        let t = "jdbc:oracle:thin:scott/T1ger9x2@db:1521:orcl";
        assert_eq!(&t[one(t, "db-url-password").start..one(t, "db-url-password").end], "T1ger9x2");
        let t = "see https://deploy:s3cr3tP4ss@git.example.org/repo.git";
        one(t, "basic-auth-url");
        quiet("postgres://user:${DB_PASSWORD}@localhost/db");
        quiet("redis://:password@localhost:6379");
        quiet("https://github.com/org/repo and http://localhost:8080/path");
        quiet("mysql://root:<password>@localhost/db");
    }

    #[test]
    fn curl_user() {
        let t = "curl -u elastic:P@ssw0rd$1 https://localhost:9200";
        one_at(t, "curl-credentials", "P@ssw0rd$1");
        let t = "curl --user 'api:d2LkV78zLx!t' https://api.example.net";
        one_at(t, "curl-credentials", "d2LkV78zLx!t");
        quiet("curl -i -u 'test:test'");
        quiet("curl -u \"${_username}:${_password}\"");
        quiet("curl --user \"$GITHUB_USERNAME:$GITHUB_PASSWORD\" \"$URL\"");
        quiet("curl -u <user:password> https://test.com/endpoint");
        quiet("curl -u username:token");
    }
}
