//! A per-session Bloom filter of the private content fingerprints, in a file beside the
//! database. A call whose text shares no gram with anything private the session read is
//! answered from a few blocks of this file instead of every fingerprint blob, so its cost does
//! not grow with the session.
//!
//! The database stays the truth. The file vouches only when its header carries the database's
//! key check and exactly the counts of the session's `content_filters` row; a missing, foreign,
//! torn or stale file makes the caller load every blob (the exact path) and the next write
//! rebuild it. Writes only ever add bits (a crash leaves a superset) and a rebuild is renamed
//! into place whole.

use anyhow::{Context, Result};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"MCPXFLT1";
/// magic, key check, sources, hashes, blocks (8 bytes each), then reserved to one block.
const HEADER: u64 = 64;
/// One cache line (512 bits): every bit of one hash lies in one block, one read per probe.
const BLOCK: usize = 64;
/// Bits of filter per hash held and bits set per hash: about 3 in 10,000 probes of grams the
/// session never read pass (a pass costs the exact load, never a wrong answer).
const BITS_PER_HASH: u64 = 24;
const PROBES: usize = 5;
const MIN_BLOCKS: u64 = 1024;
/// A rebuild makes room for this many times the hashes held, so rebuilds are rare.
const GROWTH: u64 = 4;

/// What a filter file holds, as the database counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Private sources with content recorded.
    pub sources: i64,
    /// Fingerprint hashes added (with repeats).
    pub hashes: i64,
}

/// The filter file of a session (named by a digest: session ids come from the agent).
pub fn path_for(db_path: &Path, session_id: &str) -> PathBuf {
    let dir = db_path.parent().unwrap_or(Path::new(".")).join("filters");
    dir.join(format!("{}.bloom", super::home::session_file_name(session_id)))
}

fn block_of(h: u64, blocks: u64) -> u64 {
    ((h as u128 * blocks as u128) >> 64) as u64
}

/// The bits of `h` within its block: 9-bit fields of its low bits (the hashes are keyed and
/// well mixed; the block comes from the high bits).
fn bits_of(h: u64) -> [u16; PROBES] {
    std::array::from_fn(|i| ((h >> (9 * i)) & 511) as u16)
}

fn set(block: &mut [u8], h: u64) {
    for b in bits_of(h) {
        block[b as usize / 8] |= 1 << (b % 8);
    }
}

fn holds(block: &[u8], h: u64) -> bool {
    bits_of(h).iter().all(|&b| block[b as usize / 8] & (1 << (b % 8)) != 0)
}

struct Header {
    key_check: i64,
    counts: Counts,
    blocks: u64,
}

fn read_header(file: &File) -> Option<Header> {
    let mut buf = [0u8; HEADER as usize];
    file.read_exact_at(&mut buf, 0).ok()?;
    if &buf[..8] != MAGIC {
        return None;
    }
    let word = |i: usize| i64::from_le_bytes(buf[8 * i..8 * i + 8].try_into().expect("8 bytes"));
    let blocks = word(4) as u64;
    let len = file.metadata().ok()?.len();
    (blocks > 0 && len == HEADER + blocks * BLOCK as u64).then(|| Header {
        key_check: word(1),
        counts: Counts { sources: word(2), hashes: word(3) },
        blocks,
    })
}

fn header_bytes(key_check: i64, counts: Counts, blocks: u64) -> [u8; HEADER as usize] {
    let mut buf = [0u8; HEADER as usize];
    buf[..8].copy_from_slice(MAGIC);
    for (i, v) in [key_check, counts.sources, counts.hashes, blocks as i64].into_iter().enumerate() {
        buf[8 * (i + 1)..8 * (i + 2)].copy_from_slice(&v.to_le_bytes());
    }
    buf
}

fn open_existing(path: &Path, write: bool) -> Option<File> {
    // Never through a symlink planted at the path.
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).write(write).custom_flags(libc::O_NOFOLLOW).open(path).ok()
}

/// The probes that may be among the session's private hashes (every one that is, and about 3
/// in 10,000 that are not), sorted and deduplicated. `expect` is the database's row (`None`: no private content
/// recorded for the session, nothing to hold). `None` when the file cannot vouch for that row
/// (the caller then loads every blob).
pub fn passing(path: &Path, key_check: i64, expect: Option<Counts>, probes: &[u64]) -> Option<Vec<u64>> {
    let Some(expect) = expect else {
        return Some(Vec::new());
    };
    let file = open_existing(path, false)?;
    let header = read_header(&file)?;
    if header.key_check != key_check || header.counts != expect {
        return None;
    }
    let mut out = Vec::new();
    if probes.len() as u64 * 8 > header.blocks {
        // Many probes: one sequential read beats a read per block.
        let mut body = vec![0u8; header.blocks as usize * BLOCK];
        file.read_exact_at(&mut body, HEADER).ok()?;
        let block = |h: u64| &body[block_of(h, header.blocks) as usize * BLOCK..][..BLOCK];
        out.extend(probes.iter().copied().filter(|&h| holds(block(h), h)));
        out.sort_unstable();
        out.dedup();
        return Some(out);
    }
    let mut wanted: Vec<(u64, u64)> = probes.iter().map(|&h| (block_of(h, header.blocks), h)).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut block = [0u8; BLOCK];
    let mut loaded = None;
    for &(b, h) in &wanted {
        if loaded != Some(b) {
            file.read_exact_at(&mut block, HEADER + b * BLOCK as u64).ok()?;
            loaded = Some(b);
        }
        if holds(&block, h) {
            out.push(h);
        }
    }
    out.sort_unstable();
    Some(out)
}

/// Add one source's private hashes. `before` is what the database counted until now, `after`
/// what it counts with this source. When the file cannot vouch for `before` or has no room,
/// it is rebuilt from `all_hashes` (every private hash of the session, this source's included).
pub fn add(
    path: &Path,
    key_check: i64,
    before: Counts,
    after: Counts,
    hashes: &[u64],
    all_hashes: impl FnOnce() -> Result<Vec<Vec<u64>>>,
) -> Result<()> {
    if let Some(file) = open_existing(path, true) {
        if let Some(h) = read_header(&file) {
            let room = h.blocks * BLOCK as u64 * 8 / BITS_PER_HASH;
            if h.key_check == key_check && h.counts == before && after.hashes as u64 <= room {
                return add_in_place(&file, &h, key_check, after, hashes)
                    .with_context(|| format!("updating content filter {}", path.display()));
            }
        }
    }
    rebuild(path, key_check, after, &all_hashes()?)
        .with_context(|| format!("rebuilding content filter {}", path.display()))
}

fn add_in_place(file: &File, h: &Header, key_check: i64, after: Counts, hashes: &[u64]) -> Result<()> {
    let page_blocks = 4096 / BLOCK as u64;
    let mut touched: Vec<(u64, u64)> = hashes.iter().map(|&x| (block_of(x, h.blocks), x)).collect();
    touched.sort_unstable();
    let mut pages: Vec<u64> = touched.iter().map(|&(b, _)| b / page_blocks).collect();
    pages.dedup();
    let all_pages = h.blocks.div_ceil(page_blocks);
    if pages.len() as u64 * 4 > all_pages {
        let mut body = vec![0u8; h.blocks as usize * BLOCK];
        file.read_exact_at(&mut body, HEADER)?;
        for &(b, x) in &touched {
            set(&mut body[b as usize * BLOCK..][..BLOCK], x);
        }
        file.write_all_at(&body, HEADER)?;
    } else {
        let mut page = vec![0u8; page_blocks as usize * BLOCK];
        let mut i = 0;
        for p in pages {
            let first = p * page_blocks;
            let n = page_blocks.min(h.blocks - first) as usize;
            let page = &mut page[..n * BLOCK];
            let at = HEADER + first * BLOCK as u64;
            file.read_exact_at(page, at)?;
            while i < touched.len() && touched[i].0 / page_blocks == p {
                let (b, x) = touched[i];
                set(&mut page[(b - first) as usize * BLOCK..][..BLOCK], x);
                i += 1;
            }
            file.write_all_at(page, at)?;
        }
    }
    // The counts last: until they are written the file vouches for nothing new.
    file.write_all_at(&header_bytes(key_check, after, h.blocks), 0)?;
    Ok(())
}

fn rebuild(path: &Path, key_check: i64, counts: Counts, sets: &[Vec<u64>]) -> Result<()> {
    let dir = path.parent().context("filter path has no folder")?;
    if !dir.exists() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        super::home::set_mode(dir, 0o700)?;
    }
    let held = (counts.hashes.max(0) as u64).max(sets.iter().map(|s| s.len() as u64).sum());
    let blocks = (held * GROWTH * BITS_PER_HASH / (BLOCK as u64 * 8)).max(MIN_BLOCKS);
    let mut body = vec![0u8; HEADER as usize + blocks as usize * BLOCK];
    body[..HEADER as usize].copy_from_slice(&header_bytes(key_check, counts, blocks));
    for &x in sets.iter().flatten() {
        let b = block_of(x, blocks) as usize;
        set(&mut body[HEADER as usize + b * BLOCK..][..BLOCK], x);
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let written = (|| -> Result<()> {
        let file = super::home::open_private(&tmp, true).with_context(|| format!("creating {}", tmp.display()))?;
        file.write_all_at(&body, 0).with_context(|| format!("writing {}", tmp.display()))?;
        drop(file);
        std::fs::rename(&tmp, path).with_context(|| format!("moving {} into place", tmp.display()))
    })();
    if written.is_err() {
        // A full disk keeps no half-written copy.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Remove a session's filter (its records are gone).
pub fn remove(db_path: &Path, session_id: &str) {
    let _ = std::fs::remove_file(path_for(db_path, session_id));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(seed: u64, n: u64) -> Vec<u64> {
        (0..n)
            .map(|i| crate::flow::fingerprint::window_hashes(&(seed * 1_000_003 + i).to_le_bytes(), 8, 7)[0])
            .collect()
    }

    #[test]
    fn vouches_for_what_it_holds_and_rejects_what_it_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("filters").join("s.bloom");
        let first = hashes(1, 5_000);
        let one = Counts { sources: 1, hashes: 5_000 };
        add(&path, 9, Counts::default(), one, &first, || Ok(vec![first.clone()])).unwrap();
        assert_eq!(passing(&path, 9, Some(one), &first[10..11]), Some(vec![first[10]]));
        let unread = hashes(2, 2_000);
        assert_eq!(passing(&path, 9, Some(one), &unread[..300]), Some(vec![]));
        // Many probes take the whole-file path and agree.
        assert_eq!(passing(&path, 9, Some(one), &unread), Some(vec![]));
        // Another key, or counts the database does not hold: the file vouches for nothing.
        assert_eq!(passing(&path, 8, Some(one), &unread[..300]), None);
        assert_eq!(passing(&path, 9, Some(Counts { sources: 2, hashes: 7_000 }), &unread[..300]), None);
        // A second source added in place, then a third that needs a bigger file.
        let second = hashes(3, 2_000);
        let two = Counts { sources: 2, hashes: 7_000 };
        add(&path, 9, one, two, &second, || panic!("no rebuild needed")).unwrap();
        assert_eq!(passing(&path, 9, Some(two), &second[1999..]), Some(vec![second[1999]]));
        assert_eq!(passing(&path, 9, Some(two), &first[..1]), Some(vec![first[0]]));
        let third = hashes(4, 200_000);
        let three = Counts { sources: 3, hashes: 207_000 };
        let all = vec![first.clone(), second.clone(), third.clone()];
        add(&path, 9, two, three, &third, || Ok(all)).unwrap();
        for probe in [first[4321], second[7], third[199_999]] {
            assert_eq!(passing(&path, 9, Some(three), &[probe]), Some(vec![probe]));
        }
        let passed = passing(&path, 9, Some(three), &unread).unwrap().len();
        assert!(passed <= 4, "{passed} of 2000 unread grams passed");
    }

    #[test]
    fn what_passes_comes_back_sorted_whichever_way_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.bloom");
        let set = hashes(7, 200_000);
        let counts = Counts { sources: 1, hashes: 200_000 };
        add(&path, 3, Counts::default(), counts, &set, || Ok(vec![set.clone()])).unwrap();
        let mut expected: Vec<u64> = set[..1000].to_vec();
        expected.sort_unstable();
        // Block by block (few probes for the file's size), then the whole file.
        assert_eq!(passing(&path, 3, Some(counts), &set[..1000]), Some(expected.clone()));
        let mut many = set[..1000].repeat(20);
        many.extend(hashes(8, 5_000));
        let passed = passing(&path, 3, Some(counts), &many).unwrap();
        assert!(passed.windows(2).all(|w| w[0] < w[1]), "sorted and deduplicated");
        assert!(expected.iter().all(|h| passed.binary_search(h).is_ok()));
    }

    #[test]
    fn a_torn_or_replaced_file_vouches_for_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.bloom");
        let set = hashes(5, 1_000);
        let counts = Counts { sources: 1, hashes: 1_000 };
        add(&path, 1, Counts::default(), counts, &set, || Ok(vec![set.clone()])).unwrap();
        let len = std::fs::metadata(&path).unwrap().len();
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(len - 64).unwrap();
        assert_eq!(passing(&path, 1, Some(counts), &set[..1]), None);
        std::fs::write(&path, vec![0u8; len as usize]).unwrap();
        assert_eq!(passing(&path, 1, Some(counts), &set[..1]), None);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(passing(&path, 1, Some(counts), &set[..1]), None);
        // A stale file is rebuilt by the next add, from the database's hashes.
        let more = hashes(6, 10);
        let after = Counts { sources: 2, hashes: 1_010 };
        add(&path, 1, counts, after, &more, || Ok(vec![set.clone(), more.clone()])).unwrap();
        assert_eq!(passing(&path, 1, Some(after), &set[..1]), Some(vec![set[0]]));
    }
}
