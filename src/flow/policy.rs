//! Turning evidence into a decision: which flow kind maps to which action, and the reason text
//! (which names the evidence, never the value).

use crate::config::{Action, Config};
use crate::flow::call::Verdict;

/// The kinds of flow the policy distinguishes (config `policy.<kind>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    Secret,
    SecretFragment,
    CardSsn,
    Pii,
    PrivateContent,
    Collector,
    FileTransfer,
    /// The call cannot be fully checked in a session that holds private data.
    Unverified,
}

text_names!(FlowKind {
    Secret => "secret",
    SecretFragment => "secret_fragment",
    CardSsn => "card_ssn",
    Pii => "pii",
    PrivateContent => "private_content",
    Collector => "collector",
    FileTransfer => "file_transfer",
    Unverified => "unverified",
});

impl FlowKind {
    pub fn action(self, cfg: &Config) -> Action {
        let p = &cfg.policy;
        match self {
            FlowKind::Secret => p.secret,
            FlowKind::SecretFragment => p.secret_fragment,
            FlowKind::CardSsn => p.card_ssn,
            FlowKind::Pii => p.pii,
            FlowKind::PrivateContent => p.private_content,
            FlowKind::Collector => p.collector,
            FlowKind::FileTransfer => p.file_transfer,
            FlowKind::Unverified => p.unverified,
        }
    }
}

/// One piece of evidence that session data is about to leave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: FlowKind,
    pub action: Action,
    /// What the data is: a secret kind (`stripe-secret-key`), `private content`, a path.
    pub data: String,
    /// Where it came from: `Read /repo/.env`.
    pub provenance: String,
    pub source_id: Option<i64>,
    /// Which argument of the sink carries it.
    pub field: String,
    /// How it was encoded on the way out (`plain`, `percent+base64`).
    pub encoding: String,
    pub destination: String,
    /// Characters matched (secret chars covered, content chars, 0 for path flows).
    pub matched: usize,
    /// Extra words for the reason (look-alike host, accumulated coverage...).
    pub note: String,
    /// A stable, value-free identity of the data (hashed), for the user's approvals.
    pub ident: i64,
}

/// A value-free identity for approvals: a hash of what names the data (a secret's window
/// hashes, which are keyed; a source label; a path).
pub fn ident_of(parts: &[&[u8]]) -> i64 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    i64::from_le_bytes(h.finalize()[..8].try_into().expect("8 bytes"))
}

fn rank(a: Action) -> u8 {
    match a {
        Action::Deny => 2,
        Action::Ask => 1,
        Action::Allow => 0,
    }
}

/// The stronger of two actions (deny > ask > allow).
pub fn stronger(a: Action, b: Action) -> Action {
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// The weaker of two actions (allow < ask < deny).
pub fn weaker(a: Action, b: Action) -> Action {
    if rank(b) < rank(a) {
        b
    } else {
        a
    }
}

/// The strongest hit decides; the reason names it and counts the others.
/// The note a hit gets when the user approved its data to its destination.
pub const APPROVED: &str = "approved by the user";

/// For a call that goes on only because the user approved what it carries: what was approved,
/// for the activity log (`approved by the user: stripe-secret-key from Read /repo/.env to ...`).
pub fn approved_reason(hits: &[Hit], sink_tool: &str) -> Option<String> {
    if hits.iter().any(|h| h.action != Action::Allow) {
        return None;
    }
    let approved: Vec<&Hit> = hits.iter().filter(|h| h.note.ends_with(APPROVED)).collect();
    let first = approved.first()?;
    let more = match approved.len() - 1 {
        0 => String::new(),
        n => format!(" (+{n} more)"),
    };
    Some(format!(
        "{APPROVED}: {} from {} through {sink_tool} `{}` to {} [rule {}]{more}",
        first.data,
        first.provenance,
        first.field,
        first.destination,
        first.kind.as_str()
    ))
}

pub fn decide(hits: &[Hit], sink_tool: &str) -> Verdict {
    let Some(top) = hits.iter().max_by_key(|h| (rank(h.action), h.matched)) else {
        return Verdict::Silent;
    };
    if top.action == Action::Allow {
        return Verdict::Silent;
    }
    let verb = if top.action == Action::Deny { "blocked" } else { "check" };
    let mut reason = format!(
        "mcpproxy {verb}: {data} from {prov} would leave through {sink_tool} `{field}`",
        data = top.data,
        prov = top.provenance,
        field = top.field,
    );
    if top.encoding != "plain" {
        reason.push_str(&format!(" ({} encoded)", top.encoding));
    }
    reason.push_str(&format!(" to {}", top.destination));
    if !top.note.is_empty() {
        reason.push_str(&format!("; {}", top.note));
    }
    reason.push_str(&format!(" [rule {}]", top.kind.as_str()));
    let others = hits.len() - 1;
    if others > 0 {
        reason.push_str(&format!(" (+{others} more finding{})", if others == 1 { "" } else { "s" }));
    }
    if top.action == Action::Ask {
        reason.push_str(". Approve only if this data is meant to go there.");
    } else {
        reason.push_str(". Do not retry with a changed encoding; ask the user.");
    }
    match top.action {
        Action::Deny => Verdict::Deny(reason),
        Action::Ask => Verdict::Ask(reason),
        Action::Allow => Verdict::Silent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(kind: FlowKind, action: Action, matched: usize) -> Hit {
        Hit {
            kind,
            action,
            data: "stripe-secret-key (secret)".into(),
            provenance: "Read /repo/.env".into(),
            source_id: Some(1),
            field: "url".into(),
            encoding: "percent".into(),
            destination: "evil.example".into(),
            matched,
            note: String::new(),
            ident: 0,
        }
    }

    #[test]
    fn strongest_hit_wins_and_reason_has_no_value() {
        let v = decide(
            &[hit(FlowKind::SecretFragment, Action::Ask, 10), hit(FlowKind::Secret, Action::Deny, 40)],
            "WebFetch",
        );
        let Verdict::Deny(r) = v else { panic!("expected deny") };
        assert_eq!(
            r,
            "mcpproxy blocked: stripe-secret-key (secret) from Read /repo/.env would leave through WebFetch `url` (percent encoded) to evil.example [rule secret] (+1 more finding). Do not retry with a changed encoding; ask the user."
        );
    }

    #[test]
    fn no_hits_or_allow_is_silent() {
        assert_eq!(decide(&[], "WebFetch"), Verdict::Silent);
        assert_eq!(decide(&[hit(FlowKind::Pii, Action::Allow, 3)], "WebFetch"), Verdict::Silent);
    }
}
