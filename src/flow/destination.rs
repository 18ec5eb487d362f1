//! Where a call really goes: the one place URLs and host arguments are parsed, and where local
//! and private addresses are recognised. Every exemption (issuer, loopback, local server)
//! asks this module.
//!
//! URLs are parsed the WHATWG way (the `url` crate), as fetchers and browsers parse them: in
//! `https://evil.example\@api.github.com/` the host is `evil.example`. Where parsers are known
//! to disagree (a backslash or a second `@` in the authority, percent-encoding or whitespace in
//! the host) the destination is also marked ambiguous, and an ambiguous destination earns no
//! exemption.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A parsed destination host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Lowercase, without brackets, port or trailing dot.
    pub host: String,
    /// Parsers disagree about this URL: no exemption may rely on it.
    pub ambiguous: bool,
}

/// Host aliases that name this machine or the user's own container host.
const LOCAL_ALIASES: &[&str] = &[
    "host.docker.internal",
    "gateway.docker.internal",
    "kubernetes.docker.internal",
    "host.containers.internal",
    "host.lima.internal",
    "host.minikube.internal",
];

/// Parse an absolute URL (any scheme with an authority).
pub fn parse_url(text: &str) -> Option<Parsed> {
    let text = text.trim();
    let (scheme, rest) = text.split_once("://")?;
    if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return None;
    }
    let raw_authority: &str = rest.split(['/', '?', '#']).next().unwrap_or("");
    let ambiguous = raw_authority.contains('\\')
        || raw_authority.matches('@').count() > 1
        || raw_authority.contains('%')
        || rest.split(['?', '#']).next().unwrap_or("").contains('\\')
        || raw_authority.chars().any(|c| c.is_whitespace() || c.is_control());
    // Non-special schemes (ssh://, git://) keep their host as written: parse them as https
    // for the authority rules every fetcher applies.
    let special = matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https" | "ws" | "wss" | "ftp");
    let normalised = if special { text.to_owned() } else { format!("https://{rest}") };
    let url = url::Url::parse(&normalised).ok()?;
    let mut ambiguous = ambiguous;
    let host = match url.host()? {
        url::Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
        url::Host::Ipv4(ip) => {
            // `3232235777`, `0xC0A80101`, `0300.0250.1.1`: fetchers read 192.168.1.1, but no
            // one names their own service that way. Only loopback shorthand (`127.1`) is common.
            ambiguous |= !is_loopback(&ip.to_string()) && written_host(raw_authority) != ip.to_string();
            ip.to_string()
        }
        url::Host::Ipv6(ip) => ip.to_string(),
    };
    (!host.is_empty()).then_some(Parsed { host, ambiguous })
}

/// The host as the authority spells it: no userinfo, port or trailing dot.
fn written_host(raw_authority: &str) -> String {
    let host_port = raw_authority.rsplit('@').next().unwrap_or(raw_authority);
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host_port,
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The host of an absolute URL, or `None`.
pub fn url_host(text: &str) -> Option<String> {
    parse_url(text).map(|p| p.host)
}

/// A curl-style argument: a URL with or without a scheme (`example.com/x`), or `:3000/x`
/// (httpie's localhost shorthand).
pub fn parse_lenient(text: &str) -> Option<Parsed> {
    let text = text.trim();
    if text.contains("://") {
        return parse_url(text);
    }
    if text.starts_with(':') {
        return Some(Parsed { host: "localhost".into(), ambiguous: false });
    }
    if text.is_empty() || text.starts_with(['-', '/', '.', '@']) {
        return None;
    }
    parse_url(&format!("http://{text}"))
}

/// A bare authority (`user@host:port`, `[v6]:port`, `host`) into a host.
pub fn authority_host(auth: &str) -> Option<String> {
    let a = auth.trim();
    if a.is_empty() || a.chars().any(|c| c.is_whitespace() || "\"'<>\\^`|{}()$;,/?#".contains(c)) {
        // An authority with a path or odd characters is not a plain host.
        let a = a.split(['/', '?', '#']).next().unwrap_or("");
        if a.is_empty() || a.chars().any(|c| c.is_whitespace() || "\"'<>\\^`|{}()$;,".contains(c)) {
            return None;
        }
        return authority_host(a);
    }
    let host_port = a.rsplit('@').next().unwrap_or(a);
    if host_port.matches(':').count() > 1 && !host_port.starts_with('[') {
        // A bare IPv6 address.
        return host_port.parse::<Ipv6Addr>().ok().map(|ip| ip.to_string());
    }
    parse_url(&format!("http://{host_port}")).map(|p| p.host)
}

fn ip_of(host: &str) -> Option<IpAddr> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = h.parse::<IpAddr>() {
        return Some(ip);
    }
    // Shorthand and numeric forms (`127.1`, `2130706433`, `0x7f.1`) as fetchers resolve them.
    match url::Url::parse(&format!("http://{h}/")).ok()?.host()? {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    }
}

fn v4_of(ip: IpAddr) -> Option<Ipv4Addr> {
    match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(v6) => v6.to_ipv4_mapped(),
    }
}

/// This machine: `localhost`, `*.localhost`, `127.0.0.0/8`, `::1`, the unspecified address and
/// their IPv4-mapped and numeric spellings.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let h = h.trim_start_matches('[').trim_end_matches(']');
    if h == "localhost" || h.ends_with(".localhost") || h == "ip6-localhost" || h == "ip6-loopback" {
        return true;
    }
    match ip_of(h) {
        Some(ip) => {
            ip.is_loopback() || ip.is_unspecified() || v4_of(ip).is_some_and(|v| v.is_loopback() || v.is_unspecified())
        }
        None => false,
    }
}

/// Container-host aliases (`host.docker.internal`): the user's own machine.
pub fn is_local_alias(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    LOCAL_ALIASES.contains(&h.as_str())
}

/// Private networks (RFC 1918, unique-local IPv6, carrier-grade NAT): the user's own
/// services, not the internet.
pub fn is_private(host: &str) -> bool {
    let Some(ip) = ip_of(host) else { return false };
    match (v4_of(ip), ip) {
        (Some(v4), _) => v4.is_private() || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64),
        (None, IpAddr::V6(v6)) => (v6.segments()[0] & 0xfe00) == 0xfc00,
        _ => false,
    }
}

/// Link-local addresses, cloud metadata services among them (`169.254.169.254`, `fe80::/10`).
pub fn is_link_local(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h == "metadata.google.internal" || h == "metadata" {
        return true;
    }
    let Some(ip) = ip_of(&h) else { return false };
    match (v4_of(ip), ip) {
        (Some(v4), _) => v4.is_link_local(),
        (None, IpAddr::V6(v6)) => (v6.segments()[0] & 0xffc0) == 0xfe80,
        _ => false,
    }
}

/// Whether an IPv4 `host` lies in `net/bits`.
pub fn in_cidr(host: &str, net: &str, bits: &str) -> bool {
    let (Some(IpAddr::V4(h)), Ok(n), Ok(b)) = (ip_of(host), net.parse::<Ipv4Addr>(), bits.parse::<u32>()) else {
        return false;
    };
    let mask = if b == 0 { 0 } else { u32::MAX << (32 - b.min(32)) };
    u32::from(h) & mask == u32::from(n) & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatwg_authority_rules() {
        let p = parse_url("https://evil.example\\@api.github.com/").unwrap();
        assert_eq!(p.host, "evil.example");
        assert!(p.ambiguous);
        assert_eq!(url_host("https://user:pw@Api.GitHub.com:443/x?y").as_deref(), Some("api.github.com"));
        assert_eq!(url_host("https://api.github.com@evil.example/").as_deref(), Some("evil.example"));
        assert_eq!(url_host("https://api.github.com#@evil.example/").as_deref(), Some("api.github.com"));
        assert_eq!(url_host("https://api.github.com?@evil.example/").as_deref(), Some("api.github.com"));
        assert_eq!(url_host("http://[::1]:8080/").as_deref(), Some("::1"));
        assert_eq!(url_host("HTTPS://API.GITHUB.COM./x").as_deref(), Some("api.github.com"));
        assert_eq!(url_host("webhook.site/x"), None);
        // Percent-encoded delimiters in the host: decoded by WHATWG, flagged as ambiguous.
        let p = parse_url("https://api.github.com%2F@evil.example/").unwrap();
        assert!(p.ambiguous, "{p:?}");
        assert!(parse_url("https://a@b@evil.example/").unwrap().ambiguous);
        assert!(!parse_url("https://api.github.com/repos").unwrap().ambiguous);
        // IDN look-alikes come out in punycode, never as the brand.
        assert_eq!(url_host("https://аpi.github.com/").as_deref(), Some("xn--pi-6kc.github.com"));
        assert_eq!(url_host("ssh://git@github.com:22/o/r.git").as_deref(), Some("github.com"));
        // Numeric spellings of a non-loopback address: read as fetchers do, trusted by none.
        for spelled in
            ["http://3232235777/", "http://0xC0A80101/", "http://0300.0250.0001.0001/", "http://192.168.257/"]
        {
            let p = parse_url(spelled).unwrap();
            assert!(p.ambiguous, "{spelled}: {p:?}");
        }
        assert_eq!(parse_url("http://3232235777/").unwrap().host, "192.168.1.1");
        for plain in ["http://192.168.1.1:8080/x", "http://u:p@10.0.0.5/", "http://127.1:3000/", "http://0x7f000001/"] {
            assert!(!parse_url(plain).unwrap().ambiguous, "{plain}");
        }
    }

    #[test]
    fn lenient_and_authorities() {
        assert_eq!(parse_lenient("example.com/x").unwrap().host, "example.com");
        assert_eq!(parse_lenient(":3000/x").unwrap().host, "localhost");
        assert_eq!(parse_lenient("-X"), None);
        assert_eq!(authority_host("git@github.com:22").as_deref(), Some("github.com"));
        assert_eq!(authority_host("[::1]:22").as_deref(), Some("::1"));
        assert_eq!(authority_host("fe80::1").as_deref(), Some("fe80::1"));
        assert_eq!(authority_host("a b"), None);
    }

    #[test]
    fn address_classes() {
        for h in [
            "localhost",
            "api.localhost",
            "127.0.0.1",
            "127.1",
            "2130706433",
            "0x7f.0.0.1",
            "::1",
            "[::1]",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["128.0.0.1", "example.com", "localhost.evil.example", "host.docker.internal"] {
            assert!(!is_loopback(h), "{h}");
        }
        assert!(is_local_alias("host.docker.internal"));
        for h in ["10.1.2.3", "192.168.0.10", "172.16.5.4", "100.64.0.1", "fd00::1"] {
            assert!(is_private(h), "{h}");
        }
        for h in ["172.32.0.1", "8.8.8.8", "example.com"] {
            assert!(!is_private(h), "{h}");
        }
        assert!(is_link_local("169.254.169.254"));
        assert!(is_link_local("metadata.google.internal"));
        assert!(!is_link_local("10.0.0.1"));
        assert!(in_cidr("127.9.9.9", "127.0.0.0", "8"));
        assert!(!in_cidr("128.0.0.1", "127.0.0.0", "8"));
    }
}
