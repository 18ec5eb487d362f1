//! Parsing a hook payload into a JSON tree of bounded size: a tool response of a million small
//! objects or tens of megabytes of text must not cost gigabytes. The parser keeps every value
//! until a budget of string bytes or of values is spent, then skips the rest without building
//! it and says what was cut; the engine treats what was cut as unseen (an unverified argument,
//! a response that may have held private data).

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

/// Bytes of string (keys and values) kept from one payload: the default `max_input_bytes`, so
/// by default only the input cap and the value count cut (the engine's own caps,
/// `max_source_bytes` of a response and `max_sink_bytes` of arguments, apply after parsing).
pub const MAX_STRING_BYTES: usize = 32 * 1024 * 1024;

/// JSON values kept from one payload (a kept value costs about 100-200 bytes of tree).
pub const MAX_VALUES: usize = 200_000;

/// What is left to spend while parsing one payload.
/// (Atomics only so that the lenient parser may run it on a thread with a larger stack.)
pub struct Budget {
    bytes: AtomicUsize,
    values: AtomicUsize,
    cut: AtomicBool,
}

impl Budget {
    pub fn new(bytes: usize, values: usize) -> Budget {
        Budget { bytes: AtomicUsize::new(bytes), values: AtomicUsize::new(values), cut: AtomicBool::new(false) }
    }

    /// Whether something was skipped.
    pub fn was_cut(&self) -> bool {
        self.cut.load(Relaxed)
    }

    /// Take one value from the budget; `false` (and the cut noted) when none is left.
    fn take_value(&self) -> bool {
        match self.values.load(Relaxed) {
            0 => {
                self.cut.store(true, Relaxed);
                false
            }
            n => {
                self.values.store(n - 1, Relaxed);
                true
            }
        }
    }

    /// The part of `s` the byte budget still allows (at a char boundary).
    fn keep<'s>(&self, s: &'s str) -> &'s str {
        let left = self.bytes.load(Relaxed);
        if s.len() <= left {
            self.bytes.store(left - s.len(), Relaxed);
            return s;
        }
        self.cut.store(true, Relaxed);
        let mut end = left;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.bytes.store(left - end, Relaxed);
        &s[..end]
    }
}

/// A [`Value`] deserialised within a [`Budget`].
#[derive(Clone, Copy)]
pub struct Bounded<'b>(pub &'b Budget);

impl<'de> DeserializeSeed<'de> for Bounded<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A map key within the budget (a key past it is read and dropped by the caller).
struct Key<'b>(&'b Budget);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<String, E> {
        Ok(self.0.keep(s).to_owned())
    }
}

impl<'de> Visitor<'de> for Bounded<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(self.0.keep(s).to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        let kept = self.0.keep(&s).len();
        let mut s = s;
        s.truncate(kept);
        Ok(Value::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            if !self.0.take_value() {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                break;
            }
            match seq.next_element_seed(self)? {
                Some(v) => items.push(v),
                None => {
                    // The slot was not used: give it back.
                    self.0.values.fetch_add(1, Relaxed);
                    break;
                }
            }
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key(self.0))? {
            if self.0.take_value() {
                let v = map.next_value_seed(self)?;
                out.insert(key, v);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Value::Object(out))
    }
}

/// Parse `bytes` as one JSON value within `budget` (serde_json's nesting limit applies).
pub fn from_slice(bytes: &[u8], budget: &Budget) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = Bounded(budget).deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_payloads_are_kept_whole() {
        let text = r#"{"a":[1,2.5,"x",null,true,{"b":"c"}],"d":"\u00e9\ud83d\ude00"}"#;
        let budget = Budget::new(MAX_STRING_BYTES, MAX_VALUES);
        let v = from_slice(text.as_bytes(), &budget).unwrap();
        assert_eq!(v, serde_json::from_str::<Value>(text).unwrap());
        assert!(!budget.was_cut());
    }

    #[test]
    fn past_the_budget_values_are_skipped_and_the_cut_said() {
        let items: Vec<String> = (0..1000).map(|i| format!("{{\"id\":{i}}}")).collect();
        let text = format!("{{\"tool_response\":[{}],\"after\":\"seen?\"}}", items.join(","));
        let budget = Budget::new(MAX_STRING_BYTES, 100);
        let v = from_slice(text.as_bytes(), &budget).unwrap();
        assert!(budget.was_cut());
        let kept = v["tool_response"].as_array().unwrap().len();
        assert!((40..100).contains(&kept), "{kept}");
        assert_eq!(v["tool_response"][0]["id"], 0);
        // The whole input was still read (the parse ends cleanly).
        assert!(v.get("after").is_none());

        let budget = Budget::new(10, MAX_VALUES);
        let v = from_slice(br#"{"s":"0123456789abcdef\u00e9"}"#, &budget).unwrap();
        assert_eq!(v["s"], "012345678");
        assert!(budget.was_cut());
    }
}
