//! Hook <-> proxy correlation: a hash of an MCP call (tool name as the proxy exposes it, and
//! the arguments in canonical JSON) that both sides compute the same way.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// JSON with object keys sorted at every level, so key order does not change the hash.
pub fn canonical_json(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let parts: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", Value::String((*k).clone()), canonical_json(&map[*k]))).collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// The correlation hash of a call of `tool` (as exposed by the proxy) with `args`.
pub fn call_hash(tool: &str, args: &Value) -> Vec<u8> {
    let args = if args.is_null() { Value::Object(Default::default()) } else { args.clone() };
    let mut h = Sha256::new();
    h.update(tool.as_bytes());
    h.update([0u8]);
    h.update(canonical_json(&args).as_bytes());
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
