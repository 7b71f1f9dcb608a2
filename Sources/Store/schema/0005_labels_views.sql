-- stemtrace catalog, migration 0005: ground-truth labels and read-only views for analysis tools.

-- A ground-truth annotation of a track (an emotion or a mid-level feature), as imported and
-- rescaled linearly from the scale it uses to [-1, 1] (as the paper does).
CREATE TABLE labels (
    track_id     TEXT NOT NULL REFERENCES tracks(id),
    name         TEXT NOT NULL,              -- arousal, valence or a concept name (e.g. rhythm_stability)
    value        REAL NOT NULL,              -- on [-1, 1]
    raw_value    REAL NOT NULL,              -- as in the file
    scale_min    REAL NOT NULL,              -- the file's scale, mapped to -1 …
    scale_max    REAL NOT NULL,              -- … and +1
    source       TEXT NOT NULL,              -- the file it came from
    created_at   TEXT NOT NULL,
    PRIMARY KEY (track_id, name, source)
);
CREATE INDEX labels_name ON labels(name);

-- Each model prediction beside the track's label of the same name: error = prediction − label.
CREATE VIEW prediction_errors AS
SELECT p.model_id, p.track_id, p.excerpt_id, p.kind, p.name, p.value AS prediction, l.value AS label,
       p.value - l.value AS error, l.source AS label_source
FROM predictions p JOIN labels l ON l.track_id = p.track_id AND l.name = p.name;

-- Every effect beside every tag of its track (filter on tag source and tag for a genre).
CREATE VIEW effects_by_tag AS
SELECT e.model_id, e.track_id, e.output, e.concept, e.effect, e.relative_effect, t.tag, t.source AS tag_source,
       t.score AS tag_score
FROM effects e JOIN tags t ON t.track_id = e.track_id;

-- LIME weights summed per source (over temporal segments), with the explanation's quality.
CREATE VIEW explanation_sources AS
SELECT e.config_id, c.model_id, c.separator_id, e.track_id, e.excerpt_id, e.target, e.target_kind, e.fidelity,
       e.complexity, w.source, SUM(w.weight) AS weight
FROM explanations e JOIN explanation_configs c ON c.id = e.config_id
JOIN explanation_weights w ON w.explanation_id = e.id
GROUP BY e.id, w.source;
