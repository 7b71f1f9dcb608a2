#!/usr/bin/env python3
"""Write a spleeter model with random weights in exactly the converted layout (for tests).

    tools/make_spleeter_random.py --layout 5stems --output OUT.safetensors [--seed N] [--frames T]

Only the 2stems weights are published where this project can fetch them, so 4- and 5-stem code
paths are exercised with this file. Standard library only, and deterministic: one
random.Random(seed) draws every tensor in sorted-name order, so the same arguments give the same
bytes on any machine. Values are 16-bit random integers mapped through a 65536-entry table of
evenly spaced points of the target interval (C-speed `map`: about 4 s for 5 stems, where ~50 M
Python-level random calls would take a minute). Magnitudes keep activations finite and masks
varied: kernels uniform with variance 1/fan_in (fan_in = 25*Cin for convs, 25*Cin/4 for the
stride-2 transposed convs, 16 for the mask conv), biases within ±0.05, BN gamma 1±0.1, beta and
moving mean within ±0.1, moving variance 1..1.5. --frames sets the `spleeter.T` metadata (frames
per segment, a multiple of 64; default 512) so that tests can run the network on short segments.
"""
import argparse
import array
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spleeter_layout  # noqa: E402


def interval(name, shape):
    """(low, high) of the uniform distribution for one tensor."""
    kind = name.rsplit("/", 1)[-1]
    if kind == "kernel":
        layer = name.split("/")[1]
        if layer == "mask":
            fan_in = 16
        elif layer.startswith("deconv"):
            fan_in = 25 * shape[3] / 4
        else:
            fan_in = 25 * shape[2]
        a = math.sqrt(3 / fan_in)
        return -a, a
    return {"bias": (-0.05, 0.05), "gamma": (0.9, 1.1), "beta": (-0.1, 0.1),
            "moving_mean": (-0.1, 0.1), "moving_variance": (1.0, 1.5)}[kind]


def random_tensors(layout, seed):
    rng = random.Random(seed)
    tables = {}
    shapes = {name: shape for name, (_, shape) in spleeter_layout.variable_map(layout).items()}
    tensors = {}
    for name in sorted(shapes):
        shape = shapes[name]
        low, high = interval(name, shape)
        if (low, high) not in tables:
            tables[(low, high)] = [low + (high - low) * (i + 0.5) / 65536 for i in range(65536)]
        n = spleeter_layout.prod(shape)
        draws = array.array("H")
        draws.frombytes(rng.randbytes(2 * n))
        big = sys.byteorder == "big"  # read the draws and write the floats little-endian anywhere
        if big:
            draws.byteswap()
        values = array.array("f", map(tables[(low, high)].__getitem__, draws))
        if big:
            values.byteswap()
        tensors[name] = (shape, values.tobytes())
    return tensors


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layout", required=True, choices=sorted(spleeter_layout.LAYOUTS))
    ap.add_argument("--output", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--frames", type=int, default=512, help="spleeter.T, a multiple of 64 (default 512)")
    args = ap.parse_args(argv)
    if args.frames < 64 or args.frames % 64:
        ap.error("--frames must be a positive multiple of 64 (six stride-2 convolutions)")
    meta = spleeter_layout.metadata(
        args.layout, f"random weights (tools/make_spleeter_random.py, seed {args.seed})")
    meta["spleeter.T"] = str(args.frames)
    tensors = random_tensors(args.layout, args.seed)
    spleeter_layout.write_safetensors(args.output, tensors, meta)
    print(f"{args.output}: {len(tensors)} random tensors ({args.layout}, seed {args.seed}, T {args.frames})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
