"""Time `policytekst report` on the 32,315 Storting questions (../shared), per section, against a baseline.

Baseline in the same process: the same report on every 8th question (about 4,000 documents). The ratio of the two
times against the ratio of sizes (8x) shows how the report scales. Corpora are kept under --work, so a second run
skips ingest (incremental) and lemma computation (cached in the corpus).

    .venv/bin/python benchmarks/bench_report.py                 # full + 1/8 baseline
    .venv/bin/python benchmarks/bench_report.py --only-sample   # quick: baseline only
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT.parent / "shared" / "data" / "storting_questions" / "storting_questions_1996_2015.csv.gz"
OPTIONS = {"text_column": "question", "id_column": "docId", "date_column": "dateAsked",
           "meta_columns": ["type", "fromParty", "toDepMinister"]}


def sample_csv(source: Path, target: Path, every: int) -> Path:
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(source, "rt", encoding="utf-8", newline="") as src, open(target, "w", newline="",
                                                                           encoding="utf-8") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for i, row in enumerate(reader):
            if i % every == 0:
                writer.writerow(row)
    return target


def build(name: str, source: Path, work: Path, params) -> dict:
    from policytekst import Corpus
    from policytekst.report import build_report

    corpus = Corpus(work / name / "corpus", create=True)
    started = time.perf_counter()
    corpus.ingest([source], progress=False, workers=2, **OPTIONS)
    ingest = time.perf_counter() - started
    result = build_report(corpus, work / name / "report", params)
    status = corpus.status()
    corpus.close()
    return {"name": name, "documents": status["documents"], "passages": status["passages"],
            "ingest_seconds": round(ingest, 1), "report_seconds": round(result.seconds, 1),
            "sections": {s.key: (s.status, round(s.seconds, 1)) for s in result.sections},
            "html_mb": round(result.path.stat().st_size / 1e6, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench_report")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only-sample", action="store_true")
    args = parser.parse_args()
    if not CSV.is_file():
        print(f"skipped: Storting questions not found at {CSV}")
        return 0
    from policytekst.report import ReportParams

    params = ReportParams(k=args.k, seed=args.seed)
    runs = [build("sample_every_8th", sample_csv(CSV, args.work / "storting_every_8th.csv", 8), args.work, params)]
    if not args.only_sample:
        runs.append(build("full", CSV, args.work, params))
    print(f"python {platform.python_version()}, params {json.dumps(params.to_dict())}")
    for run in runs:
        print(f"{run['name']:>17}: {run['documents']:>6} docs {run['passages']:>6} passages | ingest "
              f"{run['ingest_seconds']:>7.1f} s | report {run['report_seconds']:>7.1f} s | html {run['html_mb']} MB")
        print("   sections: " + ", ".join(f"{k} {v[1]} s ({v[0]})" for k, v in run["sections"].items()))
    if len(runs) == 2:
        base, full = runs
        size = full["passages"] / max(base["passages"], 1)
        print(f"ratio full/sample: {full['report_seconds'] / max(base['report_seconds'], 1e-9):.2f}x time for "
              f"{size:.2f}x passages (1.0 = linear scaling)"
              f" -> {full['report_seconds'] / max(base['report_seconds'], 1e-9) / size:.2f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
