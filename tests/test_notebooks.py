"""The notebooks run top to bottom on the demo corpus, and what they show agrees with the corpus and the API.

Each notebook ends with a ``SUMMARY {json}`` line; the tests compare it with numbers computed here independently,
and check that the plots were drawn. The parameter cell is overridden (as papermill would) to point at the
session's demo corpus, which is also how a user points a notebook at another corpus.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from scripts.execute_notebooks import NOTEBOOKS, execute, notebook_paths, parameter_cell

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpus"
NAMES = ["01_build_and_inspect.ipynb", "02_themes_over_time.ipynb", "03_topics_and_k.ipynb",
         "04_example_passages.ipynb", "05_compare.ipynb", "06_export.ipynb"]

# Test-time parameters: smaller sweeps and bootstraps keep the suite inside its time budget.
OVERRIDES = {
    "02_themes_over_time.ipynb": {"N_BOOT": 200},
    "03_topics_and_k.ipynb": {"KS": (4, 6)},
    "04_example_passages.ipynb": {"N": 3},
}


@pytest.fixture(scope="module")
def executed(demo_corpus, tmp_path_factory):
    """Every notebook run again into memory (the stored files are not touched), pointed at the session's corpus.

    Notebook 01 (which ingests) runs first and alone; the others only read the corpus and run two at a time
    (kernels are separate processes; 2 cores).
    """
    handout = tmp_path_factory.mktemp("handout")
    extra = {**OVERRIDES, "04_example_passages.ipynb": {**OVERRIDES["04_example_passages.ipynb"],
                                                        "OUT_DIR": str(handout)},
             "06_export.ipynb": {"OUT_DIR": str(tmp_path_factory.mktemp("export"))}}
    results: dict[str, object] = {"handout": handout}

    def one(name: str) -> None:
        values = {"CORPUS_SOURCE": str(DEMO), "CORPUS_DIR": str(demo_corpus.directory), **extra.get(name, {})}
        try:
            results[name] = execute(NOTEBOOKS / name, values, timeout=300)
        except Exception as exc:  # noqa: BLE001 - raised again by the notebook's own test, which names it
            results[name] = exc

    one(NAMES[0])
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, NAMES[1:]))
    return results


def notebook(executed, name: str):
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


def test_every_notebook_is_tested():
    assert [p.name for p in notebook_paths()] == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_has_a_parameter_cell_explanations_and_stored_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    params = parameter_cell(nb)
    assert "CORPUS_DIR" in params.source and "CORPUS_SOURCE" in params.source
    assert nb.cells.index(params) <= 2, f"{name}: the parameter cell should be at the top"
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(markdown) >= 3 and sum(len(c.source) for c in markdown) > 600, f"{name}: too little explanation"
    # shipped executed (`make notebooks`): one clean run, top to bottom, without timings or errors
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), f"{name}: not executed in order"
    assert not errors(nb), f"{name} is stored with an error"
    assert summary(nb), f"{name} is stored without its SUMMARY line"
    assert not any("execution" in c.metadata for c in code), f"{name} keeps cell timings"


def test_stored_outputs_describe_the_demo_corpus(demo_corpus):
    stored = summary(nbformat.read(NOTEBOOKS / NAMES[0], as_version=4))
    docs = demo_corpus.documents()
    assert stored["documents"] == len(docs), "stale outputs: run `make notebooks`"
    assert stored["years"] == sorted({d.year for d in docs if d.year})
    assert set(stored["formats"]) == {d.format for d in docs}


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


def test_06_export(executed, demo_corpus):
    nb = notebook(executed, "06_export.ipynb")
    got = summary(nb)
    assert got["documents"] == len([d for d in demo_corpus.documents() if not d.duplicate_of])
    assert got["segments_back"] == got["selections"] > 0  # the round trip gives every coded selection back
    assert got["label_rows"] > 0
    assert got["table_rows"] == len(demo_corpus.passage_ids()) and got["year_is_integer"]
    assert got["dtm_shape"][0] == got["documents"] and got["dtm_shape"][1] == got["vocabulary"] > 0
