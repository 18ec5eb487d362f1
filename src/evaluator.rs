//! The one evaluator both front ends use (the hook and the proxy): self-protection, load the
//! session view, prepare, decide, persist, and answer every failure the same way.
//!
//! Reading never waits on a writer: the view is read from a WAL snapshot without the lock.
//! Only writing takes the lock, for a bounded time; a record that cannot be written then is
//! spooled (hashes and labels only) for the next writer. A session that recorded private data
//! has a marker outside the database, so a failure in such a session (locked, corrupt, missing
//! or replaced database, bad config, passed deadline) turns an external sink into a deny.

use crate::config::Config;
use crate::flow::call::{Call, Decision, Phase, Tool, Verdict};
use crate::flow::classify::Origin;
use crate::flow::engine::{self, Needs, Prepared};
use crate::flow::protect::{self, Guarded, Protected};
use crate::flow::view::{Outcome, SessionView};
use crate::paths::Paths;
use crate::store::home::{self, Spooled};
use crate::store::{ActivityEntry, OnCorrupt, Store};
use anyhow::{Context, Result};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What a caught panic is reported as (its message went to stderr from the panic hook).
pub const PANIC_PROBLEM: &str = "internal error (see the line before)";

/// Whether a panic now would be answered with a deny: the panic hook's stderr line says so.
pub static PANIC_DENIES: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The longest a Pre waits for the write lock to log its decision (it never waits to decide).
const PRE_LOCK_WAIT: Duration = Duration::from_millis(300);

pub struct Evaluator {
    paths: Option<Paths>,
    pub cfg: Config,
    /// Why the config did not load (defaults are in force), reported on every evaluation.
    pub config_problem: Option<String>,
    /// `claude-code`, `codex`, `proxy`...: the activity log's agent column.
    agent: String,
    protected: Protected,
    key: Option<u64>,
    /// A long-lived front end (the proxy) keeps one connection open; the lock is still taken
    /// only around each write.
    keep_open: bool,
    cached: Option<Store>,
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Load the config loudly: an invalid or unreadable file means the defaults (never "no
/// protection"), with `fail_closed` kept if the broken text still says so.
pub fn load_config(paths: Option<&Paths>) -> (Config, Option<String>) {
    let Some(paths) = paths else { return (Config::default(), None) };
    if !paths.config_dir.is_dir() {
        // The state directory itself is unusable: the store reports that, once.
        return (Config::default(), None);
    }
    let path = paths.config_file();
    match Config::load(&path) {
        Ok(cfg) => (cfg, None),
        Err(e) => {
            let mut cfg = Config::default();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            cfg.fail_closed = sniff_fail_closed(&text);
            (cfg, Some(format!("config {} is invalid, using the defaults: {e:#}", path.display())))
        }
    }
}

/// `"fail_closed": true` anywhere in a config that does not parse.
fn sniff_fail_closed(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("\"fail_closed\":true")
}

impl Evaluator {
    pub fn new(agent: &str) -> Evaluator {
        let paths = Paths::resolve();
        let (cfg, config_problem) = load_config(paths.as_ref().ok());
        let protected = discover_protected(paths.as_ref().ok());
        Evaluator {
            paths: paths.ok(),
            cfg,
            config_problem,
            agent: agent.to_owned(),
            protected,
            key: None,
            keep_open: false,
            cached: None,
        }
    }

    /// Keep the database connection open between calls (a long-lived process). It is opened
    /// now; if that fails, each call tries again.
    pub fn keep_open(mut self) -> Evaluator {
        self.keep_open = true;
        if let Some(paths) = self.paths.clone() {
            match self.writer(&paths, Duration::from_millis(self.cfg.lock_timeout_ms)) {
                Ok(mut store) => {
                    let _ = store.unlock();
                    self.cached = Some(store);
                }
                Err(e) => eprintln!("mcpproxy: flow database unavailable for now: {e:#}"),
            }
        }
        self
    }

    /// Run `write` under the lock: on the kept connection, or on one opened for it.
    fn with_writer<T>(
        &mut self,
        paths: &Paths,
        wait: Duration,
        write: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<T> {
        if !self.keep_open {
            let mut store = self.writer(paths, wait)?;
            return write(&mut store);
        }
        let mut store = match self.cached.take() {
            Some(mut s) => {
                s.lock(wait)?;
                s
            }
            None => self.writer(paths, wait)?,
        };
        let result = write(&mut store);
        let _ = store.unlock();
        if result.is_ok() {
            self.cached = Some(store);
        }
        result
    }

    pub fn paths(&self) -> Option<&Paths> {
        self.paths.as_ref()
    }

    /// Whether the session is known to hold private data (its marker exists).
    pub fn session_holds(&self, session_id: &str) -> bool {
        self.paths.as_ref().is_some_and(|p| home::session_holds(p, session_id))
    }

    /// The proxy's side of hook/proxy linking: a hook session that announced this exact MCP
    /// call links its session to the proxy's for good (best effort).
    pub fn link_correlated(&mut self, exposed: &str, args: &serde_json::Value, proxy_session: &str) {
        let Some(paths) = self.paths.clone() else { return };
        let hash = crate::flow::correlate::call_hash(exposed, args);
        let _ = self.with_writer(&paths, PRE_LOCK_WAIT, |store| {
            if let Some(hook_session) = store.take_correlation(&hash, now_ms())? {
                store.link_sessions(&hook_session, proxy_session, "proxy", now_secs())?;
            }
            Ok(())
        });
    }

    /// The proxy's side: remember the tools it exposes and the real server behind each.
    pub fn register_proxy_tools(&mut self, tools: &[(String, String, String, Option<String>)]) {
        let Some(paths) = self.paths.clone() else { return };
        let wait = Duration::from_millis(self.cfg.lock_timeout_ms);
        if let Err(e) = self.with_writer(&paths, wait, |store| store.register_proxy_tools(tools, now_secs())) {
            eprintln!("mcpproxy proxy: could not record the tool list: {e:#}");
        }
    }

    /// A hook sees a proxied tool under the proxy's name: classify it by the real server the
    /// proxy recorded (or, without a record, by the `server__tool` name a multi-server proxy
    /// exposes).
    fn resolve_proxied(&self, paths: &Paths, call: &Call) -> Option<Call> {
        let Tool::Mcp { tool, .. } = &call.tool else { return None };
        if self.agent == "proxy" {
            return None;
        }
        let recorded = Store::open_snapshot(paths).ok().flatten().and_then(|s| s.proxied_tool(tool).ok().flatten());
        let (server, real_tool, annotations) = match recorded {
            Some((server, real, ann)) => (server, real, ann.and_then(|a| serde_json::from_str(&a).ok())),
            None => {
                let (server, real) = tool.split_once("__").filter(|(s, t)| !s.is_empty() && !t.is_empty())?;
                (server.to_owned(), real.to_owned(), None)
            }
        };
        let mut resolved = call.clone();
        resolved.tool = Tool::Mcp { server, tool: real_tool };
        resolved.annotations = annotations;
        Some(resolved)
    }

    /// Evaluate one call; never fails: a fault is answered by [`Evaluator::fail_safe`].
    pub fn evaluate(&mut self, call: &Call, started: Instant) -> Verdict {
        if let Some(problem) = self.config_problem.clone() {
            eprintln!("mcpproxy: {problem}");
            self.log_error(call, &problem, "evaluated with the defaults", started);
        }
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.try_evaluate(call, started)));
        match caught {
            Ok(Ok(verdict)) => verdict,
            Ok(Err(e)) => self.fail_safe(call, &format!("{e:#}"), started),
            Err(_) => self.fail_safe(call, PANIC_PROBLEM, started),
        }
    }

    fn try_evaluate(&mut self, call: &Call, started: Instant) -> Result<Verdict> {
        // Lets the tests prove that a panic is answered like any other failure.
        #[cfg(debug_assertions)]
        if std::env::var_os("MCPPROXY_DEBUG_PANIC").is_some() {
            PANIC_DENIES.store(
                call.phase == Phase::Before && (self.cfg.fail_closed || self.session_holds(&call.session_id)),
                std::sync::atomic::Ordering::SeqCst,
            );
            panic!("MCPPROXY_DEBUG_PANIC is set");
        }
        // Lets the tests prove the deadline: an evaluation that takes this long.
        #[cfg(debug_assertions)]
        if let Some(ms) = std::env::var("MCPPROXY_DEBUG_SLOW_MS").ok().and_then(|v| v.parse().ok()) {
            std::thread::sleep(Duration::from_millis(ms));
        }
        let paths = self.paths.clone().context("cannot find mcpproxy's state directory; set MCPPROXY_HOME")?;
        if call.phase == Phase::Before {
            let mut protected = self.protected.clone();
            protected.project_hook_files = project_hook_files(call.cwd.as_deref());
            if matches!(&call.tool, Tool::Shell { command } if command.contains("git")) {
                protected.hook_files_in_git =
                    protected.project_hook_files.iter().map(|f| (f.clone(), in_git(f))).collect();
            }
            protected
                .paths
                .extend(mcp_lists_through_proxy(call.cwd.as_deref()).into_iter().map(|p| (p, Guarded::McpConfig)));
            if let Some(verdict) = protect::check(call, &protected) {
                let mut outcome = Outcome::silent();
                outcome.verdict = verdict.clone();
                self.persist(&paths, call, &outcome, started);
                return Ok(verdict);
            }
        }
        // Persisting keeps the call as the agent named it (the proxy links by that name).
        let as_named = call;
        let resolved = self.resolve_proxied(&paths, call);
        let call = resolved.as_ref().unwrap_or(call);
        let key = self.key(&paths)?;
        let (_, prepared) = engine::prepare(call, &self.cfg, key);
        let needs = prepared.needs(call, &self.cfg);
        let reaches_out = matches!(prepared, Prepared::Sink(Some(_)));
        let view = match (&self.cached, needs) {
            (_, Needs::Nothing) => SessionView::default(),
            (Some(store), _) => {
                check_key(store, key)?;
                let needs = narrowed(store, call, needs, &prepared, &self.cfg)?;
                let mut view = store.load_view(&call.session_id, needs).context("loading session records")?;
                view.approvals = store.approvals_for(&call.session_id, call.cwd.as_deref())?;
                view.egress_tails = store.load_egress_tails(&call.session_id).context("loading egress tails")?;
                add_spooled(&paths, call, &mut view);
                view
            }
            (None, _) => read_view(&paths, call, needs, &prepared, &self.cfg, self.on_corrupt(), key)?,
        };
        if reaches_out && view.sources.is_empty() && home::session_holds(&paths, &call.session_id) {
            anyhow::bail!(
                "the flow database has no records of this session although it read private data \
                 (database deleted, replaced or unreadable)"
            );
        }
        let outcome = engine::decide(call, prepared, &view, &self.cfg, key);
        if let Some(src) = &outcome.new_source {
            let holds = !src.content.is_empty() || !src.secrets.is_empty() || call.cut.is_some();
            if src.origin == Origin::Private && holds {
                // Before the write: knowing the session holds something must survive it failing.
                // (A failure here means the state directory is not writable: the write below
                // fails too and says so in its one line.)
                let _ = home::mark_holding(&paths, &call.session_id);
            }
        }
        let activity_id = self.persist(&paths, as_named, &outcome, started);
        Ok(self.answer(outcome, activity_id))
    }

    /// The verdict as the agent gets it: with the user's way to approve it, and nothing at all
    /// in monitor mode (the decision is logged, the call goes on).
    fn answer(&self, outcome: Outcome, activity_id: Option<i64>) -> Verdict {
        if self.cfg.monitor && outcome.verdict != Verdict::Silent {
            eprintln!(
                "mcpproxy (monitor mode): would {}: {}",
                outcome.verdict.label(),
                outcome.verdict.reason().unwrap_or_default()
            );
            return Verdict::Silent;
        }
        let approvable = outcome.hits.iter().any(|h| h.action != crate::config::Action::Allow);
        let how = match activity_id {
            Some(id) if approvable => {
                format!(" If this is a false positive, the user can run `mcpproxy allow {id}` in a terminal.")
            }
            _ => String::new(),
        };
        match outcome.verdict {
            Verdict::Deny(r) => Verdict::Deny(format!("{r}{how}")),
            Verdict::Ask(r) => Verdict::Ask(format!("{r}{how}")),
            Verdict::Silent => Verdict::Silent,
        }
    }

    /// The fingerprint key: from its file, created (under the lock) on first use.
    fn key(&mut self, paths: &Paths) -> Result<u64> {
        if let Some(k) = self.key {
            return Ok(k);
        }
        let key = match home::read_key(paths)? {
            Some(k) => k,
            None => {
                let store = self.writer(paths, Duration::from_millis(self.cfg.lock_timeout_ms))?;
                let (key, lost) = store.ensure_key(paths)?;
                if lost {
                    eprintln!(
                        "mcpproxy: fingerprint key {} was missing; a new key was made and earlier records can no longer be matched",
                        paths.key_file().display()
                    );
                }
                key
            }
        };
        self.key = Some(key);
        Ok(key)
    }

    fn on_corrupt(&self) -> OnCorrupt {
        if self.cfg.fail_closed {
            OnCorrupt::Fail
        } else {
            OnCorrupt::StartFresh
        }
    }

    fn writer(&self, paths: &Paths, wait: Duration) -> Result<Store> {
        Store::open_writer(paths, wait, self.on_corrupt())
    }

    /// Write the outcome and its activity row under the lock; when the lock or the write fails,
    /// spool it so nothing is lost.
    /// Returns the activity row's id when it was written.
    fn persist(&mut self, paths: &Paths, call: &Call, outcome: &Outcome, started: Instant) -> Option<i64> {
        let decision = match call.phase {
            Phase::Before => outcome.verdict.decision_kind(),
            Phase::After | Phase::AfterFailure => Decision::Record,
        };
        let wait = match call.phase {
            Phase::Before => PRE_LOCK_WAIT,
            _ => Duration::from_millis(self.cfg.lock_timeout_ms.min(self.cfg.deadline_ms / 2)),
        };
        let (agent, cfg) = (self.agent.clone(), self.cfg.clone());
        let key = self.key;
        let written = self.with_writer(paths, wait, |store| {
            // A writer outside mcpproxy's lock (an SQLite transaction of another process) delays
            // the write no longer than the lock may: past it the record is spooled.
            store.conn.busy_timeout(wait).context("setting the database busy timeout")?;
            if let Some(k) = key {
                if !check_key(store, k)? {
                    store.set_key_check(key_check_value(k))?;
                }
            }
            ingest_spool(paths, store);
            // A call let through by the user's approval says so in the log.
            let approved = crate::flow::policy::approved_reason(&outcome.hits, &call.label);
            let reason = outcome.verdict.reason().or(approved.as_deref());
            let entry = activity_entry(call, &agent, decision, reason, started);
            let activity_id = store.save(&entry, outcome).context("saving evaluation")?;
            let call_hash = crate::flow::correlate::call_hash(&call.label, &call.input);
            match (call.phase, &outcome.verdict) {
                // Remember the question: if the call then runs, the user said yes.
                (Phase::Before, Verdict::Ask(_)) => {
                    store.record_ask(&call.session_id, &call_hash, activity_id, now_secs()).context("recording ask")?
                }
                (Phase::After, _) => {
                    store.accept_ask(&call.session_id, &call_hash, now_secs()).context("accepting ask")?;
                }
                _ => {}
            }
            if call.phase == Phase::Before {
                // Announce MCP calls so a proxy serving the same call can link its session to ours.
                if let Tool::Mcp { tool, .. } = &call.tool {
                    let hash = crate::flow::correlate::call_hash(tool, &call.input);
                    store.record_correlation(&hash, &call.session_id, now_ms()).context("recording MCP call")?;
                }
            }
            let ttl = cfg.session_ttl_hours as i64 * 3600;
            let pruned = store.prune_if_due(now_secs(), ttl, cfg.max_activity_rows).context("pruning")?;
            if !pruned.is_empty() {
                for id in &pruned {
                    home::unmark(paths, id);
                }
                home::prune_markers(paths, ttl as u64);
            }
            Ok(activity_id)
        });
        if let Err(e) = &written {
            let record = Spooled {
                session_id: call.session_id.clone(),
                agent: self.agent.clone(),
                created_at: now_secs(),
                event: phase_name(call.phase).to_owned(),
                tool: call.label.clone(),
                decision: decision.as_str().to_owned(),
                reason: outcome.verdict.reason().map(str::to_owned),
                source: outcome.new_source.clone(),
                taints: outcome.taints.clone(),
                coverage: outcome.coverage.clone(),
            };
            let kept = home::spool(paths, &record);
            // A Pre's row kept in the spool under a busy lock is no failure: its decision stands
            // and the row lands with the next write. Anything else is said.
            let busy = format!("{e:#}").contains("lock still held");
            if kept.is_err() || call.phase != Phase::Before || !busy {
                let what = if kept.is_ok() { "kept in the spool for the next write" } else { "lost" };
                eprintln!("mcpproxy: could not write the {} record ({what}): {e:#}", decision.as_str());
            }
            if kept.is_err() && record.source.is_some() {
                let _ = home::mark_holding(paths, &call.session_id);
            }
        }
        written.ok()
    }

    /// The answer when evaluation failed: in a session that holds private data (or under
    /// `fail_closed`), a call that may reach outside is denied; otherwise no opinion. Always one
    /// stderr line and, where the database takes it, an error row.
    pub fn fail_safe(&mut self, call: &Call, problem: &str, started: Instant) -> Verdict {
        if problem != PANIC_PROBLEM {
            // (A panic already printed its line.)
            eprintln!("mcpproxy: {problem}");
        }
        let holds = self.session_holds(&call.session_id);
        if call.phase != Phase::Before {
            // A record that could not be made: the session must stay "holding".
            let private = engine::prepare(call, &self.cfg, 0).0.source == Some(Origin::Private);
            if private {
                if let Some(p) = &self.paths {
                    let _ = home::mark_holding(p, &call.session_id);
                }
            }
            self.log_error(call, problem, "not recorded; session marked as holding private data", started);
            return Verdict::Silent;
        }
        let verdict = fail_safe_verdict(call, &self.cfg, holds, problem);
        let answered = match &verdict {
            Verdict::Deny(_) => "denied (fail-safe)",
            _ => "no opinion (the session holds no private data)",
        };
        self.log_error(call, problem, answered, started);
        verdict
    }

    /// Best effort: an activity row with decision `error`.
    fn log_error(&mut self, call: &Call, problem: &str, answered: &str, started: Instant) {
        let Some(paths) = self.paths.clone() else { return };
        let agent = self.agent.clone();
        let reason = format!("{problem}; {answered}");
        let entry = activity_entry(call, &agent, Decision::Error, Some(&reason), started);
        // A database found corrupt is not replaced just to log this.
        let fail_closed = std::mem::replace(&mut self.cfg.fail_closed, true);
        let _ = self.with_writer(&paths, PRE_LOCK_WAIT, |store| store.log_activity(&entry));
        self.cfg.fail_closed = fail_closed;
    }
}

/// The protected set on this machine: the state and config directories, the key, this binary
/// and every agent's user-level hook settings (project-level ones are matched by name).
pub fn discover_protected(paths: Option<&Paths>) -> Protected {
    let home_dir = std::env::var_os("HOME").map(|h| h.to_string_lossy().into_owned()).filter(|h| !h.is_empty());
    let mut out = Protected {
        home_dir: home_dir.clone(),
        paths: Vec::new(),
        settings_suffixes: protect::SETTINGS_SUFFIXES.iter().map(|s| s.to_string()).collect(),
        project_hook_files: Vec::new(),
        hook_files_in_git: Vec::new(),
    };
    let text = |p: &std::path::Path| p.to_string_lossy().into_owned();
    if let Some(paths) = paths {
        for (p, kind) in [
            (&paths.data_dir, Guarded::State),
            (&paths.key_file(), Guarded::Key),
            (&paths.config_file(), Guarded::Config),
            (&paths.config_dir, Guarded::State),
            (&home::mirror_dir(paths), Guarded::State),
        ] {
            out.paths.push((text(p), kind));
            // The same place as the OS names it (a symlinked home, `/private/var` on macOS).
            if let Ok(real) = std::fs::canonicalize(p) {
                if real != *p {
                    out.paths.push((text(&real), kind));
                }
            }
        }
    }
    if let Ok(exe) = std::env::current_exe() {
        out.paths.push((text(&exe), Guarded::Binary));
    }
    if let Some(h) = &home_dir {
        for rel in
            [".claude/settings.json", ".claude/settings.local.json", ".codex/hooks.json", ".gemini/settings.json"]
        {
            out.paths.push((format!("{h}/{rel}"), Guarded::AgentSettings));
        }
    }
    out
}

/// MCP server lists that run servers through `mcpproxy proxy`: the project's (in `cwd` or the
/// folders above it) and the user's. Replacing one takes its servers out from behind the proxy.
fn mcp_lists_through_proxy(cwd: Option<&str>) -> Vec<String> {
    // (`.claude.json`, `.gemini/settings.json` and `.codex/config.toml` are hook settings too,
    // guarded as such.)
    const PROJECT_LISTS: &[&str] = &[".mcp.json", ".cursor/mcp.json", ".vscode/mcp.json"];
    const USER_LISTS: &[&str] = &[".cursor/mcp.json"];
    let mut candidates: Vec<std::path::PathBuf> = Vec::new();
    if let Some(cwd) = cwd {
        for dir in std::path::Path::new(cwd).ancestors().take(6) {
            candidates.extend(PROJECT_LISTS.iter().map(|rel| dir.join(rel)));
        }
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        candidates.extend(USER_LISTS.iter().map(|rel| std::path::Path::new(&home).join(rel)));
    }
    candidates.into_iter().filter(|file| names_mcpproxy(file)).map(|file| file.to_string_lossy().into_owned()).collect()
}

/// A small settings file whose text names mcpproxy (a huge one is not read here).
fn names_mcpproxy(file: &std::path::Path) -> bool {
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.len() < 1 << 20)
        && std::fs::read_to_string(file).is_ok_and(|t| t.contains("mcpproxy"))
}

/// What `git status` says of `file` (run in its folder; no git, no repository: outside).
fn in_git(file: &str) -> protect::InGit {
    let path = std::path::Path::new(file);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return protect::InGit::Outside };
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["status", "--porcelain", "--ignored", "--"])
        .arg(name)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => match o.stdout.get(..2) {
            None => protect::InGit::Committed,
            Some(b"??") | Some(b"!!") => protect::InGit::Outside,
            Some(_) => protect::InGit::Changed,
        },
        _ => protect::InGit::Outside,
    }
}

/// Project hook settings that run mcpproxy in `cwd` or the folders above it (a few levels).
fn project_hook_files(cwd: Option<&str>) -> Vec<String> {
    const PROJECT_SETTINGS: &[&str] = &[
        ".claude/settings.json",
        ".claude/settings.local.json",
        ".codex/hooks.json",
        ".codex/config.toml",
        ".gemini/settings.json",
        ".cursor/hooks.json",
    ];
    let Some(cwd) = cwd else { return Vec::new() };
    let mut found = Vec::new();
    for dir in std::path::Path::new(cwd).ancestors().take(6) {
        for rel in PROJECT_SETTINGS {
            let file = dir.join(rel);
            if names_mcpproxy(&file) {
                found.push(file.to_string_lossy().into_owned());
            }
        }
    }
    found
}

/// The fail-safe verdict for a call that could not be evaluated (also used when the deadline
/// passes): deny when the call may reach outside and the session holds private data or the
/// config says `fail_closed`.
pub fn fail_safe_verdict(call: &Call, cfg: &Config, session_holds: bool, problem: &str) -> Verdict {
    if call.phase != Phase::Before || !(cfg.fail_closed || session_holds) {
        return Verdict::Silent;
    }
    if !matches!(engine::prepare(call, cfg, 0).1, Prepared::Sink(Some(_))) {
        return Verdict::Silent;
    }
    Verdict::Deny(fail_safe_reason(cfg.fail_closed, problem))
}

/// The reason of a fail-safe deny.
pub fn fail_safe_reason(fail_closed: bool, problem: &str) -> String {
    let why = if fail_closed { "fail_closed is set" } else { "this session has read private data" };
    format!(
        "mcpproxy blocked (fail-safe): the call could not be checked ({problem}) and {why}. \
         Run `mcpproxy hook status` in a terminal to see and fix the problem; do not retry."
    )
}

/// The activity row of an evaluation of `call`.
fn activity_entry<'a>(
    call: &'a Call,
    agent: &'a str,
    decision: Decision,
    reason: Option<&'a str>,
    started: Instant,
) -> ActivityEntry<'a> {
    ActivityEntry {
        now: now_secs(),
        session_id: &call.session_id,
        agent,
        event: phase_name(call.phase),
        tool: &call.label,
        decision,
        reason,
        latency_us: started.elapsed().as_micros() as i64,
    }
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Before => "PreToolUse",
        Phase::After => "PostToolUse",
        Phase::AfterFailure => "PostToolUseFailure",
    }
}

/// The session's records from a snapshot (no lock), plus what is waiting in the spool.
/// The keyed value that tells which key the records were made with.
fn key_check_value(key: u64) -> i64 {
    crate::flow::fingerprint::window_hashes(b"mcpproxy fingerprint key check", 30, key)[0] as i64
}

/// A key file replaced by other bytes would make every record silently unmatchable. Returns
/// whether the database has a check value yet.
fn check_key(store: &Store, key: u64) -> Result<bool> {
    match store.key_check()? {
        Some(check) if check != key_check_value(key) => anyhow::bail!(
            "the fingerprint key file does not belong to this database (replaced?): its records cannot be matched"
        ),
        check => Ok(check.is_some()),
    }
}

/// The records a decision needs, narrowed by the session's content filter: when the grams it
/// lets pass could not make the content check act, the fingerprints are not loaded (their
/// load is what grows with the session).
fn narrowed(store: &Store, call: &Call, needs: Needs, prepared: &Prepared, cfg: &Config) -> Result<Needs> {
    if needs != Needs::WithContent {
        return Ok(needs);
    }
    let probe = prepared.content_probe();
    let passing = store.content_passing(&call.session_id, &probe).context("probing the content filter")?;
    Ok(match passing {
        Some(passing) if !prepared.content_may_matter(cfg, &passing) => Needs::Records,
        _ => needs,
    })
}

fn read_view(
    paths: &Paths,
    call: &Call,
    needs: Needs,
    prepared: &Prepared,
    cfg: &Config,
    on_corrupt: OnCorrupt,
    key: u64,
) -> Result<SessionView> {
    let load = |store: Store| -> Result<SessionView> {
        check_key(&store, key)?;
        let needs = narrowed(&store, call, needs, prepared, cfg)?;
        let mut view = store.load_view(&call.session_id, needs).context("loading session records")?;
        view.approvals = store.approvals_for(&call.session_id, call.cwd.as_deref()).context("loading approvals")?;
        view.egress_tails = store.load_egress_tails(&call.session_id).context("loading egress tails")?;
        Ok(view)
    };
    let mut view = match Store::open_snapshot(paths) {
        Ok(Some(store)) => load(store)?,
        Ok(None) => SessionView::default(),
        // An old schema is migrated by a writer, once; a corrupt file is dealt with by one.
        Err(e) if needs_writer(&e) => load(Store::open_writer(paths, PRE_LOCK_WAIT * 4, on_corrupt)?)?,
        Err(e) => return Err(e),
    };
    add_spooled(paths, call, &mut view);
    Ok(view)
}

fn add_spooled(paths: &Paths, call: &Call, view: &mut SessionView) {
    for (_, rec) in home::spooled(paths, Some(&call.session_id)) {
        view.add_spooled(rec.source, rec.taints);
    }
}

fn needs_writer(e: &anyhow::Error) -> bool {
    let corrupt = e.chain().any(|c| {
        c.downcast_ref::<rusqlite::Error>().is_some_and(|e| {
            matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
            )
        })
    });
    corrupt || e.to_string().contains("schema version")
}

/// Fold spooled records into the database (the caller holds the lock); files go once written.
fn ingest_spool(paths: &Paths, store: &mut Store) {
    for (file, rec) in home::spooled(paths, None) {
        let decision = Decision::ALL.into_iter().find(|d| d.as_str() == rec.decision).unwrap_or(Decision::Error);
        let entry = ActivityEntry {
            now: rec.created_at,
            session_id: &rec.session_id,
            agent: &rec.agent,
            event: &rec.event,
            tool: &rec.tool,
            decision,
            reason: rec.reason.as_deref(),
            latency_us: 0,
        };
        let mut outcome = Outcome::silent();
        outcome.new_source = rec.source.clone();
        outcome.taints = rec.taints.clone();
        outcome.coverage = rec.coverage.clone();
        if store.save(&entry, &outcome).is_ok() {
            let _ = std::fs::remove_file(file);
        }
    }
}
