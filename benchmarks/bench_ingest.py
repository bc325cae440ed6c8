"""Ingest benchmarks (issues 2 and 19), each a ratio against the raw library measured in the same run.

1. The 419-page budget proposition: policytekst ingest in-process vs raw pypdfium2 text extraction in-process
   (medians of alternating runs; target: speed >= 0.6 of raw), and the whole `policytekst ingest` command vs a
   script doing the raw extraction (fresh processes both; target: within 2x).
2. The 32,315-row Storting questions CSV: documents/second and peak memory of a table ingest vs pandas
   ``read_csv`` + ``to_sql`` of the same rows, for a quarter of the rows and for all of them, each run in a fresh
   process that measures its own peak (target: >= 5,000 docs/s; flat memory: the two peaks about equal).

Usage: python benchmarks/bench_ingest.py [--repeats 3] [--skip-pdf] [--skip-table]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import SHARED, alternate, context, in_child, peak_mb, ratio, summary

PDF = SHARED / "corpus/pdf/real/prop_1_LS_2025-2026.pdf"
TABLE = SHARED / "data/storting_questions/storting_questions_1996_2015.csv.gz"
TABLE_OPTIONS = {"text_column": "question", "id_column": "docId", "date_column": "dateAsked",
                 "meta_columns": ["type", "fromParty"]}
RAW_SCRIPT = """import sys, pypdfium2 as pdfium
doc = pdfium.PdfDocument(sys.argv[1])
for index in range(len(doc)):
    page = doc[index]; textpage = page.get_textpage(); textpage.get_text_range(); textpage.close(); page.close()
doc.close()
"""


def raw_pdfium(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    for index in range(len(doc)):
        page = doc[index]
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    n = len(doc)
    doc.close()
    return n


def ours_in_process(paths: list[Path], **options) -> float:
    """Seconds of the ingest alone (the corpus folder is made before the clock starts)."""
    from policytekst import Corpus

    with tempfile.TemporaryDirectory() as tmp, Corpus(Path(tmp) / "c", create=True) as corpus:
        start = time.perf_counter()
        corpus.ingest(paths, progress=False, **options)
        return time.perf_counter() - start


def child_table(kind: str, csv_path: str) -> None:
    """In a fresh process: ingest one table (ours or pandas) and print seconds, rows and this process's peak."""
    cpu = time.process_time()
    if kind == "ours":
        seconds = ours_in_process([Path(csv_path)], **TABLE_OPTIONS)
    else:
        import pandas as pd

        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            frame = pd.read_csv(csv_path)
            with sqlite3.connect(Path(tmp) / "raw.sqlite") as conn:
                frame.to_sql("documents", conn, index=False)
            seconds = time.perf_counter() - start
    # CPU seconds beside the wall clock: on a machine shared by many processes the CPU time is the steadier figure
    print(json.dumps({"seconds": seconds, "cpu_seconds": time.process_time() - cpu, "peak_mb": peak_mb()}))


def table_runs(csv_path: Path, repeats: int) -> dict[str, dict]:
    runs: dict[str, list[dict]] = {"ours": [], "pandas": []}
    for _ in range(repeats):
        for kind in runs:
            runs[kind].append(in_child([__file__, "--child-table", kind, str(csv_path)]))
    return {kind: {"seconds": statistics.median(r["seconds"] for r in found),
                   "cpu_seconds": statistics.median(r["cpu_seconds"] for r in found),
                   "peak_mb": max(r["peak_mb"] for r in found)} for kind, found in runs.items()}


def bench_pdf(repeats: int) -> None:
    pages = raw_pdfium(PDF)
    times = alternate({"raw": lambda: raw_pdfium(PDF), "ours": lambda: ours_in_process([PDF])}, repeats=repeats,
                      warmup=1)  # modules imported on first use: start-up, not ingest speed
    speed = ratio(times["raw"], times["ours"])
    print(f"PDF {PDF.name}: {pages} pages (medians of {repeats} alternating runs, in-process)")
    print(f"  raw pypdfium2 text extraction: {times['raw']:6.2f} s  {pages / times['raw']:7.1f} pages/s")
    print(f"  policytekst ingest (clean+store): {times['ours']:6.2f} s  {pages / times['ours']:7.1f} pages/s")
    print(f"  speed of ingest / raw: {speed:.2f}  (target >= 0.60)")
    summary("pdf ingest, in-process", "speed / raw pypdfium2", speed, ">= 0.60")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "raw.py"
        script.write_text(RAW_SCRIPT)
        count = iter(range(10**6))

        def command() -> None:
            subprocess.run([sys.executable, "-m", "policytekst", "ingest", str(PDF), "--corpus",
                            str(Path(tmp) / f"c{next(count)}")], check=True, capture_output=True)

        whole = alternate({"raw": lambda: subprocess.run([sys.executable, str(script), str(PDF)], check=True),
                           "ours": command}, repeats=repeats)
    factor = ratio(whole["ours"], whole["raw"])
    print(f"  whole command {whole['ours']:.2f} s vs raw script {whole['raw']:.2f} s: {factor:.2f}x  (target <= 2x)")
    summary("pdf ingest, whole command", "time / raw script", factor, "<= 2.0")


def bench_table(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        quarter = Path(tmp) / "quarter.csv"
        with gzip.open(TABLE, "rt", encoding="utf-8", newline="") as src, open(quarter, "w", newline="") as dst:
            reader = csv.DictReader(src)
            writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
            writer.writeheader()
            n_total = 0
            for i, row in enumerate(reader):
                n_total += 1
                if i % 4 == 0:
                    writer.writerow(row)
        small = table_runs(quarter, repeats)
        full = table_runs(TABLE, repeats)
    n_small = (n_total + 3) // 4
    print(f"Storting questions CSV: {n_total} rows (medians of {repeats} alternating runs; peaks measured in "
          "each child)")
    for label, n, found in (("quarter", n_small, small), ("all", n_total, full)):
        ours, raw = found["ours"], found["pandas"]
        print(f"  {label:7s} ({n:5d} rows): ours {ours['seconds']:6.1f} s (cpu {ours['cpu_seconds']:6.1f} s) "
              f"{n / ours['seconds']:7.0f} docs/s peak {ours['peak_mb']:4.0f} MB | pandas read_csv+to_sql "
              f"{raw['seconds']:5.2f} s (cpu {raw['cpu_seconds']:5.2f} s) peak {raw['peak_mb']:4.0f} MB | "
              f"time ratio {ours['seconds'] / raw['seconds']:5.1f}x, cpu ratio "
              f"{ours['cpu_seconds'] / raw['cpu_seconds']:5.1f}x")
    rate = n_total / full["ours"]["seconds"]
    summary("csv ingest, 32k rows", "docs per CPU second", n_total / full["ours"]["cpu_seconds"], ">= 5000")
    flat = full["ours"]["peak_mb"] / small["ours"]["peak_mb"]
    print(f"  peak memory all/quarter: {flat:.2f}  (flat memory: about 1.0)")
    summary("csv ingest, 32k rows", "docs/s", rate, ">= 5000")
    summary("csv ingest, 32k rows", "time / pandas read_csv+to_sql",
            ratio(full["ours"]["seconds"], full["pandas"]["seconds"]), "(was 22x)")
    summary("csv ingest, 32k rows", "peak MB all / quarter", flat, "~1.0")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--skip-table", action="store_true")
    parser.add_argument("--child-table", nargs=2, metavar=("KIND", "CSV"))
    args = parser.parse_args()
    if args.child_table:
        child_table(*args.child_table)
        return
    if not PDF.exists():
        sys.exit(f"shared data not found at {SHARED}")
    context(["pyarrow"])
    if not args.skip_pdf:
        bench_pdf(args.repeats)
    if not args.skip_table:
        bench_table(args.repeats)


if __name__ == "__main__":
    main()
