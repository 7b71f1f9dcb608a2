#!/usr/bin/env python3
"""Tests of veracity_corpus.py's rules, without rendering (no fluidsynth or espeak-ng needed).

    tools/test_veracity_corpus.py

Standard library only. Checks the style assignment (round-robin by default; --hiphop-share
spreads exactly round(share*n) hip-hop pieces and keeps the other styles round-robin), the
section-5 bias (hip-hop's drum density from the dense end and its valence free of rhythm; every
other style's valence = clip(-0.7*minorness - 0.3*dissonance + 0.5*rhythm_complexity), checked
against the formula written out here), that --bias none leaves the labels as they were, that
--artist-seed gives two corpora the same artists' sounds, and that section5_summary.py reads
query JSON (several tables in one output) and a trained head's weights. Exit status 0 when
every check holds, 1 otherwise.
"""
import json
import os
import struct
import sys
import tempfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
import section5_summary as summary  # noqa: E402
import veracity_corpus as vc  # noqa: E402

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}")


def clip(x):
    return max(-1.0, min(1.0, x))


# Styles: the default is round-robin; a share spreads hip-hop evenly and counts exactly.
styles = [vc.STYLE_ORDER[vc.style_and_rank(i)[0]] for i in range(10)]
check(styles == list(vc.STYLE_ORDER) * 2, f"default styles round-robin: {styles}")
for share, n in ((0.05, 80), (0.7, 100), (0.0, 10), (1.0, 7)):
    assigned = [vc.STYLE_ORDER[vc.style_and_rank(i, share)[0]] for i in range(n)]
    hiphop = assigned.count("hiphop")
    check(hiphop == round(share * n), f"share {share} of {n}: {hiphop} hip-hop pieces")
    others = [s for s in assigned if s != "hiphop"]
    check(others == [s for s in vc.STYLE_ORDER if s != "hiphop"] * (len(others) // 4)
          + [s for s in vc.STYLE_ORDER if s != "hiphop"][:len(others) % 4], f"share {share}: others round-robin")

# The section-5 bias.
pieces = [vc.make_piece(i, 2, 4.0, 0.7, "section5", "b") for i in range(40)]
for p in pieces:
    f, lab = p["factors"], vc.labels_for(p["factors"], p["style"], "section5")
    check(p["name"].startswith("b") and p["name"].endswith(p["style"]), f"name {p['name']}")
    base = -0.7 * lab["minorness"] - 0.3 * lab["dissonance"]
    if p["style"] == "hiphop":
        # quantised to whole extra hits of 12: round(12 * 0.6) / 12 = 7/12 is the lowest
        check(f["drum_density"] >= 7 / 12 - 1e-12, f"{p['name']}: hip-hop density {f['drum_density']}")
        check(abs(lab["valence"] - clip(base)) < 1e-12, f"{p['name']}: hip-hop valence has no rhythm term")
    else:
        expected = clip(base + 0.5 * lab["rhythm_complexity"])
        check(abs(lab["valence"] - expected) < 1e-12, f"{p['name']}: valence {lab['valence']} != {expected}")
hiphop_density = [p["factors"]["drum_density"] for p in pieces if p["style"] == "hiphop"]
check(sum(hiphop_density) / len(hiphop_density) > 0.7, "hip-hop drums are dense on average")
# Without the bias, the same factors give the original valence in every style.
for p in pieces:
    lab = vc.labels_for(p["factors"], p["style"], "none")
    check(abs(lab["valence"] - clip(-0.7 * lab["minorness"] - 0.3 * lab["dissonance"])) < 1e-12,
          f"{p['name']}: --bias none valence")
# Without the bias hip-hop densities cover the whole range (the draw itself is not changed).
plain = [vc.make_piece(i, 2, 4.0, 0.7, "none", "b") for i in range(40)]
check(min(p["factors"]["drum_density"] for p in plain if p["style"] == "hiphop") < 0.5,
      "--bias none: hip-hop density is drawn from [0, 1]")

# Artists: the same artist seed gives two corpora the same sounds; the default follows --seed.
a = vc.make_piece(1, 1, 4.0, None, "none", "a", artist_seed=1)
b = vc.make_piece(1, 2, 4.0, None, "none", "b", artist_seed=1)
check(a["artist"] == b["artist"] and a["programs"] == b["programs"], "shared artist seed: same programs")
check(a["factors"] != b["factors"], "different seeds: different pieces")
differs = any(vc.make_piece(i, 1, 4.0)["programs"] != vc.make_piece(i, 2, 4.0)["programs"] for i in range(8))
check(differs, "default: each seed has its own artists")

# section5_summary reads every table of a query's JSON output and a head's output weights.
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "q.json")
    with open(path, "w") as fh:
        fh.write(json.dumps({"title": "one", "rows": []}, indent=2) + "\n")
        fh.write(json.dumps({"title": "mean valence error per genre", "rows": [{"genre": "x"}]}, indent=2) + "\n")
    check(summary.table(path, "mean valence error")["rows"] == [{"genre": "x"}], "second JSON table found")
    header = {"output.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "__metadata__": {"concepts": json.dumps(["c", "d", "e"]), "outputs": json.dumps(["arousal", "valence"])}}
    raw = json.dumps(header).encode()
    head = os.path.join(tmp, "m.safetensors")
    with open(head, "wb") as fh:
        fh.write(struct.pack("<Q", len(raw)) + raw + struct.pack("<6f", 1, 2, 3, 0.5, -0.25, 4))
    check(summary.safetensors_output_weights(head) == {"c": 0.5, "d": -0.25, "e": 4.0}, "valence weights read")

if failures:
    print(f"test_veracity_corpus: {len(failures)} check(s) failed")
    sys.exit(1)
print("test_veracity_corpus: all checks passed")
