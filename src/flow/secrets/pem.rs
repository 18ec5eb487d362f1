//! PEM private-key blocks (armoured, JSON-escaped, reflowed onto one line or truncated).

use super::candidates::{push, Cand, RANK_PEM};
use super::engine::lazy_re;
use super::shape::{ceil_cb, floor_cb};
use super::Category;
use regex::Regex;
use std::sync::OnceLock;

lazy_re!(
    pem_begin_re,
    r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED |ED25519 )?PRIVATE KEY(?: BLOCK)?)-----"
);

pub(super) fn scan_pem(text: &str, out: &mut Vec<Cand>) {
    for caps in pem_begin_re().captures_iter(text) {
        let m = caps.get(0).unwrap();
        let label = caps.get(1).unwrap().as_str();
        let end_marker = format!("-----END {}-----", label);
        let body_start = m.end();
        let limit = ceil_cb(text, (body_start + 200_000).min(text.len()));
        let region = &text[body_start..limit];
        let (body_end, value_end) = match region.find(&end_marker) {
            Some(p) => (body_start + p, body_start + p + end_marker.len()),
            None => {
                // Truncated block: take the run of base64 / line-break characters.
                let mut k = 0;
                let b = region.as_bytes();
                while k < b.len() {
                    let ch = b[k];
                    if ch.is_ascii_alphanumeric() || b"+/=\r\n \t:-,".contains(&ch) {
                        k += 1;
                    } else if ch == b'\\' && k + 1 < b.len() && b[k + 1] == b'n' {
                        k += 2;
                    } else {
                        break;
                    }
                }
                (body_start + k, body_start + k)
            }
        };
        let body = &text[body_start..body_end];
        let b64 = body_b64_len(body);
        if b64 < 40 {
            continue;
        }
        // Trim the body span to the base64 content (skip escaped newlines / headers at edges).
        let (cs, ce) = trim_body(text, body_start, body_end);
        let ctx_lo = floor_cb(text, m.start().saturating_sub(2000));
        let ctx = &text[ctx_lo..m.start()];
        let kind = if ctx.contains("service_account") || ctx.contains("\"private_key\"") {
            "gcp-service-account-key"
        } else {
            "private-key-pem"
        };
        push(out, kind, Category::PrivateKey, (m.start(), value_end), (cs, ce), RANK_PEM);
    }
}

fn body_b64_len(body: &str) -> usize {
    let mut n = 0;
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] == b'n' {
            i += 2;
            continue;
        }
        if b[i].is_ascii_alphanumeric() || b[i] == b'+' || b[i] == b'/' {
            n += 1;
        }
        i += 1;
    }
    n
}

fn trim_body(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let b = text.as_bytes();
    loop {
        if s < e && (b[s] == b'\n' || b[s] == b'\r' || b[s] == b' ' || b[s] == b'\t') {
            s += 1;
        } else if s + 1 < e && b[s] == b'\\' && b[s + 1] == b'n' {
            s += 2;
        } else {
            break;
        }
    }
    loop {
        if e > s && (b[e - 1] == b'\n' || b[e - 1] == b'\r' || b[e - 1] == b' ' || b[e - 1] == b'\t') {
            e -= 1;
        } else if e >= s + 2 && b[e - 2] == b'\\' && b[e - 1] == b'n' {
            e -= 2;
        } else {
            break;
        }
    }
    (s, e)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Category;

    #[test]
    fn private_keys() {
        let body = rnd(47, 64, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        let body2 = rnd(48, 40, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n{body2}=\n-----END RSA PRIVATE KEY-----");
        let t = format!("cat id_rsa\n{pem}\nok\n");
        let f = one(&t, "private-key-pem");
        assert_eq!(f.category, Category::PrivateKey);
        assert_eq!(&t[f.start..f.end], pem);
        let core = &t[f.core_start..f.core_end];
        assert!(core.starts_with(&body) && !core.contains("-----"));
        // JSON-escaped and one-line reflowed
        let esc = format!("\"key\": \"-----BEGIN OPENSSH PRIVATE KEY-----\\n{body}\\n{body2}\\n-----END OPENSSH PRIVATE KEY-----\\n\"");
        one(&esc, "private-key-pem");
        let flat = format!("-----BEGIN PRIVATE KEY----- {body} {body2} -----END PRIVATE KEY-----");
        one(&flat, "private-key-pem");
        // armor-less OpenSSH body
        let raw = format!("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW{body}");
        let f = one(&raw, "openssh-private-key");
        assert_eq!(f.category, Category::PrivateKey);
        quiet("-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----");
        quiet(&format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----"));
        quiet(&format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"));
        quiet(&format!("ssh-rsa AAAAB3NzaC1yc2E{body} user@host"));
        quiet(&format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{body}\n-----END PGP PUBLIC KEY BLOCK-----"));
    }
}
