//! Flow protection for proxied calls: every `tools/call` argument set is checked as a sink and
//! every result recorded as a source, in the same database and engine the hooks use.

use crate::agent::{EventKind, HookEvent, Verdict};
use crate::config::Config;
use crate::flow::{classify, correlate, engine};
use crate::paths::Paths;
use crate::store::{ActivityEntry, Store};
use anyhow::Result;
use serde_json::Value;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct Guard {
    store: Option<Store>,
    pub cfg: Config,
    pub session_id: String,
    key: u64,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// One proxied tool call as the guard sees it.
pub struct Call<'a> {
    pub server: &'a str,
    pub tool: &'a str,
    /// The name the client used (`server__tool` or the bare name for a single upstream).
    pub exposed: &'a str,
    pub args: &'a Value,
    pub annotations: Option<&'a Value>,
}

impl Guard {
    /// Open the shared database. If that fails the proxy still relays, failing open (or
    /// closed, per config) on every call, and says so on stderr.
    pub fn open(paths: &Paths, cfg: Config) -> Guard {
        let session_id = format!("proxy-{}-{}", std::process::id(), now_ms());
        let opened = Store::open(paths, Duration::from_millis(cfg.lock_timeout_ms)).and_then(|mut s| {
            let key = s.fingerprint_key()?;
            s.unlock()?;
            Ok((s, key))
        });
        match opened {
            Ok((store, key)) => Guard { store: Some(store), cfg, session_id, key },
            Err(e) => {
                eprintln!("mcpproxy proxy: flow database unavailable, calls are not checked: {e:#}");
                Guard { store: None, cfg, session_id, key: 0 }
            }
        }
    }

    fn event(&self, kind: EventKind, call: &Call, response: Option<&Value>) -> HookEvent {
        HookEvent {
            kind,
            event_name: if kind == EventKind::Pre { "PreToolUse".into() } else { "PostToolUse".into() },
            session_id: self.session_id.clone(),
            tool_name: format!("mcp__{}__{}", call.server, call.tool),
            server: Some(call.server.to_owned()),
            tool_input: call.args.clone(),
            tool_response: response.cloned(),
            error: None,
            cwd: None,
        }
    }

    /// Run one engine evaluation under the lock and log it.
    fn evaluate(&mut self, event: &HookEvent, call: &Call, started: Instant) -> Result<Verdict> {
        let cfg = &self.cfg;
        let store = self.store.as_mut().ok_or_else(|| anyhow::anyhow!("flow database unavailable"))?;
        let class = classify::classify_annotated(call.server, call.tool, call.args, call.annotations, cfg);
        let prepared = engine::prepare_classified(event, class, cfg, self.key);
        store.lock(Duration::from_millis(cfg.lock_timeout_ms))?;
        let result = (|| -> Result<Verdict> {
            if event.kind == EventKind::Pre {
                // A hook that announced this exact call links its session to ours for good.
                let hash = correlate::call_hash(call.exposed, call.args);
                if let Some(hook_session) = store.take_correlation(&hash, now_ms())? {
                    store.link_sessions(&hook_session, &self.session_id, "proxy", now_ms() / 1000)?;
                }
            }
            let view = store.load_view(&self.session_id, prepared.needs(event, cfg))?;
            let outcome = engine::decide(event, prepared, &view, cfg, self.key);
            let decision = if event.kind == EventKind::Pre { outcome.verdict.label() } else { "record" };
            let entry = ActivityEntry {
                now: now_ms() / 1000,
                session_id: &self.session_id,
                agent: "proxy",
                event: &event.event_name,
                tool: &event.tool_name,
                decision,
                reason: outcome.verdict.reason(),
                latency_us: started.elapsed().as_micros() as i64,
            };
            if let Err(e) = store.save(&entry, &outcome) {
                // A deny or ask stands even when it cannot be logged (a full disk, say):
                // failing open here would let the data out.
                if outcome.verdict == Verdict::Silent {
                    return Err(e);
                }
                eprintln!(
                    "mcpproxy proxy: could not log the {} of {}: {e:#} (the decision still applies)",
                    outcome.verdict.label(),
                    call.exposed
                );
            }
            Ok(outcome.verdict)
        })();
        let _ = store.unlock();
        result
    }

    /// [`Guard::evaluate`], with a panic turned into an error so one bad call cannot take the
    /// proxy (and every upstream with it) down.
    fn evaluate_guarded(&mut self, event: &HookEvent, call: &Call, started: Instant) -> Result<Verdict> {
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.evaluate(event, call, started)));
        if caught.is_err() {
            // The lock may still be held by the unwound evaluation.
            if let Some(store) = self.store.as_mut() {
                let _ = store.unlock();
            }
        }
        caught.unwrap_or_else(|_| Err(anyhow::anyhow!("internal error (panic) while evaluating")))
    }

    /// Decide on a call before it is forwarded. Infrastructure errors fail open (stderr line)
    /// unless `fail_closed`.
    pub fn check(&mut self, call: &Call) -> Verdict {
        let started = Instant::now();
        let event = self.event(EventKind::Pre, call, None);
        match self.evaluate_guarded(&event, call, started) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("mcpproxy proxy: could not check {}: {e:#}", call.exposed);
                if self.cfg.fail_closed {
                    Verdict::Deny(format!("mcpproxy (fail_closed): could not check the call: {e:#}"))
                } else {
                    Verdict::Silent
                }
            }
        }
    }

    /// Record what a call returned as a source.
    pub fn record(&mut self, call: &Call, result: &Value) {
        let started = Instant::now();
        let event = self.event(EventKind::Post, call, Some(result));
        if let Err(e) = self.evaluate_guarded(&event, call, started) {
            eprintln!("mcpproxy proxy: could not record the result of {}: {e:#}", call.exposed);
        }
    }
}
