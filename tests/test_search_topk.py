"""Top-k impact lists (search/topk.py): the first page read from the lists is the page the ranked FTS5 query gives.

The lists are opt-in (``POLICYTEKST_TOPK_LISTS=1``: measured, they do not prove one-word pages at a million
passages); they only apply on large indexes, so the tests shrink their thresholds (a term in 3 passages gets a list of
40 rows) to make the fast path answer on the demo corpus and the seed captures, then compare every page with the
plain ranked query: same passages, same order, same scores (the scores are computed as fts5_aux.c computes them).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from policytekst import Corpus
from policytekst.search import search, topk
from policytekst.search.index import (
    FTS_TABLE,
    PARTS_TERMS_TABLE,
    TERMS_TABLE,
    UNITS_TABLE,
    _build_topk,
    ensure_index,
)
from policytekst.search.query import WEIGHTS, compile_query

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_search import QUERIES  # noqa: E402  (the benchmark's 50 realistic queries)

COMMON = [("og", {}), ("det", {}), ("kommune", {}), ("kommunene", {}), ("tjenester", {}), ("og NOT nav", {}),
          ("nav OR og", {"year": (2000, 2008)}), ("arbeid AND bruker", {}), ("brukerne", {"kind": "body"})]


@pytest.fixture
def small_lists(monkeypatch):
    monkeypatch.setenv(topk.ENV, "1")  # the lists are opt-in (see search/topk.py)
    monkeypatch.setattr(topk, "MIN_ROWS", 3)
    monkeypatch.setattr(topk, "K", 40)
    monkeypatch.setattr(topk, "RARE_ROWS", 0)


def compare_pages(corpus: Corpus, queries, monkeypatch, limit: int = 20) -> Counter:
    """Every query's first page with the lists and without; returns how the fast path fared (reasons)."""
    outcomes: Counter = Counter()
    real_top = topk.top

    def spy(*args, **kwargs):
        page, outcome = real_top(*args, **kwargs)
        outcomes[outcome.reason] += 1
        return page, outcome

    for query, filters in queries:
        monkeypatch.setattr(topk, "top", spy)
        fast = search(corpus, query, limit=limit, **filters)
        monkeypatch.setattr(topk, "top", lambda *a, **k: (None, topk.Outcome(False, "off")))
        full = search(corpus, query, limit=limit, **filters)
        assert list(fast["passage_id"]) == list(full["passage_id"]), (query, filters)
        assert list(fast["score"]) == list(full["score"]), (query, filters)
    monkeypatch.setattr(topk, "top", real_top)
    return outcomes


def test_bm25_as_fts5_computes_it(demo_corpus):
    """The candidates' scores equal FTS5's bm25 bit for bit, also where a failed AND or NOT clears a present term."""
    ensure_index(demo_corpus)
    conn = demo_corpus.store.conn
    n_rows, avgdl = topk.averages(conn, FTS_TABLE)
    assert n_rows == conn.execute(f"SELECT COUNT(*) FROM {FTS_TABLE}").fetchone()[0]
    expressions = [compile_query(demo_corpus, q, compounds=c)[0] for q in ("brukerne", "kommunene NOT Oslo",
                                                                          "NAV AND kommune", "tjenestene")
                   for c in (False, True)]
    expressions += ['(surface : "og" AND surface : "nav") OR surface : "kommune"',
                    'surface : "nav" NOT (surface : "og" AND surface : "kommune")', 'surface : "og" OR surface : "og"']
    checked = 0
    for expression in expressions:
        tree = topk.parse_expression(expression)
        order = topk.leaves(tree)
        hits = {}
        for leaf in set(order):
            table, column = (PARTS_TERMS_TABLE, "parts") if leaf.col == 2 else (TERMS_TABLE, topk.COLUMNS[leaf.col])
            row = conn.execute(f"SELECT {column} FROM {table} WHERE term = ?", (leaf.term,)).fetchone()
            hits[leaf] = row[0] if row else 0
        truth = dict(conn.execute(f"SELECT rowid, -bm25({FTS_TABLE}, {', '.join(map(str, WEIGHTS))}) FROM "
                                  f"{FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", (expression,)).fetchall())
        mine = {r[0]: r[2] for r in topk._score(conn, FTS_TABLE, UNITS_TABLE, tree, order, hits, n_rows, avgdl,
                                                WEIGHTS, sorted(truth), [], [])}
        assert mine == truth, expression
        checked += len(truth)
    assert checked > 500


def test_parse_expression_refuses_what_it_cannot_score():
    for expression in ('{surface lemmas} : "brukermedvirk" *', 'surface : "mål og resultatstyring"',
                       '{surface lemmas} : ("samordning" OR "samording")'):
        with pytest.raises(topk.Unsupported):
            topk.parse_expression(expression)
    tree = topk.parse_expression('(surface : "a" OR lemmas : "a") NOT (surface : "b" OR parts : "b")')
    assert [leaf.term for leaf in topk.scoring_leaves(tree)] == ["a", "a"]


@pytest.mark.slow  # 59 queries ranked twice: kept out of make test-fast
def test_first_pages_unchanged_on_demo(demo_corpus, small_lists, monkeypatch):
    ensure_index(demo_corpus)
    _build_topk(demo_corpus.store.conn)
    outcomes = compare_pages(demo_corpus, [*QUERIES, *COMMON], monkeypatch)
    assert outcomes["exact"] >= 10, outcomes  # the fast path answered, so the comparison tested it
    assert outcomes["bound"] >= 1, outcomes  # and declined where the lists could not prove the page


def test_first_pages_unchanged_on_seeds(seed_corpus, small_lists, monkeypatch):
    ensure_index(seed_corpus)
    _build_topk(seed_corpus.store.conn)
    outcomes = compare_pages(seed_corpus, [*QUERIES, *COMMON], monkeypatch)
    assert outcomes["exact"] >= 10, outcomes


@pytest.mark.slow  # three ingests and index builds
def test_lists_follow_added_documents(tmp_path, small_lists, monkeypatch):
    """Rows added after the lists were built are read as candidates; the lists are rebuilt past STALE_SHARE."""
    docs = tmp_path / "docs"
    docs.mkdir()
    body = ("Kommunen har ansvar for tjenestene og brukerne i kommunen, og tjenestene skal samordnes med NAV. "
            "Brukerne møter mange etater, og samarbeidet mellom dem avgjør hvor godt tjenestene virker. ")
    for i in range(12):
        (docs / f"d{i:02d}.txt").write_text(body * (1 + i % 4) + f"Dokument {i}.\n", encoding="utf-8")
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        ensure_index(corpus)
        stamp = topk.stamp(corpus.store.conn)
        assert stamp is not None and stamp["max_rowid"] > 0
        monkeypatch.setattr(topk, "STALE_SHARE", 10.0)  # keep the old lists: the new rows must come from the range
        extra = tmp_path / "extra"
        extra.mkdir()
        (extra / "kort.txt").write_text("Tjenestene, tjenestene, tjenestene og kommunen.\n", encoding="utf-8")
        corpus.ingest([extra], progress=False)
        ensure_index(corpus)
        assert topk.stamp(corpus.store.conn) == stamp  # not rebuilt
        outcomes = compare_pages(corpus, [("tjenestene", {}), ("kommunen", {}), ("tjenestene NOT nav", {})],
                                 monkeypatch, limit=3)
        assert outcomes["exact"] >= 1, outcomes
        assert search(corpus, "tjenestene", limit=3)["doc_id"].iloc[0].startswith("kort")
        monkeypatch.setattr(topk, "STALE_SHARE", 0.0)
        (extra / "kort2.txt").write_text("Kommunen og tjenestene.\n", encoding="utf-8")
        corpus.ingest([extra], progress=False)
        ensure_index(corpus)
        assert topk.stamp(corpus.store.conn)["max_rowid"] > stamp["max_rowid"]  # rebuilt over the new rows


def test_counts_of_common_words_are_bounds_from_term_counts(demo_corpus, monkeypatch):
    """count=True on a word in many passages gives (at least, at most) from per-term counts; the true count of
    the matches lies between them, and one term alone is exact."""
    ensure_index(demo_corpus)
    monkeypatch.setattr(topk, "RARE_ROWS", 0)
    conn = demo_corpus.store.conn
    for query in ("og", "kommunene", "brukerne"):
        frame = search(demo_corpus, query, limit=2, count=True)
        lo, hi = frame.attrs["n_matches_range"]
        expression = frame.attrs["fts_query"]
        truth = conn.execute(f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", (expression,)).fetchone()[0]
        assert lo <= truth <= hi, (query, lo, truth, hi)
    one = topk.count_bounds(conn, FTS_TABLE, (TERMS_TABLE, PARTS_TERMS_TABLE), 'surface : "og"')
    truth = conn.execute(f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH 'surface : og'").fetchone()[0]
    assert one == (truth, truth)
    assert topk.count_bounds(conn, FTS_TABLE, (TERMS_TABLE, PARTS_TERMS_TABLE), 'surface : "og" AND surface : "nav"') is None


def test_lists_keep_rows_tied_with_the_kth():
    rows = [(1, 5.0), (2, 4.0), (3, 4.0), (4, 4.0), (5, 3.0), (6, 2.0)]
    assert topk._list(rows, 2) == (rows[:4], 3.0)  # copies tied with the 2nd stay in; the bound is the next score
    assert topk._list(rows[:3], 5) == (rows[:3], 0.0)  # every row of the term: nothing outside
    tied = [(1, 4.0), (2, 4.0), (3, 4.0)]
    assert topk._list(tied, 1) == (tied, 4.0)  # ties fill the fetch: the last score bounds the rest
    assert topk._list(tied, 1, complete=True) == (tied, 0.0)


def test_lists_are_opt_in(tmp_path, monkeypatch):
    monkeypatch.delenv(topk.ENV, raising=False)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Kommunen har ansvar for tjenestene.\n", encoding="utf-8")
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        ensure_index(corpus)
        assert topk.stamp(corpus.store.conn) is None  # no lists built
        assert not search(corpus, "tjenestene").empty  # and search ranks as before
