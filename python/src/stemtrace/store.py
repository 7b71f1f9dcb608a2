"""`Store`: a read-only view of a stemtrace store (docs/FORMAT.md).

The catalog is opened read-only through SQLite (`mode=ro`); the writer's WAL makes every
statement see one committed state, and `snapshot()` holds a read transaction across several
calls, so an array is never read whose row is not committed (records are appended to the
shards and fsynced before their rows commit). Each process opens its own connection: a store
object that crosses a `fork` (DataLoader workers) reconnects on first use there.
"""

import contextlib
import os
import sqlite3
import threading

from .records import StoreError, decode

SCHEMA_VERSION = 7          # the newest catalog this reader knows (PRAGMA user_version)
OTHER = "other"
# The genre tags among musicnn's 50 MSD tags (stemtrace's GenreRules.msdGenreTags).
MSD_GENRE_TAGS = (
    "rock", "pop", "alternative", "indie", "electronic", "dance", "alternative rock", "jazz", "metal", "chillout",
    "classic rock", "soul", "indie rock", "electronica", "folk", "punk", "blues", "hard rock", "ambient", "experimental",
    "hip-hop", "country", "funk", "electro", "heavy metal", "progressive rock", "rnb", "indie pop", "house",
)

# The per-track tables, with the SQL `stemtrace export` runs for them (Sources/Analysis/StoreExport.swift):
# the same columns in the same order, so a DataFrame equals the export's JSON table.
TABLES = {
    "tags": "SELECT track_id, tag, source, score FROM tags ORDER BY track_id, source, score DESC",
    "labels": "SELECT track_id, name, value, raw_value, scale_min, scale_max, source FROM labels "
              "ORDER BY track_id, name",
    "predictions": "SELECT track_id, excerpt_id, model_id, kind, name, value FROM predictions "
                   "ORDER BY track_id, model_id, kind, name",
    "effects": "SELECT track_id, excerpt_id, model_id, output, concept, concept_value, weight, effect, "
               "relative_effect FROM effects ORDER BY track_id, model_id, output, concept",
    "explanations": """
        SELECT e.track_id, e.excerpt_id, e.config_id, c.model_id, c.separator_id, c.composition, e.target,
        e.target_kind, e.prediction, e.intercept, e.fidelity, e.complexity, e.local_prediction,
        w.name AS top_source, e.component_count AS components, e.mask_count AS masks
        FROM explanations e JOIN explanation_configs c ON c.id = e.config_id
        LEFT JOIN explanation_weights w ON w.explanation_id = e.id AND w.component = e.top_component
        ORDER BY e.track_id, e.config_id, e.target""",
    "explanation_weights": """
        SELECT e.track_id, e.config_id, e.target, w.component, w.name, w.source, w.segment, w.weight, w.rank
        FROM explanations e JOIN explanation_weights w ON w.explanation_id = e.id
        ORDER BY e.track_id, e.config_id, e.target, w.rank""",
    "metadata": "SELECT track_id, key, value, source FROM track_metadata ORDER BY track_id, key, source",
    "excerpts": "SELECT id AS excerpt_id, track_id, config_hash, policy, sample_rate, start_sample, sample_count, "
                "looped, frame_count FROM excerpts ORDER BY track_id, id",
    "runs": "SELECT * FROM runs ORDER BY id",
}


def _pandas():
    try:
        import pandas
    except ImportError:
        raise StoreError("the DataFrame readers need pandas: pip install 'stemtrace[pandas]'") from None
    return pandas


class Store:
    """A stemtrace store, read-only. `path` is the store directory (holding catalog.sqlite)."""

    def __init__(self, path):
        self.path = os.path.abspath(os.fspath(path))
        catalog = os.path.join(self.path, "catalog.sqlite")
        if not os.path.isfile(catalog):
            raise StoreError(f"{self.path} is not a stemtrace store (no catalog.sqlite)")
        self._catalog = catalog
        self._local = threading.local()
        version = self._connection().execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: catalog schema {version} is newer than this reader ({SCHEMA_VERSION}); "
                             "upgrade the stemtrace package")
        self.schema_version = version

    # --- connection: one per process and thread, opened read-only
    def _connection(self):
        pid = os.getpid()
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != pid:
            uri = "file:" + self._catalog.replace("?", "%3f").replace("#", "%23") + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA query_only = 1")
            self._local.conn, self._local.pid, self._local.depth = conn, pid, 0
        return conn

    def close(self):
        """Closes this thread's connection (reopened on the next call)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextlib.contextmanager
    def snapshot(self):
        """One committed state for every read inside the block (a read transaction)."""
        conn = self._connection()
        outer = self._local.depth == 0
        if outer:
            conn.execute("BEGIN")
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # takes the WAL read mark now
        self._local.depth += 1
        try:
            yield self
        finally:
            self._local.depth -= 1
            if outer:
                conn.execute("COMMIT")

    def query(self, sql, params=()):
        """Rows of any read-only SQL on the catalog (its views included), as sqlite3.Row objects."""
        return self._connection().execute(sql, params).fetchall()

    # --- DataFrames
    def table(self, name):
        """One of the export's per-track tables as a pandas DataFrame (`TABLES`' names)."""
        if name not in TABLES:
            raise StoreError(f"unknown table {name!r}; known: {', '.join(sorted(TABLES))}")
        pandas = _pandas()
        cursor = self._connection().execute(TABLES[name])
        columns = [d[0] for d in cursor.description]
        return pandas.DataFrame.from_records(cursor.fetchall(), columns=columns)

    def tracks(self):
        """Every track with its genres (the CLI's `auto` genre source), as `stemtrace export` lists them."""
        pandas = _pandas()
        with self.snapshot():
            rows = self.query("SELECT id, source_path, duration_s, sample_rate, channels FROM tracks "
                              "ORDER BY source_path")
            genres = self.genres()
        return pandas.DataFrame.from_records(
            [(r["id"], r["source_path"], r["duration_s"], r["sample_rate"], r["channels"],
              ";".join(genres.get(r["id"], [OTHER]))) for r in rows],
            columns=["track_id", "path", "duration_s", "sample_rate", "channels", "genres"])

    def genres(self):
        """track id -> sorted genres, by the CLI's `auto` rule: csv tags, else file tags, else the
        musicnn tagger's best MSD genre tag with score ≥ 0.1; `other` when none."""
        tags = self.query("SELECT track_id, tag, source, score FROM tags")
        sources = {t["source"] for t in tags}
        found = {}
        if "csv" in sources or "file" in sources:
            wanted = "csv" if "csv" in sources else "file"
            for t in tags:
                if t["source"] == wanted:
                    found.setdefault(t["track_id"], set()).add(t["tag"])
        else:
            producers = {s for s in sources if s.startswith("musicnn:")}
            if len(producers) > 1:
                raise StoreError(f"several musicnn taggers: {', '.join(sorted(producers))}")
            best = {}
            for t in tags:
                if t["source"].startswith("musicnn:") and t["tag"].lower() in MSD_GENRE_TAGS:
                    score = t["score"] or 0.0
                    if score >= 0.1 and score > best.get(t["track_id"], ("", -1.0))[1]:
                        best[t["track_id"]] = (t["tag"].lower(), score)
            found = {track: {tag} for track, (tag, _) in best.items()}
        ids = [r[0] for r in self.query("SELECT id FROM tracks")]
        return {t: sorted(found.get(t, ())) or [OTHER] for t in ids}

    def tags(self):
        return self.table("tags")

    def labels(self):
        return self.table("labels")

    def metadata(self):
        return self.table("metadata")

    def excerpts(self):
        return self.table("excerpts")

    def predictions(self):
        return self.table("predictions")

    def effects(self):
        return self.table("effects")

    def explanations(self):
        return self.table("explanations")

    def weights(self):
        """Every component weight of every explanation (the export's `explanation_weights`)."""
        return self.table("explanation_weights")

    def runs(self):
        return self.table("runs")

    # --- arrays
    def array_rows(self, kind=None, track=None, producer=None, name=None):
        """The `arrays` rows that match (track and producer as id prefixes), in id order."""
        where, params = [], []
        for column, value, prefix in (("kind", kind, False), ("track_id", track, True),
                                      ("producer", producer, True), ("name", name, False)):
            if value is not None:
                if prefix:
                    where.append(f"substr({column}, 1, ?) = ?")
                    params += [len(value), value]
                else:
                    where.append(f"{column} = ?")
                    params.append(value)
        sql = "SELECT * FROM arrays" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        return self.query(sql, params)

    def array(self, id=None, **filters):
        """One array: by its `arrays.id`, or the only one matching kind/track/producer/name."""
        if id is not None:
            rows = self.query("SELECT * FROM arrays WHERE id = ?", (int(id),))
            if not rows:
                raise StoreError(f"no array with id {id}")
        else:
            rows = self.array_rows(**filters)
            if len(rows) != 1:
                raise StoreError(f"{len(rows)} arrays match {filters}; give an id or narrow the filters")
        return decode(self.path, rows[0])

    def arrays(self, kind=None, track=None, producer=None, name=None):
        """Every matching array, decoded and checked, in id order (a list of numpy arrays)."""
        with self.snapshot():
            return [decode(self.path, row) for row in self.array_rows(kind, track, producer, name)]
