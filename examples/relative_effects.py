#!/usr/bin/env python3
"""The paper's Figure 4 from a store: mean relative effect of each mid-level concept on an emotion
output, one genre against all other tracks, as a bar chart — with pandas and matplotlib, straight
from the store (no export).

    pip install "./python[example]"
    python examples/relative_effects.py STORE [--genre G] [--target valence] [--model ID] [--output fig.png]

Without --genre the genre with the most tracks is used; without --model the store must hold the
effects of one model only. Genres follow the CLI's default (`auto`) rule.
"""

import argparse
import sys

import matplotlib

matplotlib.use("Agg")  # headless: write the file, open no window
import matplotlib.pyplot as plt  # noqa: E402

import stemtrace  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store")
    ap.add_argument("--genre")
    ap.add_argument("--target", default="valence")
    ap.add_argument("--model", help="model id or prefix")
    ap.add_argument("--output", default="relative_effects.png")
    args = ap.parse_args()

    store = stemtrace.Store(args.store)
    effects = store.effects()
    effects = effects[effects["output"] == args.target]
    if args.model:
        effects = effects[effects["model_id"].str.startswith(args.model)]
    models = sorted(set(effects["model_id"]))
    if len(models) != 1:
        sys.exit(f"relative_effects: {len(models)} models have effects on {args.target}"
                 + (f" ({', '.join(m[:12] for m in models)}); choose one with --model" if models else
                    "; run stemtrace infer first"))

    tracks = store.tracks()
    genres = tracks.assign(genre=tracks["genres"].str.split(";")).explode("genre")
    genre = args.genre or genres["genre"].value_counts().sort_index().idxmax()
    members = set(genres.loc[genres["genre"] == genre, "track_id"])
    if not members:
        sys.exit(f"relative_effects: no track of genre {genre!r}; genres: {', '.join(sorted(set(genres['genre'])))}")

    effects = effects.assign(group=effects["track_id"].map(lambda t: genre if t in members else "other genres"))
    means = effects.pivot_table(index="concept", columns="group", values="relative_effect", aggfunc="mean")
    means = means.reindex(columns=[c for c in (genre, "other genres") if c in means.columns])

    ax = means.plot.barh(figsize=(7, 4), color=["#c0392b", "#95a5a6"][:len(means.columns)])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"mean relative effect on {args.target}")
    ax.set_ylabel("")
    ax.set_title(f"{genre} vs other genres (model {models[0][:12]})")
    plt.tight_layout()
    plt.savefig(args.output, dpi=120)
    print(means.to_string(float_format=lambda v: f"{v:+.4f}"))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
