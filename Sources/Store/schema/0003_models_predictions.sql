-- stemtrace catalog, migration 0003: registered models, their predictions and the paper's effects.

-- A model is identified by the content hash of its weights file.
CREATE TABLE models (
    id           TEXT PRIMARY KEY,              -- XXH3-128 of the weights file bytes
    name         TEXT NOT NULL,                 -- file name it was registered from
    kind         TEXT NOT NULL,                 -- rfresnet | musicnn
    front_end    TEXT NOT NULL,                 -- the input the model expects, e.g. logfiltspec:149x1252
    labels       TEXT NOT NULL,                 -- JSON: {"concepts": [...], "outputs": [...]} or {"tags": [...]}
    metadata     TEXT NOT NULL,                 -- JSON of the weights file's own metadata
    created_at   TEXT NOT NULL
);

-- One value a model predicted for one excerpt: a mid-level concept or an emotion output.
CREATE TABLE predictions (
    excerpt_id   INTEGER NOT NULL REFERENCES excerpts(id),
    track_id     TEXT NOT NULL REFERENCES tracks(id),
    model_id     TEXT NOT NULL REFERENCES models(id),
    kind         TEXT NOT NULL,                 -- concept | output
    name         TEXT NOT NULL,                 -- e.g. rhythm_stability, arousal
    value        REAL NOT NULL,
    input_start  INTEGER NOT NULL,              -- first spectrogram frame of the model input (crop start)
    run_id       INTEGER REFERENCES runs(id),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (excerpt_id, model_id, kind, name)
);
CREATE INDEX predictions_model ON predictions(model_id, kind, name);

-- The paper's effects: concept value × the linear weight joining it to an output, and the
-- relative effect (effect / Σ|effects| of that output over the concepts).
CREATE TABLE effects (
    excerpt_id       INTEGER NOT NULL REFERENCES excerpts(id),
    track_id         TEXT NOT NULL REFERENCES tracks(id),
    model_id         TEXT NOT NULL REFERENCES models(id),
    output           TEXT NOT NULL,
    concept          TEXT NOT NULL,
    concept_value    REAL NOT NULL,
    weight           REAL NOT NULL,
    effect           REAL NOT NULL,
    relative_effect  REAL NOT NULL,
    run_id           INTEGER REFERENCES runs(id),
    PRIMARY KEY (excerpt_id, model_id, output, concept)
);
CREATE INDEX effects_model ON effects(model_id, output, concept);
