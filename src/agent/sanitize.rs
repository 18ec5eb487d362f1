//! Lenient JSON for hook payloads: the tokens serde_json refuses but an agent can send (a lone
//! UTF-16 surrogate escape, a number out of `f64` range, nesting past 128 levels) are repaired,
//! so one odd token cannot make the whole call go unchecked.

use anyhow::{bail, Context, Result};
use serde::de::DeserializeSeed;
use serde_json::Value;

/// Deepest nesting accepted (the parse runs on a thread with a stack sized for it).
const MAX_DEPTH: usize = 10_000;

/// Parse after repairing surrogates and numbers, without serde_json's recursion limit.
pub fn parse_lenient(bytes: &[u8], budget: &super::bounded::Budget) -> Result<Value> {
    let (text, depth) = repair(bytes);
    if depth > MAX_DEPTH {
        bail!("hook input nests {depth} levels deep (at most {MAX_DEPTH})");
    }
    std::thread::scope(|scope| {
        let worker =
            std::thread::Builder::new().stack_size(256 * 1024 * 1024).spawn_scoped(scope, || -> Result<Value> {
                let mut de = serde_json::Deserializer::from_str(&text);
                de.disable_recursion_limit();
                let v = super::bounded::Bounded(budget)
                    .deserialize(&mut de)
                    .context("hook input is not valid JSON even after repair")?;
                de.end().context("trailing characters after the hook input")?;
                Ok(v)
            });
        worker.context("starting the JSON parser")?.join().map_err(|_| anyhow::anyhow!("JSON parser failed"))?
    })
}

/// The repaired text and its deepest nesting. Works on bytes: every token it repairs is
/// ASCII, and other bytes are copied as they are (the text is valid UTF-8 after the lossy
/// conversion, so the output is too).
fn repair(bytes: &[u8]) -> (String, usize) {
    let text = String::from_utf8_lossy(bytes);
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let (mut depth, mut max_depth, mut i) = (0usize, 0usize, 0usize);
    let mut in_string = false;
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'"' => in_string = false,
                b'\\' if b.get(i + 1) == Some(&b'u') => {
                    let unit = hex4(b, i + 2);
                    let paired = unit.is_some_and(|u| (0xD800..0xDC00).contains(&u))
                        && b.get(i + 6) == Some(&b'\\')
                        && b.get(i + 7) == Some(&b'u')
                        && hex4(b, i + 8).is_some_and(|l| (0xDC00..0xE000).contains(&l));
                    match unit {
                        Some(_) if paired => {
                            out.extend_from_slice(&b[i..i + 12]);
                            i += 12;
                            continue;
                        }
                        Some(u) if (0xD800..0xE000).contains(&u) => {
                            out.extend_from_slice(b"\\uFFFD");
                            i += 6;
                            continue;
                        }
                        _ => {}
                    }
                }
                b'\\' => {
                    out.push(c);
                    if let Some(&n) = b.get(i + 1) {
                        out.push(n);
                    }
                    i += 2;
                    continue;
                }
                _ => {}
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    i += 1;
                }
                let token = &text[start..i];
                let out_of_range = token.parse::<f64>().is_ok_and(|f| f.is_infinite());
                out.extend_from_slice(match (out_of_range, token.starts_with('-')) {
                    (true, true) => b"-1e308",
                    (true, false) => b"1e308",
                    _ => token.as_bytes(),
                });
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    // Only ASCII was replaced or inserted, and multi-byte sequences were copied whole.
    (String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()), max_depth)
}

fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let s = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::bounded::{Budget, MAX_STRING_BYTES, MAX_VALUES};

    fn parse_lenient(bytes: &[u8]) -> Result<Value> {
        super::parse_lenient(bytes, &Budget::new(MAX_STRING_BYTES, MAX_VALUES))
    }

    #[test]
    fn odd_tokens_are_repaired() {
        let v = parse_lenient(br#"{"a":"x\ud800y","b":1e999,"c":"\ud83d\ude00"}"#).unwrap();
        assert_eq!(v["a"], "x\u{FFFD}y");
        assert_eq!(v["b"].as_f64(), Some(1e308));
        assert_eq!(v["c"], "\u{1F600}");
        let deep = format!("{{\"tool_input\":{}1{}}}", "[".repeat(300), "]".repeat(300));
        assert!(parse_lenient(deep.as_bytes()).is_ok());
        let too_deep = "[".repeat(MAX_DEPTH + 1);
        assert!(parse_lenient(too_deep.as_bytes()).is_err());
        assert!(parse_lenient(b"{not json").is_err());
    }
}
