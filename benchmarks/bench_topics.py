"""Benchmark the topic engines: fit time of K topics per engine, our fit vs the raw library call on the same
prepared corpus (overhead), and coherence beside each time. Chooses the default engine.

Usage:
    .venv/bin/python benchmarks/bench_topics.py [--k 20] [--corpus DIR] [--skip-storting] [--skip-seeds]

Corpora: all Storting questions (../shared/data/storting_questions, ingested into build/bench/storting once)
and the seed captures (../shared/corpus/seeds). Prints one line per engine and corpus, and a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from benchlib import alternate, context, ratio, summary

ROOT = Path(__file__).resolve().parents[1]
BLAS_THREADS = 1  # ours and the raw call alike (TopicModel's default): a second thread is slower on a busy 2-core box
SHARED = ROOT.parent / "shared"
STORTING_CSV = SHARED / "data" / "storting_questions" / "storting_questions_1996_2015.csv.gz"
SEEDS = SHARED / "corpus" / "seeds"


def storting_corpus(directory: Path):
    from policytekst import Corpus

    corpus = Corpus(directory, create=True)
    if corpus.status()["documents"] < 30000:
        started = time.perf_counter()
        corpus.ingest([STORTING_CSV], text_column="question", id_column="docId", date_column="dateAsked",
                      meta_columns=["type", "fromParty", "toDepMinister", "cabinet_name"], progress=False, workers=2)
        print(f"ingested Storting questions in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return corpus


def seeds_corpus(directory: Path):
    from policytekst import Corpus

    corpus = Corpus(directory, create=True)
    corpus.ingest([SEEDS], progress=False)
    return corpus


def raw_fit(engine: str, k: int, counts, docs, terms, params: dict, seed: int = 0) -> float:
    """The library call alone on the prepared corpus, with the same hyperparameters as our engine."""
    started = time.perf_counter()
    if engine == "tomotopy":
        import tomotopy as tp

        model = tp.LDAModel(k=k, alpha=params["alpha"], eta=params["eta"], seed=seed, min_cf=0, rm_top=0)
        model.optim_interval = params["optim_interval"]
        for doc in docs:
            if doc:
                model.add_doc(doc)
        model.train(params["iterations"], workers=1)
    elif engine == "gensim":
        from gensim.matutils import Sparse2Corpus
        from gensim.models import LdaModel

        bow = list(Sparse2Corpus(counts, documents_columns=False))
        LdaModel(bow, num_topics=k, id2word=dict(enumerate(terms)), passes=params["passes"],
                 iterations=params["iterations"], chunksize=params["chunksize"], alpha=params["alpha"],
                 eta=params["eta"], random_state=seed, eval_every=None)
    else:
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfTransformer

        weights = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
        NMF(n_components=k, init=params["init"], random_state=seed, max_iter=params["max_iter"],
            solver="cd").fit_transform(weights)
    return time.perf_counter() - started


def _import_engine(engine: str) -> None:
    if engine == "tomotopy":
        import tomotopy  # noqa: F401
    elif engine == "gensim":
        import gensim.models  # noqa: F401
    else:
        import sklearn.decomposition  # noqa: F401
        import sklearn.feature_extraction.text  # noqa: F401


def bench(name: str, corpus, k: int, engines: list[str], repeats: int = 3) -> list[dict]:
    from threadpoolctl import threadpool_limits

    from policytekst.topics import TopicModel, passage_lemma_lists
    from policytekst.topics.engines import make_engine
    from policytekst.topics.sweep import evaluate
    from policytekst.topics.vocabulary import Vocabulary

    started = time.perf_counter()
    units = passage_lemma_lists(corpus)
    lemma_seconds = time.perf_counter() - started
    vocabulary = Vocabulary().fit(units.lemmas)
    docs = vocabulary.encode(units.lemmas)
    counts = vocabulary.counts(docs)
    print(f"[{name}] {len(units):,} passages, {len(vocabulary):,} terms, {int(counts.sum()):,} tokens; "
          f"lemmas {lemma_seconds:.1f} s (cached after the first run)", file=sys.stderr)
    rows = []
    for engine in engines:
        fitted: list = []

        def ours(engine: str = engine, fitted: list = fitted) -> None:
            fitted.append(TopicModel(k=k, engine=engine, seed=0, blas_threads=BLAS_THREADS)
                          .fit_units(units.passage_ids, units.lemmas))

        def raw(engine: str = engine) -> None:
            params = make_engine(engine, k, seed=0).params
            with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):  # the same BLAS threads as ours
                raw_fit(engine, k, counts, docs, vocabulary.terms_, params)

        _import_engine(engine)  # the library's import is start-up, not fitting: neither side pays it in the timing
        times = alternate({"ours": ours, "raw": raw}, repeats=repeats)
        model = fitted[-1]
        quality = evaluate(model, docs)
        overhead = ratio(times["ours"], times["raw"])
        row = {"corpus": name, "engine": engine, "k": k, "units": len(units), "fit_seconds": round(times["ours"], 2),
               "raw_seconds": round(times["raw"], 2), "overhead_ratio": round(overhead, 3),
               "blas_threads": model.info_["blas_threads"],
               **{key: round(value, 4) for key, value in quality.items()}, "params": model.engine_.params}
        print(f"[{name}] {engine:9s} fit {times['ours']:7.2f} s  raw {times['raw']:7.2f} s  ratio {overhead:5.3f}  "
              f"(medians of {repeats} alternating runs, BLAS threads {model.info_['blas_threads']})  "
              f"c_v {quality['c_v']:.3f}  npmi {quality['npmi']:.3f}  diversity {quality['diversity']:.2f}",
              flush=True)
        summary(f"topics {engine} ({name})", "fit time / raw library call", overhead, "~1")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--engines", default="tomotopy,gensim,nmf")
    parser.add_argument("--corpus", type=Path, default=ROOT / "build" / "bench" / "storting")
    parser.add_argument("--skip-storting", action="store_true")
    parser.add_argument("--skip-seeds", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per engine (medians)")
    args = parser.parse_args()
    context(["threadpoolctl"])
    if not SEEDS.is_dir():
        sys.exit(f"real data not found at {SHARED}")
    engines = [e.strip() for e in args.engines.split(",")]
    rows = []
    if not args.skip_seeds:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            corpus = seeds_corpus(Path(tmp) / "seeds")
            rows += bench("seeds", corpus, args.k, engines, args.repeats)
            corpus.close()
    if not args.skip_storting:
        rows += bench("storting", storting_corpus(args.corpus), args.k, engines, args.repeats)
    from policytekst.topics import DEFAULT_ENGINE
    from policytekst.topics.model import MODEL_PACKAGES
    from policytekst.versions import versions

    print(json.dumps({"default_engine": DEFAULT_ENGINE, "versions": versions(MODEL_PACKAGES), "results": rows},
                     ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
