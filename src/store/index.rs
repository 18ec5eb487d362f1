//! One prefilter per session and kind (`session_index`): every content-fingerprint hash of
//! the session with the source that holds it, and every secret-window hash with the secret
//! it belongs to, as `(hash, owner)` pairs sorted by hash. A sink call probes each of its
//! hashes once against it and loads only the records it hits.
//!
//! Layout of one segment blob: `u32 bits`, then a directory of `2^bits + 1` u32 entry
//! offsets (bucket `b` = the top `bits` bits of the hash; its entries are
//! `dir[b]..dir[b + 1]`), then the entries, 16 bytes each (`u64 hash`, `i64 owner`, little
//! endian). `bits` grows with the segment (about 16 entries a bucket), so a probe of a few
//! hundred hashes reads the directory and a few hundred small slices through incremental blob
//! I/O, never the whole blob; a probe that needs most buckets reads it in one pass.
//!
//! Writes (tiered, log-structured): a record writes its own pairs as one new segment, at the
//! level its size fits ([`LEVEL0_MAX`] entries at level 0, [`FANOUT`] times more each level
//! up), so recording costs what the record holds, not what the session holds. When a level
//! holds [`FANOUT`] segments they are merged into one a level up; each entry is so rewritten
//! once per level (a handful of times in all), and segments of [`MERGE_MAX`] entries or more
//! are never merged again, which bounds the largest merge one record can trigger. A probe
//! reads at most `FANOUT - 1` segments per level plus the final ones (one per 10-40 MB of
//! real text read). Bound: 16 bytes per distinct (hash, owner) pair plus the directories (4 bytes
//! per 16 entries), about 1.3 bytes of index per byte of real source text read.

use anyhow::{Context, Result};
use rusqlite::{params, Connection, DatabaseName};

/// Which records a session index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// Content-fingerprint hashes; the owner is the source id.
    Content,
    /// Secret-window hashes; the owner is the secret id.
    Secret,
}

impl IndexKind {
    /// The value stored in `session_index.kind`.
    fn code(self) -> i64 {
        match self {
            IndexKind::Content => 0,
            IndexKind::Secret => 1,
        }
    }
}

/// Entries a level-0 segment holds at most (each level up holds [`FANOUT`] times more).
pub const LEVEL0_MAX: usize = 16 * 1024;
/// Segments a level holds before they are merged into one a level up.
pub const FANOUT: usize = 4;
/// Segments this big are final: merging them would rewrite tens of MB in one hook.
pub const MERGE_MAX: usize = 1 << 20;

const ENTRY: usize = 16;
const MAX_BITS: u32 = 20;

fn bits_for(n: usize) -> u32 {
    let mut bits = 0;
    while bits < MAX_BITS && (n >> bits) > 16 {
        bits += 1;
    }
    bits
}

fn bucket(h: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (h >> (64 - bits)) as usize
    }
}

/// Encode sorted `(hash, owner)` pairs as a segment blob.
pub fn encode(entries: &[(u64, i64)]) -> Vec<u8> {
    let bits = bits_for(entries.len());
    let nb = 1usize << bits;
    let mut out = Vec::with_capacity(4 + (nb + 1) * 4 + entries.len() * ENTRY);
    out.extend_from_slice(&bits.to_le_bytes());
    let mut i = 0;
    for b in 0..=nb {
        while i < entries.len() && bucket(entries[i].0, bits) < b {
            i += 1;
        }
        out.extend_from_slice(&(i as u32).to_le_bytes());
    }
    for (h, o) in entries {
        out.extend_from_slice(&h.to_le_bytes());
        out.extend_from_slice(&o.to_le_bytes());
    }
    out
}

fn header_len(bits: u32) -> usize {
    4 + ((1usize << bits) + 1) * 4
}

fn entries_of(bytes: &[u8]) -> impl Iterator<Item = (u64, i64)> + '_ {
    bytes.chunks_exact(ENTRY).map(|c| {
        (
            u64::from_le_bytes(c[..8].try_into().expect("8 bytes")),
            i64::from_le_bytes(c[8..].try_into().expect("8 bytes")),
        )
    })
}

/// Decode a whole segment blob.
pub fn decode(blob: &[u8]) -> Vec<(u64, i64)> {
    if blob.len() < 4 {
        return Vec::new();
    }
    let bits = u32::from_le_bytes(blob[..4].try_into().expect("4 bytes")).min(MAX_BITS);
    let start = header_len(bits).min(blob.len());
    entries_of(&blob[start..]).collect()
}

/// Merge two sorted pair lists into one, dropping repeats.
fn merge(a: &[(u64, i64)], b: &[(u64, i64)]) -> Vec<(u64, i64)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        if out.last() != Some(&next) {
            out.push(next);
        }
    }
    out
}

/// Most entries a segment at `level` holds.
fn capacity(level: i64) -> usize {
    LEVEL0_MAX.saturating_mul(FANOUT.saturating_pow(level.clamp(0, 16) as u32))
}

/// The level a segment of `n` entries belongs to.
fn level_for(n: usize) -> i64 {
    (0..).find(|&l| capacity(l) >= n).unwrap_or(0)
}

fn insert_segment(conn: &Connection, sid: &str, kind: IndexKind, level: i64, entries: &[(u64, i64)]) -> Result<()> {
    conn.prepare_cached("INSERT INTO session_index(session_id, kind, level, entries, data) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![sid, kind.code(), level, entries.len() as i64, encode(entries)])?;
    Ok(())
}

/// Add pairs to a session's index (in the caller's transaction): one new segment, then the
/// merges it makes due.
pub fn add(conn: &Connection, sid: &str, kind: IndexKind, mut new: Vec<(u64, i64)>) -> Result<()> {
    if new.is_empty() {
        return Ok(());
    }
    new.sort_unstable();
    new.dedup();
    let mut level = level_for(new.len());
    insert_segment(conn, sid, kind, level, &new)?;
    // Levels whose segments reach MERGE_MAX are final.
    while capacity(level) < MERGE_MAX {
        let segments: Vec<i64> = {
            let mut stmt = conn.prepare_cached(
                "SELECT id FROM session_index WHERE session_id = ?1 AND kind = ?2 AND level = ?3 ORDER BY id",
            )?;
            let rows = stmt.query_map(params![sid, kind.code(), level], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        if segments.len() < FANOUT {
            return Ok(());
        }
        let mut merged = Vec::new();
        for id in &segments {
            let blob: Vec<u8> = conn
                .prepare_cached("SELECT data FROM session_index WHERE id = ?1")?
                .query_row(params![id], |r| r.get(0))?;
            merged = merge(&merged, &decode(&blob));
            conn.prepare_cached("DELETE FROM session_index WHERE id = ?1")?.execute(params![id])?;
        }
        // Up at least one level (repeats across segments may shrink a merge), so merges end.
        level = level_for(merged.len()).max(level + 1);
        insert_segment(conn, sid, kind, level, &merged)?;
    }
    Ok(())
}

/// Build every session's index from its records (the migration that adds the index).
pub fn rebuild_all(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM session_index", [])?;
    let sessions: Vec<String> = {
        let mut stmt = conn.prepare("SELECT id FROM sessions")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    for sid in sessions {
        let mut content = Vec::new();
        let mut stmt = conn.prepare_cached("SELECT source_id, hashes FROM fingerprints WHERE session_id = ?1")?;
        for row in stmt.query_map(params![sid], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))? {
            let (source, blob) = row?;
            content.extend(crate::flow::fingerprint::from_blob(&blob).into_iter().map(|h| (h, source)));
        }
        let mut secrets = Vec::new();
        let mut stmt = conn.prepare_cached("SELECT id, windows FROM secrets WHERE session_id = ?1")?;
        for row in stmt.query_map(params![sid], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))? {
            let (id, blob) = row?;
            secrets.extend(crate::flow::fingerprint::from_blob(&blob).into_iter().map(|h| (h, id)));
        }
        for (kind, mut pairs) in [(IndexKind::Content, content), (IndexKind::Secret, secrets)] {
            if pairs.is_empty() {
                continue;
            }
            pairs.sort_unstable();
            pairs.dedup();
            insert_segment(conn, &sid, kind, level_for(pairs.len()), &pairs)?;
        }
    }
    Ok(())
}

/// Probe `hashes` (any order, repeats allowed) against a session's index: the `(hash, owner)` pairs
/// it holds for them, sorted.
pub fn probe(conn: &Connection, sid: &str, kind: IndexKind, hashes: &[u64]) -> Result<Vec<(u64, i64)>> {
    let mut out = Vec::new();
    if hashes.is_empty() {
        return Ok(out);
    }
    let segments: Vec<(i64, i64)> = {
        let mut stmt =
            conn.prepare_cached("SELECT id, entries FROM session_index WHERE session_id = ?1 AND kind = ?2")?;
        let rows = stmt.query_map(params![sid, kind.code()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut sorted: Option<Vec<u64>> = None;
    for (rowid, n) in segments {
        let blob = conn
            .blob_open(DatabaseName::Main, "session_index", "data", rowid, true)
            .with_context(|| format!("opening the session index of {sid}"))?;
        let mut word = [0u8; 4];
        blob.read_at_exact(&mut word, 0)?;
        let bits = u32::from_le_bytes(word).min(MAX_BITS);
        let nb = 1usize << bits;
        let header = header_len(bits);
        let mut dir_bytes = vec![0u8; (nb + 1) * 4];
        blob.read_at_exact(&mut dir_bytes, 4)?;
        let dir: Vec<u32> =
            dir_bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
        if *dir.last().unwrap_or(&0) as i64 != n {
            anyhow::bail!("session index of {sid} is inconsistent");
        }
        if hashes.len() * 4 >= nb {
            // A probe that needs most buckets: read the segment in one piece, then one bucket
            // lookup per hash (no sort of the probe).
            let mut buf = vec![0u8; n as usize * ENTRY];
            blob.read_at_exact(&mut buf, header)?;
            let entries: Vec<(u64, i64)> = entries_of(&buf).collect();
            // A bit per hash, by its low bits (the buckets use the high ones): most probe
            // hashes of a clean call stop at one bit test.
            let mask = (entries.len().max(1) * 8).next_power_of_two() as u64 - 1;
            let mut seen = vec![0u64; (mask as usize >> 6) + 1];
            for e in &entries {
                seen[((e.0 & mask) >> 6) as usize] |= 1 << (e.0 & 63);
            }
            for &h in hashes {
                if seen[((h & mask) >> 6) as usize] & (1 << (h & 63)) == 0 {
                    continue;
                }
                let b = bucket(h, bits);
                let slice = &entries[dir[b] as usize..dir[b + 1] as usize];
                let k = slice.partition_point(|e| e.0 < h);
                out.extend(slice[k..].iter().take_while(|e| e.0 == h));
            }
            continue;
        }
        // A short probe: the buckets it needs, as runs of consecutive buckets read in one piece.
        let hashes = sorted.get_or_insert_with(|| {
            let mut s = hashes.to_vec();
            s.sort_unstable();
            s.dedup();
            s
        });
        let mut runs: Vec<(usize, usize, usize, usize)> = Vec::new(); // (first bucket, last bucket, first hash, end hash)
        let mut i = 0;
        while i < hashes.len() {
            let b = bucket(hashes[i], bits);
            let mut j = i;
            while j < hashes.len() && bucket(hashes[j], bits) == b {
                j += 1;
            }
            match runs.last_mut() {
                Some(r) if r.1 + 1 >= b => {
                    r.1 = b;
                    r.3 = j;
                }
                _ => runs.push((b, b, i, j)),
            }
            i = j;
        }
        let mut buf = Vec::new();
        // Last run first: a blob read walks the overflow-page chain from its start up to the
        // first page it reads unless that page's place is already cached (SQLite caches every
        // page it walked past), so reading backwards walks the chain once, not once per run.
        for (b0, b1, h0, h1) in runs.into_iter().rev() {
            let (e0, e1) = (dir[b0] as usize, dir[b1 + 1] as usize);
            if e1 <= e0 {
                continue;
            }
            buf.resize((e1 - e0) * ENTRY, 0);
            blob.read_at_exact(&mut buf, header + e0 * ENTRY)?;
            let entries: Vec<(u64, i64)> = entries_of(&buf).collect();
            let mut k = 0;
            for &h in &hashes[h0..h1] {
                while k < entries.len() && entries[k].0 < h {
                    k += 1;
                }
                let mut m = k;
                while m < entries.len() && entries[m].0 == h {
                    out.push(entries[m]);
                    m += 1;
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE session_index (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, kind INTEGER NOT NULL,
             level INTEGER NOT NULL, entries INTEGER NOT NULL, data BLOB NOT NULL);",
        )
        .unwrap();
        conn
    }

    fn random_pairs(x: &mut u64, n: usize, owner: i64) -> Vec<(u64, i64)> {
        (0..n)
            .map(|_| {
                *x ^= *x << 13;
                *x ^= *x >> 7;
                *x ^= *x << 17;
                (*x, owner)
            })
            .collect()
    }

    #[test]
    fn probes_find_exactly_what_was_added_across_merges() {
        let conn = table();
        let mut x = 7u64;
        let mut all = Vec::new();
        for round in 0..12 {
            let mut batch = random_pairs(&mut x, LEVEL0_MAX / 2 + round as usize * 997, round);
            // Repeats across sources and within a batch.
            batch.push(all.first().copied().map(|(h, _)| (h, round)).unwrap_or((1, round)));
            batch.push(batch[0]);
            all.extend(batch.iter().copied());
            add(&conn, "s", IndexKind::Content, batch).unwrap();
        }
        all.sort_unstable();
        all.dedup();
        let segments: i64 = conn.query_row("SELECT COUNT(*) FROM session_index", [], |r| r.get(0)).unwrap();
        assert!(segments < 12, "merges keep the segment count down ({segments} segments for 12 records)");
        let stored: i64 = conn.query_row("SELECT SUM(entries) FROM session_index", [], |r| r.get(0)).unwrap();
        assert_eq!(stored as usize, all.len(), "every pair stored once");
        let mut want: Vec<u64> = all.iter().step_by(97).map(|p| p.0).collect();
        want.extend([0, u64::MAX, 12345]);
        let got = probe(&conn, "s", IndexKind::Content, &want).unwrap();
        want.sort_unstable();
        let expect: Vec<(u64, i64)> = all.iter().copied().filter(|p| want.binary_search(&p.0).is_ok()).collect();
        assert_eq!(got, expect);
        assert!(probe(&conn, "other", IndexKind::Content, &want).unwrap().is_empty());
        assert!(probe(&conn, "s", IndexKind::Secret, &want).unwrap().is_empty());
        // A probe bigger than the directory takes the one-read path, unsorted, with repeats.
        let mut big: Vec<u64> = all.iter().step_by(3).map(|p| p.0).collect();
        big.extend((0..50_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        big.reverse();
        big.extend(big.clone().into_iter().take(1000));
        let got = probe(&conn, "s", IndexKind::Content, &big).unwrap();
        big.sort_unstable();
        let expect: Vec<(u64, i64)> = all.iter().copied().filter(|p| big.binary_search(&p.0).is_ok()).collect();
        assert_eq!(got, expect);
        assert_eq!(decode(&encode(&expect)), expect);
    }

    #[test]
    fn a_record_writes_only_its_own_pairs_until_a_merge_is_due() {
        let conn = table();
        let mut x = 99u64;
        add(&conn, "s", IndexKind::Content, random_pairs(&mut x, 3 * LEVEL0_MAX, 1)).unwrap();
        let before: Vec<(i64, i64)> = {
            let mut stmt = conn.prepare("SELECT id, entries FROM session_index ORDER BY id").unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
        };
        add(&conn, "s", IndexKind::Content, random_pairs(&mut x, 100, 2)).unwrap();
        let after: Vec<(i64, i64)> = {
            let mut stmt = conn.prepare("SELECT id, entries FROM session_index ORDER BY id").unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(|r| r.unwrap()).collect()
        };
        // The big segment is untouched; the small record is a segment of its own.
        assert_eq!(after.len(), 2);
        assert_eq!(after[0], before[0]);
        assert_eq!(after[1].1, 100);
    }
}
