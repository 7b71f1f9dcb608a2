#!/usr/bin/env python3
"""Reference explain pipeline, stage 2 of 3 (torch venv): the RF-ResNet in PyTorch (CPU,
float32, oneDNN) on every mask's spectrogram from stage 1, in batches.

    VENV/bin/python tools/bench/explain_reference_torch.py --weights W --work DIR --batch B

Reads DIR/<piece>.spec.npz, cuts or loops each mask's spectrogram to 1252 frames (the reference
`slice_func` with padding='loop', start 0), runs the model under torch.inference_mode() with
the threads given by OMP_NUM_THREADS, writes DIR/<piece>.preds.npy (masks × 9: the 7 concepts
then arousal and valence) and prints one JSON line per piece with the seconds spent in the model.
"""
import argparse
import glob
import importlib.util
import json
import os
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("stemtrace_rfresnet_model", REPO / "tools" / "rfresnet_torch.py")
arch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(arch)
FRAMES = 1252


def model_input(spec):
    t = spec.shape[-1]
    index = np.arange(FRAMES) % t if t <= FRAMES else np.arange(FRAMES)
    return spec[..., index]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    model = arch.load_model(args.weights).eval()
    with torch.inference_mode():
        model(torch.zeros(1, 1, 149, FRAMES))  # warm-up (oneDNN primitive creation)
        for path in sorted(glob.glob(os.path.join(args.work, "*.spec.npz"))):
            archive = np.load(path)
            specs = np.stack([model_input(archive["arr_%d" % i]) for i in range(len(archive.files))])
            preds = []
            t0 = time.perf_counter()
            for start in range(0, len(specs), args.batch):
                x = torch.from_numpy(np.ascontiguousarray(specs[start:start + args.batch]))[:, None]
                output, concepts = model(x)[:2]
                preds.append(torch.cat([concepts, output], dim=1).numpy())
            seconds = time.perf_counter() - t0
            np.save(path.replace(".spec.npz", ".preds.npy"), np.concatenate(preds).astype(np.float32))
            print(json.dumps({"piece": os.path.basename(path)[:-len(".spec.npz")], "masks": len(specs),
                              "batch": args.batch, "threads": torch.get_num_threads(), "model_s": seconds}), flush=True)


if __name__ == "__main__":
    main()
