//! Values a source holds encoded, decoded so they are recorded as the secrets they are: the
//! `data:` values of a Kubernetes Secret (base64), registry credentials in a Docker config
//! (`"auth": base64(user:password)`, also inside a `.dockerconfigjson` value) and HTTP basic
//! credentials (`Authorization: Basic base64(user:password)`).
//!
//! A decoded `user:password` gives the password and the whole pair; a decoded Secret value is
//! recorded when it is one plausible literal (multi-line values such as certificates or files
//! are scanned for secrets instead, and fingerprinted as content by the source-side decoding).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// One decoded value: the kind to record it as, and either a literal or a text to scan.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    Value(&'static str, String),
    Text(String),
}

fn b64_value(s: &str) -> Option<String> {
    let s = s.trim_matches(|c| c == '"' || c == '\'' || c == ',');
    if s.len() < 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')) {
        return None;
    }
    let bytes = STANDARD.decode(s).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.chars().all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t').then_some(text)
}

/// A decoded `user:password`: the pair and the password.
fn credentials(kind: &'static str, decoded: &str, out: &mut Vec<Stored>) {
    if let Some((user, pass)) = decoded.split_once(':') {
        if !user.is_empty() && !pass.is_empty() && !decoded.contains('\n') {
            out.push(Stored::Value(kind, pass.to_owned()));
            out.push(Stored::Value(kind, decoded.to_owned()));
        }
    }
}

/// `Basic <b64>` (any case) anywhere in the text.
fn basic_auth(text: &str, out: &mut Vec<Stored>) {
    let lower = text.to_ascii_lowercase();
    for (i, _) in lower.match_indices("basic ") {
        let rest = text[i + 6..].trim_start();
        let token: String =
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')).collect();
        if let Some(d) = b64_value(&token) {
            credentials("basic-auth", &d, out);
        }
    }
}

/// `"auth": "<b64>"` of a Docker config.
fn docker_auths(text: &str, out: &mut Vec<Stored>) {
    for (i, _) in text.match_indices("\"auth\"") {
        let rest = text[i + 6..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else { continue };
        let rest = rest.trim_start().trim_start_matches('"');
        let token: String =
            rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')).collect();
        if let Some(d) = b64_value(&token) {
            credentials("docker-registry-auth", &d, out);
        }
    }
}

fn is_k8s_secret(text: &str) -> bool {
    let compact: String =
        text.chars().filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'').take(1 << 20).collect();
    compact.contains("kind:Secret")
}

/// `key: <b64>` / `"key": "<b64>"` lines of a Kubernetes Secret.
fn k8s_values(text: &str, out: &mut Vec<Stored>) {
    for line in text.lines() {
        let Some((k, v)) = line.split_once(':') else { continue };
        let k = k.trim().trim_matches('"');
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
            continue;
        }
        let Some(d) = b64_value(v.trim()) else { continue };
        if d.contains('\n') || d.contains('{') {
            docker_auths(&d, out);
            out.push(Stored::Text(d));
        } else {
            out.push(Stored::Value("kubernetes-secret", d.clone()));
            out.push(Stored::Text(d));
        }
    }
}

/// Every encoded credential of `text`, decoded. Cheap when there is none (substring checks).
pub fn decoded_values(text: &str) -> Vec<Stored> {
    let mut out = Vec::new();
    if text.contains("asic ") || text.contains("ASIC ") {
        basic_auth(text, &mut out);
    }
    if text.contains("\"auth\"") {
        docker_auths(text, &mut out);
    }
    if text.contains("Secret") && is_k8s_secret(text) {
        k8s_values(text, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        decoded_values(text)
            .into_iter()
            .filter_map(|s| match s {
                Stored::Value(_, v) => Some(v),
                Stored::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn kubernetes_secret_values() {
        let yaml = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: {}\n  user: {}\n",
            STANDARD.encode("Zq8#pLw2vR7xTn4k"),
            STANDARD.encode("admin")
        );
        let v = values(&yaml);
        assert!(v.contains(&"Zq8#pLw2vR7xTn4k".to_owned()), "{v:?}");
        let json = format!(
            "{{\"kind\": \"Secret\", \"data\": {{\n  \"token\": \"{}\"\n}}}}",
            STANDARD.encode("tok-9f8e7d6c5b4a")
        );
        assert!(values(&json).contains(&"tok-9f8e7d6c5b4a".to_owned()));
        // Not a Secret: base64 values are left alone.
        assert!(values(&yaml.replace("kind: Secret", "kind: ConfigMap")).is_empty());
    }

    #[test]
    fn docker_and_basic_credentials() {
        let auth = STANDARD.encode("robot:Hq7vN2mXp9Lw4Rt8");
        let cfg = format!("{{\"auths\": {{\"registry.example.com\": {{\"auth\": \"{auth}\"}}}}}}");
        assert!(values(&cfg).contains(&"Hq7vN2mXp9Lw4Rt8".to_owned()));
        let k8s = format!(
            "kind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
            STANDARD.encode(&cfg)
        );
        assert!(values(&k8s).contains(&"Hq7vN2mXp9Lw4Rt8".to_owned()));
        let hdr = format!("GET / HTTP/1.1\nAuthorization: Basic {}\n", STANDARD.encode("alice:Wm4tQ8zR2pLx"));
        assert!(values(&hdr).contains(&"Wm4tQ8zR2pLx".to_owned()));
        assert!(values("use basic auth here").is_empty());
    }
}
