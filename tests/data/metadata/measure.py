"""Title/author accuracy against gold.json: python tests/data/metadata/measure.py [--verbose] [--group G]

Reads every document the gold file names (../shared ones skipped when ../shared is absent), runs the pipeline on
it without a metadata sidecar (so the demo corpus is measured on its own text, not on metadata.csv), and prints
per group: title accuracy (strict: title alone; lenient: title + subtitle together match the gold's), subtitle,
author, corporate-author and series accuracy. Uses only stable API (read_file, pipeline.process), so the same
command measures an older checkout: PYTHONPATH=/path/to/old/src python tests/data/metadata/measure.py
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SHARED = Path(os.environ.get("POLICYTEKST_SHARED", ROOT.parent / "shared"))
BASES = {"shared": SHARED, "demo": ROOT / "corpus", "own": HERE / "docs"}


def norm(text: str | None) -> str:
    return re.sub(r"[\W_]+", " ", (text or "").lower()).strip()


def predict(path: Path) -> dict:
    """The pipeline's own title, subtitle, authors, corporate authors and series for one file (no sidecar)."""
    from policytekst.pipeline import process
    from policytekst.read import read_file

    doc = process(read_file(path), path.stem).doc
    fields = doc.fields
    value = lambda name: (fields.get(name) or {}).get("value")  # noqa: E731
    return {"title": doc.title, "subtitle": value("subtitle"), "authors": list(doc.authors or []),
            "corporate": value("corporate_authors") or [], "series": value("series"),
            "title_rule": (fields.get("title") or {}).get("rule") or (fields.get("title") or {}).get("source"),
            "author_rule": (fields.get("authors") or {}).get("rule") or (fields.get("authors") or {}).get("source"),
            "stem": path.stem}


def score(gold: dict, pred: dict) -> dict[str, bool]:
    """Per-document checks; a check is absent when the gold does not score it."""
    out: dict[str, bool] = {}
    if gold["title"] is None:  # no title printed: any short title but the file name
        ok = bool(pred["title"]) and norm(pred["title"]) != norm(pred["stem"])
        out["title"] = out["title_lenient"] = ok
    else:
        out["title"] = norm(pred["title"]) == norm(gold["title"])
        whole = norm(f"{gold['title']} {gold.get('subtitle') or ''}")
        out["title_lenient"] = out["title"] or norm(f"{pred['title']} {pred['subtitle'] or ''}") == whole
    if "subtitle" in gold:
        out["subtitle"] = norm(pred["subtitle"]) == norm(gold["subtitle"])
    out["authors"] = [norm(a) for a in pred["authors"]] == [norm(a) for a in gold["authors"]]
    if gold.get("corporate"):
        out["corporate"] = [norm(a) for a in pred["corporate"]] == [norm(a) for a in gold["corporate"]]
    if "series" in gold:
        out["series"] = norm(pred["series"]) == norm(gold["series"])
    return out


def measure(groups: list[str] | None = None, verbose: bool = False) -> dict[str, dict[str, tuple[int, int]]]:
    """{group: {check: (right, total)}}; own documents are split into "own" (tuned on) and "holdout"."""
    gold = json.loads((HERE / "gold.json").read_text(encoding="utf-8"))
    holdout = set(gold.get("holdout", []))
    results: dict[str, dict[str, list[int]]] = {}
    for group, base in BASES.items():
        if groups and group not in groups and not (group == "own" and "holdout" in groups):
            continue
        if group == "shared" and not SHARED.is_dir():
            print(f"skipping shared documents: {SHARED} not found", file=sys.stderr)
            continue
        for name, entry in gold[group].items():
            bucket = "holdout" if group == "own" and name in holdout else group
            if groups and bucket not in groups:
                continue
            pred = predict(base / name)
            checks = score(entry, pred)
            for check, ok in checks.items():
                tally = results.setdefault(bucket, {}).setdefault(check, [0, 0])
                tally[0] += ok
                tally[1] += 1
            if verbose and not all(checks.values()):
                wrong = [c for c, ok in checks.items() if not ok]
                print(f"  {bucket}/{name}: wrong {wrong}: title={pred['title']!r} subtitle={pred['subtitle']!r} "
                      f"authors={pred['authors']} corporate={pred['corporate']} series={pred['series']!r} "
                      f"[{pred['title_rule']}/{pred['author_rule']}]")
    return {g: {c: (r, t) for c, (r, t) in checks.items()} for g, checks in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--group", action="append", choices=["shared", "demo", "own", "holdout"])
    args = parser.parse_args()
    import warnings

    warnings.filterwarnings("ignore")
    table = measure(args.group, args.verbose)
    checks = ["title", "title_lenient", "subtitle", "authors", "corporate", "series"]
    print(f"{'group':<9}" + "".join(f"{c:>15}" for c in checks))
    total: dict[str, list[int]] = {}
    for group, row in table.items():
        cells = []
        for c in checks:
            r, t = row.get(c, (0, 0))
            total.setdefault(c, [0, 0])
            total[c][0] += r
            total[c][1] += t
            cells.append(f"{r}/{t} {r / t:.0%}" if t else "-")
        print(f"{group:<9}" + "".join(f"{cell:>15}" for cell in cells))
    print(f"{'all':<9}" + "".join(f"{f'{r}/{t} {r / t:.0%}' if t else '-':>15}" for r, t in total.values()))


if __name__ == "__main__":
    main()
