//! The `key <op> value` parser (env, YAML, JSON, TOML, shell flags, HTTP headers, XML
//! elements): finds the value after a secret-ish key name and judges it by the key's class,
//! entropy and character classes.

use super::candidates::{push, Cand, RANK_GENERIC, RANK_KEYED, RANK_STRUCT};
use super::digits::ssn_valid;
use super::key_names::{classify_key, KeyClass};
use super::placeholder::{is_placeholder, is_variable_ref, looks_like_code, password_ok, vendor_placeholder};
use super::shape::{ceil_cb, distinct, entropy, has_digit, has_lower, has_upper};
use super::Category;

const S: Category = Category::Secret;

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

pub(super) fn scan_keyed(text: &str, hits: &[(usize, usize)], out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    let mut last_ident: (usize, usize) = (usize::MAX, 0);
    for &(hs, he) in hits {
        let mut s = hs;
        while s > 0 && is_ident_byte(b[s - 1]) {
            s -= 1;
        }
        let mut e = he;
        while e < b.len() && is_ident_byte(b[e]) {
            e += 1;
        }
        // Trailing dots/dashes belong to punctuation, not the identifier.
        while e > he && (b[e - 1] == b'.' || b[e - 1] == b'-') {
            e -= 1;
        }
        if (s, e) == last_ident {
            continue;
        }
        last_ident = (s, e);
        if e - s > 128 {
            continue;
        }
        let ident = &text[s..e];
        let class = classify_key(ident);
        if class == KeyClass::None {
            continue;
        }
        if let Some((vs, ve, quoted)) = parse_value(text, s, e) {
            judge(text, ident, class, vs, ve, quoted, out);
        }
    }
}

/// Find the value of `key <op> value` given the identifier span. Returns the raw value span.
fn parse_value(text: &str, ks: usize, ke: usize) -> Option<(usize, usize, bool)> {
    let b = text.as_bytes();
    let mut p = ke;
    let key_quote = if ks > 0 && (b[ks - 1] == b'"' || b[ks - 1] == b'\'') { Some(b[ks - 1]) } else { None };
    let mut quoted_key = false;
    if let Some(q) = key_quote {
        if p < b.len() && b[p] == q {
            p += 1;
            quoted_key = true;
        }
    }
    // JSON-in-string: \"key\": \"value\"
    if !quoted_key && p + 1 < b.len() && b[p] == b'\\' && (b[p + 1] == b'"' || b[p + 1] == b'\'') {
        p += 2;
        quoted_key = true;
    }
    // XML element <password>value</password>
    if ks > 0 && b[ks - 1] == b'<' && p < b.len() && b[p] == b'>' {
        let vs = p + 1;
        let mut ve = vs;
        while ve < b.len() && b[ve] != b'<' && b[ve] != b'\n' && ve - vs < 512 {
            ve += 1;
        }
        if ve > vs && b[ve..].starts_with(b"</") {
            return Some((vs, ve, true));
        }
        return None;
    }
    while p < b.len() && (b[p] == b' ' || b[p] == b'\t') {
        p += 1;
    }
    if p >= b.len() {
        return None;
    }
    let is_flag = text[ks..ke].starts_with('-');
    if b[p] == b'=' {
        if p + 1 < b.len() && (b[p + 1] == b'=' || b[p + 1] == b'~') {
            return None;
        }
        p += 1;
        if p < b.len() && b[p] == b'>' {
            p += 1;
        }
    } else if b[p] == b':' {
        if p + 1 < b.len() && b[p + 1] == b':' {
            return None;
        }
        p += 1;
        if p < b.len() && b[p] == b'=' {
            p += 1;
        }
    } else if b[p] == b',' && quoted_key {
        p += 1;
    } else if is_flag && p > ke {
        // `--password value`
    } else {
        return None;
    }
    while p < b.len() && (b[p] == b' ' || b[p] == b'\t') {
        p += 1;
    }
    if p >= b.len() {
        return None;
    }
    // Value.
    let mut q: Option<u8> = None;
    if b[p] == b'"' || b[p] == b'\'' || b[p] == b'`' {
        q = Some(b[p]);
        p += 1;
    } else if b[p] == b'\\' && p + 1 < b.len() && (b[p + 1] == b'"' || b[p + 1] == b'\'') {
        q = Some(b[p + 1]);
        p += 2;
    }
    let vs = p;
    let mut ve = p;
    match q {
        Some(qc) => {
            while ve < b.len() && b[ve] != qc && b[ve] != b'\n' && ve - vs < 1024 {
                if b[ve] == b'\\' && ve + 1 < b.len() && b[ve + 1] == qc {
                    break; // escaped closing quote of a JSON-in-string value
                }
                ve += 1;
            }
        }
        None => {
            let unquoted_end = |mut ve: usize| {
                while ve < b.len() && ve - vs < 1024 {
                    let c = b[ve];
                    if c.is_ascii_whitespace()
                        || matches!(c, b'"' | b'\'' | b',' | b';' | b'&' | b')' | b'}' | b']' | b'<' | b'>' | b'`')
                    {
                        break;
                    }
                    ve += 1;
                }
                ve
            };
            ve = unquoted_end(vs);
            // "Authorization: Bearer <token>" written without quotes around the value.
            if ve < b.len() && b[ve] == b' ' && AUTH_SCHEMES.contains(&text[vs..ve].to_ascii_lowercase().as_str()) {
                let mut p2 = ve;
                while p2 < b.len() && b[p2] == b' ' {
                    p2 += 1;
                }
                ve = unquoted_end(p2);
            }
        }
    }
    if ve <= vs {
        return None;
    }
    Some((vs, ceil_cb(text, ve), q.is_some()))
}

const AUTH_SCHEMES: &[&str] = &[
    "bearer",
    "basic",
    "token",
    "api-token",
    "apikey",
    "digest",
    "bot",
    "oauth",
    "jwt",
    "ssws",
    "key",
    "sso-key",
    "splunk",
    "dsn",
    "negotiate",
    "hmac",
];

fn judge(text: &str, ident: &str, class: KeyClass, mut vs: usize, ve: usize, quoted: bool, out: &mut Vec<Cand>) {
    // `name: Type,` / `CONST: T = 1;` -- an unquoted identifier followed by a code delimiter.
    let after = text[ve..].trim_start_matches([' ', '\t']).chars().next();
    let code_follow = !quoted && matches!(after, Some(',' | ';' | ')' | '=' | '{'));
    let mut v = &text[vs..ve];
    // Authorization scheme prefix ("Bearer xyz").
    if let Some(sp) = v.find(' ') {
        let first = v[..sp].to_ascii_lowercase();
        if AUTH_SCHEMES.contains(&first.as_str()) {
            let rest = v[sp..].trim_start();
            vs = ve - rest.len();
            v = rest;
        }
    }
    let v = v.trim_end_matches(['\\', '.']);
    // CONSTANT_CASE / snake_case identifiers ("WIN32_ERROR", "FTS5_MAX_TOKEN_SIZE", "DOC_Vector_5_32")
    // are code, not literals (a quoted password may still legitimately look like "Summer_2024").
    if (!quoted || class != KeyClass::Password) && is_identifier_words(v) {
        return;
    }
    if code_follow
        && v.as_bytes().first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return;
    }
    let ve = vs + v.len();
    if v.is_empty() || v.contains(' ') && class != KeyClass::Password {
        return;
    }
    if is_variable_ref(v) || is_placeholder(v) || looks_like_code(v) {
        return;
    }
    let kind: &'static str;
    let cat;
    match class {
        KeyClass::None => return,
        KeyClass::Ssn => {
            let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
            if digits.len() == 9
                && v.len() <= 11
                && v.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
                && ssn_valid(&digits)
            {
                kind = "us-ssn";
                cat = Category::Ssn;
            } else {
                return;
            }
        }
        KeyClass::Password => {
            // An unquoted bare identifier is a variable/type, not a literal password.
            if !quoted && v.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_') {
                return;
            }
            if v.contains(' ') || !password_ok(v) {
                return;
            }
            // `("password", "compression-method")`: in a list the neighbour of a key name is
            // another name far more often than a password, so kebab/snake words are not one.
            let listed = text[..vs].trim_end_matches(['"', '\'', '`']).trim_end().ends_with(',');
            if listed && is_lowercase_words(v) {
                return;
            }
            kind = "generic-secret-assignment";
            cat = S;
        }
        KeyClass::AwsSecret => {
            let aws_shape = v.len() == 40
                && v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'/' || c == b'+')
                && entropy(v) >= 3.5
                && !vendor_placeholder(v);
            // A value under an AWS secret key name that is not AWS's 40-char shape (a
            // rotated-format key, a truncated copy) is still a secret the user named as one.
            if aws_shape {
                kind = "aws-secret-access-key";
            } else if random_enough(v, 16, 3.6) {
                kind = "generic-secret-assignment";
            } else {
                return;
            }
            cat = S;
        }
        KeyClass::AwsSession => {
            if !(v.len() >= 100 && entropy(v) >= 4.0) {
                return;
            }
            kind = "aws-session-token";
            cat = S;
        }
        KeyClass::Strong => {
            if !random_enough(v, 8, 2.8) && !is_uuid(v) {
                return;
            }
            kind = "generic-secret-assignment";
            cat = S;
        }
        KeyClass::Weak => {
            if !random_enough(v, 16, 3.6) {
                return;
            }
            kind = "generic-secret-assignment";
            cat = S;
        }
    }
    let _ = ident;
    let rank = match kind {
        "aws-secret-access-key" | "aws-session-token" => RANK_KEYED,
        "us-ssn" => RANK_STRUCT,
        _ => RANK_GENERIC,
    };
    push(out, kind, cat, (vs, ve), (vs, ve), rank);
}

/// `compression-method`, `output_file`: lowercase words joined by `-` or `_`.
fn is_lowercase_words(v: &str) -> bool {
    v.split(['-', '_']).all(|w| w.len() >= 2 && w.bytes().all(|b| b.is_ascii_lowercase()))
}

fn is_identifier_words(v: &str) -> bool {
    if !v.contains('_') || !(v.as_bytes()[0].is_ascii_alphabetic() || v.starts_with('_')) {
        return false;
    }
    v.split('_').all(|seg| {
        let letters = seg.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        seg[letters..].bytes().all(|b| b.is_ascii_digit()) && (letters == 0 || letters >= 2 || seg.len() <= 3)
    })
}

fn random_enough(v: &str, min_len: usize, min_ent: f64) -> bool {
    if v.len() < min_len {
        return false;
    }
    if vendor_placeholder(v) {
        return false;
    }
    let classes = [has_lower(v), has_upper(v), has_digit(v), v.bytes().any(|b| !b.is_ascii_alphanumeric())]
        .iter()
        .filter(|x| **x)
        .count();
    let ent = entropy(v);
    // Mostly-letters values are words/identifiers unless long and very mixed.
    if !has_digit(v) {
        let letters_only = v.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-');
        if letters_only
            && !(v.len() >= 16 && has_lower(v) && has_upper(v) && ent >= 3.8 && case_changes(v) * 4 >= v.len())
        {
            return false;
        }
    }
    if classes < 2 && v.len() < 20 {
        return false;
    }
    ent >= min_ent.min((v.len() as f64).log2() - 0.3)
}

fn case_changes(v: &str) -> usize {
    let b = v.as_bytes();
    b.windows(2)
        .filter(|w| {
            w[0].is_ascii_alphabetic()
                && w[1].is_ascii_alphabetic()
                && (w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase())
        })
        .count()
}

fn is_uuid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, &c)| if matches!(i, 8 | 13 | 18 | 23) { c == b'-' } else { c.is_ascii_hexdigit() })
        && distinct(v) >= 6
}

#[cfg(test)]
mod tests {
    use super::super::scan;
    use super::super::test_support::*;

    #[test]
    fn generic_assignments() {
        let t = r#"{"password": "Xb7!kQ9#Okk9CAni@pL"}"#;
        let f = one_at(t, "generic-secret-assignment", "Xb7!kQ9#Okk9CAni@pL");
        assert_eq!((f.core_start, f.core_end), (f.start, f.end));
        let v = rnd(49, 32, ALNUM);
        let t = format!("API_TOKEN={v}\n");
        one_at(&t, "generic-secret-assignment", &v);
        one(&format!("client_secret: \"{}\"", rnd(50, 40, HEX)), "generic-secret-assignment");
        one(&format!("-H \"Authorization: Bearer {}\"", rnd(51, 32, HEX)), "generic-secret-assignment");
        one(&format!("SESSION_SECRET='{}'", rnd(52, 24, ALNUM)), "generic-secret-assignment");
        for neg in [
            "password = changeme",
            "PASSWORD=$DB_PASSWORD",
            "secret: ${{ secrets.DEPLOY_KEY }}",
            "api_key: \"<YOUR_KEY>\"",
            "token = \"your-key-here\"",
            "password: {{ vault_password }}",
            "password = \"%s\"",
            "api_key=***",
            "SECRET_KEY=abcdef123456",
            "password: password",
            "token = os.environ['TOKEN']",
            "key_length = XSalsa20.key_length",
            "public_key = \"9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit\"",
            "csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxmiW9rhROG/Whikle15syazJOkrjJa3U2AbhIvUw==",
            "clientId = \"73082700-1f09-405b-80d0-3131bfd6272d\"",
            "\"kms_key_id\": \"555ea4a3-d53a-4412-9c66-3a7cb667b0d6\",",
            "GITHUB_API_KEY=\nDYNATRACE_API_KEY=",
            "const keyStr = \"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\"",
            "let token = parser.next_token();",
            "The password must be at least 8 characters.",
            "uuid: 203db13e-70c7-462b-9a3d-bf32640cb0be",
            "\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUR6ZnaLjSKbXeyZhw==\"",
            "image: nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
            "let mut passwd: libc::passwd = mem::zeroed();",
            "password = default_password_value",
            "password: String,",
            "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "pub const ERROR_INVALID_PASSWORD: WIN32_ERROR = 86u32;",
            "pub password: *const u16,",
            "if( nToken>FTS5_MAX_TOKEN_SIZE ) nToken = FTS5_MAX_TOKEN_SIZE;",
            "check_normalize(5503284107318959, 446, 11);",
            "pub FormatCredentials: SpFormatCredentialsFn,",
            "pub const PrivateKeyHelloLogonKey: X509CertificateTemplatePrivateKeyFlag = 2097152i32;",
            "pub const IFLA_INET6_TOKEN: _bindgen_ty_5 = 7;",
        ] {
            quiet(neg);
        }
    }

    #[test]
    fn keyed_value_of_only_dots_before_a_code_delimiter_does_not_panic() {
        // Found by the `secrets` fuzz target: the value "." trims to "" and was indexed.
        for text in ["API_KEY=.,", "api_key: ...;", "password=\\)", "secret_token = . {"] {
            let _ = scan(text);
        }
    }

    #[test]
    fn xml_element_value_cut_at_the_length_cap_inside_a_char_does_not_panic() {
        // Found by the `secrets` fuzz target: the 512-byte cap stopped inside a multi-byte char
        // and the text was sliced there.
        for pad in 509..=512 {
            let _ = scan(&format!("<password>{}\u{e9}\u{1f512}</password>", "a".repeat(pad)));
        }
        let f = scan("<password>Xk9#vQ2!mZ7$pL4w</password>");
        assert_eq!(f.len(), 1, "{f:?}");
    }
}
