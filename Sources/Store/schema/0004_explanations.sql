-- stemtrace catalog, migration 0004: audioLIME explanations.

-- One explanation setting: which model, which stems, how perturbations were composed. Its id is
-- the XXH3-128 of the canonical JSON in `config`, so another setting adds rows beside it.
CREATE TABLE explanation_configs (
    id               TEXT PRIMARY KEY,
    model_id         TEXT NOT NULL,            -- models.id, or cmd:<hash of the command template>
    separator_id     TEXT NOT NULL,            -- producer of the stems used as sources
    composition      TEXT NOT NULL,            -- normalized | paper | raw
    segments         INTEGER NOT NULL,         -- temporal segments per stem (1 = none)
    sampling         TEXT NOT NULL,            -- exhaustive | sampled
    samples          INTEGER NOT NULL,         -- masks drawn when sampled
    seed             INTEGER NOT NULL,
    config           TEXT NOT NULL,            -- canonical JSON of every setting
    created_at       TEXT NOT NULL
);

-- One explained target (a mid-level concept or an emotion output) of one excerpt.
CREATE TABLE explanations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    config_id        TEXT NOT NULL REFERENCES explanation_configs(id),
    excerpt_id       INTEGER NOT NULL REFERENCES excerpts(id),
    track_id         TEXT NOT NULL REFERENCES tracks(id),
    target           TEXT NOT NULL,            -- e.g. rhythm_stability, valence
    target_kind      TEXT NOT NULL,            -- concept | output
    prediction       REAL NOT NULL,            -- the model's value with every component kept
    intercept        REAL NOT NULL,
    fidelity         REAL NOT NULL,            -- weighted R² of the local linear model (score)
    complexity       REAL,                     -- entropy of |w| / Σ|w|; NULL when every weight is 0
    local_prediction REAL NOT NULL,            -- the linear model at the all-ones mask
    top_component    INTEGER,                  -- largest positive weight; NULL when none is positive
    component_count  INTEGER NOT NULL,
    mask_count       INTEGER NOT NULL,
    predictions_array INTEGER REFERENCES arrays(id), -- the masks and every mask's predictions
    run_id           INTEGER REFERENCES runs(id),
    created_at       TEXT NOT NULL,
    UNIQUE (config_id, excerpt_id, target)
);
CREATE INDEX explanations_track ON explanations(track_id);
CREATE INDEX explanations_target ON explanations(config_id, target);

-- The weight of each component in one explanation, with its position in audioLIME's
-- `local_exp` order (signed weight, descending).
CREATE TABLE explanation_weights (
    explanation_id   INTEGER NOT NULL REFERENCES explanations(id),
    component        INTEGER NOT NULL,
    name             TEXT NOT NULL,            -- e.g. drums, or drums2 with temporal segments
    source           TEXT NOT NULL,            -- the stem, without the segment number
    segment          INTEGER NOT NULL,
    weight           REAL NOT NULL,
    rank             INTEGER NOT NULL,
    PRIMARY KEY (explanation_id, component)
);

-- The random-attribution complexity baseline per component count (mean and std of the entropy
-- of normalised U[0,1] weight vectors).
CREATE TABLE complexity_baselines (
    component_count  INTEGER PRIMARY KEY,
    draws            INTEGER NOT NULL,
    seed             INTEGER NOT NULL,
    mean             REAL NOT NULL,
    std              REAL NOT NULL
);

-- The paper's two-level chain (Chowdhury et al. 2021): for each emotion output of an explained
-- excerpt, the mid-level concept with the largest |effect| (concept value × linear weight, at the
-- all-ones mask, which is the explained input). Its sources are that concept's explanation weights.
CREATE TABLE explanation_chains (
    config_id        TEXT NOT NULL REFERENCES explanation_configs(id),
    excerpt_id       INTEGER NOT NULL REFERENCES excerpts(id),
    track_id         TEXT NOT NULL REFERENCES tracks(id),
    output           TEXT NOT NULL,
    concept          TEXT NOT NULL,
    effect           REAL NOT NULL,
    relative_effect  REAL NOT NULL,
    PRIMARY KEY (config_id, excerpt_id, output)
);

-- Every explanation with its weights, by rank (1 = largest signed weight).
CREATE VIEW explanation_weights_ranked AS
SELECT e.config_id, e.track_id, e.excerpt_id, e.target, e.target_kind, e.fidelity, e.complexity,
       w.rank, w.component, w.name, w.source, w.segment, w.weight
FROM explanations e JOIN explanation_weights w ON w.explanation_id = e.id;

-- The two-level chain with the sources that explain the chosen concept (positive weights, by rank).
CREATE VIEW two_level_chains AS
SELECT c.config_id, c.track_id, c.excerpt_id, c.output, c.concept, c.effect, c.relative_effect,
       w.rank, w.name AS component, w.source, w.weight
FROM explanation_chains c
JOIN explanations e ON e.config_id = c.config_id AND e.excerpt_id = c.excerpt_id AND e.target = c.concept
JOIN explanation_weights w ON w.explanation_id = e.id AND w.weight > 0;
