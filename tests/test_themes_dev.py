"""Theme quality on the dev set: hand-labelled spans of the seed captures in ../shared.

tests/data/theme_dev_labels.jsonl holds labels and locations only (seed file, character start/end in the raw
file, a short hash of the span), never text; the text is read from ../shared at test time. The spans do not
depend on our segmentation. The default model never saw them (its training data is hand-written passages).
Labelling rule: a span is positive for a theme when it says something about the theme (at least one
clause treats it), not when the word only appears in a list, title or institution name.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import SEEDS, requires_shared

LABELS = Path(__file__).parent / "data" / "theme_dev_labels.jsonl"
MAIN = ["npm", "brukermedvirkning", "kasteball", "samordning", "arbeidslinja"]


@pytest.fixture(scope="module")
def dev_set():
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    raw = {name: (SEEDS / name).read_text(encoding="utf-8") for name in {r["file"] for r in rows}}
    texts = []
    for r in rows:
        span = raw[r["file"]][r["start"]:r["end"]]
        assert hashlib.sha1(span.encode("utf-8")).hexdigest()[:12] == r["sha1"], (
            f"{r['file']} {r['start']}-{r['end']}: the seed file changed; the dev labels no longer point at "
            "the text they were made for")
        texts.append(" ".join(span.split()))
    return texts, [r["labels"] for r in rows], [r["file"] for r in rows]


@requires_shared
def test_dev_set_is_large_enough(dev_set):
    texts, labels, files = dev_set
    assert len(texts) >= 150 and len(set(files)) == 5
    for theme in MAIN:
        assert sum(theme in row for row in labels) >= 15, theme
    assert sum(not row for row in labels) >= 50  # negatives too


@requires_shared
def test_default_model_meets_quality_bars_on_dev_set(dev_set):
    from policytekst.themes import default_model
    from policytekst.themes.evaluate import evaluate

    texts, labels, _ = dev_set
    table = evaluate(default_model(), texts, labels, MAIN).set_index("theme")
    print("\n" + table.to_string())
    macro = table.loc["macro"]
    assert macro["f1"] >= 0.80, table
    assert (table.loc[MAIN, "f1"] >= 0.70).all(), table
    assert macro["f1"] > macro["codebook_f1"], table


@requires_shared
def test_codebook_baseline_is_a_real_baseline(dev_set):
    """The codebook alone must already find the themes (recall), so beating it means something."""
    from policytekst.themes import Codebook
    from policytekst.themes.classifier import to_label_matrix
    from policytekst.themes.evaluate import codebook_predictions, metrics_table

    texts, labels, _ = dev_set
    y = to_label_matrix(labels, MAIN)
    table = metrics_table(y, codebook_predictions(texts, Codebook.default(), MAIN), MAIN).set_index("theme")
    assert (table.loc[MAIN, "recall"] >= 0.6).all(), table
    assert np.isfinite(table.loc["macro", "f1"])
