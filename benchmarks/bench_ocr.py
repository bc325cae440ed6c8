"""OCR benchmark (issue 12, item 6): word accuracy on simulated scans and pages per minute.

Scans are made from PDFs of known text (tests/data/ocr/scans.py): each chosen page is rasterised at the given dpi,
skewed slightly (alternately +skew/-skew degrees), given sensor noise, dust and JPEG compression, and rebuilt
into an image-only PDF. ``policytekst.read.ocr.ocr_pages`` reads it back; the original page's text layer is the
truth (running headers, page numbers and footnotes included: they are printed on the page).

Documents
* thesis2010_plain.pdf (../shared generated): the tuning set (defaults were chosen looking at these pages);
* report2009_plain.pdf (../shared generated) and tests/data/ocr/bokmal_page.pdf: held out, measured only here;
* tests/data/ocr/nynorsk_page.pdf: nynorsk, the page the unit test uses.

Figures per document and dpi: word accuracy (1 - word error rate, word-level Levenshtein, micro-averaged over
pages), bag-of-words F1, mean Tesseract confidence, and pages per minute (wall clock, ``--jobs`` workers).

End to end (``--end-to-end NAME``): the whole generated document is scanned, read with ``read_file(ocr=True)``
and run through the pipeline (cleaning, segmenting); the document's running text is compared with the truth's
body_text (word F1 and word-trigram F1, as tests/test_clean_real.py does), beside the same for the original PDF.

Usage: python benchmarks/bench_ocr.py [--pages 6] [--dpi 300 150] [--skew 0.8] [--jobs 2] [--no-deskew]
                                      [--end-to-end report2009_plain --dpi 300]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "data" / "ocr"))
sys.path.insert(0, str(ROOT / "src"))

from benchlib import summary  # noqa: E402
from scans import HERE, make_scan, page_text, word_accuracy, word_f1, words  # noqa: E402

from policytekst.read.ocr import OcrUnavailable, check_ocr, ocr_pages  # noqa: E402


def body_pages(pdf: Path, count: int) -> list[int]:
    """``count`` pages spread evenly over the document, skipping the first 10% (title page, TOC)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    n = len(document)
    document.close()
    if n <= count:
        return list(range(1, n + 1))
    first = max(1, n // 10)
    step = (n - first) / count
    return sorted({first + int(i * step) + 1 for i in range(count)})


def measure(pdf: Path, pages: list[int], dpi: int, args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        scan = make_scan(pdf, pages, dpi, Path(tmp) / "scan.pdf", seed=7, skew=args.skew, noise=args.noise)
        start = time.perf_counter()
        results = ocr_pages(scan, jobs=args.jobs, deskew=args.deskew)
        seconds = time.perf_counter() - start
    errors = truth_total = 0.0
    f1s, confidences, failed = [], [], 0
    for index, number in enumerate(pages, 1):
        truth = words(page_text(pdf, number))
        result = results.get(index)
        found = words(result.text) if result and not result.error else []
        failed += int(result is None or bool(result.error))
        errors += (1 - word_accuracy(truth, found)) * len(truth)
        truth_total += len(truth)
        f1s.append(word_f1(truth, found))
        if result and result.confidence is not None:
            confidences.append(result.confidence)
    return {"pages": len(pages), "accuracy": 1 - errors / max(truth_total, 1), "f1": sum(f1s) / len(f1s),
            "confidence": sum(confidences) / len(confidences) if confidences else float("nan"),
            "seconds": seconds, "failed": failed, "words": int(truth_total)}


def end_to_end(pdf: Path, dpi: int, args) -> None:
    """Scan a whole document, OCR it through the reader and pipeline, and compare its text with the truth."""
    import pypdfium2 as pdfium

    from policytekst.pipeline import process
    from policytekst.read import read_file

    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))["body_text"]
    document = pdfium.PdfDocument(str(pdf))
    n_pages = len(document)
    document.close()
    tokens = lambda text: re.findall(r"\w+(?:[-'’]\w+)*", text)  # noqa: E731 - the tokens test_clean_real uses
    trigrams = lambda t: [tuple(t[i:i + 3]) for i in range(len(t) - 2)]  # noqa: E731
    gold = tokens(truth)
    original = process(read_file(pdf), "original").text
    with tempfile.TemporaryDirectory() as tmp:
        scan = make_scan(pdf, list(range(1, n_pages + 1)), dpi, Path(tmp) / "scan.pdf", seed=7, skew=args.skew,
                         noise=args.noise)
        start = time.perf_counter()
        raw = read_file(scan, ocr=True)
        seconds = time.perf_counter() - start
        scanned = process(raw, "scan").text
    for label, text in (("text layer", original), (f"scan {dpi} dpi + OCR", scanned)):
        pred = tokens(text)
        print(f"{pdf.stem} {label:22} body word F1 {word_f1(gold, pred):.4f}  "
              f"trigram F1 {word_f1(trigrams(gold), trigrams(pred)):.4f}  ({len(pred)} words, truth {len(gold)})")
    print(f"{pdf.stem}: {n_pages} pages read with OCR in {seconds:.0f} s = {60 * n_pages / seconds:.1f} pages/min; "
          f"warnings: {raw.warnings[-1] if raw.warnings else '-'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--pages", type=int, default=6, help="pages per generated document")
    parser.add_argument("--dpi", type=int, nargs="+", default=[300, 150])
    parser.add_argument("--skew", type=float, default=0.8, help="degrees, alternating sign page by page")
    parser.add_argument("--noise", type=float, default=10.0, help="Gaussian noise, grey levels")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-deskew", dest="deskew", action="store_false",
                        help="do not let OCRmyPDF straighten pages first (faster; worse on skewed scans)")
    parser.add_argument("--only", nargs="*", default=None, help="document names to run (substring match)")
    parser.add_argument("--end-to-end", default=None, metavar="NAME",
                        help="scan a whole generated document (e.g. report2009_plain) and compare with its truth")
    args = parser.parse_args()
    try:
        print("engine:", check_ocr())
    except OcrUnavailable as exc:
        print(f"skipped: {exc}")
        return 0
    generated = args.shared / "corpus" / "pdf" / "generated"
    if args.end_to_end:
        for dpi in args.dpi:
            end_to_end(generated / f"{args.end_to_end}.pdf", dpi, args)
        return 0
    documents = [(HERE / "nynorsk_page.pdf", "test page"), (HERE / "bokmal_page.pdf", "held out")]
    if generated.is_dir():
        documents += [(generated / "thesis2010_plain.pdf", "tuning"), (generated / "report2009_plain.pdf", "held out")]
    else:
        print(f"note: {generated} not found; generated thesis/report pages skipped")
    if args.only:
        documents = [d for d in documents if any(name in d[0].name for name in args.only)]
    print(f"skew ±{args.skew}°, noise σ={args.noise}, deskew={args.deskew}, jobs={args.jobs or 'auto'}")
    print(f"{'document':28} {'set':9} {'dpi':>4} {'pages':>5} {'words':>6} {'accuracy':>8} {'bag F1':>7} "
          f"{'conf':>5} {'pages/min':>9} {'failed':>6}")
    overall: dict[int, list[dict]] = {}
    for pdf, role in documents:
        pages = body_pages(pdf, args.pages)
        for dpi in args.dpi:
            row = measure(pdf, pages, dpi, args)
            overall.setdefault(dpi, []).append(row)
            print(f"{pdf.name:28} {role:9} {dpi:>4} {row['pages']:>5} {row['words']:>6} {row['accuracy']:>8.4f} "
                  f"{row['f1']:>7.4f} {row['confidence']:>5.1f} {60 * row['pages'] / row['seconds']:>9.1f} "
                  f"{row['failed']:>6}", flush=True)
    for dpi, rows in overall.items():
        n_words = sum(r["words"] for r in rows)
        accuracy = sum(r["accuracy"] * r["words"] for r in rows) / max(n_words, 1)
        pages = sum(r["pages"] for r in rows)
        speed = 60 * pages / sum(r["seconds"] for r in rows)
        print(f"all documents at {dpi} dpi: word accuracy {accuracy:.4f} over {n_words} words, "
              f"{pages} pages, {speed:.1f} pages/min")
        summary(f"ocr at {dpi} dpi ({pages} scanned pages)", "word accuracy", accuracy, "")
        summary(f"ocr at {dpi} dpi ({pages} scanned pages)", "pages/min", speed, "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
