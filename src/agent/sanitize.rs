//! Lenient JSON for hook payloads: the tokens serde_json refuses but an agent can send (a lone
//! UTF-16 surrogate escape, a number out of `f64` range, nesting past 128 levels) are repaired,
//! so one odd token cannot make the whole call go unchecked.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;

/// Deepest nesting accepted (the parse runs on a thread with a stack sized for it).
const MAX_DEPTH: usize = 10_000;

/// Parse after repairing surrogates and numbers, without serde_json's recursion limit.
pub fn parse_lenient(bytes: &[u8]) -> Result<Value> {
    let (text, depth) = repair(bytes);
    if depth > MAX_DEPTH {
        bail!("hook input nests {depth} levels deep (at most {MAX_DEPTH})");
    }
    let worker = std::thread::Builder::new().stack_size(256 * 1024 * 1024).spawn(move || -> Result<Value> {
        let mut de = serde_json::Deserializer::from_str(&text);
        de.disable_recursion_limit();
        let v = Value::deserialize(&mut de).context("hook input is not valid JSON even after repair")?;
        de.end().context("trailing characters after the hook input")?;
        Ok(v)
    });
    worker.context("starting the JSON parser")?.join().map_err(|_| anyhow::anyhow!("JSON parser failed"))?
}

/// The repaired text and its deepest nesting.
fn repair(bytes: &[u8]) -> (String, usize) {
    let text = String::from_utf8_lossy(bytes);
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let (mut depth, mut max_depth, mut i) = (0usize, 0usize, 0usize);
    let mut in_string = false;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            match c {
                '"' => in_string = false,
                '\\' if chars.get(i + 1) == Some(&'u') => {
                    let unit = hex4(&chars, i + 2);
                    let paired = unit.is_some_and(|u| (0xD800..0xDC00).contains(&u))
                        && chars.get(i + 6) == Some(&'\\')
                        && chars.get(i + 7) == Some(&'u')
                        && hex4(&chars, i + 8).is_some_and(|l| (0xDC00..0xE000).contains(&l));
                    match unit {
                        Some(_) if paired => {
                            out.extend(&chars[i..i + 12]);
                            i += 12;
                            continue;
                        }
                        Some(u) if (0xD800..0xE000).contains(&u) => {
                            out.push_str("\\uFFFD");
                            i += 6;
                            continue;
                        }
                        _ => {}
                    }
                }
                '\\' => {
                    out.push(c);
                    if let Some(&n) = chars.get(i + 1) {
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
            '"' => in_string = true,
            '{' | '[' => {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            '-' | '0'..='9' => {
                let start = i;
                while i < chars.len() && matches!(chars[i], '-' | '+' | '.' | 'e' | 'E' | '0'..='9') {
                    i += 1;
                }
                let token: String = chars[start..i].iter().collect();
                let out_of_range = token.parse::<f64>().is_ok_and(|f| f.is_infinite());
                out.push_str(match (out_of_range, token.starts_with('-')) {
                    (true, true) => "-1e308",
                    (true, false) => "1e308",
                    _ => &token,
                });
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    (out, max_depth)
}

fn hex4(chars: &[char], at: usize) -> Option<u32> {
    let s: String = chars.get(at..at + 4)?.iter().collect();
    u32::from_str_radix(&s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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
