"""The example-passage finder: good passages to show a theme, from different documents, each with a citation.

Ranking = theme score x usability, then a diversity pass:

* theme score in [0, 1] from ``policytekst.themes.theme_scores`` (codebook or model), or scores you pass in
  (a topic's share, a classifier of your own);
* usability in [0, 1] (:func:`usability`): a self-contained body passage of 60-200 words, mostly prose, few numbers
  and references, not a heading fragment, not starting mid-sentence;
* diversity: at most ``max_per_doc`` passages per document and no near-duplicates (the same paragraph in a PDF and
  in a transcript of it counts once), relaxed only when the corpus cannot fill ``n`` otherwise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from policytekst.search.index import WORD

if TYPE_CHECKING:  # pragma: no cover
    from policytekst.corpus import Corpus

EXAMPLE_COLUMNS = ["rank", "passage_id", "doc_id", "text", "theme_score", "usability", "score", "citation", "title",
                   "year", "page_start", "page_end", "section", "kind", "n_words"]

MIN_WORDS, MAX_WORDS = 60, 200
# How fit each passage kind is to stand alone on a slide.
KIND_FIT = {"body": 1.0, "summary": 1.0, "appendix": 0.6, "list": 0.5, "footnote": 0.3, "table": 0.1,
            "reference": 0.0, "heading": 0.0, "toc": 0.0, "front": 0.1, "boilerplate": 0.0}
# Words that open a sentence by pointing back to something the reader of a lone passage has not seen.
_BACK_REFERENCES = frozenset("""dette disse denne dermed derfor likevel imidlertid samtidig dessuten også her
den det de da så men og eller slik videre tilsvarende this these however therefore thus also moreover""".split())
_CITATION = re.compile(
    r"\(\s*[A-ZÆØÅ][^()]{0,60}?\b(1[89]\d\d|20\d\d)[a-z]?(?:\s*[:,]\s*(?:s\.\s*)?\d+(?:\s*[-–]\s*\d+)?)?\s*\)"
    r"|\bet al\.|\bibid\b|\bjf\.|\bs\.\s*\d+|\b(?:St\.?\s*meld|NOU|Ot\.?\s*prp|Prop\.)\b|https?://|www\.")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*%?$")
_SENTENCE_END = re.compile(r"[.!?»”\")]$")
_LINE_END = re.compile(r"[.!?:;,»”\")]$")
# A line of a table of contents: a title, dot leaders (or a wide gap) and a page number at the end.
_LEADERS = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}\b")  # several in one line: entries re-flowed together
_TOC_LINE = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}\s*$|…{2,}\s*\d{1,4}\s*$")


def is_toc_line(line: str) -> bool:
    """True for a table-of-contents line ("3.2 Kasteball ........ 14"): KWIC and examples leave them out.

    Examples
    --------
    >>> is_toc_line("3.2 Kasteballproblematikk .......... 14"), is_toc_line("Kasteball er et problem.")
    (True, False)
    """
    return bool(_TOC_LINE.search(line)) or len(_LEADERS.findall(line)) >= 2


def _toc_share(text: str) -> float:
    """Share of a passage's non-empty lines that are table-of-contents lines."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return sum(map(is_toc_line, lines)) / len(lines) if lines else 0.0


def usability(text: str, kind: str = "body") -> float:
    """How usable a passage is as a stand-alone example, in [0, 1] (1 = a clean 60-200 word prose paragraph).

    Factors multiply: passage kind, length (full marks from 60 to 200 words, falling off outside), share of
    prose tokens, numbers, references/citations, a lower-case or back-referring start, a missing sentence end,
    too few sentences.

    Examples
    --------
    >>> round(usability("Kort overskrift"), 2)
    0.0
    """
    words = text.split()
    n = len(words)
    if n == 0:
        return 0.0
    score = KIND_FIT.get(kind, 0.5)
    score *= (1.0 - _toc_share(text)) ** 2  # contents lines inside a passage: not an example
    # length: a smooth ramp below 60 words, a gentler one above 200
    if n < MIN_WORDS:
        score *= (n / MIN_WORDS) ** 2
    elif n > MAX_WORDS:
        score *= max(0.0, 1.0 - (n - MAX_WORDS) / (2 * MAX_WORDS)) ** 0.5  # 300 words -> 0.87, 600 -> 0
    tokens = WORD.findall(text)
    if not tokens:
        return 0.0
    alpha = sum(t.isalpha() for t in tokens) / len(tokens)
    numbers = sum(bool(_NUMBER.match(t)) for t in tokens) / len(tokens)
    score *= min(1.0, alpha / 0.9) ** 2  # mostly prose
    score *= max(0.0, 1.0 - 4 * numbers)  # 10% numbers -> 0.6, 25% -> 0
    refs = len(_CITATION.findall(text))
    score *= math.exp(-0.25 * refs * 100 / max(n, 1))  # ~one reference per 100 words -> 0.78
    stripped = text.strip()
    first = stripped[0]
    if first.islower() or first in ",;:)-–":
        score *= 0.3  # starts mid-sentence (continues a previous page or passage)
    elif tokens[0].lower() in _BACK_REFERENCES:
        score *= 0.85
    if stripped.endswith(":"):
        score *= 0.4  # introduces a list that is not part of the passage
    elif not _SENTENCE_END.search(stripped):
        score *= 0.6  # stops mid-sentence or is a heading fragment
    lines = [line.strip() for line in stripped.splitlines() if line.strip()]
    if len(lines) > 1 and len(lines[0].split()) < 8 and not _LINE_END.search(lines[0]):
        score *= 0.6  # opens with a heading glued to the paragraph
    if len(lines) >= 3:
        # lines that end without punctuation and are not continued by the next line (which would start in lower
        # case, as in hard-wrapped PDF text): a list of titles, a menu, a table flattened to lines
        fragments = sum(
            not _LINE_END.search(line) and (i + 1 == len(lines) or not lines[i + 1][:1].islower())
            for i, line in enumerate(lines)) / len(lines)
        score *= max(0.1, 1.0 - fragments) ** 2
    sentences = len(re.findall(r"[.!?](?:\s|$)", stripped))
    if sentences < 2:
        score *= 0.5
    return float(max(0.0, min(1.0, score)))


def examples(corpus: Corpus, theme: str, n: int = 5, method: str = "model", *, scores: pd.Series | None = None,
             max_per_doc: int = 1, min_theme_score: float = 0.0, kinds: tuple[str, ...] | None = None,
             duplicate_threshold: float = 0.6, on_progress: Callable[[int, int], None] | None = None,
             **filters: Any) -> pd.DataFrame:
    """The ``n`` best example passages for a theme, spread over documents, each with a citation.

    Parameters
    ----------
    corpus : Corpus
    theme : str
        A theme name of ``policytekst.themes`` (e.g. "brukermedvirkning"); a label only when ``scores`` is given.
    n : int
        How many passages.
    method : {"model", "codebook"}
        How ``policytekst.themes.theme_scores`` scores the theme.
    scores : Series, optional
        Your own theme scores in [0, 1] indexed by passage_id (then ``method`` is not used).
    max_per_doc : int
        At most this many passages per document (relaxed only if fewer documents than ``n`` qualify).
    min_theme_score : float
        Ignore passages scoring below this.
    duplicate_threshold : float
        Word-set Jaccard similarity above which a passage counts as a repeat of one already chosen.
    on_progress : callable(done, total), optional
        Progress of scoring the corpus, when the theme scores are not cached yet.
    **filters
        year, genre, doc_id, language — as in :func:`policytekst.search.search`.

    Returns
    -------
    DataFrame(rank, passage_id, doc_id, text, theme_score, usability, score, citation, title, year, page_start,
    page_end, section, kind, n_words), best first; ``attrs`` records theme, method and parameters.
    """
    from policytekst.citation import citations
    from policytekst.search.query import QueryError, load_theme_scores
    from policytekst.selection import parse_years

    if n < 1:
        raise QueryError(f"n must be at least 1 (got {n})")
    given = scores is not None
    if scores is None:
        scores = load_theme_scores(corpus, theme, method, on_progress=on_progress)
    scores = pd.Series(scores, dtype=float)
    scores = scores[scores > max(min_theme_score, 0.0)]
    frame = corpus.passages_frame(kinds=kinds)
    frame = frame[frame["passage_id"].isin(scores.index)].copy()
    lo, hi = parse_years(filters.pop("year", None)).as_tuple()
    if lo is not None:
        frame = frame[frame["year"].fillna(-1) >= lo]
    if hi is not None:
        frame = frame[frame["year"].fillna(10**6) <= hi]
    for column, key in (("genre", "genre"), ("doc_id", "doc_id"), ("doc_id", "doc"), ("language", "language")):
        if filters.get(key) is not None:
            wanted = filters.pop(key)
            frame = frame[frame[column].isin(wanted if isinstance(wanted, (list, tuple, set)) else [wanted])]
    if filters:
        raise QueryError(f"unknown example filter(s): {', '.join(sorted(filters))}")
    frame["theme_score"] = frame["passage_id"].map(scores).astype(float)
    n_candidates = len(frame)
    # the diversity pass only needs the head of the ranking (keeps it fast on 100,000 passages)
    head = max(500, 100 * n)
    frame = _ranked(frame, head)
    chosen = _diverse(frame.head(head), n, max_per_doc, duplicate_threshold)
    result = frame.loc[chosen].copy() if chosen else frame.iloc[0:0].copy()
    result = result.sort_values(["score", "passage_id"], ascending=[False, True])  # the diverse set, best first
    result.insert(0, "rank", range(1, len(result) + 1))
    cites = citations(corpus, result["passage_id"])
    result["citation"] = result["passage_id"].map(cites)
    result["title"] = result["title"].fillna(result["doc_id"])
    result = result.reindex(columns=EXAMPLE_COLUMNS).reset_index(drop=True)
    result.attrs.update(theme=theme, method="given" if given else method, n=n, max_per_doc=max_per_doc,
                        candidates=int(n_candidates))
    return result


def query_scores(corpus: Corpus, query: str, limit: int = 2000, **filters: Any) -> pd.Series:
    """Scores in [0, 1] from a search query (BM25 / best BM25), indexed by passage_id: example passages for
    any query, or for a theme while no theme model is at hand (``examples(corpus, "x", scores=query_scores(...))``).
    """
    from policytekst.search.query import search

    hits = search(corpus, query, limit=limit, **filters)
    if hits.empty:
        return pd.Series(dtype=float, index=pd.Index([], name="passage_id", dtype=object), name=query)
    return pd.Series((hits["score"] / hits["score"].max()).to_numpy(),
                     index=pd.Index(hits["passage_id"].astype(str), name="passage_id"), dtype=float, name=query)


USABILITY_BLOCK = 2000  # passages whose usability is computed between checks of the bound


def _ranked(frame: pd.DataFrame, head: int) -> pd.DataFrame:
    """Passages with score = theme_score x usability > 0, best first; exact in (at least) the first ``head`` rows.

    Usability is at most 1, so no passage scores above its theme score: passages are visited in falling theme
    score, and the rest is skipped once ``head`` passages already score above the next theme score. Model scores
    are positive for every passage, and computing the usability of all of them took seconds per theme.
    """
    frame = frame.sort_values(["theme_score", "passage_id"], ascending=[False, True])
    bound = frame["theme_score"].to_numpy()
    texts, kinds = frame["text"].tolist(), frame["kind"].tolist()
    values: list[float] = []
    for start in range(0, len(frame), USABILITY_BLOCK):
        end = min(start + USABILITY_BLOCK, len(frame))
        values.extend(usability(t, k) for t, k in zip(texts[start:end], kinds[start:end], strict=True))
        if end < len(frame) and np.count_nonzero(bound[:end] * np.asarray(values) > bound[end]) >= head:
            break  # nothing left can enter the head: it scores at most bound[end]
    ranked = frame.iloc[:len(values)].copy()
    ranked["usability"] = values
    ranked["score"] = ranked["theme_score"] * ranked["usability"]
    return ranked[ranked["score"] > 0].sort_values(["score", "passage_id"], ascending=[False, True])


def _diverse(frame: pd.DataFrame, n: int, max_per_doc: int, duplicate_threshold: float) -> list[Any]:
    """Greedy pick in score order: per-document cap and near-duplicate suppression; relax the cap if needed."""
    chosen: list[Any] = []
    chosen_words: list[set[str]] = []
    per_doc: dict[str, int] = {}
    cap = max(1, max_per_doc)
    while len(chosen) < n:
        added = False
        for idx, row in frame.iterrows():
            if len(chosen) >= n:
                break
            if idx in chosen or per_doc.get(row["doc_id"], 0) >= cap:
                continue
            words = {w.lower() for w in WORD.findall(row["text"])}
            if any(_jaccard(words, other) > duplicate_threshold for other in chosen_words):
                continue
            chosen.append(idx)
            chosen_words.append(words)
            per_doc[row["doc_id"]] = per_doc.get(row["doc_id"], 0) + 1
            added = True
        if len(chosen) >= n or cap >= n:
            break
        if not added and cap >= len(frame):
            break
        cap += 1  # fewer documents than wanted: allow one more per document and go again
    return chosen


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
