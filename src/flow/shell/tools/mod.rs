//! Per-tool knowledge: what each command does with its arguments. [`Analyzer::dispatch`]
//! steps over assignments and wrappers (`sudo`, `env`, `nohup`, ...; see `wrappers`) and hands
//! the command to the handler [`HANDLERS`] names for it.

mod archive;
mod cloud;
mod code;
mod crypto;
mod dns;
mod egress;
mod files;
mod git;
mod http;
mod interp;
mod net;
mod offline;
mod pkg;
mod services;
mod text;
mod transfer;
mod wrappers;

use super::ast::is_assignment;
use super::facts::{Analyzer, CommandContext};
use super::options::Arg;
use wrappers::Next;

/// A tool handler: the analyzer, the command's name (see [`command_name`]), its arguments
/// (without the name) and its context.
type Handler = fn(&mut Analyzer, &str, &[Arg], &mut CommandContext<'_>);

/// The handler of each command name. A name in no row may be a plain file reader
/// ([`text::plain_reader`]); other commands are not analysed.
const HANDLERS: &[(&[&str], Handler)] = &[
    (&["curl"], |an, _, args, ctx| an.curl(args, ctx)),
    (&["wget"], |an, _, args, ctx| an.wget(args, ctx)),
    (&["http"], |an, _, args, ctx| an.httpie(args, ctx)),
    (&["nc", "ncat"], Analyzer::nc),
    (&["socat"], |an, _, args, ctx| an.socat(args, ctx)),
    (&["telnet"], |an, _, args, ctx| an.telnet(args, ctx)),
    (&["ssh"], |an, _, args, ctx| an.ssh(args, ctx)),
    (&["scp"], |an, _, args, ctx| an.scp(args, ctx)),
    (&["rsync"], |an, _, args, ctx| an.rsync(args, ctx)),
    (&["rclone"], |an, _, args, ctx| an.rclone(args, ctx)),
    (&["sftp", "ftp", "lftp", "tftp"], Analyzer::ftp),
    (&["dig", "drill", "delv", "kdig"], Analyzer::dig),
    (&["nslookup"], |an, _, args, ctx| an.nslookup(args, ctx)),
    (&["host"], |an, _, args, ctx| an.host_lookup(args, ctx)),
    (&["ping", "ping6", "traceroute", "traceroute6", "tracepath", "mtr", "whois", "nmap", "arping"], Analyzer::probe),
    (&["git"], |an, _, args, ctx| an.git(args, ctx)),
    (&["gh"], |an, _, args, ctx| an.gh(args, ctx)),
    (&["npm", "pnpm", "yarn", "cargo", "pip", "twine", "gem", "poetry", "uv"], Analyzer::pkg),
    (&["bun"], bun),
    (&["aws", "gsutil", "gcloud", "az"], Analyzer::cloud),
    (&["python", "node", "deno", "ruby", "perl", "php", "powershell"], Analyzer::interp),
    (&["openssl"], |an, _, args, ctx| an.openssl(args, ctx)),
    (&["gpg"], |an, _, args, ctx| an.gpg(args, ctx)),
    (&["grep", "rg", "ag", "ack"], Analyzer::grep),
    (&["awk"], |an, _, args, ctx| an.awk(args, ctx)),
    (&["sed"], |an, _, args, ctx| an.sed(args, ctx)),
    (&["jq", "yq", "gojq", "jaq"], Analyzer::jq),
    (&["tar", "bsdtar", "gtar"], |an, _, args, ctx| an.tar(args, ctx)),
    (&["zip"], |an, _, args, ctx| an.zip(args, ctx)),
    (&["unzip"], |an, _, args, ctx| an.unzip(args, ctx)),
    (&["7z", "7za", "7zz", "7zr"], |an, _, args, ctx| an.seven_zip(args, ctx)),
    (&["cp", "mv", "ln"], Analyzer::copy_or_move),
    (&["printenv"], |an, _, _, ctx| an.print_environment(ctx)),
    (&["export", "declare", "typeset", "set"], |an, _, args, ctx| an.export_listing(args, ctx)),
    (&["tee"], |an, _, args, ctx| an.tee(args, ctx)),
    (egress::OTHER_CLIENTS, Analyzer::other_client),
    (egress::MAILERS, Analyzer::mailer),
    (egress::OPENERS, Analyzer::opener),
    (egress::CONTAINER_TOOLS, Analyzer::container),
    (egress::TUNNELS, Analyzer::tunnel),
    (&["npx", "bunx", "pnpx"], Analyzer::package_runner),
    (&["alias"], |an, _, _, _| an.facts.unresolved.push("an alias defined for later commands".into())),
    (&["dd"], |an, _, args, ctx| an.dd(args, ctx)),
    (&["make", "gmake"], Analyzer::make),
];

/// Clients of remote services ([`services::SERVICE_CLIENTS`]), looked up after [`HANDLERS`].
fn service_client(name: &str) -> Option<Handler> {
    services::SERVICE_CLIENTS.iter().any(|c| c.names.contains(&name)).then_some(Analyzer::service_client as Handler)
}

/// `bun publish` is a package upload; any other `bun` runs code.
fn bun(an: &mut Analyzer, name: &str, args: &[Arg], ctx: &mut CommandContext) {
    if args.first().is_some_and(|a| a.text == "publish") {
        an.pkg(name, args, ctx);
    } else {
        an.interp(name, args, ctx);
    }
}

impl Analyzer {
    /// Analyse one simple command (its words, assignments included).
    pub(super) fn dispatch(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let mut i = 0;
        while let Some(a) = args.get(i) {
            if is_assignment(&a.text) {
                i += 1;
                continue;
            }
            if a.text.contains(['$', '`']) {
                // `${c}rl`, `$(printf cu)rl`: which program runs is decided at run time.
                self.facts.unresolved.push(format!("a command name built at run time (`{}`)", a.text));
                return;
            }
            let name = command_name(&a.text);
            match self.skip_wrapper(&name, args, i, ctx) {
                Some(Next::At(next)) => i = next,
                Some(Next::Done) => return,
                None => return self.run_tool(&name, &args[i + 1..], ctx),
            }
        }
    }

    fn run_tool(&mut self, name: &str, args: &[Arg], ctx: &mut CommandContext) {
        match HANDLERS.iter().find(|(names, _)| names.contains(&name)).map(|(_, h)| *h).or_else(|| service_client(name))
        {
            Some(handler) => handler(self, name, args, ctx),
            None => self.plain_reader_command(name, args, ctx),
        }
    }
}

/// The command's name as the handlers know it: basename, lowercased, without `.exe`,
/// versions and aliases folded (`python3.12` → `python`, `pwsh` → `powershell`).
fn command_name(t: &str) -> String {
    let base = t.rsplit('/').next().unwrap_or(t);
    let mut b = base.to_ascii_lowercase();
    if let Some(x) = b.strip_suffix(".exe") {
        b = x.to_string();
    }
    let ver = |s: &str, pre: &str| -> bool {
        s.strip_prefix(pre).is_some_and(|r| r.bytes().all(|c| c.is_ascii_digit() || c == b'.'))
    };
    if ver(&b, "python") || ver(&b, "pypy") {
        return "python".into();
    }
    if ver(&b, "pip") {
        return "pip".into();
    }
    for n in ["ruby", "perl", "php"] {
        if ver(&b, n) {
            return n.into();
        }
    }
    match b.as_str() {
        "nodejs" => "node".into(),
        "pwsh" | "powershell" => "powershell".into(),
        "xh" | "xhs" | "https" => "http".into(),
        "netcat" | "nc.openbsd" | "nc.traditional" => "nc".into(),
        "gpg2" => "gpg".into(),
        "gawk" | "mawk" | "nawk" => "awk".into(),
        "gsed" => "sed".into(),
        "egrep" | "fgrep" | "zgrep" => "grep".into(),
        _ => b,
    }
}
