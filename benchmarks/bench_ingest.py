"""Ingest benchmarks (issue 2), reported as ratios against a baseline measured in the same run.

1. The 419-page budget proposition: pages/second of a full policytekst ingest vs raw pypdfium2 text extraction.
2. The 32,315-row Storting questions CSV: documents/second and peak memory, for a quarter of the rows and for all
   of them, each in a fresh process; flat memory means the two peaks are about equal.

Usage: python benchmarks/bench_ingest.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def raw_pdfium_seconds(pdf: Path) -> tuple[float, int]:
    import pypdfium2 as pdfium

    start = time.perf_counter()
    doc = pdfium.PdfDocument(str(pdf))
    for index in range(len(doc)):
        page = doc[index]
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    n = len(doc)
    doc.close()
    return time.perf_counter() - start, n


def ingest_seconds(paths: list[Path], **options) -> tuple[float, dict]:
    from policytekst import Corpus

    with tempfile.TemporaryDirectory() as tmp, Corpus(Path(tmp) / "c", create=True) as corpus:
        start = time.perf_counter()
        counts = corpus.ingest(paths, progress=False, **options)
        return time.perf_counter() - start, counts


def child_ingest_table(csv_path: str) -> None:
    """Run in a fresh process: ingest one table and print seconds, documents and peak RSS as JSON."""
    seconds, counts = ingest_seconds([Path(csv_path)], text_column="question", id_column="docId",
                                     date_column="dateAsked", meta_columns=["type", "fromParty"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def table_run(csv_path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child-table", str(csv_path)], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--child-table")
    args = parser.parse_args()
    if args.child_table:
        child_ingest_table(args.child_table)
        return
    pdf = args.shared / "corpus/pdf/real/prop_1_LS_2025-2026.pdf"
    table = args.shared / "data/storting_questions/storting_questions_1996_2015.csv.gz"
    if not pdf.exists():
        sys.exit(f"shared data not found at {args.shared}")

    raw, pages = raw_pdfium_seconds(pdf)
    ours, _ = ingest_seconds([pdf])
    print(f"PDF {pdf.name}: {pages} pages")
    print(f"  raw pypdfium2 text extraction: {raw:6.2f} s  {pages / raw:7.1f} pages/s")
    print(f"  policytekst ingest (clean+store): {ours:6.2f} s  {pages / ours:7.1f} pages/s")
    print(f"  speed ratio ingest/raw: {raw / ours:.2f}  (target >= 0.40)")

    with tempfile.TemporaryDirectory() as tmp:
        quarter = Path(tmp) / "quarter.csv"
        with gzip.open(table, "rt", encoding="utf-8", newline="") as src, open(quarter, "w", newline="") as dst:
            reader = csv.DictReader(src)
            writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
            writer.writeheader()
            n_total = 0
            for i, row in enumerate(reader):
                n_total += 1
                if i % 4 == 0:
                    writer.writerow(row)
        small = table_run(quarter)
        full = table_run(table)
    n_small = (n_total + 3) // 4
    print(f"Storting questions CSV: {n_total} rows")
    print(f"  quarter ({n_small} rows): {small['seconds']:6.1f} s  {n_small / small['seconds']:7.0f} docs/s  "
          f"peak {small['peak_mb']:.0f} MB")
    print(f"  all     ({n_total} rows): {full['seconds']:6.1f} s  {n_total / full['seconds']:7.0f} docs/s  "
          f"peak {full['peak_mb']:.0f} MB  (targets: < 60 s, < 500 MB)")
    print(f"  peak memory ratio all/quarter: {full['peak_mb'] / small['peak_mb']:.2f}  (flat memory: about 1.0)")


if __name__ == "__main__":
    main()
