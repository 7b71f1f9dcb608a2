#!/usr/bin/env python3
"""PyTorch peer timing of the RF-ResNet forward pass (CPU, float32).

    python tools/bench/rfresnet_torch.py [--weights W.safetensors] [--batches 1 8]
                                         [--threads 1 2] [--runs N]

Runs the model from tools/rfresnet_torch.py in eval mode under
torch.inference_mode() on random input (B,1,149,1252) (a 40-s excerpt), for
every batch size × thread count: one warm-up, then the median of N timed
runs (default 5 for B=1, 3 otherwise). Each configuration runs in a fresh
child process with OMP_NUM_THREADS set: changing torch.set_num_threads from 1
back to 2 inside one process was measured to make the 2-thread runs ~4× slower
(GNU OpenMP pool), so configurations must not share a process.
Prints one JSON line per configuration: {"peer", "batch", "threads",
"median_ms", "gflops_per_s"}, with 32.2296 GFLOP of conv+linear work per item
(RFRESNET.md). Set up the venv with
tools/bench/setup_torch_venv.sh.
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent.parent
GFLOP_PER_ITEM = 32.2296  # conv + linear FLOPs for 1×149×1252
T_FRAMES = 1252

# Same file name as this script, so load the model module by path.
_spec = importlib.util.spec_from_file_location(
    "stemtrace_rfresnet_model", REPO / "tools" / "rfresnet_torch.py")
arch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(arch)


def time_config(model, batch, threads, runs):
    torch.set_num_threads(threads)
    x = torch.rand(batch, 1, arch.N_BANDS, T_FRAMES, generator=torch.Generator().manual_seed(7))
    times = []
    with torch.inference_mode():
        model(x)  # warm-up (oneDNN primitive creation, allocations)
        for _ in range(runs):
            t0 = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - t0)
    s = statistics.median(times)
    return {"peer": f"pytorch {torch.__version__}", "batch": batch, "threads": threads,
            "median_ms": round(s * 1e3, 2), "gflops_per_s": round(GFLOP_PER_ITEM * batch / s, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", type=Path,
                    default=REPO / "Tests" / "Fixtures" / "rfresnet" / "weights.safetensors")
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--runs", type=int, default=None, help="timed runs (default 5 for B=1, 3 else)")
    args = ap.parse_args()
    if not args.weights.is_file():
        ap.error(f"weights not found: {args.weights} (pass --weights)")
    configs = [(b, n) for b in args.batches for n in args.threads]
    if len(configs) == 1:  # time it here (also the child-process case)
        b, n = configs[0]
        model = arch.load_model(args.weights)
        print(json.dumps(time_config(model, b, n, args.runs or (5 if b == 1 else 3))), flush=True)
        return 0
    status = 0
    for b, n in configs:  # one fresh process per configuration
        cmd = [sys.executable, __file__, "--weights", str(args.weights),
               "--batches", str(b), "--threads", str(n)] + (["--runs", str(args.runs)] if args.runs else [])
        status |= subprocess.run(cmd, env={**os.environ, "OMP_NUM_THREADS": str(n)}).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
