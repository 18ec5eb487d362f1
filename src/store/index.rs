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
//! Writes (a log-structured merge): a record merges its pairs into level 0; a level past its
//! capacity ([`LEVEL0_MAX`] entries at level 0, 8 times more each level up) is merged into
//! the next. A record rewrites level 0 (at most 256 KB) and, amortised, each entry is
//! rewritten about 8 times per level, with log8(n / LEVEL0_MAX) levels (5 for 200 MB); a probe
//! reads one directory per level. Bound: 16 bytes per distinct (hash, owner) pair plus the
//! directories (4 bytes per 16 entries): measured 63 MB of index for 50 MB of real source
//! text in one session (3.9 M fingerprint hashes; the `fingerprints` blobs hold 32 MB), so
//! about 1.3 bytes of index per byte read; a 200 MB session holds about 250 MB of index.

use anyhow::{Context, Result};
use rusqlite::{params, Connection, DatabaseName, OptionalExtension};

pub const KIND_CONTENT: i64 = 0;
pub const KIND_SECRET: i64 = 1;

/// Entries level 0 holds before it is merged into level 1 (each level holds 8 times more).
pub const LEVEL0_MAX: usize = 16 * 1024;

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

fn read_segment(conn: &Connection, sid: &str, kind: i64, level: i64) -> Result<Vec<(u64, i64)>> {
    let blob: Option<Vec<u8>> = conn
        .prepare_cached("SELECT data FROM session_index WHERE session_id = ?1 AND kind = ?2 AND level = ?3")?
        .query_row(params![sid, kind, level], |r| r.get(0))
        .optional()?;
    Ok(blob.map(|b| decode(&b)).unwrap_or_default())
}

fn write_segment(conn: &Connection, sid: &str, kind: i64, level: i64, entries: &[(u64, i64)]) -> Result<()> {
    if entries.is_empty() {
        conn.prepare_cached("DELETE FROM session_index WHERE session_id = ?1 AND kind = ?2 AND level = ?3")?
            .execute(params![sid, kind, level])?;
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO session_index(session_id, kind, level, entries, data) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(session_id, kind, level) DO UPDATE SET entries = excluded.entries, data = excluded.data",
    )?
    .execute(params![sid, kind, level, entries.len() as i64, encode(entries)])?;
    Ok(())
}

/// Most entries level `level` holds before it is merged into the next one.
fn capacity(level: i64) -> usize {
    LEVEL0_MAX << (3 * level.min(16))
}

/// Add pairs to a session's index (in the caller's transaction): merged into level 0, and a
/// level past its capacity into the next.
pub fn add(conn: &Connection, sid: &str, kind: i64, mut new: Vec<(u64, i64)>) -> Result<()> {
    if new.is_empty() {
        return Ok(());
    }
    new.sort_unstable();
    new.dedup();
    let mut level = 0;
    loop {
        let merged = merge(&read_segment(conn, sid, kind, level)?, &new);
        if merged.len() <= capacity(level) {
            return write_segment(conn, sid, kind, level, &merged);
        }
        write_segment(conn, sid, kind, level, &[])?;
        new = merged;
        level += 1;
    }
}

/// Build the index of every session from its records (the v5 migration).
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
        for (kind, mut pairs) in [(KIND_CONTENT, content), (KIND_SECRET, secrets)] {
            pairs.sort_unstable();
            pairs.dedup();
            let level = (0..).find(|&l| capacity(l) >= pairs.len()).unwrap_or(0);
            write_segment(conn, &sid, kind, level, &pairs)?;
        }
    }
    Ok(())
}

/// Probe `hashes` (any order, repeats allowed) against a session's index: the `(hash, owner)` pairs
/// it holds for them, sorted.
pub fn probe(conn: &Connection, sid: &str, kind: i64, hashes: &[u64]) -> Result<Vec<(u64, i64)>> {
    let mut out = Vec::new();
    if hashes.is_empty() {
        return Ok(out);
    }
    let segments: Vec<(i64, i64)> = {
        let mut stmt =
            conn.prepare_cached("SELECT id, entries FROM session_index WHERE session_id = ?1 AND kind = ?2")?;
        let rows = stmt.query_map(params![sid, kind], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (rowid, n) in segments {
        let blob = conn
            .blob_open(DatabaseName::Main, "session_index", "data", rowid, true)
            .context("opening the session index")?;
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
        let mut sorted = hashes.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let hashes = &sorted[..];
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
        for (b0, b1, h0, h1) in runs {
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

    #[test]
    fn encode_decode_and_probe_agree() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE session_index (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, kind INTEGER NOT NULL,
             level INTEGER NOT NULL, entries INTEGER NOT NULL, data BLOB NOT NULL, UNIQUE (session_id, kind, level));",
        )
        .unwrap();
        let mut x = 7u64;
        let mut all = Vec::new();
        for round in 0..5 {
            let mut batch = Vec::new();
            for _ in 0..(LEVEL0_MAX * 3) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                batch.push((x, round));
            }
            // Repeats across sources and within a batch.
            batch.push(all.first().copied().map(|(h, _)| (h, round)).unwrap_or((1, round)));
            all.extend(batch.iter().copied());
            add(&conn, "s", KIND_CONTENT, batch).unwrap();
        }
        all.sort_unstable();
        all.dedup();
        let mut want: Vec<u64> = all.iter().step_by(97).map(|p| p.0).collect();
        want.extend([0, u64::MAX, 12345]);
        want.sort_unstable();
        want.dedup();
        let got = probe(&conn, "s", KIND_CONTENT, &want).unwrap();
        let expect: Vec<(u64, i64)> = all.iter().copied().filter(|p| want.binary_search(&p.0).is_ok()).collect();
        assert_eq!(got, expect);
        assert!(probe(&conn, "other", KIND_CONTENT, &want).unwrap().is_empty());
        // A probe bigger than the directory takes the one-read path, unsorted, with repeats.
        let mut big: Vec<u64> = all.iter().step_by(3).map(|p| p.0).collect();
        big.extend((0..50_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        big.reverse();
        big.extend(big.clone().into_iter().take(1000));
        let got = probe(&conn, "s", KIND_CONTENT, &big).unwrap();
        big.sort_unstable();
        let expect: Vec<(u64, i64)> = all.iter().copied().filter(|p| big.binary_search(&p.0).is_ok()).collect();
        assert_eq!(got, expect);
        assert_eq!(decode(&encode(&expect)), expect);
    }
}
