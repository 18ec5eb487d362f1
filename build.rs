//! Build script: turns the secret rule files (`src/flow/secrets/rules/*.toml`, one per vendor
//! family) into Rust, so that no hook process ever parses them:
//!
//! * `$OUT_DIR/secret_rules.rs`: the static vendor rule table and `issuer_hosts`, included by
//!   `src/flow/secrets/rules.rs`;
//! * `$OUT_DIR/secret_rule_samples.rs`: one `#[test]` per true sample (the kind is reported on
//!   exactly that span) and per false sample (the kind is not reported), included by
//!   `src/flow/secrets/rule_samples.rs`.
//!
//! Every rule is validated here; a bad one stops the build with the file and rule named.
//!
//! To add a secret family, add one file to `src/flow/secrets/rules/` (the format is described
//! in the README.md there) and run `cargo test --lib flow::secrets`: nothing else to edit.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const RULES_DIR: &str = "src/flow/secrets/rules";

/// Category names in rule files and the `Category` variant each stands for.
const CATEGORIES: &[(&str, &str)] =
    &[("secret", "Secret"), ("private_key", "PrivateKey"), ("card", "Card"), ("ssn", "Ssn"), ("pii", "Pii")];

/// Check names in rule files and the `Check` variant each stands for.
const CHECKS: &[(&str, &str)] = &[
    ("basic", "Basic"),
    ("aws", "Aws"),
    ("github", "GitHub"),
    ("slack", "Slack"),
    ("jwt", "Jwt"),
    ("letter-digit", "LetterDigit"),
    ("mixed-case", "MixedCase"),
    ("none", "None"),
    ("key-context", "KeyContext"),
];

/// The built-in scanners that report kinds of their own (`[[builtin]]` entries).
const SCANNERS: &[&str] = &["keyed", "pem", "urls", "digits"];

const RULE_FIELDS: &[&str] = &[
    "id",
    "kind",
    "category",
    "keywords",
    "regex",
    "check",
    "min_entropy",
    "shared_prefix",
    "issuers",
    "true_samples",
    "false_samples",
];
const BUILTIN_FIELDS: &[&str] = &["kind", "category", "scanner", "issuers", "true_samples", "false_samples"];
const PUBLIC_FIELDS: &[&str] =
    &["id", "source", "values", "prefixes", "before", "near", "jwt_claims", "public_samples", "secret_samples"];

/// A `[[public]]` entry: values of a secret shape that are public (documentation examples,
/// publishable and client-side keys) and must not be reported.
struct Public {
    file: String,
    id: String,
    values: Vec<String>,
    prefixes: Vec<String>,
    before: Vec<String>,
    near: Vec<String>,
    jwt_claims: Vec<String>,
    public_samples: Vec<String>,
    secret_samples: Vec<String>,
}

/// A true sample: `before + secret + after` is scanned and `secret` must be reported.
struct TrueSample {
    before: String,
    secret: String,
    after: String,
}

/// What rules and built-in kinds have in common: who they are and how they are tested.
struct Entry {
    file: String,
    id: String,
    kind: String,
    /// `Category` variant name.
    category: &'static str,
    issuers: Vec<String>,
    true_samples: Vec<TrueSample>,
    false_samples: Vec<String>,
}

struct Rule {
    entry: Entry,
    keywords: Vec<String>,
    regex: String,
    /// `Check` variant name.
    check: &'static str,
    min_entropy: f64,
    shared_prefix: Option<String>,
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dir = root.join(RULES_DIR);
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={RULES_DIR}");
    let mut rules = Vec::new();
    let mut builtins = Vec::new();
    let mut public = Vec::new();
    for path in rule_files(&dir) {
        println!("cargo:rerun-if-changed={}", path.display());
        read_rule_file(&path, &mut rules, &mut builtins, &mut public);
    }
    let entries: Vec<&Entry> = rules.iter().map(|r| &r.entry).chain(builtins.iter()).collect();
    check_ids_and_issuers(&entries);
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let mut table = rule_table(&rules, &entries);
    table.push_str(&public_table(&public));
    write(&out.join("secret_rules.rs"), &table);
    let mut tests = sample_tests(&entries);
    tests.push_str(&public_tests(&public));
    write(&out.join("secret_rule_samples.rs"), &tests);
}

fn rule_files(dir: &Path) -> Vec<PathBuf> {
    let listing = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = listing
        .map(|e| e.expect("reading the rules folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no rule files (*.toml)", dir.display());
    files
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

// ---------------------------------------------------------------------------------------------
// Reading and validating one file
// ---------------------------------------------------------------------------------------------

/// The fields of one `[[rule]]` / `[[builtin]]` table, read with errors that name the place.
struct Fields<'a> {
    place: String,
    table: &'a toml::Table,
}

impl Fields<'_> {
    fn fail(&self, msg: impl std::fmt::Display) -> ! {
        panic!("{}: {msg}", self.place)
    }

    fn only(&self, allowed: &[&str]) {
        for key in self.table.keys() {
            if !allowed.contains(&key.as_str()) {
                self.fail(format_args!("unknown field `{key}` (allowed: {})", allowed.join(", ")));
            }
        }
    }

    fn opt_str(&self, key: &str) -> Option<String> {
        let v = self.table.get(key)?;
        let s = v.as_str().unwrap_or_else(|| self.fail(format_args!("`{key}` must be a string")));
        if s.is_empty() {
            self.fail(format_args!("`{key}` is empty"));
        }
        Some(s.to_owned())
    }

    fn str(&self, key: &str) -> String {
        self.opt_str(key).unwrap_or_else(|| self.fail(format_args!("missing `{key}`")))
    }

    fn array(&self, key: &str) -> &[toml::Value] {
        match self.table.get(key) {
            None => &[],
            Some(v) => v.as_array().unwrap_or_else(|| self.fail(format_args!("`{key}` must be an array"))),
        }
    }

    fn str_list(&self, key: &str) -> Vec<String> {
        let list: Vec<String> = self
            .array(key)
            .iter()
            .map(|v| v.as_str().unwrap_or_else(|| self.fail(format_args!("`{key}` must hold strings"))).to_owned())
            .collect();
        if list.iter().any(String::is_empty) {
            self.fail(format_args!("`{key}` holds an empty string"));
        }
        list
    }

    fn float(&self, key: &str) -> f64 {
        match self.table.get(key) {
            None => 0.0,
            Some(toml::Value::Float(f)) => *f,
            Some(toml::Value::Integer(i)) => *i as f64,
            Some(_) => self.fail(format_args!("`{key}` must be a number")),
        }
    }

    /// One of `names` (file spelling, Rust variant), as its Rust variant.
    fn choice(&self, key: &str, names: &[(&str, &'static str)]) -> &'static str {
        let v = self.str(key);
        names.iter().find(|(n, _)| *n == v).map(|(_, variant)| *variant).unwrap_or_else(|| {
            let known: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
            self.fail(format_args!("`{key}` = \"{v}\" is not one of {}", known.join(", ")))
        })
    }

    fn true_samples(&self) -> Vec<TrueSample> {
        let samples: Vec<TrueSample> = self.array("true_samples").iter().map(|v| self.true_sample(v)).collect();
        if samples.is_empty() {
            self.fail("needs at least one entry in `true_samples`");
        }
        samples
    }

    fn true_sample(&self, v: &toml::Value) -> TrueSample {
        if let Some(s) = v.as_str() {
            return TrueSample { before: String::new(), secret: s.to_owned(), after: String::new() };
        }
        let Some(t) = v.as_table() else {
            self.fail("a true sample is a string or { before, secret, after }");
        };
        let part = |k: &str| match t.get(k) {
            None => String::new(),
            Some(x) => x
                .as_str()
                .unwrap_or_else(|| self.fail(format_args!("true sample field `{k}` must be a string")))
                .to_owned(),
        };
        if let Some(k) = t.keys().find(|k| !["before", "secret", "after"].contains(&k.as_str())) {
            self.fail(format_args!("unknown true sample field `{k}` (allowed: before, secret, after)"));
        }
        let sample = TrueSample { before: part("before"), secret: part("secret"), after: part("after") };
        if sample.secret.is_empty() {
            self.fail("a true sample has an empty `secret`");
        }
        sample
    }

    fn false_samples(&self) -> Vec<String> {
        let samples = self.str_list("false_samples");
        if samples.is_empty() {
            self.fail("needs at least one entry in `false_samples`");
        }
        samples
    }

    /// The fields every entry has.
    fn entry(&self, file: &str, id: String, kind: String) -> Entry {
        let issuers = self.str_list("issuers");
        for host in &issuers {
            let host_like = host.contains('.')
                && host.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
            if !host_like {
                self.fail(format_args!("issuer `{host}` is not a lowercase host name (no scheme, no path)"));
            }
        }
        Entry {
            file: file.to_owned(),
            id,
            kind,
            category: self.choice("category", CATEGORIES),
            issuers,
            true_samples: self.true_samples(),
            false_samples: self.false_samples(),
        }
    }
}

fn read_rule_file(path: &Path, rules: &mut Vec<Rule>, builtins: &mut Vec<Entry>, public: &mut Vec<Public>) {
    let file = format!("{RULES_DIR}/{}", path.file_name().unwrap().to_string_lossy());
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let doc: toml::Table = text.parse().unwrap_or_else(|e| panic!("{file}: not valid TOML: {e}"));
    for key in doc.keys() {
        if key != "rule" && key != "builtin" && key != "public" {
            panic!("{file}: unknown top-level key `{key}` (expected [[rule]], [[builtin]] or [[public]] tables)");
        }
    }
    let tables = |key: &str| -> Vec<&toml::Table> {
        let Some(v) = doc.get(key) else { return Vec::new() };
        let list = v.as_array().unwrap_or_else(|| panic!("{file}: `{key}` must be written [[{key}]]"));
        list.iter()
            .map(|t| t.as_table().unwrap_or_else(|| panic!("{file}: `{key}` must be written [[{key}]]")))
            .collect()
    };
    for (n, table) in tables("rule").into_iter().enumerate() {
        rules.push(read_rule(&file, n + 1, table));
    }
    for (n, table) in tables("builtin").into_iter().enumerate() {
        builtins.push(read_builtin(&file, n + 1, table));
    }
    for (n, table) in tables("public").into_iter().enumerate() {
        public.push(read_public(&file, n + 1, table));
    }
    if !doc.contains_key("rule") && !doc.contains_key("builtin") && !doc.contains_key("public") {
        panic!("{file}: holds no [[rule]], [[builtin]] or [[public]]");
    }
}

fn read_public(file: &str, n: usize, table: &toml::Table) -> Public {
    let mut f = Fields { place: format!("{file}, public #{n}"), table };
    let id = f.str("id");
    f.place = format!("{file}, public `{id}`");
    f.only(PUBLIC_FIELDS);
    if f.str("source").is_empty() {
        f.fail("`source` must say where the values are documented as public");
    }
    let p = Public {
        file: file.to_owned(),
        id: id.clone(),
        values: f.str_list("values"),
        prefixes: f.str_list("prefixes"),
        before: f.str_list("before"),
        near: f.str_list("near"),
        jwt_claims: f.str_list("jwt_claims"),
        public_samples: f.str_list("public_samples"),
        secret_samples: f.str_list("secret_samples"),
    };
    if p.values.is_empty() && p.prefixes.is_empty() && p.jwt_claims.is_empty() {
        f.fail("needs `values`, `prefixes` or `jwt_claims`");
    }
    if p.public_samples.is_empty() || p.secret_samples.is_empty() {
        f.fail("needs at least one `public_samples` and one `secret_samples` entry");
    }
    for w in p.before.iter().chain(&p.near) {
        if *w != w.to_ascii_lowercase() {
            f.fail(format_args!("`{w}`: context words are lowercase (matched ignoring ASCII case)"));
        }
    }
    if !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        f.fail("ids are lowercase letters, digits and '-'");
    }
    p
}

fn str_array(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
    format!("&[{}]", items.join(", "))
}

fn public_table(public: &[Public]) -> String {
    let mut s = String::from("\n/// Public values of a secret shape (`[[public]]` entries).\n");
    s.push_str("pub(super) static PUBLIC_RULES: &[PublicRule] = &[\n");
    for p in public {
        let _ = writeln!(s, "    PublicRule {{\n        id: {:?},", p.id);
        let _ = writeln!(s, "        values: {},\n        prefixes: {},", str_array(&p.values), str_array(&p.prefixes));
        let _ = writeln!(s, "        before: {},\n        near: {},", str_array(&p.before), str_array(&p.near));
        let _ = writeln!(s, "        jwt_claims: {},\n    }},", str_array(&p.jwt_claims));
    }
    s.push_str("];\n");
    s
}

fn public_tests(public: &[Public]) -> String {
    let mut s = String::new();
    for p in public {
        let name = p.id.replace('-', "_");
        for (n, text) in p.public_samples.iter().enumerate() {
            let _ = writeln!(s, "\n/// {}: public sample {} of `{}`.\n#[test]", p.file, n + 1, p.id);
            let _ = writeln!(s, "fn public_sample_{name}_{}() {{\n    assert_public({text:?});\n}}", n + 1);
        }
        for (n, text) in p.secret_samples.iter().enumerate() {
            let _ = writeln!(s, "\n/// {}: secret sample {} of `{}`.\n#[test]", p.file, n + 1, p.id);
            let _ = writeln!(s, "fn secret_sample_{name}_{}() {{\n    assert_secret({text:?});\n}}", n + 1);
        }
    }
    s
}

fn kind_and_id(fields: &mut Fields, file: &str, what: &str, n: usize, id_field: bool) -> (String, String) {
    fields.place = format!("{file}, {what} #{n}");
    let kind = fields.str("kind");
    let id = if id_field { fields.opt_str("id").unwrap_or_else(|| kind.clone()) } else { kind.clone() };
    fields.place = format!("{file}, {what} `{id}`");
    for name in [&kind, &id] {
        if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            fields.fail(format_args!("`{name}`: kinds and ids are lowercase letters, digits and '-'"));
        }
    }
    (kind, id)
}

fn read_rule(file: &str, n: usize, table: &toml::Table) -> Rule {
    let mut f = Fields { place: String::new(), table };
    let (kind, id) = kind_and_id(&mut f, file, "rule", n, true);
    f.only(RULE_FIELDS);
    let keywords = f.str_list("keywords");
    if keywords.is_empty() {
        f.fail("needs at least one keyword (the prefilter runs the regex only when one is in the text)");
    }
    for k in &keywords {
        if !k.is_ascii() || *k != k.to_ascii_lowercase() {
            f.fail(format_args!("keyword `{k}` must be lowercase ASCII (the prefilter ignores ASCII case)"));
        }
    }
    let regex = f.str("regex");
    check_regex(&f, &regex);
    let min_entropy = f.float("min_entropy");
    if !(0.0..=8.0).contains(&min_entropy) {
        f.fail(format_args!("min_entropy {min_entropy} is outside 0..=8 bits per byte"));
    }
    let rule = Rule {
        keywords,
        regex,
        check: f.choice("check", CHECKS),
        min_entropy,
        shared_prefix: f.opt_str("shared_prefix"),
        entry: f.entry(file, id, kind),
    };
    for s in &rule.entry.true_samples {
        let text = format!("{}{}{}", s.before, s.secret, s.after).to_ascii_lowercase();
        if !rule.keywords.iter().any(|k| text.contains(k.as_str())) {
            f.fail("a true sample holds none of the keywords, so the rule would never run on it");
        }
    }
    rule
}

/// The regex must parse, and name no capture groups but `v` (value) and `c` (core).
fn check_regex(f: &Fields, regex: &str) {
    if let Err(e) = regex_syntax::Parser::new().parse(regex) {
        f.fail(format_args!("`regex` does not parse:\n{e}"));
    }
    for (at, _) in regex.match_indices("(?P<").chain(regex.match_indices("(?<")) {
        let name: String = regex[at..].chars().skip_while(|&c| c != '<').skip(1).take_while(|&c| c != '>').collect();
        if name != "v" && name != "c" {
            f.fail(format_args!("capture group `{name}`: only `v` (value) and `c` (core) are read"));
        }
    }
}

fn read_builtin(file: &str, n: usize, table: &toml::Table) -> Entry {
    let mut f = Fields { place: String::new(), table };
    let (kind, id) = kind_and_id(&mut f, file, "builtin", n, false);
    f.only(BUILTIN_FIELDS);
    let scanner = f.str("scanner");
    if !SCANNERS.contains(&scanner.as_str()) {
        f.fail(format_args!("`scanner` = \"{scanner}\" is not one of {}", SCANNERS.join(", ")));
    }
    f.entry(file, id, kind)
}

/// Ids are unique; a kind found by several entries has one category and one list of issuers.
fn check_ids_and_issuers(entries: &[&Entry]) {
    let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
    let mut issuers: BTreeMap<&str, (&Entry, &Vec<String>)> = BTreeMap::new();
    for e in entries {
        if let Some(first) = ids.insert(&e.id, &e.file) {
            panic!("{}: id `{}` is also used in {first} (give one of them another `id`)", e.file, e.id);
        }
        if let Some((first, hosts)) = issuers.get(e.kind.as_str()) {
            if *hosts != &e.issuers {
                panic!("{}, `{}`: kind `{}` lists other issuers than in {}", e.file, e.id, e.kind, first.file);
            }
            if first.category != e.category {
                panic!("{}, `{}`: kind `{}` has another category than in {}", e.file, e.id, e.kind, first.file);
            }
        } else {
            issuers.insert(&e.kind, (e, &e.issuers));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generated Rust
// ---------------------------------------------------------------------------------------------

const GENERATED: &str =
    "// Generated by build.rs from src/flow/secrets/rules/*.toml: edit those files, not this one.\n";

fn rule_table(rules: &[Rule], entries: &[&Entry]) -> String {
    let mut s = String::from(GENERATED);
    s.push_str("\n/// The vendor rules, in file-name order then file order.\n");
    s.push_str("pub(super) static VENDOR_RULES: &[VendorRule] = &[\n");
    for r in rules {
        let e = &r.entry;
        let keywords: Vec<String> = r.keywords.iter().map(|k| format!("{k:?}")).collect();
        let _ = writeln!(s, "    VendorRule {{");
        let _ = writeln!(s, "        id: {:?},\n        kind: {:?},", e.id, e.kind);
        let _ = writeln!(s, "        category: Category::{},", e.category);
        let _ = writeln!(s, "        keywords: &[{}],", keywords.join(", "));
        let _ = writeln!(s, "        regex: {:?},", r.regex);
        let _ = writeln!(s, "        min_entropy: {:?},\n        check: Check::{},", r.min_entropy, r.check);
        let _ = writeln!(s, "        shared_prefix: {:?},", r.shared_prefix.as_deref());
        let _ = writeln!(s, "    }},");
    }
    s.push_str("];\n\n");
    // Kinds grouped by their host list, in order of first appearance.
    let mut groups: Vec<(&Vec<String>, Vec<&str>)> = Vec::new();
    for e in entries.iter().filter(|e| !e.issuers.is_empty()) {
        match groups.iter_mut().find(|(hosts, _)| **hosts == e.issuers) {
            Some((_, kinds)) if kinds.contains(&e.kind.as_str()) => {}
            Some((_, kinds)) => kinds.push(&e.kind),
            None => groups.push((&e.issuers, vec![&e.kind])),
        }
    }
    s.push_str("/// Host suffixes a credential of this kind may legitimately be sent to (its issuer).\n");
    s.push_str("pub fn issuer_hosts(kind: &str) -> &'static [&'static str] {\n    match kind {\n");
    for (hosts, kinds) in groups {
        let kinds: Vec<String> = kinds.iter().map(|k| format!("{k:?}")).collect();
        let hosts: Vec<String> = hosts.iter().map(|h| format!("{h:?}")).collect();
        let _ = writeln!(s, "        {} => &[{}],", kinds.join(" | "), hosts.join(", "));
    }
    s.push_str("        _ => &[],\n    }\n}\n");
    s
}

fn sample_tests(entries: &[&Entry]) -> String {
    let mut s = String::from(GENERATED);
    for e in entries {
        let name = e.id.replace('-', "_");
        for (n, t) in e.true_samples.iter().enumerate() {
            let _ = writeln!(s, "\n/// {}: true sample {} of `{}`.\n#[test]", e.file, n + 1, e.id);
            let _ = writeln!(s, "fn true_sample_{name}_{}() {{", n + 1);
            let _ = writeln!(
                s,
                "    assert_reported({:?}, Category::{}, {:?}, {:?}, {:?});\n}}",
                e.kind, e.category, t.before, t.secret, t.after
            );
        }
        for (n, text) in e.false_samples.iter().enumerate() {
            let _ = writeln!(s, "\n/// {}: false sample {} of `{}`.\n#[test]", e.file, n + 1, e.id);
            let _ = writeln!(s, "fn false_sample_{name}_{}() {{", n + 1);
            let _ = writeln!(s, "    assert_not_reported({:?}, {:?});\n}}", e.kind, text);
        }
    }
    s
}
