//! What a key name says about its value: `password`, `api_token`, `AWS_SECRET_ACCESS_KEY`,
//! `ssn`, a vendor's name, ... or nothing secret at all (`public_key`, `tokenizer`, `keyboard`).

/// Key words that start the key/value parser. Matched case-insensitively.
pub(super) static KEY_TRIGGERS: &[&str] =
    &["pass", "pwd", "secret", "token", "key", "auth", "credential", "creds", "bearer", "ssn"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum KeyClass {
    None,
    /// password-like: need not be high entropy.
    Password,
    /// token/secret/api key/...: needs to look random.
    Strong,
    /// a bare "key": needs to look strongly random.
    Weak,
    AwsSecret,
    AwsSession,
    Ssn,
}

/// Split an identifier into lowercase words (snake, kebab, dotted, camelCase), dropping
/// trailing digits of each word ("token2" -> "token").
fn key_words(ident: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let chars: Vec<char> = ident.chars().collect();
    let mut cur = String::new();
    for i in 0..chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = i + 1 < chars.len() && chars[i + 1].is_ascii_lowercase();
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_lower) {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
        .into_iter()
        .map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

pub(super) const VENDOR_WORDS: &[&str] = &[
    "heroku",
    "facebook",
    "mailchimp",
    "mailchimpe",
    "okta",
    "jira",
    "atlassian",
    "sonar",
    "sourcegraph",
    "clickhouse",
    "cloudflare",
    "maxmind",
    "perplexity",
    "scalingo",
    "sentry",
    "twilio",
    "sendgrid",
    "mailgun",
    "discord",
    "telegram",
    "github",
    "gitlab",
    "slack",
    "stripe",
    "openai",
    "anthropic",
    "aws",
    "azure",
    "gcp",
    "datadog",
    "newrelic",
    "pagerduty",
    "algolia",
    "mapbox",
    "contentful",
    "netlify",
    "vercel",
    "supabase",
    "firebase",
    "pusher",
    "segment",
    "mixpanel",
    "airtable",
    "asana",
    "dropbox",
    "shopify",
    "square",
    "paypal",
    "braintree",
    "plaid",
    "auth0",
    "digitalocean",
    "linode",
    "vultr",
    "cohere",
    "replicate",
    "groq",
    "mistral",
];

pub(super) fn classify_key(ident: &str) -> KeyClass {
    let raw = ident.trim_start_matches('-');
    let words = key_words(raw);
    if words.is_empty() {
        return KeyClass::None;
    }
    let has = |w: &str| words.iter().any(|x| x == w);
    let joined: String = words.concat();
    if has("ssn") || joined.contains("socialsecuritynumber") {
        return KeyClass::Ssn;
    }
    // Disqualifying words anywhere.
    const NEVER: &[&str] = &[
        "public",
        "pub",
        "publishable",
        "csrf",
        "xsrf",
        "cache",
        "sort",
        "primary",
        "foreign",
        "partition",
        "hotkey",
        "keyboard",
        "lookup",
        "idempotency",
        "tokenizer",
        "tokenize",
        "tokens",
        "secrets",
        "keys",
        "passwords",
        "keystore",
        "keytab",
        "keychain",
        "keyring",
        "length",
        "len",
        "size",
        "author",
        "passed",
        "passes",
        "passing",
        "bypass",
        "compass",
        "passenger",
        "passive",
        "keyword",
        "keywords",
        "monkey",
    ];
    if words.iter().any(|w| NEVER.contains(&w.as_str())) {
        return KeyClass::None;
    }
    let last = words.last().unwrap().as_str();
    let prev = if words.len() >= 2 { words[words.len() - 2].as_str() } else { "" };
    if joined.contains("secretaccesskey") || (has("aws") && has("secret") && last == "key") {
        return KeyClass::AwsSecret;
    }
    if joined.ends_with("sessiontoken") && (has("aws") || joined == "sessiontoken")
        || joined.ends_with("securitytoken") && has("aws")
    {
        return KeyClass::AwsSession;
    }
    match last {
        "password" | "passwd" | "pwd" | "pass" | "passphrase" | "passw" | "passwort" | "contrasena" | "senha"
        | "pw" => KeyClass::Password,
        "secret" | "token" | "apikey" | "credential" | "credentials" | "creds" | "auth" | "authorization"
        | "bearer" | "secretkey" | "accesskey" | "privatekey" | "clientsecret" | "authtoken" | "accesstoken"
        | "apitoken" | "apisecret" | "sessionkey" | "signingkey" | "masterkey" | "encryptionkey" => KeyClass::Strong,
        "key" => match prev {
            "api" | "access" | "secret" | "private" | "signing" | "encryption" | "master" | "app" | "account"
            | "client" | "auth" | "license" | "service" | "admin" | "session" | "hmac" | "jwt" | "crypto"
            | "cipher" | "aes" | "token" => KeyClass::Strong,
            _ if words.iter().any(|w| VENDOR_WORDS.contains(&w.as_str())) => KeyClass::Strong,
            _ => KeyClass::Weak,
        },
        _ => {
            if words.len() == 1 && VENDOR_WORDS.contains(&last) {
                KeyClass::Weak
            } else {
                KeyClass::None
            }
        }
    }
}
