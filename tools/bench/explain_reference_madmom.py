"""Reference explain pipeline, stage 1 of 3 (madmom venv): audioLIME's perturbations as the
paper ran them, i.e. for every exhaustive mask (itertools.product([1, 0], repeat=k) order) the
sum of the selected stored stems and madmom's spectrogram of that sum.

    VENV/bin/python tools/bench/explain_reference_madmom.py --work DIR PIECE_DIR...

Each PIECE_DIR holds the excerpt's stems as stem-<name>.wav (22 050 Hz mono, as written by
`stemtrace explain listen`). Writes DIR/<piece>.spec.npz (one 149 × T float32 array per mask, in mask order; the
empty mask, NaN in madmom, is stored as zeros) and prints one JSON line per piece with the seconds
spent summing and in madmom.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import glob  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from madmom_spectrogram import PaperProcessor, read_wav  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("pieces", nargs="+")
    args = parser.parse_args()
    processor = PaperProcessor()
    for piece in args.pieces:
        files = sorted(glob.glob(os.path.join(piece, "stem-*.wav")))
        stems = [read_wav(f) for f in files]
        k = len(stems)
        specs = []
        t_sum = t_madmom = 0.0
        for mask in itertools.product([1, 0], repeat=k):
            t0 = time.perf_counter()
            selected = [s for s, m in zip(stems, mask) if m]
            y = sum(selected) if selected else np.zeros_like(stems[0])
            t1 = time.perf_counter()
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                spec = processor.process(y)
            t2 = time.perf_counter()
            t_sum += t1 - t0
            t_madmom += t2 - t1
            specs.append(np.nan_to_num(spec, nan=0.0).astype(np.float32))
        # Masks have different frame counts (zero trimming), so each spectrogram is kept whole.
        np.savez(os.path.join(args.work, os.path.basename(piece.rstrip("/")) + ".spec.npz"),
                 *[np.ascontiguousarray(s) for s in specs])
        print(json.dumps({"piece": os.path.basename(piece.rstrip("/")), "stems": [os.path.basename(f) for f in files],
                          "masks": len(specs), "sum_s": t_sum, "madmom_s": t_madmom}), flush=True)


if __name__ == "__main__":
    main()
