//! The flow engine: pure functions from (event, session view, config) to (decision, records).
//! No stdin/stdout, no database, no clock: the caller loads the view and stores the outcome.
//!
//! Work is split in two so that hook processes hold the database lock only briefly:
//! [`prepare`] does the heavy, state-free part (decoding, hashing, parsing) and [`decide`]
//! matches the prepared event against the session's records.

use crate::agent::{EventKind, HookEvent};
use crate::config::Config;
use crate::flow::classify::{self, ToolClass};
use crate::flow::view::{NewSource, Outcome, SessionView};
use crate::flow::{sink, source};

/// An event with its state-free work done.
pub enum Prepared {
    Sink(Option<sink::PreparedSink>),
    Source(Option<NewSource>),
}

/// Classify the tool as the agent names it and prepare the event.
pub fn prepare(event: &HookEvent, cfg: &Config, key: u64) -> (ToolClass, Prepared) {
    let class = classify::classify(&event.tool_name, event.server.as_deref(), &event.tool_input, cfg);
    (class, prepare_classified(event, class, cfg, key))
}

/// Prepare with the tool's class decided by the caller (the proxy classifies MCP tools from
/// their annotations).
pub fn prepare_classified(event: &HookEvent, class: ToolClass, cfg: &Config, key: u64) -> Prepared {
    match event.kind {
        EventKind::Pre => Prepared::Sink(sink::prepare(event, class, cfg, key)),
        EventKind::Post | EventKind::PostFailure => Prepared::Source(source::prepare(event, class, cfg, key)),
    }
}

/// Which session records a prepared event can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing to decide (not a sink, or all destinations local).
    Nothing,
    /// Secrets, taints and provenance.
    Records,
    /// Also content fingerprints.
    WithContent,
}

impl Prepared {
    pub fn needs(&self, event: &HookEvent, cfg: &Config) -> Needs {
        match self {
            Prepared::Sink(None) => Needs::Nothing,
            Prepared::Sink(Some(p)) if p.may_carry_content(cfg) => Needs::WithContent,
            Prepared::Sink(Some(_)) => Needs::Records,
            // Recording a source needs no records, unless the call wrote files (taint).
            Prepared::Source(_) if source::may_write_files(event) => Needs::Records,
            Prepared::Source(_) => Needs::Nothing,
        }
    }
}

/// Match a prepared event against the session view: this is where a decision is made.
pub fn decide(event: &HookEvent, prepared: Prepared, view: &SessionView, cfg: &Config, key: u64) -> Outcome {
    match prepared {
        Prepared::Sink(None) => Outcome::silent(),
        Prepared::Sink(Some(p)) => sink::evaluate(event, &p, view, cfg),
        Prepared::Source(new_source) => {
            let mut out = Outcome::silent();
            out.taints = source::taints_from_writes(event, view, cfg, key);
            out.new_source = new_source;
            out
        }
    }
}

/// Prepare and decide in one step (tests, and callers without a lock to keep short).
pub fn process(event: &HookEvent, view: &SessionView, cfg: &Config, key: u64) -> Outcome {
    let (_, prepared) = prepare(event, cfg, key);
    decide(event, prepared, view, cfg, key)
}

/// [`process`] with a caller-decided class.
pub fn process_classified(event: &HookEvent, class: ToolClass, view: &SessionView, cfg: &Config, key: u64) -> Outcome {
    let prepared = prepare_classified(event, class, cfg, key);
    decide(event, prepared, view, cfg, key)
}
