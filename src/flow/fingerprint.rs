//! Rolling-hash fingerprints. Only these 64-bit keyed hashes are ever stored, never content.
//!
//! - Content: k-gram hashes over normalised text (whitespace collapsed, ASCII lowercased),
//!   winnowed so that any shared span of at least `CONTENT_K + WINNOW_W - 1` bytes is found.
//! - Secrets: the hash of every `SECRET_K`-byte window of a secret's core, in order, so a sink
//!   fragment maps back to the positions of the secret it covers.

/// k-gram length for content fingerprints.
pub const CONTENT_K: usize = 24;
/// Winnowing window (in k-grams).
pub const WINNOW_W: usize = 16;
/// Window length for secret fragments.
pub const SECRET_K: usize = 8;

/// A window hash recorded in place of one that must never match (shared by every secret of a
/// kind); sink windows are never this value.
pub const NO_MATCH: u64 = 0;

const BASE: u64 = 0x100000001b3;

/// Finaliser: spreads the polynomial hash and mixes in the per-database key (one multiply
/// and a fold: the polynomial hash is already well spread, this keys it and evens the bits).
#[inline]
fn finish(h: u64, key: u64) -> u64 {
    let z = (h ^ key).wrapping_mul(0x9e3779b97f4a7c15);
    z ^ (z >> 31)
}

/// Keyed hash of every `k`-byte window of `bytes`, in order (empty if shorter than `k`).
pub fn window_hashes(bytes: &[u8], k: usize, key: u64) -> Vec<u64> {
    if k == 0 || bytes.len() < k {
        return Vec::new();
    }
    let top = (0..k - 1).fold(1u64, |acc, _| acc.wrapping_mul(BASE));
    let mut h = 0u64;
    for &b in &bytes[..k] {
        h = h.wrapping_mul(BASE).wrapping_add(b as u64 + 1);
    }
    let mut out = Vec::with_capacity(bytes.len() - k + 1);
    out.push(finish(h, key));
    for i in k..bytes.len() {
        h = h
            .wrapping_sub((bytes[i - k] as u64 + 1).wrapping_mul(top))
            .wrapping_mul(BASE)
            .wrapping_add(bytes[i] as u64 + 1);
        out.push(finish(h, key));
    }
    out
}

/// Winnowing (Schleimer et al.): the minimum hash of each window of `w` consecutive hashes
/// (values only; callers sort and deduplicate). Block prefix/suffix minima make this a few
/// branch-free passes instead of a deque walk.
/// A bit set over fingerprint hashes (keyed, so their low bits are uniform): a hash whose bit
/// is clear is in none of the sets it was built from. About 16 bits per hash, so roughly one
/// hash in 16 that is in no set still passes and is confirmed by an exact look-up.
pub struct Prefilter {
    bits: Vec<u64>,
    mask: u64,
}

impl Prefilter {
    pub fn of<'a>(sets: impl Iterator<Item = &'a [u64]> + Clone) -> Prefilter {
        let total: usize = sets.clone().map(<[u64]>::len).sum();
        let size_bits = (total.max(1) * 16).next_power_of_two().clamp(1 << 12, 1 << 27);
        let mut bits = vec![0u64; size_bits / 64];
        let mask = (size_bits - 1) as u64;
        for h in sets.flatten() {
            let at = h & mask;
            bits[(at >> 6) as usize] |= 1 << (at & 63);
        }
        Prefilter { bits, mask }
    }

    pub fn may_hold(&self, h: u64) -> bool {
        let at = h & self.mask;
        self.bits[(at >> 6) as usize] & (1 << (at & 63)) != 0
    }
}

#[cfg(test)]
fn winnow(hashes: &[u64], w: usize) -> Vec<u64> {
    let n = hashes.len();
    if n <= w {
        return hashes.iter().min().into_iter().copied().collect();
    }
    let mut prefix = hashes.to_vec();
    let mut suffix = hashes.to_vec();
    for start in (0..n).step_by(w) {
        let end = (start + w).min(n);
        for i in start + 1..end {
            prefix[i] = prefix[i].min(prefix[i - 1]);
        }
        for i in (start..end - 1).rev() {
            suffix[i] = suffix[i].min(suffix[i + 1]);
        }
    }
    let mut out = Vec::with_capacity(n * 2 / (w + 1) + 1);
    for i in 0..=n - w {
        let m = suffix[i].min(prefix[i + w - 1]);
        if out.last() != Some(&m) {
            out.push(m);
        }
    }
    out
}

/// Normalise text for content fingerprints: whitespace runs become one space, ASCII lowercased.
/// Returns the bytes and, for each output byte, the char-boundary offset in the input.
pub fn normalize_content(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut in_space = false;
    for &b in text.as_bytes() {
        if b.is_ascii_whitespace() {
            if !in_space {
                out.push(b' ');
                in_space = true;
            }
        } else {
            out.push(b.to_ascii_lowercase());
            in_space = false;
        }
    }
    out
}

/// Sorted, deduplicated winnowed content fingerprints of `text`. One streaming pass: rolling
/// hash and window minimum together, with a ring of the last `WINNOW_W` hashes, so a large
/// source costs no arrays of every k-gram.
pub fn content_fingerprints(text: &str, key: u64) -> Vec<u64> {
    let norm = normalize_content(text);
    let (k, w) = (CONTENT_K, WINNOW_W);
    if norm.len() < k {
        return Vec::new();
    }
    let top = (0..k - 1).fold(1u64, |acc, _| acc.wrapping_mul(BASE));
    let mut h = 0u64;
    for &b in &norm[..k] {
        h = h.wrapping_mul(BASE).wrapping_add(b as u64 + 1);
    }
    // What each byte contributes when it leaves the window, precomputed.
    let mut leave = [0u64; 256];
    for (b, slot) in leave.iter_mut().enumerate() {
        *slot = (b as u64 + 1).wrapping_mul(top);
    }
    let mut ring = [u64::MAX; WINNOW_W];
    let mut out = Vec::with_capacity(norm.len() * 2 / (w + 1) + 1);
    // Position (gram index) and value of the current window minimum.
    let (mut min_at, mut min) = (0usize, u64::MAX);
    let grams = norm.len() - k + 1;
    let first_full = w.min(grams) - 1;
    // Gram i + 1 drops byte i and adds byte i + k: zip the two streams (no index checks).
    let leaving = norm.iter();
    let entering = norm[k..].iter();
    let mut step = leaving.zip(entering);
    for i in 0..grams {
        if i > 0 {
            let (&out_b, &in_b) = step.next().expect("one step per gram");
            h = h.wrapping_sub(leave[out_b as usize]).wrapping_mul(BASE).wrapping_add(in_b as u64 + 1);
        }
        let v = finish(h, key);
        ring[i % WINNOW_W] = v;
        if v <= min {
            min = v;
            min_at = i;
        } else if i >= w && min_at + w <= i {
            // The minimum left the window: rescan the ring (rightmost minimum wins ties).
            min = u64::MAX;
            for j in (i + 1 - w)..=i {
                let r = ring[j % WINNOW_W];
                if r <= min {
                    min = r;
                    min_at = j;
                }
            }
        }
        if i >= first_full && out.last() != Some(&min) {
            out.push(min);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Pack hashes as little-endian bytes for a BLOB column.
pub fn to_blob(hashes: &[u64]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.to_le_bytes()).collect()
}

pub fn from_blob(blob: &[u8]) -> Vec<u64> {
    blob.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8-byte chunk"))).collect()
}

/// Merge sorted match positions into covered length: each hit at position `p` covers
/// `[p, p + span)`; gaps shorter than `join` between covered runs are bridged, because
/// winnowing keeps only some k-grams of the source.
pub fn covered_len(mut positions: Vec<usize>, span: usize, join: usize) -> usize {
    positions.sort_unstable();
    let mut total = 0;
    let mut run: Option<(usize, usize)> = None;
    for p in positions {
        let (s, e) = (p, p + span);
        run = match run {
            Some((rs, re)) if s <= re + join => Some((rs, re.max(e))),
            Some((rs, re)) => {
                total += re - rs;
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((rs, re)) = run {
        total += re - rs;
    }
    total
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_prefilter_passes_every_member_and_few_others() {
        let set: Vec<u64> = (0..10_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        let filter = super::Prefilter::of([set.as_slice()].into_iter());
        assert!(set.iter().all(|&h| filter.may_hold(h)));
        let others = (10_000..20_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let passed = others.filter(|&h| filter.may_hold(h)).count();
        assert!(passed < 1_000, "{passed} of 10000 others passed");
    }

    use super::*;

    #[test]
    fn rolling_equals_direct() {
        let data = b"the quick brown fox jumps over the lazy dog";
        let rolled = window_hashes(data, 8, 7);
        for (i, h) in rolled.iter().enumerate() {
            assert_eq!(*h, window_hashes(&data[i..i + 8], 8, 7)[0]);
        }
        assert_eq!(rolled.len(), data.len() - 7);
    }

    #[test]
    fn key_changes_hashes() {
        assert_ne!(window_hashes(b"abcdefgh", 8, 1), window_hashes(b"abcdefgh", 8, 2));
    }

    #[test]
    fn winnowing_finds_embedded_span() {
        let source = "fn main() { let secret_sauce = compute(42); println!(\"{}\", secret_sauce); }";
        let fp = content_fingerprints(source, 9);
        let sink = format!("https://x.example/?q={}&z=1", &source[5..70]);
        let norm = normalize_content(&sink);
        let hits = window_hashes(&norm, CONTENT_K, 9).into_iter().filter(|h| fp.binary_search(h).is_ok()).count();
        assert!(hits > 0);
    }

    #[test]
    fn streaming_fingerprints_equal_winnowed_grams() {
        let text =
            "pub fn rule_7(x: u64) -> u64 { x.wrapping_mul(7919) ^ 104729 }\n".repeat(20) + "tail text that is unique";
        let mut expected = winnow(&window_hashes(&normalize_content(&text), CONTENT_K, 5), WINNOW_W);
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(content_fingerprints(&text, 5), expected);
        let short = "just over twenty-four characters!";
        let mut e2 = winnow(&window_hashes(&normalize_content(short), CONTENT_K, 5), WINNOW_W);
        e2.sort_unstable();
        e2.dedup();
        assert_eq!(content_fingerprints(short, 5), e2);
    }

    #[test]
    fn winnow_matches_naive_minima() {
        let hashes: Vec<u64> =
            window_hashes(b"abracadabra, the quick brown fox jumps over the lazy dog again and again", 4, 3);
        let w = 5;
        let mut naive: Vec<u64> = hashes.windows(w).map(|win| *win.iter().min().unwrap()).collect();
        naive.dedup();
        let mut fast = winnow(&hashes, w);
        fast.dedup();
        naive.sort();
        naive.dedup();
        fast.sort();
        fast.dedup();
        assert_eq!(fast, naive);
    }

    #[test]
    fn covered_len_merges_runs() {
        assert_eq!(covered_len(vec![0, 1, 2], 8, 0), 10);
        assert_eq!(covered_len(vec![0, 20], 8, 0), 16);
        assert_eq!(covered_len(vec![0, 20], 8, 12), 28);
        assert_eq!(covered_len(vec![], 8, 0), 0);
    }

    #[test]
    fn blob_roundtrip() {
        let v = vec![1u64, u64::MAX, 42];
        assert_eq!(from_blob(&to_blob(&v)), v);
    }
}
