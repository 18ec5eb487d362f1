//! Placeholder filtering: values that are examples, variable references or code rather than
//! literal secrets, and the plausibility test for literal passwords.

use super::shape::{distinct, sequential_ratio};

/// A plausible literal password: not a placeholder, not a plain dictionary-looking word.
pub(super) fn password_ok(p: &str) -> bool {
    if p.len() < 6 || p.len() > 256 || is_placeholder(p) || is_variable_ref(p) {
        return false;
    }
    if p.contains("${") || p.contains("{{") || p.contains("$(") || p.starts_with('<') {
        return false;
    }
    if distinct(p) < 4 || sequential_ratio(p) >= 0.9 {
        return false;
    }
    if p.bytes().all(|b| b.is_ascii_digit()) {
        return p.len() >= 8;
    }
    if p.bytes().all(|b| b.is_ascii_alphabetic()) {
        // plain words (lower, UPPER, Capitalized) are not treated as passwords
        let tail = &p[1..];
        let mixed_tail = tail.bytes().any(|b| b.is_ascii_uppercase()) && tail.bytes().any(|b| b.is_ascii_lowercase());
        return mixed_tail && p.len() >= 8;
    }
    if looks_like_code(p) {
        return false;
    }
    true
}

/// How template and shell variables begin: `$VAR`, `${VAR}`, `%(x)s`, `{{ x }}`, `<YOUR_KEY>`, `#{x}`.
const VARIABLE_STARTS: &[&str] = &["$", "%(", "%s", "{{", "${", "<", "#{"];

/// How reads of the environment or of CI secrets begin (lowercased): `process.env.X`, `secrets.X`.
const ENVIRONMENT_STARTS: &[&str] = &["process.env", "os.environ", "env.", "env[", "secrets.", "vars.", "getenv"];

/// `$VAR`, `${VAR}`, `%(x)s`, `{{ x }}`, `<YOUR_KEY>`, `process.env.X`, ...
pub(super) fn is_variable_ref(v: &str) -> bool {
    let t = v.trim_matches(|c| c == '"' || c == '\'');
    let between = |c: char| t.starts_with(c) && t.ends_with(c);
    if VARIABLE_STARTS.iter().any(|s| t.starts_with(s)) || between('@') || between('%') {
        return true;
    }
    let l = t.to_ascii_lowercase();
    ENVIRONMENT_STARTS.iter().any(|s| l.starts_with(s))
}

/// Text that only code holds: calls, indexing, blocks, URLs, paths (`::`), arrows.
const CODE_MARKS: &[&str] = &["(", ")", "[", "{", "}", "://", "::", "->", "=>"];

/// How file paths and references begin: `/etc`, `./x`, `~/x`, `*glob`, `&ref`.
const PATH_STARTS: &[&str] = &["/", "./", "~/", "*", "&"];

/// Values that are code rather than literals: calls, member chains, paths, URLs, versions.
pub(super) fn looks_like_code(v: &str) -> bool {
    if CODE_MARKS.iter().any(|m| v.contains(m)) || PATH_STARTS.iter().any(|s| v.starts_with(s)) {
        return true;
    }
    // dotted identifier chain: a.b.c with each segment an identifier
    if v.contains('.') {
        let segs: Vec<&str> = v.split('.').collect();
        if segs.len() >= 2
            && segs.iter().all(|s| {
                !s.is_empty()
                    && s.as_bytes()[0].is_ascii_alphabetic()
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    && s.len() < 24
            })
        {
            return true;
        }
        // versions / file names
        if v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return true;
        }
        let l = v.to_ascii_lowercase();
        for ext in [".pem", ".key", ".json", ".txt", ".p12", ".pfx", ".crt", ".cer", ".yaml", ".yml", ".env", ".jks"] {
            if l.ends_with(ext) {
                return true;
            }
        }
    }
    if v.contains("SNAPSHOT") {
        return true;
    }
    false
}

/// Placeholder / example values.
pub(super) fn is_placeholder(v: &str) -> bool {
    let l = v.trim_matches(|c| c == '"' || c == '\'').to_ascii_lowercase();
    const EXACT: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "test",
        "testing",
        "changeme",
        "change_me",
        "changeit",
        "null",
        "none",
        "nil",
        "true",
        "false",
        "undefined",
        "empty",
        "default",
        "admin",
        "root",
        "pass",
        "example",
        "dummy",
        "sample",
        "redacted",
        "hidden",
        "string",
        "value",
        "key",
        "apikey",
        "api_key",
        "foo",
        "bar",
        "foobar",
        "user",
        "username",
        "mypassword",
        "yourpassword",
        "secret123",
        "password123",
        "letmein",
        "qwerty",
        "required",
        "optional",
        "masked",
        "removed",
        "todo",
        "tbd",
        "xxx",
        "yyy",
        "abc123",
        "test123",
        "demo",
        "guest",
        "private",
        "placeholder",
    ];
    if EXACT.contains(&l.as_str()) {
        return true;
    }
    const SUB: &[&str] = &[
        "example",
        "xxxx",
        "your_",
        "your-",
        "yourkey",
        "yourtoken",
        "yoursecret",
        "your_api",
        "placeholder",
        "changeme",
        "change_me",
        "redacted",
        "dummy",
        "sample",
        "fake",
        "replace",
        "insert",
        "<",
        "***",
        "...",
        "…",
        "todo",
        "here",
        "secret_key_base",
        "${",
        "{{",
        "%s",
        "0000000000",
        "1234567890",
        "abcdefgh",
    ];
    if SUB.iter().any(|s| l.contains(s)) {
        return true;
    }
    if l.starts_with("your")
        || l.starts_with("my") && l.len() < 16 && l.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
    {
        return true;
    }
    vendor_placeholder(v)
}

/// Shape-level placeholder checks used for vendor tokens (which may legitimately contain
/// words like "fake" in test fixtures, so no dictionary here).
pub(super) fn vendor_placeholder(core: &str) -> bool {
    let l = core.to_ascii_lowercase();
    if l.contains("xxxx") || l.contains("****") || l.contains("....") || l.contains("####") {
        return true;
    }
    let n = core.chars().count();
    if n == 0 {
        return true;
    }
    if distinct(core) <= 2 || (n >= 16 && distinct(core) < 5) {
        return true;
    }
    if n >= 8 && sequential_ratio(core) >= 0.9 {
        return true;
    }
    // repeated short unit: "testtesttest", "123123123"
    for unit in 1..=4 {
        if n >= unit * 4 {
            let b = core.as_bytes();
            if (unit..b.len()).all(|i| b[i] == b[i - unit]) {
                return true;
            }
        }
    }
    false
}
