"""Shared fixtures. Real data lives in ../shared; tests that need it skip with a clear reason when it is absent.

Tests on real data are marked ``shared`` and ``slow`` here (by the fixtures and markers they use), so
``make test-fast`` (``pytest -m "not slow"``) leaves them out without every test module repeating the marks.
"""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYTEKST_SHARED", ROOT.parent / "shared"))
DEMO = ROOT / "corpus"
SEEDS = SHARED / "corpus" / "seeds"
GENERATED_PDFS = SHARED / "corpus" / "pdf" / "generated"
REAL_PDFS = SHARED / "corpus" / "pdf" / "real"
BAD_PDFS = SHARED / "corpus" / "pdf" / "bad"
STORTING_CSV = SHARED / "data" / "storting_questions" / "storting_questions_1996_2015.csv.gz"
UD_DEV = SHARED / "data" / "ud_nb_dev"

requires_shared = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"real data not found at {SHARED} (../shared)")


# Fixtures that build a corpus from ../shared: a test using one works on real data.
REAL_DATA_FIXTURES = frozenset({"seed_corpus", "storting_sample"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark real-data tests ``shared`` and ``slow`` (notebook and browser tests mark themselves ``slow``): those
    that use a real-data fixture or marker, or name a path into ../shared in their own code or parameters."""
    for item in items:
        real = (REAL_DATA_FIXTURES & set(getattr(item, "fixturenames", ()))
                or item.get_closest_marker("shared") is not None
                or any(mark == requires_shared.mark for mark in item.iter_markers("skipif"))
                or _names_shared_data(item))
        if real:
            item.add_marker(pytest.mark.shared)
            item.add_marker(pytest.mark.slow)
        if _uses_dask_cluster(item):  # worker processes on 2 shared cores: not for the quick loop
            item.add_marker(pytest.mark.slow)


def _uses_dask_cluster(item: pytest.Item) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return "dask_scheduler" in getattr(item, "fixturenames", ()) or params.get("executor_args") == "dask"


_SHARED_NAMES = re.compile(r"\b(?:SHARED|SEEDS|GENERATED_PDFS|REAL_PDFS|BAD_PDFS|STORTING_CSV|UD_DEV)\b|\.\./shared")


def _names_shared_data(item: pytest.Item) -> bool:
    """The test's own code, one of its fixtures' code, or a parameter names a path into ../shared."""
    functions = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for definitions in (info.name2fixturedefs.values() if info else ()):
        functions.extend(d.func for d in definitions if d.baseid)  # the project's fixtures, not pytest's own
    for function in functions:
        try:
            if function is not None and _SHARED_NAMES.search(inspect.getsource(function)):
                return True
        except (OSError, TypeError):
            continue
    if any("../shared" in str(mark.kwargs.get("reason", "")) for mark in item.iter_markers("skipif")):
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(str(SHARED) in str(v) for v in params.values())


def seed_path(prefix: str) -> Path:
    """A seed capture by its number prefix ("000" ... "004")."""
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory):
    """The five seed captures and the generated thesis/report PDFs, ingested once per test session."""
    if not SEEDS.is_dir():
        pytest.skip(f"real data not found at {SHARED} (../shared)")
    from policytekst import Corpus

    corpus = Corpus(tmp_path_factory.mktemp("seeds") / "corpus", create=True)
    corpus.ingest([SEEDS, *sorted(GENERATED_PDFS.glob("*.pdf"))], progress=False)
    yield corpus
    corpus.close()


@pytest.fixture(scope="session")
def demo_corpus(tmp_path_factory):
    """The embedded demo corpus (corpus/), ingested once per test session."""
    from policytekst import Corpus

    corpus = Corpus(tmp_path_factory.mktemp("demo") / "corpus", create=True)
    corpus.ingest([DEMO], progress=False)
    yield corpus
    corpus.close()


@pytest.fixture(scope="session")
def storting_sample(tmp_path_factory):
    """Every 8th Storting question (about 4,000 dated documents, 1996-2015) as a corpus; fast enough for tests."""
    if not STORTING_CSV.is_file():
        pytest.skip(f"Storting questions not found at {STORTING_CSV}")
    import csv
    import gzip

    from policytekst import Corpus

    folder = tmp_path_factory.mktemp("storting")
    sample = folder / "storting_sample.csv"
    with gzip.open(STORTING_CSV, "rt", encoding="utf-8", newline="") as src, open(sample, "w", newline="",
                                                                                   encoding="utf-8") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for i, row in enumerate(reader):
            if i % 8 == 0:
                writer.writerow(row)
    corpus = Corpus(folder / "corpus", create=True)
    corpus.ingest([sample], text_column="question", id_column="docId", date_column="dateAsked",
                  meta_columns=["type", "fromParty", "toDepMinister", "cabinet_name"], progress=False)
    yield corpus
    corpus.close()


@pytest.fixture(scope="session")
def dask_scheduler():
    """The address of a Dask LocalCluster (2 worker processes), started once for the whole test session.

    Skipped with the install line when the optional [dask] extra is missing (``make test`` installs it).
    """
    from policytekst.executors import DASK_HINT, dask_installed

    if not dask_installed():
        pytest.skip(f"the [dask] extra is not installed: {DASK_HINT}")
    import logging

    import dask
    from distributed import LocalCluster

    # a task whose worker dies is not retried on the other worker (the default is 3 retries): the killed-worker
    # test then costs two worker restarts, not eight
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture(params=["process", "dask"])
def executor_args(request) -> list[str]:
    """Ingest's command-line options for each executor: the default, and Dask on the session's LocalCluster."""
    if request.param == "process":
        return []
    return ["--executor", "dask", "--scheduler", request.getfixturevalue("dask_scheduler")]
