//! The flow engine: pure functions from (event, session view, config) to (decision, records).
//! No stdin/stdout, no database, no clock: the caller loads the view and stores the outcome.
//!
//! Work is split in two so that hook processes hold the database lock only briefly:
//! [`prepare`] does the heavy, state-free part (decoding, hashing, parsing) and [`decide`]
//! matches the prepared event against the session's records.

use crate::config::Config;
use crate::flow::call::{Call, Phase};
use crate::flow::classify::{self, ToolClass};
use crate::flow::view::{NewSource, Outcome, SessionView};
use crate::flow::{sink, source};

/// An event with its state-free work done.
pub enum Prepared {
    /// Boxed: a prepared sink (hashes, shell facts) is several times a prepared source.
    Sink(Option<Box<sink::PreparedSink>>),
    Source(Option<NewSource>),
}

/// Classify the call by its kind and prepare it.
pub fn prepare(call: &Call, cfg: &Config, key: u64) -> (ToolClass, Prepared) {
    let class = classify::classify(call, cfg);
    let prepared = match call.phase {
        Phase::Before => Prepared::Sink(sink::prepare(call, class, cfg, key).map(Box::new)),
        Phase::After | Phase::AfterFailure => Prepared::Source(source::prepare(call, class, cfg, key)),
    };
    (class, prepared)
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
    pub fn needs(&self, call: &Call, cfg: &Config) -> Needs {
        match self {
            Prepared::Sink(None) => Needs::Nothing,
            Prepared::Sink(Some(p)) if p.may_carry_content(cfg) => Needs::WithContent,
            Prepared::Sink(Some(_)) => Needs::Records,
            // Recording a source needs no records, unless the call wrote files (taint).
            Prepared::Source(_) if source::may_write_files(call) => Needs::Records,
            Prepared::Source(_) => Needs::Nothing,
        }
    }

    /// Given the grams the session's content filter lets pass (sorted), whether content
    /// fingerprints could change the decision (see `PreparedSink::content_may_matter`).
    pub fn content_may_matter(&self, cfg: &Config, passing: &[u64]) -> bool {
        match self {
            Prepared::Sink(Some(p)) => p.content_may_matter(cfg, passing),
            _ => false,
        }
    }

    /// Every content gram a sink's text carries (repeats included): what the caller probes
    /// the session's content filter with before it loads fingerprints.
    pub fn content_probe(&self) -> Vec<u64> {
        match self {
            Prepared::Sink(Some(p)) => p.content_grams().collect(),
            _ => Vec::new(),
        }
    }
}

/// Match a prepared event against the session view: this is where a decision is made.
pub fn decide(call: &Call, prepared: Prepared, view: &SessionView, cfg: &Config, key: u64) -> Outcome {
    match prepared {
        Prepared::Sink(None) => Outcome::silent(),
        Prepared::Sink(Some(p)) => sink::evaluate(call, &p, view, cfg),
        Prepared::Source(new_source) => {
            let mut out = Outcome::silent();
            out.taints = source::taints_from_writes(call, view, cfg, key);
            out.new_source = new_source;
            out
        }
    }
}

/// Prepare and decide in one step (tests, and callers without a lock to keep short).
pub fn process(call: &Call, view: &SessionView, cfg: &Config, key: u64) -> Outcome {
    let (_, prepared) = prepare(call, cfg, key);
    decide(call, prepared, view, cfg, key)
}
