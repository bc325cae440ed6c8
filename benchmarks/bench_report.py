"""Time `policytekst report` on the 32,315 Storting questions (../shared), per section, against a baseline.

Baseline in the same run: the same report on every 8th question (about 4,000 documents). The ratio of the two
times against the ratio of sizes (8x) shows how the report scales. Each report is built in a fresh process that
measures its own peak memory, first "cold" (the corpus's theme scores and lemmas cleared: what the first report
after an ingest costs) and then "warm" (reading them back). Corpora are kept under --work, so a second run skips
the ingest (incremental). Targets (issue 19): the full report < 30 s and < 600 MB peak.

    .venv/bin/python benchmarks/bench_report.py                 # full + 1/8 baseline
    .venv/bin/python benchmarks/bench_report.py --only-sample   # quick: baseline only
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from pathlib import Path

from benchlib import context, in_child, summary

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


def ingest(name: str, source: Path, work: Path) -> None:
    from policytekst import Corpus

    with Corpus(work / name / "corpus", create=True) as corpus:
        corpus.ingest([source], progress=False, workers=2, **OPTIONS)


def child_report(folder: str, cold: bool, k: int, seed: int) -> None:
    """In a fresh process: build the report (after clearing the corpus's caches when ``cold``); print JSON."""
    import sqlite3

    from benchlib import peak_mb

    from policytekst import Corpus
    from policytekst.report import ReportParams, build_report

    corpus_dir = Path(folder) / "corpus"
    if cold:
        with sqlite3.connect(corpus_dir / "corpus.sqlite") as conn:
            for table in ("theme_score_cache", "passage_lemmas"):
                try:
                    conn.execute(f"DELETE FROM {table}")
                except sqlite3.OperationalError:  # not made yet
                    pass
    with Corpus.open(corpus_dir) as corpus:
        status = corpus.status()
        result = build_report(corpus, Path(folder) / "report", ReportParams(k=k, seed=seed))
    print(json.dumps({"documents": status["documents"], "passages": status["passages"],
                      "report_seconds": round(result.seconds, 1), "peak_mb": round(peak_mb()),
                      "sections": {s.key: (s.status, round(s.seconds, 1)) for s in result.sections},
                      "html_mb": round(result.path.stat().st_size / 1e6, 2)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench_report")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only-sample", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "COLD"))
    args = parser.parse_args()
    if args.child:
        child_report(args.child[0], args.child[1] == "cold", args.k, args.seed)
        return 0
    if not CSV.is_file():
        print(f"skipped: Storting questions not found at {CSV}")
        return 0
    context()
    names = [("sample_every_8th", sample_csv(CSV, args.work / "storting_every_8th.csv", 8))]
    if not args.only_sample:
        names.append(("full", CSV))
    runs = {}
    for name, source in names:
        ingest(name, source, args.work)
        for state in ("cold", "warm"):
            found = in_child([__file__, "--child", str(args.work / name), state, "--k", str(args.k),
                              "--seed", str(args.seed)])
            runs[(name, state)] = found
            print(f"{name:>17} {state}: {found['documents']:>6} docs {found['passages']:>6} passages | report "
                  f"{found['report_seconds']:>6.1f} s | peak {found['peak_mb']:>5} MB | html {found['html_mb']} MB",
                  flush=True)
            print("   sections: " + ", ".join(f"{k} {v[1]} s ({v[0]})" for k, v in found["sections"].items()))
    if not args.only_sample:
        for state in ("cold", "warm"):
            base, full = runs[("sample_every_8th", state)], runs[("full", state)]
            size = full["passages"] / max(base["passages"], 1)
            scale = full["report_seconds"] / max(base["report_seconds"], 1e-9)
            print(f"{state}: full/sample {scale:.2f}x time for {size:.2f}x passages (1.0 = linear: {scale / size:.2f})")
            summary(f"report 32k questions ({state})", "seconds", full["report_seconds"], "< 30 s")
            summary(f"report 32k questions ({state})", "peak MB (child)", full["peak_mb"], "< 600 MB")
            summary(f"report 32k questions ({state})", "time scaling / size scaling vs 1/8 sample", scale / size,
                    "<= 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
