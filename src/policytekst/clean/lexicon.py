"""A Norwegian word lexicon for decisions that must not be guesswork (line-end hyphens).

Word forms come from simplemma's shipped dictionaries (bokmål and nynorsk, loaded offline from the installed
package); compounds, which no dictionary lists exhaustively, are accepted when they split into known words
(with the linking -s-/-e- Norwegian uses). Hyphenation points come from pyphen's nb_NO patterns, the same
patterns LibreOffice uses when it hyphenates Norwegian text.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from functools import lru_cache
from pathlib import Path

_WORDS: dict[str, frozenset[str]] = {}
_MIN_PART = 3  # shortest compound part we trust ("bil", "lov"); shorter parts match too much


def _cache_path(lang: str) -> Path:
    import simplemma

    version = getattr(simplemma, "__version__", "0")
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policytekst"
    return root / f"lexicon-{lang}-simplemma-{version}.txt.gz"


def _load(lang: str) -> frozenset[str]:
    """Lower-cased word forms of ``lang``.

    Decoding simplemma's compressed dictionary takes about a second, so the lower-cased word list is also
    kept in the user's cache directory (rebuilt when simplemma's version changes) and loads in a fraction.
    """
    if lang in _WORDS:
        return _WORDS[lang]
    words_: frozenset[str] = frozenset()
    try:
        path = _cache_path(lang)
        if path.is_file():
            words_ = frozenset(gzip.decompress(path.read_bytes()).decode("utf-8").split("\n"))
        else:
            from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

            mapping = DefaultDictionaryFactory().get_dictionary(lang)
            words_ = frozenset(w.lower() for w in mapping.keys())
            _write_cache(path, words_)
    except Exception:  # noqa: BLE001 - without a lexicon we fall back to the pattern rules only
        words_ = frozenset()
    _WORDS[lang] = words_
    return words_


def _write_cache(path: Path, words_: frozenset[str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(gzip.compress("\n".join(sorted(words_)).encode("utf-8"), 6))
        os.replace(tmp, path)  # atomic: a parallel worker never reads half a file
    except OSError:
        pass


def words(langs: tuple[str, ...] = ("nb", "nn")) -> frozenset[str]:
    """The union of the word lists of ``langs`` (lower-cased)."""
    if len(langs) == 1:
        return _load(langs[0])
    key = "+".join(langs)
    if key not in _WORDS:
        union: set[str] = set()
        for lang in langs:
            union |= _load(lang)
        _WORDS[key] = frozenset(union)
    return _WORDS[key]


def is_word(word: str, langs: tuple[str, ...] = ("nb", "nn")) -> bool:
    """True when the (lower-cased) form is a known word form."""
    return word.lower() in words(langs)


@lru_cache(maxsize=50000)
def is_compound(word: str, langs: tuple[str, ...] = ("nb", "nn"), depth: int = 0) -> bool:
    """True when ``word`` is a known form or splits into known parts (optionally linked by -s- or -e-)."""
    word = word.lower()
    lexicon = words(langs)
    if word in lexicon:
        return True
    if depth > 3 or len(word) < 2 * _MIN_PART:
        return False
    for i in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):
        head, tail = word[:i], word[i:]
        if head not in lexicon:
            continue
        if tail in lexicon or is_compound(tail, langs, depth + 1):
            return True
        if tail[0] in "se" and len(tail) > _MIN_PART and (
                tail[1:] in lexicon or is_compound(tail[1:], langs, depth + 1)):
            return True
    return False


@lru_cache(maxsize=1)
def _pyphen():
    try:
        import pyphen

        return pyphen.Pyphen(lang="nb_NO")
    except Exception:  # noqa: BLE001
        return None


def hyphenation_points(word: str) -> list[int]:
    """Positions where the nb_NO hyphenation patterns allow a break (empty when pyphen is unavailable)."""
    dic = _pyphen()
    return list(dic.positions(word.lower())) if dic is not None else []
