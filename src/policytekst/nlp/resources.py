"""Shipped data files of the language layer, and how users extend them.

Every list (abbreviations, stop words, phrases, lemma exceptions) is a UTF-8 text file in ``nlp/data/``: one
entry a line, ``#`` starts a comment, columns are separated by a tab. Users add entries without touching the
package by pointing an environment variable at files of the same format (several separated by ``os.pathsep``):

==========================  ================================================
POLICYTEKST_ABBREVIATIONS   more abbreviations (``abbreviations.txt``)
POLICYTEKST_STOPWORDS       more stop words for every language
POLICYTEKST_DOMAIN_STOPWORDS more domain stop words (``stopwords_domain.txt``)
POLICYTEKST_PHRASES         more known phrases (``policy_phrases.txt``)
POLICYTEKST_LEMMAS          more lemma exceptions (``lemma_exceptions.tsv``)
==========================  ================================================
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_path(name: str) -> Path:
    """Path of a shipped data file."""
    return DATA_DIR / name


def read_rows(path: str | Path) -> Iterator[list[str]]:
    """Rows of a list file: comments and blank lines skipped, tab-separated columns stripped."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield [col.strip() for col in line.split("\t")]


def user_files(env_var: str, extra: Iterable[str | Path] = ()) -> list[Path]:
    """Files named by an environment variable plus ``extra``; a missing file is a clear error."""
    paths = [Path(p) for p in os.environ.get(env_var, "").split(os.pathsep) if p.strip()]
    paths.extend(Path(p) for p in extra)
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"{path}: list file not found (named by {env_var} or extra=)")
    return paths


def rows_with_user(name: str, env_var: str, extra: Iterable[str | Path] = ()) -> Iterator[list[str]]:
    """Rows of the shipped file followed by rows of the user's files."""
    yield from read_rows(data_path(name))
    for path in user_files(env_var, extra):
        yield from read_rows(path)
