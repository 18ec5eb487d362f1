//! Secret / PII detector for tool responses.
//!
//! Design:
//! * one Aho-Corasick pass (ASCII case-insensitive) over the text finds trigger keywords
//!   (vendor prefixes such as `AKIA`, `ghp_`, `xox`, `-----BEGIN`, `://`, and secret-ish key
//!   words such as `password`, `token`, `key`);
//! * only the vendor regexes whose triggers were hit are run (each compiled once);
//! * key-word hits drive a small hand-written `key <op> value` parser (env/YAML/JSON/TOML/
//!   shell/HTTP headers) that judges the value by key name, entropy and character classes;
//! * a single byte pass over digit runs finds card numbers (Luhn + IIN), US SSNs and IBANs
//!   (mod-97) without any regex.
//!
//! Values are never logged or printed.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    Secret,
    PrivateKey,
    Card,
    Ssn,
    Pii,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Secret => "secret",
            Category::PrivateKey => "private_key",
            Category::Card => "card",
            Category::Ssn => "ssn",
            Category::Pii => "pii",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: &'static str,
    pub category: Category,
    pub start: usize,
    pub end: usize,
    pub core_start: usize,
    pub core_end: usize,
}

// ---------------------------------------------------------------------------------------------
// Vendor rules
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Only the generic vendor placeholder filter.
    Basic,
    /// Basic + no "EXAMPLE" + enough distinct characters.
    Aws,
    /// CRC32 checksum, or high entropy when the checksum fails.
    GitHub,
    /// Slack: enough digits, not a placeholder.
    Slack,
    /// Header segment must decode to a JSON object.
    Jwt,
    /// Must contain both a letter and a digit.
    LetterDigit,
    /// Must contain upper and lower case letters.
    MixedCase,
    /// Nothing beyond the regex (shape is already very specific).
    None,
    /// Only with a key-ish word shortly before it on the same line. Google API keys are
    /// routinely embedded, on purpose, in public web and mobile app code; a bare one says
    /// little, one assigned to `GOOGLE_API_KEY=` or sent as `key=` is a credential.
    KeyContext,
}

struct VRule {
    kind: &'static str,
    triggers: &'static [&'static str],
    /// Named groups: `v` = value span (whole match if absent), `c` = core span (= value if absent).
    re: &'static str,
    /// Minimum Shannon entropy (bits/char) of the core.
    min_entropy: f64,
    check: Check,
    category: Category,
}

const S: Category = Category::Secret;

// `\b` is rewritten to an ASCII word boundary at compile time (keeps the lazy DFA usable).
static VRULES: &[VRule] = &[
    // ---- AWS
    VRule {
        kind: "aws-access-key-id",
        triggers: &["akia", "asia", "abia", "acca"],
        re: r"\b(?P<v>(?:AKIA|ASIA|ABIA|ACCA)(?P<c>[A-Z2-7]{16}))\b",
        min_entropy: 2.8,
        check: Check::Aws,
        category: S,
    },
    VRule {
        kind: "aws-bedrock-api-key",
        triggers: &["absk"],
        re: r"\b(?P<v>ABSKQmVkcm9ja0FQSUtleS(?P<c>[A-Za-z0-9+/]{100,140}={0,2}))(?:[^A-Za-z0-9+/=]|$)",
        min_entropy: 0.0,
        check: Check::None,
        category: S,
    },
    VRule {
        kind: "aws-bedrock-api-key",
        triggers: &["bedrock-api-key-"],
        re: r"\b(?P<v>bedrock-api-key-(?P<c>YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%_-]*))",
        min_entropy: 0.0,
        check: Check::None,
        category: S,
    },
    // ---- Google
    VRule {
        kind: "gcp-api-key",
        triggers: &["aiza"],
        re: r"\b(?P<v>AIza(?P<c>[0-9A-Za-z_-]{35}))(?:[^0-9A-Za-z_-]|$)",
        min_entropy: 3.3,
        check: Check::KeyContext,
        category: S,
    },
    // ---- Azure
    VRule {
        kind: "azure-ad-client-secret",
        triggers: &["q~"],
        re: r"(?:^|[^A-Za-z0-9_~.-])(?P<v>[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)",
        min_entropy: 3.5,
        check: Check::LetterDigit,
        category: S,
    },
    VRule {
        kind: "azure-storage-account-key",
        triggers: &["accountkey"],
        re: r"(?i:AccountKey)\s*=\s*(?P<v>[A-Za-z0-9+/]{86}==)",
        min_entropy: 4.0,
        check: Check::Basic,
        category: S,
    },
    // ---- GitHub
    VRule {
        kind: "github-pat",
        triggers: &["ghp_"],
        re: r"\b(?P<v>ghp_(?P<c>[A-Za-z0-9]{36}))\b",
        min_entropy: 3.0,
        check: Check::GitHub,
        category: S,
    },
    VRule {
        kind: "github-oauth-token",
        triggers: &["gho_"],
        re: r"\b(?P<v>gho_(?P<c>[A-Za-z0-9]{36}))\b",
        min_entropy: 3.0,
        check: Check::GitHub,
        category: S,
    },
    VRule {
        kind: "github-user-token",
        triggers: &["ghu_"],
        re: r"\b(?P<v>ghu_(?P<c>[A-Za-z0-9]{36}))\b",
        min_entropy: 3.0,
        check: Check::GitHub,
        category: S,
    },
    VRule {
        kind: "github-app-token",
        triggers: &["ghs_"],
        re: r"\b(?P<v>ghs_(?P<c>[A-Za-z0-9]{36}))\b",
        min_entropy: 3.0,
        check: Check::GitHub,
        category: S,
    },
    VRule {
        kind: "github-refresh-token",
        triggers: &["ghr_"],
        re: r"\b(?P<v>ghr_(?P<c>[A-Za-z0-9]{36}))\b",
        min_entropy: 3.0,
        check: Check::GitHub,
        category: S,
    },
    VRule {
        kind: "github-fine-grained-pat",
        triggers: &["github_pat_"],
        re: r"\b(?P<v>github_pat_(?P<c>[A-Za-z0-9]{22}_[A-Za-z0-9]{59}))\b",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    // ---- GitLab
    VRule {
        kind: "gitlab-token",
        triggers: &[
            "glpat-", "glptt-", "gldt-", "glrt-", "glrtr-", "glcbt-", "glimt-", "glft-", "glsoat-", "glagent-",
            "gloas-", "glffct-",
        ],
        re: r"\b(?P<v>(?:glpat|glptt|gldt|glrt|glrtr|glcbt|glimt|glft|glsoat|glagent|gloas|glffct)-(?P<c>[A-Za-z0-9_.-]{20,}))",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "gitlab-runner-registration-token",
        triggers: &["gr1348941"],
        re: r"\b(?P<v>GR1348941(?P<c>[A-Za-z0-9_-]{20,}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    // ---- OpenAI
    VRule {
        kind: "openai-api-key",
        triggers: &["sk-proj-", "sk-svcacct-", "sk-admin-", "sk-None-"],
        re: r"\b(?P<v>sk-(?:proj|svcacct|admin|None)-(?P<c>[A-Za-z0-9_-]{20,}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "openai-api-key",
        triggers: &["t3blbkfj"],
        re: r"\b(?P<v>sk-(?P<c>[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    // ---- Anthropic
    VRule {
        kind: "anthropic-api-key",
        triggers: &["sk-ant-api"],
        re: r"\b(?P<v>sk-ant-api03-(?P<c>[A-Za-z0-9_-]{93}AA))(?:[^A-Za-z0-9_-]|$)",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "anthropic-admin-key",
        triggers: &["sk-ant-admin"],
        re: r"\b(?P<v>sk-ant-admin01-(?P<c>[A-Za-z0-9_-]{93}AA))(?:[^A-Za-z0-9_-]|$)",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    // ---- Slack
    VRule {
        kind: "slack-token",
        triggers: &["xox"],
        re: r"\b(?P<v>(?:xoxe\.)?xox[abposre]-(?P<c>[0-9A-Za-z][0-9A-Za-z-]{12,}))",
        min_entropy: 0.0,
        check: Check::Slack,
        category: S,
    },
    VRule {
        kind: "slack-app-token",
        triggers: &["xapp-"],
        re: r"\b(?P<v>xapp-(?P<c>[0-9]-[A-Za-z0-9-]{20,}))",
        min_entropy: 3.0,
        check: Check::Slack,
        category: S,
    },
    VRule {
        kind: "slack-webhook-url",
        triggers: &["hooks.slack.com"],
        re: r"(?P<v>https?://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<c>[A-Za-z0-9+/_-]{20,}))",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    // ---- Stripe
    VRule {
        kind: "stripe-secret-key",
        triggers: &["sk_live_", "sk_test_"],
        re: r"\b(?P<v>sk_(?:live|test)_(?P<c>[A-Za-z0-9]{20,}))\b",
        min_entropy: 3.3,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "stripe-restricted-key",
        triggers: &["rk_live_", "rk_test_", "rk_prod_"],
        re: r"\b(?P<v>rk_(?:live|test|prod)_(?P<c>[A-Za-z0-9]{20,}))\b",
        min_entropy: 3.3,
        check: Check::Basic,
        category: S,
    },
    // ---- package registries
    VRule {
        kind: "npm-token",
        triggers: &["npm_"],
        re: r"\b(?P<v>npm_(?P<c>[A-Za-z0-9]{36}))\b",
        min_entropy: 3.3,
        check: Check::LetterDigit,
        category: S,
    },
    VRule {
        kind: "pypi-token",
        triggers: &["pypi-ageichlwas5vcmc"],
        re: r"\b(?P<v>pypi-AgEIcHlwaS5vcmc(?P<c>[A-Za-z0-9_-]{50,}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "clojars-token",
        triggers: &["clojars_"],
        re: r"(?i)\b(?P<v>CLOJARS_(?P<c>[a-z0-9]{60}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "rubygems-api-key",
        triggers: &["rubygems_"],
        re: r"\b(?P<v>rubygems_(?P<c>[a-f0-9]{48}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    // ---- HashiCorp
    VRule {
        kind: "vault-token",
        triggers: &["hvs.", "hvb."],
        re: r"\b(?P<v>hv[sb]\.(?P<c>[A-Za-z0-9_-]{24,}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "vault-token",
        triggers: &["s."],
        re: r"(?:^|[^A-Za-z0-9_.])(?P<v>s\.(?P<c>[A-Za-z0-9]{24}))(?:[^A-Za-z0-9_.]|$)",
        min_entropy: 3.8,
        check: Check::MixedCase,
        category: S,
    },
    VRule {
        kind: "terraform-cloud-token",
        triggers: &[".atlasv1."],
        re: r"\b(?P<v>(?P<c>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    // ---- HuggingFace
    VRule {
        kind: "huggingface-token",
        triggers: &["hf_"],
        re: r"\b(?P<v>hf_(?P<c>[A-Za-z]{34}))\b",
        min_entropy: 3.5,
        check: Check::MixedCase,
        category: S,
    },
    VRule {
        kind: "huggingface-org-token",
        triggers: &["api_org_"],
        re: r"\b(?P<v>api_org_(?P<c>[A-Za-z]{34}))\b",
        min_entropy: 3.5,
        check: Check::MixedCase,
        category: S,
    },
    // ---- 1Password
    VRule {
        kind: "1password-service-account-token",
        triggers: &["ops_eyj"],
        re: r"\b(?P<v>ops_eyJ(?:zaWduSW5BZGRyZXNzIjoi)?(?P<c>[A-Za-z0-9+/=_-]{100,}))",
        min_entropy: 4.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "1password-secret-key",
        triggers: &["a3-"],
        re: r"\b(?P<v>A3-(?P<c>[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    // ---- misc vendors
    VRule {
        kind: "age-secret-key",
        triggers: &["age-secret-key-1"],
        re: r"\b(?P<v>AGE-SECRET-KEY-1(?P<c>[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}))\b",
        min_entropy: 0.0,
        check: Check::None,
        category: Category::PrivateKey,
    },
    VRule {
        kind: "shopify-token",
        triggers: &["shpat_", "shpss_", "shpca_", "shppa_"],
        re: r"\b(?P<v>shp(?:at|ss|ca|pa)_(?P<c>[a-fA-F0-9]{32}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "sendgrid-api-key",
        triggers: &["sg."],
        re: r"\b(?P<v>SG\.(?P<c>[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}))(?:[^A-Za-z0-9_-]|$)",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "twilio-api-key",
        triggers: &["sk"],
        re: r"\b(?P<v>SK(?P<c>[0-9a-f]{32}))\b",
        min_entropy: 3.2,
        check: Check::LetterDigit,
        category: S,
    },
    VRule {
        kind: "digitalocean-token",
        triggers: &["dop_v1_", "doo_v1_", "dor_v1_"],
        re: r"\b(?P<v>do[opr]_v1_(?P<c>[a-f0-9]{64}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "doppler-token",
        triggers: &["dp."],
        re: r"\b(?P<v>dp\.(?:pt|st|sa|ct|scim|audit)\.(?P<c>[A-Za-z0-9]{40,44}))\b",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "linear-api-key",
        triggers: &["lin_api_"],
        re: r"\b(?P<v>lin_api_(?P<c>[A-Za-z0-9]{40}))\b",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "postman-api-key",
        triggers: &["pmak-"],
        re: r"\b(?P<v>PMAK-(?P<c>[a-f0-9]{24}-[a-f0-9]{34}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "databricks-token",
        triggers: &["dapi"],
        re: r"\b(?P<v>dapi(?P<c>[a-f0-9]{32}(?:-[0-9])?))\b",
        min_entropy: 3.0,
        check: Check::LetterDigit,
        category: S,
    },
    VRule {
        kind: "grafana-cloud-token",
        triggers: &["glc_"],
        re: r"\b(?P<v>glc_(?P<c>[A-Za-z0-9+/]{32,400}={0,2}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "grafana-service-account-token",
        triggers: &["glsa_"],
        re: r"\b(?P<v>glsa_(?P<c>[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}))\b",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "heroku-api-key",
        triggers: &["hrku-"],
        re: r"\b(?P<v>HRKU-(?P<c>[A-Za-z0-9_-]{58,64}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "mailgun-api-key",
        triggers: &["key-"],
        re: r"\b(?P<v>key-(?P<c>[a-f0-9]{32}))\b",
        min_entropy: 3.2,
        check: Check::LetterDigit,
        category: S,
    },
    VRule {
        kind: "mailchimp-api-key",
        triggers: &["-us"],
        re: r"\b(?P<v>(?P<c>[a-f0-9]{32})-us[0-9]{1,2})\b",
        min_entropy: 3.2,
        check: Check::LetterDigit,
        category: S,
    },
    VRule {
        kind: "newrelic-key",
        triggers: &["nrak-", "nrjs-", "nrii-"],
        re: r"\b(?P<v>NR(?:AK|JS|II)-(?P<c>[A-Za-z0-9]{27,32}))\b",
        min_entropy: 3.3,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "sentry-token",
        triggers: &["sntrys_"],
        re: r"\b(?P<v>sntrys_eyJ(?P<c>[A-Za-z0-9+/=_-]{50,}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "sentry-token",
        triggers: &["sntryu_"],
        re: r"\b(?P<v>sntryu_(?P<c>[a-f0-9]{64}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "atlassian-api-token",
        triggers: &["atatt3"],
        re: r"\b(?P<v>ATATT3(?P<c>[A-Za-z0-9_=-]{150,}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "flyio-token",
        triggers: &["fo1_"],
        re: r"\b(?P<v>fo1_(?P<c>[A-Za-z0-9_-]{43}))(?:[^A-Za-z0-9_-]|$)",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "square-token",
        triggers: &["sq0atp-", "sq0csp-"],
        re: r"\b(?P<v>sq0(?:atp|csp)-(?P<c>[A-Za-z0-9_-]{22,43}))",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "square-token",
        triggers: &["eaaa"],
        re: r"\b(?P<v>EAAA(?P<c>[A-Za-z0-9_-]{60}))(?:[^A-Za-z0-9_-]|$)",
        min_entropy: 3.5,
        check: Check::LetterDigit,
        category: S,
    },
    VRule {
        kind: "facebook-access-token",
        triggers: &["eaam", "eaac"],
        re: r"\b(?P<v>EAA[MC](?P<c>[A-Za-z0-9]{80,}))",
        min_entropy: 3.5,
        check: Check::LetterDigit,
        category: S,
    },
    VRule {
        kind: "facebook-app-token",
        triggers: &["|"],
        re: r"\b(?P<v>[0-9]{15,16}\|(?P<c>[A-Za-z0-9_-]{27}))(?:[^A-Za-z0-9_-]|$)",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "infracost-api-key",
        triggers: &["ico-"],
        re: r"\b(?P<v>ico-(?P<c>[A-Za-z0-9]{32}))\b",
        min_entropy: 3.5,
        check: Check::MixedCase,
        category: S,
    },
    VRule {
        kind: "intra42-client-secret",
        triggers: &["s-s4t2"],
        re: r"\b(?P<v>s-s4t2(?:ud|af)-(?P<c>[a-f0-9]{64}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "notion-token",
        triggers: &["ntn_"],
        re: r"\b(?P<v>ntn_(?P<c>[0-9]{11}[A-Za-z0-9]{35}))\b",
        min_entropy: 3.5,
        check: Check::MixedCase,
        category: S,
    },
    VRule {
        kind: "notion-token",
        triggers: &["secret_"],
        re: r"\b(?P<v>secret_(?P<c>[A-Za-z0-9]{43}))\b",
        min_entropy: 3.8,
        check: Check::MixedCase,
        category: S,
    },
    VRule {
        kind: "octopus-deploy-api-key",
        triggers: &["api-"],
        re: r"\b(?P<v>API-(?P<c>[A-Z0-9]{26}))\b",
        min_entropy: 3.3,
        check: Check::LetterDigit,
        category: S,
    },
    VRule {
        kind: "openshift-token",
        triggers: &["sha256~"],
        re: r"\b(?P<v>sha256~(?P<c>[A-Za-z0-9_-]{43}))(?:[^A-Za-z0-9_-]|$)",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "perplexity-api-key",
        triggers: &["pplx-"],
        re: r"\b(?P<v>pplx-(?P<c>[A-Za-z0-9]{48}))\b",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "prefect-api-key",
        triggers: &["pnu_"],
        re: r"\b(?P<v>pnu_(?P<c>[A-Za-z0-9]{36}))\b",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "readme-api-key",
        triggers: &["rdme_"],
        re: r"\b(?P<v>rdme_(?P<c>[a-z0-9]{70}))\b",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "scalingo-api-token",
        triggers: &["tk-us-"],
        re: r"\b(?P<v>tk-us-(?P<c>[A-Za-z0-9_-]{48}))",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "sourcegraph-token",
        triggers: &["sgp_"],
        re: r"\b(?P<v>sgp_(?P<c>(?:[a-fA-F0-9]{16}_)?[a-fA-F0-9]{40}))\b",
        min_entropy: 3.3,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "sidekiq-secret",
        triggers: &["contribsys__com"],
        re: r"(?i)BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM\s*[:=]\s*['\x22]?(?P<v>[a-f0-9]{8}:[a-f0-9]{8})\b",
        min_entropy: 0.0,
        check: Check::None,
        category: S,
    },
    VRule {
        kind: "cloudflare-api-token",
        triggers: &["v1.0-"],
        re: r"\b(?P<v>v1\.0-(?P<c>[a-f0-9]{24}-[a-f0-9]{146}))\b",
        min_entropy: 3.0,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "discord-bot-token",
        triggers: &["discord"],
        re: r"(?i:discord)[A-Za-z0-9_ .-]{0,20}[=:]\s*['\x22]?(?P<v>[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "telegram-bot-token",
        triggers: &[":aa"],
        re: r"\b(?P<v>[0-9]{8,10}:(?P<c>AA[A-Za-z0-9_-]{33}))(?:[^A-Za-z0-9_-]|$)",
        min_entropy: 3.5,
        check: Check::Basic,
        category: S,
    },
    VRule {
        kind: "jwt",
        triggers: &["eyj"],
        re: r"\b(?P<v>eyJ[A-Za-z0-9_-]{10,}\.(?P<c>[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*))",
        min_entropy: 0.0,
        check: Check::Jwt,
        category: S,
    },
    VRule {
        kind: "openssh-private-key",
        triggers: &["b3blbnnzac1rzxktdje"],
        re: r"(?P<v>b3BlbnNzaC1rZXktdjE(?P<c>(?:[A-Za-z0-9+/=]|\\n|\r?\n){60,}))",
        min_entropy: 0.0,
        check: Check::None,
        category: Category::PrivateKey,
    },
];

/// Key words that start the key/value parser. Matched case-insensitively.
static KEY_TRIGGERS: &[&str] =
    &["pass", "pwd", "secret", "token", "key", "auth", "credential", "creds", "bearer", "ssn"];

/// Other triggers handled by dedicated code.
const T_BEGIN: &str = "-----begin";
const T_SCHEME: &str = "://";
const T_CURL_U: &str = "curl";
const T_JDBC: &str = "jdbc:oracle:";

struct Engine {
    ac: AhoCorasick,
    /// The same keywords as a DFA: a few ms to build, about 2.5x faster to run, so it is built
    /// only for texts large enough to repay it.
    ac_dfa: OnceLock<AhoCorasick>,
    patterns: Vec<String>,
    /// For each AC pattern id: what it triggers.
    targets: Vec<Target>,
    /// Compiled on first use: a hook process only pays for the rules its text triggers
    /// (compiling all of them up front costs ~10 ms per process).
    rules: Vec<OnceLock<Regex>>,
}

/// A regex compiled once, on first use.
macro_rules! lazy_re {
    ($name:ident, $re:expr) => {
        fn $name() -> &'static Regex {
            static R: OnceLock<Regex> = OnceLock::new();
            R.get_or_init(|| Regex::new(&fix_b($re)).expect(stringify!($name)))
        }
    };
}

lazy_re!(
    url_re,
    r#"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{1,30})://(?P<user>[^\s:/@'"<>()\[\]{}\\]{0,128}):(?P<pw>[^\s@/'"<>\\]{1,256})@(?P<host>[A-Za-z0-9._\-\[\]]+)"#
);
lazy_re!(oracle_re, r#"(?i)jdbc:oracle:[a-z]+:(?P<user>[A-Za-z0-9_$#]+)/(?P<pw>[^@\s'"/]+)@"#);
lazy_re!(curl_re, r#"(?:^|[\s'"(])(?:-u|--user)(?:[ \t]+|=)"#);
lazy_re!(
    pem_begin_re,
    r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED |ED25519 )?PRIVATE KEY(?: BLOCK)?)-----"
);
lazy_re!(aws_pair_re, r"(?:^|[^A-Za-z0-9/+=])(?P<v>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)");

/// Texts at least this long are scanned with the DFA keyword automaton.
const DFA_MIN_BYTES: usize = 256 * 1024;

impl Engine {
    fn keywords(&self, text_len: usize) -> &AhoCorasick {
        if text_len < DFA_MIN_BYTES {
            return &self.ac;
        }
        self.ac_dfa.get_or_init(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&self.patterns)
                .expect("aho-corasick DFA build")
        })
    }

    fn rule(&self, i: usize) -> &Regex {
        self.rules[i].get_or_init(|| Regex::new(&fix_b(VRULES[i].re)).expect("vendor regex"))
    }
}

#[derive(Clone)]
enum Target {
    Rules(Vec<usize>),
    Key,
    Begin,
    Scheme,
    Curl,
    Oracle,
}

fn fix_b(re: &str) -> String {
    re.replace(r"\b", r"(?-u:\b)")
}

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let mut pats: Vec<String> = Vec::new();
        let mut targets: Vec<Target> = Vec::new();
        let mut idx = std::collections::HashMap::<String, usize>::new();
        let mut add = |p: &str, t: Target, pats: &mut Vec<String>, targets: &mut Vec<Target>| {
            let p = p.to_ascii_lowercase();
            if let Some(&i) = idx.get(&p) {
                match (&mut targets[i], t) {
                    (Target::Rules(v), Target::Rules(w)) => v.extend(w),
                    _ => {
                        // Distinct target kinds on the same literal: store separately.
                        pats.push(p.clone());
                        targets.push(Target::Key);
                    }
                }
            } else {
                idx.insert(p.clone(), pats.len());
                pats.push(p);
                targets.push(t);
            }
        };
        for (i, r) in VRULES.iter().enumerate() {
            for t in r.triggers {
                add(t, Target::Rules(vec![i]), &mut pats, &mut targets);
            }
        }
        for t in KEY_TRIGGERS.iter().chain(VENDOR_WORDS.iter()) {
            add(t, Target::Key, &mut pats, &mut targets);
        }
        add(T_BEGIN, Target::Begin, &mut pats, &mut targets);
        add(T_SCHEME, Target::Scheme, &mut pats, &mut targets);
        add(T_CURL_U, Target::Curl, &mut pats, &mut targets);
        add(T_JDBC, Target::Oracle, &mut pats, &mut targets);
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .build(&pats)
            .expect("aho-corasick build");
        let rules = VRULES.iter().map(|_| OnceLock::new()).collect();
        Engine { ac, ac_dfa: OnceLock::new(), patterns: pats, targets, rules }
    })
}

// ---------------------------------------------------------------------------------------------
// Candidate bookkeeping
// ---------------------------------------------------------------------------------------------

struct Cand {
    f: Finding,
    /// Higher wins on overlap.
    rank: u8,
}

const RANK_PEM: u8 = 6;
const RANK_VENDOR: u8 = 5;
const RANK_STRUCT: u8 = 4; // URLs, curl -u, cards, SSN, IBAN
const RANK_KEYED: u8 = 3; // aws secret by key name / pairing
const RANK_GENERIC: u8 = 1;

fn push(out: &mut Vec<Cand>, kind: &'static str, category: Category, v: (usize, usize), c: (usize, usize), rank: u8) {
    let (cs, ce) = if c.0 < c.1 && c.0 >= v.0 && c.1 <= v.1 { c } else { v };
    out.push(Cand { f: Finding { kind, category, start: v.0, end: v.1, core_start: cs, core_end: ce }, rank });
}

/// All findings in `text`, sorted by start; when two findings overlap keep the more specific
/// (vendor pattern beats generic).
pub fn scan(text: &str) -> Vec<Finding> {
    let e = engine();
    let mut cands: Vec<Cand> = Vec::new();

    let mut rule_hit = vec![false; VRULES.len()];
    let mut key_hits: Vec<(usize, usize)> = Vec::new();
    let (mut begin, mut scheme, mut curl, mut oracle) = (false, false, false, false);
    for m in e.keywords(text.len()).find_overlapping_iter(text) {
        match &e.targets[m.pattern().as_usize()] {
            Target::Rules(v) => {
                for &i in v {
                    rule_hit[i] = true;
                }
            }
            Target::Key => key_hits.push((m.start(), m.end())),
            Target::Begin => begin = true,
            Target::Scheme => scheme = true,
            Target::Curl => curl = true,
            Target::Oracle => oracle = true,
        }
    }

    for (i, hit) in rule_hit.iter().enumerate() {
        if *hit {
            run_rule(text, i, e.rule(i), &mut cands);
        }
    }
    if begin {
        scan_pem(text, &mut cands);
    }
    if scheme {
        scan_urls(text, &mut cands);
    }
    if oracle {
        for caps in oracle_re().captures_iter(text) {
            let pw = caps.name("pw").unwrap();
            if password_ok(pw.as_str()) {
                push(&mut cands, "db-url-password", S, (pw.start(), pw.end()), (pw.start(), pw.end()), RANK_STRUCT);
            }
        }
    }
    if curl {
        scan_curl(text, &mut cands);
    }
    if !key_hits.is_empty() {
        scan_keyed(text, &key_hits, &mut cands);
    }
    // AWS secret pairing with a nearby access key id.
    let ids: Vec<(usize, usize)> =
        cands.iter().filter(|c| c.f.kind == "aws-access-key-id").map(|c| (c.f.start, c.f.end)).collect();
    for (s, en) in ids {
        let lo = floor_cb(text, s.saturating_sub(200));
        let hi = ceil_cb(text, (en + 200).min(text.len()));
        let win = &text[lo..hi];
        for caps in aws_pair_re().captures_iter(win) {
            let v = caps.name("v").unwrap();
            let val = v.as_str();
            if looks_aws_secret(val) {
                let (a, b) = (lo + v.start(), lo + v.end());
                push(&mut cands, "aws-secret-access-key", S, (a, b), (a, b), RANK_KEYED);
            }
        }
    }
    scan_digits(text, &mut cands);

    resolve(cands)
}

fn resolve(mut cands: Vec<Cand>) -> Vec<Finding> {
    cands.sort_by(|a, b| {
        b.rank.cmp(&a.rank).then((b.f.end - b.f.start).cmp(&(a.f.end - a.f.start))).then(a.f.start.cmp(&b.f.start))
    });
    let mut kept: Vec<Finding> = Vec::new();
    for c in cands {
        if c.f.start >= c.f.end {
            continue;
        }
        if kept.iter().any(|k| k.start < c.f.end && c.f.start < k.end) {
            continue;
        }
        kept.push(c.f);
    }
    kept.sort_by_key(|f| (f.start, f.end));
    kept
}

fn floor_cb(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
fn ceil_cb(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

// ---------------------------------------------------------------------------------------------
// Vendor rule execution
// ---------------------------------------------------------------------------------------------

fn run_rule(text: &str, i: usize, re: &Regex, out: &mut Vec<Cand>) {
    let r = &VRULES[i];
    for caps in re.captures_iter(text) {
        let v = caps.name("v").unwrap_or_else(|| caps.get(0).unwrap());
        let c = caps.name("c").unwrap_or(v);
        let core = c.as_str();
        if !vendor_ok(r, v.as_str(), core, &text[v.end()..])
            || (r.check == Check::KeyContext && !key_context_before(text, v.start()))
        {
            continue;
        }
        let mut cr = (c.start(), c.end());
        if r.kind == "aws-bedrock-api-key" && v.as_str().starts_with("bedrock-api-key-") {
            // Everything up to the fixed base64 of "bedrock.amazonaws.com" is shared.
            let fixed = "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t".len();
            if v.len() > fixed {
                cr = (v.start() + fixed, v.end());
            }
        }
        push(out, r.kind, r.category, (v.start(), v.end()), cr, RANK_VENDOR);
    }
}

/// A key-ish word in the 64 bytes before `at`, on the same line.
fn key_context_before(text: &str, at: usize) -> bool {
    let mut start = at.saturating_sub(64);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let window = &text[start..at];
    let line = window.rsplit('\n').next().unwrap_or(window).to_ascii_lowercase();
    ["key", "api", "token", "secret", "google", "gcp", "firebase", "auth", "cred", "maps", "gemini"]
        .iter()
        .any(|w| line.contains(w))
}

fn vendor_ok(r: &VRule, value: &str, core: &str, after: &str) -> bool {
    // A value immediately followed by masking characters is a redacted/placeholder sample.
    if let Some(nc) = after.chars().next() {
        if nc == '#' || nc == '*' || nc == '…' {
            return false;
        }
    }
    if after.starts_with("..") {
        return false;
    }
    if r.check != Check::None && r.check != Check::Jwt && vendor_placeholder(core) {
        return false;
    }
    if r.min_entropy > 0.0 && entropy(core) < r.min_entropy {
        // GitHub tokens are judged by their checksum first.
        if r.check != Check::GitHub {
            return false;
        }
    }
    match r.check {
        Check::Basic | Check::None | Check::KeyContext => true,
        Check::Aws => !value.contains("EXAMPLE") && distinct(core) >= 8,
        Check::GitHub => {
            if github_checksum_ok(core) {
                true
            } else {
                entropy(core) >= 4.0 && has_lower(core) && has_upper(core) && has_digit(core)
            }
        }
        Check::Slack => {
            let digits = core.bytes().filter(|b| b.is_ascii_digit()).count();
            let c = core.trim_end_matches('-');
            digits >= 6 && c.len() >= 14 && !c.to_ascii_lowercase().contains("xoxb")
        }
        Check::Jwt => {
            let header = value.split('.').next().unwrap_or("");
            jwt_header_ok(header)
        }
        Check::LetterDigit => has_digit(core) && (has_lower(core) || has_upper(core)),
        Check::MixedCase => has_lower(core) && has_upper(core),
    }
}

fn jwt_header_ok(h: &str) -> bool {
    use base64::Engine as _;
    let eng = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let trimmed = h.trim_end_matches('=');
    // Decode the longest prefix that is a multiple of 4 (headers may be slightly corrupted).
    let n = trimmed.len() / 4 * 4;
    match eng.decode(&trimmed[..n]) {
        Ok(bytes) => bytes.starts_with(b"{\"") || bytes.starts_with(b"{ \""),
        Err(_) => false,
    }
}

fn looks_aws_secret(v: &str) -> bool {
    v.len() == 40
        && has_lower(v)
        && has_upper(v)
        && has_digit(v)
        && entropy(v) >= 4.2
        && !vendor_placeholder(v)
        && !v.contains("EXAMPLE")
}

// ---------------------------------------------------------------------------------------------
// PEM / private key blocks
// ---------------------------------------------------------------------------------------------

fn scan_pem(text: &str, out: &mut Vec<Cand>) {
    for caps in pem_begin_re().captures_iter(text) {
        let m = caps.get(0).unwrap();
        let label = caps.get(1).unwrap().as_str();
        let end_marker = format!("-----END {}-----", label);
        let body_start = m.end();
        let limit = ceil_cb(text, (body_start + 200_000).min(text.len()));
        let region = &text[body_start..limit];
        let (body_end, value_end) = match region.find(&end_marker) {
            Some(p) => (body_start + p, body_start + p + end_marker.len()),
            None => {
                // Truncated block: take the run of base64 / line-break characters.
                let mut k = 0;
                let b = region.as_bytes();
                while k < b.len() {
                    let ch = b[k];
                    if ch.is_ascii_alphanumeric() || b"+/=\r\n \t:-,".contains(&ch) {
                        k += 1;
                    } else if ch == b'\\' && k + 1 < b.len() && b[k + 1] == b'n' {
                        k += 2;
                    } else {
                        break;
                    }
                }
                (body_start + k, body_start + k)
            }
        };
        let body = &text[body_start..body_end];
        let b64 = body_b64_len(body);
        if b64 < 40 {
            continue;
        }
        // Trim the body span to the base64 content (skip escaped newlines / headers at edges).
        let (cs, ce) = trim_body(text, body_start, body_end);
        let ctx_lo = floor_cb(text, m.start().saturating_sub(2000));
        let ctx = &text[ctx_lo..m.start()];
        let kind = if ctx.contains("service_account") || ctx.contains("\"private_key\"") {
            "gcp-service-account-key"
        } else {
            "private-key-pem"
        };
        push(out, kind, Category::PrivateKey, (m.start(), value_end), (cs, ce), RANK_PEM);
    }
}

fn body_b64_len(body: &str) -> usize {
    let mut n = 0;
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] == b'n' {
            i += 2;
            continue;
        }
        if b[i].is_ascii_alphanumeric() || b[i] == b'+' || b[i] == b'/' {
            n += 1;
        }
        i += 1;
    }
    n
}

fn trim_body(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let b = text.as_bytes();
    loop {
        if s < e && (b[s] == b'\n' || b[s] == b'\r' || b[s] == b' ' || b[s] == b'\t') {
            s += 1;
        } else if s + 1 < e && b[s] == b'\\' && b[s + 1] == b'n' {
            s += 2;
        } else {
            break;
        }
    }
    loop {
        if e > s && (b[e - 1] == b'\n' || b[e - 1] == b'\r' || b[e - 1] == b' ' || b[e - 1] == b'\t') {
            e -= 1;
        } else if e >= s + 2 && b[e - 2] == b'\\' && b[e - 1] == b'n' {
            e -= 2;
        } else {
            break;
        }
    }
    (s, e)
}

// ---------------------------------------------------------------------------------------------
// URLs with credentials
// ---------------------------------------------------------------------------------------------

const DB_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "mssql",
    "sqlserver",
    "oracle",
    "cockroachdb",
    "clickhouse",
    "cassandra",
    "couchdb",
    "neo4j",
    "neo4j+s",
    "bolt",
    "memcached",
    "elasticsearch",
    "nats",
    "kafka",
    "mqtt",
    "mqtts",
    "db2",
    "snowflake",
    "timescale",
    "postgis",
    "influxdb",
    "ldap",
    "ldaps",
];

fn scan_urls(text: &str, out: &mut Vec<Cand>) {
    for caps in url_re().captures_iter(text) {
        let scheme = caps.name("scheme").unwrap().as_str().to_ascii_lowercase();
        let pw = caps.name("pw").unwrap();
        let user = caps.name("user").unwrap().as_str();
        let p = pw.as_str();
        if !url_password_ok(user, p) {
            continue;
        }
        let base = scheme.rsplit(':').next().unwrap_or(&scheme);
        let base = base.strip_prefix("jdbc:").unwrap_or(base);
        let kind =
            if DB_SCHEMES.contains(&base) || scheme.starts_with("jdbc") { "db-url-password" } else { "basic-auth-url" };
        push(out, kind, S, (pw.start(), pw.end()), (pw.start(), pw.end()), RANK_STRUCT);
    }
}

fn url_password_ok(user: &str, p: &str) -> bool {
    if p.is_empty() || is_variable_ref(p) || is_placeholder(p) {
        return false;
    }
    if p.contains("${") || p.contains("{{") || p.contains("$(") || p.starts_with('%') {
        return false;
    }
    if user.contains("${") || user.contains("{{") {
        return false;
    }
    // A port number ("host:8080@...") is not a password.
    if p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 5 {
        return false;
    }
    p.len() >= 3 && distinct(p) >= 3
}

// ---------------------------------------------------------------------------------------------
// curl -u user:pass
// ---------------------------------------------------------------------------------------------

fn scan_curl(text: &str, out: &mut Vec<Cand>) {
    for m in curl_re().find_iter(text) {
        let start = m.end();
        // Read one shell word, recording the byte offset of every unquoted-content char.
        let b = text.as_bytes();
        let mut i = start;
        let mut quote: u8 = 0;
        let mut chars: Vec<(usize, u8)> = Vec::new();
        while i < b.len() {
            let ch = b[i];
            if quote != 0 {
                if ch == quote {
                    quote = 0;
                } else if ch == b'\n' {
                    break;
                } else {
                    chars.push((i, ch));
                }
            } else if ch == b'"' || ch == b'\'' {
                quote = ch;
            } else if ch.is_ascii_whitespace() {
                break;
            } else {
                chars.push((i, ch));
            }
            i += 1;
            if i - start > 512 {
                break;
            }
        }
        let content: Vec<u8> = chars.iter().map(|c| c.1).collect();
        let Some(colon) = content.iter().position(|&c| c == b':') else { continue };
        let (user_idx, pass_idx) = ((0, colon), (colon + 1, content.len()));
        let user = String::from_utf8_lossy(&content[user_idx.0..user_idx.1]).into_owned();
        let pass = String::from_utf8_lossy(&content[pass_idx.0..pass_idx.1]).into_owned();
        let whole = String::from_utf8_lossy(&content).into_owned();
        if whole.contains("${")
            || whole.contains("$(")
            || whole.contains("{{")
            || whole.contains('<')
            || whole.contains('[')
        {
            continue;
        }
        let (secret, range) = if pass.is_empty() { (user.clone(), user_idx) } else { (pass.clone(), pass_idx) };
        if range.0 >= range.1 {
            continue;
        }
        let bare = secret.trim_start_matches('{').trim_end_matches('}');
        if is_variable_ref(&secret) || !password_ok(bare) || secret == user && !pass.is_empty() {
            continue;
        }
        let s = chars[range.0].0;
        let en = chars[range.1 - 1].0 + 1;
        let (s, en) = (floor_cb(text, s), ceil_cb(text, en));
        push(out, "curl-credentials", S, (s, en), (s, en), RANK_STRUCT);
    }
}

// ---------------------------------------------------------------------------------------------
// key = value assignments
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KeyClass {
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

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

fn scan_keyed(text: &str, hits: &[(usize, usize)], out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    let mut last_ident: (usize, usize) = (usize::MAX, 0);
    for &(hs, he) in hits {
        let mut s = hs;
        while s > 0 && is_ident_byte(b[s - 1]) {
            s -= 1;
        }
        let mut e = he;
        while e < b.len() && is_ident_byte(b[e]) {
            e += 1;
        }
        // Trailing dots/dashes belong to punctuation, not the identifier.
        while e > he && (b[e - 1] == b'.' || b[e - 1] == b'-') {
            e -= 1;
        }
        if (s, e) == last_ident {
            continue;
        }
        last_ident = (s, e);
        if e - s > 128 {
            continue;
        }
        let ident = &text[s..e];
        let class = classify_key(ident);
        if class == KeyClass::None {
            continue;
        }
        if let Some((vs, ve, quoted)) = parse_value(text, s, e) {
            judge(text, ident, class, vs, ve, quoted, out);
        }
    }
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

const VENDOR_WORDS: &[&str] = &[
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

fn classify_key(ident: &str) -> KeyClass {
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

/// Find the value of `key <op> value` given the identifier span. Returns the raw value span.
fn parse_value(text: &str, ks: usize, ke: usize) -> Option<(usize, usize, bool)> {
    let b = text.as_bytes();
    let mut p = ke;
    let key_quote = if ks > 0 && (b[ks - 1] == b'"' || b[ks - 1] == b'\'') { Some(b[ks - 1]) } else { None };
    let mut quoted_key = false;
    if let Some(q) = key_quote {
        if p < b.len() && b[p] == q {
            p += 1;
            quoted_key = true;
        }
    }
    // JSON-in-string: \"key\": \"value\"
    if !quoted_key && p + 1 < b.len() && b[p] == b'\\' && (b[p + 1] == b'"' || b[p + 1] == b'\'') {
        p += 2;
        quoted_key = true;
    }
    // XML element <password>value</password>
    if ks > 0 && b[ks - 1] == b'<' && p < b.len() && b[p] == b'>' {
        let vs = p + 1;
        let mut ve = vs;
        while ve < b.len() && b[ve] != b'<' && b[ve] != b'\n' && ve - vs < 512 {
            ve += 1;
        }
        if ve > vs && b[ve..].starts_with(b"</") {
            return Some((vs, ve, true));
        }
        return None;
    }
    while p < b.len() && (b[p] == b' ' || b[p] == b'\t') {
        p += 1;
    }
    if p >= b.len() {
        return None;
    }
    let is_flag = text[ks..ke].starts_with('-');
    if b[p] == b'=' {
        if p + 1 < b.len() && (b[p + 1] == b'=' || b[p + 1] == b'~') {
            return None;
        }
        p += 1;
        if p < b.len() && b[p] == b'>' {
            p += 1;
        }
    } else if b[p] == b':' {
        if p + 1 < b.len() && b[p + 1] == b':' {
            return None;
        }
        p += 1;
        if p < b.len() && b[p] == b'=' {
            p += 1;
        }
    } else if b[p] == b',' && quoted_key {
        p += 1;
    } else if is_flag && p > ke {
        // `--password value`
    } else {
        return None;
    }
    while p < b.len() && (b[p] == b' ' || b[p] == b'\t') {
        p += 1;
    }
    if p >= b.len() {
        return None;
    }
    // Value.
    let mut q: Option<u8> = None;
    if b[p] == b'"' || b[p] == b'\'' || b[p] == b'`' {
        q = Some(b[p]);
        p += 1;
    } else if b[p] == b'\\' && p + 1 < b.len() && (b[p + 1] == b'"' || b[p + 1] == b'\'') {
        q = Some(b[p + 1]);
        p += 2;
    }
    let vs = p;
    let mut ve = p;
    match q {
        Some(qc) => {
            while ve < b.len() && b[ve] != qc && b[ve] != b'\n' && ve - vs < 1024 {
                if b[ve] == b'\\' && ve + 1 < b.len() && b[ve + 1] == qc {
                    break; // escaped closing quote of a JSON-in-string value
                }
                ve += 1;
            }
        }
        None => {
            let unquoted_end = |mut ve: usize| {
                while ve < b.len() && ve - vs < 1024 {
                    let c = b[ve];
                    if c.is_ascii_whitespace()
                        || matches!(c, b'"' | b'\'' | b',' | b';' | b'&' | b')' | b'}' | b']' | b'<' | b'>' | b'`')
                    {
                        break;
                    }
                    ve += 1;
                }
                ve
            };
            ve = unquoted_end(vs);
            // "Authorization: Bearer <token>" written without quotes around the value.
            if ve < b.len() && b[ve] == b' ' && AUTH_SCHEMES.contains(&text[vs..ve].to_ascii_lowercase().as_str()) {
                let mut p2 = ve;
                while p2 < b.len() && b[p2] == b' ' {
                    p2 += 1;
                }
                ve = unquoted_end(p2);
            }
        }
    }
    if ve <= vs {
        return None;
    }
    Some((vs, ceil_cb(text, ve), q.is_some()))
}

const AUTH_SCHEMES: &[&str] = &[
    "bearer",
    "basic",
    "token",
    "api-token",
    "apikey",
    "digest",
    "bot",
    "oauth",
    "jwt",
    "ssws",
    "key",
    "sso-key",
    "splunk",
    "dsn",
    "negotiate",
    "hmac",
];

fn judge(text: &str, ident: &str, class: KeyClass, mut vs: usize, ve: usize, quoted: bool, out: &mut Vec<Cand>) {
    // `name: Type,` / `CONST: T = 1;` -- an unquoted identifier followed by a code delimiter.
    let after = text[ve..].trim_start_matches([' ', '\t']).chars().next();
    let code_follow = !quoted && matches!(after, Some(',' | ';' | ')' | '=' | '{'));
    let mut v = &text[vs..ve];
    // Authorization scheme prefix ("Bearer xyz").
    if let Some(sp) = v.find(' ') {
        let first = v[..sp].to_ascii_lowercase();
        if AUTH_SCHEMES.contains(&first.as_str()) {
            let rest = v[sp..].trim_start();
            vs = ve - rest.len();
            v = rest;
        }
    }
    let v = v.trim_end_matches(['\\', '.']);
    // CONSTANT_CASE / snake_case identifiers ("WIN32_ERROR", "FTS5_MAX_TOKEN_SIZE", "DOC_Vector_5_32")
    // are code, not literals (a quoted password may still legitimately look like "Summer_2024").
    if (!quoted || class != KeyClass::Password) && is_identifier_words(v) {
        return;
    }
    if code_follow
        && v.as_bytes().first().is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return;
    }
    let ve = vs + v.len();
    if v.is_empty() || v.contains(' ') && class != KeyClass::Password {
        return;
    }
    if is_variable_ref(v) || is_placeholder(v) || looks_like_code(v) {
        return;
    }
    let kind: &'static str;
    let cat;
    match class {
        KeyClass::None => return,
        KeyClass::Ssn => {
            let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
            if digits.len() == 9
                && v.len() <= 11
                && v.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
                && ssn_valid(&digits)
            {
                kind = "us-ssn";
                cat = Category::Ssn;
            } else {
                return;
            }
        }
        KeyClass::Password => {
            // An unquoted bare identifier is a variable/type, not a literal password.
            if !quoted && v.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_') {
                return;
            }
            if v.contains(' ') || !password_ok(v) {
                return;
            }
            kind = "generic-secret-assignment";
            cat = S;
        }
        KeyClass::AwsSecret => {
            if !(v.len() == 40
                && v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'/' || c == b'+')
                && entropy(v) >= 3.5
                && !vendor_placeholder(v))
            {
                return;
            }
            kind = "aws-secret-access-key";
            cat = S;
        }
        KeyClass::AwsSession => {
            if !(v.len() >= 100 && entropy(v) >= 4.0) {
                return;
            }
            kind = "aws-session-token";
            cat = S;
        }
        KeyClass::Strong => {
            if !random_enough(v, 8, 2.8) && !is_uuid(v) {
                return;
            }
            kind = "generic-secret-assignment";
            cat = S;
        }
        KeyClass::Weak => {
            if !random_enough(v, 16, 3.6) {
                return;
            }
            kind = "generic-secret-assignment";
            cat = S;
        }
    }
    let _ = ident;
    let rank = match kind {
        "aws-secret-access-key" | "aws-session-token" => RANK_KEYED,
        "us-ssn" => RANK_STRUCT,
        _ => RANK_GENERIC,
    };
    push(out, kind, cat, (vs, ve), (vs, ve), rank);
}

fn is_identifier_words(v: &str) -> bool {
    if !v.contains('_') || !(v.as_bytes()[0].is_ascii_alphabetic() || v.starts_with('_')) {
        return false;
    }
    v.split('_').all(|seg| {
        let letters = seg.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        seg[letters..].bytes().all(|b| b.is_ascii_digit()) && (letters == 0 || letters >= 2 || seg.len() <= 3)
    })
}

fn random_enough(v: &str, min_len: usize, min_ent: f64) -> bool {
    if v.len() < min_len {
        return false;
    }
    if vendor_placeholder(v) {
        return false;
    }
    let classes = [has_lower(v), has_upper(v), has_digit(v), v.bytes().any(|b| !b.is_ascii_alphanumeric())]
        .iter()
        .filter(|x| **x)
        .count();
    let ent = entropy(v);
    // Mostly-letters values are words/identifiers unless long and very mixed.
    if !has_digit(v) {
        let letters_only = v.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-');
        if letters_only
            && !(v.len() >= 16 && has_lower(v) && has_upper(v) && ent >= 3.8 && case_changes(v) * 4 >= v.len())
        {
            return false;
        }
    }
    if classes < 2 && v.len() < 20 {
        return false;
    }
    ent >= min_ent.min((v.len() as f64).log2() - 0.3)
}

fn case_changes(v: &str) -> usize {
    let b = v.as_bytes();
    b.windows(2)
        .filter(|w| {
            w[0].is_ascii_alphabetic()
                && w[1].is_ascii_alphabetic()
                && (w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase())
        })
        .count()
}

/// A plausible literal password: not a placeholder, not a plain dictionary-looking word.
fn password_ok(p: &str) -> bool {
    if p.len() < 6 || p.len() > 256 || is_placeholder(p) || is_variable_ref(p) {
        return false;
    }
    if p.contains("${") || p.contains("{{") || p.contains("$(") || p.starts_with('<') {
        return false;
    }
    if distinct(p) < 4 || sequential_ratio(p) >= 0.9 {
        return false;
    }
    if p.bytes().all(|b| b.is_ascii_digit()) {
        return p.len() >= 8;
    }
    if p.bytes().all(|b| b.is_ascii_alphabetic()) {
        // plain words (lower, UPPER, Capitalized) are not treated as passwords
        let tail = &p[1..];
        let mixed_tail = tail.bytes().any(|b| b.is_ascii_uppercase()) && tail.bytes().any(|b| b.is_ascii_lowercase());
        return mixed_tail && p.len() >= 8;
    }
    if looks_like_code(p) {
        return false;
    }
    true
}

fn is_uuid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, &c)| if matches!(i, 8 | 13 | 18 | 23) { c == b'-' } else { c.is_ascii_hexdigit() })
        && distinct(v) >= 6
}

/// `$VAR`, `${VAR}`, `%(x)s`, `{{ x }}`, `<YOUR_KEY>`, `process.env.X`, ...
fn is_variable_ref(v: &str) -> bool {
    let t = v.trim_matches(|c| c == '"' || c == '\'');
    if t.starts_with('$')
        || t.starts_with("%(")
        || t.starts_with("%s")
        || t.starts_with("{{")
        || t.starts_with("${")
        || t.starts_with('<')
        || t.starts_with('@') && t.ends_with('@')
        || t.starts_with("#{")
    {
        return true;
    }
    if t.starts_with('%') && t.ends_with('%') {
        return true;
    }
    let l = t.to_ascii_lowercase();
    l.starts_with("process.env")
        || l.starts_with("os.environ")
        || l.starts_with("env.")
        || l.starts_with("env[")
        || l.starts_with("secrets.")
        || l.starts_with("vars.")
        || l.starts_with("getenv")
}

/// Values that are code rather than literals: calls, member chains, paths, URLs, versions.
fn looks_like_code(v: &str) -> bool {
    if v.contains('(')
        || v.contains(')')
        || v.contains('[')
        || v.contains('{')
        || v.contains('}')
        || v.contains("://")
        || v.contains("::")
        || v.contains("->")
        || v.contains("=>")
    {
        return true;
    }
    if v.starts_with('/') || v.starts_with("./") || v.starts_with("~/") || v.starts_with('*') || v.starts_with('&') {
        return true;
    }
    // dotted identifier chain: a.b.c with each segment an identifier
    if v.contains('.') {
        let segs: Vec<&str> = v.split('.').collect();
        if segs.len() >= 2
            && segs.iter().all(|s| {
                !s.is_empty()
                    && s.as_bytes()[0].is_ascii_alphabetic()
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    && s.len() < 24
            })
        {
            return true;
        }
        // versions / file names
        if v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return true;
        }
        let l = v.to_ascii_lowercase();
        for ext in [".pem", ".key", ".json", ".txt", ".p12", ".pfx", ".crt", ".cer", ".yaml", ".yml", ".env", ".jks"] {
            if l.ends_with(ext) {
                return true;
            }
        }
    }
    if v.contains("SNAPSHOT") {
        return true;
    }
    false
}

/// Placeholder / example values.
fn is_placeholder(v: &str) -> bool {
    let l = v.trim_matches(|c| c == '"' || c == '\'').to_ascii_lowercase();
    const EXACT: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "test",
        "testing",
        "changeme",
        "change_me",
        "changeit",
        "null",
        "none",
        "nil",
        "true",
        "false",
        "undefined",
        "empty",
        "default",
        "admin",
        "root",
        "pass",
        "example",
        "dummy",
        "sample",
        "redacted",
        "hidden",
        "string",
        "value",
        "key",
        "apikey",
        "api_key",
        "foo",
        "bar",
        "foobar",
        "user",
        "username",
        "mypassword",
        "yourpassword",
        "secret123",
        "password123",
        "letmein",
        "qwerty",
        "required",
        "optional",
        "masked",
        "removed",
        "todo",
        "tbd",
        "xxx",
        "yyy",
        "abc123",
        "test123",
        "demo",
        "guest",
        "private",
        "placeholder",
    ];
    if EXACT.contains(&l.as_str()) {
        return true;
    }
    const SUB: &[&str] = &[
        "example",
        "xxxx",
        "your_",
        "your-",
        "yourkey",
        "yourtoken",
        "yoursecret",
        "your_api",
        "placeholder",
        "changeme",
        "change_me",
        "redacted",
        "dummy",
        "sample",
        "fake",
        "replace",
        "insert",
        "<",
        "***",
        "...",
        "…",
        "todo",
        "here",
        "secret_key_base",
        "${",
        "{{",
        "%s",
        "0000000000",
        "1234567890",
        "abcdefgh",
    ];
    if SUB.iter().any(|s| l.contains(s)) {
        return true;
    }
    if l.starts_with("your")
        || l.starts_with("my") && l.len() < 16 && l.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-')
    {
        return true;
    }
    vendor_placeholder(v)
}

/// Shape-level placeholder checks used for vendor tokens (which may legitimately contain
/// words like "fake" in test fixtures, so no dictionary here).
fn vendor_placeholder(core: &str) -> bool {
    let l = core.to_ascii_lowercase();
    if l.contains("xxxx") || l.contains("****") || l.contains("....") || l.contains("####") {
        return true;
    }
    let n = core.chars().count();
    if n == 0 {
        return true;
    }
    if distinct(core) <= 2 || (n >= 16 && distinct(core) < 5) {
        return true;
    }
    if n >= 8 && sequential_ratio(core) >= 0.9 {
        return true;
    }
    // repeated short unit: "testtesttest", "123123123"
    for unit in 1..=4 {
        if n >= unit * 4 {
            let b = core.as_bytes();
            if (unit..b.len()).all(|i| b[i] == b[i - unit]) {
                return true;
            }
        }
    }
    false
}

fn sequential_ratio(v: &str) -> f64 {
    let a: Vec<u8> = v.bytes().filter(|b| b.is_ascii_alphanumeric()).map(|b| b.to_ascii_lowercase()).collect();
    if a.len() < 2 {
        return 0.0;
    }
    // Ascending runs only ("abcd", "1234"): descending ones are rarer in placeholders.
    let n = a.windows(2).filter(|w| w[1] == w[0].wrapping_add(1)).count();
    n as f64 / (a.len() - 1) as f64
}

fn distinct(v: &str) -> usize {
    let mut seen = [false; 256];
    let mut n = 0;
    for b in v.bytes() {
        if !seen[b as usize] {
            seen[b as usize] = true;
            n += 1;
        }
    }
    n
}

fn entropy(v: &str) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for b in v.bytes() {
        counts[b as usize] += 1;
    }
    let n = v.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

fn has_lower(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_lowercase())
}
fn has_upper(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_uppercase())
}
fn has_digit(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------------
// GitHub checksum
// ---------------------------------------------------------------------------------------------

fn crc32(data: &[u8]) -> u32 {
    let mut crc: u32 = 0xFFFF_FFFF;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62_6(mut n: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for i in (0..6).rev() {
        out[i] = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// `core` = the 36 chars after `ghX_`: 30 random chars + 6 base62 chars of crc32(random).
fn github_checksum_ok(core: &str) -> bool {
    let b = core.as_bytes();
    if b.len() != 36 {
        return false;
    }
    base62_6(crc32(&b[..30])) == b[30..]
}

// ---------------------------------------------------------------------------------------------
// Cards, SSNs, IBANs (single pass, no regex)
// ---------------------------------------------------------------------------------------------

fn scan_digits(text: &str, out: &mut Vec<Cand>) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        let c = b[i];
        let prev_ok = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if c.is_ascii_digit()
            && prev_ok
            && !(i > 0 && (b[i - 1] == b'-' || b[i - 1] == b'.') && i > 1 && b[i - 2].is_ascii_digit())
        {
            // maximal run of digits with single ' ' or '-' separators
            let mut j = i;
            let mut digits = 0usize;
            let mut seps: Vec<u8> = Vec::new();
            let mut group_lens: Vec<usize> = Vec::new();
            let mut glen = 0usize;
            while j < n {
                if b[j].is_ascii_digit() {
                    digits += 1;
                    glen += 1;
                    j += 1;
                } else if (b[j] == b' ' || b[j] == b'-')
                    && j + 1 < n
                    && b[j + 1].is_ascii_digit()
                    && glen > 0
                    && digits < 19
                {
                    seps.push(b[j]);
                    group_lens.push(glen);
                    glen = 0;
                    j += 1;
                } else {
                    break;
                }
            }
            group_lens.push(glen);
            let next_ok = j >= n
                || !(b[j].is_ascii_alphanumeric()
                    || b[j] == b'_'
                    || (b[j] == b'.' && j + 1 < n && b[j + 1].is_ascii_digit()));
            if next_ok {
                let span = &text[i..j];
                // SSN: ddd-dd-dddd exactly
                if group_lens == [3, 2, 4] && seps == [b'-', b'-'] {
                    let d: String = span.chars().filter(|c| c.is_ascii_digit()).collect();
                    if ssn_valid(&d) {
                        push(out, "us-ssn", Category::Ssn, (i, j), (i, j), RANK_STRUCT);
                    }
                } else if (13..=19).contains(&digits) {
                    // Bare digit runs are everywhere in code/data; only accept them next to a card keyword.
                    let ctx_lo = floor_cb(text, i.saturating_sub(48));
                    let ctx = text[ctx_lo..i].to_ascii_lowercase();
                    let keyed =
                        ["card", "credit", "ccnum", "cc_num", "cc-num", "pan:", "pan=", "visa", "mastercard", "amex"]
                            .iter()
                            .any(|k| ctx.contains(k));
                    let consistent = (!seps.is_empty() || keyed)
                        && seps.windows(2).all(|w| w[0] == w[1])
                        && (seps.is_empty()
                            || group_lens[..group_lens.len() - 1].iter().all(|&g| (4..=6).contains(&g)));
                    let d: Vec<u8> = span.bytes().filter(|c| c.is_ascii_digit()).collect();
                    if consistent && luhn(&d) && iin_ok(&d) && distinct(std::str::from_utf8(&d).unwrap_or("")) >= 2 {
                        push(out, "card-number", Category::Card, (i, j), (i, j), RANK_STRUCT);
                    }
                }
            }
            i = j.max(i + 1);
            continue;
        }
        // IBAN: two uppercase letters, two digits
        if c.is_ascii_uppercase()
            && prev_ok
            && i + 4 < n
            && b[i + 1].is_ascii_uppercase()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
        {
            if let Some(end) = iban_at(text, i) {
                push(out, "iban", Category::Pii, (i, end), (i, end), RANK_STRUCT);
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

fn ssn_valid(d: &str) -> bool {
    if d.len() != 9 {
        return false;
    }
    let area = &d[0..3];
    let group = &d[3..5];
    let serial = &d[5..9];
    !(area == "000" || area == "666" || area.starts_with('9') || group == "00" || serial == "0000")
        && d != "123456789"
        && distinct(d) >= 3
}

fn luhn(d: &[u8]) -> bool {
    let mut sum = 0u32;
    for (k, &c) in d.iter().rev().enumerate() {
        let mut x = (c - b'0') as u32;
        if k % 2 == 1 {
            x *= 2;
            if x > 9 {
                x -= 9;
            }
        }
        sum += x;
    }
    sum.is_multiple_of(10)
}

fn iin_ok(d: &[u8]) -> bool {
    let len = d.len();
    let p = |k: usize| -> u32 { std::str::from_utf8(&d[..k]).ok().and_then(|s| s.parse().ok()).unwrap_or(0) };
    let (p1, p2, p3, p4, p6) = (p(1), p(2), p(3), p(4), p(6));
    match p1 {
        4 => matches!(len, 13 | 16 | 19), // Visa
        5 => (51..=55).contains(&p2) && len == 16 || matches!(p2, 50 | 56..=58) && (12..=19).contains(&len), // MC / Maestro
        2 => (2221..=2720).contains(&p4) && len == 16, // MC 2-series
        3 => {
            (matches!(p2, 34 | 37) && len == 15)                                   // Amex
                || ((300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39) && (14..=19).contains(&len) // Diners
                || (3528..=3589).contains(&p4) && (16..=19).contains(&len) // JCB
        }
        6 => {
            (p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) || (622126..=622925).contains(&p6)) && (16..=19).contains(&len) // Discover
                || p2 == 62 && (16..=19).contains(&len)                             // UnionPay
                || matches!(p2, 63 | 67) && (12..=19).contains(&len) // Maestro
        }
        _ => false,
    }
}

fn iban_len(cc: &str) -> Option<usize> {
    Some(match cc {
        "AD" => 24,
        "AE" => 23,
        "AL" => 28,
        "AT" => 20,
        "AZ" => 28,
        "BA" => 20,
        "BE" => 16,
        "BG" => 22,
        "BH" => 22,
        "BR" => 29,
        "BY" => 28,
        "CH" => 21,
        "CR" => 22,
        "CY" => 28,
        "CZ" => 24,
        "DE" => 22,
        "DK" => 18,
        "DO" => 28,
        "EE" => 20,
        "EG" => 29,
        "ES" => 24,
        "FI" => 18,
        "FO" => 18,
        "FR" => 27,
        "GB" => 22,
        "GE" => 22,
        "GI" => 23,
        "GL" => 18,
        "GR" => 27,
        "GT" => 28,
        "HR" => 21,
        "HU" => 28,
        "IE" => 22,
        "IL" => 23,
        "IQ" => 23,
        "IS" => 26,
        "IT" => 27,
        "JO" => 30,
        "KW" => 30,
        "KZ" => 20,
        "LB" => 28,
        "LC" => 32,
        "LI" => 21,
        "LT" => 20,
        "LU" => 20,
        "LV" => 21,
        "MC" => 27,
        "MD" => 24,
        "ME" => 22,
        "MK" => 19,
        "MR" => 27,
        "MT" => 31,
        "MU" => 30,
        "NL" => 18,
        "NO" => 15,
        "PK" => 24,
        "PL" => 28,
        "PS" => 29,
        "PT" => 25,
        "QA" => 29,
        "RO" => 24,
        "RS" => 22,
        "SA" => 24,
        "SC" => 31,
        "SE" => 24,
        "SI" => 19,
        "SK" => 24,
        "SM" => 27,
        "ST" => 25,
        "SV" => 28,
        "TL" => 23,
        "TN" => 24,
        "TR" => 26,
        "UA" => 29,
        "VA" => 22,
        "VG" => 24,
        "XK" => 20,
        _ => return None,
    })
}

/// Returns the end offset of a valid IBAN starting at `i` (compact or space-grouped by 4).
fn iban_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let want = iban_len(&text[i..i + 2])?;
    let mut chars: Vec<u8> = Vec::with_capacity(want);
    let mut j = i;
    let mut since_space = 0usize;
    while j < b.len() && chars.len() < want {
        let c = b[j];
        if c.is_ascii_uppercase() || c.is_ascii_digit() {
            chars.push(c);
            since_space += 1;
            j += 1;
        } else if c == b' ' && since_space == 4 && j + 1 < b.len() && b[j + 1].is_ascii_alphanumeric() {
            since_space = 0;
            j += 1;
        } else {
            break;
        }
    }
    if chars.len() != want {
        return None;
    }
    if j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        return None;
    }
    // mod-97 over rearranged string
    let mut rem: u32 = 0;
    for &c in chars[4..].iter().chain(chars[..4].iter()) {
        if c.is_ascii_digit() {
            rem = (rem * 10 + (c - b'0') as u32) % 97;
        } else {
            let v = (c - b'A') as u32 + 10;
            rem = (rem * 100 + v) % 97;
        }
    }
    if rem == 1 {
        Some(j)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Issuers
// ---------------------------------------------------------------------------------------------

/// Host suffixes a credential of this kind may legitimately be sent to (its issuer).
pub fn issuer_hosts(kind: &str) -> &'static [&'static str] {
    match kind {
        "aws-access-key-id" | "aws-secret-access-key" | "aws-session-token" | "aws-bedrock-api-key" => {
            &["amazonaws.com", "aws.amazon.com", "amazonaws.com.cn"]
        }
        "gcp-api-key" => &["googleapis.com", "google.com"],
        "gcp-service-account-key" => &["googleapis.com", "google.com"],
        "azure-ad-client-secret" => &["login.microsoftonline.com", "microsoftonline.com", "login.windows.net"],
        "azure-storage-account-key" => &["core.windows.net"],
        "github-pat"
        | "github-oauth-token"
        | "github-user-token"
        | "github-app-token"
        | "github-refresh-token"
        | "github-fine-grained-pat" => &["github.com", "api.github.com", "githubusercontent.com"],
        "gitlab-token" | "gitlab-runner-registration-token" => &["gitlab.com"],
        "openai-api-key" => &["openai.com"],
        "anthropic-api-key" | "anthropic-admin-key" => &["anthropic.com"],
        "slack-token" | "slack-app-token" => &["slack.com"],
        "slack-webhook-url" => &["hooks.slack.com"],
        "stripe-secret-key" | "stripe-restricted-key" => &["stripe.com"],
        "npm-token" => &["npmjs.org", "npmjs.com"],
        "pypi-token" => &["pypi.org"],
        "clojars-token" => &["clojars.org"],
        "rubygems-api-key" => &["rubygems.org"],
        "terraform-cloud-token" => &["app.terraform.io", "terraform.io"],
        "huggingface-token" | "huggingface-org-token" => &["huggingface.co", "hf.co"],
        "1password-service-account-token" | "1password-secret-key" => {
            &["1password.com", "1password.eu", "1password.ca"]
        }
        "shopify-token" => &["myshopify.com", "shopify.com"],
        "sendgrid-api-key" => &["sendgrid.com", "sendgrid.net"],
        "twilio-api-key" => &["twilio.com"],
        "digitalocean-token" => &["digitalocean.com"],
        "doppler-token" => &["doppler.com"],
        "linear-api-key" => &["linear.app"],
        "postman-api-key" => &["getpostman.com", "postman.com"],
        "databricks-token" => &["databricks.com", "cloud.databricks.com", "azuredatabricks.net"],
        "grafana-cloud-token" | "grafana-service-account-token" => &["grafana.net", "grafana.com"],
        "heroku-api-key" => &["heroku.com"],
        "mailgun-api-key" => &["mailgun.net", "mailgun.org"],
        "mailchimp-api-key" => &["api.mailchimp.com", "mailchimp.com"],
        "newrelic-key" => &["newrelic.com", "nr-data.net"],
        "sentry-token" => &["sentry.io"],
        "atlassian-api-token" => &["atlassian.net", "atlassian.com"],
        "flyio-token" => &["fly.io"],
        "square-token" => &["squareup.com", "squareupsandbox.com"],
        "facebook-access-token" | "facebook-app-token" => &["facebook.com", "graph.facebook.com"],
        "infracost-api-key" => &["infracost.io"],
        "intra42-client-secret" => &["intra.42.fr", "api.intra.42.fr"],
        "notion-token" => &["notion.com", "api.notion.com", "notion.so"],
        "octopus-deploy-api-key" => &["octopus.app"],
        "perplexity-api-key" => &["perplexity.ai"],
        "prefect-api-key" => &["prefect.cloud"],
        "readme-api-key" => &["readme.com", "readme.io"],
        "scalingo-api-token" => &["scalingo.com"],
        "sourcegraph-token" => &["sourcegraph.com"],
        "sidekiq-secret" => &["contribsys.com"],
        "cloudflare-api-token" => &["cloudflare.com"],
        "discord-bot-token" => &["discord.com", "discordapp.com"],
        "telegram-bot-token" => &["api.telegram.org", "telegram.org"],
        _ => &[],
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random string over `alphabet` (no value is printed).
    fn rnd(seed: u64, n: usize, alphabet: &[u8]) -> String {
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                alphabet[(x % alphabet.len() as u64) as usize] as char
            })
            .collect()
    }
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const HEX: &[u8] = b"0123456789abcdef";
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    fn kinds(t: &str) -> Vec<&'static str> {
        scan(t).into_iter().map(|f| f.kind).collect()
    }
    fn one(t: &str, kind: &str) -> Finding {
        let f = scan(t);
        let hit = f.iter().find(|x| x.kind == kind).cloned();
        assert!(hit.is_some(), "expected {kind}, got {:?}", f.iter().map(|x| x.kind).collect::<Vec<_>>());
        hit.unwrap()
    }
    fn quiet(t: &str) {
        let f = scan(t);
        assert!(f.is_empty(), "expected no findings, got {:?}", f.iter().map(|x| x.kind).collect::<Vec<_>>());
    }
    fn github_token(prefix: &str, seed: u64) -> String {
        let body = rnd(seed, 30, ALNUM);
        let cs = base62_6(crc32(body.as_bytes()));
        format!("{prefix}{body}{}", std::str::from_utf8(&cs).unwrap())
    }

    #[test]
    fn category_strings() {
        assert_eq!(Category::Secret.as_str(), "secret");
        assert_eq!(Category::PrivateKey.as_str(), "private_key");
        assert_eq!(Category::Card.as_str(), "card");
        assert_eq!(Category::Ssn.as_str(), "ssn");
        assert_eq!(Category::Pii.as_str(), "pii");
    }

    #[test]
    fn crc32_known_vector() {
        assert_eq!(crc32(b"123456789"), 0xCBF43926);
    }

    #[test]
    fn aws_access_key() {
        let id = format!("AKIA{}", rnd(1, 16, B32));
        let t = format!("aws_access_key_id = {id}\n");
        let f = one(&t, "aws-access-key-id");
        assert_eq!(&t[f.start..f.end], id);
        assert_eq!(&t[f.core_start..f.core_end], &id[4..]);
        quiet("aws_access_key_id = AKIAIOSFODNN7EXAMPLE");
        quiet("key = AKIAXXXXXXXXXXXXXXXX");
        quiet("TODAYINASIAASACKOFRICEFELLOVER");
    }

    #[test]
    fn aws_secret_by_name_and_pairing() {
        let sec = rnd(2, 40, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        let t = format!("aws_secret_access_key = {sec}\n");
        let f = one(&t, "aws-secret-access-key");
        assert_eq!(&t[f.start..f.end], sec);
        let id = format!("AKIA{}", rnd(3, 16, B32));
        let t2 = format!("creds: {id} {sec}\n");
        assert!(kinds(&t2).contains(&"aws-secret-access-key"));
        // a 40-hex git sha next to nothing is quiet
        quiet(&format!("commit {}", rnd(4, 40, HEX)));
        quiet("SRCREV_moby = \"43fc912ef59a83054ea7f6706df4d53a7dea4d80\"");
    }

    #[test]
    fn aws_session_and_bedrock() {
        let tok = rnd(5, 300, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        let t = format!("aws_session_token={tok}");
        one(&t, "aws-session-token");
        let bk = format!("ABSKQmVkcm9ja0FQSUtleS{}", rnd(6, 110, ALNUM));
        let t = format!("key: {bk}\n");
        let f = one(&t, "aws-bedrock-api-key");
        assert!(!t[f.core_start..f.core_end].contains("ABSK"));
        quiet("ABSKQmVkcm9ja0FQSUtleS1EXAMPLE");
        quiet("bedrock-api-key-");
    }

    #[test]
    fn gcp() {
        let k = format!("AIzaSy{}", rnd(7, 33, ALNUM));
        let f = one(&format!("apiKey: \"{k}\""), "gcp-api-key");
        assert_eq!(f.end - f.start, 39);
        quiet("apiKey: \"AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"");
        quiet("AIzaSyabcdefghijklmnopqrstuvwxyz1234567");
        let body = rnd(8, 64 * 12, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        let sa = format!(
            "{{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\"}}",
            body
        );
        let f = one(&sa, "gcp-service-account-key");
        assert_eq!(f.category, Category::PrivateKey);
        assert_eq!(&sa[f.core_start..f.core_end], body);
    }

    #[test]
    fn azure() {
        let s = format!("{}8Q~{}", rnd(9, 3, ALNUM), rnd(10, 34, ALNUM));
        let t = format!("client_secret={s}");
        let f = one(&t, "azure-ad-client-secret");
        assert_eq!(&t[f.start..f.end], s);
        quiet("client_secret=bP88Q~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        quiet("~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~");
        let ak = format!("{}==", rnd(11, 86, ALNUM));
        let t =
            format!("DefaultEndpointsProtocol=https;AccountName=foo;AccountKey={ak};EndpointSuffix=core.windows.net");
        let f = one(&t, "azure-storage-account-key");
        assert_eq!(&t[f.start..f.end], ak);
    }

    #[test]
    fn github_checksum_and_placeholders() {
        let tok = github_token("ghp_", 12);
        assert!(github_checksum_ok(&tok[4..]));
        let t = format!("GITHUB_TOKEN={tok}");
        let f = one(&t, "github-pat");
        assert_eq!(&t[f.start..f.end], tok);
        assert_eq!(&t[f.core_start..f.core_end], &tok[4..]);
        assert_eq!(issuer_hosts("github-pat"), &["github.com", "api.github.com", "githubusercontent.com"]);
        one(&github_token("gho_", 13), "github-oauth-token");
        quiet("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        quiet("ghs_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        let fg = format!("github_pat_{}_{}", rnd(14, 22, ALNUM), rnd(15, 59, ALNUM));
        one(&fg, "github-fine-grained-pat");
        quiet("github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    }

    #[test]
    fn gitlab() {
        let t = format!("glpat-{}", rnd(16, 20, ALNUM));
        let f = one(&t, "gitlab-token");
        assert_eq!(&t[f.core_start..f.core_end], &t[6..]);
        quiet("glpat-XXXXXXXXXXX-XXXXXXXX");
        quiet("GR1348941XXXXXXXXXXXXXXXXXXXX");
    }

    #[test]
    fn openai_anthropic() {
        let k = format!("sk-proj-{}", rnd(17, 64, ALNUM));
        let f = one(&k, "openai-api-key");
        assert_eq!(&k[f.core_start..f.core_end], &k[8..]);
        let legacy = format!("sk-{}T3BlbkFJ{}", rnd(18, 20, ALNUM), rnd(19, 20, ALNUM));
        one(&legacy, "openai-api-key");
        assert_eq!(issuer_hosts("openai-api-key"), &["openai.com"]);
        let a = format!("sk-ant-api03-{}AA", rnd(20, 93, ALNUM));
        let t = format!("ANTHROPIC_API_KEY={a}\n");
        let f = one(&t, "anthropic-api-key");
        assert_eq!(&t[f.start..f.end], a);
        assert!(!t[f.core_start..f.core_end].starts_with("sk-ant"));
        quiet("sk-ant-api03-xxxxxxxx");
    }

    #[test]
    fn slack() {
        let t = format!("xoxb-{}-{}-{}", rnd(21, 12, b"0123456789"), rnd(22, 13, b"0123456789"), rnd(23, 24, ALNUM));
        let f = one(&t, "slack-token");
        assert_eq!(&t[f.core_start..f.core_end], &t[5..]);
        quiet("xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx");
        quiet("xoxb-xoxb-my-bot-token");
        quiet("xoxb-12345-abcd234");
        let w = format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            rnd(24, 8, B32),
            rnd(25, 8, B32),
            rnd(26, 24, ALNUM)
        );
        one(&w, "slack-webhook-url");
    }

    #[test]
    fn stripe() {
        let k = format!("sk_live_{}", rnd(27, 24, ALNUM));
        let t = format!("stripe.api_key = \"{k}\"");
        let f = one(&t, "stripe-secret-key");
        assert_eq!(&t[f.start..f.end], k);
        assert_eq!(&t[f.core_start..f.core_end], &k[8..]);
        quiet(&format!("const pk = \"pk_live_{}\";", rnd(28, 24, ALNUM)));
        quiet(&format!("pk_test_{}", rnd(29, 24, ALNUM)));
    }

    #[test]
    fn registries_vault_hf_1password() {
        one(&format!("//registry.npmjs.org/:_authToken=npm_{}", rnd(30, 36, ALNUM)), "npm-token");
        quiet("npm_config_cache=/tmp/x");
        one(&format!("password = pypi-AgEIcHlwaS5vcmc{}", rnd(31, 70, ALNUM)), "pypi-token");
        one(&format!("VAULT_TOKEN=hvs.{}", rnd(32, 90, ALNUM)), "vault-token");
        quiet("this.state.value");
        let hf = format!("hf_{}", rnd(33, 34, LETTERS));
        let f = one(&format!("HF_TOKEN={hf}"), "huggingface-token");
        assert_eq!(f.core_end - f.core_start, 34);
        quiet("- (id)hf_requiredCharacteristicTypesForDisplayMetadata;");
        quiet("hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        one("A3-ASWWYB-798JRYLJVD4-23DC2-86TVM-H43EB", "1password-secret-key");
        quiet("A3-XXXXXX-XXXXXXXXXXX-XXXXX-XXXXX-XXXXX");
        one(&format!("OP_SERVICE_ACCOUNT_TOKEN=ops_eyJ{}", rnd(34, 200, ALNUM)), "1password-service-account-token");
    }

    #[test]
    fn misc_vendors() {
        one(&format!("SG.{}.{}", rnd(35, 22, ALNUM), rnd(36, 43, ALNUM)), "sendgrid-api-key");
        one(&format!("dop_v1_{}", rnd(37, 64, HEX)), "digitalocean-token");
        one(&format!("lin_api_{}", rnd(38, 40, ALNUM)), "linear-api-key");
        one(&format!("PMAK-{}-{}", rnd(39, 24, HEX), rnd(40, 34, HEX)), "postman-api-key");
        one(&format!("token = dapi{}", rnd(41, 32, HEX)), "databricks-token");
        one(&format!("shpat_{}", rnd(42, 32, HEX)), "shopify-token");
        one(&format!("dp.pt.{}", rnd(43, 43, ALNUM)), "doppler-token");
        one(&format!("NRAK-{}", rnd(44, 27, B32)), "newrelic-key");
        one(&format!("glsa_{}_{}", rnd(45, 32, ALNUM), rnd(46, 8, HEX)), "grafana-service-account-token");
        quiet("glsa_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX_AAAAAAAA");
        quiet("API_KEY=\"glc_111111111111111111111111111111111111111111=\"");
        quiet("const API_KEY = 'rdme_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX';");
    }

    #[test]
    fn jwt() {
        let t = "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VybmFtZTpib2IifQ.HcfCW67Uda-0gz54ZWTqmtgJnZeNem0Q757eTa9EZuw";
        let f = one(t, "jwt");
        assert_eq!(&t[f.start..f.end], &t[22..]);
        let core = &t[f.core_start..f.core_end];
        assert!(core.starts_with("eyJzdWIi"), "core must exclude the header");
        assert!(!core.contains("eyJhbGci"));
        quiet("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9 is just a header");
        quiet("eyJub3RhIjoiand0In0 alone");
    }

    #[test]
    fn private_keys() {
        let body = rnd(47, 64, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        let body2 = rnd(48, 40, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
        let pem = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n{body2}=\n-----END RSA PRIVATE KEY-----");
        let t = format!("cat id_rsa\n{pem}\nok\n");
        let f = one(&t, "private-key-pem");
        assert_eq!(f.category, Category::PrivateKey);
        assert_eq!(&t[f.start..f.end], pem);
        let core = &t[f.core_start..f.core_end];
        assert!(core.starts_with(&body) && !core.contains("-----"));
        // JSON-escaped and one-line reflowed
        let esc = format!("\"key\": \"-----BEGIN OPENSSH PRIVATE KEY-----\\n{body}\\n{body2}\\n-----END OPENSSH PRIVATE KEY-----\\n\"");
        one(&esc, "private-key-pem");
        let flat = format!("-----BEGIN PRIVATE KEY----- {body} {body2} -----END PRIVATE KEY-----");
        one(&flat, "private-key-pem");
        // armor-less OpenSSH body
        let raw = format!("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW{body}");
        let f = one(&raw, "openssh-private-key");
        assert_eq!(f.category, Category::PrivateKey);
        quiet("-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----");
        quiet(&format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----"));
        quiet(&format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"));
        quiet(&format!("ssh-rsa AAAAB3NzaC1yc2E{body} user@host"));
        quiet(&format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{body}\n-----END PGP PUBLIC KEY BLOCK-----"));
    }

    #[test]
    fn db_and_basic_auth_urls() {
        let t = "DATABASE_URL=postgres://app:Zk3pQ9wLm2@db.internal:5432/app";
        let f = one(t, "db-url-password");
        assert_eq!(&t[f.start..f.end], "Zk3pQ9wLm2");
        let t = "mongodb+srv://svc:h7Tq2LmN9x@cluster0.mongodb.net/test";
        assert_eq!(&t[one(t, "db-url-password").start..one(t, "db-url-password").end], "h7Tq2LmN9x");
        let t = "jdbc:oracle:thin:scott/T1ger9x2@db:1521:orcl";
        assert_eq!(&t[one(t, "db-url-password").start..one(t, "db-url-password").end], "T1ger9x2");
        let t = "see https://deploy:s3cr3tP4ss@git.example.org/repo.git";
        one(t, "basic-auth-url");
        quiet("postgres://user:${DB_PASSWORD}@localhost/db");
        quiet("redis://:password@localhost:6379");
        quiet("https://github.com/org/repo and http://localhost:8080/path");
        quiet("mysql://root:<password>@localhost/db");
    }

    #[test]
    fn curl_user() {
        let t = "curl -u elastic:P@ssw0rd$1 https://localhost:9200";
        let f = one(t, "curl-credentials");
        assert_eq!(&t[f.start..f.end], "P@ssw0rd$1");
        let t = "curl --user 'api:d2LkV78zLx!t' https://api.example.net";
        let f = one(t, "curl-credentials");
        assert_eq!(&t[f.start..f.end], "d2LkV78zLx!t");
        quiet("curl -i -u 'test:test'");
        quiet("curl -u \"${_username}:${_password}\"");
        quiet("curl --user \"$GITHUB_USERNAME:$GITHUB_PASSWORD\" \"$URL\"");
        quiet("curl -u <user:password> https://test.com/endpoint");
        quiet("curl -u username:token");
    }

    #[test]
    fn generic_assignments() {
        let t = r#"{"password": "Xb7!kQ9#Okk9CAni@pL"}"#;
        let f = one(t, "generic-secret-assignment");
        assert_eq!(&t[f.start..f.end], "Xb7!kQ9#Okk9CAni@pL");
        assert_eq!((f.core_start, f.core_end), (f.start, f.end));
        let v = rnd(49, 32, ALNUM);
        let t = format!("API_TOKEN={v}\n");
        let f = one(&t, "generic-secret-assignment");
        assert_eq!(&t[f.start..f.end], v);
        one(&format!("client_secret: \"{}\"", rnd(50, 40, HEX)), "generic-secret-assignment");
        one(&format!("-H \"Authorization: Bearer {}\"", rnd(51, 32, HEX)), "generic-secret-assignment");
        one(&format!("SESSION_SECRET='{}'", rnd(52, 24, ALNUM)), "generic-secret-assignment");
        for neg in [
            "password = changeme",
            "PASSWORD=$DB_PASSWORD",
            "secret: ${{ secrets.DEPLOY_KEY }}",
            "api_key: \"<YOUR_KEY>\"",
            "token = \"your-key-here\"",
            "password: {{ vault_password }}",
            "password = \"%s\"",
            "api_key=***",
            "SECRET_KEY=abcdef123456",
            "password: password",
            "token = os.environ['TOKEN']",
            "key_length = XSalsa20.key_length",
            "public_key = \"9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit\"",
            "csrf-token=Mj2qykJO5rELyHgezQ69nzUX0i3OH67V7+V4eUrLfpuyOuxmiW9rhROG/Whikle15syazJOkrjJa3U2AbhIvUw==",
            "clientId = \"73082700-1f09-405b-80d0-3131bfd6272d\"",
            "\"kms_key_id\": \"555ea4a3-d53a-4412-9c66-3a7cb667b0d6\",",
            "GITHUB_API_KEY=\nDYNATRACE_API_KEY=",
            "const keyStr = \"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\"",
            "let token = parser.next_token();",
            "The password must be at least 8 characters.",
            "uuid: 203db13e-70c7-462b-9a3d-bf32640cb0be",
            "\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUR6ZnaLjSKbXeyZhw==\"",
            "image: nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
            "let mut passwd: libc::passwd = mem::zeroed();",
            "password = default_password_value",
            "password: String,",
            "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "pub const ERROR_INVALID_PASSWORD: WIN32_ERROR = 86u32;",
            "pub password: *const u16,",
            "if( nToken>FTS5_MAX_TOKEN_SIZE ) nToken = FTS5_MAX_TOKEN_SIZE;",
            "check_normalize(5503284107318959, 446, 11);",
            "pub FormatCredentials: SpFormatCredentialsFn,",
            "pub const PrivateKeyHelloLogonKey: X509CertificateTemplatePrivateKeyFlag = 2097152i32;",
            "pub const IFLA_INET6_TOKEN: _bindgen_ty_5 = 7;",
        ] {
            quiet(neg);
        }
    }

    #[test]
    fn cards_ssn_iban() {
        let t = "card: 4111 1111 1111 1111 exp 12/29";
        let f = one(t, "card-number");
        assert_eq!(f.category, Category::Card);
        assert_eq!(&t[f.start..f.end], "4111 1111 1111 1111");
        one("5500-0000-0000-0004", "card-number");
        one("amex 3782 822463 10005", "card-number");
        quiet("4111 1111 1111 1112"); // Luhn fails
        quiet("order 1234 5678 9012 3456"); // unknown IIN / Luhn
        let t = "SSN 536-22-1847 on file";
        let f = one(t, "us-ssn");
        assert_eq!(f.category, Category::Ssn);
        assert_eq!(&t[f.start..f.end], "536-22-1847");
        one("\"ssn\": \"078051120\"", "us-ssn");
        quiet("id 666-45-6789");
        quiet("id 900-45-6789");
        quiet("id 123-00-6789");
        quiet("id 123-45-0000");
        quiet("call 555-1234 or 2024-01-15");
        let t = "IBAN: DE89 3704 0044 0532 0130 00.";
        let f = one(t, "iban");
        assert_eq!(f.category, Category::Pii);
        assert_eq!(&t[f.start..f.end], "DE89 3704 0044 0532 0130 00");
        one("GB82WEST12345698765432", "iban");
        quiet("GB82WEST12345698765433");
    }

    #[test]
    fn overlap_prefers_vendor() {
        let tok = github_token("ghp_", 53);
        let t = format!("token: {tok}");
        let f = scan(&t);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, "github-pat");
    }

    #[test]
    fn spans_are_char_boundaries_and_sorted() {
        let t =
            format!("héllo ünïcode password=\"Zk3p€Q9wLm2x\" ghp {} 4111-1111-1111-1111 ñ", github_token("ghp_", 54));
        let f = scan(&t);
        assert!(f.len() >= 2);
        for w in f.windows(2) {
            assert!(w[0].start <= w[1].start);
        }
        for x in &f {
            assert!(t.is_char_boundary(x.start) && t.is_char_boundary(x.end));
            assert!(t.is_char_boundary(x.core_start) && t.is_char_boundary(x.core_end));
            assert!(x.start <= x.core_start && x.core_end <= x.end);
        }
    }

    #[test]
    fn hard_negatives_quiet() {
        for neg in [
            "203db13e-70c7-462b-9a3d-bf32640cb0be",
            "commit 8b1118b376c313ed420e5133ba91307817ed52c2 Merge",
            "\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUR6ZnaLjSKbXeyZhw==\"",
            "FROM python@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
            "fn token_stream(input: &str) -> TokenStream { let key = map.get(&k); }",
            "See https://docs.rs/regex for details; the secret to good code is tests.",
            "FOO=$BAR",
            "pk_live_51HhXyzAbCdEf0123456789",
        ] {
            quiet(neg);
        }
    }

    #[test]
    fn keyed_value_of_only_dots_before_a_code_delimiter_does_not_panic() {
        // Found by the `secrets` fuzz target: the value "." trims to "" and was indexed.
        for text in ["API_KEY=.,", "api_key: ...;", "password=\\)", "secret_token = . {"] {
            let _ = scan(text);
        }
    }

    #[test]
    fn xml_element_value_cut_at_the_length_cap_inside_a_char_does_not_panic() {
        // Found by the `secrets` fuzz target: the 512-byte cap stopped inside a multi-byte char
        // and the text was sliced there.
        for pad in 509..=512 {
            let _ = scan(&format!("<password>{}\u{e9}\u{1f512}</password>", "a".repeat(pad)));
        }
        let f = scan("<password>Xk9#vQ2!mZ7$pL4w</password>");
        assert_eq!(f.len(), 1, "{f:?}");
    }
}
