"""The notebooks run top to bottom on the demo corpus, and what they show agrees with the corpus and the API.

Each notebook ends with a ``SUMMARY {json}`` line; the tests compare it with numbers computed here independently,
and check that the plots were drawn. The parameter cell is overridden (as papermill would) to point at the
session's demo corpus, which is also how a user points a notebook at another corpus.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEMO = ROOT / "corpus"

NEEDS = {
    "01_build_and_inspect.ipynb": [],
    "02_themes_over_time.ipynb": [("policytekst.themes", "theme_scores"), ("policytekst.compare", "trend_table")],
    "03_topics_and_k.ipynb": [("policytekst.topics", "sweep"), ("policytekst.compare", "trend_table")],
    "04_example_passages.ipynb": [("policytekst.search", "examples"), ("policytekst.themes", "DEFAULT_THEMES")],
    "05_compare.ipynb": [("policytekst.compare", "keyness"), ("policytekst.themes", "theme_scores")],
}


def missing_parts(name: str) -> list[str]:
    missing = []
    for module, attr in NEEDS[name]:
        try:
            if not hasattr(importlib.import_module(module), attr):
                missing.append(f"{module}.{attr}")
        except ImportError:
            missing.append(module)
    return missing


# Test-time parameters: smaller sweeps and bootstraps keep the suite inside its time budget.
OVERRIDES = {
    "02_themes_over_time.ipynb": {"N_BOOT": 200},
    "03_topics_and_k.ipynb": {"KS": (4, 6)},
    "04_example_passages.ipynb": {"N": 3},
}


def run(name: str, corpus_dir: Path, **overrides) -> nbformat.NotebookNode:
    """Execute a notebook with its parameter cell pointed at ``corpus_dir`` (plus overrides)."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    values = {"CORPUS_SOURCE": str(DEMO), "CORPUS_DIR": str(corpus_dir), **overrides}
    cell.source += "\n# injected by the test\n" + "\n".join(f"{k} = {v!r}" for k, v in values.items())
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return nb


@pytest.fixture(scope="module")
def executed(demo_corpus, tmp_path_factory):
    """Every notebook whose parts exist, run two at a time (kernels are separate processes; 2 cores).

    Notebook 01 (which ingests) runs first and alone; the others only read the corpus.
    """
    from concurrent.futures import ThreadPoolExecutor

    handout = tmp_path_factory.mktemp("handout")
    extra = {**OVERRIDES, "04_example_passages.ipynb": {**OVERRIDES["04_example_passages.ipynb"],
                                                        "OUT_DIR": str(handout)}}
    results: dict[str, object] = {"handout": handout}

    def one(name: str) -> None:
        try:
            results[name] = run(name, demo_corpus.directory, **extra.get(name, {}))
        except Exception as exc:  # reported by the notebook's own test
            results[name] = exc

    runnable = [n for n in NEEDS if not missing_parts(n)]
    if "01_build_and_inspect.ipynb" in runnable:
        one("01_build_and_inspect.ipynb")
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, [n for n in runnable if n != "01_build_and_inspect.ipynb"]))
    return results


def notebook(executed, name: str):
    missing = missing_parts(name)
    if missing:
        pytest.skip(f"{name} needs {', '.join(missing)}, which is not in this installation yet")
    result = executed[name]
    if isinstance(result, Exception):
        raise result
    return result


def summary(nb) -> dict:
    for cell in reversed(nb.cells):
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith("SUMMARY "):
                    return json.loads(line[len("SUMMARY "):])
    raise AssertionError("the notebook printed no SUMMARY line")


def images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def errors(nb) -> list[str]:
    return [o.get("ename", "") for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_notebooks_have_a_parameter_cell_and_explanations():
    for name in NEEDS:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1 and "CORPUS_DIR" in params[0].source and "CORPUS_SOURCE" in params[0].source
        assert nb.cells.index(params[0]) <= 2, f"{name}: the parameter cell should be at the top"
        markdown = [c for c in nb.cells if c.cell_type == "markdown"]
        assert len(markdown) >= 3 and sum(len(c.source) for c in markdown) > 600, f"{name}: too little explanation"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{name} is stored with outputs"


def test_01_build_and_inspect(executed, demo_corpus):
    nb = notebook(executed, "01_build_and_inspect.ipynb")
    got = summary(nb)
    status = demo_corpus.status()
    assert got["documents"] == status["documents"] >= 15
    assert got["passages"] == status["passages"]
    assert got["analysis_passages"] == len(demo_corpus.passages_frame())
    docs = demo_corpus.documents()
    assert got["years"][0] == min(d.year for d in docs if d.year) and got["years"][-1] == max(d.year for d in docs
                                                                                             if d.year)
    assert set(got["formats"]) == {d.format for d in docs} and len(got["formats"]) >= 3
    assert got["warnings"] == sum(len(d.warnings) for d in docs)
    assert images(nb) >= 2


def test_02_themes_over_time(executed, demo_corpus):
    nb = notebook(executed, "02_themes_over_time.ipynb")
    from policytekst.themes import DEFAULT_THEMES, theme_scores

    got = summary(nb)
    assert got["themes"] == list(DEFAULT_THEMES)
    assert got["ci_ok"] and got["rows"] >= len(DEFAULT_THEMES) * 5
    analysed = set(demo_corpus.passages_frame()["passage_id"])
    for theme in ("samordning",):  # the notebook's numbers are the API's numbers
        scores = theme_scores(demo_corpus, [theme], method="codebook")[theme]
        expected = scores[scores.index.isin(analysed)].fillna(0).mean()
        assert got["mean_by_theme"][theme] == pytest.approx(expected, abs=1e-3)
    assert images(nb) >= 1


def test_03_topics_and_k(executed):
    nb = notebook(executed, "03_topics_and_k.ipynb")
    got = summary(nb)
    assert got["ks_tried"] == [4, 6] and got["k"] in (4, 6)
    assert len(got["labels"]) == got["k"] and all(label.strip() for label in got["labels"])
    assert got["rows_sum_to_one"]
    assert 0.0 <= got["mean_stability"] <= 1.0
    assert images(nb) >= 2


def test_04_example_passages(executed):
    nb = notebook(executed, "04_example_passages.ipynb")
    got = summary(nb)
    assert got["query_hits"] > 0 and got["kwic_lines"] > 0
    assert 1 <= got["examples"] <= 3
    assert all("(" in c and ")" in c for c in got["citations"]), got["citations"]  # "Forfatter (år): ..."
    handout = (executed["handout"] / "eksempler.md").read_text(encoding="utf-8")
    assert handout.count("> —") >= len(got["themes_with_examples"])


def test_05_compare(executed):
    nb = notebook(executed, "05_compare.ipynb")
    got = summary(nb)
    assert got["key_terms_before"] and got["key_terms_after"]
    assert not set(got["key_terms_before"]) & set(got["key_terms_after"])
    assert got["doc_a"] != got["doc_b"] and got["doc_a"] not in got["neighbours"]
    assert images(nb) >= 2
    assert not errors(nb)
