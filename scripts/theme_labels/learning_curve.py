#!/usr/bin/env python
"""Users' own themes: how many labels does a new theme need? A simulated `themes suggest` -> label -> `themes train`
loop on the real labels; writes labels/themes/learning_curve.md.

One main theme is treated as new: it is removed from the codebook (no keyword list helps it), and the model starts
from ``--start`` randomly drawn labelled passages of the training part. Each round trains a one-theme
``ThemeClassifier`` (lemma TF-IDF + the shipped lemma space + the codebook's *other* themes as features; what
`themes train` fits), then adds ``--batch`` passages with their real labels, chosen either by
:func:`policytekst.themes.active.suggest` (uncertainty + diversity; what `themes suggest` proposes) or at random.
F1 is measured on the fixed held-out part after every round. Repeated over ``--repeats`` seeds; the table gives the
mean F1 per number of labels and the first number of labels at which the mean reaches ``--target``.

    PYTHONPATH=src .venv/bin/python scripts/theme_labels/learning_curve.py [--theme npm] [--shared ../shared]
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from policytekst.tables import to_markdown_table
from policytekst.themes.active import suggest
from policytekst.themes.classifier import ThemeClassifier
from policytekst.themes.codebook import Codebook
from policytekst.themes.gold import load_gold

ROOT = Path(__file__).resolve().parents[2]


def codebook_without(theme: str) -> dict:
    data = Codebook.default().to_dict()
    data["themes"] = {k: v for k, v in data["themes"].items() if k != theme}
    return data


def run(theme: str, strategy: str, seed: int, train, test, start: int, batch: int, max_labels: int,
        book: dict, tune: bool = False) -> list[dict]:
    rng = np.random.default_rng(seed)
    y_pool = np.array([theme in row for row in train.labels], dtype=np.int8)
    y_test = np.array([theme in row for row in test.labels], dtype=np.int8)
    order = rng.permutation(len(train))
    labelled = list(order[:start])
    # the user starts from a handful that contains at least two positives (found by search or by hand)
    positives = [i for i in order if y_pool[i]]
    for i in positives[:2]:
        if i not in labelled:
            labelled.append(i)
    rows = []
    while True:
        model = ThemeClassifier(themes=[theme], codebook=book, C=4.0, class_weight="balanced", calibration=None,
                                char_ngrams=False, embedding="default", seed=seed)
        texts, y = [train.texts[i] for i in labelled], y_pool[labelled][:, None]
        if tune and y.sum() >= 5:
            # what `themes train --tune` does: calibration and threshold by grouped CV on the labels so far
            model.fit_tuned(texts, y, [train.groups[i] for i in labelled])
        else:
            model.fit(texts, y)
        pred = model.predict(test.texts)[:, 0]
        rows.append({"theme": theme, "strategy": strategy, "seed": seed, "labels": len(labelled),
                     "positives": int(y_pool[labelled].sum()), "f1": f1_score(y_test, pred, zero_division=0)})
        if len(labelled) >= max_labels:
            return rows
        rest = [i for i in range(len(train)) if i not in set(labelled)]
        if strategy == "random":
            picked = list(rng.choice(rest, size=min(batch, len(rest)), replace=False))
        else:
            chosen = suggest(model, [train.texts[i] for i in rest], [str(i) for i in rest], n=batch)
            picked = [int(i) for i in chosen["id"]]
        labelled.extend(picked)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--labels", type=Path, default=ROOT / "labels/themes")
    ap.add_argument("--theme", action="append", default=None)
    ap.add_argument("--start", type=int, default=20)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--max-labels", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--target", type=float, default=0.8)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--tune", action="store_true",
                    help="fit as `themes train --tune` does (threshold by grouped CV), not at threshold 0.5")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    train, test = load_gold(args.labels, args.shared).split()
    themes = args.theme or ["npm"]
    rows = []
    for theme in themes:
        book = codebook_without(theme)
        for strategy in ("uncertainty", "random"):
            for seed in range(args.repeats):
                rows += run(theme, strategy, seed, train, test, args.start, args.batch, args.max_labels, book,
                            tune=args.tune)
                print(f"{theme} {strategy} seed {seed}: F1 {rows[-1]['f1']:.3f} at {rows[-1]['labels']} labels "
                      f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    frame = pd.DataFrame(rows)
    # labels counts differ by a few between runs (the two seeded positives): bin to the round
    frame["round"] = frame.groupby(["theme", "strategy", "seed"]).cumcount()
    curve = (frame.groupby(["theme", "round", "strategy"])
             .agg(labels=("labels", "mean"), positives=("positives", "mean"), f1=("f1", "mean"),
                  f1_min=("f1", "min"), f1_max=("f1", "max"))
             .reset_index())
    wide = curve.pivot_table(index=["theme", "round"], columns="strategy",
                             values=["labels", "positives", "f1"]).round(3)
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    wide = wide.reset_index()
    fitting = ("calibration and threshold by grouped CV on the labels so far, as `themes train --tune`"
               if args.tune else "threshold 0.5")
    lines = ["# Learning curve of a new theme (simulated suggest -> label -> train loop)\n\n",
             f"Theme(s) treated as new: {', '.join(themes)} (removed from the codebook). Pool: the training part "
             f"of the located labels ({len(train)} passages); F1 on the held-out part ({len(test)} passages, "
             f"{fitting}). Start: {args.start} random labels plus two positives; +{args.batch} a round, chosen "
             f"by `suggest` (uncertainty + diversity) or at random; mean over {args.repeats} seeds.\n\n"]
    for theme in themes:
        for strategy in ("uncertainty", "random"):
            part = curve[(curve["theme"] == theme) & (curve["strategy"] == strategy)]
            reached = part[part["f1"] >= args.target]
            best = part.loc[part["f1"].idxmax()]
            lines.append(f"- {theme}, {strategy}: " + (
                f"mean F1 reaches {args.target} at {reached['labels'].iloc[0]:.0f} labels" if len(reached) else
                f"mean F1 does not reach {args.target} within {part['labels'].max():.0f} labels (best "
                f"{best['f1']:.3f} at {best['labels']:.0f})") + "\n")
    lines.append("\n" + to_markdown_table(wide) + "\n\n")
    given = " ".join(argv if argv is not None else sys.argv[1:])
    lines.append(f"Command: `PYTHONPATH=src .venv/bin/python scripts/theme_labels/learning_curve.py {given}` "
                 f"({time.perf_counter() - started:.0f} s).\n")
    out = args.out or args.labels / "learning_curve.md"
    out.write_text("".join(lines), encoding="utf-8")
    print("".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
