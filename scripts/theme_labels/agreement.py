#!/usr/bin/env python
"""Agreement between the first and the second (blind) reading of the theme labels: Cohen's kappa per theme.

Reads labels/themes/first_*.jsonl and second.jsonl (ids and labels only) and writes labels/themes/agreement.md:
per main theme Cohen's kappa (sklearn ``cohen_kappa_score``), raw agreement, positives in each reading, the two
kinds of disagreement, and the same over "none". Needs no text (agreement is about the labels alone).

    python scripts/theme_labels/agreement.py [--labels labels/themes] [--out labels/themes/agreement.md]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from policytekst.tables import to_markdown_table
from policytekst.themes.gold import read_readings
from policytekst.themes.training import MAIN_THEMES

ROOT = Path(__file__).resolve().parents[2]


def agreement_table(first: dict[str, list[str]], second: dict[str, list[str]]) -> pd.DataFrame:
    ids = sorted(set(first) & set(second))
    rows = []
    for theme in [*MAIN_THEMES, "none"]:
        def has(labels: list[str], theme: str = theme) -> int:
            return int(not labels) if theme == "none" else int(theme in labels)
        a = np.array([has(first[i]) for i in ids])
        b = np.array([has(second[i]) for i in ids])
        kappa = cohen_kappa_score(a, b) if len(set(a) | set(b)) > 1 else float("nan")
        rows.append({"theme": theme, "n": len(ids), "kappa": round(float(kappa), 3),
                     "agreement": round(float((a == b).mean()), 3) if len(ids) else float("nan"),
                     "pos_first": int(a.sum()), "pos_second": int(b.sum()),
                     "first_only": int(((a == 1) & (b == 0)).sum()), "second_only": int(((a == 0) & (b == 1)).sum())})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", type=Path, default=ROOT / "labels/themes")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    out = args.out or args.labels / "agreement.md"
    first = read_readings(sorted(args.labels.glob("first_*.jsonl")))
    second = read_readings([args.labels / "second.jsonl"])
    table = agreement_table(first, second)
    exact = sum(first[i] == second[i] for i in set(first) & set(second))
    n = int(table["n"].iloc[0])
    text = ("# Agreement of the theme labels (first vs second, blind reading)\n\n"
            f"{n} passages read twice (of {len(second)} second readings; the rest lack a first reading yet). "
            f"Identical label sets: {exact} ({exact / max(n, 1):.1%}).\n"
            "Cohen's kappa per theme (scikit-learn `cohen_kappa_score`, presence vs absence), raw agreement, "
            "positives per reading and the two kinds of disagreement. Disagreements are settled by the adjudicator "
            "(labels/themes/adjudicated.jsonl, with a reason each).\n\n"
            + to_markdown_table(table) + "\n\n"
            "Command: `python scripts/theme_labels/agreement.py` (PYTHONPATH=src).\n")
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
