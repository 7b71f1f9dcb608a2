#!/usr/bin/env python3
"""Write a spleeter golden's `input` tensor as a 44.1 kHz stereo float WAV.

    VENV/bin/python tools/bench/spleeter_golden_wav.py GOLDEN.safetensors OUT.wav
        [--check SEPDIR]

GOLDEN holds float32 tensors `input`, `vocals`, `accompaniment` (N x 2), e.g.
/work/shared/reference/spleeter/r05.safetensors. With --check SEPDIR (a
DIR/<stem> folder written by spleeter_tensorflow.py --output), also prints the
max abs difference of SEPDIR/{vocals,accompaniment}.wav to the golden's.
Reads the safetensors file with json+numpy (8-byte little-endian header
length, JSON header, raw data), so only numpy and soundfile are needed.
"""
import argparse
import json
import struct
from pathlib import Path

import numpy as np
import soundfile as sf

DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I32": "<i4", "I64": "<i8"}


def load_safetensors(path):
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        out[name] = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("golden", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--check", type=Path, metavar="SEPDIR",
                    help="compare SEPDIR/{vocals,accompaniment}.wav with the golden")
    args = ap.parse_args()
    g = load_safetensors(args.golden)
    x = np.asarray(g["input"], dtype=np.float32)
    assert x.ndim == 2 and x.shape[1] == 2, x.shape
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(args.out), x, 44100, subtype="FLOAT")
    print(f"{args.out}: {x.shape[0]} frames x 2, 44100 Hz float")
    if args.check:
        for name in ("vocals", "accompaniment"):
            y, sr = sf.read(str(args.check / f"{name}.wav"), dtype="float32", always_2d=True)
            ref = g[name]
            assert sr == 44100 and y.shape == ref.shape, (sr, y.shape, ref.shape)
            d = np.abs(y.astype(np.float64) - ref)
            print(f"{name}: max abs diff {d.max():.3e}, rms diff {np.sqrt((d ** 2).mean()):.3e}, "
                  f"golden peak {np.abs(ref).max():.3e}")


if __name__ == "__main__":
    main()
