//! What a vendor regex match must pass besides its shape: the rule's `Check`, its entropy
//! threshold, the generic placeholder filter; plus the GitHub token checksum.

use super::placeholder::vendor_placeholder;
use super::rules::{Check, VendorRule};
use super::shape::{distinct, entropy, has_digit, has_lower, has_upper};

/// A key-ish word in the 64 bytes before `at`, on the same line.
pub(super) fn key_context_before(text: &str, at: usize) -> bool {
    let mut start = at.saturating_sub(64);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let window = &text[start..at];
    let line = window.rsplit('\n').next().unwrap_or(window).to_ascii_lowercase();
    ["key", "api", "token", "secret", "google", "gcp", "firebase", "auth", "cred", "maps", "gemini"]
        .iter()
        .any(|w| line.contains(w))
}

pub(super) fn vendor_ok(r: &VendorRule, value: &str, core: &str, after: &str) -> bool {
    // A value immediately followed by masking characters is a redacted/placeholder sample.
    if let Some(nc) = after.chars().next() {
        if nc == '#' || nc == '*' || nc == '…' {
            return false;
        }
    }
    if after.starts_with("..") {
        return false;
    }
    if r.check != Check::None && r.check != Check::Jwt && vendor_placeholder(core) {
        return false;
    }
    if r.min_entropy > 0.0 && entropy(core) < r.min_entropy {
        // GitHub tokens are judged by their checksum first.
        if r.check != Check::GitHub {
            return false;
        }
    }
    match r.check {
        Check::Basic | Check::None | Check::KeyContext => true,
        Check::Aws => !value.contains("EXAMPLE") && distinct(core) >= 8,
        Check::GitHub => {
            if github_checksum_ok(core) {
                true
            } else {
                entropy(core) >= 4.0 && has_lower(core) && has_upper(core) && has_digit(core)
            }
        }
        Check::Slack => {
            let digits = core.bytes().filter(|b| b.is_ascii_digit()).count();
            let c = core.trim_end_matches('-');
            digits >= 6 && c.len() >= 14 && !c.to_ascii_lowercase().contains("xoxb")
        }
        Check::Jwt => {
            let header = value.split('.').next().unwrap_or("");
            jwt_header_ok(header)
        }
        Check::LetterDigit => has_digit(core) && (has_lower(core) || has_upper(core)),
        Check::MixedCase => has_lower(core) && has_upper(core),
    }
}

fn jwt_header_ok(h: &str) -> bool {
    use base64::Engine as _;
    let eng = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let trimmed = h.trim_end_matches('=');
    // Decode the longest prefix that is a multiple of 4 (headers may be slightly corrupted).
    let n = trimmed.len() / 4 * 4;
    match eng.decode(&trimmed[..n]) {
        Ok(bytes) => bytes.starts_with(b"{\"") || bytes.starts_with(b"{ \""),
        Err(_) => false,
    }
}

pub(super) fn looks_aws_secret(v: &str) -> bool {
    v.len() == 40
        && has_lower(v)
        && has_upper(v)
        && has_digit(v)
        && entropy(v) >= 4.2
        && !vendor_placeholder(v)
        && !v.contains("EXAMPLE")
}

pub(super) fn crc32(data: &[u8]) -> u32 {
    let mut crc: u32 = 0xFFFF_FFFF;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub(super) fn base62_6(mut n: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for i in (0..6).rev() {
        out[i] = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// `core` = the 36 chars after `ghX_`: 30 random chars + 6 base62 chars of crc32(random).
pub(super) fn github_checksum_ok(core: &str) -> bool {
    let b = core.as_bytes();
    if b.len() != 36 {
        return false;
    }
    base62_6(crc32(&b[..30])) == b[30..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_vector() {
        assert_eq!(crc32(b"123456789"), 0xCBF43926);
    }
}
