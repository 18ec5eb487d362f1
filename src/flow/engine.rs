//! The flow engine: pure functions from (event, session view, config) to (decision, records).
//! No stdin/stdout, no database, no clock: the caller loads the view and stores the outcome.

use crate::agent::{EventKind, HookEvent, Verdict};
use crate::config::{Action, Config};
use crate::flow::classify::{self, Origin, SinkClass, ToolClass};
use crate::flow::decode::{self, Limits};
use crate::flow::extract::{self, SinkField};
use crate::flow::fingerprint::{self, CONTENT_K, SECRET_K, WINNOW_W};
use crate::flow::hosts;
use crate::flow::policy::{self, FlowKind, Hit};
use crate::flow::secrets::{self, Category};
use crate::flow::shell;
use serde_json::Value;
use std::collections::HashMap;

/// A recorded source, as the engine needs it for provenance.
#[derive(Debug, Clone)]
pub struct SourceMeta {
    pub id: i64,
    pub tool: String,
    pub origin: Origin,
    pub location: String,
}

/// A secret seen in this session: window hashes of its core and which chars already left.
#[derive(Debug, Clone)]
pub struct SecretState {
    pub id: i64,
    pub source_id: i64,
    pub kind: String,
    pub category: String,
    pub windows: Vec<u64>,
    pub core_len: usize,
    /// One byte per core char: 1 when that char has already left the session.
    pub coverage: Vec<u8>,
}

/// Content fingerprints of one source.
#[derive(Debug, Clone)]
pub struct ContentIndex {
    pub source_id: i64,
    pub origin: Origin,
    /// Sorted.
    pub hashes: Vec<u64>,
}

/// A file this session wrote secret-bearing content into.
#[derive(Debug, Clone)]
pub struct Taint {
    pub path: String,
    pub kinds: String,
}

/// Everything recorded for a session (and the sessions linked to it).
#[derive(Debug, Clone, Default)]
pub struct SessionView {
    pub sources: HashMap<i64, SourceMeta>,
    pub secrets: Vec<SecretState>,
    pub content: Vec<ContentIndex>,
    pub taints: Vec<Taint>,
}

#[derive(Debug, Clone)]
pub struct NewSecret {
    pub kind: String,
    pub category: String,
    /// Keyed hash of the whole core: identifies the secret without storing it.
    pub ident: u64,
    pub core_len: usize,
    pub windows: Vec<u64>,
}

#[derive(Debug, Clone)]
pub struct NewSource {
    pub tool: String,
    pub origin: Origin,
    pub location: String,
    pub bytes: usize,
    /// Kinds of sensitive data found (secret kinds, `sensitive-path`).
    pub sensitivity: Vec<String>,
    pub content: Vec<u64>,
    pub secrets: Vec<NewSecret>,
}

/// What the caller must persist after an evaluation.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub verdict: Verdict,
    pub new_source: Option<NewSource>,
    pub taints: Vec<Taint>,
    /// Secret id -> new coverage bytes.
    pub coverage: Vec<(i64, Vec<u8>)>,
    pub hits: Vec<Hit>,
}

impl Outcome {
    fn silent() -> Outcome {
        Outcome { verdict: Verdict::Silent, new_source: None, taints: Vec::new(), coverage: Vec::new(), hits: Vec::new() }
    }
}

/// Evaluate one hook event against the session view.
pub fn process(event: &HookEvent, view: &SessionView, cfg: &Config, key: u64) -> Outcome {
    let class = classify::classify(&event.tool_name, event.server.as_deref(), &event.tool_input, cfg);
    process_classified(event, class, view, cfg, key)
}

/// Like [`process`] with the tool's class decided by the caller (the proxy classifies MCP
/// tools from their annotations).
pub fn process_classified(event: &HookEvent, class: ToolClass, view: &SessionView, cfg: &Config, key: u64) -> Outcome {
    match event.kind {
        EventKind::Pre => evaluate_sink(event, class, view, cfg, key),
        EventKind::Post | EventKind::PostFailure => observe(event, class, view, cfg, key),
    }
}

// ---------------------------------------------------------------------------------------------
// Sources

/// The bytes of a secret that identify it: PEM bodies without whitespace or escaped newlines.
fn secret_core(text: &str, f: &secrets::Finding) -> String {
    let core = &text[f.core_start..f.core_end];
    if f.category == Category::PrivateKey {
        core.replace("\\n", "").replace("\\r", "").chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        core.to_owned()
    }
}

fn new_secrets(text: &str, key: u64, into: &mut Vec<NewSecret>, kinds: &mut Vec<String>) {
    for f in secrets::scan(text) {
        let core = secret_core(text, &f);
        if core.len() < SECRET_K {
            continue;
        }
        let ident = fingerprint::window_hashes(core.as_bytes(), core.len(), key)[0];
        if into.iter().any(|s| s.ident == ident) {
            continue;
        }
        if !kinds.iter().any(|k| k == f.kind) {
            kinds.push(f.kind.to_owned());
        }
        into.push(NewSecret {
            kind: f.kind.to_owned(),
            category: f.category.as_str().to_owned(),
            ident,
            core_len: core.len(),
            windows: fingerprint::window_hashes(core.as_bytes(), SECRET_K, key),
        });
    }
}

/// Decoding limits for source text: shallower than sinks, since sources can be large.
fn source_limits() -> Limits {
    Limits { max_depth: 2, max_outputs: 64, max_output_bytes: 2 * 1024 * 1024 }
}

/// Source-side decoding undoes what a tool's output may carry encoded (base64, hex, gzip...);
/// the evasion layers (reflow, reversal, DNS labels) only make sense on sinks and would invent
/// spurious "secrets" out of joined tokens.
fn source_side_layer(d: &decode::Decoded) -> bool {
    !["whitespace", "reversed", "dns-labels"].iter().any(|l| d.encoding.contains(l))
}

fn observe(event: &HookEvent, class: ToolClass, view: &SessionView, cfg: &Config, key: u64) -> Outcome {
    let mut out = Outcome::silent();
    out.taints = taints_from_writes(event, view, key);
    let Some(origin) = class.source else {
        return out;
    };
    let text = match (&event.tool_response, &event.error) {
        (Some(resp), _) => extract::response_text(resp, cfg.max_source_bytes),
        (None, Some(err)) => err.chars().take(cfg.max_source_bytes).collect(),
        (None, None) => String::new(),
    };
    if text.trim().is_empty() {
        return out;
    }
    let mut content = fingerprint::content_fingerprints(&text, key);
    let mut found = Vec::new();
    let mut sensitivity = Vec::new();
    let location = extract::source_location(&event.tool_name, event.server.as_deref(), &event.tool_input);
    if origin == Origin::Private {
        new_secrets(&text, key, &mut found, &mut sensitivity);
        // Source-side decoding: `base64 < credentials` output carries the file.
        for d in decode::decode_all(&text, &source_limits()).into_iter().filter(source_side_layer) {
            new_secrets(&d.text, key, &mut found, &mut sensitivity);
            content.extend(fingerprint::content_fingerprints(&d.text, key));
        }
        content.sort_unstable();
        content.dedup();
        let path = event.tool_input.get("file_path").and_then(Value::as_str).unwrap_or("");
        if classify::is_sensitive_path(path) {
            sensitivity.push("sensitive-path".to_owned());
        }
    }
    out.new_source = Some(NewSource {
        tool: event.tool_name.clone(),
        origin,
        location,
        bytes: text.len(),
        sensitivity,
        content,
        secrets: found,
    });
    out
}

/// Secrets (detected, or known to this session) in `text`, as taint kinds.
fn secret_kinds_in(text: &str, view: &SessionView, key: u64) -> Vec<String> {
    let mut kinds: Vec<String> = secrets::scan(text)
        .into_iter()
        .filter(|f| matches!(f.category, Category::Secret | Category::PrivateKey))
        .map(|f| f.kind.to_owned())
        .collect();
    let map = window_map(view);
    if !map.is_empty() {
        let hashes = fingerprint::window_hashes(text.as_bytes(), SECRET_K, key);
        let mut matched: HashMap<usize, usize> = HashMap::new();
        for h in hashes {
            if let Some(entries) = map.get(&h) {
                for &(idx, _) in entries {
                    *matched.entry(idx).or_default() += 1;
                }
            }
        }
        for (idx, n) in matched {
            // n consecutive 8-char windows cover n + 7 chars.
            if n + SECRET_K - 1 >= 16.min(view.secrets[idx].core_len) {
                kinds.push(view.secrets[idx].kind.clone());
            }
        }
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

/// Files written with secret-bearing content (Write/Edit/NotebookEdit, shell redirects and
/// copies of sensitive files) become tainted: pushing them later is exfiltration.
fn taints_from_writes(event: &HookEvent, view: &SessionView, key: u64) -> Vec<Taint> {
    let mut taints = Vec::new();
    if event.kind != EventKind::Post {
        return taints;
    }
    for (path, content) in extract::written_content(&event.tool_name, &event.tool_input) {
        let kinds = secret_kinds_in(&content, view, key);
        if !path.is_empty() && !kinds.is_empty() {
            taints.push(Taint { path, kinds: kinds.join(",") });
        }
    }
    if matches!(event.tool_name.as_str(), "Bash" | "PowerShell") {
        if let Some(cmd) = event.tool_input.get("command").and_then(Value::as_str) {
            let facts = shell::analyze(cmd);
            if !facts.written_paths.is_empty() {
                let mut kinds = secret_kinds_in(cmd, view, key);
                if facts.read_paths.iter().any(|p| classify::is_sensitive_path(p)) {
                    kinds.push("sensitive-file-copy".to_owned());
                }
                if !kinds.is_empty() {
                    for p in facts.written_paths {
                        taints.push(Taint { path: p, kinds: kinds.join(",") });
                    }
                }
            }
        }
    }
    taints
}

// ---------------------------------------------------------------------------------------------
// Sinks

/// Where a sink call sends data.
struct Destination {
    /// Hosts, or a label such as `mcp server slack` when no host is known.
    labels: Vec<String>,
    /// Hosts that are real hostnames (for issuer/collector checks).
    hosts: Vec<String>,
    /// Some data goes where no hostname is known (an MCP server, a search engine, `curl $URL`).
    unknown: bool,
    all_local: bool,
}

impl Destination {
    /// Every destination is a host on the issuer's own domains for a credential of `kind`.
    fn only_issuer(&self, kind: &str, cfg: &Config) -> bool {
        let external: Vec<&String> = self.hosts.iter().filter(|h| !hosts::is_local(h, cfg)).collect();
        !self.unknown && !external.is_empty() && external.iter().all(|h| hosts::is_issuer(h, kind, cfg))
    }
}

fn destination(event: &HookEvent, class_source: Option<Origin>, fields: &[SinkField], cfg: &Config) -> Destination {
    let mut hosts: Vec<String> = Vec::new();
    let url_hosts = |hosts: &mut Vec<String>| {
        for f in fields {
            if let Some(h) = hosts::url_host(&f.text) {
                hosts.push(h);
            }
        }
    };
    let mut labels = Vec::new();
    match event.tool_name.as_str() {
        "WebFetch" => url_hosts(&mut hosts),
        "WebSearch" => labels.push("a web search engine".to_owned()),
        _ => {
            // Web retrievers send to the URL they are given; senders send to their server.
            if class_source == Some(Origin::Public) {
                url_hosts(&mut hosts);
            }
            if hosts.is_empty() {
                labels.push(match &event.server {
                    Some(s) => format!("mcp server {s}"),
                    None => event.tool_name.clone(),
                });
            }
        }
    }
    hosts.sort();
    hosts.dedup();
    let unknown = !labels.is_empty();
    let all_local = !unknown && !hosts.is_empty() && hosts.iter().all(|h| hosts::is_local(h, cfg));
    labels.extend(hosts.iter().map(|h| hosts::display_host(h)));
    Destination { labels, hosts, unknown, all_local }
}

fn shell_destination(facts: &shell::ShellFacts, cfg: &Config) -> Destination {
    let mut hosts: Vec<String> = facts.net.iter().flat_map(|n| n.hosts.iter().cloned()).collect();
    hosts.sort();
    hosts.dedup();
    let unknown = facts.net.iter().any(|n| n.hosts.is_empty() || n.hosts.iter().any(|h| h == "*"));
    let all_local = !unknown && !hosts.is_empty() && hosts.iter().all(|h| hosts::is_local(h, cfg));
    let mut labels: Vec<String> = hosts.iter().filter(|h| !hosts::is_local(h, cfg)).map(|h| hosts::display_host(h)).collect();
    if unknown {
        let tools: Vec<&str> = facts.net.iter().filter(|n| n.hosts.is_empty()).map(|n| n.tool.as_str()).collect();
        labels.push(format!("an unnamed host ({})", tools.join(", ")));
    }
    Destination { labels, hosts, unknown, all_local }
}

/// Window hash -> (secret index, offset in the core).
fn window_map(view: &SessionView) -> HashMap<u64, Vec<(usize, usize)>> {
    let mut map: HashMap<u64, Vec<(usize, usize)>> = HashMap::new();
    for (idx, s) in view.secrets.iter().enumerate() {
        for (off, h) in s.windows.iter().enumerate() {
            map.entry(*h).or_default().push((idx, off));
        }
    }
    map
}

/// One text to match: an argument as sent or one of its decoded forms.
struct Variant<'a> {
    field: &'a str,
    text: std::borrow::Cow<'a, str>,
    encoding: String,
}

fn variants(fields: &[SinkField]) -> Vec<Variant<'_>> {
    let mut out = Vec::new();
    let limits = Limits::default();
    for f in fields {
        out.push(Variant { field: &f.path, text: std::borrow::Cow::Borrowed(&f.text), encoding: "plain".into() });
        for d in decode::decode_all(&f.text, &limits) {
            out.push(Variant { field: &f.path, text: std::borrow::Cow::Owned(d.text), encoding: d.encoding });
        }
    }
    out
}

fn provenance(view: &SessionView, source_id: i64) -> String {
    match view.sources.get(&source_id) {
        Some(s) => format!("{} {}", s.tool, s.location),
        None => "an earlier tool call".to_owned(),
    }
}

/// Secret matches: per secret, the chars of its core this call carries.
struct SecretMatch {
    idx: usize,
    cov: Vec<u8>,
    field: String,
    encoding: String,
}

fn match_secrets(vars: &[Variant], view: &SessionView, key: u64) -> Vec<SecretMatch> {
    let map = window_map(view);
    if map.is_empty() {
        return Vec::new();
    }
    let mut by_secret: HashMap<usize, SecretMatch> = HashMap::new();
    for v in vars {
        let mut local: HashMap<usize, Vec<u8>> = HashMap::new();
        for h in fingerprint::window_hashes(v.text.as_bytes(), SECRET_K, key) {
            if let Some(entries) = map.get(&h) {
                for &(idx, off) in entries {
                    let cov = local.entry(idx).or_insert_with(|| vec![0; view.secrets[idx].core_len]);
                    for c in cov.iter_mut().skip(off).take(SECRET_K) {
                        *c = 1;
                    }
                }
            }
        }
        for (idx, cov) in local {
            let n: usize = cov.iter().map(|&c| c as usize).sum();
            let entry = by_secret.entry(idx).or_insert_with(|| SecretMatch {
                idx,
                cov: vec![0; cov.len()],
                field: v.field.to_owned(),
                encoding: v.encoding.clone(),
            });
            let before: usize = entry.cov.iter().map(|&c| c as usize).sum();
            for (a, b) in entry.cov.iter_mut().zip(&cov) {
                *a |= *b;
            }
            if n > before {
                entry.field = v.field.to_owned();
                entry.encoding = v.encoding.clone();
            }
        }
    }
    let mut out: Vec<SecretMatch> = by_secret.into_values().collect();
    out.sort_by_key(|m| m.idx);
    out
}

/// Content matches: private chars carried, per source, minus what public sources also hold.
struct ContentMatch {
    source_id: i64,
    chars: usize,
    field: String,
    encoding: String,
}

fn match_content(vars: &[Variant], view: &SessionView, key: u64) -> Vec<ContentMatch> {
    if !view.content.iter().any(|c| c.origin == Origin::Private) {
        return Vec::new();
    }
    let mut best: HashMap<i64, ContentMatch> = HashMap::new();
    for v in vars {
        let norm = fingerprint::normalize_content(&v.text);
        let grams = fingerprint::window_hashes(&norm, CONTENT_K, key);
        if grams.is_empty() {
            continue;
        }
        let public: Vec<bool> = grams
            .iter()
            .map(|h| view.content.iter().any(|c| c.origin == Origin::Public && c.hashes.binary_search(h).is_ok()))
            .collect();
        for idx in view.content.iter().filter(|c| c.origin == Origin::Private) {
            let positions: Vec<usize> = grams
                .iter()
                .enumerate()
                .filter(|(i, h)| !public[*i] && idx.hashes.binary_search(h).is_ok())
                .map(|(i, _)| i)
                .collect();
            if positions.is_empty() {
                continue;
            }
            let chars = fingerprint::covered_len(positions, CONTENT_K, WINNOW_W);
            let e = best.entry(idx.source_id).or_insert(ContentMatch {
                source_id: idx.source_id,
                chars: 0,
                field: v.field.to_owned(),
                encoding: v.encoding.clone(),
            });
            if chars > e.chars {
                e.chars = chars;
                e.field = v.field.to_owned();
                e.encoding = v.encoding.clone();
            }
        }
    }
    let mut out: Vec<ContentMatch> = best.into_values().collect();
    out.sort_by_key(|m| m.source_id);
    out
}

fn is_tainted<'v>(path: &str, view: &'v SessionView) -> Option<&'v Taint> {
    let p = path.trim_start_matches("./");
    view.taints.iter().find(|t| t.path == p || t.path.ends_with(&format!("/{p}")) || p.ends_with(&t.path))
}

fn evaluate_sink(event: &HookEvent, class: ToolClass, view: &SessionView, cfg: &Config, key: u64) -> Outcome {
    let mut out = Outcome::silent();
    let fields = extract::sink_fields(&event.tool_input, cfg.max_sink_bytes);
    let mut hits: Vec<Hit> = Vec::new();
    let dest = match class.sink {
        SinkClass::None | SinkClass::Local => return out,
        SinkClass::External => destination(event, class.source, &fields, cfg),
        SinkClass::Shell => {
            let cmd = event.tool_input.get("command").and_then(Value::as_str).unwrap_or("");
            let facts = shell::analyze(cmd);
            if facts.net.is_empty() && !facts.git_push {
                return out;
            }
            let dest = shell_destination(&facts, cfg);
            if dest.all_local {
                return out;
            }
            hits.extend(path_flows(&facts, view, cfg, &dest));
            dest
        }
    };
    if dest.all_local {
        return out;
    }
    let to = dest.labels.join(", ");
    let collector = dest.hosts.iter().find(|h| hosts::is_collector(h, cfg)).cloned();
    let vars = variants(&fields);

    for m in match_secrets(&vars, view, key) {
        let s = &view.secrets[m.idx];
        let call_chars: usize = m.cov.iter().map(|&c| c as usize).sum();
        if call_chars < cfg.min_fragment_chars.min(s.core_len) {
            continue;
        }
        // A credential going only to its own issuer is its intended use.
        if dest.only_issuer(&s.kind, cfg) {
            continue;
        }
        let mut total = s.coverage.clone();
        total.resize(s.core_len, 0);
        for (a, b) in total.iter_mut().zip(&m.cov) {
            *a |= *b;
        }
        let total_chars: usize = total.iter().map(|&c| c as usize).sum();
        let leaked = total_chars >= cfg.fragment_deny_chars.min(s.core_len);
        let kind = match (s.category.as_str(), leaked) {
            ("card" | "ssn", _) => FlowKind::CardSsn,
            ("pii", _) => FlowKind::Pii,
            (_, true) => FlowKind::Secret,
            (_, false) => FlowKind::SecretFragment,
        };
        let mut note = String::new();
        if total_chars > call_chars {
            note = format!("{total_chars} of {} chars have now left across calls", s.core_len);
        } else if call_chars < s.core_len {
            note = format!("fragment of {call_chars} of {} chars", s.core_len);
        }
        if let Some(brand) = dest.hosts.iter().find_map(|h| hosts::lookalike_brand(h)) {
            note = [note, format!("destination imitates {brand}")].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join("; ");
        }
        let action = match &collector {
            Some(_) => cfg.policy.collector.max_with(kind.action(cfg)),
            None => kind.action(cfg),
        };
        if action != Action::Deny {
            out.coverage.push((s.id, total));
        }
        hits.push(Hit {
            kind: if collector.is_some() && kind.action(cfg) != Action::Deny { FlowKind::Collector } else { kind },
            action,
            data: format!("{} ({})", s.kind, s.category),
            provenance: provenance(view, s.source_id),
            source_id: Some(s.source_id),
            field: m.field,
            encoding: m.encoding,
            destination: to.clone(),
            matched: call_chars,
            note,
        });
    }

    let content = match_content(&vars, view, key);
    let total_content: usize = content.iter().map(|c| c.chars).sum();
    for c in &content {
        let kind = if collector.is_some() {
            FlowKind::Collector
        } else if total_content >= cfg.content_ask_chars {
            FlowKind::PrivateContent
        } else {
            continue;
        };
        hits.push(Hit {
            kind,
            action: kind.action(cfg),
            data: format!("{} chars of private content", c.chars),
            provenance: provenance(view, c.source_id),
            source_id: Some(c.source_id),
            field: c.field.clone(),
            encoding: c.encoding.clone(),
            destination: to.clone(),
            matched: c.chars,
            note: if content.len() > 1 { format!("{total_content} chars from {} sources in all", content.len()) } else { String::new() },
        });
    }
    if let Some(c) = &collector {
        for h in hits.iter_mut().filter(|h| h.note.is_empty()) {
            h.note = format!("{} is a known data collector", hosts::display_host(c));
        }
    }
    out.verdict = policy::decide(&hits, &event.tool_name);
    out.hits = hits;
    out
}

/// Uploads by path, pipelines from sensitive or tainted files, and pushes of tainted commits.
fn path_flows(facts: &shell::ShellFacts, view: &SessionView, cfg: &Config, dest: &Destination) -> Vec<Hit> {
    let mut hits = Vec::new();
    let to = dest.labels.join(", ");
    let collector = dest.hosts.iter().any(|h| hosts::is_collector(h, cfg));
    let mut flow = |data: String, how: &str, field: &str| {
        let kind = FlowKind::FileTransfer;
        hits.push(Hit {
            kind,
            action: kind.action(cfg),
            data,
            provenance: how.to_owned(),
            source_id: None,
            field: field.to_owned(),
            encoding: "plain".into(),
            destination: to.clone(),
            matched: 0,
            note: String::new(),
        });
    };
    for n in &facts.net {
        if n.hosts.iter().all(|h| hosts::is_local(h, cfg)) && !n.hosts.is_empty() {
            continue;
        }
        for (paths, how) in [(&n.upload_paths, "an upload by path"), (&n.stdin_from, "a pipeline")] {
            for p in paths {
                if classify::is_sensitive_path(p) {
                    flow(format!("sensitive file {p}"), how, &format!("command ({})", n.tool));
                } else if let Some(t) = is_tainted(p, view) {
                    flow(format!("file {p} (holds {})", t.kinds), how, &format!("command ({})", n.tool));
                } else if collector {
                    flow(format!("file {p}"), how, &format!("command ({})", n.tool));
                }
            }
        }
    }
    if facts.git_push && !view.taints.is_empty() {
        let paths: Vec<&str> = view.taints.iter().map(|t| t.path.as_str()).take(3).collect();
        let kinds: Vec<&str> = view.taints.iter().map(|t| t.kinds.as_str()).take(3).collect();
        flow(
            format!("commits that may include {} (written this session with {})", paths.join(", "), kinds.join(", ")),
            "git push",
            "command (git push)",
        );
    }
    hits
}

trait MaxWith {
    fn max_with(self, other: Action) -> Action;
}

impl MaxWith for Action {
    fn max_with(self, other: Action) -> Action {
        let r = |a: Action| match a {
            Action::Deny => 2,
            Action::Ask => 1,
            Action::Allow => 0,
        };
        if r(other) > r(self) {
            other
        } else {
            self
        }
    }
}
