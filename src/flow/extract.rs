//! Text out of tool payloads: what a response carried (source text) and what a call's arguments
//! would send (sink fields), plus redacted labels for reasons.

use crate::flow::call::{Call, Tool};
use serde_json::Value;

/// Keys of tool responses that hold no content of their own (metadata, binary blobs).
const SKIP_RESPONSE_KEYS: &[&str] = &[
    "base64",
    "originalFile",
    "originalFileContents",
    "filePath",
    "type",
    "tool_use_id",
    "durationMs",
    "durationSeconds",
    "numLines",
    "startLine",
    "totalLines",
    "usage",
    "agentId",
    "resolvedModel",
    "modelsUsed",
    "mimeType",
];

/// All string leaves of a response, joined with newlines, bounded by `max_bytes`. Strings that
/// are themselves JSON documents (MCP structuredContent) are also walked, unescaped.
pub fn response_text(response: &Value, max_bytes: usize) -> String {
    let mut out = String::new();
    collect_strings(response, &mut out, max_bytes, 0);
    out
}

fn push_bounded(out: &mut String, s: &str, max_bytes: usize) {
    if out.len() >= max_bytes {
        return;
    }
    let room = max_bytes - out.len();
    let mut end = s.len().min(room);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.push_str(&s[..end]);
    out.push('\n');
}

/// Deepest nesting walked (the payload parser accepts up to 10,000 levels; data hidden deeper
/// than this is not text a model reads).
const MAX_RESPONSE_DEPTH: usize = 2_000;

fn collect_strings(v: &Value, out: &mut String, max_bytes: usize, depth: usize) {
    if out.len() >= max_bytes || depth > MAX_RESPONSE_DEPTH {
        return;
    }
    match v {
        Value::String(s) => {
            push_bounded(out, s, max_bytes);
            let t = s.trim_start();
            if depth < 8 && (t.starts_with('{') || t.starts_with('[')) && s.len() < max_bytes {
                if let Ok(inner) = serde_json::from_str::<Value>(s) {
                    if !inner.is_string() {
                        collect_strings(&inner, out, max_bytes, depth + 1);
                    }
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out, max_bytes, depth + 1)),
        Value::Object(map) => {
            // MCP image/audio blocks carry media, not text; a resource blob of a text type is
            // text the model reads, base64-encoded.
            let media = matches!(map.get("type").and_then(Value::as_str), Some("image" | "audio"));
            let mime = map.get("mimeType").and_then(Value::as_str).unwrap_or("");
            let textual =
                mime.starts_with("text/") || mime.contains("json") || mime.contains("xml") || mime.contains("yaml");
            for (k, item) in map {
                if k == "blob" && textual {
                    if let Some(text) = item.as_str().and_then(decode_text_blob) {
                        push_bounded(out, &text, max_bytes);
                    }
                    continue;
                }
                let binary = (media && k == "data") || k == "blob";
                // Media and file bytes (an image block, a PDF read): the text inside them is read
                // too (`strings`-like runs), bounded.
                if binary || k == "base64" {
                    if let Some(text) = item.as_str().filter(|b| b.len() <= MAX_BLOB_CHARS).and_then(text_in_blob) {
                        push_bounded(out, &text, max_bytes);
                    }
                    continue;
                }
                // `type` is metadata when it names a kind (`text`), content when it holds text.
                let label = k == "type" && item.as_str().is_some_and(|t| t.len() < 32 && !t.contains(' '));
                let skipped = SKIP_RESPONSE_KEYS.contains(&k.as_str()) && (k != "type" || label);
                if !binary && !skipped {
                    collect_strings(item, out, max_bytes, depth + 1);
                }
            }
        }
        Value::Number(n) => push_bounded(out, &n.to_string(), max_bytes),
        _ => {}
    }
}

/// Base64 media larger than this is not decoded for text (a large image holds none).
const MAX_BLOB_CHARS: usize = 2 << 20;

/// The text in base64 bytes: all of it when it is UTF-8, else its printable runs of 16 or more.
fn text_in_blob(b64: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    if let Ok(text) = String::from_utf8(bytes.clone()) {
        return Some(text);
    }
    let runs: Vec<&[u8]> = bytes.split(|b| !(0x20..0x7f).contains(b)).filter(|r| r.len() >= 16).collect();
    (!runs.is_empty()).then(|| runs.iter().map(|r| String::from_utf8_lossy(r)).collect::<Vec<_>>().join("\n"))
}

fn decode_text_blob(b64: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

/// One string argument of a sink call and where it sits (`url`, `body`, `edits[0].new_string`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkField {
    pub path: String,
    pub text: String,
}

/// Every string (and number) leaf of the call's arguments with its JSON path, bounded.
pub fn sink_fields(input: &Value, max_bytes: usize) -> Vec<SinkField> {
    sink_fields_checked(input, max_bytes).0
}

/// [`sink_fields`], and whether the cap cut something off (what was cut is unverified data).
pub fn sink_fields_checked(input: &Value, max_bytes: usize) -> (Vec<SinkField>, bool) {
    let mut out = Vec::new();
    let mut budget = max_bytes;
    walk_fields(input, String::new(), &mut out, &mut budget, 0);
    let truncated = budget == 0 && has_more_than(input, max_bytes);
    (out, truncated)
}

/// Whether the string leaves of `v` hold more than `limit` bytes (stops counting past it).
fn has_more_than(v: &Value, limit: usize) -> bool {
    fn count(v: &Value, left: &mut isize) {
        if *left < 0 {
            return;
        }
        match v {
            Value::String(s) => *left -= s.len() as isize,
            Value::Number(n) => *left -= n.to_string().len() as isize,
            Value::Array(items) => items.iter().for_each(|i| count(i, left)),
            Value::Object(map) => map.values().for_each(|i| count(i, left)),
            _ => {}
        }
    }
    let mut left = limit as isize;
    count(v, &mut left);
    left < 0
}

fn walk_fields(v: &Value, path: String, out: &mut Vec<SinkField>, budget: &mut usize, depth: usize) {
    if *budget == 0 {
        return;
    }
    // Past 64 levels the path stops growing (it would be quadratic), the values still count.
    let nested = |p: String| if depth >= 64 { path.clone() } else { p };
    let mut leaf = |text: String| {
        let mut end = text.len().min(*budget);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        *budget -= end;
        out.push(SinkField {
            path: if path.is_empty() { "input".into() } else { path.clone() },
            text: text[..end].to_owned(),
        });
    };
    match v {
        Value::String(s) => leaf(s.clone()),
        Value::Number(n) => leaf(n.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_fields(item, nested(format!("{path}[{i}]")), out, budget, depth + 1);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                walk_fields(item, nested(p), out, budget, depth + 1);
            }
        }
        _ => {}
    }
}

/// A label safe to store and show: detected secrets replaced, long text cut.
pub fn redact_label(text: &str, max_chars: usize) -> String {
    let findings = crate::flow::secrets::scan(text);
    let mut out = String::new();
    let mut pos = 0;
    for f in findings {
        if f.start < pos {
            continue;
        }
        out.push_str(&text[pos..f.start]);
        out.push_str("[REDACTED]");
        pos = f.end;
    }
    out.push_str(&text[pos..]);
    let out = redact_random_tokens(&redact_password_options(&out));
    let single_line: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if single_line.chars().count() > max_chars {
        let cut: String = single_line.chars().take(max_chars).collect();
        format!("{cut}...")
    } else {
        single_line
    }
}

/// Values given to password options and variables (`mysql -p'...'`, `--password=...`,
/// `PGPASSWORD=...`, `sshpass -p ...`): short passwords have no secret shape the detector knows,
/// but a command label must not carry them.
fn redact_password_options(text: &str) -> String {
    // Byte classes: cheap to compile in every hook process.
    static PATTERN: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex::bytes::Regex::new(
            r#"(?i-u)((?:^|[\s;&|])-p|--pass(?:word)?[= ]|\b[a-z_]*pass(?:word|wd)?=|\bsshpass\s+-p\s*)('[^']*'|"[^"]*"|[^\s'";&|]+)"#,
        )
        .expect("password option pattern")
    });
    String::from_utf8_lossy(&re.replace_all(text.as_bytes(), &b"${1}[REDACTED]"[..])).into_owned()
}

/// Replace long random-looking tokens (20+ chars of one token alphabet mixing upper case, lower
/// case and digits) that the detector did not name: labels are stored, values never are.
fn redact_random_tokens(text: &str) -> String {
    let is_tok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-' | '.');
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        let random = token.len() >= 20
            && token.chars().any(|c| c.is_ascii_uppercase())
            && token.chars().any(|c| c.is_ascii_lowercase())
            && token.chars().any(|c| c.is_ascii_digit())
            && !token.contains('/')
            && !token.contains('.');
        out.push_str(if random { "[REDACTED]" } else { token });
        token.clear();
    };
    for c in text.chars() {
        if is_tok(c) {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out
}

/// Where a source came from, for provenance: a file path, an MCP server, a URL, a command.
pub fn source_location(call: &Call) -> String {
    let loc = match &call.tool {
        Tool::ReadFile { path } | Tool::WriteFile { path, .. } | Tool::EditFile { path, .. } => path.clone(),
        Tool::SearchFiles { pattern, path, in_content: true } => format!("grep {pattern} in {path}"),
        Tool::SearchFiles { pattern, .. } => format!("glob {pattern}"),
        Tool::Shell { command } => format!("$ {command}"),
        Tool::WebFetch { url } => url.clone(),
        Tool::WebSearch { query } => format!("search {query}"),
        Tool::Subagent { description, .. } => format!("subagent {description}"),
        Tool::McpResource { server, uri } => format!("mcp server {server} resource {uri}"),
        Tool::Mcp { server, .. } => format!("mcp server {server}"),
        Tool::ShellOutput | Tool::Inert | Tool::Unknown => call.label.clone(),
    };
    redact_label(&loc, 120)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn read_response_text_skips_metadata() {
        let r = json!({"type":"text","file":{"filePath":"/a","content":"hello\nworld","numLines":2}});
        assert_eq!(response_text(&r, 1000), "hello\nworld\n");
    }

    #[test]
    fn mcp_structured_string_is_unwrapped() {
        let r = json!("{\"result\":\"line one\"}");
        let t = response_text(&r, 1000);
        assert!(t.contains("line one\n"));
    }

    #[test]
    fn media_bytes_count_only_for_the_text_inside_them() {
        // A real PNG's bytes hold no text run.
        let r = json!([{"type": "image", "data": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk", "mimeType": "image/png"}, {"type": "text", "text": "caption"}]);
        assert_eq!(response_text(&r, 1000), "caption\n");
    }

    #[test]
    fn deep_typed_and_blob_content_is_read() {
        let mut deep = json!("deep secret text");
        for _ in 0..100 {
            deep = json!([deep]);
        }
        assert!(response_text(&deep, 1000).contains("deep secret text"));
        let typed = json!({"type": "the customer list: alice@example.com, bob@example.com", "id": 1});
        assert!(response_text(&typed, 1000).contains("alice@example.com"));
        let blob = json!([{"type": "resource", "resource": {"uri": "file:///a", "mimeType": "text/plain", "blob": "aGVsbG8gcHJpdmF0ZSB3b3JsZA=="}}]);
        assert!(response_text(&blob, 1000).contains("hello private world"));
        // Bytes labelled an image that are text (`STRIPE_SECRET_KEY=sk_live_...`) are read.
        let image =
            json!([{"type": "image", "mimeType": "image/png", "data": "U1RSSVBFX1NFQ1JFVF9LRVk9c2tfbGl2ZV9hYmM="}]);
        assert!(response_text(&image, 1000).contains("STRIPE_SECRET_KEY=sk_live_abc"));
        let pdf = json!({"type": "pdf", "file": {"base64": "JVBERi0xLjQKc2VjcmV0IHRva2VuIGluIGEgcGRm"}});
        assert!(response_text(&pdf, 1000).contains("secret token in a pdf"));
    }

    #[test]
    fn response_text_is_bounded() {
        let r = json!({"stdout": "x".repeat(5000)});
        assert!(response_text(&r, 100).len() <= 101);
    }

    #[test]
    fn sink_fields_have_paths() {
        let f = sink_fields(&json!({"url":"https://a","opts":{"list":["x", 5]}}), 1000);
        let paths: Vec<_> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, vec!["url", "opts.list[0]", "opts.list[1]"]);
    }

    #[test]
    fn random_tokens_are_redacted_paths_are_not() {
        let l = redact_label("$ curl -H 'X-Key: q8Zr2LmW9vXa7TbN4kPe1Ys' https://a.example/v1/items", 200);
        assert!(!l.contains("q8Zr2LmW9vXa7TbN4kPe1Ys"), "{l}");
        assert!(l.contains("https://a.example/v1/items"), "{l}");
        assert_eq!(
            redact_label("/home/dev/src/MyComponent2024Version.tsx", 200),
            "/home/dev/src/MyComponent2024Version.tsx"
        );
    }

    #[test]
    fn labels_are_redacted() {
        let l = redact_label("$ echo AKIAW6KIUFSRT3K4KF5Q > x", 100);
        assert!(!l.contains("AKIAW6KIUFSRT3K4KF5Q"), "{l}");
    }

    #[test]
    fn password_options_are_redacted() {
        for cmd in [
            "$ mysql -u root -p'hunter2pass' -e 'select 1'",
            "$ mysql -uroot -phunter2pass db",
            "$ PGPASSWORD=hunter2pass psql -h db",
            "$ sshpass -p hunter2pass ssh host",
            "$ tool --password=hunter2pass",
            "$ tool --password hunter2pass",
        ] {
            let l = redact_label(cmd, 200);
            assert!(!l.contains("hunter2"), "{cmd} -> {l}");
        }
        assert_eq!(redact_label("$ mkdir -p src/app", 200), "$ mkdir -p src/app");
    }
}
