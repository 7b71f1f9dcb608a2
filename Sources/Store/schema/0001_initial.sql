-- stemtrace catalog, migration 0001: tracks, sources, tags, excerpts, arrays, runs.
-- Applied once by the migrator (Store/CatalogMigrations.swift); never edit after release,
-- add a new numbered file instead. Layout documented in docs/FORMAT.md.

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    command       TEXT NOT NULL,                 -- e.g. 'ingest'
    parameters    TEXT NOT NULL,                 -- JSON of the options that shaped the run
    config_hash   TEXT,                          -- hash of the processing configuration
    started_at    TEXT NOT NULL,                 -- ISO 8601 UTC
    finished_at   TEXT,
    status        TEXT NOT NULL,                 -- running | completed | completed_with_failures | interrupted | failed
    processed     INTEGER NOT NULL DEFAULT 0,    -- files examined
    succeeded     INTEGER NOT NULL DEFAULT 0,    -- new tracks stored
    duplicates    INTEGER NOT NULL DEFAULT 0,    -- files whose audio was already in the store
    skipped       INTEGER NOT NULL DEFAULT 0,    -- files already ingested from the same path
    failed        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE run_failures (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id   INTEGER NOT NULL REFERENCES runs(id),
    path     TEXT NOT NULL,
    reason   TEXT NOT NULL
);
CREATE INDEX run_failures_run ON run_failures(run_id);

-- A track is its decoded audio: id = XXH3-128 of the decoded float32 samples, channel count and rate.
CREATE TABLE tracks (
    id             TEXT PRIMARY KEY,
    source_path    TEXT NOT NULL,                -- first path it was ingested from
    format         TEXT NOT NULL,                -- libsndfile major format
    duration_s     REAL NOT NULL,
    sample_rate    INTEGER NOT NULL,             -- original sample rate
    channels       INTEGER NOT NULL,             -- original channel count
    frames         INTEGER NOT NULL,             -- original frames per channel
    partition_key  INTEGER NOT NULL,             -- stable 63-bit hash used by --partition k/N
    run_id         INTEGER REFERENCES runs(id),
    created_at     TEXT NOT NULL
);

-- Every path a track was found at (duplicates add rows here, never new tracks).
CREATE TABLE track_sources (
    path        TEXT PRIMARY KEY,
    track_id    TEXT NOT NULL REFERENCES tracks(id),
    file_size   INTEGER NOT NULL,
    mtime       REAL NOT NULL,
    run_id      INTEGER REFERENCES runs(id)
);
CREATE INDEX track_sources_track ON track_sources(track_id);

-- Free-form metadata (file tags, CSV columns) and genre tags.
CREATE TABLE track_metadata (
    track_id  TEXT NOT NULL REFERENCES tracks(id),
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    source    TEXT NOT NULL,                     -- 'file' | 'csv'
    PRIMARY KEY (track_id, key, source)
);

CREATE TABLE tags (
    track_id  TEXT NOT NULL REFERENCES tracks(id),
    tag       TEXT NOT NULL,                     -- lower-cased genre or label
    source    TEXT NOT NULL,                     -- 'file' | 'csv' | a tagger model id
    score     REAL,                              -- tagger probability; NULL for given tags
    PRIMARY KEY (track_id, tag, source)
);
CREATE INDEX tags_tag ON tags(tag);

-- The analysis excerpt of a track under one front-end configuration.
CREATE TABLE excerpts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    track_id       TEXT NOT NULL REFERENCES tracks(id),
    config_hash    TEXT NOT NULL,
    policy         TEXT NOT NULL,                -- start | middle | offset=SECONDS
    sample_rate    INTEGER NOT NULL,             -- analysis rate (22050)
    start_sample   INTEGER NOT NULL,             -- in the resampled track
    sample_count   INTEGER NOT NULL,
    looped         INTEGER NOT NULL,             -- 1 when shorter than the excerpt: the model input loops it
    frame_count    INTEGER NOT NULL,             -- spectrogram frames T before the model-input crop/loop
    UNIQUE (track_id, config_hash)
);

-- Every stored array: where its record is and what produced it.
-- kind: 'mix' (excerpt waveform), 'logfiltspec' (bands x frames); later 'stem', 'stem_logfiltspec', ...
-- name: '' or a stem name; producer: '' or the separator/model id that made it.
CREATE TABLE arrays (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    track_id     TEXT NOT NULL REFERENCES tracks(id),
    excerpt_id   INTEGER REFERENCES excerpts(id),
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    producer     TEXT NOT NULL DEFAULT '',
    config_hash  TEXT NOT NULL,
    shard        INTEGER NOT NULL,
    offset       INTEGER NOT NULL,               -- first byte of the record in the shard
    length       INTEGER NOT NULL,               -- record bytes, header included
    codec        TEXT NOT NULL,                  -- 'lz4-frame' | 'none'
    filter       TEXT NOT NULL,                  -- 'shuffle' | 'none'
    dtype        TEXT NOT NULL,                  -- safetensors dtype name: F32, F64, I64, ...
    shape        TEXT NOT NULL,                  -- JSON array of dimensions
    raw_length   INTEGER NOT NULL,               -- uncompressed bytes
    checksum     TEXT NOT NULL,                  -- XXH64 of the payload, 16 hex digits
    run_id       INTEGER REFERENCES runs(id),
    created_at   TEXT NOT NULL,
    UNIQUE (track_id, excerpt_id, kind, name, producer, config_hash)
);
CREATE INDEX arrays_kind ON arrays(kind);
CREATE INDEX arrays_shard ON arrays(shard, offset);

CREATE TABLE store_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

