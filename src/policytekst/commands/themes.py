"""Commands of the themes area: `themes predict|code|table|train|evaluate|suggest|codebook`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from policytekst.commands.common import CorpusOption, JsonOption
from policytekst.commands.common import cli as _cli

themes_app = typer.Typer(help="Themes: codebook coding, classifiers, theme tables.", no_args_is_help=True)

CodebookOption = typer.Option(None, "--codebook", help="Codebook YAML (default: the shipped codebook).")
ModelOption = typer.Option(None, "--model", "-m", help="Theme model file (default: the shipped model).")
OutOption = typer.Option(None, "--out", "-o", help="Also write the table to FILE (.csv, .tsv, .json, .jsonl).")


def _codebook(path: Path | None):
    from policytekst.themes.codebook import Codebook, CodebookError

    try:
        return Codebook.load(path)
    except CodebookError as exc:
        _cli().fail(str(exc), code=2)


def _model(path: Path | None):
    from policytekst.themes.classifier import ThemeClassifier
    from policytekst.themes.coding import default_model

    if path is None:
        return default_model()
    try:
        return ThemeClassifier.load(path)
    except (FileNotFoundError, ValueError) as exc:
        _cli().fail(str(exc), code=2)
    except Exception as exc:  # noqa: BLE001 - a corrupt pickle raises many kinds of errors
        _cli().fail(f"theme model {path}: cannot be loaded ({type(exc).__name__}: {exc})")


def _write_table(frame, out: Path) -> None:
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.to_csv(out, index=False)
    elif suffix == ".tsv":
        frame.to_csv(out, index=False, sep="\t")
    elif suffix == ".json":
        frame.to_json(out, orient="records", force_ascii=False, indent=1)
    elif suffix == ".jsonl":
        frame.to_json(out, orient="records", force_ascii=False, lines=True)
    else:
        _cli().fail(f"{out}: unsupported table format {suffix or '(none)'}; use .csv, .tsv, .json or .jsonl",
                    code=2)


def _print(frame, as_json: bool, out: Path | None = None, max_rows: int = 200) -> None:
    import math

    from rich.table import Table

    cli = _cli()
    if out is not None:
        _write_table(frame, out)
    if as_json:
        for record in frame.to_dict(orient="records"):
            cli.emit_json({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()})
        return
    table = Table(*[str(c) for c in frame.columns])
    for row in frame.head(max_rows).itertuples(index=False):
        table.add_row(*[f"{v:.3g}" if isinstance(v, float) else str(v)[:80] for v in row])
    cli.out.print(table)
    if len(frame) > max_rows:
        cli.err.print(f"({len(frame) - max_rows} more rows; use --json or --out FILE for all)")


@contextmanager
def score_progress(label: str = "theme scores") -> Iterator[Callable[[int, int], None] | None]:
    """An ``on_progress`` callback drawing a bar on stderr while a first scoring pass runs; None (no bar) when
    stderr is not a terminal. Cached scores make no calls, so the transient bar then never shows."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=_cli().err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _read_predict_input(path: Path) -> tuple[list[str], list[str]]:
    cli = _cli()
    if str(path) == "-":
        lines = sys.stdin.read().splitlines()
        name = "stdin"
    else:
        if not path.is_file():
            cli.fail(f"{path}: no such file", code=2)
        lines = path.read_text(encoding="utf-8").splitlines()
        name = str(path)
    ids, texts = [], []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            cli.fail(f"{name}, line {n}: not valid JSON ({exc.msg})", code=2)
        if not isinstance(row, dict) or "text" not in row:
            cli.fail(f"{name}, line {n}: expected an object with \"id\" and \"text\"", code=2)
        ids.append(row.get("id", n))
        texts.append(str(row["text"] or ""))
    return ids, texts


@themes_app.command()
def predict(input: Path = typer.Option(..., "--input", "-i", help="JSON Lines of {\"id\", \"text\"} ('-' = stdin)."),
            model: Path | None = ModelOption,
            batch_size: int = typer.Option(2000, help="Passages per batch (bounds memory).")) -> None:
    """Theme labels and probabilities for passages, with the shipped model (no corpus needed).

    Writes one JSON line per input line: {"id", "labels": [...], "scores": {theme: p}}.
    """
    cli = _cli()
    ids, texts = _read_predict_input(input)
    clf = _model(model)
    for start in range(0, len(texts), batch_size):
        proba = clf.predict_proba(texts[start:start + batch_size])
        for k, row in enumerate(proba):
            scores = {t: round(float(p), 4) for t, p in zip(clf.themes_, row, strict=True)}
            labels = [t for t, p, th in zip(clf.themes_, row, clf.thresholds_, strict=True) if p >= th]
            cli.emit_json({"id": ids[start + k], "labels": labels, "scores": scores})


@themes_app.command()
def code(corpus: Path = CorpusOption, codebook: Path | None = CodebookOption,
         matches: bool = typer.Option(False, "--matches", help="List every hit (theme, term, words, offsets)."),
         theme: list[str] = typer.Option(None, "--theme", "-t", help="Only these themes (repeatable)."),
         all_passages: bool = typer.Option(False, "--all", help="Also list passages without hits."),
         as_json: bool = JsonOption, out: Path | None = OutOption) -> None:
    """Code passages with the codebook: weighted hits per theme, or (--matches) the words that hit."""
    from policytekst.themes.coding import code_passages_with_words, matched_tokens

    book = _codebook(codebook)
    unknown = [t for t in theme or [] if t not in book.themes]
    if unknown:
        _cli().fail(f"unknown theme(s) {', '.join(unknown)}; the codebook has {', '.join(book.names)}", code=2)
    with _cli().open_corpus(corpus) as c:
        if matches:
            frame = matched_tokens(c, book, themes=theme or None)
        else:
            with score_progress("coding") as on_progress:
                coded = code_passages_with_words(c, book, on_progress=on_progress)
            cols = list(theme) if theme else book.names
            if not all_passages:
                coded = coded[(coded[cols] > 0).any(axis=1)]
            frame = coded[[*cols, "n_words"]].reset_index()
    _print(frame, as_json, out)


@themes_app.command()
def table(corpus: Path = CorpusOption, by: str = typer.Option("doc", help="doc, year, period or genre."),
          period_years: int = typer.Option(5, help="Width of periods in years (with --by period)."),
          codebook: Path | None = CodebookOption, as_json: bool = JsonOption, out: Path | None = OutOption) -> None:
    """Theme rates per document, year, period or genre, with document and passage counts beside each rate."""
    from policytekst.themes.tables import GROUPINGS, theme_table

    if by not in GROUPINGS:
        _cli().fail(f"--by {by!r}: use one of {', '.join(GROUPINGS)}", code=2)
    book = _codebook(codebook)
    with _cli().open_corpus(corpus) as c:
        with score_progress("coding") as on_progress:
            frame = theme_table(c, by=by, codebook=book, periods=period_years, on_progress=on_progress)
    _print(frame, as_json, out)


@themes_app.command()
def train(labels: Path = typer.Option(..., "--labels", "-l", help="Labelled passages (.jsonl or .csv: text, labels)."),
          out_model: Path = typer.Option(Path("theme_model.joblib"), "--save", help="Where to save the model."),
          codebook: Path | None = CodebookOption,
          theme: list[str] = typer.Option(None, "--theme", "-t", help="Themes to learn (default: all in the labels)."),
          with_default_data: bool = typer.Option(False, help="Add the shipped hand-labelled passages."),
          weak_corpus: Path | None = typer.Option(None, help="Add codebook weak labels from this corpus's passages."),
          cv: int = typer.Option(5, help="Folds for cross-validation grouped by document (0 = skip)."),
          calibration: str = typer.Option("sigmoid", help="sigmoid or none."),
          char_ngrams: bool = typer.Option(False, help="Add character 3-5-gram features (slower, helps with "
                                                       "unseen compounds)."),
          seed: int = typer.Option(0), as_json: bool = JsonOption) -> None:
    """Train a theme classifier from labelled passages; prints grouped cross-validation metrics."""
    from policytekst.themes.classifier import ThemeClassifier
    from policytekst.themes.evaluate import cross_validate_grouped
    from policytekst.themes.training import (
        LabelFileError,
        LabelledSet,
        default_training_passages,
        read_labels,
        weak_labels,
    )

    cli = _cli()
    try:
        data = read_labels(labels)
    except LabelFileError as exc:
        cli.fail(str(exc), code=2)
    book = _codebook(codebook)
    themes = list(theme) if theme else data.themes()
    if not themes:
        cli.fail(f"labels file {labels}: no labels found; give --theme or label some passages", code=2)
    if with_default_data:
        data.extend(default_training_passages())
    if weak_corpus is not None:
        with cli.open_corpus(weak_corpus) as c:
            frame = c.passages_frame()
        weak = LabelledSet()
        marks = weak_labels(frame["text"].tolist(), book, [t for t in themes if t in book.themes])
        known = [t for t in themes if t in book.themes]
        for text, pid, doc, row in zip(frame["text"], frame["passage_id"], frame["doc_id"], marks, strict=True):
            # Only passages the codebook is sure about on every theme: strong hits or no hits at all.
            if row and all(m is not None for m in row):
                weak.add(text, [t for t, m in zip(known, row, strict=True) if m == "pos"], str(doc), str(pid))
        data.extend(weak)
        cli.err.print(f"added {len(weak)} weakly labelled passages from {weak_corpus}")
    if calibration not in ("sigmoid", "none"):
        cli.fail("--calibration: use sigmoid or none", code=2)
    model = ThemeClassifier(themes=themes, codebook=book.to_dict(), seed=seed, char_ngrams=char_ngrams,
                            calibration=None if calibration == "none" else "sigmoid")
    if cv:
        metrics = cross_validate_grouped(model, data.texts, data.labels, data.groups, themes, n_splits=cv)
        cli.err.print(f"cross-validation grouped by document ({cv} folds, {len(data)} passages):")
        _print(metrics, as_json)
    model.fit(data.texts, data.labels)
    model.save(out_model, labels=str(labels), n_train=len(data), themes=themes, seed=seed,
               calibration=calibration)
    cli.err.print(f"saved model to {out_model}")


@themes_app.command()
def evaluate(labels: Path = typer.Option(..., "--labels", "-l", help="Labelled passages (.jsonl or .csv)."),
             model: Path | None = ModelOption, as_json: bool = JsonOption, out: Path | None = OutOption) -> None:
    """Metrics per theme (precision, recall, F1, support) with the codebook baseline beside them."""
    from policytekst.themes.evaluate import evaluate as run
    from policytekst.themes.training import LabelFileError, read_labels

    try:
        data = read_labels(labels)
    except LabelFileError as exc:
        _cli().fail(str(exc), code=2)
    clf = _model(model)
    themes = [t for t in clf.themes_ if t in set(data.themes())] or list(clf.themes_)
    _print(run(clf, data.texts, data.labels, themes), as_json, out)


@themes_app.command()
def suggest(corpus: Path = CorpusOption, model: Path | None = ModelOption,
            n: int = typer.Option(10, "--n", help="How many passages to propose."),
            theme: list[str] = typer.Option(None, "--theme", "-t", help="Focus on these themes."),
            template: Path | None = typer.Option(None, help="Write a labels file to fill in (.jsonl)."),
            as_json: bool = JsonOption) -> None:
    """Propose the passages whose labels would teach the model most (uncertain and diverse)."""
    from policytekst.themes.active import suggest as run

    clf = _model(model)
    unknown = [t for t in theme or [] if t not in clf.themes_]
    if unknown:
        _cli().fail(f"unknown theme(s) {', '.join(unknown)}; the model has {', '.join(clf.themes_)}", code=2)
    with _cli().open_corpus(corpus) as c:
        frame = c.passages_frame()
        docs = dict(zip(frame["passage_id"], frame["doc_id"], strict=True))
        result = run(clf, frame["text"].tolist(), frame["passage_id"].tolist(), n=n, themes=theme or None)
    result.insert(1, "doc_id", result["id"].map(docs))
    if template is not None:
        with template.open("w", encoding="utf-8") as fh:
            for row in result.itertuples(index=False):
                fh.write(json.dumps({"id": row.id, "doc_id": row.doc_id, "text": row.text, "labels": [],
                                     "suggested_theme": row.theme}, ensure_ascii=False) + "\n")
        _cli().err.print(f"wrote {len(result)} passages to label to {template} (fill in \"labels\")")
    _print(result, as_json)


@themes_app.command("codebook")
def show_codebook(codebook: Path | None = CodebookOption, as_json: bool = JsonOption) -> None:
    """Show the codebook's themes: what each means, what it is not, and how many patterns it has."""
    import pandas as pd

    book = _codebook(codebook)
    rows = [{"theme": name, "label": t.label, "terms": len(t.terms), "phrases": len(t.phrases),
             "min_score": t.min_score, "description": t.description, "not": t.not_}
            for name, t in book.themes.items()]
    _print(pd.DataFrame(rows), as_json)


def register(app: typer.Typer) -> None:
    """Add the `themes` command group to the main app."""
    app.add_typer(themes_app, name="themes")
