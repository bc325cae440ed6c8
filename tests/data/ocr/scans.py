"""Simulated scans and OCR metrics, shared by tests/test_ocr.py and benchmarks/bench_ocr.py.

A "scan" is made from a PDF of known text: each page is rasterised (pdftoppm, or pypdfium2 when poppler is
absent), turned grey, rotated by a slight skew, given sensor noise and dust specks, JPEG-compressed as a scanner
would, and put back into a PDF that holds only the images. The original page's text layer is the truth.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from policytekst.textmetrics import bag_f1

HERE = Path(__file__).resolve().parent
NYNORSK_PDF = HERE / "nynorsk_page.pdf"


def render_page(pdf: Path, number: int, dpi: int) -> Image.Image:
    """Rasterise one 1-based page of a PDF at ``dpi`` as a greyscale image."""
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            prefix = Path(tmp) / "page"
            subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-gray", "-png",
                            "-singlefile", str(pdf), str(prefix)], check=True, capture_output=True)
            with Image.open(prefix.with_suffix(".png")) as image:
                return image.convert("L")
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return document[number - 1].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()


def degrade(image: Image.Image, *, seed: int, skew: float = 0.8, noise: float = 10.0, specks: float = 2e-4,
            jpeg_quality: int = 75) -> Image.Image:
    """Make a clean rendering look scanned: skew (degrees), Gaussian noise (grey levels), dust, JPEG."""
    rng = np.random.default_rng(seed)
    rotated = image.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    pixels = np.asarray(rotated, dtype=np.float32)
    pixels = pixels * 0.92 + 10  # a little grey paper and less-than-black ink
    pixels += rng.normal(0.0, noise, pixels.shape)
    dust = rng.random(pixels.shape) < specks
    pixels[dust] = rng.uniform(0, 90, int(dust.sum()))
    degraded = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    buffer = io.BytesIO()
    degraded.save(buffer, "JPEG", quality=jpeg_quality)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def image_pdf(images: list[Image.Image], dpi: int, out: Path) -> Path:
    """An image-only PDF (no text layer) with one page per image at its true size for ``dpi``."""
    first, *rest = [im.convert("L") for im in images]
    first.save(out, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return out


def make_scan(pdf: Path, pages: list[int], dpi: int, out: Path, *, seed: int = 0, skew: float = 0.8,
              noise: float = 10.0) -> Path:
    """A scanned copy of some pages of ``pdf`` (page i of the scan is ``pages[i]`` of the original)."""
    images = [degrade(render_page(pdf, n, dpi), seed=seed + n, skew=skew if i % 2 == 0 else -skew, noise=noise)
              for i, n in enumerate(pages)]
    return image_pdf(images, dpi, out)


def page_text(pdf: Path, number: int) -> str:
    """The text layer of one page: the truth a scan of that page should give back."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        textpage = document[number - 1].get_textpage()
        return textpage.get_text_range()
    finally:
        document.close()


# Line-end hyphenation: pdfium marks it with U+FFFE (or U+00AD / U+0002); Tesseract keeps "-" + newline. In
# justified text the hyphen may stand apart ("eva -\nluering"), in the text layer and in the scan alike.
_SOFT = re.compile(r"[\ufffe\u00ad\u0002]\s*\n?\s*")
_HARD = re.compile(r"(\w) ?-[ \t]*\r?\n\s*(?=[a-zæøå])")
_WORD = re.compile(r"\w+(?:[.,:/-]\w+)*")


def words(text: str) -> list[str]:
    """Words as a reader sees them: hyphenated line breaks joined, punctuation around words dropped, case kept.

    Numbers keep their inner punctuation ("4,2", "3.1", "2004-2008"), so a lost digit is a wrong word.
    """
    text = _SOFT.sub("", text)
    text = _HARD.sub(r"\1", text)
    return _WORD.findall(text)


def word_accuracy(truth: list[str], found: list[str]) -> float:
    """1 - word error rate: (truth words - substitutions - deletions - insertions) / truth words, floor 0.

    The standard OCR word accuracy (ISRI): word-level Levenshtein distance between the sequences.
    """
    if not truth:
        return 1.0 if not found else 0.0
    previous = list(range(len(found) + 1))
    for i, word in enumerate(truth, 1):
        current = [i] + [0] * len(found)
        for j, other in enumerate(found, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
        previous = current
    return max(0.0, 1.0 - previous[-1] / len(truth))


def word_f1(truth: list[str], found: list[str]) -> float:
    """Bag-of-words F1 (order ignored), as the cleaning measurements use."""
    return bag_f1(found, truth)
