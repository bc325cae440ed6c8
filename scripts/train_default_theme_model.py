#!/usr/bin/env python
"""Rebuild the theme model shipped in the package (src/policytekst/themes/data/default_model.joblib).

Needs the real data in ../shared (or ``--shared``); deterministic (seed 0).

1. The lemma vectors (``themes/data/lemma_vectors.npz``): FastText skip-gram vectors (gensim, with character
   n-gram buckets for unseen lemmas) of the lemmas of every Storting question (1996-2015) and windows of the five
   seed captures. Unsupervised: no labels are used, and only lemmas, IDF weights and vectors are stored.
2. Training data: the *training part* of the located real labels (labels/themes, read by
   :mod:`policytekst.themes.gold`; the held-out part is never read here) plus the team's hand-written passages
   (``themes/data/train_passages.jsonl``); codebook weak labels for the five minor themes.
3. The model: lemma TF-IDF + the lemma vectors + codebook features, one logistic regression per theme; for each
   main theme the share of the codebook's own probability, the calibration (Platt scaling) and the threshold are
   chosen on out-of-fold predictions of 5-fold cross-validation grouped by document, on the training part only.

    PYTHONPATH=src .venv/bin/python scripts/train_default_theme_model.py [--shared ../shared] [--seed 0]
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "policytekst" / "themes" / "data"
DEFAULT_OUT = DATA / "default_model.joblib"
SPACE_OUT = DATA / "lemma_vectors.npz"
LABELS = ROOT / "labels" / "themes"

# The parameters of the shipped model, recorded inside it (chosen by grouped CV on the training part only:
# scripts/theme_labels/evaluate_models.py --select).
PARAMS = {"C": 2.0, "char_ngrams": False, "codebook_features": True, "calibration": None,
          "class_weight": "balanced", "codebook_weight": 0.3, "embedding": "default", "embedding_weight": 1.0,
          "gated_embedding": True, "join_short": 100, "join_bags": 3, "codebook_languages": ("en",), "split_long": 120,
          "threshold": 0.5, "tuning_repeats": 3, "nynorsk_as_bokmal": True}
# FastText vectors beat the former LSA space (96 dims) in grouped CV and across genres: see labels/themes/evaluation.md
SPACE = {"dim": 100, "window": 8, "min_count": 3, "epochs": 15, "buckets": 20_000, "min_n": 3, "max_n": 5}


def lemma_documents(shared: Path) -> list[str]:
    """Lemma strings of the unlabelled real text the vectors are learned from (questions and seed windows)."""
    import pandas as pd

    from policytekst.themes.classifier import lemma_string

    frame = pd.read_csv(shared / "data/storting_questions/storting_questions_1996_2015.csv.gz",
                        usecols=["docId", "question"]).dropna().drop_duplicates("docId")
    docs = [lemma_string(q) for q in frame["question"]]
    for path in sorted((shared / "corpus/seeds").glob("*.txt")):
        words = re.split(r"\s+", path.read_text(encoding="utf-8").strip())
        docs += [lemma_string(" ".join(words[i:i + 150])) for i in range(0, len(words), 120)]
    return docs


def build_space(shared: Path, seed: int, out: Path = SPACE_OUT):
    from policytekst.themes.embedding import LemmaSpace, _default_space

    docs = lemma_documents(shared)
    space = LemmaSpace.fit_fasttext(docs, seed=seed, **SPACE)
    space.save(out)
    _default_space.cache_clear()
    print(f"lemma vectors: {len(docs)} texts, {len(space.vocabulary)} lemmas x {space.dim} -> {out} "
          f"({out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return space


def training_data(shared: Path, labels_dir: Path, themes: list[str]):
    """(texts, label lists, groups) of the training part, and the team's passages as extras."""
    from policytekst.themes.codebook import Codebook
    from policytekst.themes.gold import load_gold
    from policytekst.themes.training import MAIN_THEMES, default_training_passages, weak_labels

    train, _ = load_gold(labels_dir, shared).split()
    team = default_training_passages()
    book = Codebook.default()
    minor = [t for t in themes if t not in MAIN_THEMES]

    def with_weak(texts: list[str], labels: list[list[str]]) -> list[list[str]]:
        marks = weak_labels(texts, book, minor)
        return [[*[x for x in row if x in MAIN_THEMES], *[t for t, m in zip(minor, mk, strict=True) if m == "pos"]]
                for row, mk in zip(labels, marks, strict=True)]

    return (train.texts, with_weak(train.texts, train.labels), train.groups,
            team.texts, with_weak(team.texts, team.labels), train)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--keep-space", action="store_true", help="Reuse the lemma vectors already in data/.")
    args = parser.parse_args(argv)
    if not (args.shared / "corpus" / "seeds").is_dir():
        print(f"real data not found at {args.shared}: the model is trained on it (give --shared)", file=sys.stderr)
        return 2

    import sklearn

    from policytekst.themes.classifier import ThemeClassifier
    from policytekst.themes.codebook import Codebook
    from policytekst.themes.coding import DEFAULT_THEMES
    from policytekst.themes.training import MAIN_THEMES

    started = time.perf_counter()
    if not args.keep_space or not SPACE_OUT.is_file():
        build_space(args.shared, args.seed)
    themes = list(DEFAULT_THEMES)
    texts, labels, groups, extra_texts, extra_labels, train = training_data(args.shared, args.labels, themes)
    book = Codebook.default()
    model = ThemeClassifier(themes=themes, codebook=book.to_dict(), seed=args.seed, **PARAMS)
    model.fit_tuned(texts, labels, groups, extra_texts=extra_texts, extra_y=extra_labels, tune=list(MAIN_THEMES))
    seconds = time.perf_counter() - started
    counts = {t: sum(t in row for row in labels) for t in MAIN_THEMES}
    meta = {"seed": args.seed, "params": PARAMS, "space": SPACE, "n_real_train": len(texts),
            "n_real_storting": train.genres.count("storting"), "n_real_seed": train.genres.count("seed"),
            "n_team": len(extra_texts), "positives_real": counts,
            "thresholds": dict(zip(themes, map(float, model.thresholds_), strict=True)),
            "codebook_weights": dict(zip(themes, map(float, model.codebook_weights_), strict=True)),
            "platt": {t: [round(float(a), 4) for a in model.platt_[j]] for j, t in enumerate(themes)},
            "codebook_fingerprint": book.fingerprint(), "sklearn": sklearn.__version__,
            "python": platform.python_version(), "fit_seconds": round(seconds, 1)}
    model.save(args.out, **meta)
    print(f"saved {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {seconds:.1f} s", file=sys.stderr)
    for key, value in meta.items():
        print(f"  {key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
