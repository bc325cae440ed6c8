"""What the pages and the JSON API show, as plain dicts and lists: every value comes from the library API.

Nothing here analyses text of its own: search, KWIC, "more like this", example passages, theme scores, codebook
hits and citations are the library's functions (:mod:`policytekst.search`, :mod:`policytekst.themes`,
:mod:`policytekst.citation`); this module only picks the fields a page needs and turns frames into records.
Captured text stays plain text here; the templates escape it (Jinja autoescape).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import pandas as pd

from policytekst.citation import citations
from policytekst.corpus import Corpus
from policytekst.errors import UsageError
from policytekst.model import ANALYSIS_KINDS
from policytekst.search import ensure_index, examples, kwic, search, similar_passages, to_markdown
from policytekst.tables import records
from policytekst.themes import Codebook, theme_scores

# Private-use characters mark search hits inside a snippet: they never occur in captured text, survive HTML
# escaping unchanged, and the template turns them into <mark> after escaping (so a hit cannot inject markup).
HIT_OPEN, HIT_CLOSE = "\ue000", "\ue001"
SEARCH_FILTERS = ("year", "genre", "doc_id", "language", "kind", "theme")


class CorpusView:
    """One open corpus and the few derived things worth keeping between requests (theme scores, codebook).

    The theme scores are cached in the corpus itself by :func:`policytekst.themes.theme_scores`; reading them back
    still costs a moment on a large corpus, so the frame is also kept here until the corpus generation changes.
    """

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.codebook = Codebook.default()
        self._lock = threading.Lock()
        self._index_lock = threading.Lock()
        self._scores: tuple[int, pd.DataFrame] | None = None
        self._documents: tuple[int, list[dict[str, Any]]] | None = None
        self._overview: tuple[int, dict[str, Any]] | None = None
        self._examples: dict[tuple, pd.DataFrame] = {}

    # -- derived, cached ---------------------------------------------------------------------------------
    def scores(self) -> pd.DataFrame:
        """Model theme scores of every analysed passage (:mod:`policytekst.scores` protocol)."""
        with self._lock:  # one request computes; the others wait and read it
            generation = self.corpus.generation
            if self._scores is None or self._scores[0] != generation:
                self._scores = (generation, theme_scores(self.corpus, method="model"))
            return self._scores[1]

    def warm(self) -> None:
        """Make the slow first-time things now: the search index, the theme scores, the overview."""
        self.ensure_index()
        self.search("tjenester", limit=1)  # loads the lemmatiser and the query machinery once
        self.overview()  # reads the theme scores (computed now if the corpus has none cached)
        docs = self.documents()
        if docs:  # compiles the codebook matcher the reader uses
            self.document(docs[0]["doc_id"])

    def ensure_index(self) -> None:
        """The search index, built or brought up to date by one thread while the others wait for it."""
        with self._index_lock:
            ensure_index(self.corpus)

    def themes(self) -> list[str]:
        return list(self.scores().columns)

    # -- documents ---------------------------------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        """One record per document (the fields of `policytekst docs --json`), by year then title."""
        generation = self.corpus.generation
        if self._documents is None or self._documents[0] != generation:
            self._documents = (generation, self._read_documents())
        return self._documents[1]

    def _read_documents(self) -> list[dict[str, Any]]:
        docs = sorted(self.corpus.documents(), key=lambda d: (d.year is None, d.year or 0, d.title or d.doc_id))
        return [{"doc_id": d.doc_id, "title": d.title or d.doc_id, "authors": list(d.authors), "year": d.year,
                 "genre": d.genre, "language": d.language, "n_pages": d.n_pages, "n_passages": d.n_passages,
                 "format": d.format, "duplicate_of": d.duplicate_of} for d in docs]

    def overview(self) -> dict[str, Any]:
        """Counts by year, genre and language, and the share of passages per theme and year."""
        generation = self.corpus.generation
        if self._overview is None or self._overview[0] != generation:
            self._overview = (generation, self._compute_overview())
        return self._overview[1]

    def _compute_overview(self) -> dict[str, Any]:
        docs = self.documents()
        frame = pd.DataFrame(docs) if docs else pd.DataFrame(columns=["year", "genre", "language"])

        def counts(column: str) -> list[tuple[Any, int]]:
            values = frame[column].fillna("ukjent") if column != "year" else frame[column]
            return [(k, int(v)) for k, v in values.value_counts(dropna=True).sort_index().items()]

        trend: dict[str, list[tuple[int, float]]] = {}
        scores = self.scores()
        if len(scores):
            years = self.corpus.passages_frame(doc_vars=("year",)).set_index("passage_id")["year"]
            joined = (scores >= 0.5).join(years, how="inner").dropna(subset=["year"])
            if len(joined):
                shares = joined.groupby(joined["year"].astype(int)).mean()
                trend = {t: [(int(y), round(float(v), 3)) for y, v in shares[t].items()] for t in scores.columns}
        return {"n_documents": len(docs), "by_year": counts("year"), "by_genre": counts("genre"),
                "by_language": counts("language"), "theme_trend": trend}

    def document(self, doc_id: str, *, highlights: bool = True) -> dict[str, Any]:
        """Metadata (with its evidence) and every passage in order, with its citation, theme scores and the
        codebook hits as character offsets in the passage text."""
        doc = self.corpus.document(doc_id)  # UnknownNameError for a wrong id
        passages = list(self.corpus.passages(doc_id))
        cites = citations(self.corpus, [p.passage_id for p in passages])
        scores = self.scores() if highlights else pd.DataFrame()
        scored = scores.reindex([p.passage_id for p in passages]) if len(scores.columns) else None
        rows = []
        for p in passages:
            themes: dict[str, float] = {}
            if scored is not None and p.kind in ANALYSIS_KINDS:
                row = scored.loc[p.passage_id]
                themes = {t: round(float(v), 3) for t, v in row.items() if pd.notna(v) and v >= 0.5}
            hits = ([{"start": m.start, "end": m.end, "theme": m.theme, "term": m.term}
                     for m in self.codebook.matches(p.text)] if highlights and p.kind != "heading" else [])
            rows.append({"passage_id": p.passage_id, "seq": p.seq, "text": p.text, "kind": p.kind,
                         "page_start": p.page_start, "page_end": p.page_end, "section": p.section,
                         "language": p.language, "citation": cites.get(p.passage_id, ""), "themes": themes,
                         "hits": hits})
        meta = {"doc_id": doc.doc_id, "title": doc.title or doc.doc_id, "authors": list(doc.authors),
                "year": doc.year, "genre": doc.genre, "language": doc.language, "n_pages": doc.n_pages,
                "n_passages": doc.n_passages, "format": doc.format, "path": doc.path,
                "duplicate_of": doc.duplicate_of,
                "evidence": {name: {k: f.get(k) for k in ("value", "source", "evidence", "confidence", "rule")}
                             for name, f in doc.fields.items()}}
        return {**meta, "passages": rows}

    # -- search --------------------------------------------------------------------------------------------
    def search(self, q: str, limit: int = 20, **filters: Any) -> dict[str, Any]:
        """Search results as records: passage_id, doc_id, text, snippet (hits between HIT_OPEN/HIT_CLOSE),
        citation, title, year, pages, section, score."""
        wanted = {k: v for k, v in filters.items() if k in SEARCH_FILTERS and v not in (None, "")}
        self.ensure_index()
        frame = search(self.corpus, q, limit=limit, mark=(HIT_OPEN, HIT_CLOSE), **wanted)
        keep = ["passage_id", "doc_id", "text", "snippet", "citation", "title", "year", "page_start", "page_end",
                "section", "kind", "score"]
        return {"query": q, "n_matches": frame.attrs.get("n_matches"), "results": records(frame[keep])}

    def kwic(self, pattern: str, window: int = 8, limit: int = 200, **filters: Any) -> list[dict[str, Any]]:
        wanted = {k: v for k, v in filters.items() if k in SEARCH_FILTERS and v not in (None, "")}
        self.ensure_index()
        return records(kwic(self.corpus, pattern, window, limit=limit, **wanted))

    def similar(self, passage_id: str, n: int = 10) -> list[dict[str, Any]]:
        self.corpus.passage(passage_id)  # UnknownNameError for a wrong id
        frame = similar_passages(self.corpus, passage_id, n=n)
        return records(frame[["passage_id", "doc_id", "similarity", "citation", "title", "year", "text"]])

    def examples(self, theme: str, n: int = 10, **filters: Any) -> list[dict[str, Any]]:
        """The ranked example passages for a theme, spread over documents (the library's example finder)."""
        if theme not in self.themes():
            from policytekst.errors import unknown

            raise unknown("theme", theme, self.themes())
        wanted = {k: v for k, v in filters.items() if k in ("year", "genre", "language") and v not in (None, "")}
        key = (self.corpus.generation, theme, n, tuple(sorted(wanted.items())))
        if key not in self._examples:  # the example finder reads every passage: keep its answers for the session
            frame = examples(self.corpus, theme, n=n, scores=self.scores()[theme], **wanted)
            if len(self._examples) >= 64:
                self._examples.pop(next(iter(self._examples)))
            self._examples[key] = frame
        frame = self._examples[key]
        return records(frame[["rank", "passage_id", "doc_id", "theme_score", "usability", "citation", "title",
                              "year", "page_start", "page_end", "section", "text"]])

    # -- basket / handout ----------------------------------------------------------------------------------
    def basket_frame(self, passage_ids: Iterable[str]) -> pd.DataFrame:
        """The chosen passages, in the order chosen, with citations (unknown ids are dropped)."""
        ids = [pid for pid in dict.fromkeys(passage_ids) if self.corpus.store.passage(pid) is not None]
        cites = citations(self.corpus, ids)
        rows = []
        for pid in ids:
            p = self.corpus.passage(pid)
            rows.append({"passage_id": pid, "doc_id": p.doc_id, "citation": cites.get(pid, ""), "text": p.text})
        return pd.DataFrame(rows, columns=["passage_id", "doc_id", "citation", "text"])

    def handout_markdown(self, passage_ids: Iterable[str], title: str = "Utdrag") -> str:
        frame = self.basket_frame(passage_ids)
        if frame.empty:
            raise UsageError("the basket is empty: add passages first")
        return to_markdown(frame, title=title)


def highlight_segments(text: str, hits: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """Split ``text`` into (piece, theme or None) at the codebook hits; overlapping hits keep the first."""
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for hit in sorted(hits, key=lambda h: (h["start"], -h["end"])):
        start, end = max(hit["start"], 0), min(hit["end"], len(text))
        if start < at or start >= end:
            continue
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], hit["theme"]))
        at = end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces
