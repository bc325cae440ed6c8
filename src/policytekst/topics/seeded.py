"""Seeded topics: anchor a topic to a theme through its words (from the theme codebook or given by hand).

Seed words may be shell-style globs as the codebook writes them ("*kasteball*", "brukermedvirk*"); they are
expanded against the model vocabulary at fit time, so an anchor follows the corpus' own compounds and
inflections instead of a fixed list.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from policytekst.errors import UsageError, unknown


def _pattern_of(term) -> tuple[str, float] | None:
    if isinstance(term, str):
        return term.lower(), 1.0
    if isinstance(term, dict) and "pattern" in term:
        return str(term["pattern"]).lower(), float(term.get("weight", 1.0))
    pattern = getattr(term, "pattern", None)
    if pattern is not None:
        return str(pattern).lower(), float(getattr(term, "weight", 1.0))
    return None


def load_codebook_terms(codebook: str | Path | dict | None = None) -> dict[str, list[tuple[str, float]]]:
    """{theme: [(glob, weight), ...]} from a codebook YAML file, a parsed dict, or the shipped default
    (``policytekst/themes/data/codebook.yaml``). Only single-word terms are used: phrase words on their own
    ("bord", "stol") are too general to anchor a topic."""
    import yaml

    if codebook is None:
        from importlib.resources import files

        codebook = Path(str(files("policytekst.themes") / "data" / "codebook.yaml"))
    if isinstance(codebook, (str, Path)):
        path = Path(codebook)
        if not path.is_file():
            raise UsageError(f"{path}: codebook not found")
        codebook = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    themes = codebook.get("themes", codebook) if isinstance(codebook, dict) else {}
    out: dict[str, list[tuple[str, float]]] = {}
    for name, entry in themes.items():
        terms = entry.get("terms", []) if isinstance(entry, dict) else entry
        pairs = [p for p in (_pattern_of(t) for t in terms or []) if p is not None]
        out[str(name)] = pairs
    return out


def codebook_seed_words(themes: Sequence[str], codebook: str | Path | dict | None = None,
                        min_weight: float = 1.0) -> dict[str, list[str]]:
    """Seed patterns per theme: the codebook's single-word terms with weight >= ``min_weight`` (strong cues).

    Raises UsageError naming the theme when it is missing (an UnknownNameError) or has no strong terms.
    """
    book = load_codebook_terms(codebook)
    out: dict[str, list[str]] = {}
    for theme in themes:
        if theme not in book:
            raise unknown("theme", theme, sorted(book))
        patterns = [p for p, w in book[theme] if w >= min_weight]
        if not patterns:
            raise UsageError(f"theme {theme!r} has no terms with weight >= {min_weight} in the codebook")
        out[theme] = patterns
    return out


def expand_seed_words(patterns: Sequence[str], terms: Sequence[str], term_counts: np.ndarray,
                      max_terms: int = 25) -> list[str]:
    """Vocabulary terms matching the seed patterns (globs or plain words), the most frequent first.

    Plain words also match as the head or first part of a hyphenated compound ("nav" -> "nav-kontor").
    """
    matched: dict[int, None] = {}
    for pattern in patterns:
        pattern = pattern.lower()
        is_glob = any(ch in pattern for ch in "*?[")
        for j, term in enumerate(terms):
            if (fnmatch.fnmatchcase(term, pattern) if is_glob
                    else term == pattern or pattern in term.split("-")):
                matched[j] = None
    order = sorted(matched, key=lambda j: (-term_counts[j], terms[j]))
    return [terms[j] for j in order[:max_terms]]
