#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category { Secret, PrivateKey, Card, Ssn, Pii }
impl Category { pub fn as_str(self) -> &'static str { match self { Category::Secret => "secret", Category::PrivateKey => "private_key", Category::Card => "card", Category::Ssn => "ssn", Category::Pii => "pii" } } }
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding { pub kind: &'static str, pub category: Category, pub start: usize, pub end: usize, pub core_start: usize, pub core_end: usize }
pub fn scan(text: &str) -> Vec<Finding> {
    let re = regex::Regex::new(r"(sk_live_|AKIA|gho_|xoxb-|sk-ant-api03-|sk-proj-)[A-Za-z0-9_\-]{12,}").unwrap();
    re.find_iter(text).map(|m| Finding { kind: "stub", category: Category::Secret, start: m.start(), end: m.end(), core_start: m.start() + 4, core_end: m.end() }).collect()
}
pub fn issuer_hosts(kind: &str) -> &'static [&'static str] { let _ = kind; &[] }
