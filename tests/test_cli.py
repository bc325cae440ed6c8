"""The command line as a whole: exit codes and one-line errors chosen by type, --version, --out/--handout in every
command, tables that survive a pipe, JSON that keeps lists and booleans, and topic models kept side by side.

Runs on the embedded demo corpus (corpus/, ingested once by the `demo_corpus` fixture).
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import policytekst
from policytekst.cli import app, error_line
from policytekst.corpus import Corpus
from policytekst.errors import PolicytekstError, UsageError

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def run(*args: str, input: str | None = None):
    """Invoke the app in-process; stdout and stderr are kept apart."""
    return runner.invoke(app, [str(a) for a in args], input=input)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def error_of(result) -> str:
    """The one error line a failing command printed, last, on stderr (progress notes may come before it)."""
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert errors == lines[-1:], result.stderr
    assert "Traceback" not in result.output
    return lines[-1]


@pytest.fixture(scope="module")
def demo(demo_corpus) -> str:
    return str(demo_corpus.directory)


# -- exit codes by type --------------------------------------------------------------------------------------------
def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout == f"policytekst {policytekst.__version__}\n"


def test_error_lines_are_chosen_by_type_not_text():
    assert error_line(UsageError("internal error")) == ("internal error", 2)
    assert error_line(PolicytekstError("bad usage\nsecond line")) == ("bad usage second line", 1)
    assert error_line(FileNotFoundError(2, "No such file or directory", "x.csv"))[1] == 1
    message, code = error_line(KeyError("unknown theme"))
    assert code == 1 and message.startswith("internal error: KeyError: ") and "--debug" in message


def test_a_bug_is_one_line_and_debug_shows_the_traceback(demo, monkeypatch):
    def broken(directory, **options):
        raise RuntimeError("boom")

    monkeypatch.setattr(Corpus, "open", broken)
    result = run("docs", "-c", demo)
    assert result.exit_code == 1
    assert error_of(result) == "error: internal error: RuntimeError: boom (rerun with --debug for the traceback)"
    debug = run("--debug", "docs", "-c", demo)
    assert debug.exit_code == 1 and isinstance(debug.exception, RuntimeError)


def test_parser_usage_errors_keep_exit_2(demo):
    assert run("trends", "-c", demo, "--terms", "nav", "--n-boot", "many").exit_code == 2
    assert run("docs").exit_code == 2  # missing --corpus


def test_missing_corpus_is_exit_1_in_one_line(tmp_path):
    result = run("docs", "-c", tmp_path / "nowhere")
    assert result.exit_code == 1 and "no corpus here" in error_of(result)


def test_a_real_process_prints_one_line_and_no_traceback(demo):
    proc = subprocess.run([sys.executable, "-m", "policytekst", "trends", "-c", demo, "--themes", "kasteballl"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: unknown theme 'kasteballl' (known: ")


# -- the reported failures ----------------------------------------------------------------------------------------
def test_unknown_theme_names_the_known_ones(demo):
    result = run("trends", "-c", demo, "--themes", "kasteballl")
    assert result.exit_code == 2
    line = error_of(result)
    assert line.startswith("error: unknown theme 'kasteballl' (known: ") and "kasteball," in line


def test_periods_need_a_year_grouping(demo):
    result = run("trends", "-c", demo, "--terms", "nav", "--by", "genre", "--periods", "2006")
    assert result.exit_code == 2 and "--periods" in error_of(result) and "--by year" in error_of(result)


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query(demo, query):
    result = run("search", query, "-c", demo)
    assert result.exit_code == 2 and error_of(result).startswith("error: empty query")


@pytest.mark.parametrize("args", [
    ["search", "nav", "--year", "2015..2006"],
    ["kwic", "nav", "--year", "2015..2006"],
    ["trends", "--terms", "nav", "--periods", "2010..2005,2011.."],
])
def test_reversed_year_ranges_are_refused_naming_the_range(demo, args):
    result = run(*args, "-c", demo)
    line = error_of(result)
    assert result.exit_code == 2 and "reversed" in line and ("2015..2006" in line or "2010..2005" in line)


def test_reversed_keyness_group_is_refused(demo):
    result = run("keyness", "-c", demo, "--a", "year=2015..2006", "--b", "year=2006..")
    assert result.exit_code == 2 and "2015" in error_of(result)


def test_reversed_keyness_group_says_reversed(demo):
    result = run("keyness", "-c", demo, "--a", "year=2015..2006", "--b", "year=2006..")
    assert "reversed" in error_of(result)


def test_ingest_of_a_missing_path_creates_nothing(tmp_path):
    target = tmp_path / "corpus"
    result = run("ingest", "/no/such/path", tmp_path / "typo", "--corpus", target)
    assert result.exit_code == 2 and "/no/such/path" in error_of(result) and "typo" in error_of(result)
    assert not target.exists()
    # among real files a missing one is one more file that failed (see test_ingest), and the rest is ingested


def test_topic_count_larger_than_the_corpus_is_a_plain_usage_error(demo):
    result = run("topics", "fit", "-c", demo, "--k", "1000", "--engine", "nmf", "--name", "too_many")
    line = error_of(result)
    assert result.exit_code == 2 and "k=1000" in line and "passages" in line and "terms" in line
    assert "n_components" not in line and "nndsvda" not in line
    assert not (Path(demo) / "topics" / "too_many").exists()


def test_topic_models_are_kept_side_by_side_by_name(demo):
    models = Path(demo) / "topics"
    names = ("cli_k3", "cli_k4")
    fit = ["topics", "fit", "-c", demo, "--engine", "nmf", "--iterations", "50", "--json"]
    try:
        first = run(*fit, "--k", "3", "--name", names[0])
        assert first.exit_code == 0, first.output
        assert [r["topic"] for r in json_lines(first.stdout)] == [0, 1, 2]
        assert run(*fit, "--k", "4", "--name", names[1]).exit_code == 0
        again = run(*fit, "--k", "5", "--name", names[0])
        assert again.exit_code == 2 and "--overwrite" in error_of(again)
        assert json.loads((models / names[0] / "model.json").read_text())["params"]["k"] == 3  # untouched

        listed = json_lines(run("topics", "list", "-c", demo, "--json").stdout)
        assert {r["name"]: r["k"] for r in listed if r["name"] in names} == {names[0]: 3, names[1]: 4}
        shown = run("topics", "show", "-c", demo, "--name", names[1], "--json", "--n", "4")
        rows = json_lines(shown.stdout)
        assert len(rows) == 4 and all(isinstance(r["terms"], list) and len(r["terms"]) == 4 for r in rows)
        passages = run("topics", "passages", "-c", demo, "--name", names[1], "-t", "0", "--json")
        assert passages.exit_code == 0 and all(r["citation"] for r in json_lines(passages.stdout))

        replaced = run(*fit, "--k", "5", "--name", names[0], "--overwrite")
        assert replaced.exit_code == 0
        assert json.loads((models / names[0] / "model.json").read_text())["params"]["k"] == 5

        missing = run("topics", "show", "-c", demo, "--name", "nosuch")
        assert missing.exit_code == 2 and "unknown topic model 'nosuch'" in error_of(missing)
        assert names[0] in error_of(missing) and names[1] in error_of(missing)
        assert run("topics", "show", "-c", demo, "--name", "../x").exit_code == 2
    finally:
        for name in names:
            shutil.rmtree(models / name, ignore_errors=True)


def test_predict_keeps_passage_ids_from_passages_json(demo):
    doc = json_lines(run("docs", "-c", demo, "--json").stdout)[0]["doc_id"]
    piped = run("passages", "-c", demo, "--doc", doc, "--json")
    ids = [r["passage_id"] for r in json_lines(piped.stdout)]
    result = run("themes", "predict", "--input", "-", input=piped.stdout)
    assert result.exit_code == 0, result.output
    rows = json_lines(result.stdout)
    assert [r["passage_id"] for r in rows] == ids and all("id" not in r for r in rows)

    mixed = '{"id": "a", "text": "Brukermedvirkning i NAV"}\n\n{"text": "Kasteball mellom etatene"}\n'
    rows = json_lines(run("themes", "predict", "--input", "-", input=mixed).stdout)
    assert [r["id"] for r in rows] == ["a", 3]  # a line without an id gets its line number


def test_unknown_document_is_a_usage_error(demo):
    for args in (["text", "nope"], ["passages", "--doc", "nope"], ["similar", "nope"]):
        result = run(*args, "-c", demo)
        assert result.exit_code == 2 and "'nope'" in error_of(result)


# -- output --------------------------------------------------------------------------------------------------------
def test_tables_in_a_pipe_are_full_width_tsv_with_a_header(demo):
    docs = json_lines(run("docs", "-c", demo, "--json").stdout)
    result = run("docs", "-c", demo)  # the test runner's stdout is not a terminal
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == ["doc_id", "year", "genre", "language", "n_pages", "n_passages", "duplicate_of", "title"]
    rows = [line.split("\t") for line in lines[1:]]
    assert [r[0] for r in rows] == [d["doc_id"] for d in docs]
    assert [r[-1] for r in rows] == [d["title"] or "" for d in docs]  # whole titles, nothing cut
    assert max(len(line) for line in lines) > 80

    search = run("search", "nav", "-c", demo, "-n", "3").stdout.splitlines()
    assert search[0].split("\t") == ["score", "match_type", "citation", "snippet", "passage_id"] and len(search) == 4
    assert all(":" in line.split("\t")[-1] for line in search[1:])  # passage ids, whole


def test_json_keeps_lists_and_booleans(demo):
    trend = json_lines(run("trends", "-c", demo, "--terms", "nav", "--n-boot", "20", "--json").stdout)
    assert trend and all(isinstance(r["sparse"], bool) for r in trend)
    key = json_lines(run("keyness", "-c", demo, "--a", "year=..2005", "--b", "year=2006..", "--n", "3",
                         "--json").stdout)
    assert len(key) == 3 and all(isinstance(r["passages"], list) and r["passages"] for r in key)


@pytest.mark.parametrize(("args", "suffix", "key"), [
    (["docs"], ".parquet", "doc_id"),
    (["passages", "--kind", "body"], ".jsonl", "passage_id"),
    (["search", "nav", "-n", "5"], ".xlsx", "passage_id"),
    (["kwic", "nav", "-n", "5"], ".tsv", "passage_id"),
    (["examples", "kasteball", "--method", "codebook", "-n", "2"], ".jsonl", "passage_id"),
    (["trends", "--terms", "nav", "--n-boot", "20"], ".json", "period"),
    (["keyness", "--a", "year=..2005", "--b", "year=2006..", "--n", "3"], ".csv", "term"),
    (["themes", "table", "--by", "year"], ".md", None),
    (["themes", "codebook"], ".csv", "theme"),
])
def test_out_writes_the_table_in_any_format_of_the_table_writer(demo, tmp_path, args, suffix, key):
    path = tmp_path / f"table{suffix}"
    corpus = [] if args[:2] == ["themes", "codebook"] else ["-c", demo]
    result = run(*args, *corpus, "--out", path)
    assert result.exit_code == 0, result.output
    if suffix == ".md":
        assert path.read_text(encoding="utf-8").startswith("| ")
        return
    reader = {".parquet": pd.read_parquet, ".xlsx": pd.read_excel, ".csv": pd.read_csv,
              ".tsv": lambda p: pd.read_csv(p, sep="\t"), ".json": pd.read_json,
              ".jsonl": lambda p: pd.read_json(p, lines=True)}[suffix]
    frame = reader(path)
    assert len(frame) > 0 and frame[key].notna().all()


def test_keyness_out_has_every_term_while_the_screen_has_n(demo, tmp_path):
    path = tmp_path / "key.csv"
    shown = json_lines(run("keyness", "-c", demo, "--a", "year=..2005", "--b", "year=2006..", "--n", "3", "--json",
                           "-o", path).stdout)
    assert len(shown) == 3 and len(pd.read_csv(path)) > 3


@pytest.mark.parametrize("args", [["docs"], ["search", "nav"], ["trends", "--terms", "nav"],
                                  ["themes", "table"], ["topics", "sweep", "--ks", "2"]])
def test_an_unsupported_out_suffix_is_refused_before_any_work(demo, tmp_path, args):
    path = tmp_path / "table.txt"
    result = run(*args, "-c", demo, "--out", path)
    assert result.exit_code == 2 and "unsupported table format .txt" in error_of(result)
    assert not path.exists()


def test_handouts_are_their_own_option(demo, tmp_path):
    handout = tmp_path / "h.md"
    result = run("search", "kasteball", "-c", demo, "-n", "2", "--handout", handout, "--json")
    rows = json_lines(result.stdout)
    text = handout.read_text(encoding="utf-8")
    assert result.exit_code == 0 and text.startswith("# kasteball")
    assert all(f"`{r['passage_id']}`" in text and r["citation"] in text for r in rows)
    bad = run("kwic", "nav", "-c", demo, "--handout", tmp_path / "h.csv")
    assert bad.exit_code == 2 and "unsupported handout format" in error_of(bad)
    old = tmp_path / "old.md"
    assert run("examples", "kasteball", "-c", demo, "--method", "codebook", "--export", old).exit_code == 0
    assert old.read_text(encoding="utf-8").startswith("# Eksempler: kasteball")  # the deprecated spelling


# -- structure -----------------------------------------------------------------------------------------------------
def test_commands_never_import_the_cli_and_the_cli_imports_them_plainly():
    commands = ROOT / "src" / "policytekst" / "commands"
    for path in commands.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
                assert "policytekst.cli" not in names, path.name
            if isinstance(node, ast.Import):
                assert all(a.name != "policytekst.cli" for a in node.names), path.name
    cli = (ROOT / "src" / "policytekst" / "cli.py").read_text(encoding="utf-8")
    assert "importlib" not in cli


def test_term_lookups_count_compounds_unless_exact(demo):
    """keyness --terms and trends --terms count a word's compounds; --exact counts the lemma alone."""
    import json

    def counts(*extra: str) -> dict[str, int]:
        result = run("keyness", "-c", demo, "--a", "year=..2005", "--b", "year=2006..", "--terms",
                     "medvirkning,kasteball", "--json", *extra)
        assert result.exit_code == 0, result.output
        return {r["term"]: r["count_a"] + r["count_b"] for r in map(json.loads, result.stdout.splitlines())}

    wide, exact = counts(), counts("--exact")
    assert set(wide) == set(exact) == {"medvirkning", "kasteball"}
    assert wide["medvirkning"] > exact["medvirkning"] and all(wide[t] >= exact[t] for t in wide)
    trend = run("trends", "-c", demo, "--terms", "medvirkning", "--periods", "2006", "--exact", "--n-boot", "20",
                "--json")
    assert trend.exit_code == 0 and len(trend.stdout.splitlines()) == 2
