#!/usr/bin/env python
"""Rebuild the theme model shipped in the package (src/policytekst/themes/data/default_model.joblib).

Training data: src/policytekst/themes/data/train_passages.jsonl — passages the team wrote and labelled itself
(no text from ../shared), expanded into longer composites, plus codebook weak labels for the minor themes
(see policytekst.themes.training.build_default_training_set). The dev set of seed spans is never used here.

    .venv/bin/python scripts/train_default_theme_model.py [--seed 0] [--out PATH]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "policytekst" / "themes" / "data" / "default_model.joblib"

# The parameters of the shipped model, recorded inside it.
PARAMS = {"C": 4.0, "char_ngrams": False, "codebook_features": True, "calibration": None,
          "class_weight": None, "codebook_weight": 0.5, "threshold": 0.5}
N_COMPOSITES = 2
BAG_SEEDS = 5  # one model per augmentation seed, probabilities averaged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    import sklearn

    from policytekst.themes.classifier import ThemeClassifier
    from policytekst.themes.codebook import Codebook
    from policytekst.themes.coding import DEFAULT_THEMES
    from policytekst.themes.training import build_bagged_training_set, default_training_passages

    book = Codebook.default()
    themes = list(DEFAULT_THEMES)
    started = time.perf_counter()
    seeds = [args.seed * BAG_SEEDS + k for k in range(BAG_SEEDS)]
    data = build_bagged_training_set(book, themes, seeds=seeds, n_composites=N_COMPOSITES)
    model = ThemeClassifier(themes=themes, codebook=book.to_dict(), seed=args.seed, **PARAMS)
    model.fit(data.texts, data.labels, bags=data.bags)
    seconds = time.perf_counter() - started
    counts = {t: sum(t in row for row in data.labels) for t in themes}  # over all bags
    meta = {"seed": args.seed, "bag_seeds": seeds, "params": PARAMS, "n_composites": N_COMPOSITES,
            "n_hand_labelled": len(default_training_passages()), "n_train": len(data),
            "positives": counts, "sklearn": sklearn.__version__, "python": platform.python_version(),
            "fit_seconds": round(seconds, 1)}
    model.save(args.out, **meta)
    print(f"saved {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {seconds:.1f} s", file=sys.stderr)
    for key, value in meta.items():
        print(f"  {key}: {value}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
