"""Executors: the same corpus from one process, a local process pool and a Dask cluster; clear refusals.

The Dask tests share one LocalCluster of 2 worker processes (the session fixture ``dask_scheduler``) and skip with
the install line when the [dask] extra is missing.
"""

from __future__ import annotations

import importlib.util
import random
import sqlite3
from pathlib import Path

import pytest
from test_ingest import PARAGRAPH, run_cli, write_docs

from policytekst import Corpus
from policytekst.errors import UsageError
from policytekst.executors import DaskExecutor, Executor, check_executor, make_executor


def _messy_folder(src: Path) -> None:
    """Documents of several formats and sizes, a table of texts among them, a bad file, a sidecar, a copy, and files
    with the same stem in different folders (they must get distinct ids however many are in flight)."""
    write_docs(src / "notater", 40, words=120)
    for sub in ("a", "b"):
        (src / sub).mkdir()
        (src / sub / "rapport.md").write_text(f"# Rapport {sub}\n\n" + PARAGRAPH * 4, encoding="utf-8")
    (src / "a" / "side.html").write_text("<html><head><title>Om NAV</title></head><body><p>" + PARAGRAPH * 3
                                         + "</p></body></html>", encoding="utf-8")
    (src / "a" / "sporsmal.csv").write_text("id,date,text\n1,2004-02-01,Om Aetat og trygdeetaten og samordningen\n"
                                           "rapport,2007-03-01,Om NAV-kontorene i kommunene\n", encoding="utf-8")
    (src / "b" / "kopi.txt").write_bytes((src / "notater" / "notat_0003.txt").read_bytes())
    (src / "b" / "tom.txt").write_bytes(b"")
    (src / "b" / "metadata.csv").write_text("file,title,year\nrapport.md,Rapport fra B,2011\n", encoding="utf-8")


def _stored(corpus_dir: Path) -> dict[str, list[tuple]]:
    """Everything ingest stores about documents and passages, minus the time of ingest."""
    with sqlite3.connect(corpus_dir / "corpus.sqlite") as conn:
        return {
            "documents": conn.execute("SELECT doc_id, source_key, content_hash, title, year, n_passages, fields, "
                                      "meta, warnings, text FROM documents ORDER BY doc_id").fetchall(),
            "passages": conn.execute("SELECT * FROM passages ORDER BY passage_id").fetchall(),
            "prints": conn.execute("SELECT * FROM doc_prints ORDER BY doc_id").fetchall(),
            "keys": conn.execute("SELECT * FROM passage_keys ORDER BY passage_id").fetchall(),
            "duplicates": conn.execute("SELECT * FROM duplicates ORDER BY level, item").fetchall(),
        }


def test_serial_process_pool_and_dask_store_the_same_corpus(tmp_path: Path, dask_scheduler: str) -> None:
    src = tmp_path / "src"
    _messy_folder(src)
    runs = {"serial": {}, "pool": {"workers": 2}, "dask": {"executor": "dask", "scheduler": dask_scheduler}}
    stored, told = {}, {}
    for name, options in runs.items():
        with Corpus(tmp_path / name, create=True) as corpus:
            results = []
            corpus.ingest([src], progress=False, on_result=results.append, **options)
        stored[name] = _stored(tmp_path / name)
        told[name] = [(r.path, r.status, r.doc_id, r.error, r.warnings) for r in results]
    assert len(stored["serial"]["documents"]) == 46 and stored["serial"]["passages"]
    ids = [row[0] for row in stored["serial"]["documents"]]
    assert "rapport" in ids and any(i.startswith("rapport-") for i in ids), "same stem, distinct ids"
    for name in ("pool", "dask"):
        for table, rows in stored["serial"].items():
            assert stored[name][table] == rows, f"{name}: {table} differ from one process"
    # Dask tells the results in input order, as one process does (the local pool tells unchanged files early)
    assert told["dask"] == told["serial"]
    assert any(status == "failed" and "tom.txt" in path for path, status, *_ in told["dask"])


def test_a_rerun_on_dask_is_incremental(tmp_path: Path, dask_scheduler: str) -> None:
    paths = write_docs(tmp_path / "src", 40, words=60)
    with Corpus(tmp_path / "c", create=True) as corpus, DaskExecutor(scheduler=dask_scheduler) as executor:
        assert corpus.ingest([tmp_path / "src"], progress=False, executor=executor)["added"] == 40
        paths[17].write_text("Nytt notat\n\n" + PARAGRAPH * 2, encoding="utf-8")
        counts = corpus.ingest([tmp_path / "src"], progress=False, executor=executor)
        assert (counts["unchanged"], counts["updated"]) == (39, 1)
        assert corpus.status()["documents"] == 40


def test_a_batch_left_part_full_behind_many_unchanged_files_is_sent(tmp_path: Path, dask_scheduler: str,
                                                                     monkeypatch) -> None:
    import policytekst.ingest as ingest_module

    paths = write_docs(tmp_path / "src", 220, words=20)
    with Corpus(tmp_path / "c", create=True) as corpus:
        assert corpus.ingest([tmp_path / "src"], progress=False)["added"] == 220  # one process
        for i in (0, 1, 219):
            paths[i].write_text(f"Endret {i}\n\nArbeidslinja ble skjerpet med aktivitetskrav i {2000 + i}. "
                                + PARAGRAPH * 2, encoding="utf-8")
        # batches of 3: 2 changed files wait in a batch while 217 unchanged results queue behind them (limit 192)
        monkeypatch.setattr(ingest_module, "BATCH", 3)
        results = []
        corpus.ingest([tmp_path / "src"], progress=False, on_result=results.append, executor="dask",
                      scheduler=dask_scheduler)
        assert [r.status for r in results] == ["updated"] * 2 + ["unchanged"] * 217 + ["updated"]
        assert "Arbeidslinja" in corpus.text(results[1].doc_id) and "Arbeidslinja" in corpus.text(results[-1].doc_id)


def test_executor_mistakes_are_usage_errors_before_a_corpus_is_made(tmp_path: Path, monkeypatch) -> None:
    write_docs(tmp_path / "src", 1)
    corpus_dir = tmp_path / "c"
    code, _, stderr = run_cli("ingest", str(tmp_path / "src"), "--corpus", str(corpus_dir), "--executor", "spark")
    assert code == 2 and "unknown executor 'spark'" in stderr
    code, _, stderr = run_cli("ingest", str(tmp_path / "src"), "--corpus", str(corpus_dir),
                              "--scheduler", "tcp://127.0.0.1:8786")
    assert code == 2 and "--executor dask" in stderr
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    code, _, stderr = run_cli("ingest", str(tmp_path / "src"), "--corpus", str(corpus_dir), "--executor", "dask")
    assert code == 2 and "[dask] extra" in stderr and "pip install" in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert not corpus_dir.exists()
    with pytest.raises(UsageError, match="extra"):
        check_executor("dask")


def test_imap_keeps_order_and_a_bounded_window() -> None:
    with make_executor("process", 1) as serial:
        assert type(serial) is Executor
        assert list(serial.imap(abs, range(-5, 5), window=3)) == [abs(i) for i in range(-5, 5)]
    with make_executor("process", 2) as pool:
        assert list(pool.imap(abs, range(-50, 50))) == [abs(i) for i in range(-50, 50)]


def test_a_pool_broken_by_a_dead_worker_hands_out_failed_futures_not_errors() -> None:
    """Once a worker has died, submitting more work must not raise (ingest was still handing out files when one
    killed its worker, and the error escaped as an internal error): each later call gets a future holding the
    lost-worker error, which the caller retries like the calls the dead worker held."""
    import os
    from concurrent.futures.process import BrokenProcessPool

    from policytekst.executors import submit_to_pool
    from policytekst.ingest import _new_pool

    pool = _new_pool(1)
    try:
        with pytest.raises(BrokenProcessPool):
            pool.submit(os._exit, 1).result(timeout=60)
        with pytest.raises(BrokenProcessPool):
            pool.submit(abs, -1)  # what the pool itself does
        assert isinstance(submit_to_pool(pool, abs, -1).exception(timeout=5), BrokenProcessPool)
    finally:
        pool.shutdown(cancel_futures=True)
    with make_executor("process", 2) as executor:
        dead = executor.submit(os._exit, 1)
        assert executor.lost_worker(dead.exception(timeout=60))
        assert executor.lost_worker(executor.submit(abs, -1).exception(timeout=5))


def test_dask_imap_and_worker_memory(dask_scheduler: str) -> None:
    with DaskExecutor(scheduler=dask_scheduler) as executor:
        assert executor.slots == 2
        assert list(executor.imap(abs, range(-30, 30))) == [abs(i) for i in range(-30, 30)]
        peaks = executor.worker_peaks_mb()
        assert len(peaks) == 2 and all(mb > 10 for mb in peaks.values())


def test_the_lemma_cache_computed_on_dask_is_the_same(tmp_path: Path, dask_scheduler: str) -> None:
    from policytekst.nlp.cache import passage_lemmas

    src = tmp_path / "src"
    src.mkdir()
    sentences = [s.strip() + "." for s in PARAGRAPH.split(".") if s.strip()] + [
        "Kommunene fikk ansvar for oppfølgingen.", "Reformen ble evaluert av forskere i flere år.",
        "Arbeidslinja ble skjerpet med aktivitetskrav.", "Brukerne ventet lenge på svar fra kontoret."]
    for i in range(30):  # passages that differ, so none is left out as a repeat
        order = random.Random(i).sample(sentences, len(sentences))
        (src / f"notat_{i}.txt").write_text(f"Notat {i}\n\n" + " ".join(order) + "\n\n" + " ".join(order[::-1]),
                                            encoding="utf-8")
    with Corpus(tmp_path / "one", create=True) as one, Corpus(tmp_path / "two", create=True) as two:
        one.ingest([tmp_path / "src"], progress=False)
        two.ingest([tmp_path / "src"], progress=False)
        serial = list(passage_lemmas(one))
        with DaskExecutor(scheduler=dask_scheduler) as executor:
            on_dask = list(passage_lemmas(two, executor=executor))
        assert len(serial) > 20 and on_dask == serial
        stored = "SELECT passage_id, lemmas, language FROM passage_lemmas ORDER BY passage_id"
        assert two.store.conn.execute(stored).fetchall() == one.store.conn.execute(stored).fetchall()
    code, lines, _ = run_cli("nlp", "cache", "--corpus", str(tmp_path / "two"), "--executor", "dask",
                             "--scheduler", dask_scheduler, "--json")
    assert code == 0 and lines[0]["computed"] == 0 and lines[0]["reused"] == len(serial)


def _theme_corpora(tmp_path: Path, names: tuple[str, ...]) -> list[Corpus]:
    """Corpora of the same small folder (more passages than one chunk of theme scoring, so chunks are tested)."""
    src = tmp_path / "src"
    src.mkdir()
    sentences = [s.strip() + "." for s in PARAGRAPH.split(".") if s.strip()] + [
        "Brukermedvirkning betyr at brukeren får si sin mening om tjenestene.",
        "Arbeidslinja ble skjerpet med aktivitetskrav for unge mottakere.",
        "Mål- og resultatstyring preget styringen av etaten gjennom tiåret."]
    for i in range(12):  # passages that differ, so none is left out as a repeat
        order = random.Random(i).sample(sentences, len(sentences))
        (src / f"notat_{i}.txt").write_text(f"Notat {i}\n\n" + " ".join(order) + "\n\n" + " ".join(order[::-1]),
                                            encoding="utf-8")
    corpora = []
    for name in names:
        corpus = Corpus(tmp_path / name, create=True)
        corpus.ingest([src], progress=False)
        corpora.append(corpus)
    assert len(corpora[0].passage_ids()) > 0
    return corpora


@pytest.mark.parametrize("method", ["model", "codebook"])
def test_theme_scores_on_a_process_pool_are_the_same(tmp_path: Path, method: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from policytekst.themes import coding
    from policytekst.themes.coding import theme_scores

    monkeypatch.setattr(coding, "CHUNK", 3)  # several chunks in flight, results kept in order
    one, two = _theme_corpora(tmp_path, ("one", "two"))
    with one, two:
        serial = theme_scores(one, method=method)
        with make_executor("process", 2) as executor:
            pooled = theme_scores(two, method=method, executor=executor)
        assert len(serial) > 6
        pd.testing.assert_frame_equal(pooled, serial, check_exact=True)


def test_theme_scores_on_dask_are_the_same_and_kept(tmp_path: Path, dask_scheduler: str) -> None:
    import pandas as pd

    from policytekst.themes.coding import theme_scores

    one, two = _theme_corpora(tmp_path, ("one", "two"))
    with one:
        serial = {m: theme_scores(one, method=m) for m in ("model", "codebook")}
    code, lines, _ = run_cli("themes", "score", "--corpus", str(tmp_path / "two"), "--executor", "dask",
                             "--scheduler", dask_scheduler, "--json")
    assert code == 0 and [line["method"] for line in lines] == ["model", "codebook"]
    assert all(line["executor"].startswith("dask") for line in lines)
    with two:
        for method, expected in serial.items():
            pd.testing.assert_frame_equal(theme_scores(two, method=method), expected, check_exact=True)


def kill_worker_on_boom(jobs: list[tuple]) -> list:
    """Stands in for ingest's batch body on the workers: the worker given a file named *boom* dies at once."""
    import os
    import signal

    from policytekst.ingest import _process_batch

    if any("boom" in Path(args[0]).name for args in jobs):
        os.kill(os.getpid(), signal.SIGKILL)
    return _process_batch(jobs)


@pytest.mark.slow  # two worker restarts
def test_a_dask_worker_that_dies_fails_only_its_file(tmp_path: Path, dask_scheduler: str, monkeypatch) -> None:
    import policytekst.ingest as ingest_module

    write_docs(tmp_path / "src", 6, words=60)
    (tmp_path / "src" / "notat_boom.txt").write_text("Boom\n\n" + PARAGRAPH, encoding="utf-8")
    monkeypatch.setattr(ingest_module, "_process_batch", kill_worker_on_boom)
    code, lines, _ = run_cli("ingest", str(tmp_path / "src"), "--corpus", str(tmp_path / "c"), "--json",
                             "--executor", "dask", "--scheduler", dask_scheduler)
    assert code == 0
    status = {Path(line["path"]).name: line for line in lines}
    assert status["notat_boom.txt"]["status"] == "failed" and "worker" in status["notat_boom.txt"]["error"]
    assert sorted(line["status"] for name, line in status.items() if name != "notat_boom.txt") == ["added"] * 6
