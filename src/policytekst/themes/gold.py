"""Located theme labels on real text: the labelled pool of issue 13, resolved against ../shared.

The repository stores ids, locations and labels only (``labels/themes/pool.jsonl`` and the readings beside it),
never the text: this module reads the text back from the shared data directory and checks that each span still
hashes to the ``sha1`` it was labelled on, so a changed ../shared gives a clear error instead of labels silently
pointing at other words.

Units (see ``scripts/theme_labels/make_pool.py``):

- ``source == "storting"``: the ``question`` text of the *first* row with that ``docId`` in the Storting questions
  CSV; the group (for grouped cross-validation) is the question itself, the genre "storting".
- ``source == "seed"``: characters ``start:end`` of the raw seed capture file ``doc``; the group is the file, the
  genre "seed".

The final label of an id is the adjudicated one when there is one, else the first reading. The held-out split is
fixed by :func:`is_heldout` (a hash of the group, chosen before any tuning) and never used for choices.

Examples
--------
>>> gold = load_gold(shared=Path("../shared"))                  # doctest: +SKIP
>>> train, test = gold.split()                                  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from policytekst.errors import PolicytekstError, UsageError
from policytekst.themes.training import LabelledSet

STORTING_CSV = Path("data/storting_questions/storting_questions_1996_2015.csv.gz")
SEEDS_DIR = Path("corpus/seeds")
GENRES = ("storting", "seed")
#: seed capture files held out whole (two genres: a thesis on a document site and a programme report; about a
#: fifth of the seed spans). The largest file (a master thesis, two thirds of the seed spans) stays in training.
HELDOUT_SEED_FILES = frozenset({"000_12aee47c7c09aa9e.txt", "002_1abfec940562e652.txt"})
#: share of Storting questions held out, by a hash of the question id
HELDOUT_STORTING_SHARE = 0.25


class GoldDataError(PolicytekstError):
    """The shared data the labels point at is missing or changed (the message names the file and unit)."""


def default_shared_dir() -> Path:
    """``$POLICYTEKST_SHARED`` or ``../shared`` beside the repository (where the real data lives)."""
    env = os.environ.get("POLICYTEKST_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared"


def sha12(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _hash_unit(text: str) -> float:
    """A stable number in [0, 1) from a string (the same on every machine and Python)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) / 16 ** 8


def is_heldout(source: str, doc: str) -> bool:
    """Whether a unit belongs to the fixed held-out part (decided by its group alone, never by its labels)."""
    if source == "seed":
        return doc in HELDOUT_SEED_FILES
    return _hash_unit(f"storting:{doc}") < HELDOUT_STORTING_SHARE


@dataclass
class GoldSet:
    """Labelled real passages with their group (document), genre and held-out flag."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    labels: list[list[str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    heldout: list[bool] = field(default_factory=list)
    strata: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, mask: Sequence[bool] | np.ndarray) -> GoldSet:
        keep = [i for i, m in enumerate(mask) if m]
        return GoldSet(*([getattr(self, f)[i] for i in keep] for f in
                         ("ids", "texts", "labels", "groups", "genres", "heldout", "strata")))

    def split(self) -> tuple[GoldSet, GoldSet]:
        """(training part, held-out part)."""
        return self.subset([not h for h in self.heldout]), self.subset(self.heldout)

    def genre(self, name: str) -> GoldSet:
        return self.subset([g == name for g in self.genres])

    def as_labelled(self) -> LabelledSet:
        out = LabelledSet()
        for text, labels, group, id_ in zip(self.texts, self.labels, self.groups, self.ids, strict=True):
            out.add(text, labels, group, id_)
        return out


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            # a reader may be appending right now: a torn last line is skipped, anything else is an error
            if n == len(path.read_text(encoding="utf-8").splitlines()):
                continue
            raise UsageError(f"{path}, line {n}: not valid JSON ({exc.msg})") from exc
    return rows


def read_readings(paths: Iterable[Path]) -> dict[str, list[str]]:
    """id -> labels from reading files ({"id", "labels", ...} lines); a later line for an id wins."""
    out: dict[str, list[str]] = {}
    for path in paths:
        if not path.is_file():
            continue
        for row in read_jsonl(path):
            if "id" not in row or not isinstance(row.get("labels"), list):
                raise UsageError(f"{path}: a line without \"id\" and a \"labels\" list ({row!r:.80})")
            out[str(row["id"])] = sorted({str(x) for x in row["labels"] if x and x != "none"})
    return out


def final_labels(labels_dir: Path) -> dict[str, list[str]]:
    """The final label of each id: adjudicated where present, else the first reading."""
    first = read_readings(sorted(labels_dir.glob("first_*.jsonl")))
    first.update(read_readings([labels_dir / "adjudicated.jsonl"]))
    return first


def _storting_texts(shared: Path, wanted: set[str]) -> dict[str, str]:
    import pandas as pd

    path = shared / STORTING_CSV
    if not path.is_file():
        raise GoldDataError(f"{path}: not found (the Storting questions the theme labels point at)")
    out: dict[str, str] = {}
    for chunk in pd.read_csv(path, usecols=["docId", "question"], chunksize=20_000):
        for doc, question in zip(chunk["docId"], chunk["question"], strict=True):
            if pd.isna(doc):
                continue
            key = str(int(doc))
            if key in wanted and key not in out:  # the first row with that id, as the pool was drawn
                out[key] = question if isinstance(question, str) else ""
    return out


def resolve(pool: Sequence[dict], shared: Path) -> dict[str, str]:
    """id -> whitespace-normalised text for pool rows, checking each span's sha1."""
    storting = _storting_texts(shared, {r["doc"] for r in pool if r["source"] == "storting"})
    raw: dict[str, str] = {}
    out: dict[str, str] = {}
    for r in pool:
        if r["source"] == "storting":
            if r["doc"] not in storting:
                raise GoldDataError(f"{shared / STORTING_CSV}: question {r['doc']} ({r['id']}) not found")
            span = storting[r["doc"]][r["start"]:r["end"]]
            where = f"{shared / STORTING_CSV}, question {r['doc']}"
        elif r["source"] == "seed":
            if r["doc"] not in raw:
                path = shared / SEEDS_DIR / r["doc"]
                if not path.is_file():
                    raise GoldDataError(f"{path}: not found (seed capture the theme labels point at)")
                raw[r["doc"]] = path.read_text(encoding="utf-8")
            span = raw[r["doc"]][r["start"]:r["end"]]
            where = f"{shared / SEEDS_DIR / r['doc']}, characters {r['start']}-{r['end']}"
        else:
            raise UsageError(f"pool row {r.get('id')}: unknown source {r.get('source')!r}")
        if sha12(span) != r["sha1"]:
            raise GoldDataError(f"{where} ({r['id']}): the text changed since it was labelled "
                                f"(sha1 {sha12(span)}, labelled {r['sha1']}); the labels no longer fit it")
        out[r["id"]] = " ".join(span.split())
    return out


def load_gold(labels_dir: Path, shared: Path | None = None, pool_file: str = "pool.jsonl",
              labels: dict[str, list[str]] | None = None) -> GoldSet:
    """The labelled pool units (those with a final label) with texts read from ``shared``.

    Parameters
    ----------
    labels_dir: the directory holding ``pool.jsonl``, ``first_*.jsonl`` and ``adjudicated.jsonl``.
    shared: the shared data directory (default :func:`default_shared_dir`).
    labels: id -> labels to use instead of the final labels (e.g. the second reading).
    """
    shared = shared or default_shared_dir()
    pool_path = labels_dir / pool_file
    if not pool_path.is_file():
        raise UsageError(f"{pool_path}: no such file (the pool of located passages)")
    pool = read_jsonl(pool_path)
    labels = final_labels(labels_dir) if labels is None else labels
    rows = [r for r in pool if r["id"] in labels]
    texts = resolve(rows, shared)
    gold = GoldSet()
    for r in rows:
        gold.ids.append(r["id"])
        gold.texts.append(texts[r["id"]])
        gold.labels.append(list(labels[r["id"]]))
        gold.groups.append(f"{r['source']}:{r['doc']}")
        gold.genres.append(r["source"])
        gold.heldout.append(is_heldout(r["source"], r["doc"]))
        gold.strata.append(r.get("stratum", ""))
    return gold
