"""The units topic models and term statistics read: passages of the analysis kinds as lists of content lemmas.

One function hides where the lemmas come from: the language layer's cache
(``policytekst.nlp.cache.passage_lemmas``, computed once per passage and stored in the corpus) when it is
there, else ``policytekst.nlp.content_lemmas`` per passage. Everything else in topics/compare calls this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policytekst.model import ANALYSIS_KINDS


@dataclass
class Units:
    """Passage ids and their content lemmas, in corpus order (doc_id, seq)."""

    passage_ids: list[str]
    lemmas: list[list[str]]

    def __len__(self) -> int:
        return len(self.passage_ids)


def passage_lemma_lists(corpus, kinds: Sequence[str] = ANALYSIS_KINDS) -> Units:
    """Content lemmas of every passage of ``kinds`` (the bag-of-words input for models and term counts)."""
    try:
        from policytekst.nlp.cache import passage_lemmas
    except ImportError:  # language layer without a cache: compute on the fly (same lemmas, just slower)
        passage_lemmas = None
    ids: list[str] = []
    lemmas: list[list[str]] = []
    if passage_lemmas is not None:
        for passage_id, words in passage_lemmas(corpus, kinds=tuple(kinds)):
            ids.append(passage_id)
            lemmas.append(list(words))
        return Units(ids, lemmas)
    from policytekst.nlp import content_lemmas

    for passage in corpus.passages(kinds=tuple(kinds)):
        ids.append(passage.passage_id)
        lemmas.append(content_lemmas(passage.text, lang=passage.language))
    return Units(ids, lemmas)


def citations(corpus, passage_ids: Sequence[str]) -> list[str]:
    """Citations for passages: the search area's ``citation`` when present, else the same format built here
    ("Forfatter (år): Tittel, s. N, kap. X"), so topic and trend tables are citable either way."""
    try:
        from policytekst.search import citations as cite_many

        found = cite_many(corpus, list(passage_ids))
        if all(pid in found for pid in passage_ids):
            return [found[pid] for pid in passage_ids]
    except Exception:  # noqa: BLE001 - a half-built search area must not break topic tables
        pass
    cite = None
    out = []
    docs: dict[str, object] = {}
    for pid in passage_ids:
        if cite is not None:
            try:
                out.append(cite(corpus, pid))
                continue
            except Exception:  # noqa: BLE001 - a half-built search area must not break topic tables
                pass
        passage = corpus.passage(pid)
        doc = docs.get(passage.doc_id)
        if doc is None:
            doc = docs[passage.doc_id] = corpus.document(passage.doc_id)
        authors = "; ".join(doc.authors) if doc.authors else "Ukjent forfatter"
        year = doc.year if doc.year else "u.å."
        title = doc.title or doc.doc_id
        pages = f"{passage.page_start}" + (f"-{passage.page_end}" if passage.page_end != passage.page_start else "")
        text = f"{authors} ({year}): {title}, s. {pages}"
        if passage.section:
            text += f", kap. {passage.section.split(' > ')[-1]}"
        out.append(text)
    return out
