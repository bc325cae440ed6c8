"""Commands of the nlp area: small language utilities and the lemma cache.

    policytekst nlp tokens|sentences|lemmas|language|compounds [TEXT] [--file F] [--lang nb] [--json]
    policytekst nlp cache --corpus DIR [--json]
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from policytekst.commands.common import ExecutorOption, SchedulerOption, emit_json, err, open_corpus
from policytekst.errors import UsageError
from policytekst.executors import check_executor, make_executor

nlp_app = typer.Typer(help="Norwegian language utilities (tokens, sentences, lemmas, language) and the lemma cache.",
                      no_args_is_help=True)

TextArg = typer.Argument(None, help="Text to analyse (or use --file, or pipe text on stdin).")
FileOpt = typer.Option(None, "--file", "-f", help="Read the text from this file.")
JsonOpt = typer.Option(False, "--json", help="Print JSON Lines.")
LangOpt = typer.Option(None, "--lang", help="Language code (nb, nn, en, da, sv); detected when omitted.")


def _read(text: str | None, file: Path | None) -> str:
    if text is not None and file is not None:
        raise UsageError("give either TEXT or --file, not both")
    if file is not None:
        if not file.is_file():
            raise UsageError(f"{file}: no such file")
        try:
            return file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{file}: not UTF-8 text") from exc
    if text is not None:
        return text
    if sys.stdin is not None and not sys.stdin.isatty():
        return sys.stdin.read()
    raise UsageError("no text: give TEXT, --file or pipe text on stdin")


@nlp_app.command("tokens")
def tokens_cmd(text: str | None = TextArg, file: Path | None = FileOpt, as_json: bool = JsonOpt) -> None:
    """Split text into tokens (one per line, or one JSON line with the list)."""
    from policytekst.nlp import tokenize
    tokens = tokenize(_read(text, file))
    if as_json:
        emit_json({"tokens": tokens})
    else:
        sys.stdout.write("\n".join(tokens) + "\n")


@nlp_app.command("sentences")
def sentences_cmd(text: str | None = TextArg, file: Path | None = FileOpt, as_json: bool = JsonOpt) -> None:
    """Split text into sentences (one per line, or a JSON line per sentence)."""
    from policytekst.nlp import sentences
    for i, sentence in enumerate(sentences(_read(text, file)), start=1):
        if as_json:
            emit_json({"n": i, "sentence": sentence})
        else:
            sys.stdout.write(sentence + "\n")


@nlp_app.command("lemmas")
def lemmas_cmd(text: str | None = TextArg, file: Path | None = FileOpt, lang: str | None = LangOpt,
               content: bool = typer.Option(False, help="Only content lemmas (no stop words or punctuation)."),
               phrases: bool = typer.Option(False, help="Join known policy phrases (with --content)."),
               as_json: bool = JsonOpt) -> None:
    """Lemmatize text: token and lemma per line, or with --content the bag of content lemmas."""
    from policytekst.nlp import content_lemmas, detect_language, lemmatize, tokenize
    body = _read(text, file)
    code = lang or detect_language(body)
    if content:
        lemmas = content_lemmas(body, code, phrases=phrases)
        if as_json:
            emit_json({"language": code, "lemmas": lemmas})
        else:
            sys.stdout.write(" ".join(lemmas) + "\n")
        return
    tokens = tokenize(body)
    for token, lemma in zip(tokens, lemmatize(tokens, code), strict=True):
        if as_json:
            emit_json({"token": token, "lemma": lemma})
        else:
            sys.stdout.write(f"{token}\t{lemma}\n")


@nlp_app.command("language")
def language_cmd(text: str | None = TextArg, file: Path | None = FileOpt, as_json: bool = JsonOpt,
                 lines: bool = typer.Option(False, "--lines", help="One answer per input line.")) -> None:
    """Detect the language (nb, nn, en, da, sv) of the text, or of each line with --lines."""
    from policytekst.nlp import detect_language
    body = _read(text, file)
    items = [line for line in body.splitlines() if line.strip()] if lines else [body]
    for item in items:
        code = detect_language(item)
        if as_json:
            emit_json({"language": code, "text": item[:80]})
        else:
            sys.stdout.write(f"{code}\t{item[:80]}\n" if lines else f"{code}\n")


@nlp_app.command("compounds")
def compounds_cmd(words: list[str] = typer.Argument(..., help="Words to split."),
                  contains: str | None = typer.Option(None, help="Also test whether each word contains this lemma."),
                  as_json: bool = JsonOpt) -> None:
    """Split Norwegian compounds into known parts."""
    from policytekst.nlp import compound_parts, contains_lemma
    for word in words:
        record: dict = {"word": word, "parts": compound_parts(word)}
        if contains:
            record["contains"] = contains_lemma(word, contains)
        if as_json:
            emit_json(record)
        else:
            extra = f"\tcontains {contains}: {record['contains']}" if contains else ""
            sys.stdout.write(f"{word}\t{' + '.join(record['parts'])}{extra}\n")


@nlp_app.command("cache")
def cache_cmd(corpus: Path = typer.Option(..., "--corpus", "-c", help="Corpus directory (holds corpus.sqlite)."),
              all_kinds: bool = typer.Option(False, "--all-kinds", help="All passage kinds, not only analysis kinds."),
              workers: int = typer.Option(1, min=1, help="Processes computing missing lemmas."),
              executor: str = ExecutorOption, scheduler: str | None = SchedulerOption,
              as_json: bool = JsonOpt) -> None:
    """Fill the lemma cache of a corpus (only missing or stale passages are computed)."""
    from policytekst.model import ANALYSIS_KINDS
    from policytekst.nlp.cache import cache_status, passage_lemmas
    check_executor(executor, scheduler)
    target = open_corpus(corpus)
    kinds = None if all_kinds else ANALYSIS_KINDS
    with target, ExitStack() as stack:
        cluster = (stack.enter_context(make_executor(executor, workers, scheduler))
                   if executor == "dask" else None)
        before = cache_status(target, kinds)
        n_lemmas = 0
        with Progress(TextColumn("lemmas"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, disable=as_json or not err.is_terminal) as progress:
            task = progress.add_task("lemmas", total=before["passages"])
            for _, lemmas in passage_lemmas(target, kinds, workers=workers, executor=cluster,
                                            on_progress=lambda done, total: progress.update(task, completed=done)):
                n_lemmas += len(lemmas)
        record = {"corpus": str(corpus), "passages": before["passages"], "computed": before["missing"],
                  "reused": before["cached"], "lemmas": n_lemmas}
    if as_json:
        emit_json(record)
    else:
        err.print(f"{corpus}: {record['passages']} passages, {record['computed']} computed, "
                  f"{record['reused']} from the cache, {n_lemmas:,} lemmas", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app."""
    app.add_typer(nlp_app, name="nlp")
