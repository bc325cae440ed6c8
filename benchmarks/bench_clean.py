"""Cleaning quality on the real data in ../shared (issue 12: numbers that survive cleaning, no TOC/forms in the text).

Per document (seeds, generated PDFs, the budget proposition, the demo corpus):
- ``digit damage``: whitespace tokens holding a digit in the clean output (every block, any kind) that occur
  nowhere in the raw text: a token the cleaning changed ("1.1" -> "1.", "Tabell 1.7" -> "Tabell.7");
- ``glued``: tokens in the running text that still look like a word with a footnote marker glued on
  ("oppfølging.1", "tjenester3"), with the footnotes the document has;
- ``toc`` / ``form``: lines of the running text (``policytekst text``) that are table-of-contents entries (dot
  leaders or a page-number column) or report-form fields ("E-post", "Telefaks", "ISBN" ...);
- for the generated PDFs, word F1 and word-trigram F1 of the running text against the truth's body text;
- for PDFs with an outline, the share of numbered outline headings ("2.1 Innledning") found as heading blocks.

Usage: python benchmarks/bench_clean.py [--shared ../shared] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from benchlib import summary

from policytekst.textmetrics import bag_f1, trigrams

ROOT = Path(__file__).resolve().parents[1]
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_GLUED = re.compile(r"^[^\W\d_]{3,}[.,;:!?)”\"»]?\d{1,3}[.,;:!?)]?$")
_NUMBERED_TITLE = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\s+\S")
# Judged here independently of the cleaning code under test: a contents entry is a title, dot leaders (or an
# ellipsis) and a page number; a form field is one of the labels of report forms and title-page boxes, at the
# start of a paragraph or followed by a colon.
# (one page number, then the next entry or the end: a table row with leaders has several figures instead)
_TOC_ENTRY = re.compile(r"\w[^.\n]{0,120}?(?:(?:\s?\.){4,}|…+)\s*(?:\d{1,4}|[ivxlc]{1,6})"
                        r"(?=\s*(?:$|\n|\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÆØÅ]|[A-ZÆØÅ<]))")
_FORM_LABEL = (r"(?:e-post|epost|e-mail|telefaks|telefax|faks|telefon|tlf|isbn|issn|tilgjengelighet|prosjektnr|"
               r"rapportnr|oppdragsgiver|oppdragsgivers ref|org\.? ?nr|postadresse|besøksadresse|gradering|"
               r"antall sider|dato|prosjektleder|emneord|nøkkelord)")
_FORM_FIELD = re.compile(rf"(?im)^{_FORM_LABEL}\b\.?[ \t]+[^\n]{{0,60}}[\d@][^\n]{{0,20}}$|\b{_FORM_LABEL}\s*:")


def _strip(token: str) -> str:
    return token.strip(".,;:!?()[]«»”\"'")


def measure(path: Path) -> dict:
    from policytekst.clean.unicode import repair
    from policytekst.pipeline import process
    from policytekst.read import read_file

    start = time.perf_counter()
    raw = read_file(path)
    processed = process(raw, path.stem)
    seconds = time.perf_counter() - start
    # markup a capture carries (Markdown escapes, <sup>/<b> tags) is not part of a token's digits
    unmarked = [re.sub(r"<sup>\s*\d+\s*</sup>", "", re.sub(r"</?(?:b|i|em|strong|span)>|\\", " ", repair(page.text)))
                for page in raw.pages]
    raw_tokens = {_strip(t) for text in unmarked for t in text.split()}
    out_tokens = [_strip(t) for block in processed.blocks for t in block.text.split()]
    damage = sorted({t for t in out_tokens if any(c.isdigit() for c in t) and t not in raw_tokens})
    text = processed.text
    toc = [m.group(0)[:60] for m in _TOC_ENTRY.finditer(text)]
    form = [m.group(0)[:60] for m in _FORM_FIELD.finditer(text)]
    glued = sorted({t for t in text.split() if _GLUED.match(t)})
    result = {"doc": path.name, "seconds": round(seconds, 2), "digit_damage": len(damage),
              "damage_examples": damage[:8], "glued": len(glued), "glued_examples": glued[:8],
              "footnotes": sum(1 for b in processed.blocks if b.kind == "footnote"),
              "toc_lines": len(toc), "toc_examples": toc[:3], "form_lines": len(form), "form_examples": form[:3]}
    outline = raw.facts.get("outline") or []
    numbered = [o["title"] for o in outline if _NUMBERED_TITLE.match(o.get("title") or "")]
    if numbered:
        headings = {" ".join(b.text.split()) for b in processed.blocks if b.kind == "heading"}
        found = sum(1 for t in numbered if " ".join(t.split()) in headings)
        result["numbered_headings"] = f"{found}/{len(numbered)}"
    truth_path = path.with_suffix(".truth.json")
    if truth_path.is_file():
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        pred, gold = _WORD.findall(text), _WORD.findall(truth["body_text"])
        result["word_f1"] = round(bag_f1(pred, gold), 4)
        result["trigram_f1"] = round(bag_f1(trigrams(pred), trigrams(gold)), 4)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--only", default="")
    parser.add_argument("--json", action="store_true", help="one JSON line per document")
    args = parser.parse_args()
    corpus = args.shared / "corpus"
    paths = sorted((corpus / "seeds").glob("*.txt")) + sorted((corpus / "pdf" / "generated").glob("*.pdf"))
    paths += [corpus / "pdf" / "real" / "prop_1_LS_2025-2026.pdf"]
    paths += sorted(p for p in (ROOT / "corpus").iterdir() if p.suffix in (".pdf", ".md", ".txt", ".html", ".docx"))
    totals: Counter = Counter()
    for path in paths:
        if args.only and args.only not in path.name or not path.is_file():
            continue
        result = measure(path)
        for key in ("digit_damage", "glued", "toc_lines", "form_lines"):
            totals[key] += result[key]
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
            continue
        extra = "".join(f"  {k}={result[k]}" for k in ("word_f1", "trigram_f1", "numbered_headings") if k in result)
        print(f"{result['doc'][:44]:44} damage={result['digit_damage']:<3} glued={result['glued']:<3} "
              f"notes={result['footnotes']:<4} toc={result['toc_lines']:<3} form={result['form_lines']:<3}"
              f"{extra}", flush=True)
        for key in ("damage_examples", "glued_examples", "toc_examples", "form_examples"):
            if result[key]:
                print(f"    {key}: {result[key]}")
    print("totals: " + ", ".join(f"{k}={v}" for k, v in totals.items()))
    for key, value in totals.items():
        summary("cleaning, real captures and PDFs", f"{key} (lines or words left)", value, "as low as possible")
    return 0


if __name__ == "__main__":
    sys.exit(main())
