-- stemtrace catalog, migration 0002: the separators that produced stems.
-- Stems are arrays of kind 'stem' (and their spectrograms 'stem_logfiltspec') whose `producer`
-- is a separators.id and whose `name` is the stem name; several separators' stems coexist.

CREATE TABLE separators (
    id               TEXT PRIMARY KEY,          -- name@version#first 12 hex digits of the parameters hash
    name             TEXT NOT NULL,             -- bandsplit | command | import | ...
    version          TEXT NOT NULL,
    parameters       TEXT NOT NULL,             -- canonical JSON
    parameters_hash  TEXT NOT NULL,             -- XXH3-128 of parameters
    created_at       TEXT NOT NULL
);

CREATE INDEX arrays_producer ON arrays(producer, kind);
