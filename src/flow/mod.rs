//! The flow engine and its parts. Everything under `flow` is free of I/O.

pub mod call;
pub mod classify;
pub mod correlate;
pub mod decode;
pub mod destination;
pub mod engine;
pub mod extract;
pub mod fingerprint;
pub mod hosts;
pub mod licence;
pub mod pieces;
pub mod policy;
pub mod protect;
pub mod runs;
pub mod secrets;
pub mod shell;
pub mod sink;
pub mod source;
pub mod stated_issuer;
pub mod stored;
pub mod taint;
pub mod view;
pub mod words;
pub mod written_code;
