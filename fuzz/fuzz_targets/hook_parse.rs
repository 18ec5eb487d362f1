//! The hook input parser, and the engine on whatever it accepts (empty session, default config).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpproxy::agent::claude_code;
use mcpproxy::config::Config;
use mcpproxy::flow::engine;
use mcpproxy::flow::view::SessionView;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = claude_code::parse(data, None) {
        let view = SessionView::default();
        let cfg = Config::default();
        let _ = engine::process(&event, &view, &cfg, 7);
    }
});
