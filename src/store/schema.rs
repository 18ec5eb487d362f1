//! Versioned schema. Each entry upgrades the database from version `i` to `i + 1`; the
//! version lives in `PRAGMA user_version`.

pub const MIGRATIONS: &[&str] = &[
    // v1
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        agent TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        link_group TEXT
    );
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        tool TEXT NOT NULL,
        origin TEXT NOT NULL,
        location TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        sensitivity TEXT NOT NULL
    );
    CREATE INDEX sources_session ON sources(session_id);
    CREATE TABLE fingerprints (
        source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
        session_id TEXT NOT NULL,
        origin TEXT NOT NULL,
        hashes BLOB NOT NULL
    );
    CREATE INDEX fingerprints_session ON fingerprints(session_id);
    CREATE TABLE secrets (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        category TEXT NOT NULL,
        ident INTEGER NOT NULL,
        core_len INTEGER NOT NULL,
        windows BLOB NOT NULL,
        coverage BLOB NOT NULL,
        UNIQUE (session_id, ident)
    );
    CREATE TABLE taints (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        kinds TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (session_id, path)
    );
    CREATE TABLE activity (
        id INTEGER PRIMARY KEY,
        ts INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        agent TEXT NOT NULL,
        event TEXT NOT NULL,
        tool TEXT NOT NULL,
        decision TEXT NOT NULL,
        reason TEXT,
        latency_us INTEGER NOT NULL
    );
    CREATE INDEX activity_ts ON activity(ts);
    CREATE INDEX activity_session ON activity(session_id);
    CREATE TABLE flows (
        id INTEGER PRIMARY KEY,
        activity_id INTEGER NOT NULL REFERENCES activity(id) ON DELETE CASCADE,
        session_id TEXT NOT NULL,
        ts INTEGER NOT NULL,
        source_id INTEGER,
        kind TEXT NOT NULL,
        data TEXT NOT NULL,
        provenance TEXT NOT NULL,
        sink_tool TEXT NOT NULL,
        sink_field TEXT NOT NULL,
        encoding TEXT NOT NULL,
        destination TEXT NOT NULL,
        matched INTEGER NOT NULL,
        action TEXT NOT NULL
    );
    CREATE INDEX flows_session ON flows(session_id);
    "#,
    // v2: pending hook -> proxy correlations (hash of tool name and canonical arguments).
    r#"
    CREATE TABLE correlations (
        hash BLOB PRIMARY KEY,
        session_id TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
    );
    "#,
    // v3: how long each evaluation waited for the database lock.
    r#"
    ALTER TABLE activity ADD COLUMN lock_wait_us INTEGER NOT NULL DEFAULT 0;
    "#,
    // v4: the tools a proxy exposes and the real server behind each, so a hook that sees only
    // the proxy's name (`mcp__<proxy>__<server>__<tool>`) classifies the real tool.
    r#"
    CREATE TABLE proxy_tools (
        exposed TEXT PRIMARY KEY,
        server TEXT NOT NULL,
        tool TEXT NOT NULL,
        annotations TEXT,
        seen_at INTEGER NOT NULL
    );
    "#,
    // v5: approvals of false positives (by the data's hashed identity and the destination) and
    // the asks waiting for the user's answer.
    r#"
    ALTER TABLE flows ADD COLUMN data_ident INTEGER;
    CREATE TABLE approvals (
        id INTEGER PRIMARY KEY,
        created_at INTEGER NOT NULL,
        scope TEXT NOT NULL,
        session_id TEXT,
        project TEXT,
        kind TEXT NOT NULL,
        data_ident INTEGER NOT NULL,
        data TEXT NOT NULL,
        destination TEXT NOT NULL,
        reason TEXT,
        activity_id INTEGER,
        revoked_at INTEGER
    );
    CREATE INDEX approvals_ident ON approvals(data_ident);
    CREATE TABLE asked (
        session_id TEXT NOT NULL,
        call_hash BLOB NOT NULL,
        activity_id INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, call_hash)
    );
    "#,
    // v6: the issuer a secret's own configuration file names (space-separated hosts).
    r#"
    ALTER TABLE secrets ADD COLUMN issuers TEXT NOT NULL DEFAULT '';
    "#,
    // v7: the sealed tail of short pieces sent to each destination (see flow::pieces).
    r#"
    CREATE TABLE egress_tails (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        destination TEXT NOT NULL,
        tail BLOB NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, destination)
    );
    "#,
    // v8: what each session's content filter file holds (see store::filter): the file vouches
    // only for exactly these counts.
    r#"
    CREATE TABLE content_filters (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        sources INTEGER NOT NULL,
        hashes INTEGER NOT NULL
    );
    INSERT INTO content_filters(session_id, sources, hashes)
        SELECT DISTINCT session_id, -1, -1 FROM fingerprints WHERE origin = 'private';
    "#,
];

pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;
