//! Hosts: extracting them from URLs, authorities and scp-style remotes, and telling loopback
//! hosts apart.

use crate::flow::destination;

/// True for loopback hosts (see [`destination::is_loopback`]).
pub fn is_loopback(host: &str) -> bool {
    destination::is_loopback(host)
}

/// Hosts of the `scheme://` URLs anywhere in a text (code, a command line, an option value):
/// the authority after each `://` that has a scheme before it, at most `MAX_ENTRIES` distinct.
pub fn url_hosts_in(text: &str) -> Vec<String> {
    let mut hosts = Vec::new();
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(k) = text[from..].find("://") {
        let idx = from + k;
        let mut s = idx;
        while s > 0 && (b[s - 1].is_ascii_alphanumeric() || b"+.-".contains(&b[s - 1])) {
            s -= 1;
        }
        if s < idx {
            let rest = &text[idx + 3..];
            let end =
                rest.find(|c: char| !(c.is_ascii_alphanumeric() || ".-_:[]@%*".contains(c))).unwrap_or(rest.len());
            if let Some(h) = clean_host(&rest[..end]) {
                super::facts::push_capped(&mut hosts, h);
            }
        }
        from = idx + 3;
    }
    hosts
}

/// Clean an authority (`user@host:port`, `[v6]:port`) into a host.
pub(super) fn clean_host(auth: &str) -> Option<String> {
    destination::authority_host(auth)
}

/// Host of a `scheme://` URL.
/// An ambiguous URL (clients disagree where it goes: curl connects past a `\@`) yields no
/// host, so the call counts as going to an unnamed host and earns no exemption.
pub(super) fn url_host(s: &str) -> Option<String> {
    let s = s.split(char::is_whitespace).next().unwrap_or("");
    destination::parse_url(s).filter(|p| !p.ambiguous).map(|p| p.host)
}

/// URL with or without scheme (`example.com/x`, `:3000/x` = localhost for httpie).
pub(super) fn loose_host(s: &str) -> Option<String> {
    destination::parse_lenient(s).filter(|p| !p.ambiguous).map(|p| p.host)
}

/// Host of a scp/rsync-style remote (`[user@]host:path`, `host::mod`, `scp://..`).
pub(super) fn remote_host(s: &str) -> Option<String> {
    if s.contains("://") {
        return url_host(s);
    }
    if let Some(lb) = s.find('[') {
        let before = &s[..lb];
        if before.is_empty() || (before.ends_with('@') && !before.contains('/')) {
            let rb = s[lb..].find(']')? + lb;
            if s[rb + 1..].starts_with(':') {
                return clean_host(&s[lb..=rb]);
            }
            return None;
        }
    }
    let colon = s.find(':')?;
    let before = &s[..colon];
    if before.is_empty() || before.contains('/') {
        return None;
    }
    if before.len() == 1 && before.as_bytes()[0].is_ascii_alphabetic() {
        return None; // windows drive letter
    }
    clean_host(before)
}

/// `/dev/tcp/HOST/PORT` or `/dev/udp/HOST/PORT`: the protocol pseudo-tool and the host.
pub(super) fn dev_net(t: &str, h: &str) -> Option<(String, String)> {
    let proto = if t.starts_with("/dev/tcp/") {
        "/dev/tcp"
    } else if t.starts_with("/dev/udp/") {
        "/dev/udp"
    } else {
        return None;
    };
    let src = if h.starts_with(proto) { h } else { t };
    let rest = &src[proto.len() + 1..];
    let host = rest.split('/').next().unwrap_or("");
    Some((proto.to_string(), clean_host(host).unwrap_or_else(|| "*".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback() {
        for h in [
            "localhost",
            "LOCALHOST",
            "app.localhost",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "0.0.0.0",
            "127.1",
            "::ffff:127.0.0.1",
            "localhost.",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["host.docker.internal", "example.com", "10.0.0.1", "128.0.0.1", "localhost.evil.com", "::2", "*", ""]
        {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
