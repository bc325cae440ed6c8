"""Scaling benchmark (issue 17): ingest on Dask from 10k towards 1M documents, memory, store size, the growth
exponent, search latency and topic fitting at the largest size, and a projection for a 16-worker cluster.

Corpora (built once under ``--work``, from real text in ../shared; nothing of it goes into the repository):
document ``i`` is a text file holding four Storting questions as one paragraph (see :func:`document_text`), every
50th with a passage of the seed captures added, so documents are distinct and not near-duplicates of each other;
every 1000th document is instead a copy (hard link) of one of the small real PDFs, repeated: those are duplicates.
Files sit in folders of 1,000.

Each ingest runs in a fresh process (``--child``) into a new corpus with ``--executor dask`` on a LocalCluster of
1 or 2 worker processes; that process measures its own peak RSS (the writer) and asks each worker for its own peak
RSS and CPU seconds. A one-process ingest (the default executor) of the smallest size is the baseline in the same
run. The exponent b is the least-squares slope of log(seconds) on log(documents): 1 is linear.

At the largest measured size (the 2-worker corpus): the search index build and the median latency of a few
queries (``--skip-search`` leaves them out); a topic model (NMF, the project's default engine) fitted on a
seeded uniform sample of at most ``--topic-sample`` passages (``TopicModel(max_passages=...)``, the product's stated
bound: only the sample's lemmas are computed) and the report's document map (at most 50,000 documents); each step's
own peak memory.

Usage:
    python benchmarks/bench_scale.py [--sizes 10000,30000,100000] [--workers 1,2] [--project 1000000]
Results: build/bench_scale/results.json and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import benchlib

ROOT = Path(__file__).resolve().parents[1]
PER_FOLDER = 1000
PDF_EVERY = 1000
PDFS = ("corpus/pdf/real/nav_pale-2_legeerklaering.pdf", "corpus/pdf/generated/report2009_plain.pdf",
        "corpus/pdf/bad/multicolumn-latex.pdf")
QUERIES = ("arbeidsledighet", "barnehage*", '"psykisk helse"', "skole AND lærer", "sykehus OR helseforetak",
           "NAV NOT trygd", "kommuneøkonomi", "rus*")


def peak_mb() -> float:
    """This process's own peak RSS. Linux's VmHWM, not ru_maxrss: ru_maxrss survives exec, so a child process
    would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the corpora ---------------------------------------------------------------------------------------------
def source_texts(shared: Path, work: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(docId, question) of every Storting question, and the seed captures' body passages (via a small ingest)."""
    with gzip.open(shared / "data/storting_questions/storting_questions_1996_2015.csv.gz", "rt", encoding="utf-8",
                   newline="") as handle:
        questions = [(row["docId"], row["question"]) for row in csv.DictReader(handle) if row["question"].strip()]
    from policytekst import Corpus

    seeds_dir = work / "seeds"
    shutil.rmtree(seeds_dir, ignore_errors=True)
    with Corpus(seeds_dir, create=True) as corpus:
        corpus.ingest([shared / "corpus/seeds"], progress=False)
        passages = [p.text for p in corpus.passages(kinds=("body",)) if (p.n_words or 0) >= 20]
    return questions, passages


def document_text(i: int, questions: list[tuple[str, str]], passages: list[str]) -> str:
    """Document ``i``: a title and one paragraph of four Storting questions (question ``i`` and three more picked
    by ``i``), so documents differ from each other and are not near-duplicates (any two share at most one
    question); every 50th also holds a seed passage (each used by at most a few documents below 1M)."""
    n = len(questions)
    picked = [questions[(i + k * (k + 7919 * (i // n))) % n] for k in range(4)]
    head = f"Spørsmål {' '.join(doc_id for doc_id, _ in picked[:2])}"
    body = " ".join(question.strip().rstrip(".?!") + "?" for _, question in picked)
    extra = f"\n\n{passages[(i // 50) % len(passages)]}" if i % 50 == 0 else ""
    return f"{head}\n\n{body}{extra}\n"


def build_corpus(n: int, folder: Path, shared: Path, questions, passages) -> Path:
    """``n`` documents under ``folder`` (kept between runs: rebuilt only when missing or incomplete)."""
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for i in range(n):
        sub = folder / f"{i // PER_FOLDER:04d}"
        if i % PER_FOLDER == 0:
            sub.mkdir(parents=True)
        if i % PDF_EVERY == PDF_EVERY - 1:
            os.link(shared / PDFS[(i // PDF_EVERY) % len(PDFS)], sub / f"doc{i:07d}.pdf")
            continue
        (sub / f"doc{i:07d}.txt").write_text(document_text(i, questions, passages), encoding="utf-8")
    done.write_text(str(n))
    return folder


# -- one ingest, in a fresh process ---------------------------------------------------------------------------
def child(folder: Path, corpus_dir: Path, executor_name: str, workers: int) -> dict:
    from policytekst import Corpus
    from policytekst.executors import DaskExecutor

    shutil.rmtree(corpus_dir, ignore_errors=True)
    started = time.perf_counter()
    executor = DaskExecutor(workers) if executor_name == "dask" else None
    startup = time.perf_counter() - started
    cpu_before = cpu_seconds()
    with Corpus(corpus_dir, create=True) as corpus:
        start = time.perf_counter()
        told = [0, 0.0]  # results so far; the writer's peak while documents stream (before duplicates regroup)

        def on_result(_result) -> None:
            told[0] += 1
            if told[0] % 500 == 0 or told[0] >= list_files(folder):
                told[1] = peak_mb()

        counts = corpus.ingest([folder], progress=False, executor=executor or "process", on_result=on_result)
        seconds = time.perf_counter() - start
    record = {"seconds": seconds, "startup_seconds": startup, "counts": counts, "writer_peak_mb": peak_mb(),
              "writer_stream_peak_mb": told[1],
              "writer_cpu_seconds": cpu_seconds() - cpu_before,
              "store_mb": sum(p.stat().st_size for p in corpus_dir.glob("corpus.sqlite*")) / 2**20}
    if executor is not None:
        stats = executor.client.run(_worker_stats)
        record["worker_peak_mb"] = max(s["peak_mb"] for s in stats.values())
        record["worker_cpu_seconds"] = sum(s["cpu"] for s in stats.values())
        executor.close()
    return record


_FILES: dict[Path, int] = {}


def list_files(folder: Path) -> int:
    if folder not in _FILES:
        _FILES[folder] = sum(len(files) for _, _, files in os.walk(folder)) - 1  # less .complete
    return _FILES[folder]


def _worker_stats() -> dict:
    return {"peak_mb": peak_mb(), "cpu": cpu_seconds()}


def run_child(folder: Path, corpus_dir: Path, executor: str, workers: int) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                      os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, __file__, "--child", str(folder), str(corpus_dir), executor, str(workers)],
                         capture_output=True, text=True, env=env)
    if out.returncode:
        sys.exit(f"child ingest failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- analyses at the largest size -------------------------------------------------------------------------------
def _step(result: dict, name: str, work) -> object:
    """Run one analysis step; record its seconds, CPU seconds and its own peak RSS (VmHWM reset before it)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: resets VmHWM, so the peak is this step's
    except OSError:
        pass
    started, cpu = time.perf_counter(), cpu_seconds()
    value = work()
    result[name] = {"seconds": round(time.perf_counter() - started, 1), "cpu_seconds": round(cpu_seconds() - cpu, 1),
                    "peak_mb": round(peak_mb())}
    print(json.dumps({name: result[name]}), file=sys.stderr, flush=True)
    return value


def analyses(corpus_dir: Path, workers: int, sample_bound: int, seed: int, search_too: bool = True) -> dict:
    """Search, topics and the document map on the big corpus through the product's own bounded paths: a topic
    fit of at most ``sample_bound`` passages (``TopicModel(max_passages=...)``: a seeded sample whose lemmas alone
    are computed, on the Dask cluster), and the report's document map (at most 50,000 documents)."""
    from policytekst import Corpus
    from policytekst.compare.similarity import MAX_MAP_DOCUMENTS, document_map
    from policytekst.search import search
    from policytekst.search.index import ensure_index
    from policytekst.topics import TopicModel

    result: dict = {"topic_bound": sample_bound, "map_bound": MAX_MAP_DOCUMENTS}
    with Corpus(corpus_dir) as corpus:
        result["passages"] = _step(result, "passage_ids", lambda: len(corpus.passage_ids()))
        if search_too:
            _step(result, "index", lambda: ensure_index(corpus))
            latencies = []
            for query in QUERIES:
                search(corpus, query, limit=20)  # warm
                times = []
                for _ in range(3):
                    t = time.perf_counter()
                    search(corpus, query, limit=20)
                    times.append(time.perf_counter() - t)
                latencies.append(statistics.median(times))
            result["search_median_ms"] = statistics.median(latencies) * 1000
            result["search_max_ms"] = max(latencies) * 1000
        model = _step(result, "topics", lambda: TopicModel(k=20, engine="nmf", seed=seed,
                                                           max_passages=sample_bound).fit(corpus))
        result["topics"].update(units=model.info_["n_units"], sampled=model.info_["sampled"])
        points = _step(result, "document_map", lambda: document_map(corpus, seed=seed))
        result["document_map"].update(documents=len(points), sampled=points.attrs["sampled"])
    result["peak_mb"] = peak_mb()
    return result


def exponent(points: list[tuple[int, float]]) -> float | None:
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench_scale")
    parser.add_argument("--sizes", default="10000", help="comma-separated document counts")
    parser.add_argument("--workers", default="1,2", help="comma-separated Dask LocalCluster worker counts")
    parser.add_argument("--project", type=int, default=1_000_000, help="size to project to from the fit")
    parser.add_argument("--topic-sample", type=int, default=200_000,
                        help="bound on passages the topic model sees (TopicModel max_passages)")
    parser.add_argument("--skip-search", action="store_true", help="analyses without the search index")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--largest-workers", type=lambda v: [int(w) for w in v.split(",")], default=None,
                        help="only these worker counts at the largest size (to fit a time budget)")
    parser.add_argument("--skip-analyses", action="store_true")
    parser.add_argument("--no-baseline", action="store_true", help="no one-process run at the smallest size")
    parser.add_argument("--analyses-only", type=Path, metavar="CORPUS",
                        help="only the search/lemma/topic figures, on an ingested corpus")
    parser.add_argument("--from-log", type=Path, help="print the table of a run from its log")
    parser.add_argument("--child", nargs=4)
    args = parser.parse_args()
    if args.from_log:  # the table from the JSON lines of a run's log (e.g. one stopped before its analyses)
        rows = [json.loads(line) for line in args.from_log.read_text().splitlines() if line.startswith("{")]
        rows = [r for r in rows if "documents" in r]
        table = {"rows": rows, "fits": fit_all(rows, args.project), "project_to": args.project}
        print_table(table)
        summary_lines(table)
        return
    if args.analyses_only:
        found = analyses(args.analyses_only, max(int(w) for w in args.workers.split(",")), args.topic_sample,
                         args.seed, search_too=not args.skip_search)
        (args.work / "analyses.json").write_text(json.dumps(found, indent=2))
        print(json.dumps(found, indent=2))
        return
    if args.child:
        folder, corpus_dir, executor, workers = args.child
        print(json.dumps(child(Path(folder), Path(corpus_dir), executor, int(workers))))
        return
    if not (args.shared / "corpus/seeds").is_dir():
        sys.exit(f"shared data not found at {args.shared}")
    sizes = sorted(int(s) for s in args.sizes.split(","))
    worker_counts = [int(w) for w in args.workers.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    questions, passages = source_texts(args.shared, args.work)
    print(f"sources: {len(questions)} Storting questions, {len(passages)} seed passages", flush=True)
    rows = []
    for n in sizes:
        start = time.perf_counter()
        folder = build_corpus(n, args.work / f"docs_{n}", args.shared, questions, passages)
        print(f"corpus of {n} documents ready ({time.perf_counter() - start:.0f} s)", flush=True)
        runs = [("dask", w) for w in worker_counts if n < sizes[-1] or not args.largest_workers
                or w in args.largest_workers]
        if n == sizes[0] and not args.no_baseline:
            runs.insert(0, ("process", 1))  # the one-process baseline, in the same run
        for executor, workers in runs:
            record = run_child(folder, args.work / f"corpus_{n}_{executor}{workers}", executor, workers)
            record.update({"documents": n, "executor": executor, "workers": workers,
                           "docs_per_s": n / record["seconds"]})
            rows.append(record)
            print(json.dumps(record), flush=True)
    for row in rows:  # drop the corpora not needed below (keep disk use bounded)
        if not (row["documents"] == sizes[-1] and row["executor"] == "dask" and row["workers"] == max(worker_counts)):
            shutil.rmtree(args.work / f"corpus_{row['documents']}_{row['executor']}{row['workers']}",
                          ignore_errors=True)
    summary: dict = {"rows": rows, "fits": fit_all(rows, args.project), "project_to": args.project}
    if not args.skip_analyses:
        summary["analyses"] = analyses(args.work / f"corpus_{sizes[-1]}_dask{max(worker_counts)}",
                                       max(worker_counts), args.topic_sample, args.seed,
                                       search_too=not args.skip_search)
    (args.work / "results.json").write_text(json.dumps(summary, indent=2))
    print_table(summary)
    summary_lines(summary)


def summary_lines(summary: dict) -> None:
    """The figures for `make bench`'s table: throughput per run, the growth exponent, the writer's memory."""
    for r in summary["rows"]:
        what = f"ingest {r['documents']:,} docs, {r['executor']} x{r['workers']}"
        benchlib.summary(what, "docs/s", r["docs_per_s"], "")
        benchlib.summary(what, "writer peak MB", r["writer_peak_mb"], "flat in documents")
    for w, fit in summary["fits"].items():
        if fit.get("exponent") is not None:
            benchlib.summary(f"ingest on dask x{w}", "exponent of time in documents", fit["exponent"], "~1")


def fit_all(rows: list[dict], project: int) -> dict:
    """Per Dask worker count: the exponent of seconds in documents, and the time it gives for ``project``."""
    fits = {}
    for w in sorted({r["workers"] for r in rows if r["executor"] == "dask"}):
        points = [(r["documents"], r["seconds"]) for r in rows if r["executor"] == "dask" and r["workers"] == w]
        b = exponent(points)
        largest = max(points)
        # the same fit on CPU seconds (writer + workers): wall-clock on a shared machine also measures the others
        cpu = exponent([(r["documents"], r["writer_cpu_seconds"] + r["worker_cpu_seconds"]) for r in rows
                        if r["executor"] == "dask" and r["workers"] == w])
        fits[w] = {"exponent": b, "cpu_exponent": cpu,
                   "projected_seconds": largest[1] * (project / largest[0]) ** b if b is not None else None}
    return fits


def print_table(summary: dict) -> None:
    print("\n| documents | executor | workers | seconds | docs/s | writer peak MB (stream) | worker peak MB | "
          "store MB | writer CPU ms/doc | worker CPU ms/doc | exponent |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in summary["rows"]:
        b = summary["fits"].get(r["workers"], {}).get("exponent") if r["executor"] == "dask" else None
        n = r["documents"]
        worker_ms = f"{1000 * r['worker_cpu_seconds'] / n:.2f}" if "worker_cpu_seconds" in r else ""
        worker_mb = f"{r['worker_peak_mb']:.0f}" if "worker_peak_mb" in r else ""
        print(f"| {n:,} | {r['executor']} | {r['workers']} | {r['seconds']:.0f} | {r['docs_per_s']:.0f} | "
              f"{r['writer_peak_mb']:.0f} ({r.get('writer_stream_peak_mb', 0):.0f}) | {worker_mb} | {r['store_mb']:.0f} | "
              f"{1000 * r['writer_cpu_seconds'] / n:.2f} | {worker_ms} | {'' if b is None else f'{b:.2f}'} |")
    for w, fit in summary["fits"].items():
        if fit.get("cpu_exponent") is not None:
            print(f"{w} worker(s): exponent {fit['exponent']:.2f} (wall-clock), {fit['cpu_exponent']:.2f} (CPU seconds)")
        if fit["projected_seconds"]:
            print(f"projected {summary['project_to']:,} documents with {w} worker(s): "
                  f"{fit['projected_seconds']:.0f} s ({fit['projected_seconds'] / 3600:.1f} h)")
    if "analyses" in summary:
        print(json.dumps(summary["analyses"], indent=2))


if __name__ == "__main__":
    main()
