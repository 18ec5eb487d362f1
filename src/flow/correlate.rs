//! Hook <-> proxy correlation: a hash of an MCP call (tool name as the proxy exposes it, and
//! the arguments in canonical JSON) that both sides compute the same way.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// JSON with object keys sorted at every level, so key order does not change the hash.
pub fn canonical_json(v: &Value) -> String {
    let mut out = Vec::new();
    write_canonical(v, &mut |bytes| out.extend_from_slice(bytes));
    String::from_utf8(out).unwrap_or_default()
}

/// [`canonical_json`] streamed to `sink` piece by piece (a large argument is not copied).
fn write_canonical(v: &Value, sink: &mut dyn FnMut(&[u8])) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            sink(b"{");
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    sink(b",");
                }
                let _ = serde_json::to_writer(&mut SinkWriter(sink), k.as_str());
                sink(b":");
                write_canonical(&map[*k], sink);
            }
            sink(b"}");
        }
        Value::Array(items) => {
            sink(b"[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    sink(b",");
                }
                write_canonical(item, sink);
            }
            sink(b"]");
        }
        other => {
            let mut w = SinkWriter(sink);
            let _ = serde_json::to_writer(&mut w, other);
        }
    }
}

struct SinkWriter<'a>(&'a mut dyn FnMut(&[u8]));

impl std::io::Write for SinkWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (self.0)(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The correlation hash of a call of `tool` (as exposed by the proxy) with `args`.
pub fn call_hash(tool: &str, args: &Value) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(tool.as_bytes());
    h.update([0u8]);
    if args.is_null() {
        h.update(b"{}");
    } else {
        write_canonical(args, &mut |bytes| h.update(bytes));
    }
    h.finalize().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_matter() {
        let a: Value = serde_json::from_str(r#"{"b":1,"a":{"y":[1,2],"x":"s"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"s","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(call_hash("post", &a), call_hash("post", &b));
        assert_ne!(call_hash("post", &a), call_hash("send", &a));
        assert_eq!(call_hash("t", &Value::Null), call_hash("t", &json!({})));
    }
}
