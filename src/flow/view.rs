//! What the engine reads (a session's records) and what it asks the caller to write.

use crate::flow::call::Verdict;
use crate::flow::classify::Origin;
use crate::flow::policy::Hit;
use crate::flow::secrets::Category;
use std::collections::HashMap;

/// A recorded source, as the engine needs it for provenance.
#[derive(Debug, Clone)]
pub struct SourceMeta {
    /// The source's row id.
    pub id: i64,
    /// The tool that read it (its label).
    pub tool: String,
    /// Where the data came from: a file, the web, an MCP server...
    pub origin: Origin,
    /// The path, URL or `server/tool` it was read from.
    pub location: String,
}

/// A secret seen in this session: window hashes of its core and which chars already left.
#[derive(Debug, Clone)]
pub struct SecretState {
    /// The secret's row id.
    pub id: i64,
    /// The source it was read in.
    pub source_id: i64,
    /// The rule that found it (`github-pat`, `aws-access-key`...).
    pub kind: String,
    /// What kind of credential it is: decides deny or ask and who may receive it.
    pub category: Category,
    /// Keyed hashes of every fragment-length window of its core.
    pub windows: Vec<u64>,
    /// Chars in its core (the part that identifies it).
    pub core_len: usize,
    /// One byte per core char: 1 when that char has already left the session.
    pub coverage: Vec<u8>,
    /// Hosts the secret's own configuration file names as its issuer (see `stated_issuer`).
    pub stated_issuers: Vec<String>,
}

/// Content fingerprints of one source.
#[derive(Debug, Clone)]
pub struct ContentIndex {
    /// The source these fingerprints came from.
    pub source_id: i64,
    /// Where that source came from (private content asks, public content does not).
    pub origin: Origin,
    /// Sorted.
    pub hashes: Vec<u64>,
}

/// A file this session wrote secret-bearing content into.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Taint {
    /// The file written (as the call named it, resolved against the working directory).
    pub path: String,
    /// What it now holds: secret, private content, code that sends.
    pub kinds: crate::flow::taint::TaintKinds,
}

/// A user's approval: this data (its hashed identity) may go to this destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    /// The flow kind approved (`secret`, `private_content`...).
    pub kind: String,
    /// The data's keyed identity (a secret's ident or a source's id).
    pub ident: i64,
    /// The host (or `server/tool`) it may go to.
    pub destination: String,
}

/// Everything recorded for a session (and the sessions linked to it).
#[derive(Debug, Clone, Default)]
pub struct SessionView {
    /// Every source read, by row id.
    pub sources: HashMap<i64, SourceMeta>,
    /// Every secret seen.
    pub secrets: Vec<SecretState>,
    /// Fingerprints of private content, one entry per source.
    pub content: Vec<ContentIndex>,
    /// Files written with sensitive content.
    pub taints: Vec<Taint>,
    /// Approvals in force for this session (loaded by the caller).
    pub approvals: Vec<Approved>,
    /// Sealed tails of the short pieces sent to each destination (see `pieces`).
    pub egress_tails: HashMap<String, Vec<u8>>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NewSecret {
    /// The rule that found it.
    pub kind: String,
    /// What kind of credential it is.
    pub category: Category,
    /// Keyed hash of the whole core: identifies the secret without storing it.
    pub ident: u64,
    /// Chars in its core.
    pub core_len: usize,
    /// Keyed hashes of every fragment-length window of its core.
    pub windows: Vec<u64>,
    /// Hosts the file it was read from names as its issuer.
    pub stated_issuers: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NewSource {
    /// The tool that read it.
    pub tool: String,
    /// Where the data came from.
    pub origin: Origin,
    /// The path, URL or `server/tool` it was read from.
    pub location: String,
    /// Bytes of the response (before any cut).
    pub bytes: usize,
    /// Kinds of sensitive data found (secret kinds, `sensitive-path`).
    pub sensitivity: Vec<String>,
    /// Sorted content fingerprints (empty for public content).
    pub content: Vec<u64>,
    /// The secrets found in it.
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
