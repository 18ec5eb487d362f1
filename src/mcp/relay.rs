//! The relay loop. One thread owns all state (id maps, aggregations, tool metadata); reader
//! threads feed it lines through one channel. Legacy (handshake) era on both sides.

use crate::config::Action;
use crate::flow::call::Verdict;
use crate::mcp::guard::{Guard, ProxiedCall};
use crate::mcp::servers::ServerSpec;
use crate::mcp::upstream::{self, Event, Upstream};
use anyhow::{Context, Result};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Set by SIGTERM/SIGINT (through signal-hook); the relay loop polls it between events.
static TERMINATE: AtomicBool = AtomicBool::new(false);

const INIT_TIMEOUT: Duration = Duration::from_secs(15);
const PROTOCOL_VERSION: &str = "2025-11-25";

/// What a response from an upstream answers.
enum Pending {
    /// A client request routed as is: answer the client with its id.
    Forward { client_id: Value },
    /// A `tools/call`: record the result as a source, then answer the client.
    Call { client_id: Value, server: String, tool: String, exposed: String, args: Value },
    /// Our own `initialize` of this upstream.
    Init,
    /// One page of a fanned-out list request (`tries` so far: an upstream still processing
    /// `notifications/initialized` may refuse the first one).
    ListPage { agg: usize, method: String, tries: u8, cursor: Option<Value> },
}

/// A list request fanned out to every upstream.
struct Aggregate {
    client_id: Value,
    key: &'static str,
    waiting: usize,
    items: Vec<Value>,
}

/// A call waiting for the user's answer to an elicitation.
struct PendingAsk {
    client_id: Value,
    idx: usize,
    request: Value,
    call: (String, String, String, Value),
    reason: String,
}

struct ToolMeta {
    idx: usize,
    tool: String,
    annotations: Option<Value>,
}

pub struct Relay {
    ups: Vec<Upstream>,
    multi: bool,
    guard: Guard,
    out: std::io::Stdout,
    next_id: u64,
    pending: HashMap<(usize, String), Pending>,
    aggregates: HashMap<usize, Aggregate>,
    /// Our id for a server->client request -> (upstream, its id).
    server_requests: HashMap<String, (usize, Value)>,
    asks: HashMap<String, PendingAsk>,
    tools: HashMap<String, ToolMeta>,
    /// Resource URI -> upstream that listed it.
    resource_owner: HashMap<String, usize>,
    client_caps: Value,
    init_client_id: Option<Value>,
    init_started: Option<Instant>,
    init_waiting: Vec<usize>,
    init_results: HashMap<usize, Value>,
    initialized: Vec<bool>,
}

fn id_key(id: &Value) -> String {
    id.to_string()
}

fn error(id: Value, code: i64, message: &str, data: Option<Value>) -> Value {
    let mut e = json!({"code": code, "message": message});
    if let Some(d) = data {
        e["data"] = d;
    }
    json!({"jsonrpc": "2.0", "id": id, "error": e})
}

fn result(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// The tool result the client gets instead of a denied call.
pub fn denial(reason: &str) -> Value {
    json!({"content": [{"type": "text", "text": reason}], "isError": true})
}

/// Client capabilities as sent upstream: everything but `tasks` (task-augmented calls would
/// hide results from the flow engine).
fn upstream_caps(client: &Value) -> Value {
    let mut caps = client.clone();
    if let Some(o) = caps.as_object_mut() {
        o.remove("tasks");
    }
    caps
}

impl Relay {
    pub fn new(specs: &[ServerSpec], multi: bool, guard: Guard, events: mpsc::Sender<Event>) -> Result<Relay> {
        let mut ups = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            match Upstream::spawn(i, s, events.clone()) {
                Ok(u) => ups.push(u),
                Err(e) => {
                    upstream::shutdown(&mut ups);
                    return Err(e);
                }
            }
        }
        let n = ups.len();
        Ok(Relay {
            ups,
            multi,
            guard,
            out: std::io::stdout(),
            next_id: 0,
            pending: HashMap::new(),
            aggregates: HashMap::new(),
            server_requests: HashMap::new(),
            asks: HashMap::new(),
            tools: HashMap::new(),
            resource_owner: HashMap::new(),
            client_caps: json!({}),
            init_client_id: None,
            init_started: None,
            init_waiting: Vec::new(),
            init_results: HashMap::new(),
            initialized: vec![false; n],
        })
    }

    fn fresh_id(&mut self) -> Value {
        self.next_id += 1;
        Value::String(format!("mcpproxy-{}", self.next_id))
    }

    fn send_client(&mut self, msg: &Value) {
        let mut lock = self.out.lock();
        let _ = lock.write_all(msg.to_string().as_bytes());
        let _ = lock.write_all(b"\n");
        let _ = lock.flush();
    }

    /// Send a request upstream under a fresh id, remembering what it answers.
    fn request_upstream(&mut self, idx: usize, mut msg: Value, pending: Pending) -> bool {
        let id = self.fresh_id();
        msg["id"] = id.clone();
        if self.ups[idx].send(&msg) {
            self.pending.insert((idx, id_key(&id)), pending);
            true
        } else {
            false
        }
    }

    fn live(&self) -> Vec<usize> {
        (0..self.ups.len()).filter(|&i| self.ups[i].alive).collect()
    }

    /// Split an exposed name into (upstream, name at that upstream).
    fn route_name(&self, exposed: &str) -> Option<(usize, String)> {
        if let Some(meta) = self.tools.get(exposed) {
            return Some((meta.idx, meta.tool.clone()));
        }
        if !self.multi {
            return Some((0, exposed.to_owned()));
        }
        let (server, name) = exposed.split_once("__")?;
        let idx = self.ups.iter().position(|u| u.spec.name == server)?;
        Some((idx, name.to_owned()))
    }

    fn exposed_name(&self, idx: usize, name: &str) -> String {
        if self.multi {
            exposed(&self.ups[idx].spec.name, name)
        } else {
            name.to_owned()
        }
    }

    // ---- client -> proxy ---------------------------------------------------------------

    fn on_client_line(&mut self, line: &[u8]) {
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            return;
        }
        let msg: Value = match serde_json::from_slice(trimmed) {
            Ok(v) => v,
            Err(_) => return self.send_client(&error(Value::Null, -32700, "Parse error", None)),
        };
        if msg.is_array() {
            return self.send_client(&error(Value::Null, -32600, "Invalid Request: batches are not supported", None));
        }
        let method = msg.get("method").and_then(Value::as_str).map(str::to_owned);
        let id = msg.get("id").cloned();
        match (method, id) {
            (Some(m), Some(id)) => self.on_client_request(&m, id, msg),
            (Some(m), None) => self.on_client_notification(&m, msg),
            (None, Some(id)) => self.on_client_response(id, msg),
            (None, None) => self.send_client(&error(Value::Null, -32600, "Invalid Request", None)),
        }
    }

    fn on_client_request(&mut self, method: &str, id: Value, msg: Value) {
        let params = msg.get("params").cloned().unwrap_or(Value::Null);
        match method {
            "initialize" => self.start_initialize(id, &params),
            "server/discover" => self.send_client(&error(id, -32601, "Method not found", None)),
            "ping" => self.send_client(&result(id, json!({}))),
            "tools/list" => self.fan_out(id, method, "tools", &msg),
            "prompts/list" => self.fan_out(id, method, "prompts", &msg),
            "resources/list" => self.fan_out(id, method, "resources", &msg),
            "resources/templates/list" => self.fan_out(id, method, "resourceTemplates", &msg),
            "tools/call" => self.on_tools_call(id, msg),
            "prompts/get" => {
                let name = params.get("name").and_then(Value::as_str).unwrap_or("");
                match self.route_prefixed(name) {
                    Some((idx, orig)) => {
                        let mut m = msg.clone();
                        m["params"]["name"] = Value::String(orig);
                        self.forward_checked(idx, id, m, "get_prompt");
                    }
                    None => self.send_client(&error(id, -32602, &format!("Unknown prompt: {name}"), None)),
                }
            }
            "resources/read" | "resources/subscribe" | "resources/unsubscribe" => {
                let uri = params.get("uri").and_then(Value::as_str).unwrap_or("");
                let idx = self.resource_owner.get(uri).copied().or(if self.multi { None } else { Some(0) });
                match idx {
                    Some(idx) if method == "resources/read" => self.forward_checked(idx, id, msg, "read_resource"),
                    Some(idx) => self.forward(idx, id, msg),
                    None => self.send_client(&error(id, -32002, &format!("Resource not found: {uri}"), None)),
                }
            }
            "completion/complete" => {
                let r = params.get("ref").cloned().unwrap_or(Value::Null);
                let target = match r.get("type").and_then(Value::as_str) {
                    Some("ref/prompt") => self
                        .route_prefixed(r.get("name").and_then(Value::as_str).unwrap_or(""))
                        .map(|(i, n)| (i, Some(n))),
                    _ => {
                        let uri = r.get("uri").and_then(Value::as_str).unwrap_or("");
                        self.resource_owner
                            .iter()
                            .find(|(k, _)| uri.starts_with(k.split('{').next().unwrap_or(k)))
                            .map(|(_, &i)| (i, None))
                            .or(if self.multi { None } else { Some((0, None)) })
                    }
                };
                match target {
                    Some((idx, name)) => {
                        let mut m = msg.clone();
                        if let Some(n) = name {
                            m["params"]["ref"]["name"] = Value::String(n);
                        }
                        self.forward_checked(idx, id, m, "complete");
                    }
                    None => self.send_client(&result(id, json!({"completion": {"values": [], "hasMore": false}}))),
                }
            }
            "logging/setLevel" => {
                for idx in self.live() {
                    if self.init_results.get(&idx).is_some_and(|r| r["capabilities"].get("logging").is_some()) {
                        let mut m = msg.clone();
                        m["id"] = self.fresh_id();
                        self.ups[idx].send(&m);
                    }
                }
                self.send_client(&result(id, json!({})));
            }
            _ if method.starts_with("tasks/") => self.send_client(&error(id, -32601, "Method not found", None)),
            _ => {
                if self.multi {
                    self.send_client(&error(id, -32601, "Method not found", None));
                } else {
                    self.forward(0, id, msg);
                }
            }
        }
    }

    fn route_prefixed(&self, name: &str) -> Option<(usize, String)> {
        if !self.multi {
            return Some((0, name.to_owned()));
        }
        let (server, rest) = name.split_once("__")?;
        let idx = self.ups.iter().position(|u| u.spec.name == server)?;
        Some((idx, rest.to_owned()))
    }

    /// A request whose parameters reach the upstream server (`prompts/get`, `resources/read`,
    /// `completion/complete`): checked like a tool call before it is forwarded, and what comes
    /// back is recorded as a source.
    fn forward_checked(&mut self, idx: usize, client_id: Value, msg: Value, label: &str) {
        let server = self.ups[idx].spec.name.clone();
        let args = msg.get("params").cloned().unwrap_or(Value::Null);
        let verdict = self.guard.check(&ProxiedCall {
            server: &server,
            tool: label,
            exposed: label,
            args: &args,
            annotations: None,
        });
        match verdict {
            Verdict::Silent => {
                let pending = Pending::Call {
                    client_id: client_id.clone(),
                    server,
                    tool: label.to_owned(),
                    exposed: label.to_owned(),
                    args,
                };
                if !self.request_upstream(idx, msg, pending) {
                    self.send_client(&error(client_id, -32603, "upstream is not running", None));
                }
            }
            Verdict::Deny(reason) | Verdict::Ask(reason) => {
                self.send_client(&error(client_id, -32001, &reason, Some(json!({"server": server}))))
            }
        }
    }

    fn forward(&mut self, idx: usize, client_id: Value, msg: Value) {
        if !self.request_upstream(idx, msg, Pending::Forward { client_id: client_id.clone() }) {
            let name = self.ups[idx].spec.name.clone();
            self.send_client(&error(
                client_id,
                -32603,
                &format!("upstream {name} is not running"),
                Some(json!({"server": name})),
            ));
        }
    }

    fn start_initialize(&mut self, id: Value, params: &Value) {
        self.client_caps = params.get("capabilities").cloned().unwrap_or(json!({}));
        let version = params.get("protocolVersion").and_then(Value::as_str).unwrap_or(PROTOCOL_VERSION).to_owned();
        let client_info = params
            .get("clientInfo")
            .cloned()
            .unwrap_or(json!({"name": "mcpproxy", "version": env!("CARGO_PKG_VERSION")}));
        self.init_client_id = Some(id);
        self.init_started = Some(Instant::now());
        self.init_waiting.clear();
        for idx in self.live() {
            let msg = json!({
                "jsonrpc": "2.0",
                "method": "initialize",
                "params": {"protocolVersion": version, "capabilities": upstream_caps(&self.client_caps), "clientInfo": client_info},
            });
            if self.request_upstream(idx, msg, Pending::Init) {
                self.init_waiting.push(idx);
            }
        }
        self.maybe_finish_initialize();
    }

    fn maybe_finish_initialize(&mut self) {
        let timed_out = self.init_started.is_some_and(|t| t.elapsed() > INIT_TIMEOUT);
        if !self.init_waiting.is_empty() && !timed_out {
            return;
        }
        let Some(client_id) = self.init_client_id.take() else { return };
        for idx in std::mem::take(&mut self.init_waiting) {
            eprintln!("mcpproxy proxy: upstream {} did not answer initialize in time", self.ups[idx].spec.name);
        }
        let mut caps = Map::new();
        let mut version = PROTOCOL_VERSION.to_owned();
        let mut instructions = Vec::new();
        let mut server_info = json!({"name": "mcpproxy", "version": env!("CARGO_PKG_VERSION")});
        for (idx, r) in self.init_results.iter() {
            if let Some(v) = r.get("protocolVersion").and_then(Value::as_str) {
                version = v.to_owned();
            }
            if let Some(i) = r.get("instructions").and_then(Value::as_str) {
                instructions.push(if self.multi {
                    format!("[{}] {i}", self.ups[*idx].spec.name)
                } else {
                    i.to_owned()
                });
            }
            if !self.multi {
                server_info = r.get("serverInfo").cloned().unwrap_or(server_info.clone());
            }
            if let Some(c) = r.get("capabilities").and_then(Value::as_object) {
                for (k, v) in c {
                    if k == "tasks" {
                        continue;
                    }
                    merge_capability(caps.entry(k.clone()).or_insert_with(|| json!({})), v);
                }
            }
        }
        let mut res = json!({"protocolVersion": version, "capabilities": caps, "serverInfo": server_info});
        if !instructions.is_empty() {
            res["instructions"] = Value::String(instructions.join("\n"));
        }
        self.send_client(&result(client_id, res));
    }

    fn fan_out(&mut self, id: Value, method: &str, key: &'static str, msg: &Value) {
        let targets: Vec<usize> = self
            .live()
            .into_iter()
            .filter(|i| {
                let cap = match key {
                    "tools" => "tools",
                    "prompts" => "prompts",
                    _ => "resources",
                };
                // Ask only upstreams that declared the capability (all of them if unknown).
                self.init_results.get(i).map(|r| r["capabilities"].get(cap).is_some()).unwrap_or(true)
            })
            .collect();
        if !self.multi {
            // One upstream: forward untouched (its cursors pass through), but learn the tools.
            if key == "tools" {
                let agg = self.next_id as usize + 1_000_000;
                self.aggregates.insert(agg, Aggregate { client_id: id.clone(), key, waiting: 1, items: Vec::new() });
                if !self.request_upstream(
                    0,
                    msg.clone(),
                    Pending::ListPage { agg, method: method.into(), tries: 0, cursor: None },
                ) {
                    self.aggregates.remove(&agg);
                    self.send_client(&error(id, -32603, "upstream is not running", None));
                }
            } else {
                self.forward(0, id, msg.clone());
            }
            return;
        }
        let agg = self.next_id as usize + 1_000_000;
        self.aggregates.insert(agg, Aggregate { client_id: id.clone(), key, waiting: 0, items: Vec::new() });
        for idx in targets {
            let req = json!({"jsonrpc": "2.0", "method": method, "params": {}});
            if self.request_upstream(idx, req, Pending::ListPage { agg, method: method.into(), tries: 0, cursor: None })
            {
                self.aggregates.get_mut(&agg).expect("aggregate").waiting += 1;
            }
        }
        self.maybe_finish_aggregate(agg);
    }

    fn maybe_finish_aggregate(&mut self, agg: usize) {
        if self.aggregates.get(&agg).is_some_and(|a| a.waiting == 0) {
            let a = self.aggregates.remove(&agg).expect("aggregate");
            let mut body = Map::new();
            body.insert(a.key.to_owned(), Value::Array(a.items));
            self.send_client(&result(a.client_id, Value::Object(body)));
        }
    }

    fn on_list_page(&mut self, idx: usize, agg: usize, method: String, msg: &Value) {
        let Some(key) = self.aggregates.get(&agg).map(|a| a.key) else { return };
        let page = msg.get("result").cloned().unwrap_or(Value::Null);
        let mut registered = Vec::new();
        if let Some(items) = page.get(key).and_then(Value::as_array) {
            for item in items {
                let mut item = item.clone();
                if let Some(name) = item.get("name").and_then(Value::as_str).map(str::to_owned) {
                    if key == "tools" || key == "prompts" {
                        let exposed = self.exposed_name(idx, &name);
                        if key == "tools" {
                            if let Some(o) = item.as_object_mut() {
                                o.remove("execution");
                            }
                            self.tools.insert(
                                exposed.clone(),
                                ToolMeta { idx, tool: name.clone(), annotations: item.get("annotations").cloned() },
                            );
                            registered.push((
                                exposed.clone(),
                                self.ups[idx].spec.name.clone(),
                                name.clone(),
                                item.get("annotations").map(|a| a.to_string()),
                            ));
                        }
                        item["name"] = Value::String(exposed);
                    }
                }
                if let Some(uri) = item.get("uri").or_else(|| item.get("uriTemplate")).and_then(Value::as_str) {
                    self.resource_owner.insert(uri.to_owned(), idx);
                }
                self.aggregates.get_mut(&agg).expect("aggregate").items.push(item);
            }
        }
        if !registered.is_empty() {
            // Hooks see these tools under the proxy's own name: tell them what is behind each.
            self.guard.register_tools(registered);
        }
        let next = page.get("nextCursor").filter(|c| !c.is_null()).cloned();
        if !self.multi {
            // Single upstream: pass the page through with its own cursor.
            let a = self.aggregates.remove(&agg).expect("aggregate");
            let mut res = page.clone();
            res[a.key] = Value::Array(a.items);
            if msg.get("error").is_some() {
                let mut m = msg.clone();
                m["id"] = a.client_id;
                return self.send_client(&m);
            }
            return self.send_client(&result(a.client_id, res));
        }
        match next {
            Some(cursor) => {
                let req = json!({"jsonrpc": "2.0", "method": method, "params": {"cursor": cursor}});
                if !self.request_upstream(
                    idx,
                    req,
                    Pending::ListPage { agg, method, tries: 0, cursor: Some(cursor.clone()) },
                ) {
                    self.aggregates.get_mut(&agg).expect("aggregate").waiting -= 1;
                }
            }
            None => self.aggregates.get_mut(&agg).expect("aggregate").waiting -= 1,
        }
        self.maybe_finish_aggregate(agg);
    }

    fn on_tools_call(&mut self, id: Value, msg: Value) {
        let params = msg.get("params").cloned().unwrap_or(Value::Null);
        let exposed = params.get("name").and_then(Value::as_str).unwrap_or("").to_owned();
        let Some((idx, tool)) = self.route_name(&exposed) else {
            return self.send_client(&error(id, -32602, &format!("Unknown tool: {exposed}"), None));
        };
        let args = params.get("arguments").cloned().unwrap_or(json!({}));
        let server = self.ups[idx].spec.name.clone();
        let annotations = self.tools.get(&exposed).and_then(|m| m.annotations.clone());
        let verdict = self.guard.check(&ProxiedCall {
            server: &server,
            tool: &tool,
            exposed: &exposed,
            args: &args,
            annotations: annotations.as_ref(),
        });
        let mut upstream_msg = msg.clone();
        upstream_msg["params"]["name"] = Value::String(tool.clone());
        if let Some(p) = upstream_msg["params"].as_object_mut() {
            p.remove("task");
        }
        match verdict {
            Verdict::Silent => self.send_call(idx, id, upstream_msg, (server, tool, exposed, args)),
            Verdict::Deny(reason) => self.send_client(&result(id, denial(&reason))),
            Verdict::Ask(reason) => {
                if self.client_caps.get("elicitation").is_some() {
                    let ask_id = self.fresh_id();
                    let question = json!({
                        "jsonrpc": "2.0",
                        "id": ask_id,
                        "method": "elicitation/create",
                        "params": {
                            "mode": "form",
                            "message": format!("{reason}\n\nAllow the call to {exposed}?"),
                            "requestedSchema": {"type": "object", "properties": {}},
                        }
                    });
                    self.asks.insert(
                        id_key(&ask_id),
                        PendingAsk {
                            client_id: id,
                            idx,
                            request: upstream_msg,
                            call: (server, tool, exposed, args),
                            reason,
                        },
                    );
                    self.send_client(&question);
                } else {
                    match self.guard.cfg.proxy_ask_fallback {
                        Action::Allow => self.send_call(idx, id, upstream_msg, (server, tool, exposed, args)),
                        _ => {
                            let text = format!("{reason} (This client cannot be asked: set \"proxy_ask_fallback\": \"allow\" in mcpproxy's config.json, or mark server `{server}` internal, to let such calls through.)");
                            self.send_client(&result(id, denial(&text)));
                        }
                    }
                }
            }
        }
    }

    fn send_call(&mut self, idx: usize, client_id: Value, msg: Value, call: (String, String, String, Value)) {
        let (server, tool, exposed, args) = call;
        let pending = Pending::Call { client_id: client_id.clone(), server: server.clone(), tool, exposed, args };
        if !self.request_upstream(idx, msg, pending) {
            self.send_client(&error(
                client_id,
                -32603,
                &format!("upstream {server} is not running"),
                Some(json!({"server": server})),
            ));
        }
    }

    fn on_client_notification(&mut self, method: &str, msg: Value) {
        match method {
            "notifications/initialized" => {
                for idx in self.live() {
                    if self.init_results.contains_key(&idx) && !self.initialized[idx] {
                        self.initialized[idx] = true;
                        self.ups[idx].send(&msg);
                    }
                }
            }
            "notifications/cancelled" => {
                let req = msg["params"]["requestId"].clone();
                let found = self.pending.iter().find_map(|(k, p)| match p {
                    Pending::Forward { client_id } | Pending::Call { client_id, .. } if *client_id == req => {
                        Some(k.clone())
                    }
                    _ => None,
                });
                if let Some((idx, upstream_id)) = found {
                    self.pending.remove(&(idx, upstream_id.clone()));
                    let mut m = msg.clone();
                    m["params"]["requestId"] = serde_json::from_str(&upstream_id).unwrap_or(Value::Null);
                    self.ups[idx].send(&m);
                }
            }
            _ if method.starts_with("notifications/tasks") => {}
            _ => {
                for idx in self.live() {
                    self.ups[idx].send(&msg);
                }
            }
        }
    }

    fn on_client_response(&mut self, id: Value, msg: Value) {
        let key = id_key(&id);
        if let Some(ask) = self.asks.remove(&key) {
            let action = msg["result"]["action"].as_str().unwrap_or("cancel");
            if action == "accept" {
                return self.send_call(ask.idx, ask.client_id, ask.request, ask.call);
            }
            let text = format!("{} (the user answered {action})", ask.reason);
            return self.send_client(&result(ask.client_id, denial(&text)));
        }
        if let Some((idx, original)) = self.server_requests.remove(&key) {
            // What the client answers a server's request (a sampling answer, an elicitation
            // form, roots) goes to that server: checked like a call to it.
            let server = self.ups[idx].spec.name.clone();
            let answer = msg.get("result").cloned().unwrap_or(Value::Null);
            let label = "client_answer";
            let verdict = self.guard.check(&ProxiedCall {
                server: &server,
                tool: label,
                exposed: label,
                args: &answer,
                annotations: None,
            });
            let mut m = msg.clone();
            m["id"] = original;
            if let Verdict::Deny(reason) | Verdict::Ask(reason) = verdict {
                m = error(m["id"].clone(), -32001, &reason, None);
            }
            self.ups[idx].send(&m);
        }
    }

    // ---- upstream -> proxy -------------------------------------------------------------

    fn on_upstream_line(&mut self, idx: usize, line: &[u8]) {
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            return;
        }
        let msg: Value = match serde_json::from_slice(trimmed) {
            Ok(v) => v,
            Err(_) => {
                eprintln!(
                    "mcpproxy proxy: upstream {} wrote a line that is not JSON; dropped",
                    self.ups[idx].spec.name
                );
                return;
            }
        };
        let method = msg.get("method").and_then(Value::as_str).map(str::to_owned);
        let id = msg.get("id").cloned();
        match (method, id) {
            (Some(m), Some(id)) => self.on_server_request(idx, &m, id, msg),
            (Some(m), None) => self.on_server_notification(idx, &m, msg),
            (None, Some(id)) => self.on_upstream_response(idx, id, msg),
            (None, None) => {}
        }
    }

    fn on_server_request(&mut self, idx: usize, method: &str, id: Value, msg: Value) {
        if method == "ping" {
            self.ups[idx].send(&result(id, json!({})));
            return;
        }
        let ours = Value::String(format!("{}-{}", self.ups[idx].spec.name, {
            self.next_id += 1;
            self.next_id
        }));
        self.server_requests.insert(id_key(&ours), (idx, id));
        let mut m = msg;
        m["id"] = ours;
        self.send_client(&m);
    }

    fn on_server_notification(&mut self, idx: usize, method: &str, msg: Value) {
        match method {
            "notifications/cancelled" => {
                // The upstream cancels one of its own requests to the client: map its id.
                let req = msg["params"]["requestId"].clone();
                let ours = self
                    .server_requests
                    .iter()
                    .find(|(_, (i, orig))| *i == idx && *orig == req)
                    .map(|(k, _)| k.clone());
                if let Some(k) = ours {
                    self.server_requests.remove(&k);
                    let mut m = msg.clone();
                    m["params"]["requestId"] = serde_json::from_str(&k).unwrap_or(Value::Null);
                    self.send_client(&m);
                }
            }
            _ if method.starts_with("notifications/tasks") => {}
            _ => self.send_client(&msg),
        }
    }

    fn on_upstream_response(&mut self, idx: usize, id: Value, msg: Value) {
        let Some(p) = self.pending.remove(&(idx, id_key(&id))) else { return };
        match p {
            Pending::Forward { client_id } => {
                let mut m = msg;
                m["id"] = client_id;
                self.send_client(&m);
            }
            Pending::Call { client_id, server, tool, exposed, args } => {
                // A JSON-RPC error's message is what the model sees too.
                if let Some(res) = msg.get("result").or_else(|| msg.get("error")) {
                    let call =
                        ProxiedCall { server: &server, tool: &tool, exposed: &exposed, args: &args, annotations: None };
                    let annotations = self.tools.get(&exposed).and_then(|m| m.annotations.clone());
                    let call = ProxiedCall { annotations: annotations.as_ref(), ..call };
                    self.guard.record(&call, res);
                }
                let mut m = msg;
                m["id"] = client_id;
                self.send_client(&m);
            }
            Pending::Init => {
                self.init_waiting.retain(|&i| i != idx);
                match msg.get("result") {
                    Some(r) => {
                        self.init_results.insert(idx, r.clone());
                    }
                    None => eprintln!(
                        "mcpproxy proxy: upstream {} refused initialize: {}",
                        self.ups[idx].spec.name, msg["error"]
                    ),
                }
                self.maybe_finish_initialize();
            }
            Pending::ListPage { agg, method, tries, cursor } => {
                if msg.get("error").is_some() && tries < 3 && self.multi {
                    eprintln!(
                        "mcpproxy proxy: upstream {} refused {method} ({}); retrying",
                        self.ups[idx].spec.name, msg["error"]
                    );
                    std::thread::sleep(Duration::from_millis(50 * (tries as u64 + 1)));
                    let mut params = json!({});
                    if let Some(c) = &cursor {
                        params["cursor"] = c.clone();
                    }
                    let req = json!({"jsonrpc": "2.0", "method": method, "params": params});
                    if self.request_upstream(
                        idx,
                        req,
                        Pending::ListPage { agg, method: method.clone(), tries: tries + 1, cursor },
                    ) {
                        return;
                    }
                }
                self.on_list_page(idx, agg, method, &msg)
            }
        }
    }

    fn on_upstream_eof(&mut self, idx: usize) {
        if !self.ups[idx].alive {
            return;
        }
        self.ups[idx].alive = false;
        let name = self.ups[idx].spec.name.clone();
        eprintln!("mcpproxy proxy: upstream {name} exited; its pending calls fail");
        let keys: Vec<(usize, String)> = self.pending.keys().filter(|(i, _)| *i == idx).cloned().collect();
        for k in keys {
            match self.pending.remove(&k) {
                Some(Pending::Forward { client_id }) | Some(Pending::Call { client_id, .. }) => {
                    self.send_client(&error(
                        client_id,
                        -32603,
                        &format!("upstream {name} exited"),
                        Some(json!({"server": name})),
                    ));
                }
                Some(Pending::Init) => {
                    self.init_waiting.retain(|&i| i != idx);
                    self.maybe_finish_initialize();
                }
                Some(Pending::ListPage { agg, .. }) => {
                    if let Some(a) = self.aggregates.get_mut(&agg) {
                        a.waiting = a.waiting.saturating_sub(1);
                    }
                    if !self.multi {
                        if let Some(a) = self.aggregates.remove(&agg) {
                            self.send_client(&error(
                                a.client_id,
                                -32603,
                                &format!("upstream {name} exited"),
                                Some(json!({"server": name})),
                            ));
                        }
                    } else {
                        self.maybe_finish_aggregate(agg);
                    }
                }
                None => {}
            }
        }
    }

    /// Run until the client closes stdin or a termination signal arrives.
    pub fn run(mut self, events: mpsc::Receiver<Event>) {
        loop {
            if TERMINATE.load(Ordering::SeqCst) {
                break;
            }
            match events.recv_timeout(Duration::from_millis(50)) {
                Ok(Event::ClientLine(l)) => self.on_client_line(&l),
                Ok(Event::ClientEof) => break,
                Ok(Event::UpstreamLine(i, l)) => self.on_upstream_line(i, &l),
                Ok(Event::UpstreamEof(i)) => self.on_upstream_eof(i),
                Err(RecvTimeoutError::Timeout) => {
                    if self.init_client_id.is_some() {
                        self.maybe_finish_initialize();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        upstream::shutdown(&mut self.ups);
    }
}

/// `server__tool` kept within `[A-Za-z0-9_-]{1,64}` (what Claude Desktop and the OpenAI API
/// accept): other characters become `_`, and a long name is cut with a hash of the full one
/// so distinct tools stay distinct. The relay maps exposed names back, never parses them.
pub fn exposed(server: &str, tool: &str) -> String {
    let full = format!("{server}__{tool}");
    let clean: String =
        full.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    if clean == full && clean.len() <= 64 {
        return clean;
    }
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(full.as_bytes());
    let tag: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    let keep: String = clean.chars().take(64 - 9).collect();
    format!("{keep}_{tag}")
}

/// Union of two capability objects (booleans OR-ed, e.g. `listChanged`).
fn merge_capability(into: &mut Value, from: &Value) {
    match (into.as_object_mut(), from.as_object()) {
        (Some(a), Some(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(Value::Bool(x)) => *x = *x || v.as_bool().unwrap_or(false),
                    Some(existing) => merge_capability(existing, v),
                    None => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        _ => *into = from.clone(),
    }
}

/// Start the client stdin reader and signal handlers, then relay until done.
pub fn serve(specs: Vec<ServerSpec>, multi: bool, guard: Guard) -> Result<()> {
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, &TERMINATE).context("installing the termination signal handlers")?;
    }
    // A client gone away is an EPIPE write error, not death (the upstreams must be shut down).
    // signal-hook only installs handlers, it has no call to set a disposition to SIG_IGN.
    // SAFETY: setting a signal disposition; no handler code runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let (tx, rx) = mpsc::channel();
    let relay = Relay::new(&specs, multi, guard, tx.clone())?;
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut reader = stdin.lock();
        loop {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if tx.send(Event::ClientLine(line)).is_err() {
                        return;
                    }
                }
            }
        }
        let _ = tx.send(Event::ClientEof);
    });
    relay.run(rx);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_merge_or_listchanged() {
        let mut a = json!({"listChanged": false});
        merge_capability(&mut a, &json!({"listChanged": true, "subscribe": true}));
        assert_eq!(a, json!({"listChanged": true, "subscribe": true}));
    }

    #[test]
    fn exposed_names_stay_within_the_allowed_set() {
        assert_eq!(exposed("fs", "read_text_file"), "fs__read_text_file");
        let odd = exposed("web", "search.v2:run");
        assert!(odd.starts_with("web__search_v2_run_") && odd.len() <= 64, "{odd}");
        let long = exposed("analytics", &"x".repeat(80));
        assert_eq!(long.len(), 64);
        assert_ne!(long, exposed("analytics", &"x".repeat(81)));
        assert!(long.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    }

    #[test]
    fn tasks_are_stripped_upstream() {
        assert_eq!(
            upstream_caps(&json!({"tasks": {}, "roots": {"listChanged": true}})),
            json!({"roots": {"listChanged": true}})
        );
    }

    #[test]
    fn denial_shape() {
        assert_eq!(denial("no"), json!({"content": [{"type": "text", "text": "no"}], "isError": true}));
    }
}
