"""Per-piece summary of tools/bench/explain: stemtrace's time for each piece explained alone
(its own store and process, batch 1) against the reference pipeline's stages for the same piece
(sum + madmom, PyTorch batch 1, lime), the ratio, and the same totals over the pieces whose stems
are all audible (31 distinct non-empty masks, none skipped). Projects 1000 tracks on this
machine two ways: from the pieces' own processes (which include each process's first-use costs)
and from the per-input cost of the batch-1 run over all pieces in one process, as a corpus run
pays it.

    python3 tools/bench/explain_summary.py WORK_DIR
"""
import json
import re
import sys
from pathlib import Path


def jsonl(path):
    return {row["piece"]: row for row in (json.loads(line) for line in Path(path).read_text().splitlines() if line)}


def corpus_rates(path, label="lanes auto"):
    """Seconds per model input (model and composition) and per excerpt (store I/O) of a run over
    all pieces: its model time over its inputs plus the one empty-mask input. With several lanes
    the printed times are summed over them and the lanes run side by side, so each input costs
    the machine its time divided by the lanes (as long as a corpus keeps every lane busy)."""
    if not path.exists():
        return None
    text = path.read_text()
    run = re.search(label + r": .*?(\d+) excerpts explained.*?(\d+) model inputs", text)
    times = re.search(label + r": time: model ([0-9.]+) s, composition ([0-9.]+) s, .*store I/O ([0-9.]+) s(.*)", text)
    if not run or not times:
        return None
    excerpts, inputs = int(run.group(1)), int(run.group(2))
    model, composition, io = (float(times.group(i)) for i in (1, 2, 3))
    lanes = re.search(r"summed over (\d+) lanes", times.group(4))
    lanes = int(lanes.group(1)) if lanes else 1
    return (model / (inputs + 1) + composition / inputs) / lanes, io / excerpts


def audible_run(path):
    """Pieces and seconds of the corpus run over the all-audible pieces alone (process included)."""
    if not path.exists():
        return None
    found = re.search(r"audible: .*?(\d+) excerpts explained.*? in ([0-9.]+) s", path.read_text())
    return (int(found.group(1)), float(found.group(2))) if found else None


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
    for run_label in ("lanes auto", "lanes 1"):
        corpus = corpus_rates(work / "corpus-run.txt", run_label)
        if not corpus:
            continue
        per_input, per_excerpt = corpus
        for label, inputs in (("a track like these (mean inputs)", sum(r[1] for r in rows) / len(rows)),
                              ("a track with all stems audible", 31)):
            seconds = inputs * per_input + per_excerpt
            print("corpus-run estimate (%s), %s: %.1f inputs x %.1f ms + %.0f ms = %.2f s -> 1000 tracks %.1f min"
                  % (run_label, label, inputs, per_input * 1000, per_excerpt * 1000, seconds, seconds * 1000 / 60))
    audible = audible_run(work / "corpus-run.txt")
    if audible:
        pieces, seconds = audible
        print("all-audible pieces in one corpus run (lanes auto, process and model load included): %d pieces in %.1f s, "
              "%.2f s per track -> 1000 tracks %.1f min" % (pieces, seconds, seconds / pieces, seconds / pieces * 1000 / 60))
    for label, chosen in (("all pieces", rows), ("all stems audible (31 inputs)", [r for r in rows if r[1] == 31])):
        if not chosen:
            continue
        ours = sum(r[2] for r in chosen)
        ref = sum(r[3] for r in chosen)
        print("each piece in its own process, %s: %d pieces, stemtrace %.2f s, reference %.2f s, %.2fx; "
              "mean %.2f s per track -> 1000 tracks %.1f min"
              % (label, len(chosen), ours, ref, ref / ours, ours / len(chosen), ours / len(chosen) * 1000 / 60))


if __name__ == "__main__":
    main()
