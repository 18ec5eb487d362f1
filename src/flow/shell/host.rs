//! Hosts: extracting them from URLs, authorities and scp-style remotes, and telling loopback
//! hosts apart.

/// True for loopback/local hosts: `localhost`, `*.localhost`, `127.0.0.0/8`,
/// `::1` / `[::1]`, `::ffff:127.x.x.x`, `0.0.0.0`, `::`. `host.docker.internal`
/// is not loopback.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let h = h.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(&h).to_string();
    if h == "localhost" || h.ends_with(".localhost") || h == "ip6-localhost" || h == "ip6-loopback" {
        return true;
    }
    if let Ok(v4) = h.parse::<std::net::Ipv4Addr>() {
        return v4.is_loopback() || v4.is_unspecified();
    }
    if let Ok(v6) = h.parse::<std::net::Ipv6Addr>() {
        if v6.is_loopback() || v6.is_unspecified() {
            return true;
        }
        if let Some(v4) = v6.to_ipv4_mapped() {
            return v4.is_loopback() || v4.is_unspecified();
        }
        return false;
    }
    // shorthand like 127.1
    if let Some(rest) = h.strip_prefix("127.") {
        return !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    }
    false
}

/// Clean an authority (`user@host:port`, `[v6]:port`) into a host.
pub(super) fn clean_host(auth: &str) -> Option<String> {
    let a = auth.trim();
    let a = match a.rfind('@') {
        Some(k) => &a[k + 1..],
        None => a,
    };
    let h: &str = if let Some(rest) = a.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        match a.matches(':').count() {
            0 => a,
            1 => a.split(':').next().unwrap_or(""),
            _ => a,
        }
    };
    let h = h.trim_end_matches('.');
    if h.is_empty() || h.chars().any(|c| c.is_whitespace() || "\"'<>\\^`|{}()$;,/?#".contains(c)) {
        return None;
    }
    Some(h.to_ascii_lowercase())
}

/// Host of a `scheme://` URL.
pub(super) fn url_host(s: &str) -> Option<String> {
    let k = s.find("://")?;
    let rest = &s[k + 3..];
    let end = rest.find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace()).unwrap_or(rest.len());
    clean_host(&rest[..end])
}

/// URL with or without scheme (`example.com/x`, `:3000/x` = localhost for httpie).
pub(super) fn loose_host(s: &str) -> Option<String> {
    if s.contains("://") {
        return url_host(s);
    }
    if s.starts_with(':') {
        return Some("localhost".into());
    }
    let end = s.find(['/', '?', '#']).unwrap_or(s.len());
    clean_host(&s[..end])
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
