//! Optional JSON configuration (`config.json`). Every key is optional; unknown keys and wrong
//! types are rejected with the offending key named.

use anyhow::{bail, Context, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// What to do with one kind of flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Deny,
    Ask,
    /// Record the flow, say nothing to the agent.
    Allow,
}

text_names!(Action {
    Deny => "deny",
    Ask => "ask",
    Allow => "allow",
});

/// How a tool or server is treated by the classifier when the user overrides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    Internal,
    External,
}

/// Actions per flow kind (DESIGN.md section 4 defaults).
#[derive(Debug, Clone, Serialize)]
pub struct PolicyActions {
    /// A secret or a 16+ char fragment (or accumulated coverage) to an external sink.
    pub secret: Action,
    /// An 8-15 char fragment of a secret to an external sink.
    pub secret_fragment: Action,
    /// Card numbers and SSNs to an external sink.
    pub card_ssn: Action,
    /// Other PII (IBAN, ...) to an external sink.
    pub pii: Action,
    /// A substantial span of private content to an external sink.
    pub private_content: Action,
    /// Any session data to a known collector host.
    pub collector: Action,
    /// Upload / pipeline / push of a sensitive or tainted file.
    pub file_transfer: Action,
    /// A call that may reach outside and cannot be fully checked (a command built at run time,
    /// a container or tunnel, an argument past the size cap), in a session holding private data.
    pub unverified: Action,
}

impl Default for PolicyActions {
    fn default() -> Self {
        PolicyActions {
            secret: Action::Deny,
            secret_fragment: Action::Ask,
            card_ssn: Action::Deny,
            pii: Action::Ask,
            private_content: Action::Ask,
            collector: Action::Deny,
            file_transfer: Action::Deny,
            unverified: Action::Ask,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// Infrastructure failures (bad input, locked/corrupt database) deny instead of failing open.
    pub fail_closed: bool,
    /// How long a hook process waits for the database lock.
    pub lock_timeout_ms: u64,
    /// Every evaluation answers within this budget; past it the fail-safe decision applies.
    pub deadline_ms: u64,
    /// Trial mode: decisions are logged (and printed on stderr) but nothing is blocked or asked.
    /// Self-protection stays on. `hook status` and `doctor` say so loudly.
    pub monitor: bool,
    /// Sessions idle longer than this are pruned.
    pub session_ttl_hours: u64,
    /// Bytes of one tool response that are fingerprinted (the rest is ignored).
    pub max_source_bytes: usize,
    /// Bytes of one sink argument set that are examined.
    pub max_sink_bytes: usize,
    /// Bytes of hook input read from stdin; past it the rest is not read (what was cut is
    /// unverified in a PreToolUse, and marks the session as holding in a PostToolUse).
    pub max_input_bytes: usize,
    /// Matched private content (chars) that makes an external sink an `ask`.
    pub content_ask_chars: usize,
    /// Shortest secret fragment (chars) that counts as a match.
    pub min_fragment_chars: usize,
    /// Fragment length (or accumulated coverage) at which a secret counts as leaked.
    pub fragment_deny_chars: usize,
    /// What each kind of flow leads to (deny, ask, log).
    pub policy: PolicyActions,
    /// Extra hosts (suffix match) treated as data collectors.
    pub collector_hosts: Vec<String>,
    /// Hosts that count as local (suffix match, or IPv4 CIDR such as `127.0.0.0/8`).
    /// Defaults to loopback; an empty list makes loopback external too.
    pub local_hosts: Vec<String>,
    /// Extra issuer hosts per secret kind, e.g. {"github-pat": ["ghe.example.com"]}.
    pub issuer_hosts: BTreeMap<String, Vec<String>>,
    /// Per MCP server name: internal or external.
    pub servers: BTreeMap<String, Placement>,
    /// Per tool name (as the agent names it, e.g. `mcp__slack__post`): internal or external.
    pub tools: BTreeMap<String, Placement>,
    /// Activity rows kept (oldest pruned first).
    pub max_activity_rows: u64,
    /// What the proxy does with an `ask` when the client cannot be asked (no elicitation).
    pub proxy_ask_fallback: Action,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            fail_closed: false,
            lock_timeout_ms: 2000,
            deadline_ms: 2000,
            monitor: false,
            session_ttl_hours: 24,
            max_source_bytes: 8 * 1024 * 1024,
            max_sink_bytes: 1024 * 1024,
            max_input_bytes: 32 * 1024 * 1024,
            content_ask_chars: 200,
            min_fragment_chars: 8,
            fragment_deny_chars: 16,
            policy: PolicyActions::default(),
            collector_hosts: Vec::new(),
            // Loopback, the container host, and private networks (the user's own services).
            local_hosts: [
                "localhost",
                "127.0.0.0/8",
                "::1",
                "0.0.0.0",
                "host.docker.internal",
                "gateway.docker.internal",
                "host.containers.internal",
                "10.0.0.0/8",
                "172.16.0.0/12",
                "192.168.0.0/16",
            ]
            .map(String::from)
            .to_vec(),
            issuer_hosts: BTreeMap::new(),
            servers: BTreeMap::new(),
            tools: BTreeMap::new(),
            max_activity_rows: 100_000,
            proxy_ask_fallback: Action::Deny,
        }
    }
}

fn field<T: DeserializeOwned>(key: &str, value: &Value) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| anyhow::anyhow!("config key `{key}`: {e}"))
}

impl Config {
    /// Load from `path`; a missing file means defaults.
    pub fn load(path: &Path) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("reading config {}", path.display())),
        };
        Config::parse(&text).with_context(|| format!("in config {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Config> {
        let value: Value = serde_json::from_str(text).context("config is not valid JSON")?;
        let Value::Object(map) = value else {
            bail!("config must be a JSON object");
        };
        let mut cfg = Config::default();
        for (key, v) in &map {
            match key.as_str() {
                "fail_closed" => cfg.fail_closed = field(key, v)?,
                "lock_timeout_ms" => cfg.lock_timeout_ms = field(key, v)?,
                "deadline_ms" => cfg.deadline_ms = field(key, v)?,
                "monitor" => cfg.monitor = field(key, v)?,
                "session_ttl_hours" => cfg.session_ttl_hours = field(key, v)?,
                "max_source_bytes" => cfg.max_source_bytes = field(key, v)?,
                "max_sink_bytes" => cfg.max_sink_bytes = field(key, v)?,
                "max_input_bytes" => cfg.max_input_bytes = field(key, v)?,
                "content_ask_chars" => cfg.content_ask_chars = field(key, v)?,
                "min_fragment_chars" => cfg.min_fragment_chars = field(key, v)?,
                "fragment_deny_chars" => cfg.fragment_deny_chars = field(key, v)?,
                "collector_hosts" => cfg.collector_hosts = field(key, v)?,
                "local_hosts" => cfg.local_hosts = field(key, v)?,
                "issuer_hosts" => cfg.issuer_hosts = field(key, v)?,
                "servers" => cfg.servers = field(key, v)?,
                "tools" => cfg.tools = field(key, v)?,
                "max_activity_rows" => cfg.max_activity_rows = field(key, v)?,
                "policy" => cfg.policy = parse_policy(v)?,
                "proxy_ask_fallback" => cfg.proxy_ask_fallback = field(key, v)?,
                other => bail!("unknown config key `{other}`"),
            }
        }
        if !(50..=9000).contains(&cfg.deadline_ms) {
            bail!("config key `deadline_ms`: must be between 50 and 9000 (the agents' hook timeout is 10 s)");
        }
        if cfg.max_input_bytes < 64 * 1024 {
            bail!("config key `max_input_bytes`: must be at least 65536");
        }
        if cfg.min_fragment_chars < 4 {
            bail!("config key `min_fragment_chars`: must be at least 4");
        }
        if cfg.fragment_deny_chars < cfg.min_fragment_chars {
            bail!("config key `fragment_deny_chars`: must be >= min_fragment_chars");
        }
        Ok(cfg)
    }
}

fn parse_policy(value: &Value) -> Result<PolicyActions> {
    let Value::Object(map): &Value = value else {
        bail!("config key `policy`: expected an object of flow kind -> action");
    };
    let mut p = PolicyActions::default();
    let map: &Map<String, Value> = map;
    for (key, v) in map {
        let slot = match key.as_str() {
            "secret" => &mut p.secret,
            "secret_fragment" => &mut p.secret_fragment,
            "card_ssn" => &mut p.card_ssn,
            "pii" => &mut p.pii,
            "private_content" => &mut p.private_content,
            "collector" => &mut p.collector,
            "file_transfer" => &mut p.file_transfer,
            "unverified" => &mut p.unverified,
            other => bail!("unknown config key `policy.{other}`"),
        };
        *slot = field(&format!("policy.{key}"), v)?;
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_object_gives_defaults() {
        let c = Config::parse("{}").unwrap();
        assert!(!c.fail_closed);
        assert_eq!(c.lock_timeout_ms, 2000);
        assert_eq!(c.policy.secret, Action::Deny);
    }

    #[test]
    fn unknown_key_is_named() {
        let e = Config::parse(r#"{"fail_open": true}"#).unwrap_err();
        assert!(format!("{e:#}").contains("`fail_open`"), "{e:#}");
    }

    #[test]
    fn wrong_type_names_the_key() {
        let e = Config::parse(r#"{"fail_closed": "yes"}"#).unwrap_err();
        assert!(format!("{e:#}").contains("`fail_closed`"), "{e:#}");
        let e = Config::parse(r#"{"policy": {"secret": "block"}}"#).unwrap_err();
        assert!(format!("{e:#}").contains("`policy.secret`"), "{e:#}");
        let e = Config::parse(r#"{"policy": {"secrets": "deny"}}"#).unwrap_err();
        assert!(format!("{e:#}").contains("`policy.secrets`"), "{e:#}");
    }

    #[test]
    fn overrides_apply() {
        let c = Config::parse(
            r#"{"fail_closed": true, "servers": {"slack": "external"}, "policy": {"private_content": "deny"}}"#,
        )
        .unwrap();
        assert!(c.fail_closed);
        assert_eq!(c.servers["slack"], Placement::External);
        assert_eq!(c.policy.private_content, Action::Deny);
    }
}
