//! One prefilter per session and kind (`session_index`): every content-fingerprint hash of
//! the session with the source that holds it, and every secret-window hash with the secret
//! it belongs to, as `(hash, owner)` pairs sorted by hash. A sink call probes each of its
//! hashes once against it and loads only the records it hits.
//!
//! Layout: each level of a session's index is a run of rows (`first` = the first hash of the
//! row, mapped to an order-preserving i64) holding about [`CHUNK`] entries each, 16 bytes an
//! entry (`u64 hash`, `i64 owner`, little endian), never splitting one hash across rows. A
//! probe of a few hundred hashes seeks the row of each (one B-tree lookup, 4 KB read); a probe
//! that needs most rows reads the level in one range scan.
//!
//! Writes (a log-structured merge): a record merges its pairs into level 0; a level past its
//! capacity ([`LEVEL0_MAX`] entries at level 0, 8 times more each level up) is merged into
//! the next. A record rewrites level 0 (at most 256 KB) and, amortised, each entry is
//! rewritten about 8 times per level, with log8(n / LEVEL0_MAX) levels (5 for 200 MB); a probe
//! reads one directory per level. Bound: 16 bytes per distinct (hash, owner) pair plus the
//! directories (none now: rows are keyed by their first hash): 3.9 M fingerprint hashes (62 MB of index) for 50 MB of
//! real source text in one session, where the `fingerprints` blobs hold 32 MB: about 1.3 bytes
//! of index per byte read, so a 200 MB session holds about 250 MB of index.

use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension};

pub const KIND_CONTENT: i64 = 0;
pub const KIND_SECRET: i64 = 1;

/// Entries level 0 holds before it is merged into level 1 (each level holds 8 times more).
pub const LEVEL0_MAX: usize = 16 * 1024;

const ENTRY: usize = 16;

/// Entries a row holds (about 4 KB).
pub const CHUNK: usize = 256;

/// Order-preserving map of a hash to SQLite's signed integers.
fn key(h: u64) -> i64 {
    (h ^ (1 << 63)) as i64
}

fn encode(entries: &[(u64, i64)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * ENTRY);
    for (h, o) in entries {
        out.extend_from_slice(&h.to_le_bytes());
        out.extend_from_slice(&o.to_le_bytes());
    }
    out
}

fn entries_of(bytes: &[u8]) -> impl Iterator<Item = (u64, i64)> + '_ {
    bytes.chunks_exact(ENTRY).map(|c| {
        (
            u64::from_le_bytes(c[..8].try_into().expect("8 bytes")),
            i64::from_le_bytes(c[8..].try_into().expect("8 bytes")),
        )
    })
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
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM session_index WHERE session_id = ?1 AND kind = ?2 AND level = ?3 ORDER BY first",
    )?;
    let mut out = Vec::new();
    for row in stmt.query_map(params![sid, kind, level], |r| r.get::<_, Vec<u8>>(0))? {
        out.extend(entries_of(&row?));
    }
    Ok(out)
}

fn write_segment(conn: &Connection, sid: &str, kind: i64, level: i64, entries: &[(u64, i64)]) -> Result<()> {
    conn.prepare_cached("DELETE FROM session_index WHERE session_id = ?1 AND kind = ?2 AND level = ?3")?
        .execute(params![sid, kind, level])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO session_index(session_id, kind, level, first, entries, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut start = 0;
    while start < entries.len() {
        let mut end = (start + CHUNK).min(entries.len());
        while end < entries.len() && entries[end].0 == entries[end - 1].0 {
            end += 1;
        }
        let part = &entries[start..end];
        insert.execute(params![sid, kind, level, key(part[0].0), part.len() as i64, encode(part)])?;
        start = end;
    }
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

/// Probe `hashes` (any order, repeats allowed) against a session's index: the `(hash, owner)`
/// pairs it holds for them, sorted.
pub fn probe(conn: &Connection, sid: &str, kind: i64, hashes: &[u64]) -> Result<Vec<(u64, i64)>> {
    let mut out = Vec::new();
    if hashes.is_empty() {
        return Ok(out);
    }
    let levels: Vec<(i64, i64)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT level, COUNT(*) FROM session_index WHERE session_id = ?1 AND kind = ?2 GROUP BY level",
        )?;
        let rows = stmt.query_map(params![sid, kind], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (level, rows) in levels {
        if hashes.len() >= rows as usize * 4 {
            // A probe that needs most rows: the level in one scan, then a bit test per hash
            // (most hashes of a clean call stop there) and a binary search for the rest.
            let entries = read_segment(conn, sid, kind, level)?;
            let mask = (entries.len().max(1) * 8).next_power_of_two() as u64 - 1;
            let mut seen = vec![0u64; (mask as usize >> 6) + 1];
            for e in &entries {
                seen[((e.0 & mask) >> 6) as usize] |= 1 << (e.0 & 63);
            }
            for &h in hashes {
                if seen[((h & mask) >> 6) as usize] & (1 << (h & 63)) == 0 {
                    continue;
                }
                let k = entries.partition_point(|e| e.0 < h);
                out.extend(entries[k..].iter().take_while(|e| e.0 == h));
            }
            continue;
        }
        // A short probe: the row that can hold each hash, one seek each (a row is reused while
        // the sorted hashes stay within it).
        let mut sorted = hashes.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut stmt = conn.prepare_cached(
            "SELECT data FROM session_index WHERE session_id = ?1 AND kind = ?2 AND level = ?3 AND first <= ?4
             ORDER BY first DESC LIMIT 1",
        )?;
        let mut chunk: Vec<(u64, i64)> = Vec::new();
        for h in sorted {
            if chunk.last().is_none_or(|l| l.0 < h) || chunk.first().is_some_and(|f| f.0 > h) {
                chunk =
                    match stmt.query_row(params![sid, kind, level, key(h)], |r| r.get::<_, Vec<u8>>(0)).optional()? {
                        Some(d) => entries_of(&d).collect(),
                        None => Vec::new(),
                    };
            }
            let k = chunk.partition_point(|e| e.0 < h);
            out.extend(chunk[k..].iter().take_while(|e| e.0 == h));
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
             level INTEGER NOT NULL, first INTEGER NOT NULL, entries INTEGER NOT NULL, data BLOB NOT NULL,
             UNIQUE (session_id, kind, level, first));",
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
    }
}
