"""TopicModel: one estimator over the three engines, with labels, representative passages and save/load."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import time
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from policytekst.citation import citations
from policytekst.errors import PolicytekstError, UsageError
from policytekst.model import ANALYSIS_KINDS
from policytekst.topics.engines import make_engine
from policytekst.topics.labels import auto_labels, top_terms_frame
from policytekst.topics.seeded import expand_seed_words
from policytekst.topics.units import Units, sampled_lemma_lists
from policytekst.topics.vocabulary import Vocabulary
from policytekst.versions import versions

#: Chosen by benchmarks/bench_topics.py (K=20, one worker, 2 shared cores): on the 32k Storting questions NMF
#: fit in 32 s (tomotopy 300 iterations 85 s, gensim 269 s) at c_v 0.578 / NPMI 0.081 (tomotopy 0.590 / 0.077,
#: gensim 0.520 / 0.038); on the seed passages NMF had the best c_v and NPMI (0.716 / 0.096). Only NMF met the
#: 60 s target. Use engine="tomotopy" for probabilistic topic shares and the strongest seeded topics.
DEFAULT_ENGINE = "nmf"
FORMAT_VERSION = 1


#: the libraries whose versions a saved model records (an engine's numbers change with its library)
MODEL_PACKAGES = ("policytekst", "tomotopy", "gensim", "scikit-learn", "numpy", "scipy", "simplemma")


# passages a fit reads at most: above it, a seeded uniform sample of this many (memory and time stay bounded)
MAX_PASSAGES = 200_000


@contextmanager
def blas_limit(threads: int | None) -> Iterator[dict[str, int]]:
    """Limit the BLAS libraries to ``threads`` (None: leave them) while the block runs; yields the thread
    count each BLAS library then uses (e.g. ``{"openblas": 1}``), for the model's record."""
    from threadpoolctl import threadpool_info, threadpool_limits

    if threads is not None and threads < 1:
        raise UsageError(f"blas_threads must be at least 1 (or None for the library default), got {threads}")
    with threadpool_limits(limits=threads, user_api="blas"):
        yield {info["internal_api"]: int(info["num_threads"]) for info in threadpool_info()
               if info.get("user_api") == "blas"}


class TopicModel:
    """Topic model over passages (units: passages of the analysis kinds, as content lemmas).

    Parameters
    ----------
    k : int
        Number of topics.
    engine : {"tomotopy", "gensim", "nmf"}
        Library doing the fitting (default chosen by the benchmark).
    seed : int
        Random seed; with ``workers=1`` (the default) the same seed gives the same model.
    seed_words : mapping of str to list of str, optional
        Seeded topics: each entry anchors one topic (the first topics, in order) to its words through word
        priors (tomotopy), eta (gensim) or the initial factors (NMF). See :func:`codebook_seed_words`.
    min_df, max_df, max_terms : vocabulary cut-offs (see :class:`Vocabulary`).
    kinds : passage kinds used as units.
    workers : int
        Worker threads/processes; >1 is faster but no longer bit-for-bit reproducible.
    blas_threads : int or None
        Threads the BLAS library (OpenBLAS, MKL) may use during the fit and ``transform``, set with threadpoolctl
        (default 1: on a busy shared machine a second BLAS thread made NMF fits up to 1.8x slower, and one
        thread gives the same numbers on any machine). None leaves the library's own default. The count in
        force is recorded in ``info_["blas_threads"]``.
    max_passages : int or None
        Passages a fit reads at most (default :data:`MAX_PASSAGES`, 200,000): a bigger corpus is modelled on a
        seeded uniform random sample of this many, streamed, so memory and time stay bounded (a million passages
        cost what 200,000 do). ``doc_topics_`` then covers the sampled passages; ``info_["sampled"]`` and
        ``info_["corpus_passages"]`` say so. None reads every passage.
    **engine_params : engine hyperparameters (iterations, passes, alpha, eta, max_iter, ...).

    Attributes
    ----------
    doc_topics_ : DataFrame indexed by passage_id, one float column per topic (0..k-1), rows sum to 1.
    topic_term_ : ndarray (k, n_terms), rows sum to 1.
    terms_ : list of vocabulary terms; labels_ : short labels; seed_topics_ : {topic index: seed label}.
    info_ : parameters, library versions, corpus generation and timing of the fit.

    Examples
    --------
    >>> model = TopicModel(k=10, seed=0).fit(corpus)                  # doctest: +SKIP
    >>> model.top_terms(n=5, by="frex")                               # doctest: +SKIP
    >>> model.representative_passages(corpus, topic=3, n=3)           # doctest: +SKIP
    """

    def __init__(self, k: int = 10, engine: str = DEFAULT_ENGINE, seed: int = 0,
                 seed_words: Mapping[str, Sequence[str]] | None = None, min_df: int = 3, max_df: float = 0.4,
                 max_terms: int | None = 20000, kinds: Sequence[str] = ANALYSIS_KINDS, workers: int = 1,
                 blas_threads: int | None = 1, max_passages: int | None = MAX_PASSAGES,
                 **engine_params: Any) -> None:
        self.k = k
        self.engine = engine
        self.seed = seed
        self.seed_words = dict(seed_words) if seed_words else None
        self.min_df = min_df
        self.max_df = max_df
        self.max_terms = max_terms
        self.kinds = tuple(kinds)
        self.workers = workers
        self.blas_threads = blas_threads
        self.max_passages = max_passages
        self.engine_params = engine_params

    # -- fitting -------------------------------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        return {"k": self.k, "engine": self.engine, "seed": self.seed, "seed_words": self.seed_words,
                "min_df": self.min_df, "max_df": self.max_df, "max_terms": self.max_terms,
                "kinds": list(self.kinds), "workers": self.workers, "blas_threads": self.blas_threads,
                "max_passages": self.max_passages, "engine_params": self.engine_params}

    def _engine(self):
        if self.k < 1:
            raise UsageError(f"k must be at least 1, got {self.k}")
        if self.seed_words and len(self.seed_words) > self.k:
            raise UsageError(f"{len(self.seed_words)} seeded topics do not fit in k={self.k} topics")
        return make_engine(self.engine, self.k, seed=self.seed, workers=self.workers, **self.engine_params)

    def fit(self, corpus) -> TopicModel:
        """Fit on a corpus: its passages of ``kinds`` as content lemmas from the language layer."""
        engine = self._engine()  # validate parameters before the (slow) lemma pass
        started = time.perf_counter()
        if self.max_passages is not None and self.max_passages < 1:
            raise UsageError(f"max_passages must be at least 1, got {self.max_passages}")
        units, total = sampled_lemma_lists(corpus, self.kinds, self.max_passages, self.seed)
        prepare = time.perf_counter() - started
        if not len(units):
            raise UsageError(f"{corpus.directory}: no passages of kinds {', '.join(self.kinds)} to model")
        self._fit_units(units, engine)
        # a sample is said: its shares and trends describe the sampled passages (uniform, seeded), not every one
        self.info_.update({"corpus": str(corpus.directory), "corpus_generation": corpus.generation,
                           "lemma_seconds": round(prepare, 3), "corpus_passages": total,
                           "sampled": len(units) < total})
        return self

    def fit_units(self, passage_ids: Sequence[str], lemmas: Sequence[Sequence[str]]) -> TopicModel:
        """Fit on prepared units (ids and their lemma lists), e.g. to reuse lemmas across a K sweep."""
        return self._fit_units(Units(list(passage_ids), [list(x) for x in lemmas]), self._engine())

    def _fit_units(self, units: Units, engine) -> TopicModel:
        started = time.perf_counter()
        vocabulary = Vocabulary(self.min_df, self.max_df, self.max_terms).fit(units.lemmas)
        if len(vocabulary) < 2:
            raise UsageError(f"the vocabulary has {len(vocabulary)} terms after the cut-offs "
                             f"(min_df={self.min_df}, max_df={self.max_df}); too few passages to model "
                             "(lower min_df or add documents)")
        if self.k > min(len(units), len(vocabulary)):
            # checked here, where both are known, so no engine fails later with its own wording
            raise UsageError(f"k={self.k} topics is more than this corpus can give: {len(units)} passages and "
                             f"{len(vocabulary)} terms after the cut-offs (min_df={self.min_df}, "
                             f"max_df={self.max_df}); choose k <= {min(len(units), len(vocabulary))}")
        docs = vocabulary.encode(units.lemmas)
        counts = vocabulary.counts(docs)
        totals = np.asarray(counts.sum(axis=0)).ravel()
        priors = None
        self.seed_topics_: dict[int, str] = {}
        self.seed_terms_: dict[int, list[str]] = {}
        if self.seed_words:
            priors = {}
            for topic, (label, patterns) in enumerate(self.seed_words.items()):
                words = expand_seed_words(patterns, vocabulary.terms_, totals)
                if not words:
                    warnings.warn(f"seeded topic {label!r}: none of its words ({', '.join(patterns[:8])}) is in "
                                  "the vocabulary; the topic is left unanchored", stacklevel=3)
                priors[topic] = words
                self.seed_topics_[topic] = label
                self.seed_terms_[topic] = words
        prepared = time.perf_counter()
        with blas_limit(self.blas_threads) as blas_threads:
            result = engine.fit(counts, docs, vocabulary.terms_, priors)
        engine_seconds = time.perf_counter() - prepared
        self.engine_ = engine
        self.native_ = result.native
        self.vocabulary_ = vocabulary
        self.terms_ = vocabulary.terms_
        self.topic_term_ = result.topic_term
        self.term_share_ = totals / max(totals.sum(), 1.0)
        self.doc_topics_ = pd.DataFrame(result.doc_topic, index=pd.Index(units.passage_ids, name="passage_id"),
                                        columns=list(range(self.k)))
        self.n_tokens_ = np.asarray(counts.sum(axis=1)).ravel().astype(int)
        self.labels_ = auto_labels(self.topic_term_, self.terms_, self.term_share_)
        for topic, label in self.seed_topics_.items():
            # a seeded topic is named by its anchor and the seed words it holds most of
            index = vocabulary.index_
            held = sorted(self.seed_terms_[topic], key=lambda w: -self.topic_term_[topic, index[w]])[:3]
            self.labels_[topic] = f"{label}: {' / '.join(held) if held else self.labels_[topic]}"
        self.info_ = {
            "format_version": FORMAT_VERSION, "params": self.get_params(), "engine_params": engine.params,
            "versions": versions(MODEL_PACKAGES), "fitted_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "n_units": len(units), "n_terms": len(self.terms_), "n_tokens": int(self.n_tokens_.sum()),
            "prepare_seconds": round(prepared - started, 3), "engine_seconds": round(engine_seconds, 3),
            "fit_seconds": round(time.perf_counter() - started, 3), "blas_threads": blas_threads,
        }
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "topic_term_"):
            raise RuntimeError("this TopicModel is not fitted yet; call fit(corpus) or TopicModel.load(dir)")

    # -- reading -------------------------------------------------------------------------------------------
    def top_terms(self, n: int = 10, by: str = "prob", lam: float = 0.6) -> pd.DataFrame:
        """DataFrame(topic, rank, term, weight) ranked by "prob", "relevance" (lambda=lam) or "frex"."""
        self._check_fitted()
        return top_terms_frame(self.topic_term_, self.terms_, self.term_share_, n=n, by=by, lam=lam)

    def topic_table(self, n: int = 8) -> pd.DataFrame:
        """One row per topic: label, prevalence (mean share over passages), top terms by probability and FREX."""
        self._check_fitted()
        prob = self.top_terms(n, "prob").groupby("topic")["term"].apply(", ".join)
        frex = self.top_terms(n, "frex").groupby("topic")["term"].apply(", ".join)
        prevalence = self.doc_topics_.mean(axis=0)
        return pd.DataFrame({"topic": range(self.k), "label": self.labels_,
                             "prevalence": [float(prevalence[t]) for t in range(self.k)],
                             "top_prob": [prob[t] for t in range(self.k)],
                             "top_frex": [frex[t] for t in range(self.k)],
                             "seeded": [self.seed_topics_.get(t, "") for t in range(self.k)]})

    def representative_passages(self, corpus, topic: int, n: int = 3, min_terms: int = 3) -> pd.DataFrame:
        """The passages where ``topic`` has the largest share: DataFrame(passage_id, doc_id, text, score, citation).

        Passages with fewer than ``min_terms`` vocabulary terms are only used when nothing else is left: a
        two-word passage can have a share near 1 without saying much about the topic.
        """
        self._check_fitted()
        if not 0 <= topic < self.k:
            raise UsageError(f"topic must be between 0 and {self.k - 1}, got {topic}")
        share = self.doc_topics_[topic].to_numpy()
        enough = self.n_tokens_ >= min_terms
        # at most one passage per document first, so a long document does not fill the whole list
        order = np.lexsort((np.arange(len(share)), -share, ~enough))
        chosen: list[int] = []
        seen_docs: set[str] = set()
        ids = self.doc_topics_.index
        passages = []
        for i in order:
            if len(chosen) >= n:
                break
            passage = corpus.passage(ids[i])
            if passage.doc_id in seen_docs:
                continue
            seen_docs.add(passage.doc_id)
            chosen.append(i)
            passages.append(passage)
        cited = citations(corpus, [p.passage_id for p in passages])
        return pd.DataFrame({"passage_id": [p.passage_id for p in passages],
                             "doc_id": [p.doc_id for p in passages],
                             "text": [p.text for p in passages],
                             "score": [float(share[i]) for i in chosen],
                             "citation": [cited[p.passage_id] for p in passages]})

    def transform(self, lemmas: Sequence[Sequence[str]]) -> np.ndarray:
        """Topic shares (rows sum to 1) of new units given as content-lemma lists."""
        self._check_fitted()
        docs = self.vocabulary_.encode(lemmas)
        with blas_limit(getattr(self, "blas_threads", 1)):
            return self.engine_.transform(self.native_, self.vocabulary_.counts(docs), docs, self.terms_)

    def is_stale(self, corpus) -> bool:
        """True when the corpus changed since the fit (its generation moved on)."""
        return self.info_.get("corpus_generation") != corpus.generation

    # -- persistence ---------------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Write the model to a directory: model.json (parameters, versions, corpus generation, labels, terms),
        topic_term.npy, doc_topics.csv.gz and the engine's own model file.

        The files are written to a temporary sibling folder and renamed into place, so an interrupted save
        (kill -9, disk full) leaves the earlier model, or none, never a torn one. A path that is a file, or a folder
        holding other things than a saved model, is refused (PolicytekstError naming it) before anything is written.
        """
        self._check_fitted()
        path = Path(directory)
        if path.exists() and not path.is_dir():
            raise PolicytekstError(f"{path}: cannot save a topic model there (it is a file); give a folder name")
        if path.exists() and not _replaceable_model_dir(path):
            raise PolicytekstError(f"{path}: the folder holds other files than a saved topic model; give a new or "
                                   "empty folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        stage = path.parent / f".{path.name}.new-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        stage.mkdir()
        try:
            self._write(stage)
            old = None
            if path.exists():
                old = path.parent / f".{path.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
                os.replace(path, old)
            os.replace(stage, path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        return path

    def _write(self, path: Path) -> None:
        """The model's files, written into ``path`` (an empty folder)."""
        record = {**self.info_, "labels": self.labels_,
                  "seed_topics": {str(k): v for k, v in self.seed_topics_.items()},
                  "seed_terms": {str(k): v for k, v in self.seed_terms_.items()},
                  "terms": self.terms_, "vocabulary": self.vocabulary_.get_params()}
        (path / "model.json").write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str),
                                         encoding="utf-8")
        np.save(path / "topic_term.npy", self.topic_term_)
        np.save(path / "term_share.npy", self.term_share_)
        frame = self.doc_topics_.copy()
        frame.columns = [str(c) for c in frame.columns]
        frame["n_tokens"] = self.n_tokens_
        frame.to_csv(path / "doc_topics.csv.gz", float_format="%.6g")
        self.engine_.save(self.native_, path)

    @classmethod
    def load(cls, directory: str | Path) -> TopicModel:
        """Load a model written by :meth:`save` (raises FileNotFoundError naming the directory; a damaged or
        incomplete model raises PolicytekstError naming it)."""
        path = Path(directory)
        meta_file = path / "model.json"
        if not meta_file.is_file():
            raise FileNotFoundError(f"{path}: not a saved topic model (no model.json)")
        try:
            return cls._load(path, meta_file)
        except (OSError, ValueError, KeyError, TypeError, EOFError, RuntimeError, ImportError,
                pickle.UnpicklingError) as exc:
            # EOFError matters: click turns an escaping one into a bare "Aborted."
            raise PolicytekstError(f"{path}: the saved topic model is damaged or incomplete "
                                   f"({type(exc).__name__}: {exc}); fit it again") from exc

    @classmethod
    def _load(cls, path: Path, meta_file: Path) -> TopicModel:
        record = json.loads(meta_file.read_text(encoding="utf-8"))
        params = dict(record["params"])
        engine_params = params.pop("engine_params", {}) or {}
        model = cls(**params, **engine_params)
        model.engine_ = model._engine()
        model.native_ = model.engine_.load(path)
        model.terms_ = list(record["terms"])
        vocabulary = Vocabulary(**record["vocabulary"])
        vocabulary.terms_ = model.terms_
        vocabulary.index_ = {t: i for i, t in enumerate(model.terms_)}
        model.vocabulary_ = vocabulary
        model.topic_term_ = np.load(path / "topic_term.npy")
        model.term_share_ = np.load(path / "term_share.npy")
        frame = pd.read_csv(path / "doc_topics.csv.gz", index_col="passage_id")
        model.n_tokens_ = frame.pop("n_tokens").to_numpy()
        frame.columns = [int(c) for c in frame.columns]
        model.doc_topics_ = frame
        model.labels_ = list(record["labels"])
        model.seed_topics_ = {int(k): v for k, v in record.get("seed_topics", {}).items()}
        model.seed_terms_ = {int(k): v for k, v in record.get("seed_terms", {}).items()}
        model.info_ = {k: v for k, v in record.items()
                       if k not in ("labels", "terms", "seed_topics", "seed_terms", "vocabulary")}
        return model


def _replaceable_model_dir(path: Path) -> bool:
    """True for an empty folder or a saved model's folder (model.json and plain files): safe to replace whole."""
    entries = list(path.iterdir())
    return not entries or ((path / "model.json").is_file() and all(e.is_file() for e in entries))
