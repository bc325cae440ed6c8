"""Labelling passages for a theme of one's own: propose, answer yes/no/skip, retrain, watch the metrics grow.

The labels live in the corpus folder, ``<corpus>/labels/<theme>.jsonl``, one line per answered passage in the
format `policytekst themes train --labels` reads ({"id", "doc_id", "text", "labels": [theme] or [], "answer"}),
so they can be exported and trained on from the command line too. Every retrain appends a point to the
learning curve (``<theme>.curve.jsonl``: labels so far and the grouped cross-validated precision/recall/F1).

Which passages to propose: before a model exists, the passages a seed query finds (the library's search); after a
retrain, the passages the model is least sure about, spread out (:func:`policytekst.themes.active.suggest`, the
same as `policytekst themes suggest`). The model is the library's :class:`ThemeClassifier`; nothing is
re-implemented here.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pandas as pd

from policytekst.corpus import Corpus
from policytekst.errors import UsageError
from policytekst.search import search

ANSWERS = ("yes", "no", "skip")
MIN_EACH = 3  # yes and no answers needed before a model can be trained and cross-validated
THEME_NAME = re.compile(r"^[a-zæøå0-9_][a-zæøå0-9_-]{0,39}$")


def check_theme_name(name: str) -> str:
    """A theme name that is also a safe file name: lower-case letters, digits, ``_`` and ``-`` (max 40)."""
    name = (name or "").strip().lower()
    if not THEME_NAME.match(name):
        raise UsageError(f"theme name {name!r}: use 1-40 lower-case letters, digits, '_' or '-'")
    return name


class ThemeLabels:
    """The answers given for one theme in one corpus, kept in ``<corpus>/labels/<theme>.jsonl``."""

    _locks: dict[str, threading.Lock] = {}

    def __init__(self, corpus: Corpus, theme: str) -> None:
        self.corpus = corpus
        self.theme = check_theme_name(theme)
        self.folder = corpus.directory / "labels"
        self.path = self.folder / f"{self.theme}.jsonl"
        self.curve_path = self.folder / f"{self.theme}.curve.jsonl"
        self._lock = self._locks.setdefault(str(self.path), threading.Lock())

    def answers(self) -> dict[str, dict[str, Any]]:
        """passage_id -> its row, in the order answered (a later answer replaces an earlier one)."""
        if not self.path.is_file():
            return {}
        rows = [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return {row["id"]: row for row in rows}

    def answer(self, passage_id: str, answer: str) -> dict[str, Any]:
        """Record yes/no/skip for a passage (UnknownNameError for a passage that is not in the corpus)."""
        if answer not in ANSWERS:
            raise UsageError(f"answer must be one of {', '.join(ANSWERS)} (got {answer!r})")
        passage = self.corpus.passage(passage_id)
        row = {"id": passage_id, "doc_id": passage.doc_id, "text": passage.text,
               "labels": [self.theme] if answer == "yes" else [], "answer": answer}
        with self._lock:
            rows = self.answers()
            rows[passage_id] = row
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".jsonl.part")
            partial.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows.values()),
                               encoding="utf-8")
            partial.replace(self.path)  # a crash never leaves half a labels file
        return row

    def labelled(self) -> list[dict[str, Any]]:
        """The yes/no answers (skips are not training data)."""
        return [r for r in self.answers().values() if r["answer"] in ("yes", "no")]

    def counts(self) -> dict[str, int]:
        answers = [r["answer"] for r in self.answers().values()]
        return {a: answers.count(a) for a in ANSWERS}

    def curve(self) -> list[dict[str, Any]]:
        if not self.curve_path.is_file():
            return []
        return [json.loads(line) for line in self.curve_path.read_text(encoding="utf-8").splitlines() if line]

    def export(self) -> str:
        """The labels file as text (JSON Lines for `policytekst themes train --labels`)."""
        return self.path.read_text(encoding="utf-8") if self.path.is_file() else ""


class Labeller:
    """Proposals and retraining for the themes being labelled in one corpus (models kept in memory)."""

    def __init__(self, corpus: Corpus, seed: int = 0) -> None:
        self.corpus = corpus
        self.seed = seed
        self.models: dict[str, Any] = {}
        self._train_lock = threading.Lock()

    def proposals(self, theme: str, query: str = "", n: int = 5) -> pd.DataFrame:
        """Passages to label next: DataFrame(passage_id, doc_id, text, why), unanswered ones only."""
        labels = ThemeLabels(self.corpus, theme)
        done = set(labels.answers())
        model = self.models.get(labels.theme)
        if model is not None:
            from policytekst.themes.active import suggest  # scikit-learn: only once a model exists

            frame = self.corpus.passages_frame()
            frame = frame[~frame["passage_id"].isin(done)]
            if len(frame):
                picked = suggest(model, frame["text"].tolist(), frame["passage_id"].tolist(), n=n,
                                 themes=[labels.theme])
                docs = dict(zip(frame["passage_id"], frame["doc_id"], strict=True))
                return pd.DataFrame({"passage_id": picked["id"], "doc_id": picked["id"].map(docs),
                                     "text": picked["text"],
                                     "why": [f"modellen er usikker (p = {p:.2f})" for p in picked["probability"]]})
        seed_query = query.strip() or labels.theme.replace("_", " ").replace("-", " ")
        found = search(self.corpus, seed_query, limit=n + len(done) + 20)
        found = found[~found["passage_id"].isin(done)].head(n)
        return pd.DataFrame({"passage_id": found["passage_id"], "doc_id": found["doc_id"], "text": found["text"],
                             "why": f"treff for «{seed_query}»"})

    def retrain(self, theme: str) -> dict[str, Any]:
        """Train the theme's classifier on its yes/no answers; cross-validate grouped by document; record the
        point on the learning curve. UsageError while there are fewer than MIN_EACH of either answer."""
        # scikit-learn: only when training
        from policytekst.themes import Codebook
        from policytekst.themes.classifier import ThemeClassifier
        from policytekst.themes.evaluate import cross_validate_grouped

        labels = ThemeLabels(self.corpus, theme)
        rows = labels.labelled()
        n_yes = sum(1 for r in rows if r["labels"])
        n_no = len(rows) - n_yes
        if n_yes < MIN_EACH or n_no < MIN_EACH:
            raise UsageError(f"theme {labels.theme}: label at least {MIN_EACH} passages yes and {MIN_EACH} no "
                             f"before training (now {n_yes} yes, {n_no} no)")
        texts = [r["text"] for r in rows]
        y = [r["labels"] for r in rows]
        groups = [r["doc_id"] for r in rows]
        model = ThemeClassifier(themes=[labels.theme], codebook=Codebook.default().to_dict(), calibration=None,
                                char_ngrams=False, seed=self.seed)
        with self._train_lock:
            metrics = None
            if len(set(groups)) >= 2:
                table = cross_validate_grouped(model, texts, y, groups, [labels.theme], n_splits=5)
                metrics = {k: float(table.iloc[0][k]) for k in ("precision", "recall", "f1")}
            model.fit(texts, y)
            self.models[labels.theme] = model
            point = {"n_labels": len(rows), "n_yes": n_yes, "n_no": n_no, **(metrics or {})}
            labels.folder.mkdir(parents=True, exist_ok=True)
            with labels.curve_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(point) + "\n")
        return point

