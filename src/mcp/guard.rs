//! Flow protection for proxied calls: every `tools/call` argument set is checked as a sink and
//! every result recorded as a source, through the same evaluator the hooks use. Each check
//! answers within the deadline: past it the fail-safe decision applies and the call waits for
//! nothing.

use crate::config::Config;
use crate::evaluator::{self, Evaluator};
use crate::flow::call::{Call, Phase, Tool, Verdict};
use serde_json::Value;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub struct Guard {
    evaluator: Arc<Mutex<Evaluator>>,
    pub cfg: Config,
    pub session_id: String,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// One proxied tool call as the relay sees it.
pub struct ProxiedCall<'a> {
    pub server: &'a str,
    pub tool: &'a str,
    /// The name the client used (`server__tool` or the bare name for a single upstream).
    pub exposed: &'a str,
    pub args: &'a Value,
    pub annotations: Option<&'a Value>,
}

impl Guard {
    /// The evaluator with its config (an invalid config means the defaults, loudly, exactly
    /// as in the hook).
    pub fn open() -> Guard {
        let evaluator = Evaluator::new("proxy").keep_open();
        if let Some(problem) = &evaluator.config_problem {
            eprintln!("mcpproxy proxy: {problem}");
        }
        let cfg = evaluator.cfg.clone();
        let session_id = format!("proxy-{}-{}", std::process::id(), now_ms());
        Guard { evaluator: Arc::new(Mutex::new(evaluator)), cfg, session_id }
    }

    fn call(&self, phase: Phase, call: &ProxiedCall, response: Option<&Value>) -> Call {
        Call {
            phase,
            session_id: self.session_id.clone(),
            tool: Tool::Mcp { server: call.server.to_owned(), tool: call.tool.to_owned() },
            label: format!("mcp__{}__{}", call.server, call.tool),
            input: call.args.clone(),
            response: response.cloned(),
            error: None,
            cwd: None,
            annotations: call.annotations.cloned(),
            cut: None,
        }
    }

    /// Evaluate on a worker thread and wait at most until the deadline.
    fn evaluate(&self, call: Call, exposed: &str) -> Verdict {
        let started = Instant::now();
        let deadline = Duration::from_millis(self.cfg.deadline_ms);
        let (tx, rx) = mpsc::channel();
        let evaluator = Arc::clone(&self.evaluator);
        let worker_call = call.clone();
        let exposed_name = exposed.to_owned();
        let session = self.session_id.clone();
        std::thread::spawn(move || {
            let mut ev = evaluator.lock().unwrap_or_else(|e| e.into_inner());
            if worker_call.phase == Phase::Before {
                ev.link_correlated(&exposed_name, &worker_call.input, &session);
            }
            let _ = tx.send(ev.evaluate(&worker_call, started));
        });
        match rx.recv_timeout(deadline) {
            Ok(v) => v,
            Err(_) => {
                let problem = format!("checking {exposed} did not finish within its deadline (deadline_ms)");
                eprintln!("mcpproxy proxy: {problem}");
                let holds = self.evaluator.try_lock().map(|ev| ev.session_holds(&call.session_id)).unwrap_or(true);
                evaluator::fail_safe_verdict(&call, &self.cfg, holds, &problem)
            }
        }
    }

    /// Record the tools the proxy exposes (exposed name, server, tool, annotations) for hooks.
    pub fn register_tools(&self, tools: Vec<(String, String, String, Option<String>)>) {
        let mut ev = self.evaluator.lock().unwrap_or_else(|e| e.into_inner());
        ev.register_proxy_tools(&tools);
    }

    /// Decide on a call before it is forwarded.
    pub fn check(&mut self, call: &ProxiedCall) -> Verdict {
        let c = self.call(Phase::Before, call, None);
        self.evaluate(c, call.exposed)
    }

    /// Record what a call returned as a source.
    pub fn record(&mut self, call: &ProxiedCall, result: &Value) {
        let c = self.call(Phase::After, call, Some(result));
        self.evaluate(c, call.exposed);
    }
}
