//! Which tools are sources (and whether what they return is private or public) and which are
//! sinks (local or external). Shell commands are classified by `shell::analyze` in the engine.

use crate::config::{Config, Placement};
use crate::flow::call::{Call, Tool};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Files, shell output, internal servers: data the user would not publish.
    Private,
    /// Web pages, search results, open-world reads: already public (and untrusted).
    Public,
}

text_names!(Origin {
    Private => "private",
    Public => "public",
});

impl Origin {
    /// The stored name read back; anything but `public` is private (the cautious reading).
    pub fn parse(s: &str) -> Origin {
        Origin::from_name(s).unwrap_or(Origin::Private)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkClass {
    /// Not a sink.
    None,
    /// Keeps data on the machine (Write, Edit, subagent prompts): recorded, never blocked.
    Local,
    /// Can carry data off the machine.
    External,
    /// A shell command: the engine decides from its parsed network use.
    Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolClass {
    pub source: Option<Origin>,
    pub sink: SinkClass,
}

/// Words in MCP tool names that send data somewhere.
const SEND_VERBS: &[&str] = &[
    "send",
    "post",
    "create",
    "publish",
    "upload",
    "insert",
    "update",
    "write",
    "put",
    "comment",
    "reply",
    "share",
    "push",
    "submit",
    "email",
    "message",
    "invite",
    "upsert",
    "tweet",
    "forward",
    "notify",
    "append",
    "add",
    "edit",
    "patch",
    "set",
    "save",
    "store",
    "chat",
    "transfer",
    "deploy",
    "merge",
    "fork",
    "respond",
    "dm",
    "broadcast",
    "webhook",
    "mail",
    "draft",
    "request",
    "type",
    "fill",
    "invoke",
    "sync",
    "export",
    "share",
];
/// Leading words of MCP tool names that only read.
const READ_VERBS: &[&str] = &[
    "get",
    "list",
    "read",
    "search",
    "view",
    "describe",
    "show",
    "find",
    "query",
    "fetch_status",
    "lookup",
    "count",
    "check",
    "retrieve",
    "download_status",
];
/// MCP servers that keep what they are given on this machine (a memory file, a local repo, the
/// filesystem): their write tools are local sinks.
const LOCAL_SERVERS: &[&str] = &[
    "filesystem",
    "fs",
    "memory",
    "git",
    "sqlite",
    "time",
    "sequential-thinking",
    "sequentialthinking",
    "serena",
    "everything",
];
/// Words in MCP tool names that retrieve a URL the caller chooses: the URL itself is egress
/// and what comes back is public.
const WEB_VERBS: &[&str] =
    &["fetch", "navigate", "browse", "scrape", "crawl", "goto", "open_url", "http", "download", "url", "web", "visit"];
/// MCP servers whose reads are public web content.
const WEB_SERVERS: &[&str] = &[
    "context7",
    "deepwiki",
    "jina",
    "kagi",
    "serper",
    "searxng",
    "wikipedia",
    "arxiv",
    "fetch",
    "brave",
    "brave-search",
    "tavily",
    "exa",
    "firecrawl",
    "playwright",
    "puppeteer",
    "browser",
    "web",
    "websearch",
    "web-search",
    "perplexity",
    "search",
    "duckduckgo",
];
/// Tool-name words for SQL tools whose argument may write to a remote database.
const SQL_WORDS: &[&str] = &["sql", "query", "execute", "exec", "run"];

/// Split a tool name into lowercase words (`slack_post_message`, `createPullRequest`).
pub fn name_words(name: &str) -> Vec<String> {
    super::words::split_words(name, |c| !c.is_ascii_alphanumeric(), char::to_ascii_lowercase)
}

fn has_word(words: &[String], list: &[&str]) -> bool {
    words.iter().any(|w| list.contains(&w.as_str()))
        || list.iter().filter(|l| l.contains('_')).any(|l| words.join("_").contains(*l))
}

/// True when an SQL text writes (the row may be readable by someone else).
pub fn sql_writes(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    ["insert ", "update ", "upsert ", "merge ", "replace into", "copy ", "create table", "alter "]
        .iter()
        .any(|kw| lower.contains(kw))
}

fn first_sql_arg(input: &Value) -> Option<&str> {
    let obj = input.as_object()?;
    ["query", "sql", "statement", "command"].iter().find_map(|k| obj.get(*k).and_then(Value::as_str))
}

/// Classify a call by its kind. Per-tool overrides are looked up by the name the user sees
/// (`mcp__db__lookup`), by `mcp__<server>__<tool>` and by the bare MCP tool name; per-server
/// overrides by the server's name.
pub fn classify(call: &Call, cfg: &Config) -> ToolClass {
    let base = classify_default(call);
    let placement = match &call.tool {
        Tool::Mcp { server, tool } => cfg
            .tools
            .get(&call.label)
            .or_else(|| cfg.tools.get(&format!("mcp__{server}__{tool}")))
            .or_else(|| cfg.tools.get(tool))
            .or_else(|| cfg.servers.get(server)),
        Tool::McpResource { server, .. } => cfg.tools.get(&call.label).or_else(|| cfg.servers.get(server)),
        _ => cfg.tools.get(&call.label),
    };
    match placement {
        Some(Placement::External) => ToolClass {
            source: base.source.or(Some(Origin::Private)),
            sink: if base.sink == SinkClass::Shell { SinkClass::Shell } else { SinkClass::External },
        },
        Some(Placement::Internal) => ToolClass {
            source: base.source.map(|_| Origin::Private),
            sink: if base.sink == SinkClass::None { SinkClass::None } else { SinkClass::Local },
        },
        None => base,
    }
}

fn classify_default(call: &Call) -> ToolClass {
    let private = |sink| ToolClass { source: Some(Origin::Private), sink };
    match &call.tool {
        Tool::ReadFile { .. } | Tool::SearchFiles { .. } | Tool::ShellOutput => private(SinkClass::None),
        // A tool this version does not know may send what it is given anywhere: checked like a
        // call to an unknown destination (a secret in it is denied, other data questioned).
        Tool::Unknown => private(SinkClass::External),
        Tool::Shell { .. } => private(SinkClass::Shell),
        // A fetch of this machine, a private network or a metadata service returns private data.
        Tool::WebFetch { url } if fetches_internal(url) => private(SinkClass::External),
        Tool::WebFetch { .. } | Tool::WebSearch { .. } => {
            ToolClass { source: Some(Origin::Public), sink: SinkClass::External }
        }
        // Client configuration sends what it holds to the hosts it names the next time the
        // client runs (`.npmrc`'s `_authToken` to its registry, a token in pip's index URL).
        Tool::WriteFile { path, .. } if crate::flow::written_code::is_client_settings(path) => {
            ToolClass { source: None, sink: SinkClass::External }
        }
        Tool::WriteFile { .. } => ToolClass { source: None, sink: SinkClass::Local },
        // The result of an edit shows the model part of the file: what it returns is read.
        Tool::EditFile { path, .. } if crate::flow::written_code::is_client_settings(path) => {
            private(SinkClass::External)
        }
        Tool::EditFile { .. } => private(SinkClass::Local),
        // A subagent that runs elsewhere receives its prompt off this machine.
        Tool::Subagent { remote: true, .. } => private(SinkClass::External),
        Tool::Subagent { .. } => private(SinkClass::Local),
        Tool::Inert => ToolClass { source: None, sink: SinkClass::None },
        // A resource the server fetches from the network carries what the URI names there.
        Tool::McpResource { uri, .. } => {
            let remote = uri.starts_with("http://") || uri.starts_with("https://");
            private(if remote { SinkClass::External } else { SinkClass::None })
        }
        // A tool that runs a command line here is judged like the shell.
        Tool::Mcp { tool, .. } if crate::flow::call::mcp_command_line(tool, &call.input).is_some() => {
            private(SinkClass::Shell)
        }
        Tool::Mcp { server, tool } => annotated(server, tool, &call.input, call.annotations.as_ref()),
    }
}

/// The URL names loopback, a private network, a link-local (metadata) address or the
/// container host: what comes back is not public web content.
pub fn fetches_internal(url: &str) -> bool {
    use crate::flow::destination as d;
    d::url_host(url)
        .or_else(|| d::parse_lenient(url).map(|p| p.host))
        .is_some_and(|h| d::is_loopback(&h) || d::is_private(&h) || d::is_link_local(&h) || d::is_local_alias(&h))
}

/// An MCP tool by its annotations (as the proxy sees them in `tools/list`), else by its name.
fn annotated(server: &str, tool: &str, input: &Value, annotations: Option<&Value>) -> ToolClass {
    let hint = |name: &str| annotations.and_then(|a| a.get(name)).and_then(Value::as_bool);
    let (open_world, read_only) = (hint("openWorldHint"), hint("readOnlyHint"));
    let by_name = classify_mcp(server, tool, input);
    if open_world.is_none() && read_only.is_none() {
        return by_name;
    }
    let source = by_name.source.or(Some(Origin::Private));
    if open_world != Some(false) {
        return ToolClass { source, sink: SinkClass::External };
    }
    if read_only == Some(true) {
        ToolClass { source: Some(Origin::Private), sink: SinkClass::None }
    } else {
        ToolClass { source: Some(Origin::Private), sink: SinkClass::Local }
    }
}

/// MCP tools by verb: senders are external sinks, web retrievers are external sinks whose
/// results are public, SQL tools are sinks only when the statement writes.
pub fn classify_mcp(server: &str, tool: &str, input: &Value) -> ToolClass {
    let words = name_words(tool);
    let server_lower = server.to_ascii_lowercase();
    let web_server = WEB_SERVERS.iter().any(|s| server_lower == *s || server_lower.ends_with(&format!("_{s}")));
    // A web service's answers are public; whatever its tools are asked leaves the machine.
    if has_word(&words, WEB_VERBS) || web_server {
        // A browser or fetcher pointed at this machine or a private network reads private data.
        let internal = input.as_object().is_some_and(|o| o.values().filter_map(Value::as_str).any(fetches_internal));
        let origin = if internal { Origin::Private } else { Origin::Public };
        return ToolClass { source: Some(origin), sink: SinkClass::External };
    }
    let local = LOCAL_SERVERS.iter().any(|s| server_lower == *s || server_lower.ends_with(&format!("_{s}")));
    // `get_pull_request`, `list_messages`, a `select`: the verb says it reads.
    let reads = if has_word(&words, SQL_WORDS) {
        !first_sql_arg(input).is_some_and(sql_writes)
    } else {
        words.first().is_some_and(|w| READ_VERBS.contains(&w.as_str())) || !has_word(&words, SEND_VERBS)
    };
    // A remote server receives every argument, whatever the tool's name says: its reads are
    // sinks too (`search_code` with a token in the query). A local server keeps them here.
    let sink = match (local, reads) {
        (true, true) => SinkClass::None,
        (true, false) => SinkClass::Local,
        (false, _) => SinkClass::External,
    };
    ToolClass { source: Some(Origin::Private), sink }
}

/// Paths whose content is sensitive by location alone (credentials, keys, env files).
pub fn is_sensitive_path(path: &str) -> bool {
    if path == crate::flow::shell::ENVIRONMENT {
        return true;
    }
    if path.contains(['*', '?', '[']) {
        if let Some(sensitive) = glob_names_sensitive(path) {
            return sensitive;
        }
    }
    let p = path.trim_matches(|c| c == '"' || c == '\'').replace('\\', "/");
    let lower = p.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let dir_markers = [
        ".ssh",
        ".aws",
        ".gnupg",
        ".kube",
        ".docker",
        ".azure",
        ".gcloud",
        ".config/gcloud",
        ".config/gh",
        ".password-store",
        ".vault-token",
    ];
    for marker in dir_markers {
        if lower == format!("~/{marker}")
            || lower.starts_with(&format!("~/{marker}/"))
            || lower.contains(&format!("/{marker}/"))
            || lower.ends_with(&format!("/{marker}"))
            || lower == marker
            || lower.starts_with(&format!("{marker}/"))
        {
            return true;
        }
    }
    if name.starts_with(".env") {
        let benign = [".example", ".sample", ".template", ".dist", ".defaults", ".schema"];
        return !benign.iter().any(|b| name.ends_with(b));
    }
    let names = [
        ".npmrc",
        ".netrc",
        "_netrc",
        ".pypirc",
        ".git-credentials",
        "kubeconfig",
        "credentials",
        "credentials.json",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        ".htpasswd",
        "shadow",
        "terraform.tfstate",
        "secrets.yaml",
        "secrets.yml",
        "secrets.json",
        ".pgpass",
        "hosts.yml",
        "master.key",
        "credentials.yml.enc",
    ];
    if names.contains(&name) {
        return true;
    }
    let exts = [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk", ".kdbx", ".asc"];
    if exts.iter().any(|e| name.ends_with(e)) {
        return true;
    }
    name.starts_with("service-account") && name.ends_with(".json")
}

/// A glob (`.en?`, `.[e]nv`, `~/.ssh/id_*`) that matches a sensitive name; `None` when its
/// name part is no glob (`*/.env`, `a[b`): then it is judged as written.
fn glob_names_sensitive(pattern: &str) -> Option<bool> {
    const CANDIDATES: &[&str] = &[
        ".env",
        ".env.local",
        ".env.production",
        "id_rsa",
        "id_ed25519",
        "credentials",
        ".npmrc",
        ".netrc",
        ".pgpass",
        "kubeconfig",
        ".git-credentials",
        "secrets.json",
        "secrets.yaml",
    ];
    let (dir, name) = pattern.rsplit_once('/').unwrap_or(("", pattern));
    // The glob is in the folder part: the name is plain.
    let re = crate::flow::shell::glob_regex(name)?;
    let dir_sensitive = !dir.is_empty() && !dir.contains(['*', '?', '[']) && is_sensitive_path(&format!("{dir}/x"));
    // `dist/*` names every file of a folder, no sensitive name in particular: the folder decides
    // (`~/.ssh/*` is sensitive, `twine upload dist/*` is not).
    if name.chars().all(|c| c == '*') {
        return Some(dir_sensitive);
    }
    Some(dir_sensitive && name.contains('*') || CANDIDATES.iter().any(|c| re.is_match(c)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A call of `tool` with `input`, as a front end would build it.
    pub(crate) fn call(tool: Tool, label: &str, input: Value) -> Call {
        Call {
            phase: crate::flow::call::Phase::Before,
            session_id: "s".into(),
            tool,
            label: label.into(),
            input,
            response: None,
            error: None,
            cwd: None,
            annotations: None,
            cut: None,
        }
    }

    fn mcp(server: &str, tool: &str, input: Value, annotations: Option<Value>, cfg: &Config) -> ToolClass {
        let mut c =
            call(Tool::Mcp { server: server.into(), tool: tool.into() }, &format!("mcp__{server}__{tool}"), input);
        c.annotations = annotations;
        classify(&c, cfg)
    }

    fn c(name: &str, input: Value) -> ToolClass {
        let (server, tool) = name.strip_prefix("mcp__").and_then(|r| r.split_once("__")).expect("mcp name");
        mcp(server, tool, input, None, &Config::default())
    }

    #[test]
    fn builtins() {
        let cfg = Config::default();
        let class = |tool: Tool| classify(&call(tool, "t", json!({})), &cfg);
        assert_eq!(class(Tool::ReadFile { path: "/a".into() }).source, Some(Origin::Private));
        assert_eq!(class(Tool::WebFetch { url: "https://a".into() }).sink, SinkClass::External);
        assert_eq!(class(Tool::WebFetch { url: "https://a".into() }).source, Some(Origin::Public));
        assert_eq!(class(Tool::WriteFile { path: "/a".into(), content: String::new() }).sink, SinkClass::Local);
        assert_eq!(class(Tool::Shell { command: String::new() }).sink, SinkClass::Shell);
    }

    #[test]
    fn mcp_by_verb() {
        for (tool, sink) in [
            ("mcp__slack__slack_post_message", SinkClass::External),
            ("mcp__github__create_pull_request", SinkClass::External),
            // A remote server's read tools are sinks too: their arguments reach the server.
            ("mcp__github__get_file_contents", SinkClass::External),
            ("mcp__github__search_code", SinkClass::External),
            ("mcp__translate__translate_text", SinkClass::External),
            ("mcp__filesystem__read_text_file", SinkClass::None),
            ("mcp__fetch__fetch", SinkClass::External),
            ("mcp__gmail__send_email", SinkClass::External),
            ("mcp__gmail__draft_email", SinkClass::External),
            ("mcp__github__get_pull_request", SinkClass::External),
            ("mcp__slack__list_messages", SinkClass::External),
            ("mcp__memory__create_entities", SinkClass::Local),
            ("mcp__filesystem__write_file", SinkClass::Local),
            ("mcp__mcpproxy__call_tool_write", SinkClass::External),
            ("mcp__mcpproxy__call_tool_read", SinkClass::External),
        ] {
            assert_eq!(c(tool, json!({})).sink, sink, "{tool}");
        }
        for (tool, origin) in [
            ("mcp__fetch__fetch", Origin::Public),
            ("mcp__norton__search_passwords", Origin::Private),
            ("mcp__context7__get-library-docs", Origin::Public),
        ] {
            assert_eq!(c(tool, json!({})).source, Some(origin), "{tool}");
        }
    }

    #[test]
    fn internal_fetches_are_private_sources() {
        let cfg = Config::default();
        for url in [
            "http://127.0.0.1:8080/admin",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.5/",
            "http://host.docker.internal:3000/",
        ] {
            let class = classify(&call(Tool::WebFetch { url: url.into() }, "WebFetch", json!({"url": url})), &cfg);
            assert_eq!(class.source, Some(Origin::Private), "{url}");
        }
        let public = classify(&call(Tool::WebFetch { url: "https://docs.rs/".into() }, "WebFetch", json!({})), &cfg);
        assert_eq!(public.source, Some(Origin::Public));
        let browser = mcp("playwright", "browser_navigate", json!({"url": "http://localhost:5173/"}), None, &cfg);
        assert_eq!(browser.source, Some(Origin::Private));
        let browser = mcp("playwright", "browser_navigate", json!({"url": "https://example.com/"}), None, &cfg);
        assert_eq!(browser.source, Some(Origin::Public));
    }

    #[test]
    fn sql_tools_by_server_and_statement() {
        let sel = json!({"query": "select * from t"});
        let ins = json!({"query": "insert into t values (1)"});
        // A remote database receives the query either way; a local one keeps both.
        assert_eq!(c("mcp__supabase__execute_sql", sel.clone()).sink, SinkClass::External);
        assert_eq!(c("mcp__supabase__execute_sql", ins.clone()).sink, SinkClass::External);
        assert_eq!(c("mcp__sqlite__query", sel).sink, SinkClass::None);
        assert_eq!(c("mcp__sqlite__query", ins).sink, SinkClass::Local);
    }

    #[test]
    fn overrides_win() {
        let cfg =
            Config::parse(r#"{"servers": {"github": "internal"}, "tools": {"mcp__db__lookup": "external"}}"#).unwrap();
        assert_eq!(mcp("github", "create_issue", json!({}), None, &cfg).sink, SinkClass::Local);
        assert_eq!(mcp("db", "lookup", json!({}), None, &cfg).sink, SinkClass::External);
    }

    #[test]
    fn annotations_decide_before_names() {
        let cfg = Config::default();
        let fetch = mcp("fetch", "fetch", json!({}), Some(json!({"readOnlyHint": true, "openWorldHint": true})), &cfg);
        assert_eq!(fetch, ToolClass { source: Some(Origin::Public), sink: SinkClass::External });
        let hints = json!({"readOnlyHint": false, "openWorldHint": false});
        assert_eq!(mcp("fs", "write_file", json!({}), Some(hints), &cfg).sink, SinkClass::Local);
        let hints = json!({"readOnlyHint": true, "openWorldHint": false});
        assert_eq!(mcp("fs", "read_text_file", json!({}), Some(hints), &cfg).sink, SinkClass::None);
        assert_eq!(mcp("slack", "post_message", json!({}), None, &cfg).sink, SinkClass::External);
        let cfg = Config::parse(r#"{"servers": {"fetch": "internal"}}"#).unwrap();
        let fetch = mcp("fetch", "fetch", json!({}), Some(json!({"openWorldHint": true})), &cfg);
        assert_eq!(fetch.sink, SinkClass::Local);
    }

    #[test]
    fn sensitive_paths() {
        // A word with an unclosed class is no glob: judged as written (this once recursed forever).
        assert!(!is_sensitive_path("a[b"));
        assert!(!is_sensitive_path("[x"));
        assert!(!is_sensitive_path("notes[1"));
        assert!(is_sensitive_path("*/.env"));
        // Every file of a folder: the folder decides; a glob shaped like a sensitive name does.
        assert!(!is_sensitive_path("dist/*"));
        assert!(!is_sensitive_path("*"));
        assert!(is_sensitive_path("~/.ssh/*"));
        assert!(is_sensitive_path("/home/u/.aws/*"));
        assert!(is_sensitive_path("id_*"));
        assert!(is_sensitive_path(".en?"));
        for p in [
            "~/.ssh",
            "/home/u/.ssh/id_ed25519",
            "/repo/.env",
            ".env.local",
            "/home/u/.aws/credentials",
            "~/.npmrc",
            "key.pem",
        ] {
            assert!(is_sensitive_path(p), "{p}");
        }
        for p in [".en?", ".[e]nv", "~/.ssh/id_*", "/repo/.env*"] {
            assert!(is_sensitive_path(p), "{p}");
        }
        for p in ["/repo/.env.example", "src/main.rs", "README.md", "/repo/docs/env.md", "src/*.rs", "*.md"] {
            assert!(!is_sensitive_path(p), "{p}");
        }
    }

    #[test]
    fn words() {
        assert_eq!(name_words("createPullRequest"), vec!["create", "pull", "request"]);
        assert_eq!(name_words("slack_post_message"), vec!["slack", "post", "message"]);
    }
}
