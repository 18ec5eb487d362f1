//! What a tainted file holds: the kinds of data a session wrote into it. Text only at the
//! store edge (the `taints.kinds` column and the spool, comma-joined in the order found).

use std::fmt;

/// One kind of data written into a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaintKind {
    /// A secret of this kind (a rule's id, such as `stripe-secret-key`).
    Secret(String),
    /// A copy of a sensitive file (`cp .env backup.txt`).
    SensitiveFileCopy,
    /// Code that reads credentials or the environment and talks to the network.
    ReadsSensitiveAndSends,
    /// Client configuration that sends connections elsewhere (a proxy, `insteadOf`).
    RedirectsConnections,
    /// The file also names an external URL: running it sends what it holds there.
    NetworkCode,
    /// A credential or config file written in this session: the issuers it names are the
    /// agent's word, not the user's. Says nothing about what the file holds.
    EditedConfig,
    /// Written by a command from content it did not show (a download): running it runs code
    /// nobody checked. Says nothing about what the file holds.
    UnseenCode,
    /// Code written this session that talks to the network with a destination the code does
    /// not name (it comes from argv, the environment, stdin or is assembled): what it sends and
    /// where depends on how it is run. Says nothing about what the file holds.
    SendsItsInput,
    /// A script written this session that runs another file; the taint's path names both
    /// (`<script a.sh runs b.sh>`). Says nothing about what the file holds.
    RunsAnotherFile,
    /// Code written this session that reads credentials or the environment but does not use
    /// the network itself: its output (piped to a sender) carries them. Says nothing about
    /// what the file holds.
    ReadsSensitive,
    /// Code that reads credentials and sends, whose every URL is on an issuer of the secrets
    /// this session read (an app calling its own API with its key): a question, not a block.
    NamesOnlyIssuers,
}

impl TaintKind {
    /// The markers that are not secret kinds, with their stored names.
    const MARKERS: [(TaintKind, &'static str); 10] = [
        (TaintKind::SensitiveFileCopy, "sensitive-file-copy"),
        (TaintKind::ReadsSensitiveAndSends, "reads-sensitive-and-sends"),
        (TaintKind::RedirectsConnections, "redirects-connections"),
        (TaintKind::NetworkCode, "network-code"),
        (TaintKind::EditedConfig, "edited-config"),
        (TaintKind::UnseenCode, "unseen-code"),
        (TaintKind::SendsItsInput, "sends-its-input"),
        (TaintKind::RunsAnotherFile, "runs-another-file"),
        (TaintKind::ReadsSensitive, "reads-sensitive"),
        (TaintKind::NamesOnlyIssuers, "names-only-issuers"),
    ];

    /// A mark of how a file came to be or what running it does, not data it holds.
    fn is_mark(&self) -> bool {
        matches!(
            self,
            TaintKind::EditedConfig
                | TaintKind::UnseenCode
                | TaintKind::SendsItsInput
                | TaintKind::RunsAnotherFile
                | TaintKind::ReadsSensitive
                | TaintKind::NamesOnlyIssuers
        )
    }

    pub fn as_str(&self) -> &str {
        match self {
            TaintKind::Secret(kind) => kind,
            marker => {
                Self::MARKERS.iter().find(|(m, _)| m == marker).map(|(_, name)| *name).expect("every marker named")
            }
        }
    }

    /// The kind a stored name stands for (a name that is no marker is a secret kind).
    pub fn from_name(name: &str) -> TaintKind {
        Self::MARKERS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(m, _)| m.clone())
            .unwrap_or_else(|| TaintKind::Secret(name.to_owned()))
    }
}

/// The distinct kinds of one taint, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaintKinds(Vec<TaintKind>);

impl TaintKinds {
    /// Secret kinds, in the order given.
    pub fn secrets(kinds: &[String]) -> TaintKinds {
        let mut out = TaintKinds::default();
        for k in kinds {
            out.insert(TaintKind::Secret(k.clone()));
        }
        out
    }

    pub fn of(kinds: impl IntoIterator<Item = TaintKind>) -> TaintKinds {
        let mut out = TaintKinds::default();
        for k in kinds {
            out.insert(k);
        }
        out
    }

    pub fn insert(&mut self, kind: TaintKind) {
        if !self.0.contains(&kind) {
            self.0.push(kind);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &TaintKind> {
        self.0.iter()
    }

    pub fn contains(&self, kind: &TaintKind) -> bool {
        self.0.contains(kind)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The kinds of data held, without the markers that say how the file was written or what
    /// running it does ([`TaintKind::NetworkCode`], [`TaintKind::EditedConfig`]; for reasons).
    pub fn data(&self) -> TaintKinds {
        TaintKinds(self.0.iter().filter(|k| !matches!(k, TaintKind::NetworkCode) && !k.is_mark()).cloned().collect())
    }

    /// The kinds named in a reason: all but [`TaintKind::EditedConfig`], which says how the
    /// file came to be, not what it holds.
    pub fn shown(&self) -> TaintKinds {
        TaintKinds(self.0.iter().filter(|k| !k.is_mark()).cloned().collect())
    }

    /// The file holds data (a secret, a copy of a sensitive file, code that sends), not only
    /// the mark that it was written or downloaded.
    pub fn holds_data(&self) -> bool {
        self.0.iter().any(|k| !k.is_mark())
    }

    /// The kinds held before and those found now, in order: a later write that records only that
    /// a file was edited must not erase that it holds a secret.
    pub fn union(&self, newer: &TaintKinds) -> TaintKinds {
        let mut out = self.clone();
        for k in newer.iter() {
            out.insert(k.clone());
        }
        out
    }

    /// The stored form: `stripe-secret-key,network-code`.
    pub fn from_text(text: &str) -> TaintKinds {
        TaintKinds::of(text.split(',').filter(|n| !n.is_empty()).map(TaintKind::from_name))
    }
}

impl fmt::Display for TaintKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, k) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(k.as_str())?;
        }
        Ok(())
    }
}

// The spool keeps the stored text form, so records written by any version read back alike.
impl serde::Serialize for TaintKinds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for TaintKinds {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TaintKinds, D::Error> {
        let text = String::deserialize(d)?;
        Ok(TaintKinds::from_text(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_text_round_trips_in_order() {
        let mut kinds = TaintKinds::secrets(&["github-pat".into(), "stripe-secret-key".into()]);
        kinds.insert(TaintKind::SensitiveFileCopy);
        kinds.insert(TaintKind::NetworkCode);
        kinds.insert(TaintKind::Secret("github-pat".into()));
        assert_eq!(kinds.to_string(), "github-pat,stripe-secret-key,sensitive-file-copy,network-code");
        assert_eq!(TaintKinds::from_text(&kinds.to_string()), kinds);
        assert_eq!(kinds.data().to_string(), "github-pat,stripe-secret-key,sensitive-file-copy");
        assert!(TaintKinds::from_text("").is_empty());
        assert_eq!(TaintKinds::from_text("redirects-connections").0, vec![TaintKind::RedirectsConnections]);
    }

    #[test]
    fn edited_config_marks_a_write_not_data() {
        let edited = TaintKinds::of([TaintKind::EditedConfig]);
        assert!(!edited.holds_data());
        assert_eq!(edited.to_string(), "edited-config");
        let held = TaintKinds::secrets(&["github-pat".into()]);
        let both = held.union(&edited);
        assert_eq!(both.to_string(), "github-pat,edited-config");
        assert!(both.holds_data());
        assert_eq!(both.data().to_string(), "github-pat");
        assert_eq!(edited.union(&held).to_string(), "edited-config,github-pat");
    }

    #[test]
    fn unseen_code_marks_a_download_not_data() {
        let unseen = TaintKinds::from_text("unseen-code");
        assert_eq!(unseen.0, vec![TaintKind::UnseenCode]);
        assert!(!unseen.holds_data());
        assert!(unseen.data().is_empty());
    }

    #[test]
    fn spool_form_is_the_stored_text() {
        let kinds = TaintKinds::of([TaintKind::ReadsSensitiveAndSends, TaintKind::NetworkCode]);
        let json = serde_json::to_string(&kinds).unwrap();
        assert_eq!(json, r#""reads-sensitive-and-sends,network-code""#);
        assert_eq!(serde_json::from_str::<TaintKinds>(&json).unwrap(), kinds);
    }
}
