#!/usr/bin/env python3
"""Prints (or compares) what a stemtrace store holds, keyed by content, ready for a byte-level diff.

usage: store_content.py STORE            print the content dump
       store_content.py STORE_A STORE_B  exit 1 (and show the first differences) when they differ

The dump leaves out what legitimately differs between stores with the same content: row ids,
run ids and timestamps, shard positions, and the runs themselves (a store that was killed and
resumed has more of them). Everything else is kept exactly: array checksums, dtype, shape and
raw length; every prediction, effect and explanation value as its full repr; weights; tags;
excerpts; tracks and their sources. Standard library only.
"""
import sqlite3
import sys

QUERIES = {
    "tracks": "SELECT id, format, duration_s, sample_rate, channels, frames, partition_key FROM tracks",
    "track_sources": "SELECT path, track_id, file_size, mtime FROM track_sources",
    "track_metadata": "SELECT track_id, key, value, source FROM track_metadata",
    "tags": "SELECT track_id, tag, source, score FROM tags",
    "excerpts": "SELECT track_id, config_hash, policy, sample_rate, start_sample, sample_count, looped, frame_count"
    " FROM excerpts",
    "arrays": "SELECT a.track_id, e.config_hash, a.kind, a.name, a.producer, a.config_hash, a.codec, a.filter,"
    " a.dtype, a.shape, a.raw_length, a.checksum FROM arrays a LEFT JOIN excerpts e ON e.id = a.excerpt_id",
    "models": "SELECT id, kind, front_end, labels FROM models",
    "predictions": "SELECT p.track_id, e.config_hash, p.model_id, p.kind, p.name, p.value, p.input_start"
    " FROM predictions p JOIN excerpts e ON e.id = p.excerpt_id",
    "effects": "SELECT f.track_id, e.config_hash, f.model_id, f.output, f.concept, f.concept_value, f.weight,"
    " f.effect, f.relative_effect FROM effects f JOIN excerpts e ON e.id = f.excerpt_id",
    "explanations": "SELECT x.track_id, e.config_hash, x.config_id, x.target, x.target_kind, x.prediction,"
    " x.intercept, x.fidelity, x.complexity, x.local_prediction, x.top_component, x.component_count,"
    " x.mask_count, a.checksum FROM explanations x JOIN excerpts e ON e.id = x.excerpt_id"
    " LEFT JOIN arrays a ON a.id = x.predictions_array",
    "explanation_weights": "SELECT x.track_id, x.config_id, x.target, w.component, w.name, w.source, w.segment,"
    " w.weight, w.rank FROM explanation_weights w JOIN explanations x ON x.id = w.explanation_id",
    "explanation_chains": "SELECT track_id, config_id, output, concept, effect, relative_effect FROM explanation_chains",
}


def dump(path):
    db = sqlite3.connect(f"file:{path}/catalog.sqlite?mode=ro", uri=True)
    lines = []
    for table, query in QUERIES.items():
        try:
            rows = db.execute(query).fetchall()
        except sqlite3.OperationalError as error:  # a table this schema version does not have
            lines.append(f"{table}\tunavailable: {error}")
            continue
        lines.extend(f"{table}\t" + "\t".join(repr(v) for v in row) for row in sorted(rows, key=repr))
        lines.append(f"{table}\tcount {len(rows)}")
    return lines


def main(argv):
    if len(argv) == 2:
        print("\n".join(dump(argv[1])))
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    a, b = dump(argv[1]), dump(argv[2])
    if a == b:
        print(f"identical content: {len(a)} lines")
        return 0
    only_a = sorted(set(a) - set(b))
    only_b = sorted(set(b) - set(a))
    print(f"content differs: {len(only_a)} lines only in {argv[1]}, {len(only_b)} only in {argv[2]}")
    for line in only_a[:10]:
        print(f"  < {line}")
    for line in only_b[:10]:
        print(f"  > {line}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
