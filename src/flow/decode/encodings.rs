//! The encoding layers: percent, JSON escapes, hex, base32, base64, DNS labels, reflowed
//! tokens and reversal. Each finds candidate runs of its alphabet and emits what they decode to.

use super::*;
use regex::Regex;
use std::collections::HashSet;
use std::sync::OnceLock;

// ----- percent -------------------------------------------------------------

fn hexval(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn has_pct_escape(b: &[u8]) -> bool {
    b.windows(3).any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

fn pct_decode(b: &[u8], plus_space: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hexval(b[i + 1]), hexval(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(if plus_space && c == b'+' { b' ' } else { c });
        i += 1;
    }
    out
}

pub(super) fn layer_percent(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) {
        return;
    }
    let b = t.as_bytes();
    let has_plus = b.contains(&b'+');
    if !has_pct_escape(b) {
        // Form-encoded text without escapes: '+' as space.
        if has_plus && b.contains(&b'=') {
            let d = pct_decode(b, true);
            ctx.emit_bytes(&d, "percent", false);
        }
        return;
    }
    ctx.emit_bytes(&pct_decode(b, false), "percent", false);
    if has_plus {
        ctx.emit_bytes(&pct_decode(b, true), "percent", false);
    }
    // Each path segment / query value on its own.
    let is_sep = |c: u8| {
        matches!(c, b'/' | b'?' | b'&' | b'#' | b';' | b'=' | b'"' | b'\'' | b'<' | b'>' | b'`')
            || c.is_ascii_whitespace()
    };
    let segs: Vec<&[u8]> = b
        .split(|&c| is_sep(c))
        .filter(|s| s.len() >= MIN_RUN && s.len() < b.len() && has_pct_escape(s))
        .take(MAX_PCT_SEGMENTS)
        .collect();
    for s in segs {
        ctx.emit_bytes(&pct_decode(s, false), "percent", false);
    }
}

/// Quoted-printable (`=73=6B=5F...`): runs of eight or more `=XX` escapes, decoded.
pub(super) fn layer_quoted_printable(t: &str, ctx: &mut Ctx) {
    let b = t.as_bytes();
    if !ctx.can_add(1) || b.len() < 24 || !b.contains(&b'=') {
        return;
    }
    let escape_at = |i: usize| {
        (b[i] == b'=')
            .then(|| b.get(i + 1).and_then(|&c| hexval(c)).zip(b.get(i + 2).and_then(|&c| hexval(c))))
            .flatten()
    };
    // Only a run of eight escapes in a row is quoted-printable (`x=ab` in code is not).
    let mut longest = 0;
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        if escape_at(i).is_some() {
            run += 1;
            longest = longest.max(run);
            i += 3;
        } else {
            run = 0;
            i += 1;
        }
    }
    if longest < 8 {
        return;
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match escape_at(i) {
            Some((h, l)) => {
                out.push(h << 4 | l);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    ctx.emit_bytes(&out, "quoted-printable", false);
}

// ----- JSON string escapes -------------------------------------------------

fn hex4(b: &[u8]) -> Option<u32> {
    if b.len() < 4 {
        return None;
    }
    let mut v = 0u32;
    for &c in &b[..4] {
        v = v << 4 | u32::from(hexval(c)?);
    }
    Some(v)
}

fn json_unescape(t: &str) -> Option<String> {
    let b = t.as_bytes();
    let first = b.iter().position(|&c| c == b'\\')?;
    let mut out = String::with_capacity(t.len());
    out.push_str(&t[..first]);
    let mut changed = false;
    let mut i = first;
    let mut lit = first; // start of pending literal slice
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            i += 1;
            continue;
        }
        let simple = match b[i + 1] {
            b'n' => Some('\n'),
            b't' => Some('\t'),
            b'r' => Some('\r'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push_str(&t[lit..i]);
            out.push(c);
            i += 2;
            lit = i;
            changed = true;
            continue;
        }
        if b[i + 1] == b'u' {
            if let Some(cp) = hex4(&b[i + 2..]) {
                out.push_str(&t[lit..i]);
                let mut step = 6;
                let ch = if (0xD800..0xDC00).contains(&cp) {
                    let low = if b.len() >= i + 12 && b[i + 6] == b'\\' && b[i + 7] == b'u' {
                        hex4(&b[i + 8..]).filter(|l| (0xDC00..0xE000).contains(l))
                    } else {
                        None
                    };
                    match low {
                        Some(l) => {
                            step = 12;
                            char::from_u32(0x10000 + ((cp - 0xD800) << 10) + (l - 0xDC00))
                        }
                        None => None,
                    }
                } else {
                    char::from_u32(cp)
                };
                out.push(ch.unwrap_or('\u{FFFD}'));
                i += step;
                lit = i;
                changed = true;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&t[lit..]);
    if changed {
        Some(out)
    } else {
        None
    }
}

pub(super) fn layer_json(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) {
        return;
    }
    if let Some(s) = json_unescape(t) {
        ctx.emit(s, "json-escape");
    }
}

// ----- hex -----------------------------------------------------------------

fn hex_sep_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"(?:\\{1,2}x[0-9A-Fa-f]{2}){8,}",
            r"|(?:0[xX][0-9A-Fa-f]{2}(?:, ?| )?){8,}",
            r"|[0-9A-Fa-f]{2}(?:(?:, |[:\-, ])[0-9A-Fa-f]{2}){7,}",
        ))
        .expect("valid hex regex")
    })
}

/// Cheap prefilter for the separated/prefixed hex regex: four consecutive
/// "hh<sep>" groups, or four "\\x" / "0x" byte prefixes.
fn hex_sep_plausible(b: &[u8]) -> bool {
    let n = b.len();
    let (mut groups, mut prefixed) = (0, 0);
    let mut i = 0;
    while i + 2 < n {
        if b[i] == b'x' || b[i] == b'X' {
            if i > 0 && (b[i - 1] == b'\\' || b[i - 1] == b'0') && is(b[i + 1], C_HEX) && is(b[i + 2], C_HEX) {
                prefixed += 1;
                if prefixed >= 4 {
                    return true;
                }
            }
            i += 1;
            continue;
        }
        if is(b[i], C_HEX) && is(b[i + 1], C_HEX) && matches!(b[i + 2], b':' | b'-' | b',' | b' ') {
            let j = if b[i + 2] == b',' && i + 3 < n && b[i + 3] == b' ' { i + 4 } else { i + 3 };
            if j + 1 < n && is(b[j], C_HEX) && is(b[j + 1], C_HEX) {
                groups += 1;
                if groups >= 4 {
                    return true;
                }
                i = j;
                continue;
            }
        }
        groups = 0;
        i += 1;
    }
    false
}

fn hex_decode(digits: &[u8]) -> Vec<u8> {
    digits.chunks_exact(2).map(|p| hexval(p[0]).unwrap_or(0) << 4 | hexval(p[1]).unwrap_or(0)).collect()
}

pub(super) fn layer_hex(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) {
        return;
    }
    let b = t.as_bytes();
    // Plain runs.
    scan_runs(b, C_HEX, false, false, MIN_RUN, |_, _, run| {
        let cap = ctx.remaining().saturating_mul(2);
        let run = &run[..run.len().min(cap)];
        for a in 0..2 {
            if run.len() - a < MIN_RUN {
                break;
            }
            if ctx.emit_bytes(&hex_decode(&run[a..]), "hex", a == 0) {
                break;
            }
        }
        !ctx.full()
    });
    // Separated / prefixed forms.
    if ctx.full() || !hex_sep_plausible(b) {
        return;
    }
    for (k, m) in hex_sep_regex().find_iter(t).enumerate() {
        if k >= MAX_RUNS_PER_LAYER || ctx.full() {
            break;
        }
        let mb = m.as_str().as_bytes();
        let mut digits = Vec::with_capacity(mb.len());
        let mut i = 0;
        while i < mb.len() {
            if mb[i] == b'0' && i + 1 < mb.len() && (mb[i + 1] == b'x' || mb[i + 1] == b'X') {
                i += 2;
                continue;
            }
            if mb[i].is_ascii_hexdigit() {
                digits.push(mb[i]);
            }
            i += 1;
        }
        if digits.len() >= MIN_RUN {
            ctx.emit_bytes(&hex_decode(&digits), "hex", true);
        }
    }
}

// ----- base32 --------------------------------------------------------------

const fn b32_table() -> [u8; 256] {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 6 {
        t[b'2' as usize + d] = 26 + d as u8;
        d += 1;
    }
    t
}
/// Base32 (RFC 4648 alphabet, either case): 5 bits a char, 8 chars a whole group.
static BASE32: Radix = Radix { values: &b32_table(), bits: 5, group: 8 };

/// A base-2^n alphabet (base32, base64): what each char is worth, and how the bits group.
struct Radix {
    /// Value of each byte, 255 for a byte outside the alphabet.
    values: &'static [u8; 256],
    /// Bits a char carries.
    bits: u32,
    /// Chars in the smallest run that is a whole number of bytes (the alignments to try).
    group: usize,
}

impl Radix {
    /// Tolerant decode: bytes outside the alphabet are skipped, no padding is needed and
    /// trailing bits are ignored.
    fn decode(&self, chars: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(chars.len() * self.bits as usize / 8 + 1);
        let (mut acc, mut bits) = (0u32, 0u32);
        for &c in chars {
            let v = self.values[c as usize];
            if v == 255 {
                continue;
            }
            acc = (acc << self.bits) | u32::from(v);
            bits += self.bits;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        out
    }

    /// Emit the decoding of `run` (cut to what the budget can still take), trying each start
    /// within the first group when the run is short enough, until one is accepted.
    fn emit_aligned(&self, ctx: &mut Ctx, run: &[u8], label: &str) {
        let cap = ctx.remaining().saturating_mul(8) / self.bits as usize + 8;
        let run = &run[..run.len().min(cap)];
        let aligns = if run.len() <= MAX_ALIGN_RUN { self.group } else { 1 };
        for a in 0..aligns {
            if run.len() - a < MIN_RUN {
                break;
            }
            if ctx.emit_bytes(&self.decode(&run[a..]), label, a == 0) {
                break;
            }
        }
    }
}

pub(super) fn layer_base32(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) {
        return;
    }
    scan_runs(t.as_bytes(), C_B32, true, false, MIN_RUN, |_, _, run| {
        let upper = run.iter().any(|c| c.is_ascii_uppercase());
        let lower = run.iter().any(|c| c.is_ascii_lowercase());
        if upper && lower {
            return true; // base32 is single-case
        }
        BASE32.emit_aligned(ctx, run, "base32");
        !ctx.full()
    });
}

// ----- base64 --------------------------------------------------------------

const fn b64_table() -> [u8; 256] {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    t[b'+' as usize] = 62;
    t[b'-' as usize] = 62;
    t[b'/' as usize] = 63;
    t[b'_' as usize] = 63;
    t
}
/// Base64, both alphabets (`+/` and `-_`): 6 bits a char, 4 chars a whole group.
static BASE64: Radix = Radix { values: &b64_table(), bits: 6, group: 4 };

/// Lenient base64 (standard or URL alphabet, padding optional, other bytes skipped).
pub fn base64_lenient(text: &[u8]) -> Vec<u8> {
    BASE64.decode(text)
}

fn b64_run(ctx: &mut Ctx, run: &[u8], label: &str) {
    // Base64 of anything 12+ bytes long practically always mixes cases;
    // skipping single-case runs drops words, paths and hex ids cheaply.
    let upper = run.iter().any(|c| c.is_ascii_uppercase());
    let lower = run.iter().any(|c| c.is_ascii_lowercase());
    if !upper || !lower {
        return;
    }
    BASE64.emit_aligned(ctx, run, label);
}

pub(super) fn layer_base64(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) {
        return;
    }
    let b = t.as_bytes();
    // Std runs are collected first so that url-safe runs with the very same
    // span are not decoded twice; url-safe runs (split at '/' and '+', e.g.
    // a URL path segment) are decoded first so they get the `base64url` label.
    let mut std_runs: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    scan_runs(b, C_STD, true, true, MIN_RUN, |s, e, run| {
        std_runs.push((s, e, run.to_vec()));
        true
    });
    let std_spans: HashSet<(usize, usize)> = std_runs.iter().map(|r| (r.0, r.1)).collect();
    scan_runs(b, C_URL, false, true, MIN_RUN, |s, e, run| {
        if !std_spans.contains(&(s, e)) {
            b64_run(ctx, run, "base64url");
        }
        !ctx.full()
    });
    for (_, _, run) in &std_runs {
        if ctx.full() {
            break;
        }
        b64_run(ctx, run, "base64");
    }
}

// ----- DNS labels ----------------------------------------------------------

fn encoded_looking(label: &[u8]) -> bool {
    label.len() >= 16 || (label.len() >= 2 && label.iter().any(|c| c.is_ascii_digit()))
}

pub(super) fn layer_dns(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) {
        return;
    }
    let b = t.as_bytes();
    if !b.contains(&b'.') {
        return;
    }
    scan_runs(b, C_DNS, false, false, MIN_RUN + 2, |_, _, run| {
        let labels: Vec<&[u8]> = run.split(|&c| c == b'.').filter(|l| !l.is_empty()).collect();
        if labels.len() < 3 || labels.iter().any(|l| l.len() > 63) {
            return true;
        }
        let body = &labels[..labels.len() - 2];
        let all: Vec<u8> = body.concat();
        if all.len() >= MIN_RUN {
            ctx.emit(bytes_to_string(&all), "dns-labels");
        }
        if let Some(k) = body.iter().position(|l| !encoded_looking(l)) {
            if k >= 1 {
                let part: Vec<u8> = body[..k].concat();
                if part.len() >= MIN_RUN {
                    ctx.emit(bytes_to_string(&part), "dns-labels");
                }
            }
        }
        !ctx.full()
    });
}

// ----- whitespace ----------------------------------------------------------

/// An encoded-looking token: base64/hex/base32 alphabet only, and either
/// containing a digit, ending in '=' padding, or at least 16 chars long.
fn dense_token(tok: &[u8]) -> bool {
    !tok.is_empty()
        && tok.iter().all(|&c| is(c, C_DENSE))
        && (tok.len() >= MIN_RUN || tok.iter().any(|c| c.is_ascii_digit()) || tok.ends_with(b"="))
}

/// Spans of consecutive encoded-looking tokens separated by whitespace or
/// literal "\n" / "\r" / "\t" escapes are joined with the separators
/// removed (e.g. a reflowed PEM body). All spans of a text go into one
/// output, separated by single spaces.
pub(super) fn layer_whitespace(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) {
        return;
    }
    let b = t.as_bytes();
    let n = b.len();
    let is_ws_at = |i: usize| -> usize {
        // length of a separator starting at i (0 if none)
        if b[i].is_ascii_whitespace() {
            1
        } else if b[i] == b'\\' && i + 1 < n && matches!(b[i + 1], b'n' | b'r' | b't') {
            2
        } else {
            0
        }
    };
    let mut out = String::new();
    let mut span = String::new();
    let mut span_tokens = 0;
    let mut i = 0;
    let flush = |out: &mut String, span: &mut String, tokens: &mut usize| {
        if *tokens >= 2 && span.len() >= MIN_RUN {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(span);
        }
        span.clear();
        *tokens = 0;
    };
    while i < n {
        let w = is_ws_at(i);
        if w > 0 {
            i += w;
            continue;
        }
        let start = i;
        while i < n && is_ws_at(i) == 0 {
            i += 1;
        }
        let tok = &b[start..i];
        if dense_token(tok) {
            // Only ASCII in a dense token, so this is valid UTF-8.
            span.push_str(&t[start..i]);
            span_tokens += 1;
        } else {
            flush(&mut out, &mut span, &mut span_tokens);
        }
    }
    flush(&mut out, &mut span, &mut span_tokens);
    if out.len() >= MIN_RUN {
        ctx.emit(out, "whitespace");
    }
}

// ----- reversal ------------------------------------------------------------

fn reverse_str(t: &str) -> String {
    if t.is_ascii() {
        let mut v = t.as_bytes().to_vec();
        v.reverse();
        String::from_utf8(v).unwrap_or_default()
    } else {
        t.chars().rev().collect()
    }
}

pub(super) fn layer_reverse(t: &str, ctx: &mut Ctx) {
    if !ctx.can_add(1) || t.len() < MIN_RUN {
        return;
    }
    if t.len() <= ctx.remaining() {
        ctx.emit(reverse_str(t), "reversed");
    }
    let is_sep = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\''
                    | '`'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '<'
                    | '>'
                    | ','
                    | ';'
                    | '|'
                    | '&'
                    | '?'
                    | '='
                    | ':'
            )
    };
    let mut n = 0;
    for tok in t.split(is_sep) {
        if n >= MAX_REV_TOKENS || ctx.full() {
            break;
        }
        if tok.len() >= MIN_RUN && tok.len() < t.len() {
            n += 1;
            ctx.emit(reverse_str(tok), "reversed");
        }
    }
}

/// `uuencode` output (`begin 644 name`, lines of 4-char groups, `end`): the bytes it holds.
pub(super) fn layer_uuencode(t: &str, ctx: &mut Ctx) {
    let Some(at) = t.find("begin ") else { return uuencoded_lines(t, ctx) };
    let mut lines = t[at..].lines();
    let mode = lines.next().and_then(|h| h.split_whitespace().nth(1)).unwrap_or("");
    if !(3..=4).contains(&mode.len()) || !mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return;
    }
    let mut out = Vec::new();
    for line in lines.take(64 * 1024) {
        let b = line.trim_end_matches('\r').as_bytes();
        let Some((&count, body)) = b.split_first() else { break };
        let n = usize::from(count.wrapping_sub(32) & 63);
        if n == 0 || !body.iter().all(|c| (32..=96).contains(c)) {
            break;
        }
        out.extend(uu_decode_line(body, n));
        if out.len() > ctx.remaining() {
            break;
        }
    }
    ctx.emit_bytes(&out, "uuencode", false);
}

/// The first `n` bytes a uuencoded line's body holds (4 chars of 6 bits make 3 bytes).
fn uu_decode_line(body: &[u8], n: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(body.len() / 4 * 3);
    for group in body.chunks(4) {
        let v: Vec<u8> = (0..4).map(|i| group.get(i).map_or(0, |c| c.wrapping_sub(32) & 63)).collect();
        bytes.extend([v[0] << 2 | v[1] >> 4, v[1] << 4 | v[2] >> 2, v[2] << 6 | v[3]]);
    }
    bytes.truncate(n);
    bytes
}

/// Lines of uuencode without their `begin` header (pieces of one sent a line a call): a
/// length character whose count matches the 4-char groups that follow exactly, each in
/// uuencode's range, standing alone (after a quote, `=`, a space or a line break).
fn uuencoded_lines(t: &str, ctx: &mut Ctx) {
    let b = t.as_bytes();
    let in_range = |c: u8| (33..=96).contains(&c) && c != b'\'' && c != b'"';
    let mut out = Vec::new();
    let mut i = 0;
    let mut tries = 0;
    while i < b.len() && tries < 64 {
        let starts = in_range(b[i]) && (i == 0 || matches!(b[i - 1], b'\'' | b'"' | b'=' | b' ' | b'\n'));
        let n = usize::from(b[i].wrapping_sub(32) & 63);
        if !starts || n < 12 {
            i += 1;
            continue;
        }
        tries += 1;
        let body_len = n.div_ceil(3) * 4;
        let end = i + 1 + body_len;
        let fits =
            end <= b.len() && b[i + 1..end].iter().all(|&c| in_range(c)) && b.get(end).is_none_or(|&c| !in_range(c));
        if !fits {
            i += 1;
            continue;
        }
        out.extend(uu_decode_line(&b[i + 1..end], n));
        i = end;
    }
    if !out.is_empty() && is_mostly_printable(&out) {
        ctx.emit_bytes(&out, "uuencode", false);
    }
}
