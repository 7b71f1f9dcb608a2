#!/usr/bin/env python3
"""Write OUT/SUMMARY.md for tools/replay_section5: what the replay found next to what was planted.

usage: section5_summary.py OUT ELAPSED_SECONDS SEPARATOR...

Reads the query outputs the replay left in OUT/results (JSON from `stemtrace query ... --format
json`, text from `evaluate`), the two corpora's labels.csv and README.md, and the two model files
(safetensors: an 8-byte little-endian header length, a JSON header, then the tensors). Standard
library only. Prints the acceptance checks and exits 0 whether they hold or not: a check that
does not hold is a finding, reported as such.
"""

import csv
import json
import os
import struct
import sys

GENRES = ("hiphop", "rock", "jazz", "electronic", "ballad")
PLANTED_RHYTHM_WEIGHT = 0.5          # tools/veracity_corpus.py SECTION5_RHYTHM_WEIGHT
STEMS_BY_SEPARATOR = {"import": "true stems (5)", "bandsplit": "built-in separator (4)",
                      "spleeter+bandsplit": "spleeter+bandsplit (4)"}


def json_documents(path):
    """The JSON tables of one query output, in order (a query may print several)."""
    text = open(path, encoding="utf-8").read()
    decoder, at, docs = json.JSONDecoder(), 0, []
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return docs
        doc, at = decoder.raw_decode(text, at)
        docs.append(doc)


def table(path, title_part):
    for doc in json_documents(path):
        if title_part in doc["title"]:
            return doc
    raise SystemExit(f"section5_summary: no table '{title_part}' in {path}")


def safetensors_output_weights(path):
    """valence's weights on the concepts, and the concept names, from a trained head."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data_start = 8 + n
        meta = header.get("__metadata__", {})
        entry = header["output.weight"]
        rows, cols = entry["shape"]
        begin, end = entry["data_offsets"]
        f.seek(data_start + begin)
        values = struct.unpack(f"<{rows * cols}f", f.read(end - begin))
    concepts = json.loads(meta["concepts"]) if "concepts" in meta else [f"c{i}" for i in range(cols)]
    outputs = json.loads(meta["outputs"]) if "outputs" in meta else ["arousal", "valence"][:rows]
    row = outputs.index("valence")
    return dict(zip(concepts, values[row * cols:(row + 1) * cols]))


def fmt(x, digits=3):
    return "—" if x is None else f"{x:+.{digits}f}"


def interval(row, low="ci_low", high="ci_high"):
    lo, hi = row.get(low), row.get(high)
    return "—" if lo is None or hi is None else f"[{lo:+.3f}, {hi:+.3f}]"


def main():
    out, elapsed, separators = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    res = os.path.join(out, "results")
    checks, L = [], []

    def check(name, ok, detail):
        checks.append((name, ok, detail))

    labels_b = list(csv.DictReader(open(os.path.join(out, "corpus-b", "labels.csv"))))
    labels_a = list(csv.DictReader(open(os.path.join(out, "corpus-a", "labels.csv"))))
    count = lambda rows, g: sum(1 for r in rows if r["style"] == g)

    # 1. errors on B
    errors = table(os.path.join(res, "errors-b.json"), "mean valence error per genre")
    by_genre = {r["genre"]: r for r in errors["rows"]}
    ranked = sorted(by_genre.values(), key=lambda r: r["mean error"], reverse=True)
    top = ranked[0]
    hh = by_genre.get("hiphop")
    runner_up = next((r for r in ranked if r["genre"] != "hiphop"), None)
    check("hip-hop has the largest mean valence overestimation on B, 95 % CI excluding 0",
          hh is not None and top["genre"] == "hiphop" and hh["ci_low"] is not None and hh["ci_low"] > 0,
          (f"hip-hop {fmt(hh['mean error'])} {interval(hh)}" if hh else "no hip-hop errors")
          + (f"; largest other: {runner_up['genre']} {fmt(runner_up['mean error'])} {interval(runner_up)}"
             if runner_up else ""))

    # 2. relative effects on valence, hip-hop vs the rest
    effects = table(os.path.join(res, "effects-b.json"), "")
    eff_rows = effects["rows"]
    by_diff = sorted(eff_rows, key=lambda r: r["difference"] if r["difference"] is not None else -9, reverse=True)
    rc = next(r for r in eff_rows if r["concept"] == "rhythm_complexity")
    check("rhythm_complexity has the largest positive relative-effect difference on valence for hip-hop (q < 0.05)",
          by_diff[0]["concept"] == "rhythm_complexity" and rc["difference"] > 0
          and rc["difference_q"] is not None and rc["difference_q"] < 0.05,
          f"difference {fmt(rc['difference'])}, p {rc['difference_p']:.4g}, q {rc['difference_q']:.4g}; next: "
          f"{by_diff[1]['concept']} {fmt(by_diff[1]['difference'])}")

    # 3. sources of rhythm_complexity
    sources = {}
    for sep in separators:
        for g in GENRES:
            path = os.path.join(res, f"sources-{g}-{sep}.json")
            if os.path.exists(path) and os.path.getsize(path) > 0:
                doc = table(path, "sources of")
                sources[(sep, g)] = {r["source"]: r for r in doc["rows"]}
    drums_true = sources.get(("import", "hiphop"), {}).get("drums")
    check("drums are the top source of rhythm_complexity for ≥ 70 % of hip-hop's pieces with true stems",
          drums_true is not None and drums_true["top share"] >= 0.7,
          f"{drums_true['top share'] * 100:.1f} % ({drums_true['top tracks']} pieces), 95 % CI "
          f"{interval(drums_true, 'top_share_ci_low', 'top_share_ci_high')}" if drums_true else "no explanations")

    # 4. re-training
    err_a = {r["genre"]: r for r in table(os.path.join(res, "errors-rest-a.json"), "mean valence error")["rows"]}
    err_r = {r["genre"]: r for r in table(os.path.join(res, "errors-rest-r.json"), "mean valence error")["rows"]}
    eff_a = {r["concept"]: r for r in table(os.path.join(res, "effects-rest-a.json"), "")["rows"]}
    eff_r = {r["concept"]: r for r in table(os.path.join(res, "effects-rest-r.json"), "")["rows"]}
    before, after = err_a["hiphop"]["mean error"], err_r["hiphop"]["mean error"]
    check("after re-training, hip-hop's mean overestimation on the rest of B falls by at least half",
          before > 0 and after <= before / 2, f"{fmt(before)} → {fmt(after)} ({after / before * 100:.0f} % of before)"
          if before else f"{fmt(before)} → {fmt(after)}")
    rb, ra = eff_a["rhythm_complexity"]["hiphop"], eff_r["rhythm_complexity"]["hiphop"]
    check("after re-training, rhythm_complexity's relative effect on hip-hop's valence falls",
          ra < rb, f"{fmt(rb)} → {fmt(ra)}")

    weights_a = safetensors_output_weights(os.path.join(out, "model-a.safetensors"))
    weights_r = safetensors_output_weights(os.path.join(out, "model-r.safetensors"))

    # --- the page
    L.append("# §5 replayed with a known cause\n")
    L.append(f"Made by `tools/replay_section5 {os.path.basename(out.rstrip('/'))}` in {elapsed // 60} min "
             f"{elapsed % 60} s. Corpus A: {len(labels_a)} pieces, {count(labels_a, 'hiphop')} hip-hop; "
             f"corpus B: {len(labels_b)} pieces, {count(labels_b, 'hiphop')} hip-hop (README.md of each corpus "
             "has every rule). Model A is trained on A only; model R on A plus 80 % of B (hip-hop included); "
             "both are compared on the other 20 % of B.\n")
    L.append("## Acceptance\n")
    L.append("| check | holds | measured |")
    L.append("| --- | --- | --- |")
    for name, ok, detail in checks:
        L.append(f"| {name} | {'yes' if ok else '**no**'} | {detail} |")
    L.append("")
    L.append("## Found next to planted\n")
    L.append("| | planted | found |")
    L.append("| --- | --- | --- |")
    L.append(f"| valence ← rhythm_complexity outside hip-hop | +{PLANTED_RHYTHM_WEIGHT} (none in hip-hop) | model A's "
             f"valence weight on the predicted concept: {fmt(weights_a.get('rhythm_complexity'))}; model R's: "
             f"{fmt(weights_r.get('rhythm_complexity'))} |")
    L.append("| valence ← minorness, dissonance | −0.7, −0.3 | model A: "
             f"{fmt(weights_a.get('minorness'))}, {fmt(weights_a.get('dissonance'))} (weights on predicted "
             "concepts; a concept the backbone does not predict, cross-validated R² ≤ 0, is a constant with "
             "weight 0: see train-a.txt) |")
    L.append(f"| which genre is over-estimated | hip-hop | {top['genre']} ({fmt(top['mean error'])}, "
             f"95 % CI {interval(top)}) |")
    L.append(f"| which concept carries it | rhythm_complexity | {by_diff[0]['concept']} (relative effect on "
             f"hip-hop {fmt(by_diff[0]['hiphop'])} vs rest {fmt(by_diff[0]['other genres'])}) |")
    top_true = max(sources.get(("import", "hiphop"), {}).values(), key=lambda r: r["top share"], default=None)
    L.append(f"| which stem makes rhythm_complexity | drums | {top_true['source'] if top_true else '—'} "
             f"(true stems, top source of {top_true['top share'] * 100:.0f} % of hip-hop pieces) |" if top_true else
             "| which stem makes rhythm_complexity | drums | no explanations |")
    L.append("")
    L.append("## Mean valence error per genre on B (model A; positive: over-estimated)\n")
    L.append("| genre | tracks | mean error | 95 % CI | p (vs rest) | q |")
    L.append("| --- | --- | --- | --- | --- | --- |")
    for r in ranked:
        p = "—" if r["difference_p"] is None else f"{r['difference_p']:.4g}"
        qv = "—" if r["difference_q"] is None else f"{r['difference_q']:.4g}"
        L.append(f"| {r['genre']} | {r['tracks']} | {fmt(r['mean error'])} | {interval(r)} | {p} | {qv} |")
    L.append("")
    L.append("## Relative effects on valence, hip-hop vs the other genres (B, model A)\n")
    L.append("| concept | hip-hop | 95 % CI | rest | difference | p | q |")
    L.append("| --- | --- | --- | --- | --- | --- | --- |")
    for r in by_diff:
        L.append(f"| {r['concept']} | {fmt(r['hiphop'])} | {interval(r, 'genre_ci_low', 'genre_ci_high')} | "
                 f"{fmt(r['other genres'])} | {fmt(r['difference'])} | {r['difference_p']:.4g} | "
                 f"{r['difference_q']:.4g} |")
    L.append("")
    L.append("## Top source of rhythm_complexity's explanations (share of pieces; B, model A)\n")
    head = ["stems", "genre", "drums", "95 % CI", "most often top", "random baseline"]
    L.append("| " + " | ".join(head) + " |")
    L.append("| " + " | ".join("---" for _ in head) + " |")
    for sep in separators:
        for g in GENRES:
            rows = sources.get((sep, g))
            if not rows:
                continue
            drums = rows.get("drums")
            best = max(rows.values(), key=lambda r: r["top share"])
            L.append(f"| {STEMS_BY_SEPARATOR.get(sep, sep)} | {g} | "
                     f"{drums['top share'] * 100:.0f} % ({drums['top tracks']})" if drums else
                     f"| {STEMS_BY_SEPARATOR.get(sep, sep)} | {g} | —")
            L[-1] += (f" | {interval(drums, 'top_share_ci_low', 'top_share_ci_high') if drums else '—'} | "
                      f"{best['source']} | {100 / len(rows):.0f} % |")
    L.append("")
    stability_path = os.path.join(res, "stability-b.json")
    if os.path.exists(stability_path) and os.path.getsize(stability_path) > 0:
        pairs = table(stability_path, "stability")
        L.append("## Stability of rhythm_complexity's explanations across separators (hip-hop, B)\n")
        L.append("| stems compared | excerpts | top source agrees | 95 % CI | Spearman ρ of the weights |")
        L.append("| --- | --- | --- | --- | --- |")
        for r in pairs["rows"]:
            L.append(f"| {r['between']} | {r['excerpts']} | {r['top_agreement'] * 100:.0f} % | "
                     f"{interval(r, 'top_agreement_ci_low', 'top_agreement_ci_high')} | "
                     f"{'—' if r['spearman_rho'] is None else format(r['spearman_rho'], '.2f')} |")
        L.append("")
    L.append("## Re-training with hip-hop included (the other 20 % of B)\n")
    L.append("| genre | mean valence error, model A | model R |")
    L.append("| --- | --- | --- |")
    for g in GENRES:
        if g in err_a and g in err_r:
            L.append(f"| {g} | {fmt(err_a[g]['mean error'])} {interval(err_a[g])} | "
                     f"{fmt(err_r[g]['mean error'])} {interval(err_r[g])} |")
    L.append("")
    L.append(f"rhythm_complexity's relative effect on hip-hop's valence: model A {fmt(rb)}, model R {fmt(ra)}. "
             "The other styles have few pieces here (20 % of their share of B), so their intervals are wide; "
             "`evaluate-rest.txt` has every target per model and genre.\n")
    L.append("## Files\n")
    L.append("`results/` holds every query's output (JSON tables as `stemtrace query … --format json` prints "
             "them), `evaluate-b.txt` and `evaluate-rest.txt` (Table 1's layout), `train-a.txt` and "
             "`train-r.txt` (cross-validation reports), `chain-b.txt` and `stability-b.txt`; `report-b/index.html` "
             "is the report of B.\n")
    with open(os.path.join(out, "SUMMARY.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(L))
    for name, ok, detail in checks:
        print(f"{'holds' if ok else 'DOES NOT HOLD'}: {name} — {detail}")


if __name__ == "__main__":
    main()
