//! What a sink call asks the store for: the hashes it carries, so that only the records they
//! hit are loaded (the store's session index), and whether its checks need more than that.

/// The hashes a sink call carries (any order, repeats allowed).
#[derive(Debug, Clone, Default)]
pub struct Probe {
    /// Every `CONTENT_K`-gram hash of every variant.
    pub content: Vec<u64>,
    /// Every `SECRET_K`-window hash of every variant.
    pub secrets: Vec<u64>,
    /// The call uploads or pipes files by path: the folder checks look at where every
    /// recorded source was read from, so every source's provenance is loaded.
    pub all_sources: bool,
}
