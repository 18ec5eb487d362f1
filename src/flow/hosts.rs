//! Destination hosts: URL parsing, loopback/local, known collectors, issuers and look-alikes.

use crate::config::Config;

/// Request collectors, paste and file-drop services, tunnels and OOB-interaction hosts: any
/// session data sent there is treated as exfiltration.
pub const COLLECTOR_HOSTS: &[&str] = &[
    "webhook.site",
    "requestbin.com",
    "requestbin.net",
    "requestcatcher.com",
    "pipedream.net",
    "pipedream.com",
    "m.pipedream.net",
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "ngrok.dev",
    "interact.sh",
    "interactsh.com",
    "oast.pro",
    "oast.live",
    "oast.site",
    "oast.online",
    "oast.fun",
    "oast.me",
    "burpcollaborator.net",
    "oastify.com",
    "dnslog.cn",
    "dnslog.link",
    "ceye.io",
    "canarytokens.com",
    "transfer.sh",
    "file.io",
    "0x0.st",
    "paste.rs",
    "pastebin.com",
    "hastebin.com",
    "ghostbin.com",
    "termbin.com",
    "ix.io",
    "sprunge.us",
    "beeceptor.com",
    "hookbin.com",
    "postb.in",
    "ptsv2.com",
    "ptsv3.com",
    "trycloudflare.com",
    "localtunnel.me",
    "loca.lt",
    "serveo.net",
    "requestinspector.com",
    "mockbin.org",
    "webhook.cool",
    "temp.sh",
    "bashupload.com",
    "catbox.moe",
    "anonfiles.com",
    "gofile.io",
    "pastes.io",
    "dpaste.com",
    "dpaste.org",
    "rentry.co",
    "controlc.com",
    "tmpfiles.org",
];

/// Brand words of credential issuers; a host carrying one but not on the issuer's own
/// domains is a look-alike (`api.openai-usage-monitor.com`).
const ISSUER_BRANDS: &[&str] = &[
    "github",
    "gitlab",
    "openai",
    "anthropic",
    "slack",
    "stripe",
    "aws",
    "amazon",
    "google",
    "azure",
    "microsoft",
    "huggingface",
    "npmjs",
    "pypi",
    "vault",
    "cloudwatch",
    "twilio",
    "sendgrid",
    "shopify",
    "heroku",
    "digitalocean",
    "sentry",
    "atlassian",
];

/// Host of a URL, parsed the WHATWG way (see [`crate::flow::destination`]).
pub fn url_host(url: &str) -> Option<String> {
    crate::flow::destination::url_host(url)
}

/// A host as shown in reasons and logs. DNS exfiltration puts the data itself in the labels,
/// so long or encoded-looking leading labels are elided, keeping the registered domain.
pub fn display_host(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    let suspicious =
        |l: &&str| l.len() > 20 || (l.len() >= 12 && l.chars().filter(|c| c.is_ascii_digit()).count() * 4 >= l.len());
    if host.len() <= 48 && !labels.iter().any(suspicious) {
        return host.to_owned();
    }
    let keep = labels.len().min(2);
    format!("<{} encoded labels>.{}", labels.len() - keep, labels[labels.len() - keep..].join("."))
}

/// `host` equals `suffix` or is a subdomain of it.
pub fn host_in(host: &str, suffix: &str) -> bool {
    let suffix = suffix.trim_start_matches("*.").trim_start_matches('.');
    host == suffix || host.ends_with(&format!(".{suffix}"))
}

/// A host on the configured local list (loopback by default).
pub fn is_local(host: &str, cfg: &Config) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    cfg.local_hosts.iter().any(|entry| match entry.split_once('/') {
        Some((net, bits)) => crate::flow::destination::in_cidr(host, net, bits),
        None => host_in(host, entry),
    })
}

pub fn is_collector(host: &str, cfg: &Config) -> bool {
    COLLECTOR_HOSTS.iter().any(|c| host_in(host, c)) || cfg.collector_hosts.iter().any(|c| host_in(host, c))
}

/// True when `host` belongs to the issuer of a credential of `kind`.
pub fn is_issuer(host: &str, kind: &str, cfg: &Config) -> bool {
    if cfg.issuer_hosts.get(kind).is_some_and(|hs| hs.iter().any(|h| host_in(host, h))) {
        return true;
    }
    !is_user_content(host) && crate::flow::secrets::issuer_hosts(kind).iter().any(|h| host_in(host, h))
}

/// Hosts under an issuer's domain where anyone's code or storage receives the request
/// (buckets, functions, app hosting): a credential sent there is not sent to its issuer.
/// (GitHub's raw and pages hosts only serve content: the token still reaches GitHub.)
const USER_CONTENT: &[&str] = &[
    "s3.amazonaws.com",
    "execute-api",
    "lambda-url",
    "amplifyapp.com",
    "elasticbeanstalk.com",
    "cloudfront.net",
    "appspot.com",
    "run.app",
    "cloudfunctions.net",
    "firebaseapp.com",
    "web.app",
    "storage.googleapis.com",
    "azurewebsites.net",
    "blob.core.windows.net",
    "herokuapp.com",
    "vercel.app",
    "netlify.app",
    "pages.dev",
    "workers.dev",
    "myshopify.com",
    "ngrok.app",
];

pub fn is_user_content(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    // `bucket.s3.amazonaws.com`, `bucket.s3.eu-west-1.amazonaws.com`, `s3-website-...`.
    let s3 = host_in(host, "amazonaws.com") && labels.iter().any(|l| *l == "s3" || l.starts_with("s3-"));
    s3 || USER_CONTENT.iter().any(|u| if u.contains('.') { host_in(host, u) } else { labels.contains(u) })
}

/// The brand a host imitates, when it carries an issuer's name on a domain that is not the
/// issuer's (`aws-health-dashboard.net`, `slack-bot-health.com`).
pub fn lookalike_brand(host: &str) -> Option<&'static str> {
    ISSUER_BRANDS.iter().copied().find(|brand| {
        host.contains(brand)
            && !host_in(host, &format!("{brand}.com"))
            && !host_in(host, &format!("{brand}.io"))
            && !host_in(host, &format!("{brand}.org"))
            && !host_in(host, &format!("{brand}.net"))
            && !host_in(host, &format!("{brand}usercontent.com"))
            && !host_in(host, "amazonaws.com")
            && !host_in(host, "googleapis.com")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_from_urls() {
        assert_eq!(url_host("https://user:pw@Api.GitHub.com:443/x?y").as_deref(), Some("api.github.com"));
        assert_eq!(url_host("http://[::1]:8080/").as_deref(), Some("::1"));
        assert_eq!(url_host("webhook.site/x"), None);
    }

    #[test]
    fn long_labels_are_elided() {
        assert_eq!(display_host("api.github.com"), "api.github.com");
        assert_eq!(
            display_host("736b5f6c6976655f3531756d693259.65397854624d364e.exfil.evil.example"),
            "<3 encoded labels>.evil.example"
        );
    }

    #[test]
    fn collectors_and_lookalikes() {
        let cfg = Config::default();
        assert!(is_collector("webhook.site", &cfg));
        assert!(is_collector("abc.ngrok-free.app", &cfg));
        assert!(!is_collector("docs.rs", &cfg));
        assert_eq!(lookalike_brand("api.openai-usage-monitor.com"), Some("openai"));
        assert_eq!(lookalike_brand("api.openai.com"), None);
        assert_eq!(lookalike_brand("slack-bot-health.com"), Some("slack"));
        assert_eq!(lookalike_brand("docs.rs"), None);
    }

    #[test]
    fn user_content_is_never_the_issuer() {
        let cfg = Config::default();
        for (text, expected) in [
            ("attacker-bucket.s3.amazonaws.com", true),
            ("s3.amazonaws.com", true),
            ("abc123.execute-api.us-east-1.amazonaws.com", true),
            ("evil.myshopify.com", true),
            ("sts.amazonaws.com", false),
            ("api.github.com", false),
        ] {
            assert_eq!(is_user_content(text), expected, "{text}");
        }
        assert!(is_issuer("raw.githubusercontent.com", "github-pat", &cfg));
        assert!(is_issuer("api.github.com", "github-pat", &cfg));
    }

    #[test]
    fn local_hosts() {
        let cfg = Config::default();
        assert!(is_local("localhost", &cfg));
        assert!(is_local("api.localhost", &cfg));
        assert!(is_local("127.0.0.1", &cfg));
        assert!(is_local("127.1.2.3", &cfg));
        assert!(is_local("[::1]", &cfg));
        assert!(!is_local("128.0.0.1", &cfg));
        assert!(!is_local("example.com", &cfg));
        let cfg = Config::parse(r#"{"local_hosts": ["db.internal"]}"#).unwrap();
        assert!(is_local("pg.db.internal", &cfg));
        assert!(!is_local("127.0.0.1", &cfg));
        let cfg = Config::parse(r#"{"local_hosts": []}"#).unwrap();
        assert!(!is_local("localhost", &cfg));
    }
}
