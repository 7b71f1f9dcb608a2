"""Compares stemtrace's stored LIME weights with the reference pipeline's (stage 3 output):
largest absolute difference of weights, intercepts and scores over every piece and target, and
whether the top positive source agrees. Standard library only.

    python3 tools/bench/explain_compare.py STORE/catalog.sqlite WORK_DIR [COMPOSITION]

With COMPOSITION (e.g. paper), only stemtrace's explanations made with that composition count.
"""
import glob
import json
import os
import sqlite3
import sys

TARGETS = ["melody", "articulation", "rhythm_complexity", "rhythm_stability", "dissonance",
           "tonal_stability", "minorness", "arousal", "valence"]


def main():
    db = sqlite3.connect(sys.argv[1])
    worst = {"weight": 0.0, "intercept": 0.0, "score": 0.0}
    scale = 0.0
    top_agree = top_total = 0
    for path in sorted(glob.glob(os.path.join(sys.argv[2], "*.lime.json"))):
        track = os.path.basename(path)[:-len(".lime.json")]
        reference = json.load(open(path))
        stems = sorted(f[len("stem-"):-len(".wav")] for f in os.listdir(os.path.join(os.path.dirname(sys.argv[2]), "pieces", track))
                       if f.startswith("stem-"))
        for t, result in enumerate(reference):
            composition = sys.argv[3] if len(sys.argv) > 3 else "%"
            row = db.execute(
                "SELECT e.id, e.intercept, e.fidelity FROM explanations e JOIN explanation_configs c ON c.id = e.config_id "
                "WHERE e.track_id = ? AND e.target = ? AND c.composition LIKE ?", (track, TARGETS[t], composition)).fetchone()
            if row is None:
                continue
            weights = dict(db.execute("SELECT name, weight FROM explanation_weights WHERE explanation_id = ?", (row[0],)))
            ours = [weights[s] for s in stems]
            worst["weight"] = max(worst["weight"], max(abs(a - b) for a, b in zip(ours, result["coef"])))
            scale = max(scale, max(abs(b) for b in result["coef"]))
            worst["intercept"] = max(worst["intercept"], abs(row[1] - result["intercept"]))
            worst["score"] = max(worst["score"], abs(row[2] - result["score"]))
            def top(ws):
                best = max(range(len(ws)), key=lambda i: ws[i])
                return best if ws[best] > 0 else -1
            top_total += 1
            top_agree += top(ours) == top(result["coef"])
    print(json.dumps({"max_abs_difference": worst, "largest_reference_weight": scale,
                      "top_source_agrees": "%d/%d" % (top_agree, top_total)}))


if __name__ == "__main__":
    main()
