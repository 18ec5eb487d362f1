//! The recursive decoders: never panic, and stay within the output limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpproxy::flow::decode::{decode_all, Limits};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let limits = Limits::default();
    let out = decode_all(&text, &limits);
    assert!(out.len() <= limits.max_outputs, "{} outputs > max_outputs", out.len());
});
