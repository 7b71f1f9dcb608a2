#!/usr/bin/env python3
"""Sets metadata keys of a safetensors model file in place, keeping every tensor byte.

    tools/set_model_metadata.py FILE KEY=VALUE [KEY=VALUE ...]

Used to declare the model kind (`stemtrace.kind`) and flags such as `demonstration=true` on the
committed model files (docs/MODELS.md). The file's content id changes with its header; cite the
new id (`stemtrace model info FILE`) wherever the old one was cited.
"""
import json
import struct
import sys


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    path = argv[1]
    data = open(path, "rb").read()
    if len(data) < 8:
        sys.exit(f"{path}: too short for a safetensors file")
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        sys.exit(f"{path}: header length {length} exceeds the file")
    header = json.loads(data[8 : 8 + length])
    metadata = dict(header.get("__metadata__", {}))
    for item in argv[2:]:
        key, sep, value = item.partition("=")
        if not sep or not key:
            sys.exit(f"expected KEY=VALUE, got {item!r}")
        metadata[key] = value
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data section stays 8-byte aligned
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + data[8 + length :])


if __name__ == "__main__":
    main(sys.argv)
