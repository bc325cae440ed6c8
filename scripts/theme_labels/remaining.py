#!/usr/bin/env python
"""How many positives of each main theme are left unread in ../shared: the evidence for the label counts of issue 13.

Every unit the pool draws from (Storting questions of 20 words or more, seed-capture windows; see make_pool.py) is
either read (in labels/themes/pool.jsonl, with its final label) or unread. Per main theme this writes, to
labels/themes/remaining.md: the positives found so far, the codebook hits read and unread, and, over the unread
units, the shipped model's expected positives (the sum of its calibrated probabilities) and how many it would label,
and an estimate that needs no model: the positives of the random samples of unread Storting questions (strata
``r5random`` and ``r6random``, each drawn from what was unread then) scaled to the unread questions, with a 95 %
Clopper-Pearson interval. Both estimate what a reading of every unread unit would find; the model's with its
calibration error (labels/themes/evaluation.md).

    PYTHONPATH=src python scripts/theme_labels/remaining.py [--shared ../shared]
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pandas as pd
from make_pool import MAIN, ROOT, seed_units, storting_units

from policytekst.tables import to_markdown_table
from policytekst.themes import Codebook, default_model
from policytekst.themes.gold import final_labels


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval of a rate of ``k`` in ``n``."""
    from scipy.stats import beta

    tail = (1 - level) / 2
    low = beta.ppf(tail, k, n - k + 1) if k else 0.0
    high = beta.ppf(1 - tail, k + 1, n - k) if k < n else 1.0
    return float(low), float(high)


def remaining_table(units: list[dict], labels: dict[tuple[str, str, int], list[str]],
                    random_sample: list[list[str]], unread_storting: int) -> pd.DataFrame:
    texts = [" ".join(u["text"].split()) for u in units]
    read = [(u["source"], u["doc"], u["start"]) in labels for u in units]
    book = Codebook.default()
    hits = [book.score(t) for t in texts]
    model = default_model()
    proba = model.predict_proba(texts)
    themes = list(model.themes_)
    unread = [i for i, r in enumerate(read) if not r]
    rows = []
    for theme in MAIN:
        j = themes.index(theme)
        k, n = sum(theme in labs for labs in random_sample), len(random_sample)
        low, high = clopper_pearson(k, n) if n else (float("nan"), float("nan"))
        rows.append({
            "theme": theme,
            "positives_found": sum(theme in labs for labs in labels.values()),
            "codebook_hits_read": sum(1 for i, r in enumerate(read) if r and hits[i][theme] > 0),
            "codebook_hits_unread": sum(1 for i in unread if hits[i][theme] > 0),
            "unread_expected_positives": round(float(proba[unread, j].sum()), 1),
            "unread_model_labels": int((proba[unread, j] >= model.thresholds_[j]).sum()),
            "random_sample": f"{k} of {n}",
            "unread_estimate": round(k / n * unread_storting) if n else float("nan"),
            "unread_estimate_95": f"{round(low * unread_storting)}-{round(high * unread_storting)}",
        })
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "labels/themes/remaining.md")
    args = ap.parse_args()
    if not (args.shared / "data/storting_questions").is_dir():
        ap.exit(2, f"remaining.py: error: real data not found at {args.shared} (give --shared)\n")
    labels_dir = ROOT / "labels/themes"
    final = final_labels(labels_dir)
    pool = [json.loads(x) for x in (labels_dir / "pool.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = {(r["source"], r["doc"], r["start"]): final[r["id"]] for r in pool if r["id"] in final}
    random_sample = [final[r["id"]] for r in pool if re.fullmatch(r"r\d+random", r["stratum"]) and r["id"] in final]
    dev = [json.loads(x) for x in (ROOT / "tests/data/theme_dev_labels.jsonl").read_text().splitlines() if x]
    units = storting_units(args.shared) + seed_units(args.shared, dev)
    unread = [u["source"] for u in units if (u["source"], u["doc"], u["start"]) not in labels]
    n_read, unread_storting, seeds_unread = len(units) - len(unread), unread.count("storting"), unread.count("seed")
    table = remaining_table(units, labels, random_sample, unread_storting)
    args.out.write_text(
        "# Theme positives left unread in ../shared\n\n"
        f"{len(units)} units the pool draws from ({sum(u['source'] == 'storting' for u in units)} Storting "
        f"questions of 20+ words, the rest seed-capture windows); {n_read} read, {len(units) - n_read} unread "
        f"({seeds_unread} of them seed windows). Positives found: final labels of the read units. Over the unread "
        "units: the shipped model's expected positives (sum of calibrated probabilities) and the units it labels "
        "with the theme; then the positives of the random samples of unread Storting questions (strata "
        f"r5random, r6random) and what that rate gives over the {unread_storting} unread Storting questions, "
        "with a 95 % Clopper-Pearson interval.\n\n"
        + to_markdown_table(table)
        + "\n\nCommand: `PYTHONPATH=src python scripts/theme_labels/remaining.py`.\n",
        encoding="utf-8")
    print(table.to_string(index=False))
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
