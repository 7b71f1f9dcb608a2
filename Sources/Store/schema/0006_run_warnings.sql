-- stemtrace catalog, migration 0006: warnings, beside run_failures.
-- A warning records an input that was accepted despite an irregularity (an Ogg file whose
-- header estimates a few frames more than it decodes, say): the item was stored, and the
-- warning says what was noticed and what was kept.

CREATE TABLE run_warnings (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id   INTEGER NOT NULL REFERENCES runs(id),
    path     TEXT NOT NULL,                     -- source path (docs/FORMAT.md, "Source paths")
    message  TEXT NOT NULL
);
CREATE INDEX run_warnings_run ON run_warnings(run_id);
