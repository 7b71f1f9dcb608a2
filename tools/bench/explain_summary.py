"""Per-piece summary of tools/bench/explain: stemtrace's time for each piece explained alone
(its own store and process, batch 1) against the reference pipeline's stages for the same piece
(sum + madmom, PyTorch batch 1, lime), the ratio, and the same totals over the pieces whose stems
are all audible (31 distinct non-empty masks, none skipped). Projects 1000 such tracks on this
machine from their mean time.

    python3 tools/bench/explain_summary.py WORK_DIR
"""
import json
import re
import sys
from pathlib import Path


def jsonl(path):
    return {row["piece"]: row for row in (json.loads(line) for line in Path(path).read_text().splitlines() if line)}


def main():
    work = Path(sys.argv[1])
    madmom = jsonl(work / "ref-madmom.jsonl")
    torch = jsonl(work / "ref-torch-b1.jsonl")
    lime = jsonl(work / "ref-lime.jsonl")
    rows = []
    for line in (work / "single.txt").read_text().splitlines():
        name, track, rest = line.split(" ", 2)
        inputs = int(re.search(r"(\d+) model inputs", rest).group(1))
        seconds = float(re.search(r"in ([0-9.]+) s", rest).group(1))
        reference = madmom[track]["sum_s"] + madmom[track]["madmom_s"] + torch[track]["model_s"] + lime[track]["lime_s"]
        rows.append((name, inputs, seconds, reference))
    print("%-6s %6s %12s %12s %7s" % ("piece", "inputs", "stemtrace s", "reference s", "ratio"))
    for name, inputs, seconds, reference in rows:
        print("%-6s %6d %12.2f %12.2f %6.2fx" % (name, inputs, seconds, reference, reference / seconds))
    for label, chosen in (("all pieces", rows), ("all stems audible (31 inputs)", [r for r in rows if r[1] == 31])):
        if not chosen:
            continue
        ours = sum(r[2] for r in chosen)
        ref = sum(r[3] for r in chosen)
        print("%s: %d pieces, stemtrace %.2f s, reference %.2f s, %.2fx; mean %.2f s per track -> 1000 tracks %.1f min"
              % (label, len(chosen), ours, ref, ref / ours, ours / len(chosen), ours / len(chosen) * 1000 / 60))


if __name__ == "__main__":
    main()
