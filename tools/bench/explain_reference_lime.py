"""Reference explain pipeline, stage 3 of 3 (madmom venv with lime and scikit-learn): the
regression audioLIME runs once the masks' predictions are known, with the paper's settings
(reference LIME.md): cosine distances to the all-ones mask, kernel sqrt(exp(-d^2 / 0.25^2)),
`lime.lime_base.LimeBase.explain_instance_with_data(..., num_features=100000,
feature_selection='auto')` per target (Ridge(alpha=1) with intercept, weighted R^2 score).

    VENV/bin/python tools/bench/explain_reference_lime.py --work DIR

Reads DIR/<piece>.preds.npy, writes DIR/<piece>.lime.json (per target: coefficients in
component order, intercept, score) and prints one JSON line per piece with the seconds spent.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import glob  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from lime.lime_base import LimeBase  # noqa: E402
from sklearn.metrics import pairwise_distances  # noqa: E402


def kernel(d, width=0.25):
    return np.sqrt(np.exp(-(d ** 2) / width ** 2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    for path in sorted(glob.glob(os.path.join(args.work, "*.preds.npy"))):
        labels = np.load(path)
        rows, targets = labels.shape
        k = int(round(np.log2(rows)))
        t0 = time.perf_counter()
        data = np.array(list(itertools.product([1, 0], repeat=k)))
        distances = pairwise_distances(data, data[0].reshape(1, -1), metric="cosine").ravel()
        base = LimeBase(kernel, verbose=False)
        results = []
        for t in range(targets):
            intercept, local_exp, score, local_pred = base.explain_instance_with_data(
                data, labels, distances, t, num_features=100000, feature_selection="auto")
            coef = [0.0] * k
            for component, weight in local_exp:
                coef[component] = float(weight)
            results.append({"coef": coef, "intercept": float(intercept), "score": float(score)})
        seconds = time.perf_counter() - t0
        with open(path.replace(".preds.npy", ".lime.json"), "w") as f:
            json.dump(results, f)
        print(json.dumps({"piece": os.path.basename(path)[:-len(".preds.npy")], "targets": targets,
                          "lime_s": seconds}), flush=True)


if __name__ == "__main__":
    main()
