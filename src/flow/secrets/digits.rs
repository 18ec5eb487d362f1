//! Digit runs, in one byte pass without regexes: payment card numbers (Luhn + IIN ranges), US
//! social security numbers and IBANs (mod 97).

use super::candidates::{push, Cand, RANK_STRUCT};
use super::shape::{distinct, floor_cb};
use super::Category;

pub(super) fn scan_digits(text: &str, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        let c = b[i];
        let prev_ok = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if c.is_ascii_digit()
            && prev_ok
            && !(i > 0 && (b[i - 1] == b'-' || b[i - 1] == b'.') && i > 1 && b[i - 2].is_ascii_digit())
        {
            // maximal run of digits with single ' ' or '-' separators
            let mut j = i;
            let mut digits = 0usize;
            let mut seps: Vec<u8> = Vec::new();
            let mut group_lens: Vec<usize> = Vec::new();
            let mut glen = 0usize;
            while j < n {
                if b[j].is_ascii_digit() {
                    digits += 1;
                    glen += 1;
                    j += 1;
                } else if (b[j] == b' ' || b[j] == b'-')
                    && j + 1 < n
                    && b[j + 1].is_ascii_digit()
                    && glen > 0
                    && digits < 19
                {
                    seps.push(b[j]);
                    group_lens.push(glen);
                    glen = 0;
                    j += 1;
                } else {
                    break;
                }
            }
            group_lens.push(glen);
            let next_ok = j >= n
                || !(b[j].is_ascii_alphanumeric()
                    || b[j] == b'_'
                    || (b[j] == b'.' && j + 1 < n && b[j + 1].is_ascii_digit()));
            if next_ok {
                let span = &text[i..j];
                // SSN: ddd-dd-dddd exactly
                if group_lens == [3, 2, 4] && seps == [b'-', b'-'] {
                    let d: String = span.chars().filter(|c| c.is_ascii_digit()).collect();
                    if ssn_valid(&d) {
                        push(out, "us-ssn", Category::Ssn, (i, j), (i, j), RANK_STRUCT);
                    }
                } else if (13..=19).contains(&digits) {
                    // Bare digit runs are everywhere in code/data; only accept them next to a card keyword.
                    let ctx_lo = floor_cb(text, i.saturating_sub(48));
                    let ctx = text[ctx_lo..i].to_ascii_lowercase();
                    let keyed =
                        ["card", "credit", "ccnum", "cc_num", "cc-num", "pan:", "pan=", "visa", "mastercard", "amex"]
                            .iter()
                            .any(|k| ctx.contains(k));
                    let consistent = (!seps.is_empty() || keyed)
                        && seps.windows(2).all(|w| w[0] == w[1])
                        && (seps.is_empty()
                            || group_lens[..group_lens.len() - 1].iter().all(|&g| (4..=6).contains(&g)));
                    let d: Vec<u8> = span.bytes().filter(|c| c.is_ascii_digit()).collect();
                    if consistent && luhn(&d) && iin_ok(&d) && distinct(std::str::from_utf8(&d).unwrap_or("")) >= 2 {
                        push(out, "card-number", Category::Card, (i, j), (i, j), RANK_STRUCT);
                    }
                }
            }
            i = j.max(i + 1);
            continue;
        }
        // IBAN: two uppercase letters, two digits
        if c.is_ascii_uppercase()
            && prev_ok
            && i + 4 < n
            && b[i + 1].is_ascii_uppercase()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
        {
            if let Some(end) = iban_at(text, i) {
                push(out, "iban", Category::Pii, (i, end), (i, end), RANK_STRUCT);
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

pub(super) fn ssn_valid(d: &str) -> bool {
    if d.len() != 9 {
        return false;
    }
    let area = &d[0..3];
    let group = &d[3..5];
    let serial = &d[5..9];
    !(area == "000" || area == "666" || area.starts_with('9') || group == "00" || serial == "0000")
        && d != "123456789"
        && distinct(d) >= 3
}

fn luhn(d: &[u8]) -> bool {
    let mut sum = 0u32;
    for (k, &c) in d.iter().rev().enumerate() {
        let mut x = (c - b'0') as u32;
        if k % 2 == 1 {
            x *= 2;
            if x > 9 {
                x -= 9;
            }
        }
        sum += x;
    }
    sum.is_multiple_of(10)
}

fn iin_ok(d: &[u8]) -> bool {
    let len = d.len();
    let p = |k: usize| -> u32 { std::str::from_utf8(&d[..k]).ok().and_then(|s| s.parse().ok()).unwrap_or(0) };
    let (p1, p2, p3, p4, p6) = (p(1), p(2), p(3), p(4), p(6));
    match p1 {
        4 => matches!(len, 13 | 16 | 19), // Visa
        5 => (51..=55).contains(&p2) && len == 16 || matches!(p2, 50 | 56..=58) && (12..=19).contains(&len), // MC / Maestro
        2 => (2221..=2720).contains(&p4) && len == 16, // MC 2-series
        3 => {
            (matches!(p2, 34 | 37) && len == 15)                                   // Amex
                || ((300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39) && (14..=19).contains(&len) // Diners
                || (3528..=3589).contains(&p4) && (16..=19).contains(&len) // JCB
        }
        6 => {
            (p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) || (622126..=622925).contains(&p6)) && (16..=19).contains(&len) // Discover
                || p2 == 62 && (16..=19).contains(&len)                             // UnionPay
                || matches!(p2, 63 | 67) && (12..=19).contains(&len) // Maestro
        }
        _ => false,
    }
}

fn iban_len(cc: &str) -> Option<usize> {
    Some(match cc {
        "AD" => 24,
        "AE" => 23,
        "AL" => 28,
        "AT" => 20,
        "AZ" => 28,
        "BA" => 20,
        "BE" => 16,
        "BG" => 22,
        "BH" => 22,
        "BR" => 29,
        "BY" => 28,
        "CH" => 21,
        "CR" => 22,
        "CY" => 28,
        "CZ" => 24,
        "DE" => 22,
        "DK" => 18,
        "DO" => 28,
        "EE" => 20,
        "EG" => 29,
        "ES" => 24,
        "FI" => 18,
        "FO" => 18,
        "FR" => 27,
        "GB" => 22,
        "GE" => 22,
        "GI" => 23,
        "GL" => 18,
        "GR" => 27,
        "GT" => 28,
        "HR" => 21,
        "HU" => 28,
        "IE" => 22,
        "IL" => 23,
        "IQ" => 23,
        "IS" => 26,
        "IT" => 27,
        "JO" => 30,
        "KW" => 30,
        "KZ" => 20,
        "LB" => 28,
        "LC" => 32,
        "LI" => 21,
        "LT" => 20,
        "LU" => 20,
        "LV" => 21,
        "MC" => 27,
        "MD" => 24,
        "ME" => 22,
        "MK" => 19,
        "MR" => 27,
        "MT" => 31,
        "MU" => 30,
        "NL" => 18,
        "NO" => 15,
        "PK" => 24,
        "PL" => 28,
        "PS" => 29,
        "PT" => 25,
        "QA" => 29,
        "RO" => 24,
        "RS" => 22,
        "SA" => 24,
        "SC" => 31,
        "SE" => 24,
        "SI" => 19,
        "SK" => 24,
        "SM" => 27,
        "ST" => 25,
        "SV" => 28,
        "TL" => 23,
        "TN" => 24,
        "TR" => 26,
        "UA" => 29,
        "VA" => 22,
        "VG" => 24,
        "XK" => 20,
        _ => return None,
    })
}

/// Returns the end offset of a valid IBAN starting at `i` (compact or space-grouped by 4).
fn iban_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let want = iban_len(&text[i..i + 2])?;
    let mut chars: Vec<u8> = Vec::with_capacity(want);
    let mut j = i;
    let mut since_space = 0usize;
    while j < b.len() && chars.len() < want {
        let c = b[j];
        if c.is_ascii_uppercase() || c.is_ascii_digit() {
            chars.push(c);
            since_space += 1;
            j += 1;
        } else if c == b' ' && since_space == 4 && j + 1 < b.len() && b[j + 1].is_ascii_alphanumeric() {
            since_space = 0;
            j += 1;
        } else {
            break;
        }
    }
    if chars.len() != want {
        return None;
    }
    if j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        return None;
    }
    // mod-97 over rearranged string
    let mut rem: u32 = 0;
    for &c in chars[4..].iter().chain(chars[..4].iter()) {
        if c.is_ascii_digit() {
            rem = (rem * 10 + (c - b'0') as u32) % 97;
        } else {
            let v = (c - b'A') as u32 + 10;
            rem = (rem * 100 + v) % 97;
        }
    }
    if rem == 1 {
        Some(j)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::Category;

    #[test]
    fn cards_ssn_iban() {
        let f = one_at("card: 4111 1111 1111 1111 exp 12/29", "card-number", "4111 1111 1111 1111");
        assert_eq!(f.category, Category::Card);
        one("5500-0000-0000-0004", "card-number");
        one("amex 3782 822463 10005", "card-number");
        quiet("4111 1111 1111 1112"); // Luhn fails
        quiet("order 1234 5678 9012 3456"); // unknown IIN / Luhn
        assert_eq!(one_at("SSN 536-22-1847 on file", "us-ssn", "536-22-1847").category, Category::Ssn);
        one("\"ssn\": \"078051120\"", "us-ssn");
        for t in ["id 666-45-6789", "id 900-45-6789", "id 123-00-6789", "id 123-45-0000", "call 555-1234 or 2024-01-15"]
        {
            quiet(t);
        }
        let f = one_at("IBAN: DE89 3704 0044 0532 0130 00.", "iban", "DE89 3704 0044 0532 0130 00");
        assert_eq!(f.category, Category::Pii);
        one("GB82WEST12345698765432", "iban");
        quiet("GB82WEST12345698765433");
    }
}
