"""Decoding one shard record, as docs/FORMAT.md ("Decode procedure") describes it.

Every check `stemtrace verify` makes on a record is made here: the header (magic, version,
codes, lengths, XXH32 header checksum, shape against raw length), the record against its
catalog row, the payload's XXH64, the LZ4 frame's content checksum and decoded length.
A failure raises `RecordError` naming the record and the reason; nothing is returned.
"""

import json
import os
import struct

import lz4.frame
import numpy as np
import xxhash

# dtype code -> (catalog name, numpy dtype, width in bytes)
DTYPES = {
    0: ("F32", "<f4", 4),
    1: ("F64", "<f8", 8),
    2: ("I64", "<i8", 8),
    3: ("I32", "<i4", 4),
    4: ("I16", "<i2", 2),
    5: ("U8", "u1", 1),
}
CODECS = {0: "none", 1: "lz4-frame"}
FILTERS = {0: "none", 1: "shuffle"}
HEADER_FIXED = 44          # bytes of the header without the shape
MAX_U64 = (1 << 64) - 1


class StoreError(Exception):
    """A store that cannot be read: missing catalog, newer schema, unknown table."""


class RecordError(StoreError):
    """One array record that fails a check; `record` names it (array id, kind, track, shard)."""

    def __init__(self, record, reason):
        super().__init__(f"{record}: {reason}")
        self.record = record
        self.reason = reason


def describe(row):
    """The name a record error carries: array id, kind, name, track and where it lies."""
    name = f" {row['name']}" if row["name"] else ""
    return (f"array {row['id']} ({row['kind']}{name} of track {row['track_id'][:12]}, "
            f"shard {row['shard']:06d} offset {row['offset']})")


def read_record(store_path, row):
    """The bytes of the record an `arrays` row points to."""
    path = os.path.join(store_path, "shards", f"{row['shard']:06d}.shard")
    try:
        with open(path, "rb") as f:
            f.seek(row["offset"])
            return f.read(row["length"])
    except OSError as e:
        raise RecordError(describe(row), f"cannot read {path}: {e.strerror or e}") from None


def decode(store_path, row):
    """The array of one `arrays` row (a mapping with the table's columns), as numpy."""
    who = describe(row)

    def need(ok, reason):
        if not ok:
            raise RecordError(who, reason)

    rec = read_record(store_path, row)
    need(len(rec) == row["length"], f"the shard ends before the record ({len(rec)} of {row['length']} bytes)")
    need(len(rec) >= HEADER_FIXED, "record shorter than a header")
    (magic, version, codec, filt, code, ndim, _reserved, hlen,
     raw_len, pay_len, xxh64) = struct.unpack_from("<4sHBBBBHIQQQ", rec)
    need(magic == b"STRC", f"bad magic {magic!r}")
    need(version == 1, f"unknown record version {version}")
    need(codec in CODECS, f"unknown codec {codec}")
    need(filt in FILTERS, f"unknown filter {filt}")
    need(code in DTYPES, f"unknown dtype code {code}")
    need(hlen == HEADER_FIXED + 8 * ndim, f"header length {hlen} is not {HEADER_FIXED} + 8 x {ndim}")
    need(hlen <= len(rec), "header longer than the record")
    stored = struct.unpack_from("<I", rec, hlen - 4)[0]
    need(xxhash.xxh32_intdigest(rec[:hlen - 4]) == stored, "header checksum mismatch")
    shape = struct.unpack_from(f"<{ndim}q", rec, 40)
    name, dtype, width = DTYPES[code]
    need(all(d >= 0 for d in shape), f"negative dimension in {list(shape)}")
    count = 1
    for d in shape:
        count *= d
    need(count * width <= MAX_U64 and count * width == raw_len,
         f"shape {list(shape)} x {width} bytes is not the raw length {raw_len}")

    need(hlen + pay_len == row["length"], "header and payload lengths do not add up to the catalog length")
    need(f"{xxh64:016x}" == row["checksum"], "payload checksum in the header differs from the catalog's")
    need(name == row["dtype"], f"dtype {name} differs from the catalog's {row['dtype']}")
    need(list(shape) == json.loads(row["shape"]), f"shape {list(shape)} differs from the catalog's {row['shape']}")
    need(CODECS[codec] == row["codec"], f"codec {CODECS[codec]} differs from the catalog's {row['codec']}")
    need(FILTERS[filt] == row["filter"], f"filter {FILTERS[filt]} differs from the catalog's {row['filter']}")
    need(raw_len == row["raw_length"], f"raw length {raw_len} differs from the catalog's {row['raw_length']}")

    payload = rec[hlen:]
    need(xxhash.xxh64_intdigest(payload) == xxh64, "payload checksum mismatch")
    if codec == 1:
        try:
            raw = lz4.frame.decompress(payload)  # verifies the frame's content checksum
        except RuntimeError as e:
            raise RecordError(who, f"LZ4 frame does not decode: {e}") from None
    else:
        raw = payload
    need(len(raw) == raw_len, f"decoded {len(raw)} bytes, expected {raw_len}")
    if filt == 1 and width > 1 and raw_len > 0:
        # Byte shuffle: plane j holds byte j of every element.
        raw = np.frombuffer(raw, np.uint8).reshape(width, -1).T.tobytes()
    return np.frombuffer(raw, dtype).reshape(shape)
