"""Dictionary coding of corpus passages with a codebook, and theme scores for other areas.

``code_passages`` gives passages x themes (weighted hit counts); ``matched_tokens`` shows which words hit
and where; ``theme_scores`` is the passages x themes view in [0, 1] (codebook or model) other areas consume.
Both are scores tables (:mod:`policytekst.scores`), computed for all themes in one pass and cached in the corpus
(:mod:`policytekst.themes.score_cache`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from policytekst.errors import UsageError, unknown
from policytekst.executors import Executor
from policytekst.model import ANALYSIS_KINDS
from policytekst.scores import check_scores, scores_frame
from policytekst.themes import score_cache
from policytekst.themes.codebook import Codebook, codebook_probability, words_of
from policytekst.themes.score_cache import file_fingerprint

DEFAULT_THEMES = ("npm", "brukermedvirkning", "kasteball", "samordning", "arbeidslinja",
                  "skjonn_og_handlingsrom", "sosialfaglig_kompetanse", "dokumentasjon_og_kvalitet",
                  "ledelse_og_styring", "effektivitet")


CHUNK = 1000  # passages between progress reports (and per classifier batch, which bounds memory)
METHODS = ("model", "codebook")
ProgressCallback = Callable[[int, int], None]


def _passages(corpus, kinds: Sequence[str] | None) -> pd.DataFrame:
    return corpus.passages_frame(kinds=kinds)


def _text_chunks(corpus, ids: list[str]) -> Iterator[list[str]]:
    """The texts of the passages ``ids``, CHUNK at a time in that order: a pass over the corpus holds one chunk of
    text, not all of it."""
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        texts = corpus.store.passage_texts(chunk)
        yield [texts.get(passage_id, "") for passage_id in chunk]


def _code_texts(job: tuple[Codebook, list[str]]) -> np.ndarray:
    """Worker body: hit counts per theme and the word count of each text (rows of :func:`_code`)."""
    book, texts = job
    words = [words_of(text) for text in texts]
    matrix = np.zeros((len(texts), len(book.names) + 1), dtype=np.float64)
    # per distinct word, a chunk at a time (Codebook.score_matrix): the same numbers as book.score_words per
    # passage, several times faster
    matrix[:, :-1] = book.score_matrix(words)
    matrix[:, -1] = [len(w) for w in words]
    return matrix


def _predict_texts(job: tuple[Any, list[str]]) -> np.ndarray:
    """Worker body: the classifier's probabilities for texts (None: the shipped model, loaded once per process)."""
    clf, texts = job
    return (clf if clf is not None else default_model()).predict_proba(texts)


def _over_chunks(corpus, kinds: Sequence[str] | None, work: Callable, payload: Any, width: int,
                 on_progress: ProgressCallback | None, executor: Executor | None) -> tuple[list[str], np.ndarray]:
    """``work((payload, texts))`` for every chunk of the passages analyses read, here or on ``executor`` (in order, a
    bounded number in flight); (passage ids, the stacked rows)."""
    ids = corpus.passage_ids(kinds)
    jobs = ((payload, texts) for texts in _text_chunks(corpus, ids))
    rows = executor.imap(work, jobs) if executor is not None else map(work, jobs)
    parts: list[np.ndarray] = []
    done = 0
    for part in rows:
        parts.append(np.asarray(part, dtype=np.float64))
        done += len(parts[-1])
        if on_progress is not None:
            on_progress(done, len(ids))
    return ids, (np.vstack(parts) if parts else np.zeros((0, width), dtype=np.float64))


def _book(codebook: Codebook | str | Path | None) -> Codebook:
    return codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)


def code_passages(corpus, codebook: Codebook | str | Path | None = None,
                  kinds: Sequence[str] | None = ANALYSIS_KINDS, *,
                  on_progress: ProgressCallback | None = None) -> pd.DataFrame:
    """Code every passage with the codebook: a scores table (see :mod:`policytekst.scores`).

    Returns a DataFrame indexed by passage_id with one float column per theme (weighted hit counts), ready to be
    passed on as ``scores`` (for example to ``policytekst.compare.trend_table``). The words that hit come
    from :func:`matched_tokens`; word counts for rates from :func:`code_passages_with_words`. Cached in the
    corpus like :func:`theme_scores`.
    """
    return code_passages_with_words(corpus, codebook, kinds, on_progress=on_progress).drop(columns="n_words")


def code_passages_with_words(corpus, codebook: Codebook | str | Path | None = None,
                             kinds: Sequence[str] | None = ANALYSIS_KINDS, *,
                             on_progress: ProgressCallback | None = None,
                             executor: Executor | None = None) -> pd.DataFrame:
    """:func:`code_passages` plus an int ``n_words`` column (the words the matcher saw, for per-10k rates).

    Computed once per corpus generation, codebook and passage kinds (on ``executor`` when given, e.g. a Dask
    cluster: the same numbers), and then read from the corpus.
    """
    book = _book(codebook)
    cached = score_cache.cached(corpus, "coding", book.fingerprint(), kinds,
                                lambda: _code(corpus, book, kinds, on_progress, executor))
    # the cached matrix holds the themes, then the word count (by position: a theme may be called anything)
    out = cached.iloc[:, :-1].copy()
    out.columns = book.names
    out["n_words"] = cached.iloc[:, -1].to_numpy().astype(int)
    return out


def _code(corpus, book: Codebook, kinds: Sequence[str] | None, on_progress: ProgressCallback | None,
          executor: Executor | None = None) -> pd.DataFrame:
    """Hit counts per theme and the word count of every passage (one streamed pass over the texts)."""
    ids, matrix = _over_chunks(corpus, kinds, _code_texts, book, len(book.names) + 1, on_progress, executor)
    return scores_frame(matrix, ids, [*book.names, "n_words"])


def matched_tokens(corpus, codebook: Codebook | str | None = None,
                   kinds: Sequence[str] | None = ANALYSIS_KINDS, themes: Sequence[str] | None = None
                   ) -> pd.DataFrame:
    """Every codebook hit: DataFrame(passage_id, doc_id, theme, term, match, start, end, weight).

    ``start``/``end`` are character offsets in the passage text, so a reader can highlight the hit.
    """
    book = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
    wanted = set(themes) if themes else None
    frame = _passages(corpus, kinds)
    rows = []
    for pid, doc_id, text in zip(frame["passage_id"], frame["doc_id"], frame["text"], strict=True):
        if not book.may_match(text):  # decided per distinct word: most passages hit nothing
            continue
        for m in book.matches(text):
            if wanted is None or m.theme in wanted:
                rows.append((pid, doc_id, m.theme, m.term, m.text, m.start, m.end, m.weight))
    return pd.DataFrame(rows, columns=["passage_id", "doc_id", "theme", "term", "match", "start", "end",
                                       "weight"])


def _default_model_file():
    return resources.files("policytekst.themes").joinpath("data/default_model.joblib")


@lru_cache(maxsize=1)
def default_model():
    """The theme model shipped in the package (trained by scripts/train_default_theme_model.py)."""
    # Imported on first use: scikit-learn costs seconds, which cached theme scores need not pay.
    from policytekst.themes.classifier import ThemeClassifier

    with resources.as_file(_default_model_file()) as real:
        return ThemeClassifier.load(real)


@lru_cache(maxsize=1)
def _default_model_fingerprint() -> str:
    """The shipped model's fingerprint, from its file: cached scores are found without loading the model."""
    with resources.as_file(_default_model_file()) as real:
        return file_fingerprint(real)


def theme_scores(corpus, themes: str | Sequence[str] | None = None, *, method: str = "model",
                 codebook: Codebook | str | Path | None = None, model=None,
                 kinds: Sequence[str] | None = ANALYSIS_KINDS,
                 on_progress: ProgressCallback | None = None, executor: Executor | None = None) -> pd.DataFrame:
    """How strongly each passage is about each theme: a scores table with values in [0, 1].

    All themes are scored in one pass over the corpus and the result is stored in the corpus (keyed on its
    generation, the model's or codebook's fingerprint, the method and the kinds), so a second call reads it back.

    Parameters
    ----------
    corpus : Corpus
    themes : str or list of str, optional
        The themes wanted, in this column order (default: every theme of the model or codebook).
    method : {"model", "codebook"}
        "model": the classifier's probability (the shipped default model unless ``model`` is given);
        "codebook": the codebook's weighted hits mapped to [0, 1] (0.5 at the theme's ``min_score``).
    codebook : Codebook or path, optional
        The codebook for ``method="codebook"`` (default: the shipped one).
    model : ThemeClassifier, optional
        The model for ``method="model"``.
    kinds : tuple of str, optional
        Passage kinds scored (default: the analysis kinds; None = all).
    on_progress : callable(done, total), optional
        Called while a long first pass runs (not at all when the scores come from the cache).
    executor : Executor, optional
        Where the first pass runs, a chunk of passages per task (e.g. a
        :class:`~policytekst.executors.DaskExecutor`); the scores are the same as here.

    Returns
    -------
    DataFrame
        Indexed by passage_id, one float column per theme (:mod:`policytekst.scores` protocol).

    Raises
    ------
    UsageError
        An unknown ``method``; :class:`~policytekst.errors.UnknownNameError` for a theme the model or codebook
        lacks.

    Examples
    --------
    >>> scores = theme_scores(corpus, method="codebook")                       # doctest: +SKIP
    >>> scores["kasteball"].nlargest(3)                                        # doctest: +SKIP
    """
    if method not in METHODS:
        raise UsageError(f"method must be 'model' or 'codebook', not {method!r}")
    wanted = [themes] if isinstance(themes, str) else (list(themes) if themes is not None else None)
    if method == "codebook":
        book = _book(codebook)
        _check_themes(wanted, book.names)
        coded = code_passages_with_words(corpus, book, kinds, on_progress=on_progress, executor=executor)
        chosen = wanted or book.names
        values = np.column_stack([codebook_probability(coded[t].to_numpy(), book.themes[t].min_score)
                                  for t in chosen]) if chosen else np.zeros((len(coded), 0))
        return check_scores(scores_frame(values, coded.index.tolist(), chosen), what="theme scores",
                            unit_interval=True)

    def compute() -> pd.DataFrame:
        clf = model if model is not None else default_model()
        _check_themes(wanted, clf.themes_)  # before the long pass, not after it
        return _predict(corpus, clf, kinds, on_progress, executor, shipped=model is None)

    fingerprint = model.fingerprint() if model is not None else _default_model_fingerprint()
    proba = score_cache.cached(corpus, "model", fingerprint, kinds, compute)
    _check_themes(wanted, list(proba.columns))
    chosen = wanted or list(proba.columns)
    return check_scores(proba[chosen].copy(), what="theme scores", unit_interval=True)


def _check_themes(wanted: Sequence[str] | None, known: Sequence[str]) -> None:
    for name in wanted or ():
        if name not in known:
            raise unknown("theme", name, known)


def _predict(corpus, clf, kinds: Sequence[str] | None, on_progress: ProgressCallback | None,
             executor: Executor | None = None, shipped: bool = False) -> pd.DataFrame:
    """The classifier's probabilities for every passage, a chunk at a time (bounded memory, progress between);
    ``shipped``: ``clf`` is the package's own model, which workers load themselves instead of receiving it."""
    payload = None if shipped and executor is not None else clf
    ids, proba = _over_chunks(corpus, kinds, _predict_texts, payload, len(clf.themes_), on_progress, executor)
    return scores_frame(proba, ids, list(clf.themes_))


def theme_provenance(method: str = "model", *, codebook: Codebook | str | Path | None = None, model=None) -> dict:
    """Which model and codebook version made theme scores (stated beside every theme trend).

    ``model``: the classifier's fingerprint, what it was trained on (from the metadata saved with it) and
    whether its probabilities are calibrated; ``codebook``: the fingerprint and source of the codebook whose
    hits are features (model) or the scores themselves (codebook).
    """
    if method == "codebook":
        book = _book(codebook)
        return {"method": "codebook", "codebook": book.source or "default", "codebook_fingerprint": book.fingerprint(),
                "scores": "codebook hits mapped to [0, 1] (not probabilities)"}
    clf = model if model is not None else default_model()
    meta = getattr(clf, "meta_", {}) or {}
    platt = getattr(clf, "platt_", None)
    calibrated = platt is not None and any(tuple(row) != (1.0, 0.0) for row in platt)
    trained = (f"{meta['n_real_train']} real labelled passages + {meta.get('n_team', 0)} team passages"
               if "n_real_train" in meta else f"{meta.get('n_train', '?')} passages")
    return {"method": "model", "model": "default" if model is None else "given",
            "model_fingerprint": clf.fingerprint(), "trained_on": trained,
            "codebook_fingerprint": clf.codebook_.fingerprint(),
            "scores": "calibrated probabilities" if calibrated else "probabilities (not calibrated)"}


def provenance_line(info: dict) -> str:
    """One line for a table note or stderr: method, fingerprints and what the scores are."""
    if info.get("method") == "codebook":
        return (f"theme scores: codebook {info['codebook']} (version {info['codebook_fingerprint']}); "
                f"{info['scores']}")
    return (f"theme scores: {info['model']} model {info['model_fingerprint']} ({info['trained_on']}; "
            f"{info['scores']}), codebook version {info['codebook_fingerprint']}")
