"""Top-k expression lists (search/topk.py): the first page read from the lists is the page the ranked FTS5 query
gives.

The lists only apply to queries reading more than ``RARE_ROWS`` passages (20,000), so the tests shrink the
thresholds (a unit in 5 passages gets a list of 25 rows) to make the fast path answer on the demo corpus, the seed
captures and a sample of the Storting questions, then compare every page with the plain ranked query: same
passages, same order, same scores.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from policytekst import Corpus
from policytekst.db import transaction
from policytekst.search import search, topk
from policytekst.search.index import (
    FTS_TABLE,
    PARTS_TERMS_TABLE,
    ROWID_HWM_KEY,
    TERMS_TABLE,
    UNITS_TABLE,
    _rebuild_terms,
    ensure_index,
)
from policytekst.search.query import TERMS_TABLES, WEIGHTS, compile_query

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_search import QUERIES  # noqa: E402  (the benchmark's 50 realistic queries)

COMMON = [("og", {}), ("det", {}), ("kommune", {}), ("kommunene", {}), ("tjenester", {}), ("og NOT nav", {}),
          ("nav OR og", {"year": (2000, 2008)}), ("arbeid AND bruker", {}), ("brukerne", {"kind": "body"}),
          ("og", {"year": (2000, 2005)}), ("kommune AND og AND det", {}), ("og OR det", {})]


@pytest.fixture
def small_lists(monkeypatch):
    monkeypatch.delenv(topk.ENV, raising=False)  # on by default
    monkeypatch.setattr(topk, "K", 25)
    monkeypatch.setattr(topk, "RARE_ROWS", 5)
    monkeypatch.setattr(topk, "PREMADE_WORDS", 0)  # lists made on first use only (premade: its own tests)


def forget_lists(corpus: Corpus) -> None:
    with transaction(corpus.store.conn):
        topk.clear(corpus.store.conn)


def compare_pages(corpus: Corpus, queries, monkeypatch, limit: int = 20) -> Counter:
    """Every query's first page with the lists and without; returns how the fast path fared (reasons)."""
    outcomes: Counter = Counter()
    real_top = topk.top

    def spy(*args, **kwargs):
        page, outcome = real_top(*args, **kwargs)
        outcomes[outcome.reason] += 1
        outcomes["made"] += outcome.made
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
        hits = topk._hits(conn, TERMS_TABLES, order)
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


def test_units_are_a_words_forms_and_leave_out_what_a_not_excludes():
    tree = topk.parse_expression('((surface : "a" OR lemmas : "a") AND (surface : "b" OR lemmas : "c")) '
                                 'NOT (surface : "d" OR parts : "d")')
    assert [topk.unit_key(u) for u in topk.units(tree)] == ['surface : "a" OR lemmas : "a"',
                                                          'surface : "b" OR lemmas : "c"']
    # an OR of words is one unit (its own list bounds it more tightly than the sum of the words' lists)
    tree = topk.parse_expression('((surface : "a" OR lemmas : "a") OR (surface : "b"))')
    assert [topk.unit_key(u) for u in topk.units(tree)] == ['surface : "a" OR lemmas : "a" OR surface : "b"']


def test_first_pages_unchanged_on_demo(demo_corpus, small_lists, monkeypatch):
    ensure_index(demo_corpus)
    forget_lists(demo_corpus)
    first = compare_pages(demo_corpus, [*QUERIES, *COMMON], monkeypatch)
    assert first["exact"] >= 15, first  # the fast path answered, so the comparison tested it
    assert first["bound"] >= 1, first  # and declined where the lists could not prove the page
    assert first["made"] >= 10, first
    again = compare_pages(demo_corpus, [*QUERIES, *COMMON], monkeypatch)  # now from the stored lists
    assert again["exact"] == first["exact"] and again["made"] < first["made"], (first, again)
    with pytest.MonkeyPatch.context() as m:  # one-row lists: most pages cannot be proven, and must not be answered
        m.setattr(topk, "K", 1)
        forget_lists(demo_corpus)
        tight = compare_pages(demo_corpus, [*QUERIES, *COMMON], monkeypatch)
        assert tight["bound"] > first["bound"], (first, tight)
    forget_lists(demo_corpus)


def test_first_pages_unchanged_on_seeds(seed_corpus, small_lists, monkeypatch):
    ensure_index(seed_corpus)
    forget_lists(seed_corpus)
    outcomes = compare_pages(seed_corpus, [*QUERIES, *COMMON], monkeypatch)
    assert outcomes["exact"] >= 10, outcomes


@pytest.mark.slow  # about 4,000 Storting questions ingested and indexed
def test_first_pages_unchanged_on_storting_questions(storting_sample, monkeypatch):
    """Real text (skipped without ../shared): every benchmark query's first page with lists and without, with
    thresholds scaled to the sample (a unit in 100 passages gets a list of 50 rows), pages of 20 and of 5."""
    monkeypatch.delenv(topk.ENV, raising=False)
    monkeypatch.setattr(topk, "K", 50)
    monkeypatch.setattr(topk, "RARE_ROWS", 100)
    ensure_index(storting_sample)
    forget_lists(storting_sample)
    queries = [*QUERIES, *COMMON]
    outcomes = compare_pages(storting_sample, queries, monkeypatch) + compare_pages(storting_sample, queries,
                                                                                   monkeypatch, limit=5)
    assert outcomes["exact"] >= 20, outcomes


def test_proof_declines_when_the_page_reaches_below_the_list(demo_corpus, small_lists):
    """A filter that leaves too few of a list's rows, or a bound the page does not clear: top() declines."""
    ensure_index(demo_corpus)
    forget_lists(demo_corpus)
    conn = demo_corpus.store.conn
    expression = compile_query(demo_corpus, "og", compounds=False)[0]
    page, outcome = topk.top(conn, FTS_TABLE, UNITS_TABLE, TERMS_TABLES, expression, WEIGHTS, [], [], 5)
    assert page is not None and outcome.reason == "exact" and outcome.made == 1
    # 11 rows wanted from a list of 10 (plus ties): rows outside the list may belong on the page
    page, outcome = topk.top(conn, FTS_TABLE, UNITS_TABLE, TERMS_TABLES, expression, WEIGHTS, [], [], 60)
    assert page is None and outcome.reason == "bound" and outcome.made == 0
    # a year no list row has
    page, outcome = topk.top(conn, FTS_TABLE, UNITS_TABLE, TERMS_TABLES, expression, WEIGHTS, ["u.year = ?"],
                             [1066], 5)
    assert page is None and outcome.reason == "bound"
    # two words: the bound is the sum of the two lists' bounds, here above the page
    expression = compile_query(demo_corpus, "og AND det", compounds=False)[0]
    page, outcome = topk.top(conn, FTS_TABLE, UNITS_TABLE, TERMS_TABLES, expression, WEIGHTS, [], [], 60)
    assert page is None and outcome.reason == "bound" and outcome.candidates > 0
    forget_lists(demo_corpus)


def _docs(folder: Path, names_bodies: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, body in names_bodies.items():
        (folder / name).write_text(body, encoding="utf-8")
    return folder


BODY = ("Kommunen har ansvar for tjenestene og brukerne i kommunen, og tjenestene skal samordnes med NAV. "
        "Brukerne møter mange etater, og samarbeidet mellom dem avgjør hvor godt tjenestene virker. ")


def _terms(conn) -> tuple[list, list]:
    return (conn.execute(f"SELECT * FROM {TERMS_TABLE} ORDER BY term").fetchall(),
            conn.execute(f"SELECT * FROM {PARTS_TERMS_TABLE} ORDER BY term").fetchall())


def test_lists_follow_added_and_removed_documents(tmp_path, small_lists, monkeypatch):
    """Rows added after a list was made are read as candidates (the list is kept and the page stays exact),
    removed rows drop out; a list is made again past STALE_SHARE; the term counts follow the change row by row and
    equal a full recount; a removed document's rowids are not given out again."""
    monkeypatch.setattr(topk, "STALE_SHARE", 10.0)  # keep the lists: the new rows must come from the range
    docs = _docs(tmp_path / "docs", {f"d{i:02d}.txt": BODY * (1 + i % 4) + f"Dokument {i}.\n" for i in range(12)})
    # the words alone first: their lists then prove the AND after the change (its own list is stale by then)
    queries = [("tjenestene", {}), ("kommunen", {}), ("brukerne", {}), ("brukerne AND tjenestene", {})]
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        ensure_index(corpus)
        conn = corpus.store.conn
        made = compare_pages(corpus, [*queries, ("tjenestene NOT nav", {})], monkeypatch, limit=3)
        assert made["exact"] >= 4 and made["made"] >= 4, made
        lists = conn.execute(f"SELECT key, state FROM {topk.LISTS_TABLE} ORDER BY key").fetchall()
        # a small change: ten more documents beside twelve would be a large one (a full recount)
        monkeypatch.setattr("policytekst.search.index.DELTA_SHARE", 1.0)
        extra = _docs(tmp_path / "extra", {"kort.txt": "Tjenestene, tjenestene, tjenestene og kommunen.\n",
                                           "zz.txt": "Brukerne og tjenestene, brukerne og tjenestene. Brukerne.\n"})
        corpus.ingest([extra], progress=False)
        ensure_index(corpus)
        assert conn.execute(f"SELECT key, state FROM {topk.LISTS_TABLE} ORDER BY key").fetchall() == lists
        after = compare_pages(corpus, queries, monkeypatch, limit=3)
        assert after["exact"] >= 4 and after["made"] == 0, after  # the stored lists, plus the rows added since
        compare_pages(corpus, [("tjenestene NOT nav", {})], monkeypatch, limit=3)  # its own list made again
        assert search(corpus, "tjenestene", limit=3)["doc_id"].iloc[0].startswith("kort")
        delta = _terms(conn)
        _rebuild_terms(conn)
        assert _terms(conn) == delta  # counted from the changed rows = counted from the whole vocabulary

        # remove the document with the highest rowids, then add one: its rowids are new
        hwm = int(corpus.store.get_info(ROWID_HWM_KEY))
        key = next(k for k, _doc, path in corpus.store.source_keys() if path.endswith("zz.txt"))
        corpus.store.remove_sources([key])
        (extra / "zz.txt").unlink()
        _docs(extra, {"ny.txt": "Tjenestene og kommunen.\n"})
        corpus.ingest([extra], progress=False)
        ensure_index(corpus)
        lo = conn.execute("SELECT MIN(rowid_lo) FROM search_docs WHERE doc_id LIKE 'ny%'").fetchone()[0]
        assert lo > hwm
        after = compare_pages(corpus, queries, monkeypatch, limit=3)
        assert after["exact"] >= 4 and after["made"] == 0, after
        delta = _terms(conn)
        _rebuild_terms(conn)
        assert _terms(conn) == delta

        monkeypatch.setattr(topk, "STALE_SHARE", 0.0)  # every change is too much now: the lists are made again
        again = compare_pages(corpus, queries, monkeypatch, limit=3)
        assert again["made"] >= 3, again


def test_a_rebuild_forgets_the_lists(tmp_path, small_lists, monkeypatch):
    docs = _docs(tmp_path / "docs", {f"d{i}.txt": BODY * (1 + i % 3) for i in range(8)})
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        search(corpus, "tjenestene", limit=2)
        conn = corpus.store.conn
        assert conn.execute(f"SELECT COUNT(*) FROM {topk.LISTS_TABLE}").fetchone()[0] == 1
        with transaction(conn):  # as if the lemmatiser had changed
            conn.execute("UPDATE info SET value = 'older' WHERE key = 'search_nlp'")
        ensure_index(corpus)
        assert conn.execute(f"SELECT COUNT(*) FROM {topk.LISTS_TABLE}").fetchone()[0] == 0


def test_counts_of_common_words_are_bounds_from_term_counts(demo_corpus, monkeypatch):
    """count=True on a word in many passages gives (at least, at most) from per-term counts; the true count of
    the matches lies between them, and one term alone is exact."""
    ensure_index(demo_corpus)
    monkeypatch.setattr(topk, "COUNT_ROWS", 0)
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
    forget_lists(demo_corpus)


def test_lists_keep_rows_tied_with_the_kth():
    rows = [(1, 5.0), (2, 4.0), (3, 4.0), (4, 4.0), (5, 3.0), (6, 2.0)]
    assert topk._list(rows, 2) == (rows[:4], 3.0)  # copies tied with the 2nd stay in; the bound is the next score
    assert topk._list(rows[:3], 5) == (rows[:3], None)  # every row of the unit: nothing outside
    tied = [(1, 4.0), (2, 4.0), (3, 4.0)]
    assert topk._list(tied, 1) == (tied, 4.0)  # ties fill the fetch: the last score bounds the rest
    assert topk._list(tied, 1, complete=True) == (tied, None)


def test_lists_are_on_by_default_and_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.delenv(topk.ENV, raising=False)
    assert topk.enabled()
    monkeypatch.setenv(topk.ENV, "0")
    assert not topk.enabled()
    docs = _docs(tmp_path / "docs", {"a.txt": "Kommunen har ansvar for tjenestene.\n"})
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        frame = search(corpus, "tjenestene")
        assert not frame.empty  # ranked as before
        page, outcome = topk.top(corpus.store.conn, FTS_TABLE, UNITS_TABLE, TERMS_TABLES, frame.attrs["fts_query"],
                                 WEIGHTS, [], [], 5)
        assert page is None and outcome.reason == "off"


def test_phrases_prefixes_and_globs_are_answered_while_the_index_is_unchanged(tmp_path, small_lists, monkeypatch):
    """An expression not scored here (phrase, prefix, glob) is one unit: its list answers while the index is as it
    was when the list was made, and is made again after a change."""
    docs = _docs(tmp_path / "docs", {f"d{i:02d}.txt": BODY * (1 + i % 4) + f"Dokument {i}.\n" for i in range(12)})
    queries = [('"tjenestene og"', {}), ("tjenest*", {}), ("tj?nestene", {}), ('brukerne AND "mange etater"', {}),
               ("tjenest*", {"year": 1900})]
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        first = compare_pages(corpus, queries, monkeypatch, limit=3)
        assert first["exact"] >= 4 and first["made"] >= 4 and not first["expression"], first
        again = compare_pages(corpus, queries, monkeypatch, limit=3)
        assert again["exact"] == first["exact"] and again["made"] == 0, again
        _docs(docs, {"kort.txt": "Tjenestene og tjenestene og tjenestene, mange etater og brukerne.\n"})
        corpus.ingest([docs], progress=False)
        changed = compare_pages(corpus, queries, monkeypatch, limit=3)
        assert changed["made"] >= 4, changed
        assert search(corpus, '"tjenestene og"', limit=1)["doc_id"].iloc[0].startswith("kort")


def test_a_read_only_connection_makes_no_list_twice(tmp_path, small_lists):
    """Where a list cannot be kept, search would rank twice on every call: it makes one once, then declines."""
    import sqlite3

    docs = _docs(tmp_path / "docs", {f"d{i}.txt": BODY * (1 + i % 3) for i in range(8)})
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        ensure_index(corpus)
        path = corpus.store.path
        expression = compile_query(corpus, "tjenestene", compounds=False)[0]
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        page, outcome = topk.top(conn, FTS_TABLE, UNITS_TABLE, TERMS_TABLES, expression, WEIGHTS, [], [], 3)
        assert page is not None and outcome.made == 1  # made, used, not kept
        page, outcome = topk.top(conn, FTS_TABLE, UNITS_TABLE, TERMS_TABLES, expression, WEIGHTS, [], [], 3)
        assert page is None and outcome.reason == "no list"
    finally:
        conn.close()


def test_the_oldest_lists_go_past_max_lists(tmp_path, small_lists, monkeypatch):
    monkeypatch.setattr(topk, "MAX_LISTS", 2)
    docs = _docs(tmp_path / "docs", {f"d{i}.txt": BODY * (1 + i % 3) for i in range(8)})
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        for query in ("tjenestene", "brukerne", "kommunen"):
            search(corpus, query, limit=2)
        keys = [r[0] for r in corpus.store.conn.execute(f"SELECT key FROM {topk.LISTS_TABLE}")]
        assert len(keys) == 2 and not any('"tjenestene"' in k for k in keys), keys


def test_an_index_without_parts_counts_gets_them_once(tmp_path):
    """An index of this version built before the parts counts existed: their IDF is what the scoring needs."""
    from policytekst.search.index import PARTS_COUNTED_KEY

    docs = _docs(tmp_path / "docs", {"a.txt": "Brukermedvirkning i tjenestene og kommunehelsetjenesten.\n"})
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        ensure_index(corpus)
        conn = corpus.store.conn
        counted = conn.execute(f"SELECT * FROM {PARTS_TERMS_TABLE} ORDER BY term").fetchall()
        assert counted
        with transaction(conn):
            conn.execute(f"DELETE FROM {PARTS_TERMS_TABLE}")
            conn.execute("DELETE FROM info WHERE key = ?", (PARTS_COUNTED_KEY,))
        ensure_index(corpus)
        assert conn.execute(f"SELECT * FROM {PARTS_TERMS_TABLE} ORDER BY term").fetchall() == counted


@pytest.fixture
def premade(monkeypatch):
    """Lists made with the index for the 8 most frequent words of a small corpus (a unit in 5 passages is
    frequent)."""
    monkeypatch.delenv(topk.ENV, raising=False)
    monkeypatch.setattr(topk, "K", 25)
    monkeypatch.setattr(topk, "RARE_ROWS", 5)
    monkeypatch.setattr(topk, "PREMADE_WORDS", 8)


def _frequent_words(conn, n: int) -> list[str]:
    return [r[0] for r in conn.execute(
        f"SELECT term FROM {TERMS_TABLE} WHERE MAX(surface, lemmas) >= ? ORDER BY MAX(surface, lemmas) DESC, term "
        "LIMIT ?", (topk.RARE_ROWS, n))]


def _premade_words(corpus, conn) -> list[str]:
    """The candidate words whose first search reads a list made with the index."""
    from policytekst.search.query import tiers

    keys = _premade_keys(conn)
    return [w for w in _frequent_words(conn, topk.PREMADE_WORDS * topk.POOL_FACTOR)
            if topk.unit_key(topk.parse_expression(tiers(corpus, w)[0])) in keys]


def _premade_keys(conn) -> set[str]:
    return {r[0] for r in conn.execute(
        f"SELECT key FROM {topk.LISTS_TABLE} WHERE json_extract(state, '$.premade') IS NOT NULL")}


def test_the_index_makes_the_frequent_words_lists(demo_corpus, premade, monkeypatch):
    """ensure_index makes the lists of the most frequent words (capped at PREMADE_WORDS); a first search of such a
    word reads its list (no ranking in full) and gives the page the plain ranked query gives."""
    from policytekst.search.query import tiers

    ensure_index(demo_corpus)
    conn = demo_corpus.store.conn
    forget_lists(demo_corpus)  # and the marker: the next ensure_index makes them (an index built before them)
    assert conn.execute(f"SELECT COUNT(*) FROM {topk.LISTS_TABLE}").fetchone()[0] == 0
    report = ensure_index(demo_corpus)
    keys = _premade_keys(conn)
    assert len(keys) == topk.PREMADE_WORDS == report.lists_made  # the cap holds
    assert ensure_index(demo_corpus).lists_made == 0  # made once

    # the candidates: the words in the most passages; the lists: the units of theirs that read the most
    pool = _frequent_words(conn, topk.PREMADE_WORDS * topk.POOL_FACTOR)
    reads = {}
    for word in pool:
        tree = topk.parse_expression(tiers(demo_corpus, word)[0])
        hits = topk._hits(conn, TERMS_TABLES, topk.leaves(tree))
        reads[topk.unit_key(tree)] = (topk.estimate(tree, hits, topk.averages(conn, FTS_TABLE)[0]), word)
    assert keys <= set(reads)
    assert min(reads[k][0] for k in keys) >= max(v[0] for k, v in reads.items() if k not in keys)
    words = sorted({reads[k][1] for k in keys})

    real_top = topk.top
    seen: list[topk.Outcome] = []

    def spy(*args, **kwargs):
        page, outcome = real_top(*args, **kwargs)
        seen.append(outcome)
        return page, outcome

    for word in words:
        seen.clear()
        monkeypatch.setattr(topk, "top", spy)
        fast = search(demo_corpus, word, limit=10)
        assert seen[0].made == 0 and seen[0].reason == "exact", (word, seen)  # read from the list made with the index
        monkeypatch.setattr(topk, "top", lambda *a, **k: (None, topk.Outcome(False, "off")))
        full = search(demo_corpus, word, limit=10)
        assert list(fast["passage_id"]) == list(full["passage_id"]), word
        assert list(fast["score"]) == list(full["score"]), word
    monkeypatch.setattr(topk, "top", real_top)
    compare_pages(demo_corpus, [*QUERIES, *COMMON], monkeypatch)  # the rest: lazy, and the same pages
    forget_lists(demo_corpus)


def test_premade_lists_follow_changes_and_rebuilds(tmp_path, premade, monkeypatch):
    """After a small change the lists made with the index are kept and answer exactly (rows added since read as
    candidates); a rebuild forgets every list and makes the frequent words' again; the time budget stops it."""
    monkeypatch.setattr(topk, "STALE_SHARE", 10.0)
    docs = _docs(tmp_path / "docs", {f"d{i:02d}.txt": BODY * (1 + i % 4) + f"Dokument {i}.\n" for i in range(12)})
    queries = [("tjenestene", {}), ("kommunen", {}), ("brukerne", {}), ("og", {})]
    with Corpus(tmp_path / "c", create=True) as corpus:
        corpus.ingest([docs], progress=False)
        report = ensure_index(corpus)
        conn = corpus.store.conn
        assert report.lists_made == len(_premade_keys(conn)) > 0
        lists = conn.execute(f"SELECT key, state, rows FROM {topk.LISTS_TABLE} ORDER BY key").fetchall()
        monkeypatch.setattr("policytekst.search.index.DELTA_SHARE", 1.0)
        extra = _docs(tmp_path / "extra", {"kort.txt": "Tjenestene, tjenestene, tjenestene og kommunen.\n"})
        corpus.ingest([extra], progress=False)
        report = ensure_index(corpus)
        now = conn.execute(f"SELECT key, state, rows FROM {topk.LISTS_TABLE} ORDER BY key").fetchall()
        assert set(lists) <= set(now)  # still usable: kept as they were
        # made: only the words that became one of the most frequent with the new document
        assert report.lists_made == len(now) - len(lists) < len(lists)
        assert len(_premade_keys(conn)) == len(now)
        words = [(w, {}) for w in _premade_words(corpus, conn)]
        assert len(words) >= 5
        after = compare_pages(corpus, words, monkeypatch, limit=3)
        assert after["exact"] >= 5 and after["made"] == 0, after  # exact through the rows added since
        compare_pages(corpus, queries, monkeypatch, limit=3)
        assert search(corpus, "tjenestene", limit=3)["doc_id"].iloc[0].startswith("kort")

        monkeypatch.setattr(topk, "STALE_SHARE", 0.0)  # every change is too much: the index update makes them again
        _docs(extra, {"ny.txt": "Tjenestene og kommunen.\n"})
        corpus.ingest([extra], progress=False)
        assert ensure_index(corpus).lists_made == topk.PREMADE_WORDS
        monkeypatch.setattr(topk, "STALE_SHARE", 10.0)

        with transaction(conn):  # as if the lemmatiser had changed: a rebuild
            conn.execute("UPDATE info SET value = 'older' WHERE key = 'search_nlp'")
        report = ensure_index(corpus)
        assert report.rebuilt and report.lists_made == len(_premade_keys(conn)) > 0
        frequent = [(w, {}) for w in _premade_words(corpus, conn)]
        assert compare_pages(corpus, frequent, monkeypatch, limit=3)["made"] == 0

        monkeypatch.setattr(topk, "PREMADE_SECONDS", 0.0)  # no time: nothing made, the words stay lazy
        with transaction(conn):
            topk.clear(conn)
        assert ensure_index(corpus).lists_made == 0 and not _premade_keys(conn)
