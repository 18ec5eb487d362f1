//! The shell command splitter: never panics on any command line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpproxy::flow::shell;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = shell::analyze(&text);
});
