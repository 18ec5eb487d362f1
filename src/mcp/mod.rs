//! The stdio MCP proxy: a transparent newline-delimited JSON-RPC relay on `serde_json::Value`
//! in front of one or many upstream servers, feeding `tools/call` traffic to the flow engine.

pub mod guard;
pub mod relay;
pub mod servers;
pub mod upstream;
