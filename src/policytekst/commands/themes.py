"""Commands of the themes area: `themes predict|code|table|train|evaluate|suggest|codebook`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from policytekst.commands.common import (
    CorpusOption,
    ExecutorOption,
    JsonOption,
    OutOption,
    SchedulerOption,
    check_out,
    emit_json,
    err,
    open_corpus,
    print_table,
    score_progress,
)
from policytekst.errors import PolicytekstError, UsageError, unknown

if TYPE_CHECKING:
    from policytekst.themes.codebook import Codebook

themes_app = typer.Typer(help="Themes: codebook coding, classifiers, theme tables.", no_args_is_help=True)

CodebookOption = typer.Option(None, "--codebook", help="Codebook YAML (default: the shipped codebook).")
ModelOption = typer.Option(None, "--model", "-m", help="Theme model file (default: the shipped model).")
ID_FIELDS = ("id", "passage_id")  # `passages --json` gives passage_id; hand-made files give id


def _model(path: Path | None):
    """The shipped theme model, or the one saved at ``path``."""
    from policytekst.themes.coding import default_model
    if path is None:
        return default_model()
    # the classifier pulls in scikit-learn: imported only when a model is loaded (keeps `--help` fast)
    from policytekst.themes.classifier import ThemeClassifier

    if not path.is_file():
        raise UsageError(f"theme model {path}: no such file")
    try:
        return ThemeClassifier.load(path)
    except ValueError as exc:  # the file is there but is not a theme model: the user named the wrong file
        raise UsageError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - a corrupt pickle raises any kind of error; say which file
        raise PolicytekstError(f"theme model {path}: cannot be loaded ({type(exc).__name__}: {exc})") from exc


def _read_predict_input(path: Path) -> tuple[list[tuple[str, object]], list[str]]:
    """(id field, id) and text per non-empty line; a line without an id gets its line number as ``id``."""
    if str(path) == "-":
        lines = sys.stdin.read().splitlines()
        name = "stdin"
    else:
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        lines = path.read_text(encoding="utf-8").splitlines()
        name = str(path)
    ids: list[tuple[str, object]] = []
    texts: list[str] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{name}, line {n}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or "text" not in row:
            raise UsageError(f"{name}, line {n}: expected an object with \"id\" (or \"passage_id\") and \"text\"")
        field = next((f for f in ID_FIELDS if f in row), None)
        ids.append((field, row[field]) if field else ("id", n))
        texts.append(str(row["text"] or ""))
    return ids, texts


@themes_app.command()
def predict(input: Path = typer.Option(..., "--input", "-i", help="JSON Lines of {\"id\" or \"passage_id\", "
                                       "\"text\"} ('-' = stdin), e.g. from `passages --json`."),
            model: Path | None = ModelOption,
            batch_size: int = typer.Option(2000, min=1, help="Passages per batch (bounds memory).")) -> None:
    """Theme labels and probabilities for passages, with the shipped model (no corpus needed).

    Writes one JSON line per input line: {"id", "labels": [...], "scores": {theme: p}}, the id under the name it
    had in the input ("id" or "passage_id"; a line without one gets its line number as "id").
    """
    ids, texts = _read_predict_input(input)
    clf = _model(model)
    for start in range(0, len(texts), batch_size):
        proba = clf.predict_proba(texts[start:start + batch_size])
        for k, row in enumerate(proba):
            field, value = ids[start + k]
            scores = {t: round(float(p), 4) for t, p in zip(clf.themes_, row, strict=True)}
            labels = [t for t, p, th in zip(clf.themes_, row, clf.thresholds_, strict=True) if p >= th]
            emit_json({field: value, "labels": labels, "scores": scores})


def _codebook_themes(book: Codebook, themes: list[str] | None) -> None:
    for theme in themes or []:
        if theme not in book.themes:
            raise unknown("theme", theme, book.names)


@themes_app.command()
def code(corpus: Path = CorpusOption, codebook: Path | None = CodebookOption,
         matches: bool = typer.Option(False, "--matches", help="List every hit (theme, term, words, offsets)."),
         theme: list[str] = typer.Option(None, "--theme", "-t", help="Only these themes (repeatable)."),
         all_passages: bool = typer.Option(False, "--all", help="Also list passages without hits."),
         as_json: bool = JsonOption, out: Path | None = OutOption) -> None:
    """Code passages with the codebook: weighted hits per theme, or (--matches) the words that hit."""
    from policytekst.themes.codebook import Codebook
    from policytekst.themes.coding import code_passages_with_words, matched_tokens
    check_out(out)
    book = Codebook.load(codebook)
    _codebook_themes(book, theme)
    with open_corpus(corpus) as c:
        if matches:
            frame = matched_tokens(c, book, themes=theme or None)
        else:
            with score_progress("coding") as on_progress:
                coded = code_passages_with_words(c, book, on_progress=on_progress)
            cols = list(theme) if theme else book.names
            if not all_passages:
                coded = coded[(coded[cols] > 0).any(axis=1)]
            frame = coded[[*cols, "n_words"]].reset_index()
    print_table(frame, as_json, out)


@themes_app.command()
def score(corpus: Path = CorpusOption, method: str = typer.Option("both", help="model, codebook or both."),
          model: Path | None = ModelOption, codebook: Path | None = CodebookOption,
          workers: int = typer.Option(1, min=1, help="Local processes (or Dask LocalCluster workers)."),
          executor: str = ExecutorOption, scheduler: str | None = SchedulerOption,
          as_json: bool = JsonOption) -> None:
    """Score every passage for every theme now and keep the scores in the corpus, so trends, tables, examples and
    the report read them back. For a big corpus, on local processes or a Dask cluster: the same scores."""
    import time

    from policytekst.executors import check_executor, make_executor
    from policytekst.themes.coding import theme_provenance, theme_scores
    if method not in ("model", "codebook", "both"):
        raise UsageError(f"--method {method!r}: choose model, codebook or both")
    check_executor(executor, scheduler)
    methods = ["model", "codebook"] if method == "both" else [method]
    clf = _model(model) if model is not None else None
    book = None
    if codebook is not None:
        from policytekst.themes.codebook import Codebook
        book = Codebook.load(codebook)
    records = []
    with open_corpus(corpus) as c, make_executor(executor, workers, scheduler) as runner:
        for name in methods:
            started = time.perf_counter()
            with score_progress(f"{name} scores") as on_progress:
                scores = theme_scores(c, method=name, model=clf, codebook=book, on_progress=on_progress,
                                      executor=runner)
            records.append({"method": name, "passages": len(scores), "themes": len(scores.columns),
                            "seconds": round(time.perf_counter() - started, 2), "executor": runner.describe(),
                            **theme_provenance(name, model=clf, codebook=book)})
    if as_json:
        for record in records:
            emit_json(record)
    else:
        for record in records:
            err.print(f"{record['method']}: {record['passages']:,} passages x {record['themes']} themes in "
                      f"{record['seconds']} s on {record['executor']} (kept in the corpus)", highlight=False)


@themes_app.command()
def table(corpus: Path = CorpusOption, by: str = typer.Option("doc", help="doc, year, period or genre."),
          period_years: int = typer.Option(5, min=1, help="Width of periods in years (with --by period)."),
          codebook: Path | None = CodebookOption, as_json: bool = JsonOption, out: Path | None = OutOption) -> None:
    """Theme rates per document, year, period or genre, with document and passage counts beside each rate."""
    from policytekst.themes.codebook import Codebook
    from policytekst.themes.tables import GROUPINGS, theme_table
    check_out(out)
    if by not in GROUPINGS:
        raise UsageError(f"--by {by!r}: use one of {', '.join(GROUPINGS)}")
    book = Codebook.load(codebook)
    with open_corpus(corpus) as c, score_progress("coding") as on_progress:
        frame = theme_table(c, by=by, codebook=book, periods=period_years, on_progress=on_progress)
    print_table(frame, as_json, out)


@themes_app.command()
def train(labels: Path = typer.Option(..., "--labels", "-l", help="Labelled passages (.jsonl or .csv: text, labels)."),
          out_model: Path = typer.Option(Path("theme_model.joblib"), "--save", help="Where to save the model."),
          codebook: Path | None = CodebookOption,
          theme: list[str] = typer.Option(None, "--theme", "-t", help="Themes to learn (default: all in the labels)."),
          with_default_data: bool = typer.Option(False, help="Add the shipped hand-labelled passages."),
          weak_corpus: Path | None = typer.Option(None, help="Add codebook weak labels from this corpus's passages."),
          cv: int = typer.Option(5, min=0, help="Folds for cross-validation grouped by document (0 = skip)."),
          calibration: str = typer.Option("sigmoid", help="sigmoid or none."),
          char_ngrams: bool = typer.Option(False, help="Add character 3-5-gram features (slower, helps with "
                                                       "unseen compounds)."),
          embedding: bool = typer.Option(True, help="Add the shipped lemma space (LSA learned from real policy "
                                                    "text: related words count as related)."),
          tune: bool = typer.Option(True, help="Calibrate probabilities and choose each theme's threshold on "
                                               "out-of-fold predictions grouped by document."),
          seed: int = typer.Option(0), as_json: bool = JsonOption,
          out: Path | None = typer.Option(None, "--out", "-o", help="Also write the cross-validation table to FILE.")
          ) -> None:
    """Train a theme classifier from labelled passages; prints grouped cross-validation metrics."""
    # scikit-learn: imported only when training (keeps `policytekst --help` fast)
    from policytekst.themes.classifier import ThemeClassifier
    from policytekst.themes.codebook import Codebook
    from policytekst.themes.evaluate import cross_validate_grouped
    from policytekst.themes.training import LabelledSet, default_training_passages, read_labels, weak_labels

    check_out(out)
    if calibration not in ("sigmoid", "none"):
        raise UsageError("--calibration: use sigmoid or none")
    data = read_labels(labels)
    book = Codebook.load(codebook)
    themes = list(theme) if theme else data.themes()
    if not themes:
        raise UsageError(f"labels file {labels}: no labels found; give --theme or label some passages")
    if with_default_data:
        data.extend(default_training_passages())
    if weak_corpus is not None:
        with open_corpus(weak_corpus) as c:
            frame = c.passages_frame()
        weak = LabelledSet()
        marks = weak_labels(frame["text"].tolist(), book, [t for t in themes if t in book.themes])
        known = [t for t in themes if t in book.themes]
        for text, pid, doc, row in zip(frame["text"], frame["passage_id"], frame["doc_id"], marks, strict=True):
            # Only passages the codebook is sure about on every theme: strong hits or no hits at all.
            if row and all(m is not None for m in row):
                weak.add(text, [t for t, m in zip(known, row, strict=True) if m == "pos"], str(doc), str(pid))
        data.extend(weak)
        err.print(f"added {len(weak)} weakly labelled passages from {weak_corpus}")
    model = ThemeClassifier(themes=themes, codebook=book.to_dict(), seed=seed, char_ngrams=char_ngrams,
                            calibration=None if calibration == "none" or tune else "sigmoid",
                            embedding="default" if embedding else None)
    if cv:
        metrics = cross_validate_grouped(model, data.texts, data.labels, data.groups, themes, n_splits=cv)
        err.print(f"cross-validation grouped by document ({cv} folds, {len(data)} passages):")
        print_table(metrics, as_json, out)
    if tune and len(set(data.groups)) >= 2:
        model.fit_tuned(data.texts, data.labels, data.groups, n_splits=max(2, cv or 5))
    else:
        model.fit(data.texts, data.labels)
    model.save(out_model, labels=str(labels), n_train=len(data), themes=themes, seed=seed,
               calibration="platt (grouped CV)" if tune else calibration)
    err.print(f"saved model to {out_model}")


@themes_app.command()
def evaluate(labels: Path | None = typer.Option(None, "--labels", "-l", help="Labelled passages (.jsonl or .csv: "
                                                "text, labels, optional doc_id)."),
             gold: Path | None = typer.Option(None, "--gold", help="A directory of located labels (pool.jsonl + "
                                              "readings, e.g. labels/themes), texts read from --shared."),
             shared: Path | None = typer.Option(None, "--shared", help="The shared data directory the --gold "
                                                "labels point at (default: $POLICYTEKST_SHARED or ../shared)."),
             part: str = typer.Option("heldout", help="With --gold: heldout, train or all."),
             genre: str | None = typer.Option(None, help="With --gold: only storting or seed passages."),
             model: Path | None = ModelOption,
             cv: int = typer.Option(0, min=0, help="Instead of scoring the model, refit its recipe in K folds "
                                                   "grouped by document and score the out-of-fold predictions."),
             train_genre: str | None = typer.Option(None, help="With --gold, cross-genre: refit the model's recipe "
                                                    "on every labelled passage of this genre and score it on "
                                                    "every passage of the other genre."),
             joined: bool = typer.Option(False, "--joined", help="Score the passages joined two by two (seeded random "
                                         "pairs, labels united): does the model keep themes in longer passages?"),
             bootstrap: int = typer.Option(1000, min=0, help="Bootstrap draws for the 95% intervals (0 = none)."),
             by_document: bool = typer.Option(False, help="Bootstrap whole documents (groups), not passages."),
             reliability: Path | None = typer.Option(None, help="Also write the reliability table to FILE."),
             seed: int = typer.Option(0), as_json: bool = JsonOption, out: Path | None = OutOption) -> None:
    """Per theme precision, recall, F1 with bootstrap 95% intervals, the codebook baseline beside them, and
    calibration (Brier score; reliability table on stderr or --reliability FILE)."""
    import numpy as np

    # scikit-learn: only when evaluating
    from policytekst.themes.classifier import to_label_matrix
    from policytekst.themes.evaluate import (
        bootstrap_table,
        brier_scores,
        codebook_predictions,
        grouped_cv_proba,
        recipe_of,
        refit,
        reliability_table,
    )
    from policytekst.themes.training import joined_label_pairs, read_labels

    check_out(out)
    check_out(reliability)
    if (labels is None) == (gold is None):
        raise UsageError("give exactly one of --labels FILE or --gold DIR")
    if part not in ("heldout", "train", "all"):
        raise UsageError(f"--part {part!r}: use heldout, train or all")
    if (genre is not None or train_genre is not None) and gold is None:
        raise UsageError("--genre and --train-genre need --gold")
    if train_genre is not None and (cv or genre is not None):
        raise UsageError("--train-genre scores the other genre: give neither --cv nor --genre with it")
    if joined and cv:
        raise UsageError("--joined scores joined passages, --cv refits on single ones: give one of them")
    training = None
    if gold is not None:
        from policytekst.themes.gold import GENRES, load_gold

        for option, value in (("--genre", genre), ("--train-genre", train_genre)):
            if value is not None and value not in GENRES:
                raise UsageError(f"{option} {value!r}: use {' or '.join(GENRES)}")
        data = load_gold(gold, shared)
        if train_genre is not None:
            # cross-genre: every labelled passage of one genre trains, every passage of the others is scored
            training = data.genre(train_genre)
            data = data.subset([g != train_genre for g in data.genres])
        else:
            if part != "all":
                data = data.split()[0 if part == "train" else 1]
            if genre is not None:
                data = data.genre(genre)
        texts, label_lists, groups = data.texts, data.labels, data.groups
        if not texts or (training is not None and not training.texts):
            raise UsageError(f"{gold}: no labelled passages to {'train on' if texts else 'score'}")
    else:
        read = read_labels(labels)
        texts, label_lists, groups = read.texts, read.labels, read.groups
    if joined:
        texts, label_lists = joined_label_pairs(texts, label_lists, seed)
        groups = [f"pair{i}" for i in range(len(texts))]
        if not texts:
            raise UsageError("--joined needs at least two labelled passages")
        err.print(f"scoring {len(texts)} passages joined two by two (seeded random pairs, labels united)")
    clf = _model(model)
    present = set().union(*map(set, label_lists)) if label_lists else set()
    themes = [t for t in clf.themes_ if t in present] or list(clf.themes_)
    y = to_label_matrix(label_lists, themes)
    cols = [clf.themes_.index(t) for t in themes]
    tuned, extra = recipe_of(clf)
    how = ("fit_tuned: calibration, thresholds and codebook weights chosen inside each training part"
           if tuned else f"fit, threshold {clf.threshold}") + (f", plus {len(extra)} team passages" if extra else "")
    if cv:
        proba, pred = grouped_cv_proba(clf, texts, label_lists, groups, n_splits=cv, tuned=tuned, extra=extra)
        proba, pred = proba[:, cols], pred[:, cols]
        err.print(f"{cv}-fold cross-validation grouped by document ({len(texts)} passages, "
                  f"{len(set(groups))} documents); the model's recipe refitted in each fold ({how})")
    elif training is not None:
        fitted = refit(clf, training.texts, training.labels, training.groups, tuned, extra)
        proba = fitted.predict_proba(texts)[:, cols]
        pred = (proba >= fitted.thresholds_[cols]).astype(np.int8)
        err.print(f"cross-genre: the model's recipe refitted on {len(training)} {train_genre} passages ({how}), "
                  f"scored on {len(texts)} passages of the other genre")
    else:
        proba = clf.predict_proba(texts)[:, cols]
        pred = (proba >= clf.thresholds_[cols]).astype(np.int8)
    base = codebook_predictions(texts, clf.codebook_, themes)
    table = bootstrap_table(y, pred, themes, base, n_boot=max(bootstrap, 1), seed=seed,
                            groups=groups if by_document else None)
    if not bootstrap:
        table = table.drop(columns=[c for c in table.columns if c.endswith(("_lo", "_hi"))])
    brier = brier_scores(y, proba, themes).set_index("theme")
    table["brier"] = table["theme"].map(brier["brier"])
    table["brier_base_rate"] = table["theme"].map(brier["brier_base_rate"])
    rel = reliability_table(y, proba)
    if reliability is not None:
        from policytekst.tables import write_table

        write_table(rel, reliability)
    print_table(table, as_json, out)
    if not as_json:
        err.print("reliability (all themes pooled): predicted probability bin, pairs, mean predicted, observed")
        for row in rel.itertuples(index=False):
            err.print(f"  {row.bin}  n={row.n:<5d} predicted {row.mean_predicted:.3f}  observed {row.observed:.3f}")


@themes_app.command()
def suggest(corpus: Path = CorpusOption, model: Path | None = ModelOption,
            n: int = typer.Option(10, "--n", min=1, help="How many passages to propose."),
            theme: list[str] = typer.Option(None, "--theme", "-t", help="Focus on these themes."),
            template: Path | None = typer.Option(None, help="Write a labels file to fill in (.jsonl)."),
            as_json: bool = JsonOption, out: Path | None = OutOption) -> None:
    """Propose the passages whose labels would teach the model most (uncertain and diverse)."""
    from policytekst.themes.active import suggest as run  # scikit-learn: only when suggesting

    check_out(out)
    clf = _model(model)
    for name in theme or []:
        if name not in clf.themes_:
            raise unknown("theme", name, clf.themes_)
    with open_corpus(corpus) as c:
        frame = c.passages_frame()
        docs = dict(zip(frame["passage_id"], frame["doc_id"], strict=True))
        result = run(clf, frame["text"].tolist(), frame["passage_id"].tolist(), n=n, themes=theme or None)
    result.insert(1, "doc_id", result["id"].map(docs))
    if template is not None:
        with template.open("w", encoding="utf-8") as fh:
            for row in result.itertuples(index=False):
                fh.write(json.dumps({"id": row.id, "doc_id": row.doc_id, "text": row.text, "labels": [],
                                     "suggested_theme": row.theme}, ensure_ascii=False) + "\n")
        err.print(f"wrote {len(result)} passages to label to {template} (fill in \"labels\")")
    print_table(result, as_json, out)


@themes_app.command("codebook")
def show_codebook(codebook: Path | None = CodebookOption, as_json: bool = JsonOption,
                  out: Path | None = OutOption) -> None:
    """Show the codebook's themes: what each means, what it is not, and how many patterns it has."""
    import pandas as pd

    from policytekst.themes.codebook import Codebook
    check_out(out)
    book = Codebook.load(codebook)
    rows = [{"theme": name, "label": t.label, "terms": len(t.terms), "phrases": len(t.phrases),
             "min_score": t.min_score, "description": t.description, "not": t.not_}
            for name, t in book.themes.items()]
    print_table(pd.DataFrame(rows), as_json, out)


def register(app: typer.Typer) -> None:
    """Add the `themes` command group to the main app."""
    app.add_typer(themes_app, name="themes")
