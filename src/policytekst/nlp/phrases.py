"""Multi-word expressions: a shipped list of known policy phrases, and gensim Phrases for learned ones.

Known phrases ("new public management", "mål- og resultatstyring", "bestiller-utfører", "én dør") are matched
on lemmas and joined with "_" (``join_phrases``). :class:`PhraseModel` learns further collocations from a
corpus with gensim's Phrases, treating Norwegian and English function words as connectors, so
"helse og omsorg" can become one token without "og" blocking it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from policytekst.nlp.resources import rows_with_user

CONNECTOR_WORDS = frozenset("""
og i for av til på med om fra eller som ved mot under over etter hos mellom uten innen samt
of the and a an in for to on with by at from or as
""".split())


def _phrase_key(phrase: str) -> tuple[str, ...]:
    from policytekst.nlp.lemmas import lemmatize
    from policytekst.nlp.tokens import tokenize

    tokens = tokenize(phrase.lower())
    return tuple(lemma.lower() for lemma in lemmatize(tokens, "nb"))


@lru_cache(maxsize=8)
def known_phrases(extra: tuple[str | Path, ...] = ()) -> dict[tuple[str, ...], str]:
    """Lemma sequence -> joined token, from ``data/policy_phrases.txt`` plus POLICYTEKST_PHRASES files."""
    table: dict[tuple[str, ...], str] = {}
    for row in rows_with_user("policy_phrases.txt", "POLICYTEKST_PHRASES", extra):
        key = _phrase_key(row[0])
        if not key:
            continue
        name = row[1] if len(row) > 1 and row[1] else "_".join(k.rstrip("-") for k in key)
        table[key] = name.lower()
    return table


@lru_cache(maxsize=8)
def _by_first(extra: tuple[str | Path, ...] = ()) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for key, name in known_phrases(extra).items():
        index.setdefault(key[0], []).append((key, name))
    for entries in index.values():
        entries.sort(key=lambda kv: len(kv[0]), reverse=True)  # longest match first
    return index


def join_phrases(lemmas: Sequence[str], *, extra: tuple[str | Path, ...] = ()) -> list[str]:
    """Join known phrases in a lemma list (case-insensitive), longest match first.

    Examples
    --------
    >>> join_phrases(["innføre", "mål-", "og", "resultatstyring", "i", "staten"])
    ['innføre', 'mål_og_resultatstyring', 'i', 'staten']
    """
    index = _by_first(extra)
    lowered = [str(lemma).lower() for lemma in lemmas]
    out: list[str] = []
    i = 0
    while i < len(lowered):
        entries = index.get(lowered[i])
        if entries:
            for key, name in entries:
                if tuple(lowered[i:i + len(key)]) == key:
                    out.append(name)
                    i += len(key)
                    break
            else:
                out.append(lemmas[i])
                i += 1
        else:
            out.append(lemmas[i])
            i += 1
    return out


class PhraseModel:
    """Learned collocations over lemma lists (gensim Phrases), applied after the known phrases.

    Parameters
    ----------
    min_count : int
        Ignore word pairs seen fewer times than this.
    threshold : float
        gensim's score threshold (higher means fewer phrases).
    scoring : str
        "default" (Mikolov) or "npmi".
    known : bool
        Join the shipped known phrases before learning and when transforming.

    Examples
    --------
    >>> docs = [["helse", "og", "omsorg", "i", "kommune"], ["skole", "i", "kommune"], ["helse", "og", "omsorg"]]
    >>> model = PhraseModel(min_count=1, threshold=0.5, scoring="npmi").fit(docs * 5)
    >>> model.transform(["helse", "og", "omsorg", "i", "fylke"])
    ['helse_og_omsorg', 'i', 'fylke']
    """

    def __init__(self, min_count: int = 5, threshold: float = 10.0, scoring: str = "default",
                 known: bool = True) -> None:
        self.min_count = min_count
        self.threshold = threshold
        self.scoring = scoring
        self.known = known

    def _prepare(self, lemmas: Sequence[str]) -> list[str]:
        return join_phrases(lemmas) if self.known else [str(x) for x in lemmas]

    def fit(self, documents: Iterable[Sequence[str]]) -> PhraseModel:
        """Learn collocations from a stream of lemma lists (streamed, not held in memory)."""
        from gensim.models.phrases import Phrases

        model = Phrases(min_count=self.min_count, threshold=self.threshold, scoring=self.scoring,
                        connector_words=CONNECTOR_WORDS, delimiter="_")
        model.add_vocab(self._prepare(doc) for doc in documents)
        self.phraser_ = model.freeze()
        self.phrases_ = {k: float(v) for k, v in self.phraser_.phrasegrams.items()}
        return self

    def transform(self, lemmas: Sequence[str]) -> list[str]:
        """Known phrases joined, then learned ones."""
        prepared = self._prepare(lemmas)
        if not hasattr(self, "phraser_"):
            return prepared
        return list(self.phraser_[prepared])
