"""Map-style datasets over a store's spectrograms and stems, for `torch.utils.data.DataLoader`.

torch itself is optional: the datasets follow the map-style protocol (`__len__`,
`__getitem__` returning numpy arrays), which a DataLoader accepts and turns into tensors, and
they need no torch to be built or indexed. Each dataset keeps the store path and the list of
array ids (fixed when it is built, from one catalog snapshot); every process — a DataLoader
worker included — opens its own read-only connection on first access.
"""

import math

import numpy as np

from .records import StoreError
from .store import Store


class _ArrayDataset:
    """Items: (array, target vector) for the arrays of `kind` whose track has every target."""

    def __init__(self, store, kind, target, source, producer=None, name=None, model=None, dtype=np.float32):
        self.path = store.path if isinstance(store, Store) else str(store)
        self.targets = [target] if isinstance(target, str) else list(target)
        if not self.targets:
            raise StoreError("give at least one target (a label or prediction name)")
        if source not in ("labels", "predictions"):
            raise StoreError(f"targets come from 'labels' or 'predictions', not {source!r}")
        self.kind, self.source, self.dtype = kind, source, dtype
        store = Store(self.path)
        with store.snapshot():
            rows = store.array_rows(kind=kind, producer=producer, name=name)
            values = self._target_values(store, model)
        self.ids, self.tracks, self.excerpts, items = [], [], [], []
        for row in rows:
            key = row["excerpt_id"] if source == "predictions" else row["track_id"]
            vector = [values.get((key, t)) for t in self.targets]
            if any(v is None for v in vector):
                continue
            self.ids.append(row["id"])
            self.tracks.append(row["track_id"])
            self.excerpts.append(row["excerpt_id"])
            items.append(vector)
        self._y = np.asarray(items, dtype=dtype).reshape(len(items), len(self.targets))
        self._store = None

    def _target_values(self, store, model):
        marks = ",".join("?" * len(self.targets))
        if self.source == "labels":
            # A track labelled by several files gets the mean, as `stemtrace train` uses it.
            rows = store.query(f"SELECT track_id AS k, name, AVG(value) AS v FROM labels WHERE name IN ({marks}) "
                               "GROUP BY track_id, name", self.targets)
        else:
            models = {r[0] for r in store.query(f"SELECT DISTINCT model_id FROM predictions WHERE name IN ({marks})",
                                                 self.targets)}
            chosen = [m for m in models if model is None or m.startswith(model)]
            if len(chosen) != 1:
                raise StoreError(f"{len(chosen)} models have predictions of {self.targets}"
                                 + (f": {', '.join(sorted(chosen))}; give model=" if chosen else ""))
            rows = store.query(f"SELECT excerpt_id AS k, name, value AS v FROM predictions "
                               f"WHERE model_id = ? AND name IN ({marks})", [chosen[0]] + self.targets)
        values = {}
        for r in rows:
            v = float(r["v"])
            if not math.isfinite(v):
                raise StoreError(f"{self.source} value {r['name']} of {r['k']} is not finite")
            values[(r["k"], r["name"])] = v
        return values

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if not -len(self.ids) <= index < len(self.ids):
            raise IndexError(f"index {index} out of range for {len(self.ids)} items")
        if self._store is None:
            self._store = Store(self.path)          # per process: a forked worker opens its own
        x = self._store.array(self.ids[index])
        return np.asarray(x, dtype=self.dtype), self._y[index]

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_store"] = None                     # connections do not cross processes
        return state


class SpectrogramDataset(_ArrayDataset):
    """The excerpts' log-filtered spectrograms (float32 [149, T]) with label or prediction targets.

    `target`: one name or a list (e.g. "valence" or ["arousal", "valence"]); `source`: "labels"
    (per track) or "predictions" (per excerpt, of `model`, an id prefix). Excerpts without every
    target are left out. Items are (spectrogram, float32 [targets])."""

    def __init__(self, store, target, source="labels", model=None):
        super().__init__(store, "logfiltspec", target, source, model=model)


class StemsDataset(_ArrayDataset):
    """One separator's stems (float32 [samples] waveforms at 22 050 Hz), as `SpectrogramDataset`;
    `producer` is the separator id (or a prefix), `stem` a stem name or None for all."""

    def __init__(self, store, target, producer, stem=None, source="labels", model=None):
        super().__init__(store, "stem", target, source, producer=producer, name=stem, model=model)
