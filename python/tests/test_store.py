"""The Python reader against a store the Swift binary wrote in the same run (tools/test_python).

Environment: STEMTRACE_TEST_STORE (the store), STEMTRACE_TEST_ARRAYS (`stemtrace arrays export`
of every kind), STEMTRACE_TEST_EXPORT (`stemtrace export`), STEMTRACE_BIN (the binary),
STEMTRACE_TEST_LATER (a folder of audio files for the concurrent-ingest test).
"""

import json
import math
import multiprocessing
import os
import pickle
import shutil
import sqlite3
import struct
import subprocess

import numpy as np
import pandas as pd
import pytest

import stemtrace

STORE = os.environ.get("STEMTRACE_TEST_STORE")
pytestmark = pytest.mark.skipif(not STORE, reason="run through tools/test_python (needs a store)")

SAFETENSORS_DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "I16": "<i2", "U8": "u1"}


def read_safetensors(path):
    """(metadata, {name: numpy array}) of a safetensors file, read here independently."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data)
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = data[8 + n + begin:8 + n + end]
        tensors[name] = np.frombuffer(raw, SAFETENSORS_DTYPES[info["dtype"]]).reshape(info["shape"])
    return meta, tensors


@pytest.fixture(scope="module")
def store():
    return stemtrace.Store(STORE)


def copy_store(tmp_path):
    dest = tmp_path / "store"
    shutil.copytree(STORE, dest, ignore=shutil.ignore_patterns("writer.lock"))
    return dest


# --- arrays

def test_every_exported_array_is_bit_identical(store):
    folder = os.environ["STEMTRACE_TEST_ARRAYS"]
    files = sorted(f for f in os.listdir(folder) if f.endswith(".safetensors"))
    kinds = set()
    assert files, "arrays export wrote nothing"
    for name in files:
        meta, tensors = read_safetensors(os.path.join(folder, name))
        (kind, expected), = tensors.items()
        got = store.array(int(meta["array_id"]))
        assert got.dtype == expected.dtype and got.shape == expected.shape, name
        assert got.tobytes() == expected.tobytes(), name
        kinds.add(kind)
    assert {"mix", "logfiltspec", "stem", "lime_predictions"} <= kinds
    # Every stored array of those kinds was exported, none left out.
    assert len(files) == sum(len(store.array_rows(kind=k)) for k in kinds)


def test_array_filters_and_prefixes(store):
    rows = store.array_rows(kind="logfiltspec")
    assert len(rows) == 3
    track = rows[0]["track_id"]
    spec = store.array(kind="logfiltspec", track=track[:8])
    assert spec.dtype == np.float32 and spec.shape[0] == 149
    assert np.array_equal(spec, store.arrays(kind="logfiltspec", track=track)[0])
    stems = store.arrays(kind="stem", track=track)
    mix = store.array(kind="mix", track=track)
    assert len(stems) == 4 and all(s.shape == mix.shape for s in stems)
    with pytest.raises(stemtrace.StoreError, match="3 arrays match"):
        store.array(kind="logfiltspec")
    with pytest.raises(stemtrace.StoreError, match="no array with id"):
        store.array(10 ** 9)


# --- DataFrames against the CLI's JSON

def export_frame(name):
    with open(os.path.join(os.environ["STEMTRACE_TEST_EXPORT"], f"{name}.json"), encoding="utf-8") as f:
        doc = json.load(f)
    return doc["columns"], [[row.get(c) for c in doc["columns"]] for row in doc["rows"]]


def same(a, b):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, float) or isinstance(b, float):
        return b is not None and float(a) == float(b)
    return a == b


@pytest.mark.parametrize("name", ["tracks", "tags", "labels", "predictions", "effects", "explanations",
                                  "explanation_weights"])
def test_dataframes_equal_the_export(store, name):
    columns, rows = export_frame(name)
    frame = store.tracks() if name == "tracks" else store.table(name)
    assert list(frame.columns) == columns
    assert len(frame) == len(rows) and len(rows) > 0, name
    for i, (got, want) in enumerate(zip(frame.itertuples(index=False), rows)):
        for column, a, b in zip(columns, got, want):
            a = a.item() if isinstance(a, np.generic) else a
            assert same(a, b), f"{name} row {i} column {column}: {a!r} != {b!r}"


def test_named_readers_and_genres(store):
    assert store.schema_version == stemtrace.SCHEMA_VERSION
    genres = {os.path.basename(r.path): r.genres for r in store.tracks().itertuples()}
    assert genres == {"r01_wesnoth_battle-epic.ogg": "orchestral", "r05_lincity_city_blues.ogg": "blues",
                      "r08_hedgewars_rock.ogg": "rock"}, "the example metadata's genre column"
    assert len(store.predictions()) == 3 * 9
    assert set(store.effects()["output"]) == {"arousal", "valence"}
    assert set(store.weights()["source"]) == {"vocals", "drums", "bass", "other"}
    assert {"genre", "licence"} <= set(store.metadata()["key"])
    assert list(store.runs()["command"])[:1] == ["ingest"]


# --- corruption

def corrupt(path, offset, xor=0xFF):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ xor]))


@pytest.mark.parametrize("where,reason", [
    ("payload", "payload checksum mismatch"),
    ("header", "header checksum mismatch"),
    ("magic", "bad magic"),
])
def test_corruption_is_named(tmp_path, where, reason):
    dest = copy_store(tmp_path)
    copy = stemtrace.Store(dest)
    row = copy.array_rows(kind="logfiltspec")[0]
    shard = os.path.join(dest, "shards", f"{row['shard']:06d}.shard")
    offset = {"payload": row["offset"] + row["length"] - 20, "header": row["offset"] + 16,
              "magic": row["offset"]}[where]
    corrupt(shard, offset)
    with pytest.raises(stemtrace.RecordError) as e:
        copy.array(row["id"])
    assert reason in str(e.value)
    assert f"array {row['id']} (logfiltspec of track {row['track_id'][:12]}" in str(e.value)
    # The other records still read.
    assert len(copy.arrays(kind="mix")) == 3


def test_a_truncated_shard_and_a_row_that_disagrees_are_named(tmp_path):
    dest = copy_store(tmp_path)
    copy = stemtrace.Store(dest)
    rows = copy.array_rows()
    last = max(rows, key=lambda r: (r["shard"], r["offset"]))
    shard = os.path.join(dest, "shards", f"{last['shard']:06d}.shard")
    with open(shard, "r+b") as f:
        f.truncate(last["offset"] + last["length"] - 1)
    with pytest.raises(stemtrace.RecordError, match="shard ends before the record"):
        copy.array(last["id"])
    first = rows[0]
    db = sqlite3.connect(os.path.join(dest, "catalog.sqlite"))
    db.execute("UPDATE arrays SET shape = '[1]' WHERE id = ?", (first["id"],))
    db.commit()
    db.close()
    with pytest.raises(stemtrace.RecordError, match="differs from the catalog"):
        copy.array(first["id"])


def test_newer_schema_and_non_stores_are_refused(tmp_path):
    dest = copy_store(tmp_path)
    db = sqlite3.connect(os.path.join(dest, "catalog.sqlite"))
    db.execute(f"PRAGMA user_version = {stemtrace.SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(stemtrace.StoreError, match="newer than this reader"):
        stemtrace.Store(dest)
    with pytest.raises(stemtrace.StoreError, match="not a stemtrace store"):
        stemtrace.Store(tmp_path / "nothing")


# --- a concurrent writer

def test_a_reader_is_undisturbed_by_a_concurrent_ingest(tmp_path):
    dest = copy_store(tmp_path)
    reader = stemtrace.Store(dest)
    before = len(reader.array_rows())
    ingest = subprocess.Popen(
        [os.environ["STEMTRACE_BIN"], "ingest", os.environ["STEMTRACE_TEST_LATER"], "--store", str(dest),
         "--separator", "builtin", "--progress", "none"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    reads, counts = 0, set()
    while ingest.poll() is None or reads == 0:
        with reader.snapshot():
            rows = reader.array_rows()
            for row in rows:
                stemtrace.decode(reader.path, row)       # every committed row's record is complete
            counts.add(len(rows))
            assert len(rows) == len(reader.array_rows()), "a snapshot does not move"
        reads += 1
    _, err = ingest.communicate()
    assert ingest.returncode == 0, err.decode(errors="replace")
    assert reads >= 2, "the reader read while the ingest ran"
    after = len(reader.array_rows())
    assert after > before and min(counts) >= before
    assert all(isinstance(a, np.ndarray) for a in reader.arrays(kind="mix"))
    assert len(reader.array_rows(kind="mix")) == 5


# --- datasets

def test_spectrogram_dataset_follows_the_map_style_protocol(store):
    ds = stemtrace.torch.SpectrogramDataset(store, target=["arousal", "valence"])
    assert len(ds) == 3
    labels = store.labels().set_index(["track_id", "name"])["value"]
    for i in range(len(ds)):
        x, y = ds[i]
        assert x.dtype == np.float32 and x.shape[0] == 149
        assert y.tolist() == [np.float32(labels[(ds.tracks[i], "arousal")]),
                              np.float32(labels[(ds.tracks[i], "valence")])]
        assert np.array_equal(x, store.array(ds.ids[i]))
    with pytest.raises(IndexError):
        ds[3]
    predicted = stemtrace.torch.SpectrogramDataset(store, target="rhythm_complexity", source="predictions")
    assert len(predicted) == 3 and predicted[0][1].shape == (1,)
    stems = stemtrace.torch.StemsDataset(store, target="valence", producer="bandsplit", stem="drums")
    assert len(stems) == 3 and stems[0][0].ndim == 1


def _item(args):
    ds, i = args
    x, y = ds[i]
    return x.tobytes(), y.tobytes()


def test_datasets_work_in_several_worker_processes(store):
    ds = stemtrace.torch.SpectrogramDataset(store.path, target="valence")
    ds[0]                                             # opens a connection in this process first
    clone = pickle.loads(pickle.dumps(ds))
    assert clone._store is None and len(clone) == len(ds)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        got = pool.map(_item, [(ds, i) for i in range(len(ds))])
    assert got == [(ds[i][0].tobytes(), ds[i][1].tobytes()) for i in range(len(ds))]


def test_a_real_dataloader_where_torch_is_installed(store):
    torch = pytest.importorskip("torch")
    ds = stemtrace.torch.SpectrogramDataset(store.path, target=["arousal", "valence"])
    loader = torch.utils.data.DataLoader(ds, batch_size=1, num_workers=2)
    batches = list(loader)
    assert len(batches) == 3 and tuple(batches[0][1].shape) == (1, 2)


def test_runs_carry_the_provenance_export_writes(store):
    with open(os.path.join(os.environ["STEMTRACE_TEST_EXPORT"], "PROVENANCE.json"), encoding="utf-8") as f:
        exported = {r["id"]: r for r in json.load(f)["runs"]}
    runs = store.runs()
    assert list(runs["id"]) == sorted(exported)
    for row in runs.itertuples(index=False):
        p = exported[row.id]["provenance"]
        assert (row.stemtrace_version, row.git_commit, row.host, row.cpu, row.threads) == (
            p["version"], p["commit"], p["host"], p["cpu"], p["threads"])
        assert json.loads(row.libraries) == p["libraries"] and json.loads(row.command_line) == p["commandLine"]
        assert {"libsndfile", "libsoxr", "fftw", "openblas", "onednn", "lz4", "sqlite"} <= set(p["libraries"])
