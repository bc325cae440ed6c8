"""Commands of the interop area: `export qdpx|qdc|table|parquet` and `import qdpx|qdc`.

REFI-QDA projects and codebooks go both ways with NVivo, ATLAS.ti, MAXQDA and QualCoder; tables go to pandas, R,
Excel, DuckDB and Spark. The modules behind them (lxml, scipy, the theme models) are imported inside the commands so
that `policytekst --help` stays fast.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer

from policytekst.commands.common import CorpusOption, JsonOption, emit_json, err, open_corpus
from policytekst.errors import UsageError

export_app = typer.Typer(help="Write the corpus for other tools: REFI-QDA projects and codebooks, tables, Parquet.",
                         no_args_is_help=True)
import_app = typer.Typer(help="Read REFI-QDA projects and codebooks from QDA tools: codebook, labels, segments.",
                         no_args_is_help=True)

CodebookOption = typer.Option(None, "--codebook", help="A YAML codebook (default: the shipped one).")


def _need_suffix(path: Path, suffix: str) -> None:
    if path.suffix.lower() != suffix:
        raise UsageError(f"{path}: name the file FILE{suffix}")


def _report(summary: dict, as_json: bool, line: str) -> None:
    if as_json:
        emit_json({k: (str(v) if isinstance(v, Path) else v) for k, v in summary.items()})
    else:
        err.print(line, highlight=False)
    for warning in summary.get("warnings") or []:
        err.print(f"warning: {warning}", highlight=False)


def export_qdpx(
    corpus: Path = CorpusOption,
    out: Path = typer.Option(..., "--out", "-o", help="The project file to write (FILE.qdpx)."),
    method: str = typer.Option("model", "--method",
                               help="Passage coding: model (the classifier), codebook, or none."),
    min_score: float = typer.Option(0.5, "--min-score", help="Code a passage with a theme from this score (0..1)."),
    codebook: Path | None = CodebookOption,
    hits: bool = typer.Option(True, "--hits/--no-hits", help="Also code every codebook hit (the matched words)."),
    name: str | None = typer.Option(None, "--name", help="The project's name (default: the corpus folder's name)."),
    as_json: bool = JsonOption,
) -> None:
    """Write the corpus and its theme coding as a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder."""
    from policytekst.interop.qdpx_export import METHODS
    from policytekst.interop.qdpx_export import export_qdpx as run

    _need_suffix(out, ".qdpx")
    if method not in METHODS:
        raise UsageError(f"unknown --method {method!r}; use {', '.join(METHODS)}")
    summary = run(open_corpus(corpus), out, method=method, min_score=min_score, codebook=codebook, hits=hits,
                  name=name)
    _report(asdict(summary), as_json,
            f"wrote {out}: {summary.documents} documents, {summary.codes} codes, {summary.selections} coded "
            f"selections ({summary.hit_selections} codebook hits, {summary.passage_selections} passages)")


#: `export qdc` and `import qdc` accept --corpus like the project commands; a codebook does not depend on it
QdcCorpusOption = typer.Option(None, "--corpus", "-c", help="Accepted for symmetry with qdpx; not needed.")


def export_qdc(
    out: Path = typer.Option(..., "--out", "-o", help="The codebook file to write (FILE.qdc)."),
    codebook: Path | None = CodebookOption,
    corpus: Path | None = QdcCorpusOption,
    as_json: bool = JsonOption,
) -> None:
    """Write the codebook alone as a REFI-QDA codebook (.qdc)."""
    from policytekst.interop.qdpx_export import export_qdc as run

    _need_suffix(out, ".qdc")
    run(out, codebook)
    _report({"path": out}, as_json, f"wrote {out}")


def export_table(
    corpus: Path = CorpusOption,
    what: str = typer.Option(..., "--what", help="passages, documents, themes, topics or terms."),
    out: Path = typer.Option(..., "--out", "-o",
                             help="FILE.parquet|.feather|.csv|.xlsx|... (terms also FILE.mtx: Matrix Market)."),
    method: str = typer.Option("model", "--method", help="Theme scores (--what themes): model or codebook."),
    codebook: Path | None = CodebookOption,
    topic_model: Path | None = typer.Option(None, "--topic-model",
                                            help="A saved topic model (default: the corpus' own, from topics fit)."),
    min_df: int = typer.Option(1, "--min-df", help="Terms: keep lemmas in at least this many documents."),
    as_json: bool = JsonOption,
) -> None:
    """Write a table with document variables attached (one row per passage or document) for pandas, R or Excel."""
    from policytekst.interop import tables_export
    from policytekst.tables import TABLE_SUFFIXES, check_suffix, write_table

    if what not in tables_export.WHATS:
        raise UsageError(f"unknown --what {what!r}; use {', '.join(tables_export.WHATS)}")
    if method not in ("model", "codebook"):
        raise UsageError(f"unknown --method {method!r}; use model or codebook")
    if min_df < 1:
        raise UsageError(f"--min-df must be at least 1, got {min_df}")
    handle = open_corpus(corpus)
    if what == "terms" and out.suffix.lower() == ".mtx":
        paths = tables_export.write_dtm(handle, out, min_df=min_df)
        _report({k: str(v) for k, v in paths.items()}, as_json,
                f"wrote {paths['matrix']} with {paths['vocabulary'].name} and {paths['documents'].name}")
        return
    check_suffix(out, TABLE_SUFFIXES, "table")
    frame = tables_export.table(handle, what, method=method, codebook=codebook, topic_model=topic_model,
                                min_df=min_df)
    write_table(frame, out)
    _report({"path": out, "rows": len(frame), "columns": list(map(str, frame.columns))}, as_json,
            f"wrote {len(frame)} rows x {len(frame.columns)} columns to {out}")


def export_parquet(
    corpus: Path = CorpusOption,
    out: Path = typer.Option(..., "--out", "-o", help="A directory: passages/ and lemmas/ partitioned by year."),
    as_json: bool = JsonOption,
) -> None:
    """Write passages and their lemmas as Parquet partitioned by year (for DuckDB, Spark, Arrow)."""
    from policytekst.interop.tables_export import write_partitions

    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: not a directory")
    counts = write_partitions(open_corpus(corpus), out)
    _report({"path": out, **counts}, as_json,
            f"wrote {counts['passages']} passages and their lemmas to {out}/passages and {out}/lemmas")


def import_qdpx(
    file: Path = typer.Argument(..., help="A REFI-QDA project (.qdpx) from a QDA tool."),
    out: Path = typer.Option(..., "--out", "-o", help="Directory for codebook.yaml, labels.jsonl, segments.jsonl."),
    corpus: Path | None = typer.Option(None, "--corpus", "-c",
                                       help="Map coded selections to this corpus' passages."),
    add_sources: bool = typer.Option(False, "--add-sources",
                                     help="Ingest the project's text sources that are not yet in --corpus."),
    negatives: bool = typer.Option(True, "--negatives/--no-negatives",
                                   help="Passages of coded documents that no selection touches become rows "
                                        "with no labels."),
    as_json: bool = JsonOption,
) -> None:
    """Read a project from a QDA tool: its codes as a codebook, its coded segments as a labels file for
    `themes train --labels`."""
    from policytekst.interop.qdpx_import import import_qdpx as run

    if add_sources and corpus is None:
        raise UsageError("--add-sources needs --corpus DIR")
    handle = open_corpus(corpus) if corpus is not None else None
    summary = run(file, out, handle, add_sources=add_sources, negatives=negatives)
    _report(asdict(summary), as_json,
            f"read {file}: {summary.codes} codes, {summary.sources} text sources, {summary.segments} coded "
            f"segments ({summary.matched_sources} sources matched to documents); wrote {summary.labels} labelled "
            f"rows to {out / 'labels.jsonl'} and the codebook to {out / 'codebook.yaml'}")


def import_qdc(
    file: Path = typer.Argument(..., help="A REFI-QDA codebook (.qdc)."),
    out: Path = typer.Option(..., "--out", "-o", help="Directory for codebook.yaml."),
    corpus: Path | None = QdcCorpusOption,
    as_json: bool = JsonOption,
) -> None:
    """Read a REFI-QDA codebook into a policytekst codebook (codebook.yaml)."""
    from policytekst.interop.qdpx_import import import_qdc as run

    summary = run(file, out)
    _report(asdict(summary), as_json, f"read {file}: {summary.codes} codes; wrote {out / 'codebook.yaml'}")


def register(app: typer.Typer) -> None:
    """Add `export qdpx|qdc|table|parquet` and `import qdpx|qdc` to the main app."""
    export_app.command("qdpx")(export_qdpx)
    export_app.command("qdc")(export_qdc)
    export_app.command("table")(export_table)
    export_app.command("parquet")(export_parquet)
    import_app.command("qdpx")(import_qdpx)
    import_app.command("qdc")(import_qdc)
    app.add_typer(export_app, name="export")
    app.add_typer(import_app, name="import")
