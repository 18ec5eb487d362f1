//! mcpproxy: a local data-flow firewall for AI coding agents.
//!
//! The binary (`src/main.rs`) is a thin dispatcher over these modules; the library exists so
//! that fuzz targets and benchmarks can drive the parsers and the engine directly.

pub mod agent;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod evaluator;
pub mod flow;
pub mod mcp;
pub mod paths;
pub mod store;
