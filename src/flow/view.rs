//! What the engine reads (a session's records) and what it asks the caller to write.

use crate::flow::call::Verdict;
use crate::flow::classify::Origin;
use crate::flow::policy::Hit;
use crate::flow::secrets::Category;
use std::collections::HashMap;

/// A recorded source, as the engine needs it for provenance.
#[derive(Debug, Clone)]
pub struct SourceMeta {
    pub id: i64,
    pub tool: String,
    pub origin: Origin,
    pub location: String,
}

/// A secret seen in this session: window hashes of its core and which chars already left.
#[derive(Debug, Clone)]
pub struct SecretState {
    pub id: i64,
    pub source_id: i64,
    pub kind: String,
    pub category: Category,
    pub windows: Vec<u64>,
    pub core_len: usize,
    /// One byte per core char: 1 when that char has already left the session.
    pub coverage: Vec<u8>,
    /// Hosts the secret's own configuration file names as its issuer (see `stated_issuer`).
    pub stated_issuers: Vec<String>,
}

/// Content fingerprints of one source.
#[derive(Debug, Clone)]
pub struct ContentIndex {
    pub source_id: i64,
    pub origin: Origin,
    /// Sorted.
    pub hashes: Vec<u64>,
}

/// A file this session wrote secret-bearing content into.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Taint {
    pub path: String,
    pub kinds: crate::flow::taint::TaintKinds,
}

/// A user's approval: this data (its hashed identity) may go to this destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    /// The flow kind approved (`secret`, `private_content`...).
    pub kind: String,
    pub ident: i64,
    pub destination: String,
}

/// Everything recorded for a session (and the sessions linked to it).
#[derive(Debug, Clone, Default)]
pub struct SessionView {
    pub sources: HashMap<i64, SourceMeta>,
    pub secrets: Vec<SecretState>,
    pub content: Vec<ContentIndex>,
    pub taints: Vec<Taint>,
    /// Approvals in force for this session (loaded by the caller).
    pub approvals: Vec<Approved>,
    /// Sealed tails of the short pieces sent to each destination (see `pieces`).
    pub egress_tails: HashMap<String, Vec<u8>>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NewSecret {
    pub kind: String,
    pub category: Category,
    /// Keyed hash of the whole core: identifies the secret without storing it.
    pub ident: u64,
    pub core_len: usize,
    pub windows: Vec<u64>,
    /// Hosts the file it was read from names as its issuer.
    pub stated_issuers: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NewSource {
    pub tool: String,
    pub origin: Origin,
    pub location: String,
    pub bytes: usize,
    /// Kinds of sensitive data found (secret kinds, `sensitive-path`).
    pub sensitivity: Vec<String>,
    pub content: Vec<u64>,
    pub secrets: Vec<NewSecret>,
}

/// What the caller must persist after an evaluation.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub verdict: Verdict,
    pub new_source: Option<NewSource>,
    pub taints: Vec<Taint>,
    /// Secret id -> new coverage bytes.
    pub coverage: Vec<(i64, Vec<u8>)>,
    pub hits: Vec<Hit>,
    /// Destination -> sealed tail of the short pieces sent there (see `pieces`).
    pub tails: Vec<(String, Vec<u8>)>,
}

impl Outcome {
    pub fn silent() -> Outcome {
        Outcome {
            verdict: Verdict::Silent,
            new_source: None,
            taints: Vec::new(),
            coverage: Vec::new(),
            hits: Vec::new(),
            tails: Vec::new(),
        }
    }
}

impl SessionView {
    /// Add a record not yet in the database (spooled while the lock was held elsewhere), so a
    /// decision sees it as if it were.
    pub fn add_spooled(&mut self, source: Option<NewSource>, taints: Vec<Taint>) {
        self.taints.extend(taints);
        let Some(src) = source else { return };
        let id = -(self.sources.len() as i64) - 1;
        self.sources.insert(id, SourceMeta { id, tool: src.tool, origin: src.origin, location: src.location });
        if !src.content.is_empty() {
            let mut hashes = src.content;
            hashes.sort_unstable();
            self.content.push(ContentIndex { source_id: id, origin: src.origin, hashes });
        }
        for s in src.secrets {
            self.secrets.push(SecretState {
                id,
                source_id: id,
                kind: s.kind,
                category: s.category,
                windows: s.windows,
                core_len: s.core_len,
                coverage: vec![0; s.core_len],
                stated_issuers: s.stated_issuers,
            });
        }
    }

    /// Window hash -> (secret index, offset in the core), for fragment lookups.
    pub fn window_map(&self) -> HashMap<u64, Vec<(usize, usize)>> {
        let mut map: HashMap<u64, Vec<(usize, usize)>> = HashMap::new();
        for (idx, s) in self.secrets.iter().enumerate() {
            // Windows past the first `per_case` are the lowercased copy of the same offsets.
            let per_case = (s.core_len + 1).saturating_sub(crate::flow::fingerprint::SECRET_K).max(1);
            for (off, h) in s.windows.iter().enumerate().filter(|(_, h)| **h != crate::flow::fingerprint::NO_MATCH) {
                map.entry(*h).or_default().push((idx, off % per_case));
            }
        }
        map
    }
}
