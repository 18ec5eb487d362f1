//! The prefilter and the vendor rules: one Aho-Corasick pass (ASCII case-insensitive) over the
//! text finds which keywords occur, and only the vendor rules they trigger are run, each regex
//! compiled on first use. Also the AWS secret-key pairing, which looks around found key ids.

use super::candidates::{push, Cand, RANK_KEYED, RANK_VENDOR};
use super::checks::{key_context_before, looks_aws_secret, vendor_ok};
use super::key_names::{KEY_TRIGGERS, VENDOR_WORDS};
use super::rules::{Check, VENDOR_RULES};
use super::shape::{ceil_cb, floor_cb};
use super::Category;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use std::sync::OnceLock;

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
    /// One per vendor rule, compiled on first use: a hook process only pays for the rules its
    /// text triggers (compiling all of them up front costs ~10 ms per process).
    rules: Vec<OnceLock<Regex>>,
}

/// A regex compiled once, on first use.
macro_rules! lazy_re {
    ($name:ident, $re:expr) => {
        fn $name() -> &'static Regex {
            static R: OnceLock<Regex> = OnceLock::new();
            R.get_or_init(|| Regex::new(&$crate::flow::secrets::engine::fix_b($re)).expect(stringify!($name)))
        }
    };
}
pub(super) use lazy_re;

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
        self.rules[i].get_or_init(|| {
            Regex::new(&fix_b(VENDOR_RULES[i].regex))
                .unwrap_or_else(|e| panic!("secret rule {}: {e}", VENDOR_RULES[i].id))
        })
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

pub(super) fn fix_b(re: &str) -> String {
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
        for (i, r) in VENDOR_RULES.iter().enumerate() {
            for t in r.keywords {
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
        let rules = VENDOR_RULES.iter().map(|_| OnceLock::new()).collect();
        Engine { ac, ac_dfa: OnceLock::new(), patterns: pats, targets, rules }
    })
}

/// What the keyword pass found in a text.
pub(super) struct Triggered {
    /// Per vendor rule (index into `VENDOR_RULES`): one of its keywords occurs.
    rules: Vec<bool>,
    /// Spans of the secret-ish key words and vendor names that start the keyed parser.
    pub(super) key_words: Vec<(usize, usize)>,
    /// `-----BEGIN`
    pub(super) pem_begin: bool,
    /// `://`
    pub(super) url_scheme: bool,
    pub(super) curl: bool,
    pub(super) jdbc_oracle: bool,
}

pub(super) fn prefilter(text: &str) -> Triggered {
    let e = engine();
    let mut found = Triggered {
        rules: vec![false; VENDOR_RULES.len()],
        key_words: Vec::new(),
        pem_begin: false,
        url_scheme: false,
        curl: false,
        jdbc_oracle: false,
    };
    for m in e.keywords(text.len()).find_overlapping_iter(text) {
        match &e.targets[m.pattern().as_usize()] {
            Target::Rules(v) => {
                for &i in v {
                    found.rules[i] = true;
                }
            }
            Target::Key => found.key_words.push((m.start(), m.end())),
            Target::Begin => found.pem_begin = true,
            Target::Scheme => found.url_scheme = true,
            Target::Curl => found.curl = true,
            Target::Oracle => found.jdbc_oracle = true,
        }
    }
    found
}

/// Runs the vendor rules whose keywords occur in `text`.
pub(super) fn run_vendor_rules(text: &str, triggered: &Triggered, out: &mut Vec<Cand>) {
    let e = engine();
    for (i, hit) in triggered.rules.iter().enumerate() {
        if *hit {
            run_rule(text, i, e.rule(i), out);
        }
    }
}

fn run_rule(text: &str, i: usize, re: &Regex, out: &mut Vec<Cand>) {
    let r = &VENDOR_RULES[i];
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
        if let Some(prefix) = r.shared_prefix {
            // Every value of the kind starts with this text: the secret part is what follows.
            if v.as_str().starts_with(prefix) && v.len() > prefix.len() {
                cr = (v.start() + prefix.len(), v.end());
            }
        }
        push(out, r.kind, r.category, (v.start(), v.end()), cr, RANK_VENDOR);
    }
}

/// AWS secret pairing: a 40-character secret-looking value within 200 bytes of an access key id.
pub(super) fn pair_aws_secrets(text: &str, cands: &mut Vec<Cand>) {
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
                push(cands, "aws-secret-access-key", Category::Secret, (a, b), (a, b), RANK_KEYED);
            }
        }
    }
}
