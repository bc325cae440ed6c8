"""Training data for theme classifiers: reading labelled files, codebook weak labels, the default set.

Labelled files are JSONL ({"text", "labels": [...], optional "id", "doc_id"/"group"}) or CSV/TSV with
columns text and labels (labels separated by ";" or ","). The default model's training data is passages the
team wrote and labelled itself (``data/train_passages.jsonl``): realistic Norwegian welfare-policy prose in
several genres (thesis, report, interview quotes, parliamentary speech), bokmål, nynorsk and English, with
hard negatives (passing mentions, look-alikes such as "skjønner" or a literal ball being thrown).
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from policytekst.errors import UsageError
from policytekst.themes.codebook import Codebook

MAIN_THEMES = ("npm", "brukermedvirkning", "kasteball", "samordning", "arbeidslinja")


class LabelFileError(UsageError):
    """A labels file that cannot be read (the message names the file, the line and the problem)."""


@dataclass
class LabelledSet:
    """Texts with label lists and a group per text (the document it came from, for grouped CV)."""

    texts: list[str] = field(default_factory=list)
    labels: list[list[str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    bags: list[int] = field(default_factory=list)  # -1 = in every bag (see ThemeClassifier.fit)

    def __len__(self) -> int:
        return len(self.texts)

    def add(self, text: str, labels: Sequence[str], group: str, id_: str, bag: int = -1) -> None:
        self.texts.append(text)
        self.labels.append(list(labels))
        self.groups.append(group)
        self.ids.append(id_)
        self.bags.append(bag)

    def extend(self, other: LabelledSet) -> None:
        for t, lab, g, i, b in zip(other.texts, other.labels, other.groups, other.ids, other.bags, strict=True):
            self.add(t, lab, g, i, b)

    def themes(self) -> list[str]:
        seen: dict[str, None] = {}
        for row in self.labels:
            for label in row:
                seen.setdefault(label, None)
        return list(seen)


def _split_labels(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value).replace(",", ";")
    return [part.strip() for part in text.split(";") if part.strip()]


def read_labels(path: str | Path) -> LabelledSet:
    """Read labelled passages from JSONL, CSV or TSV. Each row needs text and labels (may be empty).

    A row's group (for grouped cross-validation) is its ``doc_id``, ``group`` or ``document`` column; rows
    without one form their own group.
    """
    path = Path(path)
    if not path.is_file():
        raise LabelFileError(f"labels file {path}: no such file")
    out = LabelledSet()
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LabelFileError(f"labels file {path}, line {n}: not valid JSON ({exc.msg})") from exc
            _add_row(out, row, path, n)
    elif suffix in (".csv", ".tsv", ".txt"):
        with path.open(encoding="utf-8", newline="") as fh:
            sample = fh.read(4096)
            fh.seek(0)
            delimiter = "\t" if suffix == ".tsv" or sample.count("\t") > sample.count(",") else ","
            for n, row in enumerate(csv.DictReader(fh, delimiter=delimiter), start=2):
                _add_row(out, row, path, n)
    else:
        raise LabelFileError(f"labels file {path}: unknown format '{suffix}' (use .jsonl, .csv or .tsv)")
    if not out.texts:
        raise LabelFileError(f"labels file {path}: no labelled passages found")
    return out


def _add_row(out: LabelledSet, row: object, path: Path, n: int) -> None:
    if not isinstance(row, dict) or not str(row.get("text") or "").strip():
        raise LabelFileError(f"labels file {path}, line {n}: needs a non-empty 'text' field")
    if "labels" not in row:
        raise LabelFileError(f"labels file {path}, line {n}: needs a 'labels' field (may be empty)")
    id_ = str(row.get("id") or row.get("passage_id") or f"{path.name}:{n}")
    group = str(row.get("doc_id") or row.get("group") or row.get("document") or id_)
    out.add(str(row["text"]), _split_labels(row["labels"]), group, id_)


def joined_pairs(texts: Sequence[str], y: np.ndarray, max_words: int, seed: int = 0
                 ) -> tuple[list[str], np.ndarray]:
    """Passages shorter than ``max_words`` words joined in random pairs (seeded), each pair carrying the union of
    its two rows of the 0/1 label matrix ``y``.

    A theme that one half discusses is, by the guide, a theme of the whole; passages of twice the length teach a
    model trained on short units (Storting questions of some 70 words) not to lose a theme in the longer passages
    the segmenter makes (up to 250 words), where the theme's words are a smaller share of the text.
    """
    short = [i for i, text in enumerate(texts) if len(text.split()) < max_words]
    random.Random(seed).shuffle(short)
    firsts, seconds = short[0::2][:len(short) // 2], short[1::2]  # an odd one out stays alone
    joined = [f"{texts[a]} {texts[b]}" for a, b in zip(firsts, seconds, strict=True)]
    return joined, np.maximum(y[firsts], y[seconds]).reshape(len(joined), y.shape[1])


def joined_label_pairs(texts: Sequence[str], labels: Sequence[Sequence[str]], seed: int = 0
                       ) -> tuple[list[str], list[list[str]]]:
    """Every passage in seeded random pairs (:func:`joined_pairs` with no length limit), label lists united: the
    longer passages `themes evaluate --joined` and the evaluation script score."""
    names = sorted(set().union(*map(set, labels))) if labels else []
    y = np.array([[name in row for name in names] for row in map(set, labels)], dtype=np.int8).reshape(-1, len(names))
    joined, united = joined_pairs(texts, y, max_words=10**9, seed=seed)
    return joined, [[name for name, v in zip(names, row, strict=True) if v] for row in united]


def weak_labels(texts: Sequence[str], codebook: Codebook, themes: Sequence[str],
                strong: float = 2.0) -> list[list[str | None]]:
    """Codebook weak labels: a theme is weakly positive when its weighted hits reach ``strong`` times its
    ``min_score``, weakly negative with no hit at all, and unknown (None) in between."""
    out: list[list[str | None]] = []
    for text in texts:
        scores = codebook.score(text)
        row: list[str | None] = []
        for theme in themes:
            s = scores.get(theme, 0.0)
            need = codebook.themes[theme].min_score if theme in codebook.themes else 1.0
            row.append("pos" if s >= strong * need else ("neg" if s == 0 else None))
        out.append(row)
    return out


def default_training_passages() -> LabelledSet:
    """The hand-written, hand-labelled passages shipped with the package."""
    text = resources.files("policytekst.themes").joinpath("data/train_passages.jsonl").read_text(
        encoding="utf-8")
    out = LabelledSet()
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            out.add(row["text"], row["labels"], row.get("id", str(n)), row.get("id", str(n)))
    return out


def passing_mentions() -> list[dict]:
    """Hand-written sentences that name a theme only in passing (a title, a list, an institution)."""
    text = resources.files("policytekst.themes").joinpath("data/passing_mentions.jsonl").read_text(
        encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def build_default_training_set(codebook: Codebook, themes: Sequence[str], seed: int = 0,
                               n_composites: int = 3, n_passing: int = 4) -> LabelledSet:
    """Hand-labelled passages, longer composites of them, and codebook weak labels for the minor themes.

    Real passages are 60-250 words and often touch a theme in one sentence among others; composites (a
    labelled passage joined with one or two others, labels united) teach the model that. The five main
    themes are labelled by hand on every passage; the other codebook themes were not, so a passage gets them
    from the codebook's strong hits (weak supervision), which keeps "passing" cues from becoming negatives.
    """
    base = default_training_passages()
    rng = random.Random(seed)
    out = LabelledSet()
    out.extend(base)
    indices = list(range(len(base)))
    for i in indices:
        for k in range(n_composites):
            partners = rng.sample(indices, 1 + (k % 2))
            parts = [i, *[p for p in partners if p != i]]
            rng.shuffle(parts)
            text = " ".join(base.texts[p] for p in parts)
            labels = sorted({label for p in parts for label in base.labels[p]})
            out.add(text, labels, base.groups[i], f"{base.ids[i]}+{k}")
    # Passing mentions inside otherwise unrelated passages are negatives for every main theme: a keyword
    # is not a topic. Each mention sentence goes into a few passages without main-theme labels.
    negatives = [i for i in indices if not set(base.labels[i]) & set(MAIN_THEMES)]
    for mention in passing_mentions():
        for k in range(n_passing):
            host = rng.sample(negatives, 2)
            parts = [base.texts[host[0]], mention["text"], base.texts[host[1]]]
            if k % 2:
                parts = [parts[0], parts[2], parts[1]]
            labels = sorted({label for h in host for label in base.labels[h]})
            out.add(" ".join(parts), labels, f"passing-{mention['id']}", f"{mention['id']}+{k}")
    minor = [t for t in themes if t not in MAIN_THEMES]
    if minor:
        weak = weak_labels(out.texts, codebook, minor)
        for r, row in enumerate(weak):
            for theme, mark in zip(minor, row, strict=True):
                if mark == "pos" and theme not in out.labels[r]:
                    out.labels[r].append(theme)
    return out


def build_bagged_training_set(codebook: Codebook, themes: Sequence[str], seeds: Sequence[int] = (0, 1, 2, 3, 4),
                              n_composites: int = 3, n_passing: int = 4) -> LabelledSet:
    """The default training set augmented once per seed: hand-labelled passages shared by every bag
    (bag -1), composites and passing-mention passages in the bag of their seed. For ``ThemeClassifier.fit``
    with ``bags``: one model per seed, probabilities averaged."""
    n_base = len(default_training_passages())
    out = LabelledSet()
    for b, seed in enumerate(seeds):
        one = build_default_training_set(codebook, themes, seed=seed, n_composites=n_composites,
                                         n_passing=n_passing)
        start = n_base if b else 0
        for r in range(start, len(one)):
            out.add(one.texts[r], one.labels[r], one.groups[r], f"{one.ids[r]}@{seed}",
                    -1 if r < n_base else b)
    return out
