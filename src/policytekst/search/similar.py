""""More like this": passages similar to a given passage or to a piece of free text.

Two steps, both on the search index: (1) the source's most distinctive lemmas (tf-idf against the index's document
frequencies) form an OR query whose BM25 ranking gives candidates fast on any corpus size; (2) candidates are
re-ranked by cosine similarity of tf-idf lemma vectors, so ``similarity`` is a comparable number in [0, 1].

Passages, not documents: the document-level "similar" is :func:`policytekst.compare.similar_documents`. Both weight
lemmas with the one TF-IDF of :mod:`policytekst.tfidf`; here the units are the indexed passages.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Any

import pandas as pd

from policytekst.citation import citations
from policytekst.search.index import FTS_TABLE, TERMS_TABLE, UNITS_TABLE, WORD, ensure_index, lemmatizer
from policytekst.search.query import QueryError, _attach, filter_sql
from policytekst.tfidf import term_weight

if TYPE_CHECKING:  # pragma: no cover
    from policytekst.corpus import Corpus

SIMILAR_COLUMNS = ["passage_id", "doc_id", "similarity", "citation", "title", "year", "page_start", "page_end",
                   "section", "kind", "text"]
QUERY_TERMS = 25
CANDIDATES = 200


def _doc_freqs(conn, terms: list[str]) -> dict[str, int]:
    freqs: dict[str, int] = {}
    for start in range(0, len(terms), 400):
        chunk = terms[start:start + 400]
        for term, df in conn.execute(
                f"SELECT term, lemmas FROM {TERMS_TABLE} WHERE term IN ({', '.join('?' * len(chunk))})", chunk):
            freqs[term] = df
    return freqs


def _weights(lemmas: list[str], dfs: dict[str, int], n_units: int) -> dict[str, float]:
    weights = {term: term_weight(tf, dfs.get(term, 0), n_units) for term, tf in Counter(lemmas).items()}
    return {term: w for term, w in weights.items() if w > 0}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _index_tokens(text: str) -> list[str]:
    # the lemma column as FTS5 sees it: lower case, split on anything that is not a letter or digit
    return [t.lower() for t in WORD.findall(text) if not t.isdigit() and len(t) > 1]


def similar_passages(corpus: Corpus, passage_id: str | None = None, *, text: str | None = None, n: int = 10,
                     other_documents: bool = False, text_language: str = "nb", **filters: Any) -> pd.DataFrame:
    """Passages most like a given passage (``passage_id``) or like free ``text``.

    Parameters
    ----------
    corpus : Corpus
    passage_id : str, optional
        The source passage (excluded from the results).
    text : str, optional
        Free text instead of a passage (lemmatised as ``text_language``).
    n : int
        How many passages.
    other_documents : bool
        Leave out passages of the source passage's own document.
    **filters
        year, genre, doc_id, language, kind of the candidates — as in :func:`policytekst.search.search`.

    Returns
    -------
    DataFrame(passage_id, doc_id, similarity, citation, title, year, page_start, page_end, section, kind, text),
    most similar first; similarity is the cosine of tf-idf lemma vectors, in [0, 1].
    """
    if (passage_id is None) == (text is None):
        raise QueryError("give either a passage id or a text to find similar passages for")
    ensure_index(corpus)
    conn = corpus.store.conn
    source_doc = None
    if passage_id is not None:
        row = conn.execute(f"SELECT u.doc_id, f.lemmas FROM {UNITS_TABLE} u JOIN {FTS_TABLE} f ON f.rowid = u.rowid "
                           "WHERE u.passage_id = ?", (passage_id,)).fetchone()
        if row is None:
            raise QueryError(f"no indexed passage '{passage_id}' in {corpus.directory}")
        source_doc, lemma_text = row[0], row[1]
    else:
        lemma_text = lemmatizer().lemma_text(text or "", text_language)
    lemmas = _index_tokens(lemma_text)
    n_units = conn.execute(f"SELECT COUNT(*) FROM {UNITS_TABLE}").fetchone()[0] or 1
    dfs = _doc_freqs(conn, sorted(set(lemmas)))
    if passage_id is None:
        # free text is one more unit of the collection: it holds each of its own terms once more
        n_units += 1
        dfs = {term: dfs.get(term, 0) + 1 for term in set(lemmas)}
    source = _weights(lemmas, dfs, n_units)
    empty = pd.DataFrame(columns=SIMILAR_COLUMNS)
    if not source:
        return empty
    # a term only the source holds (df 1) cannot find anything else
    ranked = sorted(source.items(), key=lambda kv: (-kv[1], kv[0]))
    terms = [t for t, _ in ranked if dfs.get(t, 0) >= 2][:QUERY_TERMS]
    if not terms:
        return empty
    expression = "lemmas : (" + " OR ".join('"' + t.replace('"', '""') + '"' for t in terms) + ")"
    if "doc" in filters:
        filters["doc_id"] = filters.pop("doc")
    where, args = filter_sql(corpus, **filters)
    if passage_id is not None:
        where.append("u.passage_id != ?")
        args.append(passage_id)
    if other_documents and source_doc is not None:
        where.append("u.doc_id != ?")
        args.append(source_doc)
    rows = conn.execute(
        f"SELECT u.passage_id, {FTS_TABLE}.lemmas FROM {FTS_TABLE} JOIN {UNITS_TABLE} u ON u.rowid = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH ?" + "".join(f" AND {w}" for w in where) + " ORDER BY rank LIMIT ?",
        (expression, *args, CANDIDATES)).fetchall()
    if not rows:
        return empty
    cand_lemmas = {pid: _index_tokens(lem) for pid, lem in rows}
    all_terms = sorted({t for lem in cand_lemmas.values() for t in lem} - set(dfs))
    dfs.update(_doc_freqs(conn, all_terms))
    scored = sorted(((pid, _cosine(source, _weights(lem, dfs, n_units))) for pid, lem in cand_lemmas.items()),
                    key=lambda x: (-x[1], x[0]))[:n]
    frame = _attach(corpus, scored).rename(columns={"score": "similarity"})
    frame["citation"] = frame["passage_id"].map(citations(corpus, frame["passage_id"]))
    frame = frame.reindex(columns=SIMILAR_COLUMNS)
    frame.attrs.update(source=passage_id or "text", terms=terms)
    return frame
