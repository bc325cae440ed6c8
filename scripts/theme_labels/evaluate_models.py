#!/usr/bin/env python
"""Honest evaluation of the theme model on the located real labels; writes labels/themes/evaluation.md.

Tables (all five main themes, the codebook's own coding beside the model, bootstrap 95% intervals):

1. held-out: the shipped model on the fixed held-out part (never used for a choice), overall and per genre;
   calibration there: Brier score per theme and a reliability table;
2. grouped CV: 5-fold cross-validation grouped by document on the training part (the recipe of the shipped model:
   team passages in every fold's training data, thresholds and calibration chosen inside each fold's training part);
3. cross-genre: the recipe trained on seed passages + team passages and tested on every labelled Storting question,
   and trained on Storting questions + team passages and tested on every labelled seed passage;
4. longer passages: labelled units joined two by two (labels united, as the guide counts a theme one half
   discusses): held-out Storting questions in seeded random pairs, held-out seed spans with the span that follows
   them in their file, and every seed span with its follower for the Storting-trained recipe of table 3.

``--select`` instead prints grouped-CV macro-F1 on the training part for a few parameter sets (how PARAMS of
scripts/train_default_theme_model.py were chosen; the held-out part is not read).

    PYTHONPATH=src .venv/bin/python scripts/theme_labels/evaluate_models.py [--shared ../shared] [--boot 1000]
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from train_default_theme_model import PARAMS  # noqa: E402

from policytekst.tables import to_markdown_table  # noqa: E402
from policytekst.themes.classifier import ThemeClassifier, to_label_matrix  # noqa: E402
from policytekst.themes.codebook import Codebook  # noqa: E402
from policytekst.themes.evaluate import (  # noqa: E402
    bootstrap_table,
    brier_scores,
    codebook_predictions,
    grouped_cv_proba,
    refit,
    reliability_table,
)
from policytekst.themes.gold import GoldSet, load_gold, read_jsonl  # noqa: E402
from policytekst.themes.training import MAIN_THEMES, default_training_passages, joined_label_pairs  # noqa: E402

MAIN = list(MAIN_THEMES)


def recipe(params: dict | None = None) -> ThemeClassifier:
    return ThemeClassifier(themes=MAIN, codebook=Codebook.default().to_dict(), **(params or PARAMS))


def fit_recipe(train: GoldSet, params: dict | None = None, with_team: bool = True) -> ThemeClassifier:
    return refit(recipe(params), train.texts, train.labels, train.groups, tuned=True,
                 extra=default_training_passages() if with_team else None)


def scored(model: ThemeClassifier, test: GoldSet, boot: int, by_group: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    y = to_label_matrix(test.labels, MAIN)
    proba = model.predict_proba(test.texts)
    cols = [model.themes_.index(t) for t in MAIN]
    proba = proba[:, cols]
    pred = (proba >= model.thresholds_[cols]).astype(np.int8)
    base = codebook_predictions(test.texts, model.codebook_, MAIN)
    table = bootstrap_table(y, pred, MAIN, base, n_boot=boot, groups=test.groups if by_group else None)
    return table, proba


def grouped_cv(train: GoldSet, boot: int, n_splits: int = 5, params: dict | None = None,
               with_team: bool = True) -> pd.DataFrame:
    _, pred = grouped_cv_proba(recipe(params), train.texts, train.labels, train.groups, n_splits=n_splits,
                               tuned=True, extra=default_training_passages() if with_team else None)
    y = to_label_matrix(train.labels, MAIN)
    base = codebook_predictions(train.texts, Codebook.default(), MAIN)
    return bootstrap_table(y, pred, MAIN, base, n_boot=boot)


def random_pairs(part: GoldSet, seed: int = 0) -> GoldSet:
    """The passages of ``part`` joined in seeded random pairs, labels united."""
    texts, labels = joined_label_pairs(part.texts, part.labels, seed)
    n = len(texts)
    return GoldSet([f"pair{i}" for i in range(n)], texts, labels, [f"pair{i}" for i in range(n)], ["pair"] * n,
                   [True] * n, [""] * n)


def neighbour_pairs(part: GoldSet, labels_dir: Path) -> GoldSet:
    """Each seed span of ``part`` joined with the labelled span that follows it in its file (at most 5
    characters apart), labels united."""
    where = {row["id"]: row for row in read_jsonl(labels_dir / "pool.jsonl")}
    order = sorted((i for i in range(len(part)) if part.genres[i] == "seed"),
                   key=lambda i: (part.groups[i], where[part.ids[i]]["start"]))
    out = GoldSet()
    for a, b in zip(order[:-1], order[1:], strict=True):
        ra, rb = where[part.ids[a]], where[part.ids[b]]
        if ra["doc"] == rb["doc"] and 0 <= rb["start"] - ra["end"] <= 5:
            for field_, value in (("ids", f"{part.ids[a]}+{part.ids[b]}"), ("texts", f"{part.texts[a]} {part.texts[b]}"),
                                  ("labels", sorted(set(part.labels[a]) | set(part.labels[b]))),
                                  ("groups", part.groups[a]), ("genres", "seed"), ("heldout", part.heldout[a]),
                                  ("strata", "")):
                getattr(out, field_).append(value)
    return out


def median_words(part: GoldSet) -> int:
    return round(float(np.median([len(text.split()) for text in part.texts])))


def md(title: str, table: pd.DataFrame, note: str = "") -> str:
    return f"## {title}\n\n{note}{to_markdown_table(table)}\n\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--labels", type=Path, default=ROOT / "labels/themes")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--select", action="store_true")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    gold = load_gold(args.labels, args.shared)
    train, heldout = gold.split()
    started = time.perf_counter()
    if args.select:
        return select(train)

    from policytekst.themes import default_model

    model = default_model()
    meta = getattr(model, "meta_", {})
    parts = [
        "# Theme model evaluation on located real labels\n\n",
        f"Labels: {len(gold)} passages of labels/themes/pool.jsonl with a final label (adjudicated, else first "
        f"reading); training part {len(train)} ({train.genres.count('storting')} Storting questions, "
        f"{train.genres.count('seed')} seed spans), held-out part {len(heldout)} "
        f"({heldout.genres.count('storting')} Storting, {heldout.genres.count('seed')} seed; fixed before tuning by "
        "`policytekst.themes.gold.is_heldout`). Model: the shipped `default_model.joblib` "
        f"(params {meta.get('params')}, thresholds {meta.get('thresholds')}, codebook weights "
        f"{meta.get('codebook_weights')}). The codebook column is the codebook's "
        "own coding (weighted hits >= min_score). Intervals: 95% bootstrap over passages (1000 draws).\n\n",
    ]
    table, proba = scored(model, heldout, args.boot)
    parts.append(md("Held-out real passages (both genres)", table))
    for genre in ("storting", "seed"):
        part = heldout.genre(genre)
        parts.append(md(f"Held-out: {genre}", scored(model, part, args.boot)[0]))
    y = to_label_matrix(heldout.labels, MAIN)
    parts.append(md("Calibration on the held-out part: Brier score per theme", brier_scores(y, proba, MAIN),
                    "Brier score of the calibrated probability beside that of always predicting the base rate.\n\n"))
    parts.append(md("Reliability (all main themes pooled, held-out part)", reliability_table(y, proba)))
    print(f"held-out done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    parts.append(md("Grouped 5-fold cross-validation on the training part", grouped_cv(train, args.boot),
                    "The shipped recipe refitted in each fold (thresholds and calibration by an inner grouped CV "
                    "of the fold's training part); folds grouped by document.\n\n"))
    print(f"grouped CV done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    seed_all, storting_all = gold.genre("seed"), gold.genre("storting")
    on_storting = fit_recipe(seed_all)
    parts.append(md("Cross-genre: trained on seed passages + team passages, tested on Storting questions",
                    scored(on_storting, storting_all, args.boot)[0],
                    f"Training: {len(seed_all)} labelled seed spans + 378 team passages; test: all "
                    f"{len(storting_all)} labelled Storting questions.\n\n"))
    on_seed = fit_recipe(storting_all)
    parts.append(md("Cross-genre: trained on Storting questions + team passages, tested on seed passages",
                    scored(on_seed, seed_all, args.boot)[0],
                    f"Training: {len(storting_all)} labelled Storting questions + 378 team passages; test: all "
                    f"{len(seed_all)} labelled seed spans.\n\n"))
    longer = [("held-out Storting questions in random pairs", model, random_pairs(heldout.genre("storting"))),
              ("held-out seed spans joined with the next span", model, neighbour_pairs(heldout, args.labels)),
              ("every seed span joined with the next, recipe trained on Storting questions + team passages",
               on_seed, neighbour_pairs(seed_all, args.labels))]
    for title, fitted, part in longer:
        parts.append(md(f"Longer passages: {title}", scored(fitted, part, args.boot)[0],
                        f"{len(part)} joined passages, median {median_words(part)} words (labels united).\n\n"))
    parts.append("Command: `PYTHONPATH=src .venv/bin/python scripts/theme_labels/evaluate_models.py` "
                 f"({time.perf_counter() - started:.0f} s).\n")
    out = args.out or args.labels / "evaluation.md"
    out.write_text("".join(parts), encoding="utf-8")
    print("".join(parts))
    return 0


def select(train: GoldSet) -> int:
    """Grouped-CV macro-F1 on the training part for a few parameter sets (the held-out part is not read)."""
    base = dict(PARAMS)
    options = {
        "shipped": {},
        "no embedding": {"embedding": None},
        "codebook_weight 0": {"codebook_weight": 0.0},
        "codebook_weight 0.5": {"codebook_weight": 0.5},
        "C 1": {"C": 1.0},
        "C 4": {"C": 4.0},
        "C 16": {"C": 16.0},
        "class_weight none": {"class_weight": None},
        "embedding_weight 2": {"embedding_weight": 2.0},
        "no gated embedding": {"gated_embedding": False},
        "sentence features": {"sentence_features": True},
        "no team passages": {"team": False},
    }
    for name, change in options.items():
        started = time.perf_counter()
        change = dict(change)
        team = change.pop("team", True)
        table = grouped_cv(train, 200, params={**base, **change}, with_team=team).set_index("theme")
        f1 = " ".join(f"{t}={table.loc[t, 'f1']:.2f}" for t in MAIN)
        print(f"{name:24s} macro {table.loc['macro', 'f1']:.3f}  {f1}  ({time.perf_counter() - started:.0f} s)",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
